//! The importers against real export files (`../shared/fixtures`), on SQLite.

use broadsheet_domain::{ArticleStatus, Slug};
use broadsheet_import::{import_ghost, import_wordpress, Options};
use broadsheet_storage::{NewsroomFilter, Store};
use std::path::{Path, PathBuf};

/// The shared export files (`../shared/fixtures` beside the repository, or the folder in
/// `BROADSHEET_FIXTURES`). They are public test data kept outside the project; where a
/// checkout has no copy, these tests say so and pass over them.
fn fixtures_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("BROADSHEET_FIXTURES").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")),
        Some(PathBuf::from("/work/shared/fixtures")),
    ];
    let found = candidates
        .into_iter()
        .flatten()
        .find(|d| d.join("wordpress").is_dir());
    if found.is_none() {
        eprintln!(
            "SKIPPED: no export fixtures (set BROADSHEET_FIXTURES to the shared fixtures folder)"
        );
    }
    found
}

fn fixture(path: &str) -> PathBuf {
    fixtures_dir().map(|d| d.join(path)).unwrap_or_default()
}

struct Site {
    store: Store,
    dir: tempfile::TempDir,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("site.db").display()
    ))
    .await
    .expect("store");
    Site { store, dir }
}

impl Site {
    fn options(&self) -> Options {
        Options {
            media_dir: self.dir.path().join("media"),
            fetch_media: false,
            ..Options::default()
        }
    }

    async fn articles(
        &self,
        status: Option<ArticleStatus>,
    ) -> Vec<broadsheet_storage::NewsroomItem> {
        self.store
            .newsroom_articles(&NewsroomFilter {
                status,
                limit: 500,
                ..NewsroomFilter::default()
            })
            .await
            .expect("list")
    }
}

/// A copy of the old site's uploads holding one real picture.
fn uploads() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("2008/06/dsc20050102_192118_51.jpg");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
    image::RgbImage::from_fn(800, 500, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 120])
    })
    .save(&path)
    .expect("picture");
    dir
}

#[tokio::test]
async fn the_wordpress_theme_unit_test_data_comes_in_whole() {
    if fixtures_dir().is_none() {
        return;
    }
    let site = site().await;
    let uploads = uploads();
    let options = Options {
        uploads_dir: Some(uploads.path().to_owned()),
        ..site.options()
    };
    // A newsroom account for one of the old site's authors, by email.
    let account = site
        .store
        .create_user(
            &broadsheet_domain::NewUser {
                email: "themeshaperwp+demos@gmail.com".into(),
                name: "Theme Buster".into(),
                role: broadsheet_domain::Role::Author,
                author_id: None,
            },
            "not-a-real-hash",
        )
        .await
        .expect("account");
    let file = fixture("wordpress/themeunittestdata.wordpress.xml");
    let report = import_wordpress(&site.store, &file, &options)
        .await
        .expect("import");
    let linked = site
        .store
        .user(account.id)
        .await
        .expect("read")
        .expect("user");
    let author = site
        .store
        .author_by_slug(&Slug::parse("themedemos").expect("slug"))
        .await
        .expect("read")
        .expect("the author page");
    assert_eq!(
        linked.author_id,
        Some(author.id),
        "the account writes under its byline"
    );
    assert_eq!(
        report.created.get("articles (published)"),
        Some(&55),
        "{report}"
    );
    assert_eq!(report.created.get("articles (draft)"), Some(&2), "{report}");
    assert_eq!(
        report.created.get("articles (scheduled)"),
        Some(&1),
        "{report}"
    );
    assert_eq!(report.created.get("authors"), Some(&2));
    assert_eq!(report.created.get("media"), Some(&1));
    assert!(
        report.created.get("pages").is_some_and(|n| *n >= 18),
        "{report}"
    );
    assert_eq!(
        site.articles(Some(ArticleStatus::Published)).await.len(),
        55
    );

    // Categories keep their nesting.
    let tree = site.store.section_tree().await.expect("tree");
    let grandchild = tree
        .find_by_slugs(&[
            "parent-category",
            "child-category-03",
            "grandchild-category",
        ])
        .expect("a nested section");
    assert_eq!(tree.trail(grandchild.id).len(), 3);

    // Dates in GMT, the scheduled post's time, sticky posts in Top stories.
    let scheduled = site.articles(Some(ArticleStatus::Scheduled)).await;
    assert_eq!(scheduled.len(), 1);
    assert_eq!(
        scheduled[0].published_at.map(|t| t.to_rfc3339()),
        Some("2030-01-01T19:00:18+00:00".into())
    );
    let sticky = site
        .store
        .collection_articles(&Slug::parse("top-stories").expect("slug"), 10)
        .await
        .expect("collection");
    assert_eq!(
        sticky
            .iter()
            .map(|a| a.headline.as_str())
            .collect::<Vec<_>>(),
        vec!["Template: Sticky"]
    );
    assert_eq!(
        sticky[0].published_at.to_rfc3339(),
        "2012-01-07T14:07:21+00:00"
    );

    // The featured image, with its caption and alt text, from the uploads copy.
    let with_lead = site
        .store
        .redirect_target("/?p=51")
        .await
        .expect("lookup")
        .expect("post 51 has a redirect");
    let detail = site
        .store
        .article_by_path(&with_lead)
        .await
        .expect("read")
        .expect("article");
    let lead = detail.lead.expect("a lead image");
    assert_eq!(
        lead.caption,
        "Albany wind-farm against the sunset, Western Australia"
    );
    assert_eq!(lead.alt, "Wind Farm");
    assert_eq!(lead.variants, vec![320, 640]);
    assert!(site.dir.path().join("media").join(&lead.file_name).exists());

    // Old addresses: the permalink and ?p= both lead to the new article.
    let permalink = site
        .store
        .redirect_target("/2012/01/07/template-sticky")
        .await
        .expect("lookup");
    assert_eq!(permalink.as_deref(), Some(sticky[0].path.as_str()));

    // Bodies are clean: no block comments, no script, shortcodes turned into HTML.
    for item in site.articles(None).await {
        let article = site
            .store
            .article(item.id)
            .await
            .expect("read")
            .expect("article");
        assert!(!article.draft.body.contains("<!-- wp:"), "#{}", item.id);
        assert!(
            !article.draft.body.to_lowercase().contains("<script"),
            "#{}",
            item.id
        );
        assert!(!article.draft.body.contains("[caption"), "#{}", item.id);
    }
    // Password-protected and private posts are not public.
    assert!(report
        .warnings
        .iter()
        .any(|w| w.contains("password-protected")));
    assert!(report.skipped.iter().any(|s| s.contains("comments")));

    // A second run changes nothing and says so.
    let again = import_wordpress(&site.store, &file, &options)
        .await
        .expect("again");
    assert!(again.changed_nothing(), "{again}");
    assert!(again.to_string().starts_with("Nothing changed"));
    assert_eq!(site.articles(None).await.len(), 58);
}

