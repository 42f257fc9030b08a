//! Search on the site: the index follows every committed change, the reader's page at
//! `/search`, and the rebuild from the database.

use crate::{App, AppError, SharedApp};
use broadsheet_domain::{ArticleDetail, SectionTree};
use broadsheet_search::{Indexed, Results, SearchIndex, SearchQuery};
use broadsheet_storage::{ChangeEvent, Store};
use chrono::Utc;
use std::sync::Arc;

/// Re-indexes each article the store announces as changed: published ones are added or
/// replaced, anything else is removed. Runs in the background, so it never slows a save.
pub(crate) fn follow(app: &SharedApp) {
    let Some(index) = app.search.clone() else {
        return;
    };
    let store = app.store.clone();
    let mut events = store.subscribe();
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(ChangeEvent::Article { id }) => {
                    if let Err(e) = index_article(&store, &index, id).await {
                        tracing::error!(article = id, error = %e, "search index update failed");
                    }
                }
                Ok(ChangeEvent::Catalogue) => {}
                Ok(ChangeEvent::Everything)
                | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    if let Err(e) = rebuild(&store, &index).await {
                        tracing::error!(error = %e, "search index rebuild failed");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

async fn index_article(store: &Store, index: &SearchIndex, id: i64) -> Result<(), AppError> {
    let tree = store.section_tree().await?;
    let detail = match store.article(id).await? {
        Some(article) => store.article_by_path(&article.path).await?,
        None => None,
    };
    let result = match detail.filter(|d| d.is_public(Utc::now())) {
        Some(detail) => index.upsert(&Indexed {
            detail: &detail,
            sections: &tree,
        }),
        None => index.remove(id),
    };
    result.map_err(|e| AppError::Internal(e.to_string()))
}

/// Rebuilds the whole index from the published articles in the database. The articles
/// are read while the index takes them (a few hundred in hand at a time), so rebuilding
/// 100,000 stories does not hold them all in memory.
pub async fn rebuild(store: &Store, index: &Arc<SearchIndex>) -> Result<usize, AppError> {
    let tree: SectionTree = store.section_tree().await?;
    let paths: Vec<String> = store
        .published_outline()
        .await?
        .into_iter()
        .map(|article| article.path)
        .collect();
    let (articles, arriving) = tokio::sync::mpsc::channel::<Result<ArticleDetail, String>>(256);
    let indexing = tokio::task::spawn_blocking({
        let index = index.clone();
        let mut arriving = arriving;
        move || index.rebuild(std::iter::from_fn(|| arriving.blocking_recv()), &tree)
    });
    for path in paths {
        let read = match store.article_by_path(&path).await {
            Ok(None) => continue, // unpublished meanwhile
            Ok(Some(detail)) => Ok(detail),
            Err(e) => Err(e.to_string()),
        };
        let failed = read.is_err();
        // A closed channel means indexing stopped; its error is reported below.
        if articles.send(read).await.is_err() || failed {
            break;
        }
    }
    drop(articles);
    indexing
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Searches that may run at once. A query is CPU work: run on the blocking pool, a few at
/// a time, it never stalls the threads serving cached pages, and a burst of searches waits
/// its turn instead of starting a thread each.
const SEARCHES_AT_ONCE: usize = 4;

/// Runs a query for a reader or the API. `None` when the site has no index.
pub(crate) async fn run(app: &App, query: &SearchQuery) -> Result<Option<Results>, AppError> {
    static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(SEARCHES_AT_ONCE);
    let Some(index) = app.search.clone() else {
        return Ok(None);
    };
    let _turn = TURNS
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let query = query.clone();
    tokio::task::spawn_blocking(move || index.search(&query))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map(Some)
        .map_err(|e| AppError::Internal(e.to_string()))
}
