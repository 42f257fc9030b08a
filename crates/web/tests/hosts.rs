//! One site under many addresses: what changes from host to host, and what must not.

mod common;

use reqwest::{header, StatusCode};

const PRIMARY: &str = "meridian-ledger.example";
const MIRROR: &str = "meridian-mirror.example";
const ONION: &str = "mrdnldgr7x2k4q5w6e3r2t7y4u5i6o7p2a3s4d5f6g7h2j3k4l5z6x7c.onion";

async fn fetch(site: &common::Site, host: &str, path: &str) -> reqwest::Response {
    site.client
        .get(format!("{}{path}", site.base))
        .header(header::HOST, host)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn the_same_page_on_two_hosts_differs_only_where_the_policy_says() {
    let site = common::start(None).await;
    let path = site.path_of("tigris-water-deal-signed").await;
    let on_primary = fetch(&site, PRIMARY, &path).await;
    let location = on_primary
        .headers()
        .get("onion-location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(
        location,
        Some(format!("http://{ONION}{path}")),
        "Tor Browser learns the onion address for this page"
    );
    let primary_body = on_primary.text().await.expect("body");
    let mirror = fetch(&site, MIRROR, &path).await;
    assert!(mirror.headers().contains_key("onion-location"));
    assert_eq!(
        mirror.text().await.expect("body"),
        primary_body,
        "a mirror serves the very same page"
    );

    // On the onion the canonical policy is "self": canonical, og:url and share links point
    // to the onion; nothing else changes.
    let onion = fetch(&site, ONION, &path).await;
    assert!(
        !onion.headers().contains_key("onion-location"),
        "no Onion-Location on the onion itself"
    );
    let onion_body = onion.text().await.expect("body");
    assert!(onion_body.contains(&format!(
        "<link rel=\"canonical\" href=\"http://{ONION}{path}\">"
    )));
    let encoded = |url: &str| {
        url.replace(':', "%3A")
            .replace('/', "%2F")
            .replace('.', "%2E")
            .replace('-', "%2D")
    };
    let as_primary = onion_body
        .replace(&format!("http://{ONION}/"), &format!("https://{PRIMARY}/"))
        .replace(
            &encoded(&format!("http://{ONION}/")),
            &encoded(&format!("https://{PRIMARY}/")),
        );
    assert_eq!(as_primary, primary_body, "only the canonical URLs differ");

    // Caches keep the two apart: the primary still names the primary.
    let again = fetch(&site, PRIMARY, &path)
        .await
        .text()
        .await
        .expect("body");
    assert!(again.contains(&format!(
        "<link rel=\"canonical\" href=\"https://{PRIMARY}{path}\">"
    )));
}

#[tokio::test]
async fn a_page_from_the_cache_is_answered_as_its_first_render_was() {
    let site = common::start(None).await;
    let path = site.path_of("tigris-water-deal-signed").await;
    site.app.cache.clear();
    let head = |response: &reqwest::Response| {
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter(|(name, _)| *name != header::DATE)
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("?").to_owned()))
            .collect();
        headers.sort();
        (response.status(), headers)
    };
    let rendered = fetch(&site, PRIMARY, &path).await;
    let from_cache = fetch(&site, PRIMARY, &path).await;
    let rendered_head = head(&rendered);
    assert_eq!(head(&from_cache), rendered_head);
    for name in [
        "strict-transport-security",
        "onion-location",
        "content-security-policy",
        "etag",
    ] {
        assert!(
            rendered_head.1.iter().any(|(n, _)| n == name),
            "{name} in {rendered_head:?}"
        );
    }
    assert_eq!(
        from_cache.text().await.expect("body"),
        rendered.text().await.expect("body")
    );
}

#[tokio::test]
async fn unknown_hosts_are_served_or_refused_as_configured() {
    let site = common::start(None).await;
    assert_eq!(
        fetch(&site, "anything.example", "/").await.status(),
        StatusCode::OK,
        "served by default"
    );

    let mut settings = broadsheet_demo::settings();
    settings.refuse_unknown_hosts = true;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    let strict = common::start_with(&url, dir, None, settings).await;
    assert_eq!(
        fetch(&strict, "evil.example", "/").await.status(),
        StatusCode::MISDIRECTED_REQUEST
    );
    assert_eq!(fetch(&strict, MIRROR, "/").await.status(), StatusCode::OK);
    assert_eq!(
        fetch(&strict, "evil.example", "/").await.status(),
        StatusCode::MISDIRECTED_REQUEST,
        "refused also once the page is in the cache"
    );
    assert_eq!(
        fetch(&strict, &format!("{PRIMARY}:443"), "/")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(fetch(&strict, ONION, "/").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn pages_let_caches_serve_stale_copies_when_the_origin_fails() {
    let site = common::start(None).await;
    let response = site.get("/").await;
    let cache_control = response.headers()[header::CACHE_CONTROL]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        cache_control.contains("stale-while-revalidate"),
        "{cache_control}"
    );
    assert!(cache_control.contains("stale-if-error"), "{cache_control}");
}

#[tokio::test]
async fn a_mirror_configured_as_self_canonical_names_itself() {
    let mut settings = broadsheet_demo::settings();
    settings.self_canonical_hosts = vec![MIRROR.to_owned()];
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    let site = common::start_with(&url, dir, None, settings).await;
    let path = site.path_of("tigris-water-deal-signed").await;
    let mirror = fetch(&site, MIRROR, &path)
        .await
        .text()
        .await
        .expect("body");
    assert!(mirror.contains(&format!(
        "<link rel=\"canonical\" href=\"https://{MIRROR}{path}\">"
    )));
    assert!(mirror.contains(&format!(
        "<meta property=\"og:url\" content=\"https://{MIRROR}{path}\">"
    )));
    // The primary and the other mirror keep naming the primary, cache or not.
    for host in [PRIMARY, "ledger.edge-cdn.example", PRIMARY] {
        let body = fetch(&site, host, &path).await.text().await.expect("body");
        assert!(
            body.contains(&format!(
                "<link rel=\"canonical\" href=\"https://{PRIMARY}{path}\">"
            )),
            "{host}"
        );
    }
}
