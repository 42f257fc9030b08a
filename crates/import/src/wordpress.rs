//! Reading a WordPress export (WXR 1.0 to 1.2) as a stream: one item at a time, whatever
//! the size of the file.

use crate::ImportError;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::io::BufRead;

/// The site an export came from.
#[derive(Debug, Clone, Default)]
pub struct Channel {
    pub title: String,
    pub link: String,
    pub language: String,
    pub wxr_version: String,
    pub base_site_url: String,
    pub base_blog_url: String,
}

#[derive(Debug, Clone, Default)]
pub struct Author {
    pub login: String,
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Default)]
pub struct Category {
    pub nicename: String,
    pub parent: String,
    pub name: String,
    pub description: String,
}

/// A post, page, attachment or any other item of the export.
#[derive(Debug, Clone, Default)]
pub struct Item {
    pub title: String,
    pub link: String,
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    pub post_id: String,
    pub post_date: String,
    pub post_date_gmt: String,
    pub post_name: String,
    pub status: String,
    pub post_parent: String,
    pub post_type: String,
    pub post_password: String,
    pub is_sticky: bool,
    pub attachment_url: String,
    /// `(domain, nicename, name)`: categories, tags, post formats.
    pub terms: Vec<(String, String, String)>,
    pub meta: Vec<(String, String)>,
    pub comments: usize,
}

