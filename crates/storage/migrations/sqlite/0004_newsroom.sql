-- The newsroom: accounts, sessions, API tokens, article ownership, corrections, and who
-- saved each revision. Secrets (session ids, API tokens) are stored as SHA-256 hashes.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    author_id INTEGER REFERENCES authors(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

ALTER TABLE articles ADD COLUMN created_by INTEGER REFERENCES users(id);
ALTER TABLE article_revisions ADD COLUMN saved_by INTEGER REFERENCES users(id);
ALTER TABLE article_revisions ADD COLUMN note TEXT NOT NULL DEFAULT '';

CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    note TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX corrections_article ON corrections (article_id);

-- Widths of the resized copies made of an upload ("320,640"), and whether WebP copies exist.
ALTER TABLE media ADD COLUMN variants TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN webp INTEGER NOT NULL DEFAULT 0;
