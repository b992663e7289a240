-- Watchlists (hotlists): plates or patterns analysts want to be alerted about, each with a reason and an expiry.
-- Entries are never deleted by users, only removed (kept with who and when, for accountability) or expired.
CREATE TABLE watchlist_entries (
    id           bigserial PRIMARY KEY,
    pattern      text NOT NULL CHECK (length(pattern) BETWEEN 1 AND 12),
    reason       text NOT NULL CHECK (length(reason) BETWEEN 5 AND 500),
    owner        text NOT NULL,
    districts    text[] NOT NULL,           -- where hits are raised: the owner's districts ({} = the whole city, admins only)
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    removed_at   timestamptz,
    removed_by   text,
    CHECK (expires_at > created_at)
);
CREATE INDEX watchlist_entries_active_idx ON watchlist_entries (expires_at) WHERE removed_at IS NULL;
