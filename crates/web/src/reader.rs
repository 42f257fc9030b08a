//! The public pages: each route's data is loaded from the store and rendered once, then
//! served from the page cache until the content changes.

use crate::{distribution, respond, search, App, AppError};
use axum::http::{HeaderMap, Uri};
use axum::response::IntoResponse;
use axum::response::Response;
use broadsheet_domain::paging::page_count;
use broadsheet_domain::{
    ArticleSummary, FeedScope, PageNumber, Route, SiteSettings, Slug, TvFormat, TOP_STORIES,
};
use broadsheet_render::{ArticlePage, Chrome, HomePage, ListingPage, Pager, SectionPage};
use broadsheet_storage::Listing;
use chrono::Utc;

const PER_PAGE: u32 = 20;
const HOME_TOP_STORIES: u32 = 7;
const HOME_PER_SECTION: u32 = 4;
const RELATED: u32 = 4;
/// Videos on `/video` and in the TV feeds.
const MAX_VIDEOS: i64 = 200;

pub async fn page(app: &App, route: Route, uri: &Uri, host: &str, headers: &HeaderMap) -> Response {
    // Pages on a self-canonical host (the onion) name that host; they are cached apart.
    let data = match app.chrome().await {
        Ok(data) => data,
        Err(e) => return app.error_response(e.into()).await,
    };
    let local = data.settings.for_host(host);
    let settings = local.as_ref().unwrap_or(&data.settings);
    let path = canonical_path(&route, uri);
    // WordPress's own short links (`/?p=123`, `/?page_id=7`) of imported stories.
    if route == Route::Home {
        for name in ["p", "page_id"] {
            if let Some(id) =
                query_value(uri, name).filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
            {
                match app.store.redirect_target(&format!("/?{name}={id}")).await {
                    Ok(Some(target)) => return respond::redirect(&target),
                    Ok(None) => {}
                    Err(e) => return app.error_response(e.into()).await,
                }
            }
        }
    }
    let listing = matches!(route, Route::Section(_) | Route::Tag(_) | Route::Author(_));
    let page = if listing {
        match PageNumber::parse(query_value(uri, "page").as_deref()) {
            Ok(page) => page,
            Err(e) => return app.error_response(e.into()).await,
        }
    } else {
        PageNumber::FIRST
    };
    // Other query parameters (tracking tags and the like) do not change the page.
    let mut key = if page == PageNumber::FIRST {
        path.clone()
    } else {
        format!("{path}?page={}", page.get())
    };
    if local.is_some() {
        key = format!("{}|{key}", settings.primary_host);
    }
    match respond::cached(app, key, headers, render(app, settings, &route, page)).await {
        Ok(response) => response,
        Err(AppError::NotFound) => match app.store.redirect_target(&path).await {
            Ok(Some(target)) => respond::redirect(&target),
            Ok(None) => app.error_response(AppError::NotFound).await,
            Err(e) => app.error_response(e.into()).await,
        },
        Err(e) => app.error_response(e).await,
    }
}

const HTML: &str = "text/html; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";

async fn article_page(
    app: &App,
    chrome: &Chrome<'_>,
    editors_choice: &[ArticleSummary],
    detail: &broadsheet_domain::ArticleDetail,
) -> Result<String, AppError> {
    let store = &app.store;
    // Independent reads, asked for at once.
    let (related, translations) = tokio::try_join!(
        store.related(&detail.article, RELATED),
        store.translations_of(&detail.article),
    )?;
    let editors_choice: Vec<_> = editors_choice
        .iter()
        .filter(|a| a.id != detail.article.id)
        .cloned()
        .collect();
    Ok(app.renderer.article(
        chrome,
        &ArticlePage {
            detail,
            translations: &translations,
            related: &related,
            editors_choice: &editors_choice,
        },
    )?)
}

/// An article of any status as readers will see it once it is published: the newsroom's
/// preview.
pub(crate) async fn preview(
    app: &App,
    article: &broadsheet_domain::Article,
) -> Result<String, AppError> {
    let data = app.chrome().await?;
    let chrome = Chrome {
        settings: &data.settings,
        sections: &data.tree,
        pages: &data.pages,
    };
    let mut detail = app
        .store
        .article_by_path(&article.path)
        .await?
        .ok_or(AppError::NotFound)?;
    // A draft has no publication time yet; show the one it would get now.
    if detail.article.draft.published_at.is_none() {
        detail.article.draft.published_at = Some(Utc::now());
    }
    article_page(app, &chrome, &data.editors_choice, &detail).await
}

