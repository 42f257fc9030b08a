//! The Admin API: everything the newsroom does, as JSON under `/api/admin/`.
//! Authenticated by `Authorization: Bearer TOKEN` or the newsroom's session cookie (then
//! state-changing requests carry the `X-CSRF-Token` header). Errors are
//! `{"error": {"code", "message", "field"?, "current_revision"?}}`.

use super::auth::{self, Editor, CSRF_HEADER};
use super::editorial::{self, ArticleInput, SectionInput, Transition};
use super::media::{self, ImageText};
use super::NewsroomError;
use crate::{App, SharedApp};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use broadsheet_domain::{
    Action, Article, ArticleStatus, Byline, Id, Language, Media, NewUser, Role, SectionTree,
};
use broadsheet_storage::NewsroomFilter;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<SharedApp> {
    Router::new()
        .route("/me", get(me))
        .route("/me/password", post(change_password))
        .route("/me/tokens", post(new_token))
        .route("/articles", get(list_articles).post(create_article))
        .route("/articles/{id}", get(get_article).put(update_article))
        .route("/articles/{id}/submit", post(submit))
        .route("/articles/{id}/return", post(return_to_draft))
        .route("/articles/{id}/publish", post(publish))
        .route("/articles/{id}/unpublish", post(unpublish))
        .route("/articles/{id}/corrections", post(add_correction))
        .route("/articles/{id}/revisions", get(revisions))
        .route("/articles/{id}/revisions/{revision}/restore", post(restore))
        .route("/preview", post(preview))
        .route("/media", get(media_library).post(upload))
        .route("/media/{id}", put(update_media))
        .route("/sections", get(sections).post(create_section))
        .route("/sections/{id}", put(update_section))
        .route("/videos", get(videos).post(create_video))
        .route("/videos/{id}", get(get_video).put(update_video))
        .route("/collections", get(collections))
        .route("/collections/{slug}", get(collection).put(set_collection))
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", put(update_user))
        .route("/webhooks", get(webhooks).post(add_webhook))
        .route("/webhooks/deliveries", get(deliveries))
        .route("/webhooks/{id}", axum::routing::delete(remove_webhook))
        .fallback(|| async { NewsroomError::NotFound("This address").into_response() })
        // Large enough that an oversized article gets the field's own clear message.
        .layer(axum::extract::DefaultBodyLimit::max(
            media::MAX_UPLOAD_BYTES + 1024 * 1024,
        ))
}

impl IntoResponse for NewsroomError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code(), "message": self.message() });
        if let NewsroomError::Invalid(v) = &self {
            error["field"] = json!(v.field);
        }
        if let NewsroomError::Conflict { current, .. } = &self {
            if *current > 0 {
                error["current_revision"] = json!(current);
            }
        }
        let mut response = (self.status(), Json(json!({ "error": error }))).into_response();
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        response
    }
}

/// The signed-in user of an API request; refuses anonymous requests, and cookie-based
/// writes without the CSRF header.
pub struct ApiEditor(pub Editor);

impl FromRequestParts<SharedApp> for ApiEditor {
    type Rejection = NewsroomError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &SharedApp,
    ) -> Result<Self, Self::Rejection> {
        let editor = auth::authenticate(app, &parts.headers)
            .await?
            .ok_or(NewsroomError::Unauthenticated)?;
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            editor.check_csrf(sent)?;
        }
        editor.require(Action::ViewNewsroom, false)?;
        Ok(ApiEditor(editor))
    }
}

fn body<T>(parsed: Result<Json<T>, JsonRejection>) -> Result<T, NewsroomError> {
    match parsed {
        Ok(Json(value)) => Ok(value),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(NewsroomError::TooLarge("The request is too large.".into()))
        }
        Err(e) => Err(NewsroomError::invalid("json", e.body_text())),
    }
}

fn path<T>(parsed: Result<Path<T>, PathRejection>) -> Result<T, NewsroomError> {
    parsed
        .map(|Path(v)| v)
        .map_err(|_| NewsroomError::NotFound("This address"))
}

fn query<T>(parsed: Result<Query<T>, QueryRejection>) -> Result<T, NewsroomError> {
    parsed
        .map(|Query(v)| v)
        .map_err(|e| NewsroomError::invalid("query", e.body_text()))
}

type ApiResult = Result<Response, NewsroomError>;

fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

