//! Feeds, sitemaps and the Google News sitemap, built from the store for `reader.rs`,
//! which caches them like pages.

use crate::{App, AppError};
use broadsheet_domain::{ArticleDetail, FeedFormat, FeedScope, SectionTree, Slug};
use broadsheet_render::feeds::{self, Feed};
use broadsheet_render::sitemaps::{self, Entry, MAX_NEWS, MAX_URLS};
use broadsheet_render::Chrome;
use broadsheet_storage::Listing;
use chrono::{DateTime, Duration, Utc};

/// How many of the newest articles a feed carries.
const FEED_ITEMS: u32 = 30;

pub async fn feed(
    app: &App,
    chrome: &Chrome<'_>,
    scope: &FeedScope,
    format: FeedFormat,
) -> Result<String, AppError> {
    let store = &app.store;
    let settings = &app.settings;
    let tree = chrome.sections;
    let mut language = settings.default_language.clone();
    let (listing, title, description) = match scope {
        FeedScope::Site => (
            Listing::default(),
            settings.name.clone(),
            settings.tagline.clone(),
        ),
        FeedScope::Section(slugs) => {
            let names: Vec<&str> = slugs.iter().map(Slug::as_str).collect();
            let section = tree.find_by_slugs(&names).ok_or(AppError::NotFound)?;
            if let Some(lang) = &section.language {
                language = lang.clone();
            }
            let listing = Listing {
                section_ids: Some(tree.with_descendants(section.id)),
                ..Listing::default()
            };
            (
                listing,
                format!("{} | {}", section.name, settings.name),
                section.description.clone(),
            )
        }
        FeedScope::Tag(slug) => {
            let tag = store.tag_by_slug(slug).await?.ok_or(AppError::NotFound)?;
            let listing = Listing {
                tag_id: Some(tag.id),
                ..Listing::default()
            };
            (
                listing,
                format!("{} | {}", tag.name, settings.name),
                format!("Stories about {}", tag.name),
            )
        }
        FeedScope::Author(slug) => {
            let author = store
                .author_by_slug(slug)
                .await?
                .ok_or(AppError::NotFound)?;
            let listing = Listing {
                author_id: Some(author.id),
                ..Listing::default()
            };
            (
                listing,
                format!("{} | {}", author.name, settings.name),
                author.bio.clone(),
            )
        }
    };
    let (summaries, _) = store
        .list_published(&Listing {
            limit: FEED_ITEMS,
            ..listing
        })
        .await?;
    let mut items: Vec<ArticleDetail> = Vec::with_capacity(summaries.len());
    for summary in &summaries {
        if let Some(detail) = store.article_by_path(&summary.path).await? {
            items.push(detail);
        }
    }
    let feed = Feed {
        settings,
        sections: tree,
        scope,
        title,
        description,
        language: &language,
        items: &items,
    };
    Ok(feeds::render(&feed, format))
}

/// The sitemap files, with the last change of the article ones: what the index lists and
/// what the static export writes.
pub async fn sitemap_files(app: &App) -> Result<Vec<(String, Option<DateTime<Utc>>)>, AppError> {
    let (newest, total) = app
        .store
        .list_published(&Listing {
            limit: 1,
            ..Listing::default()
        })
        .await?;
    let lastmod = newest.first().map(|a| a.updated_at);
    let files = total.div_ceil(MAX_URLS as u64).max(1);
    let mut entries: Vec<_> = (1..=files)
        .map(|n| (format!("/sitemaps/articles-{n}.xml"), lastmod))
        .collect();
    for name in ["sections", "tags", "authors", "pages", "news"] {
        entries.push((format!("/sitemaps/{name}.xml"), None));
    }
    Ok(entries)
}

pub async fn sitemap_index(app: &App) -> Result<String, AppError> {
    Ok(sitemaps::index(&app.settings, &sitemap_files(app).await?))
}

pub async fn sitemap(app: &App, tree: &SectionTree, name: &str) -> Result<String, AppError> {
    let store = &app.store;
    let entries: Vec<Entry> = match name {
        "sections.xml" => tree
            .all()
            .filter_map(|s| tree.path(s.id))
            .map(Entry::page)
            .collect(),
        "tags.xml" => store
            .tags_in_use()
            .await?
            .iter()
            .map(|t| Entry::page(format!("/tag/{}", t.slug)))
            .collect(),
        "authors.xml" => store
            .authors()
            .await?
            .iter()
            .map(|a| Entry::page(format!("/author/{}", a.slug)))
            .collect(),
        "pages.xml" => std::iter::once(Entry::page("/"))
            .chain(
                store
                    .page_links()
                    .await?
                    .iter()
                    .map(|(slug, _)| Entry::page(format!("/page/{slug}"))),
            )
            .collect(),
        "news.xml" => {
            let since = Utc::now() - Duration::days(2);
            let (recent, _) = store
                .list_published(&Listing {
                    limit: MAX_NEWS as u32,
                    ..Listing::default()
                })
                .await?;
            let recent: Vec<_> = recent
                .into_iter()
                .filter(|a| a.published_at >= since)
                .collect();
            return Ok(sitemaps::news(&app.settings, &recent));
        }
        other => {
            let n: u64 = other
                .strip_prefix("articles-")
                .and_then(|rest| rest.strip_suffix(".xml"))
                .and_then(|n| n.parse().ok())
                .filter(|n| *n >= 1)
                .ok_or(AppError::NotFound)?;
            let listing = Listing {
                offset: (n - 1) * MAX_URLS as u64,
                limit: MAX_URLS as u32,
                ..Listing::default()
            };
            let (articles, total) = store.list_published(&listing).await?;
            if articles.is_empty() && (n > 1 || total > 0) {
                return Err(AppError::NotFound);
            }
            articles.iter().map(Entry::article).collect()
        }
    };
    Ok(sitemaps::urlset(&app.settings, &entries))
}
