//! Turns content into what readers receive: sanitised HTML from Markdown, and whole pages
//! from the layered theme (built-in templates, overridden file by file from a theme folder).
//!
//! Everything here is a pure function of its inputs, so the live server and a static
//! export render the same bytes from the same data.

pub mod feeds;
pub mod markdown;
pub mod pages;
pub mod share;
pub mod sitemaps;
pub mod structured;
pub mod theme;
pub mod tv;
mod views;

pub use pages::{ArticlePage, Chrome, HomePage, ListingPage, Pager, Renderer, SectionPage};
pub use theme::{Theme, ThemeError};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {source}")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
}
