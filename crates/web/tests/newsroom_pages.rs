//! The newsroom's HTML side over real HTTP: logging in and out, throttling, sessions that
//! end, CSRF on forms, and forms that give back every word typed when a save is refused.

mod common;

use broadsheet_domain::Role;
use common::{Account, Site};
use reqwest::{header, StatusCode};

async fn login(site: &Site, account: &Account, password: &str) -> reqwest::Response {
    site.client
        .post(format!("{}/newsroom/login", site.base))
        .form(&[("email", account.email.as_str()), ("password", password)])
        .send()
        .await
        .expect("login")
}

async fn session(site: &Site, account: &Account) -> String {
    let response = login(site, account, &account.password).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/newsroom");
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    // Served over plain HTTP on 127.0.0.1, so not marked Secure; a public host would be.
    assert!(!cookie.contains("Secure"));
    cookie.split(';').next().expect("pair").to_owned()
}

async fn get(site: &Site, path: &str, cookie: &str) -> (StatusCode, String) {
    let response = site
        .client
        .get(format!("{}{path}", site.base))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .expect("get");
    (response.status(), response.text().await.expect("body"))
}

fn csrf_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("meta[name=csrf-token]").expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|m| m.value().attr("content"))
        .expect("a CSRF token in the page")
        .to_owned()
}

fn article_form(csrf: &str, headline: &str, body: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("csrf", csrf.to_owned())
        .text("headline", headline.to_owned())
        .text("body", body.to_owned())
        .text("section", "culture")
        .text("language", "en")
        .text("revision", "")
}

