namespace CameraNet.Inventory.Data;

/// <summary>SQL of the cameras aggregate.</summary>
public static class CameraSql
{
    public const string Columns = """
        c.id, c.name, c.kind, c.district_code AS districtCode, c.township_code AS townshipCode,
        ST_X(c.location) AS longitude, ST_Y(c.location) AS latitude,
        c.azimuth_deg AS azimuth, c.fov_deg AS fieldOfView, c.range_m AS range,
        c.main_stream_url AS mainStreamUrl, c.sub_stream_url AS subStreamUrl,
        c.decode_mode AS decodeMode, c.analysis_fps AS analysisFps, c.install_date AS installDate,
        c.owner_unit AS ownerUnit, (c.credentials IS NOT NULL) AS hasCredentials, c.status, c.retire_reason AS retireReason,
        c.version, c.created_at AS createdAt, c.updated_at AS updatedAt, c.retired_at AS retiredAt, c.updated_by AS updatedBy
        """;

    /// <summary>
    /// Everything a registration must know from the register, in one round trip: whether the ID's
    /// centre code, the district and the township exist, and which district and township contain the point.
    /// </summary>
    public const string Context = """
        SELECT EXISTS (SELECT 1 FROM divisions WHERE code = @idDistrict) AS idDistrictKnown,
               (SELECT level FROM divisions WHERE code = @district) AS districtLevel,
               (SELECT level FROM divisions WHERE code = @township) AS townshipLevel,
               (SELECT code FROM divisions d WHERE d.level = 1 AND ST_Covers(d.geom, x.p) ORDER BY code LIMIT 1) AS inDistrict,
               (SELECT code FROM divisions d WHERE d.level = 2 AND ST_Covers(d.geom, x.p) ORDER BY code LIMIT 1) AS inTownship
          FROM (SELECT ST_SetSRID(ST_MakePoint(@lon, @lat), 4326) AS p) x
        """;

    public const string Insert = $"""
        INSERT INTO cameras AS c (id, name, kind, district_code, township_code, location, azimuth_deg, fov_deg, range_m,
                             main_stream_url, sub_stream_url, credentials, credentials_hash, decode_mode, analysis_fps,
                             install_date, owner_unit, content_hash, updated_by)
        VALUES (@Id, @Name, @Kind, @DistrictCode, @TownshipCode, ST_SetSRID(ST_MakePoint(@Longitude, @Latitude), 4326),
                @Azimuth, @FieldOfView, @Range, @MainStreamUrl, @SubStreamUrl, @Credentials, @CredentialsHash, @DecodeMode, @AnalysisFps,
                @InstallDate, @OwnerUnit, @ContentHash, @Actor)
        ON CONFLICT (id) DO NOTHING
        RETURNING {Columns}
        """;

    /// <summary>Replaces a camera's registration when the caller saw the current version (optimistic concurrency).</summary>
    public const string Update = $"""
        UPDATE cameras AS c
           SET name = @Name, kind = @Kind, district_code = @DistrictCode, township_code = @TownshipCode,
               location = ST_SetSRID(ST_MakePoint(@Longitude, @Latitude), 4326), azimuth_deg = @Azimuth, fov_deg = @FieldOfView,
               range_m = @Range, main_stream_url = @MainStreamUrl, sub_stream_url = @SubStreamUrl,
               credentials = CASE WHEN @ClearCredentials THEN NULL WHEN @Credentials IS NOT NULL THEN @Credentials ELSE c.credentials END,
               credentials_hash = CASE WHEN @ClearCredentials THEN NULL WHEN @Credentials IS NOT NULL THEN @CredentialsHash ELSE c.credentials_hash END,
               decode_mode = @DecodeMode, analysis_fps = @AnalysisFps, install_date = @InstallDate, owner_unit = @OwnerUnit,
               content_hash = @ContentHash, version = c.version + 1, updated_at = now(), updated_by = @Actor
         WHERE c.id = @Id AND c.version = @ExpectedVersion
        RETURNING {Columns}
        """;

    public const string SetStatus = $"""
        UPDATE cameras AS c
           SET status = @status, retire_reason = @reason, retired_at = CASE WHEN @status = 'retired' THEN now() END,
               version = c.version + 1, updated_at = now(), updated_by = @actor
         WHERE c.id = @id AND c.status <> @status
        RETURNING {Columns}
        """;

    /// <summary>Locks the row and returns it (for history and version checks inside a write transaction).</summary>
    public const string GetForUpdate = $"SELECT {Columns} FROM cameras c WHERE c.id = @id FOR UPDATE";

    /// <summary>What the camera's ingest worker last said about it (camera_status, from NATS).</summary>
    private const string HealthColumns = """
        s.health, s.reason AS healthReason, s.last_frame_at AS lastFrameAt, s.changed_at AS healthChangedAt, s.worker_id AS workerId
        """;

    public const string Get = $"SELECT {Columns}, {HealthColumns} FROM cameras c LEFT JOIN camera_status s ON s.camera_id = c.id WHERE c.id = @id";

