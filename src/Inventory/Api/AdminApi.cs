using System.Security.Claims;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CameraNet.Inventory.Api;

public static class AdminApi
{
    public sealed record RotationResult(int Reencrypted, string CurrentKey);

    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin").WithTags("Administration").RequireAuthorization(Policies.Admin);

        // After putting a new key first in Inventory:CredentialKeys: re-encrypt everything under it, then drop the old key.
        group.MapPost("/credentials/rotate", async (ClaimsPrincipal user, CameraStore store, Cameras.CredentialProtector protector, CancellationToken ct) =>
            TypedResults.Ok(new RotationResult(await store.RotateCredentialsAsync(Caller.From(user), ct), protector.CurrentKeyId)));
        return group;
    }
}
