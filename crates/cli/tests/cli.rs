//! The `broadsheet` binary as an operator runs it: a real process, real signals, real HTTP.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn broadsheet() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_broadsheet"));
    command.env_remove("RUST_LOG");
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("BROADSHEET_")) {
        command.env_remove(key);
    }
    command
}

/// Starts a serving command and waits for the address it prints.
fn start(command: &mut Command) -> (Child, String, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn broadsheet");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the address line");
    let address = line
        .split("http://")
        .nth(1)
        .map(|rest| format!("http://{}", rest.trim().trim_end_matches('/')))
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    (child, address, line)
}

fn stop(mut child: Child) -> std::process::ExitStatus {
    stop_keeping(&mut child)
}

fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut err, &mut text);
    }
    text
}

async fn fetch(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.expect("request");
    (
        response.status().as_u16(),
        response.text().await.expect("body"),
    )
}

#[tokio::test]
async fn demo_creates_serves_stops_cleanly_and_reuses_its_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("site");
    let (child, address, line) = start(
        broadsheet()
            .args(["demo", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data),
    );
    assert!(
        line.starts_with("The Meridian Ledger is being served at http://127.0.0.1:"),
        "{line}"
    );
    let (status, home) = fetch(&format!("{address}/")).await;
    assert_eq!(status, 200);
    assert!(home.contains("Upstream dams to release more water"));
    let (status, _) = fetch(&format!("{address}/media/river-dawn.jpg")).await;
    assert_eq!(status, 200);
    // The demo shows a theme folder at work: its own logo over the built-in one.
    let logo = reqwest::get(format!("{address}/assets/logo.png"))
        .await
        .expect("logo");
    assert_eq!(
        logo.bytes().await.expect("bytes").as_ref(),
        std::fs::read(data.join("theme/assets/logo.png")).expect("logo file")
    );
    assert!(data.join("broadsheet.toml").is_file());
    assert!(data.join("broadsheet.db").is_file());
    let mut child = child;
    let status = stop_keeping(&mut child);
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    assert!(stderr_of(&mut child).contains("Created the demo site"));

    // Second run: same folder, same content, nothing created again.
    let (mut again, address, _) = start(
        broadsheet()
            .args(["demo", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data),
    );
    let (status, home) = fetch(&format!("{address}/")).await;
    assert_eq!(status, 200);
    assert_eq!(
        home.matches("Upstream dams to release more water").count(),
        1,
        "no duplicate content"
    );
    let status = stop_keeping(&mut again);
    assert!(status.success());
    assert!(!stderr_of(&mut again).contains("Created the demo site"));

    // `serve --data` serves the folder the demo made; environment variables override.
    let (server, address, line) = start(
        broadsheet()
            .args(["serve", "--data"])
            .arg(&data)
            .env("BROADSHEET_LISTEN", "127.0.0.1:0")
            .env("BROADSHEET_SITE_NAME", "Evening Edition"),
    );
    assert!(
        line.starts_with("Evening Edition is being served"),
        "{line}"
    );
    let (status, home) = fetch(&format!("{address}/")).await;
    assert_eq!(status, 200);
    assert!(home.contains("Evening Edition"));
    assert!(stop(server).success());
}

/// SIGTERM, then the exit status within ten seconds.
fn stop_keeping(child: &mut Child) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "broadsheet did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn migrate_prepares_a_database_from_a_config_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("broadsheet.toml");
    std::fs::write(&config, "database_url = \"sqlite://db/site.db\"\n[site]\nname = \"Test\"\nprimary_host = \"test.example\"\n").expect("write");
    let output = broadsheet()
        .args(["migrate", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("is up to date"));
    assert!(
        dir.path().join("db/site.db").is_file(),
        "relative paths are relative to the config file"
    );
}

fn refused(args: &[&str], dir: &Path) -> String {
    let output = broadsheet()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run");
    assert!(!output.status.success(), "{args:?} should fail");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn bad_configuration_is_refused_naming_the_file_and_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("typo.toml"), "[site]\nnmae = \"Daily\"\n").expect("write");
    let stderr = refused(&["serve", "--config", "typo.toml"], dir.path());
    assert!(
        stderr.contains("typo.toml") && stderr.contains("nmae"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("lang.toml"),
        "[site]\ndefault_language = \"klingon!\"\n",
    )
    .expect("write");
    let stderr = refused(&["serve", "--config", "lang.toml"], dir.path());
    assert!(
        stderr.contains("lang.toml") && stderr.contains("site.default_language"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("broken.toml"),
        "listen = \"127.0.0.1:80\nsite = [",
    )
    .expect("write");
    let stderr = refused(&["migrate", "--config", "broken.toml"], dir.path());
    assert!(stderr.contains("broken.toml"), "{stderr}");

    let stderr = refused(&["serve", "--config", "missing.toml"], dir.path());
    assert!(
        stderr.contains("missing.toml") && stderr.contains("cannot read"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("db.toml"),
        "database_url = \"mysql://localhost/x\"\n",
    )
    .expect("write");
    let stderr = refused(&["migrate", "--config", "db.toml"], dir.path());
    assert!(stderr.contains("database_url"), "{stderr}");

    let output = broadsheet()
        .args(["serve"])
        .env("BROADSHEET_LISTN", "x")
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&output.stderr).contains("BROADSHEET_LISTN"));
}
