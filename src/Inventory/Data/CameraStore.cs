using Dapper;
using CameraNet.Contracts;
using CameraNet.Inventory.Cameras;
using Npgsql;

namespace CameraNet.Inventory.Data;

/// <summary>Outcome of a registration: the stored camera, or what is wrong with the request.</summary>
public abstract record RegistrationResult
{
    public sealed record Created(CameraView Camera) : RegistrationResult;

    public sealed record Invalid(Dictionary<string, List<string>> Errors) : RegistrationResult;

    public sealed record Duplicate(string Id) : RegistrationResult;
}

public sealed class CameraStore(NpgsqlDataSource db)
{
    public async Task<RegistrationResult> RegisterAsync(ValidCamera camera, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var errors = new Dictionary<string, List<string>>();

        // The ID's centre code must belong to a division we know, or the ID was typed wrong.
        var idDistrict = camera.Id.DistrictCode;
        if (await LevelOf(connection, idDistrict, cancellationToken) is null)
        {
            CameraValidator.Add(errors, "id", $"device ID {camera.Id}: its centre code starts with {idDistrict}, which is not a known district");
        }

        var districtLevel = await LevelOf(connection, camera.District.Value, cancellationToken);
        if (districtLevel is null)
        {
            CameraValidator.Add(errors, "districtCode", $"district {camera.District} does not exist");
        }

        if (camera.Township is { } given && await LevelOf(connection, given.Value, cancellationToken) is null)
        {
            CameraValidator.Add(errors, "townshipCode", $"township {given} does not exist");
        }

        string? township = camera.Township?.Value;
        if (districtLevel is not null)
        {
            var covering = (await connection.QueryAsync<(string Code, short Level)>(new CommandDefinition(
                DivisionSql.Locate, new { lon = camera.Longitude, lat = camera.Latitude }, cancellationToken: cancellationToken))).ToList();
            var inDistrict = covering.FirstOrDefault(c => c.Level == 1).Code;
            var inTownship = covering.FirstOrDefault(c => c.Level == 2).Code;
            var where = $"({camera.Longitude:0.######}, {camera.Latitude:0.######})";
            if (inDistrict != camera.District.Value)
            {
                CameraValidator.Add(errors, "location", inDistrict is null
                    ? $"location {where} lies outside every known district, not in {camera.District}"
                    : $"location {where} lies in district {inDistrict}, not in the stated district {camera.District}");
            }
            else if (township is not null && inTownship != township)
            {
                CameraValidator.Add(errors, "townshipCode", inTownship is null
                    ? $"location {where} lies in no township of {camera.District}, so it cannot be in {township}"
                    : $"location {where} lies in township {inTownship}, not in the stated township {township}");
            }
            else if (township is null)
            {
                township = inTownship;
                if (township is null)
                {
                    CameraValidator.Add(errors, "townshipCode", $"no township of {camera.District} contains location {where}; give townshipCode explicitly");
                }
            }
        }

        if (errors.Count > 0)
        {
            return new RegistrationResult.Invalid(errors);
        }

        var inserted = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(CameraSql.Insert, new
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
            DecodeMode = Db.Text(camera.DecodeMode),
            AnalysisFps = (float?)camera.AnalysisFps,
            camera.InstallDate,
            camera.OwnerUnit,
        }, cancellationToken: cancellationToken));
        if (inserted is null)
        {
            return new RegistrationResult.Duplicate(camera.Id.Value);
        }

        var view = await GetAsync(connection, camera.Id.Value, cancellationToken);
        return new RegistrationResult.Created(view!);
    }

    public async Task<CameraView?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await GetAsync(connection, id, cancellationToken);
    }

    private static Task<CameraView?> GetAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<CameraView>(new CommandDefinition(CameraSql.Get, new { id }, cancellationToken: cancellationToken));

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

    public async Task<IReadOnlyList<IngestCamera>> ForIngestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<IngestRow>(new CommandDefinition(CameraSql.ForIngest, cancellationToken: cancellationToken));
        return rows.Select(r => new IngestCamera(r.Id, r.Name, r.DistrictCode, r.TownshipCode, r.Kind, r.MainStreamUrl, r.SubStreamUrl, r.DecodeMode, r.AnalysisFps, r.Version)).ToList();
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
    }

    private static Task<short?> LevelOf(NpgsqlConnection connection, string code, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<short?>(new CommandDefinition(DivisionSql.Exists, new { code }, cancellationToken: cancellationToken));
}

public sealed record CameraFilter(string? After, string? District, string? Township, CameraKind? Kind, string? Status, string? Query, int Limit);
