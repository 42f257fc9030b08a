//! The official address list: signed for machines, in the Bypass Censorship v2 format for
//! existing tools, and as a page for people. Built on every request from the database, so
//! an operator's change (or the passing of time) shows at once.

use crate::content_api::ApiError;
use crate::{App, AppError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use broadsheet_mirror::{bc2 as bc2_document, encode_public, fingerprint, sign, Manifest};
use broadsheet_render::Chrome;
use chrono::Utc;

fn json(body: String) -> Response {
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    // Any page, extension or curator may fetch the list to check an address.
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

pub async fn manifest(app: &App) -> Response {
    match signed_list(app, None).await {
        Ok(Some(body)) => json(body),
        Ok(None) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "mirror_list_unsigned",
            "This site has no signing key yet; its operator runs `broadsheet mirrors keygen`.",
        )
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The signed list as JSON, or `None` without a key. Exports set `files_sha256`.
pub(crate) async fn signed_list(
    app: &App,
    files_sha256: Option<String>,
) -> Result<Option<String>, AppError> {
    let Some(key) = &app.mirror_key else {
        return Ok(None);
    };
    let addresses = app.store.addresses().await?;
    let serial = app.store.mirror_serial().await?;
    let mut manifest = Manifest::new(&app.settings, &addresses, serial, key, Utc::now());
    manifest.files_sha256 = files_sha256;
    Ok(Some(
        serde_json::to_string_pretty(&sign(manifest, key)).unwrap_or_default(),
    ))
}

pub async fn bc2(app: &App) -> Response {
    match bc2_list(app).await {
        Ok(body) => json(body),
        Err(e) => ApiError::from(e).into_response(),
    }
}

pub(crate) async fn bc2_list(app: &App) -> Result<String, AppError> {
    let addresses = app.store.addresses().await?;
    Ok(serde_json::to_string_pretty(&bc2_document(&app.settings, &addresses)).unwrap_or_default())
}

pub async fn page(app: &App) -> Response {
    match page_html(app).await {
        Ok(html) => {
            let mut response = Html(html).into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            response
        }
        Err(e) => app.error_response(e).await,
    }
}

pub(crate) async fn page_html(app: &App) -> Result<String, AppError> {
    let data = app.chrome().await?;
    let chrome = Chrome {
        settings: &data.settings,
        sections: &data.tree,
        pages: &data.pages,
    };
    let mut addresses = app.store.addresses().await?;
    // The primary first, then the rest in the order they were added.
    addresses.sort_by_key(|a| a.host != app.settings.primary_host);
    let key = app.mirror_key.as_ref().map(|k| {
        (
            fingerprint(&k.verifying_key()),
            encode_public(&k.verifying_key()),
        )
    });
    Ok(app.renderer.mirrors(
        &chrome,
        &addresses,
        key.as_ref().map(|(f, k)| (f.as_str(), k.as_str())),
    )?)
}
