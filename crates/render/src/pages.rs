//! One function per kind of reader page. Each takes plain data and returns the HTML.

use crate::markdown::{to_plain_text, to_safe_html};
use crate::structured::{self, Social};
use crate::views::{self, breadcrumbs, card, cards, strings, ImageView, Link, Meta, TimeView};
use crate::{share, RenderError, Theme};
use broadsheet_domain::{
    Address, ArticleDetail, ArticleSummary, FeedScope, Language, Page, Section, SectionTree,
    SiteSettings, Video,
};
use serde::Serialize;

/// What every page shares: the site, its sections and its standing pages.
pub struct Chrome<'a> {
    pub settings: &'a SiteSettings,
    pub sections: &'a SectionTree,
    pub pages: &'a [(String, String)],
}

pub struct HomePage<'a> {
    pub lead: Option<&'a ArticleSummary>,
    pub top_stories: &'a [ArticleSummary],
    pub editors_choice: &'a [ArticleSummary],
    pub latest_by_section: &'a [(Section, Vec<ArticleSummary>)],
}

pub struct SectionPage<'a> {
    pub section: &'a Section,
    pub articles: &'a [ArticleSummary],
    pub pager: Pager,
}

pub struct ArticlePage<'a> {
    pub detail: &'a ArticleDetail,
    pub related: &'a [ArticleSummary],
    pub editors_choice: &'a [ArticleSummary],
    /// The same story in other languages (its translation group), published.
    pub translations: &'a [ArticleSummary],
}

/// A tag's or an author's page: a heading, an introduction and the articles.
pub struct ListingPage<'a> {
    pub title: &'a str,
    pub intro: &'a str,
    /// The tag or author the page lists; also names its feeds.
    pub scope: FeedScope,
    pub articles: &'a [ArticleSummary],
    pub pager: Pager,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub newer: Option<String>,
    pub older: Option<String>,
}

impl Pager {
    pub fn new(base_path: &str, page: u32, pages: u32) -> Pager {
        let at = |n: u32| {
            if n == 1 {
                base_path.to_owned()
            } else {
                // The base may carry a query already (a search).
                let joiner = if base_path.contains('?') { '&' } else { '?' };
                format!("{base_path}{joiner}page={n}")
            }
        };
        Pager {
            page,
            pages,
            newer: (page > 1).then(|| at(page - 1)),
            older: (page < pages).then(|| at(page + 1)),
        }
    }
}

pub struct Renderer {
    theme: Theme,
}

#[derive(Serialize)]
struct ArticleView {
    headline: String,
    standfirst: String,
    body: minijinja::Value,
    dateline: Option<String>,
    bylines: Vec<Link>,
    published: Option<TimeView>,
    updated: Option<TimeView>,
    lead: Option<ImageView>,
    tags: Vec<Link>,
    section: Option<Link>,
    corrections: Vec<CorrectionView>,
}

#[derive(Serialize)]
struct CorrectionView {
    at: TimeView,
    note: String,
}

impl Renderer {
    pub fn new(theme: Theme) -> Renderer {
        Renderer { theme }
    }

