using System.Text.Json;
using CameraNet.Inventory.Auth;
using Dapper;
using Npgsql;

namespace CameraNet.Inventory.Data;

/// <summary>One line of the audit log: who did what to what, when, why, and how it ended.</summary>
public sealed record AuditEntry(
    string Action,
    string? Target,
    IReadOnlyList<string>? Districts = null,
    string? Purpose = null,
    string Outcome = "ok",
    object? Details = null);

public sealed class AuditView
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string Actor { get; init; } = string.Empty;
    public string Role { get; init; } = string.Empty;
    public string Action { get; init; } = string.Empty;
    public string? Target { get; init; }
    public string[] Districts { get; init; } = [];
    public string? Purpose { get; init; }
    public string Outcome { get; init; } = string.Empty;
    public string? Client { get; init; }
    public string? Details { get; init; }
}

/// <summary>
/// Writes to the append-only audit log, inside the caller's transaction when there is one, so an
/// action and its audit record are stored together or not at all.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource db, IHttpContextAccessor http)
{
    private const string Insert = """
        INSERT INTO audit_log (actor, role, action, target, districts, purpose, outcome, client, details)
        VALUES (@actor, @role, @action, @target, @districts, @purpose, @outcome, @client, @details::jsonb)
        """;

    private const string List = """
        SELECT id, at, actor, role, action, target, districts, purpose, outcome, client, details::text AS details
          FROM audit_log
         WHERE (@before IS NULL OR id < @before)
           AND (@actor IS NULL OR actor = @actor)
           AND (@action IS NULL OR action = @action)
           AND (@target IS NULL OR target = @target)
         ORDER BY id DESC
         LIMIT @limit
        """;

    public Task WriteAsync(Caller caller, AuditEntry entry, CancellationToken cancellationToken) =>
        WriteAsync(caller, entry, null, null, cancellationToken);

    public async Task WriteAsync(Caller caller, AuditEntry entry, NpgsqlConnection? connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var parameters = new
        {
            actor = caller.Name,
            role = caller.Role,
            action = entry.Action,
            target = entry.Target,
            districts = (entry.Districts ?? []).ToArray(),
            purpose = entry.Purpose ?? caller.Purpose,
            outcome = entry.Outcome,
            client = http.HttpContext?.Connection.RemoteIpAddress?.ToString(),
            details = entry.Details is null ? null : JsonSerializer.Serialize(entry.Details, JsonSerializerOptions.Web),
        };
        if (connection is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(Insert, parameters, transaction, cancellationToken: cancellationToken));
            return;
        }

        await using var own = await db.OpenConnectionAsync(cancellationToken);
        await own.ExecuteAsync(new CommandDefinition(Insert, parameters, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<AuditView>> ListAsync(long? before, string? actor, string? action, string? target, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<AuditView>(new CommandDefinition(List, new { before, actor, action, target, limit }, cancellationToken: cancellationToken))).ToList();
    }
}
