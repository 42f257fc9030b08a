//! The manifest, its signature, its verification, and the Bypass Censorship v2 form.

use crate::key::{decode_public, encode_public, fingerprint};
use broadsheet_domain::{Address, AddressKind, AddressState, SiteSettings};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ed25519_dalek::{Signer, SigningKey, Verifier};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How long a signed list stays valid; servers sign afresh on every request.
pub const VALIDITY: Duration = Duration::days(7);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestAddress {
    pub url: String,
    pub kind: AddressKind,
    pub state: AddressState,
    pub added: String,
    pub updated: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub site: String,
    pub primary: String,
    pub addresses: Vec<ManifestAddress>,
    /// Increases with every change to the list, so an old list cannot pass for a new one.
    pub serial: i64,
    pub issued: String,
    pub expires: String,
    pub feeds: Vec<String>,
    pub key_fingerprint: String,
    /// In a static export: the SHA-256 of its `SHA256SUMS` file, so the signature covers
    /// every file of the copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub alg: String,
    pub key: String,
    pub sig: String,
}

/// The document served at `/.well-known/broadsheet-mirrors.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub manifest: Manifest,
    pub signature: Signature,
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Manifest {
    pub fn new(
        settings: &SiteSettings,
        addresses: &[Address],
        serial: i64,
        key: &SigningKey,
        now: DateTime<Utc>,
    ) -> Manifest {
        Manifest {
            site: settings.name.clone(),
            primary: settings.absolute_url("/"),
            addresses: addresses
                .iter()
                .map(|a| ManifestAddress {
                    url: a.url(),
                    kind: a.kind,
                    state: a.state,
                    added: time(a.added),
                    updated: time(a.updated),
                })
                .collect(),
            serial,
            issued: time(now),
            expires: time(now + VALIDITY),
            feeds: ["/feed.xml", "/atom.xml", "/feed.json"]
                .iter()
                .map(|p| settings.absolute_url(p))
                .collect(),
            key_fingerprint: fingerprint(&key.verifying_key()),
            files_sha256: None,
        }
    }
}

/// The RFC 8785 canonical form the signature covers.
fn canonical(manifest: &Value) -> Result<Vec<u8>, VerifyError> {
    serde_jcs::to_vec(manifest).map_err(|e| VerifyError::Malformed(e.to_string()))
}

