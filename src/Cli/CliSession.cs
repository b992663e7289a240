using System.Text.Json;

namespace CameraNet.Cli;

/// <summary>
/// Where the CLI's commands send their requests: <c>--inventory</c>/<c>CAMERANET_INVENTORY_URL</c> with
/// <c>CAMERANET_API_KEY</c>, or else the running local demo (which leaves a session file readable only by its owner).
/// </summary>
public sealed record CliSession(string InventoryUrl, string ApiKey, string? NatsUrl)
{
    public static string DemoSessionFile => Path.Combine(DevStack.RepoPaths.DataDirectory, "demo-session.json");

    public static CliSession Resolve(string? inventoryOption)
    {
        var url = inventoryOption ?? Environment.GetEnvironmentVariable("CAMERANET_INVENTORY_URL");
        var key = Environment.GetEnvironmentVariable("CAMERANET_API_KEY");
        var demo = ReadDemoSession();
        if (url is not null)
        {
            // An explicit inventory never falls back to the demo's, except to borrow the demo's key for the demo's own URL.
            key ??= demo is not null && SameUrl(demo.InventoryUrl, url) ? demo.ApiKey : null;
            return key is not null
                ? new CliSession(url, key, Environment.GetEnvironmentVariable("CAMERANET_NATS_URL"))
                : throw new CliException($"no API key for {url}: set CAMERANET_API_KEY");
        }

        return demo ?? throw new CliException("no inventory to talk to: set CAMERANET_INVENTORY_URL and CAMERANET_API_KEY, or start './cameranet demo' in another terminal");
    }

    private static CliSession? ReadDemoSession()
    {
        try
        {
            return File.Exists(DemoSessionFile) ? JsonSerializer.Deserialize<CliSession>(File.ReadAllText(DemoSessionFile), InventoryApi.Json) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private static bool SameUrl(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    public void Save(string path)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(this, InventoryApi.Json));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public InventoryApi Api() => new(new Uri(InventoryUrl.EndsWith('/') ? InventoryUrl : InventoryUrl + "/"), ApiKey);

    /// <summary>Never print the key.</summary>
    public override string ToString() => $"inventory {InventoryUrl}";
}

/// <summary>A failure to report to the user in one line, with exit code 1 (or 2 for usage errors).</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
