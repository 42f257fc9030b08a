//! Crash safety: the server is killed with SIGKILL at random moments while editors create,
//! edit, publish and upload; after each restart every write it acknowledged is there,
//! nothing half-written shows, and the database passes its integrity check. On SQLite,
//! and on PostgreSQL when `TEST_POSTGRES_URL` is set (required under `CI=true`).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn broadsheet(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_broadsheet"));
    command.env_remove("RUST_LOG");
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("BROADSHEET_")) {
        command.env_remove(key);
    }
    command.env("BROADSHEET_DATABASE_URL", database_url);
    command.env("BROADSHEET_LISTEN", "127.0.0.1:0");
    command
}

/// Starts a serving command; returns the process and its address.
fn start(command: &mut Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn broadsheet");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address line");
    let address = line
        .split("http://")
        .nth(1)
        .map(|rest| format!("http://{}", rest.trim().trim_end_matches('/')))
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    (child, address)
}

/// A small random source; the seed is printed so a failure can be replayed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What the server said it saved.
#[derive(Default)]
struct Acknowledged {
    /// article id -> (revision, headline, published)
    articles: std::collections::BTreeMap<i64, (i64, String, bool)>,
    media: Vec<String>,
}

async fn editing_until_killed(
    address: &str,
    token: &str,
    photo: &[u8],
    dice: &mut Dice,
    seen: &mut Acknowledged,
    operations: u64,
) {
    let client = reqwest::Client::new();
    let api = |path: &str| format!("{address}/api/admin{path}");
    for n in 0..operations {
        let ids: Vec<i64> = seen.articles.keys().copied().collect();
        let choice = match (ids.is_empty(), seen.media.is_empty() && n == 1) {
            (true, _) => 0,
            // Make sure pictures are in the mix early on.
            (false, true) => 3,
            _ => dice.roll(4),
        };
        // Any request may be cut off by the kill; only answered ones count.
        match choice {
            0 => {
                let headline = format!("Crash test story {} {n}", dice.roll(1_000_000));
                let sent = client
                    .post(api("/articles"))
                    .bearer_auth(token)
                    .json(&serde_json::json!({
                        "headline": headline, "body": "Body text.", "section": "news", "language": "en",
                    }))
                    .send()
                    .await;
                if let Ok(r) = sent {
                    if r.status() == 201 {
                        if let Ok(v) = r.json::<serde_json::Value>().await {
                            seen.articles.insert(
                                v["id"].as_i64().unwrap_or_default(),
                                (v["revision"].as_i64().unwrap_or_default(), headline, false),
                            );
                        }
                    }
                }
            }
            1 => {
                let id = ids[dice.roll(ids.len() as u64) as usize];
                let (revision, _, published) = seen.articles[&id].clone();
                let headline = format!("Edited story {id} {n}");
                let sent = client
                    .put(api(&format!("/articles/{id}")))
                    .bearer_auth(token)
                    .json(&serde_json::json!({
                        "headline": headline, "body": format!("Edit {n}."), "section": "news",
                        "language": "en", "revision": revision,
                    }))
                    .send()
                    .await;
                if let Ok(r) = sent {
                    if r.status() == 200 {
                        if let Ok(v) = r.json::<serde_json::Value>().await {
                            seen.articles.insert(
                                id,
                                (
                                    v["revision"].as_i64().unwrap_or_default(),
                                    headline,
                                    published,
                                ),
                            );
                        }
                    }
                }
            }
            2 => {
                let id = ids[dice.roll(ids.len() as u64) as usize];
                let sent = client
                    .post(api(&format!("/articles/{id}/publish")))
                    .bearer_auth(token)
                    .send()
                    .await;
                if let Ok(r) = sent {
                    if r.status() == 200 {
                        if let Ok(v) = r.json::<serde_json::Value>().await {
                            let entry = seen.articles.get_mut(&id).expect("known");
                            entry.0 = v["revision"].as_i64().unwrap_or_default();
                            entry.2 = true;
                        }
                    }
                }
            }
            _ => {
                let form = reqwest::multipart::Form::new()
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(photo.to_vec()).file_name("photo.jpg"),
                    )
                    .text("caption", "Crash test picture");
                let sent = client
                    .post(api("/media"))
                    .bearer_auth(token)
                    .multipart(form)
                    .send()
                    .await;
                if let Ok(r) = sent {
                    if r.status() == 201 {
                        if let Ok(v) = r.json::<serde_json::Value>().await {
                            seen.media
                                .push(v["url"].as_str().unwrap_or_default().to_owned());
                        }
                    }
                }
            }
        }
    }
}

