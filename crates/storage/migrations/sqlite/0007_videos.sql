-- Videos: clips (HLS and/or MP4, with a length) and the channel's live stream (HLS).
CREATE TABLE videos (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('clip', 'live')),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    hls_url TEXT,
    mp4_url TEXT,
    duration_seconds INTEGER,
    thumbnail_url TEXT,
    captions_url TEXT,
    language TEXT NOT NULL,
    published_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX videos_published ON videos (published_at);
