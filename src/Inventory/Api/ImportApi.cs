using System.Security.Claims;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Imports;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CameraNet.Inventory.Api;

/// <summary>Bulk import of cameras from CSV or GeoJSON: the whole file or nothing.</summary>
public static class ImportApi
{
    public static RouteHandlerBuilder MapImportApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/cameras/import", ImportAsync).WithTags("Cameras").RequireAuthorization(Policies.WriteCameras);

    /// <summary>
    /// Streams the request body (text/csv or application/geo+json; or say <c>format=</c>). 200 with the
    /// report when applied; 422 with the report (row-numbered errors, counts by rule) when any row
    /// breaks a rule; 400 when the file itself cannot be read. <c>upsert=true</c> replaces changed cameras.
    /// </summary>
    public static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> ImportAsync(
        HttpContext context, ClaimsPrincipal user, CameraImporter importer, CancellationToken cancellationToken,
        string? format = null, bool upsert = false, string? fileName = null)
    {
        var contentType = context.Request.ContentType ?? string.Empty;
        ImportFormat? parsed = (format?.ToLowerInvariant(), contentType) switch
        {
            ("csv", _) => ImportFormat.Csv,
            ("geojson" or "json", _) => ImportFormat.GeoJson,
            (null, var t) when t.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) => ImportFormat.Csv,
            (null, var t) when t.Contains("json", StringComparison.OrdinalIgnoreCase) => ImportFormat.GeoJson,
            _ => null,
        };
        if (parsed is null)
        {
            return TypedResults.Problem(
                $"say which format the file is: format=csv or format=geojson, or Content-Type text/csv or application/geo+json (got '{format ?? contentType}')",
                statusCode: StatusCodes.Status400BadRequest, title: "Unknown import format");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null; // a city's register is hundreds of megabytes; it is streamed, never buffered
        }

        var report = await importer.ImportAsync(context.Request.Body, parsed.Value, upsert, fileName, Caller.From(user), user.MayActOn, null, cancellationToken);
        if (report.Applied)
        {
            return TypedResults.Ok(report);
        }

        var extensions = new Dictionary<string, object?> { ["report"] = report };
        return report.FileError is not null
            ? TypedResults.Problem(report.FileError, statusCode: StatusCodes.Status400BadRequest, title: "The file cannot be read; nothing was imported", extensions: extensions)
            : TypedResults.Problem(
                $"{report.Rejected} of {report.Rows} rows break a rule; nothing was imported. The first {report.Errors.Count} problems are listed with their row numbers.",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "The import was rejected; nothing was changed", extensions: extensions);
    }
}
