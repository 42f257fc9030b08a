//! The shapes templates see. Built from domain types here, in one place, so templates
//! stay free of logic and every page shows a thing the same way.

use broadsheet_domain::{ArticleSummary, Language, Media, SectionTree, SiteSettings};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Serialize)]
pub struct Link {
    pub name: String,
    pub path: String,
    pub lang: Option<String>,
    pub dir: Option<&'static str>,
    pub current: bool,
}

#[derive(Serialize)]
pub struct ImageView {
    pub src: String,
    /// `srcset` of the resized copies in the original's format; empty when there are none.
    pub srcset: String,
    /// The same widths as WebP, where WebP was smaller.
    pub webp_srcset: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub file_photo: bool,
}

impl From<&Media> for ImageView {
    fn from(m: &Media) -> Self {
        let srcset = |webp: bool| {
            m.variants
                .iter()
                .map(|w| format!("/media/{} {w}w", m.variant_name(*w, webp)))
                .chain(
                    // The full-size file completes the set in its own format.
                    (!webp && !m.variants.is_empty())
                        .then(|| format!("/media/{} {}w", m.file_name, m.width)),
                )
                .collect::<Vec<_>>()
                .join(", ")
        };
        ImageView {
            src: format!("/media/{}", m.file_name),
            srcset: srcset(false),
            webp_srcset: if m.webp { srcset(true) } else { String::new() },
            width: m.width,
            height: m.height,
            alt: m.alt.clone(),
            caption: m.caption.clone(),
            credit: m.credit.clone(),
            file_photo: m.file_photo,
        }
    }
}

#[derive(Serialize)]
pub struct TimeView {
    pub iso: String,
    pub display: String,
}

impl From<DateTime<Utc>> for TimeView {
    fn from(t: DateTime<Utc>) -> Self {
        TimeView {
            iso: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            display: t.format("%-d %B %Y, %H:%M UTC").to_string(),
        }
    }
}

#[derive(Serialize)]
pub struct Card {
    pub headline: String,
    pub standfirst: String,
    pub path: String,
    pub lang: String,
    pub dir: &'static str,
    pub published: TimeView,
    pub section: Option<Link>,
    pub image: Option<ImageView>,
}

pub fn card(summary: &ArticleSummary, tree: &SectionTree) -> Card {
    Card {
        headline: summary.headline.clone(),
        standfirst: summary.standfirst.clone(),
        path: summary.path.clone(),
        lang: summary.language.to_string(),
        dir: summary.language.direction().as_str(),
        published: summary.published_at.into(),
        section: tree.get(summary.section_id).map(|s| Link {
            name: s.name.clone(),
            path: tree.path(s.id).unwrap_or("/").to_owned(),
            lang: None,
            dir: None,
            current: false,
        }),
        image: summary.lead.as_ref().map(ImageView::from),
    }
}

pub fn cards(summaries: &[ArticleSummary], tree: &SectionTree) -> Vec<Card> {
    summaries.iter().map(|s| card(s, tree)).collect()
}

/// Home, then each section down to `section_id`; the last is the current page.
pub fn breadcrumbs(
    tree: &SectionTree,
    section_id: i64,
    home: &str,
    current_is_section: bool,
) -> Vec<Link> {
    let trail = tree.trail(section_id);
    let last = trail.len();
    std::iter::once(Link {
        name: home.to_owned(),
        path: "/".into(),
        lang: None,
        dir: None,
        current: false,
    })
    .chain(trail.into_iter().enumerate().map(|(i, s)| Link {
        name: s.name.clone(),
        path: tree.path(s.id).unwrap_or("/").to_owned(),
        lang: s.language.as_ref().map(Language::to_string),
        dir: s.language.as_ref().map(|l| l.direction().as_str()),
        current: current_is_section && i + 1 == last,
    }))
    .collect()
}

#[derive(Serialize)]
pub struct SiteView {
    pub name: String,
    pub tagline: String,
    pub nav: Vec<Link>,
    pub pages: Vec<Link>,
    pub alternate_urls: Vec<String>,
}

