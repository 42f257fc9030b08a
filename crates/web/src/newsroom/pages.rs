//! The newsroom's HTML pages under `/newsroom`. Plain forms that work without script; each
//! POST carries the session's CSRF token and calls the same editorial actions as the API.
//! A refused save shows the form again with everything that was typed.

use super::api::{self, ArticleQuery, PasswordChange, UserInput};
use super::auth::{self, Editor};
use super::editorial::{self, ArticleInput, SectionInput, Transition};
use super::media::{self, ImageText};
use super::NewsroomError;
use crate::{routes::request_host, App, SharedApp};
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequestParts, Multipart, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use broadsheet_domain::{Action, Article, ArticleStatus, Id, Role, SectionTree};
use chrono::{DateTime, NaiveDateTime, Utc};
use minijinja::{context, Environment, Value};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::OnceLock;

const CSS: &str = include_str!("../../newsroom/assets/newsroom.css");
const JS: &str = include_str!("../../newsroom/assets/newsroom.js");

pub fn router() -> Router<SharedApp> {
    Router::new()
        .route("/", get(list))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/articles", post(create))
        .route("/articles/new", get(new_form))
        .route("/articles/{id}", get(edit_form).post(update))
        .route("/articles/{id}/workflow", post(workflow))
        .route("/articles/{id}/corrections", post(correct))
        .route("/articles/{id}/preview", get(preview))
        .route("/articles/{id}/revisions", get(revisions))
        .route("/articles/{id}/revisions/{revision}/restore", post(restore))
        .route("/media", get(media_page).post(upload))
        .route("/media/{id}", post(update_media))
        .route("/sections", get(sections_page).post(create_section))
        .route("/sections/{id}", post(update_section))
        .route("/videos", get(videos_page).post(create_video))
        .route("/videos/{id}", get(edit_video_page).post(update_video))
        .route(
            "/collections",
            get(collections_page).post(create_collection),
        )
        .route("/collections/{slug}", post(update_collection))
        .route("/users", get(users_page).post(create_user))
        .route("/users/{id}", post(update_user))
        .route("/addresses", get(addresses_page).post(set_address_state))
        .route("/addresses/new", post(add_address))
        .route("/webhooks", get(webhooks_page).post(add_webhook))
        .route("/webhooks/{id}/delete", post(remove_webhook))
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/token", post(new_token))
        .route(
            "/assets/newsroom.css",
            get(|| async { asset(CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/newsroom.js",
            get(|| async { asset(JS, "text/javascript; charset=utf-8") }),
        )
        .fallback(|| async { page_error(&NewsroomError::NotFound("This page")) })
        .layer(axum::extract::DefaultBodyLimit::max(
            media::MAX_UPLOAD_BYTES + 1024 * 1024,
        ))
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in [
            (
                "layout.html",
                include_str!("../../newsroom/templates/layout.html"),
            ),
            (
                "login.html",
                include_str!("../../newsroom/templates/login.html"),
            ),
            (
                "list.html",
                include_str!("../../newsroom/templates/list.html"),
            ),
            (
                "edit.html",
                include_str!("../../newsroom/templates/edit.html"),
            ),
            (
                "revisions.html",
                include_str!("../../newsroom/templates/revisions.html"),
            ),
            (
                "media.html",
                include_str!("../../newsroom/templates/media.html"),
            ),
            (
                "sections.html",
                include_str!("../../newsroom/templates/sections.html"),
            ),
            (
                "videos.html",
                include_str!("../../newsroom/templates/videos.html"),
            ),
            (
                "collections.html",
                include_str!("../../newsroom/templates/collections.html"),
            ),
            (
                "users.html",
                include_str!("../../newsroom/templates/users.html"),
            ),
            (
                "account.html",
                include_str!("../../newsroom/templates/account.html"),
            ),
            (
                "message.html",
                include_str!("../../newsroom/templates/message.html"),
            ),
            (
                "webhooks.html",
                include_str!("../../newsroom/templates/webhooks.html"),
            ),
            (
                "addresses.html",
                include_str!("../../newsroom/templates/addresses.html"),
            ),
        ] {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(error = %e, name, "newsroom template does not parse");
            }
        }
        env
    })
}

/// Renders a newsroom page; `editor` fills in the navigation and the CSRF token.
fn render(
    app: &App,
    editor: Option<&Editor>,
    status: StatusCode,
    template: &str,
    ctx: Value,
) -> Response {
    let base = context! {
        site_name => app.settings.name.clone(),
        me => editor.map(|e| Value::from_serialize(&e.user)),
        csrf => editor.map(|e| e.csrf().to_owned()).unwrap_or_default(),
        can_curate => editor.is_some_and(|e| e.user.role.may(Action::Curate, false)),
        can_manage_users => editor.is_some_and(|e| e.user.role.may(Action::ManageUsers, false)),
        can_manage_settings => editor.is_some_and(|e| e.user.role.may(Action::ManageSettings, false)),
    };
    let html = templates()
        .get_template(template)
        .and_then(|t| t.render(context! { ..ctx, ..base }));
    match html {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            no_store(response.headers_mut());
            response
        }
        Err(e) => page_error(&NewsroomError::Internal(format!("{template}: {e:#}"))),
    }
}

fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
}

/// A failure outside a form: a short page that says what happened.
fn page_error(error: &NewsroomError) -> Response {
    let heading = match error.status() {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        _ => "That did not work",
    };
    let html = templates()
        .get_template("message.html")
        .and_then(|t| {
            t.render(context! { site_name => "Broadsheet", heading, message => error.message() })
        })
        .unwrap_or_else(|_| format!("<!doctype html><title>{heading}</title><h1>{heading}</h1>"));
    let mut response = (error.status(), Html(html)).into_response();
    no_store(response.headers_mut());
    response
}

/// The signed-in user of a newsroom page; anyone else is sent to the login form.
pub struct PageEditor(pub Editor);

impl FromRequestParts<SharedApp> for PageEditor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &SharedApp) -> Result<Self, Response> {
        match auth::authenticate(app, &parts.headers).await {
            Ok(Some(editor)) => Ok(PageEditor(editor)),
            Ok(None) => {
                // Nested routers see their own part of the path; the original is whole.
                let uri = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(&parts.uri, |o| &o.0);
                let next = uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/newsroom");
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Err(Redirect::to(&format!("/newsroom/login?next={next}")).into_response())
            }
            Err(e) => Err(page_error(&e.into())),
        }
    }
}

