using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CameraNet.Cli.Generate;
using CameraNet.DevStack;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Cameras;
using CameraNet.Inventory.Data;
using CameraNet.Inventory.Imports;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CameraNet.Bench;

/// <summary>
/// What the register harnesses start from: a private PostgreSQL with the inventory's schema and
/// Tianjin's divisions, an importer with a throw-away credential key, and a generated register file.
/// </summary>
public sealed class BenchRegister : IAsyncDisposable
{
    private BenchRegister(RunDirectory run, LocalPostgres postgres, string connectionString, NpgsqlDataSource db)
    {
        Run = run;
        ConnectionString = connectionString;
        Postgres = postgres;
        Db = db;
        Audit = new AuditLog(db, new HttpContextAccessor());
        var key = RandomNumberGenerator.GetBytes(32);
        var protector = new CredentialProtector([("bench", key)]);
        Importer = new CameraImporter(db, protector, new ContentHash(protector, [("bench", key)]), Audit, TimeProvider.System);
    }

    public RunDirectory Run { get; }

    public string ConnectionString { get; }

    public LocalPostgres Postgres { get; }

    public NpgsqlDataSource Db { get; }

    public AuditLog Audit { get; }

    public CameraImporter Importer { get; }

    public Caller Admin { get; } = new("bench", Roles.Admin, [], "bench", null);

    public static async Task<BenchRegister> StartAsync(string name, string description)
    {
        var run = await RunDirectory.CreateAsync(Path.Combine(RepoPaths.DataDirectory, "bench-runs"), name, description);
        var postgres = await LocalPostgres.StartAsync(run);
        var connectionString = await postgres.CreateDatabaseAsync("bench");
        DatabaseMigrator.Migrate(connectionString, NullLogger.Instance);
        CameraNet.Inventory.Data.Db.Configure();
        var register = new BenchRegister(run, postgres, connectionString, NpgsqlDataSource.Create(connectionString));
        var store = new DivisionStore(register.Db, register.Audit);
        foreach (var file in new[] { "districts.geojson", "townships.geojson" })
        {
            await using var stream = File.OpenRead(Path.Combine(RepoPaths.Root, "data", "tianjin", file));
            var (features, errors) = await DivisionStore.ReadFeaturesAsync(stream, CancellationToken.None);
            if (errors.Count > 0 || await store.ImportAsync(features, register.Admin, CancellationToken.None) is not DivisionImportOutcome.Imported)
            {
                throw new InvalidOperationException($"cannot load {file}");
            }
        }

        return register;
    }

    /// <summary>Writes a realistic Tianjin register of <paramref name="count"/> cameras (CSV) into the run directory.</summary>
    public string Generate(int count, bool credentials)
    {
        var file = Path.Combine(Run.Path, "register.csv");
        var stopwatch = Stopwatch.StartNew();
        using (var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16))
        {
            new RegisterGenerator(TianjinDivisions.Load(Path.Combine(RepoPaths.Root, "data", "tianjin"))).WriteCsv(writer, count, credentials);
        }

        Harness.Say($"generated {count:N0} cameras{(credentials ? " with credentials" : " without credentials")} ({new FileInfo(file).Length / 1024 / 1024} MiB) in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        return file;
    }

    public async Task<ImportReport> ImportAsync(string file)
    {
        await using var input = File.OpenRead(file);
        return await Importer.ImportAsync(input, ImportFormat.Csv, upsert: false, Path.GetFileName(file), Admin, _ => true, null, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await Run.DisposeAsync();
    }
}
