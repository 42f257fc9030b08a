-- What each import brought in: the source's id of an item -> the id it got here. A second
-- run of the same export finds its items here and changes nothing.
CREATE TABLE import_items (
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (source, kind, source_id)
);
