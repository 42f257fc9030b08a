//! The newsroom's HTML pages.

use crate::SharedApp;
use axum::Router;

pub fn router() -> Router<SharedApp> {
    Router::new()
}
