using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CameraNet.DevStack;
using CameraNet.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

[assembly: AssemblyFixture(typeof(PostgresFixture))]

namespace CameraNet.Inventory.Tests;

/// <summary>The inventory hosted in-process against its own database on the real test Postgres.</summary>
public sealed class InventoryApp(string connectionString) : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";
    public const string OperatorKey = "test-operator-key-heping-0123456789";
    public const string ViewerKey = "test-viewer-key-0123456789abcdefgh";
    public const string IngestKey = "test-ingest-key-0123456789abcdefgh";
    public static readonly string CredentialKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static async Task<InventoryApp> StartAsync(PostgresFixture postgres, bool loadTianjin = true)
    {
        var app = new InventoryApp(await postgres.CreateDatabaseAsync("inventory"));
        if (loadTianjin)
        {
            using var admin = app.Client(AdminKey);
            foreach (var file in new[] { "districts.geojson", "townships.geojson" })
            {
                using var content = new StreamContent(File.OpenRead(Path.Combine(RepoPaths.Root, "data", "tianjin", file)));
                using var response = await admin.PostAsync(new Uri("/api/divisions/import", UriKind.Relative), content);
                response.EnsureSuccessStatusCode();
            }
        }

        return app;
    }

    /// <summary>Everything the service logged, at every level.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        builder.UseSetting("Inventory:ConnectionString", connectionString);
        builder.UseSetting("Inventory:CredentialKeys:0:Id", "test");
        builder.UseSetting("Inventory:CredentialKeys:0:Key", CredentialKey);
        var keys = new[] { ("admin", AdminKey, "admin", ""), ("operator", OperatorKey, "operator", "120101"), ("viewer", ViewerKey, "viewer", ""), ("ingest", IngestKey, "ingest", "") };
        for (var i = 0; i < keys.Length; i++)
        {
            builder.UseSetting($"Inventory:ApiKeys:{i}:Name", keys[i].Item1);
            builder.UseSetting($"Inventory:ApiKeys:{i}:Key", keys[i].Item2);
            builder.UseSetting($"Inventory:ApiKeys:{i}:Role", keys[i].Item3);
            if (keys[i].Item4.Length > 0)
            {
                builder.UseSetting($"Inventory:ApiKeys:{i}:Districts:0", keys[i].Item4);
            }
        }
    }

    public HttpClient Client(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }
}

public static class HttpJson
{
    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> PostAsync(this HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
        return (response, await ReadAsync(response));
    }

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        return (response, await ReadAsync(response));
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>The messages a problem response lists for one field.</summary>
    public static string[] FieldErrors(this JsonNode? problem, string field) =>
        problem?["errors"]?[field]?.AsArray().Select(m => m!.GetValue<string>()).ToArray() ?? [];
}