    /// <summary>The camera as the API shows it (camelCase, no credentials), kept in history before each change.</summary>
    private const string Snapshot = """
        jsonb_build_object('id', c.id, 'name', c.name, 'kind', c.kind, 'districtCode', c.district_code, 'townshipCode', c.township_code,
            'longitude', ST_X(c.location), 'latitude', ST_Y(c.location), 'azimuth', c.azimuth_deg, 'fieldOfView', c.fov_deg,
            'range', c.range_m, 'mainStreamUrl', c.main_stream_url, 'subStreamUrl', c.sub_stream_url, 'decodeMode', c.decode_mode,
            'analysisFps', c.analysis_fps, 'installDate', c.install_date, 'ownerUnit', c.owner_unit,
            'hasCredentials', c.credentials IS NOT NULL, 'status', c.status, 'retireReason', c.retire_reason, 'version', c.version,
            'createdAt', c.created_at, 'updatedAt', c.updated_at, 'updatedBy', c.updated_by)
        """;

    public const string InsertHistory = $"""
        INSERT INTO camera_history (camera_id, version, change, changed_by, before)
        SELECT c.id, c.version, @change, @actor, {Snapshot} FROM cameras c WHERE c.id = @id
        """;

    public const string HistoryFromImport = $"""
        INSERT INTO camera_history (camera_id, version, change, changed_by, before)
        SELECT c.id, c.version, 'imported', @actor, {Snapshot}
          FROM cameras c JOIN camera_import_updates u ON u.id = c.id
        """;

    /// <summary>Applies an import's changed rows; stored credentials stay when the file gives none.</summary>
    public const string UpdateFromImport = """
        UPDATE cameras c
           SET name = u.name, kind = u.kind, district_code = u.district_code, township_code = u.township_code,
               location = u.location, azimuth_deg = u.azimuth_deg, fov_deg = u.fov_deg, range_m = u.range_m,
               main_stream_url = u.main_stream_url, sub_stream_url = u.sub_stream_url,
               credentials = coalesce(u.credentials, c.credentials),
               credentials_hash = CASE WHEN u.credentials IS NULL THEN c.credentials_hash ELSE u.credentials_hash END,
               decode_mode = u.decode_mode, analysis_fps = u.analysis_fps, install_date = u.install_date, owner_unit = u.owner_unit,
               content_hash = u.content_hash, version = c.version + 1, updated_at = now(), updated_by = @actor
          FROM camera_import_updates u
         WHERE u.id = c.id
        """;

    public const string History = """
        SELECT id, version, change, changed_at AS changedAt, changed_by AS changedBy, before::text AS before
          FROM camera_history WHERE camera_id = @id ORDER BY id
        """;

    /// <summary>Keyset page by ID: stable under concurrent inserts and as fast on page 10,000 as on page 1.</summary>
    public const string List = $"""
        SELECT {Columns}, {HealthColumns} FROM cameras c LEFT JOIN camera_status s ON s.camera_id = c.id
         WHERE (@after IS NULL OR c.id > @after)
           AND (@district IS NULL OR c.district_code = @district)
           AND (@township IS NULL OR c.township_code = @township)
           AND (@kind IS NULL OR c.kind = @kind)
           AND (@status IS NULL OR c.status = @status)
           AND (@health IS NULL OR coalesce(s.health, 'unknown') = @health)
           AND (@q IS NULL OR c.name ILIKE '%' || @q || '%' OR c.id LIKE @q || '%')
         ORDER BY c.id
         LIMIT @limit
        """;

    public const string ForIngest = """
        SELECT c.id, c.name, c.district_code AS districtCode, c.township_code AS townshipCode, c.kind,
               c.main_stream_url AS mainStreamUrl, c.sub_stream_url AS subStreamUrl,
               c.decode_mode AS decodeMode, c.analysis_fps AS analysisFps, c.version, (c.credentials IS NOT NULL) AS hasCredentials
          FROM cameras c
         WHERE c.status = 'active' AND (@districts::text[] IS NULL OR c.district_code = ANY(@districts))
         ORDER BY c.id
        """;

    /// <summary>
    /// Changes whenever the set of cameras to pull may have changed: the newest audit record of a camera
    /// or boundary change (each action separately, so the (action, id) index answers every part).
    /// </summary>
    public const string IngestMarker = """
        SELECT greatest(
            (SELECT max(id) FROM audit_log WHERE action = 'camera.register' AND outcome = 'ok'),
            (SELECT max(id) FROM audit_log WHERE action = 'camera.update' AND outcome = 'ok'),
            (SELECT max(id) FROM audit_log WHERE action = 'camera.retire' AND outcome = 'ok'),
            (SELECT max(id) FROM audit_log WHERE action = 'camera.reactivate' AND outcome = 'ok'),
            (SELECT max(id) FROM audit_log WHERE action = 'camera.import' AND outcome = 'ok'),
            (SELECT max(id) FROM audit_log WHERE action = 'divisions.import' AND outcome = 'ok'))
        """;

    public const string Credentials = "SELECT credentials FROM cameras WHERE id = @id AND status = 'active'";

    /// <summary>A batch of credentials not yet encrypted with the current key.</summary>
    public const string CredentialsToRotate = """
        SELECT id, credentials FROM cameras
         WHERE credentials IS NOT NULL AND convert_from(substring(credentials FROM 3 FOR get_byte(credentials, 1)), 'SQL_ASCII') <> @currentKeyId
         ORDER BY id LIMIT @limit
        """;

    public const string SetCredentials = "UPDATE cameras SET credentials = @credentials WHERE id = @id";

    public const string CountActive = "SELECT count(*)::int FROM cameras WHERE status = 'active'";
}
