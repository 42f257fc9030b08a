//! Sitemaps (sitemaps.org 0.9) with the image extension, the Google News sitemap and
//! robots.txt. Written directly: the formats are small and fixed.

use broadsheet_domain::{ArticleSummary, SiteSettings};
use chrono::{DateTime, SecondsFormat, Utc};
use std::fmt::Write;

/// The most URLs one sitemap file may hold (sitemaps.org).
pub const MAX_URLS: usize = 50_000;
/// The most articles a Google News sitemap may hold.
pub const MAX_NEWS: usize = 1_000;

pub struct Entry {
    pub path: String,
    pub lastmod: Option<DateTime<Utc>>,
    /// (image path, caption)
    pub images: Vec<(String, String)>,
}

impl Entry {
    pub fn page(path: impl Into<String>) -> Entry {
        Entry {
            path: path.into(),
            lastmod: None,
            images: Vec::new(),
        }
    }

    pub fn article(article: &ArticleSummary) -> Entry {
        Entry {
            path: article.path.clone(),
            lastmod: Some(article.updated_at),
            images: article
                .lead
                .iter()
                .map(|m| (format!("/media/{}", m.file_name), m.caption.clone()))
                .collect(),
        }
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn w3c(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `/sitemap.xml`: the list of sitemap files (paths) with their last change.
pub fn index(settings: &SiteSettings, files: &[(String, Option<DateTime<Utc>>)]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (path, lastmod) in files {
        let _ = write!(
            xml,
            "  <sitemap>\n    <loc>{}</loc>\n",
            escape(&settings.absolute_url(path))
        );
        if let Some(t) = lastmod {
            let _ = writeln!(xml, "    <lastmod>{}</lastmod>", w3c(*t));
        }
        xml.push_str("  </sitemap>\n");
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

/// One sitemap file of pages, with their images.
pub fn urlset(settings: &SiteSettings, entries: &[Entry]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n",
    );
    for entry in entries.iter().take(MAX_URLS) {
        let _ = write!(
            xml,
            "  <url>\n    <loc>{}</loc>\n",
            escape(&settings.absolute_url(&entry.path))
        );
        if let Some(t) = entry.lastmod {
            let _ = writeln!(xml, "    <lastmod>{}</lastmod>", w3c(t));
        }
        for (src, caption) in &entry.images {
            let _ = write!(
                xml,
                "    <image:image>\n      <image:loc>{}</image:loc>\n",
                escape(&settings.absolute_url(src))
            );
            if !caption.is_empty() {
                let _ = writeln!(
                    xml,
                    "      <image:caption>{}</image:caption>",
                    escape(caption)
                );
            }
            xml.push_str("    </image:image>\n");
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// The Google News sitemap: the given articles (the caller picks the last two days).
pub fn news(settings: &SiteSettings, articles: &[ArticleSummary]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for article in articles.iter().take(MAX_NEWS) {
        let _ = write!(
            xml,
            "  <url>\n    <loc>{}</loc>\n    <news:news>\n      <news:publication>\n        <news:name>{}</news:name>\n        \
             <news:language>{}</news:language>\n      </news:publication>\n      <news:publication_date>{}</news:publication_date>\n      \
             <news:title>{}</news:title>\n    </news:news>\n  </url>\n",
            escape(&settings.absolute_url(&article.path)),
            escape(&settings.name),
            // Google News wants ISO 639 codes, with zh-cn / zh-tw as the only region forms.
            escape(&news_language(article.language.as_str())),
            w3c(article.published_at),
            escape(&article.headline),
        );
    }
    xml.push_str("</urlset>\n");
    xml
}

fn news_language(tag: &str) -> String {
    let lower = tag.to_ascii_lowercase();
    match lower.as_str() {
        "zh-cn" | "zh-hans" => "zh-cn".into(),
        "zh-tw" | "zh-hant" => "zh-tw".into(),
        _ => lower.split('-').next().unwrap_or("en").to_owned(),
    }
}

/// `/robots.txt`: everything public may be crawled; the newsroom may not; sitemaps listed.
pub fn robots(settings: &SiteSettings) -> String {
    format!(
        "User-agent: *\nAllow: /\nDisallow: /newsroom\nDisallow: /api/admin\n\nSitemap: {}\n",
        settings.absolute_url("/sitemap.xml")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_languages() {
        assert_eq!(
            escape("a & <b> \"c\" 'd'"),
            "a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(news_language("pt-BR"), "pt");
        assert_eq!(news_language("zh-Hant"), "zh-tw");
        assert_eq!(news_language("fa"), "fa");
    }
}
