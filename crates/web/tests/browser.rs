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

/// Waits until `script` returns true, or fails naming `what`.
async fn until(browser: &Browser, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if browser.eval(script).await == json!(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn log_in(browser: &Browser, site: &common::Site, account: &common::Account) {
    let c = &browser.client;
    c.goto(&format!("{}/newsroom", site.base))
        .await
        .expect("open");
    // Not signed in: the newsroom sends the visitor to its login form.
    let url = c.current_url().await.expect("url");
    assert_eq!(url.path(), "/newsroom/login", "{url}");
    c.find(Locator::Id("email"))
        .await
        .expect("email")
        .send_keys(&account.email)
        .await
        .expect("type");
    c.find(Locator::Id("password"))
        .await
        .expect("password")
        .send_keys(&account.password)
        .await
        .expect("type");
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("log in");
    until(browser, "return location.pathname === '/newsroom' && !!document.querySelector('table.list, main p');", "the article list").await;
}

async fn click(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

async fn type_into(browser: &Browser, css: &str, text: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
}

/// The newsroom end to end: a contributor writes a story with a photo and caption and
/// sends it for review; an editor publishes it; readers see it with its figure.
#[tokio::test]
async fn a_story_goes_from_newsroom_to_reader_in_a_real_browser() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let site = common::start(None).await;
    let writer = site
        .account(broadsheet_domain::Role::Contributor, "Nika Writer")
        .await;
    let editor = site
        .account(broadsheet_domain::Role::Editor, "Omid Editor")
        .await;
    let photo_dir = tempfile::tempdir().expect("dir");
    let photo = photo_dir.path().join("market-at-dawn.jpg");
    image::RgbImage::from_fn(1000, 600, |x, y| {
        image::Rgb([(x / 4 % 256) as u8, (y / 3 % 256) as u8, 90])
    })
    .save(&photo)
    .expect("write photo");

    log_in(&browser, &site, &writer).await;
    click(&browser, "a[href='/newsroom/articles/new']").await;
    until(
        &browser,
        "return !!document.getElementById('headline');",
        "the editor",
    )
    .await;
    // The toolbar is script's doing; it must run under the CSP.
    until(
        &browser,
        "return !document.querySelector('.toolbar').hidden;",
        "the toolbar",
    )
    .await;
    type_into(
        &browser,
        "#headline",
        "Spice market reopens after the floods",
    )
    .await;
    type_into(
        &browser,
        "#standfirst",
        "Traders return to the covered market a month after the water rose.",
    )
    .await;
    type_into(
        &browser,
        "#body",
        "The stalls opened at dawn.\n\nBy noon the lanes were **full** again.",
    )
    .await;
    // Live preview: the server renders the Markdown while it is typed.
    until(
        &browser,
        "const p = document.getElementById('preview'); return !!p && p.innerHTML.includes('<strong>full</strong>');",
        "the live preview",
    )
    .await;
    // Typed text is kept in the browser as well, should the connection drop.
    assert_eq!(
        browser
            .eval("return (localStorage.getItem('broadsheet:draft:new') || '').includes('Spice market');")
            .await,
        json!(true)
    );
    browser
        .client
        .find(Locator::Id("section"))
        .await
        .expect("section")
        .select_by_value("news/middle-east")
        .await
        .expect("choose section");
    type_into(&browser, "#tags", "Markets, Floods").await;
    type_into(&browser, "#lead_file", &photo.display().to_string()).await;
    type_into(
        &browser,
        "#lead_alt",
        "Traders arrange spices under a vaulted roof",
    )
    .await;
    type_into(
        &browser,
        "#lead_caption",
        "The covered market on its first morning back.",
    )
    .await;
    type_into(&browser, "#lead_credit", "Photo: Sara Rahimi").await;
    click(&browser, "#save").await;
    until(
        &browser,
        "return /done=created/.test(location.search);",
        "the saved article",
    )
    .await;
    let notice = browser
        .eval("return document.querySelector('.notice').textContent;")
        .await;
    assert!(
        notice.as_str().is_some_and(|n| n.contains("Created")),
        "{notice}"
    );
    // A contributor can send it for review but not publish it.
    assert_eq!(
        browser
            .eval("return !!document.querySelector('button[value=publish]');")
            .await,
        json!(false)
    );
    click(&browser, "button[value=submit]").await;
    until(
        &browser,
        "return /done=submit/.test(location.search);",
        "sent for review",
    )
    .await;
    let article_url = browser.client.current_url().await.expect("url");
    click(&browser, "form[action='/newsroom/logout'] button").await;
    until(
        &browser,
        "return location.pathname === '/newsroom/login';",
        "logged out",
    )
    .await;

    // The editor publishes it.
    log_in(&browser, &site, &editor).await;
    let listed = browser
        .eval("return [...document.querySelectorAll('table.list a')].some(a => a.textContent.includes('Spice market reopens'));")
        .await;
    assert_eq!(listed, json!(true), "the story is in the editor's list");
    browser
        .client
        .goto(article_url.as_str())
        .await
        .expect("open article");
    click(&browser, "button[value=publish]").await;
    until(
        &browser,
        "return /done=publish/.test(location.search);",
        "published",
    )
    .await;
    click(&browser, "a[href^='/news/middle-east/']").await;

    // Readers see it with its figure, caption and credit.
    until(
        &browser,
        "return !!document.querySelector('article.story h1');",
        "the public page",
    )
    .await;
    assert_eq!(
        browser
            .eval("return document.querySelector('article.story h1').textContent;")
            .await,
        json!("Spice market reopens after the floods")
    );
    until(
        &browser,
        "const i = document.querySelector('.lead-figure img'); return !!i && i.complete && i.naturalWidth > 0;",
        "the lead photo",
    )
    .await;
    let caption = browser
        .eval("return document.querySelector('.lead-figure figcaption').textContent;")
        .await;
    let caption = caption.as_str().unwrap_or_default();
    assert!(
        caption.contains("The covered market on its first morning back."),
        "{caption}"
    );
    assert!(caption.contains("Photo: Sara Rahimi"), "{caption}");
    assert_eq!(
        browser
            .eval("return document.querySelector('.lead-figure img').alt;")
            .await,
        json!("Traders arrange spices under a vaulted roof")
    );
    browser.finish().await;
}

/// Without script the newsroom still works: plain forms log in and save a draft.
#[tokio::test]
async fn the_newsroom_works_with_javascript_off() {
    let Some(browser) = Browser::start(false).await else {
        return;
    };
    let site = common::start(None).await;
    let author = site
        .account(broadsheet_domain::Role::Author, "Plain Forms")
        .await;
    let c = &browser.client;
    c.goto(&format!("{}/newsroom/login", site.base))
        .await
        .expect("open");
    c.find(Locator::Id("email"))
        .await
        .expect("email")
        .send_keys(&author.email)
        .await
        .expect("type");
    c.find(Locator::Id("password"))
        .await
        .expect("password")
        .send_keys(&author.password)
        .await
        .expect("type");
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submit");
    c.goto(&format!("{}/newsroom/articles/new", site.base))
        .await
        .expect("open");
    c.find(Locator::Id("headline"))
        .await
        .expect("headline")
        .send_keys("Written without script")
        .await
        .expect("type");
    c.find(Locator::Id("body"))
        .await
        .expect("body")
        .send_keys("Plain text.")
        .await
        .expect("type");
    c.find(Locator::Id("section"))
        .await
        .expect("section")
        .select_by_value("business")
        .await
        .expect("section");
    c.find(Locator::Id("save"))
        .await
        .expect("save")
        .click()
        .await
        .expect("save");
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut url = c.current_url().await.expect("url");
    while !url.query().unwrap_or_default().contains("done=created") {
        assert!(Instant::now() < deadline, "not saved; still at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        url = c.current_url().await.expect("url");
    }
    let (list, _) = (
        site.store
            .newsroom_articles(&broadsheet_storage::NewsroomFilter {
                limit: 10,
                headline: Some("without script".into()),
                ..Default::default()
            })
            .await
            .expect("list"),
        (),
    );
    assert_eq!(list.len(), 1);
    browser.finish().await;
}

/// Known cross-site scripting payloads, put into every field a person can type.
const PAYLOADS: [&str; 10] = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=\"window.__xss=1\">",
    "\"><svg onload=window.__xss=1>",
    "[click](javascript:window.__xss=1)",
    "<a href=\"data:text/html,<script>window.__xss=1</script>\">data link</a>",
    "<iframe src=\"javascript:window.__xss=1\"></iframe>",
    "</textarea><script>window.__xss=1</script>",
    "{{ 7*7 }}{% raw %}",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<a href=\"  JaVaScRiPt:window.__xss=1\">spaced</a>",
];

/// What a page must never contain: script of its own beyond the site's files, inline
/// event handlers, `javascript:` or `data:` links, and the marker set by any payload.
const CLEAN: &str = r#"
    const bad = [];
    for (const s of document.querySelectorAll('script')) {
        // Structured data is data: it must parse as JSON, whatever the text it carries.
        if (s.type === 'application/ld+json') { try { JSON.parse(s.textContent); } catch (e) { bad.push('broken JSON-LD'); } continue; }
        if (!s.src || !/\/(assets\/site|newsroom\/assets\/newsroom)\.js$/.test(new URL(s.src).pathname)) bad.push('script ' + (s.src || s.textContent.slice(0, 40)));
    }
    for (const el of document.querySelectorAll('*')) {
        for (const a of el.attributes) {
            if (/^on/i.test(a.name)) bad.push('handler ' + el.tagName + ' ' + a.name);
            if (/^(href|src|action|formaction)$/i.test(a.name) && /^\s*(javascript|data):/i.test(a.value) && !(el.tagName === 'IMG' && /^data:image\//.test(a.value))) bad.push('url ' + el.tagName + ' ' + a.value.slice(0, 40));
        }
    }
    for (const f of document.querySelectorAll('iframe, object, embed')) bad.push('frame ' + f.tagName);
    if (window.__xss) bad.push('payload ran');
    return bad;
"#;

#[tokio::test]
async fn no_payload_runs_on_any_page() {
    use broadsheet_domain::*;
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let site = common::start(None).await;
    let all = PAYLOADS.join(" ");
    let store = &site.store;
    let tree = store.section_tree().await.expect("tree");
    let news = tree.find_by_slugs(&["news"]).expect("news").id;
    let section = store
        .create_section(&NewSection {
            parent_id: Some(news),
            slug: Slug::parse("xss-desk").expect("slug"),
            name: format!("Desk {}", PAYLOADS[2]),
            description: all.clone(),
            position: 99,
            language: None,
        })
        .await
        .expect("section");
    let author = store
        .create_author(&NewAuthor {
            slug: Slug::parse("xss-author").expect("slug"),
            name: format!("Writer {}", PAYLOADS[1]),
            bio: all.clone(),
            photo_media_id: None,
        })
        .await
        .expect("author");
    let media = store
        .create_media(&NewMedia {
            file_name: "storm-fleet.jpg".into(),
            mime: "image/jpeg".into(),
            width: 1200,
            height: 800,
            alt: PAYLOADS[2].into(),
            caption: all.clone(),
            credit: PAYLOADS[1].into(),
            file_photo: true,
        })
        .await
        .expect("media");
    let article = store
        .create_article(&ArticleDraft {
            slug: Slug::parse("payloads").expect("slug"),
            section_id: section.id,
            language: Language::parse("en").expect("language"),
            headline: format!("Headline {}", PAYLOADS[0]),
            standfirst: all.clone(),
            body: PAYLOADS.join("\n\n"),
            dateline: Some(PAYLOADS[6].into()),
            lead_media_id: Some(media.id),
            bylines: vec![
                Byline::Staff {
                    author_id: author.id,
                },
                Byline::Guest {
                    name: PAYLOADS[1].into(),
                },
            ],
            tags: vec![format!("tag {}", PAYLOADS[1]), "xss".into()],
            status: ArticleStatus::Published,
            published_at: Some(chrono::Utc::now() - chrono::Duration::minutes(5)),
            translation_group: None,
        })
        .await
        .expect("article");
    store
        .add_correction(article.id, &all, &broadsheet_storage::SavedBy::default())
        .await
        .expect("correction");
    store
        .put_page(&NewPage {
            slug: Slug::parse("xss-page").expect("slug"),
            title: format!("Page {}", PAYLOADS[0]),
            body: all.clone(),
            language: Language::parse("en").expect("language"),
        })
        .await
        .expect("page");
    site.app.cache.clear();

    let admin = site
        .account(broadsheet_domain::Role::Admin, "Xss Admin")
        .await;
    let mut pages = vec![
        "/".to_owned(),
        "/news".into(),
        "/news/xss-desk".into(),
        article.path.clone(),
        "/tag/xss".into(),
        "/author/xss-author".into(),
        "/page/xss-page".into(),
        format!("/search?q={}", "payloads"),
        "/search?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E".into(),
        "/nope/%3Cscript%3Ewindow.__xss=1%3C/script%3E".into(),
    ];
    for path in &pages {
        browser
            .client
            .goto(&format!("{}{path}", site.base))
            .await
            .expect("open");
        let bad = browser.eval(CLEAN).await;
        assert_eq!(bad, json!([]), "{path}");
    }
    // The same text in the newsroom, where editors see it raw.
    log_in(&browser, &site, &admin).await;
    pages = vec![
        "/newsroom".into(),
        format!("/newsroom/articles/{}", article.id),
        format!("/newsroom/articles/{}/revisions?from=1&to=2", article.id),
        format!("/newsroom/articles/{}/preview", article.id),
        "/newsroom/media".into(),
        "/newsroom/sections".into(),
        "/newsroom/collections".into(),
    ];
    for path in &pages {
        browser
            .client
            .goto(&format!("{}{path}", site.base))
            .await
            .expect("open");
        let bad = browser.eval(CLEAN).await;
        assert_eq!(bad, json!([]), "{path}");
    }
    // The editor shows the stored text exactly, for the editor to see and fix.
    browser
        .client
        .goto(&format!("{}/newsroom/articles/{}", site.base, article.id))
        .await
        .expect("open");
    assert_eq!(
        browser
            .eval("return document.getElementById('body').value;")
            .await,
        json!(PAYLOADS.join("\n\n"))
    );
    browser.finish().await;
}

#[tokio::test]
async fn the_clip_plays_with_its_captions_in_a_real_browser() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let site = common::start(None).await;
    browser
        .client
        .goto(&format!("{}/video/ferries-return", site.base))
        .await
        .expect("open video page");
    // The page's own player: no third-party script, the browser's <video>.
    browser
        .eval("const v = document.querySelector('video'); v.muted = true; v.play().catch(() => {}); return true;")
        .await;
    until(
        &browser,
        "const v = document.querySelector('video'); return v.readyState >= 2 && v.currentTime > 0.5 && !v.error;",
        "the clip to play",
    )
    .await;
    until(
        &browser,
        "const t = document.querySelector('video').textTracks[0]; return !!t && !!t.cues && t.cues.length === 3;",
        "the captions to load",
    )
    .await;
    let source = browser
        .eval("return document.querySelector('video').currentSrc;")
        .await;
    assert!(
        source
            .as_str()
            .is_some_and(|s| s.ends_with(".m3u8") || s.ends_with(".mp4")),
        "{source}"
    );
    browser.finish().await;
}

#[tokio::test]
async fn the_static_export_searches_offline_from_disk() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let site = common::start(None).await;
    let out = tempfile::tempdir().expect("temp dir");
    broadsheet_web::export::export(&site.app, out.path())
        .await
        .expect("export");
    let c = &browser.client;
    let home = format!("file://{}/index.html", out.path().display());
    c.goto(&home).await.expect("open the copy from disk");

    // The header's search form leads to the copy's own search page, not a server's.
    type_into(&browser, "header input[name=q]", "cinema").await;
    click(&browser, "header form[role=search] button").await;
    until(
        &browser,
        "return document.querySelectorAll('#search-results li').length > 0;",
        "results from the offline index",
    )
    .await;
    let url = c.current_url().await.expect("url");
    assert_eq!(url.scheme(), "file");
    assert!(url.path().ends_with("/search/index.html"), "{url}");
    let cinema = site.path_of("old-cinema-reopens").await;
    let first = browser
        .eval("return document.querySelector('#search-results li a').href;")
        .await;
    let first = first.as_str().expect("a link");
    assert!(
        first.ends_with(&format!("{}/index.html", cinema.trim_end_matches('/'))),
        "{first}"
    );
    // The result opens the story, from disk.
    click(&browser, "#search-results li a").await;
    until(
        &browser,
        "return document.querySelector('article h1') !== null;",
        "the story",
    )
    .await;

    // Persian typed with the Arabic kaf and yeh finds the Persian story.
    let persian = site.path_of("ketab-bazar-tehran").await;
    let query = "نمايشگاه كتاب";
    c.goto(&format!(
        "file://{}/search/index.html?q={}",
        out.path().display(),
        percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC)
    ))
    .await
    .expect("open search");
    until(
        &browser,
        "return document.querySelectorAll('#search-results li').length > 0;",
        "Persian results",
    )
    .await;
    let links = browser
        .eval("return [...document.querySelectorAll('#search-results li a')].map(a => a.href);")
        .await;
    assert!(
        links.as_array().expect("links").iter().any(|l| l
            .as_str()
            .is_some_and(|l| l.contains(persian.trim_matches('/')))),
        "{links}"
    );
    // A word found nowhere says so.
    c.goto(&format!(
        "file://{}/search/index.html?q=zzyzxqv",
        out.path().display()
    ))
    .await
    .expect("open search");
    until(
        &browser,
        "return document.getElementById('search-status').textContent.startsWith('0 stories');",
        "the empty result",
    )
    .await;
    browser.finish().await;
}
