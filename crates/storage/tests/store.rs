//! The storage story, run against SQLite and against PostgreSQL (when `TEST_POSTGRES_URL`
//! is set; required under `CI=true`).

use broadsheet_domain::*;
use broadsheet_storage::{ChangeEvent, Listing, SavedBy, Store, StoreError};
use chrono::{Duration, Utc};
use std::future::Future;

/// Runs `story` on a fresh SQLite file and on a fresh PostgreSQL database.
async fn on_both<F, Fut>(name: &str, story: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = Store::open(&url).await.expect("open sqlite");
    story(store.clone()).await;
    store.close().await;

    if let Some(url) = broadsheet_storage::testing::fresh_postgres_url(name).await {
        let store = Store::open(&url).await.expect("open postgres");
        story(store.clone()).await;
        store.close().await;
    }
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("valid slug")
}

async fn section(store: &Store, parent: Option<Id>, s: &str) -> Section {
    store
        .create_section(&NewSection {
            parent_id: parent,
            slug: slug(s),
            name: s.to_uppercase(),
            description: String::new(),
            position: 0,
            language: None,
        })
        .await
        .expect("create section")
}

fn draft(section_id: Id, s: &str, published_days_ago: Option<i64>) -> ArticleDraft {
    ArticleDraft {
        slug: slug(s),
        section_id,
        language: Language::parse("en").expect("valid"),
        headline: format!("Headline {s}"),
        standfirst: "Standfirst".into(),
        body: "Body *text*".into(),
        dateline: Some("TIRANA".into()),
        lead_media_id: None,
        bylines: vec![Byline::Guest {
            name: "Staff and agencies".into(),
        }],
        tags: vec!["Albania".into(), "Police".into()],
        status: if published_days_ago.is_some() {
            ArticleStatus::Published
        } else {
            ArticleStatus::Draft
        },
        published_at: published_days_ago.map(|d| Utc::now() - Duration::days(d)),
        translation_group: None,
    }
}

#[tokio::test]
async fn articles_round_trip_with_bylines_tags_and_media() {
    on_both("articles_round_trip", |store| async move {
        let news = section(&store, None, "news").await;
        let me = section(&store, Some(news.id), "middle-east").await;
        let author = store
            .create_author(&NewAuthor {
                slug: slug("mina-rahimi"),
                name: "Mina Rahimi".into(),
                bio: "Reporter".into(),
                photo_media_id: None,
            })
            .await
            .expect("author");
        let media = store
            .create_media(&NewMedia {
                file_name: "harbour.jpg".into(),
                mime: "image/jpeg".into(),
                width: 1200,
                height: 675,
                alt: "Boats in a harbour".into(),
                caption: "The harbour at dawn".into(),
                credit: "Photo: Desk".into(),
                file_photo: true,
            })
            .await
            .expect("media");
        let mut d = draft(me.id, "police-raid-camp", Some(1));
        d.bylines = vec![
            Byline::Staff {
                author_id: author.id,
            },
            Byline::Guest {
                name: "Agencies".into(),
            },
        ];
        d.lead_media_id = Some(media.id);
        let article = store.create_article(&d).await.expect("create");
        assert!(
            article.path.starts_with("/news/middle-east/"),
            "{}",
            article.path
        );
        assert!(article.path.ends_with("/police-raid-camp"));

        let detail = store
            .article_by_path(&article.path)
            .await
            .expect("query")
            .expect("found");
        assert!(detail.is_public(Utc::now()));
        assert_eq!(detail.article.draft.headline, "Headline police-raid-camp");
        assert_eq!(detail.bylines[0].name, "Mina Rahimi");
        assert_eq!(
            detail.bylines[0].author_slug.as_deref(),
            Some("mina-rahimi")
        );
        assert_eq!(detail.bylines[1].name, "Agencies");
        assert_eq!(detail.bylines[1].author_slug, None);
        let tags: Vec<_> = detail.tags.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(tags, vec!["albania", "police"]);
        let lead = detail.lead.expect("lead media");
        assert!(lead.file_photo);
        assert_eq!(lead.caption, "The harbour at dawn");
    })
    .await;
}

