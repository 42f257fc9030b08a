//! The newsroom: where journalists write and editors publish.
//!
//! - `auth`: passwords, sessions, API tokens, CSRF, login throttling;
//! - `editorial`: every editorial action (write, submit, publish, schedule, correct,
//!   restore, curate), each checking the user's role; the one place the rules live;
//! - `media`: image uploads (type sniffing, limits, EXIF stripped, resized copies);
//! - `api`: those actions as JSON under `/api/admin/`;
//! - `pages`: the same actions as HTML forms under `/newsroom` (usable without script;
//!   `newsroom.js` adds the toolbar, live preview and autosave);
//! - `scheduler`: publishes scheduled articles when their time comes;
//! - `webhooks`: signed events to registered URLs, queued and retried in the background.

pub mod api;
pub mod auth;
mod diff;
pub mod editorial;
pub mod media;
pub mod pages;
pub mod scheduler;
pub mod webhooks;

use crate::SharedApp;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use broadsheet_domain::ValidationError;
use broadsheet_storage::StoreError;

/// The newsroom and the Admin API answer on the primary address (and any host that is not
/// a configured alternate, such as localhost), never on the mirrors or the onion service.
pub async fn not_on_mirrors(
    State(app): State<SharedApp>,
    request: Request,
    next: Next,
) -> Response {
    let host = crate::routes::request_host(&request);
    let on_mirror = match app.chrome().await {
        Ok(data) => data.settings.is_alternate(host),
        Err(_) => app.settings.is_alternate(host),
    };
    if on_mirror {
        return app
            .error_response(crate::AppError::NotFound)
            .await
            .into_response();
    }
    next.run(request).await
}

/// Why a newsroom action failed. The API turns it into JSON with a stable code, the pages
/// into a message next to the form (which keeps what was typed).
#[derive(Debug, thiserror::Error)]
pub enum NewsroomError {
    #[error("Please log in.")]
    Unauthenticated,
    #[error("Wrong email or password.")]
    BadLogin,
    #[error("Too many failed logins; try again in {0} minutes.")]
    Throttled(u64),
    #[error(
        "The form had expired or did not come from this site; it was not sent. Please try again."
    )]
    Csrf,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} was not found.")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(ValidationError),
    /// Someone else saved first; `current` is the revision now stored.
    #[error("{message}")]
    Conflict { message: String, current: i64 },
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMedia(String),
    #[error("{0}")]
    Internal(String),
}

impl NewsroomError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> NewsroomError {
        NewsroomError::Invalid(ValidationError::new(field, message))
    }

    pub fn code(&self) -> &'static str {
        match self {
            NewsroomError::Unauthenticated => "unauthenticated",
            NewsroomError::BadLogin => "bad_login",
            NewsroomError::Throttled(_) => "too_many_attempts",
            NewsroomError::Csrf => "csrf_token_invalid",
            NewsroomError::Forbidden(_) => "forbidden",
            NewsroomError::NotFound(_) => "not_found",
            NewsroomError::Invalid(_) => "invalid",
            NewsroomError::Conflict { .. } => "conflict",
            NewsroomError::TooLarge(_) => "too_large",
            NewsroomError::UnsupportedMedia(_) => "unsupported_media_type",
            NewsroomError::Internal(_) => "internal_error",
        }
    }

    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            NewsroomError::Unauthenticated | NewsroomError::BadLogin => StatusCode::UNAUTHORIZED,
            NewsroomError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            NewsroomError::Csrf | NewsroomError::Forbidden(_) => StatusCode::FORBIDDEN,
            NewsroomError::NotFound(_) => StatusCode::NOT_FOUND,
            NewsroomError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            NewsroomError::Conflict { .. } => StatusCode::CONFLICT,
            NewsroomError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            NewsroomError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            NewsroomError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the user reads; server faults say only that something went wrong.
    pub fn message(&self) -> String {
        match self {
            NewsroomError::Internal(detail) => {
                tracing::error!(%detail, "newsroom request failed");
                "The server could not do this just now; nothing was lost. Try again.".into()
            }
            other => other.to_string(),
        }
    }
}

impl From<ValidationError> for NewsroomError {
    fn from(e: ValidationError) -> Self {
        NewsroomError::Invalid(e)
    }
}

impl From<StoreError> for NewsroomError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(v) => NewsroomError::Invalid(v),
            StoreError::NotFound(what) => NewsroomError::NotFound(what),
            StoreError::Conflict(message) => NewsroomError::Conflict {
                message,
                current: 0,
            },
            e @ StoreError::PathTaken(_) => NewsroomError::Conflict {
                message: e.to_string(),
                current: 0,
            },
            other => NewsroomError::Internal(other.to_string()),
        }
    }
}
