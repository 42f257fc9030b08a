//! The demo site: sample articles written for Broadsheet (in `content/articles.txt`),
//! sections, authors, pages, collections, and pictures drawn by code at first run.

mod images;

use broadsheet_domain::{
    slugify, ArticleDraft, ArticleStatus, Byline, Id, Language, NewAuthor, NewMedia, NewPage,
    NewSection, NewVideo, SiteSettings, Slug, ValidationError, VideoKind, EDITORS_CHOICE,
    TOP_STORIES,
};
use broadsheet_storage::{Store, StoreError};
use chrono::{Duration, Utc};
use std::collections::HashMap;
use std::path::Path;

const ARTICLES: &str = include_str!("../content/articles.txt");
const LOGO: &[u8] = include_bytes!("../content/logo.png");

/// Writes the demo's theme folder: the built-in theme with the paper's own logo, as an
/// operator would customise it. Returns the folder.
pub fn write_theme(data_dir: &Path) -> Result<std::path::PathBuf, DemoError> {
    let theme = data_dir.join("theme");
    let assets = theme.join("assets");
    let fail = |e: std::io::Error| DemoError::Image {
        path: assets.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(&assets).map_err(fail)?;
    std::fs::write(assets.join("logo.png"), LOGO).map_err(fail)?;
    Ok(theme)
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("sample content, article {article:?}: {message}")]
    Content { article: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("writing demo pictures to {path}: {message}")]
    Image { path: String, message: String },
}

/// What seeding did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub seeded: bool,
    pub articles: usize,
    pub sections: usize,
}

/// The demo site's settings: two mirror domains and an onion address among them.
pub fn settings() -> SiteSettings {
    SiteSettings {
        name: "The Meridian Ledger".into(),
        tagline: "Independent news from the harbour city and the world".into(),
        default_language: Language::parse("en").expect("\"en\" is a valid language tag"),
        primary_host: "meridian-ledger.example".into(),
        alternate_hosts: vec![
            "meridian-mirror.example".into(),
            "ledger.edge-cdn.example".into(),
            "mrdnldgr7x2k4q5w6e3r2t7y4u5i6o7p2a3s4d5f6g7h2j3k4l5z6x7c.onion".into(),
        ],
        refuse_unknown_hosts: false,
        self_canonical_hosts: Vec::new(),
        blocked_hosts: Vec::new(),
    }
}

/// Address kinds the demo declares for its signed list (others are guessed).
pub const ADDRESS_KINDS: &[(&str, &str)] = &[("ledger.edge-cdn.example", "cdn")];

/// A demo section: (slug, parent slug, name, description, language edition).
type SectionSpec = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    Option<&'static str>,
);

const SECTIONS: &[SectionSpec] = &[
    (
        "news",
        None,
        "News",
        "Reporting from the city, the region and the world.",
        None,
    ),
    (
        "middle-east",
        Some("news"),
        "Middle East",
        "Our correspondents across the region.",
        None,
    ),
    (
        "iraq",
        Some("middle-east"),
        "Iraq",
        "From Basra to the Kurdistan region.",
        None,
    ),
    ("world", Some("news"), "World", "International news.", None),
    (
        "local",
        Some("news"),
        "Port Aldane",
        "The harbour city: council, transport, neighbourhoods.",
        None,
    ),
    (
        "business",
        None,
        "Business",
        "Markets, companies and the economy.",
        None,
    ),
    (
        "markets",
        Some("business"),
        "Markets",
        "Rates, trade and money.",
        None,
    ),
    (
        "technology",
        Some("business"),
        "Technology",
        "How technology changes work and life.",
        None,
    ),
    (
        "culture",
        None,
        "Culture",
        "Books, film, music and heritage.",
        None,
    ),
    (
        "books",
        Some("culture"),
        "Books",
        "New writing and the people behind it.",
        None,
    ),
    (
        "film",
        Some("culture"),
        "Film",
        "Cinema on screen and behind the scenes.",
        None,
    ),
    (
        "sport",
        None,
        "Sport",
        "Results, stories and the people who play.",
        None,
    ),
    (
        "football",
        Some("sport"),
        "Football",
        "From the harbour club to the national team.",
        None,
    ),
    (
        "opinion",
        None,
        "Opinion",
        "Argument and analysis from our writers and guests.",
        None,
    ),
    (
        "farsi",
        None,
        "فارسی",
        "گزارش‌ها و خبرها به زبان فارسی.",
        Some("fa"),
    ),
];