fn created(value: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

/// An article as the API shows it.
pub fn article_json(app: &App, tree: &SectionTree, article: &Article) -> Value {
    let d = &article.draft;
    json!({
        "id": article.id,
        "url": app.settings.absolute_url(&article.path),
        "path": article.path,
        "revision": article.revision,
        "status": d.status,
        "headline": d.headline,
        "standfirst": d.standfirst,
        "body": d.body,
        "section": tree.path(d.section_id).unwrap_or_default().trim_start_matches('/'),
        "language": d.language.as_str(),
        "slug": d.slug.as_str(),
        "tags": d.tags,
        "bylines": d.bylines.iter().map(|b| match b {
            Byline::Staff { author_id } => json!({ "kind": "staff", "author_id": author_id }),
            Byline::Guest { name } => json!({ "kind": "guest", "name": name }),
        }).collect::<Vec<_>>(),
        "dateline": d.dateline,
        "lead_media_id": d.lead_media_id,
        "translation_group": d.translation_group,
        "published_at": d.published_at,
        "created_at": article.created_at,
        "updated_at": article.updated_at,
        "owner": article.owner,
    })
}

pub fn media_json(m: &Media) -> Value {
    json!({
        "id": m.id,
        "url": format!("/media/{}", m.file_name),
        "file_name": m.file_name,
        "mime": m.mime,
        "width": m.width,
        "height": m.height,
        "alt": m.alt,
        "caption": m.caption,
        "credit": m.credit,
        "file_photo": m.file_photo,
        "variants": m.variants.iter().map(|w| json!({
            "width": w,
            "url": format!("/media/{}", m.variant_name(*w, false)),
            "webp_url": m.webp.then(|| format!("/media/{}", m.variant_name(*w, true))),
        })).collect::<Vec<_>>(),
    })
}

async fn article_response(app: &App, article: &Article, status: StatusCode) -> ApiResult {
    let tree = app.store.section_tree().await?;
    Ok((status, Json(article_json(app, &tree, article))).into_response())
}

async fn me(ApiEditor(editor): ApiEditor) -> ApiResult {
    ok(json!({
        "id": editor.user.id,
        "email": editor.user.email,
        "name": editor.user.name,
        "role": editor.user.role,
        "csrf_token": editor.csrf(),
    }))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// Changes one's own password; every other session of the account ends.
pub async fn password_change(
    app: &App,
    editor: &Editor,
    change: &PasswordChange,
) -> Result<(), NewsroomError> {
    let hash = app.store.password_hash(editor.user.id).await?;
    if !auth::verify_password(&change.current, &hash) {
        return Err(NewsroomError::invalid(
            "current",
            "the current password is wrong",
        ));
    }
    let new_hash = auth::hash_password_blocking(change.new.clone()).await?;
    let keep = match &editor.via {
        auth::Credential::Session { token_hash, .. } => Some(token_hash.as_str()),
        auth::Credential::Token => None,
    };
    app.store
        .set_password_hash(editor.user.id, &new_hash, keep)
        .await?;
    Ok(())
}

async fn change_password(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    change: Result<Json<PasswordChange>, JsonRejection>,
) -> ApiResult {
    password_change(&app, &editor, &body(change)?).await?;
    ok(json!({ "changed": true }))
}

/// A new API token for oneself, shown once.
async fn new_token(State(app): State<SharedApp>, ApiEditor(editor): ApiEditor) -> ApiResult {
    let token = auth::random_token()?;
    app.store
        .add_api_token(&auth::token_hash(&token), editor.user.id)
        .await?;
    created(json!({ "token": token }))
}

#[derive(Deserialize, Default)]
pub struct ArticleQuery {
    pub status: Option<String>,
    /// Section path.
    pub section: Option<String>,
    /// `me` for one's own articles, or a user id.
    pub owner: Option<String>,
    pub language: Option<String>,
    /// Words in the headline.
    pub q: Option<String>,
    pub limit: Option<u32>,
}

/// Reads the newsroom list's filters, shared with the newsroom page.
pub async fn filter_from(
    app: &App,
    editor: &Editor,
    q: &ArticleQuery,
) -> Result<NewsroomFilter, NewsroomError> {
    let blank = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let status = blank(&q.status)
        .map(|s| ArticleStatus::parse(&s))
        .transpose()?;
    let section_id = match blank(&q.section) {
        Some(path) => {
            let tree = app.store.section_tree().await?;
            Some(
                tree.find_by_path(&path)
                    .ok_or_else(|| {
                        NewsroomError::invalid("section", format!("there is no section {path:?}"))
                    })?
                    .id,
            )
        }
        None => None,
    };
    let owner = match blank(&q.owner).as_deref() {
        Some("me") => Some(editor.user.id),
        Some(id) => Some(
            id.parse()
                .map_err(|_| NewsroomError::invalid("owner", "use `me` or a user id"))?,
        ),
        None => None,
    };
    let language = blank(&q.language)
        .map(|l| Language::parse(&l))
        .transpose()?;
    Ok(NewsroomFilter {
        status,
        section_id,
        owner,
        language,
        headline: blank(&q.q),
        limit: q.limit.unwrap_or(100),
    })
}

async fn list_articles(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    q: Result<Query<ArticleQuery>, QueryRejection>,
) -> ApiResult {
    let filter = filter_from(&app, &editor, &query(q)?).await?;
    let items = app.store.newsroom_articles(&filter).await?;
    ok(json!({ "articles": items }))
}

async fn create_article(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    input: Result<Json<ArticleInput>, JsonRejection>,
) -> ApiResult {
    let article = editorial::create(&app, &editor, &body(input)?).await?;
    article_response(&app, &article, StatusCode::CREATED).await
}

async fn get_article(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
) -> ApiResult {
    let article = editorial::load(&app, &editor, path(id)?).await?;
    article_response(&app, &article, StatusCode::OK).await
}

async fn update_article(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
    input: Result<Json<ArticleInput>, JsonRejection>,
) -> ApiResult {
    let article = editorial::update(&app, &editor, path(id)?, &body(input)?).await?;
    article_response(&app, &article, StatusCode::OK).await
}

async fn move_article(app: &App, editor: &Editor, id: Id, to: Transition) -> ApiResult {
    let article = editorial::transition(app, editor, id, to).await?;
    article_response(app, &article, StatusCode::OK).await
}

async fn submit(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
) -> ApiResult {
    move_article(&app, &editor, path(id)?, Transition::Submit).await
}

async fn return_to_draft(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
) -> ApiResult {
    move_article(&app, &editor, path(id)?, Transition::ReturnToDraft).await
}

#[derive(Deserialize, Default)]
struct PublishInput {
    /// RFC 3339; a future time schedules the article.
    at: Option<chrono::DateTime<chrono::Utc>>,
}

async fn publish(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
    body: axum::body::Bytes,
) -> ApiResult {
    // The body is optional (`{"at": ...}` schedules); an empty one publishes now, whatever
    // the Content-Type says.
    let at = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<PublishInput>(&body)
            .map_err(|e| NewsroomError::invalid("json", e.to_string()))?
            .at
    };
    move_article(&app, &editor, path(id)?, Transition::Publish { at }).await
}

async fn unpublish(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
) -> ApiResult {
    move_article(&app, &editor, path(id)?, Transition::Unpublish).await
}

#[derive(Deserialize)]
struct CorrectionInput {
    note: String,
}

async fn add_correction(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
    input: Result<Json<CorrectionInput>, JsonRejection>,
) -> ApiResult {
    let correction = editorial::correct(&app, &editor, path(id)?, &body(input)?.note).await?;
    created(json!(correction))
}

async fn revisions(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
) -> ApiResult {
    let article = editorial::load(&app, &editor, path(id)?).await?;
    let revisions = app.store.revisions(article.id).await?;
    ok(json!({ "revisions": revisions.iter().map(|r| json!({
        "revision": r.revision,
        "saved_at": r.saved_at,
        "saved_by": r.saved_by,
        "note": r.note,
        "headline": r.draft.headline,
        "status": r.draft.status,
    })).collect::<Vec<_>>() }))
}

async fn restore(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    ids: Result<Path<(Id, i64)>, PathRejection>,
) -> ApiResult {
    let (id, revision) = path(ids)?;
    let article = editorial::restore(&app, &editor, id, revision).await?;
    article_response(&app, &article, StatusCode::OK).await
}

#[derive(Deserialize)]
struct PreviewInput {
    body: String,
}

/// The body as readers will see it (Markdown rendered and sanitised): the live preview.
async fn preview(
    ApiEditor(_editor): ApiEditor,
    input: Result<Json<PreviewInput>, JsonRejection>,
) -> ApiResult {
    let input = body(input)?;
    ok(json!({ "html": broadsheet_render::markdown::to_safe_html(&input.body) }))
}

#[derive(Deserialize, Default)]
struct LibraryQuery {
    q: Option<String>,
}

async fn media_library(
    State(app): State<SharedApp>,
    ApiEditor(_editor): ApiEditor,
    q: Result<Query<LibraryQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let items = app
        .store
        .media_library(q.q.as_deref().unwrap_or_default(), 200)
        .await?;
    ok(json!({ "media": items.iter().map(media_json).collect::<Vec<_>>() }))
}

/// Reads a multipart upload: a `file` part and optional `alt`, `caption`, `credit`,
/// `file_photo` (and `csrf`, which the pages send) text parts.
pub async fn read_upload(
    mut form: Multipart,
) -> Result<(Vec<u8>, String, ImageText, Option<String>), NewsroomError> {
    let mut file = None;
    let mut text = ImageText::default();
    let mut csrf = None;
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            NewsroomError::TooLarge(format!(
                "The image is larger than {} MB.",
                media::MAX_UPLOAD_BYTES / 1024 / 1024
            ))
        } else {
            NewsroomError::invalid("file", format!("the upload could not be read: {e}"))
        }
    };
    while let Some(field) = form.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let original = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(broken)?;
            file = Some((bytes.to_vec(), original));
            continue;
        }
        let value = field.text().await.map_err(broken)?;
        match name.as_str() {
            "alt" => text.alt = value,
            "caption" => text.caption = value,
            "credit" => text.credit = value,
            "file_photo" => text.file_photo = matches!(value.as_str(), "1" | "true" | "on"),
            "csrf" => csrf = Some(value),
            _ => {}
        }
    }
    let (bytes, name) =
        file.ok_or_else(|| NewsroomError::invalid("file", "choose an image to upload"))?;
    Ok((bytes, name, text, csrf))
}

