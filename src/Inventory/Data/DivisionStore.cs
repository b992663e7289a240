using System.Text.Json;
using Dapper;
using CameraNet.Contracts;
using CameraNet.Inventory.Divisions;
using Npgsql;

namespace CameraNet.Inventory.Data;

public abstract record DivisionImportOutcome
{
    public sealed record Imported(DivisionImportResult Result) : DivisionImportOutcome;

    /// <summary>Nothing was changed; each entry names the feature (index and code) and the rule it broke.</summary>
    public sealed record Rejected(IReadOnlyList<string> Errors) : DivisionImportOutcome;
}

public sealed class DivisionStore(NpgsqlDataSource db, AuditLog audit)
{
    public const int MaxFeatures = 20_000;

    /// <summary>The outlines of one level of divisions for a map, and the extent of the districts.</summary>
    public async Task<DivisionShapes> ShapesAsync(DivisionLevel level, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var shapes = (await connection.QueryAsync<DivisionShape>(new CommandDefinition(DivisionSql.Shapes,
            new { level = (short)level, tolerance = level == DivisionLevel.District ? 0.002 : 0.0007 }, cancellationToken: cancellationToken))).ToList();
        var extent = await connection.QuerySingleAsync<DivisionExtent>(new CommandDefinition(DivisionSql.Extent, cancellationToken: cancellationToken));
        return new DivisionShapes(extent, shapes);
    }

    public async Task<IReadOnlyList<DivisionView>> ListAsync(DivisionLevel? level, string? parent, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DivisionView>(new CommandDefinition(
            DivisionSql.List, new { level = (short?)level, parent }, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<DivisionView?> GetAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DivisionView>(new CommandDefinition(DivisionSql.Get, new { code }, cancellationToken: cancellationToken));
    }

    /// <summary>Reads a GeoJSON FeatureCollection of division boundaries (properties: code, name, optional kind, synthetic).</summary>
    public static async Task<(List<DivisionFeature> Features, List<string> Errors)> ReadFeaturesAsync(Stream geoJson, CancellationToken cancellationToken)
    {
        var features = new List<DivisionFeature>();
        var errors = new List<string>();
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(geoJson, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            errors.Add($"the body is not valid JSON: {e.Message}");
            return (features, errors);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.GetString() != "FeatureCollection"
                || !root.TryGetProperty("features", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                errors.Add("the body must be a GeoJSON FeatureCollection with a 'features' array");
                return (features, errors);
            }

            if (list.GetArrayLength() > MaxFeatures)
            {
                errors.Add($"the collection has {list.GetArrayLength()} features; at most {MaxFeatures} are accepted in one upload");
                return (features, errors);
            }

            var index = 0;
            foreach (var feature in list.EnumerateArray())
            {
                var properties = feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
                string? Text(string name) =>
                    properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var v)
                        ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Number ? v.GetRawText() : null
                        : null;
                var synthetic = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("synthetic", out var s) && s.ValueKind == JsonValueKind.True;
                var geometry = feature.TryGetProperty("geometry", out var g) && g.ValueKind == JsonValueKind.Object ? g : default;
                var geometryType = geometry.ValueKind == JsonValueKind.Object && geometry.TryGetProperty("type", out var gt) ? gt.GetString() : null;
                features.Add(new DivisionFeature(index++, Text("code"), Text("name"), Text("kind"), synthetic,
                    geometry.ValueKind == JsonValueKind.Object ? geometry.GetRawText() : null, geometryType));
            }
        }

        return (features, errors);
    }

    /// <summary>Reads division boundaries from CSV: columns code, name, wkt (WGS-84), optional kind and synthetic.</summary>
    public static async Task<(List<DivisionFeature> Features, List<string> Errors)> ReadCsvAsync(Stream csv, CancellationToken cancellationToken)
    {
        var features = new List<DivisionFeature>();
        var errors = new List<string>();
        await using var reader = CsvHelper.CsvReader.Create(csv, new CsvHelper.CsvReaderOptions { HasHeader = true, Separator = ',', TrimWhitespace = true, AllowLineBreaksInQuotes = true }, leaveOpen: true);
        await reader.ReadHeaderAsync(cancellationToken);
        int Column(string name) => reader.Headers.ToList().FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        var (code, name, wkt, kind, synthetic) = (Column("code"), Column("name"), Column("wkt"), Column("kind"), Column("synthetic"));
        if (code < 0 || name < 0 || wkt < 0)
        {
            errors.Add("a division CSV needs the columns code, name and wkt (optional: kind, synthetic)");
            return (features, errors);
        }

        var index = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (index == MaxFeatures)
            {
                errors.Add($"the file has more than {MaxFeatures} rows");
                break;
            }

            string? Text(int column) => column >= 0 && column < reader.FieldCount ? reader.GetStringOrNull(column) is { Length: > 0 } v ? v : null : null;
            features.Add(new DivisionFeature(index++, Text(code), Text(name), Text(kind),
                string.Equals(Text(synthetic), "true", StringComparison.OrdinalIgnoreCase), null, null, Text(wkt)));
        }

        return (features, errors);
    }