#[tokio::test]
async fn block_editor_content_converts() {
    if fixtures_dir().is_none() {
        return;
    }
    let site = site().await;
    let file = fixture("wordpress/64-block-test-data.xml");
    let report = import_wordpress(&site.store, &file, &site.options())
        .await
        .expect("import");
    let imported = site.articles(None).await;
    assert!(!imported.is_empty(), "{report}");
    for item in imported {
        let article = site
            .store
            .article(item.id)
            .await
            .expect("read")
            .expect("article");
        assert!(
            !article.draft.body.contains("wp:"),
            "#{}: {}",
            item.id,
            article.draft.body
        );
    }
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    if fixtures_dir().is_none() {
        return;
    }
    let site = site().await;
    let file = fixture("wordpress/themeunittestdata.wordpress.xml");
    let options = Options {
        dry_run: true,
        ..site.options()
    };
    let report = import_wordpress(&site.store, &file, &options)
        .await
        .expect("dry run");
    assert_eq!(report.created.get("articles (published)"), Some(&55));
    assert!(report.to_string().contains("would import"));
    assert!(site.articles(None).await.is_empty());
    assert!(site.store.sections().await.expect("sections").is_empty());
}

#[tokio::test]
async fn bad_files_leave_the_database_as_it_was() {
    if fixtures_dir().is_none() {
        return;
    }
    let site = site().await;
    let dir = tempfile::tempdir().expect("dir");
    let whole = std::fs::read_to_string(fixture("wordpress/themeunittestdata.wordpress.xml"))
        .expect("read");
    let cases = [
        ("not-xml.xml", "this is plainly not XML {".to_owned(), "not"),
        (
            "truncated.xml",
            whole[..whole.len() * 2 / 3].to_owned(),
            "truncated",
        ),
        (
            "future.xml",
            whole.replace("<wp:wxr_version>1.2", "<wp:wxr_version>7.0"),
            "7.0",
        ),
        (
            "ghost.xml",
            std::fs::read_to_string(fixture("ghost/v4_export.json")).expect("read"),
            "not",
        ),
    ];
    for (name, content, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        let error = import_wordpress(&site.store, &path, &site.options())
            .await
            .expect_err(name)
            .to_string();
        assert!(error.contains(expected), "{name}: {error}");
        assert!(
            site.articles(None).await.is_empty(),
            "{name} wrote articles"
        );
        assert!(
            site.store.sections().await.expect("sections").is_empty(),
            "{name} wrote sections"
        );
    }
    let error = import_ghost(
        &site.store,
        &fixture("wordpress/64-block-test-data.xml"),
        &site.options(),
    )
    .await
    .expect_err("xml is not a ghost export")
    .to_string();
    assert!(error.contains("not JSON"), "{error}");
}

#[tokio::test]
async fn ghost_exports_come_in() {
    if fixtures_dir().is_none() {
        return;
    }
    let site = site().await;
    let report = import_ghost(
        &site.store,
        &fixture("ghost/v4_export.json"),
        &site.options(),
    )
    .await
    .expect("import");
    let articles = site.articles(None).await;
    assert_eq!(articles.len(), 7, "{report}");
    assert_eq!(report.created.get("authors"), Some(&2), "{report}");
    assert!(
        report.created.get("pages").is_some_and(|n| *n >= 1),
        "{report}"
    );
    // Feature images are not in this copy: reported, and the posts still come in.
    assert!(
        report.warnings.iter().any(|w| w.contains("feature image")),
        "{report}"
    );
    for item in &articles {
        let article = site
            .store
            .article(item.id)
            .await
            .expect("read")
            .expect("article");
        assert!(
            !article.draft.body.trim().is_empty(),
            "#{} has no body",
            item.id
        );
    }
    let again = import_ghost(
        &site.store,
        &fixture("ghost/v4_export.json"),
        &site.options(),
    )
    .await
    .expect("again");
    assert!(again.changed_nothing(), "{again}");

    for other in ["ghost/v3_export.json", "ghost/products_export.json"] {
        let report = import_ghost(&site.store, &fixture(other), &site.options())
            .await
            .unwrap_or_else(|e| panic!("{other}: {e}"));
        assert!(
            !report.created.is_empty() || report.unchanged > 0,
            "{other}: {report}"
        );
    }
}
