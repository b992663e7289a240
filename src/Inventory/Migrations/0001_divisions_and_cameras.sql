-- Administrative divisions and the camera register.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE divisions (
    code         text PRIMARY KEY CHECK (code ~ '^[1-9][0-9]{5}([0-9]{3})?$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    level        smallint NOT NULL CHECK (level IN (1, 2)),          -- 1 district (6 digits), 2 township (9 digits)
    kind         text,                                               -- 区/县/市, 街道/镇/乡/other
    parent_code  text REFERENCES divisions (code),
    geom         geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    area_km2     double precision NOT NULL CHECK (area_km2 > 0),
    synthetic    boolean NOT NULL DEFAULT false,                    -- boundary is a stand-in, not a real one
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((level = 1 AND length(code) = 6 AND parent_code IS NULL)
        OR (level = 2 AND length(code) = 9 AND parent_code = left(code, 6)))
);
CREATE INDEX divisions_geom_idx ON divisions USING gist (geom);
CREATE INDEX divisions_parent_idx ON divisions (parent_code);

CREATE TABLE cameras (
    id              text PRIMARY KEY CHECK (id ~ '^[0-9]{20}$'),     -- GB/T 28181 device ID
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind            text NOT NULL CHECK (kind IN ('monitoringClass1', 'monitoringClass2', 'monitoringClass3', 'checkpoint', 'ptz')),
    district_code   text NOT NULL REFERENCES divisions (code),
    township_code   text NOT NULL REFERENCES divisions (code),
    location        geometry(Point, 4326) NOT NULL,
    azimuth_deg     double precision NOT NULL CHECK (azimuth_deg >= 0 AND azimuth_deg < 360),
    fov_deg         double precision NOT NULL CHECK (fov_deg >= 1 AND fov_deg <= 360),
    range_m         double precision NOT NULL CHECK (range_m > 0 AND range_m <= 3000),
    main_stream_url text NOT NULL CHECK (main_stream_url ~* '^rtsps?://'),
    sub_stream_url  text CHECK (sub_stream_url ~* '^rtsps?://'),
    credentials     bytea,                                           -- AES-GCM: nonce | tag | ciphertext; never returned
    decode_mode     text NOT NULL CHECK (decode_mode IN ('keyframe', 'full')),
    analysis_fps    real CHECK (analysis_fps IS NULL OR (analysis_fps > 0 AND analysis_fps <= 60)),
    install_date    date,
    owner_unit      text CHECK (length(owner_unit) <= 200),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    retired_at      timestamptz,
    CHECK (left(township_code, 6) = district_code)
);
CREATE INDEX cameras_district_idx ON cameras (district_code, id);
CREATE INDEX cameras_township_idx ON cameras (township_code, id);
CREATE INDEX cameras_location_idx ON cameras USING gist (location);
CREATE INDEX cameras_name_trgm_idx ON cameras USING gin (name gin_trgm_ops);
