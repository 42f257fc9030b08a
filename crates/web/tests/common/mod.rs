//! A reader site on a free port with the demo content, shared by the HTTP and browser tests.
#![allow(dead_code)] // Each test file uses its own part of this.

use broadsheet_render::{Renderer, Theme};
use broadsheet_storage::Store;
use broadsheet_web::App;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use std::path::Path;

pub struct Site {
    pub base: String,
    pub store: Store,
    pub client: reqwest::Client,
    /// Fingerprint of the key that signs this site's mirror list.
    pub fingerprint: String,
    pub app: broadsheet_web::SharedApp,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Site {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn start(theme_dir: Option<&Path>) -> Site {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    start_on(&url, dir, theme_dir).await
}

pub async fn start_on(
    database_url: &str,
    dir: tempfile::TempDir,
    theme_dir: Option<&Path>,
) -> Site {
    start_with(database_url, dir, theme_dir, broadsheet_demo::settings()).await
}

pub async fn start_with(
    database_url: &str,
    dir: tempfile::TempDir,
    theme_dir: Option<&Path>,
    settings: broadsheet_domain::SiteSettings,
) -> Site {
    let store = Store::open(database_url).await.expect("open store");
    let media = dir.path().join("media");
    broadsheet_demo::seed(&store, &media)
        .await
        .expect("seed demo");
    let theme = Theme::new(theme_dir).expect("theme");
    let hosts: Vec<_> = std::iter::once(&settings.primary_host)
        .chain(settings.alternate_hosts.iter())
        .map(|h| (h.clone(), broadsheet_domain::AddressKind::guess(h)))
        .collect();
    store.sync_addresses(&hosts).await.expect("addresses");
    let key = broadsheet_mirror::generate().expect("signing key");
    let fingerprint = broadsheet_mirror::fingerprint(&key.verifying_key());
    let search =
        std::sync::Arc::new(broadsheet_search::SearchIndex::in_memory().expect("search index"));
    broadsheet_web::search::rebuild(&store, &search)
        .await
        .expect("index the demo");
    let app = App::new(
        store.clone(),
        settings,
        Renderer::new(theme),
        media,
        Some(key),
        Some(search),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(broadsheet_web::serve(listener, app.clone(), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Site {
        app: app.clone(),
        fingerprint,
        base,
        store,
        client,
        _dir: dir,
        stop: Some(stop),
    }
}

impl Site {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn page(&self, path: &str) -> (StatusCode, Html) {
        let response = self.get(path).await;
        let status = response.status();
        (
            status,
            Html::parse_document(&response.text().await.expect("body")),
        )
    }

    /// The path of a demo article by its slug.
    pub async fn path_of(&self, slug: &str) -> String {
        let (_, html) = self.page("/").await;
        for section in [
            "/news",
            "/business",
            "/culture",
            "/sport",
            "/opinion",
            "/farsi",
        ] {
            let (_, html) = self.page(section).await;
            if let Some(href) = links(&html, ".listing .card-headline a")
                .into_iter()
                .find(|h| h.ends_with(&format!("/{slug}")))
            {
                return href;
            }
        }
        panic!(
            "no article {slug} in any section; home was {}",
            html.html().len()
        );
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

fn links(html: &Html, selector: &str) -> Vec<String> {
    html.select(&sel(selector))
        .filter_map(|e| e.value().attr("href").map(str::to_owned))
        .collect()
}

/// A newsroom account with this role and an API token for it.
pub struct Account {
    pub user: broadsheet_domain::User,
    pub email: String,
    pub password: String,
    pub token: String,
}

impl Site {
    pub async fn account(&self, role: broadsheet_domain::Role, name: &str) -> Account {
        use broadsheet_web::newsroom::auth;
        let email = format!("{}@newsroom.example", name.to_lowercase().replace(' ', "."));
        let password = format!("{name} has a long password");
        let user = self
            .store
            .create_user(
                &broadsheet_domain::NewUser {
                    email: email.clone(),
                    name: name.into(),
                    role,
                    author_id: None,
                },
                &auth::hash_password(&password).expect("hash"),
            )
            .await
            .expect("create user");
        let token = auth::random_token().expect("token");
        self.store
            .add_api_token(&auth::token_hash(&token), user.id)
            .await
            .expect("token");
        Account {
            user,
            email,
            password,
            token,
        }
    }

    /// An Admin API request authenticated with the account's bearer token.
    pub fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        account: &Account,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}/api/admin{path}", self.base))
            .bearer_auth(&account.token)
    }
}
