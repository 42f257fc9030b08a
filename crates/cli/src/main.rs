//! The `broadsheet` binary: every command an operator runs.

use anyhow::{Context, Result};
use broadsheet::{backup, config};
use broadsheet_render::{Renderer, Theme};
use broadsheet_storage::Store;
use clap::{Args, Parser, Subcommand};
use config::{Config, Location};
use std::path::PathBuf;

/// mimalloc gives memory back to the system soon after a traffic spike ends (the system
/// allocator keeps its high-water mark: ~180 MB after 1,000 connections, against ~60 MB).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Allocator settings that are read from the environment as the process starts, so the
/// program starts itself again with them set (an operator's own values are kept; if
/// starting again fails, nothing changes). Each was found by measuring resident memory
/// while serving 100,000 stories under load (BENCHMARKS.md):
/// - mimalloc hands memory back to the system only when the thread that freed it allocates
///   again, 10 ms later; a thread that goes idle after a burst (indexing, a traffic spike)
///   keeps what it freed. With no delay it goes back at once: the peak fell from about 200
///   to 150 MB.
/// - SQLite allocates with the C library's malloc on sqlx's connection threads, and glibc
///   gives each thread an arena of its own that keeps freed memory: under load while the
///   search index was rebuilt, 40 MB more stayed resident than with one arena. Two arenas
///   are enough for four connections that take turns.
const ALLOCATOR_SETTINGS: [(&str, &str); 2] =
    [("MIMALLOC_PURGE_DELAY", "0"), ("MALLOC_ARENA_MAX", "2")];

fn set_allocator_settings() {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let missing: Vec<_> = ALLOCATOR_SETTINGS
            .iter()
            .filter(|(name, _)| std::env::var_os(name).is_none())
            .collect();
        if missing.is_empty() {
            return;
        }
        if let Ok(program) = std::env::current_exe() {
            let _failed = std::process::Command::new(program)
                .args(std::env::args_os().skip(1))
                .envs(missing.iter().map(|(name, value)| (name, value)))
                .exec();
        }
    }
}

