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

/// Serves until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: SharedApp,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
