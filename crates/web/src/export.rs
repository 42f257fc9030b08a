//! The static export: the whole public site as files that any host can serve, under any
//! path prefix, or a reader can open straight from disk.
//!
//! Every page comes from `reader::render`, the code path of the live server, and then has
//! its root-relative links made relative to its own folder. Pages render concurrently.
//! The export is deterministic (the same content gives the same bytes; only the signed list
//! carries the time it was signed) and incremental: a ledger in the folder records what each
//! file showed, so after articles are edited only the files that show them render again;
//! anything else (a new, moved or withdrawn article, a section, tag, author, picture,
//! collection, setting, theme or program change) renders everything. `SHA256SUMS` lists
//! every file, and its hash is inside the signed list at `.well-known/broadsheet-mirrors.json`.

use crate::cache::ChromeData;
use crate::{distribution, mirrors, reader, AppError, SharedApp};
use broadsheet_domain::paging::page_count;
use broadsheet_domain::{
    Author, FeedFormat, FeedScope, Id, PageNumber, Route, Slug, Tag, TvFormat,
};
use broadsheet_storage::ArticleOutline;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Marks a folder as a Broadsheet export (so stale files may be removed from it) and holds
/// the ledger of the last export.
const MARKER: &str = ".broadsheet-export";
/// Bumped when the ledger's meaning changes; an older ledger renders everything.
const LEDGER_FORMAT: u32 = 1;
const PER_PAGE: u32 = 20;

#[derive(Debug, Default)]
pub struct ExportReport {
    /// Files written because they were new or changed, as paths relative to the folder.
    pub written: Vec<String>,
    pub unchanged: usize,
    /// Files of an earlier export that the site no longer has.
    pub removed: Vec<String>,
    /// Pages, feeds and sitemaps rendered (all of them unless the run was incremental).
    pub rendered: usize,
    /// Why everything was rendered, when it was; None when only what shows edited
    /// articles was.
    pub full_because: Option<&'static str>,
}

