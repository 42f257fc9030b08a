//! Feeds, sitemaps, structured data and share cards, read by real parsers: feed-rs for
//! every feed, xmllint against the sitemaps.org schemas, serde_json for JSON-LD and the
//! JSON Feed, an HTML parser for the meta tags.

mod common;

use reqwest::{header, StatusCode};
use scraper::{Html, Selector};
use serde_json::Value;
use std::path::Path;

const PRIMARY: &str = "https://meridian-ledger.example";

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

fn meta(html: &Html, key: &str) -> Vec<String> {
    let selector = sel(&format!("meta[property='{key}'], meta[name='{key}']"));
    html.select(&selector)
        .filter_map(|e| e.value().attr("content").map(str::to_owned))
        .collect()
}

async fn body(site: &common::Site, path: &str) -> (StatusCode, String, String) {
    let response = site.get(path).await;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.expect("body"))
}

async fn parsed_feed(site: &common::Site, path: &str, content_type: &str) -> feed_rs::model::Feed {
    let (status, ct, text) = body(site, path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert!(ct.starts_with(content_type), "{path}: {ct}");
    feed_rs::parser::parse(text.as_bytes())
        .unwrap_or_else(|e| panic!("{path} does not parse: {e}\n{text}"))
}

#[tokio::test]
async fn site_feeds_in_three_formats_agree_and_carry_everything() {
    let site = common::start(None).await;
    let rss = parsed_feed(&site, "/feed.xml", "application/rss+xml").await;
    let atom = parsed_feed(&site, "/atom.xml", "application/atom+xml").await;
    let json = parsed_feed(&site, "/feed.json", "application/feed+json").await;
    for feed in [&rss, &atom, &json] {
        assert_eq!(
            feed.title.as_ref().map(|t| t.content.as_str()),
            Some("The Meridian Ledger")
        );
        assert_eq!(feed.entries.len(), 30, "the 30 newest of 33");
        let first = &feed.entries[0];
        assert!(first.title.as_ref().is_some_and(|t| !t.content.is_empty()));
        assert!(first.published.is_some(), "dates parse");
        assert!(
            first.links.iter().all(|l| l.href.starts_with(PRIMARY)),
            "{:?}",
            first.links
        );
        assert!(
            first
                .content
                .as_ref()
                .and_then(|c| c.body.as_ref())
                .is_some_and(|b| b.contains("<p>")),
            "full HTML"
        );
        assert!(!first.authors.is_empty());
        assert!(!first.categories.is_empty());
    }
    // Ids are the same in every format and do not depend on the address.
    let ids = |feed: &feed_rs::model::Feed| {
        feed.entries
            .iter()
            .map(|e| e.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&rss), ids(&atom));
    assert_eq!(ids(&rss), ids(&json));
    assert!(ids(&rss)[0].starts_with("urn:broadsheet:the-meridian-ledger:article:"));
    // Newest first.
    let times: Vec<_> = rss.entries.iter().filter_map(|e| e.published).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));

    // The lead photo travels with its caption and credit (Media RSS).
    let storm = rss
        .entries
        .iter()
        .find(|e| {
            e.title
                .as_ref()
                .is_some_and(|t| t.content.starts_with("Lifeboat crews"))
        })
        .expect("storm story in the feed");
    let media = &storm.media[0];
    assert!(media.content[0]
        .url
        .as_ref()
        .is_some_and(|u| u.as_str() == format!("{PRIMARY}/media/storm-sea.jpg")));
    assert_eq!(
        media.description.as_ref().map(|d| d.content.as_str()),
        Some("Heavy seas off the coast.")
    );
    assert_eq!(
        media.credits[0].entity,
        "Illustration: Meridian Ledger art desk"
    );
    assert_eq!(storm.authors[0].name, "Staff and agencies");

    // JSON Feed required fields, read as plain JSON.
    let (_, _, text) = body(&site, "/feed.json").await;
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(doc["feed_url"], format!("{PRIMARY}/feed.json"));
    for item in doc["items"].as_array().expect("items") {
        assert!(
            item["id"].is_string() && item["content_html"].is_string() && item["url"].is_string()
        );
    }
}

