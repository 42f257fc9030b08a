-- The latest health check of each address, as `broadsheet mirrors check` found it.
CREATE TABLE mirror_checks (
    host TEXT PRIMARY KEY,
    checked_at BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    detail TEXT NOT NULL
);
