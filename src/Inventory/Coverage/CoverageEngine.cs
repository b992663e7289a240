using System.Diagnostics;
using CameraNet.Contracts;
using CameraNet.Inventory.Data;
using Dapper;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;

namespace CameraNet.Inventory.Coverage;

/// <summary>
/// Coverage of every division, kept in memory and up to date. Each active camera's wedge is drawn onto
/// a 10 m raster over the city (EPSG:4548, cell centres sampled); a division's coverage is the share of
/// its cells that are covered. A second raster holds only cameras online now ("effective coverage").
/// </summary>
/// <remarks>
/// Exact unions do not scale (PostGIS needed 22.6 s for 86 k wedges), so the raster is the model and
/// its error is measured against exact unions (bench/README.md). Changes are incremental: a camera
/// that moves or goes away has the cells of its old wedge cleared and redrawn from the cameras that
/// still reach them (found through a 500 m bucket index), and only divisions touching the change are
/// recounted. The register is followed through the audit log, which records every camera change in the
/// change's own transaction: "audited since" the last horizon (the start of the oldest transaction then
/// open, so late commits are not missed); bulk imports and new boundaries cause a full rebuild.
/// </remarks>
public sealed class CoverageEngine(NpgsqlDataSource db, ILogger<CoverageEngine> logger, TimeProvider clock) : IDisposable
{
    public const double CellSize = 10;
    public const double MaxRange = 3000;
    private const double BucketSize = 500;
    private static readonly CameraKind[] Kinds = Enum.GetValues<CameraKind>();

    private readonly GaussKruger _projection = GaussKruger.Epsg4548;
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim _sync = new(1, 1);
    private State? _state;

    private struct Camera
    {
        public Wedge Wedge;
        public int District;
        public int Township;
        public byte Kind;
        public bool Active;
        public bool Online;
        public int Version;
    }

    private sealed class Division
    {
        public required int Index { get; init; }
        public required string Code { get; init; }
        public required string Name { get; init; }
        public required short Level { get; init; }
        public string? Parent { get; init; }
        public required DivisionMask Mask { get; init; }
        public required Geometry Projected { get; init; }
        public long CoveredAll;
        public long CoveredOnline;
        public bool Dirty = true;
        public readonly int[] ByKind = new int[Kinds.Length];
        public int Active;
        public int Online;
        public int Retired;
    }

    private sealed class State
    {
        public required CoverageGrid All { get; init; }
        public required CoverageGrid Online { get; init; }
        public required List<Division> Divisions { get; init; }
        public required Dictionary<string, Division> ByCode { get; init; }
        public readonly Dictionary<string, int> Slots = new(StringComparer.Ordinal);
        public readonly List<Camera> Cameras = [];
        public readonly List<string> Ids = [];
        public readonly Dictionary<long, List<int>> Buckets = [];
        public readonly HashSet<string> OnlineIds = new(StringComparer.Ordinal);
        public long RebuildMarker;
        public DateTime Horizon;
        public DateTimeOffset BuiltAt;
    }

    public bool IsBuilt => Volatile.Read(ref _state) is not null;

    /// <summary>Brings the model up to date with the register and camera health; builds it on first use.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var marker = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(CoverageSql.RebuildMarker, cancellationToken: cancellationToken)) ?? 0;
            var state = _state;
            if (state is null || state.RebuildMarker != marker)
            {
                var built = await BuildAsync(connection, marker, cancellationToken);
                _gate.EnterWriteLock();
                try
                {
                    _state = built;
                }
                finally
                {
                    _gate.ExitWriteLock();
                }

                return;
            }