/// What a management page says above its content after one of its forms was sent.
#[derive(Default)]
struct Said {
    notice: Option<String>,
    error: Option<String>,
}

impl Said {
    /// The status and message for a form's outcome: `notice` on success, the error's
    /// message (and status) otherwise.
    fn after<T>(
        result: &Result<T, NewsroomError>,
        notice: impl FnOnce(&T) -> String,
    ) -> (StatusCode, Said) {
        match result {
            Ok(value) => (
                StatusCode::OK,
                Said {
                    notice: Some(notice(value)),
                    error: None,
                },
            ),
            Err(e) => (
                e.status(),
                Said {
                    notice: None,
                    error: Some(e.message()),
                },
            ),
        }
    }
}

/// Form fields of a POST, with the CSRF token checked before anything else is looked at.
fn checked_form(
    editor: &Editor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Fields, NewsroomError> {
    let Form(pairs) = form.map_err(|e| NewsroomError::invalid("form", e.body_text()))?;
    let fields = Fields(pairs);
    editor.check_csrf(fields.get("csrf"))?;
    Ok(fields)
}

/// Submitted form fields in order (a name may repeat).
#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), Some("1" | "on" | "true"))
    }
}

fn id_from(path: Result<Path<Id>, PathRejection>) -> Result<Id, NewsroomError> {
    path.map(|Path(id)| id)
        .map_err(|_| NewsroomError::NotFound("This page"))
}

fn is_secure(host: &str) -> bool {
    broadsheet_domain::settings::base_url(host).starts_with("https:")
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ---- logging in and out ----

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
}

/// Only paths inside the newsroom: a login link must not send anyone elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/newsroom") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_owned()
        }
        _ => "/newsroom".into(),
    }
}

async fn login_form(
    State(app): State<SharedApp>,
    q: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    let next = q.ok().and_then(|Query(q)| q.next);
    render(
        &app,
        None,
        StatusCode::OK,
        "login.html",
        context! { next => safe_next(next.as_deref()), email => "" },
    )
}

