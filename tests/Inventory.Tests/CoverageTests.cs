using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CameraNet.Contracts;
using CameraNet.Inventory.Coverage;
using CameraNet.TestKit;
using Npgsql;

namespace CameraNet.Inventory.Tests;

public sealed class ProjectionTests
{
    [Theory]
    [InlineData(117.19668, 39.11955, 517008.9798225523, 4331794.441247919)]
    [InlineData(116.7, 40.2, 474456.72004126315, 4451779.504619638)]
    public void Gauss_kruger_matches_postgis_epsg_4548_to_the_millimetre(double lon, double lat, double x, double y)
    {
        var (px, py) = GaussKruger.Epsg4548.Forward(lon, lat);
        px.ShouldBe(x, 0.001);
        py.ShouldBe(y, 0.001);
        var (blon, blat) = GaussKruger.Epsg4548.Inverse(px, py);
        blon.ShouldBe(lon, 1e-9);
        blat.ShouldBe(lat, 1e-9);
    }

    [Theory]
    [InlineData(0, 90, 0, 50, true)]      // straight ahead, north
    [InlineData(0, 90, 40, 40, true)]     // on the right edge (45°)
    [InlineData(0, 90, 50, 10, false)]    // east: outside a north-facing 90° wedge
    [InlineData(0, 90, 0, 101, false)]    // beyond the range
    [InlineData(90, 60, 80, 10, true)]    // east-facing
    [InlineData(180, 270, 0, 50, false)]  // south-facing 270°: north is the blind 90°
    [InlineData(180, 270, 50, 0, true)]   // …east is seen
    [InlineData(0, 360, -70, -70, true)]  // a disc sees everything in range
    public void A_wedge_contains_what_its_camera_sees(double azimuth, double fov, double dx, double dy, bool inside) =>
        new Wedge(0, 0, azimuth, fov, 100).Contains(dx, dy).ShouldBe(inside);
}

/// <summary>Coverage with hand-checkable geometry: a 1 km × 1 km district (and one township) around a point of 和平区.</summary>
public sealed class CoverageTests(PostgresFixture postgres)
{
    private const double X0 = 517000, Y0 = 4331000; // south-west corner in EPSG:4548
    private const double Tolerance = 0.05;            // percentage points, from 10 m cells on a 7,854 m² wedge

    private static string Wkt()
    {
        var corners = new[] { (X0, Y0), (X0 + 1000, Y0), (X0 + 1000, Y0 + 1000), (X0, Y0 + 1000), (X0, Y0) }
            .Select(c => GaussKruger.Epsg4548.Inverse(c.Item1, c.Item2))
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Lon:0.##########} {p.Lat:0.##########}"));
        return $"POLYGON(({string.Join(',', corners)}))";
    }

