using System.Net;
using CameraNet.TestKit;
using Npgsql;

namespace CameraNet.Inventory.Tests;

/// <summary>People log in with passwords; services use API keys; the audit log records both and cannot be rewritten.</summary>
public sealed class IdentityTests(TianjinInventory inventory) : IClassFixture<TianjinInventory>
{
    private readonly InventoryApp _app = inventory.App;

    private async Task CreateUserAsync(string username, string role, string[] districts, string password = "a-long-Passphrase-42")
    {
        using var admin = _app.Client(InventoryApp.AdminKey);
        var (response, body) = await admin.PostAsync("/api/users", new { username, displayName = "测试 " + username, role, districts, password });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body?.ToJsonString());
    }

    private async Task<(HttpStatusCode Status, string? Token)> LoginAsync(string username, string password, string? purpose = null)
    {
        using var anonymous = _app.Client(null);
        var (response, body) = await anonymous.PostAsync("/api/auth/login", new { username, password, purpose });
        return (response.StatusCode, body?["token"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_user_logs_in_acts_with_their_role_and_districts_and_logs_out()
    {
        await CreateUserAsync("li.operator", "operator", ["120101"]);
        var (status, token) = await LoginAsync("li.operator", "a-long-Passphrase-42");
        status.ShouldBe(HttpStatusCode.OK);

        using var session = _app.Client(token);
        var me = (await session.GetJsonAsync("/api/auth/me")).Body!;
        me["name"]!.GetValue<string>().ShouldBe("li.operator");
        me["role"]!.GetValue<string>().ShouldBe("operator");
        (await session.PostAsync("/api/cameras", Samples.Camera("12010100001310000801"))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await session.GetJsonAsync("/api/users")).Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await session.SendJsonAsync(HttpMethod.Post, "/api/auth/logout")).Response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await session.GetJsonAsync("/api/auth/me")).Response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the token ends with the session");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_the_same_way_as_an_unknown_user_and_audited()
    {
        await CreateUserAsync("wang.viewer", "viewer", []);
        var wrong = await LoginAsync("wang.viewer", "not-the-password-at-all");
        var unknown = await LoginAsync("nobody.here", "not-the-password-at-all");
        wrong.Status.ShouldBe(HttpStatusCode.Unauthorized);
        unknown.Status.ShouldBe(HttpStatusCode.Unauthorized);

        using var admin = _app.Client(InventoryApp.AdminKey);
        var (_, audit) = await admin.GetJsonAsync("/api/audit?action=auth.login&target=wang.viewer");
        audit!.AsArray().ShouldContain(e => e!["outcome"]!.GetValue<string>() == "denied");
    }

    [Fact]
    public async Task An_analyst_states_a_purpose_at_login_and_it_goes_to_the_audit_log()
    {
        await CreateUserAsync("zhao.analyst", "analyst", ["120101"]);
        var (_, token) = await LoginAsync("zhao.analyst", "a-long-Passphrase-42", "案件 2026-1123 调查");
        using var session = _app.Client(token);
        (await session.GetJsonAsync("/api/auth/me")).Body!["purpose"]!.GetValue<string>().ShouldBe("案件 2026-1123 调查");
        using var admin = _app.Client(InventoryApp.AdminKey);
        var (_, audit) = await admin.GetJsonAsync("/api/audit?action=auth.login&target=zhao.analyst");
        audit!.AsArray().First()!["purpose"]!.GetValue<string>().ShouldBe("案件 2026-1123 调查");
    }

    [Theory]
    [InlineData("short1", "at least 12")]
    [InlineData("sun.password.sun", "user name")]
    public async Task Weak_passwords_are_refused(string password, string rule)
    {
        using var admin = _app.Client(InventoryApp.AdminKey);
        var (response, problem) = await admin.PostAsync("/api/users", new { username = "sun", displayName = "孙", role = "viewer", districts = Array.Empty<string>(), password });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.FieldErrors("password").ShouldContain(m => m.Contains(rule, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disabling_a_user_ends_their_sessions()
    {
        await CreateUserAsync("qian.viewer", "viewer", []);
        var (_, token) = await LoginAsync("qian.viewer", "a-long-Passphrase-42");
        using var admin = _app.Client(InventoryApp.AdminKey);
        (await admin.SendJsonAsync(HttpMethod.Patch, "/api/users/qian.viewer", new { disabled = true })).Response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var session = _app.Client(token);
        (await session.GetJsonAsync("/api/cameras")).Response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await LoginAsync("qian.viewer", "a-long-Passphrase-42")).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_api_key_is_shown_once_works_with_its_role_and_stops_when_revoked()
    {
        using var admin = _app.Client(InventoryApp.AdminKey);
        var (created, key) = await admin.PostAsync("/api/keys", new { name = "district-sync", role = "operator", districts = new[] { "120101" } });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var secret = key!["key"]!.GetValue<string>();
        (await admin.GetJsonAsync("/api/keys")).Body!.ToJsonString().ShouldNotContain(secret);

        using var service = _app.Client(secret);
        (await service.PostAsync("/api/cameras", Samples.Camera("12010100001310000802"))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);

        (await admin.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{key["id"]}")).Response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await service.GetJsonAsync("/api/cameras")).Response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_audit_log_cannot_be_changed_or_emptied()
    {
        using var admin = _app.Client(InventoryApp.AdminKey);
        await admin.PostAsync("/api/cameras", Samples.Camera("12010100001310000803"));
        var connectionString = _app.Services.GetRequiredServiceFromProvider<Microsoft.Extensions.Options.IOptions<InventoryOptions>>().Value.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var sql in new[] { "UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var error = await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
            error.MessageText.ShouldContain("append-only");
        }
    }
}