async fn login(State(app): State<SharedApp>, request: Request) -> Response {
    let host = request_host(&request).to_owned();
    // No session yet, so no token: a login posted from another site's page is refused by
    // its Origin, so nobody can be logged in to an account of someone else's choosing.
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    if let Some(origin) = origin {
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        if origin != "null" && origin_host != host {
            return page_error(&NewsroomError::Csrf);
        }
    }
    // Tests and embedders may serve without connection info; then all share one bucket.
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let form = Form::<Vec<(String, String)>>::from_request(request, &app).await;
    let fields = match form {
        Ok(Form(pairs)) => Fields(pairs),
        Err(e) => return page_error(&NewsroomError::invalid("form", e.body_text())),
    };
    let email = fields.text("email");
    let next = safe_next(fields.get("next"));
    match auth::log_in(
        &app,
        &email,
        &fields.text("password"),
        address,
        is_secure(&host),
    )
    .await
    {
        Ok((_, cookie)) => {
            let mut response = see_other(&next);
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => {
            let mut response = render(
                &app,
                None,
                e.status(),
                "login.html",
                context! { next, email, error => e.message() },
            );
            if e.status() == StatusCode::INTERNAL_SERVER_ERROR {
                *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            }
            response
        }
    }
}

use axum::extract::FromRequest;

async fn logout(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if let Err(e) = checked_form(&editor, form) {
        return page_error(&e);
    }
    if let auth::Credential::Session { token_hash, .. } = &editor.via {
        if let Err(e) = app.store.delete_session(token_hash).await {
            return page_error(&e.into());
        }
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let mut response = see_other("/newsroom/login");
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie("", is_secure(host), 0),
    );
    response
}

// ---- the article list ----

#[derive(Deserialize, Default, serde::Serialize)]
struct ListQuery {
    status: Option<String>,
    section: Option<String>,
    owner: Option<String>,
    language: Option<String>,
    q: Option<String>,
}

struct SectionOption {
    path: String,
    label: String,
}

fn section_options(tree: &SectionTree) -> Vec<Value> {
    let mut options: Vec<SectionOption> = tree
        .all()
        .filter_map(|s| {
            let path = tree.path(s.id)?.trim_start_matches('/').to_owned();
            let depth = path.matches('/').count();
            Some(SectionOption {
                label: format!("{}{}", "— ".repeat(depth), s.name),
                path,
            })
        })
        .collect();
    options.sort_by(|a, b| a.path.cmp(&b.path));
    options
        .into_iter()
        .map(|o| context! { path => o.path, label => o.label })
        .collect()
}

fn display_time(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y %H:%M UTC").to_string()
}

async fn list(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let result: Result<Response, NewsroomError> = async {
        let query = ArticleQuery {
            status: q.status.clone(),
            section: q.section.clone(),
            owner: q.owner.clone(),
            language: q.language.clone(),
            q: q.q.clone(),
            limit: Some(200),
        };
        let filter = api::filter_from(&app, &editor, &query).await?;
        let items = app.store.newsroom_articles(&filter).await?;
        let tree = app.store.section_tree().await?;
        let articles: Vec<Value> = items
            .iter()
            .map(|a| {
                context! {
                    id => a.id,
                    headline => a.headline,
                    status => a.status.as_str(),
                    section => tree.get(a.section_id).map(|s| s.name.clone()).unwrap_or_default(),
                    language => a.language,
                    owner => a.owner_name.clone().unwrap_or_else(|| "—".into()),
                    updated => display_time(a.updated_at),
                    updated_iso => a.updated_at.to_rfc3339(),
                    published => a.published_at.map(display_time),
                }
            })
            .collect();
        Ok(render(
            &app,
            Some(&editor),
            StatusCode::OK,
            "list.html",
            context! {
                nav => "articles",
                articles,
                filter => Value::from_serialize(&q),
                statuses => ArticleStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                sections => section_options(&tree),
            },
        ))
    }
    .await;
    result.unwrap_or_else(|e| {
        render(
            &app,
            Some(&editor),
            e.status(),
            "message.html",
            context! { heading => "The list could not be shown", message => e.message() },
        )
    })
}

// ---- writing ----

/// What the edit form holds; kept as typed when a save is refused.
#[derive(Default, serde::Serialize)]
struct ArticleForm {
    revision: String,
    headline: String,
    standfirst: String,
    body: String,
    section: String,
    language: String,
    tags: String,
    bylines: String,
    dateline: String,
    slug: String,
    lead_media_id: Option<Id>,
    lead_alt: String,
    lead_caption: String,
    lead_credit: String,
    lead_file_photo: bool,
}

impl ArticleForm {
    async fn of(app: &App, article: &Article) -> Result<ArticleForm, NewsroomError> {
        let tree = app.store.section_tree().await?;
        let authors = app.store.authors().await?;
        let d = &article.draft;
        let lead = match d.lead_media_id {
            Some(id) => app.store.media(id).await?,
            None => None,
        };
        Ok(ArticleForm {
            revision: article.revision.to_string(),
            headline: d.headline.clone(),
            standfirst: d.standfirst.clone(),
            body: d.body.clone(),
            section: tree
                .path(d.section_id)
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_owned(),
            language: d.language.to_string(),
            tags: d.tags.join(", "),
            bylines: d
                .bylines
                .iter()
                .map(|b| match b {
                    broadsheet_domain::Byline::Staff { author_id } => authors
                        .iter()
                        .find(|a| a.id == *author_id)
                        .map(|a| a.name.clone())
                        .unwrap_or_default(),
                    broadsheet_domain::Byline::Guest { name } => name.clone(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            dateline: d.dateline.clone().unwrap_or_default(),
            slug: d.slug.to_string(),
            lead_media_id: d.lead_media_id,
            lead_alt: lead.as_ref().map(|m| m.alt.clone()).unwrap_or_default(),
            lead_caption: lead.as_ref().map(|m| m.caption.clone()).unwrap_or_default(),
            lead_credit: lead.as_ref().map(|m| m.credit.clone()).unwrap_or_default(),
            lead_file_photo: lead.as_ref().is_some_and(|m| m.file_photo),
        })
    }

    fn input(&self) -> ArticleInput {
        let list = |s: &str| {
            s.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        };
        ArticleInput {
            headline: self.headline.clone(),
            standfirst: self.standfirst.clone(),
            body: self.body.clone(),
            section: self.section.clone(),
            language: Some(self.language.clone()),
            tags: list(&self.tags),
            bylines: list(&self.bylines),
            dateline: Some(self.dateline.clone()),
            lead_media_id: self.lead_media_id,
            slug: Some(self.slug.clone()).filter(|s| !s.trim().is_empty()),
            translation_group: None,
            revision: self.revision.trim().parse().ok(),
        }
    }
}

/// The article form as posted: its fields, the CSRF token and a lead image, if one was chosen.
struct PostedArticle {
    form: ArticleForm,
    csrf: String,
    file: Option<(Vec<u8>, String)>,
}

async fn read_article_form(mut multipart: Multipart) -> Result<PostedArticle, NewsroomError> {
    let mut fields = HashMap::new();
    let mut file = None;
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            NewsroomError::TooLarge("The form is too large (an image may be at most 20 MB).".into())
        } else {
            NewsroomError::invalid("form", format!("the form could not be read: {e}"))
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "lead_file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(broken)?;
            if !bytes.is_empty() {
                file = Some((bytes.to_vec(), file_name));
            }
        } else {
            fields.insert(name, field.text().await.map_err(broken)?);
        }
    }
    let mut take = |name: &str| fields.remove(name).unwrap_or_default();
    let form = ArticleForm {
        revision: take("revision"),
        headline: take("headline"),
        standfirst: take("standfirst"),
        // Browsers send CRLF line ends; store what Markdown writers expect.
        body: take("body").replace("\r\n", "\n"),
        section: take("section"),
        language: take("language"),
        tags: take("tags"),
        bylines: take("bylines"),
        dateline: take("dateline"),
        slug: take("slug"),
        lead_media_id: take("lead_media_id").trim().parse().ok(),
        lead_alt: take("lead_alt"),
        lead_caption: take("lead_caption"),
        lead_credit: take("lead_credit"),
        lead_file_photo: matches!(take("lead_file_photo").as_str(), "1" | "on" | "true"),
    };
    Ok(PostedArticle {
        form,
        csrf: take("csrf"),
        file,
    })
}

struct EditView<'a> {
    article: Option<&'a Article>,
    /// The article the form saves to; none for a new one.
    id: Option<Id>,
    form: &'a ArticleForm,
    error: Option<String>,
    notice: Option<String>,
    conflict: Option<i64>,
    /// The session ended before the form was sent.
    expired: bool,
}

async fn edit_page(
    app: &App,
    editor: Option<&Editor>,
    status: StatusCode,
    view: EditView<'_>,
) -> Result<Response, NewsroomError> {
    let tree = app.store.section_tree().await?;
    let authors: Vec<String> = app
        .store
        .authors()
        .await?
        .into_iter()
        .map(|a| a.name)
        .collect();
    let library = app.store.media_library("", 200).await?;
    let lead = match view.form.lead_media_id {
        Some(id) => app.store.media(id).await?,
        None => None,
    };
    let (actions, can_correct, corrections) = match (view.article, editor) {
        (Some(article), Some(editor)) => {
            let own = article.owner == Some(editor.user.id);
            let role = editor.user.role;
            let mut actions = Vec::new();
            let mut offer = |name: &str, label: &str, action: Action| {
                if role.may(action, own) {
                    actions.push(context! { name, label });
                }
            };
            match article.draft.status {
                ArticleStatus::Draft | ArticleStatus::Unpublished => {
                    offer("submit", "Send for review", Action::SubmitForReview);
                    offer("publish", "Publish now", Action::PublishArticle);
                    offer("schedule", "Schedule", Action::PublishArticle);
                }
                ArticleStatus::InReview => {
                    offer("publish", "Publish now", Action::PublishArticle);
                    offer("schedule", "Schedule", Action::PublishArticle);
                    offer("return", "Return to draft", Action::EditArticle);
                }
                ArticleStatus::Scheduled => {
                    offer("publish", "Publish now", Action::PublishArticle);
                    offer("unpublish", "Cancel schedule", Action::UnpublishArticle);
                }
                ArticleStatus::Published => {
                    offer("unpublish", "Unpublish", Action::UnpublishArticle);
                }
            }
            let corrections: Vec<Value> = app
                .store
                .corrections(article.id)
                .await?
                .into_iter()
                .map(|c| context! { at => display_time(c.created_at), note => c.note })
                .collect();
            (
                actions,
                article.draft.status == ArticleStatus::Published
                    && role.may(Action::CorrectArticle, own),
                corrections,
            )
        }
        _ => (Vec::new(), false, Vec::new()),
    };
    let id = view.id.or(view.article.map(|a| a.id));
    Ok(render(
        app,
        editor,
        status,
        "edit.html",
        context! {
            nav => if view.article.is_some() { "articles" } else { "new" },
            action => id.map_or("/newsroom/articles".to_owned(), |id| format!("/newsroom/articles/{id}")),
            article_key => id.map_or("new".to_owned(), |id| id.to_string()),
            expired => view.expired,
            article => view.article.map(|a| context! {
                id => a.id,
                status => a.draft.status.as_str(),
                revision => a.revision,
                path => a.path.clone(),
            }),
            form => Value::from_serialize(view.form),
            sections => section_options(&tree),
            authors,
            library => library.iter().map(|m| context! {
                id => m.id, caption => m.caption.clone(), file_name => m.file_name.clone(),
            }).collect::<Vec<_>>(),
            lead => lead.map(|m| context! {
                url => format!("/media/{}", m.variants.first().map_or(m.file_name.clone(), |w| m.variant_name(*w, false))),
                alt => m.alt, caption => m.caption, credit => m.credit,
            }),
            actions,
            can_correct,
            corrections,
            error => view.error,
            notice => view.notice,
            conflict => view.conflict,
        },
    ))
}

fn or_page(app: &App, editor: &Editor, result: Result<Response, NewsroomError>) -> Response {
    result.unwrap_or_else(|e| {
        render(
            app,
            Some(editor),
            e.status(),
            "message.html",
            context! { heading => "That did not work", message => e.message() },
        )
    })
}

async fn new_form(State(app): State<SharedApp>, PageEditor(editor): PageEditor) -> Response {
    let form = ArticleForm {
        language: app.settings.default_language.to_string(),
        section: String::new(),
        ..ArticleForm::default()
    };
    let page = edit_page(
        &app,
        Some(&editor),
        StatusCode::OK,
        EditView {
            article: None,
            id: None,
            form: &form,
            error: None,
            notice: None,
            conflict: None,
            expired: false,
        },
    )
    .await;
    or_page(&app, &editor, page)
}

#[derive(Deserialize, Default)]
struct Flash {
    done: Option<String>,
}

fn flash_text(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "saved" => "Saved.",
            "created" => "Created. It is a draft until it is published.",
            "submit" => "Sent for review.",
            "publish" => "Published: readers see it now.",
            "schedule" => "Scheduled.",
            "unpublish" => "Unpublished: readers no longer see it.",
            "return" => "Returned to draft.",
            "corrected" => "Correction added; it shows on the article.",
            "restored" => "The earlier revision was restored as a new revision.",
            _ => return None,
        }
        .into(),
    )
}

