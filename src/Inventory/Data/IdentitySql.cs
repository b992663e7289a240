namespace CameraNet.Inventory.Data;

/// <summary>SQL of users, sessions and API keys.</summary>
public static class IdentitySql
{
    public const string Session = """
        SELECT u.username AS name, u.role, u.districts, s.purpose
          FROM sessions s JOIN users u USING (username)
         WHERE s.token_hash = @hash AND s.expires_at > now() AND NOT u.disabled
        """;

    public const string ApiKey = """
        SELECT name, role, districts FROM api_keys WHERE key_hash = @hash AND revoked_at IS NULL
        """;

    public const string UserForLogin = "SELECT username, role, districts, password_hash AS passwordHash, disabled FROM users WHERE username = @username";

    public const string CreateSession = """
        INSERT INTO sessions (token_hash, username, expires_at, purpose) VALUES (@hash, @username, @expires, @purpose)
        """;

    public const string DeleteSession = "DELETE FROM sessions WHERE token_hash = @hash RETURNING username";

    public const string DeleteExpiredSessions = "DELETE FROM sessions WHERE expires_at < now()";

    public const string InsertUser = """
        INSERT INTO users (username, display_name, role, districts, password_hash)
        VALUES (@username, @displayName, @role, @districts, @passwordHash)
        ON CONFLICT (username) DO NOTHING
        RETURNING username
        """;

    public const string UpdateUser = """
        UPDATE users SET display_name = coalesce(@displayName, display_name), role = coalesce(@role, role),
               districts = coalesce(@districts, districts), disabled = coalesce(@disabled, disabled), updated_at = now()
         WHERE username = @username
        RETURNING username
        """;

    public const string SetPassword = "UPDATE users SET password_hash = @passwordHash, updated_at = now() WHERE username = @username";

    public const string EndSessionsOfUser = "DELETE FROM sessions WHERE username = @username";

    public const string ListUsers = """
        SELECT username, display_name AS displayName, role, districts, disabled, created_at AS createdAt, updated_at AS updatedAt
          FROM users ORDER BY username
        """;

    public const string GetUser = """
        SELECT username, display_name AS displayName, role, districts, disabled, created_at AS createdAt, updated_at AS updatedAt
          FROM users WHERE username = @username
        """;

    public const string InsertApiKey = """
        INSERT INTO api_keys (name, key_hash, role, districts, created_by) VALUES (@name, @hash, @role, @districts, @createdBy)
        ON CONFLICT (name) DO NOTHING
        RETURNING id
        """;

    public const string ListApiKeys = """
        SELECT id, name, role, districts, created_by AS createdBy, created_at AS createdAt, revoked_at AS revokedAt FROM api_keys ORDER BY id
        """;

    public const string RevokeApiKey = "UPDATE api_keys SET revoked_at = now() WHERE id = @id AND revoked_at IS NULL RETURNING encode(key_hash, 'base64')";
}
