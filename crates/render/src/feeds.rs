//! RSS 2.0 (with Media RSS and Dublin Core), Atom (RFC 4287) and JSON Feed 1.1 from the
//! same list of articles. Every absolute URL comes from `SiteSettings::absolute_url`.

use crate::markdown::to_safe_html;
use broadsheet_domain::{
    slugify, ArticleDetail, FeedFormat, FeedScope, Language, SectionTree, SiteSettings,
};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;

/// What a feed is about and what it holds, newest first.
pub struct Feed<'a> {
    pub settings: &'a SiteSettings,
    pub sections: &'a SectionTree,
    pub scope: &'a FeedScope,
    /// "The Meridian Ledger" or "Middle East | The Meridian Ledger".
    pub title: String,
    pub description: String,
    pub language: &'a Language,
    pub items: &'a [ArticleDetail],
}

pub fn render(feed: &Feed, format: FeedFormat) -> String {
    match format {
        FeedFormat::Rss => rss(feed),
        FeedFormat::Atom => atom(feed),
        FeedFormat::Json => json_feed(feed),
    }
}

/// A stable identifier that survives changes of slug, section and primary host.
pub fn item_id(settings: &SiteSettings, article_id: i64) -> String {
    let site = slugify(&settings.name)
        .map(String::from)
        .unwrap_or_else(|| "site".into());
    format!("urn:broadsheet:{site}:article:{article_id}")
}

impl Feed<'_> {
    fn url(&self, path: &str) -> String {
        self.settings.absolute_url(path)
    }

    /// The newest change among the items: when the feed last changed.
    fn updated(&self) -> DateTime<Utc> {
        self.items
            .iter()
            .map(|i| i.article.updated_at)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH)
    }

    fn categories(&self, item: &ArticleDetail) -> Vec<String> {
        let section = self
            .sections
            .get(item.article.draft.section_id)
            .map(|s| s.name.clone());
        section
            .into_iter()
            .chain(item.tags.iter().map(|t| t.name.clone()))
            .collect()
    }

    fn published(item: &ArticleDetail) -> DateTime<Utc> {
        item.article
            .draft
            .published_at
            .unwrap_or(item.article.created_at)
    }
}

fn rss(feed: &Feed) -> String {
    use rss::extension::{dublincore::DublinCoreExtension, Extension};
    let items = feed
        .items
        .iter()
        .map(|item| {
            let draft = &item.article.draft;
            let mut extensions = BTreeMap::new();
            if let Some(media) = &item.lead {
                let text = |name: &str, value: &str| Extension {
                    name: name.to_owned(),
                    value: Some(value.to_owned()),
                    ..Extension::default()
                };
                let mut children = BTreeMap::new();
                children.insert(
                    "media:description".to_owned(),
                    vec![text("media:description", &media.caption)],
                );
                if !media.credit.is_empty() {
                    children.insert(
                        "media:credit".to_owned(),
                        vec![text("media:credit", &media.credit)],
                    );
                }
                let attrs = BTreeMap::from([
                    (
                        "url".to_owned(),
                        feed.url(&format!("/media/{}", media.file_name)),
                    ),
                    ("medium".to_owned(), "image".to_owned()),
                    ("type".to_owned(), media.mime.clone()),
                    ("width".to_owned(), media.width.to_string()),
                    ("height".to_owned(), media.height.to_string()),
                ]);
                let content = Extension {
                    name: "media:content".into(),
                    value: None,
                    attrs,
                    children,
                };
                extensions.insert(
                    "media".to_owned(),
                    BTreeMap::from([("content".to_owned(), vec![content])]),
                );
            }
            rss::Item {
                title: Some(draft.headline.clone()),
                link: Some(feed.url(&item.article.path)),
                description: Some(draft.standfirst.clone()),
                content: Some(to_safe_html(&draft.body)),
                guid: Some(rss::Guid {
                    value: item_id(feed.settings, item.article.id),
                    permalink: false,
                }),
                pub_date: Some(Feed::published(item).to_rfc2822()),
                categories: feed
                    .categories(item)
                    .into_iter()
                    .map(|name| rss::Category { name, domain: None })
                    .collect(),
                dublin_core_ext: Some(DublinCoreExtension {
                    creators: item.bylines.iter().map(|b| b.name.clone()).collect(),
                    ..DublinCoreExtension::default()
                }),
                extensions,
                ..rss::Item::default()
            }
        })
        .collect();
    let namespaces = BTreeMap::from([
        (
            "media".to_owned(),
            "http://search.yahoo.com/mrss/".to_owned(),
        ),
        (
            "dc".to_owned(),
            "http://purl.org/dc/elements/1.1/".to_owned(),
        ),
        (
            "content".to_owned(),
            "http://purl.org/rss/1.0/modules/content/".to_owned(),
        ),
        ("atom".to_owned(), "http://www.w3.org/2005/Atom".to_owned()),
    ]);
    let channel = rss::Channel {
        title: feed.title.clone(),
        link: feed.url(&feed.scope.page_path()),
        description: feed.description.clone(),
        language: Some(feed.language.to_string()),
        last_build_date: Some(feed.updated().to_rfc2822()),
        generator: Some("Broadsheet".into()),
        items,
        namespaces,
        atom_ext: Some(rss::extension::atom::AtomExtension {
            links: vec![atom_syndication::Link {
                href: feed.url(&feed.scope.feed_path(FeedFormat::Rss)),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..atom_syndication::Link::default()
            }],
        }),
        ..rss::Channel::default()
    };
    channel.to_string()
}