async fn edit_form(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
    flash: Query<Flash>,
) -> Response {
    let result = async {
        let article = editorial::load(&app, &editor, id_from(id)?).await?;
        let form = ArticleForm::of(&app, &article).await?;
        edit_page(
            &app,
            Some(&editor),
            StatusCode::OK,
            EditView {
                article: Some(&article),
                id: Some(article.id),
                form: &form,
                error: None,
                notice: flash_text(flash.done.as_deref()),
                conflict: None,
                expired: false,
            },
        )
        .await
    }
    .await;
    or_page(&app, &editor, result)
}

/// Uploads the lead image that came with the form, if any, and points the form at it.
async fn attach_lead(
    app: &App,
    editor: &Editor,
    posted: &mut PostedArticle,
) -> Result<(), NewsroomError> {
    let text = ImageText {
        alt: posted.form.lead_alt.clone(),
        caption: posted.form.lead_caption.clone(),
        credit: posted.form.lead_credit.clone(),
        file_photo: posted.form.lead_file_photo,
    };
    if let Some((bytes, name)) = posted.file.take() {
        let media = media::upload(app, editor, bytes, &name, &text).await?;
        posted.form.lead_media_id = Some(media.id);
    } else if let Some(id) = posted.form.lead_media_id {
        // The caption and credit fields edit the chosen library image's text.
        if let Some(current) = app.store.media(id).await? {
            let changed = current.alt != text.alt.trim()
                || current.caption != text.caption.trim()
                || current.credit != text.credit.trim()
                || current.file_photo != text.file_photo;
            let anything =
                !(text.alt.is_empty() && text.caption.is_empty() && text.credit.is_empty());
            if changed && anything {
                media::update_text(app, editor, id, &text).await?;
            }
        }
    }
    Ok(())
}

async fn create(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    save(&app, &headers, None, multipart).await
}

async fn update(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    id: Result<Path<Id>, PathRejection>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    match id_from(id) {
        Ok(id) => save(&app, &headers, Some(id), multipart).await,
        Err(e) => page_error(&e),
    }
}

/// Saves the article form (a new article when `id` is none). Whatever goes wrong, the
/// text typed comes back in the form: a stale revision, a missing or old CSRF token,
/// even a session that ended while the article was being written.
async fn save(
    app: &App,
    headers: &HeaderMap,
    id: Option<Id>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let editor = match auth::authenticate(app, headers).await {
        Ok(editor) => editor,
        Err(e) => return page_error(&e.into()),
    };
    let posted = match multipart {
        Ok(multipart) => read_article_form(multipart).await,
        Err(e) => Err(NewsroomError::invalid("form", e.body_text())),
    };
    let mut posted = match posted {
        Ok(posted) => posted,
        Err(e) => return page_error(&e),
    };
    let Some(editor) = editor else {
        let view = EditView {
            article: None,
            id,
            form: &posted.form,
            error: None,
            notice: None,
            conflict: None,
            expired: true,
        };
        return or_page_anonymous(edit_page(app, None, StatusCode::UNAUTHORIZED, view).await);
    };
    let saved = async {
        editor.check_csrf(Some(&posted.csrf))?;
        attach_lead(app, &editor, &mut posted).await?;
        match id {
            Some(id) => editorial::update(app, &editor, id, &posted.form.input()).await,
            None => editorial::create(app, &editor, &posted.form.input()).await,
        }
    }
    .await;
    let result = match saved {
        Ok(article) => Ok(see_other(&format!(
            "/newsroom/articles/{}?done={}",
            article.id,
            if id.is_some() { "saved" } else { "created" }
        ))),
        Err(e) => {
            let article = match id {
                Some(id) => Some(editorial::load(app, &editor, id).await),
                None => None,
            }
            .transpose();
            match article {
                Ok(article) => {
                    let conflict = match &e {
                        NewsroomError::Conflict { current, .. } if *current > 0 => Some(*current),
                        _ => None,
                    };
                    edit_page(
                        app,
                        Some(&editor),
                        e.status(),
                        EditView {
                            article: article.as_ref(),
                            id,
                            form: &posted.form,
                            error: Some(e.message()),
                            notice: None,
                            conflict,
                            expired: false,
                        },
                    )
                    .await
                }
                Err(load_error) => Err(load_error),
            }
        }
    };
    or_page(app, &editor, result)
}

