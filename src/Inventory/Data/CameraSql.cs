namespace CameraNet.Inventory.Data;

/// <summary>SQL of the cameras aggregate.</summary>
public static class CameraSql
{
    private const string Columns = """
        c.id, c.name, c.kind, c.district_code AS districtCode, c.township_code AS townshipCode,
        ST_X(c.location) AS longitude, ST_Y(c.location) AS latitude,
        c.azimuth_deg AS azimuth, c.fov_deg AS fieldOfView, c.range_m AS range,
        c.main_stream_url AS mainStreamUrl, c.sub_stream_url AS subStreamUrl,
        c.decode_mode AS decodeMode, c.analysis_fps AS analysisFps, c.install_date AS installDate,
        c.owner_unit AS ownerUnit, c.status, c.version, c.created_at AS createdAt, c.updated_at AS updatedAt
        """;

    public const string Insert = """
        INSERT INTO cameras (id, name, kind, district_code, township_code, location, azimuth_deg, fov_deg, range_m,
                             main_stream_url, sub_stream_url, decode_mode, analysis_fps, install_date, owner_unit)
        VALUES (@Id, @Name, @Kind, @DistrictCode, @TownshipCode, ST_SetSRID(ST_MakePoint(@Longitude, @Latitude), 4326),
                @Azimuth, @FieldOfView, @Range, @MainStreamUrl, @SubStreamUrl, @DecodeMode, @AnalysisFps, @InstallDate, @OwnerUnit)
        ON CONFLICT (id) DO NOTHING
        RETURNING id
        """;

    public const string Get = $"SELECT {Columns} FROM cameras c WHERE c.id = @id";

    /// <summary>Keyset page by ID: stable under concurrent inserts and as fast on page 10,000 as on page 1.</summary>
    public const string List = $"""
        SELECT {Columns} FROM cameras c
         WHERE (@after IS NULL OR c.id > @after)
           AND (@district IS NULL OR c.district_code = @district)
           AND (@township IS NULL OR c.township_code = @township)
           AND (@kind IS NULL OR c.kind = @kind)
           AND (@status IS NULL OR c.status = @status)
           AND (@q IS NULL OR c.name ILIKE '%' || @q || '%' OR c.id LIKE @q || '%')
         ORDER BY c.id
         LIMIT @limit
        """;

    public const string ForIngest = """
        SELECT c.id, c.name, c.district_code AS districtCode, c.township_code AS townshipCode, c.kind,
               c.main_stream_url AS mainStreamUrl, c.sub_stream_url AS subStreamUrl,
               c.decode_mode AS decodeMode, c.analysis_fps AS analysisFps, c.version
          FROM cameras c
         WHERE c.status = 'active'
         ORDER BY c.id
        """;

    public const string CountActive = "SELECT count(*)::int FROM cameras WHERE status = 'active'";
}
