//! The things a newsroom publishes and the people and pictures attached to them.

use crate::{Language, Slug, ValidationError};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

pub type Id = i64;

/// Where an article stands in the editorial workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    Draft,
    InReview,
    Scheduled,
    Published,
    Unpublished,
}

impl ArticleStatus {
    pub const ALL: [ArticleStatus; 5] = [
        Self::Draft,
        Self::InReview,
        Self::Scheduled,
        Self::Published,
        Self::Unpublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Unpublished => "unpublished",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| ValidationError::new("status", format!("unknown status {raw:?}")))
    }
}

/// Who wrote a story: a staff author with a page, or a guest credit such as
/// "Staff and agencies" or a freelancer without an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Byline {
    Staff { author_id: Id },
    Guest { name: String },
}

/// A byline ready to show: the name, and the author page when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BylineView {
    pub name: String,
    pub author_slug: Option<String>,
}

/// Everything an editor sets on an article; the same shape creates and updates one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleDraft {
    pub slug: Slug,
    pub section_id: Id,
    pub language: Language,
    pub headline: String,
    pub standfirst: String,
    /// Markdown; raw HTML is allowed and sanitised when rendered.
    pub body: String,
    pub dateline: Option<String>,
    pub lead_media_id: Option<Id>,
    pub bylines: Vec<Byline>,
    /// Tag names; tags are created on first use.
    pub tags: Vec<String>,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub translation_group: Option<String>,
}

pub const MAX_HEADLINE_CHARS: usize = 300;
pub const MAX_STANDFIRST_CHARS: usize = 1_000;
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

impl ArticleDraft {
    /// The draft as it is kept: text trimmed, repeated tags dropped, times to the second.
    /// Storing and reading back a normalized draft gives the same draft.
    pub fn normalized(&self) -> ArticleDraft {
        let mut seen = Vec::new();
        let tags = self
            .tags
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| match crate::slugify(t) {
                Some(slug) if !seen.contains(&slug) => {
                    seen.push(slug);
                    true
                }
                _ => false,
            })
            .collect();
        ArticleDraft {
            headline: self.headline.trim().to_owned(),
            standfirst: self.standfirst.trim().to_owned(),
            dateline: self
                .dateline
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            bylines: self
                .bylines
                .iter()
                .map(|b| match b {
                    Byline::Guest { name } => Byline::Guest {
                        name: name.trim().to_owned(),
                    },
                    staff => staff.clone(),
                })
                .collect(),
            tags,
            published_at: self
                .published_at
                .and_then(|t| DateTime::from_timestamp(t.timestamp(), 0)),
            ..self.clone()
        }
    }

    /// Checks the rules an article must meet before it is stored.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let headline = self.headline.trim();
        if headline.is_empty() {
            return Err(ValidationError::new("headline", "must not be empty"));
        }
        if headline.chars().count() > MAX_HEADLINE_CHARS {
            return Err(ValidationError::new(
                "headline",
                "is longer than 300 characters",
            ));
        }
        if self.standfirst.chars().count() > MAX_STANDFIRST_CHARS {
            return Err(ValidationError::new(
                "standfirst",
                "is longer than 1,000 characters",
            ));
        }
        if self.body.len() > MAX_BODY_BYTES {
            return Err(ValidationError::new("body", "is larger than 2 MiB"));
        }
        if self.bylines.is_empty() {
            return Err(ValidationError::new(
                "bylines",
                "an article needs at least one byline",
            ));
        }
        for byline in &self.bylines {
            if let Byline::Guest { name } = byline {
                if name.trim().is_empty() {
                    return Err(ValidationError::new(
                        "bylines",
                        "a guest byline needs a name",
                    ));
                }
            }
        }
        if self.status == ArticleStatus::Scheduled && self.published_at.is_none() {
            return Err(ValidationError::new(
                "published_at",
                "a scheduled article needs a publication time",
            ));
        }
        for tag in &self.tags {
            if crate::slugify(tag).is_none() {
                return Err(ValidationError::new(
                    "tags",
                    format!("{tag:?} has no letters or digits"),
                ));
            }
        }
        Ok(())
    }
}

