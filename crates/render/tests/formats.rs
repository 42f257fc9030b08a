//! Snapshots of what every machine-read format emits for one fixed set of content: the
//! feeds, sitemaps, structured data and TV feeds. A change to any of them shows up as a
//! diff to review (`cargo insta review`, or set INSTA_UPDATE=always and read `git diff`).

use broadsheet_domain::{
    Article, ArticleDetail, ArticleDraft, ArticleStatus, ArticleSummary, BylineView, Correction,
    FeedFormat, FeedScope, Language, Media, Section, SectionTree, SiteSettings, Slug, Tag, Video,
    VideoKind,
};
use broadsheet_render::{feeds, sitemaps, structured, tv};
use chrono::{DateTime, TimeZone, Utc};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 15, 0)
        .single()
        .expect("a valid time")
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("slug")
}

fn lang(s: &str) -> Language {
    Language::parse(s).expect("language")
}

fn settings() -> SiteSettings {
    SiteSettings {
        name: "The Fixture Gazette".into(),
        tagline: "Snapshots of a small town".into(),
        default_language: lang("en"),
        primary_host: "gazette.example".into(),
        alternate_hosts: vec!["gazette-mirror.example".into()],
        refuse_unknown_hosts: false,
        self_canonical_hosts: Vec::new(),
        blocked_hosts: Vec::new(),
    }
}

fn tree() -> SectionTree {
    SectionTree::new(vec![
        Section {
            id: 1,
            parent_id: None,
            slug: slug("news"),
            name: "News".into(),
            description: "What happened".into(),
            position: 0,
            language: None,
        },
        Section {
            id: 2,
            parent_id: None,
            slug: slug("persian"),
            name: "فارسی".into(),
            description: String::new(),
            position: 1,
            language: Some(lang("fa")),
        },
    ])
}

fn picture() -> Media {
    Media {
        id: 7,
        file_name: "bridge.jpg".into(),
        mime: "image/jpeg".into(),
        width: 1600,
        height: 900,
        alt: "The old bridge at dawn".into(),
        caption: "Traffic returns to the old bridge & its \"new\" lights.".into(),
        credit: "Photo: Desk <staff>".into(),
        file_photo: false,
        variants: vec![320, 640, 1024],
        webp: false,
    }
}

fn details() -> Vec<ArticleDetail> {
    let english = ArticleDraft {
        slug: slug("bridge-reopens"),
        section_id: 1,
        language: lang("en"),
        headline: "Bridge reopens after repairs".into(),
        standfirst: "Six months of work end a day early.".into(),
        body: "The bridge **reopened** on Friday.\n\n<script>alert(1)</script>\n\n> \"Finally,\" said a driver.".into(),
        dateline: Some("FIXTURE TOWN".into()),
        lead_media_id: Some(7),
        bylines: Vec::new(),
        tags: vec!["transport".into()],
        status: ArticleStatus::Published,
        published_at: Some(at(27, 9)),
        translation_group: None,
    };
    let persian = ArticleDraft {
        slug: slug("پل-بازگشایی-شد"),
        section_id: 2,
        language: lang("fa"),
        headline: "پل پس از تعمیر بازگشایی شد".into(),
        standfirst: String::new(),
        body: "پل روز جمعه بازگشایی شد.".into(),
        dateline: None,
        lead_media_id: None,
        bylines: Vec::new(),
        tags: Vec::new(),
        status: ArticleStatus::Published,
        published_at: Some(at(28, 6)),
        translation_group: None,
    };
    vec![
        ArticleDetail {
            article: Article {
                id: 2,
                path: "/persian/2026/11/28/پل-بازگشایی-شد".into(),
                draft: persian,
                created_at: at(28, 5),
                updated_at: at(28, 6),
                revision: 1,
                owner: None,
            },
            bylines: vec![BylineView {
                name: "خبرنگار مهمان".into(),
                author_slug: None,
            }],
            tags: Vec::new(),
            lead: None,
            corrections: Vec::new(),
        },
        ArticleDetail {
            article: Article {
                id: 1,
                path: "/news/2026/11/27/bridge-reopens".into(),
                draft: english,
                created_at: at(27, 8),
                updated_at: at(28, 11),
                revision: 3,
                owner: None,
            },
            bylines: vec![BylineView {
                name: "Ada Reporter".into(),
                author_slug: Some("ada-reporter".into()),
            }],
            tags: vec![Tag {
                id: 4,
                slug: slug("transport"),
                name: "Transport".into(),
            }],
            lead: Some(picture()),
            corrections: vec![Correction {
                id: 1,
                article_id: 1,
                note: "An earlier version gave the wrong day.".into(),
                created_at: at(28, 11),
            }],
        },
    ]
}

