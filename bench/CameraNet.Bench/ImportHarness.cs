using System.Diagnostics;
using System.Globalization;
using CameraNet.Inventory.Imports;
using CsvHelper;
using Npgsql;
using NpgsqlTypes;

namespace CameraNet.Bench;

/// <summary>
/// Bulk import of a generated city register against two raw COPYs of the same rows into a bare table
/// (no checks, no indexes), alternating in the same run on the same database: a binary COPY written
/// by the client (same CSV reader, same types, Npgsql's importer) and the file itself streamed as
/// CSV for the server to parse (what <c>psql \copy</c> does: no work on the client at all). Each
/// round's ratio is taken against the faster of the two; prints each round and the median ratio.
/// The issue's target is ≤ 1.5×.
/// </summary>
public static class ImportHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = Harness.Option(args, "--count", 1_100_000);
        var rounds = Harness.Option(args, "--rounds", 3);
        var credentials = !args.Contains("--no-credentials");
        await using var register = await BenchRegister.StartAsync("import", "import benchmark");
        var (db, postgres, importer, admin) = (register.Db, register.Postgres, register.Importer, register.Admin);
        var file = register.Generate(count, credentials);

        var ratios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var serverRaw = ServerCpu(postgres.Process.Pid);
            var clientRaw = Process.GetCurrentProcess().TotalProcessorTime;
            // Each timed load starts from a checkpoint: one writes 0.4-0.6 GB of WAL, so without this a
            // checkpoint (max_wal_size) lands in whichever load happens to cross it, and rounds varied by ±30%.
            await CheckpointAsync(db);
            var rawBinary = await RawCopyAsync(db, file);
            Harness.Say($"  raw binary COPY: client CPU {(Process.GetCurrentProcess().TotalProcessorTime - clientRaw).TotalSeconds:0.00} s, server CPU {ServerCpu(postgres.Process.Pid) - serverRaw:0.00} s");
            serverRaw = ServerCpu(postgres.Process.Pid);
            clientRaw = Process.GetCurrentProcess().TotalProcessorTime;
            await CheckpointAsync(db);
            var rawCsv = await RawCsvCopyAsync(db, file);
            Harness.Say($"  raw CSV COPY: client CPU {(Process.GetCurrentProcess().TotalProcessorTime - clientRaw).TotalSeconds:0.00} s, server CPU {ServerCpu(postgres.Process.Pid) - serverRaw:0.00} s");
            var raw = Math.Min(rawBinary, rawCsv);
            await db.CreateCommand("TRUNCATE cameras").ExecuteNonQueryAsync();
            await CheckpointAsync(db);
            await using var input = File.OpenRead(file);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var serverBefore = ServerCpu(postgres.Process.Pid);
            var gcBefore = GC.CollectionCount(0);
            var pauseBefore = GC.GetTotalPauseDuration();
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var report = await importer.ImportAsync(input, ImportFormat.Csv, upsert: false, "register.csv", admin, _ => true, null, CancellationToken.None);
            if (!report.Applied || report.Inserted != count)
            {
                Harness.Say($"import failed: {report.Rejected} rejected, first: {report.Errors.FirstOrDefault()}");
                return 1;
            }

            Harness.Say($"  server CPU during import {ServerCpu(postgres.Process.Pid) - serverBefore:0.00} s");
            Harness.Say($"  client CPU during import {(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds:0.00} s, gen0 GCs {GC.CollectionCount(0) - gcBefore}, GC pauses {(GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds:0.00} s, allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1024 / 1024:N0} MiB");
            ratios.Add(report.Seconds / raw);
            Harness.Say($"round {round}: raw binary COPY {rawBinary:0.00} s, raw CSV COPY {rawCsv:0.00} s, import {report.Seconds:0.00} s, ratio to the faster {report.Seconds / raw:0.00}");
        }

        await using (var again = File.OpenRead(file))
        {
            var reimport = await importer.ImportAsync(again, ImportFormat.Csv, upsert: false, "register.csv", admin, _ => true, null, CancellationToken.None);
            Harness.Say($"re-import of the same file: {reimport.Unchanged:N0} unchanged, {reimport.Inserted + reimport.Updated} written, {reimport.Seconds:0.00} s");
        }

        Harness.Say(string.Create(CultureInfo.InvariantCulture, $"RESULT import/rawCOPY (the faster of binary and CSV) median ratio {Harness.Median(ratios):0.00} over {rounds} rounds, {count:N0} cameras {(credentials ? "with" : "without")} credentials (target <= 1.5)"));
        return 0;
    }

    /// <summary>CPU seconds used so far by the postmaster and its children (the backends), from /proc.</summary>
    private static double ServerCpu(int postmaster)
    {
        var ticks = 0L;
        foreach (var dir in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var pid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                if (pid == postmaster || int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
            }
        }

        return ticks / 100.0;
    }

    private static async Task CheckpointAsync(NpgsqlDataSource db) => await db.CreateCommand("CHECKPOINT").ExecuteNonQueryAsync();

    private const string RawTable = """
        DROP TABLE IF EXISTS raw_cameras;
        CREATE TABLE raw_cameras (id text, name text, kind text, district_code text, township_code text, longitude float8, latitude float8,
          azimuth float8, fov float8, range_m float8, main_stream_url text, sub_stream_url text, decode_mode text, analysis_fps real,
          install_date date, owner_unit text, username text, password text)
        """;

    /// <summary>A baseline: the file's bytes as they are, parsed by the server as CSV (psql's <c>\copy … CSV HEADER</c>).</summary>
    private static async Task<double> RawCsvCopyAsync(NpgsqlDataSource db, string file)
    {
        await db.CreateCommand(RawTable).ExecuteNonQueryAsync();
        var stopwatch = Stopwatch.StartNew();
        await using (var connection = await db.OpenConnectionAsync())
        {
            using var copy = connection.BeginTextImport("COPY raw_cameras FROM STDIN (FORMAT csv, HEADER true)");
            using var reader = new StreamReader(file, new System.Text.UTF8Encoding(false), false, 1 << 16);
            var chunk = new char[1 << 16];
            int read;
            while ((read = reader.Read(chunk, 0, chunk.Length)) > 0)
            {
                copy.Write(chunk, 0, read);
            }
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        await db.CreateCommand("DROP TABLE raw_cameras").ExecuteNonQueryAsync();
        return seconds;
    }

    /// <summary>A baseline: the same rows, read by the same CSV reader, copied with no checks into a table with no keys.</summary>
    private static async Task<double> RawCopyAsync(NpgsqlDataSource db, string file)
    {
        await db.CreateCommand(RawTable).ExecuteNonQueryAsync();
        var stopwatch = Stopwatch.StartNew();
        await using (var connection = await db.OpenConnectionAsync())
        {
            // Npgsql's importer with synchronous writes, the way the import wrote until 2026-12-01 (it now encodes
            // rows itself, see CameraCopy); the CSV baseline beside it needs no client work at all.
            using var copy = connection.BeginBinaryImport("COPY raw_cameras FROM STDIN (FORMAT BINARY)");
            using var csv = CsvReader.Create(File.OpenRead(file), new CsvReaderOptions { HasHeader = true, Separator = ',', BufferSize = 1 << 16 }, leaveOpen: false);
            csv.ReadHeader();
            while (csv.Read())
            {
                copy.StartRow();
                for (var i = 0; i < 18; i++)
                {
                    var text = csv.GetStringOrNull(i);
                    if (string.IsNullOrEmpty(text))
                    {
                        copy.WriteNull();
                        continue;
                    }

                    switch (i)
                    {
                        case 5 or 6 or 7 or 8 or 9:
                            copy.Write(double.Parse(text, CultureInfo.InvariantCulture), NpgsqlDbType.Double);
                            break;
                        case 13:
                            copy.Write(float.Parse(text, CultureInfo.InvariantCulture), NpgsqlDbType.Real);
                            break;
                        case 14:
                            copy.Write(DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture), NpgsqlDbType.Date);
                            break;
                        default:
                            copy.Write(text, NpgsqlDbType.Text);
                            break;
                    }
                }
            }

            copy.Complete();
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        await db.CreateCommand("DROP TABLE raw_cameras").ExecuteNonQueryAsync();
        return seconds;
    }
}
