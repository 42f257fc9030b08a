//! `broadsheet backup` and `broadsheet restore`: the whole site in one `.tar.gz` — a
//! consistent copy of the database taken while the site serves, the media files, the theme
//! folder and the mirror signing key — and back.
//!
//! SQLite sites are copied with `VACUUM INTO`; PostgreSQL sites with `pg_dump` (one
//! consistent snapshot, in its custom format) and brought back with `pg_restore`, so the
//! PostgreSQL client tools must be installed where the command runs.
//!
//! The archive holds password hashes and the signing key: keep it as safe as the server.

use crate::config::Config;
use anyhow::{bail, Context, Result};
use broadsheet_storage::Store;
use std::fs::File;
use std::path::{Path, PathBuf};

const MANIFEST: &str = "broadsheet-backup.json";
const DATABASE: &str = "database.sqlite";
const PG_DUMP: &str = "database.pgdump";
const KEY: &str = "mirror-signing.key";
const FORMAT: u64 = 1;

/// What a backup or a restore moved.
pub struct Summary {
    pub articles: u64,
    pub media_files: u64,
}

/// Where the site's database lives, by the kind of its URL.
enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    fn of(url: &str) -> Result<Database> {
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            return Ok(Database::Sqlite(PathBuf::from(
                rest.split('?').next().unwrap_or_default(),
            )));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Database::Postgres(url.to_owned()));
        }
        bail!("backup and restore know SQLite and PostgreSQL database URLs, not {url}")
    }

    /// The archive member holding this kind of database.
    fn member(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => DATABASE,
            Database::Postgres(_) => PG_DUMP,
        }
    }
}

/// Runs one of the PostgreSQL client tools, turning a failure into its own message.
async fn pg_tool(program: &str, args: &[&str]) -> Result<()> {
    let output = tokio::process::Command::new(program)
        .args(args)
        .output()
        .await
        .with_context(|| {
            format!("cannot run {program}: install the PostgreSQL client tools (Debian: postgresql-client)")
        })?;
    if !output.status.success() {
        bail!(
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

pub async fn backup(config: &Config, store: &Store, out: &Path) -> Result<Summary> {
    let database = Database::of(&config.database_url)?;
    let staging = tempfile::Builder::new()
        .prefix(".broadsheet-backup-")
        .tempdir_in(
            out.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        )
        .context("cannot make a working folder next to the backup file")?;
    let snapshot = staging.path().join(database.member());
    match &database {
        Database::Sqlite(_) => store
            .snapshot_to(&snapshot)
            .await
            .context("cannot copy the database")?,
        // pg_dump reads one snapshot in a repeatable-read transaction while the site serves.
        Database::Postgres(url) => {
            let file = snapshot.to_string_lossy();
            pg_tool(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    &file,
                    "--dbname",
                    url,
                ],
            )
            .await?
        }
    }
    let articles = store.article_count().await?;
    let partial = staging.path().join("backup.tar.gz");
    let media_dir = config.media_dir.clone();
    let key = config.mirror_key_file.clone();
    let theme = config.theme_dir.clone().filter(|t| t.is_dir());
    let manifest = serde_json::json!({
        "format": FORMAT,
        "created": chrono::Utc::now().to_rfc3339(),
        "site": config.site.name,
        "articles": articles,
        "database": database.member(),
    });
    let member = database.member();
    let media_files = tokio::task::spawn_blocking({
        let partial = partial.clone();
        move || -> Result<u64> {
            let file = File::create(&partial)?;
            let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            let mut tar = tar::Builder::new(gz);
            let manifest = serde_json::to_vec_pretty(&manifest)?;
            let mut header = tar::Header::new_gnu();
            header.set_size(manifest.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, MANIFEST, manifest.as_slice())?;
            tar.append_path_with_name(&snapshot, member)?;
            // The database was copied first: every media file it names exists by now.
            let mut count = 0;
            if media_dir.is_dir() {
                count = count_files(&media_dir)?;
                tar.append_dir_all("media", &media_dir)?;
            }
            if key.is_file() {
                tar.append_path_with_name(&key, KEY)?;
            }
            if let Some(theme) = theme {
                tar.append_dir_all("theme", theme)?;
            }
            tar.into_inner()?.finish()?.sync_all()?;
            Ok(count)
        }
    })
    .await??;
    // Only a complete archive takes the name: a crash leaves no half backup behind.
    std::fs::rename(&partial, out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(Summary {
        articles,
        media_files,
    })
}

fn count_files(dir: &Path) -> std::io::Result<u64> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            n += count_files(&entry.path())?;
        } else {
            n += 1;
        }
    }
    Ok(n)
}

