using System.Diagnostics;
using System.Globalization;
using CameraNet.Inventory.Coverage;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;

namespace CameraNet.Bench;

/// <summary>
/// Coverage of a 1.1 M-camera register: model build (cold), full report (all districts and
/// townships, warm), report after one camera changes, and the raster's error against an exact
/// PostGIS union of the wedges of a sample district (the same-run reference).
/// </summary>
public static class CoverageHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = Harness.Option(args, "--count", 1_100_000);
        var sample = args.SkipWhile(a => a != "--sample").Skip(1).FirstOrDefault() ?? "120117";
        await using var register = await BenchRegister.StartAsync("coverage", "coverage benchmark");
        var db = register.Db;
        var imported = await register.ImportAsync(register.Generate(count, credentials: false));
        Harness.Say($"register: {imported.Inserted:N0} cameras imported in {imported.Seconds:0.0} s");

        // A third of the cameras report online (what workers would publish).
        await db.CreateCommand("""
            INSERT INTO camera_status (camera_id, health, reason, worker_id, changed_at)
            SELECT id, 'online', 'bench', 'bench', now() FROM cameras WHERE right(id, 1) IN ('0', '3', '6')
            """).ExecuteNonQueryAsync();

        using var engine = new CoverageEngine(db, NullLogger<CoverageEngine>.Instance, TimeProvider.System);
        var stopwatch = Stopwatch.StartNew();
        await engine.SyncAsync(CancellationToken.None);
        Harness.Say($"cold build of the coverage model: {stopwatch.Elapsed.TotalSeconds:0.00} s, working set {Environment.WorkingSet / 1024 / 1024:N0} MiB");

        var syncs = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            stopwatch.Restart();
            await engine.SyncAsync(CancellationToken.None);
            syncs.Add(stopwatch.Elapsed.TotalSeconds);
        }

        Harness.Say($"sync with nothing changed (the register's change queries): median {Harness.Median(syncs) * 1000:0.0} ms over 5");
        var warm = new List<double>();
        CoverageReport full = null!;
        for (var i = 0; i < 5; i++)
        {
            stopwatch.Restart();
            full = await engine.ReportAsync(null, null, CancellationToken.None);
            warm.Add(stopwatch.Elapsed.TotalSeconds);
        }

        Harness.Say($"full report, warm ({full.Divisions.Count} divisions): median {Harness.Median(warm) * 1000:0.0} ms over 5 (target <= 5 s)");

        var afterChange = new List<double>();
        var ids = (await db.OpenConnection().QueryAsync<string>("SELECT id FROM cameras WHERE district_code = @sample ORDER BY id LIMIT 5", new { sample })).ToList();
        foreach (var id in ids)
        {
            await using var connection = await db.OpenConnectionAsync();
            stopwatch.Restart();
            await connection.ExecuteAsync("""
                BEGIN;
                UPDATE cameras SET azimuth_deg = (azimuth_deg + 90)::int % 360, range_m = least(range_m * 2, 3000), version = version + 1, updated_at = now() WHERE id = @id;
                INSERT INTO audit_log (actor, role, action, target) VALUES ('bench', 'admin', 'camera.update', @id);
                COMMIT;
                """, new { id });
            var report = await engine.ReportAsync(null, null, CancellationToken.None);
            afterChange.Add(stopwatch.Elapsed.TotalSeconds);
            _ = report;
        }

        Harness.Say($"change one camera, then full report: median {Harness.Median(afterChange) * 1000:0.0} ms over {afterChange.Count} (target <= 1 s)");

        var raster = full.Divisions.Single(d => d.Code == sample);
        stopwatch.Restart();
        var exact = await ExactCoveragePctAsync(db, sample);
        var exactSeconds = stopwatch.Elapsed.TotalSeconds;
        var error = Math.Abs(exact - raster.CoveragePct);
        Harness.Say(string.Create(CultureInfo.InvariantCulture,
            $"sample district {sample} {raster.Name}: exact union {exact:0.000}% ({exactSeconds:0.0} s in PostGIS), raster {raster.CoveragePct:0.000}%, error {error:0.000} percentage points (target <= 1)"));
        Harness.Say(string.Create(CultureInfo.InvariantCulture,
            $"ratios to the exact union of one district (same run): warm full report {Harness.Median(warm) / exactSeconds:0.00000}, after one change {Harness.Median(afterChange) / exactSeconds:0.00000}"));
        Harness.Say(string.Create(CultureInfo.InvariantCulture,
            $"RESULT coverage: warm report {Harness.Median(warm) * 1000:0.0} ms, after one change {Harness.Median(afterChange) * 1000:0.0} ms, error {error:0.000} pp on {sample}"));
        return 0;
    }

    /// <summary>
    /// Exact covered share of a district: the union of the wedges (1° arcs) of every camera that can reach
    /// it (those of neighbouring districts too: a 0.05° margin is more than the 3 km maximum range) ∩ its
    /// polygon, in EPSG:4548.
    /// </summary>
    private static async Task<double> ExactCoveragePctAsync(NpgsqlDataSource db, string district)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TEMP TABLE wedges (geom geometry(Polygon, 4548))");
        var cameras = await connection.QueryAsync<(double Lon, double Lat, double Azimuth, double Fov, double Range)>(
            """
            SELECT ST_X(c.location), ST_Y(c.location), c.azimuth_deg, c.fov_deg, c.range_m
              FROM cameras c, divisions d
             WHERE d.code = @district AND c.status = 'active' AND c.location && ST_Expand(d.geom, 0.05)
            """, new { district });
        var factory = new GeometryFactory(new PrecisionModel(), 4548);
        var writer = new WKBWriter(ByteOrder.LittleEndian, handleSRID: true);
        await using (var copy = await connection.BeginBinaryImportAsync("COPY wedges (geom) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var c in cameras)
            {
                var (x, y) = GaussKruger.Epsg4548.Forward(c.Lon, c.Lat);
                var points = new List<Coordinate>();
                var disc = c.Fov >= 360;
                if (!disc)
                {
                    points.Add(new Coordinate(x, y));
                }

                var from = disc ? 0 : c.Azimuth - c.Fov / 2;
                var steps = (int)Math.Ceiling(disc ? 360 : c.Fov);
                for (var i = 0; i <= steps; i++)
                {
                    var a = (from + (disc ? 360.0 : c.Fov) * i / steps) * Math.PI / 180;
                    points.Add(new Coordinate(x + c.Range * Math.Sin(a), y + c.Range * Math.Cos(a)));
                }

                points.Add(points[0].Copy());
                var polygon = factory.CreatePolygon(points.ToArray());
                await copy.StartRowAsync();
                await copy.WriteAsync(writer.Write(polygon), NpgsqlTypes.NpgsqlDbType.Bytea);
            }

            await copy.CompleteAsync();
        }

        await using var command = new NpgsqlCommand("""
            SELECT 100 * ST_Area(ST_Intersection(ST_Union(w.geom), ST_Transform(d.geom, 4548))) / ST_Area(ST_Transform(d.geom, 4548))
              FROM wedges w, divisions d WHERE d.code = @district GROUP BY d.geom
            """, connection) { CommandTimeout = 3600 };
        command.Parameters.AddWithValue("district", district);
        return (double)(await command.ExecuteScalarAsync())!;
    }
}
