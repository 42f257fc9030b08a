//! The HTTP server. `routes` shows every address the site answers; `reader` renders the
//! public pages; `cache` keeps rendered pages in memory until the content changes;
//! `error` turns every failure into a page a reader understands.

mod cache;
mod content_api;
mod distribution;
mod error;
pub mod export;
mod mirrors;
pub mod newsroom;
mod reader;
mod respond;
mod routes;
pub mod search;

pub use cache::PageCache;
pub use error::AppError;
pub use routes::router;

use broadsheet_domain::SiteSettings;
use broadsheet_render::Renderer;
use broadsheet_storage::Store;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Everything a request handler needs, shared by all of them.
pub struct App {
    pub store: Store,
    pub settings: SiteSettings,
    pub renderer: Renderer,
    /// Folder holding uploaded and generated media files.
    pub media_dir: PathBuf,
    pub cache: Arc<PageCache>,
    /// Signs the mirror list; without it the list is not served.
    pub mirror_key: Option<broadsheet_mirror::SigningKey>,
    /// The full-text index; kept current from the store's change events.
    pub search: Option<Arc<broadsheet_search::SearchIndex>>,
    pub throttle: newsroom::auth::LoginThrottle,
    pub webhooks: newsroom::webhooks::Queue,
}

pub type SharedApp = Arc<App>;

impl App {
    /// The section tree, standing pages and the settings with the site's addresses as
    /// they stand (admins add and retire addresses while it runs); cached until a change.
    pub async fn chrome(&self) -> Result<Arc<cache::ChromeData>, broadsheet_storage::StoreError> {
        self.cache.chrome(&self.store, &self.settings).await
    }

    pub fn new(
        store: Store,
        settings: SiteSettings,
        renderer: Renderer,
        media_dir: PathBuf,
        mirror_key: Option<broadsheet_mirror::SigningKey>,
        search: Option<Arc<broadsheet_search::SearchIndex>>,
    ) -> SharedApp {
        let app = Arc::new(App {
            store,
            settings,
            renderer,
            media_dir,
            cache: Arc::default(),
            mirror_key,
            search,
            throttle: Default::default(),
            webhooks: Default::default(),
        });
        app.store.follow_other_nodes();
        PageCache::follow(&app.cache, &app.store);
        search::follow(&app);
        newsroom::scheduler::follow(Arc::downgrade(&app));
        newsroom::webhooks::follow(Arc::downgrade(&app));
        app
    }
}

/// How long a client may take to send a request's headers (and how long a kept-alive
/// connection may sit idle before its next request): slow clients cannot pile up
/// connections and starve the server.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Request heads larger than this are refused (431): no legitimate browser sends them.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Serves until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: SharedApp,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt;
    let router = router(app.clone());
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let routed = router
            .clone()
            .layer(axum::Extension(axum::extract::ConnectInfo(remote)));
        let app = app.clone();
        // Pages already rendered are answered before routing (`routes::cached_page`).
        let service = hyper::service::service_fn(
            move |request: axum::http::Request<hyper::body::Incoming>| {
                let answer = routes::cached_page(&app, &request).ok_or(request);
                let routed = routed.clone();
                async move {
                    match answer {
                        Ok(hit) => Ok::<_, std::convert::Infallible>(hit),
                        Err(request) => routed.oneshot(request.map(axum::body::Body::new)).await,
                    }
                }
            },
        );
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    // Requests in flight finish; idle connections close.
    graceful.shutdown().await;
    Ok(())
}
