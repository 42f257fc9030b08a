//! Languages and writing direction.

use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// A BCP 47 language tag as used in `lang` attributes, kept in its canonical case
/// (`en`, `fa`, `pt-BR`, `zh-Hant`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Language(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// Primary language subtags whose usual script runs right to left.
const RTL_LANGUAGES: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi",
];

/// Scripts that run right to left, for tags that name one explicitly (`az-Arab`).
const RTL_SCRIPTS: &[&str] = &["Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg"];

impl Language {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let invalid = || {
            ValidationError::new(
                "language",
                format!("{raw:?} is not a language tag such as en, fa or pt-BR"),
            )
        };
        let mut parts = raw.split(['-', '_']);
        let primary = parts
            .next()
            .filter(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()))
            .ok_or_else(invalid)?;
        let mut tag = primary.to_ascii_lowercase();
        for part in parts {
            if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(invalid());
            }
            tag.push('-');
            match part.len() {
                4 => {
                    // Script subtag: title case.
                    let mut chars = part.chars();
                    if let Some(first) = chars.next() {
                        tag.push(first.to_ascii_uppercase());
                    }
                    tag.push_str(&chars.as_str().to_ascii_lowercase());
                }
                2 => tag.push_str(&part.to_ascii_uppercase()),
                _ => tag.push_str(&part.to_ascii_lowercase()),
            }
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    pub fn direction(&self) -> Direction {
        let mut subtags = self.0.split('-').skip(1);
        if let Some(script) = subtags.find(|s| s.len() == 4) {
            return if RTL_SCRIPTS.contains(&script) {
                Direction::Rtl
            } else {
                Direction::Ltr
            };
        }
        if RTL_LANGUAGES.contains(&self.primary()) {
            Direction::Rtl
        } else {
            Direction::Ltr
        }
    }
}

impl TryFrom<String> for Language {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Language::parse(&value)
    }
}

impl From<Language> for String {
    fn from(lang: Language) -> Self {
        lang.0
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_follows_language_and_script() {
        let dir = |t: &str| Language::parse(t).expect("valid tag").direction();
        assert_eq!(dir("fa"), Direction::Rtl);
        assert_eq!(dir("ar-IQ"), Direction::Rtl);
        assert_eq!(dir("he"), Direction::Rtl);
        assert_eq!(dir("ur"), Direction::Rtl);
        assert_eq!(dir("en"), Direction::Ltr);
        assert_eq!(dir("az-Arab"), Direction::Rtl);
        assert_eq!(dir("ku-Latn"), Direction::Ltr);
    }

    #[test]
    fn tags_are_canonicalised_and_junk_refused() {
        assert_eq!(Language::parse("PT_br").expect("valid").as_str(), "pt-BR");
        assert_eq!(
            Language::parse("zh-hant").expect("valid").as_str(),
            "zh-Hant"
        );
        for bad in ["", "e", "english", "en-", "1a", "en-@@"] {
            assert!(Language::parse(bad).is_err(), "{bad:?}");
        }
    }
}
