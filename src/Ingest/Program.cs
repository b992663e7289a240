using CameraNet.Ingest;

var builder = Host.CreateApplicationBuilder(args);
builder.AddIngest();
await builder.Build().RunAsync();
