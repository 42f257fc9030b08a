//! Every editorial action, with its permission check, shared by the Admin API and the
//! newsroom pages so both follow the same rules. After each write the page cache is
//! cleared before answering, so the very next reader request shows the change.

use super::auth::Editor;
use super::NewsroomError;
use crate::App;
use broadsheet_domain::{
    Action, Article, ArticleDraft, ArticleStatus, Byline, Correction, Id, Language, NewSection,
    Section, Slug,
};
use broadsheet_storage::{SavedBy, StoreError};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// What an editor sends to create or change an article (JSON, or the newsroom's form).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ArticleInput {
    pub headline: String,
    #[serde(default)]
    pub standfirst: String,
    #[serde(default)]
    pub body: String,
    /// The section's path, such as `news/middle-east`.
    pub section: String,
    /// Defaults to the section's language, else the site's.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Author slugs or names for staff; any other name is a guest byline.
    /// Empty: the writer's own byline.
    #[serde(default)]
    pub bylines: Vec<String>,
    #[serde(default)]
    pub dateline: Option<String>,
    #[serde(default)]
    pub lead_media_id: Option<Id>,
    /// Defaults to one made from the headline; kept once the article exists.
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub translation_group: Option<String>,
    /// For updates: the revision the editor started from (optimistic concurrency).
    #[serde(default)]
    pub revision: Option<i64>,
}

/// A change of workflow state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Draft -> in review.
    Submit,
    /// Back to draft (an editor returns a story to its writer).
    ReturnToDraft,
    /// Publish now, or schedule when `at` is in the future.
    Publish {
        at: Option<DateTime<Utc>>,
    },
    Unpublish,
}

fn own(editor: &Editor, article: &Article) -> bool {
    article.owner == Some(editor.user.id)
}

fn by(editor: &Editor) -> SavedBy {
    SavedBy::user(editor.user.id)
}

/// A live article changes what readers see: it takes the right to publish to edit it.
fn require_edit(editor: &Editor, article: &Article) -> Result<(), NewsroomError> {
    let own = own(editor, article);
    editor.require(Action::EditArticle, own)?;
    if matches!(
        article.draft.status,
        ArticleStatus::Published | ArticleStatus::Scheduled
    ) {
        editor.require(Action::PublishArticle, own)?;
    }
    Ok(())
}

pub async fn load(app: &App, editor: &Editor, id: Id) -> Result<Article, NewsroomError> {
    editor.require(Action::ViewNewsroom, false)?;
    app.store
        .article(id)
        .await?
        .ok_or(NewsroomError::NotFound("The article"))
}

/// Turns an editor's input into a draft: finds the section and bylines, picks the slug.
async fn to_draft(
    app: &App,
    editor: &Editor,
    input: &ArticleInput,
    existing: Option<&Article>,
) -> Result<ArticleDraft, NewsroomError> {
    let chrome = app.chrome().await?;
    let section = chrome.tree.find_by_path(&input.section).ok_or_else(|| {
        NewsroomError::invalid(
            "section",
            format!("there is no section {:?}", input.section.trim()),
        )
    })?;
    let language = match input.language.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => Language::parse(raw)?,
        _ => match existing {
            Some(article) => article.draft.language.clone(),
            None => section
                .language
                .clone()
                .unwrap_or_else(|| app.settings.default_language.clone()),
        },
    };
    let slug = match input.slug.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => Slug::parse(raw)?,
        _ => match existing {
            Some(article) => article.draft.slug.clone(),
            None => broadsheet_domain::slugify(&input.headline)
                .unwrap_or_else(|| Slug::parse("article").expect("a valid slug")),
        },
    };
    let bylines = bylines(app, editor, &input.bylines, existing).await?;
    if let Some(media) = input.lead_media_id {
        if app.store.media(media).await?.is_none() {
            return Err(NewsroomError::invalid(
                "lead_media_id",
                format!("there is no image {media}"),
            ));
        }
    }
    let (status, published_at) = existing.map_or((ArticleStatus::Draft, None), |a| {
        (a.draft.status, a.draft.published_at)
    });
    let draft = ArticleDraft {
        slug,
        section_id: section.id,
        language,
        headline: input.headline.clone(),
        standfirst: input.standfirst.clone(),
        body: input.body.clone(),
        dateline: input.dateline.clone(),
        lead_media_id: input.lead_media_id,
        bylines,
        tags: input.tags.clone(),
        status,
        published_at,
        translation_group: input
            .translation_group
            .clone()
            .filter(|g| !g.trim().is_empty())
            .or_else(|| existing.and_then(|a| a.draft.translation_group.clone())),
    };
    draft.validate()?;
    Ok(draft)
}

