using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using CameraNet.Inventory.Data;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CameraNet.Inventory.Auth;

/// <summary>
/// One bearer scheme for every caller: <c>Authorization: Bearer SECRET</c> (or <c>X-Api-Key</c>) where
/// the secret is a configured service key, an API key made by an admin, or a login session token.
/// Only SHA-256 digests are stored and compared; a secret never reaches a log.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<InventoryOptions> inventory,
    NpgsqlDataSource db,
    IMemoryCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>How long a database lookup of a key or session is reused; revocation on this node is immediate.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedSecret(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        var digest = Secrets.Digest(presented);
        var caller = Configured(digest) ?? await StoredAsync(digest);
        return caller is null
            ? AuthenticateResult.Fail("unknown or expired credentials")
            : AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));
    }

    private Caller? Configured(byte[] digest)
    {
        foreach (var key in inventory.Value.ApiKeys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, Secrets.Digest(key.Key)))
            {
                return new Caller(key.Name, key.Role, key.Districts, "service-key", null);
            }
        }

        return null;
    }

    private async Task<Caller?> StoredAsync(byte[] digest)
    {
        var cacheKey = CacheKey(digest);
        if (cache.TryGetValue(cacheKey, out Caller? cached))
        {
            return cached;
        }

        await using var connection = await db.OpenConnectionAsync(Context.RequestAborted);
        var key = await connection.QuerySingleOrDefaultAsync<IdentityRow>(
            new CommandDefinition(IdentitySql.ApiKey, new { hash = digest }, cancellationToken: Context.RequestAborted));
        var caller = key is null ? null : new Caller(key.Name, key.Role, key.Districts, "api-key", null);
        if (caller is null)
        {
            var session = await connection.QuerySingleOrDefaultAsync<IdentityRow>(
                new CommandDefinition(IdentitySql.Session, new { hash = digest }, cancellationToken: Context.RequestAborted));
            caller = session is null ? null : new Caller(session.Name, session.Role, session.Districts, "session", session.Purpose);
        }

        if (caller is not null)
        {
            cache.Set(cacheKey, caller, CacheFor);
        }

        return caller;
    }

    private sealed class IdentityRow
    {
        public string Name { get; init; } = string.Empty;
        public string Role { get; init; } = string.Empty;
        public string[] Districts { get; init; } = [];
        public string? Purpose { get; init; }
    }

    public static string CacheKey(byte[] digest) => "auth:" + Convert.ToHexString(digest);

    internal static string? PresentedSecret(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header[7..].Trim();
        }

        var apiKey = request.Headers["X-Api-Key"].ToString();
        return string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim();
    }
}