fn summaries() -> Vec<ArticleSummary> {
    details()
        .into_iter()
        .map(|d| ArticleSummary {
            id: d.article.id,
            path: d.article.path.clone(),
            headline: d.article.draft.headline.clone(),
            standfirst: d.article.draft.standfirst.clone(),
            language: d.article.draft.language.clone(),
            section_id: d.article.draft.section_id,
            published_at: d.article.draft.published_at.unwrap_or(d.article.created_at),
            updated_at: d.article.updated_at,
            lead: d.lead.clone(),
        })
        .collect()
}

fn videos() -> Vec<Video> {
    let clip = Video {
        id: 3,
        slug: slug("bridge-timelapse"),
        kind: VideoKind::Clip,
        title: "The bridge repairs in 90 seconds".into(),
        description: "Six months of work, sped up.".into(),
        hls_url: Some("/media/bridge.m3u8".into()),
        mp4_url: Some("https://cdn.gazette.example/bridge.mp4".into()),
        duration_seconds: Some(90),
        thumbnail_url: Some("/media/bridge.jpg".into()),
        captions_url: Some("/media/bridge.en.vtt".into()),
        language: lang("en"),
        published_at: Some(at(27, 10)),
        created_at: at(27, 9),
        updated_at: at(27, 10),
    };
    let special = Video {
        id: 4,
        slug: slug("council-debate"),
        title: "The full council debate".into(),
        description: String::new(),
        hls_url: None,
        mp4_url: Some("/media/debate.mp4".into()),
        duration_seconds: Some(3_725),
        thumbnail_url: None,
        captions_url: None,
        ..clip.clone()
    };
    let live = Video {
        id: 5,
        slug: slug("live"),
        kind: VideoKind::Live,
        title: "Gazette live".into(),
        description: "The newsroom's live channel.".into(),
        hls_url: Some("https://live.gazette.example/channel.m3u8".into()),
        mp4_url: None,
        duration_seconds: None,
        captions_url: None,
        ..clip.clone()
    };
    vec![clip, special, live]
}

#[test]
fn feeds_in_every_format() {
    let settings = settings();
    let tree = tree();
    let items = details();
    let feed = feeds::Feed {
        settings: &settings,
        sections: &tree,
        scope: &FeedScope::Site,
        title: settings.name.clone(),
        description: settings.tagline.clone(),
        language: &settings.default_language,
        items: &items,
    };
    insta::assert_snapshot!("rss", feeds::render(&feed, FeedFormat::Rss));
    insta::assert_snapshot!("atom", feeds::render(&feed, FeedFormat::Atom));
    insta::assert_snapshot!("json_feed", feeds::render(&feed, FeedFormat::Json));
}

#[test]
fn sitemaps_and_robots() {
    let settings = settings();
    let entries: Vec<_> = summaries()
        .iter()
        .map(sitemaps::Entry::article)
        .chain([sitemaps::Entry::page("/news")])
        .collect();
    insta::assert_snapshot!("sitemap_articles", sitemaps::urlset(&settings, &entries));
    insta::assert_snapshot!("sitemap_news", sitemaps::news(&settings, &summaries()));
    insta::assert_snapshot!(
        "sitemap_index",
        sitemaps::index(
            &settings,
            &[("/sitemaps/articles-1.xml".into(), Some(at(28, 11)))]
        )
    );
    insta::assert_snapshot!("robots", sitemaps::robots(&settings));
}

#[test]
fn structured_data() {
    let settings = settings();
    let tree = tree();
    let article = &details()[1];
    let crumbs = vec![
        ("Home".to_owned(), "/".to_owned()),
        ("News".to_owned(), "/news".to_owned()),
    ];
    let pretty = |v: serde_json::Value| serde_json::to_string_pretty(&v).expect("JSON");
    insta::assert_snapshot!(
        "json_ld_article",
        pretty(structured::article(&settings, &tree, article, &crumbs))
    );
    insta::assert_snapshot!("json_ld_home", pretty(structured::home(&settings)));
    insta::assert_snapshot!(
        "json_ld_video",
        pretty(structured::video(&settings, &videos()[0]))
    );
}

#[test]
fn tv_feeds() {
    let settings = settings();
    insta::assert_snapshot!("roku", tv::roku(&settings, &videos(), at(29, 12)));
    insta::assert_snapshot!("mrss", tv::mrss(&settings, &videos(), at(29, 12)));
}
