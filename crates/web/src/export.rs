//! The static export: the whole public site as files that any host can serve, under any
//! path prefix, or a reader can open straight from disk.
//!
//! Every page comes from `reader::render`, the code path of the live server, and then has
//! its root-relative links made relative to its own folder. The export is deterministic
//! (the same content gives the same bytes; only the signed list carries the time it was
//! signed) and incremental (unchanged files are not rewritten). `SHA256SUMS` lists every
//! file, and its hash is inside the signed list at `.well-known/broadsheet-mirrors.json`.

use crate::{distribution, mirrors, reader, App, AppError};
use broadsheet_domain::paging::page_count;
use broadsheet_domain::{FeedFormat, FeedScope, PageNumber, Route, Slug, TvFormat};
use broadsheet_storage::Listing;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Marks a folder as a Broadsheet export, so stale files may be removed from it.
const MARKER: &str = ".broadsheet-export";
const PER_PAGE: u32 = 20;

#[derive(Debug, Default)]
pub struct ExportReport {
    /// Files written because they were new or changed, as paths relative to the folder.
    pub written: Vec<String>,
    pub unchanged: usize,
    /// Files of an earlier export that the site no longer has.
    pub removed: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0} is not empty and holds no earlier export; choose an empty or new folder")]
    NotAnExportFolder(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Render(#[from] AppError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub async fn export(app: &App, out: &Path) -> Result<ExportReport, ExportError> {
    let mut files = collect(app).await?;
    let sums: String = files
        .iter()
        .map(|(path, bytes)| format!("{}  {path}\n", hex(&Sha256::digest(bytes))))
        .collect();
    let sums_hash = hex(&Sha256::digest(sums.as_bytes()));
    files.insert("SHA256SUMS".into(), sums.into_bytes());
    if let Some(list) = mirrors::signed_list(app, Some(sums_hash)).await? {
        files.insert(
            ".well-known/broadsheet-mirrors.json".into(),
            list.into_bytes(),
        );
    }
    write(out, files)
}

/// Every file of the site, by its path relative to the export folder.
async fn collect(app: &App) -> Result<BTreeMap<String, Vec<u8>>, AppError> {
    let store = &app.store;
    let chrome = app.chrome().await?;
    let tree = &chrome.tree;
    let mut files = BTreeMap::new();
    // (route, page number, file path)
    let mut pages: Vec<(Route, u32, String)> = vec![(Route::Home, 1, "index.html".into())];
    let mut feeds = vec![FeedScope::Site];

    let listed = |route: Route, path: &str, total: u64, pages: &mut Vec<(Route, u32, String)>| {
        let dir = path.trim_matches('/');
        for n in 1..=page_count(total, PER_PAGE) {
            let file = if n == 1 {
                format!("{dir}/index.html")
            } else {
                format!("{dir}/page/{n}/index.html")
            };
            pages.push((route.clone(), n, file));
        }
    };
    for section in tree.all() {
        let path = tree.path(section.id).unwrap_or("/");
        let total = store
            .list_published(&Listing {
                section_ids: Some(tree.with_descendants(section.id)),
                limit: 1,
                ..Listing::default()
            })
            .await?
            .1;
        let slugs: Vec<Slug> = tree
            .trail(section.id)
            .iter()
            .map(|s| s.slug.clone())
            .collect();
        listed(Route::Section(slugs.clone()), path, total, &mut pages);
        feeds.push(FeedScope::Section(slugs));
    }
    for tag in store.tags_in_use().await? {
        let total = store
            .list_published(&Listing {
                tag_id: Some(tag.id),
                limit: 1,
                ..Listing::default()
            })
            .await?
            .1;
        listed(
            Route::Tag(tag.slug.clone()),
            &format!("/tag/{}", tag.slug),
            total,
            &mut pages,
        );
        feeds.push(FeedScope::Tag(tag.slug));
    }
    for author in store.authors().await? {
        let total = store
            .list_published(&Listing {
                author_id: Some(author.id),
                limit: 1,
                ..Listing::default()
            })
            .await?
            .1;
        listed(
            Route::Author(author.slug.clone()),
            &format!("/author/{}", author.slug),
            total,
            &mut pages,
        );
        feeds.push(FeedScope::Author(author.slug));
    }
    for (slug, _) in store.page_links().await? {
        if let Ok(slug) = Slug::parse(&slug) {
            pages.push((
                Route::Page(slug.clone()),
                1,
                format!("page/{slug}/index.html"),
            ));
        }
    }
    for article in store.all_published().await? {
        let route = Route::parse(&encode_path(&article.path)).map_err(AppError::from)?;
        pages.push((
            route,
            1,
            format!("{}/index.html", article.path.trim_matches('/')),
        ));
    }
    pages.push((Route::Videos, 1, "video/index.html".into()));
    for video in store.published_videos(i64::MAX).await? {
        pages.push((
            Route::Video(video.slug.clone()),
            1,
            format!("video/{}/index.html", video.slug),
        ));
    }
    for format in [TvFormat::Roku, TvFormat::Mrss] {
        pages.push((
            Route::TvFeed(format),
            1,
            format.path().trim_start_matches('/').to_owned(),
        ));
    }
    for scope in &feeds {
        for format in FeedFormat::ALL {
            pages.push((
                Route::Feed(scope.clone(), format),
                1,
                scope.feed_path(format).trim_start_matches('/').to_owned(),
            ));
        }
    }
    pages.push((Route::SitemapIndex, 1, "sitemap.xml".into()));
    pages.push((Route::Robots, 1, "robots.txt".into()));
    for (path, _) in distribution::sitemap_files(app).await? {
        if let Some(name) = path.strip_prefix("/sitemaps/") {
            pages.push((
                Route::Sitemap(name.to_owned()),
                1,
                path.trim_start_matches('/').to_owned(),
            ));
        }
    }

    for (route, n, file) in pages {
        let page = PageNumber::parse(Some(&n.to_string())).map_err(AppError::from)?;
        let (body, content_type) = reader::render(app, &chrome.settings, &route, page).await?;
        let body = if content_type.starts_with("text/html") {
            relative_links(&body, &file)
        } else {
            body
        };
        files.insert(file, body.into_bytes());
    }
    files.insert(
        "mirrors/index.html".into(),
        relative_links(&mirrors::page_html(app).await?, "mirrors/index.html").into_bytes(),
    );
    files.insert(
        "mirrors/bc2.json".into(),
        mirrors::bc2_list(app).await?.into_bytes(),
    );
    let not_found = AppError::NotFound;
    let view = broadsheet_render::Chrome {
        settings: &chrome.settings,
        sections: tree,
        pages: &chrome.pages,
    };
    let html = app
        .renderer
        .error(&view, 404, not_found.title(), &not_found.public_message())?;
    files.insert(
        "404.html".into(),
        relative_links(&html, "404.html").into_bytes(),
    );

    let theme = app.renderer.theme();
    for name in theme.asset_names() {
        if let Some((bytes, _)) = theme.asset(name) {
            files.insert(format!("assets/{name}"), bytes.into_owned());
        }
    }
    if let Ok(entries) = std::fs::read_dir(&app.media_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !entry.path().is_file() {
                continue;
            }
            let bytes = std::fs::read(entry.path())
                .map_err(|e| AppError::Internal(format!("{}: {e}", entry.path().display())))?;
            files.insert(format!("media/{name}"), bytes);
        }
    }
    Ok(files)
}