async fn bylines(
    app: &App,
    editor: &Editor,
    names: &[String],
    existing: Option<&Article>,
) -> Result<Vec<Byline>, NewsroomError> {
    let names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        if let Some(article) = existing {
            return Ok(article.draft.bylines.clone());
        }
        return Ok(vec![match editor.user.author_id {
            Some(author_id) => Byline::Staff { author_id },
            None => Byline::Guest {
                name: editor.user.name.clone(),
            },
        }]);
    }
    let authors = app.store.authors().await?;
    Ok(names
        .into_iter()
        .map(|name| {
            authors
                .iter()
                .find(|a| a.slug.as_str() == name || a.name.eq_ignore_ascii_case(name))
                .map_or_else(
                    || Byline::Guest {
                        name: name.to_owned(),
                    },
                    |a| Byline::Staff { author_id: a.id },
                )
        })
        .collect())
}

/// Writes a new draft owned by the editor. A slug already taken on that day in that
/// section gets a number: `storm-2`.
pub async fn create(
    app: &App,
    editor: &Editor,
    input: &ArticleInput,
) -> Result<Article, NewsroomError> {
    editor.require(Action::CreateArticle, true)?;
    let mut draft = to_draft(app, editor, input, None).await?;
    let base = draft.slug.clone();
    for n in 2..=50 {
        match app.store.create_article_by(&draft, &by(editor)).await {
            Err(StoreError::PathTaken(_)) if input.slug.is_none() => {
                draft.slug = Slug::parse(&format!("{base}-{n}"))?;
            }
            other => return done(app, other),
        }
    }
    Err(NewsroomError::invalid(
        "slug",
        "choose another headline or slug; this one is taken many times over",
    ))
}

/// Saves the editor's changes, unless someone saved since the revision they started from.
pub async fn update(
    app: &App,
    editor: &Editor,
    id: Id,
    input: &ArticleInput,
) -> Result<Article, NewsroomError> {
    let current = load(app, editor, id).await?;
    require_edit(editor, &current)?;
    let Some(base) = input.revision else {
        return Err(NewsroomError::invalid(
            "revision",
            "say which revision you edited, so nobody's changes are overwritten",
        ));
    };
    if base != current.revision {
        return Err(conflict(&current, base));
    }
    let draft = to_draft(app, editor, input, Some(&current)).await?;
    let saved = app
        .store
        .update_article_by(id, Some(base), &draft, &by(editor))
        .await;
    let saved = match saved {
        Err(StoreError::Conflict(_)) => {
            let now = load(app, editor, id).await?;
            return Err(conflict(&now, base));
        }
        other => done(app, other)?,
    };
    tell_webhooks(app, current.draft.status, &saved).await;
    Ok(saved)
}

/// Queues the webhook event a change makes, when readers could see it.
async fn tell_webhooks(app: &App, before: ArticleStatus, after: &Article) {
    if let Some(event) = super::webhooks::event_for(before, after.draft.status) {
        super::webhooks::announce(app, event, after).await;
    }
}

fn conflict(current: &Article, base: i64) -> NewsroomError {
    NewsroomError::Conflict {
        message: format!(
            "Someone else saved this article (revision {}) after you opened revision {base}. \
             Your text was not saved and is still here: copy what you need, reload, and merge.",
            current.revision
        ),
        current: current.revision,
    }
}

