//! One error type for the web layer, mapped to HTTP in one place.

use crate::App;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use broadsheet_domain::{PagingError, RouteError};
use broadsheet_render::{Chrome, RenderError};
use broadsheet_storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("There is no page at this address.")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("This address is too long.")]
    UriTooLong,
    #[error("This address only answers GET and HEAD requests.")]
    MethodNotAllowed,
    /// A fault of the server's; the reader sees a generic message, the log the detail.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::UriTooLong => StatusCode::URI_TOO_LONG,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn title(&self) -> &'static str {
        match self {
            AppError::NotFound => "Page not found",
            AppError::BadRequest(_) => "Bad request",
            AppError::UriTooLong => "Address too long",
            AppError::MethodNotAllowed => "Method not allowed",
            AppError::Internal(_) => "Something went wrong",
        }
    }

    pub(crate) fn public_message(&self) -> String {
        match self {
            AppError::NotFound => {
                "There is no page at this address. It may have moved, or the link may be mistyped. \
                 The front page and the sections below lead to everything we publish."
                    .into()
            }
            AppError::Internal(_) => {
                "The page could not be shown just now. Please try again in a moment.".into()
            }
            other => other.to_string(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            e if e.is_user_error() => AppError::BadRequest(e.to_string()),
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl From<RenderError> for AppError {
    fn from(e: RenderError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<RouteError> for AppError {
    fn from(e: RouteError) -> Self {
        match e {
            RouteError::TooLong => AppError::UriTooLong,
            RouteError::BadEncoding => AppError::BadRequest(e.to_string()),
        }
    }
}

impl From<PagingError> for AppError {
    fn from(e: PagingError) -> Self {
        AppError::BadRequest(e.to_string())
    }
}

impl App {
    /// The error as a full site page; if even that cannot be built (the database is
    /// down), a plain page that still answers with the right status.
    pub async fn error_response(&self, error: AppError) -> Response {
        if let AppError::Internal(detail) = &error {
            tracing::error!(%detail, "request failed");
        }
        let status = error.status();
        let html = match self.chrome().await {
            Ok(chrome) => {
                let view = Chrome {
                    settings: &chrome.settings,
                    sections: &chrome.tree,
                    pages: &chrome.pages,
                };
                self.renderer
                    .error(
                        &view,
                        status.as_u16(),
                        error.title(),
                        &error.public_message(),
                    )
                    .ok()
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot load site navigation for an error page");
                None
            }
        };
        let html = html.unwrap_or_else(|| {
            format!(
                "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{}</title><h1>{}</h1><p><a href=\"/\">Home</a></p></html>",
                error.title(),
                error.title()
            )
        });
        let mut response = (status, Html(html)).into_response();
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        response
    }
}