    private static async Task<InventoryApp> SquareAsync(PostgresFixture postgres)
    {
        var app = await InventoryApp.StartAsync(postgres, loadTianjin: false);
        using var admin = app.Client(InventoryApp.AdminKey);
        var csv = $"code,name,wkt\n120198,测试方区,\"{Wkt()}\"\n120198001,测试方街道,\"{Wkt()}\"\n";
        using var response = await admin.PostAsync(new Uri("/api/divisions/import", UriKind.Relative), new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return app;
    }

    private static async Task RegisterAsync(InventoryApp app, int serial, double x, double y, double azimuth, double fov, double range)
    {
        var (lon, lat) = GaussKruger.Epsg4548.Inverse(x, y);
        using var admin = app.Client(InventoryApp.AdminKey);
        var (response, body) = await admin.PostAsync("/api/cameras", new
        {
            id = $"1201980000131000{serial:0000}",
            name = $"测试 {serial}",
            kind = fov >= 360 ? "ptz" : "monitoringClass2",
            districtCode = "120198",
            longitude = lon,
            latitude = lat,
            azimuth,
            fieldOfView = fov,
            range,
            mainStreamUrl = "rtsp://10.0.0.1/101",
            decodeMode = "keyframe",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body?.ToJsonString());
    }

    private static async Task<JsonNode> RowAsync(InventoryApp app)
    {
        using var viewer = app.Client(InventoryApp.ViewerKey);
        var (response, report) = await viewer.GetJsonAsync("/api/coverage/districts");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, report?.ToJsonString());
        return report!["divisions"]!.AsArray().Single(d => d!["code"]!.GetValue<string>() == "120198")!;
    }

    [Fact]
    public async Task One_90_degree_camera_with_100_m_range_covers_pi_100_squared_over_4_of_a_square_kilometre()
    {
        await using var app = await SquareAsync(postgres);
        await RegisterAsync(app, 1, X0 + 500, Y0 + 500, azimuth: 30, fov: 90, range: 100);

        var row = await RowAsync(app);

        row["areaKm2"]!.GetValue<double>().ShouldBe(1.0, 0.001);
        row["coveragePct"]!.GetValue<double>().ShouldBe(Math.PI * 100 * 100 / 4 / 1e6 * 100, Tolerance);
        row["cameras"]!.GetValue<int>().ShouldBe(1);
        row["camerasPerKm2"]!.GetValue<double>().ShouldBe(1.0, 0.01);
        row["effectiveCoveragePct"]!.GetValue<double>().ShouldBe(0, "the camera has not been seen online");
    }

    [Fact]
    public async Task Overlapping_wedges_are_not_counted_twice()
    {
        await using var app = await SquareAsync(postgres);
        await RegisterAsync(app, 1, X0 + 500, Y0 + 500, 0, 90, 100);
        await RegisterAsync(app, 2, X0 + 500, Y0 + 500, 0, 90, 100);   // the same view
        await RegisterAsync(app, 3, X0 + 500, Y0 + 500, 0, 180, 100);  // contains both

        (await RowAsync(app))["coveragePct"]!.GetValue<double>().ShouldBe(Math.PI * 100 * 100 / 2 / 1e6 * 100, Tolerance);
    }

    [Fact]
    public async Task A_view_reaching_over_the_border_counts_only_inside()
    {
        await using var app = await SquareAsync(postgres);
        // A dome on the eastern border: half of its disc lies outside the district.
        await RegisterAsync(app, 1, X0 + 999.5, Y0 + 500, 0, 360, 100);

        (await RowAsync(app))["coveragePct"]!.GetValue<double>().ShouldBe(Math.PI * 100 * 100 / 2 / 1e6 * 100, Tolerance * 2);
    }

    [Fact]
    public async Task Retired_cameras_cover_nothing_and_only_online_cameras_count_for_effective_coverage()
    {
        await using var app = await SquareAsync(postgres);
        await RegisterAsync(app, 1, X0 + 300, Y0 + 300, 0, 360, 100);  // dome, online
        await RegisterAsync(app, 2, X0 + 700, Y0 + 700, 0, 360, 100);  // dome, offline
        await RegisterAsync(app, 3, X0 + 300, Y0 + 700, 0, 360, 100);  // dome, retired
        using var admin = app.Client(InventoryApp.AdminKey);
        (await admin.SendJsonAsync(HttpMethod.Post, "/api/cameras/12019800001310000003/retire", new { reason = "removed" })).Response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await SetHealthAsync(app, "12019800001310000001", "online");
        await SetHealthAsync(app, "12019800001310000002", "unreachable");

        var row = await RowAsync(app);
        var disc = Math.PI * 100 * 100 / 1e6 * 100;
        row["cameras"]!.GetValue<int>().ShouldBe(2);
        row["retired"]!.GetValue<int>().ShouldBe(1);
        row["online"]!.GetValue<int>().ShouldBe(1);
        row["onlineRatio"]!.GetValue<double>().ShouldBe(0.5);
        row["coveragePct"]!.GetValue<double>().ShouldBe(2 * disc, Tolerance * 2);
        row["effectiveCoveragePct"]!.GetValue<double>().ShouldBe(disc, Tolerance);

        // The offline camera comes back; the online one fails: effective coverage follows.
        await SetHealthAsync(app, "12019800001310000002", "online");
        await SetHealthAsync(app, "12019800001310000001", "stalled");
        (await RowAsync(app))["effectiveCoveragePct"]!.GetValue<double>().ShouldBe(disc, Tolerance);
    }

    [Fact]
    public async Task Moving_a_camera_updates_coverage_where_it_was_and_where_it_is()
    {
        await using var app = await SquareAsync(postgres);
        await RegisterAsync(app, 1, X0 + 500, Y0 + 500, 0, 360, 100);
        await RegisterAsync(app, 2, X0 + 550, Y0 + 500, 0, 360, 100); // overlaps the first
        var both = (await RowAsync(app))["coveragePct"]!.GetValue<double>();

        // Move camera 2 away from camera 1: the overlap disappears, coverage grows to two full discs.
        var (lon, lat) = GaussKruger.Epsg4548.Inverse(X0 + 800, Y0 + 200);
        using var admin = app.Client(InventoryApp.AdminKey);
        var (response, _) = await admin.SendJsonAsync(HttpMethod.Put, "/api/cameras/12019800001310000002", new
        {
            name = "测试 2",
            kind = "ptz",
            districtCode = "120198",
            longitude = lon,
            latitude = lat,
            azimuth = 0,
            fieldOfView = 360,
            range = 100,
            mainStreamUrl = "rtsp://10.0.0.1/101",
            decodeMode = "keyframe",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var after = (await RowAsync(app))["coveragePct"]!.GetValue<double>();
        after.ShouldBeGreaterThan(both);
        after.ShouldBe(2 * Math.PI * 100 * 100 / 1e6 * 100, Tolerance * 2);
    }

    [Fact]
    public async Task A_change_committed_after_a_later_one_is_not_missed()
    {
        await using var app = await SquareAsync(postgres);
        await RegisterAsync(app, 1, X0 + 300, Y0 + 300, 0, 360, 100);
        await RowAsync(app);

        // A slow writer widens camera 1 in a transaction that starts first and commits last (audited in
        // the same transaction, as every camera change is).
        var connectionString = app.Services.GetRequiredServiceFromProvider<Microsoft.Extensions.Options.IOptions<InventoryOptions>>().Value.ConnectionString;
        await using var slow = new NpgsqlConnection(connectionString);
        await slow.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await slow.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var widen = new NpgsqlCommand(
            """
            UPDATE cameras SET range_m = 200, version = version + 1, updated_at = now() WHERE id = '12019800001310000001';
            INSERT INTO audit_log (actor, role, action, target) VALUES ('slow', 'admin', 'camera.update', '12019800001310000001');
            """, slow, transaction))
        {
            (await widen.ExecuteNonQueryAsync(TestContext.Current.CancellationToken)).ShouldBe(2);
        }

        await Task.Delay(50, TestContext.Current.CancellationToken);
        await RegisterAsync(app, 2, X0 + 700, Y0 + 700, 0, 360, 100); // commits first, with a later timestamp
        var disc = Math.PI * 100 * 100 / 1e6 * 100;
        (await RowAsync(app))["coveragePct"]!.GetValue<double>().ShouldBe(2 * disc, Tolerance * 2, "the widening is not committed yet");

        await transaction.CommitAsync(TestContext.Current.CancellationToken);
        (await RowAsync(app))["coveragePct"]!.GetValue<double>().ShouldBe(5 * disc, Tolerance * 4, "a 200 m disc plus a 100 m disc");
    }

    [Fact]
    public async Task Blind_spots_are_geojson_areas_ranked_by_size()
    {
        await using var app = await SquareAsync(postgres);
        // A line of domes down the middle splits the square into two uncovered halves of different sizes.
        for (var i = 0; i < 11; i++)
        {
            await RegisterAsync(app, i + 1, X0 + 350, Y0 + 5 + i * 99, 0, 360, 120);
        }

        using var viewer = app.Client(InventoryApp.ViewerKey);
        var (response, spots) = await viewer.GetJsonAsync("/api/coverage/120198/blind-spots");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        spots!["type"]!.GetValue<string>().ShouldBe("FeatureCollection");
        var features = spots["features"]!.AsArray();
        features.Count.ShouldBe(2, spots.ToJsonString());
        var areas = features.Select(f => f!["properties"]!["uncoveredM2"]!.GetValue<double>()).ToList();
        areas.ShouldBeInOrder(SortDirection.Descending);
        areas[0].ShouldBeGreaterThan(areas[1]);
        features[0]!["properties"]!["rank"]!.GetValue<int>().ShouldBe(1);
        features[0]!["geometry"]!["type"]!.GetValue<string>().ShouldBeOneOf("Polygon", "MultiPolygon");
        features[0]!["properties"]!["centreLon"]!.GetValue<double>().ShouldBeGreaterThan(features[1]!["properties"]!["centreLon"]!.GetValue<double>(), "the larger half lies east of the line");
        (await viewer.GetJsonAsync("/api/coverage/999999/blind-spots")).Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reports_come_as_csv_and_history_keeps_a_row_per_division_and_day()
    {
        await using var app = await SquareAsync(postgres);
        await RegisterAsync(app, 1, X0 + 500, Y0 + 500, 30, 90, 100);
        using var viewer = app.Client(InventoryApp.ViewerKey);
        using var csv = await viewer.GetAsync(new Uri("/api/coverage/districts/120198/townships?format=csv", UriKind.Relative), TestContext.Current.CancellationToken);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var bytes = await csv.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF }, "spreadsheets need the byte-order mark to read UTF-8");
        var lines = System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("code,name,level,parentCode,areaKm2,cameras,");
        lines[1].ShouldStartWith("120198001,测试方街道,township,120198,");

        await app.Services.GetRequiredServiceFromProvider<CoverageService>().SnapshotAsync(TestContext.Current.CancellationToken);
        var (_, history) = await viewer.GetJsonAsync("/api/coverage/120198/history");
        var today = history!.AsArray().Single()!;
        today["cameras"]!.GetValue<int>().ShouldBe(1);
        today["coveragePct"]!.GetValue<double>().ShouldBe(0.785, Tolerance);
        today["day"]!.GetValue<string>().ShouldBe(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "days are Beijing days");
        (await viewer.GetJsonAsync("/api/coverage/999999/history")).Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static async Task SetHealthAsync(InventoryApp app, string camera, string health)
    {
        // What the status listener stores when a worker publishes CameraStatusChanged (tested with NATS separately).
        var connectionString = app.Services.GetRequiredServiceFromProvider<Microsoft.Extensions.Options.IOptions<InventoryOptions>>().Value.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO camera_status (camera_id, health, reason, worker_id, changed_at) VALUES (@c, @h, 'test', 'test', clock_timestamp())
            ON CONFLICT (camera_id) DO UPDATE SET health = excluded.health, changed_at = excluded.changed_at, received_at = clock_timestamp()
            """, connection);
        command.Parameters.AddWithValue("c", camera);
        command.Parameters.AddWithValue("h", health);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}

/// <summary>The inventory hears camera health from ingest workers over NATS and counts it as online.</summary>
public sealed class CameraStatusListenerTests(PostgresFixture postgres, NatsFixture nats)
{
    [Fact]
    public async Task A_status_published_by_a_worker_is_stored_and_counted()
    {
        await using var app = new InventoryApp(await postgres.CreateDatabaseAsync("status"), natsUrl: nats.Url);
        await app.LoadTianjinAsync();
        using var admin = app.Client(InventoryApp.AdminKey);
        (await admin.PostAsync("/api/cameras", Samples.Camera("12010100001310000971"))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var camera = (await admin.GetJsonAsync("/api/cameras/12010100001310000971")).Body!;

        await using var connection = nats.Connect("status-test");
        var changed = new CameraStatusChanged
        {
            CameraId = "12010100001310000971",
            DistrictCode = "120101",
            TownshipCode = camera["townshipCode"]!.GetValue<string>(),
            WorkerId = "worker-a",
            Previous = CameraHealth.Connecting,
            Current = CameraHealth.Online,
            Reason = "receiving frames",
            ChangedAt = DateTimeOffset.UtcNow,
        };

        // Publish until the listener (subscribing in the background) has stored it and the report counts it.
        await Eventually.UntilAsync(async () =>
        {
            await connection.PublishAsync(Subjects.CameraStatus(DivisionCode.Parse("120101"), DivisionCode.Parse(changed.TownshipCode), GbDeviceId.Parse(changed.CameraId)), changed);
            var (_, report) = await admin.GetJsonAsync("/api/coverage/districts");
            return report!["divisions"]!.AsArray().Single(d => d!["code"]!.GetValue<string>() == "120101")!["online"]!.GetValue<int>() == 1;
        }, TimeSpan.FromSeconds(30), "the camera to count as online");
    }
}
