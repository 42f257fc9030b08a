//! The static export: served under a path prefix by a plain static file server, opened from
//! disk, exported twice, and exported again after one edit.

mod common;

use reqwest::{StatusCode, Url};
use scraper::{Html, Selector};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

fn all_files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                files.insert(relative, std::fs::read(&path).expect("read"));
            }
        }
    }
    files
}

fn local_links(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse("[href], [src], [poster]").expect("selector");
    doc.select(&selector)
        .flat_map(|e| {
            ["href", "src", "poster"]
                .into_iter()
                .filter_map(move |a| e.value().attr(a).map(str::to_owned))
        })
        .filter(|l| {
            !l.starts_with("http://")
                && !l.starts_with("https://")
                && !l.starts_with("mailto:")
                && !l.starts_with('#')
        })
        .collect()
}

#[tokio::test]
async fn the_export_works_under_a_prefix_and_from_disk_and_is_deterministic() {
    let site = common::start(None).await;
    let out = tempfile::tempdir().expect("temp dir");
    let a = out.path().join("a");
    let report = broadsheet_web::export::export(&site.app, &a)
        .await
        .expect("export");
    assert!(report.written.len() > 100, "{} files", report.written.len());
    assert_eq!(report.unchanged, 0);
    let files = all_files(&a);
    for expected in [
        "index.html",
        "news/index.html",
        "news/middle-east/iraq/index.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "mirrors/index.html",
        "404.html",
        "assets/style.css",
        "media/storm-sea.jpg",
        "SHA256SUMS",
        ".well-known/broadsheet-mirrors.json",
        "tag/iraq/index.html",
        "author/mina-rahimi/index.html",
        "page/about/index.html",
        "video/index.html",
        "video/ferries-return/index.html",
        "media/harbour-clip.m3u8",
        "media/harbour-clip-0.ts",
        "tv/roku.json",
        "tv/mrss.xml",
    ] {
        assert!(files.contains_key(expected), "{expected} is exported");
    }

    // SHA256SUMS covers every other file, and the signed list covers SHA256SUMS.
    let sums = String::from_utf8(files["SHA256SUMS"].clone()).expect("text");
    let listed: BTreeSet<_> = sums
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(_, p)| p.to_owned())
        .collect();
    for line in sums.lines() {
        let (hash, path) = line.split_once("  ").expect("sum line");
        let digest: String = Sha256::digest(&files[path])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hash, digest, "{path}");
    }
    let unlisted: Vec<_> = files.keys().filter(|k| !listed.contains(*k)).collect();
    assert_eq!(
        unlisted,
        vec![
            ".broadsheet-export",
            ".well-known/broadsheet-mirrors.json",
            "SHA256SUMS"
        ]
    );
    let list =
        String::from_utf8(files[".well-known/broadsheet-mirrors.json"].clone()).expect("text");
    let manifest = broadsheet_mirror::verify(&list, &site.fingerprint, chrono::Utc::now(), None)
        .expect("signed list verifies");
    let sums_hash: String = Sha256::digest(&files["SHA256SUMS"])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(manifest.files_sha256, Some(sums_hash));

    // From disk: every relative link of every page names a file that exists.
    let mut checked = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let dir = a.join(path).parent().expect("folder").to_path_buf();
        for link in local_links(&String::from_utf8_lossy(bytes)) {
            assert!(!link.starts_with('/'), "{path}: {link} is root-relative");
            let target = link.split('#').next().unwrap_or_default();
            assert!(
                dir.join(target).is_file(),
                "{path}: {link} does not exist on disk"
            );
            checked += 1;
        }
    }
    assert!(checked > 1_000, "{checked} links checked");

    // Under a path prefix, served by a plain static file server: crawl everything.
    let app =
        axum::Router::new().nest_service("/mirror-a", tower_http::services::ServeDir::new(&a));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!(
        "http://{}/mirror-a/",
        listener.local_addr().expect("address")
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let start = Url::parse(&base)
        .expect("url")
        .join("index.html")
        .expect("url");
    let mut queue = VecDeque::from([start.clone()]);
    let mut seen = BTreeSet::from([start.to_string()]);
    let mut pages = 0;
    while let Some(url) = queue.pop_front() {
        let response = reqwest::get(url.clone()).await.expect("fetch");
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        if !url.path().ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = response.text().await.expect("body");
        for link in local_links(&html) {
            let mut next = url.join(&link).expect("relative link");
            next.set_fragment(None);
            assert!(
                next.path().starts_with("/mirror-a/"),
                "{url}: {link} escapes the prefix"
            );
            if seen.insert(next.to_string()) {
                queue.push_back(next);
            }
        }
    }
    assert!(pages > 60, "{pages} pages crawled");

    // Two exports of the same content are identical, but for the freshly signed list.
    let b = out.path().join("b");
    broadsheet_web::export::export(&site.app, &b)
        .await
        .expect("export");
    assert!(site_files(&a) == site_files(&b), "exports differ");
}

