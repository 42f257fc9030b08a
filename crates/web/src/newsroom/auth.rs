//! Who is asking: passwords (argon2id), login sessions in a cookie, API tokens, CSRF
//! tokens and login throttling. Secrets are random 32-byte values; only their SHA-256
//! hashes are stored, so a copy of the database opens no session.

use super::NewsroomError;
use crate::App;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine;
use broadsheet_domain::{Action, User};
use broadsheet_storage::StoreError;
use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

pub const SESSION_COOKIE: &str = "bs_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
const SESSION_DAYS: i64 = 14;

/// A random secret, URL-safe: session ids, CSRF tokens, API tokens, generated passwords.
pub fn random_token() -> Result<String, NewsroomError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| NewsroomError::Internal(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// How secrets are stored: hex SHA-256. Random 256-bit tokens need no slow hash.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, NewsroomError> {
    broadsheet_domain::accounts::check_password(password)?;
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt)
        .map_err(|e| NewsroomError::Internal(format!("no randomness: {e}")))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| NewsroomError::Internal(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| NewsroomError::Internal(format!("hashing: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Hashing takes tens of milliseconds of CPU on purpose; keep it off the async workers.
async fn verify_password_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

pub async fn hash_password_blocking(password: String) -> Result<String, NewsroomError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| NewsroomError::Internal(format!("hashing task: {e}")))?
}

/// A signed-in newsroom user and how they proved it.
#[derive(Debug, Clone)]
pub struct Editor {
    pub user: User,
    pub via: Credential,
}

#[derive(Debug, Clone)]
pub enum Credential {
    /// A browser session: state-changing requests must carry its CSRF token.
    Session { token_hash: String, csrf: String },
    /// `Authorization: Bearer`: not sent by browsers on their own, so no CSRF risk.
    Token,
}

impl Editor {
    /// Refuses the action unless the role allows it; `own` says the article is theirs.
    pub fn require(&self, action: Action, own: bool) -> Result<(), NewsroomError> {
        if self.user.role.may(action, own) {
            Ok(())
        } else {
            Err(NewsroomError::Forbidden(format!(
                "your role ({}) does not allow this",
                self.user.role
            )))
        }
    }

    /// The CSRF token pages embed in their forms; empty for token clients.
    pub fn csrf(&self) -> &str {
        match &self.via {
            Credential::Session { csrf, .. } => csrf,
            Credential::Token => "",
        }
    }

    /// Checks the token a browser sent with a state-changing request.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), NewsroomError> {
        match &self.via {
            Credential::Token => Ok(()),
            Credential::Session { csrf, .. } => {
                let sent = sent.unwrap_or_default().as_bytes();
                let expected = csrf.as_bytes();
                // Constant time: the comparison must not tell how much of a guess was right.
                let same = sent.len() == expected.len()
                    && sent
                        .iter()
                        .zip(expected)
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0;
                if same {
                    Ok(())
                } else {
                    Err(NewsroomError::Csrf)
                }
            }
        }
    }
}

/// Finds the user behind a request: a bearer token first, else the session cookie.
pub async fn authenticate(app: &App, headers: &HeaderMap) -> Result<Option<Editor>, StoreError> {
    if let Some(token) = bearer(headers) {
        return Ok(app
            .store
            .user_by_token(&token_hash(token))
            .await?
            .map(|user| Editor {
                user,
                via: Credential::Token,
            }));
    }
    let Some(session_id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(session_id);
    Ok(app.store.session(&hash).await?.map(|session| Editor {
        user: session.user,
        via: Credential::Session {
            token_hash: hash,
            csrf: session.csrf_token,
        },
    }))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Checks a login and opens a new session (always a fresh id: no session fixation).
/// Returns the user and the `Set-Cookie` value.
pub async fn log_in(
    app: &App,
    email: &str,
    password: &str,
    address: Option<IpAddr>,
    secure: bool,
) -> Result<(User, HeaderValue), NewsroomError> {
    let email = email.trim().to_lowercase();
    app.throttle.check(&email, address)?;
    let found = app.store.user_for_login(&email).await?;
    // Without an account, still spend the time a check takes, so timing tells nothing.
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, dummy_hash().to_owned()),
    };
    let valid = verify_password_blocking(password.to_owned(), hash).await;
    let Some(user) = user.filter(|_| valid) else {
        app.throttle.failed(&email, address);
        return Err(NewsroomError::BadLogin);
    };
    app.throttle.succeeded(&email);
    let session_id = random_token()?;
    let csrf = random_token()?;
    let expires = Utc::now() + Duration::days(SESSION_DAYS);
    app.store
        .create_session(&token_hash(&session_id), user.id, &csrf, expires)
        .await?;
    Ok((
        user,
        session_cookie(&session_id, secure, SESSION_DAYS * 86_400),
    ))
}

pub fn session_cookie(value: &str, secure: bool, max_age: i64) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("bs_session=; Path=/; Max-Age=0"))
}

/// An argon2id hash of a random password nobody knows, checked when the account is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        random_token()
            .and_then(|password| hash_password(&password))
            .unwrap_or_default()
    })
}

/// Limits failed logins per account and per address within a window, so passwords
/// cannot be guessed at speed. Kept in memory: a restart forgives, which is acceptable.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

const WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);
const PER_ACCOUNT: u32 = 5;
const PER_ADDRESS: u32 = 20;

impl LoginThrottle {
    fn keys(email: &str, address: Option<IpAddr>) -> [(String, u32); 2] {
        [
            (format!("account:{email}"), PER_ACCOUNT),
            (
                format!(
                    "address:{}",
                    address.map(|a| a.to_string()).unwrap_or_default()
                ),
                PER_ADDRESS,
            ),
        ]
    }

    pub fn check(&self, email: &str, address: Option<IpAddr>) -> Result<(), NewsroomError> {
        let Ok(failures) = self.failures.lock() else {
            return Ok(());
        };
        for (key, limit) in Self::keys(email, address) {
            if let Some((count, since)) = failures.get(&key) {
                if *count >= limit && since.elapsed() < WINDOW {
                    let wait = (WINDOW - since.elapsed()).as_secs() / 60 + 1;
                    return Err(NewsroomError::Throttled(wait));
                }
            }
        }
        Ok(())
    }

    fn failed(&self, email: &str, address: Option<IpAddr>) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        for (key, _) in Self::keys(email, address) {
            let entry = failures.entry(key).or_insert((0, Instant::now()));
            if entry.1.elapsed() >= WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    fn succeeded(&self, email: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&format!("account:{email}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(dummy_hash().starts_with("$argon2id$"));
        assert!(!verify_password("anything", dummy_hash()));
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn throttle_stops_guessing_one_account() {
        let throttle = LoginThrottle::default();
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..PER_ACCOUNT {
            assert!(throttle.check("a@example.org", ip).is_ok());
            throttle.failed("a@example.org", ip);
        }
        assert!(matches!(
            throttle.check("a@example.org", ip),
            Err(NewsroomError::Throttled(_))
        ));
        // Another account from the same address is still allowed, up to the address limit.
        assert!(throttle.check("b@example.org", ip).is_ok());
    }
}
