//! Webhooks and their delivery queue. A delivery is written in the same moment as the event
//! is known and sent later by a worker, so a slow receiver never holds up publishing, and a
//! restart loses no delivery.

use crate::{to_time, Result, Store, StoreError};
use broadsheet_domain::Id;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    pub id: Id,
    pub url: String,
    /// The HMAC-SHA256 key receivers check signatures with.
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: Id,
    pub webhook_id: Id,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: String,
    /// `pending`, `delivered` or `failed` (gave up after the last retry).
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: String,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

const DELIVERY_COLUMNS: &str =
    "d.id, d.webhook_id, w.url, w.secret, d.event, d.payload, d.state, d.attempts, \
     d.last_status, d.last_error, d.next_attempt_at, d.created_at, d.delivered_at";

fn delivery_from(r: &sqlx::any::AnyRow) -> Result<Delivery> {
    Ok(Delivery {
        id: r.try_get("id")?,
        webhook_id: r.try_get("webhook_id")?,
        url: r.try_get("url")?,
        secret: r.try_get("secret")?,
        event: r.try_get("event")?,
        payload: r.try_get("payload")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        next_attempt_at: to_time(r.try_get("next_attempt_at")?),
        created_at: to_time(r.try_get("created_at")?),
        delivered_at: r.try_get::<Option<i64>, _>("delivered_at")?.map(to_time),
    })
}

impl Store {
    pub async fn create_webhook(&self, url: &str, secret: &str) -> Result<Webhook> {
        let _turn = self.write_turn().await;
        let now = Utc::now();
        let row = sqlx::query(
            "INSERT INTO webhooks (url, secret, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(url)
        .bind(secret)
        .bind(now.timestamp())
        .fetch_one(&self.pool)
        .await?;
        Ok(Webhook {
            id: row.try_get("id")?,
            url: url.to_owned(),
            secret: secret.to_owned(),
            created_at: to_time(now.timestamp()),
        })
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        let rows = sqlx::query("SELECT id, url, secret, created_at FROM webhooks ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Webhook {
                    id: r.try_get("id")?,
                    url: r.try_get("url")?,
                    secret: r.try_get("secret")?,
                    created_at: to_time(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Removes a webhook and its pending and past deliveries.
    pub async fn delete_webhook(&self, id: Id) -> Result<()> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("the webhook"));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Queues one delivery of the event to every webhook; returns how many.
    pub async fn enqueue_event(&self, event: &str, payload: &str) -> Result<u64> {
        let _turn = self.write_turn().await;
        let now = Utc::now().timestamp();
        let done = sqlx::query(
            "INSERT INTO webhook_deliveries (webhook_id, event, payload, state, next_attempt_at, created_at)
             SELECT id, $1, $2, 'pending', $3, $3 FROM webhooks",
        )
        .bind(event)
        .bind(payload)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Deliveries whose next attempt is due, oldest first.
    pub async fn due_deliveries(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Delivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.state = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(now.timestamp())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(delivery_from).collect()
    }

    /// Records one attempt: delivered, or retried at `retry_at`, or (none) given up.
    pub async fn record_delivery_attempt(
        &self,
        id: Id,
        delivered: bool,
        status: Option<u16>,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let _turn = self.write_turn().await;
        let now = Utc::now().timestamp();
        let state = match (delivered, retry_at) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, last_status = $2,
                last_error = $3, next_attempt_at = $4, delivered_at = $5 WHERE id = $6",
        )
        .bind(state)
        .bind(status.map(i64::from))
        .bind(error)
        .bind(retry_at.map_or(now, |t| t.timestamp()))
        .bind(delivered.then_some(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The delivery log, newest first.
    pub async fn deliveries(&self, limit: u32) -> Result<Vec<Delivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             ORDER BY d.id DESC LIMIT $1"
        );
        let rows = sqlx::query(&sql)
            .bind(i64::from(limit.clamp(1, 1_000)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(delivery_from).collect()
    }
}
