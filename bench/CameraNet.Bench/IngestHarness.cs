using System.Diagnostics;
using System.Globalization;
using CameraNet.CameraSim;
using CameraNet.CameraSim.Scenes;
using CameraNet.Cli;
using CameraNet.DevStack;
using CameraNet.Ingest.Fleet;

namespace CameraNet.Bench;

/// <summary>
/// The ingest worker against plain ffmpeg on the same simulated 720p25 streams, in the same run.
/// Baseline: one <c>ffmpeg -rtsp_transport tcp -i URL -f null -</c> per camera (decodes every frame).
/// Then a real worker process (inventory, NATS, simulator all running) pulls K key-frame cameras, then
/// F full-mode cameras decoded in process, then the same F through one ffmpeg per camera
/// (<c>Ingest:FullModeDecoder=Ffmpeg</c>). For each: CPU seconds per video-second per camera (worker + its ffmpeg
/// processes; the simulator excluded), PSS per camera, the frames each camera delivered against what
/// real time gives, and the capture-to-decode lag (key frames carry the camera's RTCP clock).
/// </summary>
public static class IngestHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var keyframeCameras = Harness.Option(args, "--keyframe-cameras", 100);
        var fullCameras = Harness.Option(args, "--full-cameras", 8);
        var seconds = Harness.Option(args, "--seconds", 30);
        var warmup = Harness.Option(args, "--warmup", 10);
        var fullFps = Harness.Option(args, "--full-fps", 0); // analysis rate of full-mode cameras; 0 = every frame
        var rounds = Math.Max(1, Harness.Option(args, "--rounds", 3));
        var total = Math.Max(keyframeCameras, fullCameras);

        await using var register = await BenchRegister.StartAsync("ingest", "ingest benchmark");
        var run = register.Run;
        var spec = new SceneSpec { Kind = SceneKind.Street, Variant = 0 };
        var simConfig = new SimulatorConfig
        {
            Cameras = [.. Enumerable.Range(0, total).Select(i => new SimulatedCamera
            {
                Name = $"cam{i}",
                Scene = spec with { Variant = i % 2 },
                OffsetSeconds = i * 0.37,
            })],
        };
        await using var sim = await LocalCameraSim.StartAsync(run, simConfig);
        var video = await new SceneCache(Path.Combine(RepoPaths.CacheDirectory, "sim")).GetAsync(spec);
        var bitrate = new FileInfo(video.VideoPath).Length * 8 / (double)spec.Seconds / 1000;
        Harness.Say(string.Create(CultureInfo.InvariantCulture, $"simulator: {total} cameras, 1280x720 {spec.Fps} fps, GOP {spec.Gop} frames, ~{bitrate:0} kbit/s per stream"));

        await using var nats = await LocalNats.StartAsync(run);
        var keys = LocalKeys.Generate();
        await using var inventory = await LocalInventory.StartAsync(run, register.ConnectionString, keys);
        using var api = new InventoryApi(inventory.BaseUrl, keys.Admin);
        for (var i = 0; i < keyframeCameras; i++)
        {
            await RegisterAsync(api, $"1201010000131{i:0000000}", "120101", 117.19668, 39.11955, sim.Url($"cam{i}"), "keyframe", null);
        }

        for (var i = 0; i < fullCameras; i++)
        {
            await RegisterAsync(api, $"1201030000121{i:0000000}", "120103", 117.2180, 39.0966, sim.Url($"cam{i}"), "full", fullFps > 0 ? fullFps : null);
        }

        // The machine's speed drifts by ±15% between minutes (a shared 2-vCPU VM): each round measures
        // the baseline right before the worker, and the median of the rounds' ratios is reported.
        var fullExpected = fullFps > 0 ? fullFps : spec.Fps;
        var baselines = new List<Measured>();
        var fullRatios = new List<double>();
        Measured? full = null;
        for (var round = 1; round <= rounds; round++)
        {
            // Baseline: plain ffmpeg decoding everything, on the full-mode cameras' streams.
            var baseline = await PlainFfmpegAsync(sim, fullCameras, warmup: 5, seconds);
            baselines.Add(baseline);
            Harness.Say(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: baseline plain ffmpeg -f null, {fullCameras} cameras: {baseline.CpuPerCamera:0.00000} CPU-s per video-second per camera, PSS {baseline.PssPerCamera / 1048576.0:0.0} MiB per camera"));
            full = await WorkerAsync(run, inventory, keys, nats, "bench-full", "120103", fullCameras, warmup, seconds, fullExpected);
            Report($"round {round}: full", fullCameras, full, baseline);
            fullRatios.Add(full.CpuPerCamera / baseline.CpuPerCamera);
        }

        var median = baselines.OrderBy(b => b.CpuPerCamera).ElementAt(baselines.Count / 2);
        var keyframe = await WorkerAsync(run, inventory, keys, nats, "bench-keyframe", "120101", keyframeCameras, warmup, seconds, expectedFps: spec.Fps / (double)spec.Gop);
        Report("key-frame", keyframeCameras, keyframe, median);
        var fullFfmpeg = await WorkerAsync(run, inventory, keys, nats, "bench-full-ffmpeg", "120103", fullCameras, warmup, seconds, fullExpected,
            new Dictionary<string, string?> { ["Ingest__FullModeDecoder"] = "Ffmpeg" });
        Report("full (Ingest:FullModeDecoder=Ffmpeg, one ffmpeg per camera)", fullCameras, fullFfmpeg, median);

        var fullRatio = fullRatios.Order().ElementAt(fullRatios.Count / 2);
        Harness.Say(string.Create(CultureInfo.InvariantCulture,
            $"RESULT ingest: key-frame {keyframe.CpuPerCamera / median.CpuPerCamera:0.000}x plain ffmpeg (target <= 0.15), {1 / keyframe.CpuPerCamera:0} cameras/core, {keyframe.PssPerCamera / 1048576.0:0.0} MiB/camera (targets >= 150, <= 15); " +
            $"full {fullRatio:0.000}x, median of {rounds} rounds ({string.Join(", ", fullRatios.Select(r => r.ToString("0.000", CultureInfo.InvariantCulture)))}) (target <= 1.3), {1 / full!.CpuPerCamera:0.0} cameras/core; " +
            $"full through ffmpeg {fullFfmpeg.CpuPerCamera / median.CpuPerCamera:0.000}x, {1 / fullFfmpeg.CpuPerCamera:0.0} cameras/core"));
        return 0;
    }

    private static void Report(string mode, int cameras, Measured m, Measured baseline) =>
        Harness.Say(string.Create(CultureInfo.InvariantCulture,
            $"worker, {mode} mode, {cameras} cameras: {m.CpuPerCamera:0.00000} CPU-s per video-second per camera (worker {m.WorkerCpu:0.00} s + ffmpeg {m.ChildCpu:0.00} s over {m.Seconds:0} s) = " +
            $"{m.CpuPerCamera / baseline.CpuPerCamera:0.000}x plain ffmpeg, {1 / m.CpuPerCamera:0.0} cameras per core; PSS {m.PssPerCamera / 1048576.0:0.00} MiB per camera " +
            $"(worker {m.WorkerPss / 1048576.0:0} MiB + {m.Children} ffmpeg {m.ChildPss / 1048576.0:0} MiB); frames per camera {m.MinFrames}–{m.MaxFrames} (real time: {m.ExpectedFrames:0.0}), " +
            $"cameras behind real time: {m.Behind}; lag max {m.MaxLag:0.000} s"));

    private sealed record Measured(double Seconds, double WorkerCpu, double ChildCpu, long WorkerPss, long ChildPss, int Children, int Cameras,
        long MinFrames, long MaxFrames, double ExpectedFrames, int Behind, double MaxLag)
    {
        public double CpuPerCamera => (WorkerCpu + ChildCpu) / (Cameras * Seconds);
        public double PssPerCamera => (WorkerPss + ChildPss) / (double)Cameras;
    }

    private static Task RegisterAsync(InventoryApi api, string id, string district, double lon, double lat, string url, string mode, double? fps) =>
        api.PostJsonAsync("api/cameras", new
        {
            id,
            name = "bench " + id[^4..],
            kind = mode == "full" ? "checkpoint" : "monitoringClass2",
            districtCode = district,
            longitude = lon,
            latitude = lat,
            azimuth = 90,
            fieldOfView = 60,
            range = 50,
            mainStreamUrl = url,
            decodeMode = mode,
            analysisFps = fps,
        });

    private static async Task<Measured> WorkerAsync(RunDirectory run, LocalInventory inventory, LocalKeys keys, LocalNats nats, string name, string district,
        int cameras, int warmup, int seconds, double expectedFps, Dictionary<string, string?>? settings = null)
    {
        var metricsPort = FreePorts.Next();
        settings ??= [];
        settings["Ingest__Districts__0"] = district;
        settings["Ingest__MetricsPort"] = metricsPort.ToString(CultureInfo.InvariantCulture);
        settings["Ingest__ThumbnailInterval"] = "00:01:00";
        settings["Logging__LogLevel__Default"] = "Warning";
        var worker = LocalIngest.Start(run, name, inventory.BaseUrl, keys.Ingest, nats.Url, settings);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var metricsUrl = new Uri($"http://127.0.0.1:{metricsPort}/metrics");
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var online = await ScrapeAsync(http, metricsUrl);
                if (online.Online >= cameras)
                {
                    break;
                }

                if (deadline.Elapsed > TimeSpan.FromSeconds(90) || worker.HasExited)
                {
                    throw new InvalidOperationException($"{name}: {online.Online} of {cameras} cameras online after 90 s\n{worker.Tail(30)}");
                }

                await Task.Delay(500);
            }

            await Task.Delay(TimeSpan.FromSeconds(warmup));
            var before = await ScrapeAsync(http, metricsUrl);
            var usageBefore = Usage(worker.Pid);
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var after = await ScrapeAsync(http, metricsUrl);
            var usageAfter = Usage(worker.Pid);
            var elapsed = clock.Elapsed.TotalSeconds;
            var frames = after.Frames.Select(kv => (long)(kv.Value - before.Frames.GetValueOrDefault(kv.Key))).ToList();
            var expected = expectedFps * elapsed;
            var behind = frames.Count(f => f < expected * 0.9 - 1);
            return new Measured(elapsed, usageAfter.WorkerCpu - usageBefore.WorkerCpu, usageAfter.ChildCpu - usageBefore.ChildCpu,
                usageAfter.WorkerPss, usageAfter.ChildPss, usageAfter.Children, cameras,
                frames.DefaultIfEmpty().Min(), frames.DefaultIfEmpty().Max(), expected, behind + Math.Max(0, cameras - frames.Count), after.MaxLag);
        }
        finally
        {
            await worker.StopAsync(TimeSpan.FromSeconds(20));
        }
    }

    private sealed record Scrape(int Online, Dictionary<string, double> Frames, double MaxLag);

    /// <summary>Per-camera frames decoded, cameras online and the largest capture-to-decode lag, from the worker's Prometheus endpoint.</summary>
    private static async Task<Scrape> ScrapeAsync(HttpClient http, Uri url)
    {
        string text;
        try
        {
            text = await http.GetStringAsync(url);
        }
        catch (HttpRequestException)
        {
            return new Scrape(0, [], 0);
        }

        var frames = new Dictionary<string, double>(StringComparer.Ordinal);
        var online = 0;
        var lag = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("cameranet_ingest_frames_decoded_total{camera=\"", StringComparison.Ordinal))
            {
                var id = line[46..line.IndexOf('"', 46)];
                frames[id] = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("cameranet_ingest_cameras{health=\"online\"}", StringComparison.Ordinal))
            {
                online = (int)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("cameranet_ingest_frame_lag_seconds{", StringComparison.Ordinal))
            {
                lag = Math.Max(lag, double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
            }
        }

        return new Scrape(online, frames, lag);
    }

    private readonly record struct ProcessUsage(double WorkerCpu, double ChildCpu, long WorkerPss, long ChildPss, int Children);

    /// <summary>CPU and PSS of a process and its children (from /proc; children's CPU includes those already reaped).</summary>
    private static ProcessUsage Usage(int pid)
    {
        double childCpu = 0;
        long childPss = 0;
        var children = 0;
        var (own, reaped) = Cpu(pid);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var child))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
                {
                    children++;
                    childCpu += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
                    childPss += WorkerResources.Pss(child);
                }
            }
            catch (IOException)
            {
            }
        }

        return new ProcessUsage(own, childCpu + reaped, WorkerResources.Pss(pid), childPss, children);
    }

    private static (double Own, double Reaped) Cpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return ((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0,
            (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0);
    }

    /// <summary>The baseline: one plain ffmpeg per camera, decoding every frame to nowhere.</summary>
    private static async Task<Measured> PlainFfmpegAsync(LocalCameraSim sim, int cameras, int warmup, int seconds)
    {
        var processes = new List<Process>();
        try
        {
            for (var i = 0; i < cameras; i++)
            {
                var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
                foreach (var arg in new[] { "-hide_banner", "-nostats", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", sim.Url($"cam{i}"), "-f", "null", "-" })
                {
                    info.ArgumentList.Add(arg);
                }

                var process = Process.Start(info)!;
                process.ErrorDataReceived += (_, _) => { };
                process.BeginErrorReadLine();
                processes.Add(process);
            }

            await Task.Delay(TimeSpan.FromSeconds(warmup));
            var before = processes.Sum(p => Cpu(p.Id).Own);
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var cpu = processes.Sum(p => Cpu(p.Id).Own) - before;
            var pss = processes.Sum(p => WorkerResources.Pss(p.Id));
            if (processes.Any(p => p.HasExited))
            {
                throw new InvalidOperationException("a baseline ffmpeg exited early");
            }

            return new Measured(clock.Elapsed.TotalSeconds, 0, cpu, 0, pss, cameras, cameras, 0, 0, 0, 0, 0);
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                await process.WaitForExitAsync();
                process.Dispose();
            }
        }
    }
}
