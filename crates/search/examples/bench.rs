//! Search benchmark on generated content: indexing throughput and query latency.
//!
//!     cargo run --release -p broadsheet-search --example bench -- [ARTICLES] [QUERIES]
//!
//! Articles are made from a fixed vocabulary by a seeded generator (English, French and
//! Persian), indexed on disk as the server does, then queried with one to three words,
//! phrases and filters. Prints articles/s and p50/p99 latency. Run by `bench/search.sh`.

use broadsheet_domain::{
    Article, ArticleDetail, ArticleDraft, ArticleStatus, Byline, Language, Section, SectionTree,
    Slug,
};
use broadsheet_search::{SearchIndex, SearchQuery};
use chrono::{Duration, Utc};
use std::time::Instant;

const EN: &[&str] = &[
    "harbour",
    "council",
    "election",
    "minister",
    "police",
    "storm",
    "market",
    "bank",
    "river",
    "water",
    "school",
    "hospital",
    "bus",
    "train",
    "festival",
    "court",
    "border",
    "refugee",
    "farmer",
    "price",
    "energy",
    "strike",
    "football",
    "league",
    "museum",
    "library",
    "budget",
    "tax",
    "road",
    "bridge",
    "village",
    "city",
    "report",
    "agreement",
    "protest",
    "minister",
    "doctor",
    "teacher",
    "fishing",
    "port",
    "airport",
    "weather",
    "snow",
];
const FR: &[&str] = &[
    "élection",
    "marché",
    "conseil",
    "ville",
    "rivière",
    "école",
    "hôpital",
    "grève",
    "prix",
    "route",
    "pont",
];
const FA: &[&str] = &[
    "کتاب",
    "بازار",
    "شهر",
    "رود",
    "مدرسه",
    "بیمارستان",
    "انتخابات",
    "کشاورز",
    "آب",
    "برف",
    "جاده",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[(self.next() % words.len() as u64) as usize]
    }

    fn sentence(&mut self, words: &[&str], n: usize) -> String {
        (0..n)
            .map(|_| self.pick(words))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let articles: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let queries: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let sections: Vec<Section> = (1..=12)
        .map(|id| Section {
            id,
            parent_id: if id > 4 { Some(1 + id % 4) } else { None },
            slug: Slug::parse(&format!("section-{id}")).expect("slug"),
            name: format!("Section {id}"),
            description: String::new(),
            position: id,
            language: None,
        })
        .collect();
    let tree = SectionTree::new(sections);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let now = Utc::now();
    let details: Vec<ArticleDetail> = (0..articles as i64)
        .map(|id| {
            let (lang, words) = match id % 10 {
                0 => ("fr", FR),
                1 => ("fa", FA),
                _ => ("en", EN),
            };
            let published = now - Duration::minutes(id * 7);
            let body = (0..6)
                .map(|_| rng.sentence(words, 40))
                .collect::<Vec<_>>()
                .join("\n\n");
            ArticleDetail {
                article: Article {
                    id,
                    draft: ArticleDraft {
                        slug: Slug::parse(&format!("story-{id}")).expect("slug"),
                        section_id: 1 + (id % 12),
                        language: Language::parse(lang).expect("language"),
                        headline: rng.sentence(words, 8),
                        standfirst: rng.sentence(words, 20),
                        body,
                        dateline: None,
                        lead_media_id: None,
                        bylines: vec![Byline::Guest {
                            name: "Desk".into(),
                        }],
                        tags: vec![],
                        status: ArticleStatus::Published,
                        published_at: Some(published),
                        translation_group: None,
                    },
                    path: format!("/section/{id}"),
                    created_at: published,
                    updated_at: published,
                    revision: 1,
                    owner: None,
                },
                bylines: vec![],
                tags: vec![],
                lead: None,
                corrections: vec![],
            }
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("broadsheet-search-bench-{}", std::process::id()));
    let (index, _) = SearchIndex::open(&dir).expect("index");
    let started = Instant::now();
    index
        .rebuild(details.into_iter().map(Ok), &tree)
        .expect("rebuild");
    let indexing = started.elapsed();
    println!(
        "indexed {articles} articles (~{} words each) in {:.1} s: {:.0} articles/s",
        6 * 40 + 28,
        indexing.as_secs_f64(),
        articles as f64 / indexing.as_secs_f64()
    );

    const KINDS: [&str; 5] = [
        "one word",
        "two words",
        "phrase",
        "Persian word",
        "three words",
    ];
    let mut times = Vec::with_capacity(queries);
    let mut by_kind: Vec<Vec<std::time::Duration>> = vec![Vec::new(); KINDS.len()];
    let mut total_hits = 0;
    for i in 0..queries {
        let text = match i % 5 {
            0 => rng.pick(EN).to_owned(),
            1 => format!("{} {}", rng.pick(EN), rng.pick(EN)),
            2 => format!("\"{} {}\"", rng.pick(EN), rng.pick(EN)),
            3 => rng.pick(FA).to_owned(),
            _ => format!("{} {} {}", rng.pick(EN), rng.pick(EN), rng.pick(EN)),
        };
        let query = SearchQuery {
            text,
            section_ids: (i % 7 == 0).then(|| tree.with_descendants(1 + (i as i64 % 4))),
            limit: 20,
            ..SearchQuery::default()
        };
        let started = Instant::now();
        total_hits += index.search(&query).expect("search").hits.len();
        times.push(started.elapsed());
        by_kind[i % 5].push(started.elapsed());
    }
    let at = |times: &mut Vec<std::time::Duration>, q: f64| {
        times.sort();
        times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "{queries} queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({total_hits} hits shown)",
        at(&mut times, 0.50),
        at(&mut times, 0.99),
        at(&mut times, 1.0)
    );
    for (kind, times) in KINDS.iter().zip(&mut by_kind) {
        println!(
            "  {kind:<13} p50 {:.2} ms, p99 {:.2} ms",
            at(times, 0.50),
            at(times, 0.99)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
