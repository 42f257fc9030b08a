//! Building responses: cached pages with content negotiation and conditional GET, theme
//! assets and media files.

use crate::cache::CachedPage;
use crate::{App, AppError};
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::sync::Arc;

/// Serves `key` from the page cache, or awaits `render` (body and content type), keeps
/// the result and serves it. `render` does nothing until it is awaited, so a hit costs
/// no query.
pub async fn cached(
    app: &App,
    key: String,
    request: &HeaderMap,
    render: impl Future<Output = Result<(String, &'static str), AppError>>,
) -> Result<Response, AppError> {
    if let Some(hit) = app.cache.get(&key) {
        return Ok(page(&hit, request));
    }
    // Requests that miss together share one render.
    let generation = app.cache.generation();
    let flight = app.cache.flight(&key, generation);
    let mut render = Some(render);
    let mut failure = None;
    let landed = flight
        .get_or_init(|| async {
            let rendered = match render.take() {
                Some(render) => render.await,
                None => return None,
            };
            let page = match rendered {
                Ok((body, content_type)) => Arc::new(CachedPage::new(body, content_type)),
                Err(e) => {
                    failure = Some(e);
                    return None;
                }
            };
            app.cache.insert(key.clone(), generation, page.clone());
            Some(page)
        })
        .await
        .clone();
    if render.is_none() {
        // This request rendered: the flight is over.
        app.cache.landed(&key, &flight);
    }
    if let Some(error) = failure {
        return Err(error);
    }
    match (landed, render) {
        (Some(fresh), _) => Ok(page(&fresh, request)),
        // The shared render failed (not found, say): find out for this request.
        (None, Some(render)) => {
            let (body, content_type) = render.await?;
            Ok(page(&CachedPage::new(body, content_type), request))
        }
        (None, None) => Err(AppError::Internal("a page render vanished".into())),
    }
}

/// Sends a cached page in the best encoding the client accepts, or 304 when it has it.
pub fn page(page: &CachedPage, request: &HeaderMap) -> Response {
    // Room for these and the security headers added on the way out, so it never grows.
    let mut headers = HeaderMap::with_capacity(16);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(page.content_type),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    headers.insert(
        header::CACHE_CONTROL,
        // Caches and CDN mirrors may keep serving a page while the origin is down.
        HeaderValue::from_static(
            "public, max-age=60, stale-while-revalidate=300, stale-if-error=86400",
        ),
    );
    headers.insert(header::ETAG, page.etag.clone());
    if etag_matches(request, page.etag.as_bytes()) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let body = match preferred_encoding(request) {
        Some("br") if !page.brotli().is_empty() => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            page.brotli().clone()
        }
        Some("br" | "gzip") if !page.gzip().is_empty() => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            page.gzip().clone()
        }
        _ => page.identity.clone(),
    };
    (StatusCode::OK, headers, Body::from(body)).into_response()
}

fn etag_matches(request: &HeaderMap, etag: &[u8]) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t.as_bytes() == etag || t == "*")
}

/// "br" or "gzip" when the client accepts it (q above zero), brotli first.
fn preferred_encoding(request: &HeaderMap) -> Option<&'static str> {
    let accepts = |encoding: &str| {
        request
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|part| {
                let mut pieces = part.split(';');
                let name = pieces.next().unwrap_or_default().trim();
                let refused = pieces.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                name.eq_ignore_ascii_case(encoding) && !refused
            })
    };
    ["br", "gzip"].into_iter().find(|enc| accepts(enc))
}

pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn asset(app: &App, name: &str, request: &HeaderMap) -> Response {
    let Some((bytes, mime)) = app.renderer.theme().asset(name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..32]);
    static_file(
        bytes.into_owned(),
        mime,
        etag,
        "public, max-age=3600",
        request,
    )
}

pub async fn media(app: &App, name: &str, request: &HeaderMap) -> Response {
    let path = app.media_dir.join(name);
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mime = match name
                .rsplit('.')
                .next()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("jpg" | "jpeg") => "image/jpeg",
                Some("png") => "image/png",
                Some("webp") => "image/webp",
                Some("gif") => "image/gif",
                Some("avif") => "image/avif",
                _ => "application/octet-stream",
            };
            let etag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..32]);
            static_file(bytes, mime, etag, "public, max-age=86400", request)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            app.error_response(AppError::NotFound).await
        }
        Err(e) => {
            app.error_response(AppError::Internal(format!(
                "reading {}: {e}",
                path.display()
            )))
            .await
        }
    }
}

