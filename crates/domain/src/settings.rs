//! Site-wide settings that shape every page.

use crate::Language;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    pub name: String,
    pub tagline: String,
    pub default_language: Language,
    /// The host canonical links, feeds and share links point to, e.g. `news.example`.
    pub primary_host: String,
    /// Mirror addresses readers can use when the primary is blocked (domains, `.onion`).
    pub alternate_hosts: Vec<String>,
}

impl SiteSettings {
    /// The absolute URL of a root-relative path on the primary host. The one place that
    /// turns paths into absolute URLs, so canonical links and shares always agree.
    pub fn absolute_url(&self, path: &str) -> String {
        format!("{}{}", base_url(&self.primary_host), path)
    }

    /// Alternate addresses as full URLs for the footer.
    pub fn alternate_urls(&self) -> Vec<String> {
        self.alternate_hosts.iter().map(|h| base_url(h)).collect()
    }
}

/// Onion services and local hosts are reached over plain HTTP; everything else over HTTPS.
fn base_url(host: &str) -> String {
    let plain =
        host.ends_with(".onion") || host.starts_with("127.0.0.1") || host.starts_with("localhost");
    format!("{}://{}", if plain { "http" } else { "https" }, host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_urls_use_the_primary_host() {
        let settings = SiteSettings {
            name: "S".into(),
            tagline: String::new(),
            default_language: Language::parse("en").expect("valid"),
            primary_host: "news.example".into(),
            alternate_hosts: vec!["mirror.example".into(), "abc.onion".into()],
        };
        assert_eq!(settings.absolute_url("/a/b"), "https://news.example/a/b");
        assert_eq!(
            settings.alternate_urls(),
            vec![
                "https://mirror.example".to_string(),
                "http://abc.onion".to_string()
            ]
        );
    }
}
