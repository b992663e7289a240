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

    public static async Task<Ok<IReadOnlyList<IngestCamera>>> ListCamerasAsync(CameraStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ForIngestAsync(cancellationToken));

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
