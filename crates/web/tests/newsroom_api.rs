//! The Admin API over real HTTP: every role against every action, the workflow and what
//! readers see after each step, optimistic concurrency, corrections, revisions, uploads,
//! curation and bad input.

mod common;

use broadsheet_domain::Role;
use common::{Account, Site};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, value)
}

fn story(headline: &str) -> Value {
    json!({
        "headline": headline,
        "standfirst": "What happened, in one sentence.",
        "body": "The first paragraph.\n\nThe second paragraph, with **emphasis**.",
        "section": "news/middle-east",
        "language": "en",
        "tags": ["Water", "Cities"],
        "bylines": ["Staff and agencies"],
    })
}

async fn create(site: &Site, who: &Account, headline: &str) -> Value {
    let (status, article) = send(
        site.admin(Method::POST, "/articles", who)
            .json(&story(headline)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{article}");
    article
}

async fn act(site: &Site, who: &Account, id: &Value, action: &str) -> (StatusCode, Value) {
    send(site.admin(Method::POST, &format!("/articles/{id}/{action}"), who)).await
}

fn path_of(article: &Value) -> String {
    article["path"].as_str().expect("path").to_owned()
}

/// Every role against every action; the expected answers are written out, not derived
/// from the permission code under test.
#[tokio::test]
async fn every_role_against_every_action() {
    let site = common::start(None).await;
    let owner = site.account(Role::Author, "Other Writer").await;
    let roles = [
        (Role::Contributor, "Cora"),
        (Role::Author, "Aldo"),
        (Role::Editor, "Edda"),
        (Role::Admin, "Adam"),
    ];
    // (action, [contributor, author, editor, admin]): true = allowed.
    let mut seen = Vec::new();
    for (role, name) in roles {
        let me = site.account(role, name).await;
        let mut outcome = |action: &'static str, status: StatusCode, body: &Value| {
            assert!(
                status.is_success() || status == StatusCode::FORBIDDEN,
                "{role:?} {action}: unexpected {status} {body}"
            );
            if status == StatusCode::FORBIDDEN {
                assert_eq!(body["error"]["code"], "forbidden", "{role:?} {action}");
            }
            seen.push((action, role, status.is_success()));
        };

        // Their own article, from draft to published.
        let (s, mine) = send(
            site.admin(Method::POST, "/articles", &me)
                .json(&story(&format!("{name} writes"))),
        )
        .await;
        outcome("create", s, &mine);
        let id = mine["id"].clone();
        let mut edit = story(&format!("{name} rewrites"));
        edit["revision"] = mine["revision"].clone();
        let (s, b) = send(
            site.admin(Method::PUT, &format!("/articles/{id}"), &me)
                .json(&edit),
        )
        .await;
        outcome("edit own", s, &b);
        let (s, b) = act(&site, &me, &id, "submit").await;
        outcome("submit own", s, &b);
        let (s, b) = act(&site, &me, &id, "publish").await;
        outcome("publish own", s, &b);

        // Someone else's article.
        let theirs = create(&site, &owner, &format!("Written for {name}")).await;
        let their_id = theirs["id"].clone();
        let mut edit = story("Changed by someone else");
        edit["revision"] = theirs["revision"].clone();
        let (s, b) = send(
            site.admin(Method::PUT, &format!("/articles/{their_id}"), &me)
                .json(&edit),
        )
        .await;
        outcome("edit other's", s, &b);
        let (s, b) = send(site.admin(
            Method::POST,
            &format!("/articles/{their_id}/revisions/1/restore"),
            &me,
        ))
        .await;
        outcome("restore other's", s, &b);
        let (s, b) = act(&site, &me, &their_id, "publish").await;
        outcome("publish other's", s, &b);
        // Make sure it is live for the next two, whoever could not publish it.
        if !s.is_success() {
            let (s, _) = act(&site, &owner, &their_id, "publish").await;
            assert_eq!(s, StatusCode::OK);
        }
        let (s, b) = send(
            site.admin(
                Method::POST,
                &format!("/articles/{their_id}/corrections"),
                &me,
            )
            .json(&json!({ "note": "An earlier version misspelt a name." })),
        )
        .await;
        outcome("correct", s, &b);
        let (s, b) = act(&site, &me, &their_id, "unpublish").await;
        outcome("unpublish other's", s, &b);

        // Pictures, curation, accounts.
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(png(40, 30)).file_name("chart.png"),
            )
            .text("caption", "A chart");
        let (s, b) = send(site.admin(Method::POST, "/media", &me).multipart(form)).await;
        outcome("upload", s, &b);
        let (s, b) = send(
            site.admin(Method::POST, "/sections", &me)
                .json(&json!({ "name": format!("Desk of {name}"), "parent": "news" })),
        )
        .await;
        outcome("create section", s, &b);
        let (s, b) = send(
            site.admin(Method::PUT, "/collections/editors-choice", &me)
                .json(&json!({ "name": "Editor's Choice", "article_ids": [their_id] })),
        )
        .await;
        outcome("curate collection", s, &b);
        let (s, b) = send(site.admin(Method::POST, "/videos", &me).json(&json!({
            "title": format!("Clip by {name}"),
            "mp4_url": "/media/harbour-clip.mp4",
            "duration_seconds": 6,
            "published": true,
        })))
        .await;
        outcome("programme video", s, &b);
        let (s, b) = send(site.admin(Method::GET, "/users", &me)).await;
        outcome("list users", s, &b);
        let (s, b) = send(site.admin(Method::POST, "/users", &me).json(&json!({
            "email": format!("new.{}@newsroom.example", name.to_lowercase()),
            "name": "New Hire",
            "role": "contributor",
        })))
        .await;
        outcome("add user", s, &b);
    }

    let expected: &[(&str, [bool; 4])] = &[
        ("create", [true, true, true, true]),
        ("edit own", [true, true, true, true]),
        ("submit own", [true, true, true, true]),
        ("publish own", [false, true, true, true]),
        ("edit other's", [false, false, true, true]),
        ("restore other's", [false, false, true, true]),
        ("publish other's", [false, false, true, true]),
        ("correct", [false, false, true, true]),
        ("unpublish other's", [false, false, true, true]),
        ("upload", [true, true, true, true]),
        ("create section", [false, false, true, true]),
        ("curate collection", [false, false, true, true]),
        ("programme video", [false, false, true, true]),
        ("list users", [false, false, false, true]),
        ("add user", [false, false, false, true]),
    ];
    for (action, allowed) in expected {
        for (i, (role, _)) in roles.iter().enumerate() {
            let got = seen
                .iter()
                .find(|(a, r, _)| a == action && r == role)
                .map(|(_, _, ok)| *ok);
            assert_eq!(got, Some(allowed[i]), "{role:?} may {action}?");
        }
    }
    assert_eq!(seen.len(), expected.len() * roles.len());
}

