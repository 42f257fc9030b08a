//! Reader URL parsing: turns a raw, percent-encoded request path into what it names.
//! Pure and total: every input gives a route or an error, never a panic.

use crate::Slug;
use percent_decode::decode_segment;

/// Longer paths are refused outright (414); no real page needs them.
pub const MAX_PATH_BYTES: usize = 2_048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    /// A section, or (once resolved against the database) a static path that is neither.
    Section(Vec<Slug>),
    Article {
        section: Vec<Slug>,
        year: i32,
        month: u32,
        day: u32,
        slug: Slug,
    },
    Tag(Slug),
    Author(Slug),
    Page(Slug),
    Asset(String),
    Media(String),
    /// Fits no pattern; may still be an old URL with a redirect.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("the address is too long")]
    TooLong,
    #[error("the address is not valid percent-encoded UTF-8")]
    BadEncoding,
}

impl Route {
    pub fn parse(raw_path: &str) -> Result<Route, RouteError> {
        if raw_path.len() > MAX_PATH_BYTES {
            return Err(RouteError::TooLong);
        }
        let segments = raw_path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode_segment)
            .collect::<Result<Vec<String>, RouteError>>()?;
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let slug = |s: &str| Slug::parse(s).ok();
        let route = match segs.as_slice() {
            [] => Route::Home,
            ["tag", s] => slug(s).map_or(Route::Unknown, Route::Tag),
            ["author", s] => slug(s).map_or(Route::Unknown, Route::Author),
            ["page", s] => slug(s).map_or(Route::Unknown, Route::Page),
            ["assets", f] => file_name(f).map_or(Route::Unknown, Route::Asset),
            ["media", f] => file_name(f).map_or(Route::Unknown, Route::Media),
            [section @ .., y, m, d, s] if !section.is_empty() => {
                match (
                    date_part(y, 4),
                    date_part(m, 2),
                    date_part(d, 2),
                    slug(s),
                    slugs(section),
                ) {
                    (Some(year), Some(month), Some(day), Some(slug), Some(section))
                        if (1..=12).contains(&month) && (1..=31).contains(&day) =>
                    {
                        Route::Article {
                            section,
                            year: year as i32,
                            month,
                            day,
                            slug,
                        }
                    }
                    _ => slugs(&segs).map_or(Route::Unknown, Route::Section),
                }
            }
            _ => slugs(&segs).map_or(Route::Unknown, Route::Section),
        };
        Ok(route)
    }
}

fn slugs(segments: &[&str]) -> Option<Vec<Slug>> {
    segments.iter().map(|s| Slug::parse(s).ok()).collect()
}

fn date_part(s: &str, digits: usize) -> Option<u32> {
    (s.len() == digits && s.chars().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A file name served from a folder: no separators, no hidden files, no parent references.
fn file_name(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && s.len() <= 200
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| s.to_owned())
}

mod percent_decode {
    use super::RouteError;

    /// Decodes one path segment. A decoded `/` would change the path's shape, so it is
    /// refused like invalid UTF-8.
    pub fn decode_segment(segment: &str) -> Result<String, RouteError> {
        let bytes = segment.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = bytes.get(i + 1..i + 3).ok_or(RouteError::BadEncoding)?;
                let hex = std::str::from_utf8(hex).map_err(|_| RouteError::BadEncoding)?;
                let byte = u8::from_str_radix(hex, 16).map_err(|_| RouteError::BadEncoding)?;
                if byte == b'/' || byte == 0 {
                    return Err(RouteError::BadEncoding);
                }
                out.push(byte);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).map_err(|_| RouteError::BadEncoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Slug {
        Slug::parse(v).expect("valid")
    }

    #[test]
    fn parses_every_kind_of_page() {
        assert_eq!(Route::parse("/"), Ok(Route::Home));
        assert_eq!(Route::parse(""), Ok(Route::Home));
        assert_eq!(
            Route::parse("/news/middle-east/"),
            Ok(Route::Section(vec![s("news"), s("middle-east")]))
        );
        assert_eq!(
            Route::parse("/news/middle-east/2026/11/28/police-raid-camp"),
            Ok(Route::Article {
                section: vec![s("news"), s("middle-east")],
                year: 2026,
                month: 11,
                day: 28,
                slug: s("police-raid-camp"),
            })
        );
        assert_eq!(Route::parse("/tag/iraq"), Ok(Route::Tag(s("iraq"))));
        assert_eq!(
            Route::parse("/author/mina-rahimi"),
            Ok(Route::Author(s("mina-rahimi")))
        );
        assert_eq!(Route::parse("/page/about"), Ok(Route::Page(s("about"))));
        assert_eq!(
            Route::parse("/assets/style.css"),
            Ok(Route::Asset("style.css".into()))
        );
        assert_eq!(
            Route::parse("/media/a.jpg"),
            Ok(Route::Media("a.jpg".into()))
        );
    }

    #[test]
    fn decodes_unicode_slugs() {
        let path = "/farsi/2026/11/28/%D8%A8%D8%A7%D8%B2%D8%A7%D8%B1";
        match Route::parse(path) {
            Ok(Route::Article { slug, .. }) => assert_eq!(slug.as_str(), "بازار"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn junk_is_unknown_or_an_error_never_a_panic() {
        assert_eq!(Route::parse("/%ff%fe"), Err(RouteError::BadEncoding));
        assert_eq!(Route::parse("/%zz"), Err(RouteError::BadEncoding));
        assert_eq!(Route::parse("/abc%"), Err(RouteError::BadEncoding));
        assert_eq!(Route::parse("/a%2fb"), Err(RouteError::BadEncoding));
        assert_eq!(
            Route::parse(&format!("/{}", "a".repeat(3000))),
            Err(RouteError::TooLong)
        );
        assert_eq!(Route::parse("/media/..%2e"), Ok(Route::Unknown));
        assert_eq!(Route::parse("/media/.env"), Ok(Route::Unknown));
        assert_eq!(Route::parse("/News"), Ok(Route::Unknown));
        assert_eq!(Route::parse("/wp-login.php"), Ok(Route::Unknown));
        // A date-shaped path with an impossible month is read as sections, then 404s.
        assert!(matches!(
            Route::parse("/news/2026/13/01/x"),
            Ok(Route::Section(_))
        ));
    }
}