async fn upload(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult {
    let form = form.map_err(|e| NewsroomError::invalid("file", e.body_text()))?;
    let (bytes, name, text, _) = read_upload(form).await?;
    let media = media::upload(&app, &editor, bytes, &name, &text).await?;
    created(media_json(&media))
}

async fn update_media(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
    input: Result<Json<ImageText>, JsonRejection>,
) -> ApiResult {
    let media = media::update_text(&app, &editor, path(id)?, &body(input)?).await?;
    ok(media_json(&media))
}

async fn sections(State(app): State<SharedApp>, ApiEditor(_editor): ApiEditor) -> ApiResult {
    let tree = app.store.section_tree().await?;
    ok(json!({ "sections": tree.all().map(|s| json!({
        "id": s.id,
        "name": s.name,
        "slug": s.slug.as_str(),
        "path": tree.path(s.id).unwrap_or_default().trim_start_matches('/'),
        "parent_id": s.parent_id,
        "position": s.position,
        "description": s.description,
        "language": s.language.as_ref().map(|l| l.as_str()),
    })).collect::<Vec<_>>() }))
}

async fn create_section(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    input: Result<Json<SectionInput>, JsonRejection>,
) -> ApiResult {
    let section = editorial::create_section(&app, &editor, &body(input)?).await?;
    created(json!(section))
}

async fn update_section(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
    input: Result<Json<SectionInput>, JsonRejection>,
) -> ApiResult {
    let section = editorial::update_section(&app, &editor, path(id)?, &body(input)?).await?;
    ok(json!(section))
}

async fn videos(State(app): State<SharedApp>, ApiEditor(_editor): ApiEditor) -> ApiResult {
    ok(json!({ "videos": app.store.all_videos().await? }))
}

async fn get_video(
    State(app): State<SharedApp>,
    ApiEditor(_editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
) -> ApiResult {
    let video = app
        .store
        .video(path(id)?)
        .await?
        .ok_or(NewsroomError::NotFound("The video"))?;
    ok(json!(video))
}

async fn create_video(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    input: Result<Json<editorial::VideoInput>, JsonRejection>,
) -> ApiResult {
    let video = editorial::save_video(&app, &editor, None, &body(input)?).await?;
    created(json!(video))
}

async fn update_video(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
    input: Result<Json<editorial::VideoInput>, JsonRejection>,
) -> ApiResult {
    let video = editorial::save_video(&app, &editor, Some(path(id)?), &body(input)?).await?;
    ok(json!(video))
}

async fn collections(State(app): State<SharedApp>, ApiEditor(_editor): ApiEditor) -> ApiResult {
    ok(json!({ "collections": app.store.collections().await? }))
}

async fn collection(
    State(app): State<SharedApp>,
    ApiEditor(_editor): ApiEditor,
    slug: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let slug = broadsheet_domain::Slug::parse(&path(slug)?)
        .map_err(|_| NewsroomError::NotFound("The collection"))?;
    let collection = app
        .store
        .collection(&slug)
        .await?
        .ok_or(NewsroomError::NotFound("The collection"))?;
    let ids = app.store.collection_item_ids(&slug).await?;
    ok(
        json!({ "id": collection.id, "slug": collection.slug, "name": collection.name, "article_ids": ids }),
    )
}

#[derive(Deserialize)]
struct CollectionInput {
    name: String,
    article_ids: Vec<Id>,
}

async fn set_collection(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    slug: Result<Path<String>, PathRejection>,
    input: Result<Json<CollectionInput>, JsonRejection>,
) -> ApiResult {
    let input = body(input)?;
    let collection =
        editorial::set_collection(&app, &editor, &path(slug)?, &input.name, &input.article_ids)
            .await?;
    ok(
        json!({ "id": collection.id, "slug": collection.slug, "name": collection.name, "article_ids": input.article_ids }),
    )
}

async fn users(State(app): State<SharedApp>, ApiEditor(editor): ApiEditor) -> ApiResult {
    editor.require(Action::ManageUsers, false)?;
    ok(json!({ "users": app.store.users().await? }))
}

#[derive(Deserialize)]
pub struct UserInput {
    pub email: String,
    pub name: String,
    pub role: String,
    /// Left out: one is generated and returned once.
    pub password: Option<String>,
    pub author_id: Option<Id>,
}

/// Creates an account; returns it and the password when one was generated.
pub async fn add_user(
    app: &App,
    editor: &Editor,
    input: &UserInput,
) -> Result<(broadsheet_domain::User, Option<String>), NewsroomError> {
    editor.require(Action::ManageUsers, false)?;
    let role = Role::parse(&input.role)?;
    let new = NewUser {
        email: input.email.clone(),
        name: input.name.clone(),
        role,
        author_id: input.author_id,
    };
    new.validate()?;
    let (password, generated) = match &input.password {
        Some(p) => (p.clone(), None),
        None => {
            let p = auth::random_token()?;
            (p.clone(), Some(p))
        }
    };
    let hash = auth::hash_password_blocking(password).await?;
    let user = app.store.create_user(&new, &hash).await?;
    Ok((user, generated))
}

async fn create_user(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    input: Result<Json<UserInput>, JsonRejection>,
) -> ApiResult {
    let (user, password) = add_user(&app, &editor, &body(input)?).await?;
    created(json!({ "user": user, "password": password }))
}

#[derive(Deserialize)]
struct RoleInput {
    role: String,
}

async fn update_user(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
    input: Result<Json<RoleInput>, JsonRejection>,
) -> ApiResult {
    let user = change_role(&app, &editor, path(id)?, &body(input)?.role).await?;
    ok(json!(user))
}

/// Gives an account another role (admins); nobody demotes themselves by accident.
pub async fn change_role(
    app: &App,
    editor: &Editor,
    id: Id,
    role: &str,
) -> Result<broadsheet_domain::User, NewsroomError> {
    editor.require(Action::ManageUsers, false)?;
    let role = Role::parse(role)?;
    if id == editor.user.id && role != Role::Admin {
        return Err(NewsroomError::invalid(
            "role",
            "you cannot take away your own admin role; ask another admin",
        ));
    }
    Ok(app.store.set_user_role(id, role).await?)
}

async fn webhooks(State(app): State<SharedApp>, ApiEditor(editor): ApiEditor) -> ApiResult {
    editor.require(Action::ManageSettings, false)?;
    ok(json!({ "webhooks": app.store.webhooks().await? }))
}

#[derive(Deserialize)]
struct WebhookInput {
    url: String,
}

async fn add_webhook(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    input: Result<Json<WebhookInput>, JsonRejection>,
) -> ApiResult {
    let hook = super::webhooks::register(&app, &editor, &body(input)?.url).await?;
    created(json!(hook))
}

async fn remove_webhook(
    State(app): State<SharedApp>,
    ApiEditor(editor): ApiEditor,
    id: Result<Path<Id>, PathRejection>,
) -> ApiResult {
    editor.require(Action::ManageSettings, false)?;
    app.store.delete_webhook(path(id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The delivery log, newest first (without the secrets).
async fn deliveries(State(app): State<SharedApp>, ApiEditor(editor): ApiEditor) -> ApiResult {
    editor.require(Action::ManageSettings, false)?;
    let log = app.store.deliveries(200).await?;
    ok(json!({ "deliveries": log.iter().map(|d| json!({
        "id": d.id,
        "webhook_id": d.webhook_id,
        "url": d.url,
        "event": d.event,
        "state": d.state,
        "attempts": d.attempts,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "next_attempt_at": d.next_attempt_at,
        "created_at": d.created_at,
        "delivered_at": d.delivered_at,
    })).collect::<Vec<_>>() }))
}