fn or_page_anonymous(result: Result<Response, NewsroomError>) -> Response {
    result.unwrap_or_else(|e| page_error(&e))
}

/// `datetime-local` values carry no zone; the form says they are UTC.
fn parse_at(raw: &str) -> Result<DateTime<Utc>, NewsroomError> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
                .map(|t| t.and_utc())
        })
        .map_err(|_| NewsroomError::invalid("at", format!("{raw:?} is not a date and time")))
}

async fn workflow(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let id = id_from(id)?;
        let fields = checked_form(&editor, form)?;
        let action = fields.text("action");
        let transition = match action.as_str() {
            "submit" => Transition::Submit,
            "return" => Transition::ReturnToDraft,
            "publish" => Transition::Publish { at: None },
            "schedule" => {
                let at = parse_at(&fields.text("at"))?;
                if at <= Utc::now() {
                    return Err(NewsroomError::invalid(
                        "at",
                        "choose a time in the future, or publish now",
                    ));
                }
                Transition::Publish { at: Some(at) }
            }
            "unpublish" => Transition::Unpublish,
            other => {
                return Err(NewsroomError::invalid(
                    "action",
                    format!("unknown action {other:?}"),
                ))
            }
        };
        editorial::transition(&app, &editor, id, transition).await?;
        Ok(see_other(&format!("/newsroom/articles/{id}?done={action}")))
    }
    .await;
    or_page(&app, &editor, result)
}

async fn correct(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let id = id_from(id)?;
        let fields = checked_form(&editor, form)?;
        editorial::correct(&app, &editor, id, &fields.text("note")).await?;
        Ok(see_other(&format!(
            "/newsroom/articles/{id}?done=corrected"
        )))
    }
    .await;
    or_page(&app, &editor, result)
}

/// The article exactly as readers will see it, whatever its state; never cached or indexed.
async fn preview(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
) -> Response {
    let result = async {
        let article = editorial::load(&app, &editor, id_from(id)?).await?;
        let html = crate::reader::preview(&app, &article)
            .await
            .map_err(|e| NewsroomError::Internal(e.to_string()))?;
        let mut response = Html(html).into_response();
        no_store(response.headers_mut());
        Ok(response)
    }
    .await;
    or_page(&app, &editor, result)
}

#[derive(Deserialize, Default)]
struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
}

async fn revisions(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
    q: Result<Query<DiffQuery>, QueryRejection>,
) -> Response {
    let result = async {
        let article = editorial::load(&app, &editor, id_from(id)?).await?;
        let q = q.map(|Query(q)| q).unwrap_or_default();
        let revisions = app.store.revisions(article.id).await?;
        let to = q.to.unwrap_or(article.revision);
        let from = q.from.unwrap_or((to - 1).max(1));
        let find = |n: i64| revisions.iter().find(|r| r.revision == n);
        let diff = match (find(from), find(to)) {
            (Some(a), Some(b)) if from != to => Some(super::diff::drafts(&a.draft, &b.draft)),
            _ => None,
        };
        let own = article.owner == Some(editor.user.id);
        let live = matches!(
            article.draft.status,
            ArticleStatus::Published | ArticleStatus::Scheduled
        );
        let can_edit = editor.user.role.may(Action::EditArticle, own)
            && (!live || editor.user.role.may(Action::PublishArticle, own));
        Ok(render(
            &app,
            Some(&editor),
            StatusCode::OK,
            "revisions.html",
            context! {
                nav => "articles",
                id => article.id,
                headline => article.draft.headline.clone(),
                current => article.revision,
                can_edit,
                from, to,
                diff => diff.map(|d| Value::from_serialize(&d)),
                revisions => revisions.iter().map(|r| context! {
                    revision => r.revision,
                    saved => display_time(r.saved_at),
                    iso => r.saved_at.to_rfc3339(),
                    by => r.saved_by.clone().unwrap_or_else(|| "system".into()),
                    note => r.note.clone(),
                    headline => r.draft.headline.clone(),
                }).collect::<Vec<_>>(),
            },
        ))
    }
    .await;
    or_page(&app, &editor, result)
}

async fn restore(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    ids: Result<Path<(Id, i64)>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let (id, revision) = ids
            .map(|Path(p)| p)
            .map_err(|_| NewsroomError::NotFound("This page"))?;
        checked_form(&editor, form)?;
        editorial::restore(&app, &editor, id, revision).await?;
        Ok(see_other(&format!("/newsroom/articles/{id}?done=restored")))
    }
    .await;
    or_page(&app, &editor, result)
}

// ---- media ----

#[derive(Deserialize, Default)]
struct LibraryQuery {
    q: Option<String>,
}

async fn media_view(
    app: &App,
    editor: &Editor,
    q: &str,
    status: StatusCode,
    said: Said,
) -> Result<Response, NewsroomError> {
    let media = app.store.media_library(q, 200).await?;
    Ok(render(
        app,
        Some(editor),
        status,
        "media.html",
        context! {
            nav => "media",
            q,
            notice => said.notice,
            error => said.error,
            media => media.iter().map(|m| context! {
                id => m.id,
                url => format!("/media/{}", m.file_name),
                thumb => format!("/media/{}", m.variants.first().map_or(m.file_name.clone(), |w| m.variant_name(*w, false))),
                alt => m.alt.clone(), caption => m.caption.clone(), credit => m.credit.clone(),
                file_photo => m.file_photo, width => m.width, height => m.height,
            }).collect::<Vec<_>>(),
        },
    ))
}

async fn media_page(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    q: Result<Query<LibraryQuery>, QueryRejection>,
) -> Response {
    let q = q.ok().and_then(|Query(q)| q.q).unwrap_or_default();
    let result = media_view(&app, &editor, &q, StatusCode::OK, Said::default()).await;
    or_page(&app, &editor, result)
}