#[derive(Parser)]
#[command(
    name = "broadsheet",
    version,
    about = "A news publishing platform in one binary"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a demo site with sample content (first run) and serve it.
    Demo {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
        #[arg(long)]
        listen: Option<String>,
        /// Folder for the demo's database, media and configuration.
        #[arg(long, default_value = config::DEFAULT_DATA_DIR)]
        data: PathBuf,
    },
    /// Serve a site.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Rebuild the search index from the database (with the server stopped; a server also
    /// rebuilds a missing or damaged index by itself at start).
    Reindex {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Write the whole public site as static files any host or mirror can serve.
    Export {
        /// The folder to write; an earlier export there is updated in place.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// The signed list of the site's official addresses.
    #[command(subcommand)]
    Mirrors(MirrorsCommand),
    /// Newsroom accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Write the whole site (database, media, signing key) to one .tar.gz, while it serves.
    Backup {
        /// The archive to write, e.g. site-2026-11-29.tar.gz.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Bring a site back from a backup (refuses to replace an existing site without --force).
    Restore {
        /// The archive `broadsheet backup` wrote.
        file: PathBuf,
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Bring in a WordPress or Ghost site. Safe to run again: what is there stays as it is.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// A WordPress export (Tools -> Export, WXR 1.0 to 1.2).
    Wordpress {
        /// The export file (.xml).
        file: PathBuf,
        #[command(flatten)]
        import: ImportArgs,
    },
    /// A Ghost export (Settings -> Labs -> Export, JSON).
    Ghost {
        /// The export file (.json).
        file: PathBuf,
        /// The section the posts go to (a path such as `news`; default `news`, else a new
        /// `imported` section).
        #[arg(long)]
        section: Option<String>,
        #[command(flatten)]
        import: ImportArgs,
    },
}

#[derive(Args)]
struct ImportArgs {
    /// A copy of the old site's uploads folder (wp-content/uploads, or Ghost's content/images).
    #[arg(long)]
    uploads: Option<PathBuf>,
    /// Do not fetch media from the old site's URLs.
    #[arg(long)]
    no_fetch: bool,
    /// Credit the old site's authors as guest bylines, without author pages.
    #[arg(long)]
    guest_bylines: bool,
    /// Print what would be imported; write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    site: SiteArgs,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input; when none is given
    /// (or standard input is a terminal) one is generated and printed once.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// contributor, author, editor or admin
        #[arg(long)]
        role: String,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Print a new API token for the account (shown once; only its hash is kept).
    Token {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// List the accounts and their roles.
    List {
        #[command(flatten)]
        site: SiteArgs,
    },
}

#[derive(Subcommand)]
enum MirrorsCommand {
    /// Create the Ed25519 key that signs the list (never overwrites one).
    Keygen {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Show the addresses, their states and the list's serial.
    List {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Mark an address active, blocked or retired; the list's serial goes up.
    State {
        /// The host, as in the configuration (e.g. mirror.example).
        host: String,
        /// active, blocked or retired
        state: String,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Fetch the signed list from every active address (no redirects followed) and report
    /// addresses that fail, serve an old list or a tampered one; onion addresses through
    /// Tor when `tor_proxy` is set. Exits 1 if any fails.
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Check a signed list (a file, or an http(s) URL): signature, key, expiry, rollback.
    Verify {
        /// File path or URL of a broadsheet-mirrors.json document.
        source: String,
        /// The expected public key (base64) or its fingerprint.
        #[arg(long)]
        key: String,
        /// The highest serial seen before; a lower one is refused as a replay.
        #[arg(long)]
        previous_serial: Option<i64>,
    },
}

/// How every command that works on a site finds it.
#[derive(Args)]
struct SiteArgs {
    /// Configuration file (default: ./broadsheet.toml when present).
    #[arg(long, conflicts_with = "data")]
    config: Option<PathBuf>,
    /// Site folder, as made by `broadsheet demo`.
    #[arg(long)]
    data: Option<PathBuf>,
}

impl SiteArgs {
    fn load(&self) -> Result<Config> {
        let location = match (&self.config, &self.data) {
            (Some(file), _) => Location::File(file),
            (None, Some(dir)) => Location::DataDir(dir),
            (None, None) => Location::Default,
        };
        Ok(Config::load(location)?)
    }
}

fn main() {
    set_allocator_settings();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tantivy=warn,html5ever=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("broadsheet: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli.command)) {
        eprintln!("broadsheet: {e:#}");
        std::process::exit(1);
    }
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Demo { listen, data } => {
            let config_file = data.join(config::FILE_NAME);
            if !config_file.exists() {
                std::fs::create_dir_all(&data)
                    .with_context(|| format!("cannot create {}", data.display()))?;
                std::fs::write(
                    &config_file,
                    config::demo_file(&broadsheet_demo::settings(), broadsheet_demo::ADDRESS_KINDS),
                )
                .with_context(|| format!("cannot write {}", config_file.display()))?;
            }
            broadsheet_demo::write_theme(&data).context("cannot write the demo theme")?;
            let mut config = Config::load(Location::DataDir(&data))?;
            if let Some(listen) = listen {
                config.listen = listen.parse().with_context(|| {
                    format!("--listen {listen:?} is not an address such as 127.0.0.1:8080")
                })?;
            }
            if !config.mirror_key_file.exists() {
                broadsheet_mirror::create_key_file(&config.mirror_key_file)?;
            }
            let store = open_store(&config).await?;
            let report = broadsheet_demo::seed(&store, &config.media_dir)
                .await
                .context("cannot create the demo content")?;
            if report.seeded {
                eprintln!(
                    "Created the demo site in {}: {} articles in {} sections.",
                    data.display(),
                    report.articles,
                    report.sections
                );
                let logins = demo_accounts(&store, &data).await?;
                eprintln!(
                    "Newsroom at /newsroom: one account per role, passwords in {} (e.g. {}).",
                    logins.display(),
                    DEMO_ACCOUNTS[2].0
                );
            }
            serve(config, store).await
        }
        Command::Serve { site } => {
            let config = site.load()?;
            let store = open_store(&config).await?;
            serve(config, store).await
        }
        Command::Migrate { site } => {
            let config = site.load()?;
            let store = open_store(&config).await?;
            store.close().await;
            println!("The database at {} is up to date.", config.database_url);
            Ok(())
        }
        Command::Mirrors(command) => mirrors(command).await,
        Command::User(command) => users(command).await,
        Command::Import(command) => import(command).await,
        Command::Backup { out, site } => {
            let config = site.load()?;
            let store = open_store(&config).await?;
            let summary = backup::backup(&config, &store, &out).await;
            store.close().await;
            let summary = summary?;
            println!(
                "Backed up {} articles and {} media files to {}.",
                summary.articles,
                summary.media_files,
                out.display()
            );
            Ok(())
        }
        Command::Restore { file, force, site } => {
            let config = site.load()?;
            let summary = backup::restore(&config, &file, force).await?;
            println!(
                "Restored {} articles and {} media files from {}.",
                summary.articles,
                summary.media_files,
                file.display()
            );
            Ok(())
        }
        Command::Reindex { site } => {
            let config = site.load()?;
            let store = open_store_for_batch(&config).await?;
            let (index, _) = broadsheet_search::SearchIndex::open(&config.search_dir)
                .with_context(|| {
                    format!(
                        "cannot open the search index in {} (stop the server first)",
                        config.search_dir.display()
                    )
                })?;
            let count =
                broadsheet_web::search::rebuild(&store, &std::sync::Arc::new(index)).await?;
            store.close().await;
            println!(
                "Indexed {count} published articles in {}.",
                config.search_dir.display()
            );
            Ok(())
        }
        Command::Export { out, site } => {
            let config = site.load()?;
            let store = open_store_for_batch(&config).await?;
            // The export reads no index: a running server holds it.
            let app = build_app(&config, store.clone(), false).await?;
            let report = broadsheet_web::export::export(&app, &out)
                .await
                .context("the export failed")?;
            store.close().await;
            println!(
                "Exported to {}: {} files written, {} unchanged, {} removed; {} pages rendered ({}).",
                out.display(),
                report.written.len(),
                report.unchanged,
                report.removed.len(),
                report.rendered,
                report
                    .full_because
                    .map_or("only what shows edited articles".to_owned(), |why| {
                        format!("everything: {why}")
                    })
            );
            for path in report.written.iter().take(50) {
                println!("  wrote {path}");
            }
            for path in &report.removed {
                println!("  removed {path}");
            }
            Ok(())
        }
    }
}

const DEMO_ACCOUNTS: [(&str, &str, &str); 4] = [
    ("admin@broadsheet.example", "Ada Admin", "admin"),
    (
        "contributor@broadsheet.example",
        "Cyrus Contributor",
        "contributor",
    ),
    ("editor@broadsheet.example", "Esther Editor", "editor"),
    ("author@broadsheet.example", "Arash Author", "author"),
];

/// One newsroom account per role for the demo, with generated passwords written to a
/// file only its owner can read.
async fn demo_accounts(store: &Store, data: &std::path::Path) -> Result<PathBuf> {
    use broadsheet_web::newsroom::auth;
    use std::io::Write;
    let file = data.join("newsroom-logins.txt");
    let mut lines = String::from("# Demo newsroom accounts (log in at /newsroom/login)\n");
    for (email, name, role) in DEMO_ACCOUNTS {
        let password = auth::random_token()?;
        let new = broadsheet_domain::NewUser {
            email: email.into(),
            name: name.into(),
            role: broadsheet_domain::Role::parse(role)?,
            author_id: None,
        };
        store
            .create_user(&new, &auth::hash_password(&password)?)
            .await?;
        lines.push_str(&format!("{role:<12} {email:<32} {password}\n"));
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&file)
        .and_then(|mut f| f.write_all(lines.as_bytes()))
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(file)
}

async fn import(command: ImportCommand) -> Result<()> {
    use std::io::IsTerminal;
    let (file, args, section, ghost) = match command {
        ImportCommand::Wordpress { file, import } => (file, import, None, false),
        ImportCommand::Ghost {
            file,
            section,
            import,
        } => (file, import, section, true),
    };
    let config = args.site.load()?;
    let options = broadsheet_import::Options {
        dry_run: args.dry_run,
        uploads_dir: args.uploads,
        fetch_media: !args.no_fetch,
        media_dir: config.media_dir.clone(),
        guest_bylines: args.guest_bylines,
        section,
        progress: std::io::stderr().is_terminal(),
    };
    let store = open_store(&config).await?;
    let report = if ghost {
        broadsheet_import::import_ghost(&store, &file, &options).await
    } else {
        broadsheet_import::import_wordpress(&store, &file, &options).await
    };
    store.close().await;
    let report = report.with_context(|| format!("cannot import {}", file.display()))?;
    print!("{report}");
    if !report.dry_run && !report.changed_nothing() {
        println!(
            "A running server shows the new articles after a restart; `broadsheet reindex` (server stopped) adds them to search."
        );
    }
    Ok(())
}

async fn users(command: UserCommand) -> Result<()> {
    use broadsheet_web::newsroom::auth;
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            site,
        } => {
            let config = site.load()?;
            let role = broadsheet_domain::Role::parse(&role)?;
            let new = broadsheet_domain::NewUser {
                email,
                name,
                role,
                author_id: None,
            };
            new.validate()?;
            let given = read_password_from_stdin()?;
            let password = match &given {
                Some(p) => p.clone(),
                None => auth::random_token()?,
            };
            let hash = auth::hash_password(&password)?;
            let store = open_store(&config).await?;
            let user = store.create_user(&new, &hash).await;
            store.close().await;
            let user = user?;
            println!("Created {} <{}>, {}.", user.name, user.email, user.role);
            if given.is_none() {
                println!("password: {password}");
                println!("(shown once; they can change it in the newsroom)");
            }
            Ok(())
        }
        UserCommand::Token { email, site } => {
            let config = site.load()?;
            let store = open_store(&config).await?;
            let found = store.user_for_login(&email).await?;
            let Some((user, _)) = found else {
                store.close().await;
                anyhow::bail!("there is no account for {email:?}");
            };
            let token = auth::random_token()?;
            store
                .add_api_token(&auth::token_hash(&token), user.id)
                .await?;
            store.close().await;
            println!("{token}");
            Ok(())
        }
        UserCommand::List { site } => {
            let config = site.load()?;
            let store = open_store(&config).await?;
            let users = store.users().await?;
            store.close().await;
            for user in users {
                println!("{:<12} {} <{}>", user.role.as_str(), user.name, user.email);
            }
            Ok(())
        }
    }
}

/// The password piped in on standard input, if any (a terminal is not read: typing would
/// echo the password).
fn read_password_from_stdin() -> Result<Option<String>> {
    use std::io::{IsTerminal, Read};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut input = String::new();
    stdin
        .lock()
        .take(4096)
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    let password = input.lines().next().unwrap_or_default().to_owned();
    Ok((!password.is_empty()).then_some(password))
}

async fn mirrors(command: MirrorsCommand) -> Result<()> {
    match command {
        MirrorsCommand::Keygen { site } => {
            let config = site.load()?;
            let key = broadsheet_mirror::create_key_file(&config.mirror_key_file)?;
            let public = key.verifying_key();
            println!(
                "Created {} (readable by its owner only; keep a backup somewhere safe).",
                config.mirror_key_file.display()
            );
            println!("public key:  {}", broadsheet_mirror::encode_public(&public));
            println!("fingerprint: {}", broadsheet_mirror::fingerprint(&public));
            Ok(())
        }
        MirrorsCommand::List { site } => {
            let config = site.load()?;
            let store = open_store(&config).await?;
            store.sync_addresses(&config.addresses()).await?;
            println!("serial {}", store.mirror_serial().await?);
            let checks = store.latest_checks().await?;
            for a in store.addresses().await? {
                let check = match checks.get(&a.host) {
                    Some((when, ok, detail)) => format!(
                        "  last check {}: {} {detail}",
                        when.format("%Y-%m-%d %H:%M"),
                        if *ok { "ok" } else { "FAILED" }
                    ),
                    None => String::new(),
                };
                println!(
                    "{:<8} {:<7} {}  (since {}){check}",
                    a.state.as_str(),
                    a.kind.as_str(),
                    a.url(),
                    a.added.format("%Y-%m-%d")
                );
            }
            store.close().await;
            Ok(())
        }
        MirrorsCommand::State { host, state, site } => {
            let state = broadsheet_domain::AddressState::parse(&state)
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let config = site.load()?;
            let store = open_store(&config).await?;
            store.sync_addresses(&config.addresses()).await?;
            let address = store
                .set_address_state(&host, state)
                .await
                .with_context(|| format!("cannot change {host}"))?;
            println!(
                "{} is now {}; the list's serial is {}.",
                address.url(),
                address.state.as_str(),
                store.mirror_serial().await?
            );
            store.close().await;
            Ok(())
        }
        MirrorsCommand::Check { site } => {
            let config = site.load()?;
            let key = broadsheet_mirror::read_key_file(&config.mirror_key_file)
                .context("the check compares each address's list with this site's key")?;
            let fingerprint = broadsheet_mirror::fingerprint(&key.verifying_key());
            let store = open_store(&config).await?;
            store.sync_addresses(&config.addresses()).await?;
            let serial = store.mirror_serial().await?;
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(15))
                .build()?;
            // Onion services answer slowly: circuits take seconds to build.
            let tor = match &config.tor_proxy {
                Some(proxy) => Some(
                    reqwest::Client::builder()
                        .redirect(reqwest::redirect::Policy::none())
                        .timeout(std::time::Duration::from_secs(60))
                        .proxy(reqwest::Proxy::all(proxy)?)
                        .build()?,
                ),
                None => None,
            };
            let mut failures = 0;
            println!("{:<60} {:<6} detail", "address", "result");
            for address in store.addresses().await? {
                if address.state != broadsheet_domain::AddressState::Active {
                    continue;
                }
                let onion = address.kind == broadsheet_domain::AddressKind::Onion;
                let (ok, detail) = match (onion, &tor) {
                    (true, None) => (
                        true,
                        "not checked: onion addresses are reached through Tor; set tor_proxy"
                            .to_owned(),
                    ),
                    (true, Some(tor)) => {
                        check_address(tor, &address.url(), &fingerprint, serial).await
                    }
                    (false, _) => {
                        check_address(&client, &address.url(), &fingerprint, serial).await
                    }
                };
                if !ok {
                    failures += 1;
                }
                store.record_check(&address.host, ok, &detail).await?;
                println!(
                    "{:<60} {:<6} {detail}",
                    address.url(),
                    if ok { "ok" } else { "FAILED" }
                );
            }
            store.close().await;
            if failures > 0 {
                anyhow::bail!("{failures} address(es) failed the check");
            }
            Ok(())
        }
        MirrorsCommand::Verify {
            source,
            key,
            previous_serial,
        } => {
            let document = if source.starts_with("http://") || source.starts_with("https://") {
                let response = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(std::time::Duration::from_secs(30))
                    .build()?
                    .get(&source)
                    .send()
                    .await
                    .with_context(|| format!("cannot fetch {source}"))?;
                if !response.status().is_success() {
                    anyhow::bail!("{source} answered {}, not the list", response.status());
                }
                response.text().await?
            } else {
                std::fs::read_to_string(&source).with_context(|| format!("cannot read {source}"))?
            };
            let manifest =
                broadsheet_mirror::verify(&document, &key, chrono::Utc::now(), previous_serial)
                    .with_context(|| format!("{source} is NOT a valid list"))?;
            println!(
                "OK: {} lists {} addresses, serial {}, issued {}, valid until {}, signed by {}.",
                manifest.site,
                manifest.addresses.len(),
                manifest.serial,
                manifest.issued,
                manifest.expires,
                manifest.key_fingerprint
            );
            Ok(())
        }
    }
}

/// One address: its list must answer directly (a redirect is a failure), be signed by
/// our key and carry the current serial.
async fn check_address(
    client: &reqwest::Client,
    base: &str,
    fingerprint: &str,
    serial: i64,
) -> (bool, String) {
    let url = format!("{base}/.well-known/broadsheet-mirrors.json");
    let response = match client.get(&url).send().await {
        Ok(r) => r,
        Err(e) => return (false, format!("unreachable: {e}")),
    };
    let status = response.status();
    if status.is_redirection() {
        let target = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?")
            .to_owned();
        return (false, format!("redirects to {target}"));
    }
    if !status.is_success() {
        return (false, format!("answered {status}"));
    }
    let body = match response.text().await {
        Ok(b) => b,
        Err(e) => return (false, format!("unreadable answer: {e}")),
    };
    match broadsheet_mirror::verify(&body, fingerprint, chrono::Utc::now(), None) {
        Ok(m) if m.serial < serial => (
            false,
            format!("stale: serves serial {} of {serial}", m.serial),
        ),
        Ok(m) => (true, format!("serial {}", m.serial)),
        Err(e) => (false, format!("tampered or foreign list: {e}")),
    }
}

async fn open_store(config: &Config) -> Result<Store> {
    opened(config, Store::open(&config.database_url).await)
}

/// The database for a job that reads all of it (export, reindex); see `Store::open_for_batch`.
async fn open_store_for_batch(config: &Config) -> Result<Store> {
    opened(config, Store::open_for_batch(&config.database_url).await)
}

fn opened(config: &Config, store: Result<Store, broadsheet_storage::StoreError>) -> Result<Store> {
    store.with_context(|| {
        format!(
            "cannot open the database {} (from {})",
            config.database_url, config.source
        )
    })
}

async fn serve(config: Config, store: Store) -> Result<()> {
    let app = build_app(&config, store.clone(), true).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    println!("{} is being served at http://{address}/", config.site.name);
    broadsheet_web::serve(listener, app, shutdown_signal()).await?;
    eprintln!("Shutting down: requests finished, closing the database.");
    store.close().await;
    Ok(())
}

/// The site as `serve` and `export` see it: theme, address list and signing key loaded.
async fn build_app(
    config: &Config,
    store: Store,
    with_search: bool,
) -> Result<broadsheet_web::SharedApp> {
    let theme = Theme::new(config.theme_dir.as_deref())?;
    store.sync_addresses(&config.addresses()).await?;
    let mirror_key = if config.mirror_key_file.exists() {
        Some(broadsheet_mirror::read_key_file(&config.mirror_key_file)?)
    } else {
        eprintln!(
            "No mirror signing key at {}: the signed address list is not served. Run `broadsheet mirrors keygen` to create one.",
            config.mirror_key_file.display()
        );
        None
    };
    let (search, rebuild) = if with_search {
        let (index, fresh) = broadsheet_search::SearchIndex::open(&config.search_dir)
            .with_context(|| {
                format!(
                    "cannot open the search index in {} (is another broadsheet using it?)",
                    config.search_dir.display()
                )
            })?;
        (Some(std::sync::Arc::new(index)), fresh)
    } else {
        (None, false)
    };
    let app = broadsheet_web::App::new(
        store.clone(),
        config.site.clone(),
        Renderer::new(theme),
        config.media_dir.clone(),
        mirror_key,
        search.clone(),
    );
    if let (Some(index), true) = (search, rebuild) {
        // A new or damaged index fills from the database while the site already serves.
        tokio::spawn(async move {
            match broadsheet_web::search::rebuild(&store, &index).await {
                Ok(n) => tracing::info!("search index rebuilt: {n} articles"),
                Err(e) => tracing::error!(error = %e, "search index rebuild failed"),
            }
        });
    }
    Ok(app)
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