/// Percent-encodes a stored (decoded) path so `Route::parse` reads it back.
fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|s| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Rewrites every root-relative `href` and `src` of a page stored at `file` into a link
/// relative to the page's folder, ending in `index.html` where it names a page, so the
/// export works under any prefix and from disk. `?page=N` becomes `/page/N/`.
fn relative_links(html: &str, file: &str) -> String {
    let depth = file.matches('/').count();
    let up = "../".repeat(depth);
    let rewrite = |value: &str| -> Option<String> {
        if !value.starts_with('/') || value.starts_with("//") {
            return None;
        }
        let (rest, fragment) = match value.split_once('#') {
            Some((r, f)) => (r, format!("#{f}")),
            None => (value, String::new()),
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let page = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse::<u32>().ok())
            .filter(|n| *n > 1);
        let mut target = path.trim_matches('/').to_owned();
        if let Some(n) = page {
            target = format!("{target}/page/{n}")
                .trim_start_matches('/')
                .to_owned();
        }
        let last = target.rsplit('/').next().unwrap_or_default();
        let file_like = last.contains('.');
        let target = match (target.is_empty(), file_like) {
            (true, _) => "index.html".to_owned(),
            (false, true) => target,
            (false, false) => format!("{target}/index.html"),
        };
        Some(format!("{up}{target}{fragment}"))
    };
    let handler = lol_html::element!("[href], [src], [poster]", move |el| {
        for name in ["href", "src", "poster"] {
            if let Some(new) = el.get_attribute(name).as_deref().and_then(rewrite) {
                el.set_attribute(name, &new)?;
            }
        }
        Ok(())
    });
    let settings = lol_html::RewriteStrSettings {
        element_content_handlers: vec![handler],
        ..lol_html::RewriteStrSettings::new()
    };
    lol_html::rewrite_str(html, settings).unwrap_or_else(|_| html.to_owned())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes what changed (atomically, file by file) and removes what is gone.
fn write(out: &Path, files: BTreeMap<String, Vec<u8>>) -> Result<ExportReport, ExportError> {
    let marker = out.join(MARKER);
    if out.exists() && !marker.exists() && std::fs::read_dir(out).map_err(io(out))?.next().is_some()
    {
        return Err(ExportError::NotAnExportFolder(out.to_path_buf()));
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    std::fs::write(
        &marker,
        "This folder is a Broadsheet static export; `broadsheet export` manages it.\n",
    )
    .map_err(io(&marker))?;
    let mut report = ExportReport::default();
    for (relative, bytes) in &files {
        let path = out.join(relative);
        if std::fs::read(&path).is_ok_and(|old| &old == bytes) {
            report.unchanged += 1;
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        let partial = path.with_extension("broadsheet-partial");
        std::fs::write(&partial, bytes).map_err(io(&partial))?;
        std::fs::rename(&partial, &path).map_err(io(&path))?;
        report.written.push(relative.clone());
    }
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(out)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if relative != MARKER && !files.contains_key(&relative) {
                std::fs::remove_file(&path).map_err(io(&path))?;
                report.removed.push(relative);
            }
        }
    }
    report.removed.sort();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_relative_to_the_page() {
        let html = r##"<a href="/">h</a><a href="/news/world">w</a><a href="/news?page=2">p</a><img src="/media/a.jpg"><a href="#main">m</a><a href="https://x.example/">x</a><link href="/feed.xml">"##;
        let out = relative_links(html, "news/world/2026/11/29/story/index.html");
        let up = "../".repeat(6);
        assert!(out.contains(&format!(r#"href="{up}index.html""#)), "{out}");
        assert!(out.contains(&format!(r#"href="{up}news/world/index.html""#)));
        assert!(out.contains(&format!(r#"href="{up}news/page/2/index.html""#)));
        assert!(out.contains(&format!(r#"src="{up}media/a.jpg""#)));
        assert!(out.contains(r##"href="#main""##));
        assert!(out.contains(r#"href="https://x.example/""#));
        assert!(out.contains(&format!(r#"href="{up}feed.xml""#)));
        assert!(relative_links(r#"<a href="/news">n</a>"#, "index.html")
            .contains(r#"href="news/index.html""#));
    }
}
