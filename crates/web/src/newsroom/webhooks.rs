//! Webhooks: when an article is published, updated or unpublished, every registered URL
//! receives a JSON event, signed with HMAC-SHA256 over the body in `X-Broadsheet-Signature`
//! (`sha256=` and the hex digest). Events are queued in the database at once and sent by a
//! background worker with retries and growing pauses, so a slow or failing receiver never
//! slows publishing.

use crate::App;
use broadsheet_domain::{Article, ArticleStatus, Id};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;

pub const PUBLISHED: &str = "article.published";
pub const UPDATED: &str = "article.updated";
pub const UNPUBLISHED: &str = "article.unpublished";

/// Pauses before each retry; after the last, the delivery is marked failed.
const BACKOFF: [Duration; 6] = [
    Duration::from_secs(10),
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(6 * 3600),
];
const TIMEOUT: Duration = Duration::from_secs(10);
/// How often the worker looks for due retries when nothing wakes it.
const TICK: Duration = Duration::from_secs(5);

/// The worker's doorbell and its HTTP client.
pub struct Queue {
    wake: Arc<Notify>,
    client: reqwest::Client,
}

impl Default for Queue {
    fn default() -> Self {
        Queue {
            wake: Arc::default(),
            client: reqwest::Client::builder()
                .timeout(TIMEOUT)
                // A receiver's redirect is its answer, not an invitation to go elsewhere.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent("Broadsheet-Webhooks/1")
                .build()
                .unwrap_or_default(),
        }
    }
}

/// Registers a receiver (admins). The secret is generated and shown with the webhook.
pub async fn register(
    app: &App,
    editor: &super::auth::Editor,
    url: &str,
) -> Result<broadsheet_storage::Webhook, super::NewsroomError> {
    editor.require(broadsheet_domain::Action::ManageSettings, false)?;
    let url = url.trim();
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| super::NewsroomError::invalid("url", format!("{url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(super::NewsroomError::invalid(
            "url",
            "a webhook needs an http:// or https:// address",
        ));
    }
    let secret = super::auth::random_token()?;
    Ok(app.store.create_webhook(parsed.as_str(), &secret).await?)
}

/// The event to send after a change from `before` (none: new) to `after`, if readers saw it.
pub fn event_for(before: ArticleStatus, after: ArticleStatus) -> Option<&'static str> {
    use ArticleStatus::Published;
    match (before == Published, after == Published) {
        (false, true) => Some(PUBLISHED),
        (true, true) => Some(UPDATED),
        (true, false) => Some(UNPUBLISHED),
        (false, false) => None,
    }
}

/// Queues `event` about `article` for every webhook and wakes the worker. Failing to queue
/// is logged, never passed on: the article is saved either way.
pub async fn announce(app: &App, event: &str, article: &Article) {
    let tree = match app.store.section_tree().await {
        Ok(tree) => tree,
        Err(e) => {
            tracing::error!(error = %e, "webhook event not queued");
            return;
        }
    };
    let d = &article.draft;
    let payload = json!({
        "event": event,
        "occurred_at": Utc::now(),
        "site": app.settings.absolute_url("/"),
        "article": {
            "id": article.id,
            "url": app.settings.absolute_url(&article.path),
            "headline": d.headline,
            "standfirst": d.standfirst,
            "language": d.language.as_str(),
            "section": tree.path(d.section_id).unwrap_or_default().trim_start_matches('/'),
            "status": d.status,
            "published_at": d.published_at,
            "updated_at": article.updated_at,
            "revision": article.revision,
        },
    })
    .to_string();
    match app.store.enqueue_event(event, &payload).await {
        Ok(0) => {}
        Ok(_) => app.webhooks.wake.notify_one(),
        Err(e) => tracing::error!(error = %e, event, "webhook event not queued"),
    }
}

/// Announces a change by id (the scheduler knows ids only).
pub async fn announce_id(app: &App, event: &str, id: Id) {
    if let Ok(Some(article)) = app.store.article(id).await {
        announce(app, event, &article).await;
    }
}

/// `sha256=` and the hex HMAC-SHA256 of the body under the webhook's secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| Hmac::<sha2::Sha256>::new_from_slice(b"").expect("any key length"));
    mac.update(body);
    let digest: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={digest}")
}

/// Sends every delivery due at `now`, all at once; returns how many were delivered.
pub async fn deliver_due(app: &App, now: DateTime<Utc>) -> usize {
    let due = match app.store.due_deliveries(now, 100).await {
        Ok(due) => due,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the webhook queue");
            return 0;
        }
    };
    let sends = due.into_iter().map(|delivery| async move {
        let outcome = app
            .webhooks
            .client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .header("x-broadsheet-event", &delivery.event)
            .header("x-broadsheet-delivery", delivery.id.to_string())
            .header(
                "x-broadsheet-signature",
                signature(&delivery.secret, delivery.payload.as_bytes()),
            )
            .body(delivery.payload.clone())
            .send()
            .await;
        let (ok, status, error) = match outcome {
            Ok(response) if response.status().is_success() => {
                (true, Some(response.status().as_u16()), String::new())
            }
            Ok(response) => (
                false,
                Some(response.status().as_u16()),
                format!("answered {}", response.status()),
            ),
            Err(e) => (false, None, e.to_string()),
        };
        let retry_at = (!ok)
            .then(|| usize::try_from(delivery.attempts).ok())
            .flatten()
            .and_then(|n| BACKOFF.get(n))
            .and_then(|pause| chrono::Duration::from_std(*pause).ok())
            .map(|pause| now + pause);
        if let Err(e) = app
            .store
            .record_delivery_attempt(delivery.id, ok, status, &error, retry_at)
            .await
        {
            tracing::error!(error = %e, "cannot record a webhook delivery");
        }
        ok
    });
    futures_util::future::join_all(sends)
        .await
        .into_iter()
        .filter(|ok| *ok)
        .count()
}

pub(crate) fn follow(app: Weak<App>) {
    tokio::spawn(async move {
        loop {
            let Some(strong) = app.upgrade() else { break };
            deliver_due(&strong, Utc::now()).await;
            let wake = strong.webhooks.wake.clone();
            drop(strong);
            let _ = tokio::time::timeout(TICK, wake.notified()).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_published_recipe() {
        // HMAC-SHA256 test vector from RFC 4231, case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn events_follow_what_readers_saw() {
        use ArticleStatus::*;
        assert_eq!(event_for(InReview, Published), Some(PUBLISHED));
        assert_eq!(event_for(Scheduled, Published), Some(PUBLISHED));
        assert_eq!(event_for(Published, Published), Some(UPDATED));
        assert_eq!(event_for(Published, Unpublished), Some(UNPUBLISHED));
        assert_eq!(event_for(Draft, InReview), None);
        assert_eq!(event_for(Scheduled, Unpublished), None);
    }
}
