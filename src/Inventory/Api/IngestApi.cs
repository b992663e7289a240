using CameraNet.Contracts;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Cameras;
using CameraNet.Inventory.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CameraNet.Inventory.Api;

/// <summary>What ingest workers read: the active cameras and how to pull them. Requires the ingest role.</summary>
public static class IngestApi
{
    public static RouteGroupBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/ingest").WithTags("Ingest").RequireAuthorization(Policies.Ingest);
        group.MapGet("/cameras", ListCamerasAsync);
        return group;
    }

    public static async Task<Ok<IReadOnlyList<IngestCamera>>> ListCamerasAsync(CameraStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ForIngestAsync(cancellationToken));
}
