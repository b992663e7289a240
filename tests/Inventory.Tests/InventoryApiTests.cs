using System.Net;
using CameraNet.TestKit;

namespace CameraNet.Inventory.Tests;

public sealed class HealthTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Live_and_ready_answer_once_the_schema_is_migrated()
    {
        await using var app = await InventoryApp.StartAsync(postgres, loadTianjin: false);
        using var client = app.Client(null);
        (await client.GetJsonAsync("/health/live")).Response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var (ready, body) = await client.GetJsonAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, body?.ToJsonString());
        (await client.GetJsonAsync("/metrics")).Response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetJsonAsync("/openapi/v1.json")).Body!["paths"]!["/api/cameras"].ShouldNotBeNull();
    }
}

public sealed class DivisionImportTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_tianjin_sample_loads_16_districts_and_299_townships()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        using var client = app.Client(InventoryApp.ViewerKey);
        var (_, all) = await client.GetJsonAsync("/api/divisions");
        var list = all!.AsArray();
        list.Count(d => d!["level"]!.GetValue<string>() == "district").ShouldBe(16);
        list.Count(d => d!["level"]!.GetValue<string>() == "township").ShouldBe(299);
        var heping = (await client.GetJsonAsync("/api/divisions/120101")).Body!;
        heping["name"]!.GetValue<string>().ShouldBe("和平区");
        heping["areaKm2"]!.GetValue<double>().ShouldBe(9.948, 0.01);
        var (_, townships) = await client.GetJsonAsync("/api/divisions?level=township&parent=120101");
        townships!.AsArray().Count.ShouldBe(6);
        townships.AsArray().ShouldAllBe(t => t!["synthetic"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_upload_with_one_bad_feature_changes_nothing_and_names_the_feature()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        using var admin = app.Client(InventoryApp.AdminKey);
        var upload = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"code":"120101","name":"和平区 (renamed)"},"geometry":{"type":"Polygon","coordinates":[[[117.1,39.1],[117.2,39.1],[117.2,39.2],[117.1,39.1]]]}},
              {"type":"Feature","properties":{"code":"12010X","name":"bad"},"geometry":{"type":"Polygon","coordinates":[[[117.1,39.1],[117.2,39.1],[117.2,39.2],[117.1,39.1]]]}}
            ]}
            """;
        using var response = await admin.PostAsync(new Uri("/api/divisions/import", UriKind.Relative), new StringContent(upload, System.Text.Encoding.UTF8, "application/geo+json"), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        problem.FieldErrors("features").ShouldContain(e => e.Contains("feature 1") && e.Contains("12010X"));

        var (_, heping) = await admin.GetJsonAsync("/api/divisions/120101");
        heping!["name"]!.GetValue<string>().ShouldBe("和平区", "the valid feature of a rejected upload is not applied either");
    }

    [Fact]
    public async Task A_self_intersecting_boundary_is_made_valid_and_reported()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        using var admin = app.Client(InventoryApp.AdminKey);
        var bowtie = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"code":"120101","name":"和平区"},"geometry":{"type":"Polygon","coordinates":[[[117.15,39.10],[117.25,39.15],[117.25,39.10],[117.15,39.15],[117.15,39.10]]]}}
            ]}
            """;
        using var response = await admin.PostAsync(new Uri("/api/divisions/import", UriKind.Relative), new StringContent(bowtie, System.Text.Encoding.UTF8, "application/geo+json"), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        result["updated"]!.GetValue<int>().ShouldBe(1);
        result["madeValid"]!.AsArray().Single()!.GetValue<string>().ShouldContain("Self-intersection");
    }

    [Fact]
    public async Task New_township_boundaries_move_cameras_to_the_township_that_now_contains_them()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        using var admin = app.Client(InventoryApp.AdminKey);
        var (_, camera) = await admin.PostAsync("/api/cameras", Samples.Camera("12010100001310000950"));
        var before = camera!["townshipCode"]!.GetValue<string>();

        // Swap the polygons of the camera's township and a neighbour: the camera now lies in the other code.
        var townships = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(DevStack.RepoPaths.Root, "data", "tianjin", "townships.geojson"), TestContext.Current.CancellationToken))!;
        var features = townships["features"]!.AsArray();
        var mine = features.Single(f => f!["properties"]!["code"]!.GetValue<string>() == before)!;
        var other = features.First(f => f!["properties"]!["code"]!.GetValue<string>() is var c && c.StartsWith("120101", StringComparison.Ordinal) && c != before)!;
        var after = other["properties"]!["code"]!.GetValue<string>();
        (mine["geometry"], other["geometry"]) = (other["geometry"]!.DeepClone(), mine["geometry"]!.DeepClone());
        var upload = new System.Text.Json.Nodes.JsonObject { ["type"] = "FeatureCollection", ["features"] = new System.Text.Json.Nodes.JsonArray(mine.DeepClone(), other.DeepClone()) };

        using var response = await admin.PostAsync(new Uri("/api/divisions/import", UriKind.Relative),
            new StringContent(upload.ToJsonString(), System.Text.Encoding.UTF8, "application/geo+json"), TestContext.Current.CancellationToken);
        var result = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        response.StatusCode.ShouldBe(HttpStatusCode.OK, result.ToJsonString());
        result["camerasMoved"]!.GetValue<int>().ShouldBe(1);
        result["movedCameras"]!.AsArray().Single()!.GetValue<string>().ShouldBe("12010100001310000950");
        var (_, moved) = await admin.GetJsonAsync("/api/cameras/12010100001310000950");
        moved!["townshipCode"]!.GetValue<string>().ShouldBe(after);
        moved["version"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task Boundaries_can_come_as_csv_with_wkt_and_a_broken_row_is_named()
    {
        await using var app = await InventoryApp.StartAsync(postgres, loadTianjin: false);
        using var admin = app.Client(InventoryApp.AdminKey);
        const string good = """
            code,name,kind,wkt
            120199,测试区,区,"POLYGON((118 40,118.1 40,118.1 40.1,118 40.1,118 40))"
            120199001,测试街道,街道,"POLYGON((118 40,118.05 40,118.05 40.05,118 40.05,118 40))"
            """;
        using var ok = await admin.PostAsync(new Uri("/api/divisions/import", UriKind.Relative), new StringContent(good, System.Text.Encoding.UTF8, "text/csv"), TestContext.Current.CancellationToken);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK, await ok.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        (await admin.GetJsonAsync("/api/divisions/120199001")).Body!["kind"]!.GetValue<string>().ShouldBe("街道");

        const string broken = """
            code,name,wkt
            120199,测试区,"POLYGON((118 40,118.2 40,118.2 40.2,118 40.2,118 40))"
            120199002,测试镇,"LINESTRING(118 40,118.1 40.1)"
            """;
        using var refused = await admin.PostAsync(new Uri("/api/divisions/import", UriKind.Relative), new StringContent(broken, System.Text.Encoding.UTF8, "text/csv"), TestContext.Current.CancellationToken);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("feature 1 (code 120199002)");
        (await admin.GetJsonAsync("/api/divisions/120199")).Body!["areaKm2"]!.GetValue<double>().ShouldBeLessThan(100, "the valid row of the refused file was not applied");
    }

    [Fact]
    public async Task Only_admins_may_replace_boundaries()
    {
        await using var app = await InventoryApp.StartAsync(postgres, loadTianjin: false);
        using var operatorClient = app.Client(InventoryApp.OperatorKey);
        using var response = await operatorClient.PostAsync(new Uri("/api/divisions/import", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

public sealed class CameraRegistrationTests(TianjinInventory inventory) : IClassFixture<TianjinInventory>
{
    private readonly InventoryApp _app = inventory.App;

    [Fact]
    public async Task A_valid_camera_is_stored_with_its_township_derived_from_its_location()
    {
        using var client = _app.Client(InventoryApp.OperatorKey);
        var (response, camera) = await client.PostAsync("/api/cameras", Samples.Camera());
        response.StatusCode.ShouldBe(HttpStatusCode.Created, _app.Logs.FirstError);
        response.Headers.Location!.ToString().ShouldBe("/api/cameras/12010100001310000001");
        camera!["townshipCode"]!.GetValue<string>().ShouldStartWith("120101");
        camera["townshipCode"]!.GetValue<string>().Length.ShouldBe(9);
        camera["status"]!.GetValue<string>().ShouldBe("active");
        camera["longitude"]!.GetValue<double>().ShouldBe(Samples.HepingLon, 1e-9);

        var (_, fetched) = await client.GetJsonAsync("/api/cameras/12010100001310000001");
        fetched!["name"]!.GetValue<string>().ShouldBe("和平路与南京路路口 东向");
    }

    [Fact]
    public async Task Every_missing_field_is_named_in_one_answer()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (response, problem) = await client.PostAsync("/api/cameras", new { });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        foreach (var field in new[] { "id", "name", "kind", "districtCode", "longitude", "latitude", "azimuth", "fieldOfView", "range", "mainStreamUrl", "decodeMode" })
        {
            problem.FieldErrors(field).ShouldNotBeEmpty(field);
        }
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_a_400_naming_the_field_not_a_500()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (response, problem) = await client.PostAsync("/api/cameras", Samples.Camera(change: c => c["longitude"] = "east"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.FieldErrors("longitude").ShouldNotBeEmpty(problem?.ToJsonString());
    }

    [Fact]
    public async Task A_location_outside_the_stated_district_is_refused_with_where_it_lies()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        // 河西区's centroid, claimed to be in 和平区.
        var (response, problem) = await client.PostAsync("/api/cameras", Samples.Camera(change: c =>
        {
            c["longitude"] = 117.22979;
            c["latitude"] = 39.07968;
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.FieldErrors("location").ShouldContain(e => e.Contains("120103") && e.Contains("120101"));
    }

    [Fact]
    public async Task Credentials_in_a_stream_url_are_refused_without_echoing_them()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (response, problem) = await client.PostAsync("/api/cameras", Samples.Camera(change: c => c["mainStreamUrl"] = "rtsp://admin:S3cr3tPass@10.0.0.5/stream1"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.FieldErrors("mainStreamUrl").ShouldContain(e => e.Contains("credentials"));
        problem!.ToJsonString().ShouldNotContain("S3cr3tPass");
    }

    [Fact]
    public async Task A_second_camera_with_the_same_id_is_a_conflict()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var id = "12010100001310000099";
        (await client.PostAsync("/api/cameras", Samples.Camera(id))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var (again, problem) = await client.PostAsync("/api/cameras", Samples.Camera(id));
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        problem.FieldErrors("id").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Callers_without_a_key_without_the_role_or_outside_their_districts_are_turned_away()
    {
        using var anonymous = _app.Client(null);
        (await anonymous.PostAsync("/api/cameras", Samples.Camera("12010100001310000050"))).Response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var wrongKey = _app.Client("not-a-real-key-not-a-real-key");
        (await wrongKey.GetJsonAsync("/api/cameras")).Response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var viewer = _app.Client(InventoryApp.ViewerKey);
        (await viewer.PostAsync("/api/cameras", Samples.Camera("12010100001310000051"))).Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewer.GetJsonAsync("/api/ingest/cameras")).Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // The operator is assigned 和平区 (120101) only.
        using var operatorClient = _app.Client(InventoryApp.OperatorKey);
        var (response, _) = await operatorClient.PostAsync("/api/cameras", Samples.Camera("12010300001310000052", c =>
        {
            c["districtCode"] = "120103";
            c["longitude"] = 117.22979;
            c["latitude"] = 39.07968;
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Listing_pages_by_id_without_repeats_or_gaps()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var ids = Enumerable.Range(200, 7).Select(i => $"12010100001310000{i:000}").ToList();
        foreach (var id in ids)
        {
            (await client.PostAsync("/api/cameras", Samples.Camera(id))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var seen = new List<string>();
        string? after = "12010100001310000199";
        do
        {
            var (_, page) = await client.GetJsonAsync($"/api/cameras?limit=3&q=1201010000131000020&after={after}");
            seen.AddRange(page!["items"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()));
            after = page["next"]?.GetValue<string>();
        }
        while (after is not null);

        seen.ShouldBe(ids);
        (await client.GetJsonAsync("/api/cameras?limit=0")).Response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Ingest_workers_get_active_cameras_with_their_decode_mode()
    {
        using var admin = _app.Client(InventoryApp.AdminKey);
        (await admin.PostAsync("/api/cameras", Samples.Camera("12010100001210000300", c =>
        {
            c["kind"] = "checkpoint";
            c["decodeMode"] = "full";
            c["analysisFps"] = 12.5;
        }))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var ingest = _app.Client(InventoryApp.IngestKey);
        var (response, cameras) = await ingest.GetJsonAsync("/api/ingest/cameras");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var camera = cameras!.AsArray().Single(c => c!["id"]!.GetValue<string>() == "12010100001210000300")!;
        camera["decodeMode"]!.GetValue<string>().ShouldBe("full");
        camera["kind"]!.GetValue<string>().ShouldBe("checkpoint");
        camera["analysisFps"]!.GetValue<double>().ShouldBe(12.5);
    }
}
