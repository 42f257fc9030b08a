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
    /// A feed of the newest articles of the whole site, a section, a tag or an author.
    Feed(FeedScope, FeedFormat),
    /// `/sitemap.xml`: the index of all the sitemaps.
    SitemapIndex,
    /// `/sitemaps/{name}`: one sitemap file.
    Sitemap(String),
    Robots,
    /// `/search?q=...`: the reader's search page.
    Search,
    /// `/mirrors`: the official addresses, for people.
    Mirrors,
    /// `/mirrors/bc2.json`: the same list in the Bypass Censorship v2 format.
    MirrorsBc2,
    /// `/.well-known/broadsheet-mirrors.json`: the signed list.
    MirrorManifest,
    /// `/video`: the videos and the live stream.
    Videos,
    /// `/video/{slug}`: one video's page with its player.
    Video(Slug),
    /// `/tv/roku.json` or `/tv/mrss.xml`: the videos for TV apps.
    TvFeed(TvFormat),
    /// Fits no pattern; may still be an old URL with a redirect.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedScope {
    Site,
    Section(Vec<Slug>),
    Tag(Slug),
    Author(Slug),
}

/// The feeds TV app builders read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TvFormat {
    /// Roku Direct Publisher JSON, still read by SceneGraph channel templates.
    Roku,
    /// Media RSS, for OTT app builders (Fire TV, Apple TV).
    Mrss,
}

impl TvFormat {
    pub fn path(self) -> &'static str {
        match self {
            TvFormat::Roku => "/tv/roku.json",
            TvFormat::Mrss => "/tv/mrss.xml",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            TvFormat::Roku => "application/json",
            TvFormat::Mrss => "application/rss+xml; charset=utf-8",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json];

    /// The last path segment that asks for this format.
    pub fn file_name(self) -> &'static str {
        match self {
            FeedFormat::Rss => "feed.xml",
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Json => "feed.json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }

    fn from_file_name(name: &str) -> Option<FeedFormat> {
        FeedFormat::ALL.into_iter().find(|f| f.file_name() == name)
    }
}

impl FeedScope {
    /// The root-relative path of the page the feed follows (`/`, `/news`, `/tag/iraq`).
    pub fn page_path(&self) -> String {
        let join = |slugs: &[Slug]| slugs.iter().map(Slug::as_str).collect::<Vec<_>>().join("/");
        match self {
            FeedScope::Site => "/".into(),
            FeedScope::Section(slugs) => format!("/{}", join(slugs)),
            FeedScope::Tag(s) => format!("/tag/{s}"),
            FeedScope::Author(s) => format!("/author/{s}"),
        }
    }

