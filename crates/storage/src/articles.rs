//! Articles: saving with revisions and redirects, and the published listings.

use crate::catalogue::{MediaRow, MEDIA_COLUMNS};
use crate::{placeholders, to_time, ChangeEvent, Result, Store, StoreError};
use broadsheet_domain::{
    article_path, Article, ArticleDetail, ArticleDraft, ArticleStatus, ArticleSummary, Byline,
    BylineView, Correction, Id, Language, Revision, Slug,
};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// Which published articles a listing holds, newest first.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub section_ids: Option<Vec<Id>>,
    pub tag_id: Option<Id>,
    pub author_id: Option<Id>,
    pub exclude: Vec<Id>,
    /// Only articles in this language.
    pub language: Option<Language>,
    /// Only articles changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    pub offset: u64,
    pub limit: u32,
}

/// A value bound to a numbered parameter of a query built at run time.
enum Bind {
    Int(i64),
    Text(String),
}

fn bind_all<'q>(mut query: AnyQuery<'q>, binds: &'q [Bind]) -> AnyQuery<'q> {
    for bind in binds {
        query = match bind {
            Bind::Int(v) => query.bind(*v),
            Bind::Text(v) => query.bind(v.as_str()),
        };
    }
    query
}

const ARTICLE_COLUMNS: &str =
    "a.id, a.path, a.slug, a.section_id, a.language, a.headline, a.standfirst, \
     a.body, a.dateline, a.lead_media_id, a.status, a.published_at, a.created_at, a.updated_at, \
     a.translation_group, a.revision, a.created_by";

const SUMMARY_COLUMNS: &str =
    "a.id, a.path, a.headline, a.standfirst, a.language, a.section_id, a.published_at, a.updated_at";

/// The condition every public listing starts from.
const PUBLIC: &str = "a.status = 'published' AND a.published_at <= $1";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn summary_from(row: &AnyRow) -> Result<ArticleSummary> {
    Ok(ArticleSummary {
        id: row.try_get("id")?,
        path: row.try_get("path")?,
        headline: row.try_get("headline")?,
        standfirst: row.try_get("standfirst")?,
        language: Language::parse(&row.try_get::<String, _>("language")?)
            .map_err(|e| corrupt("language", e))?,
        section_id: row.try_get("section_id")?,
        published_at: to_time(
            row.try_get::<Option<i64>, _>("published_at")?
                .unwrap_or_default(),
        ),
        updated_at: to_time(row.try_get("updated_at")?),
        lead: MediaRow::from_prefixed(row)?,
    })
}

/// A published article's revision, headline and where it sits on the site, without its
/// body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArticleOutline {
    pub id: Id,
    /// Goes up with every save, correction included.
    pub revision: i64,
    pub path: String,
    pub headline: String,
    pub standfirst: String,
    pub section_id: Id,
    pub language: String,
    pub published_at: i64,
    pub translation_group: Option<String>,
    pub tag_ids: Vec<Id>,
    pub author_ids: Vec<Id>,
}

/// Who saved a revision and why, as the article's history shows it. The default is the
/// system itself (the demo, an import, the scheduler) with no note.
#[derive(Debug, Clone, Default)]
pub struct SavedBy {
    pub user_id: Option<Id>,
    pub note: String,
}

impl SavedBy {
    pub fn user(user_id: Id) -> SavedBy {
        SavedBy {
            user_id: Some(user_id),
            note: String::new(),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> SavedBy {
        self.note = note.into();
        self
    }
}

/// A line of the newsroom's article list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewsroomItem {
    pub id: Id,
    pub path: String,
    pub headline: String,
    pub status: ArticleStatus,
    pub section_id: Id,
    pub language: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub revision: i64,
    pub owner: Option<Id>,
    pub owner_name: Option<String>,
}

/// Which articles the newsroom's list shows, whatever their status; newest change first.
#[derive(Debug, Clone, Default)]
pub struct NewsroomFilter {
    pub status: Option<ArticleStatus>,
    pub section_id: Option<Id>,
    /// Articles created by this user.
    pub owner: Option<Id>,
    pub language: Option<Language>,
    /// Words the headline contains.
    pub headline: Option<String>,
    pub limit: u32,
}

impl Store {
    /// Stores a new article as revision 1, saved by the system.
    pub async fn create_article(&self, draft: &ArticleDraft) -> Result<Article> {
        self.create_article_by(draft, &SavedBy::default()).await
    }

