//! The public, read-only Content API under `/api/content/`: JSON for partner sites and
//! apps. Responses are cached and carry ETags like pages; CORS allows any origin to read;
//! errors are JSON with a stable `code`. Described in `/api/openapi.json`.

use crate::{respond, AppError, SharedApp};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use broadsheet_domain::{
    ArticleDetail, ArticleSummary, Language, Media, SectionTree, SiteSettings, Slug,
};
use broadsheet_render::markdown::to_safe_html;
use broadsheet_storage::Listing;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

pub const MAX_PER_PAGE: u32 = 100;
const DEFAULT_PER_PAGE: u32 = 20;
const JSON: &str = "application/json; charset=utf-8";
const OPENAPI: &str = include_str!("../openapi.json");

pub fn router() -> Router<SharedApp> {
    let cors = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([axum::http::header::IF_NONE_MATCH])
        .expose_headers([axum::http::header::ETAG])
        .max_age(std::time::Duration::from_secs(86_400));
    Router::new()
        .route("/articles", get(articles))
        .route("/articles/{id}", get(article_by_id))
        .route("/article", get(article_by_path))
        .route("/sections", get(sections))
        .route("/tags", get(tags))
        .route("/authors", get(authors))
        .route("/collections/{slug}", get(collection))
        .route("/search", get(search))
        .fallback(|| async { ApiError::from(AppError::NotFound).into_response() })
        .method_not_allowed_fallback(|| async {
            ApiError {
                status: StatusCode::METHOD_NOT_ALLOWED,
                code: "method_not_allowed",
                message: "The Content API only reads: use GET.".into(),
            }
            .into_response()
        })
        .layer(cors)
}

pub async fn openapi() -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static(JSON),
        )],
        OPENAPI,
    )
        .into_response()
}

/// A JSON error: `{"error": {"code": "...", "message": "..."}}`.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn invalid(name: &str, message: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameter",
            message: format!("{name}: {message}"),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = e.status();
        let code = match e {
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::UriTooLong => "uri_too_long",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Internal(ref detail) => {
                tracing::error!(%detail, "content API request failed");
                "internal_error"
            }
        };
        let message = match e {
            AppError::NotFound => "Nothing published is at this address.".into(),
            AppError::Internal(_) => "The server could not answer just now; try again.".into(),
            other => other.to_string(),
        };
        ApiError {
            status,
            code,
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (
            self.status,
            [(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static(JSON),
            )],
            body.to_string(),
        )
            .into_response();
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
        response
    }
}

type ApiResult = Result<Response, ApiError>;

/// Serves a JSON body from the page cache under the request's path and query.
async fn cached_json(
    app: &SharedApp,
    key: String,
    headers: &HeaderMap,
    body: impl std::future::Future<Output = Result<Value, AppError>>,
) -> ApiResult {
    let render = async {
        Ok((
            serde_json::to_string(&body.await?).map_err(|e| AppError::Internal(e.to_string()))?,
            JSON,
        ))
    };
    Ok(respond::cached(app, format!("api:{key}"), headers, render).await?)
}

fn params(query: &Option<String>) -> Vec<(String, String)> {
    query
        .as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn number(
    params: &[(String, String)],
    name: &str,
    default: u32,
    max: u32,
) -> Result<u32, ApiError> {
    match param(params, name) {
        None | Some("") => Ok(default),
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid(
                name,
                format!("must be a whole number from 1 to {max}"),
            )),
        },
    }
}

async fn articles(
    State(app): State<SharedApp>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let params = params(&query);
    let page = number(&params, "page", 1, broadsheet_domain::paging::MAX_PAGE)?;
    let per_page = number(&params, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)?;
    let chrome = app.chrome().await.map_err(AppError::from)?;
    let tree = &chrome.tree;
    let mut listing = Listing {
        offset: u64::from(page - 1) * u64::from(per_page),
        limit: per_page,
        ..Listing::default()
    };
    if let Some(path) = param(&params, "section") {
        let names: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let section = tree
            .find_by_slugs(&names)
            .ok_or_else(|| ApiError::invalid("section", format!("no section at {path:?}")))?;
        listing.section_ids = Some(tree.with_descendants(section.id));
    }
    if let Some(slug) = param(&params, "tag") {
        let tag = match Slug::parse(slug) {
            Ok(slug) => app.store.tag_by_slug(&slug).await.map_err(AppError::from)?,
            Err(_) => None,
        };
        listing.tag_id = Some(
            tag.ok_or_else(|| ApiError::invalid("tag", format!("no tag {slug:?}")))?
                .id,
        );
    }
    if let Some(slug) = param(&params, "author") {
        let author = match Slug::parse(slug) {
            Ok(slug) => app
                .store
                .author_by_slug(&slug)
                .await
                .map_err(AppError::from)?,
            Err(_) => None,
        };
        listing.author_id = Some(
            author
                .ok_or_else(|| ApiError::invalid("author", format!("no author {slug:?}")))?
                .id,
        );
    }
    if let Some(raw) = param(&params, "language") {
        listing.language =
            Some(Language::parse(raw).map_err(|e| ApiError::invalid("language", e.message))?);
    }
    if let Some(raw) = param(&params, "updated_since") {
        let since = DateTime::parse_from_rfc3339(raw).map_err(|_| {
            ApiError::invalid(
                "updated_since",
                "must be an RFC 3339 time such as 2026-11-28T09:00:00Z",
            )
        })?;
        listing.updated_since = Some(since.with_timezone(&Utc));
    }
    let key = format!("/articles?{}", query.unwrap_or_default());
    let body = async {
        let (items, total) = app.store.list_published(&listing).await?;
        Ok(json!({
            "articles": items.iter().map(|a| summary_json(&app.settings, tree, a)).collect::<Vec<_>>(),
            "page": page,
            "per_page": per_page,
            "total": total,
        }))
    };
    cached_json(&app, key, &headers, body).await
}

