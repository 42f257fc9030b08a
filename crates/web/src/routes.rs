//! Every address the server answers, in one place.
//!
//! Reader URLs are parsed by `broadsheet_domain::Route` (pure and fuzzable) instead of
//! axum's path extractors, so malformed paths get the site's own error pages.

use crate::{content_api, mirrors, newsroom, reader, respond, SharedApp};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use broadsheet_domain::Route;

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
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut response = app.error_response(crate::AppError::MethodNotAllowed).await;
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let uri = request.uri();
    let response = match Route::parse(uri.path()) {
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
        Ok(route) => {
            reader::page(&app, route, uri, request_host(&request), request.headers()).await
        }
    };
    if method == Method::HEAD {
        let (parts, _) = response.into_parts();
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    response
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
pub fn request_host(request: &Request) -> &str {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().host())
        .unwrap_or_default()
}

/// One site, many addresses: unknown hosts are served or refused (421) as configured,
/// every answer on a non-onion host tells Tor Browser where the onion service is, and every
/// answer carries the security headers.
async fn hosts(State(app): State<SharedApp>, request: Request, next: Next) -> Response {
    let host = request_host(&request).to_owned();
    // The addresses as they stand: admins add and retire them while the site runs.
    let data = app.chrome().await.ok();
    let settings = data.as_ref().map_or(&app.settings, |d| &d.settings);
    if settings.refuse_unknown_hosts && !settings.knows_host(&host) {
        let mut refused = (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))],
            format!("This server does not serve {host:?}. The site's addresses are listed at its primary address.\n"),
        )
            .into_response();
        security_headers(refused.headers_mut());
        return refused;
    }
    let onion_location = match settings.onion_host() {
        Some(onion) if !broadsheet_domain::settings::is_onion(&host) => {
            let target = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            HeaderValue::from_str(&format!("http://{onion}{target}")).ok()
        }
        _ => None,
    };
    let newsroom = {
        let path = request.uri().path();
        path.starts_with("/newsroom") || path.starts_with("/api/admin")
    };
    // Browsers keep to HTTPS on the site's own addresses that are served over it (not the
    // onion service, not a local address), so nobody can strip TLS on the way.
    let hsts = settings.knows_host(&host) && broadsheet_domain::settings::scheme(&host) == "https";
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if newsroom {
        // The newsroom is never framed (clickjacking a Publish button) nor cached by proxies.
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
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if let Some(value) = onion_location {
        headers.insert(HeaderName::from_static("onion-location"), value);
    }
    response
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