/// The body and content type of a route's page, feed or sitemap: the one code path for
/// the live server and the static export.
pub(crate) async fn render(
    app: &App,
    settings: &SiteSettings,
    route: &Route,
    page: PageNumber,
) -> Result<(String, &'static str), AppError> {
    let store = &app.store;
    // An article's own row does not depend on the chrome: after a change, when both must
    // be read again, they are read at once.
    let (data, article) = match route {
        Route::Article { .. } => {
            let path = canonical_path(route, &Uri::from_static("/"));
            let (data, article) = tokio::try_join!(app.chrome(), store.article_by_path(&path))?;
            (data, Some(article))
        }
        _ => (app.chrome().await?, None),
    };
    let chrome = Chrome {
        settings,
        sections: &data.tree,
        pages: &data.pages,
    };
    let html = match route {
        Route::Home => {
            let top = store
                .collection_articles(&slug(TOP_STORIES)?, HOME_TOP_STORIES)
                .await?;
            let front = if top.is_empty() {
                store
                    .list_published(&Listing {
                        limit: HOME_TOP_STORIES,
                        ..Listing::default()
                    })
                    .await?
                    .0
            } else {
                top
            };
            let shown: Vec<i64> = front.iter().map(|a| a.id).collect();
            let mut latest_by_section = Vec::new();
            for section in data.tree.children(None) {
                let listing = Listing {
                    section_ids: Some(data.tree.with_descendants(section.id)),
                    exclude: shown.clone(),
                    limit: HOME_PER_SECTION,
                    ..Listing::default()
                };
                latest_by_section.push((section.clone(), store.list_published(&listing).await?.0));
            }
            let home = HomePage {
                lead: front.first(),
                top_stories: front.get(1..).unwrap_or_default(),
                editors_choice: &data.editors_choice,
                latest_by_section: &latest_by_section,
            };
            app.renderer.home(&chrome, &home)?
        }
        Route::Section(slugs) => {
            let names: Vec<&str> = slugs.iter().map(Slug::as_str).collect();
            let section = data.tree.find_by_slugs(&names).ok_or(AppError::NotFound)?;
            let listing = Listing {
                section_ids: Some(data.tree.with_descendants(section.id)),
                offset: page.offset(PER_PAGE),
                limit: PER_PAGE,
                ..Listing::default()
            };
            let (articles, total) = store.list_published(&listing).await?;
            let pager = pager(data.tree.path(section.id).unwrap_or("/"), page, total)?;
            app.renderer.section(
                &chrome,
                &SectionPage {
                    section,
                    articles: &articles,
                    pager,
                },
            )?
        }
        Route::Article { .. } => {
            let detail = article.flatten().ok_or(AppError::NotFound)?;
            if !detail.is_public(Utc::now()) {
                return Err(AppError::NotFound);
            }
            article_page(app, &chrome, &data.editors_choice, &detail).await?
        }
        Route::Tag(tag_slug) => {
            let tag = store
                .tag_by_slug(tag_slug)
                .await?
                .ok_or(AppError::NotFound)?;
            let listing = Listing {
                tag_id: Some(tag.id),
                ..Listing::default()
            };
            listing_page(
                app,
                &chrome,
                listing,
                FeedScope::Tag(tag.slug.clone()),
                &tag.name,
                "",
                page,
            )
            .await?
        }
        Route::Author(author_slug) => {
            let author = store
                .author_by_slug(author_slug)
                .await?
                .ok_or(AppError::NotFound)?;
            let listing = Listing {
                author_id: Some(author.id),
                ..Listing::default()
            };
            let scope = FeedScope::Author(author.slug.clone());
            listing_page(
                app,
                &chrome,
                listing,
                scope,
                &author.name,
                &author.bio,
                page,
            )
            .await?
        }
        Route::Page(page_slug) => {
            let page = store
                .page_by_slug(page_slug)
                .await?
                .ok_or(AppError::NotFound)?;
            app.renderer.page(&chrome, &page)?
        }
        Route::Videos => app
            .renderer
            .videos(&chrome, &store.published_videos(MAX_VIDEOS).await?)?,
        Route::Video(video_slug) => {
            let video = store
                .video_by_slug(video_slug)
                .await?
                .filter(broadsheet_domain::Video::is_published)
                .ok_or(AppError::NotFound)?;
            app.renderer.video(&chrome, &video)?
        }
        Route::TvFeed(format) => {
            let videos = store.published_videos(MAX_VIDEOS).await?;
            let body = match format {
                TvFormat::Roku => broadsheet_render::tv::roku(settings, &videos, Utc::now()),
                TvFormat::Mrss => broadsheet_render::tv::mrss(settings, &videos, Utc::now()),
            };
            return Ok((body, format.content_type()));
        }
        Route::Feed(scope, format) => {
            return Ok((
                distribution::feed(app, &chrome, scope, *format).await?,
                format.content_type(),
            ));
        }
        Route::SitemapIndex => return Ok((distribution::sitemap_index(app).await?, XML)),
        Route::Sitemap(name) => {
            return Ok((distribution::sitemap(app, &data.tree, name).await?, XML))
        }
        Route::Robots => {
            return Ok((
                broadsheet_render::sitemaps::robots(&app.settings),
                "text/plain; charset=utf-8",
            ))
        }
        // Served by `routes::dispatch` without the cache, never here.
        Route::Asset(_)
        | Route::Search
        | Route::Media(_)
        | Route::Mirrors
        | Route::MirrorsBc2
        | Route::MirrorManifest
        | Route::Unknown => return Err(AppError::NotFound),
    };
    Ok((html, HTML))
}

