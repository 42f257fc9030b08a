//! Moving a WordPress or Ghost site into Broadsheet.
//!
//! - `wordpress`: reads a WXR export as a stream, item by item;
//! - `ghost`: reads a Ghost JSON export;
//! - `convert`: turns their bodies into clean Broadsheet bodies;
//! - `site`: writes what was read into the store, once: every imported item is recorded
//!   with its source id, so running the same import again changes nothing.
//!
//! The file is read completely and checked before anything is written, so a file that is
//! not an export, is truncated or has an unknown version leaves the database as it was.

pub mod convert;
pub mod ghost;
mod site;
pub mod wordpress;

pub use site::{import_ghost, import_wordpress};

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not what it should be; nothing was written.
    #[error("{0}")]
    Format(String),
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Store(#[from] broadsheet_storage::StoreError),
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Report what would happen; write nothing.
    pub dry_run: bool,
    /// A copy of the old site's uploads (`wp-content/uploads`, Ghost's `content/images`).
    pub uploads_dir: Option<PathBuf>,
    /// Fetch media files from their old URLs when they are not in `uploads_dir`.
    pub fetch_media: bool,
    /// Where this site keeps its media.
    pub media_dir: PathBuf,
    /// Credit authors as guest bylines instead of creating author pages.
    pub guest_bylines: bool,
    /// Ghost has no categories: the section its posts go to (a path such as `news`).
    pub section: Option<String>,
    /// Show a progress bar on the terminal.
    pub progress: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default)]
pub struct Report {
    pub dry_run: bool,
    /// Items created, per kind ("articles (published)", "sections", "media", ...).
    pub created: BTreeMap<String, u64>,
    /// Items an earlier run of the same import already brought in.
    pub unchanged: u64,
    /// Items left out, with the reason and the item's id.
    pub skipped: Vec<String>,
    /// Imported, but with something to check.
    pub warnings: Vec<String>,
}

impl Report {
    fn count(&mut self, kind: impl Into<String>) {
        *self.created.entry(kind.into()).or_default() += 1;
    }

    pub fn changed_nothing(&self) -> bool {
        self.created.values().all(|n| *n == 0)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        if self.changed_nothing() {
            writeln!(
                f,
                "Nothing {}: all {} items were already imported.",
                if self.dry_run {
                    "would change"
                } else {
                    "changed"
                },
                self.unchanged
            )?;
        } else {
            writeln!(
                f,
                "{}:",
                if self.dry_run {
                    "Dry run, nothing written; it"
                } else {
                    "Done; it"
                }
            )?;
            for (kind, n) in &self.created {
                writeln!(f, "  {verb} {n:>6} {kind}")?;
            }
            if self.unchanged > 0 {
                writeln!(f, "  already there: {}", self.unchanged)?;
            }
        }
        group(f, "Skipped", &self.skipped)?;
        group(f, "Warnings", &self.warnings)?;
        Ok(())
    }
}

/// Lines are `item: reason`; items with the same reason are listed together.
fn group(f: &mut fmt::Formatter<'_>, title: &str, lines: &[String]) -> fmt::Result {
    if lines.is_empty() {
        return Ok(());
    }
    let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in lines {
        let (item, reason) = line.split_once(": ").unwrap_or(("", line));
        by_reason.entry(reason).or_default().push(item);
    }
    writeln!(f, "{title} ({}):", lines.len())?;
    for (reason, items) in by_reason {
        let shown: Vec<&str> = items.iter().take(12).copied().collect();
        let more = items.len().saturating_sub(shown.len());
        write!(f, "  - {reason} ({}): {}", items.len(), shown.join(", "))?;
        if more > 0 {
            write!(f, " and {more} more")?;
        }
        writeln!(f)?;
    }
    Ok(())
}
