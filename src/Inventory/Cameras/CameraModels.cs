using CameraNet.Contracts;

namespace CameraNet.Inventory.Cameras;

/// <summary>
/// Body of a camera registration or replacement. Everything is nullable so a missing field gets a
/// named error, not a parse failure. <see cref="Username"/>/<see cref="Password"/> are write-only.
/// </summary>
public sealed record CameraRegistration
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public CameraKind? Kind { get; init; }
    public string? DistrictCode { get; init; }

    /// <summary>Optional: derived from the location when omitted.</summary>
    public string? TownshipCode { get; init; }

    public double? Longitude { get; init; }
    public double? Latitude { get; init; }

    /// <summary>Viewing direction, degrees clockwise from north, 0–360.</summary>
    public double? Azimuth { get; init; }

    /// <summary>Horizontal field of view in degrees, 1–360 (360 for a dome or a PTZ's reach).</summary>
    public double? FieldOfView { get; init; }

    /// <summary>Useful viewing distance in metres.</summary>
    public double? Range { get; init; }

    public string? MainStreamUrl { get; init; }
    public string? SubStreamUrl { get; init; }
    public DecodeMode? DecodeMode { get; init; }

    /// <summary>Frames per second analysed in full mode; null = every frame.</summary>
    public double? AnalysisFps { get; init; }

    public DateOnly? InstallDate { get; init; }
    public string? OwnerUnit { get; init; }

    /// <summary>RTSP user name; stored encrypted with the password, never returned.</summary>
    public string? Username { get; init; }

    /// <summary>RTSP password; stored encrypted, never returned, never logged.</summary>
    public string? Password { get; init; }

    /// <summary>On replacement: remove stored credentials (leaving both fields out keeps them).</summary>
    public bool ClearCredentials { get; init; }

    /// <summary>Never print the password.</summary>
    public override string ToString() => $"CameraRegistration {{ Id = {Id}, Name = {Name} }}";
}

/// <summary>A camera as the API returns it. Credentials are never part of it; only whether there are any.</summary>
public sealed record CameraView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required CameraKind Kind { get; init; }
    public required string DistrictCode { get; init; }
    public required string TownshipCode { get; init; }
    public required double Longitude { get; init; }
    public required double Latitude { get; init; }
    public required double Azimuth { get; init; }
    public required double FieldOfView { get; init; }
    public required double Range { get; init; }
    public required string MainStreamUrl { get; init; }
    public string? SubStreamUrl { get; init; }
    public required DecodeMode DecodeMode { get; init; }
    public double? AnalysisFps { get; init; }
    public DateOnly? InstallDate { get; init; }
    public string? OwnerUnit { get; init; }
    public required bool HasCredentials { get; init; }
    public required string Status { get; init; }
    public string? RetireReason { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? RetiredAt { get; init; }
    public string? UpdatedBy { get; init; }

    /// <summary>Health as the camera's ingest worker last reported it (null: never reported).</summary>
    public string? Health { get; init; }
    public string? HealthReason { get; init; }
    public DateTimeOffset? LastFrameAt { get; init; }
    public DateTimeOffset? HealthChangedAt { get; init; }
    public string? WorkerId { get; init; }
}

/// <summary>A page of cameras; pass <see cref="Next"/> as <c>after</c> to get the following page.</summary>
public sealed record CameraPage(IReadOnlyList<CameraView> Items, string? Next);

/// <summary>One change in a camera's life, with the camera as it was before it.</summary>
public sealed class CameraHistoryEntry
{
    public long Id { get; init; }
    public int Version { get; init; }
    public string Change { get; init; } = string.Empty;
    public DateTimeOffset ChangedAt { get; init; }
    public string ChangedBy { get; init; } = string.Empty;
    public string Before { get; init; } = string.Empty;
}

public sealed record RetireRequest(string? Reason);