#[tokio::test]
async fn every_save_keeps_a_revision_and_stale_saves_are_refused() {
    on_both("revisions", |store| async move {
        let news = section(&store, None, "news").await;
        let article = store
            .create_article(&draft(news.id, "first", Some(0)))
            .await
            .expect("create");
        let mut d = article.draft.clone();
        d.headline = "Second headline".into();
        let second = store
            .update_article(article.id, Some(1), &d)
            .await
            .expect("update");
        assert_eq!(second.revision, 2);

        // Someone still holding revision 1 must not overwrite revision 2.
        let mut stale = article.draft.clone();
        stale.headline = "Stale edit".into();
        let refused = store.update_article(article.id, Some(1), &stale).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{refused:?}"
        );

        let revisions = store.revisions(article.id).await.expect("revisions");
        let headlines: Vec<_> = revisions
            .iter()
            .map(|r| r.draft.headline.as_str())
            .collect();
        assert_eq!(headlines, vec!["Headline first", "Second headline"]);
        let stored = store
            .article(article.id)
            .await
            .expect("query")
            .expect("found");
        assert_eq!(
            stored.draft, d,
            "the draft reads back exactly as saved, bylines and tags included"
        );
    })
    .await;
}

#[tokio::test]
async fn a_changed_address_redirects_and_can_be_taken_back() {
    on_both("redirects", |store| async move {
        let news = section(&store, None, "news").await;
        let world = section(&store, None, "world").await;
        let article = store
            .create_article(&draft(news.id, "old-slug", Some(0)))
            .await
            .expect("create");
        let mut d = article.draft.clone();
        d.slug = slug("new-slug");
        d.section_id = world.id;
        let moved = store
            .update_article(article.id, None, &d)
            .await
            .expect("update");
        assert!(moved.path.starts_with("/world/"));
        assert_eq!(
            store.redirect_target(&article.path).await.expect("query"),
            Some(moved.path.clone())
        );
        assert!(store
            .article_by_path(&article.path)
            .await
            .expect("query")
            .is_none());

        // Moving back makes the old address the article's own again.
        let back = store
            .update_article(article.id, None, &article.draft)
            .await
            .expect("update");
        assert_eq!(back.path, article.path);
        assert_eq!(
            store.redirect_target(&article.path).await.expect("query"),
            None
        );
        assert_eq!(
            store.redirect_target(&moved.path).await.expect("query"),
            Some(article.path.clone())
        );
    })
    .await;
}

