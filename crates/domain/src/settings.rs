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
    /// Answer requests for hosts that are neither the primary nor an alternate with
    /// 421 Misdirected Request, instead of serving the site.
    pub refuse_unknown_hosts: bool,
    /// Alternate hosts whose pages name themselves as canonical (the "self" policy), like
    /// onion addresses always do; every other host names the primary.
    #[serde(default)]
    pub self_canonical_hosts: Vec<String>,
    /// Alternates marked blocked: still served (readers elsewhere may reach them), no longer
    /// offered to readers in the footer.
    #[serde(default)]
    pub blocked_hosts: Vec<String>,
}

impl SiteSettings {
    /// The absolute URL of a root-relative path on the primary host. The one place that
    /// turns paths into absolute URLs, so canonical links and shares always agree.
    pub fn absolute_url(&self, path: &str) -> String {
        format!("{}{}", base_url(&self.primary_host), path)
    }

    /// The onion address among the alternates, if any.
    pub fn onion_host(&self) -> Option<&str> {
        self.alternate_hosts
            .iter()
            .map(String::as_str)
            .find(|h| is_onion(h))
    }

    /// Whether `host` (as in a Host header, port allowed) is one of the site's addresses.
    pub fn knows_host(&self, host: &str) -> bool {
        let bare = strip_port(host);
        strip_port(&self.primary_host) == bare
            || self.alternate_hosts.iter().any(|h| strip_port(h) == bare)
    }

    /// Whether `host` is one of the alternate addresses (mirrors, onion). The newsroom is
    /// not served there: a blocked domain's mirrors are for reading, and keeping logins on
    /// one address keeps its cookies and its attack surface in one place.
    pub fn is_alternate(&self, host: &str) -> bool {
        let bare = strip_port(host);
        strip_port(&self.primary_host) != bare
            && self.alternate_hosts.iter().any(|h| strip_port(h) == bare)
    }

    /// The canonical policy: a page fetched on one of the site's onion addresses, or on
    /// an alternate configured as self-canonical, names that address as canonical
    /// ("self"), so its readers stay on it; on every other host the primary is canonical.
    /// Returns the settings to render with when they differ.
    pub fn for_host(&self, host: &str) -> Option<SiteSettings> {
        let own = self.self_canonical_host(host)?;
        Some(SiteSettings {
            primary_host: own.to_owned(),
            ..self.clone()
        })
    }

    /// The alternate address `host` names when pages fetched on it name it as canonical
    /// (see `for_host`).
    pub fn self_canonical_host(&self, host: &str) -> Option<&str> {
        let bare = strip_port(host);
        self.alternate_hosts
            .iter()
            .find(|h| {
                strip_port(h) == bare
                    && (is_onion(h) || self.self_canonical_hosts.iter().any(|s| s == *h))
            })
            .map(String::as_str)
    }

    /// Alternate addresses readers may use, as full URLs for the footer.
    pub fn alternate_urls(&self) -> Vec<String> {
        self.alternate_hosts
            .iter()
            .filter(|h| !self.blocked_hosts.contains(h))
            .map(|h| base_url(h))
            .collect()
    }

    /// These settings with the addresses as the signed list has them now (admins add,
    /// block and retire addresses while the site runs): retired ones are dropped, added
    /// ones join, blocked ones stay served but unlisted.
    pub fn with_addresses(&self, addresses: &[crate::Address]) -> SiteSettings {
        use crate::AddressState;
        let state = |host: &str| addresses.iter().find(|a| a.host == host).map(|a| a.state);
        let mut alternate_hosts: Vec<String> = self
            .alternate_hosts
            .iter()
            .filter(|h| state(h) != Some(AddressState::Retired))
            .cloned()
            .collect();
        for address in addresses {
            if address.state != AddressState::Retired
                && address.host != self.primary_host
                && !alternate_hosts.contains(&address.host)
            {
                alternate_hosts.push(address.host.clone());
            }
        }
        let blocked_hosts = alternate_hosts
            .iter()
            .filter(|h| state(h) == Some(AddressState::Blocked))
            .cloned()
            .collect();
        SiteSettings {
            alternate_hosts,
            blocked_hosts,
            ..self.clone()
        }
    }
}

pub fn is_onion(host: &str) -> bool {
    strip_port(host).ends_with(".onion")
}

fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
    .trim_end_matches('.')
}

/// Onion services and local hosts are reached over plain HTTP; everything else over HTTPS.
pub fn base_url(host: &str) -> String {
    format!("{}://{}", scheme(host), host)
}

/// "http" for onion services and local addresses (no certificates there), else "https".
pub fn scheme(host: &str) -> &'static str {
    let plain =
        host.ends_with(".onion") || host.starts_with("127.0.0.1") || host.starts_with("localhost");
    if plain {
        "http"
    } else {
        "https"
    }
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
            alternate_hosts: vec![
                "mirror.example".into(),
                "abc.onion".into(),
                "ipfs-gateway.example".into(),
            ],
            refuse_unknown_hosts: false,
            self_canonical_hosts: vec!["ipfs-gateway.example".into()],
            blocked_hosts: Vec::new(),
        };
        assert_eq!(settings.absolute_url("/a/b"), "https://news.example/a/b");
        assert_eq!(
            settings.alternate_urls(),
            vec![
                "https://mirror.example".to_string(),
                "http://abc.onion".to_string(),
                "https://ipfs-gateway.example".to_string(),
            ]
        );
        // The addresses as they stand: retired ones go, added ones come, blocked ones stay
        // served but leave the footer.
        let at = chrono::DateTime::from_timestamp(0, 0).unwrap_or_default();
        let address = |host: &str, state| crate::Address {
            host: host.into(),
            kind: crate::AddressKind::guess(host),
            state,
            added: at,
            updated: at,
        };
        let live = settings.with_addresses(&[
            address("news.example", crate::AddressState::Active),
            address("mirror.example", crate::AddressState::Blocked),
            address("abc.onion", crate::AddressState::Retired),
            address("new.example", crate::AddressState::Active),
        ]);
        assert!(live.knows_host("mirror.example") && live.knows_host("new.example"));
        assert!(!live.knows_host("abc.onion") && live.onion_host().is_none());
        assert_eq!(
            live.alternate_urls(),
            vec![
                "https://ipfs-gateway.example".to_string(),
                "https://new.example".to_string()
            ]
        );
        assert_eq!(settings.onion_host(), Some("abc.onion"));
        assert!(settings.knows_host("news.example:443"));
        assert!(settings.knows_host("mirror.example"));
        assert!(!settings.knows_host("evil.example"));
        assert!(settings.for_host("news.example").is_none());
        assert!(settings.for_host("mirror.example").is_none());
        let onion = settings
            .for_host("abc.onion")
            .expect("self-canonical on the onion");
        assert_eq!(onion.absolute_url("/a"), "http://abc.onion/a");
        let gateway = settings
            .for_host("ipfs-gateway.example:443")
            .expect("self-canonical by configuration");
        assert_eq!(gateway.absolute_url("/a"), "https://ipfs-gateway.example/a");
    }
}
