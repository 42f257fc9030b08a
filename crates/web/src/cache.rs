//! Render once, serve many: rendered pages kept in memory as ready-to-send bytes (plain,
//! and gzip and brotli once asked for) with their ETag, until a committed change to the
//! content clears them.

use axum::body::Bytes;
use axum::http::HeaderValue;
use broadsheet_domain::{ArticleSummary, SectionTree, SiteSettings, Slug, EDITORS_CHOICE};
use broadsheet_storage::{Store, StoreError};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Past this many bytes of pages the cache starts over, bounding memory whatever URLs are
/// asked for (a crawler walking 100,000 stories included). A page is counted as half as
/// much again as its plain bytes: room for its gzip and brotli copies.
const MAX_BYTES: usize = 32 * 1024 * 1024;

pub struct CachedPage {
    pub content_type: &'static str,
    pub identity: Bytes,
    /// The quoted ETag, ready to send (cloning it per response copies nothing).
    pub etag: HeaderValue,
    /// Compressed on first request for each encoding, then kept: a page nobody asks for
    /// gzipped is never gzipped, and a cold render pays for one encoding at most.
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

impl CachedPage {
    pub fn new(body: String, content_type: &'static str) -> CachedPage {
        let identity = Bytes::from(body);
        let quoted = format!("\"{}\"", &blake3::hash(&identity).to_hex()[..32]);
        let etag = HeaderValue::from_maybe_shared(Bytes::from(quoted))
            .unwrap_or_else(|_| HeaderValue::from_static("\"\""));
        CachedPage {
            content_type,
            identity,
            etag,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The gzip encoding (level 6), or empty if compression failed.
    pub fn gzip(&self) -> &Bytes {
        self.gzip.get_or_init(|| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            gz.write_all(&self.identity)
                .and_then(|()| gz.finish())
                .map(Bytes::from)
                .unwrap_or_default()
        })
    }

    /// The brotli encoding (quality 6), or empty if compression failed.
    pub fn brotli(&self) -> &Bytes {
        self.brotli.get_or_init(|| {
            let mut out = Vec::new();
            // A window as large as the page, not brotli's default 4 MB: the same output, a
            // quarter of the time, and 3 MB of encoder memory instead of 10 for a 20 KB page.
            // Not under 256 KB: at 64 KB the encoder switches to tables of 33 MB.
            let fits = usize::BITS - self.identity.len().max(1).leading_zeros();
            let params = brotli::enc::BrotliEncoderParams {
                quality: 6,
                lgwin: fits.clamp(18, 22) as i32,
                size_hint: self.identity.len(),
                ..Default::default()
            };
            match brotli::BrotliCompress(&mut self.identity.as_ref(), &mut out, &params) {
                Ok(_) => Bytes::from(out),
                Err(_) => Bytes::new(),
            }
        })
    }
}

/// What every page needs besides its own content: the section tree, the standing pages,
/// the settings with the site's addresses as they stand now, and the editors' choice that
/// the front page and every article show.
pub struct ChromeData {
    pub tree: SectionTree,
    pub pages: Vec<(String, String)>,
    pub settings: SiteSettings,
    pub editors_choice: Vec<ArticleSummary>,
}

/// How many stories of the editors' choice pages show.
pub const EDITORS_CHOICE_SIZE: u32 = 6;

/// One render of a page that requests for it wait on together. Holds the page once
/// rendered, or None when the render failed (each waiter then renders for itself).
pub type Flight = Arc<tokio::sync::OnceCell<Option<Arc<CachedPage>>>>;

#[derive(Default)]
struct Pages {
    by_key: HashMap<String, Arc<CachedPage>>,
    bytes: usize,
}

#[derive(Default)]
pub struct PageCache {
    /// Bumped on every change; a render that began under an older generation is not kept.
    generation: AtomicU64,
    pages: RwLock<Pages>,
    chrome: RwLock<Option<Arc<ChromeData>>>,
    /// Renders under way, by key and generation: after a change clears the cache, a
    /// thousand readers of the front page cause one render, not a thousand.
    flights: Mutex<HashMap<String, (u64, Flight)>>,
}

impl PageCache {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        self.pages.read().ok()?.by_key.get(key).cloned()
    }