pub fn sign(manifest: Manifest, key: &SigningKey) -> Signed {
    let value = serde_json::to_value(&manifest).unwrap_or(Value::Null);
    let bytes = canonical(&value).unwrap_or_default();
    let sig = key.sign(&bytes);
    use base64::Engine;
    Signed {
        manifest,
        signature: Signature {
            alg: "ed25519".into(),
            key: encode_public(&key.verifying_key()),
            sig: base64::engine::general_purpose::STANDARD.encode(sig.to_bytes()),
        },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the list is not a signed Broadsheet mirror list: {0}")]
    Malformed(String),
    #[error("the list is signed with algorithm {0:?}; only ed25519 is accepted")]
    Algorithm(String),
    #[error("the list is signed by key {found}, not by the expected key {expected}")]
    WrongKey { expected: String, found: String },
    #[error("the signature does not match the list: it was altered or forged")]
    BadSignature,
    #[error("the list expired at {0}")]
    Expired(String),
    #[error("the list has serial {found}, older than serial {previous} already seen: an old list is being replayed")]
    Rollback { found: i64, previous: i64 },
}

/// Checks a served document against the expected key (base64 public key or fingerprint),
/// the time, and optionally the last serial seen. Returns the manifest when all hold.
pub fn verify(
    document: &str,
    expected_key: &str,
    now: DateTime<Utc>,
    previous_serial: Option<i64>,
) -> Result<Manifest, VerifyError> {
    let value: Value =
        serde_json::from_str(document).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let manifest_value = value
        .get("manifest")
        .cloned()
        .ok_or_else(|| VerifyError::Malformed("no \"manifest\" member".into()))?;
    let signature: Signature = value
        .get("signature")
        .cloned()
        .ok_or_else(|| VerifyError::Malformed("no \"signature\" member".into()))
        .and_then(|s| {
            serde_json::from_value(s).map_err(|e| VerifyError::Malformed(e.to_string()))
        })?;
    if signature.alg != "ed25519" {
        return Err(VerifyError::Algorithm(signature.alg));
    }
    let key = decode_public(&signature.key).ok_or_else(|| {
        VerifyError::Malformed("the signing key is not an Ed25519 public key".into())
    })?;
    let found = fingerprint(&key);
    let expected = expected_key.trim();
    let matches = match decode_public(expected) {
        Some(expected_key) => expected_key == key,
        None => expected.eq_ignore_ascii_case(&found),
    };
    if !matches {
        return Err(VerifyError::WrongKey {
            expected: expected.to_owned(),
            found,
        });
    }
    use base64::Engine;
    let sig_bytes = base64::engine::general_purpose::STANDARD
        .decode(signature.sig.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or(VerifyError::BadSignature)?;
    let sig = ed25519_dalek::Signature::from_bytes(&sig_bytes);
    key.verify(&canonical(&manifest_value)?, &sig)
        .map_err(|_| VerifyError::BadSignature)?;
    let manifest: Manifest = serde_json::from_value(manifest_value)
        .map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let expires = DateTime::parse_from_rfc3339(&manifest.expires)
        .map_err(|e| VerifyError::Malformed(format!("expires: {e}")))?;
    if expires <= now {
        return Err(VerifyError::Expired(manifest.expires));
    }
    if let Some(previous) = previous_serial {
        if manifest.serial < previous {
            return Err(VerifyError::Rollback {
                found: manifest.serial,
                previous,
            });
        }
    }
    Ok(manifest)
}

/// The same list in the Bypass Censorship v2 format read by existing browser extensions
/// and curators. Only addresses readers may use are listed.
pub fn bc2(settings: &SiteSettings, addresses: &[Address]) -> Value {
    let alternatives: Vec<Value> = addresses
        .iter()
        .filter(|a| a.state != AddressState::Retired && a.host != settings.primary_host)
        .map(|a| {
            let (proto, kind) = match a.kind {
                AddressKind::Onion => ("tor", "eotk"),
                AddressKind::Ipfs => ("https", "ipfs"),
                _ => ("https", "mirror"),
            };
            json!({
                "proto": proto,
                "type": kind,
                "created_at": a.added.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
                "updated_at": a.updated.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
                "url": a.url(),
            })
        })
        .collect();
    json!({
        "version": "2.0",
        "sites": [{ "main_domain": settings.primary_host, "available_alternatives": alternatives }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use broadsheet_domain::Language;

    fn settings() -> SiteSettings {
        SiteSettings {
            name: "Daily".into(),
            tagline: String::new(),
            default_language: Language::parse("en").expect("valid"),
            primary_host: "daily.example".into(),
            alternate_hosts: vec!["mirror.example".into(), "abc.onion".into()],
            refuse_unknown_hosts: false,
            self_canonical_hosts: Vec::new(),
            blocked_hosts: Vec::new(),
        }
    }

    fn addresses() -> Vec<Address> {
        let t = DateTime::from_timestamp(1_800_000_000, 0).expect("valid time");
        [
            "daily.example",
            "mirror.example",
            "abc.onion",
            "old.example",
        ]
        .iter()
        .map(|h| Address {
            host: (*h).into(),
            kind: AddressKind::guess(h),
            state: if *h == "old.example" {
                AddressState::Retired
            } else {
                AddressState::Active
            },
            added: t,
            updated: t,
        })
        .collect()
    }

    fn signed(now: DateTime<Utc>, serial: i64, key: &SigningKey) -> String {
        serde_json::to_string_pretty(&sign(
            Manifest::new(&settings(), &addresses(), serial, key, now),
            key,
        ))
        .expect("JSON")
    }

    #[test]
    fn a_signed_list_verifies_and_every_tampering_is_caught() {
        let key = crate::key::generate().expect("key");
        let fp = fingerprint(&key.verifying_key());
        let public = encode_public(&key.verifying_key());
        let now = Utc::now();
        let doc = signed(now, 7, &key);

        let manifest = verify(&doc, &fp, now, Some(7)).expect("genuine");
        assert_eq!(manifest.serial, 7);
        assert_eq!(manifest.addresses.len(), 4);
        assert!(
            verify(&doc, &public, now, None).is_ok(),
            "the base64 key works as well as the fingerprint"
        );
        // Any JSON re-serialisation of the same list still verifies: the signature covers JCS.
        let compact = serde_json::to_string(&serde_json::from_str::<Value>(&doc).expect("JSON"))
            .expect("JSON");
        assert!(verify(&compact, &fp, now, None).is_ok());

        let altered = doc.replace("mirror.example", "evil.example");
        assert_eq!(
            verify(&altered, &fp, now, None),
            Err(VerifyError::BadSignature)
        );
        let other = crate::key::generate().expect("key");
        assert!(matches!(
            verify(&signed(now, 7, &other), &fp, now, None),
            Err(VerifyError::WrongKey { .. })
        ));
        assert!(matches!(
            verify(&doc, &fp, now + VALIDITY + Duration::seconds(1), None),
            Err(VerifyError::Expired(_))
        ));
        assert_eq!(
            verify(&doc, &fp, now, Some(8)),
            Err(VerifyError::Rollback {
                found: 7,
                previous: 8
            })
        );
        assert!(matches!(
            verify("not json", &fp, now, None),
            Err(VerifyError::Malformed(_))
        ));
        assert!(matches!(
            verify("{\"manifest\": {}}", &fp, now, None),
            Err(VerifyError::Malformed(_))
        ));
        let wrong_alg = doc.replace("\"ed25519\"", "\"rsa\"");
        assert!(matches!(
            verify(&wrong_alg, &fp, now, None),
            Err(VerifyError::Algorithm(_))
        ));
    }

    #[test]
    fn bc2_lists_usable_alternatives() {
        let doc = bc2(&settings(), &addresses());
        assert_eq!(doc["version"], "2.0");
        let site = &doc["sites"][0];
        assert_eq!(site["main_domain"], "daily.example");
        let urls: Vec<_> = site["available_alternatives"]
            .as_array()
            .expect("list")
            .iter()
            .map(|a| a["url"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(urls, vec!["https://mirror.example", "http://abc.onion"]);
        assert_eq!(site["available_alternatives"][1]["proto"], "tor");
    }
}
