using CameraNet.Contracts;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Cameras;
using Dapper;
using Npgsql;

namespace CameraNet.Inventory.Data;

/// <summary>Outcome of a write: the stored camera, or why nothing was stored.</summary>
public abstract record CameraWrite
{
    public sealed record Stored(CameraView Camera) : CameraWrite;

    public sealed record Invalid(FieldErrors Errors) : CameraWrite;

    public sealed record Duplicate(string Id) : CameraWrite;

    public sealed record NotFound(string Id) : CameraWrite;

    /// <summary>Someone changed the camera since the caller read it.</summary>
    public sealed record VersionConflict(string Id, int Current) : CameraWrite;

    public sealed record OutsideScope(string District) : CameraWrite;

    /// <summary>The camera is already in the requested state.</summary>
    public sealed record Unchanged(CameraView Camera) : CameraWrite;
}

/// <summary>
/// The camera register. Every write and its audit record commit together; every replaced or retired
/// version is kept in camera_history (without credentials).
/// </summary>
public sealed class CameraStore(NpgsqlDataSource db, CredentialProtector protector, ContentHash hashes, AuditLog audit)
{
    private sealed class ContextRow
    {
        public bool IdDistrictKnown { get; init; }
        public short? DistrictLevel { get; init; }
        public short? TownshipLevel { get; init; }
        public string? InDistrict { get; init; }
        public string? InTownship { get; init; }
    }

    /// <summary>The rules that need the register: known divisions and the location inside them. Returns the township.</summary>
    private static async Task<string?> CheckAgainstRegisterAsync(NpgsqlConnection connection, ValidCamera camera, FieldErrors errors, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleAsync<ContextRow>(new CommandDefinition(CameraSql.Context, new
        {
            idDistrict = camera.Id.DistrictCode,
            district = camera.District.Value,
            township = camera.Township?.Value,
            lon = camera.Longitude,
            lat = camera.Latitude,
        }, cancellationToken: cancellationToken));

        if (!row.IdDistrictKnown)
        {
            errors.Add("id", "id.centre", $"device ID {camera.Id}: its centre code starts with {camera.Id.DistrictCode}, which is not a known district");
        }

        if (row.DistrictLevel is null)
        {
            errors.Add("districtCode", "districtCode.unknown", $"district {camera.District} does not exist");
            return null;
        }

        if (camera.Township is { } given && row.TownshipLevel is null)
        {
            errors.Add("townshipCode", "townshipCode.unknown", $"township {given} does not exist");
            return null;
        }

        var where = FormattableString.Invariant($"({camera.Longitude:0.######}, {camera.Latitude:0.######})");
        if (row.InDistrict != camera.District.Value)
        {
            errors.Add("location", "location.district", row.InDistrict is null
                ? $"location {where} lies outside every known district, not in {camera.District}"
                : $"location {where} lies in district {row.InDistrict}, not in the stated district {camera.District}");
            return null;
        }

        if (camera.Township is { } stated)
        {
            if (row.InTownship != stated.Value)
            {
                errors.Add("location", "location.township", row.InTownship is null
                    ? $"location {where} lies in no township of {camera.District}, so it cannot be in {stated}"
                    : $"location {where} lies in township {row.InTownship}, not in the stated township {stated}");
                return null;
            }

            return stated.Value;
        }

        if (row.InTownship is null)
        {
            errors.Add("location", "location.township", $"no township of {camera.District} contains location {where}; give townshipCode explicitly");
        }

        return row.InTownship;
    }

    private object Parameters(ValidCamera camera, string township, string actor, int? expectedVersion = null)
    {
        byte[]? credentials = null;
        long? credentialsHash = null;
        if (camera.HasNewCredentials)
        {
            var clear = new CameraCredentials(camera.Username!, camera.Password!);
            credentials = protector.Protect(camera.Id.Value, clear);
            credentialsHash = hashes.OfCredentials(camera.Id.Value, clear);
        }

