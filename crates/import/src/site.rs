//! Writing an export into the store. Every item is looked up in `import_items` first, so a
//! second run finds it and moves on; in a dry run nothing is written and the report says
//! what would be.

use crate::convert::{self, Picture};
use crate::ghost;
use crate::wordpress::{self, Entry, Item};
use crate::{ImportError, Options, Report};
use broadsheet_domain::{
    slugify, ArticleDraft, ArticleStatus, Byline, Id, Language, NewAuthor, NewMedia, NewPage,
    NewSection, Slug, TOP_STORIES,
};
use broadsheet_storage::{Store, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use regex::Regex;
use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;
use std::sync::OnceLock;

/// An attachment of the export, found in the first reading.
#[derive(Debug, Clone)]
struct Attachment {
    url: String,
    /// The path under the uploads folder (`2011/07/dsc20050727_091048_222.jpg`).
    file: String,
    alt: String,
    caption: String,
}

/// Everything the first reading learns: small, whatever the size of the export.
#[derive(Default)]
struct Survey {
    channel: wordpress::Channel,
    authors: Vec<wordpress::Author>,
    categories: Vec<wordpress::Category>,
    attachments: HashMap<String, Attachment>,
    /// Attachment id by its URL without WordPress's size suffix.
    by_url: HashMap<String, String>,
    items: u64,
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>, ImportError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::Io(format!("cannot open {}: {e}", path.display())))?;
    Ok(BufReader::with_capacity(256 * 1024, file))
}

/// `photo-300x200.jpg` -> `photo.jpg`: WordPress names its resized copies so.
fn without_size(url: &str) -> String {
    static SIZE: OnceLock<Regex> = OnceLock::new();
    SIZE.get_or_init(|| Regex::new(r"-\d+x\d+(\.[A-Za-z0-9]+)$").expect("pattern"))
        .replace(url, "$1")
        .into_owned()
}

