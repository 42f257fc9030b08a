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
            .arg(&data)
            .env_remove("MIMALLOC_PURGE_DELAY")
            // An operator's own allocator setting.
            .env("MALLOC_ARENA_MAX", "3"),
    );
    assert!(
        line.starts_with("The Meridian Ledger is being served at http://127.0.0.1:"),
        "{line}"
    );
    // The server started itself again with the allocator settings it needs, keeping the
    // operator's.
    if cfg!(target_os = "linux") {
        let environ = std::fs::read(format!("/proc/{}/environ", child.id())).expect("environ");
        let environ: Vec<&[u8]> = environ.split(|b| *b == 0).collect();
        assert!(environ.contains(&&b"MIMALLOC_PURGE_DELAY=0"[..]));
        assert!(environ.contains(&&b"MALLOC_ARENA_MAX=3"[..]));
    }
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
    // The new search index fills from the database while the site serves.
    let mut found = false;
    for _ in 0..50 {
        let (_, page) = fetch(&format!("{address}/search?q=Tigris")).await;
        if page.contains("search-results") {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found, "search works on the demo");
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

    // The same folder exported as a static site, then exported again: at most the freshly
    // signed address list is rewritten.
    let out = dir.path().join("static");
    let export = broadsheet()
        .args(["export", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    assert!(out.join("index.html").is_file() && out.join("SHA256SUMS").is_file());
    let again = broadsheet()
        .args(["export", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&again.stdout);
    // The address list is signed with the time to the second, so it changes only when the
    // second export starts in a later second than the first.
    assert!(
        stdout.contains(": 1 files written,") || stdout.contains(": 0 files written,"),
        "{stdout}"
    );
    assert!(stdout.contains(" 0 removed;"), "{stdout}");

    let reindex = broadsheet()
        .args(["reindex", "--data"])
        .arg(&data)
        .output()
        .expect("run");
    assert!(
        reindex.status.success(),
        "{}",
        String::from_utf8_lossy(&reindex.stderr)
    );
    assert!(String::from_utf8_lossy(&reindex.stdout).starts_with("Indexed 33 published articles"));
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
    // (file, its text or None for a missing file, command, what the message must name)
    let cases: [(&str, Option<&str>, &str, &[&str]); 6] = [
        (
            "typo.toml",
            Some("[site]\nnmae = \"Daily\"\n"),
            "serve",
            &["typo.toml", "nmae"],
        ),
        (
            "lang.toml",
            Some("[site]\ndefault_language = \"klingon!\"\n"),
            "serve",
            &["lang.toml", "site.default_language"],
        ),
        (
            "broken.toml",
            Some("listen = \"127.0.0.1:80\nsite = ["),
            "migrate",
            &["broken.toml"],
        ),
        (
            "missing.toml",
            None,
            "serve",
            &["missing.toml", "cannot read"],
        ),
        (
            "db.toml",
            Some("database_url = \"mysql://localhost/x\"\n"),
            "migrate",
            &["db.toml", "database_url"],
        ),
        (
            // socks5 would resolve the onion name here, where it cannot be resolved.
            "tor.toml",
            Some("tor_proxy = \"socks5://127.0.0.1:9050\"\n"),
            "migrate",
            &["tor.toml", "tor_proxy", "socks5h://"],
        ),
    ];
    for (file, text, command, names) in cases {
        if let Some(text) = text {
            std::fs::write(dir.path().join(file), text).expect("write");
        }
        let stderr = refused(&[command, "--config", file], dir.path());
        for name in names {
            assert!(
                stderr.contains(name),
                "{file}: {name} missing from {stderr}"
            );
        }
    }
    let output = broadsheet()
        .args(["serve"])
        .env("BROADSHEET_LISTN", "x")
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&output.stderr).contains("BROADSHEET_LISTN"));
}

#[tokio::test]
async fn mirrors_keygen_state_and_verify_as_an_operator_would() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("broadsheet.toml");
    std::fs::write(
        &config,
        "[site]\nname = \"Daily\"\nprimary_host = \"daily.example\"\nalternate_hosts = [\"mirror.example\", \"abcdef.onion\"]\n",
    )
    .expect("write");
    let run = |args: &[&str]| {
        broadsheet()
            .args(args)
            .arg("--config")
            .arg(&config)
            .output()
            .expect("run")
    };

    let keygen = run(&["mirrors", "keygen"]);
    assert!(
        keygen.status.success(),
        "{}",
        String::from_utf8_lossy(&keygen.stderr)
    );
    let stdout = String::from_utf8_lossy(&keygen.stdout).to_string();
    let fingerprint = stdout
        .lines()
        .find_map(|l| l.strip_prefix("fingerprint: "))
        .expect("fingerprint printed")
        .to_owned();
    assert!(
        dir.path()
            .join("broadsheet-data/mirror-signing.key")
            .is_file(),
        "data lives beside the configuration file"
    );
    let again = run(&["mirrors", "keygen"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let (server, address, _) = start(
        broadsheet()
            .args(["serve", "--config"])
            .arg(&config)
            .env("BROADSHEET_LISTEN", "127.0.0.1:0"),
    );
    let url = format!("{address}/.well-known/broadsheet-mirrors.json");
    let verify = |source: &str, key: &str, previous: Option<i64>| {
        let mut command = broadsheet();
        command.args(["mirrors", "verify", source, "--key", key]);
        if let Some(p) = previous {
            command.args(["--previous-serial", &p.to_string()]);
        }
        command.output().expect("run")
    };
    let ok = verify(&url, &fingerprint, None);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).starts_with("OK: Daily lists 3 addresses, serial 1")
    );

    let wrong = verify(&url, &"0".repeat(64), None);
    assert_eq!(wrong.status.code(), Some(1));
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        message.contains("NOT a valid list") && message.contains("not by the expected key"),
        "{message}"
    );

    let saved = dir.path().join("list.json");
    let document = reqwest::get(&url)
        .await
        .expect("fetch")
        .text()
        .await
        .expect("body");
    std::fs::write(&saved, document.replace("mirror.example", "m1rror.example")).expect("write");
    let tampered = verify(saved.to_str().expect("utf-8"), &fingerprint, None);
    assert_eq!(tampered.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&tampered.stderr).contains("altered or forged"));
    std::fs::write(&saved, &document).expect("write");

    // Blocking an address while the server runs raises the serial; the old copy is now a replay.
    let block = run(&["mirrors", "state", "mirror.example", "blocked"]);
    assert!(
        block.status.success(),
        "{}",
        String::from_utf8_lossy(&block.stderr)
    );
    assert!(
        String::from_utf8_lossy(&block.stdout).contains("is now blocked; the list's serial is 2")
    );
    let newer = verify(&url, &fingerprint, Some(2));
    assert!(
        newer.status.success(),
        "{}",
        String::from_utf8_lossy(&newer.stderr)
    );
    let replay = verify(saved.to_str().expect("utf-8"), &fingerprint, Some(2));
    assert_eq!(replay.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&replay.stderr).contains("replayed"));

    let bad_state = run(&["mirrors", "state", "mirror.example", "gone"]);
    assert_eq!(bad_state.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_state.stderr).contains("active, blocked, retired"));
    assert!(stop(server).success());
}