        return new
        {
            Id = camera.Id.Value,
            camera.Name,
            Kind = Db.Text(camera.Kind),
            DistrictCode = camera.District.Value,
            TownshipCode = township,
            camera.Longitude,
            camera.Latitude,
            camera.Azimuth,
            camera.FieldOfView,
            camera.Range,
            camera.MainStreamUrl,
            camera.SubStreamUrl,
            Credentials = credentials,
            CredentialsHash = credentialsHash,
            camera.ClearCredentials,
            DecodeMode = Db.Text(camera.DecodeMode),
            AnalysisFps = (float?)camera.AnalysisFps,
            camera.InstallDate,
            camera.OwnerUnit,
            ContentHash = ContentHash.Of(camera, township),
            Actor = actor,
            ExpectedVersion = expectedVersion,
        };
    }

    public async Task<CameraWrite> RegisterAsync(ValidCamera camera, Caller caller, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var errors = new FieldErrors();
        var township = await CheckAgainstRegisterAsync(connection, camera, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return new CameraWrite.Invalid(errors);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var view = await connection.QuerySingleOrDefaultAsync<CameraView>(new CommandDefinition(
            CameraSql.Insert, Parameters(camera, township!, caller.Name), transaction, cancellationToken: cancellationToken));
        if (view is null)
        {
            return new CameraWrite.Duplicate(camera.Id.Value);
        }

        await audit.WriteAsync(caller, new AuditEntry("camera.register", view.Id, [view.DistrictCode],
            Details: new { view.Name, view.Kind, view.TownshipCode, view.HasCredentials }), connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CameraWrite.Stored(view);
    }

    /// <summary>Replaces a camera's registration; the caller must act on both the old and the new district.</summary>
    public async Task<CameraWrite> UpdateAsync(ValidCamera camera, int? expectedVersion, Caller caller, Func<string, bool> mayActOn, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var errors = new FieldErrors();
        var township = await CheckAgainstRegisterAsync(connection, camera, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return new CameraWrite.Invalid(errors);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.QuerySingleOrDefaultAsync<CameraView>(new CommandDefinition(CameraSql.GetForUpdate, new { id = camera.Id.Value }, transaction, cancellationToken: cancellationToken));
        if (before is null)
        {
            return new CameraWrite.NotFound(camera.Id.Value);
        }

        if (!mayActOn(before.DistrictCode))
        {
            return new CameraWrite.OutsideScope(before.DistrictCode);
        }

        if (expectedVersion is { } expected && expected != before.Version)
        {
            return new CameraWrite.VersionConflict(before.Id, before.Version);
        }

        await WriteHistoryAsync(connection, transaction, before, "updated", caller.Name, cancellationToken);
        var after = await connection.QuerySingleAsync<CameraView>(new CommandDefinition(
            CameraSql.Update, Parameters(camera, township!, caller.Name, before.Version), transaction, cancellationToken: cancellationToken));
        await audit.WriteAsync(caller, new AuditEntry("camera.update", after.Id, [.. new[] { before.DistrictCode, after.DistrictCode }.Distinct()],
            Details: new { from = before.Version, to = after.Version, credentials = camera.HasNewCredentials ? "replaced" : camera.ClearCredentials ? "cleared" : "kept" }),
            connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CameraWrite.Stored(after);
    }

    /// <summary>Retires (soft-deletes) or reactivates a camera; history keeps the version before.</summary>
    public async Task<CameraWrite> SetStatusAsync(string id, bool retire, string? reason, Caller caller, Func<string, bool> mayActOn, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.QuerySingleOrDefaultAsync<CameraView>(new CommandDefinition(CameraSql.GetForUpdate, new { id }, transaction, cancellationToken: cancellationToken));
        if (before is null)
        {
            return new CameraWrite.NotFound(id);
        }

        if (!mayActOn(before.DistrictCode))
        {
            return new CameraWrite.OutsideScope(before.DistrictCode);
        }

        var status = retire ? "retired" : "active";
        if (before.Status == status)
        {
            return new CameraWrite.Unchanged(before);
        }

        await WriteHistoryAsync(connection, transaction, before, retire ? "retired" : "reactivated", caller.Name, cancellationToken);
        var after = await connection.QuerySingleAsync<CameraView>(new CommandDefinition(
            CameraSql.SetStatus, new { id, status, reason = retire ? reason : null, actor = caller.Name }, transaction, cancellationToken: cancellationToken));
        await audit.WriteAsync(caller, new AuditEntry(retire ? "camera.retire" : "camera.reactivate", id, [before.DistrictCode], Details: new { reason }),
            connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CameraWrite.Stored(after);
    }

    private static Task WriteHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CameraView before, string change, string actor, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(CameraSql.InsertHistory, new { id = before.Id, change, actor }, transaction, cancellationToken: cancellationToken));

    public async Task<IReadOnlyList<CameraHistoryEntry>> HistoryAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CameraHistoryEntry>(new CommandDefinition(CameraSql.History, new { id }, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<CameraView?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CameraView>(new CommandDefinition(CameraSql.Get, new { id }, cancellationToken: cancellationToken));
    }

    public async Task<CameraPage> ListAsync(CameraFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<CameraView>(new CommandDefinition(CameraSql.List, new
        {
            after = filter.After,
            district = filter.District,
            township = filter.Township,
            kind = filter.Kind is { } k ? Db.Text(k) : null,
            status = filter.Status,
            health = filter.Health,
            q = string.IsNullOrWhiteSpace(filter.Query) ? null : filter.Query.Trim(),
            limit = filter.Limit + 1,
        }, cancellationToken: cancellationToken))).ToList();
        var more = rows.Count > filter.Limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        return new CameraPage(rows, more ? rows[^1].Id : null);
    }

    public async Task<IReadOnlyList<IngestCamera>> ForIngestAsync(string[]? districts, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<IngestRow>(new CommandDefinition(CameraSql.ForIngest, new { districts }, cancellationToken: cancellationToken));
        return rows.Select(r => new IngestCamera(r.Id, r.Name, r.DistrictCode, r.TownshipCode, r.Kind, r.MainStreamUrl, r.SubStreamUrl, r.DecodeMode, r.AnalysisFps, r.Version, r.HasCredentials)).ToList();
    }

    /// <summary>A number that changes whenever the cameras to pull may have changed (for ETags).</summary>
    public async Task<long> IngestMarkerAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(CameraSql.IngestMarker, cancellationToken: cancellationToken)) ?? 0;
    }

    /// <summary>Decrypts one camera's credentials for an ingest worker; audited by the caller.</summary>
    public async Task<CameraCredentials?> CredentialsAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var blob = await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(CameraSql.Credentials, new { id }, cancellationToken: cancellationToken));
        return blob is null ? null : protector.Unprotect(id, blob);
    }