async fn upload(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let result = async {
        let multipart = multipart.map_err(|e| NewsroomError::invalid("file", e.body_text()))?;
        let (bytes, name, text, csrf) = api::read_upload(multipart).await?;
        editor.check_csrf(csrf.as_deref())?;
        media::upload(&app, &editor, bytes, &name, &text).await
    }
    .await;
    let (status, said) = Said::after(&result, |m| format!("Uploaded image #{}.", m.id));
    let page = media_view(&app, &editor, "", status, said).await;
    or_page(&app, &editor, page)
}

async fn update_media(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let id = id_from(id)?;
        let fields = checked_form(&editor, form)?;
        let text = ImageText {
            alt: fields.text("alt"),
            caption: fields.text("caption"),
            credit: fields.text("credit"),
            file_photo: fields.checked("file_photo"),
        };
        media::update_text(&app, &editor, id, &text).await?;
        Ok(see_other("/newsroom/media"))
    }
    .await;
    or_page(&app, &editor, result)
}

// ---- curation ----

async fn sections_view(
    app: &App,
    editor: &Editor,
    status: StatusCode,
    said: Said,
) -> Result<Response, NewsroomError> {
    editor.require(Action::Curate, false)?;
    let tree = app.store.section_tree().await?;
    let mut sections: Vec<_> = tree
        .all()
        .map(|s| {
            let path = tree
                .path(s.id)
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_owned();
            (path, s)
        })
        .collect();
    sections.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(render(
        app,
        Some(editor),
        status,
        "sections.html",
        context! {
            nav => "sections",
            error => said.error,
            notice => said.notice,
            sections => sections.iter().map(|(path, s)| context! {
                id => s.id, path => path.clone(), name => s.name.clone(), slug => s.slug.to_string(),
                parent_id => s.parent_id, position => s.position, description => s.description.clone(),
                language => s.language.as_ref().map(|l| l.to_string()).unwrap_or_default(),
            }).collect::<Vec<_>>(),
        },
    ))
}

async fn sections_page(State(app): State<SharedApp>, PageEditor(editor): PageEditor) -> Response {
    let result = sections_view(&app, &editor, StatusCode::OK, Said::default()).await;
    or_page(&app, &editor, result)
}

fn section_input(fields: &Fields) -> SectionInput {
    SectionInput {
        name: fields.text("name"),
        slug: fields.get("slug").map(str::to_owned),
        parent: fields.get("parent").map(str::to_owned),
        description: fields.text("description"),
        position: fields.text("position").trim().parse().unwrap_or(0),
        language: fields.get("language").map(str::to_owned),
    }
}

async fn create_section(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let fields = checked_form(&editor, form)?;
        editorial::create_section(&app, &editor, &section_input(&fields)).await
    }
    .await;
    let (status, said) = Said::after(&result, |s| format!("Created {}.", s.name));
    let page = sections_view(&app, &editor, status, said).await;
    or_page(&app, &editor, page)
}

async fn update_section(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let id = id_from(id)?;
        let fields = checked_form(&editor, form)?;
        editorial::update_section(&app, &editor, id, &section_input(&fields)).await
    }
    .await;
    let (status, said) = Said::after(&result, |s| format!("Saved {}.", s.name));
    let page = sections_view(&app, &editor, status, said).await;
    or_page(&app, &editor, page)
}

/// The video list with a form for a new video, or (with `editing`) the form for one.
async fn videos_view(
    app: &App,
    editor: &Editor,
    status: StatusCode,
    said: Said,
    editing: Option<Id>,
    typed: Option<&Fields>,
) -> Result<Response, NewsroomError> {
    editor.require(Action::Curate, false)?;
    let videos = app.store.all_videos().await?;
    let current = match editing {
        Some(id) => Some(
            videos
                .iter()
                .find(|v| v.id == id)
                .ok_or(NewsroomError::NotFound("The video"))?,
        ),
        None => None,
    };
    // What the form shows: what was just typed (after an error), else the stored video.
    let field = |name: &str, stored: Option<String>| -> String {
        typed.map(|f| f.text(name)).or(stored).unwrap_or_default()
    };
    let form = context! {
        title => field("title", current.map(|v| v.title.clone())),
        slug => field("slug", current.map(|v| v.slug.to_string())),
        kind => field("kind", current.map(|v| v.kind.as_str().to_owned())),
        description => field("description", current.map(|v| v.description.clone())),
        hls_url => field("hls_url", current.and_then(|v| v.hls_url.clone())),
        mp4_url => field("mp4_url", current.and_then(|v| v.mp4_url.clone())),
        duration_seconds => field("duration_seconds", current.and_then(|v| v.duration_seconds.map(|d| d.to_string()))),
        thumbnail_url => field("thumbnail_url", current.and_then(|v| v.thumbnail_url.clone())),
        captions_url => field("captions_url", current.and_then(|v| v.captions_url.clone())),
        language => field("language", current.map(|v| v.language.to_string())),
        published => typed.map_or(current.is_some_and(|v| v.is_published()), |f| f.checked("published")),
    };
    Ok(render(
        app,
        Some(editor),
        status,
        "videos.html",
        context! {
            nav => "videos",
            error => said.error,
            notice => said.notice,
            editing => current.map(|v| context! { id => v.id, path => v.path(), title => v.title.clone() }),
            form,
            videos => videos.iter().map(|v| context! {
                id => v.id, title => v.title.clone(), kind => v.kind.as_str(), path => v.path(),
                published => v.is_published(), duration => v.duration_seconds,
            }).collect::<Vec<_>>(),
        },
    ))
}

fn video_input(fields: &Fields) -> editorial::VideoInput {
    let optional = |name: &str| fields.get(name).map(str::to_owned);
    editorial::VideoInput {
        title: fields.text("title"),
        kind: optional("kind"),
        slug: optional("slug"),
        description: fields.text("description"),
        hls_url: optional("hls_url"),
        mp4_url: optional("mp4_url"),
        duration_seconds: fields
            .get("duration_seconds")
            .and_then(|d| d.trim().parse().ok()),
        thumbnail_url: optional("thumbnail_url"),
        captions_url: optional("captions_url"),
        language: optional("language"),
        published: fields.checked("published"),
    }
}

async fn videos_page(State(app): State<SharedApp>, PageEditor(editor): PageEditor) -> Response {
    let result = videos_view(&app, &editor, StatusCode::OK, Said::default(), None, None).await;
    or_page(&app, &editor, result)
}

