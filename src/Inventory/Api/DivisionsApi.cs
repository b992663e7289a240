using CameraNet.Contracts;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Data;
using CameraNet.Inventory.Divisions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CameraNet.Inventory.Api;

public static class DivisionsApi
{
    public const long MaxUploadBytes = 200L * 1024 * 1024;

    public static RouteGroupBuilder MapDivisionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/divisions").WithTags("Divisions");
        group.MapGet("", ListAsync).RequireAuthorization(Policies.ReadRegister);
        group.MapGet("/shapes", async (DivisionStore store, CancellationToken ct, string? level) =>
            level is null or "district" or "township"
                ? Results.Ok(await store.ShapesAsync(level == "township" ? DivisionLevel.Township : DivisionLevel.District, ct))
                : Results.ValidationProblem(new Dictionary<string, string[]> { ["level"] = [$"level '{level}' must be district or township"] }))
            .RequireAuthorization(Policies.ReadRegister);
        group.MapGet("/{code}", GetAsync).RequireAuthorization(Policies.ReadRegister);
        // The body is read as GeoJSON whatever its declared type: a content-type constraint would answer
        // 415 before authentication, telling anonymous callers more than 401 should.
        group.MapPost("/import", ImportAsync).RequireAuthorization(Policies.WriteDivisions);
        return group;
    }

    public static async Task<Results<Ok<IReadOnlyList<DivisionView>>, ValidationProblem>> ListAsync(
        DivisionStore store, CancellationToken cancellationToken, string? level = null, string? parent = null)
    {
        DivisionLevel? parsed = level switch
        {
            null => null,
            "district" => DivisionLevel.District,
            "township" => DivisionLevel.Township,
            _ => (DivisionLevel)(-1),
        };
        if ((int?)parsed == -1)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["level"] = [$"level '{level}' must be district or township"] });
        }

        return TypedResults.Ok(await store.ListAsync(parsed, parent, cancellationToken));
    }

    public static async Task<Results<Ok<DivisionView>, NotFound<ProblemDetailsBody>>> GetAsync(string code, DivisionStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(code, cancellationToken) is { } division
            ? TypedResults.Ok(division)
            : TypedResults.NotFound(new ProblemDetailsBody("Division not found", $"no division with code '{code}'", StatusCodes.Status404NotFound));

    /// <summary>
    /// Uploads replacement or new boundaries, all or nothing: a GeoJSON FeatureCollection (properties
    /// code, name, optional kind/synthetic), or CSV (text/csv or format=csv) with columns code, name, wkt.
    /// </summary>
    public static async Task<Results<Ok<DivisionImportResult>, ValidationProblem>> ImportAsync(
        HttpRequest request, System.Security.Claims.ClaimsPrincipal user, DivisionStore store, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxUploadBytes)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"the upload is larger than {MaxUploadBytes / 1024 / 1024} MiB"] });
        }

        var csv = request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true
            || string.Equals(request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase);
        var (features, readErrors) = csv
            ? await DivisionStore.ReadCsvAsync(request.Body, cancellationToken)
            : await DivisionStore.ReadFeaturesAsync(request.Body, cancellationToken);
        if (readErrors.Count > 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [.. readErrors] }, title: "The boundary file cannot be read");
        }

        return await store.ImportAsync(features, Auth.Caller.From(user), cancellationToken) switch
        {
            DivisionImportOutcome.Imported ok => TypedResults.Ok(ok.Result),
            DivisionImportOutcome.Rejected rejected => TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["features"] = [.. rejected.Errors] },
                title: "The boundary file was rejected; nothing was changed"),
            var other => throw new InvalidOperationException($"unexpected import outcome {other.GetType().Name}"),
        };
    }
}
