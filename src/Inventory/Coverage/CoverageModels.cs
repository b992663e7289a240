namespace CameraNet.Inventory.Coverage;

/// <summary>Coverage and camera counts of one district or township.</summary>
public sealed record CoverageRow
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required string Level { get; init; }
    public string? ParentCode { get; init; }
    public required double AreaKm2 { get; init; }

    /// <summary>Active (not retired) cameras registered in the division.</summary>
    public required int Cameras { get; init; }

    public required IReadOnlyDictionary<string, int> CamerasByKind { get; init; }
    public required int Online { get; init; }

    /// <summary>Active cameras not reported online right now (offline, failing or never seen).</summary>
    public required int NotOnline { get; init; }

    public required int Retired { get; init; }
    public required double CamerasPerKm2 { get; init; }

    /// <summary>Online / active cameras; 0 when there are none.</summary>
    public required double OnlineRatio { get; init; }

    /// <summary>Share of the division's area inside at least one active camera's wedge, %.</summary>
    public required double CoveragePct { get; init; }

    /// <summary>As <see cref="CoveragePct"/>, counting only cameras online now.</summary>
    public required double EffectiveCoveragePct { get; init; }

    public required double CoveredKm2 { get; init; }
}

/// <summary>A coverage report with how it was computed and how exact it is.</summary>
public sealed record CoverageReport
{
    public required DateTimeOffset ComputedAt { get; init; }
    public required string Method { get; init; }
    public required double CellSizeMetres { get; init; }
    public required IReadOnlyList<CoverageRow> Divisions { get; init; }
}

/// <summary>A day's coverage of a division, for trends.</summary>
public sealed class CoverageHistoryRow
{
    public DateOnly Day { get; init; }
    public string Code { get; init; } = string.Empty;
    public int Cameras { get; init; }
    public int Online { get; init; }
    public double CoveragePct { get; init; }
    public double EffectivePct { get; init; }
}
