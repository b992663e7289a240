using Npgsql;

namespace CameraNet.DevStack;

public sealed record LocalPostgresOptions
{
    /// <summary>Keep fsync on (demo) or trade durability for speed (tests: the cluster is thrown away).</summary>
    public bool Durable { get; init; }

    public int MaxConnections { get; init; } = 300;
}

/// <summary>
/// A throwaway PostgreSQL + PostGIS cluster in a run directory, on a free loopback port, running as
/// an unprivileged user when we are root (postgres refuses to run as root).
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private const string TemplateDatabase = "template_cameranet";
    private readonly ChildProcess _server;

    private LocalPostgres(ChildProcess server, int port)
    {
        _server = server;
        Port = port;
    }

    public int Port { get; }
    public ChildProcess Process => _server;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Superuser,
            Database = database,
            Pooling = true,
            MaxPoolSize = 200,
            Timeout = 15,
            CommandTimeout = 120,
        }.ConnectionString;

    public static string BinDirectory()
    {
        if (Environment.GetEnvironmentVariable("CAMERANET_PG_BIN") is { Length: > 0 } custom)
        {
            return custom;
        }

        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal)
            : Enumerable.Empty<string>();
        foreach (var version in candidates)
        {
            var bin = Path.Combine(version, "bin");
            if (File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb")))
            {
                return bin;
            }
        }

        throw new FileNotFoundException("PostgreSQL server binaries not found under /usr/lib/postgresql (apt package postgresql-15); set CAMERANET_PG_BIN to their directory");
    }

    public static async Task<LocalPostgres> StartAsync(RunDirectory run, LocalPostgresOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalPostgresOptions();
        var bin = BinDirectory();
        var root = run.Sub("postgres");
        var data = Path.Combine(root, "data");
        var sockets = Path.Combine(root, "sock");
        Directory.CreateDirectory(sockets);
        var user = Posix.IsRoot ? "postgres" : null;
        if (user is not null)
        {
            await run.RunToCompletionAsync(new ChildSpec { Name = "chown-postgres", FileName = "/bin/chown", Arguments = ["-R", $"{user}:", root] }, TimeSpan.FromSeconds(30));
        }

        await run.RunToCompletionAsync(new ChildSpec
        {
            Name = "initdb",
            FileName = Path.Combine(bin, "initdb"),
            Arguments = ["-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            WorkingDirectory = root,
            RunAsUser = user,
        }, TimeSpan.FromMinutes(2));

        for (var attempt = 1; ; attempt++)
        {
            var port = FreePorts.Next();
            List<string> arguments =
            [
                "-D", data, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", sockets,
                "-c", "listen_addresses=127.0.0.1",
                "-c", $"max_connections={options.MaxConnections}",
                "-c", "shared_buffers=256MB",
                "-c", "max_wal_size=4GB",
                "-c", "log_min_messages=warning",
                "-c", "log_line_prefix=%m [%p] %d ",
            ];
            if (!options.Durable)
            {
                arguments.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
            }

            var server = ChildProcess.Start(new ChildSpec
            {
                Name = "postgres",
                FileName = Path.Combine(bin, "postgres"),
                Arguments = arguments,
                WorkingDirectory = root,
                RunAsUser = user,
                StopSignal = Posix.SigInt,
            }, run);

            var postgres = new LocalPostgres(server, port);
            if (await postgres.WaitReadyAsync(TimeSpan.FromSeconds(60), cancellationToken))
            {
                await postgres.CreateTemplateAsync(cancellationToken);
                return postgres;
            }

            var log = server.Tail();
            await server.DisposeAsync();
            if (attempt >= 3 || !log.Contains("could not bind", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"postgres did not start on port {port}:\n{log}");
            }
        }
    }

    private Task<bool> WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Readiness.WaitAsync(async ct =>
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
            await connection.OpenAsync(ct);
            return true;
        }, _server, timeout, cancellationToken);

    private async Task CreateTemplateAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync("postgres", $"CREATE DATABASE {TemplateDatabase}", cancellationToken);
        await ExecuteAsync(TemplateDatabase, "CREATE EXTENSION IF NOT EXISTS postgis", cancellationToken);
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Creates an empty database with PostGIS (copied from a template, which takes milliseconds).</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"database name '{name}' must be lower-case ASCII letters, digits and '_'", nameof(name));
        }

        await ExecuteAsync("postgres", $"CREATE DATABASE {name} TEMPLATE {TemplateDatabase}", cancellationToken);
        return ConnectionString(name);
    }

    private async Task ExecuteAsync(string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database) + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