async fn edit_video_page(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
) -> Response {
    let result = match id_from(id) {
        Ok(id) => {
            videos_view(
                &app,
                &editor,
                StatusCode::OK,
                Said::default(),
                Some(id),
                None,
            )
            .await
        }
        Err(e) => Err(e),
    };
    or_page(&app, &editor, result)
}

async fn create_video(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (fields, result) = match checked_form(&editor, form) {
        Ok(fields) => {
            let saved = editorial::save_video(&app, &editor, None, &video_input(&fields)).await;
            (Some(fields), saved)
        }
        Err(e) => (None, Err(e)),
    };
    let (status, said) = Said::after(&result, |v| format!("Created {}.", v.title));
    // After an error the form keeps what was typed.
    let typed = fields.as_ref().filter(|_| result.is_err());
    let page = videos_view(&app, &editor, status, said, None, typed).await;
    or_page(&app, &editor, page)
}

async fn update_video(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let id = match id_from(id) {
        Ok(id) => id,
        Err(e) => return or_page(&app, &editor, Err(e)),
    };
    let (fields, result) = match checked_form(&editor, form) {
        Ok(fields) => {
            let saved = editorial::save_video(&app, &editor, Some(id), &video_input(&fields)).await;
            (Some(fields), saved)
        }
        Err(e) => (None, Err(e)),
    };
    let (status, said) = Said::after(&result, |v| format!("Saved {}.", v.title));
    let typed = fields.as_ref().filter(|_| result.is_err());
    let page = videos_view(&app, &editor, status, said, Some(id), typed).await;
    or_page(&app, &editor, page)
}

async fn collections_view(
    app: &App,
    editor: &Editor,
    status: StatusCode,
    said: Said,
) -> Result<Response, NewsroomError> {
    editor.require(Action::Curate, false)?;
    let mut collections = Vec::new();
    for c in app.store.collections().await? {
        let mut articles = Vec::new();
        for id in app.store.collection_item_ids(&c.slug).await? {
            if let Some(a) = app.store.article(id).await? {
                articles.push(context! {
                    id => a.id, headline => a.draft.headline, status => a.draft.status.as_str(),
                });
            }
        }
        collections.push(context! { slug => c.slug.to_string(), name => c.name, articles });
    }
    Ok(render(
        app,
        Some(editor),
        status,
        "collections.html",
        context! { nav => "collections", collections, error => said.error, notice => said.notice },
    ))
}

async fn collections_page(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
) -> Response {
    let result = collections_view(&app, &editor, StatusCode::OK, Said::default()).await;
    or_page(&app, &editor, result)
}

async fn create_collection(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let fields = checked_form(&editor, form)?;
        let slug = fields.text("slug");
        if app
            .store
            .collection(&broadsheet_domain::Slug::parse(&slug)?)
            .await?
            .is_some()
        {
            return Err(NewsroomError::invalid(
                "slug",
                format!("there is already a collection {slug:?}"),
            ));
        }
        editorial::set_collection(&app, &editor, &slug, &fields.text("name"), &[]).await
    }
    .await;
    let (status, said) = Said::after(&result, |c| format!("Created {}.", c.name));
    let page = collections_view(&app, &editor, status, said).await;
    or_page(&app, &editor, page)
}

/// Kept articles sorted by their position fields, then the added one at the top.
fn collection_order(fields: &Fields) -> Result<Vec<Id>, NewsroomError> {
    let mut kept: Vec<(i64, usize, Id)> = fields
        .all("keep")
        .into_iter()
        .enumerate()
        .filter_map(|(i, raw)| {
            let id: Id = raw.parse().ok()?;
            let position = fields
                .get(&format!("position_{id}"))
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(i64::MAX);
            Some((position, i, id))
        })
        .collect();
    kept.sort();
    let mut ids: Vec<Id> = kept.into_iter().map(|(_, _, id)| id).collect();
    let add = fields.text("add");
    if !add.trim().is_empty() {
        let id: Id = add.trim().trim_start_matches('#').parse().map_err(|_| {
            NewsroomError::invalid("add", format!("{add:?} is not an article number"))
        })?;
        ids.retain(|k| *k != id);
        ids.insert(0, id);
    }
    Ok(ids)
}

async fn update_collection(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    slug: Result<Path<String>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let slug = slug
            .map(|Path(s)| s)
            .map_err(|_| NewsroomError::NotFound("The collection"))?;
        let fields = checked_form(&editor, form)?;
        let ids = collection_order(&fields)?;
        editorial::set_collection(&app, &editor, &slug, &fields.text("name"), &ids).await
    }
    .await;
    let (status, said) = Said::after(&result, |c| {
        format!("Saved {}; the site shows it now.", c.name)
    });
    let page = collections_view(&app, &editor, status, said).await;
    or_page(&app, &editor, page)
}

// ---- accounts ----

async fn users_view(
    app: &App,
    editor: &Editor,
    status: StatusCode,
    said: Said,
    password: Option<String>,
) -> Result<Response, NewsroomError> {
    editor.require(Action::ManageUsers, false)?;
    let users = app.store.users().await?;
    Ok(render(
        app,
        Some(editor),
        status,
        "users.html",
        context! {
            nav => "users",
            users => Value::from_serialize(&users),
            roles => Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            password,
            error => said.error,
            notice => said.notice,
        },
    ))
}

async fn users_page(State(app): State<SharedApp>, PageEditor(editor): PageEditor) -> Response {
    let result = users_view(&app, &editor, StatusCode::OK, Said::default(), None).await;
    or_page(&app, &editor, result)
}

async fn create_user(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let fields = checked_form(&editor, form)?;
        api::add_user(
            &app,
            &editor,
            &UserInput {
                email: fields.text("email"),
                name: fields.text("name"),
                role: fields.text("role"),
                password: None,
                author_id: None,
            },
        )
        .await
    }
    .await;
    let password = result.as_ref().ok().and_then(|(_, p)| p.clone());
    let (status, said) = Said::after(&result, |(user, _)| {
        format!("Created the account of {}.", user.name)
    });
    let page = users_view(&app, &editor, status, said, password).await;
    or_page(&app, &editor, page)
}

async fn update_user(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let id = id_from(id)?;
        let fields = checked_form(&editor, form)?;
        api::change_role(&app, &editor, id, &fields.text("role")).await
    }
    .await;
    let (status, said) = Said::after(&result, |_| "Role changed.".to_owned());
    let page = users_view(&app, &editor, status, said, None).await;
    or_page(&app, &editor, page)
}