/// Moves an article through the workflow; each move is a revision with a note.
pub async fn transition(
    app: &App,
    editor: &Editor,
    id: Id,
    transition: Transition,
) -> Result<Article, NewsroomError> {
    let current = load(app, editor, id).await?;
    let own = own(editor, &current);
    let mut draft = current.draft.clone();
    let status = draft.status;
    let now = Utc::now();
    let note = match transition {
        Transition::Submit => {
            editor.require(Action::SubmitForReview, own)?;
            if !matches!(status, ArticleStatus::Draft | ArticleStatus::Unpublished) {
                return Err(NewsroomError::invalid(
                    "status",
                    "only a draft can be sent for review",
                ));
            }
            draft.status = ArticleStatus::InReview;
            "Sent for review".to_owned()
        }
        Transition::ReturnToDraft => {
            editor.require(Action::EditArticle, own)?;
            if status != ArticleStatus::InReview {
                return Err(NewsroomError::invalid(
                    "status",
                    "only an article in review can go back to draft",
                ));
            }
            draft.status = ArticleStatus::Draft;
            "Returned to draft".to_owned()
        }
        Transition::Publish { at } => {
            editor.require(Action::PublishArticle, own)?;
            match at.filter(|t| *t > now) {
                Some(at) => {
                    if status == ArticleStatus::Published {
                        return Err(NewsroomError::invalid(
                            "at",
                            "this article is already published; unpublish it first to schedule it",
                        ));
                    }
                    draft.status = ArticleStatus::Scheduled;
                    draft.published_at = Some(at);
                    format!("Scheduled for {}", at.format("%Y-%m-%d %H:%M UTC"))
                }
                None => {
                    if status == ArticleStatus::Published {
                        return Err(NewsroomError::invalid(
                            "status",
                            "this article is already published",
                        ));
                    }
                    // Republishing keeps the first publication date; a new story gets now.
                    draft.published_at = match (status, draft.published_at) {
                        (ArticleStatus::Unpublished, Some(first)) if first <= now => Some(first),
                        _ => Some(now),
                    };
                    draft.status = ArticleStatus::Published;
                    "Published".to_owned()
                }
            }
        }
        Transition::Unpublish => {
            editor.require(Action::UnpublishArticle, own)?;
            if !matches!(status, ArticleStatus::Published | ArticleStatus::Scheduled) {
                return Err(NewsroomError::invalid(
                    "status",
                    "only a published or scheduled article can be unpublished",
                ));
            }
            draft.status = ArticleStatus::Unpublished;
            "Unpublished".to_owned()
        }
    };
    let saved = app
        .store
        .update_article_by(
            id,
            Some(current.revision),
            &draft,
            &by(editor).with_note(note),
        )
        .await;
    let saved = done(app, saved)?;
    tell_webhooks(app, status, &saved).await;
    Ok(saved)
}

/// Adds a dated correction to a published article.
pub async fn correct(
    app: &App,
    editor: &Editor,
    id: Id,
    note: &str,
) -> Result<Correction, NewsroomError> {
    let current = load(app, editor, id).await?;
    editor.require(Action::CorrectArticle, own(editor, &current))?;
    if current.draft.status != ArticleStatus::Published {
        return Err(NewsroomError::invalid(
            "note",
            "corrections are for published articles; edit a draft directly",
        ));
    }
    let correction = done(app, app.store.add_correction(id, note, &by(editor)).await)?;
    super::webhooks::announce_id(app, super::webhooks::UPDATED, id).await;
    Ok(correction)
}

/// Brings back the text of an earlier revision as a new revision; the workflow state
/// (published or not) stays as it is now.
pub async fn restore(
    app: &App,
    editor: &Editor,
    id: Id,
    revision: i64,
) -> Result<Article, NewsroomError> {
    let current = load(app, editor, id).await?;
    require_edit(editor, &current)?;
    let old = app
        .store
        .revisions(id)
        .await?
        .into_iter()
        .find(|r| r.revision == revision)
        .ok_or(NewsroomError::NotFound("That revision"))?;
    let draft = ArticleDraft {
        status: current.draft.status,
        published_at: current.draft.published_at,
        ..old.draft
    };
    let saved = app
        .store
        .update_article_by(
            id,
            Some(current.revision),
            &draft,
            &by(editor).with_note(format!("Restored revision {revision}")),
        )
        .await;
    let saved = done(app, saved)?;
    tell_webhooks(app, current.draft.status, &saved).await;
    Ok(saved)
}

/// What an editor sends to create or change a section.
#[derive(Debug, Clone, Deserialize)]
pub struct SectionInput {
    pub name: String,
    /// Defaults to one made from the name.
    #[serde(default)]
    pub slug: Option<String>,
    /// The parent section's path; none for a top-level section.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub position: i64,
    #[serde(default)]
    pub language: Option<String>,
}

