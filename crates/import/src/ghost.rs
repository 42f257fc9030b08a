//! Reading a Ghost export (the JSON file of Settings -> Labs -> Export, versions 1 to 5).

use crate::ImportError;
use serde::Deserialize;
use serde_json::Value;
use std::io::Read;

#[derive(Debug, Default)]
pub struct Export {
    pub version: String,
    pub posts: Vec<Post>,
    pub users: Vec<User>,
    tags: Vec<Tag>,
    posts_tags: Vec<Link>,
    posts_authors: Vec<Link>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Post {
    pub id: String,
    pub title: String,
    pub slug: String,
    pub html: Option<String>,
    pub mobiledoc: Option<String>,
    pub lexical: Option<String>,
    pub feature_image: Option<String>,
    pub feature_image_alt: Option<String>,
    pub feature_image_caption: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    /// Ghost 1-3 marked pages with a flag instead of a type.
    pub page: Option<Value>,
    pub status: String,
    pub locale: Option<String>,
    pub visibility: String,
    pub custom_excerpt: Option<String>,
    pub published_at: Option<String>,
    pub created_at: Option<String>,
    /// Ghost 1-2: the one author, before posts_authors.
    pub author_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct User {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub email: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Tag {
    id: String,
    name: String,
    visibility: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Link {
    post_id: String,
    tag_id: String,
    author_id: String,
    sort_order: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct PostMeta {
    post_id: String,
    feature_image_alt: Option<String>,
    feature_image_caption: Option<String>,
}

fn table<T: for<'de> Deserialize<'de>>(data: &Value, name: &str) -> Result<Vec<T>, ImportError> {
    match data.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(rows) => serde_json::from_value(rows.clone()).map_err(|e| {
            ImportError::Format(format!(
                "the {name} table of the export is not as Ghost writes it: {e}"
            ))
        }),
    }
}

/// Reads and checks a Ghost export.
pub fn read(input: impl Read) -> Result<Export, ImportError> {
    let root: Value = serde_json::from_reader(input).map_err(|e| {
        ImportError::Format(if e.is_eof() {
            format!("the file ends early: it is truncated ({e})")
        } else {
            format!("this is not a Ghost export: it is not JSON ({e})")
        })
    })?;
    // Either {"db": [{"meta", "data"}]} or {"meta", "data"}.
    let db = root.get("db").and_then(|db| db.get(0)).unwrap_or(&root);
    let (Some(meta), Some(data)) = (db.get("meta"), db.get("data")) else {
        return Err(ImportError::Format(
            "this JSON is not a Ghost export (it has no meta and data)".into(),
        ));
    };
    let version = meta
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if !(1..=5).contains(&major) {
        return Err(ImportError::Format(format!(
            "Ghost export version {version:?} is not one this importer knows (1 to 5)"
        )));
    }
    let mut posts: Vec<Post> = table(data, "posts")?;
    let metas: Vec<PostMeta> = table(data, "posts_meta")?;
    for post in &mut posts {
        if post.kind.is_empty() {
            let is_page = matches!(post.page, Some(Value::Bool(true)) | Some(Value::Number(_)) if post.page != Some(Value::from(0)));
            post.kind = if is_page {
                "page".into()
            } else {
                "post".into()
            };
        }
        if let Some(meta) = metas.iter().find(|m| m.post_id == post.id) {
            post.feature_image_alt = post
                .feature_image_alt
                .take()
                .or(meta.feature_image_alt.clone());
            post.feature_image_caption = post
                .feature_image_caption
                .take()
                .or(meta.feature_image_caption.clone());
        }
    }
    Ok(Export {
        version,
        posts,
        users: table(data, "users")?,
        tags: table(data, "tags")?,
        posts_tags: table(data, "posts_tags")?,
        posts_authors: table(data, "posts_authors")?,
    })
}

impl Export {
    /// What ties an import to its source: Ghost's ids are unique across sites.
    pub fn site_id(&self) -> &'static str {
        "export"
    }

    /// The public tags of a post, in its order (Ghost's `#internal` tags are left out).
    pub fn tags_of(&self, post_id: &str) -> Vec<String> {
        let mut links: Vec<&Link> = self
            .posts_tags
            .iter()
            .filter(|l| l.post_id == post_id)
            .collect();
        links.sort_by_key(|l| l.sort_order);
        links
            .into_iter()
            .filter_map(|l| self.tags.iter().find(|t| t.id == l.tag_id))
            .filter(|t| t.visibility != "internal" && !t.name.starts_with('#'))
            .map(|t| t.name.clone())
            .collect()
    }

    /// The user ids credited on a post, in order.
    pub fn authors_of(&self, post_id: &str) -> Vec<String> {
        let mut links: Vec<&Link> = self
            .posts_authors
            .iter()
            .filter(|l| l.post_id == post_id)
            .collect();
        links.sort_by_key(|l| l.sort_order);
        let mut ids: Vec<String> = links.into_iter().map(|l| l.author_id.clone()).collect();
        if ids.is_empty() {
            if let Some(author) = self
                .posts
                .iter()
                .find(|p| p.id == post_id)
                .and_then(|p| p.author_id.clone())
            {
                ids.push(author);
            }
        }
        ids
    }
}

/// The post's body as HTML: Ghost's rendered `html` when there is one, else built from the
/// mobiledoc's Markdown and HTML cards or the lexical tree's text.
pub fn body_html(post: &Post) -> Option<String> {
    if let Some(html) = post.html.as_deref().filter(|h| !h.trim().is_empty()) {
        return Some(html.to_owned());
    }
    if let Some(doc) = post
        .mobiledoc
        .as_deref()
        .and_then(|m| serde_json::from_str::<Value>(m).ok())
    {
        let mut parts = Vec::new();
        for card in doc
            .get("cards")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let payload = card.get(1);
            if let Some(md) = payload
                .and_then(|p| p.get("markdown"))
                .and_then(Value::as_str)
            {
                parts.push(escape_text(md).replace("\n\n", "</p>\n\n<p>"));
            } else if let Some(html) = payload.and_then(|p| p.get("html")).and_then(Value::as_str) {
                parts.push(html.to_owned());
            }
        }
        if !parts.is_empty() {
            return Some(
                parts
                    .into_iter()
                    .map(|p| format!("<p>{p}</p>"))
                    .collect::<Vec<_>>()
                    .join("\n\n"),
            );
        }
    }
    if let Some(tree) = post
        .lexical
        .as_deref()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
    {
        let mut paragraphs = Vec::new();
        for block in tree
            .pointer("/root/children")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let text: String = block
                .get("children")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|n| n.get("text").and_then(Value::as_str))
                .collect();
            if !text.trim().is_empty() {
                paragraphs.push(format!("<p>{}</p>", escape_text(&text)));
            }
        }
        if !paragraphs.is_empty() {
            return Some(paragraphs.join("\n\n"));
        }
    }
    None
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_are_named() {
        let err = |s: &str| {
            read(s.as_bytes())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err("<rss/>").contains("not JSON"));
        assert!(
            err("{\"db\": [{\"meta\": {\"version\": \"4.1.0\"}, \"data\": {\"posts\": [")
                .contains("truncated")
        );
        assert!(err("{\"hello\": 1}").contains("no meta and data"));
        assert!(err("{\"meta\": {\"version\": \"9.0.0\"}, \"data\": {}}").contains("9.0.0"));
    }

    #[test]
    fn bodies_come_from_html_or_mobiledoc() {
        let post = Post {
            mobiledoc: Some(r#"{"cards":[["markdown",{"markdown":"One & two\n\nThree"}]]}"#.into()),
            ..Post::default()
        };
        assert_eq!(
            body_html(&post).as_deref(),
            Some("<p>One &amp; two</p>\n\n<p>Three</p>")
        );
    }
}