/// (slug, name, bio)
const AUTHORS: &[(&str, &str, &str)] = &[
    ("mina-rahimi", "Mina Rahimi", "Middle East correspondent, based in Baghdad since 2019. Covers water, trade and diplomacy."),
    ("tomas-varga", "Tomas Varga", "Business editor. Writes about shipping, banking and technology."),
    ("aisha-bello", "Aisha Bello", "Culture writer covering books, film and heritage."),
    ("jonah-whitlock", "Jonah Whitlock", "Sports reporter who has followed Harbour FC home and away for a decade."),
    ("lena-sorensen", "Lena Sorensen", "City reporter covering the council, transport and the environment."),
    ("darius-karimi", "داریوش کریمی", "سردبیر بخش فارسی."),
];

const EDITORS_PICKS: &[&str] = &[
    "open-source-newsroom-tools",
    "archaeologists-restore-old-souk",
    "alpine-glacier-survey-2026",
    "novel-about-lighthouse-keepers",
    "why-mirrors-matter",
];

const TOP_PICKS: &[&str] = &[
    "tigris-water-deal-signed",
    "harbour-fc-cup-run",
    "city-council-approves-night-buses",
    "storm-fleet-rescue-north-sea",
    "shipping-rates-fall-for-third-month",
    "regional-ministers-meet-on-refugee-returns",
    "ketab-bazar-tehran",
];

const PAGES: &[(&str, &str, &str)] = &[
    ("about", "About us", "The Meridian Ledger is an independent newspaper from the harbour city of Port Aldane, founded by its journalists.\n\nThis is a demonstration site: the city, the people and the stories are invented to show what Broadsheet can do."),
    ("contact", "Contact", "Write to the newsroom at **newsroom@meridian-ledger.example**.\n\nTo report an error, write to **corrections@meridian-ledger.example**."),
    ("corrections", "Corrections policy", "We correct errors promptly and in public. Each correction is dated and shown at the foot of the article it concerns."),
];

