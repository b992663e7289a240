using System.ComponentModel.DataAnnotations;

namespace CameraNet.Inventory;

/// <summary>Settings of the inventory service (section <c>Inventory</c>; env <c>Inventory__…</c>).</summary>
public sealed class InventoryOptions
{
    public const string Section = "Inventory";

    /// <summary>Npgsql connection string of the register database.</summary>
    [Required(ErrorMessage = "Inventory:ConnectionString is required (the Postgres/PostGIS register database)")]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Static API keys for services and bootstrap administration (e.g. the ingest worker's key).
    /// Keys are secrets: give them through the environment, never in a committed file.
    /// </summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>
    /// AES-256 keys for camera credentials, newest first: new secrets are encrypted with the first,
    /// any listed key decrypts. Rotation: put a new key first, restart, run credentials rotation, then
    /// drop the old key. Keys are secrets: give them through the environment or a secret store.
    /// </summary>
    public List<CredentialKeyOptions> CredentialKeys { get; set; } = [];

    /// <summary>NATS to hear camera health from ingest workers (optional: without it no camera is "online").</summary>
    public string? NatsUrl { get; set; }

    public string? NatsUser { get; set; }
    public string? NatsPassword { get; set; }

    /// <summary>
    /// 32 random bytes, base64: the passwords of analysts' NATS users are derived from it (see <c>Plates.NatsAccounts</c>).
    /// Without it analysts get no NATS access. A secret: give it through the environment.
    /// </summary>
    public string? NatsAccountSecret { get; set; }

    /// <summary>How long plate captures and watchlist hits are kept (the PLATES and ALERTS streams' MaxAge).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan PlateRetention { get; set; } = TimeSpan.FromDays(30);
}

public sealed class CredentialKeyOptions
{
    [Required]
    [RegularExpression("^[a-z0-9-]{1,16}$", ErrorMessage = "a credential key Id is 1–16 characters: a-z, 0-9, '-'")]
    public string Id { get; set; } = string.Empty;

    /// <summary>32 random bytes, base64.</summary>
    [Required]
    public string Key { get; set; } = string.Empty;
}

public sealed class ApiKeyOptions
{
    [Required]
    public string Name { get; set; } = string.Empty;

    [Required]
    [MinLength(24, ErrorMessage = "an API key must be at least 24 characters")]
    public string Key { get; set; } = string.Empty;

    [Required]
    public string Role { get; set; } = string.Empty;

    /// <summary>Districts the key may act on; empty means all (admin and service keys).</summary>
    public List<string> Districts { get; set; } = [];
}
