using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using CameraNet.CameraSim;
using CameraNet.CameraSim.Rtsp;
using CameraNet.CameraSim.Scenes;

// CameraNet camera simulator.
//   serve  --config FILE --manifest FILE   render what is missing, serve the cameras, write the manifest
//   render --config FILE                   only render (warm the scene cache)
return await SimulatorProgram.RunAsync(args);

internal static class SimulatorProgram
{
    private static void Log(string message) =>
        Console.Out.WriteLine($"{DateTime.Now:HH:mm:ss.fff} camsim {message}");

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("serve" or "render"))
        {
            return Usage("expected a verb: serve or render");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return Usage($"unexpected argument '{args[i]}'");
            }

            options[args[i][2..]] = args[++i];
        }

        if (!options.TryGetValue("config", out var configPath))
        {
            return Usage("--config FILE is required");
        }

        SimulatorConfig config;
        try
        {
            config = JsonSerializer.Deserialize<SimulatorConfig>(await File.ReadAllTextAsync(configPath), SimulatorConfig.Json)
                ?? throw new JsonException("the file is empty");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"camsim: cannot read config '{configPath}': {e.Message}");
            return 2;
        }

        var problems = config.Problems().ToList();
        if (problems.Count > 0)
        {
            await Console.Error.WriteLineAsync($"camsim: invalid config '{configPath}':\n  " + string.Join("\n  ", problems));
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        var cache = new SceneCache(Path.GetFullPath(config.CacheDirectory), Log);
        var scenes = new Dictionary<string, RenderedScene>(StringComparer.Ordinal);
        try
        {
            foreach (var spec in config.Cameras.Where(c => c.Fault != CameraFault.Refuse).Select(c => c.Scene).Distinct())
            {
                scenes[spec.CacheKey] = await cache.GetAsync(spec, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            return 130;
        }

        if (args[0] == "render")
        {
            Log($"{scenes.Count} scene(s) ready in {cache.Directory}");
            return 0;
        }

        if (!options.TryGetValue("manifest", out var manifestPath))
        {
            return Usage("serve needs --manifest FILE");
        }

        var mounts = BuildMounts(config, scenes);
        await using var server = new RtspServer(IPAddress.Parse(config.Listen), config.Port, mounts, Log);
        server.Start();
        var manifest = new SimulatorManifest
        {
            Pid = Environment.ProcessId,
            StartedAt = server.StartedAt,
            RtspPort = server.Port,
            Cameras = mounts.Select(m => new MountInfo
            {
                Name = m.Name,
                Url = $"rtsp://{config.Listen}:{server.PortOf(m)}/{m.Name}",
                Fault = m.Camera.Fault,
                RequiresAuth = m.RequiresAuth,
                Scene = m.Camera.Scene,
                FrameCount = m.FrameCount,
                OffsetFrames = m.OffsetFrames,
                TruthFile = scenes.TryGetValue(m.Camera.Scene.CacheKey, out var s) ? s.TruthPath : string.Empty,
            }).ToList(),
        };

        var tmp = manifestPath + ".tmp";
        await File.WriteAllTextAsync(tmp, JsonSerializer.Serialize(manifest, SimulatorConfig.Json));
        File.Move(tmp, manifestPath, overwrite: true);
        Log($"serving {mounts.Count} camera(s) on rtsp://{config.Listen}:{server.Port}/ (manifest {manifestPath})");

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        Log("stopping");
        File.Delete(manifestPath);
        return 0;
    }

    private static List<Mount> BuildMounts(SimulatorConfig config, Dictionary<string, RenderedScene> scenes)
    {
        var frameSets = new Dictionary<string, RtpFrameSet>(StringComparer.Ordinal);
        var streams = new Dictionary<string, H264Stream>(StringComparer.Ordinal);
        var mounts = new List<Mount>();
        foreach (var camera in config.Cameras)
        {
            var spec = camera.Scene;
            RtpFrameSet? frames = null;
            if (camera.Fault != CameraFault.Refuse)
            {
                if (!streams.TryGetValue(spec.CacheKey, out var stream))
                {
                    stream = H264Stream.Parse(File.ReadAllBytes(scenes[spec.CacheKey].VideoPath));
                    streams[spec.CacheKey] = stream;
                }

                var key = camera.Fault == CameraFault.Corrupt ? spec.CacheKey + "#corrupt" : spec.CacheKey;
                if (!frameSets.TryGetValue(key, out frames))
                {
                    frames = camera.Fault == CameraFault.Corrupt
                        ? RtpFrameSet.Corrupted(stream, spec.Fps, seed: spec.Variant)
                        : RtpFrameSet.FromStream(stream, spec.Fps);
                    frameSets[key] = frames;
                }
            }

            mounts.Add(new Mount(camera, frames, (long)Math.Round(camera.OffsetSeconds * spec.Fps)));
        }

        return mounts;
    }

    private static int Usage(string error)
    {
        Console.Error.WriteLine($"camsim: {error}");
        Console.Error.WriteLine("usage: CameraNet.CameraSim serve --config FILE --manifest FILE");
        Console.Error.WriteLine("       CameraNet.CameraSim render --config FILE");
        return 2;
    }
}