#[tokio::test]
async fn section_tag_and_author_feeds_hold_only_their_articles() {
    let site = common::start(None).await;
    let iraq = parsed_feed(&site, "/news/middle-east/feed.xml", "application/rss+xml").await;
    assert_eq!(iraq.entries.len(), 4, "Middle East and Iraq");
    assert!(iraq.entries.iter().all(|e| e.links[0]
        .href
        .starts_with(&format!("{PRIMARY}/news/middle-east/"))));

    let tag = parsed_feed(&site, "/tag/football/atom.xml", "application/atom+xml").await;
    assert_eq!(tag.entries.len(), 3);
    let author = parsed_feed(
        &site,
        "/author/mina-rahimi/feed.json",
        "application/feed+json",
    )
    .await;
    assert!(author
        .entries
        .iter()
        .all(|e| e.authors.iter().any(|a| a.name == "Mina Rahimi")));
    assert_eq!(
        author.entries.len(),
        4,
        "her three stories and the Persian translation she shares"
    );

    let farsi = parsed_feed(&site, "/farsi/feed.xml", "application/rss+xml").await;
    assert_eq!(farsi.language.as_deref(), Some("fa"));

    for missing in [
        "/nowhere/feed.xml",
        "/tag/nothing/feed.xml",
        "/author/nobody/atom.xml",
    ] {
        assert_eq!(
            site.get(missing).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    // Conditional GET.
    let first = site.get("/feed.xml").await;
    let etag = first.headers()[header::ETAG].clone();
    let again = site
        .client
        .get(format!("{}/feed.xml", site.base))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn every_page_announces_its_feeds() {
    let site = common::start(None).await;
    let feed_links = |html: &Html| {
        html.select(&sel("head link[rel=alternate][type]"))
            .filter_map(|e| {
                Some((
                    e.value().attr("type")?.to_owned(),
                    e.value().attr("href")?.to_owned(),
                ))
            })
            .collect::<Vec<_>>()
    };
    let (_, home) = site.page("/").await;
    let links = feed_links(&home);
    for (kind, href) in [
        ("application/rss+xml", "/feed.xml"),
        ("application/atom+xml", "/atom.xml"),
        ("application/feed+json", "/feed.json"),
    ] {
        assert!(
            links.contains(&(kind.to_owned(), href.to_owned())),
            "{links:?}"
        );
    }
    let (_, section) = site.page("/news/world").await;
    assert!(feed_links(&section).contains(&(
        "application/rss+xml".to_owned(),
        "/news/world/feed.xml".to_owned()
    )));
    let (_, tag) = site.page("/tag/iraq").await;
    assert!(feed_links(&tag).contains(&(
        "application/atom+xml".to_owned(),
        "/tag/iraq/atom.xml".to_owned()
    )));
    let (_, author) = site.page("/author/aisha-bello").await;
    assert!(feed_links(&author).contains(&(
        "application/feed+json".to_owned(),
        "/author/aisha-bello/feed.json".to_owned()
    )));
}

/// Validates with xmllint against the committed schemas; required under CI.
fn validate(xml: &str, schema: &str) {
    let xmllint = Path::new("/usr/bin/xmllint");
    if !xmllint.exists() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but xmllint is missing (apt-get install libxml2-utils)");
        }
        eprintln!("SKIPPED schema validation: install libxml2-utils for xmllint");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).expect("write");
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas")
        .join(schema);
    let output = std::process::Command::new(xmllint)
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("run xmllint");
    assert!(
        output.status.success(),
        "{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn sitemaps_list_everything_and_validate() {
    let site = common::start(None).await;
    let (status, ct, index) = body(&site, "/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("application/xml"));
    validate(&index, "siteindex.xsd");
    let doc = Html::parse_document(&index);
    let files: Vec<String> = doc
        .select(&sel("sitemap > loc"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(files.len(), 6, "{files:?}");

    let mut all_urls = Vec::new();
    for file in &files {
        let path = file
            .strip_prefix(PRIMARY)
            .expect("absolute on the primary host");
        let (status, _, xml) = body(&site, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        validate(&xml, "sitemap.xsd");
        let doc = Html::parse_document(&xml);
        let urls: Vec<String> = doc
            .select(&sel("url > loc"))
            .map(|e| e.text().collect())
            .collect();
        if path.ends_with("articles-1.xml") {
            assert_eq!(urls.len(), 33);
            assert!(xml.contains(
                "<image:loc>https://meridian-ledger.example/media/storm-sea.jpg</image:loc>"
            ));
            assert!(xml.contains("<image:caption>Heavy seas off the coast.</image:caption>"));
        }
        if path.ends_with("news.xml") {
            // Demo stories published within two days: everything up to 48 hours old.
            let recent = include_str!("../../demo/content/articles.txt")
                .lines()
                .filter_map(|l| l.strip_prefix("hours_ago: "))
                .filter(|h| h.parse::<i64>().is_ok_and(|h| h < 48))
                .count();
            assert_eq!(urls.len(), recent, "{xml}");
            assert!(xml.contains("<news:name>The Meridian Ledger</news:name>"));
            assert!(xml.contains("<news:language>fa</news:language>"));
        }
        all_urls.extend(urls);
    }
    // Every URL listed is served.
    for url in &all_urls {
        let path = url
            .strip_prefix(PRIMARY)
            .expect("absolute on the primary host");
        let encoded: String = path
            .split('/')
            .map(|s| {
                percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
                    .replace("%2D", "-")
                    .replace("%2E", ".")
            })
            .collect::<Vec<_>>()
            .join("/");
        assert_eq!(site.get(&encoded).await.status(), StatusCode::OK, "{url}");
    }
    assert!(all_urls.contains(&format!("{PRIMARY}/news/middle-east/iraq")));
    assert!(all_urls.contains(&format!("{PRIMARY}/tag/iraq")));
    assert!(all_urls.contains(&format!("{PRIMARY}/author/mina-rahimi")));
    assert!(all_urls.contains(&format!("{PRIMARY}/page/about")));

    let (status, ct, robots) = body(&site, "/robots.txt").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/plain"));
    assert!(robots
        .lines()
        .any(|l| l == format!("Sitemap: {PRIMARY}/sitemap.xml")));
    assert_eq!(
        site.get("/sitemaps/articles-2.xml").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        site.get("/sitemaps/nothing.xml").await.status(),
        StatusCode::NOT_FOUND
    );
}

fn json_ld(html: &Html) -> Vec<Value> {
    html.select(&sel("script[type='application/ld+json']"))
        .map(|e| {
            serde_json::from_str::<Value>(&e.text().collect::<String>()).expect("JSON-LD parses")
        })
        .flat_map(|v| v["@graph"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn articles_carry_news_article_json_ld_and_share_cards() {
    let site = common::start(None).await;
    let path = site.path_of("storm-fleet-rescue-north-sea").await;
    let (_, html) = site.page(&path).await;
    let url = format!("{PRIMARY}{path}");
    let graph = json_ld(&html);
    let article = graph
        .iter()
        .find(|n| n["@type"] == "NewsArticle")
        .expect("NewsArticle");
    assert_eq!(
        article["headline"],
        "Lifeboat crews rescue 23 from stricken cargo ship in North Sea storm"
    );
    assert_eq!(article["mainEntityOfPage"]["@id"], url);
    assert_eq!(article["articleSection"], "World");
    assert_eq!(article["inLanguage"], "en");
    assert_eq!(article["publisher"]["name"], "The Meridian Ledger");
    let logo = article["publisher"]["logo"]["url"]
        .as_str()
        .expect("logo")
        .to_owned();
    let logo = site
        .get(logo.strip_prefix(PRIMARY).expect("on the primary host"))
        .await;
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        article["image"][0]["url"],
        format!("{PRIMARY}/media/storm-sea.jpg")
    );
    assert_eq!(article["image"][0]["width"], 1200);
    for key in ["datePublished", "dateModified"] {
        let value = article[key].as_str().expect(key);
        assert!(
            chrono::DateTime::parse_from_rfc3339(value).is_ok(),
            "{key}: {value}"
        );
    }
    assert_eq!(article["author"][0]["name"], "Staff and agencies");

    let breadcrumbs = graph
        .iter()
        .find(|n| n["@type"] == "BreadcrumbList")
        .expect("BreadcrumbList");
    let names: Vec<_> = breadcrumbs["itemListElement"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    let visible: Vec<String> = html
        .select(&sel(".breadcrumbs li"))
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect();
    assert_eq!(
        names, visible,
        "structured breadcrumbs match the visible ones"
    );

    assert_eq!(meta(&html, "og:type"), vec!["article"]);
    assert_eq!(meta(&html, "og:url"), vec![url.clone()]);
    assert_eq!(
        meta(&html, "og:title"),
        vec!["Lifeboat crews rescue 23 from stricken cargo ship in North Sea storm"]
    );
    assert_eq!(
        meta(&html, "og:image"),
        vec![format!("{PRIMARY}/media/storm-sea.jpg")]
    );
    assert_eq!(meta(&html, "og:image:width"), vec!["1200"]);
    assert_eq!(meta(&html, "og:image:height"), vec!["675"]);
    assert_eq!(meta(&html, "twitter:card"), vec!["summary_large_image"]);
    assert_eq!(meta(&html, "article:section"), vec!["World"]);
    assert_eq!(meta(&html, "article:tag"), vec!["Maritime", "Weather"]);
    assert_eq!(meta(&html, "article:published_time").len(), 1);
    assert_eq!(meta(&html, "article:modified_time").len(), 1);
    assert!(!meta(&html, "og:description")[0].is_empty());

    // An article with a staff byline links its author.
    let (_, tigris) = site
        .page(&site.path_of("tigris-water-deal-signed").await)
        .await;
    let node = json_ld(&tigris)
        .into_iter()
        .find(|n| n["@type"] == "NewsArticle")
        .expect("NewsArticle");
    assert_eq!(
        node["author"][0]["url"],
        format!("{PRIMARY}/author/mina-rahimi")
    );
}

#[tokio::test]
async fn home_describes_the_site_and_every_page_has_a_description() {
    let site = common::start(None).await;
    let (_, home) = site.page("/").await;
    let graph = json_ld(&home);
    assert!(graph
        .iter()
        .any(|n| n["@type"] == "WebSite" && n["url"] == format!("{PRIMARY}/")));
    assert!(graph
        .iter()
        .any(|n| n["@type"] == "NewsMediaOrganization" && n["name"] == "The Meridian Ledger"));
    assert_eq!(meta(&home, "og:type"), vec!["website"]);
    for path in [
        "/",
        "/news",
        "/tag/iraq",
        "/author/mina-rahimi",
        "/page/about",
        "/no-such-page",
        &site.path_of("harbour-fc-cup-run").await,
    ] {
        let (_, html) = site.page(path).await;
        let description = meta(&html, "description");
        assert_eq!(description.len(), 1, "{path}");
        assert!(!description[0].trim().is_empty(), "{path}");
    }
}

#[tokio::test]
async fn translations_link_each_other_with_hreflang() {
    let site = common::start(None).await;
    let english = site.path_of("tigris-water-deal-signed").await;
    let persian = site.path_of("tavafogh-ab-dejle").await;
    let (_, en) = site.page(&english).await;
    let read_in: Vec<_> = en
        .select(&sel(".read-in a"))
        .map(|a| {
            (
                a.value().attr("hreflang").unwrap_or_default().to_owned(),
                a.value().attr("href").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(read_in, vec![("fa".to_owned(), persian.clone())]);
    let alternates = |html: &Html| {
        let mut v: Vec<_> = html
            .select(&sel("link[rel=alternate][hreflang]"))
            .map(|l| {
                (
                    l.value().attr("hreflang").unwrap_or_default().to_owned(),
                    l.value().attr("href").unwrap_or_default().to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let expected = vec![
        ("en".to_owned(), format!("{PRIMARY}{english}")),
        ("fa".to_owned(), format!("{PRIMARY}{persian}")),
        ("x-default".to_owned(), format!("{PRIMARY}{english}")),
    ];
    assert_eq!(alternates(&en), expected);
    let (_, fa) = site.page(&persian).await;
    assert_eq!(
        alternates(&fa),
        expected,
        "both versions carry the same set"
    );
    assert_eq!(fa.select(&sel(".read-in a[hreflang=en]")).count(), 1);
    // Articles without translations carry none.
    let (_, lone) = site.page(&site.path_of("harbour-fc-cup-run").await).await;
    assert!(alternates(&lone).is_empty());
}
