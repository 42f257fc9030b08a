//! Videos: clips with an HLS and/or MP4 source, and the channel's live stream. They have
//! their own pages (`/video/{slug}`) and feed TV apps (`/tv/roku.json`, `/tv/mrss.xml`).

use crate::{Id, Language, Slug, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// Twelve hours; longer clips are almost certainly a mistyped number.
pub const MAX_DURATION_SECONDS: u32 = 12 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoKind {
    /// A recorded video with a known length.
    Clip,
    /// The channel's live stream: an HLS playlist with no end.
    Live,
}

impl VideoKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VideoKind::Clip => "clip",
            VideoKind::Live => "live",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw.trim() {
            "clip" => Ok(VideoKind::Clip),
            "live" => Ok(VideoKind::Live),
            _ => Err(ValidationError::new("kind", "must be clip or live")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Video {
    pub id: Id,
    pub slug: Slug,
    pub kind: VideoKind,
    pub title: String,
    pub description: String,
    /// An HLS playlist (`.m3u8`).
    pub hls_url: Option<String>,
    /// A progressive MP4 file, for players without HLS.
    pub mp4_url: Option<String>,
    /// None for the live stream.
    pub duration_seconds: Option<u32>,
    /// A picture shown before playing and in TV apps' grids.
    pub thumbnail_url: Option<String>,
    /// WebVTT captions in the video's language.
    pub captions_url: Option<String>,
    pub language: Language,
    /// Set while the video is public.
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Video {
    pub fn path(&self) -> String {
        format!("/video/{}", self.slug)
    }

    pub fn is_published(&self) -> bool {
        self.published_at.is_some()
    }

    /// ISO 8601 duration (`PT1M35S`), as structured data wants it.
    pub fn iso_duration(&self) -> Option<String> {
        self.duration_seconds.map(|s| {
            let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
            let mut out = String::from("PT");
            if h > 0 {
                out += &format!("{h}H");
            }
            if m > 0 {
                out += &format!("{m}M");
            }
            if s > 0 || (h == 0 && m == 0) {
                out += &format!("{s}S");
            }
            out
        })
    }
}

/// What the newsroom sends to create or change a video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVideo {
    pub slug: Slug,
    pub kind: VideoKind,
    pub title: String,
    pub description: String,
    pub hls_url: Option<String>,
    pub mp4_url: Option<String>,
    pub duration_seconds: Option<u32>,
    pub thumbnail_url: Option<String>,
    pub captions_url: Option<String>,
    pub language: Language,
    pub published: bool,
}

impl NewVideo {
    /// Trims the text fields, drops empty addresses, and checks the rules.
    pub fn normalised(mut self) -> Result<Self, ValidationError> {
        self.title = self.title.trim().to_owned();
        self.description = self.description.trim().to_owned();
        for url in [
            &mut self.hls_url,
            &mut self.mp4_url,
            &mut self.thumbnail_url,
            &mut self.captions_url,
        ] {
            *url = url
                .take()
                .map(|u| u.trim().to_owned())
                .filter(|u| !u.is_empty());
        }
        if self.title.is_empty() {
            return Err(ValidationError::new("title", "must not be empty"));
        }
        if self.title.chars().count() > MAX_TITLE_CHARS {
            return Err(ValidationError::new(
                "title",
                "is longer than 200 characters",
            ));
        }
        if self.description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(ValidationError::new(
                "description",
                "is longer than 2,000 characters",
            ));
        }
        check_url("hls_url", &self.hls_url)?;
        check_url("mp4_url", &self.mp4_url)?;
        check_url("thumbnail_url", &self.thumbnail_url)?;
        check_url("captions_url", &self.captions_url)?;
        match self.kind {
            VideoKind::Clip => {
                if self.hls_url.is_none() && self.mp4_url.is_none() {
                    return Err(ValidationError::new(
                        "mp4_url",
                        "a clip needs an HLS playlist or an MP4 file",
                    ));
                }
                match self.duration_seconds {
                    Some(d) if d > 0 && d <= MAX_DURATION_SECONDS => {}
                    _ => {
                        return Err(ValidationError::new(
                            "duration_seconds",
                            "a clip needs its length in seconds (1 to 43,200)",
                        ))
                    }
                }
            }
            VideoKind::Live => {
                if self.hls_url.is_none() {
                    return Err(ValidationError::new(
                        "hls_url",
                        "the live stream needs an HLS playlist",
                    ));
                }
                self.duration_seconds = None;
            }
        }
        Ok(self)
    }
}

/// A source, picture or caption address: `https://`/`http://`, or a path on this site.
fn check_url(field: &'static str, url: &Option<String>) -> Result<(), ValidationError> {
    let Some(url) = url else { return Ok(()) };
    let lower = url.to_ascii_lowercase();
    let fine = url.len() <= 2_000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && (lower.starts_with("https://")
            || lower.starts_with("http://")
            || (url.starts_with('/') && !url.starts_with("//")));
    if fine {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            "must be an https:// address or a path on this site such as /media/clip.mp4",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip() -> NewVideo {
        NewVideo {
            slug: Slug::parse("harbour").expect("slug"),
            kind: VideoKind::Clip,
            title: " Harbour reopens ".into(),
            description: String::new(),
            hls_url: Some(" ".into()),
            mp4_url: Some("/media/harbour.mp4".into()),
            duration_seconds: Some(95),
            thumbnail_url: None,
            captions_url: None,
            language: Language::parse("en").expect("lang"),
            published: true,
        }
    }

    #[test]
    fn clips_need_a_source_and_a_length() {
        let ok = clip().normalised().expect("valid");
        assert_eq!(ok.title, "Harbour reopens");
        assert_eq!(ok.hls_url, None);
        let mut no_source = clip();
        no_source.mp4_url = None;
        assert_eq!(
            no_source.normalised().expect_err("refused").field,
            "mp4_url"
        );
        let mut no_length = clip();
        no_length.duration_seconds = Some(0);
        assert_eq!(
            no_length.normalised().expect_err("refused").field,
            "duration_seconds"
        );
    }

    #[test]
    fn live_needs_hls_and_has_no_length() {
        let mut live = clip();
        live.kind = VideoKind::Live;
        assert_eq!(
            live.clone().normalised().expect_err("refused").field,
            "hls_url"
        );
        live.hls_url = Some("https://cdn.example/live.m3u8".into());
        assert_eq!(live.normalised().expect("valid").duration_seconds, None);
    }

    #[test]
    fn addresses_that_could_run_script_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "data:video/mp4;base64,AAAA",
            "//evil.example/x.mp4",
            "https://a.example/x y.mp4",
            "media/x.mp4",
        ] {
            let mut v = clip();
            v.mp4_url = Some(bad.into());
            assert_eq!(
                v.normalised().expect_err("refused").field,
                "mp4_url",
                "{bad}"
            );
        }
    }

    #[test]
    fn durations_in_iso_8601() {
        let mut v = Video {
            id: 1,
            slug: Slug::parse("a").expect("slug"),
            kind: VideoKind::Clip,
            title: "a".into(),
            description: String::new(),
            hls_url: None,
            mp4_url: None,
            duration_seconds: Some(95),
            thumbnail_url: None,
            captions_url: None,
            language: Language::parse("en").expect("lang"),
            published_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(v.iso_duration().as_deref(), Some("PT1M35S"));
        v.duration_seconds = Some(3600);
        assert_eq!(v.iso_duration().as_deref(), Some("PT1H"));
        v.duration_seconds = None;
        assert_eq!(v.iso_duration(), None);
    }
}
