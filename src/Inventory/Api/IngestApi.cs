using System.Security.Claims;
using CameraNet.Contracts;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CameraNet.Inventory.Api;

/// <summary>What ingest workers read: the active cameras and, one camera at a time, their credentials.</summary>
public static class IngestApi
{
    public static RouteGroupBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/ingest").WithTags("Ingest");
        group.MapGet("/cameras", ListCamerasAsync).RequireAuthorization(Policies.Ingest);

        // Only ingest workers ever receive credentials in clear; not even admins can read them back.
        group.MapGet("/cameras/{id}/credentials", CredentialsAsync).RequireAuthorization(Policies.IngestOnly);
        return group;
    }

    /// <summary>
    /// The active cameras (optionally of some districts: <c>?districts=120101,120102</c>), with an ETag:
    /// a worker that sends it back in If-None-Match gets 304 while nothing has changed, instead of the
    /// whole list again.
    /// </summary>
    public static async Task<IResult> ListCamerasAsync(CameraStore store, HttpContext context, CancellationToken cancellationToken, string? districts = null)
    {
        string[]? filter = null;
        if (!string.IsNullOrWhiteSpace(districts))
        {
            filter = districts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var bad = filter.FirstOrDefault(d => !DivisionCode.TryParse(d, out var code) || code.Level != DivisionLevel.District);
            if (bad is not null)
            {
                var errors = new FieldErrors();
                errors.Add("districts", $"'{bad}' is not a 6-digit district code");
                return Problems.Invalid(errors);
            }

            filter = [.. filter.Order(StringComparer.Ordinal).Distinct()];
        }

        var etag = $"\"{await store.IngestMarkerAsync(cancellationToken)}-{(filter is null ? "all" : string.Join('.', filter))}\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.Any(v => v == etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(await store.ForIngestAsync(filter, cancellationToken));
    }

    public static async Task<Results<Ok<IngestCredentials>, ProblemHttpResult>> CredentialsAsync(
        string id, ClaimsPrincipal user, CameraStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        Cameras.CameraCredentials? credentials;
        try
        {
            credentials = await store.CredentialsAsync(id, cancellationToken);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Not the caller's fault: the stored ciphertext does not authenticate (tampered, copied, or its key is gone).
            await audit.WriteAsync(Caller.From(user), new AuditEntry("ingest.credentials", id, Outcome: "failed", Details: new { reason = "does not decrypt" }), cancellationToken);
            return TypedResults.Problem($"the stored credentials of camera {id} cannot be decrypted (altered, or encrypted with a key that is no longer configured)",
                statusCode: StatusCodes.Status500InternalServerError, title: "Stored credentials unusable");
        }

        await audit.WriteAsync(Caller.From(user), new AuditEntry("ingest.credentials", id, Outcome: credentials is null ? "failed" : "ok"), cancellationToken);
        return credentials is null
            ? Problems.NotFound($"active camera '{id}' with credentials")
            : TypedResults.Ok(new IngestCredentials(credentials.Username, credentials.Password));
    }
}