#[test]
fn mirrors_check_fetches_every_active_address_and_records_the_result() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("broadsheet.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\n[site]\nname = \"Daily\"\nprimary_host = \"127.0.0.1:{port}\"\n\
             alternate_hosts = [\"localhost:{port}\", \"127.0.0.1:1\", \"abcdef.onion\"]\n"
        ),
    )
    .expect("write");
    let run = |args: &[&str]| {
        broadsheet()
            .args(args)
            .arg("--config")
            .arg(&config)
            .output()
            .expect("run")
    };
    assert!(run(&["mirrors", "keygen"]).status.success());
    let (server, _, _) = start(broadsheet().args(["serve", "--config"]).arg(&config));

    let check = run(&["mirrors", "check"]);
    assert_eq!(check.status.code(), Some(1), "one address is down");
    let table = String::from_utf8_lossy(&check.stdout).to_string();
    let line = |needle: &str| {
        table
            .lines()
            .find(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("{needle} in {table}"))
            .to_owned()
    };
    assert!(
        line(&format!("http://127.0.0.1:{port} ")).contains("ok"),
        "{table}"
    );
    assert!(
        line(&format!("http://localhost:{port} ")).contains("ok"),
        "{table}"
    );
    assert!(line("http://127.0.0.1:1 ").contains("FAILED"), "{table}");
    assert!(
        line("http://abcdef.onion").contains("through Tor"),
        "{table}"
    );
    assert!(String::from_utf8_lossy(&check.stderr).contains("1 address(es) failed"));

    let list = String::from_utf8_lossy(&run(&["mirrors", "list"]).stdout).to_string();
    assert!(
        list.lines()
            .any(|l| l.contains("http://127.0.0.1:1") && l.contains("FAILED unreachable")),
        "{list}"
    );

    // Retiring the dead address takes it out of the check.
    assert!(run(&["mirrors", "state", "127.0.0.1:1", "retired"])
        .status
        .success());
    let again = run(&["mirrors", "check"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );

    // With Tor's SOCKS port set, the onion address is fetched through it, by name.
    let (socks, asked) = socks_proxy_to(port);
    let settings = std::fs::read_to_string(&config).expect("read");
    std::fs::write(
        &config,
        format!("tor_proxy = \"socks5h://127.0.0.1:{socks}\"\n{settings}"),
    )
    .expect("write");
    let through_tor = run(&["mirrors", "check"]);
    let table = String::from_utf8_lossy(&through_tor.stdout).to_string();
    assert!(through_tor.status.success(), "{table}");
    let onion = table
        .lines()
        .find(|l| l.starts_with("http://abcdef.onion"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        onion.contains(" ok ") && onion.contains("serial"),
        "{table}"
    );
    assert_eq!(
        asked.lock().expect("lock").as_slice(),
        ["abcdef.onion:80"],
        "only the onion goes through the proxy, and its name is not resolved here"
    );
    assert!(stop(server).success());
}

/// A SOCKS5 proxy standing in for Tor's: it records the names it is asked for and connects
/// every request to the local port `to`.
fn socks_proxy_to(to: u16) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = asked.clone();
    std::thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            let mut greeting = [0u8; 2];
            let mut header = [0u8; 5];
            if client.read_exact(&mut greeting).is_err()
                || client
                    .read_exact(&mut vec![0; usize::from(greeting[1])])
                    .is_err()
                || client.write_all(&[5, 0]).is_err()
                // VER CMD RSV ATYP=3 (a name) LEN
                || client.read_exact(&mut header).is_err()
                || header[3] != 3
            {
                continue;
            }
            let mut name = vec![0u8; usize::from(header[4]) + 2];
            if client.read_exact(&mut name).is_err() {
                continue;
            }
            let port = u16::from_be_bytes([name[name.len() - 2], name[name.len() - 1]]);
            let host = String::from_utf8_lossy(&name[..name.len() - 2]).into_owned();
            record.lock().expect("lock").push(format!("{host}:{port}"));
            let Ok(server) = std::net::TcpStream::connect(("127.0.0.1", to)) else {
                continue;
            };
            if client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).is_err() {
                continue;
            }
            let (mut up, mut down) = (
                client.try_clone().expect("clone"),
                server.try_clone().expect("clone"),
            );
            let (mut client, mut server) = (client, server);
            std::thread::spawn(move || std::io::copy(&mut up, &mut server));
            std::thread::spawn(move || std::io::copy(&mut down, &mut client));
        }
    });
    (port, asked)
}

