//! Slugs: the readable, stable last part of a URL.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_SLUG_CHARS: usize = 120;

/// A validated slug: lowercase letters and digits of any script, joined by single hyphens.
/// Scripts other than Latin are kept (a Persian headline keeps a Persian slug) because
/// readers of those languages read their URLs too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let err = |m: &str| Err(ValidationError::new("slug", m));
        if raw.is_empty() {
            return err("must not be empty");
        }
        if raw.chars().count() > MAX_SLUG_CHARS {
            return err("is longer than 120 characters");
        }
        if raw.starts_with('-') || raw.ends_with('-') || raw.contains("--") {
            return err("must not start or end with a hyphen, nor repeat one");
        }
        if !raw
            .chars()
            .all(|c| c == '-' || (c.is_alphanumeric() && !c.is_uppercase()))
        {
            return err("may hold only lowercase letters, digits and hyphens");
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Slug::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> Self {
        slug.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Makes a slug from any text (a headline, a name). Returns `None` when the text has no
/// letters or digits at all.
pub fn slugify(text: &str) -> Option<Slug> {
    let mut out = String::new();
    let mut pending_hyphen = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_hyphen && !out.is_empty() {
                out.push('-');
            }
            pending_hyphen = false;
            out.extend(c.to_lowercase());
        } else if c == '\'' || c == '\u{2019}' || c == '\u{200c}' {
            // Apostrophes and the Persian zero-width non-joiner join, they do not separate.
        } else {
            pending_hyphen = true;
        }
    }
    let truncated: String = out.chars().take(MAX_SLUG_CHARS).collect();
    Slug::parse(truncated.trim_end_matches('-')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_makes_readable_slugs() {
        assert_eq!(
            slugify("Police raid camp, 12 hurt").map(String::from),
            Some("police-raid-camp-12-hurt".into())
        );
        assert_eq!(
            slugify("  Editor's Choice!  ").map(String::from),
            Some("editors-choice".into())
        );
        assert_eq!(
            slugify("بازار کتاب تهران").map(String::from),
            Some("بازار-کتاب-تهران".into())
        );
        assert_eq!(slugify("!!!"), None);
    }

    #[test]
    fn parse_refuses_bad_slugs() {
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a/b", "a%2f"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Slug::parse(&"a".repeat(121)).is_err());
        assert!(Slug::parse("middle-east-2").is_ok());
    }
}
