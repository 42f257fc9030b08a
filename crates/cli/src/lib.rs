//! The parts of the `broadsheet` binary that other code needs too: reading the
//! configuration (the fuzz targets parse it) and backups.

pub mod backup;
pub mod config;