/// A stored article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: Id,
    pub draft: ArticleDraft,
    /// The current root-relative URL path.
    pub path: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases by one with every save; the base for optimistic concurrency.
    pub revision: i64,
    /// The newsroom user who created it; none for imported and demo articles.
    pub owner: Option<Id>,
}

/// The URL path of an article: its section's path, the publication date, the slug.
/// `/news/middle-east/2026/11/28/police-raid-camp`
pub fn article_path(section_path: &str, date: DateTime<Utc>, slug: &Slug) -> String {
    format!(
        "{}/{:04}/{:02}/{:02}/{}",
        section_path.trim_end_matches('/'),
        date.year(),
        date.month(),
        date.day(),
        slug
    )
}

/// What a listing or a teaser shows of an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleSummary {
    pub id: Id,
    pub path: String,
    pub headline: String,
    pub standfirst: String,
    pub language: Language,
    pub section_id: Id,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lead: Option<Media>,
}

/// An article with everything its page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleDetail {
    pub article: Article,
    pub bylines: Vec<BylineView>,
    pub tags: Vec<Tag>,
    pub lead: Option<Media>,
    pub corrections: Vec<Correction>,
}

impl ArticleDetail {
    /// Published and due: what readers may see.
    pub fn is_public(&self, now: DateTime<Utc>) -> bool {
        self.article.draft.status == ArticleStatus::Published
            && self.article.draft.published_at.is_some_and(|t| t <= now)
    }
}

/// An earlier saved version of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub article_id: Id,
    pub revision: i64,
    pub saved_at: DateTime<Utc>,
    /// The name of the user who saved it; none when the system did.
    pub saved_by: Option<String>,
    /// Why it was saved, when that is more than an edit ("Published", "Correction: ...").
    pub note: String,
    pub draft: ArticleDraft,
}

/// A dated note on a published article saying what was wrong and what was put right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub id: Id,
    pub article_id: Id,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: Id,
    pub parent_id: Option<Id>,
    pub slug: Slug,
    pub name: String,
    pub description: String,
    /// Order among its siblings, lowest first.
    pub position: i64,
    /// Set for a language edition (the Persian section of an English site).
    pub language: Option<Language>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSection {
    pub parent_id: Option<Id>,
    pub slug: Slug,
    pub name: String,
    pub description: String,
    pub position: i64,
    pub language: Option<Language>,
}

/// First path segments the site itself uses; no top-level section may take them.
pub const RESERVED_SEGMENTS: &[&str] = &[
    "tag",
    "author",
    "page",
    "assets",
    "media",
    "newsroom",
    "api",
    "feeds",
    "search",
    "mirrors",
    "video",
    "tv",
    "sitemap.xml",
    "robots.txt",
    "favicon.ico",
    ".well-known",
];

impl NewSection {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.trim().is_empty() {
            return Err(ValidationError::new("name", "must not be empty"));
        }
        if self.parent_id.is_none() && RESERVED_SEGMENTS.contains(&self.slug.as_str()) {
            return Err(ValidationError::new(
                "slug",
                format!("{:?} is reserved by the site", self.slug.as_str()),
            ));
        }
        if looks_like_date_part(self.slug.as_str()) {
            return Err(ValidationError::new(
                "slug",
                "a section slug cannot be a number",
            ));
        }
        Ok(())
    }
}

fn looks_like_date_part(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_digit())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub id: Id,
    pub slug: Slug,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub id: Id,
    pub slug: Slug,
    pub name: String,
    pub bio: String,
    pub photo_media_id: Option<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuthor {
    pub slug: Slug,
    pub name: String,
    pub bio: String,
    pub photo_media_id: Option<Id>,
}

/// A standing page such as About or Contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub id: Id,
    pub slug: Slug,
    pub title: String,
    pub body: String,
    pub language: Language,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPage {
    pub slug: Slug,
    pub title: String,
    pub body: String,
    pub language: Language,
}

/// An image file with what a reader needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    pub id: Id,
    /// File name inside the media folder; served at `/media/{file_name}`.
    pub file_name: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    /// An archive picture, not taken at the event: the page labels it "File photo".
    pub file_photo: bool,
    /// Widths of the resized copies, served as `{stem}-{width}.{ext}`, narrowest first.
    pub variants: Vec<u32>,
    /// Whether each resized copy also exists as WebP (made only where WebP is smaller).
    pub webp: bool,
}

