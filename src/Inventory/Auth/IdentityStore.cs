using CameraNet.Contracts;
using CameraNet.Inventory.Data;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace CameraNet.Inventory.Auth;

public sealed class UserView
{
    public string Username { get; init; } = string.Empty;
    public string DisplayName { get; init; } = string.Empty;
    public string Role { get; init; } = string.Empty;
    public string[] Districts { get; init; } = [];
    public bool Disabled { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed class ApiKeyView
{
    public long Id { get; init; }
    public string Name { get; init; } = string.Empty;
    public string Role { get; init; } = string.Empty;
    public string[] Districts { get; init; } = [];
    public string CreatedBy { get; init; } = string.Empty;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

public sealed record NewUser(string? Username, string? DisplayName, string? Role, string[]? Districts, string? Password);

public sealed record UserChange(string? DisplayName, string? Role, string[]? Districts, bool? Disabled);

public sealed record NewApiKey(string? Name, string? Role, string[]? Districts);

public sealed record Login(string? Username, string? Password, string? Purpose);

public sealed record LoginResult(string Token, DateTimeOffset ExpiresAt, string Username, string Role, string[] Districts);

/// <summary>People, their sessions, and API keys for services.</summary>
public sealed class IdentityStore(NpgsqlDataSource db, IMemoryCache cache, TimeProvider clock)
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    private static readonly HashSet<string> PersonRoles = new(StringComparer.Ordinal) { Roles.Admin, Roles.Operator, Roles.Analyst, Roles.Viewer };

    /// <summary>Field rules shared by users and keys: the role exists and the districts are 6-digit codes.</summary>
    public static void CheckRoleAndDistricts(string? role, string[]? districts, IReadOnlySet<string> allowedRoles, FieldErrors errors)
    {
        if (role is null || !allowedRoles.Contains(role))
        {
            errors.Add("role", $"role must be one of {string.Join(", ", allowedRoles.Order())}");
        }

        foreach (var d in districts ?? [])
        {
            if (!DivisionCode.TryParse(d, out var code) || code.Level != DivisionLevel.District)
            {
                errors.Add("districts", $"'{d}' is not a 6-digit district code");
            }
        }
    }

    public static FieldErrors Validate(NewUser user)
    {
        var errors = new FieldErrors();
        if (user.Username is null || !System.Text.RegularExpressions.Regex.IsMatch(user.Username, "^[a-z0-9][a-z0-9._-]{1,62}$"))
        {
            errors.Add("username", "username must be 2–63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        if (string.IsNullOrWhiteSpace(user.DisplayName) || user.DisplayName.Length > 100)
        {
            errors.Add("displayName", "displayName is required (1–100 characters)");
        }

        CheckRoleAndDistricts(user.Role, user.Districts, PersonRoles, errors);
        if (Secrets.PasswordProblem(user.Password, user.Username ?? string.Empty) is { } problem)
        {
            errors.Add("password", problem);
        }

        return errors;
    }

    public async Task<bool> CreateUserAsync(NewUser user, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<string?>(new CommandDefinition(IdentitySql.InsertUser, new
        {
            username = user.Username,
            displayName = user.DisplayName!.Trim(),
            role = user.Role,
            districts = user.Districts ?? [],
            passwordHash = Secrets.HashPassword(user.Password!),
        }, transaction, cancellationToken: cancellationToken)) is not null;

    public async Task<bool> UpdateUserAsync(string username, UserChange change, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var found = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(IdentitySql.UpdateUser, new
        {
            username,
            displayName = change.DisplayName?.Trim(),
            role = change.Role,
            districts = change.Districts,
            disabled = change.Disabled,
        }, transaction, cancellationToken: cancellationToken)) is not null;
        if (found && (change.Role is not null || change.Districts is not null || change.Disabled == true))
        {
            // Rights changed: the user logs in again, so no session keeps the old ones.
            await connection.ExecuteAsync(new CommandDefinition(IdentitySql.EndSessionsOfUser, new { username }, transaction, cancellationToken: cancellationToken));
        }

        return found;
    }

    public async Task SetPasswordAsync(string username, string password, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(IdentitySql.SetPassword, new { username, passwordHash = Secrets.HashPassword(password) }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(IdentitySql.EndSessionsOfUser, new { username }, transaction, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<UserView>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<UserView>(new CommandDefinition(IdentitySql.ListUsers, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<UserView?> GetUserAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserView>(new CommandDefinition(IdentitySql.GetUser, new { username }, cancellationToken: cancellationToken));
    }

    /// <summary>Checks a password; on success opens a session and returns its token (shown once, stored as a digest).</summary>
    public async Task<LoginResult?> LoginAsync(Login login, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var user = await connection.QuerySingleOrDefaultAsync<LoginRow>(new CommandDefinition(IdentitySql.UserForLogin, new { username = login.Username }, cancellationToken: cancellationToken));

        // Verify against a dummy hash when the user does not exist, so timing does not reveal which names exist.
        var ok = Secrets.VerifyPassword(login.Password ?? string.Empty, user?.PasswordHash ?? DummyHash.Value) && user is { Disabled: false };
        if (!ok)
        {
            return null;
        }

        var token = Secrets.NewToken();
        var expires = clock.GetUtcNow() + SessionLifetime;
        await connection.ExecuteAsync(new CommandDefinition(IdentitySql.CreateSession, new
        {
            hash = Secrets.Digest(token),
            username = user!.Username,
            expires,
            purpose = string.IsNullOrWhiteSpace(login.Purpose) ? null : login.Purpose.Trim(),
        }, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(IdentitySql.DeleteExpiredSessions, cancellationToken: cancellationToken));
        return new LoginResult(token, expires, user.Username, user.Role, user.Districts);
    }

    public async Task<string?> LogoutAsync(string token, CancellationToken cancellationToken)
    {
        var digest = Secrets.Digest(token);
        cache.Remove(BearerAuthenticationHandler.CacheKey(digest));
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(IdentitySql.DeleteSession, new { hash = digest }, cancellationToken: cancellationToken));
    }

    public static FieldErrors Validate(NewApiKey key)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(key.Name) || key.Name.Length > 100)
        {
            errors.Add("name", "name is required (1–100 characters)");
        }

        CheckRoleAndDistricts(key.Role, key.Districts, Roles.All, errors);
        return errors;
    }

    /// <summary>Makes a key; returns it in clear exactly once (only its digest is stored), or null if the name is taken.</summary>
    public async Task<(long Id, string Key)?> CreateApiKeyAsync(NewApiKey key, string createdBy, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var secret = Secrets.NewToken();
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(IdentitySql.InsertApiKey, new
        {
            name = key.Name!.Trim(),
            hash = Secrets.Digest(secret),
            role = key.Role,
            districts = key.Districts ?? [],
            createdBy,
        }, transaction, cancellationToken: cancellationToken));
        return id is { } value ? (value, secret) : null;
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListApiKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ApiKeyView>(new CommandDefinition(IdentitySql.ListApiKeys, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<bool> RevokeApiKeyAsync(long id, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var hash = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(IdentitySql.RevokeApiKey, new { id }, transaction, cancellationToken: cancellationToken));
        if (hash is not null)
        {
            cache.Remove(BearerAuthenticationHandler.CacheKey(Convert.FromBase64String(hash)));
        }

        return hash is not null;
    }

    private static readonly Lazy<string> DummyHash = new(() => Secrets.HashPassword(Guid.NewGuid().ToString()));

    private sealed class LoginRow
    {
        public string Username { get; init; } = string.Empty;
        public string Role { get; init; } = string.Empty;
        public string[] Districts { get; init; } = [];
        public string PasswordHash { get; init; } = string.Empty;
        public bool Disabled { get; init; }
    }
}