    /// Stores a new article as revision 1; `by` becomes its owner.
    pub async fn create_article_by(&self, draft: &ArticleDraft, by: &SavedBy) -> Result<Article> {
        draft.validate()?;
        let draft = &draft.normalized();
        let _turn = self.write_turn().await;
        // An article that arrives already published (imported, or the demo) has existed
        // since its publication time; dating it later would show a false "Updated".
        let now = draft
            .published_at
            .filter(|p| *p < Utc::now())
            .unwrap_or_else(Utc::now);
        let path = self.path_for(draft, now).await?;
        let mut tx = self.pool.begin().await?;
        let insert = sqlx::query(
            "INSERT INTO articles (path, slug, section_id, language, headline, standfirst, body, dateline,
                lead_media_id, status, published_at, created_at, updated_at, translation_group, revision, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, 1, $14) RETURNING id",
        );
        let row = bind_draft(insert, &path, draft)
            .bind(now.timestamp())
            .bind(draft.translation_group.as_deref())
            .bind(by.user_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| path_conflict(e, &path))?;
        let id: Id = row.try_get("id")?;
        write_relations(&mut tx, id, draft).await?;
        write_revision(&mut tx, id, 1, now, draft, by).await?;
        tx.commit().await?;
        self.announce(ChangeEvent::Article { id });
        Ok(Article {
            id,
            draft: draft.clone(),
            path,
            created_at: to_time(now.timestamp()),
            updated_at: to_time(now.timestamp()),
            revision: 1,
            owner: by.user_id,
        })
    }

    /// Saves a new version of an article as the system; see [`Store::update_article_by`].
    pub async fn update_article(
        &self,
        id: Id,
        base_revision: Option<i64>,
        draft: &ArticleDraft,
    ) -> Result<Article> {
        self.update_article_by(id, base_revision, draft, &SavedBy::default())
            .await
    }

