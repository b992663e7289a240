using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Bench -- --filter '*'      (all)
// dotnet run -c Release --project bench/Bench -- --list flat       (names)
BenchmarkSwitcher.FromAssembly(typeof(CameraNet.Bench.FramePathBenchmarks).Assembly).Run(args);
