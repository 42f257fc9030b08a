//! Publishes scheduled articles when their time comes. It also runs once at start-up,
//! so an article due while the server was down goes out as soon as it is back.

use crate::App;
use chrono::Utc;
use std::sync::Weak;
use std::time::Duration;

/// How often due articles are looked for; a scheduled story goes out at most this late.
const EVERY: Duration = Duration::from_secs(15);

/// Publishes what is due now; returns how many went out.
pub async fn publish_due(app: &App) -> usize {
    match app.store.publish_due(Utc::now()).await {
        Ok(ids) => {
            if !ids.is_empty() {
                tracing::info!(?ids, "published scheduled articles");
                app.cache.clear();
            }
            for id in &ids {
                super::webhooks::announce_id(app, super::webhooks::PUBLISHED, *id).await;
            }
            ids.len()
        }
        Err(e) => {
            tracing::error!(error = %e, "publishing scheduled articles failed");
            0
        }
    }
}

pub(crate) fn follow(app: Weak<App>) {
    tokio::spawn(async move {
        loop {
            let Some(app) = app.upgrade() else { break };
            publish_due(&app).await;
            drop(app);
            tokio::time::sleep(EVERY).await;
        }
    });
}
