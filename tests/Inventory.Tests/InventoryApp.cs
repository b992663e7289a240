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
[assembly: AssemblyFixture(typeof(NatsFixture))]

namespace CameraNet.Inventory.Tests;

/// <summary>The inventory hosted in-process against its own database on the real test Postgres.</summary>
public sealed class InventoryApp(string connectionString, IReadOnlyList<(string Id, string Key)>? credentialKeys = null, string? natsUrl = null) : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";
    public const string OperatorKey = "test-operator-key-heping-0123456789";
    public const string ViewerKey = "test-viewer-key-0123456789abcdefgh";
    public const string IngestKey = "test-ingest-key-0123456789abcdefgh";
    public const string AnalystKey = "test-analyst-key-0123456789abcdefg";
    public static readonly string CredentialKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static async Task<InventoryApp> StartAsync(PostgresFixture postgres, bool loadTianjin = true)
    {
        var app = new InventoryApp(await postgres.CreateDatabaseAsync("inventory"));
        if (loadTianjin)
        {
            await app.LoadTianjinAsync();
        }

        return app;
    }

    public async Task LoadTianjinAsync()
    {
        using var admin = Client(AdminKey);
        foreach (var file in new[] { "districts.geojson", "townships.geojson" })
        {
            using var content = new StreamContent(File.OpenRead(Path.Combine(RepoPaths.Root, "data", "tianjin", file)));
            using var response = await admin.PostAsync(new Uri("/api/divisions/import", UriKind.Relative), content);
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Everything the service logged, at every level.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        builder.UseSetting("Inventory:ConnectionString", connectionString);
        if (natsUrl is not null)
        {
            builder.UseSetting("Inventory:NatsUrl", natsUrl);
        }

        var keys = credentialKeys ?? [("test", CredentialKey)];
        for (var i = 0; i < keys.Count; i++)
        {
            builder.UseSetting($"Inventory:CredentialKeys:{i}:Id", keys[i].Id);
            builder.UseSetting($"Inventory:CredentialKeys:{i}:Key", keys[i].Key);
        }

        var apiKeys = new[] { ("admin", AdminKey, "admin", ""), ("operator", OperatorKey, "operator", "120101"), ("viewer", ViewerKey, "viewer", ""), ("ingest", IngestKey, "ingest", ""), ("analyst", AnalystKey, "analyst", "120101") };
        for (var i = 0; i < apiKeys.Length; i++)
        {
            builder.UseSetting($"Inventory:ApiKeys:{i}:Name", apiKeys[i].Item1);
            builder.UseSetting($"Inventory:ApiKeys:{i}:Key", apiKeys[i].Item2);
            builder.UseSetting($"Inventory:ApiKeys:{i}:Role", apiKeys[i].Item3);
            if (apiKeys[i].Item4.Length > 0)
            {
                builder.UseSetting($"Inventory:ApiKeys:{i}:Districts:0", apiKeys[i].Item4);
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

public static class ServiceProviderExtensions
{
    public static T GetRequiredServiceFromProvider<T>(this IServiceProvider services) where T : notnull =>
        (T)(services.GetService(typeof(T)) ?? throw new InvalidOperationException($"no {typeof(T).Name} registered"));
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

    /// <summary>The rule codes a validation problem lists for one field.</summary>
    public static string[] Rules(this JsonNode? problem, string field) =>
        problem?["rules"]?.AsArray().Where(r => r!["field"]!.GetValue<string>() == field).Select(r => r!["rule"]!.GetValue<string>()).ToArray() ?? [];

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response, await ReadAsync(response));
    }

    /// <summary>The messages a problem response lists for one field.</summary>
    public static string[] FieldErrors(this JsonNode? problem, string field) =>
        problem?["errors"]?[field]?.AsArray().Select(m => m!.GetValue<string>()).ToArray() ?? [];
}

/// <summary>One inventory with Tianjin loaded, shared by the tests of a class (they use distinct camera IDs).</summary>
public sealed class TianjinInventory(PostgresFixture postgres) : IAsyncLifetime
{
    public InventoryApp App { get; private set; } = null!;

    public async ValueTask InitializeAsync() => App = await InventoryApp.StartAsync(postgres);

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
