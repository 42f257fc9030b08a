//! WordPress and Ghost bodies into Broadsheet bodies: block comments dropped, the common
//! shortcodes turned into HTML, `wpautop` paragraphs made explicit, everything sanitised.
//! Broadsheet bodies are Markdown with HTML allowed, so a clean HTML body is a valid one.

use regex::{Captures, Regex};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// A picture a gallery or caption refers to, as it is (or will be) served here.
#[derive(Debug, Clone)]
pub struct Picture {
    pub src: String,
    pub alt: String,
    pub caption: String,
}

/// The converted body and the shortcodes that were kept as text because they are unknown.
#[derive(Debug, Default)]
pub struct Converted {
    pub body: String,
    pub unknown_shortcodes: BTreeSet<String>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

/// Converts a WordPress post body. `picture` finds an attachment by its WordPress id.
pub fn wordpress(html: &str, picture: &dyn Fn(&str) -> Option<Picture>) -> Converted {
    static BLOCK_COMMENT: OnceLock<Regex> = OnceLock::new();
    static CAPTION: OnceLock<Regex> = OnceLock::new();
    static GALLERY: OnceLock<Regex> = OnceLock::new();
    static EMBED: OnceLock<Regex> = OnceLock::new();
    static MEDIA: OnceLock<Regex> = OnceLock::new();
    static IDS: OnceLock<Regex> = OnceLock::new();
    static SRC: OnceLock<Regex> = OnceLock::new();
    static ANY: OnceLock<Regex> = OnceLock::new();

    let mut text = re(&BLOCK_COMMENT, r"<!--\s*/?wp:[^>]*?-->")
        .replace_all(html, "")
        .into_owned();
    text = re(&CAPTION, r"(?s)\[caption[^\]]*\](.*?)\[/caption\]")
        .replace_all(&text, |c: &Captures| {
            let inner = &c[1];
            // The caption is what follows the (possibly linked) image.
            let split = inner.rfind('>').map_or(0, |i| i + 1);
            let (image, caption) = inner.split_at(split);
            format!(
                "\n\n<figure>{}<figcaption>{}</figcaption></figure>\n\n",
                image.trim(),
                caption.trim()
            )
        })
        .into_owned();
    text = re(&GALLERY, r"\[gallery([^\]]*)\]")
        .replace_all(&text, |c: &Captures| {
            let ids = re(&IDS, r#"ids\s*=\s*["']?([0-9,\s]+)"#)
                .captures(&c[1])
                .map(|m| m[1].to_owned())
                .unwrap_or_default();
            let figures: String = ids
                .split(',')
                .filter_map(|id| picture(id.trim()))
                .map(|p| {
                    format!(
                        "<figure><img src=\"{}\" alt=\"{}\">{}</figure>",
                        attr(&p.src),
                        attr(&p.alt),
                        if p.caption.is_empty() {
                            String::new()
                        } else {
                            format!("<figcaption>{}</figcaption>", attr(&p.caption))
                        }
                    )
                })
                .collect();
            format!("\n\n<div class=\"gallery\">{figures}</div>\n\n")
        })
        .into_owned();
    text = re(&EMBED, r"(?s)\[embed[^\]]*\](.*?)\[/embed\]")
        .replace_all(&text, |c: &Captures| {
            link_paragraph(c[1].trim(), c[1].trim())
        })
        .into_owned();
    text = re(
        &MEDIA,
        r"\[(audio|video)([^\]]*)\](?:\[/(?:audio|video)\])?",
    )
    .replace_all(&text, |c: &Captures| {
        let src = re(
            &SRC,
            r#"(?:src|mp3|mp4|m4a|ogg|wav|webm)\s*=\s*["']([^"']+)["']"#,
        )
        .captures(&c[2])
        .map(|m| m[1].to_owned());
        match src {
            Some(src) => {
                let label = if &c[1] == "audio" { "Listen" } else { "Watch" };
                link_paragraph(&src, &format!("{label}: {src}"))
            }
            None => String::new(),
        }
    })
    .into_owned();
    // Standalone URLs on their own line were oEmbeds in WordPress: keep them as links.
    text = text
        .lines()
        .map(|line| {
            let t = line.trim();
            if (t.starts_with("https://") || t.starts_with("http://"))
                && !t.contains(char::is_whitespace)
                && !t.contains('<')
            {
                link_paragraph(t, t)
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut unknown = BTreeSet::new();
    for c in re(&ANY, r"\[/?([a-z][a-z0-9_-]{1,30})(?:\s[^\]]*)?\]").captures_iter(&text) {
        unknown.insert(c[1].to_owned());
    }
    Converted {
        body: clean(&autop(&text)),
        unknown_shortcodes: unknown,
    }
}

/// Ghost bodies are HTML already; they only need sanitising.
pub fn ghost(html: &str) -> String {
    clean(html)
}

fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn link_paragraph(href: &str, label: &str) -> String {
    format!(
        "\n\n<p><a href=\"{}\">{}</a></p>\n\n",
        attr(href),
        attr(label)
    )
}

const BLOCK_TAGS: [&str; 22] = [
    "<p",
    "<div",
    "<h1",
    "<h2",
    "<h3",
    "<h4",
    "<h5",
    "<h6",
    "<ul",
    "<ol",
    "<li",
    "<figure",
    "<blockquote",
    "<table",
    "<pre",
    "<hr",
    "<dl",
    "<section",
    "<aside",
    "<iframe",
    "<address",
    "<details",
];

/// WordPress's `wpautop`: text separated by blank lines is a paragraph, a single line break
/// inside one is a `<br>`; blocks that already are HTML blocks stay as they are.
pub fn autop(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = Vec::new();
    for chunk in text.split("\n\n") {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            continue;
        }
        let lower = chunk.to_ascii_lowercase();
        if BLOCK_TAGS.iter().any(|t| lower.starts_with(t)) || lower.starts_with("<!--") {
            out.push(chunk.to_owned());
        } else {
            out.push(format!("<p>{}</p>", chunk.replace('\n', "<br>\n")));
        }
    }
    out.join("\n\n")
}

/// Sanitises with the same rules the site renders with, and separates blocks by blank
/// lines so that the Markdown renderer keeps each as an HTML block.
fn clean(html: &str) -> String {
    let safe = ammonia::Builder::default()
        .add_tags(["figure", "figcaption"])
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string();
    static BETWEEN: OnceLock<Regex> = OnceLock::new();
    let separated = re(
        &BETWEEN,
        r"(?i)(</(?:p|div|h[1-6]|ul|ol|figure|blockquote|table|pre|dl|section|aside)>)\s*",
    )
    .replace_all(&safe, "$1\n\n");
    separated.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<Picture> {
        None
    }

    #[test]
    fn block_comments_go_and_paragraphs_appear() {
        let out = wordpress(
            "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\nTwo lines\nhere",
            &none,
        );
        assert!(!out.body.contains("wp:"));
        assert!(out.body.contains("<p>One</p>"));
        assert!(
            out.body.contains("<p>Two lines<br>\nhere</p>"),
            "{}",
            out.body
        );
    }

    #[test]
    fn captions_galleries_and_embeds_become_html() {
        let pictures = |id: &str| {
            (id == "5").then(|| Picture {
                src: "/media/boat.jpg".into(),
                alt: "A boat".into(),
                caption: "At sea".into(),
            })
        };
        let out = wordpress(
            "[caption id=\"x\" align=\"alignnone\" width=\"300\"]<img src=\"/media/a.jpg\" alt=\"A\"> The harbour at dawn[/caption]\n\n[gallery ids=\"5,6\"]\n\n[embed]https://video.example/v/1[/embed]\n\n[audio mp3=\"https://audio.example/a.mp3\"][/audio]\n\n[mystery foo=\"1\"]",
            &pictures,
        );
        assert!(
            out.body
                .contains("<figcaption>The harbour at dawn</figcaption>"),
            "{}",
            out.body
        );
        assert!(out.body.contains("src=\"/media/boat.jpg\""));
        assert!(out.body.contains("<figcaption>At sea</figcaption>"));
        assert!(out.body.contains("href=\"https://video.example/v/1\""));
        assert!(out.body.contains("Listen: https://audio.example/a.mp3"));
        assert_eq!(
            out.unknown_shortcodes.into_iter().collect::<Vec<_>>(),
            vec!["mystery"]
        );
    }

    #[test]
    fn script_never_survives() {
        let out = wordpress(
            "<p onclick=\"x()\">Hi<script>alert(1)</script><a href=\"javascript:alert(1)\">l</a></p>",
            &none,
        );
        assert!(
            !out.body.contains("script") && !out.body.contains("onclick"),
            "{}",
            out.body
        );
    }
}