impl Item {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One thing read from the export, in file order.
#[derive(Debug)]
pub enum Entry {
    Author(Author),
    Category(Category),
    Item(Box<Item>),
}

const VERSIONS: [&str; 3] = ["1.0", "1.1", "1.2"];

/// Reads the whole export, calling `visit` with the channel and each entry. Fails on
/// anything that is not a complete WXR document, naming what is wrong.
pub fn read(
    input: impl BufRead,
    mut visit: impl FnMut(&Channel, Entry) -> Result<(), ImportError>,
) -> Result<Channel, ImportError> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut channel = Channel::default();
    let mut author: Option<Author> = None;
    let mut category: Option<Category> = None;
    let mut item: Option<Item> = None;
    let mut meta_key = String::new();
    let mut term: Option<(String, String)> = None;
    let mut saw_rss = false;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            let at = reader.buffer_position();
            let message = e.to_string();
            ImportError::Format(
                if message.contains("end of input") || message.contains("EOF") {
                    format!("the file ends early, inside an element: it is truncated ({message})")
                } else {
                    format!("the file is not well-formed XML near byte {at}: {message}")
                },
            )
        })?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if stack.is_empty() {
                    if name != "rss" {
                        return Err(ImportError::Format(format!(
                            "this is not a WordPress export: the document is <{name}>, not <rss>"
                        )));
                    }
                    saw_rss = true;
                }
                match name.as_str() {
                    "wp:author" if item.is_none() => author = Some(Author::default()),
                    "wp:category" if item.is_none() => category = Some(Category::default()),
                    "item" => {
                        check_version(&channel)?;
                        item = Some(Item::default());
                    }
                    "category" if item.is_some() => {
                        let mut domain = String::new();
                        let mut nicename = String::new();
                        for attr in e.attributes().flatten() {
                            let value = attr.unescape_value().unwrap_or_default().into_owned();
                            match attr.key.as_ref() {
                                b"domain" => domain = value,
                                b"nicename" => nicename = value,
                                _ => {}
                            }
                        }
                        term = Some((domain, nicename));
                    }
                    "wp:comment" => {
                        if let Some(item) = item.as_mut() {
                            item.comments += 1;
                        }
                    }
                    _ => {}
                }
                stack.push(name);
                text.clear();
            }
            Event::Empty(_) => {}
            Event::Text(e) => {
                text.push_str(&e.decode().map_err(|e| ImportError::Format(e.to_string()))?)
            }
            Event::CData(e) => text.push_str(&String::from_utf8_lossy(&e.into_inner())),
            Event::GeneralRef(e) => {
                let resolved = match e.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match e.as_ref() {
                        b"amp" => Some('&'),
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"quot" => Some('"'),
                        b"apos" => Some('\''),
                        _ => None,
                    },
                };
                match resolved {
                    Some(c) => text.push(c),
                    None => {
                        text.push('&');
                        text.push_str(&String::from_utf8_lossy(e.as_ref()));
                        text.push(';');
                    }
                }
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let value = std::mem::take(&mut text);
                let parent = stack.last().map(String::as_str).unwrap_or_default();
                if let Some(a) = author.as_mut() {
                    match name.as_str() {
                        "wp:author_login" => a.login = value,
                        "wp:author_email" => a.email = value,
                        "wp:author_display_name" => a.display_name = value,
                        "wp:author" => {
                            if let Some(done) = author.take() {
                                visit(&channel, Entry::Author(done))?;
                            }
                        }
                        _ => {}
                    }
                } else if let Some(c) = category.as_mut() {
                    match name.as_str() {
                        "wp:category_nicename" => c.nicename = value,
                        "wp:category_parent" => c.parent = value,
                        "wp:cat_name" => c.name = value,
                        "wp:category_description" => c.description = value,
                        "wp:category" => {
                            if let Some(done) = category.take() {
                                visit(&channel, Entry::Category(done))?;
                            }
                        }
                        _ => {}
                    }
                } else if let Some(i) = item.as_mut() {
                    match (name.as_str(), parent) {
                        ("title", "item") => i.title = value,
                        ("link", "item") => i.link = value,
                        ("dc:creator", _) => i.creator = value,
                        ("content:encoded", _) => i.content = value,
                        ("excerpt:encoded", _) => i.excerpt = value,
                        ("wp:post_id", _) => i.post_id = value.trim().into(),
                        ("wp:post_date", _) => i.post_date = value,
                        ("wp:post_date_gmt", _) => i.post_date_gmt = value,
                        ("wp:post_name", _) => i.post_name = value,
                        ("wp:status", _) => i.status = value,
                        ("wp:post_parent", _) => i.post_parent = value,
                        ("wp:post_type", _) => i.post_type = value,
                        ("wp:post_password", _) => i.post_password = value,
                        ("wp:is_sticky", _) => i.is_sticky = value.trim() == "1",
                        ("wp:attachment_url", _) => i.attachment_url = value,
                        ("wp:meta_key", "wp:postmeta") => meta_key = value,
                        ("wp:meta_value", "wp:postmeta") => {
                            i.meta.push((std::mem::take(&mut meta_key), value))
                        }
                        ("category", "item") => {
                            if let Some((domain, nicename)) = term.take() {
                                i.terms.push((domain, nicename, value));
                            }
                        }
                        ("item", _) => {
                            if let Some(done) = item.take() {
                                visit(&channel, Entry::Item(Box::new(done)))?;
                            }
                        }
                        _ => {}
                    }
                } else if parent == "channel" {
                    match name.as_str() {
                        "title" => channel.title = value,
                        "link" => channel.link = value,
                        "language" => channel.language = value,
                        "wp:wxr_version" => channel.wxr_version = value.trim().into(),
                        "wp:base_site_url" => channel.base_site_url = value,
                        "wp:base_blog_url" => channel.base_blog_url = value,
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_rss {
        return Err(ImportError::Format(
            "this is not a WordPress export: the file holds no XML document".into(),
        ));
    }
    if !stack.is_empty() {
        return Err(ImportError::Format(format!(
            "the file ends inside <{}>: it is truncated",
            stack.join("> <")
        )));
    }
    check_version(&channel)?;
    Ok(channel)
}

fn check_version(channel: &Channel) -> Result<(), ImportError> {
    if channel.wxr_version.is_empty() {
        return Err(ImportError::Format(
            "this RSS file is not a WordPress export (it has no <wp:wxr_version>)".into(),
        ));
    }
    if !VERSIONS.contains(&channel.wxr_version.as_str()) {
        return Err(ImportError::Format(format!(
            "WXR version {} is not one this importer knows (1.0, 1.1, 1.2)",
            channel.wxr_version
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(xml: &str) -> Result<(Channel, Vec<Entry>), ImportError> {
        let mut entries = Vec::new();
        let channel = read(xml.as_bytes(), |_, e| {
            entries.push(e);
            Ok(())
        })?;
        Ok((channel, entries))
    }

    const SMALL: &str = r#"<?xml version="1.0"?>
<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="c" xmlns:dc="d" xmlns:excerpt="e">
<channel><title>T &amp; Co</title><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_blog_url>https://old.example</wp:base_blog_url>
<wp:author><wp:author_login>ann</wp:author_login><wp:author_display_name><![CDATA[Ann B]]></wp:author_display_name></wp:author>
<wp:category><wp:category_nicename>world</wp:category_nicename><wp:category_parent/><wp:cat_name>World</wp:cat_name></wp:category>
<item><title>Fish &amp; chips</title><link>https://old.example/fish/</link><dc:creator>ann</dc:creator>
<content:encoded><![CDATA[<p>Hi</p>]]></content:encoded><wp:post_id>7</wp:post_id><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><category domain="category" nicename="world"><![CDATA[World]]></category>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>9</wp:meta_value></wp:postmeta>
<wp:comment><wp:comment_id>1</wp:comment_id></wp:comment></item>
</channel></rss>"#;

    #[test]
    fn reads_the_parts_of_an_export() {
        let (channel, entries) = read_all(SMALL).expect("reads");
        assert_eq!(channel.title, "T & Co");
        assert_eq!(channel.wxr_version, "1.2");
        assert_eq!(entries.len(), 3);
        let Entry::Item(item) = &entries[2] else {
            panic!("an item")
        };
        assert_eq!(item.title, "Fish & chips");
        assert_eq!(item.content, "<p>Hi</p>");
        assert_eq!(item.meta("_thumbnail_id"), Some("9"));
        assert_eq!(
            item.terms[0],
            ("category".into(), "world".into(), "World".into())
        );
        assert_eq!(item.comments, 1);
    }

    #[test]
    fn bad_files_are_named() {
        let err = |xml: &str| {
            read_all(xml)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err("{\"not\": \"xml\"}").contains("no XML document"));
        assert!(err("<html><body/></html>").contains("not <rss>"));
        assert!(err("<rss><channel><item></item></channel></rss>").contains("wxr_version"));
        assert!(err(&SMALL.replace("1.2</wp:wxr", "9.9</wp:wxr")).contains("9.9"));
        let cut = &SMALL[..SMALL.len() / 2];
        let message = err(cut);
        assert!(
            message.contains("truncated") || message.contains("well-formed"),
            "{message}"
        );
    }
}
