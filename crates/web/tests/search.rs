//! Search as readers and partner sites use it: the page, the API, live updates and bad queries.

mod common;

use broadsheet_domain::{ArticleStatus, Slug};
use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::Value;
use std::time::Duration;

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

async fn result_links(site: &common::Site, query: &str) -> Vec<String> {
    let url = format!(
        "/search?q={}",
        percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC)
    );
    let (status, html) = site.page(&url).await;
    assert_eq!(status, StatusCode::OK, "{query}");
    html.select(&sel(".search-results h2 a"))
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn readers_find_stories_in_any_language_from_every_page() {
    let site = common::start(None).await;
    let (_, home) = site.page("/").await;
    let form = home
        .select(&sel("header form[role=search]"))
        .next()
        .expect("search form in the header");
    assert_eq!(form.value().attr("action"), Some("/search"));

    let tigris = site.path_of("tigris-water-deal-signed").await;
    let found = result_links(&site, "Tigris agreement").await;
    assert_eq!(found.first(), Some(&tigris));
    let (_, page) = site.page("/search?q=gauging").await;
    let snippet: String = page
        .select(&sel(".snippet"))
        .next()
        .expect("snippet")
        .inner_html();
    assert!(snippet.contains("<b>gauging</b>"), "{snippet}");

    // Persian typed with the Arabic kaf finds the Persian story.
    let persian = site.path_of("ketab-bazar-tehran").await;
    assert!(result_links(&site, "نمايشگاه كتاب")
        .await
        .contains(&persian));
    // English stemming: "raids" finds nothing unrelated, "elections" finds the island vote.
    let island = site.path_of("election-day-in-the-islands").await;
    assert!(result_links(&site, "elections").await.contains(&island));
    // A phrase.
    let buses = site.path_of("city-council-approves-night-buses").await;
    assert!(result_links(&site, "\"night buses\"")
        .await
        .contains(&buses));

    // The Tigris story exists in English and Persian; the language filter keeps one.
    let query = percent_encoding::utf8_percent_encode("دجله", percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    let (_, filtered) = site.page(&format!("/search?q={query}&language=fa")).await;
    let langs: Vec<_> = filtered
        .select(&sel(".search-results li"))
        .filter_map(|li| li.value().attr("lang").map(str::to_owned))
        .collect();
    assert!(
        !langs.is_empty() && langs.iter().all(|l| l == "fa"),
        "{langs:?}"
    );
}

#[tokio::test]
async fn the_index_follows_publishing_within_a_second() {
    let site = common::start(None).await;
    let path = site.path_of("harbour-swimming-returns").await;
    let detail = site
        .store
        .article_by_path(&path)
        .await
        .expect("q")
        .expect("article");
    let mut draft = detail.article.draft.clone();
    draft.slug = Slug::parse("harbour-regatta").expect("slug");
    draft.headline = "Zanzibarian regatta fills the harbour".into();
    draft.translation_group = None;
    let created = site.store.create_article(&draft).await.expect("publish");
    let mut found = Vec::new();
    for _ in 0..20 {
        found = result_links(&site, "zanzibarian").await;
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(found, vec![created.path.clone()]);

    draft.status = ArticleStatus::Unpublished;
    site.store
        .update_article(created.id, None, &draft)
        .await
        .expect("unpublish");
    for _ in 0..20 {
        found = result_links(&site, "zanzibarian").await;
        if found.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(found.is_empty(), "unpublished stories leave the index");
}

#[tokio::test]
async fn bad_queries_get_a_page_never_an_error() {
    let site = common::start(None).await;
    let long = "harbour ".repeat(1_300);
    for query in [
        "\"unbalanced quote",
        "AND OR NOT",
        "((( )))",
        "*",
        "-",
        "",
        "%00",
        &long,
    ] {
        let url = format!(
            "/search?q={}",
            percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC)
        );
        let response = site.get(&url).await;
        assert_eq!(response.status(), StatusCode::OK, "{query:?}");
        let html = Html::parse_document(&response.text().await.expect("body"));
        assert!(html.select(&sel("form.search-form-large")).next().is_some());
    }
    assert_eq!(
        site.get("/search?q=x&page=abc").await.status(),
        StatusCode::BAD_REQUEST
    );
    // Paging through results keeps the filters.
    let (_, page) = site.page("/search?q=the&language=en&per=1").await;
    let next = page
        .select(&sel(".pager a[rel=next]"))
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("a next page");
    assert!(
        next.starts_with("/search?q=the&language=en") && next.ends_with("&page=2"),
        "{next}"
    );
    assert_eq!(
        site.get("/search?q=x&section=nowhere").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_search_api_answers_json() {
    let site = common::start(None).await;
    let response = site.get("/api/content/search?q=football&per_page=2").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["total"], 3);
    // A date range: nothing in the future, everything since 2000.
    let future: Value = site
        .get("/api/content/search?q=football&from=2999-01-01")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(future["total"], 0);
    let past: Value = site
        .get("/api/content/search?q=football&from=2000-01-01&to=2999-12-31")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(past["total"], 3);
    let bad = site.get("/search?q=x&from=yesterday").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body["results"].as_array().map(Vec::len), Some(2));
    assert!(body["results"][0]["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://meridian-ledger.example/")));
    let (status, error) = {
        let r = site.get("/api/content/search?q=x&per_page=500").await;
        (r.status(), r.json::<Value>().await.expect("JSON"))
    };
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], "invalid_parameter");
}

#[tokio::test]
async fn misspelt_searches_suggest_the_words_the_site_uses() {
    let site = common::start(None).await;
    assert!(result_links(&site, "Tigirs agreemnt").await.is_empty());
    let (status, page) = site.page("/search?q=Tigirs%20agreemnt").await;
    assert_eq!(status, StatusCode::OK);
    let link = page
        .select(&sel(".suggestion a"))
        .next()
        .expect("a suggestion");
    assert_eq!(link.text().collect::<String>(), "tigris agreement");
    let href = link.value().attr("href").expect("href").to_owned();
    // Following it finds the story.
    let (_, found) = site.page(&href).await;
    let tigris = site.path_of("tigris-water-deal-signed").await;
    assert!(found
        .select(&sel(".search-results h2 a"))
        .any(|a| a.value().attr("href") == Some(tigris.as_str())));
    // The API says the same; a query that matches, or has no near word, suggests nothing.
    let api: Value = site
        .get("/api/content/search?q=harbuor")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(api["total"], 0);
    assert_eq!(api["suggestion"], "harbour");
    let api: Value = site
        .get("/api/content/search?q=harbour")
        .await
        .json()
        .await
        .expect("JSON");
    assert!(api["suggestion"].is_null());
    let api: Value = site
        .get("/api/content/search?q=qqqqzzzzxxxx")
        .await
        .json()
        .await
        .expect("JSON");
    assert!(api["suggestion"].is_null());
}
