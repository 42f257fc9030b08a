//! One storage interface, [`Store`], over SQLite (the embedded default) and PostgreSQL.
//!
//! Queries are written once in SQL both databases accept (numbered `$n` parameters,
//! `RETURNING`, `ON CONFLICT`) and run through sqlx's `Any` driver; the backend is chosen
//! from the database URL. What differs between the two (schema types, connection
//! pragmas, write serialisation) stays in this module and in `migrations/{sqlite,postgres}`.
//!
//! Every successful write is committed before it returns, and then announced on the change
//! channel ([`Store::subscribe`]) so caches and indexes can follow.

mod addresses;
mod articles;
mod catalogue;
mod error;
mod imports;
pub mod testing;
mod users;
mod videos;
mod webhooks;

pub use articles::{ArticleOutline, Listing, NewsroomFilter, NewsroomItem, SavedBy};
pub use error::StoreError;
pub use users::Session;
pub use webhooks::{Delivery, Webhook};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Row};
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::{broadcast, Mutex, MutexGuard};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::BadUrl(format!(
                "{url:?} is neither sqlite://PATH nor postgres://..."
            )))
        }
    }
}

/// What changed, sent after the change is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeEvent {
    Article {
        id: i64,
    },
    Catalogue,
    /// Changes may have been missed (another node's notifications were cut off): caches
    /// and indexes should start over.
    Everything,
}

impl ChangeEvent {
    fn to_wire(&self) -> String {
        match self {
            ChangeEvent::Article { id } => format!("article {id}"),
            ChangeEvent::Catalogue => "catalogue".into(),
            ChangeEvent::Everything => "everything".into(),
        }
    }

    fn from_wire(text: &str) -> Option<ChangeEvent> {
        match text.split_once(' ') {
            Some(("article", id)) => id.parse().ok().map(|id| ChangeEvent::Article { id }),
            _ if text == "catalogue" => Some(ChangeEvent::Catalogue),
            _ if text == "everything" => Some(ChangeEvent::Everything),
            _ => None,
        }
    }
}

/// The PostgreSQL channel on which every node announces its committed changes.
const CHANNEL: &str = "broadsheet_changes";

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    events: broadcast::Sender<ChangeEvent>,
    /// SQLite allows one writer at a time; taking turns here avoids SQLITE_BUSY when a
    /// read transaction tries to upgrade. PostgreSQL writers run concurrently.
    write_turn: Arc<Mutex<()>>,
    /// PostgreSQL: the URL (for the notification listener) and this node's id, so a node
    /// does not act twice on its own changes.
    postgres_url: Option<String>,
    node: u64,
    /// True while this node is listening for the other nodes' changes (PostgreSQL).
    listening: Arc<tokio::sync::watch::Sender<bool>>,
}

/// What a connection is for: serving keeps memory small, a batch job reads fast.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Serving,
    Batch,
}