/// A tag's or an author's page: one page of the articles `listing` selects.
async fn listing_page(
    app: &App,
    chrome: &Chrome<'_>,
    listing: Listing,
    scope: FeedScope,
    title: &str,
    intro: &str,
    page: PageNumber,
) -> Result<String, AppError> {
    let listing = Listing {
        offset: page.offset(PER_PAGE),
        limit: PER_PAGE,
        ..listing
    };
    let (articles, total) = app.store.list_published(&listing).await?;
    let pager = pager(&scope.page_path(), page, total)?;
    Ok(app.renderer.listing(
        chrome,
        &ListingPage {
            title,
            intro,
            scope,
            articles: &articles,
            pager,
        },
    )?)
}

/// `/search?q=...&section=...&language=...&page=N`: built per request, not cached.
pub async fn search_page(app: &App, uri: &Uri) -> Response {
    let result = async {
        let page = PageNumber::parse(query_value(uri, "page").as_deref())?;
        let text = query_value(uri, "q").unwrap_or_default();
        let data = app.chrome().await?;
        let mut query = broadsheet_search::SearchQuery {
            text: text.clone(),
            offset: usize::try_from(page.offset(PER_PAGE)).unwrap_or(usize::MAX),
            limit: PER_PAGE as usize,
            ..Default::default()
        };
        if let Some(path) = query_value(uri, "section").filter(|p| !p.is_empty()) {
            let names: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            let section = data
                .tree
                .find_by_slugs(&names)
                .ok_or_else(|| AppError::BadRequest(format!("There is no section {path:?}.")))?;
            query.section_ids = Some(data.tree.with_descendants(section.id));
        }
        for (name, end_of_day) in [("from", false), ("to", true)] {
            if let Some(raw) = query_value(uri, name).filter(|v| !v.is_empty()) {
                let time = broadsheet_domain::dates::parse_filter_time(&raw, end_of_day)
                    .ok_or_else(|| {
                        AppError::BadRequest(format!(
                            "{name}: {raw:?} is not a date such as 2026-11-28"
                        ))
                    })?;
                if end_of_day {
                    query.to = Some(time);
                } else {
                    query.from = Some(time);
                }
            }
        }
        if let Some(language) = query_value(uri, "language").filter(|l| !l.is_empty()) {
            query.language = Some(
                broadsheet_domain::Language::parse(&language)
                    .map_err(|e| AppError::BadRequest(e.to_string()))?
                    .to_string(),
            );
        }
        let results = search::run(app, &query).await?;
        let total = results.as_ref().map(|r| r.total).unwrap_or_default() as u64;
        let pages = page_count(total, PER_PAGE);
        // Paging keeps the query and every filter.
        let mut base = form_urlencoded::Serializer::new(String::new());
        base.append_pair("q", &text);
        for name in ["section", "language", "from", "to"] {
            if let Some(value) = query_value(uri, name).filter(|v| !v.is_empty()) {
                base.append_pair(name, &value);
            }
        }
        let base = format!("/search?{}", base.finish());
        let pager = Pager::new(&base, page.get(), pages);
        let chrome = Chrome {
            settings: &data.settings,
            sections: &data.tree,
            pages: &data.pages,
        };
        Ok::<_, AppError>(
            app.renderer
                .search(&chrome, &text, results.as_ref(), pager)?,
        )
    };
    match result.await {
        Ok(html) => {
            let mut response = axum::response::Html(html).into_response();
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-cache"),
            );
            response
        }
        Err(e) => app.error_response(e).await,
    }
}

/// A pager for `total` articles; a page past the last one does not exist.
fn pager(base: &str, page: PageNumber, total: u64) -> Result<Pager, AppError> {
    let pages = page_count(total, PER_PAGE);
    if page.get() > pages {
        return Err(AppError::NotFound);
    }
    Ok(Pager::new(base, page.get(), pages))
}

/// The cache key and the path redirects are looked up by: the route's own spelling, or
/// the path as asked for an unknown route.
fn canonical_path(route: &Route, uri: &Uri) -> String {
    route.path().unwrap_or_else(|| uri.path().to_owned())
}

fn query_value(uri: &Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn slug(s: &str) -> Result<Slug, AppError> {
    Slug::parse(s).map_err(|e| AppError::Internal(format!("collection {s:?}: {e}")))
}