#[tokio::test]
async fn anonymous_and_forged_requests_are_refused() {
    let site = common::start(None).await;
    let (status, body) = send(site.client.get(format!("{}/api/admin/articles", site.base))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
    let (status, _) = send(
        site.client
            .get(format!("{}/api/admin/articles", site.base))
            .bearer_auth("not-a-token"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A browser session without the CSRF header cannot write.
    let editor = site.account(Role::Editor, "Session Editor").await;
    let cookie = login(&site, &editor).await;
    let (status, body) = send(
        site.client
            .post(format!("{}/api/admin/articles", site.base))
            .header("cookie", &cookie)
            .json(&story("Forged")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "csrf_token_invalid");
    // With it, it can.
    let (_, me) = send(
        site.client
            .get(format!("{}/api/admin/me", site.base))
            .header("cookie", &cookie),
    )
    .await;
    let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();
    assert!(csrf.len() >= 32);
    let (status, _) = send(
        site.client
            .post(format!("{}/api/admin/articles", site.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", csrf)
            .json(&story("Genuine")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

/// Logs in through the form and returns the session cookie (`name=value`).
pub async fn login(site: &Site, account: &Account) -> String {
    let response = site
        .client
        .post(format!("{}/newsroom/login", site.base))
        .form(&[
            ("email", account.email.as_str()),
            ("password", account.password.as_str()),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login refused");
    let set = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().expect("cookie").to_owned()
}

#[tokio::test]
async fn readers_see_each_step_on_the_next_request() {
    let site = common::start(None).await;
    let writer = site.account(Role::Contributor, "Writer One").await;
    let editor = site.account(Role::Editor, "Editor One").await;
    let article = create(&site, &writer, "Floodgates open above the old harbour").await;
    assert!(article["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://meridian-ledger.example/news/middle-east/")));
    assert_eq!(article["status"], "draft");
    let id = article["id"].clone();
    // Warm the cache with pages that will change.
    let home = site.get("/").await.text().await.expect("home");
    assert!(!home.contains("Floodgates open"));
    assert_eq!(
        site.get(&path_of(&article)).await.status(),
        StatusCode::NOT_FOUND
    );

    let (status, _) = act(&site, &writer, &id, "submit").await;
    assert_eq!(status, StatusCode::OK);
    let (status, published) = act(&site, &editor, &id, "publish").await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["status"], "published");
    let path = path_of(&published);
    let page = site.get(&path).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("page");
    assert!(html.contains("Floodgates open above the old harbour"));
    for listing in ["/", "/news", "/news/middle-east", "/tag/water"] {
        let text = site.get(listing).await.text().await.expect("listing");
        assert!(text.contains("Floodgates open"), "{listing} is stale");
    }

    // An update shows at once, on the article and the listings.
    let mut edit = story("Floodgates close again above the old harbour");
    edit["revision"] = published["revision"].clone();
    let (status, updated) = send(
        site.admin(Method::PUT, &format!("/articles/{id}"), &editor)
            .json(&edit),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let html = site.get(&path).await.text().await.expect("page");
    assert!(html.contains("Floodgates close again"));
    assert!(site
        .get("/news")
        .await
        .text()
        .await
        .expect("section")
        .contains("Floodgates close again"));

    // A correction is shown on the page and kept in the history.
    let (status, _) = send(
        site.admin(
            Method::POST,
            &format!("/articles/{id}/corrections"),
            &editor,
        )
        .json(
            &json!({ "note": "This article first gave the wrong year for the harbour's opening." }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let html = site.get(&path).await.text().await.expect("page");
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse(".corrections li").expect("selector");
    let notes: Vec<String> = doc.select(&sel).map(|e| e.text().collect()).collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("wrong year"), "{notes:?}");
    let (_, history) =
        send(site.admin(Method::GET, &format!("/articles/{id}/revisions"), &editor)).await;
    let notes: Vec<&str> = history["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .filter_map(|r| r["note"].as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with("Correction: ")),
        "{notes:?}"
    );
    assert!(notes.contains(&"Published") && notes.contains(&"Sent for review"));

    // Unpublished: gone from the page and the listings at once.
    let (status, _) = act(&site, &editor, &id, "unpublish").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(site.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert!(!site
        .get("/")
        .await
        .text()
        .await
        .expect("home")
        .contains("Floodgates close again"));
}

#[tokio::test]
async fn a_stale_save_is_refused_and_nothing_is_overwritten() {
    let site = common::start(None).await;
    let editor = site.account(Role::Editor, "First Editor").await;
    let other = site.account(Role::Editor, "Second Editor").await;
    let article = create(&site, &editor, "Two editors, one story").await;
    let id = article["id"].clone();
    let mut first = story("Two editors, one story");
    first["body"] = json!("The first editor's version.");
    first["revision"] = article["revision"].clone();
    let mut second = first.clone();
    second["body"] = json!("The second editor's version.");
    let (status, _) = send(
        site.admin(Method::PUT, &format!("/articles/{id}"), &editor)
            .json(&first),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = send(
        site.admin(Method::PUT, &format!("/articles/{id}"), &other)
            .json(&second),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["error"]["code"], "conflict");
    assert_eq!(refused["error"]["current_revision"], 2);
    let (_, stored) = send(site.admin(Method::GET, &format!("/articles/{id}"), &other)).await;
    assert_eq!(stored["body"], "The first editor's version.");
    // A save without a base revision is refused too, not applied blindly.
    second.as_object_mut().expect("object").remove("revision");
    let (status, body) = send(
        site.admin(Method::PUT, &format!("/articles/{id}"), &other)
            .json(&second),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "revision");

    // Restoring revision 1 brings its text back as a new revision.
    let (status, restored) = send(site.admin(
        Method::POST,
        &format!("/articles/{id}/revisions/1/restore"),
        &other,
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["revision"], 3);
    assert_eq!(restored["body"], article["body"]);
}

#[tokio::test]
async fn bad_input_gets_clear_errors() {
    let site = common::start(None).await;
    let writer = site.account(Role::Author, "Careful Writer").await;
    let post = |body: reqwest::Body| {
        site.admin(Method::POST, "/articles", &writer)
            .header("content-type", "application/json")
            .body(body)
    };
    let (status, body) = send(post("{\"headline\": ".into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "json");
    let mut unknown = story("Nowhere to go");
    unknown["section"] = json!("news/atlantis");
    let (status, body) = send(post(unknown.to_string().into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "section");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("atlantis")));
    let mut huge = story("A very long story");
    huge["body"] = json!("word ".repeat(1_000_000));
    let (status, body) = send(post(huge.to_string().into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "body");
    let mut empty = story("");
    empty["headline"] = json!("   ");
    let (status, body) = send(post(empty.to_string().into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "headline");

    // The same headline on the same day gets a numbered address, not an error.
    let first = create(&site, &writer, "Same headline twice").await;
    let second = create(&site, &writer, "Same headline twice").await;
    assert_ne!(first["path"], second["path"]);
    assert!(path_of(&second).ends_with("/same-headline-twice-2"));

    // Uploads: not an image, a lying file name, a decompression bomb.
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        site.admin(Method::POST, "/media", &writer).multipart(form)
    };
    let (status, body) = send(upload(b"%PDF-1.7 not a picture".to_vec(), "photo.jpg")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    let (status, body) = send(upload(bomb_png(30_000, 30_000), "small.png")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "too_large");
    let (status, _) = send(upload(Vec::new(), "empty.png")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing was lost: the articles are still there.
    let (_, list) = send(site.admin(Method::GET, "/articles?owner=me", &writer)).await;
    assert_eq!(list["articles"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn uploads_are_resized_and_stripped_of_metadata() {
    let site = common::start(None).await;
    let writer = site.account(Role::Author, "Photo Desk").await;
    let photo = jpeg_with_gps(1200, 800);
    assert!(photo.windows(10).any(|w| w == b"SECRET-GPS"));
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(photo).file_name("IMG_0042.JPG"),
        )
        .text("alt", "Fishing boats tied up at dawn")
        .text("caption", "Boats wait out the storm in the old harbour.")
        .text("credit", "Photo: Leila Farahani")
        .text("file_photo", "true");
    let (status, media) = send(site.admin(Method::POST, "/media", &writer).multipart(form)).await;
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!(media["width"], 1200);
    assert_eq!(media["mime"], "image/jpeg");
    let widths: Vec<u64> = media["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .filter_map(|v| v["width"].as_u64())
        .collect();
    assert_eq!(widths, vec![320, 640, 1024]);
    for url in std::iter::once(media["url"].as_str().expect("url").to_owned()).chain(
        media["variants"]
            .as_array()
            .expect("variants")
            .iter()
            .map(|v| v["url"].as_str().expect("url").to_owned()),
    ) {
        let response = site.get(&url).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let bytes = response.bytes().await.expect("image");
        assert!(
            !bytes.windows(10).any(|w| w == b"SECRET-GPS"),
            "{url} leaks EXIF"
        );
        assert!(
            !bytes.windows(6).any(|w| w == b"Exif\0\0"),
            "{url} keeps EXIF"
        );
        let decoded = image::load_from_memory(&bytes).expect("a real image");
        assert!(decoded.width() <= 1200);
    }

    // Used as a lead image, the page offers the sizes with srcset.
    let mut lead = story("Storm keeps the fleet in port");
    lead["lead_media_id"] = media["id"].clone();
    let (_, article) = send(site.admin(Method::POST, "/articles", &writer).json(&lead)).await;
    let (status, published) = act(&site, &writer, &article["id"], "publish").await;
    assert_eq!(status, StatusCode::OK);
    let html = site
        .get(&path_of(&published))
        .await
        .text()
        .await
        .expect("page");
    let doc = scraper::Html::parse_document(&html);
    let img = doc
        .select(&scraper::Selector::parse(".lead-figure img").expect("selector"))
        .next()
        .expect("lead image");
    let srcset = img.value().attr("srcset").expect("srcset");
    assert!(
        srcset.contains(" 320w") && srcset.contains(" 1200w"),
        "{srcset}"
    );
    assert!(img.value().attr("sizes").is_some());
    assert_eq!(
        img.value().attr("alt"),
        Some("Fishing boats tied up at dawn")
    );
    let caption: String = doc
        .select(&scraper::Selector::parse(".lead-figure figcaption").expect("selector"))
        .next()
        .expect("caption")
        .text()
        .collect();
    assert!(caption.contains("Boats wait out the storm") && caption.contains("Leila Farahani"));
    assert!(caption.contains("File photo"));

    // A flat graphic as PNG also gets WebP copies, because they are smaller.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png(900, 500)).file_name("chart.png"),
    );
    let (_, chart) = send(site.admin(Method::POST, "/media", &writer).multipart(form)).await;
    let webp = chart["variants"][0]["webp_url"]
        .as_str()
        .expect("a WebP copy");
    let response = site.get(webp).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/webp");

    // The library finds it by its caption.
    let (_, library) = send(site.admin(Method::GET, "/media?q=farahani", &writer)).await;
    assert_eq!(library["media"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn scheduled_articles_go_out_when_due() {
    let site = common::start(None).await;
    let editor = site.account(Role::Editor, "Night Editor").await;
    let article = create(&site, &editor, "Embargoed report on the river").await;
    let at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let (status, scheduled) = send(
        site.admin(
            Method::POST,
            &format!("/articles/{}/publish", article["id"]),
            &editor,
        )
        .json(&json!({ "at": at.to_rfc3339() })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scheduled}");
    assert_eq!(scheduled["status"], "scheduled");
    let path = path_of(&scheduled);
    assert_eq!(site.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        broadsheet_web::newsroom::scheduler::publish_due(&site.app).await,
        0
    );
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    broadsheet_web::newsroom::scheduler::publish_due(&site.app).await;
    assert_eq!(site.get(&path).await.status(), StatusCode::OK);
    let (_, stored) = send(site.admin(
        Method::GET,
        &format!("/articles/{}", article["id"]),
        &editor,
    ))
    .await;
    assert_eq!(stored["status"], "published");
}

#[tokio::test]
async fn editors_curate_sections_and_collections() {
    let site = common::start(None).await;
    let editor = site.account(Role::Editor, "Section Editor").await;
    let (status, section) = send(site.admin(Method::POST, "/sections", &editor).json(
        &json!({ "name": "Climate", "parent": "news", "description": "Heat, water, weather." }),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{section}");
    assert_eq!(site.get("/news/climate").await.status(), StatusCode::OK);
    let mut input = story("Heatwave tests the grid");
    input["section"] = json!("news/climate");
    let article = create(&site, &editor, "placeholder").await;
    let mut edit = input.clone();
    edit["revision"] = article["revision"].clone();
    send(
        site.admin(
            Method::PUT,
            &format!("/articles/{}", article["id"]),
            &editor,
        )
        .json(&edit),
    )
    .await;
    let (_, published) = act(&site, &editor, &article["id"], "publish").await;
    let old_path = path_of(&published);
    assert!(old_path.starts_with("/news/climate/"), "{old_path}");

    // Renamed and moved to the top level: its articles move, old addresses redirect.
    let (status, moved) = send(
        site.admin(
            Method::PUT,
            &format!("/sections/{}", section["id"]),
            &editor,
        )
        .json(&json!({ "name": "Climate desk", "slug": "climate" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let response = site.get(&old_path).await;
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.contains("/climate/20"), "{location}");
    let nav = site.get("/").await.text().await.expect("home");
    assert!(nav.contains("Climate desk"));
    // A section cannot go inside itself.
    let (status, _) = send(
        site.admin(
            Method::PUT,
            &format!("/sections/{}", section["id"]),
            &editor,
        )
        .json(&json!({ "name": "Loop", "slug": "climate", "parent": "climate" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The collection order is the home page's order, on the next request.
    let (_, current) = send(site.admin(Method::GET, "/collections/editors-choice", &editor)).await;
    let mut ids: Vec<Value> = current["article_ids"].as_array().expect("ids").clone();
    ids.insert(0, published["id"].clone());
    let (status, _) = send(
        site.admin(Method::PUT, "/collections/editors-choice", &editor)
            .json(&json!({ "name": "Editor's Choice", "article_ids": ids })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let home = site.get("/").await.text().await.expect("home");
    let doc = scraper::Html::parse_document(&home);
    let first: String = doc
        .select(
            &scraper::Selector::parse("#editors-choice ~ ol a, [aria-labelledby=editors-choice] a")
                .expect("selector"),
        )
        .next()
        .map(|a| a.text().collect())
        .unwrap_or_default();
    assert!(
        first.contains("Heatwave tests the grid"),
        "first pick was {first:?}"
    );
}

#[tokio::test]
async fn accounts_change_passwords_and_tokens() {
    let site = common::start(None).await;
    let admin = site.account(Role::Admin, "Site Admin").await;
    let (status, created) = send(site.admin(Method::POST, "/users", &admin).json(&json!({
        "email": "Reporter@Newsroom.example",
        "name": "New Reporter",
        "role": "author",
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["user"]["email"], "reporter@newsroom.example");
    let generated = created["password"].as_str().expect("generated password");
    assert!(generated.len() >= 20);
    let (status, body) = send(site.admin(Method::POST, "/users", &admin).json(&json!({
        "email": "reporter@newsroom.example", "name": "Again", "role": "author",
    })))
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = send(site.admin(Method::POST, "/users", &admin).json(&json!({
        "email": "x@newsroom.example", "name": "X", "role": "overlord",
    })))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // An admin cannot demote themselves by accident.
    let (status, _) = send(
        site.admin(Method::PUT, &format!("/users/{}", admin.user.id), &admin)
            .json(&json!({ "role": "editor" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, _) = send(
        site.admin(Method::POST, "/me/password", &admin)
            .json(&json!({
                "current": "wrong", "new": "a brand new passphrase",
            })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = send(
        site.admin(Method::POST, "/me/password", &admin)
            .json(&json!({
                "current": admin.password, "new": "a brand new passphrase",
            })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let old = site
        .client
        .post(format!("{}/newsroom/login", site.base))
        .form(&[
            ("email", admin.email.as_str()),
            ("password", admin.password.as_str()),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);

    let (status, token) = send(site.admin(Method::POST, "/me/tokens", &admin)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, me) = send(
        site.client
            .get(format!("{}/api/admin/me", site.base))
            .bearer_auth(token["token"].as_str().expect("token")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "admin");
}

#[tokio::test]
async fn the_openapi_document_describes_the_admin_api() {
    let site = common::start(None).await;
    let doc: Value = site
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/admin/articles",
        "/api/admin/articles/{id}",
        "/api/admin/articles/{id}/publish",
        "/api/admin/articles/{id}/unpublish",
        "/api/admin/media",
        "/api/admin/sections",
        "/api/admin/collections/{slug}",
        "/api/admin/users",
        "/api/admin/videos",
        "/api/admin/videos/{id}",
        "/tv/roku.json",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not described");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([20, 60, 120])
        } else {
            image::Rgb([230, 230, 230])
        }
    });
    let mut out = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

/// A photograph-like JPEG carrying an EXIF block with a marker where GPS data would be.
fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 85)
        .encode_image(&picture)
        .expect("jpeg");
    // APP1 "Exif": a little-endian TIFF header, an empty IFD, then the secret.
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"SECRET-GPS 51.5074N 0.1278W");
    let length = u16::try_from(exif.len() + 2).expect("short");
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A tiny PNG whose header claims an enormous picture.
fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png(1, 1);
    // IHDR starts at byte 16: width, then height, big-endian; fix its CRC after.
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A webhook receiver on a free port: records what it gets; can fail or hold requests.
struct Receiver {
    url: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<(reqwest::header::HeaderMap, String)>>>,
    /// Answers 500 while this many failures are left.
    failures: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Each request waits for a permit: a receiver as slow as the test wants.
    gate: std::sync::Arc<tokio::sync::Semaphore>,
}

async fn receiver(permits: usize) -> Receiver {
    use axum::http::HeaderMap;
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let failures = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(permits));
    let (l, f, g) = (log.clone(), failures.clone(), gate.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (l, f, g) = (l.clone(), f.clone(), g.clone());
            async move {
                let _permit = g.acquire().await.expect("gate");
                let mut copied = reqwest::header::HeaderMap::new();
                for (k, v) in &headers {
                    if let (Ok(k), Ok(v)) = (
                        reqwest::header::HeaderName::from_bytes(k.as_str().as_bytes()),
                        reqwest::header::HeaderValue::from_bytes(v.as_bytes()),
                    ) {
                        copied.insert(k, v);
                    }
                }
                l.lock().expect("log").push((copied, body));
                let failing = f
                    .fetch_update(
                        std::sync::atomic::Ordering::SeqCst,
                        std::sync::atomic::Ordering::SeqCst,
                        |n| n.checked_sub(1),
                    )
                    .is_ok();
                if failing {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver {
        url,
        log,
        failures,
        gate,
    }
}

async fn delivery_states(site: &Site, admin: &Account) -> Vec<(String, String, i64)> {
    let (_, log) = send(site.admin(Method::GET, "/webhooks/deliveries", admin)).await;
    log["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .map(|d| {
            (
                d["event"].as_str().unwrap_or_default().to_owned(),
                d["state"].as_str().unwrap_or_default().to_owned(),
                d["attempts"].as_i64().unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn webhooks_are_signed_retried_and_never_hold_up_publishing() {
    use hmac::Mac;
    let site = common::start(None).await;
    let admin = site.account(Role::Admin, "Hook Admin").await;
    let editor = site.account(Role::Editor, "Hook Editor").await;
    let (status, _) = send(
        site.admin(Method::POST, "/webhooks", &editor)
            .json(&json!({ "url": "https://partner.example/hook" })),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only admins register webhooks"
    );
    let (status, body) = send(
        site.admin(Method::POST, "/webhooks", &admin)
            .json(&json!({ "url": "javascript:alert(1)" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // A receiver that holds every request until the test lets it answer.
    let slow = receiver(0).await;
    let (status, hook) = send(
        site.admin(Method::POST, "/webhooks", &admin)
            .json(&json!({ "url": slow.url })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let secret = hook["secret"].as_str().expect("secret").to_owned();

    let article = create(&site, &editor, "Ferry timetable changes for winter").await;
    // Publishing answers while the receiver is still holding the delivery. (The timeout
    // only guards against a hang; it is not a speed test.)
    let (status, published) = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        act(&site, &editor, &article["id"], "publish"),
    )
    .await
    .expect("publishing waited for the webhook receiver");
    assert_eq!(status, StatusCode::OK);
    slow.gate.add_permits(100);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !delivery_states(&site, &admin).await.contains(&(
        ("article.published".into()),
        "delivered".into(),
        1,
    )) {
        assert!(std::time::Instant::now() < deadline, "never delivered");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (headers, body) = slow.log.lock().expect("log")[0].clone();
    assert_eq!(headers["x-broadsheet-event"], "article.published");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(body.as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        headers["x-broadsheet-signature"].to_str().expect("ascii"),
        format!("sha256={expected}")
    );
    let event: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(event["event"], "article.published");
    assert_eq!(event["article"]["id"], published["id"]);
    assert_eq!(event["article"]["url"], published["url"]);

    // A failing receiver: retried with pauses, then delivered once it answers.
    send(site.admin(Method::DELETE, &format!("/webhooks/{}", hook["id"]), &admin)).await;
    let failing = receiver(100).await;
    failing
        .failures
        .store(2, std::sync::atomic::Ordering::SeqCst);
    send(
        site.admin(Method::POST, "/webhooks", &admin)
            .json(&json!({ "url": failing.url })),
    )
    .await;
    let (status, _) = act(&site, &editor, &article["id"], "unpublish").await;
    assert_eq!(status, StatusCode::OK);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !delivery_states(&site, &admin).await.contains(&(
        "article.unpublished".into(),
        "pending".into(),
        1,
    )) {
        assert!(
            std::time::Instant::now() < deadline,
            "the first attempt never happened"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let app = &site.app;
    let later = chrono::Utc::now() + chrono::Duration::seconds(11);
    assert_eq!(
        broadsheet_web::newsroom::webhooks::deliver_due(app, later).await,
        0
    );
    let much_later = chrono::Utc::now() + chrono::Duration::minutes(2);
    assert_eq!(
        broadsheet_web::newsroom::webhooks::deliver_due(app, much_later).await,
        1
    );
    let states = delivery_states(&site, &admin).await;
    assert!(
        states.contains(&("article.unpublished".into(), "delivered".into(), 3)),
        "{states:?}"
    );
    assert_eq!(failing.log.lock().expect("log").len(), 3);
}

/// Two web nodes on one PostgreSQL database: what one publishes, the other shows on its
/// next requests (its page cache and search index follow the database's notifications).
#[tokio::test]
async fn a_second_node_follows_what_the_first_publishes() {
    let Some(url) = broadsheet_storage::testing::fresh_postgres_url("two nodes").await else {
        return;
    };
    let a = common::start_on(&url, tempfile::tempdir().expect("dir"), None).await;
    let b = common::start_on(&url, tempfile::tempdir().expect("dir"), None).await;
    let editor = a.account(Role::Editor, "Node Editor").await;
    let article = create(&a, &editor, "Quayside cranes fall silent for the strike").await;
    // Node b has the front page cached before the story goes out.
    assert!(!b
        .get("/")
        .await
        .text()
        .await
        .expect("home")
        .contains("Quayside cranes"));
    let (status, published) = act(&a, &editor, &article["id"], "publish").await;
    assert_eq!(status, StatusCode::OK);
    let path = path_of(&published);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let home = b.get("/").await.text().await.expect("home");
        let page = b.get(&path).await.status();
        let found = b
            .get("/api/content/search?q=quayside%20cranes")
            .await
            .text()
            .await
            .expect("search");
        if home.contains("Quayside cranes")
            && page == StatusCode::OK
            && found.contains("Quayside cranes")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "node b still shows the old site: home {}, page {page}, search {}",
            home.contains("Quayside cranes"),
            found.contains("Quayside cranes")
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn publishing_takes_an_empty_body_whatever_its_content_type() {
    let site = common::start(None).await;
    let editor = site.account(Role::Editor, "Empty Body").await;
    let article = create(&site, &editor, "Published from a script").await;
    let id = &article["id"];
    let (status, body) = send(
        site.admin(Method::POST, &format!("/articles/{id}/publish"), &editor)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body("{\"at\": "),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "json");
    let (status, body) = send(
        site.admin(Method::POST, &format!("/articles/{id}/publish"), &editor)
            .header(reqwest::header::CONTENT_TYPE, "application/json"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "published");
}
