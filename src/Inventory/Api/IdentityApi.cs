using System.Security.Claims;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CameraNet.Inventory.Api;

/// <summary>Login and logout, users and API keys (admins), and the audit log (admins).</summary>
public static class IdentityApi
{
    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/login", LoginAsync).AllowAnonymous();
        auth.MapPost("/logout", LogoutAsync).RequireAuthorization();
        auth.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(Caller.From(user))).RequireAuthorization();

        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        users.MapGet("", async (IdentityStore store, CancellationToken ct) => TypedResults.Ok(await store.ListUsersAsync(ct)));
        users.MapPost("", CreateUserAsync);
        users.MapPatch("/{username}", UpdateUserAsync);
        app.MapPost("/api/users/{username}/password", SetPasswordAsync).WithTags("Users").RequireAuthorization();

        var keys = app.MapGroup("/api/keys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        keys.MapGet("", async (IdentityStore store, CancellationToken ct) => TypedResults.Ok(await store.ListApiKeysAsync(ct)));
        keys.MapPost("", CreateKeyAsync);
        keys.MapDelete("/{id:long}", RevokeKeyAsync);

        app.MapGet("/api/audit", ListAuditAsync).WithTags("Audit").RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<Results<Ok<LoginResult>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        Login login, IdentityStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(login.Username))
        {
            errors.Add("username", "username is required");
        }

        if (string.IsNullOrEmpty(login.Password))
        {
            errors.Add("password", "password is required");
        }

        if (login.Purpose is { Length: > 500 })
        {
            errors.Add("purpose", "purpose has more than 500 characters");
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var result = await store.LoginAsync(login, cancellationToken);
        var who = new Caller(login.Username!, result?.Role ?? "none", result?.Districts ?? [], "session", login.Purpose);
        await audit.WriteAsync(who, new AuditEntry("auth.login", login.Username, result?.Districts, login.Purpose, result is null ? "denied" : "ok"), cancellationToken);
        return result is null
            ? TypedResults.Problem("user name or password is wrong, or the account is disabled", statusCode: StatusCodes.Status401Unauthorized, title: "Login failed")
            : TypedResults.Ok(result);
    }

    public static async Task<NoContent> LogoutAsync(HttpRequest request, ClaimsPrincipal user, IdentityStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        if (caller.Kind == "session" && BearerAuthenticationHandler.PresentedSecret(request) is { } token)
        {
            await store.LogoutAsync(token, cancellationToken);
            await audit.WriteAsync(caller, new AuditEntry("auth.logout", caller.Name), cancellationToken);
        }

        return TypedResults.NoContent();
    }

    public static async Task<Results<Created<UserView>, ValidationProblem, ProblemHttpResult>> CreateUserAsync(
        NewUser user, ClaimsPrincipal admin, IdentityStore store, AuditLog audit, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var errors = IdentityStore.Validate(user);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors, "The user is invalid");
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await store.CreateUserAsync(user, connection, transaction, cancellationToken))
        {
            return Problems.Conflict($"user '{user.Username}' already exists", "username");
        }

        await audit.WriteAsync(Caller.From(admin), new AuditEntry("user.create", user.Username, user.Districts, Details: new { user.Role }), connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/users/{user.Username}", await store.GetUserAsync(user.Username!, cancellationToken));
    }

    public static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> UpdateUserAsync(
        string username, UserChange change, ClaimsPrincipal admin, IdentityStore store, AuditLog audit, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (change.Role is not null || change.Districts is not null)
        {
            IdentityStore.CheckRoleAndDistricts(change.Role ?? Roles.Viewer, change.Districts, new HashSet<string> { Roles.Admin, Roles.Operator, Roles.Analyst, Roles.Viewer }, errors);
        }

        if (change.DisplayName is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 100))
        {
            errors.Add("displayName", "displayName must be 1–100 characters");
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors, "The change is invalid");
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await store.UpdateUserAsync(username, change, connection, transaction, cancellationToken))
        {
            return Problems.NotFound($"user '{username}'");
        }

        await audit.WriteAsync(Caller.From(admin), new AuditEntry("user.update", username, change.Districts, Details: change), connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok((await store.GetUserAsync(username, cancellationToken))!);
    }

    public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

    /// <summary>Users change their own password (giving the current one); admins reset anyone's.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> SetPasswordAsync(
        string username, PasswordChange change, ClaimsPrincipal user, IdentityStore store, AuditLog audit, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var self = caller.Kind == "session" && caller.Name == username;
        if (!self && caller.Role != Roles.Admin)
        {
            await audit.WriteAsync(caller, new AuditEntry("user.password", username, Outcome: "denied"), cancellationToken);
            return Problems.Forbidden("only the user themselves or an admin may change a password");
        }

        var errors = new FieldErrors();
        if (Secrets.PasswordProblem(change.NewPassword, username) is { } problem)
        {
            errors.Add("newPassword", problem);
        }

        if (self && caller.Role != Roles.Admin && await store.LoginAsync(new Login(username, change.CurrentPassword, null), cancellationToken) is null)
        {
            errors.Add("currentPassword", "the current password is wrong");
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        if (await store.GetUserAsync(username, cancellationToken) is null)
        {
            return Problems.NotFound($"user '{username}'");
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await store.SetPasswordAsync(username, change.NewPassword!, connection, transaction, cancellationToken);
        await audit.WriteAsync(caller, new AuditEntry("user.password", username), connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public sealed record CreatedKey(long Id, string Name, string Role, string[] Districts, string Key);

    public static async Task<Results<Created<CreatedKey>, ValidationProblem, ProblemHttpResult>> CreateKeyAsync(
        NewApiKey key, ClaimsPrincipal admin, IdentityStore store, AuditLog audit, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var errors = IdentityStore.Validate(key);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors, "The API key is invalid");
        }

        var caller = Caller.From(admin);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await store.CreateApiKeyAsync(key, caller.Name, connection, transaction, cancellationToken);
        if (created is not { } made)
        {
            return Problems.Conflict($"an API key named '{key.Name}' already exists", "name");
        }

        await audit.WriteAsync(caller, new AuditEntry("apikey.create", key.Name, key.Districts, Details: new { key.Role, made.Id }), connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/keys/{made.Id}", new CreatedKey(made.Id, key.Name!.Trim(), key.Role!, key.Districts ?? [], made.Key));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKeyAsync(
        long id, ClaimsPrincipal admin, IdentityStore store, AuditLog audit, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await store.RevokeApiKeyAsync(id, connection, transaction, cancellationToken))
        {
            return Problems.NotFound($"active API key {id}");
        }

        await audit.WriteAsync(Caller.From(admin), new AuditEntry("apikey.revoke", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<IReadOnlyList<AuditView>>, ValidationProblem>> ListAuditAsync(
        AuditLog audit, CancellationToken cancellationToken, long? before = null, string? actor = null, string? action = null, string? target = null, int limit = 100)
    {
        if (limit is < 1 or > 1000)
        {
            var errors = new FieldErrors();
            errors.Add("limit", $"limit {limit} must be 1–1000");
            return Problems.Invalid(errors);
        }

        return TypedResults.Ok(await audit.ListAsync(before, actor, action, target, limit, cancellationToken));
    }
}