    /// Saves a new version of an article. `base_revision` is the revision the editor started
    /// from; when someone saved in between, the save is refused rather than overwriting theirs.
    /// A published article whose address changes keeps its old address as a redirect.
    pub async fn update_article_by(
        &self,
        id: Id,
        base_revision: Option<i64>,
        draft: &ArticleDraft,
        by: &SavedBy,
    ) -> Result<Article> {
        draft.validate()?;
        let draft = &draft.normalized();
        let _turn = self.write_turn().await;
        let current = self
            .article(id)
            .await?
            .ok_or(StoreError::NotFound("the article"))?;
        if let Some(base) = base_revision {
            if base != current.revision {
                return Err(StoreError::Conflict(format!(
                    "this article was saved by someone else (revision {}) after you opened revision {base}",
                    current.revision
                )));
            }
        }
        let now = Utc::now();
        let path = self.path_for(draft, current.created_at).await?;
        let revision = current.revision + 1;
        let mut tx = self.pool.begin().await?;
        let update = sqlx::query(
            "UPDATE articles SET path = $1, slug = $2, section_id = $3, language = $4, headline = $5,
                standfirst = $6, body = $7, dateline = $8, lead_media_id = $9, status = $10,
                published_at = $11, updated_at = $12, translation_group = $13, revision = $14
             WHERE id = $15 AND revision = $16",
        );
        let updated = bind_draft(update, &path, draft)
            .bind(now.timestamp())
            .bind(draft.translation_group.as_deref())
            .bind(revision)
            .bind(id)
            .bind(current.revision)
            .execute(&mut *tx)
            .await
            .map_err(|e| path_conflict(e, &path))?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "this article was saved by someone else meanwhile".into(),
            ));
        }
        sqlx::query("DELETE FROM article_bylines WHERE article_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM article_tags WHERE article_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        write_relations(&mut tx, id, draft).await?;
        write_revision(&mut tx, id, revision, now, draft, by).await?;
        // An address that now belongs to this article again is no longer a redirect.
        sqlx::query("DELETE FROM redirects WHERE old_path = $1")
            .bind(&path)
            .execute(&mut *tx)
            .await?;
        if current.path != path && current.draft.status == ArticleStatus::Published {
            sqlx::query(
                "INSERT INTO redirects (old_path, article_id) VALUES ($1, $2)
                 ON CONFLICT (old_path) DO UPDATE SET article_id = excluded.article_id",
            )
            .bind(&current.path)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.announce(ChangeEvent::Article { id });
        Ok(Article {
            id,
            draft: draft.clone(),
            path,
            created_at: current.created_at,
            updated_at: to_time(now.timestamp()),
            revision,
            owner: current.owner,
        })
    }

    /// The address an article gets: its section's path, the day it was (or will be)
    /// published, or created while it is a draft, and its slug.
    async fn path_for(&self, draft: &ArticleDraft, created: DateTime<Utc>) -> Result<String> {
        let tree = self.section_tree().await?;
        let section_path = tree
            .path(draft.section_id)
            .ok_or(StoreError::NotFound("the section"))?;
        for byline in &draft.bylines {
            if let Byline::Staff { author_id } = byline {
                let found = sqlx::query("SELECT id FROM authors WHERE id = $1")
                    .bind(*author_id)
                    .fetch_optional(&self.pool)
                    .await?;
                if found.is_none() {
                    return Err(StoreError::NotFound("the byline's author"));
                }
            }
        }
        Ok(article_path(
            section_path,
            draft.published_at.unwrap_or(created),
            &draft.slug,
        ))
    }

    /// The article with this id, whatever its status.
    pub async fn article(&self, id: Id) -> Result<Option<Article>> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row.as_ref().map(article_from).transpose()? {
            Some(article) => Ok(Some(self.with_relations(article).await?)),
            None => Ok(None),
        }
    }

    /// The article at a URL path with its bylines, tags and lead image, whatever its status.
    pub async fn article_by_path(&self, path: &str) -> Result<Option<ArticleDetail>> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS}, {MEDIA_COLUMNS} FROM articles a
             LEFT JOIN media m ON m.id = a.lead_media_id WHERE a.path = $1"
        );
        let row = sqlx::query(&sql)
            .bind(path)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (mut article, lead) = (article_from(&row)?, MediaRow::from_prefixed(&row)?);
        // The related rows are independent reads: ask for them at once (several pooled
        // connections), so a cold article page waits for one round trip, not three.
        let id = article.id;
        let (tags, bylines, corrections) =
            tokio::try_join!(self.tags_of(id), self.bylines_of(id), self.corrections(id))?;
        article.draft.tags = tags.iter().map(|t| t.name.clone()).collect();
        let (drafted, bylines) = bylines.into_iter().unzip();
        article.draft.bylines = drafted;
        Ok(Some(ArticleDetail {
            bylines,
            tags,
            corrections,
            lead,
            article,
        }))
    }

    /// Fills in the bylines and tags that live in their own tables, so that the draft
    /// read back can be saved again unchanged.
    async fn with_relations(&self, article: Article) -> Result<Article> {
        let id = article.id;
        let (mut article, tags) = tokio::try_join!(self.with_bylines(article), self.tags_of(id))?;
        article.draft.tags = tags.into_iter().map(|t| t.name).collect();
        Ok(article)
    }

    /// Fills in the draft's bylines from their table.
    async fn with_bylines(&self, mut article: Article) -> Result<Article> {
        article.draft.bylines = self
            .bylines_of(article.id)
            .await?
            .into_iter()
            .map(|(byline, _)| byline)
            .collect();
        Ok(article)
    }

    /// The newsroom's list of articles in every state, most recently changed first.
    pub async fn newsroom_articles(&self, filter: &NewsroomFilter) -> Result<Vec<NewsroomItem>> {
        let mut conditions = vec!["1 = 1".to_owned()];
        let mut binds: Vec<Bind> = Vec::new();
        if let Some(status) = filter.status {
            binds.push(Bind::Text(status.as_str().into()));
            conditions.push(format!("a.status = ${}", binds.len()));
        }
        if let Some(section) = filter.section_id {
            binds.push(Bind::Int(section));
            conditions.push(format!("a.section_id = ${}", binds.len()));
        }
        if let Some(owner) = filter.owner {
            binds.push(Bind::Int(owner));
            conditions.push(format!("a.created_by = ${}", binds.len()));
        }
        if let Some(language) = &filter.language {
            binds.push(Bind::Text(language.to_string()));
            conditions.push(format!("a.language = ${}", binds.len()));
        }
        for word in filter
            .headline
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .take(8)
        {
            binds.push(Bind::Text(format!("%{}%", word.to_lowercase())));
            conditions.push(format!("LOWER(a.headline) LIKE ${}", binds.len()));
        }
        let sql = format!(
            "SELECT a.id, a.path, a.headline, a.status, a.section_id, a.language, a.published_at,
                a.updated_at, a.revision, a.created_by, u.name AS owner_name
             FROM articles a LEFT JOIN users u ON u.id = a.created_by
             WHERE {} ORDER BY a.updated_at DESC, a.id DESC LIMIT ${}",
            conditions.join(" AND "),
            binds.len() + 1
        );
        let rows = bind_all(sqlx::query(&sql), &binds)
            .bind(i64::from(filter.limit.clamp(1, 500)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(NewsroomItem {
                    id: r.try_get("id")?,
                    path: r.try_get("path")?,
                    headline: r.try_get("headline")?,
                    status: ArticleStatus::parse(&r.try_get::<String, _>("status")?)
                        .map_err(|e| corrupt("status", e))?,
                    section_id: r.try_get("section_id")?,
                    language: r.try_get("language")?,
                    published_at: r.try_get::<Option<i64>, _>("published_at")?.map(to_time),
                    updated_at: to_time(r.try_get("updated_at")?),
                    revision: r.try_get("revision")?,
                    owner: r.try_get("created_by")?,
                    owner_name: r.try_get("owner_name")?,
                })
            })
            .collect()
    }

    /// Publishes every scheduled article whose time has come, including times that passed
    /// while the server was down. Returns the ids published.
    pub async fn publish_due(&self, now: DateTime<Utc>) -> Result<Vec<Id>> {
        let rows = sqlx::query(
            "SELECT id FROM articles WHERE status = 'scheduled' AND published_at <= $1 ORDER BY published_at",
        )
        .bind(now.timestamp())
        .fetch_all(&self.pool)
        .await?;
        let mut published = Vec::new();
        for row in rows {
            let id: Id = row.try_get("id")?;
            let Some(article) = self.article(id).await? else {
                continue;
            };
            let mut draft = article.draft;
            draft.status = ArticleStatus::Published;
            let by = SavedBy::default().with_note("Published as scheduled");
            match self
                .update_article_by(id, Some(article.revision), &draft, &by)
                .await
            {
                Ok(_) => published.push(id),
                // Someone saved it meanwhile; the next round sees their version.
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(published)
    }

    /// Adds a dated correction to an article and records it in its history as a revision.
    pub async fn add_correction(&self, id: Id, note: &str, by: &SavedBy) -> Result<Correction> {
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 2_000 {
            return Err(broadsheet_domain::ValidationError::new(
                "note",
                "a correction needs a note of at most 2,000 characters",
            )
            .into());
        }
        let _turn = self.write_turn().await;
        let current = self
            .article(id)
            .await?
            .ok_or(StoreError::NotFound("the article"))?;
        let now = Utc::now();
        let revision = current.revision + 1;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO corrections (article_id, note, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(id)
        .bind(note)
        .bind(now.timestamp())
        .bind(by.user_id)
        .fetch_one(&mut *tx)
        .await?;
        let updated = sqlx::query(
            "UPDATE articles SET revision = $1, updated_at = $2 WHERE id = $3 AND revision = $4",
        )
        .bind(revision)
        .bind(now.timestamp())
        .bind(id)
        .bind(current.revision)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "this article was saved by someone else meanwhile".into(),
            ));
        }
        let by = by.clone().with_note(format!("Correction: {note}"));
        write_revision(&mut tx, id, revision, now, &current.draft, &by).await?;
        tx.commit().await?;
        self.announce(ChangeEvent::Article { id });
        Ok(Correction {
            id: row.try_get("id")?,
            article_id: id,
            note: note.to_owned(),
            created_at: to_time(now.timestamp()),
        })
    }

    /// An article's corrections, oldest first.
    pub async fn corrections(&self, article_id: Id) -> Result<Vec<Correction>> {
        let rows = sqlx::query(
            "SELECT id, note, created_at FROM corrections WHERE article_id = $1 ORDER BY created_at, id",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Correction {
                    id: r.try_get("id")?,
                    article_id,
                    note: r.try_get("note")?,
                    created_at: to_time(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Where an old address of a published article points now.
    pub async fn redirect_target(&self, old_path: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT a.path FROM redirects r JOIN articles a ON a.id = r.article_id
             WHERE r.old_path = $1 AND a.status = 'published'",
        )
        .bind(old_path)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("path")).transpose()?)
    }

    /// An article's bylines as the draft holds them and as readers see them (with the
    /// staff author's name and page), in order.
    async fn bylines_of(&self, article_id: Id) -> Result<Vec<(Byline, BylineView)>> {
        let rows = sqlx::query(
            "SELECT b.author_id, b.guest_name, au.name, au.slug FROM article_bylines b
             LEFT JOIN authors au ON au.id = b.author_id
             WHERE b.article_id = $1 ORDER BY b.position",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let author: Option<i64> = r.try_get("author_id")?;
                let guest: Option<String> = r.try_get("guest_name")?;
                let name: Option<String> = r.try_get("name")?;
                let byline = match author {
                    Some(author_id) => Byline::Staff { author_id },
                    None => Byline::Guest {
                        name: guest.clone().unwrap_or_default(),
                    },
                };
                let view = BylineView {
                    name: guest.or(name).unwrap_or_default(),
                    author_slug: r.try_get("slug")?,
                };
                Ok((byline, view))
            })
            .collect()
    }

    /// Every saved version of an article, oldest first.
    pub async fn revisions(&self, article_id: Id) -> Result<Vec<Revision>> {
        let rows = sqlx::query(
            "SELECT r.revision, r.saved_at, r.snapshot, r.note, u.name AS saved_by
             FROM article_revisions r LEFT JOIN users u ON u.id = r.saved_by
             WHERE r.article_id = $1 ORDER BY r.revision",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let snapshot: String = r.try_get("snapshot")?;
                Ok(Revision {
                    article_id,
                    revision: r.try_get("revision")?,
                    saved_at: to_time(r.try_get("saved_at")?),
                    saved_by: r.try_get("saved_by")?,
                    note: r.try_get("note")?,
                    draft: serde_json::from_str(&snapshot).map_err(|e| corrupt("revision", e))?,
                })
            })
            .collect()
    }

    /// A page of published articles, newest first, and how many there are in all.
    pub async fn list_published(&self, listing: &Listing) -> Result<(Vec<ArticleSummary>, u64)> {
        let mut conditions = vec![PUBLIC.to_owned()];
        let mut binds: Vec<Bind> = vec![Bind::Int(Utc::now().timestamp())];
        if let Some(ids) = &listing.section_ids {
            if ids.is_empty() {
                return Ok((Vec::new(), 0));
            }
            conditions.push(format!(
                "a.section_id IN ({})",
                placeholders(binds.len() + 1, ids.len())
            ));
            binds.extend(ids.iter().map(|&id| Bind::Int(id)));
        }
        if let Some(tag) = listing.tag_id {
            binds.push(Bind::Int(tag));
            conditions.push(format!(
                "a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ${})",
                binds.len()
            ));
        }
        if let Some(author) = listing.author_id {
            binds.push(Bind::Int(author));
            conditions.push(format!(
                "a.id IN (SELECT article_id FROM article_bylines WHERE author_id = ${})",
                binds.len()
            ));
        }
        if !listing.exclude.is_empty() {
            conditions.push(format!(
                "a.id NOT IN ({})",
                placeholders(binds.len() + 1, listing.exclude.len())
            ));
            binds.extend(listing.exclude.iter().map(|&id| Bind::Int(id)));
        }
        if let Some(language) = &listing.language {
            binds.push(Bind::Text(language.to_string()));
            conditions.push(format!("a.language = ${}", binds.len()));
        }
        if let Some(since) = listing.updated_since {
            binds.push(Bind::Int(since.timestamp()));
            conditions.push(format!("a.updated_at >= ${}", binds.len()));
        }
        let filter = conditions.join(" AND ");

        let count_sql = format!("SELECT COUNT(*) AS n FROM articles a WHERE {filter}");
        let total: i64 = bind_all(sqlx::query(&count_sql), &binds)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;

        let n = binds.len();
        // The page's ids are chosen from the indexes first, and only its rows are read:
        // ordering whole rows (each about a page of SQLite's file, with the body) cost
        // twice as much on a tag of 1,250 stories.
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, {MEDIA_COLUMNS} FROM (
                SELECT a.id FROM articles a WHERE {filter}
                ORDER BY a.published_at DESC, a.id DESC LIMIT ${} OFFSET ${}
             ) chosen CROSS JOIN articles a
             LEFT JOIN media m ON m.id = a.lead_media_id
             WHERE a.id = chosen.id ORDER BY a.published_at DESC, a.id DESC",
            n + 1,
            n + 2
        );
        let offset = i64::try_from(listing.offset).unwrap_or(i64::MAX);
        let rows = bind_all(sqlx::query(&sql), &binds)
            .bind(i64::from(listing.limit))
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let summaries = rows.iter().map(summary_from).collect::<Result<_>>()?;
        Ok((summaries, u64::try_from(total).unwrap_or_default()))
    }

    /// Every published article, newest first, in one query.
    pub async fn all_published(&self) -> Result<Vec<ArticleSummary>> {
        let listing = Listing {
            limit: u32::MAX,
            ..Listing::default()
        };
        Ok(self.list_published(&listing).await?.0)
    }

    /// Every published article's revision, headline and place on the site (path, section,
    /// language, time, tags, authors), newest first: what an incremental export compares
    /// with its last run, and what its offline search lists.
    pub async fn published_outline(&self) -> Result<Vec<ArticleOutline>> {
        let now = Utc::now().timestamp();
        let sql = format!(
            "SELECT a.id, a.revision, a.path, a.headline, a.standfirst, a.section_id,
                a.language, a.published_at, a.translation_group
             FROM articles a WHERE {PUBLIC} ORDER BY a.published_at DESC, a.id DESC"
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(&self.pool).await?;
        let mut outline = rows
            .iter()
            .map(|row| {
                Ok(ArticleOutline {
                    id: row.try_get("id")?,
                    revision: row.try_get("revision")?,
                    path: row.try_get("path")?,
                    headline: row.try_get("headline")?,
                    standfirst: row.try_get("standfirst")?,
                    section_id: row.try_get("section_id")?,
                    language: row.try_get("language")?,
                    published_at: row
                        .try_get::<Option<i64>, _>("published_at")?
                        .unwrap_or_default(),
                    translation_group: row.try_get("translation_group")?,
                    tag_ids: Vec::new(),
                    author_ids: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let position: std::collections::HashMap<Id, usize> =
            outline.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
        for (table, column) in [("article_tags", "tag_id"), ("article_bylines", "author_id")] {
            let sql = format!(
                "SELECT x.article_id, x.{column} AS other FROM {table} x
                 JOIN articles a ON a.id = x.article_id
                 WHERE {PUBLIC} AND x.{column} IS NOT NULL ORDER BY x.article_id, x.position"
            );
            for row in sqlx::query(&sql).bind(now).fetch_all(&self.pool).await? {
                let article: Id = row.try_get("article_id")?;
                let other: Id = row.try_get("other")?;
                if let Some(&i) = position.get(&article) {
                    let entry = &mut outline[i];
                    match table {
                        "article_tags" => entry.tag_ids.push(other),
                        _ => entry.author_ids.push(other),
                    }
                }
            }
        }
        Ok(outline)
    }

    /// Published articles related to one: most shared tags first, then the same section.
    pub async fn related(&self, article: &Article, limit: u32) -> Result<Vec<ArticleSummary>> {
        // Candidates are the newest stories of the same section and the 200 most recently
        // created sharing a tag, ranked by tags shared: bounded work per page whatever the
        // site's size. The tag candidates come from the (tag_id, article_id) index alone;
        // choosing them by publication time visited every story sharing a tag and made
        // related stories most of the cost of exporting 10,000 articles. CROSS JOIN keeps
        // SQLite's join order: candidates first, then their rows.
        let sql = format!(
            "WITH mine AS (SELECT tag_id FROM article_tags WHERE article_id = $2),
             candidates AS (
                SELECT id FROM (SELECT a.id FROM articles a
                    WHERE a.section_id = $3 AND {PUBLIC} AND a.id <> $2
                    ORDER BY a.published_at DESC LIMIT 50) same_section
                UNION
                SELECT id FROM (SELECT t.article_id AS id FROM article_tags t
                    WHERE t.tag_id IN (SELECT tag_id FROM mine) AND t.article_id <> $2
                    ORDER BY t.article_id DESC LIMIT 200) same_tags
             )
             SELECT {SUMMARY_COLUMNS}, {MEDIA_COLUMNS},
                (SELECT COUNT(*) FROM article_tags t WHERE t.article_id = a.id
                    AND t.tag_id IN (SELECT tag_id FROM mine)) AS shared
             FROM candidates c CROSS JOIN articles a
             LEFT JOIN media m ON m.id = a.lead_media_id
             WHERE a.id = c.id AND {PUBLIC}
             ORDER BY shared DESC, a.published_at DESC LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(Utc::now().timestamp())
            .bind(article.id)
            .bind(article.draft.section_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from).collect()
    }

    /// The other published language versions of an article (same translation group).
    pub async fn translations_of(&self, article: &Article) -> Result<Vec<ArticleSummary>> {
        let Some(group) = &article.draft.translation_group else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, {MEDIA_COLUMNS} FROM articles a LEFT JOIN media m ON m.id = a.lead_media_id
             WHERE {PUBLIC} AND a.translation_group = $2 AND a.id <> $3 ORDER BY a.language"
        );
        let rows = sqlx::query(&sql)
            .bind(Utc::now().timestamp())
            .bind(group)
            .bind(article.id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from).collect()
    }

    /// The published articles of a curated collection, in the editors' order.
    pub async fn collection_articles(
        &self,
        slug: &Slug,
        limit: u32,
    ) -> Result<Vec<ArticleSummary>> {
        // CROSS JOIN keeps SQLite's join order: the collection's few items first. Left to
        // itself it walked every published article looking each up in the collection, which
        // was two thirds of the database work of an article page on 10,000 articles.
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, {MEDIA_COLUMNS} FROM collections c
             CROSS JOIN collection_items ci CROSS JOIN articles a
             LEFT JOIN media m ON m.id = a.lead_media_id
             WHERE ci.collection_id = c.id AND a.id = ci.article_id AND {PUBLIC} AND c.slug = $2
             ORDER BY ci.position LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(Utc::now().timestamp())
            .bind(slug.as_str())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from).collect()
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Binds `$1`..`$11`, the columns an insert and an update of an article share, in order.
fn bind_draft<'q>(query: AnyQuery<'q>, path: &'q str, draft: &'q ArticleDraft) -> AnyQuery<'q> {
    query
        .bind(path)
        .bind(draft.slug.as_str())
        .bind(draft.section_id)
        .bind(draft.language.as_str())
        .bind(&draft.headline)
        .bind(&draft.standfirst)
        .bind(&draft.body)
        .bind(draft.dateline.as_deref())
        .bind(draft.lead_media_id)
        .bind(draft.status.as_str())
        .bind(draft.published_at.map(|t| t.timestamp()))
}

fn path_conflict(error: sqlx::Error, path: &str) -> StoreError {
    match StoreError::from(error) {
        StoreError::Conflict(_) => StoreError::PathTaken(path.to_owned()),
        other => other,
    }
}

async fn write_relations(
    tx: &mut Transaction<'_, Any>,
    id: Id,
    draft: &ArticleDraft,
) -> Result<()> {
    for (position, byline) in draft.bylines.iter().enumerate() {
        let (author_id, guest) = match byline {
            Byline::Staff { author_id } => (Some(*author_id), None),
            Byline::Guest { name } => (None, Some(name.as_str())),
        };
        sqlx::query("INSERT INTO article_bylines (article_id, position, author_id, guest_name) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(position as i64)
            .bind(author_id)
            .bind(guest)
            .execute(&mut **tx)
            .await?;
    }
    for (position, name) in draft.tags.iter().enumerate() {
        let Some(slug) = broadsheet_domain::slugify(name) else {
            continue;
        };
        sqlx::query("INSERT INTO tags (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING")
            .bind(slug.as_str())
            .bind(name)
            .execute(&mut **tx)
            .await?;
        let tag_id: i64 = sqlx::query("SELECT id FROM tags WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_one(&mut **tx)
            .await?
            .try_get("id")?;
        sqlx::query("INSERT INTO article_tags (article_id, tag_id, position) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(tag_id)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn write_revision(
    tx: &mut Transaction<'_, Any>,
    id: Id,
    revision: i64,
    at: DateTime<Utc>,
    draft: &ArticleDraft,
    by: &SavedBy,
) -> Result<()> {
    let snapshot = serde_json::to_string(draft).map_err(|e| corrupt("revision", e))?;
    sqlx::query("INSERT INTO article_revisions (article_id, revision, saved_at, snapshot, saved_by, note) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(revision)
        .bind(at.timestamp())
        .bind(snapshot)
        .bind(by.user_id)
        .bind(by.note.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn article_from(row: &AnyRow) -> Result<Article> {
    let slug: String = row.try_get("slug")?;
    let language: String = row.try_get("language")?;
    let status: String = row.try_get("status")?;
    let draft = ArticleDraft {
        slug: Slug::parse(&slug).map_err(|e| corrupt("slug", e))?,
        section_id: row.try_get("section_id")?,
        language: Language::parse(&language).map_err(|e| corrupt("language", e))?,
        headline: row.try_get("headline")?,
        standfirst: row.try_get("standfirst")?,
        body: row.try_get("body")?,
        dateline: row.try_get("dateline")?,
        lead_media_id: row.try_get("lead_media_id")?,
        // Bylines and tags live in their own tables; `with_relations` fills them in.
        bylines: Vec::new(),
        tags: Vec::new(),
        status: ArticleStatus::parse(&status).map_err(|e| corrupt("status", e))?,
        published_at: row.try_get::<Option<i64>, _>("published_at")?.map(to_time),
        translation_group: row.try_get("translation_group")?,
    };
    Ok(Article {
        id: row.try_get("id")?,
        draft,
        path: row.try_get("path")?,
        created_at: to_time(row.try_get("created_at")?),
        updated_at: to_time(row.try_get("updated_at")?),
        revision: row.try_get("revision")?,
        owner: row.try_get("created_by")?,
    })
}