    /// The feed's own path in a format: `/feed.xml`, `/news/atom.xml`.
    pub fn feed_path(&self, format: FeedFormat) -> String {
        let page = self.page_path();
        format!("{}/{}", page.trim_end_matches('/'), format.file_name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("the address is too long")]
    TooLong,
    #[error("the address is not valid percent-encoded UTF-8")]
    BadEncoding,
}

impl Route {
    /// The one spelling of the route's address: decoded, root-relative, without trailing
    /// slash or query. `Route::parse` reads it back as the same route. None for `Unknown`.
    pub fn path(&self) -> Option<String> {
        let join = |slugs: &[Slug]| slugs.iter().map(Slug::as_str).collect::<Vec<_>>().join("/");
        Some(match self {
            Route::Home => "/".into(),
            Route::Section(slugs) => format!("/{}", join(slugs)),
            Route::Article {
                section,
                year,
                month,
                day,
                slug,
            } => format!("/{}/{year:04}/{month:02}/{day:02}/{slug}", join(section)),
            Route::Tag(s) => format!("/tag/{s}"),
            Route::Author(s) => format!("/author/{s}"),
            Route::Page(s) => format!("/page/{s}"),
            Route::Asset(f) => format!("/assets/{f}"),
            Route::Media(f) => format!("/media/{f}"),
            Route::Feed(scope, format) => scope.feed_path(*format),
            Route::SitemapIndex => "/sitemap.xml".into(),
            Route::Sitemap(f) => format!("/sitemaps/{f}"),
            Route::Robots => "/robots.txt".into(),
            Route::Mirrors => "/mirrors".into(),
            Route::Search => "/search".into(),
            Route::MirrorsBc2 => "/mirrors/bc2.json".into(),
            Route::MirrorManifest => "/.well-known/broadsheet-mirrors.json".into(),
            Route::Videos => "/video".into(),
            Route::Video(s) => format!("/video/{s}"),
            Route::TvFeed(format) => format.path().into(),
            Route::Unknown => return None,
        })
    }

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
        if let Some((last, rest)) = segs.split_last() {
            if let Some(format) = FeedFormat::from_file_name(last) {
                let scope = match rest {
                    [] => Some(FeedScope::Site),
                    ["tag", s] => slug(s).map(FeedScope::Tag),
                    ["author", s] => slug(s).map(FeedScope::Author),
                    section => slugs(section).map(FeedScope::Section),
                };
                return Ok(scope.map_or(Route::Unknown, |scope| Route::Feed(scope, format)));
            }
        }
        let route = match segs.as_slice() {
            [] => Route::Home,
            ["sitemap.xml"] => Route::SitemapIndex,
            ["sitemaps", f] => file_name(f).map_or(Route::Unknown, Route::Sitemap),
            ["robots.txt"] => Route::Robots,
            ["mirrors"] => Route::Mirrors,
            ["search"] => Route::Search,
            ["mirrors", "bc2.json"] => Route::MirrorsBc2,
            [".well-known", "broadsheet-mirrors.json"] => Route::MirrorManifest,
            ["tag", s] => slug(s).map_or(Route::Unknown, Route::Tag),
            ["author", s] => slug(s).map_or(Route::Unknown, Route::Author),
            ["page", s] => slug(s).map_or(Route::Unknown, Route::Page),
            ["video"] => Route::Videos,
            ["video", s] => slug(s).map_or(Route::Unknown, Route::Video),
            ["tv", "roku.json"] => Route::TvFeed(TvFormat::Roku),
            ["tv", "mrss.xml"] => Route::TvFeed(TvFormat::Mrss),
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
        assert_eq!(
            Route::parse("/feed.xml"),
            Ok(Route::Feed(FeedScope::Site, FeedFormat::Rss))
        );
        assert_eq!(
            Route::parse("/news/middle-east/atom.xml"),
            Ok(Route::Feed(
                FeedScope::Section(vec![s("news"), s("middle-east")]),
                FeedFormat::Atom
            ))
        );
        assert_eq!(
            Route::parse("/tag/iraq/feed.json"),
            Ok(Route::Feed(FeedScope::Tag(s("iraq")), FeedFormat::Json))
        );
        assert_eq!(
            Route::parse("/author/a-b/feed.xml"),
            Ok(Route::Feed(FeedScope::Author(s("a-b")), FeedFormat::Rss))
        );
        assert_eq!(Route::parse("/News/feed.xml"), Ok(Route::Unknown));
        assert_eq!(Route::parse("/sitemap.xml"), Ok(Route::SitemapIndex));
        assert_eq!(
            Route::parse("/sitemaps/articles-1.xml"),
            Ok(Route::Sitemap("articles-1.xml".into()))
        );
        assert_eq!(Route::parse("/robots.txt"), Ok(Route::Robots));
    }

    #[test]
    fn feed_paths_round_trip() {
        for scope in [
            FeedScope::Site,
            FeedScope::Section(vec![s("news"), s("world")]),
            FeedScope::Tag(s("iraq")),
            FeedScope::Author(s("x")),
        ] {
            for format in FeedFormat::ALL {
                assert_eq!(
                    Route::parse(&scope.feed_path(format)),
                    Ok(Route::Feed(scope.clone(), format))
                );
            }
        }
        assert_eq!(FeedScope::Site.feed_path(FeedFormat::Rss), "/feed.xml");
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