    /// <summary>Re-encrypts every stored credential still under an older key with the current key, in batches.</summary>
    public async Task<int> RotateCredentialsAsync(Caller caller, CancellationToken cancellationToken)
    {
        var total = 0;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var batch = (await connection.QueryAsync<(string Id, byte[] Credentials)>(new CommandDefinition(
                CameraSql.CredentialsToRotate, new { currentKeyId = protector.CurrentKeyId, limit = 1000 }, transaction, cancellationToken: cancellationToken))).ToList();
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var (id, blob) in batch)
            {
                var reencrypted = protector.Protect(id, protector.Unprotect(id, blob));
                await connection.ExecuteAsync(new CommandDefinition(CameraSql.SetCredentials, new { id, credentials = reencrypted }, transaction, cancellationToken: cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
            total += batch.Count;
        }

        await audit.WriteAsync(caller, new AuditEntry("credentials.rotate", null, Details: new { reencrypted = total, key = protector.CurrentKeyId }), cancellationToken);
        return total;
    }

    /// <summary>Dapper fills properties (with the enum handlers); the contract record has only a constructor.</summary>
    private sealed class IngestRow
    {
        public string Id { get; init; } = string.Empty;
        public string Name { get; init; } = string.Empty;
        public string DistrictCode { get; init; } = string.Empty;
        public string TownshipCode { get; init; } = string.Empty;
        public CameraKind Kind { get; init; }
        public string MainStreamUrl { get; init; } = string.Empty;
        public string? SubStreamUrl { get; init; }
        public DecodeMode DecodeMode { get; init; }
        public double? AnalysisFps { get; init; }
        public int Version { get; init; }
        public bool HasCredentials { get; init; }
    }
}

public sealed record CameraFilter(string? After, string? District, string? Township, CameraKind? Kind, string? Status, string? Query, int Limit, string? Health = null);