#[tokio::test]
async fn listings_hold_only_public_articles_of_the_filter() {
    on_both("listings", |store| async move {
        let news = section(&store, None, "news").await;
        let me = section(&store, Some(news.id), "middle-east").await;
        let sport = section(&store, None, "sport").await;
        for i in 0..5 {
            store
                .create_article(&draft(me.id, &format!("me-{i}"), Some(i)))
                .await
                .expect("create");
        }
        store
            .create_article(&draft(news.id, "news-top", Some(10)))
            .await
            .expect("create");
        store
            .create_article(&draft(sport.id, "sport-1", Some(2)))
            .await
            .expect("create");
        store
            .create_article(&draft(news.id, "a-draft", None))
            .await
            .expect("create");
        let mut future = draft(news.id, "embargoed", None);
        future.status = ArticleStatus::Published;
        future.published_at = Some(Utc::now() + Duration::hours(3));
        store.create_article(&future).await.expect("create");

        let tree = store.section_tree().await.expect("tree");
        let (page, total) = store
            .list_published(&Listing {
                section_ids: Some(tree.with_descendants(news.id)),
                limit: 4,
                ..Listing::default()
            })
            .await
            .expect("list");
        assert_eq!(
            total, 6,
            "five in Middle East and one in News; no draft, nothing embargoed"
        );
        let slugs: Vec<_> = page
            .iter()
            .map(|a| a.path.rsplit('/').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(slugs, vec!["me-0", "me-1", "me-2", "me-3"], "newest first");
        let (rest, _) = store
            .list_published(&Listing {
                section_ids: Some(tree.with_descendants(news.id)),
                limit: 4,
                offset: 4,
                ..Listing::default()
            })
            .await
            .expect("list");
        assert_eq!(rest.len(), 2);

        let albania = store
            .tag_by_slug(&slug("albania"))
            .await
            .expect("query")
            .expect("tag");
        let (tagged, total) = store
            .list_published(&Listing {
                tag_id: Some(albania.id),
                limit: 50,
                ..Listing::default()
            })
            .await
            .expect("list");
        assert_eq!(total, 7);
        assert_eq!(tagged.len(), 7);

        let mut persian = draft(sport.id, "varzesh", Some(1));
        persian.language = Language::parse("fa").expect("valid");
        store.create_article(&persian).await.expect("create");
        let (fa, total) = store
            .list_published(&Listing {
                language: Some(Language::parse("fa").expect("valid")),
                limit: 10,
                ..Listing::default()
            })
            .await
            .expect("list");
        assert_eq!((fa.len(), total), (1, 1));
        let (recent, _) = store
            .list_published(&Listing {
                updated_since: Some(Utc::now() - Duration::hours(36)),
                limit: 50,
                ..Listing::default()
            })
            .await
            .expect("list");
        let mut recent: Vec<_> = recent
            .iter()
            .map(|a| a.path.rsplit('/').next().unwrap_or_default().to_owned())
            .collect();
        recent.sort();
        assert_eq!(
            recent,
            vec!["me-0", "me-1", "varzesh"],
            "changed within 36 hours"
        );

        let first = store
            .article_by_path(&page[0].path)
            .await
            .expect("query")
            .expect("found");
        let related = store.related(&first.article, 3).await.expect("related");
        assert_eq!(related.len(), 3);
        assert!(related.iter().all(|r| r.id != first.article.id));
    })
    .await;
}

#[tokio::test]
async fn collections_keep_the_editors_order_and_hide_drafts() {
    on_both("collections", |store| async move {
        let news = section(&store, None, "news").await;
        let a = store
            .create_article(&draft(news.id, "a", Some(3)))
            .await
            .expect("create");
        let b = store
            .create_article(&draft(news.id, "b", Some(1)))
            .await
            .expect("create");
        let hidden = store
            .create_article(&draft(news.id, "hidden", None))
            .await
            .expect("create");
        let choice = slug(EDITORS_CHOICE);
        store
            .set_collection(&choice, "Editor's Choice", &[a.id, hidden.id, b.id])
            .await
            .expect("set");
        let items = store.collection_articles(&choice, 10).await.expect("items");
        let ids: Vec<_> = items.iter().map(|i| i.id).collect();
        assert_eq!(ids, vec![a.id, b.id]);
        assert_eq!(
            store.collection(&choice).await.expect("q").map(|c| c.name),
            Some("Editor's Choice".into())
        );
    })
    .await;
}

#[tokio::test]
async fn bad_writes_are_refused_with_a_reason_and_change_nothing() {
    on_both("bad_writes", |store| async move {
        let news = section(&store, None, "news").await;
        let mut events = store.subscribe();
        let mut d = draft(news.id, "x", Some(0));
        d.headline = String::new();
        assert!(matches!(store.create_article(&d).await, Err(StoreError::Invalid(e)) if e.field == "headline"));
        let missing_section = draft(9_999, "y", Some(0));
        assert!(matches!(store.create_article(&missing_section).await, Err(StoreError::NotFound(_))));
        let mut ghost_author = draft(news.id, "z", Some(0));
        ghost_author.bylines = vec![Byline::Staff { author_id: 4_242 }];
        assert!(matches!(store.create_article(&ghost_author).await, Err(StoreError::NotFound(_))));
        store.create_article(&draft(news.id, "same", Some(0))).await.expect("first");
        let clash = store.create_article(&draft(news.id, "same", Some(0))).await;
        assert!(matches!(clash, Err(StoreError::PathTaken(ref m)) if m.ends_with("/same")), "{clash:?}");
        let dup_section = store
            .create_section(&NewSection { parent_id: None, slug: slug("news"), name: "Again".into(), description: String::new(), position: 0, language: None })
            .await;
        assert!(matches!(dup_section, Err(StoreError::Conflict(_))));
        let (all, total) = store.list_published(&Listing { limit: 10, ..Listing::default() }).await.expect("list");
        assert_eq!((all.len(), total), (1, 1));
        // Exactly one committed write happened, and exactly one change was announced.
        assert!(matches!(events.try_recv(), Ok(ChangeEvent::Article { .. })));
        assert!(events.try_recv().is_err());
    })
    .await;
}

#[tokio::test]
async fn pages_are_replaced_by_slug() {
    on_both("pages", |store| async move {
        let en = Language::parse("en").expect("valid");
        store
            .put_page(&NewPage {
                slug: slug("about"),
                title: "About".into(),
                body: "One".into(),
                language: en.clone(),
            })
            .await
            .expect("put");
        store
            .put_page(&NewPage {
                slug: slug("about"),
                title: "About us".into(),
                body: "Two".into(),
                language: en,
            })
            .await
            .expect("put");
        let page = store
            .page_by_slug(&slug("about"))
            .await
            .expect("q")
            .expect("found");
        assert_eq!(
            (page.title.as_str(), page.body.as_str()),
            ("About us", "Two")
        );
        assert_eq!(store.page_links().await.expect("links").len(), 1);
    })
    .await;
}

#[tokio::test]
async fn data_survives_reopening_the_sqlite_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("nested/site.db").display());
    let store = Store::open(&url).await.expect("open");
    let news = section(&store, None, "news").await;
    let article = store
        .create_article(&draft(news.id, "durable", Some(0)))
        .await
        .expect("create");
    store.close().await;
    let reopened = Store::open(&url).await.expect("reopen");
    assert!(reopened
        .article_by_path(&article.path)
        .await
        .expect("q")
        .is_some());
}