#[tokio::test]
async fn logging_in_and_out() {
    let site = common::start(None).await;
    let author = site.account(Role::Author, "Door Keeper").await;
    // Without a session the newsroom sends readers to the login form, remembering where.
    let response = site.get("/newsroom/articles/new").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/newsroom/login?next=%2Fnewsroom%2Farticles%2Fnew"
    );
    let form = site.get("/newsroom/login").await;
    assert_eq!(form.headers()[header::CACHE_CONTROL], "no-store");
    assert!(form.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .is_ok_and(|p| p.contains("script-src 'self'")));
    let html = form.text().await.expect("form");
    assert!(html.contains("name=\"email\"") && html.contains("name=\"password\""));

    let wrong = login(&site, &author, "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(header::SET_COOKIE).is_none());
    let text = wrong.text().await.expect("page");
    assert!(text.contains("Wrong email or password"));
    assert!(text.contains(&author.email), "the email stays in the form");

    // Each login gets a new session id.
    let first = session(&site, &author).await;
    let second = session(&site, &author).await;
    assert_ne!(first, second);
    let (status, page) = get(&site, "/newsroom", &second).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Door Keeper"));
    // A login link cannot send anyone off the site afterwards.
    let response = site
        .client
        .post(format!("{}/newsroom/login", site.base))
        .form(&[
            ("email", author.email.as_str()),
            ("password", author.password.as_str()),
            ("next", "//evil.example/newsroom"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(response.headers()[header::LOCATION], "/newsroom");

    // Logging out needs the form's token, then ends the session for good.
    let csrf = csrf_of(&page);
    let refused = site
        .client
        .post(format!("{}/newsroom/logout", site.base))
        .header(header::COOKIE, &second)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .expect("logout");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let out = site
        .client
        .post(format!("{}/newsroom/logout", site.base))
        .header(header::COOKIE, &second)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(out.headers()[header::SET_COOKIE]
        .to_str()
        .is_ok_and(|c| c.contains("Max-Age=0")));
    let (status, _) = get(&site, "/newsroom", &second).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the old cookie opens nothing"
    );
    let (status, _) = get(&site, "/newsroom", &first).await;
    assert_eq!(status, StatusCode::OK, "other sessions are unaffected");
}

#[tokio::test]
async fn guessing_passwords_is_throttled() {
    let site = common::start(None).await;
    let target = site.account(Role::Admin, "Guarded Admin").await;
    for _ in 0..5 {
        assert_eq!(
            login(&site, &target, "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits now, so guessing gains nothing.
    let blocked = login(&site, &target, &target.password).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked
        .text()
        .await
        .expect("page")
        .contains("Too many failed logins"));
    // Another account is not locked out by it.
    let other = site.account(Role::Author, "Unrelated Author").await;
    session(&site, &other).await;
}

#[tokio::test]
async fn refused_saves_give_back_every_word() {
    let site = common::start(None).await;
    let writer = site.account(Role::Contributor, "Keeps Words").await;
    let cookie = session(&site, &writer).await;
    let (_, page) = get(&site, "/newsroom/articles/new", &cookie).await;
    let csrf = csrf_of(&page);
    let body = "A paragraph nobody wants to type twice.";

    // No valid CSRF token: not saved, but the form comes back with the text.
    let response = site
        .client
        .post(format!("{}/newsroom/articles", site.base))
        .header(header::COOKIE, &cookie)
        .multipart(article_form("forged", "Kept headline", body))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.expect("page");
    assert!(html.contains("Kept headline") && html.contains(body));
    assert!(html.contains("did not come from this site"));

    // The session ended meanwhile: the same.
    let response = site
        .client
        .post(format!("{}/newsroom/articles", site.base))
        .header(header::COOKIE, "bs_session=expired-or-unknown")
        .multipart(article_form(&csrf, "Kept headline", body))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let html = response.text().await.expect("page");
    assert!(html.contains("Kept headline") && html.contains(body));
    assert!(html.contains("session has ended"));

    // An unknown section and an oversized body: the message names the problem.
    let response = site
        .client
        .post(format!("{}/newsroom/articles", site.base))
        .header(header::COOKIE, &cookie)
        .multipart(article_form(&csrf, "Kept headline", body).text("section", "nowhere"))
        .send()
        .await
        .expect("post");
    // The later "section" field wins in a form; the message names the section.
    let status = response.status();
    let html = response.text().await.expect("page");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("there is no section") && html.contains(body));
    let huge = "x".repeat(5 * 1024 * 1024);
    let response = site
        .client
        .post(format!("{}/newsroom/articles", site.base))
        .header(header::COOKIE, &cookie)
        .multipart(article_form(&csrf, "A 5 MB story", &huge))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("page");
    assert!(html.contains("larger than 2 MiB"));
    assert!(html.contains("A 5 MB story"));

    // With everything right it saves, and the draft is nobody's news yet.
    let response = site
        .client
        .post(format!("{}/newsroom/articles", site.base))
        .header(header::COOKIE, &cookie)
        .multipart(article_form(&csrf, "Kept headline", body))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.ends_with("?done=created"), "{location}");
    let edit = location.trim_end_matches("?done=created");
    let (status, html) = get(&site, edit, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(body));

    // Its preview is the reader's page, before anyone can read it.
    let (status, preview) = get(&site, &format!("{edit}/preview"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(preview.contains("<h1>Kept headline</h1>"));
    assert!(preview.contains("class=\"story-header\""));

    // A stale revision: refused, text kept, and the form points at the newer version.
    let stale = |text: &str| {
        article_form(&csrf, "Kept headline", text)
            .text("revision", "1")
            .text("section", "culture")
    };
    let first = site
        .client
        .post(format!("{}{edit}", site.base))
        .header(header::COOKIE, &cookie)
        .multipart(stale("Version one of the edit."))
        .send()
        .await
        .expect("post");
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let second = site
        .client
        .post(format!("{}{edit}", site.base))
        .header(header::COOKIE, &cookie)
        .multipart(stale("Version two, typed at the same time."))
        .send()
        .await
        .expect("post");
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let html = second.text().await.expect("page");
    assert!(html.contains("Version two, typed at the same time."));
    assert!(html.contains("Someone else saved this article"));

    // The history shows both saves and the difference between them.
    let (status, history) = get(&site, &format!("{edit}/revisions?from=1&to=2"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let doc = scraper::Html::parse_document(&history);
    let sel = scraper::Selector::parse("pre.diff .added").expect("selector");
    let added: Vec<String> = doc.select(&sel).map(|e| e.text().collect()).collect();
    assert!(
        added.iter().any(|l| l.contains("Version one of the edit.")),
        "{added:?}"
    );
}

#[tokio::test]
async fn pages_check_the_role_too() {
    let site = common::start(None).await;
    let contributor = site.account(Role::Contributor, "Low Rank").await;
    let cookie = session(&site, &contributor).await;
    let (_, page) = get(&site, "/newsroom", &cookie).await;
    // The navigation hides what the role may not do ...
    assert!(!page.contains("href=\"/newsroom/users\""));
    assert!(!page.contains("href=\"/newsroom/sections\""));
    // ... and the server forbids it as well.
    for path in [
        "/newsroom/users",
        "/newsroom/sections",
        "/newsroom/collections",
    ] {
        let (status, _) = get(&site, path, &cookie).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let csrf = csrf_of(&page);
    let response = site
        .client
        .post(format!("{}/newsroom/sections", site.base))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str()), ("name", "Sneaky")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(site.get("/sneaky").await.status(), StatusCode::NOT_FOUND);

    let admin = site.account(Role::Admin, "High Rank").await;
    let cookie = session(&site, &admin).await;
    for path in [
        "/newsroom/users",
        "/newsroom/sections",
        "/newsroom/collections",
        "/newsroom/media",
        "/newsroom/account",
    ] {
        let (status, _) = get(&site, path, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn the_newsroom_is_not_served_on_mirrors() {
    let site = common::start(None).await;
    for host in [
        "meridian-mirror.example",
        "mrdnldgr7x2k4q5w6e3r2t7y4u5i6o7p2a3s4d5f6g7h2j3k4l5z6x7c.onion",
    ] {
        for path in ["/newsroom/login", "/api/admin/me"] {
            let response = site
                .client
                .get(format!("{}{path}", site.base))
                .header(header::HOST, host)
                .send()
                .await
                .expect("get");
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{host}{path}");
        }
    }
    let primary = site
        .client
        .get(format!("{}/newsroom/login", site.base))
        .header(header::HOST, "meridian-ledger.example")
        .send()
        .await
        .expect("get");
    assert_eq!(primary.status(), StatusCode::OK);
}

#[tokio::test]
async fn admins_manage_addresses_and_webhooks_in_the_newsroom() {
    let site = common::start(None).await;
    let editor = site.account(Role::Editor, "Not Admin").await;
    let cookie = session(&site, &editor).await;
    for path in ["/newsroom/addresses", "/newsroom/webhooks"] {
        let (status, _) = get(&site, path, &cookie).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let admin = site.account(Role::Admin, "Real Admin").await;
    let cookie = session(&site, &admin).await;
    let (status, page) = get(&site, "/newsroom/addresses", &cookie).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("meridian-mirror.example") && page.contains("never checked"));
    let manifest: serde_json::Value = site
        .get("/.well-known/broadsheet-mirrors.json")
        .await
        .json()
        .await
        .expect("manifest");
    let serial = manifest["manifest"]["serial"].as_i64().expect("serial");
    let response = site
        .client
        .post(format!("{}/newsroom/addresses", site.base))
        .header(header::COOKIE, &cookie)
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("host", "meridian-mirror.example"),
            ("state", "blocked"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .text()
        .await
        .expect("page")
        .contains("is now blocked"));
    let manifest: serde_json::Value = site
        .get("/.well-known/broadsheet-mirrors.json")
        .await
        .json()
        .await
        .expect("manifest");
    assert!(manifest["manifest"]["serial"].as_i64().expect("serial") > serial);
    assert!(manifest.to_string().contains("blocked"));

    let (_, page) = get(&site, "/newsroom/webhooks", &cookie).await;
    let response = site
        .client
        .post(format!("{}/newsroom/webhooks", site.base))
        .header(header::COOKIE, &cookie)
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("url", "https://partner.example/in"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    let page = scraper::Html::parse_document(&response.text().await.expect("page"));
    let text: String = page.root_element().text().collect();
    assert!(text.contains("Added https://partner.example/in"), "{text}");
}

#[tokio::test]
async fn headers_guard_the_newsroom_and_https_hosts() {
    let site = common::start(None).await;
    let newsroom = site.get("/newsroom/login").await;
    assert_eq!(newsroom.headers()["x-frame-options"], "DENY");
    assert!(newsroom.headers()["content-security-policy"]
        .to_str()
        .is_ok_and(|p| p.contains("frame-ancestors 'none'")));
    // HSTS on the site's HTTPS addresses, not on the onion service or a local address.
    let on = |host: &'static str| {
        site.client
            .get(format!("{}/", site.base))
            .header(header::HOST, host)
            .send()
    };
    let primary = on("meridian-ledger.example").await.expect("get");
    assert_eq!(
        primary.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let onion = on("mrdnldgr7x2k4q5w6e3r2t7y4u5i6o7p2a3s4d5f6g7h2j3k4l5z6x7c.onion")
        .await
        .expect("get");
    assert!(onion.headers().get("strict-transport-security").is_none());
    assert!(site
        .get("/")
        .await
        .headers()
        .get("strict-transport-security")
        .is_none());
}

#[tokio::test]
async fn editors_programme_video_in_the_newsroom() {
    let site = common::start(None).await;
    let author = site.account(Role::Author, "Just Author").await;
    let cookie = session(&site, &author).await;
    let (status, _) = get(&site, "/newsroom/videos", &cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let editor = site.account(Role::Editor, "Video Editor").await;
    let cookie = session(&site, &editor).await;
    let (status, page) = get(&site, "/newsroom/videos", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ferries return to Port Aldane") && page.contains("live"));
    let csrf = csrf_of(&page);
    let post = |path: &str, fields: Vec<(&str, &str)>| {
        site.client
            .post(format!("{}{path}", site.base))
            .header(header::COOKIE, &cookie)
            .form(&fields)
            .send()
    };
    // Without the form's token nothing is saved.
    let response = post(
        "/newsroom/videos",
        vec![
            ("title", "Forged"),
            ("mp4_url", "/media/x.mp4"),
            ("duration_seconds", "3"),
        ],
    )
    .await
    .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A refused save shows the error and keeps every field typed.
    let response = post(
        "/newsroom/videos",
        vec![
            ("csrf", &csrf),
            ("title", "Harbour at night"),
            ("description", "Lights on the water, described at length."),
            ("mp4_url", "javascript:alert(1)"),
            ("duration_seconds", "42"),
        ],
    )
    .await
    .expect("post");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.expect("page");
    assert!(page.contains("mp4_url"), "{page}");
    assert!(page.contains("Lights on the water, described at length."));
    assert!(page.contains("value=\"42\""));
    let response = post(
        "/newsroom/videos",
        vec![
            ("csrf", &csrf),
            ("title", "Harbour at night"),
            ("mp4_url", "/media/harbour-clip.mp4"),
            ("duration_seconds", "6"),
            ("published", "1"),
        ],
    )
    .await
    .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .text()
        .await
        .expect("page")
        .contains("Created Harbour at night."));
    assert_eq!(
        site.get("/video/harbour-at-night").await.status(),
        StatusCode::OK
    );
    let roku: serde_json::Value = site.get("/tv/roku.json").await.json().await.expect("JSON");
    assert!(roku.to_string().contains("Harbour at night"));

    // Taking it off the site: the page and the feed entry go at once.
    let id = site
        .store
        .all_videos()
        .await
        .expect("videos")
        .into_iter()
        .find(|v| v.title == "Harbour at night")
        .expect("saved")
        .id;
    let (status, page) = get(&site, &format!("/newsroom/videos/{id}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Edit video"));
    let response = post(
        &format!("/newsroom/videos/{id}"),
        vec![
            ("csrf", &csrf),
            ("title", "Harbour at night"),
            ("mp4_url", "/media/harbour-clip.mp4"),
            ("duration_seconds", "6"),
        ],
    )
    .await
    .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        site.get("/video/harbour-at-night").await.status(),
        StatusCode::NOT_FOUND
    );
    let roku: serde_json::Value = site.get("/tv/roku.json").await.json().await.expect("JSON");
    assert!(!roku.to_string().contains("Harbour at night"));
}

#[tokio::test]
async fn admins_add_an_address_while_the_site_runs() {
    let mut settings = broadsheet_demo::settings();
    settings.refuse_unknown_hosts = true;
    // The test talks to the newsroom on 127.0.0.1, so that is the primary here.
    settings.primary_host = "127.0.0.1".into();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    let site = common::start_with(&url, dir, None, settings).await;
    let on_host = |host: &'static str, path: &'static str| {
        site.client
            .get(format!("{}{path}", site.base))
            .header(header::HOST, host)
            .send()
    };
    let fresh = "fresh-mirror.example";
    assert_eq!(
        on_host(fresh, "/").await.expect("get").status(),
        StatusCode::MISDIRECTED_REQUEST
    );
    let admin = site.account(Role::Admin, "Host Admin").await;
    let cookie = session(&site, &admin).await;
    let (_, page) = get(&site, "/newsroom/addresses", &cookie).await;
    let csrf = csrf_of(&page);
    let add = |host: &'static str| {
        site.client
            .post(format!("{}/newsroom/addresses/new", site.base))
            .header(header::COOKIE, &cookie)
            .form(&[("csrf", csrf.as_str()), ("host", host), ("kind", "")])
            .send()
    };
    let response = add("https://bad.example/path").await.expect("post");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = add(fresh).await.expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .text()
        .await
        .expect("page")
        .contains("is now one of the site"));
    // At once: served, in every footer, in the signed list; the newsroom stays off it.
    let home = on_host(fresh, "/").await.expect("get");
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home
        .text()
        .await
        .expect("home")
        .contains("https://fresh-mirror.example"));
    let list: serde_json::Value = site
        .get("/.well-known/broadsheet-mirrors.json")
        .await
        .json()
        .await
        .expect("list");
    assert!(list["manifest"]["addresses"]
        .as_array()
        .expect("addresses")
        .iter()
        .any(|a| a["url"].as_str().is_some_and(|u| u.contains(fresh)) && a["state"] == "active"));
    assert_eq!(
        on_host(fresh, "/newsroom/login")
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    // Adding it twice is refused with a reason.
    let response = add(fresh).await.expect("post");
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // Blocked: still served, no longer offered in the footer; retired: gone.
    for (state, served, listed) in [("blocked", true, false), ("retired", false, false)] {
        let response = site
            .client
            .post(format!("{}/newsroom/addresses", site.base))
            .header(header::COOKIE, &cookie)
            .form(&[("csrf", csrf.as_str()), ("host", fresh), ("state", state)])
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::OK);
        let home = site.get("/").await.text().await.expect("home");
        assert_eq!(
            home.contains("https://fresh-mirror.example"),
            listed,
            "{state}"
        );
        let status = on_host(fresh, "/").await.expect("get").status();
        assert_eq!(status == StatusCode::OK, served, "{state}: {status}");
    }
}
