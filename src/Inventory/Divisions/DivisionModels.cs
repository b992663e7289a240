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

public sealed record DivisionImportResult(int Districts, int Townships, int Created, int Updated, IReadOnlyList<string> MadeValid);

/// <summary>One feature of an uploaded boundary file, as read before validation.</summary>
public sealed record DivisionFeature(int Index, string? Code, string? Name, string? Kind, bool Synthetic, string? GeometryJson, string? GeometryType);
