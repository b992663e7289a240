using System.Collections.Concurrent;
using System.Text.Json;
using CameraNet.CameraSim;
using CameraNet.CameraSim.Scenes;

namespace CameraNet.DevStack;

/// <summary>The camera simulator as a child process, with its manifest and ground truth.</summary>
public sealed class LocalCameraSim : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SceneTruth> _truths = new(StringComparer.Ordinal);

    private LocalCameraSim(ChildProcess process, SimulatorConfig config, SimulatorManifest manifest)
    {
        Process = process;
        Config = config;
        Manifest = manifest;
    }

    public ChildProcess Process { get; }
    public SimulatorConfig Config { get; }
    public SimulatorManifest Manifest { get; }

    public MountInfo Camera(string name) => Manifest.Camera(name);

    /// <summary>RTSP URL of a camera, with no credentials in it.</summary>
    public string Url(string name) => Camera(name).Url;

    public SimulatedCamera Settings(string name) => Config.Cameras.First(c => c.Name == name);

    public SceneTruth Truth(string name)
    {
        var file = Camera(name).TruthFile;
        return _truths.GetOrAdd(file, f => JsonSerializer.Deserialize<SceneTruth>(File.ReadAllText(f), SceneTruth.Json)
            ?? throw new InvalidDataException($"empty ground truth {f}"));
    }

    /// <summary>Renders what the cache lacks without serving: lets a caller pay the one-off rendering cost up front.</summary>
    public static async Task RenderAsync(RunDirectory run, SimulatorConfig config, TimeSpan timeout)
    {
        var configFile = Path.Combine(run.Sub("camsim"), "render.json");
        await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(WithCache(config), SimulatorConfig.Json));
        await run.RunToCompletionAsync(DotnetApp.Spec("camsim-render", "CameraSim", ["render", "--config", configFile]), timeout);
    }

    public static async Task<LocalCameraSim> StartAsync(RunDirectory run, SimulatorConfig config, CancellationToken cancellationToken = default)
    {
        config = WithCache(config);
        var dir = run.Sub("camsim");
        var configFile = Path.Combine(dir, "camsim.json");
        var manifestFile = Path.Combine(dir, "manifest.json");
        await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(config, SimulatorConfig.Json), cancellationToken);
        var process = ChildProcess.Start(DotnetApp.Spec("camsim", "CameraSim", ["serve", "--config", configFile, "--manifest", manifestFile]), run);

        // The first run renders scenes (seconds per scene); later runs find them in the cache.
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (!File.Exists(manifestFile))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = process.Tail();
                await process.DisposeAsync();
                throw new InvalidOperationException($"the camera simulator did not start:\n{log}");
            }

            await Task.Delay(100, cancellationToken);
        }

        var manifest = JsonSerializer.Deserialize<SimulatorManifest>(await File.ReadAllTextAsync(manifestFile, cancellationToken), SimulatorConfig.Json)
            ?? throw new InvalidDataException("empty simulator manifest");
        return new LocalCameraSim(process, config, manifest);
    }

    private static SimulatorConfig WithCache(SimulatorConfig config) =>
        config with { CacheDirectory = Path.Combine(RepoPaths.CacheDirectory, "sim") };

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
