using System.Globalization;
using System.Text;
using System.Text.Json;
using CameraNet.Contracts;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Coverage;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using NetTopologySuite.Features;
using NetTopologySuite.IO.Converters;
using Npgsql;

namespace CameraNet.Inventory.Api;

/// <summary>Coverage per district and township (JSON or CSV), blind spots (GeoJSON), and daily history.</summary>
public static class CoverageApi
{
    private static readonly JsonSerializerOptions GeoJson = CreateGeoJsonOptions();

    public static RouteGroupBuilder MapCoverageApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/coverage").WithTags("Coverage").RequireAuthorization(Policies.ReadRegister);
        group.MapGet("/districts", (CoverageEngine engine, HttpContext context, CancellationToken ct, string? format) =>
            ReportAsync(engine.ReportAsync(null, 1, ct), format, context));
        group.MapGet("/districts/{code}/townships", async (string code, CoverageEngine engine, HttpContext context, CancellationToken ct, string? format) =>
            !DivisionCode.TryParse(code, out var district) || district.Level != DivisionLevel.District
                ? Problems.NotFound($"district '{code}'")
                : await ReportAsync(engine.ReportAsync(code, 2, ct), format, context));
        group.MapGet("/{code}/blind-spots", BlindSpotsAsync);
        group.MapGet("/{code}/history", HistoryAsync);
        return group;
    }

    private static async Task<IResult> ReportAsync(Task<CoverageReport> report, string? format, HttpContext context)
    {
        var result = await report;
        if (string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase))
        {
            // With a byte-order mark: spreadsheet programs otherwise read the Chinese names as the local code page.
            return TypedResults.Text("\uFEFF" + Csv(result), "text/csv; charset=utf-8", Encoding.UTF8);
        }

        if (format is not null && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            var errors = new FieldErrors();
            errors.Add("format", $"format '{format}' must be json or csv");
            return Problems.Invalid(errors);
        }

        return TypedResults.Ok(result);
    }

    public static string Csv(CoverageReport report)
    {
        var kinds = Enum.GetValues<CameraKind>().Select(Data.Db.Text).ToList();
        var text = new StringBuilder();
        text.AppendLine("code,name,level,parentCode,areaKm2,cameras," + string.Join(',', kinds) +
                        ",online,notOnline,retired,camerasPerKm2,onlineRatio,coveragePct,effectiveCoveragePct,coveredKm2");
        foreach (var r in report.Divisions)
        {
            text.AppendJoin(',', new[] { r.Code, Quote(r.Name), r.Level, r.ParentCode ?? string.Empty, F(r.AreaKm2), F(r.Cameras) }
                .Concat(kinds.Select(k => F(r.CamerasByKind[k])))
                .Concat([F(r.Online), F(r.NotOnline), F(r.Retired), F(r.CamerasPerKm2), F(r.OnlineRatio), F(r.CoveragePct), F(r.EffectiveCoveragePct), F(r.CoveredKm2)]));
            text.AppendLine();
        }

        return text.ToString();

        static string F(double value) => value.ToString(CultureInfo.InvariantCulture);
        static string Quote(string value) => value.Contains(',') || value.Contains('"') ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    /// <summary>GeoJSON FeatureCollection of the division's blind spots, largest first; <c>online=true</c> for effective coverage.</summary>
    public static async Task<IResult> BlindSpotsAsync(string code, CoverageEngine engine, CancellationToken ct, bool online = false, int limit = 50)
    {
        if (limit is < 1 or > 1000)
        {
            var errors = new FieldErrors();
            errors.Add("limit", $"limit {limit} must be 1–1000");
            return Problems.Invalid(errors);
        }

        var spots = await engine.BlindSpotsAsync(code, online, limit, ct);
        if (spots is null)
        {
            return Problems.NotFound($"division '{code}'");
        }

        var collection = new FeatureCollection();
        foreach (var spot in spots)
        {
            collection.Add(new Feature(spot.Area, new AttributesTable
            {
                { "rank", spot.Rank },
                { "uncoveredM2", spot.UncoveredM2 },
                { "blocks", spot.Blocks },
                { "centreLon", spot.CentreLon },
                { "centreLat", spot.CentreLat },
            }));
        }

        return TypedResults.Text(JsonSerializer.Serialize(collection, GeoJson), "application/geo+json", Encoding.UTF8);
    }

    public static async Task<Results<Ok<IReadOnlyList<CoverageHistoryRow>>, ValidationProblem, ProblemHttpResult>> HistoryAsync(
        string code, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct, DateOnly? from = null, DateOnly? to = null)
    {
        var last = to ?? CoverageService.Today(clock);
        var first = from ?? last.AddDays(-90);
        if (first > last)
        {
            var errors = new FieldErrors();
            errors.Add("from", $"from {first:yyyy-MM-dd} is after to {last:yyyy-MM-dd}");
            return Problems.Invalid(errors);
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM divisions WHERE code = @code)", new { code }, cancellationToken: ct)))
        {
            return Problems.NotFound($"division '{code}'");
        }

        var rows = await connection.QueryAsync<CoverageHistoryRow>(new CommandDefinition(CoverageSql.History, new { code, from = first, to = last }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<CoverageHistoryRow>>(rows.ToList());
    }

    private static JsonSerializerOptions CreateGeoJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new GeoJsonConverterFactory());
        return options;
    }
}