/// Fills an empty database with the demo site and draws its pictures into `media_dir`.
/// A database that already holds sections is left as it is.
pub async fn seed(store: &Store, media_dir: &Path) -> Result<SeedReport, DemoError> {
    let existing = store.sections().await?;
    if !existing.is_empty() {
        return Ok(SeedReport {
            seeded: false,
            articles: 0,
            sections: existing.len(),
        });
    }
    let mut media_ids = HashMap::new();
    for picture in images::PICTURES {
        let (width, height) = images::write(picture, media_dir)?;
        let media = store
            .create_media(&NewMedia {
                file_name: format!("{}.jpg", picture.name),
                mime: "image/jpeg".into(),
                width,
                height,
                alt: picture.alt.into(),
                caption: picture.caption.into(),
                credit: "Illustration: Meridian Ledger art desk".into(),
                file_photo: picture.file_photo,
            })
            .await?;
        media_ids.insert(picture.name, media.id);
    }

    let mut section_ids: HashMap<&str, Id> = HashMap::new();
    for (position, (slug, parent, name, description, language)) in SECTIONS.iter().enumerate() {
        let section = store
            .create_section(&NewSection {
                parent_id: parent.and_then(|p| section_ids.get(p).copied()),
                slug: Slug::parse(slug)?,
                name: (*name).into(),
                description: (*description).into(),
                position: position as i64,
                language: language.map(Language::parse).transpose()?,
            })
            .await?;
        section_ids.insert(slug, section.id);
    }

    let mut author_ids: HashMap<&str, Id> = HashMap::new();
    for (slug, name, bio) in AUTHORS {
        let author = store
            .create_author(&NewAuthor {
                slug: Slug::parse(slug)?,
                name: (*name).into(),
                bio: (*bio).into(),
                photo_media_id: None,
            })
            .await?;
        author_ids.insert(slug, author.id);
    }

    let now = Utc::now();
    let mut article_ids: HashMap<String, Id> = HashMap::new();
    for raw in ARTICLES.split("\n===\n") {
        let parsed = parse_article(raw)?;
        let field = |key: &str| parsed.fields.get(key).copied();
        let require = |key: &str| {
            field(key).ok_or_else(|| DemoError::Content {
                article: parsed.slug.clone(),
                message: format!("no {key}"),
            })
        };
        let bad = |message: String| DemoError::Content {
            article: parsed.slug.clone(),
            message,
        };
        let section = require("section")?;
        let section_id = *section_ids
            .get(section)
            .ok_or_else(|| bad(format!("unknown section {section}")))?;
        let bylines = require("byline")?
            .split(", ")
            .map(|b| match b.strip_prefix('@') {
                Some(slug) => author_ids
                    .get(slug)
                    .map(|&author_id| Byline::Staff { author_id })
                    .ok_or_else(|| bad(format!("unknown author {slug}"))),
                None => Ok(Byline::Guest { name: b.into() }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hours: i64 = require("hours_ago")?
            .parse()
            .map_err(|_| bad("hours_ago is not a number".into()))?;
        let lead_media_id = match field("image") {
            Some(name) => Some(
                *media_ids
                    .get(name)
                    .ok_or_else(|| bad(format!("unknown image {name}")))?,
            ),
            None => None,
        };
        let draft = ArticleDraft {
            slug: Slug::parse(&parsed.slug)?,
            section_id,
            language: Language::parse(field("language").unwrap_or("en"))?,
            headline: require("headline")?.into(),
            standfirst: field("standfirst").unwrap_or_default().into(),
            body: parsed.body.clone(),
            dateline: field("dateline").map(str::to_owned),
            lead_media_id,
            bylines,
            tags: field("tags")
                .map(|t| t.split(", ").map(str::to_owned).collect())
                .unwrap_or_default(),
            status: ArticleStatus::Published,
            published_at: Some(now - Duration::hours(hours)),
            translation_group: field("translation").map(str::to_owned),
        };
        let article = store.create_article(&draft).await?;
        article_ids.insert(parsed.slug, article.id);
    }

    let pick = |slugs: &[&str]| {
        slugs
            .iter()
            .filter_map(|s| article_ids.get(*s).copied())
            .collect::<Vec<_>>()
    };
    store
        .set_collection(
            &Slug::parse(EDITORS_CHOICE)?,
            "Editor's Choice",
            &pick(EDITORS_PICKS),
        )
        .await?;
    store
        .set_collection(&Slug::parse(TOP_STORIES)?, "Top stories", &pick(TOP_PICKS))
        .await?;

    let english = Language::parse("en")?;
    for (slug, title, body) in PAGES {
        store
            .put_page(&NewPage {
                slug: Slug::parse(slug)?,
                title: (*title).into(),
                body: (*body).into(),
                language: english.clone(),
            })
            .await?;
    }
    seed_videos(store, media_dir).await?;
    Ok(SeedReport {
        seeded: true,
        articles: article_ids.len(),
        sections: SECTIONS.len(),
    })
}

/// Clips made for the project with ffmpeg's test sources (see `content/video/README.md`):
/// an MP4, the same clip as an HLS playlist of three segments, and WebVTT captions.
const VIDEO_FILES: &[(&str, &[u8])] = &[
    (
        "harbour-clip.mp4",
        include_bytes!("../content/video/harbour-clip.mp4"),
    ),
    (
        "harbour-clip.m3u8",
        include_bytes!("../content/video/harbour-clip.m3u8"),
    ),
    (
        "harbour-clip-0.ts",
        include_bytes!("../content/video/harbour-clip-0.ts"),
    ),
    (
        "harbour-clip-1.ts",
        include_bytes!("../content/video/harbour-clip-1.ts"),
    ),
    (
        "harbour-clip-2.ts",
        include_bytes!("../content/video/harbour-clip-2.ts"),
    ),
    (
        "harbour-clip.en.vtt",
        include_bytes!("../content/video/harbour-clip.en.vtt"),
    ),
    (
        "fractal-briefing.mp4",
        include_bytes!("../content/video/fractal-briefing.mp4"),
    ),
    (
        "fractal-briefing.en.vtt",
        include_bytes!("../content/video/fractal-briefing.en.vtt"),
    ),
];

/// Two clips and the channel's live stream (the HLS playlist stands in for a live one).
async fn seed_videos(store: &Store, media_dir: &Path) -> Result<(), DemoError> {
    for (name, bytes) in VIDEO_FILES {
        let path = media_dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| DemoError::Image {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    let english = Language::parse("en")?;
    let video = |slug: &str, kind, title: &str, description: &str| -> Result<NewVideo, DemoError> {
        Ok(NewVideo {
            slug: Slug::parse(slug)?,
            kind,
            title: title.into(),
            description: description.into(),
            hls_url: None,
            mp4_url: None,
            duration_seconds: None,
            thumbnail_url: None,
            captions_url: None,
            language: english.clone(),
            published: true,
        })
    };
    let videos = [
        NewVideo {
            mp4_url: Some("/media/fractal-briefing.mp4".into()),
            duration_seconds: Some(4),
            thumbnail_url: Some("/media/library-shelves.jpg".into()),
            captions_url: Some("/media/fractal-briefing.en.vtt".into()),
            ..video(
                "morning-briefing",
                VideoKind::Clip,
                "The morning briefing",
                "The day's main stories from the Meridian Ledger newsroom, in under a minute.",
            )?
        },
        NewVideo {
            hls_url: Some("/media/harbour-clip.m3u8".into()),
            mp4_url: Some("/media/harbour-clip.mp4".into()),
            duration_seconds: Some(6),
            thumbnail_url: Some("/media/harbour-cranes.jpg".into()),
            captions_url: Some("/media/harbour-clip.en.vtt".into()),
            ..video(
                "ferries-return",
                VideoKind::Clip,
                "Ferries return to Port Aldane",
                "The first ferry in three weeks leaves the harbour after crews cleared the channel overnight.",
            )?
        },
        NewVideo {
            hls_url: Some("/media/harbour-clip.m3u8".into()),
            thumbnail_url: Some("/media/storm-sea.jpg".into()),
            ..video(
                "live",
                VideoKind::Live,
                "Meridian Ledger live",
                "The newsroom's live channel: briefings, press conferences and breaking news as it happens.",
            )?
        },
    ];
    for new in videos {
        store.save_video(None, new).await?;
    }
    Ok(())
}

struct ParsedArticle<'a> {
    slug: String,
    fields: HashMap<&'a str, &'a str>,
    body: String,
}

/// One article of `content/articles.txt`: `key: value` lines, `---`, Markdown.
fn parse_article(raw: &str) -> Result<ParsedArticle<'_>, DemoError> {
    let raw = raw.trim_start_matches('\n');
    let (head, body) = raw
        .split_once("\n---\n")
        .ok_or_else(|| DemoError::Content {
            article: raw
                .lines()
                .find(|l| l.starts_with("slug:"))
                .unwrap_or_default()
                .into(),
            message: "no --- line between header and body".into(),
        })?;
    let fields: HashMap<&str, &str> = head
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let slug = fields
        .get("slug")
        .map(|s| (*s).to_owned())
        .ok_or_else(|| DemoError::Content {
            article: head.lines().next().unwrap_or_default().into(),
            message: "no slug".into(),
        })?;
    if slugify(&slug).map(String::from).as_deref() != Some(slug.as_str()) {
        return Err(DemoError::Content {
            article: slug,
            message: "slug is not in its canonical form".into(),
        });
    }
    Ok(ParsedArticle {
        slug,
        fields,
        body: body.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_article_parses_and_the_mix_is_right() {
        let articles: Vec<_> = ARTICLES
            .split("\n===\n")
            .map(|a| parse_article(a).expect("parses"))
            .collect();
        assert!(articles.len() >= 30);
        let persian = articles
            .iter()
            .filter(|a| a.fields.get("language") == Some(&"fa"))
            .count();
        assert!(persian >= 3);
        let sections: std::collections::HashSet<_> = articles
            .iter()
            .filter_map(|a| a.fields.get("section"))
            .collect();
        assert!(sections.len() >= 6);
        assert!(images::PICTURES.iter().any(|p| p.file_photo));
        for a in &articles {
            assert!(!a.body.is_empty(), "{} has a body", a.slug);
            assert!(
                a.fields.contains_key("headline"),
                "{} has a headline",
                a.slug
            );
        }
    }
}
