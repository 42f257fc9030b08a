//! Two latencies readers and editors feel, measured over real HTTP on loopback:
//! the first render of an article page (cache cold), and publish -> visible (from sending
//! "publish" in the Admin API to the reader page answering 200).
//!
//! `cargo run --release -p broadsheet-web --example latency [-- ROUNDS]`; set
//! `BENCH_POSTGRES_URL` (a database the run may fill) to measure PostgreSQL as well.

use broadsheet_render::{Renderer, Theme};
use broadsheet_storage::Store;
use broadsheet_web::App;
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn measure(label: &str, database_url: &str, rounds: usize) {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(database_url).await.expect("store");
    let media = dir.path().join("media");
    broadsheet_demo::seed(&store, &media).await.expect("seed");
    let app = App::new(
        store.clone(),
        broadsheet_demo::settings(),
        Renderer::new(Theme::new(None).expect("theme")),
        media,
        None,
        None,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(broadsheet_web::serve(
        listener,
        app.clone(),
        std::future::pending(),
    ));
    let client = reqwest::Client::new();

    // An editor with a token.
    let token = broadsheet_web::newsroom::auth::random_token().expect("token");
    let user = store
        .create_user(
            &broadsheet_domain::NewUser {
                email: format!("bench{}@example.org", std::process::id()),
                name: "Bench".into(),
                role: broadsheet_domain::Role::Editor,
                author_id: None,
            },
            "unused",
        )
        .await
        .expect("user");
    store
        .add_api_token(&broadsheet_web::newsroom::auth::token_hash(&token), user.id)
        .await
        .expect("token");

    // Cold first renders: every published article, with the cache emptied before each.
    let articles = store.all_published().await.expect("articles");
    let mut cold = Vec::new();
    for _ in 0..rounds.div_ceil(articles.len()).max(1) {
        for article in &articles {
            app.cache.clear();
            let started = Instant::now();
            let response = client
                .get(format!("{base}{}", article.path))
                .send()
                .await
                .expect("get");
            let _ = response.bytes().await.expect("body");
            cold.push(started.elapsed());
        }
    }
    // The same, asking for brotli as browsers do: the first request also compresses.
    let mut cold_br = Vec::new();
    for article in articles.iter().cycle().take(cold.len()) {
        app.cache.clear();
        let started = Instant::now();
        let response = client
            .get(format!("{base}{}", article.path))
            .header("accept-encoding", "br")
            .send()
            .await
            .expect("get");
        let _ = response.bytes().await.expect("body");
        cold_br.push(started.elapsed());
    }
    // The same pages warm, for comparison.
    let mut warm = Vec::new();
    for article in articles.iter().cycle().take(cold.len()) {
        let started = Instant::now();
        let _ = client
            .get(format!("{base}{}", article.path))
            .send()
            .await
            .expect("get")
            .bytes()
            .await;
        warm.push(started.elapsed());
    }

    // Publish -> visible.
    let mut visible = Vec::new();
    for n in 0..rounds {
        let created: serde_json::Value = client
            .post(format!("{base}/api/admin/articles"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "headline": format!("Benchmark story number {n}"),
                "body": "A paragraph of text for the benchmark.",
                "section": "news/local",
                "language": "en",
            }))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("json");
        let id = created["id"].as_i64().expect("id");
        // Warm the listings the story will appear on.
        for path in ["/", "/news", "/news/local"] {
            let _ = client.get(format!("{base}{path}")).send().await;
        }
        let started = Instant::now();
        let published: serde_json::Value = client
            .post(format!("{base}/api/admin/articles/{id}/publish"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("publish")
            .json()
            .await
            .expect("json");
        let path = published["path"].as_str().expect("path").to_owned();
        loop {
            let status = client
                .get(format!("{base}{path}"))
                .send()
                .await
                .expect("get")
                .status();
            if status == 200 {
                break;
            }
        }
        visible.push(started.elapsed());
    }
    for v in [&mut cold, &mut cold_br, &mut warm, &mut visible] {
        v.sort();
    }
    println!(
        "| {label} | cold article render (HTTP round trip) | {} | {} | {} | {} |",
        cold.len(),
        ms(percentile(&cold, 0.5)),
        ms(percentile(&cold, 0.99)),
        ms(*cold.last().expect("some"))
    );
    println!(
        "| {label} | cold article render with brotli (HTTP round trip) | {} | {} | {} | {} |",
        cold_br.len(),
        ms(percentile(&cold_br, 0.5)),
        ms(percentile(&cold_br, 0.99)),
        ms(*cold_br.last().expect("some"))
    );
    println!(
        "| {label} | warm article (cache hit, same client) | {} | {} | {} | {} |",
        warm.len(),
        ms(percentile(&warm, 0.5)),
        ms(percentile(&warm, 0.99)),
        ms(*warm.last().expect("some"))
    );
    println!(
        "| {label} | publish -> reader page 200 | {} | {} | {} | {} |",
        visible.len(),
        ms(percentile(&visible, 0.5)),
        ms(percentile(&visible, 0.99)),
        ms(*visible.last().expect("some"))
    );
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    println!("| database | what | samples | p50 | p99 | max |");
    println!("|---|---|---:|---:|---:|---:|");
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    measure("SQLite", &url, rounds).await;
    if let Ok(url) = std::env::var("BENCH_POSTGRES_URL") {
        measure("PostgreSQL", &url, rounds).await;
    }
}