async fn article_by_id(
    State(app): State<SharedApp>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult {
    let Path(raw) = id.map_err(|e| ApiError::invalid("id", e.body_text()))?;
    let id: i64 = raw
        .parse()
        .map_err(|_| ApiError::invalid("id", "must be a whole number"))?;
    let article = app
        .store
        .article(id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    article_response(&app, &article.path, &headers).await
}

async fn article_by_path(
    State(app): State<SharedApp>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let params = params(&query);
    let path = param(&params, "path").ok_or_else(|| {
        ApiError::invalid("path", "is required, e.g. ?path=/news/2026/11/28/a-story")
    })?;
    article_response(&app, path, &headers).await
}

async fn article_response(app: &SharedApp, path: &str, headers: &HeaderMap) -> ApiResult {
    let body = async {
        let chrome = app.chrome().await?;
        let detail = app
            .store
            .article_by_path(path)
            .await?
            .filter(|d| d.is_public(Utc::now()))
            .ok_or(AppError::NotFound)?;
        let translations = app.store.translations_of(&detail.article).await?;
        Ok(detail_json(
            &app.settings,
            &chrome.tree,
            &detail,
            &translations,
        ))
    };
    cached_json(app, format!("/article?{path}"), headers, body).await
}

async fn sections(State(app): State<SharedApp>, headers: HeaderMap) -> ApiResult {
    let body = async {
        let chrome = app.chrome().await?;
        let tree = &chrome.tree;
        let sections: Vec<Value> = tree
            .all()
            .map(|s| {
                json!({
                    "id": s.id,
                    "name": s.name,
                    "path": tree.path(s.id),
                    "url": app.settings.absolute_url(tree.path(s.id).unwrap_or("/")),
                    "parent_path": s.parent_id.and_then(|p| tree.path(p)),
                    "description": s.description,
                    "language": s.language.as_ref().map(Language::to_string),
                })
            })
            .collect();
        Ok(json!({ "sections": sections }))
    };
    cached_json(&app, "/sections".into(), &headers, body).await
}

async fn tags(State(app): State<SharedApp>, headers: HeaderMap) -> ApiResult {
    let body = async {
        let tags: Vec<Value> = app
            .store
            .tags_in_use()
            .await?
            .iter()
            .map(|t| json!({ "slug": t.slug, "name": t.name, "url": app.settings.absolute_url(&format!("/tag/{}", t.slug)) }))
            .collect();
        Ok(json!({ "tags": tags }))
    };
    cached_json(&app, "/tags".into(), &headers, body).await
}

async fn authors(State(app): State<SharedApp>, headers: HeaderMap) -> ApiResult {
    let body = async {
        let authors: Vec<Value> = app
            .store
            .authors()
            .await?
            .iter()
            .map(|a| json!({ "slug": a.slug, "name": a.name, "bio": a.bio, "url": app.settings.absolute_url(&format!("/author/{}", a.slug)) }))
            .collect();
        Ok(json!({ "authors": authors }))
    };
    cached_json(&app, "/authors".into(), &headers, body).await
}

async fn collection(
    State(app): State<SharedApp>,
    slug: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult {
    let Path(raw) = slug.map_err(|e| ApiError::invalid("slug", e.body_text()))?;
    let slug = Slug::parse(&raw).map_err(|_| AppError::NotFound)?;
    let key = format!("/collections/{slug}");
    let body = async {
        let chrome = app.chrome().await?;
        let collection = app
            .store
            .collection(&slug)
            .await?
            .ok_or(AppError::NotFound)?;
        let items = app.store.collection_articles(&slug, MAX_PER_PAGE).await?;
        Ok(json!({
            "slug": collection.slug,
            "name": collection.name,
            "articles": items.iter().map(|a| summary_json(&app.settings, &chrome.tree, a)).collect::<Vec<_>>(),
        }))
    };
    cached_json(&app, key, &headers, body).await
}

async fn search(State(app): State<SharedApp>, RawQuery(query): RawQuery) -> ApiResult {
    let params = params(&query);
    let page = number(&params, "page", 1, broadsheet_domain::paging::MAX_PAGE)?;
    let per_page = number(&params, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)?;
    let text = param(&params, "q").unwrap_or_default().to_owned();
    let mut search = broadsheet_search::SearchQuery {
        text: text.clone(),
        offset: ((page - 1) * per_page) as usize,
        limit: per_page as usize,
        ..Default::default()
    };
    if let Some(path) = param(&params, "section") {
        let chrome = app.chrome().await.map_err(AppError::from)?;
        let names: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let section = chrome
            .tree
            .find_by_slugs(&names)
            .ok_or_else(|| ApiError::invalid("section", format!("no section at {path:?}")))?;
        search.section_ids = Some(chrome.tree.with_descendants(section.id));
    }
    for (name, end_of_day) in [("from", false), ("to", true)] {
        if let Some(raw) = param(&params, name) {
            let time =
                broadsheet_domain::dates::parse_filter_time(raw, end_of_day).ok_or_else(|| {
                    ApiError::invalid(
                        name,
                        "must be a date such as 2026-11-28 or an RFC 3339 time",
                    )
                })?;
            if end_of_day {
                search.to = Some(time);
            } else {
                search.from = Some(time);
            }
        }
    }
    if let Some(raw) = param(&params, "language") {
        search.language = Some(
            Language::parse(raw)
                .map_err(|e| ApiError::invalid("language", e.message))?
                .to_string(),
        );
    }
    let results = crate::search::run(&app, &search).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "search_unavailable",
            "The search index is being prepared; try again shortly.",
        )
    })?;
    let body = json!({
        "query": text,
        "total": results.total,
        "suggestion": results.suggestion,
        "page": page,
        "per_page": per_page,
        "results": results.hits.iter().map(|h| json!({
            "id": h.id,
            "url": app.settings.absolute_url(&h.path),
            "path": h.path,
            "headline": h.headline,
            "snippet_html": h.snippet,
            "language": h.language,
            "published_at": time(h.published),
        })).collect::<Vec<_>>(),
    });
    let mut response = (
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static(JSON),
        )],
        body.to_string(),
    )
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    Ok(response)
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn image_json(settings: &SiteSettings, media: &Media) -> Value {
    json!({
        "url": settings.absolute_url(&format!("/media/{}", media.file_name)),
        "width": media.width,
        "height": media.height,
        "alt": media.alt,
        "caption": media.caption,
        "credit": media.credit,
        "file_photo": media.file_photo,
    })
}

