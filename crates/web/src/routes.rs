//! Every address the server answers, in one place.
//!
//! Reader URLs are parsed by `broadsheet_domain::Route` (pure and fuzzable) instead of
//! axum's path extractors, so malformed paths get the site's own error pages.

use crate::{content_api, mirrors, newsroom, reader, respond, App, SharedApp};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use broadsheet_domain::{Route, SiteSettings};

pub fn router(app: SharedApp) -> Router {
    Router::new()
        .route("/healthz", get(health))
        // The public Content API (read-only JSON) and its description.
        .nest("/api/content", content_api::router())
        .route("/api/openapi.json", get(content_api::openapi))
        // The newsroom: JSON for programs, HTML for people; both check every role.
        .nest(
            "/api/admin",
            newsroom::api::router().layer(middleware::from_fn_with_state(
                app.clone(),
                newsroom::not_on_mirrors,
            )),
        )
        .nest(
            "/newsroom",
            newsroom::pages::router().layer(middleware::from_fn_with_state(
                app.clone(),
                newsroom::not_on_mirrors,
            )),
        )
        // Everything else a reader can ask for:
        //   /                                         home
        //   /{section}[/{subsection}...]              section page (?page=N)
        //   /{section...}/{yyyy}/{mm}/{dd}/{slug}     article
        //   /tag/{slug}  /author/{slug}  /page/{slug} tag, author and static pages
        //   /assets/{file}  /media/{file}             theme assets, images
        //   any old article address                   301 to the current one
        .fallback(dispatch)
        .layer(middleware::from_fn_with_state(app.clone(), hosts))
        .with_state(app)
}

async fn dispatch(State(app): State<SharedApp>, request: Request) -> Response {
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        let mut response = app.error_response(crate::AppError::MethodNotAllowed).await;
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let uri = request.uri();
    match Route::parse(uri.path()) {
        Err(e) => app.error_response(e.into()).await,
        Ok(Route::Asset(name)) => respond::asset(&app, &name, request.headers()),
        Ok(Route::Media(name)) if respond::is_streamed_media(&name) => {
            respond::streamed_media(&app, &name, request).await
        }
        Ok(Route::Media(name)) => respond::media(&app, &name, request.headers()).await,
        // The mirror list changes from outside (operators, expiry), so it is never cached.
        Ok(Route::MirrorManifest) => mirrors::manifest(&app).await,
        Ok(Route::MirrorsBc2) => mirrors::bc2(&app).await,
        Ok(Route::Mirrors) => mirrors::page(&app).await,
        Ok(Route::Search) => reader::search_page(&app, uri).await,
        // For HEAD, hyper sends the head alone, with the length the body would have.
        Ok(route) => {
            reader::page(&app, route, uri, request_host(&request), request.headers()).await
        }
    }
}

async fn health(State(app): State<SharedApp>) -> Response {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database unavailable: {e}\n"),
        )
            .into_response(),
    }
}

/// The host the request was made to, from the Host header (or the URI in HTTP/2).
pub fn request_host<B>(request: &axum::http::Request<B>) -> &str {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().host())
        .unwrap_or_default()
}

/// The answer to a reader page that is already rendered, or None to route the request.
/// A cache hit is most of a spike's traffic; it needs the host check and one lookup, not
/// the router, the path parser and the handler. It is taken only when the request path is
/// itself the page's cache key (a canonical path with no query), so it serves exactly what
/// `reader::page` would; anything else (a query, a trailing slash, an onion host, a page
/// not yet rendered) goes the long way.
pub(crate) fn cached_page<B>(app: &App, request: &axum::http::Request<B>) -> Option<Response> {
    let method = request.method();
    if (method != Method::GET && method != Method::HEAD) || request.uri().query().is_some() {
        return None;
    }
    let path = request.uri().path();
    if is_newsroom(path) {
        return None;
    }
    let chrome = app.cache.chrome_loaded()?;
    let settings = &chrome.settings;
    let host = request_host(request);
    if settings.self_canonical_host(host).is_some() {
        return None; // cached under the host's own key
    }
    let policy = HostPolicy::for_request(settings, host, path, None)?;
    let page = app.cache.get(path)?;
    let mut response = respond::page(&page, request.headers());
    policy.apply(response.headers_mut(), false);
    Some(response)
}

fn is_newsroom(path: &str) -> bool {
    path.starts_with("/newsroom") || path.starts_with("/api/admin")
}

/// One site, many addresses: unknown hosts are served or refused (421) as configured,
/// every answer on a non-onion host tells Tor Browser where the onion service is, and every
/// answer carries the security headers.
async fn hosts(State(app): State<SharedApp>, request: Request, next: Next) -> Response {
    // The addresses as they stand: admins add and retire them while the site runs.
    let data = app.chrome().await.ok();
    let settings = data.as_ref().map_or(&app.settings, |d| &d.settings);
    let host = request_host(&request);
    let path = request.uri().path();
    let Some(policy) = HostPolicy::for_request(settings, host, path, request.uri().query()) else {
        let mut refused = (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))],
            format!("This server does not serve {host:?}. The site's addresses are listed at its primary address.\n"),
        )
            .into_response();
        security_headers(refused.headers_mut());
        return refused;
    };
    let newsroom = is_newsroom(path);
    let mut response = next.run(request).await;
    policy.apply(response.headers_mut(), newsroom);
    response
}

/// What the host a request was made to adds to its answer.
struct HostPolicy {
    onion_location: Option<HeaderValue>,
    hsts: bool,
}

impl HostPolicy {
    /// The policy for a request to `host`, or None when the site refuses that host.
    fn for_request(
        settings: &SiteSettings,
        host: &str,
        path: &str,
        query: Option<&str>,
    ) -> Option<HostPolicy> {
        if settings.refuse_unknown_hosts && !settings.knows_host(host) {
            return None;
        }
        let onion_location = match settings.onion_host() {
            Some(onion) if !broadsheet_domain::settings::is_onion(host) => {
                let target = match query {
                    Some(query) => format!("http://{onion}{path}?{query}"),
                    None => format!("http://{onion}{path}"),
                };
                HeaderValue::from_str(&target).ok()
            }
            _ => None,
        };
        // Browsers keep to HTTPS on the site's own addresses that are served over it (not
        // the onion service, not a local address), so nobody can strip TLS on the way.
        let hsts =
            settings.knows_host(host) && broadsheet_domain::settings::scheme(host) == "https";
        Some(HostPolicy {
            onion_location,
            hsts,
        })
    }

    fn apply(self, headers: &mut HeaderMap, newsroom: bool) {
        if newsroom {
            // The newsroom is never framed (clickjacking a Publish button) nor cached by
            // proxies.
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
                ),
            );
        }
        security_headers(headers);
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            );
        }
        if let Some(value) = self.onion_location {
            headers.insert(HeaderName::from_static("onion-location"), value);
        }
    }
}

/// Headers every response carries. Pages run no inline script and load nothing from
/// other origins, so the policy can be strict.
fn security_headers(headers: &mut HeaderMap) {
    const HEADERS: [(HeaderName, HeaderValue); 5] = [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 media-src 'self' https:; object-src 'none'; base-uri 'self'; form-action 'self'; \
                 frame-ancestors 'self'",
            ),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        (
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ),
    ];
    for (name, value) in HEADERS {
        headers.entry(name).or_insert(value);
    }
}
