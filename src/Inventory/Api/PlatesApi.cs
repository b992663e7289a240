using System.Security.Claims;
using CameraNet.Contracts;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Data;
using CameraNet.Inventory.Plates;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CameraNet.Inventory.Api;

/// <summary>
/// Analysts' access to plate captures. The inventory never hands out captures itself except through the audited
/// search; live watching and replay go through NATS, with credentials this API issues per user whose subject
/// permissions nats-server enforces. Every grant, refusal and search is in the audit log with its stated purpose.
/// </summary>
public static class PlatesApi
{
    public sealed record AccessRequest(string? District, string? Township, string? Camera, string? Purpose, string? Mode);

    public sealed record AccessGrant(
        string NatsUser, string NatsPassword, string Stream, string Filter, string DeliverPrefix, string InboxPrefix, IReadOnlyList<string> Districts);

    public static readonly IReadOnlySet<string> Modes = new HashSet<string>(StringComparer.Ordinal) { "watch", "replay", "alerts" };

    public static RouteGroupBuilder MapPlatesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/plates").WithTags("Plates");
        group.MapPost("/access", AccessAsync).RequireAuthorization(Policies.ReadPlates);
        app.MapGet("/api/nats/accounts", AccountsAsync).WithTags("Plates").RequireAuthorization(Policies.Admin);
        return group;
    }

    /// <summary>
    /// Grants the caller NATS access to one area's captures (or watchlist hits): checks the purpose, the area and
    /// the caller's districts, audits the decision, and returns the caller's NATS user, the subject filter and
    /// where replays are delivered. Refusals are audited too.
    /// </summary>
    public static async Task<Results<Ok<AccessGrant>, ValidationProblem, ProblemHttpResult>> AccessAsync(
        AccessRequest request, ClaimsPrincipal user, CameraStore cameras, AuditLog audit, NatsAccounts accounts, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var errors = new FieldErrors();
        var mode = request.Mode ?? "watch";
        if (!Modes.Contains(mode))
        {
            errors.Add("mode", $"mode '{mode}' is not one of {string.Join(", ", Modes)}");
        }

        var purpose = request.Purpose?.Trim();
        if (string.IsNullOrEmpty(purpose) || purpose.Length < 5)
        {
            errors.Add("purpose", "purpose is required: say why you need these plate captures (at least 5 characters; it goes into the audit log)");
        }
        else if (purpose.Length > 500)
        {
            errors.Add("purpose", "purpose has more than 500 characters");
        }

        var (district, township, camera) = await ScopeAsync(request.District, request.Township, request.Camera, cameras, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        if (district is null && caller.Role != Roles.Admin)
        {
            if (caller.Districts.Count != 1)
            {
                errors.Add("district", caller.Districts.Count == 0
                    ? "you are not assigned to any district, so you may not read plate captures"
                    : $"name a district: you are scoped to {string.Join(", ", caller.Districts)}");
                return Problems.Invalid(errors);
            }

            district = DivisionCode.Parse(caller.Districts[0]);
        }

        var filter = mode == "alerts" ? Subjects.AlertsFilter(district, township, camera) : Subjects.PlatesFilter(district, township, camera);
        var action = mode == "alerts" ? "alerts.watch" : "plates." + mode;
        IReadOnlyList<string> scope = district is { } d ? [d.Value] : [];
        if (district is { } wanted && !user.MayActOn(wanted.Value))
        {
            await audit.WriteAsync(caller, new AuditEntry(action, filter, scope, purpose, "denied",
                new { reason = $"district {wanted} is outside the caller's districts ({string.Join(", ", caller.Districts)})" }), cancellationToken);
            return Problems.Forbidden($"you may read plate captures of {(caller.Districts.Count == 0 ? "no district" : string.Join(", ", caller.Districts))}, not of {wanted}");
        }

        if (!accounts.Configured)
        {
            await audit.WriteAsync(caller, new AuditEntry(action, filter, scope, purpose, "failed", new { reason = "NATS accounts not configured" }), cancellationToken);
            return TypedResults.Problem("this inventory issues no NATS access (Inventory:NatsAccountSecret is not set)", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Plate access unavailable");
        }

        var account = accounts.For(caller.Name, caller.Role, caller.Districts);
        await audit.WriteAsync(caller, new AuditEntry(action, filter, scope, purpose, "ok", new { natsUser = account.User }), cancellationToken);
        return TypedResults.Ok(new AccessGrant(
            account.User, account.Password, mode == "alerts" ? Subjects.AlertsStream : Subjects.PlatesStream, filter,
            NatsAccounts.DeliverPrefix(account.User), NatsAccounts.InboxPrefix(account.User), caller.Role == Roles.Admin ? [] : caller.Districts));
    }

    /// <summary>Parses an area (camera, township or district; the narrowest wins) and fills in what it implies.</summary>
    internal static async Task<(DivisionCode? District, DivisionCode? Township, GbDeviceId? Camera)> ScopeAsync(
        string? districtText, string? townshipText, string? cameraText, CameraStore cameras, FieldErrors errors, CancellationToken cancellationToken)
    {
        DivisionCode? district = null, township = null;
        GbDeviceId? camera = null;
        if (!string.IsNullOrWhiteSpace(districtText))
        {
            if (DivisionCode.TryParse(districtText.Trim(), out var d) && d.Level == DivisionLevel.District)
            {
                district = d;
            }
            else
            {
                errors.Add("district", $"'{districtText}' is not a 6-digit district code");
            }
        }

        if (!string.IsNullOrWhiteSpace(townshipText))
        {
            if (DivisionCode.TryParse(townshipText.Trim(), out var t) && t.Level == DivisionLevel.Township)
            {
                township = t;
                if (district is { } dd && !dd.Contains(t))
                {
                    errors.Add("township", $"township {t} is not in district {dd}");
                }

                district ??= t.District;
            }
            else
            {
                errors.Add("township", $"'{townshipText}' is not a 9-digit township code");
            }
        }

        if (!string.IsNullOrWhiteSpace(cameraText))
        {
            if (!GbDeviceId.TryParse(cameraText.Trim(), out var c))
            {
                errors.Add("camera", $"'{cameraText}' is not a 20-digit GB/T 28181 camera ID");
            }
            else if (await cameras.GetAsync(c.Value, cancellationToken) is not { } registered)
            {
                errors.Add("camera", $"camera {c} is not registered");
            }
            else
            {
                camera = c;
                var cd = DivisionCode.Parse(registered.DistrictCode);
                var ct = DivisionCode.Parse(registered.TownshipCode);
                if ((district is { } d2 && d2 != cd) || (township is { } t2 && t2 != ct))
                {
                    errors.Add("camera", $"camera {c} is in {ct}, not in the district/township given");
                }

                (district, township) = (cd, ct);
            }
        }

        return (district, township, camera);
    }

    /// <summary>The NATS users of analysts and admins with their permissions, for nats-server's authorization block (admins only; audited).</summary>
    public static async Task<Results<Ok<IReadOnlyList<NatsAccount>>, ProblemHttpResult>> AccountsAsync(
        ClaimsPrincipal user, IdentityStore identities, NatsAccounts accounts, AuditLog audit, CancellationToken cancellationToken)
    {
        if (!accounts.Configured)
        {
            return TypedResults.Problem("Inventory:NatsAccountSecret is not set", statusCode: StatusCodes.Status503ServiceUnavailable, title: "NATS accounts unavailable");
        }

        var users = (await identities.ListUsersAsync(cancellationToken))
            .Where(u => !u.Disabled && u.Role is Roles.Analyst or Roles.Admin)
            .Select(u => accounts.For(u.Username, u.Role, u.Districts))
            .ToList();
        await audit.WriteAsync(Caller.From(user), new AuditEntry("nats.accounts", null, Details: new { users = users.Count }), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<NatsAccount>>(users);
    }
}