fn section_json(settings: &SiteSettings, tree: &SectionTree, id: i64) -> Value {
    match (tree.get(id), tree.path(id)) {
        (Some(s), Some(path)) => {
            json!({ "name": s.name, "path": path, "url": settings.absolute_url(path) })
        }
        _ => Value::Null,
    }
}

fn summary_json(settings: &SiteSettings, tree: &SectionTree, a: &ArticleSummary) -> Value {
    json!({
        "id": a.id,
        "url": settings.absolute_url(&a.path),
        "path": a.path,
        "headline": a.headline,
        "standfirst": a.standfirst,
        "language": a.language.to_string(),
        "direction": a.language.direction().as_str(),
        "section": section_json(settings, tree, a.section_id),
        "published_at": time(a.published_at),
        "updated_at": time(a.updated_at),
        "lead_image": a.lead.as_ref().map(|m| image_json(settings, m)),
    })
}

fn detail_json(
    settings: &SiteSettings,
    tree: &SectionTree,
    d: &ArticleDetail,
    translations: &[ArticleSummary],
) -> Value {
    let draft = &d.article.draft;
    json!({
        "id": d.article.id,
        "url": settings.absolute_url(&d.article.path),
        "path": d.article.path,
        "headline": draft.headline,
        "standfirst": draft.standfirst,
        "language": draft.language.to_string(),
        "direction": draft.language.direction().as_str(),
        "section": section_json(settings, tree, draft.section_id),
        "dateline": draft.dateline,
        "bylines": d.bylines.iter().map(|b| json!({
            "name": b.name,
            "url": b.author_slug.as_ref().map(|s| settings.absolute_url(&format!("/author/{s}"))),
        })).collect::<Vec<_>>(),
        "tags": d.tags.iter().map(|t| json!({ "slug": t.slug, "name": t.name })).collect::<Vec<_>>(),
        "published_at": draft.published_at.map(time),
        "updated_at": time(d.article.updated_at),
        "body_html": to_safe_html(&draft.body),
        "body_markdown": draft.body,
        "lead_image": d.lead.as_ref().map(|m| image_json(settings, m)),
        "translations": translations.iter().map(|t| json!({
            "id": t.id, "language": t.language.to_string(), "url": settings.absolute_url(&t.path), "headline": t.headline,
        })).collect::<Vec<_>>(),
    })
}