fn account_view(
    app: &App,
    editor: &Editor,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<String>,
    token: Option<String>,
) -> Response {
    render(
        app,
        Some(editor),
        status,
        "account.html",
        context! { nav => "account", notice, error, token },
    )
}

async fn account_page(State(app): State<SharedApp>, PageEditor(editor): PageEditor) -> Response {
    account_view(&app, &editor, StatusCode::OK, None, None, None)
}

async fn change_password(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let fields = checked_form(&editor, form)?;
        api::password_change(
            &app,
            &editor,
            &PasswordChange {
                current: fields.text("current"),
                new: fields.text("new"),
            },
        )
        .await
    }
    .await;
    match result {
        Ok(()) => account_view(
            &app,
            &editor,
            StatusCode::OK,
            Some("Password changed; your other sessions are logged out."),
            None,
            None,
        ),
        Err(e) => account_view(&app, &editor, e.status(), None, Some(e.message()), None),
    }
}

async fn new_token(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        checked_form(&editor, form)?;
        let token = auth::random_token()?;
        app.store
            .add_api_token(&auth::token_hash(&token), editor.user.id)
            .await?;
        Ok::<_, NewsroomError>(token)
    }
    .await;
    match result {
        Ok(token) => account_view(&app, &editor, StatusCode::OK, None, None, Some(token)),
        Err(e) => account_view(&app, &editor, e.status(), None, Some(e.message()), None),
    }
}

// ---- webhooks ----

async fn webhooks_view(
    app: &App,
    editor: &Editor,
    status: StatusCode,
    said: Said,
) -> Result<Response, NewsroomError> {
    editor.require(Action::ManageSettings, false)?;
    let hooks = app.store.webhooks().await?;
    let log = app.store.deliveries(100).await?;
    Ok(render(
        app,
        Some(editor),
        status,
        "webhooks.html",
        context! {
            nav => "webhooks",
            notice => said.notice,
            error => said.error,
            hooks => Value::from_serialize(&hooks),
            deliveries => log.iter().map(|d| context! {
                id => d.id, url => d.url.clone(), event => d.event.clone(), state => d.state.clone(),
                attempts => d.attempts, last_status => d.last_status, last_error => d.last_error.clone(),
                created => display_time(d.created_at),
                next => (d.state == "pending").then(|| display_time(d.next_attempt_at)),
            }).collect::<Vec<_>>(),
        },
    ))
}

async fn webhooks_page(State(app): State<SharedApp>, PageEditor(editor): PageEditor) -> Response {
    let result = webhooks_view(&app, &editor, StatusCode::OK, Said::default()).await;
    or_page(&app, &editor, result)
}

async fn add_webhook(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let fields = checked_form(&editor, form)?;
        super::webhooks::register(&app, &editor, &fields.text("url")).await
    }
    .await;
    let (status, said) = Said::after(&result, |hook| format!("Added {}.", hook.url));
    let page = webhooks_view(&app, &editor, status, said).await;
    or_page(&app, &editor, page)
}

async fn remove_webhook(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    id: Result<Path<Id>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let id = id_from(id)?;
        checked_form(&editor, form)?;
        editor.require(Action::ManageSettings, false)?;
        app.store.delete_webhook(id).await?;
        Ok(see_other("/newsroom/webhooks"))
    }
    .await;
    or_page(&app, &editor, result)
}

// ---- the site's addresses (the signed mirror list) ----

async fn addresses_view(
    app: &App,
    editor: &Editor,
    status: StatusCode,
    said: Said,
) -> Result<Response, NewsroomError> {
    editor.require(Action::ManageSettings, false)?;
    let addresses = app.store.addresses().await?;
    let checks = app.store.latest_checks().await?;
    let serial = app.store.mirror_serial().await?;
    Ok(render(
        app,
        Some(editor),
        status,
        "addresses.html",
        context! {
            nav => "addresses",
            notice => said.notice,
            error => said.error,
            serial,
            signed => app.mirror_key.is_some(),
            kinds => ["domain", "cdn", "onion", "ipfs", "static"],
            addresses => addresses.iter().map(|a| {
                let check = checks.get(&a.host);
                context! {
                    host => a.host.clone(), url => a.url(), kind => a.kind.as_str(), state => a.state.as_str(),
                    updated => display_time(a.updated),
                    checked => check.map(|(at, _, _)| display_time(*at)),
                    healthy => check.map(|(_, ok, _)| *ok),
                    detail => check.map(|(_, _, d)| d.clone()).unwrap_or_default(),
                }
            }).collect::<Vec<_>>(),
            states => ["active", "blocked", "retired"],
        },
    ))
}

async fn addresses_page(State(app): State<SharedApp>, PageEditor(editor): PageEditor) -> Response {
    let result = addresses_view(&app, &editor, StatusCode::OK, Said::default()).await;
    or_page(&app, &editor, result)
}

async fn add_address(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let fields = checked_form(&editor, form)?;
        editor.require(Action::ManageSettings, false)?;
        let host = fields.text("host").trim().to_ascii_lowercase();
        broadsheet_domain::mirrors::check_host(&host)
            .map_err(|m| NewsroomError::invalid("host", m))?;
        let kind = match fields.get("kind").map(str::trim) {
            Some(raw) if !raw.is_empty() => broadsheet_domain::AddressKind::parse(raw)?,
            _ => broadsheet_domain::AddressKind::guess(&host),
        };
        let address = app.store.add_address(&host, kind).await?;
        app.cache.clear();
        Ok::<_, NewsroomError>(address)
    }
    .await;
    let (status, said) = Said::after(&result, |a| {
        format!(
            "{} is now one of the site's addresses: it is served, in the footer and in the signed list.",
            a.host
        )
    });
    let page = addresses_view(&app, &editor, status, said).await;
    or_page(&app, &editor, page)
}

async fn set_address_state(
    State(app): State<SharedApp>,
    PageEditor(editor): PageEditor,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = async {
        let fields = checked_form(&editor, form)?;
        editor.require(Action::ManageSettings, false)?;
        let state = broadsheet_domain::AddressState::parse(&fields.text("state"))?;
        let address = app
            .store
            .set_address_state(&fields.text("host"), state)
            .await?;
        app.cache.clear();
        Ok::<_, NewsroomError>(address)
    }
    .await;
    let (status, said) = Said::after(&result, |a| {
        format!(
            "{} is now {}; the signed list changed.",
            a.host,
            a.state.as_str()
        )
    });
    let page = addresses_view(&app, &editor, status, said).await;
    or_page(&app, &editor, page)
}
