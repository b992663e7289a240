using CameraNet.Inventory.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace CameraNet.Inventory.Auth;

/// <summary>
/// Every request refused for lack of a role is written to the audit log (outcome "denied") before the
/// 403 goes out, so probing for access leaves a trace.
/// </summary>
public sealed class DeniedAudit(AuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            await audit.WriteAsync(Caller.From(context.User),
                new AuditEntry("http.denied", $"{context.Request.Method} {context.Request.Path}", Outcome: "denied"), context.RequestAborted);
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
