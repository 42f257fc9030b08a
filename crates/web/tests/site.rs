//! The reader website over real HTTP: a server on a free port with the demo content,
//! fetched with a real client and read with a real HTML parser.

mod common;

use broadsheet_domain::{ArticleStatus, Slug};
use common::{start, start_on};
use reqwest::header;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use std::io::{Read, Write};
use std::time::Duration;

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

fn texts(html: &Html, selector: &str) -> Vec<String> {
    html.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn links(html: &Html, selector: &str) -> Vec<String> {
    html.select(&sel(selector))
        .filter_map(|e| e.value().attr("href").map(str::to_owned))
        .collect()
}

fn attr(html: &Html, selector: &str, name: &str) -> Option<String> {
    html.select(&sel(selector))
        .next()
        .and_then(|e| e.value().attr(name).map(str::to_owned))
}

#[tokio::test]
async fn home_shows_lead_top_stories_editors_choice_sections_and_mirrors() {
    let site = start(None).await;
    let response = site.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii")
        .contains("script-src 'self'"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(headers.contains_key(header::REFERRER_POLICY));
    let html = Html::parse_document(&response.text().await.expect("body"));

    assert_eq!(attr(&html, "html", "lang").as_deref(), Some("en"));
    assert_eq!(attr(&html, "html", "dir").as_deref(), Some("ltr"));
    assert_eq!(
        texts(&html, ".lead-story .card-headline"),
        vec!["Upstream dams to release more water under new Tigris agreement"]
    );
    assert_eq!(html.select(&sel(".top-stories .card")).count(), 6);
    let choice = texts(&html, "#editors-choice ~ .card .card-headline");
    assert_eq!(choice.len(), 5, "{choice:?}");
    assert!(choice
        .contains(&"A news site that can be blocked in one afternoon is not finished".to_string()));
    let section_blocks = texts(&html, ".section-block h2");
    for name in ["News", "Business", "Culture", "Sport", "Opinion", "فارسی"] {
        assert!(
            section_blocks.iter().any(|s| s == name),
            "{name} block missing from {section_blocks:?}"
        );
    }
    // Persian cards on the English front page carry their own language and direction.
    assert!(html.select(&sel("article.card[lang=fa][dir=rtl]")).count() >= 1);

    let mirrors = links(&html, ".mirrors ul a");
    assert_eq!(mirrors.len(), 3, "{mirrors:?}");
    assert!(mirrors.iter().any(|m| m.ends_with(".onion")));
    assert!(texts(&html, ".mirrors h2")[0].contains("can also be reached"));

    // Internal links are root-relative: no page names a host for its own links.
    for href in links(&html, "main a, nav a") {
        assert!(
            href.starts_with('/') || href.starts_with('#'),
            "{href} is not root-relative"
        );
    }
    assert_eq!(
        attr(&html, "link[rel=canonical]", "href").as_deref(),
        Some("https://meridian-ledger.example/")
    );
}

#[tokio::test]
async fn article_page_has_everything_a_reader_needs() {
    let site = start(None).await;
    let path = site.path_of("storm-fleet-rescue-north-sea").await;
    assert!(path.starts_with("/news/world/20"), "{path}");
    let (status, html) = site.page(&path).await;
    assert_eq!(status, StatusCode::OK);

    assert_eq!(
        texts(&html, ".breadcrumbs li"),
        vec!["Home", "News", "World"]
    );
    assert_eq!(
        links(&html, ".breadcrumbs a"),
        vec!["/", "/news", "/news/world"]
    );
    assert_eq!(
        texts(&html, "h1"),
        vec!["Lifeboat crews rescue 23 from stricken cargo ship in North Sea storm"]
    );
    assert_eq!(texts(&html, ".standfirst").len(), 1);
    assert_eq!(texts(&html, ".byline"), vec!["By Staff and agencies"]);

    let published = attr(&html, ".story-dates time", "datetime").expect("published time");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&published).is_ok(),
        "{published}"
    );

    let caption = texts(&html, "figure.lead-figure figcaption");
    assert_eq!(caption.len(), 1);
    assert!(
        caption[0].contains("Heavy seas off the coast."),
        "{caption:?}"
    );
    assert!(caption[0].contains("Illustration: Meridian Ledger art desk"));
    assert_eq!(
        texts(&html, "figure.lead-figure figcaption .file-photo-label"),
        vec!["File photo"]
    );
    let img = html
        .select(&sel("figure.lead-figure img"))
        .next()
        .expect("lead image");
    assert_eq!(img.value().attr("width"), Some("1200"));
    assert_eq!(img.value().attr("height"), Some("675"));
    assert!(!img.value().attr("alt").unwrap_or_default().is_empty());
    let image = site.get(img.value().attr("src").expect("src")).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(
        &image.bytes().await.expect("bytes")[..2],
        &[0xFF, 0xD8],
        "a real JPEG"
    );

    assert!(texts(&html, ".body p")
        .iter()
        .any(|p| p.contains("Waves of up to nine metres")));
    assert_eq!(texts(&html, ".tags a"), vec!["Maritime", "Weather"]);

    assert_eq!(texts(&html, "#share-heading"), vec!["Share this article"]);
    let shares = links(&html, ".share-links a");
    let canonical = format!("https://meridian-ledger.example{path}");
    for prefix in [
        "https://www.facebook.com/",
        "https://x.com/",
        "https://wa.me/",
        "https://t.me/",
        "mailto:",
    ] {
        assert!(
            shares.iter().any(|s| s.starts_with(prefix)),
            "no {prefix} share link"
        );
    }
    assert_eq!(attr(&html, "#share-url", "value"), Some(canonical.clone()));
    assert_eq!(attr(&html, "link[rel=canonical]", "href"), Some(canonical));
    // The copy button exists but stays hidden until the script enhances it.
    assert!(attr(&html, "button.copy-button", "hidden").is_some());
    let scripts: Vec<_> = html
        .select(&sel("script:not([type='application/ld+json'])"))
        .map(|s| s.value().attr("src").map(str::to_owned))
        .collect();
    assert_eq!(
        scripts,
        vec![Some("/assets/site.js".to_owned())],
        "no inline or third-party script"
    );

    assert!(
        !texts(&html, "#related-heading ~ .card").is_empty(),
        "related stories"
    );
    assert!(
        !texts(&html, "#editors-choice ~ .card").is_empty(),
        "editor's choice box"
    );
    assert!(html
        .select(&sel("a.skip-link[href='#main']"))
        .next()
        .is_some());
    assert!(html.select(&sel("main#main")).next().is_some());

    // Not a file photo: no label.
    let (_, other) = site
        .page(&site.path_of("tigris-water-deal-signed").await)
        .await;
    assert!(texts(&other, ".file-photo-label").is_empty());
    assert_eq!(
        texts(&other, ".breadcrumbs li"),
        vec!["Home", "News", "Middle East", "Iraq"]
    );
    assert_eq!(texts(&other, ".byline"), vec!["By Mina Rahimi"]);
    assert_eq!(links(&other, ".byline a"), vec!["/author/mina-rahimi"]);
}

