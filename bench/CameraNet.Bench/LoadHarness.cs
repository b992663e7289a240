using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using CameraNet.Cli;
using CameraNet.Cli.Generate;
using CameraNet.DevStack;

namespace CameraNet.Bench;

/// <summary>
/// 200 clients registering cameras against a real inventory process (Kestrel, Postgres/PostGIS),
/// like field teams at work: each client registers a camera, then waits its turn (one per second
/// per client, so ~200 registrations/s), for a fixed time. Latency is measured at the client.
/// Same-run baseline: the same clients calling /health/live (the server's floor under that load).
/// Then a closed loop (no waiting) to show where the machine saturates.
/// </summary>
public static class LoadHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var clients = Harness.Option(args, "--clients", 200);
        var seconds = Harness.Option(args, "--seconds", 30);
        await using var run = await RunDirectory.CreateAsync(Path.Combine(RepoPaths.DataDirectory, "bench-runs"), "load", "load benchmark");
        var postgres = await LocalPostgres.StartAsync(run);
        var keys = LocalKeys.Generate();
        var inventory = await LocalInventory.StartAsync(run, await postgres.CreateDatabaseAsync("load"), keys,
            new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Warning" });
        using (var api = new InventoryApi(inventory.BaseUrl, keys.Admin))
        {
            await api.ImportSampleDivisionsAsync();
        }

        // Valid, distinct registrations from the generator.
        using var text = new StringWriter();
        new RegisterGenerator(TianjinDivisions.Load(Path.Combine(RepoPaths.Root, "data", "tianjin")), seed: 99).WriteCsv(text, clients * (seconds + 5) + 60_000, credentials: true);
        var header = RegisterGenerator.Header.Split(',');
        var bodies = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => Body(header, line.Split(','))).ToArray();
        var next = -1;

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = inventory.BaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keys.Admin);

        async Task<bool> Register(CancellationToken ct)
        {
            var index = Interlocked.Increment(ref next);
            if (index >= bodies.Length)
            {
                throw new InvalidOperationException($"the harness ran out of distinct cameras after {bodies.Length:N0}; give it more");
            }

            using var response = await http.PostAsJsonAsync("api/cameras", bodies[index], ct);
            return response.StatusCode == System.Net.HttpStatusCode.Created;
        }

        async Task<bool> Health(CancellationToken ct)
        {
            using var response = await http.GetAsync(new Uri("health/live", UriKind.Relative), ct);
            return response.IsSuccessStatusCode;
        }

        await MeasureAsync("warm-up (discarded)", clients, 5, paced: true, Register);
        var baseline = await MeasureAsync("baseline: GET /health/live", clients, seconds, paced: true, Health);
        var register = await MeasureAsync("register a camera", clients, seconds, paced: true, Register);
        await MeasureAsync("register, closed loop (saturation)", clients, Math.Min(seconds, 15), paced: false, Register);
        Harness.Say(string.Create(CultureInfo.InvariantCulture,
            $"RESULT register-camera at {clients} clients: p50 {register.P50:0.0} ms, p99 {register.P99:0.0} ms (target p99 <= 20 ms); baseline health p99 {baseline.P99:0.0} ms"));
        return register.Failures == 0 ? 0 : 1;
    }

    private static object Body(string[] header, string[] cells)
    {
        var body = new Dictionary<string, object?>();
        for (var i = 0; i < header.Length; i++)
        {
            if (cells[i].Length == 0)
            {
                continue;
            }

            body[header[i]] = header[i] is "longitude" or "latitude" or "azimuth" or "fieldOfView" or "range" or "analysisFps"
                ? double.Parse(cells[i], CultureInfo.InvariantCulture)
                : cells[i];
        }

        return body;
    }

    private sealed record Result(double P50, double P99, double Rate, int Failures);

    private static async Task<Result> MeasureAsync(string label, int clients, int seconds, bool paced, Func<CancellationToken, Task<bool>> call)
    {
        var latencies = new List<double>[clients];
        var failures = 0;
        var stopwatch = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            latencies[c] = [];

            // Spread the clients' first calls over the first second, as independent people would be.
            var due = TimeSpan.FromMilliseconds(1000.0 * c / clients);
            while (stopwatch.Elapsed < end)
            {
                if (paced && due > stopwatch.Elapsed)
                {
                    await Task.Delay(due - stopwatch.Elapsed);
                }

                var start = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await call(CancellationToken.None);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    ok = false;
                }

                latencies[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }

                due += TimeSpan.FromSeconds(1);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var result = new Result(Percentile(all, 0.50), Percentile(all, 0.99), all.Length / stopwatch.Elapsed.TotalSeconds, failures);
        Harness.Say(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {all.Length} calls, {result.Rate:0} /s, p50 {result.P50:0.0} ms, p90 {Percentile(all, 0.90):0.0} ms, p99 {result.P99:0.0} ms, max {all[^1]:0.0} ms, failures {failures}"));
        return result;
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
