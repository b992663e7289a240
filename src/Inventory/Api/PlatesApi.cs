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
        group.MapGet("/search", SearchAsync).RequireAuthorization(Policies.ReadPlates);
        group.MapGet("/live", LiveAsync).RequireAuthorization(Policies.WatchPlatesLive);
        app.MapGet("/api/nats/accounts", AccountsAsync).WithTags("Plates").RequireAuthorization(Policies.Admin);
        var watchlist = app.MapGroup("/api/watchlist").WithTags("Watchlist").RequireAuthorization(Policies.ReadPlates);
        watchlist.MapPost("", AddToWatchlistAsync);
        watchlist.MapGet("", ListWatchlistAsync);
        watchlist.MapDelete("/{id:long}", RemoveFromWatchlistAsync);
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

        var (district, township, camera, purpose) = await RequestScopeAsync(caller, request.Purpose, request.District, request.Township, request.Camera, cameras, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var filter = mode == "alerts" ? Subjects.AlertsFilter(district, township, camera) : Subjects.PlatesFilter(district, township, camera);
        var action = mode == "alerts" ? "alerts.watch" : "plates." + mode;
        IReadOnlyList<string> scope = district is { } d ? [d.Value] : [];
        if (district is { } wanted && !user.MayActOn(wanted.Value))
        {
            await audit.WriteAsync(caller, new AuditEntry(action, filter, scope, purpose, "denied",
                new { reason = $"district {wanted} is outside the caller's districts ({string.Join(", ", caller.Districts)})" }), cancellationToken);
            return OutsideDistricts(caller, wanted, "read");
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

    /// <summary>
    /// What every access to captures states and asks for: a purpose (5–500 characters, for the audit log) and an area.
    /// Without a district, a caller scoped to exactly one gets that one; admins get the whole city; others must name one.
    /// Problems go into <paramref name="errors"/>.
    /// </summary>
    private static async Task<(DivisionCode? District, DivisionCode? Township, GbDeviceId? Camera, string? Purpose)> RequestScopeAsync(
        Caller caller, string? purpose, string? district, string? township, string? camera, CameraStore cameras, FieldErrors errors, CancellationToken cancellationToken)
    {
        purpose = purpose?.Trim();
        if (string.IsNullOrEmpty(purpose) || purpose.Length < 5)
        {
            errors.Add("purpose", "purpose is required: say why you need these plate captures (at least 5 characters; it goes into the audit log)");
        }
        else if (purpose.Length > 500)
        {
            errors.Add("purpose", "purpose has more than 500 characters");
        }

        var (d, t, c) = await ScopeAsync(district, township, camera, cameras, errors, cancellationToken);
        if (d is null && caller.Role != Roles.Admin)
        {
            if (caller.Districts.Count == 1)
            {
                d = DivisionCode.Parse(caller.Districts[0]);
            }
            else
            {
                errors.Add("district", caller.Districts.Count == 0
                    ? "you are not assigned to any district, so you may not read plate captures"
                    : $"name a district: you are scoped to {string.Join(", ", caller.Districts)}");
            }
        }

        return (d, t, c, purpose);
    }

    private static ProblemHttpResult OutsideDistricts(Caller caller, DivisionCode wanted, string verb) =>
        Problems.Forbidden($"you may {verb} plate captures of {(caller.Districts.Count == 0 ? "no district" : string.Join(", ", caller.Districts))}, not of {wanted}");

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

    public sealed record WatchlistAdd(string? Pattern, string? Reason, double? ExpiresInDays, string[]? Districts);

    /// <summary>The longest an entry may stay on a watchlist before it must be added again (with a fresh reason).</summary>
    public static readonly TimeSpan MaxWatchlistTime = TimeSpan.FromDays(90);

    /// <summary>Adds a plate or pattern to the caller's watchlist: reason and expiry required, hits only in the caller's districts.</summary>
    public static async Task<Results<Created<WatchlistEntry>, ValidationProblem, ProblemHttpResult>> AddToWatchlistAsync(
        WatchlistAdd add, ClaimsPrincipal user, WatchlistStore store, WatchlistMatcher matcher, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var errors = new FieldErrors();
        if (!PlatePattern.TryParse(add.Pattern, out var pattern, out var patternError))
        {
            errors.Add("pattern", patternError);
        }

        var reason = add.Reason?.Trim();
        if (reason is null || reason.Length < 5 || reason.Length > 500)
        {
            errors.Add("reason", "reason is required: why this plate is wanted (5–500 characters; it goes into the audit log and every alert)");
        }

        if (add.ExpiresInDays is not { } days || !(days > 0) || TimeSpan.FromDays(days) > MaxWatchlistTime || TimeSpan.FromDays(days) < TimeSpan.FromMinutes(1))
        {
            errors.Add("expiresInDays", $"expiresInDays is required: between one minute and {MaxWatchlistTime.TotalDays:0} days (entries expire; add again with a fresh reason)");
        }

        string[] districts = caller.Role == Roles.Admin ? [] : [.. caller.Districts];
        if (add.Districts is { Length: > 0 } wanted)
        {
            var bad = wanted.FirstOrDefault(d => !DivisionCode.TryParse(d, out var code) || code.Level != DivisionLevel.District);
            if (bad is not null)
            {
                errors.Add("districts", $"'{bad}' is not a 6-digit district code");
            }

            districts = [.. wanted.Order(StringComparer.Ordinal).Distinct()];
        }
        else if (districts.Length == 0 && caller.Role != Roles.Admin)
        {
            errors.Add("districts", "you are not assigned to any district, so you may not keep a watchlist");
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var outside = districts.Where(d => !user.MayActOn(d)).ToList();
        if (outside.Count > 0)
        {
            await audit.WriteAsync(caller, new AuditEntry("watchlist.add", pattern!.ToString(), districts, reason, "denied", new { outside }), cancellationToken);
            return Problems.Forbidden($"you may not watch plates in {string.Join(", ", outside)}");
        }

        var entry = await store.AddAsync(pattern!.ToString(), reason!, caller.Name, districts, clock.GetUtcNow() + TimeSpan.FromDays(add.ExpiresInDays!.Value), cancellationToken);
        await audit.WriteAsync(caller, new AuditEntry("watchlist.add", entry.Pattern, districts, reason, "ok", new { entry.Id, entry.ExpiresAt }), cancellationToken);
        await matcher.ReloadAsync(cancellationToken); // in force for the next capture; on failure the periodic reload brings it in
        return TypedResults.Created($"/api/watchlist/{entry.Id}", entry);
    }

    /// <summary>The caller's entries in force (admins: everyone's).</summary>
    public static async Task<Ok<IReadOnlyList<WatchlistEntry>>> ListWatchlistAsync(ClaimsPrincipal user, WatchlistStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var entries = await store.ActiveAsync(caller.Role == Roles.Admin ? null : caller.Name, cancellationToken);
        await audit.WriteAsync(caller, new AuditEntry("watchlist.list", null, caller.Districts, Details: new { entries = entries.Count }), cancellationToken);
        return TypedResults.Ok(entries);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveFromWatchlistAsync(
        long id, ClaimsPrincipal user, WatchlistStore store, WatchlistMatcher matcher, AuditLog audit, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var entry = await store.GetAsync(id, cancellationToken);
        if (entry is null || entry.RemovedAt is not null)
        {
            return Problems.NotFound($"watchlist entry {id} in force");
        }

        if (entry.Owner != caller.Name && caller.Role != Roles.Admin)
        {
            await audit.WriteAsync(caller, new AuditEntry("watchlist.remove", id.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Districts, Outcome: "denied"), cancellationToken);
            return Problems.Forbidden($"watchlist entry {id} belongs to {entry.Owner}");
        }

        await store.RemoveAsync(id, caller.Name, cancellationToken);
        await audit.WriteAsync(caller, new AuditEntry("watchlist.remove", id.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Districts, Details: new { entry.Pattern }), cancellationToken);
        await matcher.ReloadAsync(cancellationToken); // in force for the next capture; on failure the periodic reload brings it in
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Past captures of an area by plate pattern and time range (default: the last 24 hours), for analysts of that area,
    /// with a stated purpose; audited with the query and the number of captures returned.
    /// </summary>
    public static async Task<Results<Ok<PlateSearchResult>, ValidationProblem, ProblemHttpResult>> SearchAsync(
        ClaimsPrincipal user, CameraStore cameras, AuditLog audit, PlateArchive archive, TimeProvider clock, CancellationToken cancellationToken,
        string? plate = null, string? purpose = null, DateTimeOffset? from = null, DateTimeOffset? to = null,
        string? district = null, string? township = null, string? camera = null, int limit = 200)
    {
        var caller = Caller.From(user);
        var errors = new FieldErrors();
        if (!PlatePattern.TryParse(plate, out var pattern, out var patternError))
        {
            errors.Add("plate", patternError);
        }

        var now = clock.GetUtcNow();
        var end = to ?? now;
        var start = from ?? end - TimeSpan.FromDays(1);
        if (start >= end)
        {
            errors.Add("from", $"from ({start:O}) must be before to ({end:O})");
        }

        if (limit is < 1 or > 1000)
        {
            errors.Add("limit", "limit must be 1–1000");
        }

        var (d, t, c, stated) = await RequestScopeAsync(caller, purpose, district, township, camera, cameras, errors, cancellationToken);
        purpose = stated;
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var filter = Subjects.PlatesFilter(d, t, c);
        IReadOnlyList<string> scope = d is { } sd ? [sd.Value] : [];
        var query = new { plate = pattern!.ToString(), from = start, to = end };
        if (d is { } wanted && !user.MayActOn(wanted.Value))
        {
            await audit.WriteAsync(caller, new AuditEntry("plates.search", filter, scope, purpose, "denied", query), cancellationToken);
            return OutsideDistricts(caller, wanted, "search");
        }

        if (!archive.Available)
        {
            return TypedResults.Problem("this inventory is not connected to NATS (Inventory:NatsUrl)", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Search unavailable");
        }

        var result = await archive.SearchAsync(filter, pattern, start, end, limit, cancellationToken);
        await audit.WriteAsync(caller, new AuditEntry("plates.search", filter, scope, purpose, "ok",
            new { query.plate, query.from, query.to, results = result.Captures.Count, result.Scanned }), cancellationToken);
        return TypedResults.Ok(result);
    }

    /// <summary>How long the live feed waits for NATS to take its subscription before it answers 503.</summary>
    public static readonly TimeSpan LiveSubscribeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Live captures of an area as server-sent events (<c>event: plate</c>, data: the capture as JSON), for the
    /// dashboard. Purpose: the query's, else the one stated at login. Audited as <c>plates.live</c> when it starts.
    /// </summary>
    public static async Task LiveAsync(
        HttpContext http, ClaimsPrincipal user, CameraStore cameras, AuditLog audit, PlateArchive archive,
        string? district = null, string? township = null, string? camera = null, string? purpose = null)
    {
        var caller = Caller.From(user);
        var ct = http.RequestAborted;
        var errors = new FieldErrors();
        // The purpose stated at sign-in serves when the request gives none.
        var (d, t, c, stated) = await RequestScopeAsync(caller, purpose ?? caller.Purpose, district, township, camera, cameras, errors, ct);
        purpose = stated;
        if (errors.Count > 0)
        {
            await Problems.Invalid(errors).ExecuteAsync(http);
            return;
        }

        var filter = Subjects.PlatesFilter(d, t, c);
        IReadOnlyList<string> scope = d is { } sd ? [sd.Value] : [];
        if (d is { } wanted && !user.MayActOn(wanted.Value))
        {
            await audit.WriteAsync(caller, new AuditEntry("plates.live", filter, scope, purpose, "denied"), ct);
            await OutsideDistricts(caller, wanted, "watch").ExecuteAsync(http);
            return;
        }

        if (!archive.Available)
        {
            await TypedResults.Problem("this inventory is not connected to NATS (Inventory:NatsUrl)", statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(http);
            return;
        }

        await audit.WriteAsync(caller, new AuditEntry("plates.live", filter, scope, purpose, "ok"), ct);

        // Subscribed before the response starts: the dashboard shows "live" as soon as the headers arrive,
        // so a capture published after that must already reach the subscription. The ping's answer
        // means the server has registered it (it handles a connection's messages in order).
        // The connection retries forever when NATS is down: the caller is told after LiveSubscribeTimeout, not left waiting.
        NATS.Client.Core.INatsSub<byte[]>? subscription = null;
        string? failure = null;
        using (var answer = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            answer.CancelAfter(LiveSubscribeTimeout);
            try
            {
                subscription = await archive.Connection.SubscribeCoreAsync(filter, serializer: NATS.Client.Core.NatsRawSerializer<byte[]>.Default, cancellationToken: answer.Token);
                await archive.Connection.PingAsync(answer.Token);
            }
            catch (NATS.Client.Core.NatsException e)
            {
                failure = e.Message;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = $"NATS did not answer within {LiveSubscribeTimeout.TotalSeconds:0} s";
            }
        }

        if (failure is not null || subscription is null)
        {
            if (subscription is not null)
            {
                await subscription.DisposeAsync();
            }

            await TypedResults.Problem($"cannot subscribe to the plate captures on NATS: {failure}", statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(http);
            return;
        }

        await using var unsubscribe = subscription;
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync($": watching {filter}\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        using var keepAlive = new PeriodicTimer(TimeSpan.FromSeconds(15));
        var writeLock = new SemaphoreSlim(1, 1);
        var pings = Task.Run(async () =>
        {
            while (await keepAlive.WaitForNextTickAsync(ct))
            {
                await writeLock.WaitAsync(ct);
                try
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
                finally
                {
                    writeLock.Release();
                }
            }
        }, ct);
        try
        {
            await foreach (var message in subscription.Msgs.ReadAllAsync(ct))
            {
                if (message.Data is not { Length: > 0 } data)
                {
                    continue;
                }

                await writeLock.WaitAsync(ct);
                try
                {
                    await http.Response.WriteAsync("event: plate\ndata: ", ct);
                    await http.Response.Body.WriteAsync(data, ct);
                    await http.Response.WriteAsync("\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
                finally
                {
                    writeLock.Release();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        await pings.ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