    pub fn theme(&self) -> &Theme {
        &self.theme
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String, RenderError> {
        let wrap = |source| RenderError::Template {
            name: name.to_owned(),
            source,
        };
        self.theme
            .env()
            .get_template(name)
            .map_err(wrap)?
            .render(ctx)
            .map_err(wrap)
    }

    fn meta(
        &self,
        chrome: &Chrome,
        title: Option<&str>,
        description: &str,
        path: &str,
        lang: &Language,
    ) -> Meta {
        let settings = chrome.settings;
        Meta {
            title: match title {
                Some(t) => format!("{t} | {}", settings.name),
                None => settings.name.clone(),
            },
            description: self.description_of(settings, description),
            canonical: settings.absolute_url(path),
            lang: lang.to_string(),
            dir: lang.direction().as_str(),
            robots: None,
            feeds: views::feed_links(&FeedScope::Site, &settings.name),
            alternates: Vec::new(),
            social: Social::website(
                title.unwrap_or(&settings.name),
                &self.description_of(settings, description),
            ),
            json_ld: None,
        }
    }

    fn description_of(&self, settings: &SiteSettings, text: &str) -> String {
        if text.is_empty() {
            settings.tagline.clone()
        } else {
            to_plain_text(text, 200)
        }
    }

    pub fn home(&self, chrome: &Chrome, home: &HomePage) -> Result<String, RenderError> {
        let lang = &chrome.settings.default_language;
        let tree = chrome.sections;
        let sections: Vec<_> = home
            .latest_by_section
            .iter()
            .filter(|(_, items)| !items.is_empty())
            .map(|(s, items)| {
                minijinja::context! {
                    name => s.name, path => tree.path(s.id),
                    lang => s.language.as_ref().map(Language::to_string),
                    dir => s.language.as_ref().map(|l| l.direction().as_str()),
                    items => cards(items, tree),
                }
            })
            .collect();
        let mut meta = self.meta(chrome, None, &chrome.settings.tagline, "/", lang);
        meta.json_ld = Some(structured::script_text(&structured::home(chrome.settings)));
        self.render(
            "home.html",
            minijinja::context! {
                page => meta,
                site => views::site(chrome.settings, tree, chrome.pages, None),
                t => strings(lang),
                lead => home.lead.map(|l| card(l, tree)),
                top_stories => cards(home.top_stories, tree),
                editors_choice => cards(home.editors_choice, tree),
                sections => sections,
            },
        )
    }

    pub fn section(&self, chrome: &Chrome, page: &SectionPage) -> Result<String, RenderError> {
        let tree = chrome.sections;
        let section = page.section;
        let lang = section
            .language
            .clone()
            .unwrap_or_else(|| chrome.settings.default_language.clone());
        let path = tree.path(section.id).unwrap_or("/");
        let t = strings(&lang);
        let crumbs = breadcrumbs(tree, section.id, t.home, true);
        let subsections: Vec<Link> = tree
            .children(Some(section.id))
            .into_iter()
            .map(|s| Link {
                name: s.name.clone(),
                path: tree.path(s.id).unwrap_or("/").to_owned(),
                lang: None,
                dir: None,
                current: false,
            })
            .collect();
        let mut meta = self.meta(
            chrome,
            Some(&section.name),
            &section.description,
            &canonical_page(path, &page.pager),
            &lang,
        );
        if page.pager.page > 1 {
            meta.title = format!("{} ({} {})", meta.title, t.page_of, page.pager.page);
        }
        let scope = FeedScope::Section(
            tree.trail(section.id)
                .iter()
                .map(|s| s.slug.clone())
                .collect(),
        );
        meta.feeds.extend(views::feed_links(&scope, &section.name));
        self.render(
            "section.html",
            minijinja::context! {
                page => meta,
                site => views::site(chrome.settings, tree, chrome.pages, tree.trail(section.id).first().map(|s| s.id)),
                t => t,
                breadcrumbs => crumbs,
                section => minijinja::context! { name => section.name, description => section.description },
                subsections => subsections,
                articles => cards(page.articles, tree),
                pager => page.pager,
            },
        )
    }

    pub fn article(&self, chrome: &Chrome, page: &ArticlePage) -> Result<String, RenderError> {
        let tree = chrome.sections;
        let detail = page.detail;
        let draft = &detail.article.draft;
        let lang = &draft.language;
        let t = strings(lang);
        let canonical = chrome.settings.absolute_url(&detail.article.path);
        let published = draft.published_at;
        // A story counts as updated when it changed more than a minute after it went out.
        let updated = published
            .filter(|p| detail.article.updated_at > *p + chrono::Duration::minutes(1))
            .map(|_| detail.article.updated_at);
        let view = ArticleView {
            headline: draft.headline.clone(),
            standfirst: draft.standfirst.clone(),
            body: minijinja::Value::from_safe_string(to_safe_html(&draft.body)),
            dateline: draft.dateline.clone().filter(|d| !d.trim().is_empty()),
            bylines: detail
                .bylines
                .iter()
                .map(|b| Link {
                    name: b.name.clone(),
                    path: b
                        .author_slug
                        .as_ref()
                        .map(|s| format!("/author/{s}"))
                        .unwrap_or_default(),
                    lang: None,
                    dir: None,
                    current: false,
                })
                .collect(),
            published: published.map(TimeView::from),
            updated: updated.map(TimeView::from),
            lead: detail.lead.as_ref().map(ImageView::from),
            corrections: detail
                .corrections
                .iter()
                .map(|c| CorrectionView {
                    at: TimeView::from(c.created_at),
                    note: c.note.clone(),
                })
                .collect(),
            tags: detail
                .tags
                .iter()
                .map(|tag| Link {
                    name: tag.name.clone(),
                    path: format!("/tag/{}", tag.slug),
                    lang: None,
                    dir: None,
                    current: false,
                })
                .collect(),
            section: tree.get(draft.section_id).map(|s| Link {
                name: s.name.clone(),
                path: tree.path(s.id).unwrap_or("/").to_owned(),
                lang: None,
                dir: None,
                current: false,
            }),
        };
        let description = if draft.standfirst.is_empty() {
            &draft.body
        } else {
            &draft.standfirst
        };
        let crumbs = breadcrumbs(tree, draft.section_id, t.home, false);
        let trail: Vec<(String, String)> = crumbs
            .iter()
            .map(|c| (c.name.clone(), c.path.clone()))
            .collect();
        let mut meta = self.meta(
            chrome,
            Some(&draft.headline),
            description,
            &detail.article.path,
            lang,
        );
        meta.social = Social::article(chrome.settings, tree, detail, &meta.description);
        meta.json_ld = Some(structured::script_text(&structured::article(
            chrome.settings,
            tree,
            detail,
            &trail,
        )));
        let read_in: Vec<Link> = page
            .translations
            .iter()
            .map(|tr| Link {
                name: language_name(&tr.language),
                path: tr.path.clone(),
                lang: Some(tr.language.to_string()),
                dir: Some(tr.language.direction().as_str()),
                current: false,
            })
            .collect();
        if !page.translations.is_empty() {
            // Every version lists all versions, itself included; x-default is the one in
            // the site's language, or else the oldest.
            let mut versions: Vec<(String, String, i64)> = page
                .translations
                .iter()
                .map(|tr| (tr.language.to_string(), tr.path.clone(), tr.id))
                .chain(std::iter::once((
                    lang.to_string(),
                    detail.article.path.clone(),
                    detail.article.id,
                )))
                .collect();
            versions.sort_by_key(|v| v.2);
            let default = versions
                .iter()
                .find(|v| v.0 == chrome.settings.default_language.as_str())
                .or(versions.first())
                .map(|v| v.1.clone());
            meta.alternates = versions
                .iter()
                .map(|(hreflang, path, _)| views::Alternate {
                    hreflang: hreflang.clone(),
                    href: chrome.settings.absolute_url(path),
                })
                .chain(default.map(|path| views::Alternate {
                    hreflang: "x-default".into(),
                    href: chrome.settings.absolute_url(&path),
                }))
                .collect();
        }
        self.render(
            "article.html",
            minijinja::context! {
                page => meta,
                read_in => read_in,
                site => views::site(chrome.settings, tree, chrome.pages, tree.trail(draft.section_id).first().map(|s| s.id)),
                t => t,
                breadcrumbs => crumbs,
                article => view,
                share => share::links(&canonical, &draft.headline),
                canonical => canonical,
                related => cards(page.related, tree),
                editors_choice => cards(page.editors_choice, tree),
            },
        )
    }

    pub fn listing(&self, chrome: &Chrome, page: &ListingPage) -> Result<String, RenderError> {
        let lang = &chrome.settings.default_language;
        let t = strings(lang);
        let path = page.scope.page_path();
        let mut meta = self.meta(
            chrome,
            Some(page.title),
            page.intro,
            &canonical_page(&path, &page.pager),
            lang,
        );
        meta.feeds
            .extend(views::feed_links(&page.scope, page.title));
        self.render(
            "listing.html",
            minijinja::context! {
                page => meta,
                site => views::site(chrome.settings, chrome.sections, chrome.pages, None),
                t => t,
                title => page.title,
                intro => page.intro,
                articles => cards(page.articles, chrome.sections),
                pager => page.pager,
            },
        )
    }

    pub fn page(&self, chrome: &Chrome, page: &Page) -> Result<String, RenderError> {
        let t = strings(&page.language);
        self.render(
            "page.html",
            minijinja::context! {
                page => self.meta(chrome, Some(&page.title), &page.body, &format!("/page/{}", page.slug), &page.language),
                site => views::site(chrome.settings, chrome.sections, chrome.pages, None),
                t => t,
                title => page.title,
                body => minijinja::Value::from_safe_string(to_safe_html(&page.body)),
            },
        )
    }

    /// A video's page: the player (HLS and/or MP4 with captions), its description, and
    /// `VideoObject` structured data.
    pub fn video(&self, chrome: &Chrome, video: &Video) -> Result<String, RenderError> {
        let settings = chrome.settings;
        let t = strings(&video.language);
        let mut meta = self.meta(
            chrome,
            Some(&video.title),
            &video.description,
            &video.path(),
            &video.language,
        );
        meta.social.kind = "video.other";
        meta.json_ld = Some(structured::script_text(&structured::video(settings, video)));
        let crumbs = vec![
            Link {
                name: t.home.to_owned(),
                path: "/".into(),
                lang: None,
                dir: None,
                current: false,
            },
            Link {
                name: t.video.to_owned(),
                path: "/video".into(),
                lang: None,
                dir: None,
                current: false,
            },
        ];
        self.render(
            "video.html",
            minijinja::context! {
                page => meta,
                site => views::site(settings, chrome.sections, chrome.pages, None),
                t => t,
                breadcrumbs => crumbs,
                video => views::video(video),
            },
        )
    }

    /// `/video`: the live stream first, then the clips, newest first.
    pub fn videos(&self, chrome: &Chrome, videos: &[Video]) -> Result<String, RenderError> {
        let lang = &chrome.settings.default_language;
        let t = strings(lang);
        let mut meta = self.meta(chrome, Some(t.video), "", "/video", lang);
        meta.feeds.push(views::FeedLink {
            title: format!("{} (Media RSS)", t.video),
            href: "/tv/mrss.xml".into(),
            kind: "application/rss+xml",
        });
        let (live, clips): (Vec<&Video>, Vec<&Video>) = videos
            .iter()
            .partition(|v| v.kind == broadsheet_domain::VideoKind::Live);
        self.render(
            "videos.html",
            minijinja::context! {
                page => meta,
                site => views::site(chrome.settings, chrome.sections, chrome.pages, None),
                t => t,
                live => live.into_iter().map(views::video).collect::<Vec<_>>(),
                clips => clips.into_iter().map(views::video).collect::<Vec<_>>(),
            },
        )
    }

    /// The official addresses, with the key that signs their list: (fingerprint, public key).
    pub fn mirrors(
        &self,
        chrome: &Chrome,
        addresses: &[Address],
        key: Option<(&str, &str)>,
    ) -> Result<String, RenderError> {
        let lang = &chrome.settings.default_language;
        let rows: Vec<_> = addresses
            .iter()
            .map(|a| minijinja::context! { url => a.url(), kind => a.kind.as_str(), state => a.state.as_str(), added => TimeView::from(a.added) })
            .collect();
        let title = format!("Official addresses of {}", chrome.settings.name);
        self.render(
            "mirrors.html",
            minijinja::context! {
                page => self.meta(chrome, Some(&title), "Where to read this site if its main address is blocked, and how to check an address is genuine.", "/mirrors", lang),
                site => views::site(chrome.settings, chrome.sections, chrome.pages, None),
                t => strings(lang),
                addresses => rows,
                fingerprint => key.map(|k| k.0),
                public_key => key.map(|k| k.1),
            },
        )
    }

    /// Search results. `results` is `None` when the site has no index yet.
    pub fn search(
        &self,
        chrome: &Chrome,
        query: &str,
        results: Option<&broadsheet_search::Results>,
        pager: Pager,
    ) -> Result<String, RenderError> {
        self.search_page(chrome, query, results, pager, false)
    }

    /// The search page of a static export: the browser searches an index file shipped
    /// with the copy (`/search/index.js`), so it works offline and from disk.
    pub fn offline_search(&self, chrome: &Chrome) -> Result<String, RenderError> {
        self.search_page(chrome, "", None, Pager::new("/search", 1, 1), true)
    }

    fn search_page(
        &self,
        chrome: &Chrome,
        query: &str,
        results: Option<&broadsheet_search::Results>,
        pager: Pager,
        offline: bool,
    ) -> Result<String, RenderError> {
        let lang = &chrome.settings.default_language;
        let hits: Vec<_> = results
            .map(|r| r.hits.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|h| {
                let language = Language::parse(&h.language).ok();
                minijinja::context! {
                    headline => h.headline,
                    path => h.path,
                    snippet => minijinja::Value::from_safe_string(h.snippet.clone()),
                    lang => h.language,
                    dir => language.map(|l| l.direction().as_str()),
                    published => TimeView::from(h.published),
                }
            })
            .collect();
        let mut meta = self.meta(
            chrome,
            Some(&format!("Search: {query}")),
            "",
            "/search",
            lang,
        );
        meta.robots = Some("noindex");
        self.render(
            "search.html",
            minijinja::context! {
                page => meta,
                site => views::site(chrome.settings, chrome.sections, chrome.pages, None),
                t => strings(lang),
                query => query,
                offline => offline,
                searched => !query.trim().is_empty(),
                available => results.is_some(),
                lenient => results.is_some_and(|r| r.lenient),
                suggestion => results.and_then(|r| r.suggestion.as_ref()).map(|s| minijinja::context! {
                    text => s,
                    href => format!("/search?q={}", percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)),
                }),
                total => results.map(|r| r.total).unwrap_or_default(),
                hits => hits,
                pager => pager,
            },
        )
    }

