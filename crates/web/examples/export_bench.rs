//! The static export against Hugo on the same content.
//!
//!     cargo run --release -p broadsheet-web --example export_bench -- ARTICLES DIR [--generate-only]
//!
//! Fills `DIR/site.db` with the demo site plus ARTICLES generated stories (sections, 1-3
//! tags, staff bylines, lead pictures, two years of dates; a seeded generator, so every run
//! makes the same site), writes the same stories as a Hugo site in `DIR/hugo` (Markdown with
//! front matter, a small theme with navigation, bylines, tags, related stories and paged
//! lists), then times Broadsheet's full export (three times, into an empty folder), an
//! export with nothing changed, and one after a single edit. `bench/export.sh` runs this and
//! Hugo and prints the ratios.

use broadsheet_domain::{ArticleDraft, ArticleStatus, Byline, Language, Slug};
use broadsheet_render::{Renderer, Theme};
use broadsheet_storage::Store;
use broadsheet_web::App;
use chrono::{Duration, TimeZone, Utc};
use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

const WORDS: &[&str] = &[
    "harbour",
    "council",
    "election",
    "minister",
    "storm",
    "market",
    "river",
    "water",
    "school",
    "hospital",
    "train",
    "festival",
    "court",
    "border",
    "farmer",
    "price",
    "energy",
    "strike",
    "football",
    "museum",
    "library",
    "budget",
    "road",
    "bridge",
    "village",
    "city",
    "report",
    "agreement",
    "protest",
    "doctor",
    "teacher",
    "fishing",
    "airport",
    "weather",
];
const TAGS: &[&str] = &[
    "politics",
    "climate",
    "transport",
    "health",
    "education",
    "sport",
    "culture",
    "economy",
    "housing",
    "justice",
    "science",
    "water",
    "energy",
    "farming",
    "tourism",
    "media",
];

/// A small deterministic generator (xorshift), so every run makes the same site.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
    fn sentence(&mut self, words: usize) -> String {
        let mut s: Vec<&str> = (0..words).map(|_| *self.pick(WORDS)).collect();
        let first = s[0].to_owned();
        let mut capital = first[..1].to_uppercase();
        capital.push_str(&first[1..]);
        s[0] = &capital;
        format!("{}.", s.join(" "))
    }
}