    /// Keeps a page rendered under `generation`, unless content changed since.
    pub fn insert(&self, key: String, generation: u64, page: Arc<CachedPage>) {
        let Ok(mut pages) = self.pages.write() else {
            return;
        };
        if self.generation() != generation {
            return;
        }
        let charge = |page: &CachedPage| key.len() + page.identity.len() * 3 / 2;
        let size = charge(&page);
        if size > MAX_BYTES {
            return;
        }
        if pages.bytes + size > MAX_BYTES {
            pages.by_key.clear();
            pages.bytes = 0;
        }
        let replaced = pages.by_key.get(&key).map_or(0, |old| charge(old));
        pages.bytes = (pages.bytes + size).saturating_sub(replaced);
        pages.by_key.insert(key, page);
    }

    /// The render of `key` under way in `generation`, joined, or a new one.
    pub fn flight(&self, key: &str, generation: u64) -> Flight {
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        match flights.get(key) {
            Some((g, flight)) if *g == generation => flight.clone(),
            _ => {
                let flight = Flight::default();
                flights.insert(key.to_owned(), (generation, flight.clone()));
                flight
            }
        }
    }

    /// Forgets a finished render (unless a newer one took its place).
    pub fn landed(&self, key: &str, flight: &Flight) {
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        if flights
            .get(key)
            .is_some_and(|(_, f)| Arc::ptr_eq(f, flight))
        {
            flights.remove(key);
        }
    }

    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut pages) = self.pages.write() {
            pages.by_key.clear();
            pages.bytes = 0;
        }
        if let Ok(mut chrome) = self.chrome.write() {
            *chrome = None;
        }
    }

    /// The chrome if it is loaded, without waiting for the database.
    pub fn chrome_loaded(&self) -> Option<Arc<ChromeData>> {
        self.chrome.read().ok()?.clone()
    }

    pub async fn chrome(
        &self,
        store: &Store,
        configured: &SiteSettings,
    ) -> Result<Arc<ChromeData>, StoreError> {
        if let Some(chrome) = self.chrome_loaded() {
            return Ok(chrome);
        }
        let generation = self.generation();
        // Independent reads, asked for at once: one round trip to the database, not four.
        let editors_choice = Slug::parse(EDITORS_CHOICE)?;
        let (tree, pages, addresses, editors_choice) = tokio::try_join!(
            store.section_tree(),
            store.page_links(),
            store.addresses(),
            store.collection_articles(&editors_choice, EDITORS_CHOICE_SIZE),
        )?;
        let chrome = Arc::new(ChromeData {
            tree,
            pages,
            settings: configured.with_addresses(&addresses),
            editors_choice,
        });
        if let Ok(mut slot) = self.chrome.write() {
            if self.generation() == generation {
                *slot = Some(chrome.clone());
            }
        }
        Ok(chrome)
    }

    /// Clears the cache after every committed change the store announces. Any change
    /// clears everything: a headline shows on its page, its section, home, tags and authors,
    /// and rendering again is cheap next to serving.
    pub(crate) fn follow(cache: &Arc<PageCache>, store: &Store) {
        let mut events = store.subscribe();
        let cache = Arc::downgrade(cache);
        tokio::spawn(async move {
            loop {
                let event = events.recv().await;
                let Some(cache) = cache.upgrade() else { break };
                match event {
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        cache.clear()
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_stays_within_its_byte_budget_whatever_is_asked_for() {
        let cache = PageCache::default();
        let body = "x".repeat(100_000);
        let generation = cache.generation();
        // Far more distinct pages than the budget holds, as a crawler would ask for.
        for n in 0..1_000 {
            let page = Arc::new(CachedPage::new(body.clone(), "text/html"));
            cache.insert(format!("/story-{n}"), generation, page);
            let pages = cache.pages.read().expect("lock");
            assert!(pages.bytes <= MAX_BYTES, "{} bytes", pages.bytes);
            let held: usize = pages.by_key.values().map(|p| p.identity.len()).sum();
            assert!(held * 3 / 2 <= MAX_BYTES);
        }
        // The newest page is served from the cache; replacing a page does not count twice.
        assert!(cache.get("/story-999").is_some());
        let before = cache.pages.read().expect("lock").bytes;
        let page = Arc::new(CachedPage::new(body.clone(), "text/html"));
        cache.insert("/story-999".into(), generation, page);
        assert_eq!(cache.pages.read().expect("lock").bytes, before);
    }
}
