using System.Security.Claims;
using CameraNet.Contracts;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Cameras;
using CameraNet.Inventory.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
        group.MapPut("/{id}", ReplaceAsync).RequireAuthorization(Policies.WriteCameras);
        group.MapPost("/{id}/retire", RetireAsync).RequireAuthorization(Policies.WriteCameras);
        group.MapPost("/{id}/reactivate", ReactivateAsync).RequireAuthorization(Policies.WriteCameras);
        group.MapGet("/{id}/history", HistoryAsync).RequireAuthorization(Policies.ReadRegister);
        return group;
    }

    public static async Task<Results<Created<CameraView>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        CameraRegistration registration, ClaimsPrincipal user, CameraStore store, AuditLog audit, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var camera = CameraValidator.Validate(registration, errors, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        if (camera is null)
        {
            return Problems.Invalid(errors, "The camera registration is invalid");
        }

        var caller = Caller.From(user);
        if (!user.MayActOn(camera.District.Value))
        {
            await audit.WriteAsync(caller, new AuditEntry("camera.register", camera.Id.Value, [camera.District.Value], Outcome: "denied"), cancellationToken);
            return Problems.Forbidden($"you may register cameras only in your assigned districts; {camera.District} is not one of them", "District not assigned");
        }

        switch (await store.RegisterAsync(camera, caller, cancellationToken))
        {
            case CameraWrite.Stored stored:
                Log.CameraRegistered(loggers.CreateLogger("CameraNet.Inventory.Cameras"), stored.Camera.Id, stored.Camera.DistrictCode, stored.Camera.TownshipCode, caller.Name);
                return TypedResults.Created($"/api/cameras/{stored.Camera.Id}", stored.Camera);
            case CameraWrite.Invalid invalid:
                return Problems.Invalid(invalid.Errors, "The camera registration is invalid");
            case CameraWrite.Duplicate duplicate:
                return Problems.Conflict($"a camera with ID {duplicate.Id} is already registered", "id", "Duplicate device ID");
            case var other:
                throw new InvalidOperationException($"unexpected outcome {other.GetType().Name}");
        }
    }

    /// <summary>
    /// Replaces a camera's registration. Send the version you read as <c>If-Match: "N"</c> to be
    /// refused (412) rather than overwrite someone else's change.
    /// </summary>
    public static async Task<Results<Ok<CameraView>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        string id, CameraRegistration registration, [FromHeader(Name = "If-Match")] string? ifMatch,
        ClaimsPrincipal user, CameraStore store, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (registration.Id is not null && registration.Id != id)
        {
            errors.Add("id", $"the body's id {registration.Id} differs from the URL's {id}; an ID cannot be changed, register a new camera and retire this one");
        }

        int? expected = null;
        if (ifMatch is not null)
        {
            if (int.TryParse(ifMatch.Trim().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v))
            {
                expected = v;
            }
            else
            {
                errors.Add("If-Match", $"If-Match must be the camera's version in quotes, e.g. \"3\", not {ifMatch}");
            }
        }

        var camera = CameraValidator.Validate(registration with { Id = id }, errors, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        if (camera is null || errors.Count > 0)
        {
            return Problems.Invalid(errors, "The camera registration is invalid");
        }

        var caller = Caller.From(user);
        if (!user.MayActOn(camera.District.Value))
        {
            await audit.WriteAsync(caller, new AuditEntry("camera.update", id, [camera.District.Value], Outcome: "denied"), cancellationToken);
            return Problems.Forbidden($"you may change cameras only in your assigned districts; {camera.District} is not one of them", "District not assigned");
        }

        return await store.UpdateAsync(camera, expected, caller, user.MayActOn, cancellationToken) switch
        {
            CameraWrite.Stored stored => TypedResults.Ok(stored.Camera),
            CameraWrite.Invalid invalid => Problems.Invalid(invalid.Errors, "The camera registration is invalid"),
            CameraWrite.NotFound => Problems.NotFound($"camera with ID '{id}'"),
            CameraWrite.VersionConflict conflict => TypedResults.Problem(
                $"camera {id} is at version {conflict.Current}, not {expected}: someone changed it since you read it; read it again and reapply your change",
                statusCode: StatusCodes.Status412PreconditionFailed, title: "Version mismatch"),
            CameraWrite.OutsideScope scope => await DeniedAsync(audit, caller, "camera.update", id, scope.District, cancellationToken),
            var other => throw new InvalidOperationException($"unexpected outcome {other.GetType().Name}"),
        };
    }

    public static Task<Results<Ok<CameraView>, ProblemHttpResult>> RetireAsync(
        string id, [FromBody] RetireRequest? body, ClaimsPrincipal user, CameraStore store, AuditLog audit, CancellationToken cancellationToken) =>
        SetStatusAsync(id, retire: true, body?.Reason, user, store, audit, cancellationToken);

    public static Task<Results<Ok<CameraView>, ProblemHttpResult>> ReactivateAsync(
        string id, ClaimsPrincipal user, CameraStore store, AuditLog audit, CancellationToken cancellationToken) =>
        SetStatusAsync(id, retire: false, null, user, store, audit, cancellationToken);

    private static async Task<Results<Ok<CameraView>, ProblemHttpResult>> SetStatusAsync(
        string id, bool retire, string? reason, ClaimsPrincipal user, CameraStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        if (reason is { Length: > 500 })
        {
            return TypedResults.Problem("reason has more than 500 characters", statusCode: StatusCodes.Status400BadRequest, title: "The request is invalid");
        }

        var caller = Caller.From(user);
        return await store.SetStatusAsync(id, retire, reason?.Trim(), caller, user.MayActOn, cancellationToken) switch
        {
            CameraWrite.Stored stored => TypedResults.Ok(stored.Camera),
            CameraWrite.Unchanged same => TypedResults.Ok(same.Camera),
            CameraWrite.NotFound => Problems.NotFound($"camera with ID '{id}'"),
            CameraWrite.OutsideScope scope => await DeniedAsync(audit, caller, retire ? "camera.retire" : "camera.reactivate", id, scope.District, cancellationToken),
            var other => throw new InvalidOperationException($"unexpected outcome {other.GetType().Name}"),
        };
    }

    private static async Task<ProblemHttpResult> DeniedAsync(AuditLog audit, Caller caller, string action, string id, string district, CancellationToken cancellationToken)
    {
        await audit.WriteAsync(caller, new AuditEntry(action, id, [district], Outcome: "denied"), cancellationToken);
        return Problems.Forbidden($"camera {id} is in district {district}, which is not assigned to you", "District not assigned");
    }

    public static async Task<Results<Ok<CameraView>, ProblemHttpResult>> GetAsync(string id, CameraStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } camera ? TypedResults.Ok(camera) : Problems.NotFound($"camera with ID '{id}'");

    public static async Task<Results<Ok<IReadOnlyList<CameraHistoryEntry>>, ProblemHttpResult>> HistoryAsync(string id, CameraStore store, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound($"camera with ID '{id}'");
        }

        return TypedResults.Ok(await store.HistoryAsync(id, cancellationToken));
    }

    public static async Task<Results<Ok<CameraPage>, ValidationProblem>> ListAsync(
        CameraStore store, CancellationToken cancellationToken,
        string? district = null, string? township = null, string? kind = null, string? status = null,
        string? q = null, string? after = null, int limit = 50, string? health = null)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > MaxPageSize)
        {
            errors.Add("limit", $"limit {limit} must be 1–{MaxPageSize}");
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
                errors.Add("kind", $"kind '{kind}' is not one of {string.Join(", ", Enum.GetValues<CameraKind>().Select(Db.Text))}");
            }
        }

        if (status is not (null or "active" or "retired"))
        {
            errors.Add("status", $"status '{status}' must be active or retired");
        }

        var healths = Enum.GetValues<CameraHealth>().Select(Db.Text).ToList();
        if (health is not null && !healths.Contains(health))
        {
            errors.Add("health", $"health '{health}' must be one of {string.Join(", ", healths)}");
        }

        if (district is not null && (!DivisionCode.TryParse(district, out var d) || d.Level != DivisionLevel.District))
        {
            errors.Add("district", $"district '{district}' is not a 6-digit district code");
        }

        if (township is not null && (!DivisionCode.TryParse(township, out var t) || t.Level != DivisionLevel.Township))
        {
            errors.Add("township", $"township '{township}' is not a 9-digit township code");
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        return TypedResults.Ok(await store.ListAsync(new CameraFilter(after, district, township, parsedKind, status, q, limit, health), cancellationToken));
    }
}
