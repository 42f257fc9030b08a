-- The site's addresses as its signed mirror list names them, and the list's serial.
CREATE TABLE site_addresses (
    host TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    added INTEGER NOT NULL,
    updated INTEGER NOT NULL
);

CREATE TABLE mirror_list (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    serial INTEGER NOT NULL
);
INSERT INTO mirror_list (id, serial) VALUES (1, 0);
