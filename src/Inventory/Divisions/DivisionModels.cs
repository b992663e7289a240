namespace CameraNet.Inventory.Divisions;

public sealed record DivisionView(
    string Code,
    string Name,
    string Level,
    string? Kind,
    string? ParentCode,
    double AreaKm2,
    bool Synthetic,
    int Cameras);

/// <summary>
/// What a boundary upload changed. Cameras whose township no longer covers them were moved to the
/// township that does (first 100 listed); cameras now outside their district are listed, not moved.
/// </summary>
public sealed record DivisionImportResult(
    int Districts,
    int Townships,
    int Created,
    int Updated,
    IReadOnlyList<string> MadeValid,
    int CamerasMoved,
    IReadOnlyList<string> MovedCameras,
    int CamerasOutsideDistrict,
    IReadOnlyList<string> OutsideCameras);

/// <summary>One feature of an uploaded boundary file, as read before validation: geometry as GeoJSON or as WKT.</summary>
public sealed record DivisionFeature(int Index, string? Code, string? Name, string? Kind, bool Synthetic, string? GeometryJson, string? GeometryType, string? GeometryWkt = null);