async fn check_everything_is_there(address: &str, token: &str, seen: &Acknowledged) {
    let client = reqwest::Client::new();
    for (id, (revision, headline, published)) in &seen.articles {
        let r = client
            .get(format!("{address}/api/admin/articles/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 200, "acknowledged article {id} is gone");
        let v: serde_json::Value = r.json().await.expect("json");
        let stored = v["revision"].as_i64().unwrap_or_default();
        // A save may have committed just before the kill without its answer arriving.
        assert!(
            stored >= *revision,
            "article {id}: revision {stored} < acknowledged {revision}"
        );
        if stored == *revision {
            assert_eq!(
                v["headline"].as_str(),
                Some(headline.as_str()),
                "article {id}"
            );
        }
        if *published {
            assert_eq!(v["status"], "published", "article {id}");
            let page = client
                .get(format!(
                    "{address}{}",
                    v["path"].as_str().unwrap_or_default()
                ))
                .send()
                .await
                .expect("page");
            assert_eq!(
                page.status(),
                200,
                "published article {id} is not on the site"
            );
        }
    }
    for url in &seen.media {
        let r = client
            .get(format!("{address}{url}"))
            .send()
            .await
            .expect("media");
        assert_eq!(r.status(), 200, "{url}");
        let bytes = r.bytes().await.expect("bytes");
        assert!(
            bytes.len() > 100 && bytes.starts_with(&[0xFF, 0xD8]),
            "{url} is not a whole JPEG"
        );
    }
}

async fn crash_repeatedly(database_url: &str, label: &str) {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("site");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64 | 1)
        .unwrap_or(7);
    eprintln!("{label}: crash test seed {seed}");
    let mut dice = Dice(seed);

    // The demo site, then an editor with a token.
    let (demo, _) = start(broadsheet(database_url).args(["demo", "--data"]).arg(&data));
    stop_gently(demo);
    let mut add = broadsheet(database_url)
        .args([
            "user",
            "add",
            "--email",
            "crash@example.org",
            "--name",
            "Crash Editor",
            "--role",
            "editor",
            "--data",
        ])
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("user add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(b"crash test passphrase\n")
        .expect("password");
    assert!(add.wait().expect("wait").success());
    let token = broadsheet(database_url)
        .args(["user", "token", "--email", "crash@example.org", "--data"])
        .arg(&data)
        .output()
        .expect("token");
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    assert!(!token.is_empty());
    let photo = std::fs::read(data.join("media/river-dawn.jpg")).expect("a demo photo");

    let mut seen = Acknowledged::default();
    for round in 0..4 {
        let (mut server, address) = start(
            broadsheet(database_url)
                .args(["serve", "--data"])
                .arg(&data),
        );
        check_everything_is_there(&address, &token, &seen).await;
        // Edit for a random while, then SIGKILL in the middle of whatever is running.
        // The first round runs long enough to get a picture through; the rest stop anywhere.
        let budget = Duration::from_millis(if round == 0 {
            6_000
        } else {
            200 + dice.roll(2_800)
        });
        let operations = 5 + dice.roll(40);
        let started = Instant::now();
        let _ = tokio::time::timeout(
            budget,
            editing_until_killed(&address, &token, &photo, &mut dice, &mut seen, operations),
        )
        .await;
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
        eprintln!(
            "{label}: round {round}: killed after {:?}; {} articles and {} pictures acknowledged so far",
            started.elapsed(),
            seen.articles.len(),
            seen.media.len()
        );
    }
    let (server, address) = start(
        broadsheet(database_url)
            .args(["serve", "--data"])
            .arg(&data),
    );
    check_everything_is_there(&address, &token, &seen).await;
    stop_gently(server);
    assert!(
        !seen.articles.is_empty(),
        "the test never got an article saved"
    );

    let store = broadsheet_storage::Store::open(database_url)
        .await
        .expect("open");
    assert_eq!(store.integrity_check().await.expect("check"), "ok");
    store.close().await;
    // No half-written picture is left under a real name.
    for entry in std::fs::read_dir(data.join("media")).expect("media") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        if name.ends_with(".jpg") {
            let bytes = std::fs::read(data.join("media").join(&name)).expect("read");
            assert!(image::load_from_memory(&bytes).is_ok(), "{name} is damaged");
        }
    }
}

fn stop_gently(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().ok().flatten().is_none() {
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn killed_servers_lose_no_acknowledged_write_on_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    crash_repeatedly(&url, "sqlite").await;
    assert!(Path::new(&dir.path().join("crash.db")).exists());
}

#[tokio::test]
async fn killed_servers_lose_no_acknowledged_write_on_postgres() {
    let Some(url) = broadsheet_storage::testing::fresh_postgres_url("crash safety").await else {
        return;
    };
    crash_repeatedly(&url, "postgres").await;
}
