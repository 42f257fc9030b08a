//! Structured data for search engines (schema.org JSON-LD) and the share cards that
//! messengers and social networks read (Open Graph, Twitter).

use crate::markdown::to_plain_text;
use broadsheet_domain::{ArticleDetail, SectionTree, SiteSettings};
use chrono::SecondsFormat;
use serde::Serialize;
use serde_json::{json, Value};

/// Open Graph and Twitter card fields of a page.
#[derive(Debug, Serialize)]
pub struct Social {
    pub kind: &'static str,
    pub title: String,
    pub description: String,
    pub image: Option<SocialImage>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SocialImage {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

impl Social {
    pub fn website(title: &str, description: &str) -> Social {
        Social {
            kind: "website",
            title: title.to_owned(),
            description: description.to_owned(),
            image: None,
            published: None,
            modified: None,
            section: None,
            tags: Vec::new(),
        }
    }

    pub fn article(
        settings: &SiteSettings,
        tree: &SectionTree,
        detail: &ArticleDetail,
        description: &str,
    ) -> Social {
        let draft = &detail.article.draft;
        Social {
            kind: "article",
            title: draft.headline.clone(),
            description: description.to_owned(),
            image: detail.lead.as_ref().map(|m| SocialImage {
                url: settings.absolute_url(&format!("/media/{}", m.file_name)),
                width: m.width,
                height: m.height,
                alt: m.alt.clone(),
            }),
            published: draft
                .published_at
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            modified: Some(
                detail
                    .article
                    .updated_at
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
            ),
            section: tree.get(draft.section_id).map(|s| s.name.clone()),
            tags: detail.tags.iter().map(|t| t.name.clone()).collect(),
        }
    }
}

fn organization(settings: &SiteSettings) -> Value {
    json!({
        "@type": "NewsMediaOrganization",
        "@id": settings.absolute_url("/#organization"),
        "name": settings.name,
        "url": settings.absolute_url("/"),
        // The theme's logo: built in, or the operator's own from the theme folder.
        "logo": { "@type": "ImageObject", "url": settings.absolute_url("/assets/logo.png") },
    })
}

/// Home: the site and the organisation behind it.
pub fn home(settings: &SiteSettings) -> Value {
    json!({
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebSite",
                "@id": settings.absolute_url("/#website"),
                "name": settings.name,
                "url": settings.absolute_url("/"),
                "inLanguage": settings.default_language.to_string(),
                "publisher": { "@id": settings.absolute_url("/#organization") },
            },
            organization(settings),
        ],
    })
}

/// An article: `NewsArticle` and the `BreadcrumbList` of its visible breadcrumbs,
/// given as (name, path) from Home to its section.
pub fn article(
    settings: &SiteSettings,
    tree: &SectionTree,
    detail: &ArticleDetail,
    breadcrumbs: &[(String, String)],
) -> Value {
    let draft = &detail.article.draft;
    let url = settings.absolute_url(&detail.article.path);
    let images: Vec<Value> = detail
        .lead
        .iter()
        .map(|m| {
            json!({
                "@type": "ImageObject",
                "url": settings.absolute_url(&format!("/media/{}", m.file_name)),
                "width": m.width,
                "height": m.height,
                "caption": m.caption,
                "creditText": m.credit,
            })
        })
        .collect();
    let authors: Vec<Value> = detail
        .bylines
        .iter()
        .map(|b| match &b.author_slug {
            Some(slug) => json!({ "@type": "Person", "name": b.name, "url": settings.absolute_url(&format!("/author/{slug}")) }),
            None => json!({ "@type": "Organization", "name": b.name }),
        })
        .collect();
    let crumbs: Vec<Value> = breadcrumbs
        .iter()
        .enumerate()
        .map(|(i, (name, path))| json!({ "@type": "ListItem", "position": i + 1, "name": name, "item": settings.absolute_url(path) }))
        .collect();
    let description = if draft.standfirst.is_empty() {
        to_plain_text(&draft.body, 200)
    } else {
        draft.standfirst.clone()
    };
    json!({
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "@id": format!("{url}#article"),
                "headline": draft.headline,
                "description": description,
                "image": images,
                "datePublished": draft.published_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                "dateModified": detail.article.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "author": authors,
                "publisher": organization(settings),
                "mainEntityOfPage": { "@type": "WebPage", "@id": url },
                "articleSection": tree.get(draft.section_id).map(|s| s.name.clone()),
                "keywords": detail.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
                "inLanguage": draft.language.to_string(),
            },
            { "@type": "BreadcrumbList", "itemListElement": crumbs },
        ],
    })
}

/// A video page: `VideoObject` (with a `BroadcastEvent` for the live stream) and its
/// breadcrumbs (Home > Video).
pub fn video(settings: &SiteSettings, video: &broadsheet_domain::Video) -> Value {
    let url = settings.absolute_url(&video.path());
    let absolute = |u: &str| {
        if u.starts_with('/') {
            settings.absolute_url(u)
        } else {
            u.to_owned()
        }
    };
    let uploaded = video.published_at.unwrap_or(video.created_at);
    let mut object = json!({
        "@type": "VideoObject",
        "@id": format!("{url}#video"),
        "name": video.title,
        "description": if video.description.is_empty() { &video.title } else { &video.description },
        "thumbnailUrl": video.thumbnail_url.as_deref().map(absolute)
            .unwrap_or_else(|| settings.absolute_url("/assets/logo.png")),
        "uploadDate": uploaded.to_rfc3339_opts(SecondsFormat::Secs, true),
        "contentUrl": video.mp4_url.as_deref().or(video.hls_url.as_deref()).map(absolute),
        "embedUrl": url,
        "inLanguage": video.language.to_string(),
        "publisher": organization(settings),
    });
    if let Some(duration) = video.iso_duration() {
        object["duration"] = json!(duration);
    }
    if video.kind == broadsheet_domain::VideoKind::Live {
        object["publication"] = json!({
            "@type": "BroadcastEvent",
            "isLiveBroadcast": true,
            "startDate": uploaded.to_rfc3339_opts(SecondsFormat::Secs, true),
        });
    }
    json!({
        "@context": "https://schema.org",
        "@graph": [
            object,
            { "@type": "BreadcrumbList", "itemListElement": [
                { "@type": "ListItem", "position": 1, "name": "Home", "item": settings.absolute_url("/") },
                { "@type": "ListItem", "position": 2, "name": "Video", "item": settings.absolute_url("/video") },
            ] },
        ],
    })
}

/// JSON that can sit inside `<script type="application/ld+json">`: no `<` can close it.
pub fn script_text(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_text_cannot_close_the_script() {
        let text = script_text(&json!({ "headline": "</script><script>alert(1)</script>" }));
        assert!(!text.contains('<'));
        let back: Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back["headline"], "</script><script>alert(1)</script>");
    }
}