impl Store {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database for a one-off job that reads most of it (a static export, a
    /// reindex): SQLite maps the file into memory instead of copying it in page by page,
    /// which was a million read calls in an export of 10,000 stories. A serving process
    /// does not, since mapped pages count in its resident size.
    pub async fn open_for_batch(url: &str) -> Result<Store> {
        let store = Self::connect_as(url, Use::Batch).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it.
    pub async fn connect(url: &str) -> Result<Store> {
        Self::connect_as(url, Use::Serving).await
    }

    async fn connect_as(url: &str, intended: Use) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::BadUrl(format!("{url:?}: {e}")))?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // FULL: a commit is on disk before it is acknowledged, also in WAL mode.
                        conn.execute(
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL;",
                        )
                        .await?;
                        if intended == Use::Batch {
                            conn.execute("PRAGMA mmap_size = 4294967296;").await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL;").await?;
        }
        let (events, _) = broadcast::channel(1024);
        let node = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default()
            ^ u64::from(std::process::id()) << 32;
        Ok(Store {
            pool,
            backend,
            events,
            write_turn: Arc::new(Mutex::new(())),
            postgres_url: (backend == Backend::Postgres).then(|| url.clone()),
            node,
            listening: Arc::new(tokio::sync::watch::Sender::new(false)),
        })
    }

    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Change events, sent after each committed write.
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.events.subscribe()
    }

    /// Waits for running queries and closes every connection (checkpointing SQLite's WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Checks the database answers; used at start-up and by health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Writes a consistent copy of the whole database to `dest` while the site keeps
    /// serving (SQLite's `VACUUM INTO`). PostgreSQL has its own tools: `pg_dump`.
    pub async fn snapshot_to(&self, dest: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::BadUrl(
                "a PostgreSQL database is backed up with pg_dump; this backs up SQLite".into(),
            ));
        }
        let dest = dest
            .to_str()
            .ok_or_else(|| StoreError::BadUrl(format!("{} is not a UTF-8 path", dest.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(dest)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many articles there are, in every state.
    pub async fn article_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM articles")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// The database's own consistency check: `ok` when all is well.
    pub async fn integrity_check(&self) -> Result<String> {
        if self.backend != Backend::Sqlite {
            return Ok("ok".into());
        }
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        let lines: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<std::result::Result<_, _>>()?;
        Ok(lines.join("; "))
    }

    async fn write_turn(&self) -> Option<MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.write_turn.lock().await),
            Backend::Postgres => None,
        }
    }

    fn announce(&self, event: ChangeEvent) {
        // With PostgreSQL, other nodes serving the same database hear of it too.
        if self.backend == Backend::Postgres {
            let pool = self.pool.clone();
            let payload = format!("{} {}", self.node, event.to_wire());
            tokio::spawn(async move {
                let sent = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(&pool)
                    .await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "could not notify other nodes of a change");
                }
            });
        }
        // No subscriber is fine: nothing is cached yet.
        let _ = self.events.send(event);
    }

    /// With PostgreSQL, passes on the changes other nodes commit (through LISTEN/NOTIFY) as
    /// if they were this node's, so every node's page cache and search index follow the
    /// database. Nothing to do on SQLite, where one process owns the file.
    pub fn follow_other_nodes(&self) {
        let Some(url) = self.postgres_url.clone() else {
            return;
        };
        let events = self.events.clone();
        let node = self.node.to_string();
        let weak = Arc::downgrade(&self.write_turn);
        let listening = self.listening.clone();
        tokio::spawn(async move {
            let mut first = true;
            // Runs while the store lives; reconnects with a pause after any failure.
            while weak.strong_count() > 0 {
                match sqlx::postgres::PgListener::connect(&url).await {
                    Ok(mut listener) => {
                        if listener.listen(CHANNEL).await.is_ok() {
                            if !first {
                                // Whatever happened while we were not listening is unknown.
                                let _ = events.send(ChangeEvent::Everything);
                            }
                            first = false;
                            listening.send_replace(true);
                            loop {
                                let received = tokio::time::timeout(
                                    std::time::Duration::from_secs(5),
                                    listener.recv(),
                                )
                                .await;
                                if weak.strong_count() == 0 {
                                    return;
                                }
                                match received {
                                    Err(_) => continue,
                                    Ok(Err(e)) => {
                                        tracing::warn!(error = %e, "change notifications interrupted");
                                        listening.send_replace(false);
                                        break;
                                    }
                                    Ok(Ok(note)) => {
                                        let (from, what) =
                                            note.payload().split_once(' ').unwrap_or_default();
                                        if from != node {
                                            if let Some(event) = ChangeEvent::from_wire(what) {
                                                let _ = events.send(event);
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot listen for other nodes' changes"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        });
    }

    /// Waits until this node listens for the other nodes' changes (see
    /// `follow_other_nodes`), for at most `limit`; true if it does. Always false on SQLite.
    pub async fn listening_to_other_nodes(&self, limit: std::time::Duration) -> bool {
        let mut state = self.listening.subscribe();
        let listening = tokio::time::timeout(limit, state.wait_for(|listening| *listening)).await;
        matches!(listening, Ok(Ok(_)))
    }
}

/// Makes sure the SQLite file (and its folder) can be created on first use.
fn sqlite_url(url: &str) -> Result<String> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() {
        return Err(StoreError::BadUrl(format!(
            "{url:?} names no database file"
        )));
    }
    if path != ":memory:" {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::BadUrl(format!("cannot create folder {}: {e}", parent.display()))
                })?;
            }
        }
    }
    Ok(if rest.contains("mode=") {
        format!("sqlite://{rest}")
    } else if rest.contains('?') {
        format!("sqlite://{rest}&mode=rwc")
    } else {
        format!("sqlite://{rest}?mode=rwc")
    })
}

/// `$start, $start+1, ...` for `count` values: the one placeholder style both databases read.
fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn to_time(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
