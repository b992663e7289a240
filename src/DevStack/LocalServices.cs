using System.Globalization;
using System.Security.Cryptography;

namespace CameraNet.DevStack;

/// <summary>API keys a local stack hands to its services and clients (fresh random secrets per run).</summary>
public sealed record LocalKeys(string Admin, string Ingest, string CredentialKey, string NatsAccountSecret)
{
    public static LocalKeys Generate() => new(NewKey(), NewKey(), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    /// <summary>Never print the keys.</summary>
    public override string ToString() => "LocalKeys { *** }";

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>The inventory service as a child process on a free loopback port.</summary>
public sealed class LocalInventory : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };

    private LocalInventory(ChildProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public ChildProcess Process { get; }
    public int Port { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    public static async Task<LocalInventory> StartAsync(RunDirectory run, string connectionString, LocalKeys keys, IReadOnlyDictionary<string, string?>? extra = null, CancellationToken cancellationToken = default, string? natsUrl = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePorts.Next();
            var env = new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Inventory__ConnectionString"] = connectionString,
                ["Inventory__ApiKeys__0__Name"] = "local-admin",
                ["Inventory__ApiKeys__0__Key"] = keys.Admin,
                ["Inventory__ApiKeys__0__Role"] = "admin",
                ["Inventory__ApiKeys__1__Name"] = "local-ingest",
                ["Inventory__ApiKeys__1__Key"] = keys.Ingest,
                ["Inventory__ApiKeys__1__Role"] = "ingest",
                ["Inventory__CredentialKeys__0__Id"] = "local",
                ["Inventory__CredentialKeys__0__Key"] = keys.CredentialKey,
                ["Inventory__NatsUrl"] = natsUrl,
                ["Inventory__NatsAccountSecret"] = keys.NatsAccountSecret,
            };
            foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            {
                env[key] = value;
            }

            var process = ChildProcess.Start(DotnetApp.Spec("inventory", "Inventory", [], env), run);
            var inventory = new LocalInventory(process, port);
            if (await inventory.WaitReadyAsync(TimeSpan.FromSeconds(90), cancellationToken))
            {
                return inventory;
            }

            var log = process.Tail(30);
            await process.DisposeAsync();
            if (attempt >= 3 || !log.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"the inventory service did not become ready on port {port}:\n{log}");
            }
        }
    }

    private Task<bool> WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Readiness.WaitAsync(async ct =>
        {
            using var response = await Http.GetAsync(new Uri(BaseUrl, "health/ready"), ct);
            return response.IsSuccessStatusCode;
        }, Process, timeout, cancellationToken);

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>An ingest worker as a child process.</summary>
public static class LocalIngest
{
    public static ChildProcess Start(RunDirectory run, string workerId, Uri inventory, string apiKey, string natsUrl, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Ingest__WorkerId"] = workerId,
            ["Ingest__InventoryUrl"] = inventory.ToString(),
            ["Ingest__ApiKey"] = apiKey,
            ["Ingest__NatsUrl"] = natsUrl,
            ["Ingest__AssignmentInterval"] = TimeSpan.FromSeconds(2).ToString("c", CultureInfo.InvariantCulture),
            // One fleet per run directory: runs sharing a NATS server (parallel tests) are not each other's peers.
            ["Ingest__Fleet"] = "run-" + System.IO.Path.GetFileName(run.Path.TrimEnd('/')).Replace(' ', '-'),
            // Plate captures waiting for NATS stay with the run (a restarted worker of the run finds them).
            ["Ingest__SpoolDirectory"] = run.Sub("spool"),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        return ChildProcess.Start(DotnetApp.Spec(workerId, "Ingest", [], env), run);
    }
}
