-- The latest health check of each address, as `broadsheet mirrors check` found it.
CREATE TABLE mirror_checks (
    host TEXT PRIMARY KEY,
    checked_at INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    detail TEXT NOT NULL
);
