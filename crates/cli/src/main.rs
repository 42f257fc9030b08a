//! The `broadsheet` binary: every command an operator runs.

mod config;

use anyhow::{Context, Result};
use broadsheet_render::{Renderer, Theme};
use broadsheet_storage::Store;
use clap::{Args, Parser, Subcommand};
use config::{Config, Location};
use std::path::PathBuf;

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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
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
                    config::demo_file(&broadsheet_demo::settings()),
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
    }
}

async fn open_store(config: &Config) -> Result<Store> {
    Store::open(&config.database_url).await.with_context(|| {
        format!(
            "cannot open the database {} (from {})",
            config.database_url, config.source
        )
    })
}

async fn serve(config: Config, store: Store) -> Result<()> {
    let theme = Theme::new(config.theme_dir.as_deref())?;
    let app = broadsheet_web::App::new(
        store.clone(),
        config.site.clone(),
        Renderer::new(theme),
        config.media_dir.clone(),
    );
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
