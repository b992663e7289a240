using BenchmarkDotNet.Running;
using CameraNet.Bench;

// Harnesses (long single runs with a baseline in the same run):
//   dotnet run -c Release --project bench/CameraNet.Bench -- import [--count N] [--rounds R]
// BenchmarkDotNet micro-benchmarks:
//   dotnet run -c Release --project bench/CameraNet.Bench -- --filter '*'
return args.FirstOrDefault() switch
{
    "import" => await ImportHarness.RunAsync(args[1..]),
    "stages" => await StageProfile.RunAsync(args[1..]),
    "load" => await LoadHarness.RunAsync(args[1..]),
    "coverage" => await CoverageHarness.RunAsync(args[1..]),
    "ingest" => await IngestHarness.RunAsync(args[1..]),
    "plates-publish" => await PlatePublishHarness.RunAsync(args[1..]),
    "dashboard" => await DashboardHarness.RunAsync(args[1..]),
    _ => Micro(args),
};

static int Micro(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(FramePathBenchmarks).Assembly).Run(args);
    return 0;
}