#[tokio::test]
async fn right_to_left_pages_say_so() {
    let site = start(None).await;
    let (status, section) = site.page("/farsi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attr(&section, "html", "lang").as_deref(), Some("fa"));
    assert_eq!(attr(&section, "html", "dir").as_deref(), Some("rtl"));
    assert_eq!(texts(&section, ".breadcrumbs li"), vec!["خانه", "فارسی"]);
    assert!(section.select(&sel(".listing .card")).count() >= 3);

    let path = site.path_of("ketab-bazar-tehran").await;
    let (status, article) = site.page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attr(&article, "html", "lang").as_deref(), Some("fa"));
    assert_eq!(attr(&article, "html", "dir").as_deref(), Some("rtl"));
    assert_eq!(
        texts(&article, "#share-heading"),
        vec!["این مطلب را هم‌رسانی کنید"]
    );
}

#[tokio::test]
async fn unicode_slugs_are_served_from_percent_encoded_urls() {
    let site = start(None).await;
    let path = site.path_of("kesht-zaferan").await;
    let detail = site
        .store
        .article_by_path(&path)
        .await
        .expect("query")
        .expect("article");
    let mut draft = detail.article.draft.clone();
    draft.slug = Slug::parse("کشت-زعفران").expect("valid");
    let moved = site
        .store
        .update_article(detail.article.id, Some(detail.article.revision), &draft)
        .await
        .expect("save");
    let encoded: String = moved
        .path
        .split('/')
        .map(|s| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
                .replace("%2D", "-")
        })
        .collect::<Vec<_>>()
        .join("/");
    let (status, html) = site.page(&encoded).await;
    assert_eq!(status, StatusCode::OK, "{encoded}");
    assert_eq!(
        texts(&html, "h1"),
        vec!["کشاورزان زعفران از روش‌های تازه آبیاری استقبال می‌کنند"]
    );
}

