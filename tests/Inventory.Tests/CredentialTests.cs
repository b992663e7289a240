using System.Net;
using CameraNet.TestKit;
using Npgsql;

namespace CameraNet.Inventory.Tests;

/// <summary>Camera passwords: encrypted at rest, never returned or logged, handed only to ingest workers.</summary>
public sealed class CredentialTests(PostgresFixture postgres)
{
    private const string Secret = "Sekr3t-Pa55word-XYZ";

    private static async Task<string> RegisterWithCredentialsAsync(InventoryApp app, string id)
    {
        using var client = app.Client(InventoryApp.AdminKey);
        var (response, camera) = await client.PostAsync("/api/cameras", Samples.Camera(id, c =>
        {
            c["username"] = "admin";
            c["password"] = Secret;
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        camera!["hasCredentials"]!.GetValue<bool>().ShouldBeTrue();
        return camera.ToJsonString();
    }

    [Fact]
    public async Task The_password_appears_in_no_api_response_and_no_log_line()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        const string id = "12010100001310000701";
        var created = await RegisterWithCredentialsAsync(app, id);
        var bodies = new List<string> { created };
        using var admin = app.Client(InventoryApp.AdminKey);
        foreach (var path in new[] { $"/api/cameras/{id}", "/api/cameras?limit=500", $"/api/cameras/{id}/history", "/api/audit", "/api/ingest/cameras" })
        {
            bodies.Add((await admin.GetJsonAsync(path)).Body!.ToJsonString());
        }

        bodies.Add((await admin.SendJsonAsync(HttpMethod.Put, $"/api/cameras/{id}", Samples.Camera(id, c => c["name"] = "renamed"))).Body!.ToJsonString());
        bodies.Add((await admin.GetJsonAsync($"/api/cameras/{id}/history")).Body!.ToJsonString());

        // A password put in the URL is refused without being echoed.
        bodies.Add((await admin.PostAsync("/api/cameras", Samples.Camera("12010100001310000702", c => c["mainStreamUrl"] = $"rtsp://admin:{Secret}@10.0.0.9/101"))).Body!.ToJsonString());

        bodies.ShouldAllBe(b => !b.Contains(Secret, StringComparison.Ordinal));
        app.Logs.All.ShouldNotContain(Secret);
        app.Logs.Lines.Count.ShouldBeGreaterThan(10, "the logs were captured");
    }

    [Fact]
    public async Task Stored_credentials_are_ciphertext_bound_to_their_camera()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        await RegisterWithCredentialsAsync(app, "12010100001310000711");
        await RegisterWithCredentialsAsync(app, "12010100001310000712");
        using var client = app.Client(InventoryApp.AdminKey);
        var connectionString = app.Services.GetRequiredServiceFromProvider<Microsoft.Extensions.Options.IOptions<InventoryOptions>>().Value.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using (var read = new NpgsqlCommand("SELECT credentials FROM cameras WHERE id = '12010100001310000711'", connection))
        {
            var blob = (byte[])(await read.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
            System.Text.Encoding.UTF8.GetString(blob).ShouldNotContain(Secret);
            System.Text.Encoding.Latin1.GetString(blob).ShouldNotContain("Sekr3t");
        }

        // Copying one camera's ciphertext onto another camera does not give the second camera a usable password.
        await using (var swap = new NpgsqlCommand("UPDATE cameras SET credentials = (SELECT credentials FROM cameras WHERE id = '12010100001310000711') WHERE id = '12010100001310000712'", connection))
        {
            await swap.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        using var ingest = app.Client(InventoryApp.IngestKey);
        (await ingest.GetJsonAsync("/api/ingest/cameras/12010100001310000711/credentials")).Body!["password"]!.GetValue<string>().ShouldBe(Secret);
        (await ingest.GetJsonAsync("/api/ingest/cameras/12010100001310000712/credentials")).Response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task Only_ingest_workers_receive_credentials_and_each_read_is_audited()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        const string id = "12010100001310000721";
        await RegisterWithCredentialsAsync(app, id);
        using var ingest = app.Client(InventoryApp.IngestKey);
        var (response, credentials) = await ingest.GetJsonAsync($"/api/ingest/cameras/{id}/credentials");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        credentials!["username"]!.GetValue<string>().ShouldBe("admin");
        credentials["password"]!.GetValue<string>().ShouldBe(Secret);
        (await ingest.GetJsonAsync("/api/ingest/cameras")).Body!.AsArray().Single(c => c!["id"]!.GetValue<string>() == id)!["hasCredentials"]!.GetValue<bool>().ShouldBeTrue();

        using var admin = app.Client(InventoryApp.AdminKey);
        (await admin.GetJsonAsync($"/api/ingest/cameras/{id}/credentials")).Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "not even admins read passwords back");
        var (_, audit) = await admin.GetJsonAsync($"/api/audit?action=ingest.credentials&target={id}");
        audit!.AsArray().Single()!["actor"]!.GetValue<string>().ShouldBe("ingest");
    }

    [Fact]
    public async Task Rotation_reencrypts_every_credential_under_the_new_key()
    {
        var oldKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var newKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var database = await postgres.CreateDatabaseAsync("rotation");
        await using (var before = new InventoryApp(database, [("k-old", oldKey)]))
        {
            await before.LoadTianjinAsync();
            await RegisterWithCredentialsAsync(before, "12010100001310000731");
        }

        // Restart with the new key first and the old one still listed, then rotate.
        await using var after = new InventoryApp(database, [("k-new", newKey), ("k-old", oldKey)]);
        using var admin = after.Client(InventoryApp.AdminKey);
        var (response, result) = await admin.SendJsonAsync(HttpMethod.Post, "/api/admin/credentials/rotate");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        result!["reencrypted"]!.GetValue<int>().ShouldBe(1);
        result["currentKey"]!.GetValue<string>().ShouldBe("k-new");
        (await admin.SendJsonAsync(HttpMethod.Post, "/api/admin/credentials/rotate")).Body!["reencrypted"]!.GetValue<int>().ShouldBe(0);

        // The old key can now go: the secret still decrypts with the new key alone.
        await using var newOnly = new InventoryApp(database, [("k-new", newKey)]);
        using var ingest = newOnly.Client(InventoryApp.IngestKey);
        (await ingest.GetJsonAsync("/api/ingest/cameras/12010100001310000731/credentials")).Body!["password"]!.GetValue<string>().ShouldBe(Secret);
    }
}