fn yaml(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "bench-export".into()));
    // `--generate-only`: make the site and stop (bench/memory.sh serves it).
    let generate_only = args.next().is_some_and(|a| a == "--generate-only");
    std::fs::create_dir_all(&dir).expect("work folder");
    let db = dir.join("site.db");
    let fresh = !db.exists();
    let store = Store::open_for_batch(&format!("sqlite://{}", db.display()))
        .await
        .expect("store");
    let media = dir.join("media");
    broadsheet_demo::seed(&store, &media).await.expect("seed");
    let tree = store.section_tree().await.expect("sections");
    let sections: Vec<_> = tree
        .all()
        .filter(|s| s.language.is_none())
        .map(|s| {
            (
                s.id,
                tree.path(s.id).unwrap_or("/").trim_matches('/').to_owned(),
            )
        })
        .collect();
    let authors = store.authors().await.expect("authors");
    let pictures = store.media_library("", 100).await.expect("pictures");
    let english = Language::parse("en").expect("en");
    let hugo = dir.join("hugo");
    let mut rng = Rng(0x5eed_cafe_f00d);
    let start = Utc
        .with_ymd_and_hms(2024, 12, 1, 6, 0, 0)
        .single()
        .expect("date");

    if fresh {
        let began = Instant::now();
        for n in 0..count {
            let (section_id, section_path) = rng.pick(&sections).clone();
            let headline = format!("{} {n}", rng.sentence(6).trim_end_matches('.'));
            let slug = Slug::parse(&format!("story-{n}")).expect("slug");
            let paragraphs: Vec<String> = (0..6)
                .map(|_| {
                    (0..4)
                        .map(|_| rng.sentence(12))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            let body = format!(
                "{}\n\n## {}\n\n{}\n\n> {}\n\n{}",
                paragraphs[0..2].join("\n\n"),
                rng.sentence(4).trim_end_matches('.'),
                paragraphs[2..4].join("\n\n"),
                rng.sentence(10),
                paragraphs[4..].join("\n\n")
            );
            let mut tags: Vec<String> = (0..1 + rng.next() % 3)
                .map(|_| (*rng.pick(TAGS)).to_owned())
                .collect();
            tags.sort();
            tags.dedup();
            let author = rng.pick(&authors).clone();
            let picture = rng.pick(&pictures).clone();
            let published = start + Duration::minutes((n as i64) * 105);
            let standfirst = rng.sentence(14);
            let draft = ArticleDraft {
                slug: slug.clone(),
                section_id,
                language: english.clone(),
                headline: headline.clone(),
                standfirst: standfirst.clone(),
                body: body.clone(),
                dateline: None,
                lead_media_id: Some(picture.id),
                bylines: vec![Byline::Staff {
                    author_id: author.id,
                }],
                tags: tags.clone(),
                status: ArticleStatus::Published,
                published_at: Some(published),
                translation_group: None,
            };
            store.create_article(&draft).await.expect("article");

            // The same story for Hugo.
            let folder = hugo.join("content").join(&section_path);
            std::fs::create_dir_all(&folder).expect("content folder");
            let mut page = String::from("---\n");
            let _ = writeln!(page, "title: {}", yaml(&headline));
            let _ = writeln!(page, "date: {}", published.to_rfc3339());
            let _ = writeln!(page, "slug: story-{n}");
            let _ = writeln!(page, "summary: {}", yaml(&standfirst));
            let _ = writeln!(page, "authors: [{}]", yaml(&author.name));
            let _ = writeln!(
                page,
                "tags: [{}]",
                tags.iter().map(|t| yaml(t)).collect::<Vec<_>>().join(", ")
            );
            let _ = writeln!(page, "image: /media/{}", picture.file_name);
            let _ = writeln!(page, "caption: {}", yaml(&picture.caption));
            page.push_str("---\n\n");
            page.push_str(&body);
            std::fs::write(folder.join(format!("story-{n}.md")), page).expect("write");
        }
        write_hugo_site(&hugo, &sections, &media);
        println!(
            "generated {count} articles in {:.1} s (SQLite and Hugo Markdown)",
            began.elapsed().as_secs_f64()
        );
    }

    if generate_only {
        store.close().await;
        return;
    }
    let app = App::new(
        store.clone(),
        broadsheet_demo::settings(),
        Renderer::new(Theme::new(None).expect("theme")),
        media,
        None,
        None,
    );
    let out = dir.join("export");
    let mut full = Vec::new();
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&out);
        app.cache.clear();
        let began = Instant::now();
        let report = broadsheet_web::export::export(&app, &out)
            .await
            .expect("export");
        full.push(began.elapsed().as_secs_f64());
        assert!(report.written.len() > count);
    }
    full.sort_by(f64::total_cmp);
    let files = broadsheet_web::export::export(&app, &out)
        .await
        .expect("export")
        .unchanged;
    app.cache.clear();
    let began = Instant::now();
    let unchanged = broadsheet_web::export::export(&app, &out)
        .await
        .expect("export");
    let nothing = began.elapsed().as_secs_f64();
    if let Some(reason) = unchanged.full_because {
        println!("unchanged export rendered everything: {reason}");
    }
    assert!(unchanged.written.is_empty());

    // One edit, as an editor makes it, then the incremental export.
    let article = store
        .article_by_path(
            &store
                .all_published()
                .await
                .expect("articles")
                .last()
                .expect("one")
                .path,
        )
        .await
        .expect("read")
        .expect("exists");
    let mut draft = article.article.draft.clone();
    draft
        .body
        .push_str("\n\nUpdate: a paragraph added after publication.");
    store
        .update_article(article.article.id, Some(article.article.revision), &draft)
        .await
        .expect("edit");
    app.cache.clear();
    let began = Instant::now();
    let after_edit = broadsheet_web::export::export(&app, &out)
        .await
        .expect("export");
    let incremental = began.elapsed().as_secs_f64();
    if let Some(reason) = after_edit.full_because {
        println!("export after one edit rendered everything: {reason}");
    }

    println!("files {files}");
    println!("full_export_median_s {:.3}", full[1]);
    println!(
        "full_export_runs_s {:.3} {:.3} {:.3}",
        full[0], full[1], full[2]
    );
    println!("unchanged_export_s {nothing:.3}");
    println!(
        "incremental_export_s {incremental:.3} ({} files rendered, {} rewritten)",
        after_edit.rendered,
        after_edit.written.len()
    );
}