/// The site's files, but for the freshly signed list and the export's own ledger.
fn site_files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = all_files(root);
    files.remove(".well-known/broadsheet-mirrors.json");
    files.remove(".broadsheet-export");
    files
}

/// Exports into `dir` and checks the folder then holds exactly what a full export of the
/// same content into an empty folder holds.
async fn export_matching_a_fresh_one(
    site: &common::Site,
    dir: &Path,
) -> broadsheet_web::export::ExportReport {
    let report = broadsheet_web::export::export(&site.app, dir)
        .await
        .expect("export");
    let fresh = tempfile::tempdir().expect("temp dir");
    let full = broadsheet_web::export::export(&site.app, &fresh.path().join("site"))
        .await
        .expect("export");
    assert!(!full.incremental());
    let (ours, theirs) = (site_files(dir), site_files(&fresh.path().join("site")));
    let differing: Vec<&String> = theirs
        .keys()
        .chain(ours.keys())
        .filter(|f| ours.get(*f) != theirs.get(*f))
        .collect();
    assert!(
        differing.is_empty(),
        "differs from a full export: {differing:?}"
    );
    report
}

#[tokio::test]
async fn a_re_export_after_one_edit_renders_and_rewrites_only_what_shows_it() {
    let site = common::start(None).await;
    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().join("site");
    let first = broadsheet_web::export::export(&site.app, &dir)
        .await
        .expect("export");
    assert!(!first.incremental(), "nothing to start from");
    // As a separate run would: nothing kept in memory between the two.
    site.app.cache.clear();
    let again = broadsheet_web::export::export(&site.app, &dir)
        .await
        .expect("export");
    assert!(again.incremental());
    assert!(
        again
            .written
            .iter()
            .all(|f| f == ".well-known/broadsheet-mirrors.json"),
        "only the list is signed again (when a second has passed): {:?}",
        again.written
    );
    assert!(again.rendered * 4 < first.rendered, "{again:?}");

    // A new headline shows on the article's page and on every list, feed and page that
    // links to it; those render again and nothing else does.
    let path = site.path_of("old-cinema-reopens").await;
    let detail = site
        .store
        .article_by_path(&path)
        .await
        .expect("q")
        .expect("article");
    let mut draft = detail.article.draft.clone();
    draft.headline = "Old cinema reopens with a silent-film week".into();
    draft.body.push_str("\n\nThe next screening is on Friday.");
    site.store
        .update_article(detail.article.id, Some(detail.article.revision), &draft)
        .await
        .expect("save");
    let after = export_matching_a_fresh_one(&site, &dir).await;
    assert!(after.incremental());
    assert!(after.rendered * 4 < first.rendered, "{after:?}");
    let article_file = format!("{}/index.html", path.trim_matches('/'));
    assert!(after.written.contains(&article_file), "{:?}", after.written);
    assert!(after.written.contains(&"SHA256SUMS".to_owned()));
    for list in [
        "culture/index.html",
        "culture/feed.xml",
        "tag/film/index.html",
    ] {
        assert!(
            after.written.contains(&list.to_owned()),
            "{list}: {after:?}"
        );
    }
    assert!(!after.written.contains(&"page/about/index.html".to_owned()));
    assert!(!after.written.contains(&"media/storm-sea.jpg".to_owned()));
    assert!(std::fs::read_to_string(dir.join(&article_file))
        .expect("read")
        .contains("The next screening is on Friday."));

    // A new story moves every list along: everything renders again.
    draft.slug = broadsheet_domain::Slug::parse("cinema-adds-matinees").expect("slug");
    draft.headline = "Cinema adds weekday matinees".into();
    draft.translation_group = None;
    site.store.create_article(&draft).await.expect("publish");
    let published = export_matching_a_fresh_one(&site, &dir).await;
    assert!(!published.incremental());
    assert!(published.rendered >= first.rendered, "{published:?}");

    // So does a caption changed in the media library, which any page may show.
    let picture = site
        .store
        .all_media()
        .await
        .expect("media")
        .into_iter()
        .next()
        .expect("a picture");
    site.store
        .update_media_text(
            picture.id,
            &picture.alt,
            "A caption rewritten in the library",
            &picture.credit,
            picture.file_photo,
        )
        .await
        .expect("caption");
    let recaptioned = export_matching_a_fresh_one(&site, &dir).await;
    assert!(!recaptioned.incremental());

    // A folder that holds something else is never written into.
    let foreign = out.path().join("foreign");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("notes.txt"), "mine").expect("write");
    assert!(broadsheet_web::export::export(&site.app, &foreign)
        .await
        .is_err());
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).expect("read"),
        "mine"
    );
}