#[tokio::test]
async fn section_pages_list_subsections_and_their_articles_with_paging() {
    let site = start(None).await;
    let (status, html) = site.page("/news").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, ".breadcrumbs li"), vec!["Home", "News"]);
    assert_eq!(
        attr(&html, ".breadcrumbs a[aria-current=page]", "href").as_deref(),
        Some("/news")
    );
    assert_eq!(
        texts(&html, ".subsections a"),
        vec!["Middle East", "World", "Port Aldane"]
    );
    // News holds its own articles and those of Middle East, Iraq, World and Port Aldane.
    assert_eq!(html.select(&sel(".listing .card")).count(), 11);

    let (status, iraq) = site.page("/news/middle-east/iraq").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&iraq, ".breadcrumbs li"),
        vec!["Home", "News", "Middle East", "Iraq"]
    );
    assert_eq!(iraq.select(&sel(".listing .card")).count(), 2);

    // 25 more stories in World make two pages of 20.
    let world_path = site.path_of("alpine-glacier-survey-2026").await;
    let world = site
        .store
        .article_by_path(&world_path)
        .await
        .expect("q")
        .expect("article");
    for i in 0..25 {
        let mut draft = world.article.draft.clone();
        draft.slug = Slug::parse(&format!("extra-{i}")).expect("valid");
        draft.headline = format!("Extra story {i}");
        site.store.create_article(&draft).await.expect("create");
    }
    let mut seen = 0;
    for _ in 0..50 {
        let (_, page2) = site.page("/news/world?page=2").await;
        seen = page2.select(&sel(".listing .card")).count();
        if seen > 0 {
            assert_eq!(links(&page2, ".pager a[rel=prev]"), vec!["/news/world"]);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        seen,
        28 - 20,
        "3 World stories + 25 extra = 28, 8 on page two"
    );
    let (_, page1) = site.page("/news/world").await;
    assert_eq!(
        links(&page1, ".pager a[rel=next]"),
        vec!["/news/world?page=2"]
    );
    assert_eq!(
        site.get("/news/world?page=3").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn tag_author_and_static_pages() {
    let site = start(None).await;
    let (status, tag) = site.page("/tag/iraq").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&tag, "h1"), vec!["Iraq"]);
    assert!(tag.select(&sel(".listing .card")).count() >= 1);

    let (status, author) = site.page("/author/mina-rahimi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&author, "h1"), vec!["Mina Rahimi"]);
    assert!(texts(&author, ".page-intro")[0].contains("Middle East correspondent"));
    assert!(author.select(&sel(".listing .card")).count() >= 3);

    let (status, about) = site.page("/page/about").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&about, "h1"), vec!["About us"]);
    assert!(links(&about, "footer nav a").contains(&"/page/contact".to_string()));
}

