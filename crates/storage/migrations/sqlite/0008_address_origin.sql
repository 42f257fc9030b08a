-- Addresses an admin added while the site ran are not the configuration's to retire:
-- start-up only retires configured addresses that left the configuration.
ALTER TABLE site_addresses ADD COLUMN from_config INTEGER NOT NULL DEFAULT 1;