#[test]
fn users_and_imports_from_the_command_line() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("broadsheet.toml");
    std::fs::write(&config, "database_url = \"sqlite://site.db\"\n[site]\nname = \"Test\"\nprimary_host = \"test.example\"\n").expect("write");
    let config = config.to_str().expect("utf-8 path");

    // A password piped in is used; none makes one and prints it once.
    let mut add = broadsheet()
        .args([
            "user",
            "add",
            "--email",
            "Ed@Example.org",
            "--name",
            "Ed Itor",
            "--role",
            "editor",
            "--config",
            config,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(b"a very long passphrase\n")
        .expect("write");
    let output = add.wait_with_output().expect("wait");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("ed@example.org") && !stdout.contains("password:"),
        "{stdout}"
    );
    let generated = broadsheet()
        .args([
            "user",
            "add",
            "--email",
            "c@example.org",
            "--name",
            "C",
            "--role",
            "contributor",
            "--config",
            config,
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&generated.stdout).contains("password: "));
    let stderr = refused(
        &[
            "user",
            "add",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--role",
            "boss",
            "--config",
            config,
        ],
        dir.path(),
    );
    assert!(stderr.contains("not a role"), "{stderr}");
    let token = broadsheet()
        .args([
            "user",
            "token",
            "--email",
            "ed@example.org",
            "--config",
            config,
        ])
        .output()
        .expect("run");
    assert!(token.status.success());
    assert!(String::from_utf8_lossy(&token.stdout).trim().len() >= 40);
    let stderr = refused(
        &[
            "user",
            "token",
            "--email",
            "nobody@example.org",
            "--config",
            config,
        ],
        dir.path(),
    );
    assert!(stderr.contains("no account"), "{stderr}");

    // Imports: a dry run, the real thing, then again (nothing changes); bad files fail.
    // The shared WordPress export (see crates/import/tests/fixtures.rs for where it is found).
    let fixture = [
        std::env::var_os("BROADSHEET_FIXTURES").map(std::path::PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")),
        Some(std::path::PathBuf::from("/work/shared/fixtures")),
    ]
    .into_iter()
    .flatten()
    .map(|d| d.join("wordpress/themeunittestdata.wordpress.xml"))
    .find(|f| f.is_file());
    let Some(fixture) = fixture else {
        eprintln!("SKIPPED the import half: no export fixtures (set BROADSHEET_FIXTURES)");
        return;
    };
    let fixture = fixture.to_str().expect("utf-8 path");
    let run = |extra: &[&str]| {
        let output = broadsheet()
            .args(["import", "wordpress", "--no-fetch", "--config", config])
            .args(extra)
            .arg(fixture)
            .output()
            .expect("run");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    assert!(run(&["--dry-run"]).contains("would import"));
    let first = run(&[]);
    assert!(first.contains("55 articles (published)"), "{first}");
    assert!(run(&[]).starts_with("Nothing changed"));
    let not_xml = dir.path().join("export.xml");
    std::fs::write(&not_xml, "{\"json\": true}").expect("write");
    let stderr = refused(
        &[
            "import",
            "wordpress",
            "--config",
            config,
            not_xml.to_str().expect("path"),
        ],
        dir.path(),
    );
    assert!(stderr.contains("not a WordPress export"), "{stderr}");
}

#[tokio::test]
async fn backup_while_serving_and_restore_elsewhere() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("site");
    let (child, address, _) = start(
        broadsheet()
            .args(["demo", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data),
    );
    let archive = dir.path().join("site.tar.gz");
    // Taken while the site serves requests.
    let serving = tokio::spawn({
        let address = address.clone();
        async move {
            for _ in 0..20 {
                assert_eq!(fetch(&format!("{address}/")).await.0, 200);
            }
        }
    });
    let output = broadsheet()
        .args(["backup", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&archive)
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(said.contains("Backed up 33 articles"), "{said}");
    serving.await.expect("reads kept working");
    assert!(stop(child).success());

    let restored = dir.path().join("restored");
    let output = broadsheet()
        .args(["restore", "--data"])
        .arg(&restored)
        .arg(&archive)
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(said.contains("Restored 33 articles"), "{said}");
    // Same media files, byte for byte.
    let original = std::fs::read(data.join("media/river-dawn.jpg")).expect("original");
    let copy = std::fs::read(restored.join("media/river-dawn.jpg")).expect("copy");
    assert_eq!(original, copy);
    // Restoring over a site is refused unless asked for.
    let stderr = refused(
        &[
            "restore",
            "--data",
            restored.to_str().expect("path"),
            archive.to_str().expect("path"),
        ],
        dir.path(),
    );
    assert!(stderr.contains("--force"), "{stderr}");
    let damaged = dir.path().join("damaged.tar.gz");
    let bytes = std::fs::read(&archive).expect("read");
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).expect("write");
    let stderr = refused(
        &[
            "restore",
            "--force",
            "--data",
            restored.to_str().expect("path"),
            damaged.to_str().expect("path"),
        ],
        dir.path(),
    );
    assert!(!stderr.is_empty());

    // The restored site serves the same front page (its config came from the archive's site).
    std::fs::copy(
        data.join("broadsheet.toml"),
        restored.join("broadsheet.toml"),
    )
    .expect("config");
    let (child, address, _) = start(
        broadsheet()
            .env("BROADSHEET_LISTEN", "127.0.0.1:0")
            .args(["serve", "--data"])
            .arg(&restored),
    );
    let (status, home) = fetch(&format!("{address}/")).await;
    assert_eq!(status, 200);
    assert!(home.contains("Upstream dams to release more water"));
    assert!(stop(child).success());
}

#[tokio::test]
async fn backup_and_restore_a_postgresql_site() {
    let Some(url) = broadsheet_storage::testing::fresh_postgres_url("PostgreSQL backup").await
    else {
        return;
    };
    let Some(other) = broadsheet_storage::testing::fresh_postgres_url("PostgreSQL restore").await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("site");
    let (child, address, _) = start(
        broadsheet()
            .env("BROADSHEET_DATABASE_URL", &url)
            .args(["demo", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data),
    );
    let archive = dir.path().join("site.tar.gz");
    let serving = tokio::spawn({
        let address = address.clone();
        async move {
            for _ in 0..20 {
                assert_eq!(fetch(&format!("{address}/")).await.0, 200);
            }
        }
    });
    let output = broadsheet()
        .env("BROADSHEET_DATABASE_URL", &url)
        .args(["backup", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&archive)
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Backed up 33 articles"));
    serving.await.expect("reads kept working");
    assert!(stop(child).success());

    let restored = dir.path().join("restored");
    std::fs::create_dir_all(&restored).expect("dir");
    let restore = |database: &str, force: bool| {
        let mut command = broadsheet();
        command
            .env("BROADSHEET_DATABASE_URL", database)
            .args(["restore", "--data"])
            .arg(&restored)
            .arg(&archive);
        if force {
            command.arg("--force");
        }
        command.output().expect("run")
    };
    let output = restore(&other, false);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("Restored 33 articles"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // A database that holds a site is replaced only when asked, and then completely.
    let output = restore(&other, false);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--force"));
    let output = restore(&other, true);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A PostgreSQL backup does not go into a SQLite site, and says why.
    let sqlite = format!("sqlite://{}", dir.path().join("other.db").display());
    let output = restore(&sqlite, false);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("holds a PostgreSQL database"), "{stderr}");

    let original = std::fs::read(data.join("media/river-dawn.jpg")).expect("original");
    let copy = std::fs::read(restored.join("media/river-dawn.jpg")).expect("copy");
    assert_eq!(original, copy);
    std::fs::copy(
        data.join("broadsheet.toml"),
        restored.join("broadsheet.toml"),
    )
    .expect("config");
    let (child, address, _) = start(
        broadsheet()
            .env("BROADSHEET_DATABASE_URL", &other)
            .env("BROADSHEET_LISTEN", "127.0.0.1:0")
            .args(["serve", "--data"])
            .arg(&restored),
    );
    let (status, home) = fetch(&format!("{address}/")).await;
    assert_eq!(status, 200);
    assert!(home.contains("Upstream dams to release more water"));
    let (status, _) = fetch(&format!("{address}/newsroom/login")).await;
    assert_eq!(status, 200);
    assert!(stop(child).success());
}
