using System.Security.Claims;

namespace CameraNet.Inventory.Auth;

/// <summary>Who is calling, as the audit log records it.</summary>
public sealed record Caller(string Name, string Role, IReadOnlyList<string> Districts, string Kind, string? Purpose)
{
    public const string KindClaim = "cameranet:kind";
    public const string PurposeClaim = "cameranet:purpose";

    public static Caller From(ClaimsPrincipal user) => new(
        user.Identity?.Name ?? "anonymous",
        user.FindFirstValue(ClaimTypes.Role) ?? "none",
        [.. user.FindAll(Roles.DistrictClaim).Select(c => c.Value)],
        user.FindFirstValue(KindClaim) ?? "unknown",
        user.FindFirstValue(PurposeClaim));

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, Name),
            new(ClaimTypes.Role, Role),
            new(KindClaim, Kind),
        };
        claims.AddRange(Districts.Select(d => new Claim(Roles.DistrictClaim, d)));
        if (Purpose is not null)
        {
            claims.Add(new Claim(PurposeClaim, Purpose));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}
