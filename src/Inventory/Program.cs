using CameraNet.Inventory.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddInventory();

var app = builder.Build();
app.UseInventory();
app.MapInventory();
app.Run();

/// <summary>Entry point; public so integration tests can host the service.</summary>
public partial class Program;
