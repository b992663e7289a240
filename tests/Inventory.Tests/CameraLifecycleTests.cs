using System.Net;

namespace CameraNet.Inventory.Tests;

public sealed class CameraLifecycleTests(TianjinInventory inventory) : IClassFixture<TianjinInventory>
{
    private readonly InventoryApp _app = inventory.App;

    [Fact]
    public async Task Replacing_a_camera_bumps_its_version_and_keeps_the_old_one_in_history()
    {
        using var client = _app.Client(InventoryApp.OperatorKey);
        const string id = "12010100001310000601";
        (await client.PostAsync("/api/cameras", Samples.Camera(id))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);

        var (response, camera) = await client.SendJsonAsync(HttpMethod.Put, $"/api/cameras/{id}", Samples.Camera(id, c => c["name"] = "南京路 新名字"), "\"1\"");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, camera?.ToJsonString());
        camera!["version"]!.GetValue<int>().ShouldBe(2);
        camera["name"]!.GetValue<string>().ShouldBe("南京路 新名字");
        camera["updatedBy"]!.GetValue<string>().ShouldBe("operator");
        var (_, history) = await client.GetJsonAsync($"/api/cameras/{id}/history");
        var entry = history!.AsArray().Single()!;
        entry["change"]!.GetValue<string>().ShouldBe("updated");
        entry["version"]!.GetValue<int>().ShouldBe(1);
        System.Text.Json.Nodes.JsonNode.Parse(entry["before"]!.GetValue<string>())!["name"]!.GetValue<string>().ShouldBe("和平路与南京路路口 东向");
    }

    [Fact]
    public async Task A_replacement_based_on_a_stale_version_is_refused_and_changes_nothing()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        const string id = "12010100001310000602";
        await client.PostAsync("/api/cameras", Samples.Camera(id));
        (await client.SendJsonAsync(HttpMethod.Put, $"/api/cameras/{id}", Samples.Camera(id, c => c["name"] = "first edit"), "\"1\"")).Response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var (response, problem) = await client.SendJsonAsync(HttpMethod.Put, $"/api/cameras/{id}", Samples.Camera(id, c => c["name"] = "second edit from a stale form"), "\"1\"");

        response.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        problem!["detail"]!.GetValue<string>().ShouldContain("version 2");
        (await client.GetJsonAsync($"/api/cameras/{id}")).Body!["name"]!.GetValue<string>().ShouldBe("first edit");
    }

    [Fact]
    public async Task A_camera_id_cannot_be_changed_by_replacement()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        const string id = "12010100001310000603";
        await client.PostAsync("/api/cameras", Samples.Camera(id));
        var (response, problem) = await client.SendJsonAsync(HttpMethod.Put, $"/api/cameras/{id}", Samples.Camera("12010100001310000604"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.FieldErrors("id").ShouldContain(m => m.Contains("cannot be changed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retired_cameras_leave_the_ingest_feed_and_can_come_back()
    {
        using var admin = _app.Client(InventoryApp.AdminKey);
        using var ingest = _app.Client(InventoryApp.IngestKey);
        const string id = "12010100001310000605";
        await admin.PostAsync("/api/cameras", Samples.Camera(id));

        var (retired, camera) = await admin.SendJsonAsync(HttpMethod.Post, $"/api/cameras/{id}/retire", new { reason = "pole removed" });
        retired.StatusCode.ShouldBe(HttpStatusCode.OK);
        camera!["status"]!.GetValue<string>().ShouldBe("retired");
        camera["retireReason"]!.GetValue<string>().ShouldBe("pole removed");
        (await ingest.GetJsonAsync("/api/ingest/cameras")).Body!.AsArray().ShouldNotContain(c => c!["id"]!.GetValue<string>() == id);
        (await admin.GetJsonAsync($"/api/cameras?status=retired&q={id}")).Body!["items"]!.AsArray().Count.ShouldBe(1);

        var (again, same) = await admin.SendJsonAsync(HttpMethod.Post, $"/api/cameras/{id}/retire", new { reason = "twice" });
        again.StatusCode.ShouldBe(HttpStatusCode.OK, "retiring a retired camera changes nothing");
        same!["version"]!.GetValue<int>().ShouldBe(2);

        (await admin.SendJsonAsync(HttpMethod.Post, $"/api/cameras/{id}/reactivate")).Body!["status"]!.GetValue<string>().ShouldBe("active");
        (await ingest.GetJsonAsync("/api/ingest/cameras")).Body!.AsArray().ShouldContain(c => c!["id"]!.GetValue<string>() == id);
        var (_, history) = await admin.GetJsonAsync($"/api/cameras/{id}/history");
        history!.AsArray().Select(h => h!["change"]!.GetValue<string>()).ShouldBe(["retired", "reactivated"]);
    }

    [Fact]
    public async Task Unknown_cameras_are_404_with_a_problem()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (response, problem) = await client.GetJsonAsync("/api/cameras/12010100001310999999");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        problem!["detail"]!.GetValue<string>().ShouldContain("12010100001310999999");
        (await client.SendJsonAsync(HttpMethod.Post, "/api/cameras/12010100001310999999/retire")).Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Every_write_is_in_the_audit_log_with_who_and_what()
    {
        using var client = _app.Client(InventoryApp.OperatorKey);
        const string id = "12010100001310000606";
        await client.PostAsync("/api/cameras", Samples.Camera(id));
        await client.SendJsonAsync(HttpMethod.Put, $"/api/cameras/{id}", Samples.Camera(id, c => c["range"] = 90.0));
        await client.SendJsonAsync(HttpMethod.Post, $"/api/cameras/{id}/retire", new { reason = "test" });

        using var admin = _app.Client(InventoryApp.AdminKey);
        var (_, audit) = await admin.GetJsonAsync($"/api/audit?target={id}");
        var actions = audit!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Reverse().ToList();
        actions.ShouldBe(["camera.register", "camera.update", "camera.retire"]);
        audit.AsArray().ShouldAllBe(e => e!["actor"]!.GetValue<string>() == "operator" && e["role"]!.GetValue<string>() == "operator");
        audit.AsArray().ShouldAllBe(e => e!["districts"]!.AsArray().Single()!.GetValue<string>() == "120101");
    }
}
