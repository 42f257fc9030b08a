//! Videos end to end over HTTP: the demo's clips and live stream on their pages (player,
//! captions, structured data), played from the media folder with ranges, listed in the
//! Roku and Media RSS feeds, and managed through the Admin API with its role check.

mod common;

use broadsheet_domain::Role;
use reqwest::{header, Method, StatusCode};
use scraper::Selector;
use serde_json::{json, Value};

const PRIMARY: &str = "https://meridian-ledger.example";

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

#[tokio::test]
async fn video_pages_play_the_clip_with_captions_and_describe_it() {
    let site = common::start(None).await;
    let (status, html) = site.page("/video/ferries-return").await;
    assert_eq!(status, StatusCode::OK);
    let video = html
        .select(&sel("video[controls]"))
        .next()
        .expect("a player");
    assert!(video.value().attr("poster").is_some());
    let sources: Vec<(String, String)> = video
        .select(&sel("source"))
        .map(|s| {
            (
                s.value().attr("src").unwrap_or_default().to_owned(),
                s.value().attr("type").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        vec![
            (
                "/media/harbour-clip.m3u8".to_owned(),
                "application/vnd.apple.mpegurl".to_owned()
            ),
            ("/media/harbour-clip.mp4".to_owned(), "video/mp4".to_owned()),
        ]
    );
    let track = video.select(&sel("track")).next().expect("captions");
    assert_eq!(track.value().attr("kind"), Some("captions"));
    assert_eq!(track.value().attr("srclang"), Some("en"));
    // No third-party script: the only script is the site's own.
    for script in html.select(&sel("script[src]")) {
        assert!(script
            .value()
            .attr("src")
            .unwrap_or_default()
            .starts_with("/assets/"));
    }
    let ld: Value = serde_json::from_str(
        &html
            .select(&sel("script[type='application/ld+json']"))
            .next()
            .expect("structured data")
            .inner_html(),
    )
    .expect("JSON-LD");
    let object = &ld["@graph"][0];
    assert_eq!(object["@type"], "VideoObject");
    assert_eq!(object["duration"], "PT6S");
    assert_eq!(
        object["contentUrl"],
        format!("{PRIMARY}/media/harbour-clip.mp4")
    );
    assert_eq!(
        object["embedUrl"],
        format!("{PRIMARY}/video/ferries-return")
    );

    // The live entry is marked as a live broadcast.
    let (status, html) = site.page("/video/live").await;
    assert_eq!(status, StatusCode::OK);
    let ld: Value = serde_json::from_str(
        &html
            .select(&sel("script[type='application/ld+json']"))
            .next()
            .expect("structured data")
            .inner_html(),
    )
    .expect("JSON-LD");
    assert_eq!(ld["@graph"][0]["publication"]["isLiveBroadcast"], true);

    // The index lists the live stream apart from the clips.
    let (status, html) = site.page("/video").await;
    assert_eq!(status, StatusCode::OK);
    let live: Vec<_> = html
        .select(&sel(".live-now a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(live, vec!["/video/live"]);
    assert!(html
        .select(&sel("a[href='/video/morning-briefing']"))
        .next()
        .is_some());
    assert_eq!(
        site.get("/video/no-such-video").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn video_files_are_served_in_ranges_with_their_types() {
    let site = common::start(None).await;
    let whole = site.get("/media/harbour-clip.mp4").await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()[header::CONTENT_TYPE], "video/mp4");
    let bytes = whole.bytes().await.expect("body");
    assert!(bytes.len() > 1_000);
    assert_eq!(&bytes[4..8], b"ftyp", "an MP4 file");
    let part = site
        .client
        .get(format!("{}/media/harbour-clip.mp4", site.base))
        .header(header::RANGE, "bytes=100-199")
        .send()
        .await
        .expect("request");
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await.expect("body"), bytes.slice(100..200));
    let playlist = site.get("/media/harbour-clip.m3u8").await;
    assert_eq!(
        playlist.headers()[header::CONTENT_TYPE],
        "application/vnd.apple.mpegurl"
    );
    let text = playlist.text().await.expect("playlist");
    assert!(text.starts_with("#EXTM3U"));
    // Every segment the playlist names is served as MPEG-TS (sync byte 0x47).
    for segment in text.lines().filter(|l| l.ends_with(".ts")) {
        let response = site.get(&format!("/media/{segment}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{segment}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "video/mp2t");
        assert_eq!(response.bytes().await.expect("segment")[0], 0x47);
    }
    let captions = site.get("/media/harbour-clip.en.vtt").await;
    assert!(captions.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/vtt"));
    assert!(captions.text().await.expect("vtt").starts_with("WEBVTT"));
    assert_eq!(
        site.get("/media/missing.mp4").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn roku_feed_has_the_direct_publisher_shape() {
    let site = common::start(None).await;
    let response = site.get("/tv/roku.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap_or_default()
        .starts_with("application/json"));
    let feed: Value = response.json().await.expect("JSON");
    assert_eq!(feed["providerName"], "The Meridian Ledger");
    assert_eq!(feed["language"], "en");
    assert!(
        chrono::DateTime::parse_from_rfc3339(feed["lastUpdated"].as_str().unwrap_or("")).is_ok()
    );
    let short = feed["shortFormVideos"].as_array().expect("shortFormVideos");
    assert_eq!(short.len(), 2);
    let mut ids = std::collections::HashSet::new();
    for item in short {
        for field in [
            "id",
            "title",
            "shortDescription",
            "thumbnail",
            "releaseDate",
        ] {
            assert!(
                item[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field} in {item}"
            );
        }
        assert!(ids.insert(item["id"].as_str().unwrap_or_default().to_owned()));
        assert!(
            item["shortDescription"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .count()
                <= 200
        );
        assert!(chrono::NaiveDate::parse_from_str(
            item["releaseDate"].as_str().unwrap_or(""),
            "%Y-%m-%d"
        )
        .is_ok());
        assert!(item["thumbnail"]
            .as_str()
            .unwrap_or_default()
            .starts_with(PRIMARY));
        let content = &item["content"];
        assert!(content["duration"].as_u64().is_some_and(|d| d > 0));
        assert!(
            chrono::DateTime::parse_from_rfc3339(content["dateAdded"].as_str().unwrap_or(""))
                .is_ok()
        );
        let videos = content["videos"].as_array().expect("videos");
        assert!(!videos.is_empty());
        for v in videos {
            assert!(v["url"].as_str().unwrap_or_default().starts_with(PRIMARY));
            assert!(["HLS", "MP4"].contains(&v["videoType"].as_str().unwrap_or_default()));
            assert!(["SD", "HD", "FHD", "UHD"].contains(&v["quality"].as_str().unwrap_or_default()));
        }
        assert_eq!(content["captions"][0]["captionType"], "CLOSED_CAPTION");
    }
    let live = feed["liveFeeds"].as_array().expect("liveFeeds");
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["content"]["videos"][0]["videoType"], "HLS");
    assert_eq!(feed["tvSpecials"].as_array().map(Vec::len), Some(0));
    // The playlist the category shows holds exactly the clips.
    let playlist: std::collections::HashSet<String> = feed["playlists"][0]["itemIds"]
        .as_array()
        .expect("itemIds")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert_eq!(playlist, ids);
    assert_eq!(
        feed["categories"][0]["playlistName"],
        feed["playlists"][0]["name"]
    );
}

#[tokio::test]
async fn media_rss_lists_the_same_videos() {
    let site = common::start(None).await;
    let response = site.get("/tv/mrss.xml").await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("body");
    let feed = feed_rs::parser::parse(text.as_bytes()).expect("a valid feed");
    assert_eq!(feed.entries.len(), 3);
    let ferries = feed
        .entries
        .iter()
        .find(|e| {
            e.title
                .as_ref()
                .is_some_and(|t| t.content.contains("Ferries"))
        })
        .expect("the ferries clip");
    let contents: Vec<_> = ferries
        .media
        .iter()
        .flat_map(|m| m.content.iter())
        .collect();
    assert_eq!(contents.len(), 2);
    let mp4 = contents
        .iter()
        .find(|c| {
            c.content_type
                .as_ref()
                .is_some_and(|t| t.to_string() == "video/mp4")
        })
        .expect("the MP4");
    assert_eq!(
        mp4.url.as_ref().map(|u| u.as_str()),
        Some(format!("{PRIMARY}/media/harbour-clip.mp4").as_str())
    );
    assert_eq!(mp4.duration, Some(std::time::Duration::from_secs(6)));
    assert!(ferries.media.iter().any(|m| !m.thumbnails.is_empty()));
    assert!(text.contains("media:subTitle"));
}

#[tokio::test]
async fn editors_manage_videos_through_the_admin_api() {
    let site = common::start(None).await;
    let editor = site.account(Role::Editor, "Vera Editor").await;
    let author = site.account(Role::Author, "Aldo Author").await;
    let clip = json!({
        "title": "Harbour <script>alert(1)</script> at dusk",
        "mp4_url": "/media/harbour-clip.mp4",
        "duration_seconds": 6,
        "description": "Boats come home.",
        "published": false,
    });
    // Authors do not programme video.
    let refused = site
        .admin(Method::POST, "/videos", &author)
        .json(&clip)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let created = site
        .admin(Method::POST, "/videos", &editor)
        .json(&clip)
        .send()
        .await
        .expect("request");
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("JSON");
    let id = created["id"].as_i64().expect("id");
    let slug = created["slug"].as_str().expect("slug").to_owned();
    // A draft video is not public.
    assert_eq!(
        site.get(&format!("/video/{slug}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let mut published = clip.clone();
    published["published"] = json!(true);
    let updated = site
        .admin(Method::PUT, &format!("/videos/{id}"), &editor)
        .json(&published)
        .send()
        .await
        .expect("request");
    assert_eq!(updated.status(), StatusCode::OK);
    let page = site.get(&format!("/video/{slug}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("page");
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;"));
    let roku: Value = site.get("/tv/roku.json").await.json().await.expect("JSON");
    assert_eq!(roku["shortFormVideos"].as_array().map(Vec::len), Some(3));

    // Bad input gets a clear error naming the field, and nothing is stored.
    for (bad, field) in [
        (
            json!({"title": "x", "mp4_url": "javascript:alert(1)", "duration_seconds": 5}),
            "mp4_url",
        ),
        (
            json!({"title": "x", "mp4_url": "/media/a.mp4"}),
            "duration_seconds",
        ),
        (json!({"title": "x", "kind": "live"}), "hls_url"),
        (
            json!({"title": "x", "kind": "film", "mp4_url": "/m.mp4", "duration_seconds": 1}),
            "kind",
        ),
        (
            json!({"title": "", "mp4_url": "/m.mp4", "duration_seconds": 1}),
            "title",
        ),
    ] {
        let response = site
            .admin(Method::POST, "/videos", &editor)
            .json(&bad)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let error: Value = response.json().await.expect("JSON error");
        assert_eq!(error["error"]["field"], field, "{error}");
    }
    let malformed = site
        .admin(Method::POST, "/videos", &editor)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .expect("request");
    assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = malformed.json().await.expect("JSON error");
    assert_eq!(error["error"]["field"], "json");
    // The same slug twice is a conflict, not a crash.
    let again = site
        .admin(Method::POST, "/videos", &editor)
        .json(&published)
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let list: Value = site
        .admin(Method::GET, "/videos", &editor)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert_eq!(list["videos"].as_array().map(Vec::len), Some(4));
}