fn atom(feed: &Feed) -> String {
    use atom_syndication::{Category, Content, Entry, Link, Person, Text};
    let link = |href: String, rel: &str, mime: Option<&str>| Link {
        href,
        rel: rel.into(),
        mime_type: mime.map(str::to_owned),
        ..Link::default()
    };
    let entries = feed
        .items
        .iter()
        .map(|item| {
            let draft = &item.article.draft;
            let mut links = vec![link(
                feed.url(&item.article.path),
                "alternate",
                Some("text/html"),
            )];
            if let Some(media) = &item.lead {
                links.push(link(
                    feed.url(&format!("/media/{}", media.file_name)),
                    "enclosure",
                    Some(&media.mime),
                ));
            }
            Entry {
                id: item_id(feed.settings, item.article.id),
                title: Text::plain(draft.headline.clone()),
                updated: item.article.updated_at.fixed_offset(),
                published: Some(Feed::published(item).fixed_offset()),
                authors: item
                    .bylines
                    .iter()
                    .map(|b| Person {
                        name: b.name.clone(),
                        uri: b
                            .author_slug
                            .as_ref()
                            .map(|s| feed.url(&format!("/author/{s}"))),
                        ..Person::default()
                    })
                    .collect(),
                categories: feed
                    .categories(item)
                    .into_iter()
                    .map(|name| Category {
                        term: name.clone(),
                        label: Some(name),
                        ..Category::default()
                    })
                    .collect(),
                summary: Some(Text::plain(draft.standfirst.clone())),
                content: Some(Content {
                    value: Some(to_safe_html(&draft.body)),
                    content_type: Some("html".into()),
                    lang: Some(draft.language.to_string()),
                    ..Content::default()
                }),
                links,
                ..Entry::default()
            }
        })
        .collect();
    let atom_feed = atom_syndication::Feed {
        id: feed.url(&feed.scope.feed_path(FeedFormat::Atom)),
        title: Text::plain(feed.title.clone()),
        subtitle: Some(Text::plain(feed.description.clone())),
        updated: feed.updated().fixed_offset(),
        authors: vec![Person {
            name: feed.settings.name.clone(),
            uri: Some(feed.url("/")),
            ..Person::default()
        }],
        links: vec![
            link(
                feed.url(&feed.scope.page_path()),
                "alternate",
                Some("text/html"),
            ),
            link(
                feed.url(&feed.scope.feed_path(FeedFormat::Atom)),
                "self",
                Some("application/atom+xml"),
            ),
        ],
        lang: Some(feed.language.to_string()),
        generator: Some(atom_syndication::Generator {
            value: "Broadsheet".into(),
            ..Default::default()
        }),
        entries,
        ..atom_syndication::Feed::default()
    };
    atom_feed.to_string()
}

fn json_feed(feed: &Feed) -> String {
    let items: Vec<_> = feed
        .items
        .iter()
        .map(|item| {
            let draft = &item.article.draft;
            let mut entry = json!({
                "id": item_id(feed.settings, item.article.id),
                "url": feed.url(&item.article.path),
                "title": draft.headline,
                "summary": draft.standfirst,
                "content_html": to_safe_html(&draft.body),
                "date_published": Feed::published(item).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "date_modified": item.article.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "language": draft.language.to_string(),
                "tags": feed.categories(item),
                "authors": item.bylines.iter().map(|b| match &b.author_slug {
                    Some(slug) => json!({ "name": b.name, "url": feed.url(&format!("/author/{slug}")) }),
                    None => json!({ "name": b.name }),
                }).collect::<Vec<_>>(),
            });
            if let Some(media) = &item.lead {
                entry["image"] = json!(feed.url(&format!("/media/{}", media.file_name)));
            }
            entry
        })
        .collect();
    let document = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.url(&feed.scope.page_path()),
        "feed_url": feed.url(&feed.scope.feed_path(FeedFormat::Json)),
        "description": feed.description,
        "language": feed.language.to_string(),
        "authors": [{ "name": feed.settings.name, "url": feed.url("/") }],
        "items": items,
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}
