namespace CameraNet.Inventory.Coverage;

/// <summary>SQL the coverage engine reads the register with.</summary>
public static class CoverageSql
{
    public const string Divisions = "SELECT code, name, level, parent_code, ST_AsBinary(geom) FROM divisions ORDER BY level, code";

    /// <summary>Bulk imports and boundary uploads change too much for incremental updates: they mean a rebuild.</summary>
    public const string RebuildMarker = """
        SELECT max(id) FROM audit_log WHERE action IN ('camera.import', 'divisions.import') AND outcome = 'ok'
        """;

    public const string ExportCameras = """
        COPY (SELECT id, ST_X(location), ST_Y(location), azimuth_deg, fov_deg, range_m, kind, district_code, township_code,
                     status = 'active', version
                FROM cameras) TO STDOUT (FORMAT BINARY)
        """;

    /// <summary>
    /// The earliest start of any transaction still open (or now). Audit rows and statuses are stamped
    /// during their transaction, never before it started, so a row that is not visible yet will carry a
    /// time at or after this horizon: reading "at or after the previous horizon" misses nothing, even when
    /// transactions commit out of order. Only the inventory's own role writes the audit log and
    /// camera_status, so its sessions are all visible here.
    /// </summary>
    public const string Horizon = """
        SELECT least(now(), min(xact_start)) FROM pg_stat_activity WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()
        """;

    /// <summary>Cameras registered, changed, retired or reactivated since the horizon, found through their audit rows.</summary>
    public const string ChangedCameras = """
        SELECT id, ST_X(location) AS lon, ST_Y(location) AS lat, azimuth_deg AS azimuth, fov_deg AS fov, range_m AS range, kind,
               district_code AS district, township_code AS township, status = 'active' AS active, version
          FROM cameras
         WHERE id IN (SELECT target FROM audit_log
                       WHERE at >= @since AND outcome = 'ok'
                         AND action IN ('camera.register', 'camera.update', 'camera.retire', 'camera.reactivate'))
        """;

    public const string OnlineCameras = "SELECT camera_id FROM camera_status WHERE health = 'online'";

    public const string ChangedStatuses = """
        SELECT camera_id, health = 'online', received_at FROM camera_status WHERE received_at >= @since
        """;

    public const string SaveSnapshot = """
        INSERT INTO coverage_history (day, code, cameras, online, coverage_pct, effective_pct)
        VALUES (@day, @code, @cameras, @online, @coveragePct, @effectivePct)
        ON CONFLICT (code, day) DO UPDATE
           SET cameras = excluded.cameras, online = excluded.online, coverage_pct = excluded.coverage_pct,
               effective_pct = excluded.effective_pct, taken_at = now()
        """;

    public const string History = """
        SELECT day, code, cameras, online, coverage_pct AS coveragePct, effective_pct AS effectivePct
          FROM coverage_history
         WHERE code = @code AND day BETWEEN @from AND @to
         ORDER BY day
        """;
}