#[tokio::test]
async fn a_changed_slug_answers_301_to_the_new_address() {
    let site = start(None).await;
    let old = site.path_of("harbour-fc-cup-run").await;
    assert_eq!(
        site.get(&old).await.status(),
        StatusCode::OK,
        "cached before the change"
    );
    let detail = site
        .store
        .article_by_path(&old)
        .await
        .expect("q")
        .expect("article");
    let mut draft = detail.article.draft.clone();
    draft.slug = Slug::parse("harbour-fc-into-quarter-finals").expect("valid");
    draft.headline = "Harbour FC into the quarter-finals".into();
    let moved = site
        .store
        .update_article(detail.article.id, Some(detail.article.revision), &draft)
        .await
        .expect("save");

    // The change event clears the cache; the old address now redirects.
    let mut response = site.get(&old).await;
    for _ in 0..100 {
        if response.status() == StatusCode::MOVED_PERMANENTLY {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        response = site.get(&old).await;
    }
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        response.headers()[header::LOCATION]
            .to_str()
            .expect("ascii"),
        moved.path
    );
    let (status, html) = site.page(&moved.path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&html, "h1"),
        vec!["Harbour FC into the quarter-finals"]
    );

    // Unpublishing hides the article at once, under both addresses.
    draft.status = ArticleStatus::Unpublished;
    site.store
        .update_article(detail.article.id, None, &draft)
        .await
        .expect("unpublish");
    let mut status = site.get(&moved.path).await.status();
    for _ in 0..100 {
        if status == StatusCode::NOT_FOUND {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        status = site.get(&moved.path).await.status();
    }
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(site.get(&old).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_addresses_get_a_helpful_404_page() {
    let site = start(None).await;
    for path in [
        "/no/such/page",
        "/news/2026/13/01/nothing",
        "/tag/nothing",
        "/author/nobody",
        "/page/nothing",
        "/News",
        "/wp-login.php",
        "/media/missing.jpg",
        "/assets/missing.css",
    ] {
        let response = site.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        if path.starts_with("/assets") {
            continue;
        }
        let html = Html::parse_document(&response.text().await.expect("body"));
        assert_eq!(texts(&html, "h1"), vec!["Page not found"], "{path}");
        assert!(
            links(&html, ".error-page a").contains(&"/".to_string()),
            "{path}: link home"
        );
        assert!(
            links(&html, ".error-page nav a").contains(&"/news".to_string()),
            "{path}: sections"
        );
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_never_a_500() {
    let site = start(None).await;
    for (path, expected) in [
        ("/news?page=abc", StatusCode::BAD_REQUEST),
        ("/news?page=-1", StatusCode::BAD_REQUEST),
        ("/news?page=0", StatusCode::BAD_REQUEST),
        ("/news?page=99999999999999999999", StatusCode::BAD_REQUEST),
        ("/news?page=%zz", StatusCode::BAD_REQUEST),
        ("/news?page=2", StatusCode::NOT_FOUND),
        ("/news?page=", StatusCode::OK),
        ("/%ff%fe", StatusCode::BAD_REQUEST),
        ("/news/%E0%A4%A", StatusCode::BAD_REQUEST),
        ("/news/a%2f..%2f..%2fetc", StatusCode::BAD_REQUEST),
        ("/media/..%2f..%2fetc%2fpasswd", StatusCode::BAD_REQUEST),
        ("/media/.hidden", StatusCode::NOT_FOUND),
        ("/%00", StatusCode::BAD_REQUEST),
        ("/news?utm_source=x&page=1&page=abc", StatusCode::OK),
    ] {
        let response = site.get(path).await;
        assert_eq!(response.status(), expected, "{path}");
        if !expected.is_success() {
            let body = response.text().await.expect("body");
            assert!(body.contains("<h1>"), "{path}: an HTML error page");
        }
    }
    let long = format!("/{}", "a".repeat(5_000));
    assert_eq!(site.get(&long).await.status(), StatusCode::URI_TOO_LONG);
    let post = site
        .client
        .post(format!("{}/news", site.base))
        .body("x=1")
        .send()
        .await
        .expect("post");
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.headers()[header::ALLOW], "GET, HEAD");

    // Raw bytes that are not UTF-8 at all, sent without any client's help.
    let address = site.base.trim_start_matches("http://").to_owned();
    let status_line = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        stream
            .write_all(b"GET /news/\xff\xfe\x80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    })
    .await
    .expect("raw request");
    assert!(status_line.starts_with("HTTP/1.1 400"), "{status_line}");
}

#[tokio::test]
async fn pages_are_cached_with_etags_and_precompressed() {
    let site = start(None).await;
    let first = site.get("/").await;
    let etag = first.headers()[header::ETAG]
        .to_str()
        .expect("ascii")
        .to_owned();
    let plain = first.text().await.expect("body");
    let again = site.get("/").await;
    assert_eq!(again.headers()[header::ETAG].to_str().expect("ascii"), etag);

    let not_modified = site
        .client
        .get(format!("{}/", site.base))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("request");
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    assert!(not_modified.bytes().await.expect("body").is_empty());

    let gz = site
        .client
        .get(format!("{}/", site.base))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("request");
    assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gz.headers()[header::VARY], "Accept-Encoding");
    let bytes = gz.bytes().await.expect("body");
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut decoded)
        .expect("valid gzip");
    assert_eq!(decoded, plain);

    let br = site
        .client
        .get(format!("{}/", site.base))
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .expect("request");
    assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
    let bytes = br.bytes().await.expect("body");
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut &bytes[..], &mut decoded).expect("valid brotli");
    assert_eq!(String::from_utf8(decoded).expect("utf-8"), plain);

    let head = site
        .client
        .head(format!("{}/", site.base))
        .send()
        .await
        .expect("head");
    assert_eq!(head.status(), StatusCode::OK);
    // The length a GET would send, and no body.
    assert_eq!(
        head.headers()[header::CONTENT_LENGTH].to_str().ok(),
        Some(plain.len().to_string().as_str())
    );
    assert!(head.bytes().await.expect("body").is_empty());
}

#[tokio::test]
async fn a_theme_folder_overrides_templates_and_styles_without_a_rebuild() {
    let theme = tempfile::tempdir().expect("theme dir");
    std::fs::create_dir_all(theme.path().join("assets")).expect("mkdir");
    std::fs::create_dir_all(theme.path().join("templates")).expect("mkdir");
    std::fs::write(
        theme.path().join("assets/style.css"),
        "body { background: #fdf6e3; }",
    )
    .expect("write");
    std::fs::write(
        theme.path().join("templates/page.html"),
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ title }}</h1>{{ body }}{% endblock %}",
    )
    .expect("write");
    let site = start(Some(theme.path())).await;
    assert_eq!(
        site.get("/assets/style.css")
            .await
            .text()
            .await
            .expect("css"),
        "body { background: #fdf6e3; }"
    );
    let (_, about) = site.page("/page/about").await;
    assert_eq!(texts(&about, "h1.custom"), vec!["About us"]);
    // Templates not overridden still come from the built-in theme.
    let (status, home) = site.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.select(&sel(".lead-story")).next().is_some());
}

