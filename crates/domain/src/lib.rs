//! The Broadsheet content model: articles, sections, people, media, collections and site
//! settings, with the rules that keep them valid (slugs, languages, URLs, paging).
//!
//! Nothing here does I/O or knows about HTTP or SQL, so every rule can be tested and fuzzed
//! on its own and shared by the server, the storage layer and the importers.

pub mod accounts;
pub mod content;
pub mod dates;
pub mod error;
pub mod language;
pub mod mirrors;
pub mod paging;
pub mod route;
pub mod section_tree;
pub mod settings;
pub mod slug;
pub mod video;

pub use accounts::{Action, NewUser, Role, User};
pub use content::*;
pub use error::ValidationError;
pub use language::{Direction, Language};
pub use mirrors::{Address, AddressKind, AddressState};
pub use paging::{PageNumber, PagingError};
pub use route::{FeedFormat, FeedScope, Route, RouteError, TvFormat};
pub use section_tree::SectionTree;
pub use settings::SiteSettings;
pub use slug::{slugify, Slug};
pub use video::{NewVideo, Video, VideoKind};