pub fn site(
    settings: &SiteSettings,
    tree: &SectionTree,
    pages: &[(String, String)],
    current_top: Option<i64>,
) -> SiteView {
    SiteView {
        name: settings.name.clone(),
        tagline: settings.tagline.clone(),
        nav: tree
            .children(None)
            .into_iter()
            .map(|s| Link {
                name: s.name.clone(),
                path: tree.path(s.id).unwrap_or("/").to_owned(),
                lang: s.language.as_ref().map(Language::to_string),
                dir: s.language.as_ref().map(|l| l.direction().as_str()),
                current: current_top == Some(s.id),
            })
            .collect(),
        pages: pages
            .iter()
            .map(|(slug, title)| Link {
                name: title.clone(),
                path: format!("/page/{slug}"),
                lang: None,
                dir: None,
                current: false,
            })
            .collect(),
        alternate_urls: settings.alternate_urls(),
    }
}

/// What a page says about itself in `<head>` and on `<html>`.
#[derive(Serialize)]
pub struct Meta {
    pub title: String,
    pub description: String,
    pub canonical: String,
    pub lang: String,
    pub dir: &'static str,
    pub robots: Option<&'static str>,
    /// Feeds to announce with `<link rel="alternate">`: the site's, then the page's own.
    pub feeds: Vec<FeedLink>,
    /// The same page in other languages (`hreflang`), including itself and `x-default`.
    pub alternates: Vec<Alternate>,
    pub social: crate::structured::Social,
    /// JSON-LD, already made safe to sit in a script element.
    pub json_ld: Option<String>,
}

#[derive(Serialize)]
pub struct FeedLink {
    pub title: String,
    pub href: String,
    pub kind: &'static str,
}

/// The feeds of a scope in every format, for autodiscovery.
pub fn feed_links(scope: &broadsheet_domain::FeedScope, title: &str) -> Vec<FeedLink> {
    use broadsheet_domain::FeedFormat;
    FeedFormat::ALL
        .into_iter()
        .map(|format| FeedLink {
            title: format!(
                "{title} ({})",
                match format {
                    FeedFormat::Rss => "RSS",
                    FeedFormat::Atom => "Atom",
                    FeedFormat::Json => "JSON Feed",
                }
            ),
            href: scope.feed_path(format),
            kind: format.content_type().split(';').next().unwrap_or_default(),
        })
        .collect()
}

#[derive(Serialize)]
pub struct Alternate {
    pub hreflang: String,
    pub href: String,
}

/// The few words the theme itself says, in the page's language.
#[derive(Serialize)]
pub struct Strings {
    pub home: &'static str,
    pub skip: &'static str,
    pub sections: &'static str,
    pub by: &'static str,
    pub and: &'static str,
    pub published: &'static str,
    pub updated: &'static str,
    pub file_photo: &'static str,
    pub share: &'static str,
    pub copy_link: &'static str,
    pub link: &'static str,
    pub more: &'static str,
    pub editors_choice: &'static str,
    pub top_stories: &'static str,
    pub latest: &'static str,
    pub tags: &'static str,
    pub mirrors: &'static str,
    pub about_site: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page_of: &'static str,
    pub subsections: &'static str,
    pub no_articles: &'static str,
    pub breadcrumb: &'static str,
    pub read_in: &'static str,
    pub official_addresses: &'static str,
    pub search: &'static str,
    pub feeds: &'static str,
    pub corrections: &'static str,
    pub video: &'static str,
    pub live: &'static str,
    pub no_player: &'static str,
}

pub fn strings(lang: &Language) -> &'static Strings {
    match lang.primary() {
        "fa" => &FA,
        "ar" => &AR,
        _ => &EN,
    }
}

static EN: Strings = Strings {
    home: "Home",
    skip: "Skip to content",
    sections: "Sections",
    by: "By",
    and: "and",
    published: "Published",
    updated: "Updated",
    file_photo: "File photo",
    share: "Share this article",
    copy_link: "Copy link",
    link: "Link to this article",
    more: "More",
    editors_choice: "Editor's Choice",
    top_stories: "Top stories",
    latest: "Latest",
    tags: "Topics",
    mirrors: "This site can also be reached at",
    about_site: "About this site",
    previous: "Newer",
    next: "Older",
    page_of: "Page",
    subsections: "In this section",
    no_articles: "No stories here yet.",
    breadcrumb: "Breadcrumb",
    read_in: "Read in",
    official_addresses: "Official addresses, and how to check one",
    search: "Search",
    feeds: "Feeds",
    corrections: "Corrections",
    video: "Video",
    live: "Live",
    no_player: "Your browser cannot play this video here. Download it:",
};