fn progress(options: &Options, total: u64) -> ProgressBar {
    if !options.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} items {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Imports a WordPress export (WXR 1.0 to 1.2).
pub async fn import_wordpress(
    store: &Store,
    file: &Path,
    options: &Options,
) -> Result<Report, ImportError> {
    // First reading: check the whole file and learn the small things.
    let mut survey = Survey::default();
    let channel = wordpress::read(open(file)?, |_, entry| {
        match entry {
            Entry::Author(a) => survey.authors.push(a),
            Entry::Category(c) => survey.categories.push(c),
            Entry::Item(item) => {
                survey.items += 1;
                if item.post_type == "attachment" {
                    let attachment = Attachment {
                        url: item.attachment_url.clone(),
                        file: item
                            .meta("_wp_attached_file")
                            .unwrap_or_default()
                            .to_owned(),
                        alt: item
                            .meta("_wp_attachment_image_alt")
                            .unwrap_or_default()
                            .to_owned(),
                        caption: strip_tags(&item.excerpt),
                    };
                    survey
                        .by_url
                        .insert(without_size(&attachment.url), item.post_id.clone());
                    survey.attachments.insert(item.post_id.clone(), attachment);
                }
            }
        }
        Ok(())
    })?;
    survey.channel = channel;
    let base = if survey.channel.base_blog_url.is_empty() {
        survey.channel.link.clone()
    } else {
        survey.channel.base_blog_url.clone()
    };
    let mut run = Run {
        store,
        options,
        source: format!("wordpress:{}", base.trim_end_matches('/')),
        report: Report {
            dry_run: options.dry_run,
            ..Report::default()
        },
        media: HashMap::new(),
        language: Language::parse(&survey.channel.language)
            .or_else(|_| Language::parse("en"))
            .map_err(|e| ImportError::Format(e.to_string()))?,
    };
    let authors = run.authors(&survey.authors).await?;
    let sections = run.sections(&survey.categories).await?;
    let fallback_section = run.section_for_path("imported", "Imported").await?;

    // Second reading: the items, one at a time. A reading thread hands them over through
    // a short queue, so memory stays flat however long the export is.
    let bar = progress(options, survey.items);
    let mut sticky = Vec::new();
    let (items_tx, mut items) = tokio::sync::mpsc::channel::<Item>(32);
    let path = file.to_owned();
    let reader = tokio::task::spawn_blocking(move || {
        wordpress::read(open(&path)?, |_, entry| {
            if let Entry::Item(item) = entry {
                // The receiver stops only when the import failed; then reading stops too.
                items_tx
                    .blocking_send(*item)
                    .map_err(|_| ImportError::Io("the import stopped".into()))?;
            }
            Ok(())
        })
    });
    while let Some(item) = items.recv().await {
        bar.inc(1);
        let id = item.post_id.clone();
        match item.post_type.as_str() {
            "post" => {
                if let Some(article) = run
                    .wordpress_post(&item, &survey, &authors, &sections, fallback_section)
                    .await
                    .map_err(|e| at_item(&id, e))?
                {
                    if item.is_sticky {
                        sticky.push(article);
                    }
                }
            }
            "page" => run
                .wordpress_page(&item)
                .await
                .map_err(|e| at_item(&id, e))?,
            "attachment" => {}
            "nav_menu_item" | "wp_navigation" | "wp_global_styles" | "wp_template"
            | "wp_template_part" | "wp_block" | "custom_css" => {
                run.report.skipped.push(format!(
                    "{} #{id}: menus and site design are not content",
                    item.post_type
                ));
            }
            other => run
                .report
                .skipped
                .push(format!("{other} #{id}: custom post types are not imported")),
        }
        if item.comments > 0 {
            run.report.skipped.push(format!(
                "#{id} ({}): comments (Broadsheet has none)",
                item.comments
            ));
        }
    }
    reader
        .await
        .map_err(|e| ImportError::Io(format!("reading the export: {e}")))??;
    bar.finish_and_clear();
    run.sticky(&sticky).await?;
    Ok(run.report)
}

/// Where a media URL's file sits in a copy of the uploads folder:
/// `https://x/wp-content/uploads/2011/07/a.jpg` -> `2011/07/a.jpg` (also for hosts that
/// serve uploads from their root, such as `files.wordpress.com`).
fn uploads_path(url: &str) -> String {
    let path = reqwest::Url::parse(url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    match path.split_once("/uploads/") {
        Some((_, rest)) => rest.to_owned(),
        None => path.trim_start_matches('/').to_owned(),
    }
}

fn at_item(id: &str, e: ImportError) -> ImportError {
    match e {
        ImportError::Store(s) => ImportError::Io(format!("item #{id}: {s}")),
        other => other,
    }
}

fn strip_tags(html: &str) -> String {
    ammonia::Builder::empty()
        .clean(html)
        .to_string()
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// WordPress dates: `2023-01-16 07:08:31`; the GMT one is zero for never-published drafts.
fn wp_date(gmt: &str, local: &str) -> Option<(DateTime<Utc>, bool)> {
    let parse = |s: &str| NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok();
    match parse(gmt).filter(|_| !gmt.starts_with("0000")) {
        Some(t) => Some((t.and_utc(), true)),
        None => parse(local)
            .filter(|_| !local.starts_with("0000"))
            .map(|t| (t.and_utc(), false)),
    }
}

struct Run<'a> {
    store: &'a Store,
    options: &'a Options,
    source: String,
    report: Report,
    /// Media imported in this run: attachment id -> (media id, served file name).
    media: HashMap<String, Option<(Id, String)>>,
    language: Language,
}

impl Run<'_> {
    async fn seen(&self, kind: &str, id: &str) -> Result<Option<Id>, ImportError> {
        Ok(self.store.imported(&self.source, kind, id).await?)
    }

    async fn remember(&self, kind: &str, id: &str, target: Id) -> Result<(), ImportError> {
        if !self.options.dry_run {
            self.store
                .record_import(&self.source, kind, id, target)
                .await?;
        }
        Ok(())
    }

    /// Authors become author pages (staff bylines), or guest bylines when asked.
    async fn authors(
        &mut self,
        authors: &[wordpress::Author],
    ) -> Result<HashMap<String, Byline>, ImportError> {
        let mut bylines = HashMap::new();
        for author in authors {
            let name = if author.display_name.trim().is_empty() {
                author.login.clone()
            } else {
                author.display_name.trim().to_owned()
            };
            if self.options.guest_bylines {
                bylines.insert(author.login.clone(), Byline::Guest { name });
                continue;
            }
            let id = match self.seen("author", &author.login).await? {
                Some(id) => {
                    self.report.unchanged += 1;
                    id
                }
                None => {
                    let slug = slugify(&author.login)
                        .or_else(|| slugify(&name))
                        .unwrap_or_else(|| Slug::parse("author").expect("valid"));
                    let existing = self.store.author_by_slug(&slug).await?;
                    let id = match (existing, self.options.dry_run) {
                        (Some(a), _) => a.id,
                        (None, true) => 0,
                        (None, false) => {
                            self.store
                                .create_author(&NewAuthor {
                                    slug,
                                    name: name.clone(),
                                    bio: String::new(),
                                    photo_media_id: None,
                                })
                                .await?
                                .id
                        }
                    };
                    self.report.count("authors");
                    self.remember("author", &author.login, id).await?;
                    // A newsroom account with the same email writes under this byline now.
                    if id > 0
                        && !author.email.trim().is_empty()
                        && self.store.link_author_by_email(&author.email, id).await?
                    {
                        self.report.count("accounts linked to their author pages");
                    }
                    id
                }
            };
            bylines.insert(
                author.login.clone(),
                if id == 0 {
                    Byline::Guest { name }
                } else {
                    Byline::Staff { author_id: id }
                },
            );
        }
        Ok(bylines)
    }

    /// Categories, nested as they were, become sections.
    async fn sections(
        &mut self,
        categories: &[wordpress::Category],
    ) -> Result<HashMap<String, Id>, ImportError> {
        let mut ids: HashMap<String, Id> = HashMap::new();
        let mut placed = vec![false; categories.len()];
        // Parents before children, however the file orders them.
        for _ in 0..categories.len() + 1 {
            let mut progress = false;
            for (i, category) in categories.iter().enumerate() {
                if placed[i] {
                    continue;
                }
                let parent = match category.parent.trim() {
                    "" => None,
                    p => match ids.get(p) {
                        Some(id) => Some(*id),
                        None if categories.iter().any(|c| c.nicename == p) => continue,
                        None => None,
                    },
                };
                let id = self.section(category, parent).await?;
                ids.insert(category.nicename.clone(), id);
                placed[i] = true;
                progress = true;
            }
            if !progress {
                break;
            }
        }
        Ok(ids)
    }

    async fn section(
        &mut self,
        category: &wordpress::Category,
        parent: Option<Id>,
    ) -> Result<Id, ImportError> {
        if let Some(id) = self.seen("section", &category.nicename).await? {
            self.report.unchanged += 1;
            return Ok(id);
        }
        let name = if category.name.trim().is_empty() {
            category.nicename.clone()
        } else {
            category.name.trim().to_owned()
        };
        let mut slug = Slug::parse(&category.nicename)
            .ok()
            .or_else(|| slugify(&name))
            .unwrap_or_else(|| Slug::parse("section").expect("valid"));
        let mut new = NewSection {
            parent_id: parent,
            slug: slug.clone(),
            name: name.clone(),
            description: strip_tags(&category.description),
            position: 100,
            language: None,
        };
        if new.validate().is_err() {
            slug = Slug::parse(&format!("wp-{slug}")).unwrap_or(slug);
            new.slug = slug.clone();
            self.report.warnings.push(format!(
                "category {:?}: its slug is reserved here, so the section is /{}",
                category.nicename, slug
            ));
        }
        let tree = self.store.section_tree().await?;
        let existing = tree
            .all()
            .find(|s| s.parent_id == parent && s.slug == slug)
            .map(|s| s.id);
        let id = match (existing, self.options.dry_run) {
            (Some(id), _) => id,
            (None, true) => -1,
            (None, false) => self.store.create_section(&new).await?.id,
        };
        if existing.is_none() {
            self.report.count("sections");
        }
        self.remember("section", &category.nicename, id).await?;
        Ok(id)
    }

    async fn section_for_path(&mut self, slug: &str, name: &str) -> Result<Id, ImportError> {
        let tree = self.store.section_tree().await?;
        if let Some(s) = tree.find_by_slugs(&[slug]) {
            return Ok(s.id);
        }
        if self.options.dry_run {
            return Ok(-1);
        }
        Ok(self
            .store
            .create_section(&NewSection {
                parent_id: None,
                slug: Slug::parse(slug).map_err(|e| ImportError::Format(e.to_string()))?,
                name: name.into(),
                description: String::new(),
                position: 100,
                language: None,
            })
            .await?
            .id)
    }

    /// Brings in an attachment's file as a served image, once per run and per import.
    async fn media(&mut self, survey: &Survey, attachment_id: &str) -> Option<(Id, String)> {
        if let Some(known) = self.media.get(attachment_id) {
            return known.clone();
        }
        let found = self.media_uncached(survey, attachment_id).await;
        self.media.insert(attachment_id.to_owned(), found.clone());
        found
    }

    async fn media_uncached(
        &mut self,
        survey: &Survey,
        attachment_id: &str,
    ) -> Option<(Id, String)> {
        if let Ok(Some(id)) = self.seen("media", attachment_id).await {
            return match self.store.media(id).await {
                Ok(Some(m)) => Some((m.id, m.file_name)),
                _ => None,
            };
        }
        let attachment = survey.attachments.get(attachment_id)?;
        // Exports without `_wp_attached_file` still name the file in its URL.
        let relative = if attachment.file.is_empty() {
            uploads_path(&attachment.url)
        } else {
            attachment.file.clone()
        };
        let bytes = self.fetch(&relative, &attachment.url).await;
        let Some(bytes) = bytes else {
            self.report.warnings.push(format!(
                "attachment #{attachment_id} ({}): media file not found{}; articles imported without it",
                if attachment.file.is_empty() { &attachment.url } else { &attachment.file },
                if self.options.fetch_media { " in the uploads folder nor at its URL" } else { " in the uploads folder" }
            ));
            return None;
        };
        self.store_media(
            &bytes,
            &attachment.url,
            &attachment.alt,
            &attachment.caption,
            attachment_id,
        )
        .await
    }

    /// The bytes of a media file: from the uploads copy, else (if allowed) from its URL.
    async fn fetch(&self, relative: &str, url: &str) -> Option<Vec<u8>> {
        if let Some(dir) = &self.options.uploads_dir {
            let relative = relative.trim_start_matches('/');
            if !relative.is_empty() && !relative.split('/').any(|part| part == "..") {
                if let Ok(bytes) = tokio::fs::read(dir.join(relative)).await {
                    return Some(bytes);
                }
            }
        }
        if !self.options.fetch_media || !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return None;
        }
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .ok()?;
        let response = client.get(url).send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let bytes = response.bytes().await.ok()?;
        (bytes.len() <= broadsheet_media::MAX_UPLOAD_BYTES).then(|| bytes.to_vec())
    }

    async fn store_media(
        &mut self,
        bytes: &[u8],
        name: &str,
        alt: &str,
        caption: &str,
        source_id: &str,
    ) -> Option<(Id, String)> {
        if self.options.dry_run {
            self.report.count("media");
            return Some((0, String::new()));
        }
        let stem_name = name.rsplit('/').next().unwrap_or(name);
        let stem = format!(
            "{}-{}",
            slugify(stem_name.rsplit_once('.').map_or(stem_name, |(s, _)| s))
                .map(|s| s.as_str().chars().take(50).collect::<String>())
                .unwrap_or_else(|| "image".into()),
            &blake3::hash(format!("{}:{source_id}", self.source).as_bytes()).to_hex()[..8]
        );
        let media_dir = self.options.media_dir.clone();
        let owned = bytes.to_vec();
        let processed = tokio::task::spawn_blocking(move || {
            broadsheet_media::process(&owned, &media_dir, &stem)
        })
        .await
        .ok()?;
        let processed = match processed {
            Ok(p) => p,
            Err(e) => {
                self.report
                    .warnings
                    .push(format!("media #{source_id}: not imported: {e}"));
                return None;
            }
        };
        let stored = async {
            let media = self
                .store
                .create_media(&NewMedia {
                    file_name: processed.file_name.clone(),
                    mime: processed.served.mime().into(),
                    width: processed.width,
                    height: processed.height,
                    alt: alt.trim().into(),
                    caption: caption.trim().into(),
                    credit: String::new(),
                    file_photo: false,
                })
                .await?;
            self.store
                .set_media_variants(media.id, &processed.variants, processed.webp)
                .await?;
            self.store
                .record_import(&self.source, "media", source_id, media.id)
                .await?;
            Ok::<_, StoreError>(media)
        }
        .await;
        match stored {
            Ok(media) => {
                self.report.count("media");
                Some((media.id, media.file_name))
            }
            Err(e) => {
                self.report
                    .warnings
                    .push(format!("media #{source_id}: not stored: {e}"));
                None
            }
        }
    }

    async fn wordpress_post(
        &mut self,
        item: &Item,
        survey: &Survey,
        authors: &HashMap<String, Byline>,
        sections: &HashMap<String, Id>,
        fallback_section: Id,
    ) -> Result<Option<Id>, ImportError> {
        let id = &item.post_id;
        let (status, note) = match (item.status.as_str(), item.post_password.trim().is_empty()) {
            ("publish", true) => (ArticleStatus::Published, None),
            ("publish", false) => (
                ArticleStatus::Draft,
                Some("was password-protected: imported as a draft, not public"),
            ),
            ("future", _) => (ArticleStatus::Scheduled, None),
            ("draft", _) => (ArticleStatus::Draft, None),
            ("pending", _) => (ArticleStatus::InReview, None),
            ("private", _) => (
                ArticleStatus::Draft,
                Some("was private: imported as a draft, not public"),
            ),
            (other, _) => {
                self.report.skipped.push(format!(
                    "post #{id} ({other}): trashed and automatic drafts are not imported"
                ));
                return Ok(None);
            }
        };
        if let Some(existing) = self.seen("post", id).await? {
            self.report.unchanged += 1;
            return Ok(Some(existing));
        }
        if let Some(note) = note {
            self.report.warnings.push(format!("post #{id}: {note}"));
        }
        let date = wp_date(&item.post_date_gmt, &item.post_date);
        if let Some((_, false)) = date {
            self.report.warnings.push(format!(
                "post #{id}: no GMT date; its local time was taken as UTC"
            ));
        }
        let published_at = match status {
            ArticleStatus::Published | ArticleStatus::Scheduled => {
                Some(date.map_or_else(Utc::now, |(t, _)| t))
            }
            _ => None,
        };
        let mut headline = item.title.trim().to_owned();
        if headline.is_empty() {
            headline = format!("Untitled ({id})");
            self.report
                .warnings
                .push(format!("post #{id} ({headline:?}): had no title"));
        }
        if headline.chars().count() > broadsheet_domain::MAX_HEADLINE_CHARS {
            headline = cut(&headline, broadsheet_domain::MAX_HEADLINE_CHARS);
            self.report
                .warnings
                .push(format!("post #{id}: title shortened to 300 characters"));
        }

        // Pictures the body refers to: gallery ids and <img> sources of the old site.
        let mut pictures: HashMap<String, Picture> = HashMap::new();
        let mut local_urls: Vec<(String, String)> = Vec::new();
        static GALLERY_IDS: OnceLock<Regex> = OnceLock::new();
        static IMG_SRC: OnceLock<Regex> = OnceLock::new();
        let gallery = GALLERY_IDS.get_or_init(|| {
            Regex::new(r#"\[gallery[^\]]*ids\s*=\s*["']?([0-9,\s]+)"#).expect("pattern")
        });
        let wanted: Vec<String> = gallery
            .captures_iter(&item.content)
            .flat_map(|c| {
                c[1].split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect();
        for attachment in wanted {
            if let (Some(a), Some((_, file))) = (
                survey.attachments.get(&attachment).cloned(),
                self.media(survey, &attachment).await,
            ) {
                pictures.insert(
                    attachment,
                    Picture {
                        src: format!("/media/{file}"),
                        alt: a.alt,
                        caption: a.caption,
                    },
                );
            }
        }
        let img = IMG_SRC
            .get_or_init(|| Regex::new(r#"<img[^>]+src\s*=\s*["']([^"']+)["']"#).expect("pattern"));
        let sources: Vec<String> = img
            .captures_iter(&item.content)
            .map(|c| c[1].to_owned())
            .collect();
        let mut remote = 0;
        for src in sources {
            match survey.by_url.get(&without_size(&src)).cloned() {
                Some(attachment) => {
                    if let Some((_, file)) = self.media(survey, &attachment).await {
                        local_urls.push((src, format!("/media/{file}")));
                    } else {
                        remote += 1;
                    }
                }
                None => remote += 1,
            }
        }
        if remote > 0 {
            self.report.warnings.push(format!(
                "post #{id} ({remote}): images that stay at their old address (not among the export's media)"
            ));
        }
        let converted = convert::wordpress(&item.content, &|attachment| {
            pictures.get(attachment).cloned()
        });
        let mut body = converted.body;
        for (old, new) in &local_urls {
            body = body.replace(old.as_str(), new);
        }
        if !converted.unknown_shortcodes.is_empty() {
            self.report.warnings.push(format!(
                "post #{id} ({}): unknown shortcodes kept as text",
                converted
                    .unknown_shortcodes
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if body.len() > broadsheet_domain::MAX_BODY_BYTES {
            self.report
                .skipped
                .push(format!("post #{id}: its body is larger than 2 MiB"));
            return Ok(None);
        }

        let lead = match item.meta("_thumbnail_id") {
            Some(t) => self.media(survey, t.trim()).await.map(|(m, _)| m),
            None => None,
        };
        let categories: Vec<&(String, String, String)> = item
            .terms
            .iter()
            .filter(|(d, _, _)| d == "category")
            .collect();
        let section_id = categories
            .first()
            .and_then(|(_, nicename, _)| sections.get(nicename))
            .copied()
            .unwrap_or(fallback_section);
        // A post in several categories: the first is its section, the others tags.
        let tags: Vec<String> = item
            .terms
            .iter()
            .filter(|(d, _, _)| d == "post_tag")
            .chain(categories.iter().skip(1).copied())
            .map(|(_, _, name)| name.trim().to_owned())
            .filter(|n| slugify(n).is_some())
            .collect();
        let byline = authors
            .get(&item.creator)
            .cloned()
            .unwrap_or_else(|| Byline::Guest {
                name: if item.creator.trim().is_empty() {
                    "Staff".into()
                } else {
                    item.creator.trim().to_owned()
                },
            });
        let slug = Slug::parse(item.post_name.trim())
            .ok()
            .or_else(|| slugify(&headline))
            .unwrap_or_else(|| Slug::parse(&format!("post-{id}")).expect("valid"));
        let mut draft = ArticleDraft {
            slug: slug.clone(),
            section_id,
            language: self.language.clone(),
            headline,
            standfirst: cut(
                &strip_tags(&item.excerpt),
                broadsheet_domain::MAX_STANDFIRST_CHARS,
            ),
            body,
            dateline: None,
            lead_media_id: lead,
            bylines: vec![byline],
            tags,
            status,
            published_at,
            translation_group: None,
        };
        self.report
            .count(format!("articles ({})", status.as_str().replace('_', " ")));
        if self.options.dry_run {
            return Ok(None);
        }
        let mut created = None;
        for n in 2..=50 {
            match self.store.create_article(&draft).await {
                Ok(article) => {
                    created = Some(article);
                    break;
                }
                Err(StoreError::PathTaken(_)) => {
                    draft.slug = Slug::parse(&format!("{slug}-{n}"))
                        .map_err(|e| ImportError::Format(e.to_string()))?;
                }
                Err(StoreError::Invalid(v)) => {
                    self.report.skipped.push(format!("post #{id}: {v}"));
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            }
        }
        let Some(article) = created else {
            self.report
                .skipped
                .push(format!("post #{id}: no free address for slug {slug}"));
            return Ok(None);
        };
        self.remember("post", id, article.id).await?;
        // The old addresses keep working: the permalink and WordPress's `?p=` link.
        let mut old = vec![format!("/?p={id}")];
        if let Ok(link) = reqwest::Url::parse(&item.link) {
            let path = link.path().to_owned();
            if path != "/" && path != article.path {
                old.push(path.trim_end_matches('/').to_owned());
                if let Some(query) = link.query() {
                    old.push(format!("{path}?{query}"));
                }
            }
        }
        for path in old {
            if !path.is_empty() {
                self.store.add_redirect(&path, article.id).await?;
                self.report.count("redirects");
            }
        }
        Ok(Some(article.id))
    }

    async fn wordpress_page(&mut self, item: &Item) -> Result<(), ImportError> {
        let id = &item.post_id;
        if item.status != "publish" || !item.post_password.trim().is_empty() {
            self.report.skipped.push(format!(
                "page #{id} ({}{}): only public pages are imported",
                item.status,
                if item.post_password.trim().is_empty() {
                    ""
                } else {
                    ", password"
                }
            ));
            return Ok(());
        }
        if self.seen("page", id).await?.is_some() {
            self.report.unchanged += 1;
            return Ok(());
        }
        let slug = Slug::parse(item.post_name.trim())
            .ok()
            .or_else(|| slugify(&item.title))
            .unwrap_or_else(|| Slug::parse(&format!("page-{id}")).expect("valid"));
        if self.store.page_by_slug(&slug).await?.is_some() {
            self.report.skipped.push(format!(
                "page #{id} (/page/{slug}): a page with that address already exists here"
            ));
            return Ok(());
        }
        let converted = convert::wordpress(&item.content, &|_| None);
        self.report.count("pages");
        if self.options.dry_run {
            return Ok(());
        }
        let title = if item.title.trim().is_empty() {
            format!("Page {id}")
        } else {
            cut(item.title.trim(), 300)
        };
        let page = self
            .store
            .put_page(&NewPage {
                slug,
                title,
                body: converted.body,
                language: self.language.clone(),
            })
            .await?;
        self.remember("page", id, page.id).await?;
        Ok(())
    }

    /// Sticky posts lead the "Top stories" collection, ahead of what is there.
    async fn sticky(&mut self, ids: &[Id]) -> Result<(), ImportError> {
        if ids.is_empty() || self.options.dry_run {
            return Ok(());
        }
        let slug = Slug::parse(TOP_STORIES).map_err(|e| ImportError::Format(e.to_string()))?;
        let mut list = self.store.collection_item_ids(&slug).await?;
        let name = match self.store.collection(&slug).await? {
            Some(c) => c.name,
            None => "Top stories".into(),
        };
        let fresh: Vec<Id> = ids
            .iter()
            .copied()
            .filter(|id| !list.contains(id))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        for id in fresh.iter().rev() {
            list.insert(0, *id);
        }
        self.store.set_collection(&slug, &name, &list).await?;
        self.report.created.insert(
            "sticky posts added to Top stories".into(),
            fresh.len() as u64,
        );
        Ok(())
    }
}

/// Imports a Ghost JSON export.
pub async fn import_ghost(
    store: &Store,
    file: &Path,
    options: &Options,
) -> Result<Report, ImportError> {
    let export = ghost::read(open(file)?)?;
    let mut run = Run {
        store,
        options,
        source: format!("ghost:{}", export.site_id()),
        report: Report {
            dry_run: options.dry_run,
            ..Report::default()
        },
        media: HashMap::new(),
        language: Language::parse("en").map_err(|e| ImportError::Format(e.to_string()))?,
    };
    let section_path = options.section.clone().unwrap_or_else(|| "news".into());
    let tree = store.section_tree().await?;
    let section_id = match tree.find_by_path(&section_path) {
        Some(s) => s.id,
        None => run.section_for_path("imported", "Imported").await?,
    };
    // Authors (Ghost users).
    let mut bylines: HashMap<String, Byline> = HashMap::new();
    let users: Vec<wordpress::Author> = export
        .users
        .iter()
        .map(|u| wordpress::Author {
            login: u.slug.clone(),
            email: u.email.clone(),
            display_name: u.name.clone(),
        })
        .collect();
    for (login, byline) in run.authors(&users).await? {
        if let Some(user) = export.users.iter().find(|u| u.slug == login) {
            bylines.insert(user.id.clone(), byline);
        }
    }
    let bar = progress(options, export.posts.len() as u64);
    for post in &export.posts {
        bar.inc(1);
        let id = &post.id;
        let kind = if post.kind == "page" { "page" } else { "post" };
        if run.seen(kind, id).await?.is_some() {
            run.report.unchanged += 1;
            continue;
        }
        let status = match post.status.as_str() {
            "published" => ArticleStatus::Published,
            "scheduled" => ArticleStatus::Scheduled,
            "draft" => ArticleStatus::Draft,
            other => {
                run.report
                    .skipped
                    .push(format!("{kind} {id}: status {other:?} is not imported"));
                continue;
            }
        };
        if post.visibility != "public" && !post.visibility.is_empty() {
            run.report.warnings.push(format!(
                "{kind} {id}: visibility {:?} (members only); imported as public content",
                post.visibility
            ));
        }
        let body = ghost::body_html(post);
        if body.is_none() {
            run.report
                .warnings
                .push(format!("{kind} {id}: no html, mobiledoc or lexical body"));
        }
        let body = convert::ghost(&body.unwrap_or_default());
        let title = if post.title.trim().is_empty() {
            format!("Untitled ({id})")
        } else {
            cut(post.title.trim(), broadsheet_domain::MAX_HEADLINE_CHARS)
        };
        let slug = Slug::parse(post.slug.trim())
            .ok()
            .or_else(|| slugify(&title))
            .unwrap_or_else(|| Slug::parse("post").expect("valid"));
        if kind == "page" {
            if status != ArticleStatus::Published {
                run.report.skipped.push(format!(
                    "page {id}: not published; only public pages are imported"
                ));
                continue;
            }
            run.report.count("pages");
            if !options.dry_run {
                if store.page_by_slug(&slug).await?.is_some() {
                    run.report.skipped.push(format!(
                        "page {id}: a page /page/{slug} already exists here"
                    ));
                    continue;
                }
                let page = store
                    .put_page(&NewPage {
                        slug,
                        title,
                        body,
                        language: run.language.clone(),
                    })
                    .await?;
                run.remember("page", id, page.id).await?;
            }
            continue;
        }
        let lead = match post.feature_image.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => {
                let relative = url
                    .split_once("/content/images/")
                    .map(|(_, rest)| rest.to_owned())
                    .unwrap_or_default();
                let fetched_url = url.replace("__GHOST_URL__", "");
                match run.fetch(&relative, &fetched_url).await {
                    Some(bytes) => run
                        .store_media(
                            &bytes,
                            url,
                            post.feature_image_alt.as_deref().unwrap_or_default(),
                            &strip_tags(post.feature_image_caption.as_deref().unwrap_or_default()),
                            &format!("feature:{id}"),
                        )
                        .await
                        .map(|(m, _)| m),
                    None => {
                        run.report.warnings.push(format!(
                            "post {id}: feature image {url} not found; imported without it"
                        ));
                        None
                    }
                }
            }
            None => None,
        };
        let date = |s: &Option<String>| {
            s.as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let published_at = match status {
            ArticleStatus::Published | ArticleStatus::Scheduled => Some(
                date(&post.published_at)
                    .or(date(&post.created_at))
                    .unwrap_or_else(Utc::now),
            ),
            _ => None,
        };
        let byline = export
            .authors_of(id)
            .into_iter()
            .filter_map(|u| bylines.get(&u).cloned())
            .collect::<Vec<_>>();
        let mut draft = ArticleDraft {
            slug: slug.clone(),
            section_id,
            language: post
                .locale
                .as_deref()
                .and_then(|l| Language::parse(l).ok())
                .unwrap_or_else(|| run.language.clone()),
            headline: title,
            standfirst: cut(
                &strip_tags(post.custom_excerpt.as_deref().unwrap_or_default()),
                broadsheet_domain::MAX_STANDFIRST_CHARS,
            ),
            body,
            dateline: None,
            lead_media_id: lead,
            bylines: if byline.is_empty() {
                vec![Byline::Guest {
                    name: "Staff".into(),
                }]
            } else {
                byline
            },
            tags: export.tags_of(id),
            status,
            published_at,
            translation_group: None,
        };
        run.report
            .count(format!("articles ({})", status.as_str().replace('_', " ")));
        if options.dry_run {
            continue;
        }
        let mut created = None;
        for n in 2..=50 {
            match store.create_article(&draft).await {
                Ok(article) => {
                    created = Some(article);
                    break;
                }
                Err(StoreError::PathTaken(_)) => {
                    draft.slug = Slug::parse(&format!("{slug}-{n}"))
                        .map_err(|e| ImportError::Format(e.to_string()))?;
                }
                Err(StoreError::Invalid(v)) => {
                    run.report.skipped.push(format!("post {id}: {v}"));
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(article) = created {
            run.remember("post", id, article.id).await?;
            // Ghost's permalinks are `/{slug}/` by default.
            let old = format!("/{}", post.slug.trim_matches('/'));
            if old != article.path && old.len() > 1 {
                store.add_redirect(&old, article.id).await?;
                run.report.count("redirects");
            }
        }
    }
    bar.finish_and_clear();
    Ok(run.report)
}