impl ExportReport {
    /// Whether only what shows edited articles was rendered.
    pub fn incremental(&self) -> bool {
        self.full_because.is_none()
    }
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

impl From<broadsheet_storage::StoreError> for ExportError {
    fn from(e: broadsheet_storage::StoreError) -> ExportError {
        ExportError::Render(e.into())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What the last export wrote and from what, kept in the folder's marker file.
#[derive(Debug, Serialize, Deserialize)]
struct Ledger {
    format: u32,
    /// Digest of everything pages show besides article text (see `Inputs::read`).
    site: String,
    articles: BTreeMap<Id, ArticleMark>,
    files: BTreeMap<String, FileMark>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ArticleMark {
    revision: i64,
    /// Digest of where the article sits: path, section, language, time, tags, authors.
    place: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileMark {
    sha256: String,
    len: u64,
    /// The articles the file links to, for files rendered from content.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    shows: Vec<Id>,
    /// A copied media file's size and modification time at the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<(u64, i128)>,
}

/// One file of the export: new bytes, or an earlier export's file kept as it is.
struct Entry {
    bytes: Option<Vec<u8>>,
    mark: FileMark,
}

impl Entry {
    fn new(bytes: Vec<u8>, shows: Vec<Id>, source: Option<(u64, i128)>) -> Entry {
        let mark = FileMark {
            sha256: hex(&Sha256::digest(&bytes)),
            len: bytes.len() as u64,
            shows,
            source,
        };
        Entry {
            bytes: Some(bytes),
            mark,
        }
    }
}

/// A page, feed or sitemap to render into `file`.
struct Job {
    route: Route,
    page: u32,
    file: String,
    /// Whether the file depends only on the site digest and the articles it links to; the
    /// others (the sitemap index and news sitemap with their dates, video pages, standing
    /// pages) render every time.
    tracked: bool,
}

pub async fn export(app: &SharedApp, out: &Path) -> Result<ExportReport, ExportError> {
    let marker = out.join(MARKER);
    if out.exists() && !marker.exists() && std::fs::read_dir(out).map_err(io(out))?.next().is_some()
    {
        return Err(ExportError::NotAnExportFolder(out.to_path_buf()));
    }
    let ledger = std::fs::read(&marker)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Ledger>(&bytes).ok())
        .filter(|ledger| ledger.format == LEDGER_FORMAT);
    let chrome = app.chrome().await?;
    let inputs = Inputs::read(app, &chrome).await?;
    let edited = match &ledger {
        Some(ledger) => inputs.edited_since(ledger),
        None => Err("there is no earlier export in the folder"),
    };
    let full_because = edited.as_ref().err().copied();
    let edited = edited.ok();

    let mut entries = BTreeMap::new();
    let mut jobs = Vec::new();
    for job in plan(app, &chrome, &inputs).await? {
        let kept = match (&edited, &ledger) {
            (Some(edited), Some(ledger)) if job.tracked => ledger
                .files
                .get(&job.file)
                .filter(|mark| !mark.shows.iter().any(|id| edited.contains(id)))
                .filter(|mark| on_disk(out, &job.file, mark)),
            _ => None,
        };
        match kept {
            Some(mark) => {
                entries.insert(
                    job.file,
                    Entry {
                        bytes: None,
                        mark: mark.clone(),
                    },
                );
            }
            None => jobs.push(job),
        }
    }
    let rendered = jobs.len();
    for (file, entry) in render_all(app, &chrome, jobs, Arc::new(inputs.paths.clone())).await? {
        entries.insert(file, entry);
    }
    let index = search_index(&inputs)?;
    entries.insert(
        "search/index.js".into(),
        Entry::new(index, Vec::new(), None),
    );
    for (file, bytes) in fixed_files(app, &chrome).await? {
        entries.insert(file, Entry::new(bytes, Vec::new(), None));
    }
    media_files(app, out, ledger.as_ref(), &mut entries)?;

    let sums: String = entries
        .iter()
        .map(|(path, entry)| format!("{}  {path}\n", entry.mark.sha256))
        .collect();
    let sums_hash = hex(&Sha256::digest(sums.as_bytes()));
    entries.insert(
        "SHA256SUMS".into(),
        Entry::new(sums.into_bytes(), Vec::new(), None),
    );
    if let Some(list) = mirrors::signed_list(app, Some(sums_hash)).await? {
        entries.insert(
            ".well-known/broadsheet-mirrors.json".into(),
            Entry::new(list.into_bytes(), Vec::new(), None),
        );
    }
    let mut report = write(out, &entries)?;
    report.rendered = rendered;
    report.full_because = full_because;
    let ledger = Ledger {
        format: LEDGER_FORMAT,
        site: inputs.site,
        articles: inputs.articles,
        files: entries
            .into_iter()
            .map(|(path, entry)| (path, entry.mark))
            .collect(),
    };
    let json = serde_json::to_vec(&ledger).map_err(|e| AppError::Internal(e.to_string()))?;
    write_atomically(&marker, &json)?;
    Ok(report)
}

/// What the export's pages are made from, read at the start of a run.
struct Inputs {
    site: String,
    articles: BTreeMap<Id, ArticleMark>,
    /// Published articles by their path, to tell which ones a rendered file links to.
    paths: HashMap<String, Id>,
    /// Each published article's section, tag and author names, for the offline search.
    labels: HashMap<Id, String>,
    /// How many published articles each section (itself, not its subsections), tag and
    /// author has: the number of pages of their lists.
    counts: Counts,
    /// The published articles, newest first.
    outline: Vec<ArticleOutline>,
    /// The tags in use and the authors, each with a list of their own.
    tags: Vec<Tag>,
    authors: Vec<Author>,
}

#[derive(Default)]
struct Counts {
    sections: HashMap<Id, u64>,
    tags: HashMap<Id, u64>,
    authors: HashMap<Id, u64>,
}

impl Inputs {
    async fn read(app: &SharedApp, chrome: &ChromeData) -> Result<Inputs, AppError> {
        let store = &app.store;
        let mut site = blake3::Hasher::new();
        let mut add = |part: &str| {
            site.update(part.as_bytes());
            site.update(b"\0");
        };
        add(env!("CARGO_PKG_VERSION"));
        add(&program_digest());
        add(&app.renderer.theme().fingerprint().to_hex());
        add(&format!("{:?}", chrome.settings));
        // The sections in their order (the tree's own lookup maps have none).
        add(&format!("{:?}", chrome.tree.all().collect::<Vec<_>>()));
        add(&format!("{:?}", chrome.pages));
        let tags = store.tags_in_use().await?;
        let authors = store.authors().await?;
        add(&format!("{tags:?}"));
        add(&format!("{authors:?}"));
        let tag_names: HashMap<Id, &str> = tags.iter().map(|t| (t.id, t.name.as_str())).collect();
        let author_names: HashMap<Id, &str> =
            authors.iter().map(|a| (a.id, a.name.as_str())).collect();
        add(&format!("{:?}", store.all_media().await?));
        for collection in store.collections().await? {
            let items = store.collection_item_ids(&collection.slug).await?;
            add(&format!("{collection:?} {items:?}"));
        }
        let outline = store.published_outline().await?;
        let mut articles = BTreeMap::new();
        let mut paths = HashMap::with_capacity(outline.len());
        let mut labels = HashMap::with_capacity(outline.len());
        let mut counts = Counts::default();
        for article in &outline {
            *counts.sections.entry(article.section_id).or_default() += 1;
            for tag in &article.tag_ids {
                *counts.tags.entry(*tag).or_default() += 1;
            }
            for author in &article.author_ids {
                *counts.authors.entry(*author).or_default() += 1;
            }
            let sections = chrome.tree.trail(article.section_id);
            let names = sections.iter().map(|s| s.name.as_str());
            let names = names
                .chain(
                    article
                        .tag_ids
                        .iter()
                        .filter_map(|id| tag_names.get(id).copied()),
                )
                .chain(
                    article
                        .author_ids
                        .iter()
                        .filter_map(|id| author_names.get(id).copied()),
                );
            labels.insert(article.id, names.collect::<Vec<_>>().join(" "));
            let place = format!(
                "{:?} {} {:?} {} {:?} {:?} {:?}",
                article.path,
                article.section_id,
                article.language,
                article.published_at,
                article.translation_group,
                article.tag_ids,
                article.author_ids
            );
            articles.insert(
                article.id,
                ArticleMark {
                    revision: article.revision,
                    place: blake3::hash(place.as_bytes()).to_hex().to_string(),
                },
            );
            paths.insert(article.path.clone(), article.id);
        }
        Ok(Inputs {
            site: site.finalize().to_hex().to_string(),
            articles,
            paths,
            labels,
            counts,
            outline,
            tags,
            authors,
        })
    }

    /// The articles edited since the ledger's export, when nothing else changed: the same
    /// site digest and the same articles in the same places. Otherwise, why everything
    /// must render.
    fn edited_since(&self, ledger: &Ledger) -> Result<HashSet<Id>, &'static str> {
        const MOVED: &str = "stories were published, withdrawn or moved";
        if ledger.site != self.site {
            return Err(
                "the site changed (sections, tags, authors, pictures, collections, settings, \
                 theme or program)",
            );
        }
        if ledger.articles.len() != self.articles.len() {
            return Err(MOVED);
        }
        let mut edited = HashSet::new();
        for (id, mark) in &self.articles {
            let before = ledger.articles.get(id).ok_or(MOVED)?;
            if before.place != mark.place {
                return Err(MOVED);
            }
            if before.revision != mark.revision {
                edited.insert(*id);
            }
        }
        Ok(edited)
    }
}

/// A digest of the running program, so that a new build (other templates compiled in, other
/// rendering code) renders everything. Unreadable, it differs every run: the safe side.
fn program_digest() -> String {
    std::env::current_exe()
        .and_then(std::fs::read)
        .map(|bytes| blake3::hash(&bytes).to_hex().to_string())
        .unwrap_or_else(|_| format!("{:?}", std::time::SystemTime::now()))
}

/// Whether an earlier export's file is still there as the ledger describes it.
fn on_disk(out: &Path, file: &str, mark: &FileMark) -> bool {
    std::fs::metadata(out.join(file)).is_ok_and(|m| m.is_file() && m.len() == mark.len)
}

/// Every page, feed and sitemap of the site, with the file each goes to.
async fn plan(app: &SharedApp, chrome: &ChromeData, inputs: &Inputs) -> Result<Vec<Job>, AppError> {
    let counts = &inputs.counts;
    let store = &app.store;
    let tree = &chrome.tree;
    let mut jobs = Vec::new();
    let mut job = |route: Route, page: u32, file: String, tracked: bool| {
        jobs.push(Job {
            route,
            page,
            file,
            tracked,
        });
    };
    job(Route::Home, 1, "index.html".into(), true);
    let mut feeds = vec![FeedScope::Site];
    let mut listings = Vec::new();
    for section in tree.all() {
        let slugs: Vec<Slug> = tree
            .trail(section.id)
            .iter()
            .map(|s| s.slug.clone())
            .collect();
        let total = tree
            .with_descendants(section.id)
            .iter()
            .filter_map(|id| counts.sections.get(id))
            .sum();
        let path = tree.path(section.id).unwrap_or("/").to_owned();
        listings.push((Route::Section(slugs.clone()), path, total));
        feeds.push(FeedScope::Section(slugs));
    }
    for tag in &inputs.tags {
        let total = counts.tags.get(&tag.id).copied().unwrap_or_default();
        listings.push((
            Route::Tag(tag.slug.clone()),
            format!("/tag/{}", tag.slug),
            total,
        ));
        feeds.push(FeedScope::Tag(tag.slug.clone()));
    }
    for author in &inputs.authors {
        let total = counts.authors.get(&author.id).copied().unwrap_or_default();
        listings.push((
            Route::Author(author.slug.clone()),
            format!("/author/{}", author.slug),
            total,
        ));
        feeds.push(FeedScope::Author(author.slug.clone()));
    }
    for (route, path, total) in listings {
        let dir = path.trim_matches('/');
        for n in 1..=page_count(total, PER_PAGE) {
            let file = if n == 1 {
                format!("{dir}/index.html")
            } else {
                format!("{dir}/page/{n}/index.html")
            };
            job(
                route.clone(),
                n,
                file.trim_start_matches('/').to_owned(),
                true,
            );
        }
    }
    for (slug, _) in store.page_links().await? {
        if let Ok(slug) = Slug::parse(&slug) {
            let file = format!("page/{slug}/index.html");
            job(Route::Page(slug), 1, file, false);
        }
    }
    for article in &inputs.outline {
        let route = Route::parse(&encode_path(&article.path)).map_err(AppError::from)?;
        let file = format!("{}/index.html", article.path.trim_matches('/'));
        job(route, 1, file, true);
    }
    job(Route::Videos, 1, "video/index.html".into(), false);
    for video in store.published_videos(i64::MAX).await? {
        let file = format!("video/{}/index.html", video.slug);
        job(Route::Video(video.slug), 1, file, false);
    }
    for format in [TvFormat::Roku, TvFormat::Mrss] {
        let file = format.path().trim_start_matches('/').to_owned();
        job(Route::TvFeed(format), 1, file, false);
    }
    for scope in &feeds {
        for format in FeedFormat::ALL {
            let file = scope.feed_path(format).trim_start_matches('/').to_owned();
            job(Route::Feed(scope.clone(), format), 1, file, true);
        }
    }
    job(Route::SitemapIndex, 1, "sitemap.xml".into(), false);
    job(Route::Robots, 1, "robots.txt".into(), false);
    for (path, _) in distribution::sitemap_files(app).await? {
        if let Some(name) = path.strip_prefix("/sitemaps/") {
            let file = path.trim_start_matches('/').to_owned();
            // A part of the article sitemap lists its stories with their dates and nothing
            // else; the news sitemap follows the clock, the others the site digest.
            let tracked = name.starts_with("articles-");
            job(Route::Sitemap(name.to_owned()), 1, file, tracked);
        }
    }
    Ok(jobs)
}

/// Renders the jobs on every core, a few at a time per core so that database reads overlap
/// with rendering.
async fn render_all(
    app: &SharedApp,
    chrome: &Arc<ChromeData>,
    jobs: Vec<Job>,
    paths: Arc<HashMap<String, Id>>,
) -> Result<Vec<(String, Entry)>, AppError> {
    let limit = std::thread::available_parallelism().map_or(2, |n| n.get()) * 4;
    let mut running = tokio::task::JoinSet::new();
    let mut done = Vec::with_capacity(jobs.len());
    let joined = |result: Result<Result<(String, Entry), AppError>, tokio::task::JoinError>| {
        result.map_err(|e| AppError::Internal(format!("an export task failed: {e}")))?
    };
    for job in jobs {
        if running.len() >= limit {
            if let Some(result) = running.join_next().await {
                done.push(joined(result)?);
            }
        }
        let (app, chrome, paths) = (app.clone(), chrome.clone(), paths.clone());
        running.spawn(async move { render_job(&app, &chrome, job, &paths).await });
    }
    while let Some(result) = running.join_next().await {
        done.push(joined(result)?);
    }
    Ok(done)
}

async fn render_job(
    app: &SharedApp,
    chrome: &ChromeData,
    job: Job,
    paths: &HashMap<String, Id>,
) -> Result<(String, Entry), AppError> {
    let page = PageNumber::parse(Some(&job.page.to_string())).map_err(AppError::from)?;
    let (body, content_type) = reader::render(app, &chrome.settings, &job.route, page).await?;
    let shows = shown_articles(&body, paths);
    let body = if content_type.starts_with("text/html") {
        relative_links(&body, &job.file)
    } else {
        body
    };
    Ok((job.file, Entry::new(body.into_bytes(), shows, None)))
}

/// The files rendered every run without a route: the mirror pages, 404 and theme assets.
async fn fixed_files(
    app: &SharedApp,
    chrome: &ChromeData,
) -> Result<Vec<(String, Vec<u8>)>, AppError> {
    let mut files = vec![
        (
            "mirrors/index.html".into(),
            relative_links(&mirrors::page_html(app).await?, "mirrors/index.html").into_bytes(),
        ),
        (
            "mirrors/bc2.json".into(),
            mirrors::bc2_list(app).await?.into_bytes(),
        ),
    ];
    let not_found = AppError::NotFound;
    let view = broadsheet_render::Chrome {
        settings: &chrome.settings,
        sections: &chrome.tree,
        pages: &chrome.pages,
    };
    let html = app
        .renderer
        .error(&view, 404, not_found.title(), &not_found.public_message())?;
    files.push((
        "404.html".into(),
        relative_links(&html, "404.html").into_bytes(),
    ));
    let search = app.renderer.offline_search(&view)?;
    files.push((
        "search/index.html".into(),
        relative_links(&search, "search/index.html").into_bytes(),
    ));
    let theme = app.renderer.theme();
    for name in theme.asset_names() {
        if let Some((bytes, _)) = theme.asset(name) {
            files.push((format!("assets/{name}"), bytes.into_owned()));
        }
    }
    Ok(files)
}

/// The offline search's index, a script file (a browser loads scripts from disk, not data
/// files): each story's headline, standfirst, path, time, language and section, tag and
/// author names, newest first. `assets/search.js` searches it.
fn search_index(inputs: &Inputs) -> Result<Vec<u8>, AppError> {
    let entries: Vec<_> = inputs
        .outline
        .iter()
        .map(|a| {
            let published = chrono::DateTime::from_timestamp(a.published_at, 0).unwrap_or_default();
            (
                &a.headline,
                &a.standfirst,
                &a.path,
                published.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                &a.language,
                inputs.labels.get(&a.id).map_or("", String::as_str),
            )
        })
        .collect();
    let json = serde_json::to_string(&entries).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(format!("window.broadsheetSearch = {json};\n").into_bytes())
}

/// Uploaded pictures and their variants, copied; a file whose size and modification time
/// are as the ledger recorded is kept without reading it.
fn media_files(
    app: &SharedApp,
    out: &Path,
    ledger: Option<&Ledger>,
    entries: &mut BTreeMap<String, Entry>,
) -> Result<(), ExportError> {
    let Ok(listing) = std::fs::read_dir(&app.media_dir) else {
        return Ok(());
    };
    for entry in listing.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(meta) = entry.metadata() else { continue };
        if name.starts_with('.') || !meta.is_file() {
            continue;
        }
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        let source = Some((meta.len(), modified));
        let file = format!("media/{name}");
        let kept = ledger
            .and_then(|l| l.files.get(&file))
            .filter(|mark| mark.source == source && on_disk(out, &file, mark));
        let entry = match kept {
            Some(mark) => Entry {
                bytes: None,
                mark: mark.clone(),
            },
            None => Entry::new(
                std::fs::read(entry.path()).map_err(io(&entry.path()))?,
                Vec::new(),
                source,
            ),
        };
        entries.insert(file, entry);
    }
    Ok(())
}

/// The published articles a rendered file links to, by a site path or a full address: the
/// file shows them, so an edit to one of them renders the file again.
fn shown_articles(body: &str, paths: &HashMap<String, Id>) -> Vec<Id> {
    let mut shown = Vec::new();
    let delimiter = |c: char| matches!(c, '"' | '\'' | '<' | '>' | '(' | ')') || c.is_whitespace();
    for token in body.split(delimiter) {
        let path = match token.find("://") {
            Some(scheme) => match token[scheme + 3..].find('/') {
                Some(host_end) => &token[scheme + 3 + host_end..],
                None => continue,
            },
            None => token,
        };
        if !path.starts_with('/') || path.len() < 2 {
            continue;
        }
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        if let Some(&id) = paths
            .get(decoded.as_ref())
            .or_else(|| paths.get(decoded.trim_end_matches('/')))
        {
            shown.push(id);
        }
    }
    shown.sort_unstable();
    shown.dedup();
    shown
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
    let handler = lol_html::element!("[href], [src], [poster], form[action]", move |el| {
        for name in ["href", "src", "poster", "action"] {
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

/// Writes the new files that differ from what is there (atomically, file by file) and
/// removes what the site no longer has.
fn write(out: &Path, entries: &BTreeMap<String, Entry>) -> Result<ExportReport, ExportError> {
    std::fs::create_dir_all(out).map_err(io(out))?;
    // Marks the folder as an export, with no ledger until every file is written: a run
    // that stops half-way leaves the next one to render everything.
    write_atomically(
        &out.join(MARKER),
        b"This folder is a Broadsheet static export; `broadsheet export` manages it.\n",
    )?;
    let mut report = ExportReport::default();
    for (relative, entry) in entries {
        let path = out.join(relative);
        let Some(bytes) = &entry.bytes else {
            report.unchanged += 1;
            continue;
        };
        if std::fs::read(&path).is_ok_and(|old| &old == bytes) {
            report.unchanged += 1;
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        write_atomically(&path, bytes)?;
        report.written.push(relative.clone());
    }
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))?.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(out)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if relative != MARKER && !entries.contains_key(&relative) {
                std::fs::remove_file(&path).map_err(io(&path))?;
                report.removed.push(relative);
            }
        }
    }
    report.removed.sort();
    Ok(report)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let partial = path.with_extension("broadsheet-partial");
    std::fs::write(&partial, bytes).map_err(io(&partial))?;
    std::fs::rename(&partial, path).map_err(io(path))
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
