//! Videos and the live stream.

use crate::{to_time, ChangeEvent, Result, Store, StoreError};
use broadsheet_domain::{Id, Language, NewVideo, Slug, Video, VideoKind};
use chrono::Utc;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, slug, kind, title, description, hls_url, mp4_url, duration_seconds, \
     thumbnail_url, captions_url, language, published_at, created_at, updated_at";

fn video_from(row: &AnyRow) -> Result<Video> {
    let corrupt =
        |what: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("video {what}: {e}"));
    let slug: String = row.try_get("slug")?;
    let kind: String = row.try_get("kind")?;
    let language: String = row.try_get("language")?;
    let duration: Option<i64> = row.try_get("duration_seconds")?;
    let published: Option<i64> = row.try_get("published_at")?;
    Ok(Video {
        id: row.try_get("id")?,
        slug: Slug::parse(&slug).map_err(|e| corrupt("slug", &e))?,
        kind: VideoKind::parse(&kind).map_err(|e| corrupt("kind", &e))?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        hls_url: row.try_get("hls_url")?,
        mp4_url: row.try_get("mp4_url")?,
        duration_seconds: duration.and_then(|d| u32::try_from(d).ok()),
        thumbnail_url: row.try_get("thumbnail_url")?,
        captions_url: row.try_get("captions_url")?,
        language: Language::parse(&language).map_err(|e| corrupt("language", &e))?,
        published_at: published.map(to_time),
        created_at: to_time(row.try_get("created_at")?),
        updated_at: to_time(row.try_get("updated_at")?),
    })
}

impl Store {
    /// Public videos, newest first; the live stream is among them when it is published.
    pub async fn published_videos(&self, limit: i64) -> Result<Vec<Video>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM videos WHERE published_at IS NOT NULL \
             ORDER BY published_at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(video_from).collect()
    }

    /// Every video, drafts too, newest change first: the newsroom's list.
    pub async fn all_videos(&self) -> Result<Vec<Video>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM videos ORDER BY updated_at DESC, id DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(video_from).collect()
    }

    pub async fn video(&self, id: Id) -> Result<Option<Video>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM videos WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(video_from).transpose()
    }

    pub async fn video_by_slug(&self, slug: &Slug) -> Result<Option<Video>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM videos WHERE slug = $1"))
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(video_from).transpose()
    }

    /// Creates a video (`id` None) or replaces one. A video that stays published keeps its
    /// first publication time; unpublishing clears it.
    pub async fn save_video(&self, id: Option<Id>, new: NewVideo) -> Result<Video> {
        let new = new.normalised()?;
        let now = Utc::now().timestamp();
        let turn = self.write_turn().await;
        let published_at = match id {
            Some(id) => {
                let row = sqlx::query("SELECT published_at FROM videos WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("the video"))?;
                let was: Option<i64> = row.try_get("published_at")?;
                new.published.then(|| was.unwrap_or(now))
            }
            None => new.published.then_some(now),
        };
        let duration = new.duration_seconds.map(i64::from);
        let query = match id {
            None => sqlx::query(
                "INSERT INTO videos (slug, kind, title, description, hls_url, mp4_url, \
                 duration_seconds, thumbnail_url, captions_url, language, published_at, \
                 created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
            ),
            Some(_) => sqlx::query(
                "UPDATE videos SET slug = $1, kind = $2, title = $3, description = $4, \
                 hls_url = $5, mp4_url = $6, duration_seconds = $7, thumbnail_url = $8, \
                 captions_url = $9, language = $10, published_at = $11, updated_at = $12 \
                 WHERE id = $13 RETURNING id",
            ),
        };
        let query = query
            .bind(new.slug.as_str())
            .bind(new.kind.as_str())
            .bind(&new.title)
            .bind(&new.description)
            .bind(new.hls_url.as_deref())
            .bind(new.mp4_url.as_deref())
            .bind(duration)
            .bind(new.thumbnail_url.as_deref())
            .bind(new.captions_url.as_deref())
            .bind(new.language.as_str())
            .bind(published_at)
            .bind(now);
        let query = match id {
            Some(id) => query.bind(id),
            None => query,
        };
        let row = query.fetch_one(&self.pool).await?;
        let id: Id = row.try_get("id")?;
        drop(turn);
        self.announce(ChangeEvent::Catalogue);
        self.video(id)
            .await?
            .ok_or(StoreError::NotFound("the video"))
    }
}