#[tokio::test]
async fn unusable_urls_are_named() {
    for bad in ["mysql://x", "", "sqlite://"] {
        match Store::open(bad).await {
            Err(StoreError::BadUrl(message)) => assert!(!message.is_empty()),
            Err(other) => panic!("{bad:?}: unexpected error {other}"),
            Ok(_) => panic!("{bad:?} should be refused"),
        }
    }
}

#[tokio::test]
async fn the_address_list_follows_the_config_and_every_change_raises_the_serial() {
    on_both("addresses", |store| async move {
        assert_eq!(store.mirror_serial().await.expect("serial"), 0);
        let hosts = |list: &[&str]| {
            list.iter()
                .map(|h| ((*h).to_owned(), AddressKind::guess(h)))
                .collect::<Vec<_>>()
        };
        assert!(store
            .sync_addresses(&hosts(&["news.example", "mirror.example", "abc.onion"]))
            .await
            .expect("sync"));
        assert_eq!(store.mirror_serial().await.expect("serial"), 1);
        assert!(
            !store
                .sync_addresses(&hosts(&["news.example", "mirror.example", "abc.onion"]))
                .await
                .expect("sync"),
            "nothing new"
        );
        assert_eq!(store.mirror_serial().await.expect("serial"), 1);

        let blocked = store
            .set_address_state("mirror.example", AddressState::Blocked)
            .await
            .expect("block");
        assert_eq!(blocked.state, AddressState::Blocked);
        assert_eq!(store.mirror_serial().await.expect("serial"), 2);
        // A blocked address stays blocked when the config is read again.
        store
            .sync_addresses(&hosts(&["news.example", "mirror.example", "abc.onion"]))
            .await
            .expect("sync");
        // Dropping a host from the config retires it.
        assert!(store
            .sync_addresses(&hosts(&["news.example", "mirror.example"]))
            .await
            .expect("sync"));
        assert_eq!(store.mirror_serial().await.expect("serial"), 3);
        let list = store.addresses().await.expect("list");
        let state = |h: &str| list.iter().find(|a| a.host == h).map(|a| (a.kind, a.state));
        assert_eq!(
            state("news.example"),
            Some((AddressKind::Domain, AddressState::Active))
        );
        assert_eq!(
            state("mirror.example"),
            Some((AddressKind::Domain, AddressState::Blocked))
        );
        assert_eq!(
            state("abc.onion"),
            Some((AddressKind::Onion, AddressState::Retired))
        );
        assert!(matches!(
            store
                .set_address_state("unknown.example", AddressState::Active)
                .await,
            Err(StoreError::NotFound(_))
        ));

        // An address added while the site runs is listed at once and survives a restart
        // whose configuration does not name it; a known one is not added twice; a retired
        // one comes back.
        let added = store
            .add_address("new-mirror.example", AddressKind::Cdn)
            .await
            .expect("add");
        assert_eq!(added.state, AddressState::Active);
        assert_eq!(store.mirror_serial().await.expect("serial"), 4);
        assert!(matches!(
            store.add_address("news.example", AddressKind::Domain).await,
            Err(StoreError::Conflict(_))
        ));
        store
            .sync_addresses(&hosts(&["news.example", "mirror.example"]))
            .await
            .expect("sync");
        let list = store.addresses().await.expect("list");
        assert!(list
            .iter()
            .any(|a| a.host == "new-mirror.example" && a.state == AddressState::Active));
        let back = store
            .add_address("abc.onion", AddressKind::Onion)
            .await
            .expect("re-add");
        assert_eq!(back.state, AddressState::Active);
        // Declaring a kind in the configuration updates it, and raises the serial.
        let serial = store.mirror_serial().await.expect("serial");
        let declared = vec![
            ("news.example".to_owned(), AddressKind::Domain),
            ("mirror.example".to_owned(), AddressKind::Cdn),
        ];
        assert!(store.sync_addresses(&declared).await.expect("sync"));
        assert_eq!(store.mirror_serial().await.expect("serial"), serial + 1);
        let cdn = store
            .addresses()
            .await
            .expect("list")
            .into_iter()
            .find(|a| a.host == "mirror.example")
            .expect("mirror");
        assert_eq!(
            (cdn.kind, cdn.state),
            (AddressKind::Cdn, AddressState::Blocked)
        );
    })
    .await;
}

