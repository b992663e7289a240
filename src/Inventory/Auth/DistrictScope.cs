using System.Security.Claims;

namespace CameraNet.Inventory.Auth;

public static class DistrictScope
{
    /// <summary>
    /// True when the caller may act on <paramref name="district"/>: admins and service keys everywhere,
    /// others only in the districts assigned to them (none assigned means none allowed).
    /// </summary>
    public static bool MayActOn(this ClaimsPrincipal user, string district)
    {
        if (user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Ingest))
        {
            return true;
        }

        return user.FindAll(Roles.DistrictClaim).Any(c => c.Value == district);
    }
}
