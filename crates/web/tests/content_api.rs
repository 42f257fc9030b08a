//! The public Content API over HTTP: filters, paging, single articles, CORS, ETags and
//! JSON errors with stable codes.

mod common;

use reqwest::{header, Method, StatusCode};
use serde_json::Value;

const PRIMARY: &str = "https://meridian-ledger.example";

async fn json(site: &common::Site, path: &str) -> (StatusCode, Value) {
    let response = site.get(path).await;
    let status = response.status();
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("application/json"),
        "{path}"
    );
    (
        status,
        response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{path}: not JSON: {e}")),
    )
}

fn headlines(list: &Value) -> Vec<String> {
    list["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .map(|a| a["headline"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn lists_filter_and_page_articles() {
    let site = common::start(None).await;
    let (status, all) = json(&site, "/api/content/articles").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["total"], 33);
    assert_eq!(all["per_page"], 20);
    assert_eq!(all["articles"].as_array().map(Vec::len), Some(20));
    let first = &all["articles"][0];
    for field in [
        "id",
        "url",
        "path",
        "headline",
        "language",
        "published_at",
        "updated_at",
        "section",
    ] {
        assert!(!first[field].is_null(), "{field}");
    }
    assert!(first["url"]
        .as_str()
        .is_some_and(|u| u.starts_with(PRIMARY)));

    let (_, page2) = json(&site, "/api/content/articles?per_page=20&page=2").await;
    assert_eq!(page2["articles"].as_array().map(Vec::len), Some(13));
    let (_, big) = json(&site, "/api/content/articles?per_page=100").await;
    assert_eq!(big["articles"].as_array().map(Vec::len), Some(33));

    let (_, iraq) = json(&site, "/api/content/articles?section=news/middle-east/iraq").await;
    assert_eq!(iraq["total"], 2);
    let (_, middle_east) = json(&site, "/api/content/articles?section=news/middle-east").await;
    assert_eq!(middle_east["total"], 4, "subsections included");
    let (_, tagged) = json(&site, "/api/content/articles?tag=football").await;
    assert_eq!(tagged["total"], 3);
    let (_, by) = json(
        &site,
        "/api/content/articles?author=mina-rahimi&language=fa",
    )
    .await;
    assert_eq!(
        headlines(&by),
        vec!["سدهای بالادست بر پایه توافق تازه دجله آب بیشتری رها می‌کنند"]
    );
    assert_eq!(by["articles"][0]["direction"], "rtl");
    let (_, persian) = json(&site, "/api/content/articles?language=fa").await;
    assert_eq!(persian["total"], 5);
    let (_, future) = json(
        &site,
        "/api/content/articles?updated_since=2999-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(future["total"], 0);
    let (_, past) = json(
        &site,
        "/api/content/articles?updated_since=2000-01-01T00:00:00%2B02:00",
    )
    .await;
    assert_eq!(past["total"], 33);
}

#[tokio::test]
async fn single_articles_by_id_and_path() {
    let site = common::start(None).await;
    let path = site.path_of("tigris-water-deal-signed").await;
    let (status, by_path) = json(&site, &format!("/api/content/article?path={path}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        by_path["headline"],
        "Upstream dams to release more water under new Tigris agreement"
    );
    assert_eq!(by_path["url"], format!("{PRIMARY}{path}"));
    assert_eq!(by_path["bylines"][0]["name"], "Mina Rahimi");
    assert_eq!(
        by_path["bylines"][0]["url"],
        format!("{PRIMARY}/author/mina-rahimi")
    );
    assert_eq!(by_path["section"]["path"], "/news/middle-east/iraq");
    assert!(by_path["body_html"]
        .as_str()
        .is_some_and(|b| b.contains("<blockquote>")));
    assert_eq!(
        by_path["lead_image"]["caption"],
        "Morning light over the river."
    );
    assert_eq!(by_path["translations"][0]["language"], "fa");
    let tags: Vec<_> = by_path["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["slug"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(tags, vec!["iraq", "water", "agriculture"]);

    let id = by_path["id"].as_i64().expect("id");
    let (status, by_id) = json(&site, &format!("/api/content/articles/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id, by_path);

    let (_, sections) = json(&site, "/api/content/sections").await;
    let iraq = sections["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["path"] == "/news/middle-east/iraq")
        .cloned()
        .expect("iraq");
    assert_eq!(iraq["parent_path"], "/news/middle-east");
    let (_, tags) = json(&site, "/api/content/tags").await;
    assert!(tags["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .any(|t| t["slug"] == "iraq"));
    let (_, authors) = json(&site, "/api/content/authors").await;
    assert_eq!(authors["authors"].as_array().map(Vec::len), Some(6));
    let (_, choice) = json(&site, "/api/content/collections/editors-choice").await;
    assert_eq!(choice["name"], "Editor's Choice");
    assert_eq!(choice["articles"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn bad_requests_get_json_errors_with_stable_codes() {
    let site = common::start(None).await;
    for (path, status, code) in [
        (
            "/api/content/articles?per_page=101",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles?per_page=0",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles?page=abc",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles?section=nowhere",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles?tag=%ff",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles?author=nobody",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles?language=english!",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles?updated_since=yesterday",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles/abc",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles/99999999999999999999",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/articles/424242",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "/api/content/article",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/content/article?path=/nope",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "/api/content/collections/none",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "/api/content/nothing-here",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let (got, body) = json(&site, path).await;
        assert_eq!(got, status, "{path}");
        assert_eq!(body["error"]["code"], code, "{path}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{path}"
        );
    }
    let post = site
        .client
        .post(format!("{}/api/content/articles", site.base))
        .body("{}")
        .send()
        .await
        .expect("post");
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = post.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn any_origin_may_read_and_etags_save_transfers() {
    let site = common::start(None).await;
    let url = format!("{}/api/content/articles?tag=iraq", site.base);
    let response = site
        .client
        .get(&url)
        .header(header::ORIGIN, "https://partner.example")
        .send()
        .await
        .expect("get");
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .contains("etag"));
    let etag = response.headers()[header::ETAG].clone();
    let again = site
        .client
        .get(&url)
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let preflight = site
        .client
        .request(Method::OPTIONS, &url)
        .header(header::ORIGIN, "https://partner.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .send()
        .await
        .expect("preflight");
    assert!(preflight.status().is_success());
    assert!(preflight.headers()[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap_or_default()
        .contains("GET"));

    let (status, doc) = json(&site, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/content/articles",
        "/api/content/articles/{id}",
        "/api/content/article",
        "/api/content/sections",
        "/api/content/tags",
        "/api/content/authors",
        "/api/content/collections/{slug}",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} is documented"
        );
    }
}
