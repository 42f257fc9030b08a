//! The signed list of official addresses, its Bypass Censorship form and the page for
//! people, as served over HTTP on every host.

mod common;

use broadsheet_domain::AddressState;
use reqwest::{header, StatusCode};
use scraper::Selector;
use serde_json::Value;

const MANIFEST: &str = "/.well-known/broadsheet-mirrors.json";

async fn manifest_on(site: &common::Site, host: &str) -> String {
    let response = site
        .client
        .get(format!("{}{MANIFEST}", site.base))
        .header(header::HOST, host)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    response.text().await.expect("body")
}

#[tokio::test]
async fn every_host_serves_the_same_verifiable_list() {
    let site = common::start(None).await;
    let now = chrono::Utc::now();
    let on_primary = manifest_on(&site, "meridian-ledger.example").await;
    let manifest =
        broadsheet_mirror::verify(&on_primary, &site.fingerprint, now, None).expect("genuine list");
    assert_eq!(manifest.site, "The Meridian Ledger");
    assert_eq!(manifest.primary, "https://meridian-ledger.example/");
    assert_eq!(manifest.key_fingerprint, site.fingerprint);
    let urls: Vec<_> = manifest.addresses.iter().map(|a| a.url.as_str()).collect();
    assert_eq!(urls.len(), 4);
    assert!(urls.contains(&"http://mrdnldgr7x2k4q5w6e3r2t7y4u5i6o7p2a3s4d5f6g7h2j3k4l5z6x7c.onion"));
    assert!(manifest
        .feeds
        .contains(&"https://meridian-ledger.example/feed.xml".to_owned()));
    let raw: Value = serde_json::from_str(&on_primary).expect("JSON");
    assert_eq!(raw["signature"]["alg"], "ed25519");

    for host in [
        "meridian-mirror.example",
        "mrdnldgr7x2k4q5w6e3r2t7y4u5i6o7p2a3s4d5f6g7h2j3k4l5z6x7c.onion",
    ] {
        let other = broadsheet_mirror::verify(
            &manifest_on(&site, host).await,
            &site.fingerprint,
            now,
            None,
        )
        .expect("genuine");
        assert_eq!(
            other.addresses, manifest.addresses,
            "the same list on {host}"
        );
        assert_eq!(other.serial, manifest.serial);
    }

    // Blocking an address changes the list at once, with a higher serial.
    site.store
        .set_address_state("meridian-mirror.example", AddressState::Blocked)
        .await
        .expect("block");
    let after = broadsheet_mirror::verify(
        &manifest_on(&site, "meridian-ledger.example").await,
        &site.fingerprint,
        now,
        Some(manifest.serial),
    )
    .expect("newer list verifies");
    assert!(after.serial > manifest.serial);
    let mirror = after
        .addresses
        .iter()
        .find(|a| a.url == "https://meridian-mirror.example")
        .expect("mirror");
    assert_eq!(mirror.state, AddressState::Blocked);
    // The older list no longer passes for current.
    assert!(matches!(
        broadsheet_mirror::verify(&on_primary, &site.fingerprint, now, Some(after.serial)),
        Err(broadsheet_mirror::VerifyError::Rollback { .. })
    ));
}

#[tokio::test]
async fn the_bypass_censorship_list_and_the_page_for_people() {
    let site = common::start(None).await;
    let response = site.get("/mirrors/bc2.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let bc2: Value = response.json().await.expect("JSON");
    assert_eq!(bc2["version"], "2.0");
    assert_eq!(bc2["sites"][0]["main_domain"], "meridian-ledger.example");
    let alternatives = bc2["sites"][0]["available_alternatives"]
        .as_array()
        .expect("alternatives");
    assert_eq!(alternatives.len(), 3);
    for alternative in alternatives {
        for field in ["proto", "type", "created_at", "updated_at", "url"] {
            assert!(alternative[field].is_string(), "{field}");
        }
    }

    let (status, page) = site.page("/mirrors").await;
    assert_eq!(status, StatusCode::OK);
    let text: String = page.root_element().text().collect();
    assert!(
        text.contains(&site.fingerprint),
        "the page shows the key fingerprint"
    );
    assert!(text.contains("not on this list is not ours"));
    let rows = page
        .select(&Selector::parse("table.addresses tbody tr").expect("selector"))
        .count();
    assert_eq!(rows, 4);
    // Every page's footer leads here.
    let (_, home) = site.page("/").await;
    let links: Vec<_> = home
        .select(&Selector::parse("footer a[href='/mirrors']").expect("selector"))
        .collect();
    assert_eq!(links.len(), 1);
}

#[tokio::test]
async fn without_a_key_the_list_says_why_it_is_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    let store = broadsheet_storage::Store::open(&url).await.expect("store");
    let theme = broadsheet_render::Theme::new(None).expect("theme");
    let app = broadsheet_web::App::new(
        store,
        broadsheet_demo::settings(),
        broadsheet_render::Renderer::new(theme),
        dir.path().join("media"),
        None,
        None,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(broadsheet_web::serve(listener, app, std::future::pending()));
    let response = reqwest::get(format!("{base}{MANIFEST}"))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "mirror_list_unsigned");
}