pub async fn restore(config: &Config, archive: &Path, force: bool) -> Result<Summary> {
    let database = Database::of(&config.database_url)?;
    let target_dir = match &database {
        Database::Sqlite(file) => {
            if file.exists() && !force {
                bail!(
                    "{} already exists; restore refuses to replace a site (use --force to replace it)",
                    file.display()
                );
            }
            file.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_owned()
        }
        Database::Postgres(url) => {
            if !force && holds_a_site(url).await? {
                bail!("the PostgreSQL database already holds a site; restore refuses to replace it (use --force to replace it)");
            }
            // The data folder: where the media folder lives.
            config
                .media_dir
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_owned()
        }
    };
    std::fs::create_dir_all(&target_dir)?;
    let staging = tempfile::Builder::new()
        .prefix(".broadsheet-restore-")
        .tempdir_in(&target_dir)?;
    let unpack_to = staging.path().to_owned();
    let archive_path = archive.to_owned();
    tokio::task::spawn_blocking(move || -> Result<()> {
        let file = File::open(&archive_path)
            .with_context(|| format!("cannot open {}", archive_path.display()))?;
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
        // `unpack_in` refuses entries that would land outside the folder.
        for entry in tar
            .entries()
            .context("not a Broadsheet backup (not a .tar.gz)")?
        {
            let mut entry = entry.context("the backup is damaged or truncated")?;
            if !entry.unpack_in(&unpack_to)? {
                bail!("the backup holds a path outside its folder; refused");
            }
        }
        Ok(())
    })
    .await??;
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(staging.path().join(MANIFEST))
            .context("not a Broadsheet backup (no broadsheet-backup.json)")?,
    )?;
    if manifest["format"].as_u64() != Some(FORMAT) {
        bail!(
            "backup format {} is not one this version reads",
            manifest["format"]
        );
    }
    let held = manifest["database"].as_str().unwrap_or(DATABASE);
    if held != database.member() {
        let (has, wants) = match database {
            Database::Sqlite(_) => ("PostgreSQL", "SQLite"),
            Database::Postgres(_) => ("SQLite", "PostgreSQL"),
        };
        bail!("this backup holds a {has} database and this site is configured for {wants}; restore it into a site that uses {has}");
    }
    let restored_db = staging.path().join(held);
    let articles = match &database {
        Database::Sqlite(file) => {
            // Check the copy before it replaces anything.
            let check = Store::open(&format!("sqlite://{}", restored_db.display()))
                .await
                .context("the backup's database does not open")?;
            let integrity = check.integrity_check().await?;
            if integrity != "ok" {
                bail!("the backup's database fails its integrity check: {integrity}");
            }
            let articles = check.article_count().await?;
            check.close().await;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
            std::fs::rename(&restored_db, file)
                .with_context(|| format!("cannot put the database at {}", file.display()))?;
            articles
        }
        Database::Postgres(url) => {
            // One transaction: a dump that fails half way leaves the database as it was.
            let file = restored_db.to_string_lossy();
            pg_tool(
                "pg_restore",
                &[
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                    url,
                    &file,
                ],
            )
            .await?;
            let store = Store::open(url)
                .await
                .context("the restored database does not open")?;
            let articles = store.article_count().await?;
            store.close().await;
            articles
        }
    };
    let mut media_files = 0;
    let media = staging.path().join("media");
    if media.is_dir() {
        std::fs::create_dir_all(&config.media_dir)?;
        media_files = copy_tree(&media, &config.media_dir)?;
    }
    let key = staging.path().join(KEY);
    if key.is_file() && !config.mirror_key_file.exists() {
        std::fs::copy(&key, &config.mirror_key_file)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                &config.mirror_key_file,
                std::fs::Permissions::from_mode(0o600),
            )?;
        }
    }
    let theme = staging.path().join("theme");
    if theme.is_dir() {
        let to = config
            .theme_dir
            .clone()
            .unwrap_or_else(|| target_dir.join("theme"));
        std::fs::create_dir_all(&to)?;
        copy_tree(&theme, &to)?;
    }
    // The search index is rebuilt from the restored database when the site next starts.
    let _ = std::fs::remove_dir_all(&config.search_dir);
    Ok(Summary {
        articles,
        media_files,
    })
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<u64> {
    let mut n = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            n += copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Whether a PostgreSQL database already has Broadsheet's tables with articles in them.
async fn holds_a_site(url: &str) -> Result<bool> {
    let store = Store::connect(url)
        .await
        .context("cannot open the PostgreSQL database")?;
    // No articles table yet: an empty database.
    let articles = store.article_count().await.unwrap_or(0);
    store.close().await;
    Ok(articles > 0)
}
