//! Bookkeeping for imports from other platforms, and the old addresses they leave behind.

use crate::{Result, Store};
use broadsheet_domain::Id;
use chrono::Utc;
use sqlx::Row;

impl Store {
    /// The id an item of an earlier import got here, if it was imported.
    pub async fn imported(&self, source: &str, kind: &str, source_id: &str) -> Result<Option<Id>> {
        let row = sqlx::query(
            "SELECT target_id FROM import_items WHERE source = $1 AND kind = $2 AND source_id = $3",
        )
        .bind(source)
        .bind(kind)
        .bind(source_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("target_id")).transpose()?)
    }

    pub async fn record_import(
        &self,
        source: &str,
        kind: &str,
        source_id: &str,
        target_id: Id,
    ) -> Result<()> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO import_items (source, kind, source_id, target_id, imported_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (source, kind, source_id) DO UPDATE SET target_id = excluded.target_id",
        )
        .bind(source)
        .bind(kind)
        .bind(source_id)
        .bind(target_id)
        .bind(Utc::now().timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Makes an old address (a path, or a path with its query such as `/?p=12`) answer
    /// with a 301 to the article's current address.
    pub async fn add_redirect(&self, old_path: &str, article_id: Id) -> Result<()> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO redirects (old_path, article_id) VALUES ($1, $2)
             ON CONFLICT (old_path) DO UPDATE SET article_id = excluded.article_id",
        )
        .bind(old_path)
        .bind(article_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