/// Video, HLS playlists and segments, and captions: served from disk in ranges (players
/// seek with `Range`), never read whole into memory.
const STREAMED: [(&str, &str); 5] = [
    ("mp4", "video/mp4"),
    ("m3u8", "application/vnd.apple.mpegurl"),
    ("ts", "video/mp2t"),
    ("vtt", "text/vtt; charset=utf-8"),
    ("webm", "video/webm"),
];

fn streamed_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    STREAMED
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, mime)| *mime)
}

pub fn is_streamed_media(name: &str) -> bool {
    streamed_type(name).is_some()
}

pub async fn streamed_media(app: &App, name: &str, request: axum::extract::Request) -> Response {
    use tower::ServiceExt;
    let Some(mime) = streamed_type(name) else {
        return app.error_response(AppError::NotFound).await;
    };
    let path = app.media_dir.join(name);
    if !path.is_file() {
        return app.error_response(AppError::NotFound).await;
    }
    let service = tower_http::services::ServeFile::new(&path);
    match service.oneshot(request).await {
        Ok(response) => {
            let mut response = response.map(Body::new);
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(if name.ends_with(".m3u8") {
                    // A live playlist changes every few seconds.
                    "public, max-age=2"
                } else {
                    "public, max-age=86400"
                }),
            );
            response
        }
        Err(e) => {
            app.error_response(AppError::Internal(format!("reading {name}: {e}")))
                .await
        }
    }
}

fn static_file(
    bytes: Vec<u8>,
    mime: &'static str,
    etag: String,
    cache: &'static str,
    request: &HeaderMap,
) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if etag_matches(request, etag.as_bytes()) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (StatusCode::OK, headers, Body::from(bytes)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_that_miss_together_share_one_render() {
        let dir = tempfile::tempdir().expect("dir");
        let store = broadsheet_storage::Store::open(&format!(
            "sqlite://{}",
            dir.path().join("site.db").display()
        ))
        .await
        .expect("store");
        let app = crate::App::new(
            store,
            broadsheet_domain::SiteSettings {
                name: "S".into(),
                tagline: String::new(),
                default_language: broadsheet_domain::Language::parse("en").expect("en"),
                primary_host: "s.example".into(),
                alternate_hosts: Vec::new(),
                refuse_unknown_hosts: false,
                self_canonical_hosts: Vec::new(),
                blocked_hosts: Vec::new(),
            },
            broadsheet_render::Renderer::new(broadsheet_render::Theme::new(None).expect("theme")),
            dir.path().join("media"),
            None,
            None,
        );
        let renders = std::sync::atomic::AtomicUsize::new(0);
        let render = || async {
            renders.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Ok(("<p>page</p>".to_owned(), "text/html; charset=utf-8"))
        };
        let headers = HeaderMap::new();
        let answers = futures_util::future::join_all(
            (0..50).map(|_| cached(&app, "/front".into(), &headers, render())),
        )
        .await;
        assert!(answers
            .iter()
            .all(|a| a.as_ref().is_ok_and(|r| r.status() == StatusCode::OK)));
        assert_eq!(renders.load(std::sync::atomic::Ordering::SeqCst), 1);
        // A failed render is not shared: each request finds out for itself.
        let failing = || async {
            renders.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err::<(String, &'static str), _>(AppError::NotFound)
        };
        let answers = futures_util::future::join_all(
            (0..3).map(|_| cached(&app, "/missing".into(), &headers, failing())),
        )
        .await;
        assert!(answers.iter().all(|a| matches!(a, Err(AppError::NotFound))));
        assert_eq!(renders.load(std::sync::atomic::Ordering::SeqCst), 4);
    }

    fn with(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn negotiates_encodings() {
        assert_eq!(
            preferred_encoding(&with(header::ACCEPT_ENCODING, "gzip, deflate, br")),
            Some("br")
        );
        assert_eq!(
            preferred_encoding(&with(header::ACCEPT_ENCODING, "gzip")),
            Some("gzip")
        );
        assert_eq!(
            preferred_encoding(&with(header::ACCEPT_ENCODING, "br;q=0, gzip;q=0.5")),
            Some("gzip")
        );
        assert_eq!(
            preferred_encoding(&with(header::ACCEPT_ENCODING, "identity")),
            None
        );
        assert_eq!(preferred_encoding(&HeaderMap::new()), None);
    }

    #[test]
    fn matches_etags() {
        assert!(etag_matches(
            &with(header::IF_NONE_MATCH, "\"a\", \"b\""),
            b"\"b\""
        ));
        assert!(etag_matches(
            &with(header::IF_NONE_MATCH, "W/\"b\""),
            b"\"b\""
        ));
        assert!(!etag_matches(
            &with(header::IF_NONE_MATCH, "\"c\""),
            b"\"b\""
        ));
    }
}