            await ApplyChangesAsync(connection, state, cancellationToken);
        }
        finally
        {
            _sync.Release();
        }
    }

    private async Task<State> BuildAsync(NpgsqlConnection connection, long marker, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var reader = new WKBReader();
        var rows = (await connection.QueryAsync<(string Code, string Name, short Level, string? Parent, byte[] Wkb)>(
            new CommandDefinition(CoverageSql.Divisions, cancellationToken: cancellationToken))).ToList();
        var projected = rows.Select(r => DivisionMask.Project(reader.Read(r.Wkb), _projection)).ToList();
        var extent = new Envelope();
        foreach (var p in projected)
        {
            extent.ExpandToInclude(p.EnvelopeInternal);
        }

        if (extent.IsNull)
        {
            extent = new Envelope(0, CellSize, 0, CellSize);
        }

        extent.ExpandBy(MaxRange);
        var width = (int)Math.Ceiling(extent.Width / CellSize);
        var height = (int)Math.Ceiling(extent.Height / CellSize);
        var all = new CoverageGrid(extent.MinX, extent.MinY, CellSize, width, height);
        var online = new CoverageGrid(extent.MinX, extent.MinY, CellSize, width, height);
        var divisions = rows.Select((r, i) => new Division
        {
            Index = i,
            Code = r.Code,
            Name = r.Name,
            Level = r.Level,
            Parent = r.Parent,
            Projected = projected[i],
            Mask = DivisionMask.Rasterise(r.Code, projected[i], all),
        }).ToList();
        var state = new State
        {
            All = all,
            Online = online,
            Divisions = divisions,
            ByCode = divisions.ToDictionary(d => d.Code, StringComparer.Ordinal),
            RebuildMarker = marker,
            BuiltAt = clock.GetUtcNow(),
        };

        state.Horizon = await HorizonAsync(connection, cancellationToken);
        foreach (var id in await connection.QueryAsync<string>(new CommandDefinition(CoverageSql.OnlineCameras, cancellationToken: cancellationToken)))
        {
            state.OnlineIds.Add(id);
        }

        await using (var export = await connection.BeginBinaryExportAsync(CoverageSql.ExportCameras, cancellationToken))
        {
            while (await export.StartRowAsync(cancellationToken) != -1)
            {
                var row = new CameraRow(
                    await export.ReadAsync<string>(cancellationToken),
                    await export.ReadAsync<double>(cancellationToken),
                    await export.ReadAsync<double>(cancellationToken),
                    await export.ReadAsync<double>(cancellationToken),
                    await export.ReadAsync<double>(cancellationToken),
                    await export.ReadAsync<double>(cancellationToken),
                    await export.ReadAsync<string>(cancellationToken),
                    await export.ReadAsync<string>(cancellationToken),
                    await export.ReadAsync<string>(cancellationToken),
                    await export.ReadAsync<bool>(cancellationToken),
                    await export.ReadAsync<int>(cancellationToken));
                Upsert(state, row, draw: false);
            }
        }

        // Draw everything once, then count every division.
        for (var slot = 0; slot < state.Cameras.Count; slot++)
        {
            Draw(state, slot);
        }

        foreach (var division in divisions)
        {
            Recount(state, division);
        }

        Log.CoverageBuilt(logger, state.Cameras.Count, divisions.Count, stopwatch.Elapsed.TotalSeconds, (long)width * height);
        return state;
    }

    private async Task ApplyChangesAsync(NpgsqlConnection connection, State state, CancellationToken cancellationToken)
    {
        // Everything written by transactions that were still open at the last horizon, or started since.
        var since = state.Horizon;
        var horizon = await HorizonAsync(connection, cancellationToken);
        var cameras = (await connection.QueryAsync<CameraRow>(new CommandDefinition(
            CoverageSql.ChangedCameras, new { since }, cancellationToken: cancellationToken))).ToList();
        var statuses = (await connection.QueryAsync<(string CameraId, bool Online, DateTime ReceivedAt)>(new CommandDefinition(
            CoverageSql.ChangedStatuses, new { since }, cancellationToken: cancellationToken))).ToList();
        state.Horizon = horizon;
        if (cameras.Count == 0 && statuses.Count == 0)
        {
            return;
        }

        _gate.EnterWriteLock();
        try
        {
            foreach (var (id, isOnline, _) in statuses)
            {
                var changed = isOnline ? state.OnlineIds.Add(id) : state.OnlineIds.Remove(id);
                if (changed && state.Slots.TryGetValue(id, out var slot))
                {
                    SetOnline(state, slot, isOnline);
                }
            }

            foreach (var row in cameras)
            {
                Upsert(state, row, draw: true);
            }
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    private static async Task<DateTime> HorizonAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(CoverageSql.Horizon, cancellationToken: cancellationToken));

    /// <summary>A camera row as read from the register (lon/lat in degrees).</summary>
    internal sealed record CameraRow(string Id, double Lon, double Lat, double Azimuth, double Fov, double Range, string Kind,
        string District, string Township, bool Active, int Version);

    private void Upsert(State state, CameraRow row, bool draw)
    {
        var (x, y) = _projection.Forward(row.Lon, row.Lat);
        var camera = new Camera
        {
            Wedge = new Wedge(x, y, row.Azimuth, row.Fov, row.Range),
            District = state.ByCode.TryGetValue(row.District, out var d) ? d.Index : -1,
            Township = state.ByCode.TryGetValue(row.Township, out var t) ? t.Index : -1,
            Kind = (byte)Array.IndexOf(Kinds, Enum.Parse<CameraKind>(row.Kind, ignoreCase: true)),
            Active = row.Active,
            Online = state.OnlineIds.Contains(row.Id),
            Version = row.Version,
        };

        if (state.Slots.TryGetValue(row.Id, out var slot))
        {
            var old = state.Cameras[slot];
            if (old.Version == camera.Version)
            {
                return; // seen already (rows of transactions open at the last horizon are read again)
            }

            Count(state, old, -1);
            if (old.Active)
            {
                Erase(state, slot);
            }

            state.Cameras[slot] = camera;
        }
        else
        {
            slot = state.Cameras.Count;
            state.Cameras.Add(camera);
            state.Ids.Add(row.Id);
            state.Slots[row.Id] = slot;
        }

        Count(state, camera, +1);
        if (camera.Active)
        {
            AddToBuckets(state, slot);
            if (draw)
            {
                Draw(state, slot);
                MarkDirty(state, camera.Wedge);
            }
        }
    }

    private static void Count(State state, in Camera camera, int delta)
    {
        foreach (var index in new[] { camera.District, camera.Township })
        {
            if (index < 0)
            {
                continue;
            }

            var division = state.Divisions[index];
            if (!camera.Active)
            {
                division.Retired += delta;
                continue;
            }

            division.Active += delta;
            division.ByKind[camera.Kind] += delta;
            if (camera.Online)
            {
                division.Online += delta;
            }
        }
    }

    private static void SetOnline(State state, int slot, bool online)
    {
        var camera = state.Cameras[slot];
        if (camera.Online == online)
        {
            return;
        }

        Count(state, camera, -1);
        camera.Online = online;
        state.Cameras[slot] = camera;
        Count(state, camera, +1);
        if (!camera.Active)
        {
            return;
        }

        if (online)
        {
            state.Online.Add(camera.Wedge);
        }
        else
        {
            Redraw(state, state.Online, camera.Wedge, slot, onlineOnly: true);
        }

        MarkDirty(state, camera.Wedge);
    }

    private static void Draw(State state, int slot)
    {
        var camera = state.Cameras[slot];
        if (!camera.Active)
        {
            return;
        }

        state.All.Add(camera.Wedge);
        if (camera.Online)
        {
            state.Online.Add(camera.Wedge);
        }
    }

    /// <summary>Takes a camera's wedge off both rasters: clears its cells and redraws the other cameras there.</summary>
    private static void Erase(State state, int slot)
    {
        var camera = state.Cameras[slot];
        RemoveFromBuckets(state, slot);
        Redraw(state, state.All, camera.Wedge, slot, onlineOnly: false);
        if (camera.Online)
        {
            Redraw(state, state.Online, camera.Wedge, slot, onlineOnly: true);
        }

        MarkDirty(state, camera.Wedge);
    }

    private static void Redraw(State state, CoverageGrid grid, Wedge gone, int except, bool onlineOnly)
    {
        var (r0, r1) = grid.RowsBetween(gone.Y - gone.Range, gone.Y + gone.Range);
        var (c0, c1) = grid.ColumnsBetween(gone.X - gone.Range, gone.X + gone.Range);
        grid.Clear(r0, r1, c0, c1);
        var seen = new HashSet<int>();
        foreach (var key in BucketsOf(gone.X - gone.Range - MaxRange, gone.Y - gone.Range - MaxRange, gone.X + gone.Range + MaxRange, gone.Y + gone.Range + MaxRange))
        {
            if (!state.Buckets.TryGetValue(key, out var slots))
            {
                continue;
            }

            foreach (var other in slots)
            {
                if (other == except || !seen.Add(other))
                {
                    continue;
                }

                var camera = state.Cameras[other];
                if (camera.Active && (!onlineOnly || camera.Online) && Overlaps(camera.Wedge, gone))
                {
                    grid.Add(camera.Wedge);
                }
            }
        }
    }

    private static bool Overlaps(in Wedge a, in Wedge b)
    {
        var dx = a.X - b.X;
        var dy = a.Y - b.Y;
        var reach = a.Range + b.Range;
        return dx * dx + dy * dy <= reach * reach;
    }

    // Cameras are bucketed by the 500 m tile of their position; a wedge reaches at most MaxRange from it.
    private static long Bucket(double x, double y) => ((long)Math.Floor(x / BucketSize) << 32) | (uint)(long)Math.Floor(y / BucketSize);

    private static IEnumerable<long> BucketsOf(double x0, double y0, double x1, double y1)
    {
        for (var bx = (long)Math.Floor(x0 / BucketSize); bx <= (long)Math.Floor(x1 / BucketSize); bx++)
        {
            for (var by = (long)Math.Floor(y0 / BucketSize); by <= (long)Math.Floor(y1 / BucketSize); by++)
            {
                yield return (bx << 32) | (uint)by;
            }
        }
    }

    private static void AddToBuckets(State state, int slot)
    {
        var w = state.Cameras[slot].Wedge;
        var key = Bucket(w.X, w.Y);
        if (!state.Buckets.TryGetValue(key, out var list))
        {
            state.Buckets[key] = list = [];
        }

        list.Add(slot);
    }

    private static void RemoveFromBuckets(State state, int slot)
    {
        var w = state.Cameras[slot].Wedge;
        if (state.Buckets.TryGetValue(Bucket(w.X, w.Y), out var list))
        {
            list.Remove(slot);
        }
    }

    private static void MarkDirty(State state, in Wedge wedge)
    {
        var box = new Envelope(wedge.X - wedge.Range, wedge.X + wedge.Range, wedge.Y - wedge.Range, wedge.Y + wedge.Range);
        foreach (var division in state.Divisions)
        {
            if (division.Mask.Envelope.Intersects(box))
            {
                division.Dirty = true;
            }
        }
    }

    private static void Recount(State state, Division division)
    {
        division.CoveredAll = division.Mask.Covered(state.All);
        division.CoveredOnline = division.Mask.Covered(state.Online);
        division.Dirty = false;
    }

    /// <summary>The report for all divisions, or the townships of one district (<paramref name="parent"/>), or one level.</summary>
    public async Task<CoverageReport> ReportAsync(string? parent, short? level, CancellationToken cancellationToken)
    {
        await SyncAsync(cancellationToken);
        _gate.EnterUpgradeableReadLock();
        try
        {
            var state = _state!;
            if (state.Divisions.Exists(d => d.Dirty))
            {
                _gate.EnterWriteLock();
                try
                {
                    foreach (var division in state.Divisions.Where(d => d.Dirty))
                    {
                        Recount(state, division);
                    }
                }
                finally
                {
                    _gate.ExitWriteLock();
                }
            }

            var rows = state.Divisions
                .Where(d => (parent is null || d.Parent == parent) && (level is null || d.Level == level))
                .Select(d => Row(state, d))
                .ToList();
            return new CoverageReport
            {
                ComputedAt = clock.GetUtcNow(),
                Method = $"raster: {CellSize:0} m cells in EPSG:4548, a cell counts as covered when its centre lies in a wedge; " +
                         "error bound and measured error against exact unions: docs/coverage.md",
                CellSizeMetres = CellSize,
                Divisions = rows,
            };
        }
        finally
        {
            _gate.ExitUpgradeableReadLock();
        }
    }

    private static CoverageRow Row(State state, Division d)
    {
        var areaKm2 = d.Mask.AreaM2 / 1e6;
        var cells = Math.Max(1, d.Mask.Cells);
        return new CoverageRow
        {
            Code = d.Code,
            Name = d.Name,
            Level = d.Level == 1 ? "district" : "township",
            ParentCode = d.Parent,
            AreaKm2 = Math.Round(areaKm2, 3),
            Cameras = d.Active,
            CamerasByKind = Kinds.Select((k, i) => (Name: Db.Text(k), Count: d.ByKind[i])).ToDictionary(x => x.Name, x => x.Count),
            Online = d.Online,
            NotOnline = d.Active - d.Online,
            Retired = d.Retired,
            CamerasPerKm2 = areaKm2 > 0 ? Math.Round(d.Active / areaKm2, 2) : 0,
            OnlineRatio = d.Active > 0 ? Math.Round((double)d.Online / d.Active, 4) : 0,
            CoveragePct = Math.Round(100.0 * d.CoveredAll / cells, 3),
            EffectiveCoveragePct = Math.Round(100.0 * d.CoveredOnline / cells, 3),
            CoveredKm2 = Math.Round(d.CoveredAll * state.All.CellArea / 1e6, 3),
        };
    }

    /// <summary>
    /// The uncovered parts of a division as GeoJSON features, largest first: 200 m blocks of the grid
    /// that lie mostly inside the division and are less than 10% covered, merged into connected areas.
    /// </summary>
    public async Task<IReadOnlyList<BlindSpot>?> BlindSpotsAsync(string code, bool onlineOnly, int limit, CancellationToken cancellationToken)
    {
        await SyncAsync(cancellationToken);
        _gate.EnterReadLock();
        try
        {
            var state = _state!;
            return state.ByCode.TryGetValue(code, out var division)
                ? BlindSpots.Find(division.Mask, onlineOnly ? state.Online : state.All, _projection, limit)
                : null;
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        _sync.Dispose();
    }
}