    /// <summary>
    /// Validates every feature, then inserts or replaces all of them in one transaction: either the
    /// whole upload is applied or nothing is. Invalid polygons are repaired with ST_MakeValid and reported.
    /// </summary>
    public async Task<DivisionImportOutcome> ImportAsync(IReadOnlyList<DivisionFeature> features, Auth.Caller caller, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var madeValid = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var known = (await connection.QueryAsync<string>(new CommandDefinition("SELECT code FROM divisions WHERE level = 1", cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        var uploadedDistricts = features
            .Where(f => f.Code is { Length: 6 })
            .Select(f => f.Code!)
            .ToHashSet(StringComparer.Ordinal);

        foreach (var f in features)
        {
            var at = $"feature {f.Index}" + (f.Code is null ? string.Empty : $" (code {f.Code})");
            if (!DivisionCode.TryParse(f.Code, out var code, out var codeError))
            {
                errors.Add($"{at}: properties.code: {codeError}");
                continue;
            }

            if (!seen.Add(code.Value))
            {
                errors.Add($"{at}: code {code} appears more than once in the upload");
            }

            if (string.IsNullOrWhiteSpace(f.Name) || f.Name.Length > 100)
            {
                errors.Add($"{at}: properties.name is required (1–100 characters)");
            }

            if (code.Level == DivisionLevel.Township && !known.Contains(code.District.Value) && !uploadedDistricts.Contains(code.District.Value))
            {
                errors.Add($"{at}: its district {code.District} is neither registered nor in this upload");
            }

            if (f.GeometryWkt is null && (f.GeometryJson is null || f.GeometryType is not ("Polygon" or "MultiPolygon")))
            {
                errors.Add($"{at}: geometry must be a Polygon or MultiPolygon, not {f.GeometryType ?? "missing"}");
                continue;
            }

            try
            {
                var check = await connection.QuerySingleAsync<(bool Valid, string Reason, string Type, bool Empty)>(new CommandDefinition(
                    DivisionSql.CheckGeometry, new { geometry = f.GeometryJson, wkt = f.GeometryWkt }, cancellationToken: cancellationToken));
                if (check.Type is not ("ST_Polygon" or "ST_MultiPolygon"))
                {
                    errors.Add($"{at}: geometry must be a POLYGON or MULTIPOLYGON, not {check.Type}");
                }
                else if (check.Empty)
                {
                    errors.Add($"{at}: geometry is empty");
                }
                else if (!check.Valid)
                {
                    madeValid.Add($"{code}: {check.Reason}");
                }
            }
            catch (PostgresException e)
            {
                errors.Add($"{at}: geometry cannot be read: {e.MessageText}");
            }
        }

        if (errors.Count > 0)
        {
            return new DivisionImportOutcome.Rejected(errors);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int created = 0, updated = 0;

        // Districts first: townships reference them.
        foreach (var f in features.OrderBy(f => f.Code!.Length).ThenBy(f => f.Code, StringComparer.Ordinal))
        {
            var code = DivisionCode.Parse(f.Code);
            var inserted = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(DivisionSql.Upsert, new
            {
                code = code.Value,
                name = f.Name!.Trim(),
                level = (short)code.Level,
                kind = f.Kind ?? (code.Level == DivisionLevel.Township ? TownshipKind(code.Value) : null),
                parent = code.Level == DivisionLevel.Township ? code.District.Value : null,
                geometry = f.GeometryJson,
                wkt = f.GeometryWkt,
                synthetic = f.Synthetic,
            }, transaction, cancellationToken: cancellationToken));
            if (inserted)
            {
                created++;
            }
            else
            {
                updated++;
            }
        }

        // New boundaries can move cameras from one township to another; a camera now outside its district stays
        // where it is and is reported, since only a person can tell whether the camera or the boundary is wrong.
        var districts = features.Select(f => f.Code![..6]).Distinct().ToArray();
        var moved = (await connection.QueryAsync<string>(new CommandDefinition(DivisionSql.ReassignTownships, new { districts, actor = caller.Name }, transaction, cancellationToken: cancellationToken))).ToList();
        var outside = (await connection.QueryAsync<string>(new CommandDefinition(DivisionSql.CamerasOutsideDistrict, new { districts }, transaction, cancellationToken: cancellationToken))).ToList();
        var result = new DivisionImportResult(
            features.Count(f => f.Code!.Length == 6), features.Count(f => f.Code!.Length == 9), created, updated, madeValid,
            moved.Count, [.. moved.Take(100)], outside.Count, [.. outside.Take(100)]);
        await audit.WriteAsync(caller, new AuditEntry("divisions.import", null, districts, Details: new { created, updated, madeValid = madeValid.Count, moved = moved.Count, outside = outside.Count }),
            connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new DivisionImportOutcome.Imported(result);
    }

    /// <summary>NBS coding rule for township-level units: 001–099 街道, 100–199 镇, 200–399 乡, other units above.</summary>
    public static string TownshipKind(string code) => int.Parse(code.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture) switch
    {
        < 100 => "街道",
        < 200 => "镇",
        < 400 => "乡",
        _ => "other",
    };

    public async Task<int> CountDistrictsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(DivisionSql.CountDistricts, cancellationToken: cancellationToken));
    }
}

public sealed class DivisionShape
{
    public string Code { get; init; } = string.Empty;
    public string Name { get; init; } = string.Empty;
    public string? ParentCode { get; init; }

    /// <summary>SVG path data in degrees, y = −latitude.</summary>
    public string Path { get; init; } = string.Empty;
}

public sealed class DivisionExtent
{
    public double? MinX { get; init; }
    public double? MinY { get; init; }
    public double? MaxX { get; init; }
    public double? MaxY { get; init; }
}

public sealed record DivisionShapes(DivisionExtent Extent, IReadOnlyList<DivisionShape> Divisions);