static FA: Strings = Strings {
    home: "خانه",
    skip: "رفتن به محتوا",
    sections: "بخش‌ها",
    by: "نویسنده:",
    and: "و",
    published: "منتشر شده",
    updated: "به‌روزرسانی",
    file_photo: "عکس آرشیوی",
    share: "این مطلب را هم‌رسانی کنید",
    copy_link: "رونوشت پیوند",
    link: "پیوند این مطلب",
    more: "بیشتر",
    editors_choice: "انتخاب سردبیر",
    top_stories: "خبرهای مهم",
    latest: "تازه‌ترین",
    tags: "موضوع‌ها",
    mirrors: "این تارنما از این نشانی‌ها نیز در دسترس است",
    about_site: "درباره این تارنما",
    previous: "تازه‌تر",
    next: "قدیمی‌تر",
    page_of: "صفحه",
    subsections: "در این بخش",
    no_articles: "هنوز مطلبی نیست.",
    breadcrumb: "مسیر",
    read_in: "به زبان‌های دیگر",
    official_addresses: "نشانی‌های رسمی و راه بررسی آن‌ها",
    search: "جستجو",
    feeds: "خوراک‌ها",
    corrections: "اصلاحیه‌ها",
    video: "ویدیو",
    live: "پخش زنده",
    no_player: "مرورگر شما نمی‌تواند این ویدیو را اینجا پخش کند. دریافت فایل:",
};

static AR: Strings = Strings {
    home: "الرئيسية",
    skip: "انتقل إلى المحتوى",
    sections: "الأقسام",
    by: "بقلم",
    and: "و",
    published: "نُشر",
    updated: "حُدّث",
    file_photo: "صورة أرشيفية",
    share: "شارك هذا المقال",
    copy_link: "نسخ الرابط",
    link: "رابط المقال",
    more: "المزيد",
    editors_choice: "اختيار المحرر",
    top_stories: "أهم الأخبار",
    latest: "الأحدث",
    tags: "مواضيع",
    mirrors: "يمكن الوصول إلى هذا الموقع أيضًا عبر",
    about_site: "عن الموقع",
    previous: "الأحدث",
    next: "الأقدم",
    page_of: "صفحة",
    subsections: "في هذا القسم",
    no_articles: "لا توجد مقالات بعد.",
    breadcrumb: "مسار التنقل",
    read_in: "اقرأ بلغة أخرى",
    official_addresses: "العناوين الرسمية وكيفية التحقق منها",
    search: "بحث",
    feeds: "خلاصات",
    corrections: "تصحيحات",
    video: "فيديو",
    live: "بث مباشر",
    no_player: "لا يستطيع متصفحك تشغيل هذا الفيديو هنا. نزّله:",
};

/// What the video templates see of a video.
#[derive(Serialize)]
pub struct VideoView {
    pub path: String,
    pub title: String,
    pub description: String,
    pub live: bool,
    pub hls: Option<String>,
    pub mp4: Option<String>,
    pub poster: Option<String>,
    pub captions: Option<String>,
    pub lang: String,
    pub dir: &'static str,
    /// `1:35`, or `1:02:03` past an hour.
    pub duration: Option<String>,
    pub published: Option<TimeView>,
}

pub fn video(video: &broadsheet_domain::Video) -> VideoView {
    VideoView {
        path: video.path(),
        title: video.title.clone(),
        description: video.description.clone(),
        live: video.kind == broadsheet_domain::VideoKind::Live,
        hls: video.hls_url.clone(),
        mp4: video.mp4_url.clone(),
        poster: video.thumbnail_url.clone(),
        captions: video.captions_url.clone(),
        lang: video.language.to_string(),
        dir: video.language.direction().as_str(),
        duration: video.duration_seconds.map(|s| {
            if s >= 3600 {
                format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
            } else {
                format!("{}:{:02}", s / 60, s % 60)
            }
        }),
        published: video.published_at.map(TimeView::from),
    }
}
