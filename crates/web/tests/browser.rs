//! The reader pages in a real browser (Debian's Chromium through chromedriver): the
//! progressive enhancement runs under the strict Content-Security-Policy, pages work with
//! JavaScript off, nothing overflows a phone screen, and right-to-left pages render so.
//!
//! Needs `chromedriver` and `chromium`; under `CI=true` their absence is a failure.

mod common;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session, or explains why not.
    async fn start(javascript: bool) -> Option<Browser> {
        let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(driver_path) = driver_path else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but chromedriver is not installed (apt-get install chromium chromium-driver)");
            }
            eprintln!("SKIPPED browser test: install chromium and chromium-driver to run it");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start listening"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let mut options = json!({ "args": args });
        if std::path::Path::new("/usr/bin/chromium").exists() {
            options["binary"] = json!("/usr/bin/chromium");
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), options);
        // chromedriver may take connections a moment before it serves them.
        let mut attempt = 0;
        let client = loop {
            let session =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await;
            match session {
                Ok(client) => break client,
                Err(e) if attempt < 20 => {
                    attempt += 1;
                    eprintln!("chromedriver not ready yet ({e}); retrying");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => panic!("cannot start a Chromium session: {e}"),
            }
        };
        Some(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    async fn finish(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

const NO_OVERFLOW: &str = "return document.documentElement.scrollWidth <= window.innerWidth + 1;";

#[tokio::test]
async fn reader_pages_in_a_real_browser() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let site = common::start(None).await;
    let article = format!(
        "{}{}",
        site.base,
        site.path_of("storm-fleet-rescue-north-sea").await
    );
    browser.client.goto(&article).await.expect("open article");

    // The copy-link button is revealed by /assets/site.js, which the CSP must allow.
    let button = browser
        .client
        .find(Locator::Css("button.copy-button"))
        .await
        .expect("button");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !button.is_displayed().await.expect("visibility") {
        assert!(
            Instant::now() < deadline,
            "the copy-link button never appeared"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let title = browser
        .eval("return document.querySelector('h1').textContent;")
        .await;
    assert_eq!(
        title,
        json!("Lifeboat crews rescue 23 from stricken cargo ship in North Sea storm")
    );
    let lead_loaded = browser
        .eval("const i = document.querySelector('figure img'); return i.complete && i.naturalWidth === 1200;")
        .await;
    assert_eq!(lead_loaded, json!(true), "the lead photo loads");
    let label = browser
        .eval("return getComputedStyle(document.querySelector('.file-photo-label')).display;")
        .await;
    assert_ne!(label, json!("none"), "the file-photo label is visible");

    // A phone-sized screen: nothing wider than the viewport.
    browser
        .client
        .set_window_size(360, 800)
        .await
        .expect("resize");
    for path in ["/", "/news", article.trim_start_matches(&site.base)] {
        browser
            .client
            .goto(&format!("{}{path}", site.base))
            .await
            .expect("open");
        assert_eq!(
            browser.eval(NO_OVERFLOW).await,
            json!(true),
            "{path} overflows a 360px screen"
        );
    }

    // Right to left, as the browser lays it out.
    browser
        .client
        .goto(&format!("{}/farsi", site.base))
        .await
        .expect("open");
    assert_eq!(
        browser
            .eval("return getComputedStyle(document.body).direction;")
            .await,
        json!("rtl")
    );
    assert_eq!(
        browser.eval(NO_OVERFLOW).await,
        json!(true),
        "/farsi overflows a 360px screen"
    );
    browser.finish().await;
}

#[tokio::test]
async fn reading_works_with_javascript_off() {
    let Some(browser) = Browser::start(false).await else {
        return;
    };
    let site = common::start(None).await;
    let article = format!(
        "{}{}",
        site.base,
        site.path_of("tigris-water-deal-signed").await
    );
    browser.client.goto(&article).await.expect("open article");
    let heading = browser
        .client
        .find(Locator::Css("h1"))
        .await
        .expect("h1")
        .text()
        .await
        .expect("text");
    assert_eq!(
        heading,
        "Upstream dams to release more water under new Tigris agreement"
    );
    let body = browser
        .client
        .find_all(Locator::Css(".body p"))
        .await
        .expect("paragraphs");
    assert!(body.len() >= 4);
    let shares = browser
        .client
        .find_all(Locator::Css(".share-links a"))
        .await
        .expect("share links");
    assert!(shares.len() >= 6);
    assert!(shares[0].is_displayed().await.expect("visibility"));
    let button = browser
        .client
        .find(Locator::Css("button.copy-button"))
        .await
        .expect("button");
    assert!(
        !button.is_displayed().await.expect("visibility"),
        "no dead button without JavaScript"
    );
    let link = browser
        .client
        .find(Locator::Css("#share-url"))
        .await
        .expect("link field");
    assert!(
        link.is_displayed().await.expect("visibility"),
        "the link is still there to copy by hand"
    );
    // Following a breadcrumb is plain navigation.
    browser
        .client
        .find(Locator::Css(".breadcrumbs a[href='/news/middle-east']"))
        .await
        .expect("crumb")
        .click()
        .await
        .expect("click");
    let heading = browser
        .client
        .find(Locator::Css("h1"))
        .await
        .expect("h1")
        .text()
        .await
        .expect("text");
    assert_eq!(heading, "Middle East");
    browser.finish().await;
}
