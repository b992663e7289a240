using System.Text.Json.Serialization;
using CameraNet.Contracts;

namespace CameraNet.Inventory.Cameras;

/// <summary>Body of a camera registration. Everything is nullable so a missing field gets a named error, not a parse failure.</summary>
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
}

/// <summary>A camera as the API returns it. Credentials are never part of it.</summary>
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
    public required string Status { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A page of cameras; pass <see cref="Next"/> as <c>after</c> to get the following page.</summary>
public sealed record CameraPage(IReadOnlyList<CameraView> Items, string? Next);