#[tokio::test]
async fn newsroom_accounts_sessions_and_tokens() {
    on_both("accounts", |store| async move {
        let new = NewUser {
            email: " Reporter@Example.org ".into(),
            name: "Reporter".into(),
            role: Role::Author,
            author_id: None,
        };
        let user = store.create_user(&new, "hash-1").await.expect("create");
        assert_eq!(user.email, "reporter@example.org");
        let again = store.create_user(&new, "hash-2").await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        let (found, hash) = store
            .user_for_login("REPORTER@example.org")
            .await
            .expect("query")
            .expect("found");
        assert_eq!((found.id, hash.as_str()), (user.id, "hash-1"));

        let soon = Utc::now() + Duration::hours(1);
        store
            .create_session("live", user.id, "csrf-1", soon)
            .await
            .expect("session");
        store
            .create_session("old", user.id, "csrf-2", Utc::now() - Duration::hours(1))
            .await
            .expect("session");
        let session = store.session("live").await.expect("query").expect("live");
        assert_eq!(
            (session.user.id, session.csrf_token.as_str()),
            (user.id, "csrf-1")
        );
        assert!(
            store.session("old").await.expect("query").is_none(),
            "an expired session is no session"
        );
        // A password change ends every other session.
        store
            .create_session("other", user.id, "csrf-3", soon)
            .await
            .expect("session");
        store
            .set_password_hash(user.id, "hash-3", Some("live"))
            .await
            .expect("change");
        assert!(store.session("other").await.expect("query").is_none());
        assert!(store.session("live").await.expect("query").is_some());
        store.delete_session("live").await.expect("logout");
        assert!(store.session("live").await.expect("query").is_none());

        store
            .add_api_token("token-hash", user.id)
            .await
            .expect("token");
        assert_eq!(
            store
                .user_by_token("token-hash")
                .await
                .expect("query")
                .map(|u| u.id),
            Some(user.id)
        );
        assert!(store.user_by_token("other").await.expect("query").is_none());
        let promoted = store
            .set_user_role(user.id, Role::Editor)
            .await
            .expect("role");
        assert_eq!(promoted.role, Role::Editor);
    })
    .await;
}

#[tokio::test]
async fn scheduled_articles_publish_when_due_even_after_downtime() {
    on_both("schedule", |store| async move {
        let news = section(&store, None, "news").await;
        // Due an hour ago, while (say) the server was down; and one due tomorrow.
        let mut overdue = draft(news.id, "overdue", None);
        overdue.status = ArticleStatus::Scheduled;
        overdue.published_at = Some(Utc::now() - Duration::hours(1));
        let overdue = store.create_article(&overdue).await.expect("create");
        let mut later = draft(news.id, "later", None);
        later.status = ArticleStatus::Scheduled;
        later.published_at = Some(Utc::now() + Duration::days(1));
        let later = store.create_article(&later).await.expect("create");
        let published = store.publish_due(Utc::now()).await.expect("publish");
        assert_eq!(published, vec![overdue.id]);
        let now = store
            .article(overdue.id)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(now.draft.status, ArticleStatus::Published);
        let history = store.revisions(overdue.id).await.expect("history");
        assert_eq!(
            history.last().map(|r| r.note.as_str()),
            Some("Published as scheduled")
        );
        let still = store.article(later.id).await.expect("read").expect("found");
        assert_eq!(still.draft.status, ArticleStatus::Scheduled);
        assert!(store
            .publish_due(Utc::now())
            .await
            .expect("again")
            .is_empty());
    })
    .await;
}