#[tokio::test]
async fn the_same_site_runs_on_postgresql() {
    let Some(url) =
        broadsheet_storage::testing::fresh_postgres_url("the_same_site_runs_on_postgresql").await
    else {
        return;
    };
    let site = start_on(&url, tempfile::tempdir().expect("temp dir"), None).await;
    let (status, home) = site.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(home.select(&sel(".top-stories .card")).count(), 6);
    let path = site.path_of("tigris-water-deal-signed").await;
    let (status, article) = site.page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&article, ".breadcrumbs li"),
        vec!["Home", "News", "Middle East", "Iraq"]
    );
    let (status, farsi) = site.page("/farsi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attr(&farsi, "html", "dir").as_deref(), Some("rtl"));
}

#[tokio::test]
async fn imported_short_links_redirect() {
    let site = common::start(None).await;
    let path = site.path_of("storm-fleet-rescue-north-sea").await;
    let detail = site
        .store
        .article_by_path(&path)
        .await
        .expect("read")
        .expect("article");
    site.store
        .add_redirect("/?p=4242", detail.article.id)
        .await
        .expect("redirect");
    let response = site.get("/?p=4242").await;
    assert_eq!(response.status(), reqwest::StatusCode::MOVED_PERMANENTLY);
    assert_eq!(response.headers()["location"], path.as_str());
    // Unknown or odd ids are simply the home page.
    for other in ["/?p=4243", "/?p=../../etc", "/?page_id=1"] {
        assert_eq!(
            site.get(other).await.status(),
            reqwest::StatusCode::OK,
            "{other}"
        );
    }
}

#[tokio::test]
async fn slow_and_oversized_requests_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let site = common::start(None).await;
    let address = site.base.trim_start_matches("http://").to_owned();

    // Headers that never finish: the server closes the connection instead of waiting.
    let mut slow = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write");
    let mut buffer = Vec::new();
    let ended = tokio::time::timeout(
        broadsheet_web::HEADER_READ_TIMEOUT + std::time::Duration::from_secs(20),
        slow.read_to_end(&mut buffer),
    )
    .await;
    assert!(
        ended.is_ok(),
        "a client that never finishes its headers keeps its connection"
    );
    assert!(
        buffer.is_empty() || String::from_utf8_lossy(&buffer).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&buffer)
    );

    // A head of 200 KB is refused with 431, not read into memory.
    let mut big = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let head = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    let _ = big.write_all(head.as_bytes()).await;
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        big.read_to_end(&mut answer),
    )
    .await;
    assert!(
        closed.is_ok(),
        "an oversized head keeps its connection open"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:?}");
    // And the site still answers.
    assert_eq!(site.get("/").await.status(), reqwest::StatusCode::OK);
}
