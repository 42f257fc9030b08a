//! Markdown (with raw HTML allowed) to HTML that is safe to put in any page.

use pulldown_cmark::{html, Options, Parser};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Renders Markdown and sanitises the result: scripts, event handlers, `javascript:` and
/// `data:` links, styles and unknown tags are removed, whatever the author typed.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    sanitizer().clean(&raw).to_string()
}

/// Plain text of a Markdown fragment, for meta descriptions.
pub fn to_plain_text(markdown: &str, max_chars: usize) -> String {
    let html = to_safe_html(markdown);
    let text = ammonia::Builder::empty().clean(&html).to_string();
    let text = text
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max_chars {
        collapsed
    } else {
        let cut: String = collapsed
            .chars()
            .take(max_chars.saturating_sub(1))
            .collect();
        format!("{}…", cut.trim_end())
    }
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(["figure", "figcaption", "aside"])
            .add_generic_attributes(["lang", "dir"])
            .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
            .link_rel(Some("noopener noreferrer"));
        builder
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = to_safe_html("A *quote*:\n\n> \"We will stay\", she said.\n\n- one\n- two");
        assert!(html.contains("<em>quote</em>"));
        assert!(html.contains("<blockquote>"));
        assert!(html.contains("<li>two</li>"));
    }

    #[test]
    fn script_never_survives() {
        let attacks = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
        ];
        for attack in attacks {
            let html = to_safe_html(attack).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "data:text",
                "onload",
                "<iframe",
                "style=",
            ] {
                assert!(!html.contains(bad), "{attack:?} left {bad:?} in {html:?}");
            }
        }
    }

    #[test]
    fn plain_text_is_short_and_clean() {
        assert_eq!(
            to_plain_text("**Bold** and <b>x</b> & y", 100),
            "Bold and x & y"
        );
        assert_eq!(to_plain_text("one two three four", 9), "one two…");
    }
}
