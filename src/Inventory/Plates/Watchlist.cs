using CameraNet.Contracts;
using Dapper;
using Npgsql;

namespace CameraNet.Inventory.Plates;

public sealed class WatchlistEntry
{
    public long Id { get; init; }
    public string Pattern { get; init; } = string.Empty;
    public string Reason { get; init; } = string.Empty;
    public string Owner { get; init; } = string.Empty;
    public string[] Districts { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? RemovedAt { get; init; }
    public string? RemovedBy { get; init; }

    /// <summary>Whether a capture in <paramref name="district"/> with <paramref name="plate"/> at <paramref name="at"/> hits this entry.</summary>
    public bool Hits(string plate, string district, DateTimeOffset at, PlatePattern pattern) =>
        RemovedAt is null && at < ExpiresAt && (Districts.Length == 0 || Districts.Contains(district)) && pattern.IsMatch(plate);
}

/// <summary>Watchlist entries in Postgres.</summary>
public sealed class WatchlistStore(NpgsqlDataSource db)
{
    private const string Columns = "id, pattern, reason, owner, districts, created_at AS createdAt, expires_at AS expiresAt, removed_at AS removedAt, removed_by AS removedBy";

    public async Task<WatchlistEntry> AddAsync(string pattern, string reason, string owner, string[] districts, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<WatchlistEntry>(new CommandDefinition(
            $"INSERT INTO watchlist_entries (pattern, reason, owner, districts, expires_at) VALUES (@pattern, @reason, @owner, @districts, @expiresAt) RETURNING {Columns}",
            new { pattern, reason, owner, districts, expiresAt }, cancellationToken: cancellationToken));
    }

    /// <summary>Entries in force (not removed, not expired); of one owner, or everyone's when <paramref name="owner"/> is null.</summary>
    public async Task<IReadOnlyList<WatchlistEntry>> ActiveAsync(string? owner, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<WatchlistEntry>(new CommandDefinition(
            $"SELECT {Columns} FROM watchlist_entries WHERE removed_at IS NULL AND expires_at > now() AND (@owner IS NULL OR owner = @owner) ORDER BY id",
            new { owner }, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<WatchlistEntry?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WatchlistEntry>(new CommandDefinition(
            $"SELECT {Columns} FROM watchlist_entries WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<bool> RemoveAsync(long id, string by, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE watchlist_entries SET removed_at = now(), removed_by = @by WHERE id = @id AND removed_at IS NULL",
            new { id, by }, cancellationToken: cancellationToken)) == 1;
    }
}