    /// An error page that still carries the site's navigation, so a reader can go on.
    pub fn error(
        &self,
        chrome: &Chrome,
        status: u16,
        title: &str,
        message: &str,
    ) -> Result<String, RenderError> {
        let lang = &chrome.settings.default_language;
        let mut meta = self.meta(chrome, Some(title), message, "/", lang);
        meta.robots = Some("noindex");
        self.render(
            "error.html",
            minijinja::context! {
                page => meta,
                site => views::site(chrome.settings, chrome.sections, chrome.pages, None),
                t => strings(lang),
                status => status,
                title => title,
                message => message,
            },
        )
    }
}

/// A language's own name for itself, for "Read in" links; the tag where it is not known.
fn language_name(lang: &Language) -> String {
    match lang.primary() {
        "en" => "English",
        "fa" => "فارسی",
        "ar" => "العربية",
        "fr" => "Français",
        "es" => "Español",
        "de" => "Deutsch",
        "ru" => "Русский",
        "tr" => "Türkçe",
        "ur" => "اردو",
        "he" => "עברית",
        "ku" => "Kurdî",
        "zh" => "中文",
        _ => return lang.to_string(),
    }
    .to_owned()
}

fn canonical_page(path: &str, pager: &Pager) -> String {
    if pager.page > 1 {
        format!("{path}?page={}", pager.page)
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::Pager;

    #[test]
    fn pager_links_keep_an_existing_query() {
        let section = Pager::new("/news", 2, 3);
        assert_eq!(
            (section.newer.as_deref(), section.older.as_deref()),
            (Some("/news"), Some("/news?page=3"))
        );
        let search = Pager::new("/search?q=rain", 1, 2);
        assert_eq!(search.older.as_deref(), Some("/search?q=rain&page=2"));
        assert_eq!(search.newer, None);
    }
}
