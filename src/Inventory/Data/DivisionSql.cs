namespace CameraNet.Inventory.Data;

/// <summary>SQL of the divisions aggregate.</summary>
public static class DivisionSql
{
    // Camera counts come from one aggregate pass over the register (~1 s for 1.1 M cameras on 2 cores),
    // not one count per division: 315 correlated counts over BRIN ranges took minutes at that size.
    private const string Select = """
        WITH counts AS (
            SELECT district_code, township_code, count(*)::int AS n
              FROM cameras
             WHERE status = 'active'
             GROUP BY district_code, township_code)
        SELECT d.code, d.name,
               CASE d.level WHEN 1 THEN 'district' ELSE 'township' END AS level,
               d.kind, d.parent_code AS parentCode, d.area_km2 AS areaKm2, d.synthetic,
               coalesce(CASE d.level
                  WHEN 1 THEN (SELECT sum(n) FROM counts c WHERE c.district_code = d.code)
                  ELSE (SELECT sum(n) FROM counts c WHERE c.township_code = d.code)
                END, 0)::int AS cameras
          FROM divisions d
        """;

    public const string List = $"""
        {Select}
         WHERE (@level IS NULL OR d.level = @level)
           AND (@parent IS NULL OR d.parent_code = @parent)
         ORDER BY d.code
        """;

    /// <summary>Outlines for the dashboard's map as SVG path data (y = −latitude), simplified to the map's scale.</summary>
    public const string Shapes = """
        SELECT code, name, parent_code AS parentCode,
               ST_AsSVG(ST_SimplifyPreserveTopology(geom, @tolerance), 0, 5) AS path
          FROM divisions
         WHERE level = @level
         ORDER BY code
        """;

    public const string Extent = """
        SELECT ST_XMin(e) AS minX, ST_YMin(e) AS minY, ST_XMax(e) AS maxX, ST_YMax(e) AS maxY
          FROM (SELECT ST_Extent(geom)::geometry AS e FROM divisions WHERE level = 1) s
        """;

    /// <summary>One division: its own count (one index range), not a pass over the register.</summary>
    public const string Get = """
        SELECT d.code, d.name,
               CASE d.level WHEN 1 THEN 'district' ELSE 'township' END AS level,
               d.kind, d.parent_code AS parentCode, d.area_km2 AS areaKm2, d.synthetic,
               (CASE d.level
                  WHEN 1 THEN (SELECT count(*) FROM cameras c WHERE c.district_code = d.code AND c.status = 'active')
                  ELSE (SELECT count(*) FROM cameras c WHERE c.township_code = d.code AND c.status = 'active')
                END)::int AS cameras
          FROM divisions d
         WHERE d.code = @code
        """;

    /// <summary>Parses one GeoJSON geometry and says whether PostGIS finds it valid, and why not.</summary>
    public const string CheckGeometry = """
        SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason, ST_GeometryType(g) AS type, ST_IsEmpty(g) AS empty
          FROM (SELECT ST_SetSRID(CASE WHEN @geometry IS NOT NULL THEN ST_GeomFromGeoJSON(@geometry) ELSE ST_GeomFromText(@wkt) END, 4326) AS g) s
        """;

    public const string Upsert = """
        INSERT INTO divisions AS d (code, name, level, kind, parent_code, geom, area_km2, synthetic, updated_at)
        SELECT @code, @name, @level, @kind, @parent, g, ST_Area(g::geography) / 1e6, @synthetic, now()
          FROM (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(
                  CASE WHEN @geometry IS NOT NULL THEN ST_GeomFromGeoJSON(@geometry) ELSE ST_GeomFromText(@wkt) END, 4326)), 3)) AS g) s
        ON CONFLICT (code) DO UPDATE
           SET name = excluded.name, kind = excluded.kind, geom = excluded.geom, area_km2 = excluded.area_km2,
               synthetic = excluded.synthetic, updated_at = now()
        RETURNING (xmax = 0) AS inserted
        """;

    public const string Exists = "SELECT level FROM divisions WHERE code = @code";

    /// <summary>The district and township whose polygons cover a point (at most one of each in a clean coverage).</summary>
    public const string Locate = """
        SELECT code, level FROM divisions
         WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326))
         ORDER BY level, code
        """;

    /// <summary>Cameras of the given districts whose township no longer covers them move to the township that does.</summary>
    public const string ReassignTownships = """
        UPDATE cameras c
           SET township_code = t.code, version = c.version + 1, updated_at = now(), updated_by = @actor,
               content_hash = 0 -- the fingerprint included the old township; 0 matches no file row, so a re-import rewrites it
          FROM divisions t
         WHERE c.district_code = ANY(@districts) AND c.status = 'active'
           AND t.level = 2 AND t.parent_code = c.district_code AND t.code <> c.township_code AND ST_Covers(t.geom, c.location)
           AND NOT EXISTS (SELECT 1 FROM divisions cur WHERE cur.code = c.township_code AND ST_Covers(cur.geom, c.location))
        RETURNING c.id
        """;

    public const string CamerasOutsideDistrict = """
        SELECT c.id FROM cameras c JOIN divisions d ON d.code = c.district_code
         WHERE c.district_code = ANY(@districts) AND c.status = 'active' AND NOT ST_Covers(d.geom, c.location)
         ORDER BY c.id
        """;

    public const string CountDistricts = "SELECT count(*)::int FROM divisions WHERE level = 1";
}