impl Media {
    /// The name of the copy `width` pixels wide, in the original's format or as WebP.
    pub fn variant_name(&self, width: u32, webp: bool) -> String {
        let (stem, ext) = self
            .file_name
            .rsplit_once('.')
            .unwrap_or((&self.file_name, ""));
        let ext = if webp { "webp" } else { ext };
        format!("{stem}-{width}.{ext}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMedia {
    pub file_name: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub file_photo: bool,
}

impl NewMedia {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let name = &self.file_name;
        let safe = !name.is_empty()
            && name.len() <= 200
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !safe {
            return Err(ValidationError::new(
                "file_name",
                "may hold only letters, digits, '-', '_' and '.'",
            ));
        }
        if self.width == 0 || self.height == 0 {
            return Err(ValidationError::new(
                "width",
                "an image needs a width and a height",
            ));
        }
        Ok(())
    }
}

/// An ordered list curated by editors, such as "Editor's Choice" or "Top stories".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    pub id: Id,
    pub slug: Slug,
    pub name: String,
}

/// The well-known collections the reader site shows.
pub const EDITORS_CHOICE: &str = "editors-choice";
pub const TOP_STORIES: &str = "top-stories";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn draft() -> ArticleDraft {
        ArticleDraft {
            slug: Slug::parse("a-story").expect("valid"),
            section_id: 1,
            language: Language::parse("en").expect("valid"),
            headline: "A story".into(),
            standfirst: String::new(),
            body: "Text".into(),
            dateline: None,
            lead_media_id: None,
            bylines: vec![Byline::Guest {
                name: "Staff and agencies".into(),
            }],
            tags: vec![],
            status: ArticleStatus::Draft,
            published_at: None,
            translation_group: None,
        }
    }

    #[test]
    fn validation_names_the_field() {
        assert!(draft().validate().is_ok());
        let mut d = draft();
        d.headline = "  ".into();
        assert_eq!(d.validate().map_err(|e| e.field), Err("headline"));
        let mut d = draft();
        d.bylines.clear();
        assert_eq!(d.validate().map_err(|e| e.field), Err("bylines"));
        let mut d = draft();
        d.status = ArticleStatus::Scheduled;
        assert_eq!(d.validate().map_err(|e| e.field), Err("published_at"));
        let mut d = draft();
        d.tags = vec!["???".into()];
        assert_eq!(d.validate().map_err(|e| e.field), Err("tags"));
    }

    #[test]
    fn article_paths_are_readable() {
        let date = Utc
            .with_ymd_and_hms(2026, 11, 28, 9, 30, 0)
            .single()
            .expect("valid date");
        let slug = Slug::parse("police-raid-camp").expect("valid");
        assert_eq!(
            article_path("/news/middle-east", date, &slug),
            "/news/middle-east/2026/11/28/police-raid-camp"
        );
    }

    #[test]
    fn sections_cannot_take_reserved_or_numeric_slugs() {
        let section = |slug: &str, parent| NewSection {
            parent_id: parent,
            slug: Slug::parse(slug).expect("valid"),
            name: "X".into(),
            description: String::new(),
            position: 0,
            language: None,
        };
        assert!(section("tag", None).validate().is_err());
        assert!(section("tag", Some(1)).validate().is_ok());
        assert!(section("2026", Some(1)).validate().is_err());
        assert!(section("news", None).validate().is_ok());
    }

    #[test]
    fn media_file_names_cannot_escape_the_folder() {
        let media = |name: &str| NewMedia {
            file_name: name.into(),
            mime: "image/jpeg".into(),
            width: 10,
            height: 10,
            alt: String::new(),
            caption: String::new(),
            credit: String::new(),
            file_photo: false,
        };
        for bad in ["../etc/passwd", ".hidden", "a/b.jpg", "", "a b.jpg"] {
            assert!(media(bad).validate().is_err(), "{bad:?}");
        }
        assert!(media("harbour-dawn.jpg").validate().is_ok());
    }
}
