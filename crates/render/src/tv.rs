//! Feeds for TV apps: Roku Direct Publisher JSON (still read by Roku's SceneGraph channel
//! templates) and Media RSS (read by Fire TV, Apple TV and other OTT app builders). Both
//! list the published videos and the live stream, with absolute URLs from the one resolver.

use broadsheet_domain::{SiteSettings, TvFormat, Video, VideoKind};
use chrono::{DateTime, SecondsFormat, Utc};
use rss::extension::Extension;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Roku's split: short-form videos are under 15 minutes, longer one-offs are TV specials.
const SHORT_FORM_SECONDS: u32 = 15 * 60;

/// A site path or an outside address, as an absolute URL.
fn absolute(settings: &SiteSettings, url: &str) -> String {
    if url.starts_with('/') {
        settings.absolute_url(url)
    } else {
        url.to_owned()
    }
}

fn short_description(video: &Video) -> String {
    let text = if video.description.is_empty() {
        &video.title
    } else {
        &video.description
    };
    // Roku refuses descriptions over 200 characters.
    let mut out: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        out.pop();
        out.push('…');
    }
    out
}

fn roku_item(settings: &SiteSettings, video: &Video) -> Value {
    let added = video.published_at.unwrap_or(video.created_at);
    let mut videos = Vec::new();
    if let Some(hls) = &video.hls_url {
        videos.push(json!({ "url": absolute(settings, hls), "quality": "HD", "videoType": "HLS" }));
    }
    if let Some(mp4) = &video.mp4_url {
        videos.push(json!({ "url": absolute(settings, mp4), "quality": "HD", "videoType": "MP4" }));
    }
    let mut content = json!({
        "dateAdded": added.to_rfc3339_opts(SecondsFormat::Secs, true),
        "videos": videos,
        "duration": video.duration_seconds.unwrap_or(0),
    });
    if let Some(captions) = &video.captions_url {
        content["captions"] = json!([{
            "url": absolute(settings, captions),
            "language": video.language.as_str(),
            "captionType": "CLOSED_CAPTION",
        }]);
    }
    let thumbnail = video
        .thumbnail_url
        .as_deref()
        .map(|t| absolute(settings, t))
        .unwrap_or_else(|| settings.absolute_url("/assets/logo.png"));
    json!({
        "id": format!("video-{}", video.id),
        "title": video.title,
        "shortDescription": short_description(video),
        "longDescription": video.description,
        "thumbnail": thumbnail,
        "releaseDate": added.format("%Y-%m-%d").to_string(),
        "tags": ["news"],
        "genres": ["news"],
        "content": content,
    })
}

/// `/tv/roku.json`: `videos` are the published ones, newest first.
pub fn roku(settings: &SiteSettings, videos: &[Video], now: DateTime<Utc>) -> String {
    let (mut short, mut specials, mut live) = (Vec::new(), Vec::new(), Vec::new());
    for video in videos {
        let item = roku_item(settings, video);
        match (video.kind, video.duration_seconds) {
            (VideoKind::Live, _) => live.push(item),
            (VideoKind::Clip, Some(d)) if d >= SHORT_FORM_SECONDS => specials.push(item),
            (VideoKind::Clip, _) => short.push(item),
        }
    }
    let latest: Vec<Value> = videos
        .iter()
        .filter(|v| v.kind == VideoKind::Clip)
        .map(|v| json!(format!("video-{}", v.id)))
        .collect();
    let updated = videos.iter().map(|v| v.updated_at).max().unwrap_or(now);
    let feed = json!({
        "providerName": settings.name,
        "language": settings.default_language.as_str(),
        "lastUpdated": updated.to_rfc3339_opts(SecondsFormat::Secs, true),
        "playlists": [{ "name": "latest", "itemIds": latest }],
        "categories": [{ "name": "Latest", "playlistName": "latest", "order": "manual" }],
        "shortFormVideos": short,
        "tvSpecials": specials,
        "liveFeeds": live,
    });
    serde_json::to_string_pretty(&feed).unwrap_or_default()
}

