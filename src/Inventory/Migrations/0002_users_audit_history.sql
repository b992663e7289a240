-- Users, roles and credentials of people and services; the append-only audit log; camera history.
-- The register is tuned for bulk loads of a whole city (1.1 M rows): only the primary key is a
-- B-tree; district/township filters and map queries use BRIN, which costs almost nothing to maintain.

DROP INDEX IF EXISTS cameras_district_idx;
DROP INDEX IF EXISTS cameras_township_idx;
DROP INDEX IF EXISTS cameras_location_idx;
DROP INDEX IF EXISTS cameras_name_trgm_idx;
-- Divisions are checked by the application (with a cached copy) before any write; per-row foreign-key
-- triggers would double the cost of a bulk import.
ALTER TABLE cameras DROP CONSTRAINT IF EXISTS cameras_district_code_fkey;
ALTER TABLE cameras DROP CONSTRAINT IF EXISTS cameras_township_code_fkey;
CREATE INDEX cameras_division_brin ON cameras USING brin (district_code, township_code) WITH (pages_per_range = 16);
CREATE INDEX cameras_location_brin ON cameras USING brin (location) WITH (pages_per_range = 16);

-- Content hash of the registration (everything but bookkeeping): an import can tell an unchanged row
-- from a changed one without reading the row.
ALTER TABLE cameras ADD COLUMN content_hash bigint NOT NULL DEFAULT 0;
-- Keyed fingerprint of the credentials (HMAC, not a plain hash): lets a re-import skip unchanged
-- credentials without decrypting, and reveals nothing about them.
ALTER TABLE cameras ADD COLUMN credentials_hash bigint;
ALTER TABLE cameras ADD COLUMN updated_by text;
ALTER TABLE cameras ADD COLUMN retire_reason text;

CREATE TABLE camera_history (
    id           bigserial PRIMARY KEY,
    camera_id    text NOT NULL,
    version      integer NOT NULL,          -- the version this row was before the change
    change       text NOT NULL CHECK (change IN ('updated', 'retired', 'reactivated', 'imported')),
    changed_at   timestamptz NOT NULL DEFAULT now(),
    changed_by   text NOT NULL,
    before       jsonb NOT NULL             -- the camera as it was (credentials never included)
);
CREATE INDEX camera_history_camera_idx ON camera_history (camera_id, id);

CREATE TABLE users (
    username       text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    display_name   text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role           text NOT NULL CHECK (role IN ('admin', 'operator', 'analyst', 'viewer')),
    districts      text[] NOT NULL DEFAULT '{}',
    password_hash  text NOT NULL,           -- PBKDF2-SHA512 with salt and iteration count
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,         -- SHA-256 of the bearer token; the token itself is never stored
    username     text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    purpose      text                      -- stated once per login by analysts
);
CREATE INDEX sessions_user_idx ON sessions (username);

CREATE TABLE api_keys (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    key_hash     bytea NOT NULL UNIQUE,     -- SHA-256 of the key; shown once at creation
    role         text NOT NULL CHECK (role IN ('admin', 'operator', 'analyst', 'viewer', 'ingest')),
    districts    text[] NOT NULL DEFAULT '{}',
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor        text NOT NULL,
    role         text NOT NULL,
    action       text NOT NULL,
    target       text,
    districts    text[] NOT NULL DEFAULT '{}',
    purpose      text,
    outcome      text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'denied', 'failed')),
    client       text,
    details      jsonb
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);

-- Append-only: the audit log can be read and added to, never changed or emptied.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
