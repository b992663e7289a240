namespace CameraNet.Inventory.Auth;

/// <summary>Who may do what. Roles come from the caller's key or login; district scope from its assignment.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Operator = "operator";
    public const string Analyst = "analyst";
    public const string Viewer = "viewer";

    /// <summary>Ingest workers: read the cameras they pull, with credentials.</summary>
    public const string Ingest = "ingest";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Admin, Operator, Analyst, Viewer, Ingest };

    public const string DistrictClaim = "cameranet:district";
}

public static class Policies
{
    public const string ReadRegister = "register:read";
    public const string WriteCameras = "cameras:write";
    public const string WriteDivisions = "divisions:write";
    public const string Ingest = "ingest";
    public const string IngestOnly = "ingest:credentials";
    public const string Admin = "admin";

    /// <summary>Plate captures (personal data): analysts (their districts) and admins.</summary>
    public const string ReadPlates = "plates:read";

    /// <summary>The dashboard's live plate feed: analysts only (administrators run the system; they do not watch traffic).</summary>
    public const string WatchPlatesLive = "plates:live";
}
