using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CameraNet.CameraSim;
using CameraNet.Contracts;
using CameraNet.DevStack;
using CameraNet.Messaging;
using NATS.Client.Core;

namespace CameraNet.Cli.Demo;

/// <summary>The last line of a demo run: what happened, for people and scripts.</summary>
public sealed record DemoSummary(int Cameras, long FramesDecoded, long FrameEvents, long PlateEvents, long PlateEventsMatchingTruth, int Districts, IReadOnlyList<string> Errors);

/// <summary>
/// Runs the whole system on this machine: Postgres/PostGIS, NATS JetStream, simulated cameras,
/// the inventory and an ingest worker; loads Tianjin, registers the cameras through the API, and
/// narrates what happens until the time is up or the user presses Ctrl-C.
/// </summary>
public sealed class DemoRunner(TextWriter output)
{
    private readonly ConcurrentDictionary<string, long> _framesByCamera = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _motionByCamera = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkerHeartbeat> _heartbeats = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly Dictionary<string, string> _divisionNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _cameraNames = new(StringComparer.Ordinal);
    private long _frameEvents;
    private long _plateEvents;
    private long _platesMatchingTruth;
    private readonly Dictionary<string, string> _mountByCamera = new(StringComparer.Ordinal);
    private LocalCameraSim? _sim;
    private int _cameras;
    private int _districts;

    private void Say(string source, string message) =>
        output.WriteLine($"{DateTime.Now:HH:mm:ss} {source,-7} {message}");

