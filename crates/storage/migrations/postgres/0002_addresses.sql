-- The site's addresses as its signed mirror list names them, and the list's serial.
CREATE TABLE site_addresses (
    host TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    added BIGINT NOT NULL,
    updated BIGINT NOT NULL
);

CREATE TABLE mirror_list (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    serial BIGINT NOT NULL
);
INSERT INTO mirror_list (id, serial) VALUES (1, 0);
