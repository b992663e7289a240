using System.Net;

namespace CameraNet.Inventory.Tests;

/// <summary>
/// Every endpoint against every role: anonymous callers get 401, roles without the right get 403,
/// roles with it get past authorization (whatever the request then answers).
/// </summary>
public sealed class RoleMatrixTests(TianjinInventory inventory) : IClassFixture<TianjinInventory>
{
    private const string Inside = "12010100001310000501";   // in 和平区, the operator's district
    private const string Outside = "12010300001310000502";  // in 河西区, not the operator's

    public enum Expect
    {
        Allowed,
        Forbidden,
    }

    private static readonly string[] Roles = ["admin", "operator", "analyst", "viewer", "ingest"];

    private static string KeyOf(string role) => role switch
    {
        "admin" => InventoryApp.AdminKey,
        "operator" => InventoryApp.OperatorKey,
        "analyst" => InventoryApp.AnalystKey,
        "viewer" => InventoryApp.ViewerKey,
        _ => InventoryApp.IngestKey,
    };

    /// <summary>method, path, roles allowed (others are forbidden).</summary>
    private static readonly (string Method, string Path, string[] Allowed)[] Endpoints =
    [
        ("GET", "/api/divisions", ["admin", "operator", "analyst", "viewer"]),
        ("GET", "/api/divisions/120101", ["admin", "operator", "analyst", "viewer"]),
        ("POST", "/api/divisions/import", ["admin"]),
        ("GET", "/api/cameras", ["admin", "operator", "analyst", "viewer"]),
        ("GET", $"/api/cameras/{Inside}", ["admin", "operator", "analyst", "viewer"]),
        ("GET", $"/api/cameras/{Inside}/history", ["admin", "operator", "analyst", "viewer"]),
        ("POST", "/api/cameras", ["admin", "operator"]),
        ("PUT", $"/api/cameras/{Inside}", ["admin", "operator"]),
        ("POST", $"/api/cameras/{Inside}/retire", ["admin", "operator"]),
        ("POST", $"/api/cameras/{Inside}/reactivate", ["admin", "operator"]),
        ("POST", "/api/cameras/import?format=csv", ["admin", "operator"]),
        ("GET", "/api/ingest/cameras", ["admin", "ingest"]),
        ("GET", $"/api/ingest/cameras/{Inside}/credentials", ["ingest"]),
        ("GET", "/api/auth/me", ["admin", "operator", "analyst", "viewer", "ingest"]),
        ("GET", "/api/users", ["admin"]),
        ("POST", "/api/users", ["admin"]),
        ("PATCH", "/api/users/nobody", ["admin"]),
        ("GET", "/api/keys", ["admin"]),
        ("POST", "/api/keys", ["admin"]),
        ("DELETE", "/api/keys/999999", ["admin"]),
        ("GET", "/api/audit", ["admin"]),
        ("POST", "/api/admin/credentials/rotate", ["admin"]),
    ];

    public static TheoryData<string, string, string, Expect> Matrix()
    {
        var data = new TheoryData<string, string, string, Expect>();
        foreach (var (method, path, allowed) in Endpoints)
        {
            foreach (var role in Roles)
            {
                data.Add(method, path, role, allowed.Contains(role) ? Expect.Allowed : Expect.Forbidden);
            }
        }

        return data;
    }

    public static TheoryData<string, string> EveryEndpoint()
    {
        var data = new TheoryData<string, string>();
        foreach (var (method, path, _) in Endpoints)
        {
            data.Add(method, path);
        }

        return data;
    }

    private async Task<HttpStatusCode> CallAsync(string method, string path, string? key)
    {
        using var client = inventory.App.Client(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = path.Contains("/import", StringComparison.Ordinal)
                ? new StringContent("id\n", System.Text.Encoding.UTF8, "text/csv")
                : new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_role_reaches_exactly_the_endpoints_it_should(string method, string path, string role, Expect expect)
    {
        var status = await CallAsync(method, path, KeyOf(role));
        if (expect == Expect.Forbidden)
        {
            status.ShouldBe(HttpStatusCode.Forbidden, $"{role} {method} {path}");
        }
        else
        {
            status.ShouldNotBeOneOf([HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden], $"{role} {method} {path}");
        }
    }

    [Theory]
    [MemberData(nameof(EveryEndpoint))]
    public async Task Anonymous_callers_are_asked_to_authenticate(string method, string path) =>
        (await CallAsync(method, path, null)).ShouldBe(HttpStatusCode.Unauthorized, $"{method} {path}");

    [Fact]
    public async Task Operators_change_only_cameras_in_their_districts_and_the_refusals_are_audited()
    {
        using var admin = inventory.App.Client(InventoryApp.AdminKey);
        await admin.PostAsync("/api/cameras", Samples.Camera(Inside));
        await admin.PostAsync("/api/cameras", Samples.Camera(Outside, c =>
        {
            c["districtCode"] = "120103";
            c["longitude"] = 117.22979;
            c["latitude"] = 39.07968;
        }));

        using var operatorClient = inventory.App.Client(InventoryApp.OperatorKey);
        (await operatorClient.SendJsonAsync(HttpMethod.Post, $"/api/cameras/{Outside}/retire", new { reason = "test" })).Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await operatorClient.SendJsonAsync(HttpMethod.Post, $"/api/cameras/{Inside}/retire", new { reason = "moved" })).Response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var (_, audit) = await admin.GetJsonAsync($"/api/audit?target={Outside}");
        audit!.AsArray().ShouldContain(e => e!["action"]!.GetValue<string>() == "camera.retire" && e["outcome"]!.GetValue<string>() == "denied" && e["actor"]!.GetValue<string>() == "operator");
    }

    [Fact]
    public async Task A_refused_request_is_audited_as_denied()
    {
        using var viewer = inventory.App.Client(InventoryApp.ViewerKey);
        (await viewer.GetJsonAsync("/api/audit")).Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var admin = inventory.App.Client(InventoryApp.AdminKey);
        var (_, audit) = await admin.GetJsonAsync("/api/audit?actor=viewer&action=http.denied");
        audit!.AsArray().ShouldContain(e => e!["target"]!.GetValue<string>() == "GET /api/audit");
    }
}
