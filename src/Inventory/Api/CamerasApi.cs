using CameraNet.Contracts;
using System.Security.Claims;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Cameras;
using CameraNet.Inventory.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CameraNet.Inventory.Api;

public static class CamerasApi
{
    public const int MaxPageSize = 500;

    public static RouteGroupBuilder MapCamerasApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cameras").WithTags("Cameras");
        group.MapPost("", RegisterAsync).RequireAuthorization(Policies.WriteCameras);
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Policies.ReadRegister);
        group.MapGet("", ListAsync).RequireAuthorization(Policies.ReadRegister);
        return group;
    }

    public static async Task<Results<Created<CameraView>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        CameraRegistration registration, ClaimsPrincipal user, CameraStore store, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, List<string>>();
        var camera = CameraValidator.Validate(registration, errors, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        if (camera is null)
        {
            return TypedResults.ValidationProblem(errors.ToProblemErrors(), title: "The camera registration is invalid");
        }

        if (!user.MayActOn(camera.District.Value))
        {
            return TypedResults.Problem(
                $"you may register cameras only in your assigned districts; {camera.District} is not one of them",
                statusCode: StatusCodes.Status403Forbidden, title: "District not assigned");
        }

        var result = await store.RegisterAsync(camera, cancellationToken);
        switch (result)
        {
            case RegistrationResult.Created created:
                Log.CameraRegistered(loggers.CreateLogger("CameraNet.Inventory.Cameras"), created.Camera.Id, created.Camera.DistrictCode, created.Camera.TownshipCode, user.Identity?.Name ?? "?");
                return TypedResults.Created($"/api/cameras/{created.Camera.Id}", created.Camera);
            case RegistrationResult.Invalid invalid:
                return TypedResults.ValidationProblem(invalid.Errors.ToProblemErrors(), title: "The camera registration is invalid");
            case RegistrationResult.Duplicate duplicate:
                return TypedResults.Problem(
                    $"a camera with ID {duplicate.Id} is already registered",
                    statusCode: StatusCodes.Status409Conflict, title: "Duplicate device ID",
                    extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["id"] = [$"a camera with ID {duplicate.Id} is already registered"] } });
            default:
                throw new InvalidOperationException($"unexpected registration result {result.GetType().Name}");
        }
    }

    public static async Task<Results<Ok<CameraView>, NotFound<ProblemDetailsBody>>> GetAsync(string id, CameraStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } camera
            ? TypedResults.Ok(camera)
            : TypedResults.NotFound(new ProblemDetailsBody("Camera not found", $"no camera with ID '{id}'", StatusCodes.Status404NotFound));

    public static async Task<Results<Ok<CameraPage>, ValidationProblem>> ListAsync(
        CameraStore store, CancellationToken cancellationToken,
        string? district = null, string? township = null, string? kind = null, string? status = null,
        string? q = null, string? after = null, int limit = 50)
    {
        var errors = new Dictionary<string, List<string>>();
        if (limit is < 1 or > MaxPageSize)
        {
            CameraValidator.Add(errors, "limit", $"limit {limit} must be 1–{MaxPageSize}");
        }

        CameraKind? parsedKind = null;
        if (kind is not null)
        {
            if (Enum.TryParse<CameraKind>(kind, ignoreCase: true, out var k))
            {
                parsedKind = k;
            }
            else
            {
                CameraValidator.Add(errors, "kind", $"kind '{kind}' is not one of {string.Join(", ", Enum.GetNames<CameraKind>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]))}");
            }
        }

        if (status is not (null or "active" or "retired"))
        {
            CameraValidator.Add(errors, "status", $"status '{status}' must be active or retired");
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors.ToProblemErrors());
        }

        return TypedResults.Ok(await store.ListAsync(new CameraFilter(after, district, township, parsedKind, status, q, limit), cancellationToken));
    }
}

/// <summary>An RFC 7807 body for typed results that carry one.</summary>
public sealed record ProblemDetailsBody(string Title, string Detail, int Status);
