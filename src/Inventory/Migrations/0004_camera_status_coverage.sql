-- What ingest workers report about each camera (from NATS), and a daily coverage snapshot per division.

CREATE TABLE camera_status (
    camera_id      text PRIMARY KEY,
    health         text NOT NULL CHECK (health IN ('unknown', 'connecting', 'online', 'stalled', 'unreachable', 'authFailed', 'badStream')),
    reason         text NOT NULL,
    worker_id      text NOT NULL,
    last_frame_at  timestamptz,
    changed_at     timestamptz NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX camera_status_received_idx ON camera_status (received_at);

-- Every change to a camera is audited in its own transaction, so the audit log is the register's change
-- feed: coverage reads "audited since". Indexing it by time also serves audit queries by period, and
-- costs bulk loads nothing (an import writes one audit row).
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE TABLE coverage_history (
    day                  date NOT NULL,
    code                 text NOT NULL,
    cameras              integer NOT NULL,
    online               integer NOT NULL,
    coverage_pct         double precision NOT NULL,
    effective_pct        double precision NOT NULL,
    taken_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (code, day)
);