/// A Hugo site doing what Broadsheet's export does for the same stories: section, tag and
/// author pages with paging, article pages with byline, picture, tags and related stories,
/// RSS, a sitemap.
fn write_hugo_site(hugo: &Path, sections: &[(i64, String)], media: &Path) {
    let layouts = hugo.join("layouts");
    for folder in ["_default", "partials"] {
        std::fs::create_dir_all(layouts.join(folder)).expect("layouts");
    }
    let files = [
        (
            "hugo.toml",
            r#"baseURL = "https://meridian-ledger.example/"
title = "The Meridian Ledger"
languageCode = "en"
paginate = 20
disableKinds = []
[taxonomies]
tag = "tags"
author = "authors"
[related]
includeNewer = true
threshold = 20
toLower = true
[[related.indices]]
name = "tags"
weight = 100
[[related.indices]]
name = "date"
weight = 10
"#,
        ),
        (
            "layouts/_default/baseof.html",
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}"><link rel="stylesheet" href="/style.css">
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">{{ end }}</head>
<body><header><a href="/">{{ .Site.Title }}</a>{{ partial "nav.html" . }}</header>
<main>{{ block "main" . }}{{ end }}</main><footer>&copy; {{ .Site.Title }}</footer></body></html>"#,
        ),
        (
            "layouts/partials/nav.html",
            r#"<nav><ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav>"#,
        ),
        (
            "layouts/_default/single.html",
            r#"{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Summary }}</p>
<p>By {{ range .Params.authors }}<a href="{{ "/authors/" | relURL }}{{ . | urlize }}/">{{ . }}</a>{{ end }} · <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time></p>
{{ with .Params.image }}<figure><img src="{{ . }}" alt=""><figcaption>{{ $.Params.caption }}</figcaption></figure>{{ end }}
<div class="body">{{ .Content }}</div>
<ul>{{ range .Params.tags }}<li><a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>
<aside><h2>More</h2><ul>{{ range first 4 (.Site.RegularPages.Related .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></aside>
</article>{{ end }}"#,
        ),
        (
            "layouts/_default/list.html",
            r#"{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2 January 2006" }}</time><p>{{ .Summary }}</p></li>{{ end }}</ul>
{{ with .Paginator.Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}"#,
        ),
        ("static/style.css", "body { font-family: serif; }\n"),
    ];
    for (name, text) in files {
        let path = hugo.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, text).expect("write");
    }
    for (_, path) in sections {
        let index = hugo.join("content").join(path).join("_index.md");
        std::fs::create_dir_all(index.parent().expect("parent")).expect("folder");
        let title = path.rsplit('/').next().unwrap_or(path);
        std::fs::write(index, format!("---\ntitle: {}\n---\n", yaml(title))).expect("write");
    }
    // The same pictures, as static files.
    let static_media = hugo.join("static/media");
    std::fs::create_dir_all(&static_media).expect("media");
    for entry in std::fs::read_dir(media).expect("media").flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), static_media.join(entry.file_name())).expect("copy");
        }
    }
}