#[tokio::test]
async fn corrections_are_dated_and_kept_in_the_history() {
    on_both("corrections", |store| async move {
        let news = section(&store, None, "news").await;
        let article = store
            .create_article(&draft(news.id, "fixed", Some(1)))
            .await
            .expect("create");
        let refused = store
            .add_correction(article.id, "  ", &SavedBy::default())
            .await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))));
        let correction = store
            .add_correction(
                article.id,
                "The mayor's name was misspelt.",
                &SavedBy::default(),
            )
            .await
            .expect("correct");
        let detail = store
            .article_by_path(&article.path)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(detail.corrections, vec![correction]);
        assert_eq!(detail.article.revision, 2);
        let history = store.revisions(article.id).await.expect("history");
        assert_eq!(
            history[1].note,
            "Correction: The mayor's name was misspelt."
        );
        assert_eq!(history[1].draft, history[0].draft);
    })
    .await;
}

#[tokio::test]
async fn moving_a_section_moves_its_articles_and_leaves_redirects() {
    on_both("move_section", |store| async move {
        let news = section(&store, None, "news").await;
        let world = section(&store, Some(news.id), "world").await;
        let article = store
            .create_article(&draft(world.id, "abroad", Some(1)))
            .await
            .expect("create");
        assert!(article.path.starts_with("/news/world/"));
        store
            .update_section(
                world.id,
                &NewSection {
                    parent_id: None,
                    slug: slug("international"),
                    name: "International".into(),
                    description: String::new(),
                    position: 1,
                    language: None,
                },
            )
            .await
            .expect("move");
        let moved = store
            .article(article.id)
            .await
            .expect("read")
            .expect("found");
        assert!(moved.path.starts_with("/international/"), "{}", moved.path);
        assert_eq!(
            store
                .redirect_target(&article.path)
                .await
                .expect("redirect"),
            Some(moved.path)
        );
        let loop_refused = store
            .update_section(
                news.id,
                &NewSection {
                    parent_id: Some(world.id),
                    slug: slug("news"),
                    name: "News".into(),
                    description: String::new(),
                    position: 0,
                    language: None,
                },
            )
            .await;
        assert!(
            loop_refused.is_ok(),
            "news may go under international: they are not related now"
        );
        let self_refused = store
            .update_section(
                world.id,
                &NewSection {
                    parent_id: Some(news.id),
                    slug: slug("international"),
                    name: "International".into(),
                    description: String::new(),
                    position: 0,
                    language: None,
                },
            )
            .await;
        assert!(
            matches!(self_refused, Err(StoreError::Invalid(_))),
            "{self_refused:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn nodes_sharing_a_postgres_database_hear_each_others_changes() {
    let Some(url) = broadsheet_storage::testing::fresh_postgres_url("node notifications").await
    else {
        return;
    };
    let node_a = Store::open(&url).await.expect("node a");
    let node_b = Store::open(&url).await.expect("node b");
    node_b.follow_other_nodes();
    let mut heard = node_b.subscribe();
    assert!(
        node_b
            .listening_to_other_nodes(std::time::Duration::from_secs(10))
            .await,
        "node b never started listening"
    );
    let news = section(&node_a, None, "news").await;
    let article = node_a
        .create_article(&draft(news.id, "shared", Some(0)))
        .await
        .expect("create");
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !got.contains(&ChangeEvent::Article { id: article.id }) {
        assert!(
            std::time::Instant::now() < deadline,
            "node b heard only {got:?}"
        );
        if let Ok(Ok(event)) =
            tokio::time::timeout(std::time::Duration::from_millis(200), heard.recv()).await
        {
            got.push(event);
        }
    }
    assert!(
        got.contains(&ChangeEvent::Catalogue),
        "the new section was announced too"
    );
    // A node does not hear its own changes twice.
    let mut own = node_b.subscribe();
    node_b
        .create_article(&draft(news.id, "local", Some(0)))
        .await
        .expect("create");
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let mut count = 0;
    while own.try_recv().is_ok() {
        count += 1;
    }
    assert_eq!(count, 1);
}