    public async Task<DemoSummary> RunAsync(TimeSpan? duration, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        RunDirectory? run = null;
        try
        {
            run = await RunDirectory.CreateAsync(RepoPaths.DataDirectory, "demo", "cameranet demo", fixedName: true, keep: true);
            Say("demo", $"data and logs in {Path.GetRelativePath(Environment.CurrentDirectory, run.Path)}/ (kept after the demo)");
            await RunStackAsync(run, duration, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Say("demo", "stopping (Ctrl-C)");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _errors.Enqueue(e.Message.Split('\n')[0]);
            Say("demo", "FAILED: " + e.Message);
        }
        finally
        {
            File.Delete(CliSession.DemoSessionFile);
            if (run is not null)
            {
                Say("demo", "stopping every process the demo started …");
                await run.DisposeAsync();
            }

            Say("demo", $"stopped after {clock.Elapsed.TotalSeconds:0} s");
        }

        return new DemoSummary(
            _cameras,
            _heartbeats.Values.Sum(h => h.FramesDecoded),
            Interlocked.Read(ref _frameEvents),
            Interlocked.Read(ref _plateEvents),
            Interlocked.Read(ref _platesMatchingTruth),
            _districts,
            [.. _errors]);
    }

    private async Task RunStackAsync(RunDirectory run, TimeSpan? duration, CancellationToken cancellationToken)
    {
        var keys = LocalKeys.Generate();
        var centroids = ReadCentroids();
        var cameras = DemoCameras.Create(centroids);
        var simulatorConfig = new SimulatorConfig { Cameras = cameras.Select(c => c.Simulated).ToList() };

        Say("demo", "rendering simulated camera scenes if they are not cached yet (first run only) …");
        await LocalCameraSim.RenderAsync(run, simulatorConfig, TimeSpan.FromMinutes(15));

        var postgres = await LocalPostgres.StartAsync(run, new LocalPostgresOptions { Durable = true }, cancellationToken);
        Say("demo", $"postgres + PostGIS on 127.0.0.1:{postgres.Port} (pid {postgres.Process.Pid}, as an unprivileged user)");
        var connectionString = await postgres.CreateDatabaseAsync("cameranet", cancellationToken);

        var nats = await LocalNats.StartAsync(run, cancellationToken: cancellationToken);
        Say("demo", $"nats-server with JetStream on {nats.Url} (pid {nats.Process!.Pid})");

        var sim = _sim = await LocalCameraSim.StartAsync(run, simulatorConfig, cancellationToken);
        Say("demo", $"camera simulator: {sim.Manifest.Cameras.Count} cameras on rtsp://127.0.0.1:{sim.Manifest.RtspPort}/ (pid {sim.Process.Pid})");

        var inventory = await LocalInventory.StartAsync(run, connectionString, keys, cancellationToken: cancellationToken, natsUrl: nats.Url);
        Say("demo", $"inventory service on {inventory.BaseUrl} (ready: database migrated)");
        new CliSession(inventory.BaseUrl.ToString(), keys.Admin, nats.Url).Save(CliSession.DemoSessionFile);
        Say("demo", "the CLI now talks to this demo, e.g. in another terminal: ./cameranet cameras list");
        Say("demo", "plate captures as an analyst sees them: ./cameranet plates watch --district 120101 --since 5m --purpose \"demo walkthrough\"");

        using var api = new InventoryApi(inventory.BaseUrl, keys.Admin);
        await LoadDivisionsAsync(api, cancellationToken);
        await CreateDemoUsersAsync(api, inventory.BaseUrl, cancellationToken);
        await RegisterCamerasAsync(api, sim, cameras, cancellationToken);

        await using var connection = new NatsSettings(nats.Url, Name: "demo-narrator").Connect();
        await connection.ConnectAsync();
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listeners = new[]
        {
            ListenAsync<FrameSampled>(connection, Subjects.FramesOf(), OnFrame, listening.Token),
            ListenAsync<CameraStatusChanged>(connection, Subjects.StatusPrefix + ".camera.>", OnStatus, listening.Token),
            ListenAsync<WorkerHeartbeat>(connection, Subjects.StatusPrefix + ".worker.>", h => _heartbeats[h.WorkerId] = h, listening.Token),
            ListenAsync<PlateCaptured>(connection, Subjects.PlatesOf(), OnPlate, listening.Token),
        };

        var worker = LocalIngest.Start(run, "demo-worker-1", inventory.BaseUrl, keys.Ingest, nats.Url);
        Say("demo", $"ingest worker demo-worker-1 started (pid {worker.Pid}); it fetches its cameras from the inventory");

        var deadline = duration is { } d ? DateTime.UtcNow + d - TimeSpan.FromSeconds(1) : DateTime.MaxValue;
        var reportEvery = TimeSpan.FromSeconds(10);
        var nextReport = DateTime.UtcNow + reportEvery;
        var coverageEvery = TimeSpan.FromMinutes(1);
        var nextCoverage = DateTime.UtcNow + reportEvery; // once the cameras have had time to come online
        var watched = new[] { postgres.Process, nats.Process!, sim.Process, inventory.Process, worker };
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            foreach (var process in watched.Where(p => p.HasExited))
            {
                throw new InvalidOperationException($"{process.Name} exited unexpectedly (code {process.ExitCode}); see {process.LogFile}\n{process.Tail()}");
            }

            if (DateTime.UtcNow >= nextReport)
            {
                nextReport += reportEvery;
                ReportFrames();
            }

            if (DateTime.UtcNow >= nextCoverage)
            {
                nextCoverage += coverageEvery;
                await PrintCoverageAsync(api, cancellationToken);
            }
        }

        ReportFrames();
        await PrintCoverageAsync(api, cancellationToken);
        await listening.CancelAsync();
        await Task.WhenAll(listeners).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>The coverage table of all 16 districts, as managers see it (cameras online now count for "effective").</summary>
    private async Task PrintCoverageAsync(InventoryApi api, CancellationToken cancellationToken)
    {
        var report = await api.GetAsync("api/coverage/districts", cancellationToken);
        Say("demo", "coverage of Tianjin's districts by the demo's cameras (a handful of cameras in a city: most districts are 0%):");
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(output),
            Ansi = Spectre.Console.AnsiSupport.No,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 120;
        Commands.CoverageCommands.Render(report, console);
    }

    private static Dictionary<string, (double Lon, double Lat)> ReadCentroids()
    {
        var result = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.Root, "data", "tianjin", "districts.csv")).Skip(1))
        {
            var cols = line.Split(',');
            result[cols[0]] = (double.Parse(cols[4], CultureInfo.InvariantCulture), double.Parse(cols[5], CultureInfo.InvariantCulture));
        }

        return result;
    }

    private async Task LoadDivisionsAsync(InventoryApi api, CancellationToken cancellationToken)
    {
        foreach (var (file, result) in await api.ImportSampleDivisionsAsync(cancellationToken))
        {
            Say("demo", $"imported {file}: {result["created"]} new, {result["updated"]} replaced");
        }

        var divisions = (await api.GetAsync("api/divisions", cancellationToken)).AsArray();
        foreach (var d in divisions)
        {
            _divisionNames[d!["code"]!.GetValue<string>()] = d["name"]!.GetValue<string>();
        }

        _districts = divisions.Count(d => d!["level"]!.GetValue<string>() == "district");
        Say("demo", $"Tianjin loaded: {_districts} districts, {divisions.Count - _districts} township-level units (township boundaries are synthetic stand-ins)");
    }

    /// <summary>People to sign in to the dashboard as: an operator and an analyst of the checkpoints' districts (fresh passwords each run).</summary>
    private async Task CreateDemoUsersAsync(InventoryApi api, Uri site, CancellationToken cancellationToken)
    {
        foreach (var (user, role) in new[] { ("demo.operator", "operator"), ("demo.analyst", "analyst") })
        {
            var password = "Demo-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
            await api.PostJsonAsync("api/users", new { username = user, displayName = user, role, districts = new[] { "120101", "120103" }, password }, cancellationToken);
            Say("demo", $"dashboard {site} — sign in as {user} / {password} ({role}, districts 120101 and 120103; this run only)");
        }
    }

    private async Task RegisterCamerasAsync(InventoryApi api, LocalCameraSim sim, IReadOnlyList<DemoCamera> cameras, CancellationToken cancellationToken)
    {
        foreach (var camera in cameras)
        {
            var registered = await api.PostJsonAsync("api/cameras", new
            {
                id = camera.Id,
                name = camera.Name,
                kind = camera.Kind,
                districtCode = camera.District,
                longitude = camera.Longitude,
                latitude = camera.Latitude,
                azimuth = camera.Azimuth,
                fieldOfView = camera.FieldOfView,
                range = camera.Range,
                mainStreamUrl = sim.Url(camera.Simulated.Name),
                decodeMode = camera.Mode,
                analysisFps = camera.AnalysisFps,
                ownerUnit = "CameraNet demo",
                username = camera.Simulated.Username,
                password = camera.Simulated.Password,
            }, cancellationToken);
            _cameras++;
            _cameraNames[camera.Id] = camera.Name;
            _mountByCamera[camera.Id] = camera.Simulated.Name;
            var township = registered["townshipCode"]!.GetValue<string>();
            var fault = camera.Simulated.Fault != CameraFault.None ? $"  [simulated fault: {camera.Simulated.Fault.ToString().ToLowerInvariant()}]"
                : camera.Simulated.Username is not null ? "  [password-protected: credentials stored encrypted]"
                : string.Empty;
            Say("demo", $"registered {camera.Id} {camera.Name} in {Place(camera.District, township)} ({camera.Kind}, {camera.Mode} decode){fault}");
        }
    }

    private string Place(string district, string township) =>
        $"{_divisionNames.GetValueOrDefault(district, district)}/{_divisionNames.GetValueOrDefault(township, township)}";

    private void OnFrame(FrameSampled frame)
    {
        Interlocked.Increment(ref _frameEvents);
        _framesByCamera.AddOrUpdate(frame.CameraId, 1, (_, n) => n + 1);
        _motionByCamera.AddOrUpdate(frame.CameraId, frame.MotionScore, (_, m) => Math.Max(m, frame.MotionScore));
    }

    /// <summary>A plate capture, as an analyst would see it, checked against the simulator's ground truth.</summary>
    private void OnPlate(PlateCaptured capture)
    {
        Interlocked.Increment(ref _plateEvents);
        var verdict = "not in the simulator's truth";
        if (_sim is not null && _mountByCamera.TryGetValue(capture.CameraId, out var mount))
        {
            var slack = TimeSpan.FromSeconds(1.5);
            var passes = PassTruth.Between(_sim, mount, capture.FirstSeenAt - TimeSpan.FromSeconds(30), capture.LastSeenAt + TimeSpan.FromSeconds(30));
            if (passes.Any(p => p.Plate == capture.Plate && p.Start - slack <= capture.LastSeenAt && p.End + slack >= capture.FirstSeenAt))
            {
                Interlocked.Increment(ref _platesMatchingTruth);
                verdict = "matches the simulator";
            }
        }

        Say("plate", $"{capture.FirstSeenAt.ToLocalTime():HH:mm:ss} {Place(capture.DistrictCode, capture.TownshipCode)} {_cameraNames.GetValueOrDefault(capture.CameraId, capture.CameraId)}: " +
                     $"{capture.Plate} {capture.Colour.ToString().ToLowerInvariant()} {capture.Kind.ToString().ToLowerInvariant()}, confidence {capture.Confidence:0.00}, " +
                     $"{capture.Readings} readings, crop {capture.CropJpeg?.Length ?? 0} B [{verdict}]");
    }

    private void OnStatus(CameraStatusChanged status) =>
        Say("status", $"{_cameraNames.GetValueOrDefault(status.CameraId, status.CameraId)} in {Place(status.DistrictCode, status.TownshipCode)}: " +
                      $"{status.Previous.ToString().ToLowerInvariant()} -> {status.Current.ToString().ToLowerInvariant()} ({status.Reason})");

    private void ReportFrames()
    {
        var parts = _cameraNames
            .Select(c => (Name: c.Value, Events: _framesByCamera.TryRemove(c.Key, out var n) ? n : 0, Motion: _motionByCamera.TryRemove(c.Key, out var m) ? m : 0))
            .Select(c => $"{c.Name} {c.Events} (motion ≤{c.Motion:0.00})");
        Say("frames", "frame events since last report: " + string.Join(", ", parts));
        foreach (var h in _heartbeats.Values)
        {
            Say("worker", $"{h.WorkerId}: {h.Cameras} cameras, {h.FramesDecoded} frames decoded, {h.FrameEventsPublished} frame events sent, {h.FrameEventsDropped} dropped; " +
                          string.Join(", ", h.CamerasByHealth.Select(kv => $"{kv.Value} {kv.Key}")));
        }
    }

    private static async Task ListenAsync<T>(NatsConnection connection, string subject, Action<T> handle, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in connection.SubscribeAsync<T>(subject, cancellationToken: cancellationToken))
            {
                if (message.Data is { } data)
                {
                    handle(data);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static string ToJson(DemoSummary summary) =>
        JsonSerializer.Serialize(new JsonObject
        {
            ["cameras"] = summary.Cameras,
            ["framesDecoded"] = summary.FramesDecoded,
            ["frameEvents"] = summary.FrameEvents,
            ["plateEvents"] = summary.PlateEvents,
            ["plateEventsMatchingTruth"] = summary.PlateEventsMatchingTruth,
            ["districts"] = summary.Districts,
            ["errors"] = new JsonArray([.. summary.Errors.Select(e => (JsonNode?)JsonValue.Create(e))]),
        });
}