async fn to_new_section(app: &App, input: &SectionInput) -> Result<NewSection, NewsroomError> {
    let tree = app.store.section_tree().await?;
    let parent_id = match input.parent.as_deref().map(|p| p.trim().trim_matches('/')) {
        Some(path) if !path.is_empty() => Some(
            tree.find_by_path(path)
                .ok_or_else(|| {
                    NewsroomError::invalid("parent", format!("there is no section {path:?}"))
                })?
                .id,
        ),
        _ => None,
    };
    let slug = match input.slug.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => Slug::parse(raw)?,
        _ => broadsheet_domain::slugify(&input.name)
            .ok_or_else(|| NewsroomError::invalid("slug", "give the section a slug"))?,
    };
    let language = match input.language.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => Some(Language::parse(raw)?),
        _ => None,
    };
    Ok(NewSection {
        parent_id,
        slug,
        name: input.name.clone(),
        description: input.description.clone(),
        position: input.position,
        language,
    })
}

pub async fn create_section(
    app: &App,
    editor: &Editor,
    input: &SectionInput,
) -> Result<Section, NewsroomError> {
    editor.require(Action::Curate, false)?;
    let new = to_new_section(app, input).await?;
    let created = app.store.create_section(&new).await;
    done(app, created)
}

pub async fn update_section(
    app: &App,
    editor: &Editor,
    id: Id,
    input: &SectionInput,
) -> Result<Section, NewsroomError> {
    editor.require(Action::Curate, false)?;
    let changed = to_new_section(app, input).await?;
    let updated = app.store.update_section(id, &changed).await;
    done(app, updated)
}

/// Replaces a collection's name and articles (in order); creates it if new.
pub async fn set_collection(
    app: &App,
    editor: &Editor,
    slug: &str,
    name: &str,
    article_ids: &[Id],
) -> Result<broadsheet_domain::Collection, NewsroomError> {
    editor.require(Action::Curate, false)?;
    let slug = Slug::parse(slug)?;
    if name.trim().is_empty() {
        return Err(NewsroomError::invalid("name", "a collection needs a name"));
    }
    for id in article_ids {
        if app.store.article(*id).await?.is_none() {
            return Err(NewsroomError::invalid(
                "article_ids",
                format!("there is no article {id}"),
            ));
        }
    }
    let saved = app
        .store
        .set_collection(&slug, name.trim(), article_ids)
        .await;
    done(app, saved)
}

/// Clears the page cache after a successful write, so the next request shows it.
fn done<T>(app: &App, result: Result<T, StoreError>) -> Result<T, NewsroomError> {
    let value = result?;
    app.cache.clear();
    Ok(value)
}

/// What an editor sends to create or change a video (JSON, or the newsroom's form).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VideoInput {
    pub title: String,
    /// `clip` (default) or `live`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Defaults to one made from the title.
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub hls_url: Option<String>,
    #[serde(default)]
    pub mp4_url: Option<String>,
    #[serde(default)]
    pub duration_seconds: Option<u32>,
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub captions_url: Option<String>,
    /// Defaults to the site's language.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub published: bool,
}

/// Creates (`id` None) or changes a video. Videos are a programming decision, like
/// sections and collections: editors and admins make them.
pub async fn save_video(
    app: &App,
    editor: &Editor,
    id: Option<Id>,
    input: &VideoInput,
) -> Result<broadsheet_domain::Video, NewsroomError> {
    editor.require(Action::Curate, false)?;
    if input.title.trim().is_empty() {
        return Err(NewsroomError::invalid("title", "must not be empty"));
    }
    let slug = match input.slug.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => Slug::parse(raw)?,
        _ => broadsheet_domain::slugify(&input.title)
            .ok_or_else(|| NewsroomError::invalid("slug", "give the video a slug"))?,
    };
    let kind = match input.kind.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => broadsheet_domain::VideoKind::parse(raw)?,
        _ => broadsheet_domain::VideoKind::Clip,
    };
    let language = match input.language.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => Language::parse(raw)?,
        _ => app.settings.default_language.clone(),
    };
    let new = broadsheet_domain::NewVideo {
        slug,
        kind,
        title: input.title.clone(),
        description: input.description.clone(),
        hls_url: input.hls_url.clone(),
        mp4_url: input.mp4_url.clone(),
        duration_seconds: input.duration_seconds,
        thumbnail_url: input.thumbnail_url.clone(),
        captions_url: input.captions_url.clone(),
        language,
        published: input.published,
    };
    let saved = app.store.save_video(id, new).await;
    done(app, saved)
}
