//! The addresses a site answers on, as its official mirror list names them.

use crate::ValidationError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressKind {
    Domain,
    Cdn,
    Onion,
    Ipfs,
    Static,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressState {
    /// Serving; readers may use it.
    Active,
    /// Known to be blocked in some places; still ours, still serving where it can.
    Blocked,
    /// No longer ours or no longer used: readers must not trust it any more.
    Retired,
}

macro_rules! names {
    ($ty:ident { $($variant:ident = $name:literal),* }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }

            pub fn parse(raw: &str) -> Result<Self, ValidationError> {
                match raw {
                    $($name => Ok(Self::$variant),)*
                    other => Err(ValidationError::new(
                        stringify!($ty),
                        format!("{other:?} is not one of {}", [$($name),*].join(", ")),
                    )),
                }
            }
        }
    };
}

names!(AddressKind { Domain = "domain", Cdn = "cdn", Onion = "onion", Ipfs = "ipfs", Static = "static" });
names!(AddressState { Active = "active", Blocked = "blocked", Retired = "retired" });

/// Checks a host name as people write it in the configuration or the newsroom: a name
/// such as `news.example` (a port is allowed), no scheme, no path.
pub fn check_host(host: &str) -> Result<(), String> {
    let ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{host:?} is not a host name such as news.example (no https://, no path)"
        ))
    }
}

impl AddressKind {
    /// The kind a bare host name suggests.
    pub fn guess(host: &str) -> AddressKind {
        if crate::settings::is_onion(host) {
            AddressKind::Onion
        } else {
            AddressKind::Domain
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub host: String,
    pub kind: AddressKind,
    pub state: AddressState,
    pub added: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

impl Address {
    /// The address as a URL: onion services (and local hosts) over HTTP, the rest over HTTPS.
    pub fn url(&self) -> String {
        crate::settings::base_url(&self.host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_junk_is_refused() {
        for kind in [
            AddressKind::Domain,
            AddressKind::Cdn,
            AddressKind::Onion,
            AddressKind::Ipfs,
            AddressKind::Static,
        ] {
            assert_eq!(AddressKind::parse(kind.as_str()), Ok(kind));
        }
        for state in [
            AddressState::Active,
            AddressState::Blocked,
            AddressState::Retired,
        ] {
            assert_eq!(AddressState::parse(state.as_str()), Ok(state));
        }
        assert!(AddressState::parse("gone").is_err());
        assert_eq!(AddressKind::guess("abc.onion"), AddressKind::Onion);
        assert_eq!(AddressKind::guess("news.example"), AddressKind::Domain);
    }
}