/// `/tv/mrss.xml`: the same items as Media RSS.
pub fn mrss(settings: &SiteSettings, videos: &[Video], now: DateTime<Utc>) -> String {
    let element = |name: &str, value: Option<String>, attrs: &[(&str, String)]| Extension {
        name: name.to_owned(),
        value,
        attrs: attrs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        children: BTreeMap::new(),
    };
    let items = videos
        .iter()
        .map(|video| {
            let mut media: BTreeMap<String, Vec<Extension>> = BTreeMap::new();
            let mut contents = Vec::new();
            let duration = video.duration_seconds.map(|d| ("duration", d.to_string()));
            for (url, mime) in [
                (&video.hls_url, "application/vnd.apple.mpegurl"),
                (&video.mp4_url, "video/mp4"),
            ] {
                if let Some(url) = url {
                    let mut attrs = vec![
                        ("url", absolute(settings, url)),
                        ("type", mime.to_owned()),
                        ("medium", "video".to_owned()),
                        ("lang", video.language.to_string()),
                    ];
                    attrs.extend(duration.clone());
                    if video.kind == VideoKind::Live {
                        attrs.push(("expression", "nonstop".to_owned()));
                    }
                    contents.push(element("media:content", None, &attrs));
                }
            }
            media.insert("content".into(), contents);
            media.insert(
                "title".into(),
                vec![element("media:title", Some(video.title.clone()), &[])],
            );
            media.insert(
                "description".into(),
                vec![element(
                    "media:description",
                    Some(short_description(video)),
                    &[],
                )],
            );
            if let Some(thumbnail) = &video.thumbnail_url {
                media.insert(
                    "thumbnail".into(),
                    vec![element(
                        "media:thumbnail",
                        None,
                        &[("url", absolute(settings, thumbnail))],
                    )],
                );
            }
            if let Some(captions) = &video.captions_url {
                media.insert(
                    "subTitle".into(),
                    vec![element(
                        "media:subTitle",
                        None,
                        &[
                            ("type", "text/vtt".to_owned()),
                            ("lang", video.language.to_string()),
                            ("href", absolute(settings, captions)),
                        ],
                    )],
                );
            }
            let mut categories = vec![rss::Category {
                name: "news".into(),
                domain: None,
            }];
            if video.kind == VideoKind::Live {
                categories.push(rss::Category {
                    name: "live".into(),
                    domain: None,
                });
            }
            rss::Item {
                title: Some(video.title.clone()),
                link: Some(settings.absolute_url(&video.path())),
                description: Some(video.description.clone()),
                guid: Some(rss::Guid {
                    value: format!("{}#video-{}", settings.absolute_url("/"), video.id),
                    permalink: false,
                }),
                pub_date: video.published_at.map(|t| t.to_rfc2822()),
                categories,
                extensions: BTreeMap::from([("media".to_owned(), media)]),
                ..rss::Item::default()
            }
        })
        .collect();
    let updated = videos.iter().map(|v| v.updated_at).max().unwrap_or(now);
    let channel = rss::Channel {
        title: format!("{}: video", settings.name),
        link: settings.absolute_url("/video"),
        description: format!("Videos and the live stream of {}", settings.name),
        language: Some(settings.default_language.to_string()),
        last_build_date: Some(updated.to_rfc2822()),
        generator: Some("Broadsheet".into()),
        items,
        namespaces: BTreeMap::from([(
            "media".to_owned(),
            "http://search.yahoo.com/mrss/".to_owned(),
        )]),
        atom_ext: Some(rss::extension::atom::AtomExtension {
            links: vec![atom_syndication::Link {
                href: settings.absolute_url(TvFormat::Mrss.path()),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..atom_syndication::Link::default()
            }],
        }),
        ..rss::Channel::default()
    };
    channel.to_string()
}
