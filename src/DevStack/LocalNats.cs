using System.Globalization;
using System.Text;

namespace CameraNet.DevStack;

/// <summary>A NATS user with subject permissions (allow lists; empty means no access of that kind).</summary>
public sealed record NatsUser(string Name, string Password, IReadOnlyList<string> Publish, IReadOnlyList<string> Subscribe);

public sealed record LocalNatsOptions
{
    /// <summary>Users and their permissions; none means the server accepts anyone (tests of the plumbing only).</summary>
    public IReadOnlyList<NatsUser> Users { get; init; } = [];

    public string MaxFileStore { get; init; } = "20GB";
}

/// <summary>
/// A JetStream-enabled nats-server on free loopback ports, its store in the run directory.
/// Can be stopped and started again on the same port and store (fault tests).
/// </summary>
public sealed class LocalNats : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly RunDirectory _run;
    private readonly string _configFile;
    private ChildProcess? _server;

    private LocalNatsOptions _options = new();

    private LocalNats(RunDirectory run, string configFile, int port, int monitorPort)
    {
        _run = run;
        _configFile = configFile;
        Port = port;
        MonitorPort = monitorPort;
    }

    public int Port { get; }
    public int MonitorPort { get; }
    public string Url => $"nats://127.0.0.1:{Port}";
    public ChildProcess? Process => _server;

    public static string Binary() =>
        Environment.GetEnvironmentVariable("CAMERANET_NATS_SERVER") is { Length: > 0 } custom ? custom
        : new[] { "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server", "/usr/local/sbin/nats-server" }.FirstOrDefault(File.Exists)
          ?? throw new FileNotFoundException("nats-server not found (apt package nats-server); set CAMERANET_NATS_SERVER");

    public static async Task<LocalNats> StartAsync(RunDirectory run, LocalNatsOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalNatsOptions();
        var root = run.Sub("nats");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePorts.Next();
            var monitor = FreePorts.Next();
            var config = Path.Combine(root, "nats.conf");
            await File.WriteAllTextAsync(config, Config(port, monitor, Path.Combine(root, "jetstream"), options), cancellationToken);
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds passwords
            var nats = new LocalNats(run, config, port, monitor) { _options = options };
            try
            {
                await nats.StartServerAsync(cancellationToken);
                return nats;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Lost a port race: try other ports.
            }
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        _server = ChildProcess.Start(new ChildSpec { Name = "nats-server", FileName = Binary(), Arguments = ["-c", _configFile] }, _run);
        var healthy = await Readiness.WaitAsync(async ct =>
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{MonitorPort}/healthz?js-enabled-only=true"), ct);
            return response.IsSuccessStatusCode;
        }, _server, TimeSpan.FromSeconds(30), cancellationToken);
        if (healthy)
        {
            return;
        }

        var log = _server.Tail();
        await _server.DisposeAsync();
        _server = null;
        throw new InvalidOperationException($"nats-server did not become healthy on port {Port}:\n{log}");
    }

    /// <summary>
    /// Rewrites the configuration with other users (e.g. analysts' accounts from the inventory) and has the running
    /// server reload it (SIGHUP): new users can connect, changed permissions apply to connections at once.
    /// </summary>
    public async Task ReloadAsync(IReadOnlyList<NatsUser> users, CancellationToken cancellationToken = default)
    {
        _options = _options with { Users = users };
        var store = Path.Combine(Path.GetDirectoryName(_configFile)!, "jetstream");
        await File.WriteAllTextAsync(_configFile, Config(Port, MonitorPort, store, _options), cancellationToken);
        File.SetUnixFileMode(_configFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (_server is not null)
        {
            Posix.Signal(_server.Pid, Posix.SigHup);
            await Task.Delay(500, cancellationToken); // the reload is asynchronous; it takes a few milliseconds
        }
    }

    /// <summary>Stops the server (clients see the connection drop); <see cref="StartAgainAsync"/> brings it back on the same port and store.</summary>
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    public Task StartAgainAsync(CancellationToken cancellationToken = default) =>
        _server is null ? StartServerAsync(cancellationToken) : Task.CompletedTask;

    private static string Config(int port, int monitor, string store, LocalNatsOptions options)
    {
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"listen: 127.0.0.1:{port}")
            .AppendLine(CultureInfo.InvariantCulture, $"http: 127.0.0.1:{monitor}")
            .AppendLine(CultureInfo.InvariantCulture, $"server_name: cameranet-local-{port}")
            .AppendLine("max_payload: 8MB")
            .AppendLine("jetstream {")
            .AppendLine(CultureInfo.InvariantCulture, $"  store_dir: \"{store}\"")
            .AppendLine("  max_memory_store: 512MB")
            .AppendLine(CultureInfo.InvariantCulture, $"  max_file_store: {options.MaxFileStore}")
            .AppendLine("}");
        if (options.Users.Count > 0)
        {
            text.AppendLine("authorization {").AppendLine("  users = [");
            foreach (var user in options.Users)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"    {{ user: {Quote(user.Name)}, password: {Quote(user.Password)}, permissions: {{ publish: {{ allow: {List(user.Publish)} }}, subscribe: {{ allow: {List(user.Subscribe)} }} }} }}");
            }

            text.AppendLine("  ]").AppendLine("}");
        }

        return text.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string List(IReadOnlyList<string> subjects) => "[" + string.Join(", ", subjects.Select(Quote)) + "]";

    public async ValueTask DisposeAsync() => await StopAsync();
}
