//! Ed25519 keys: made from the system's random source, kept in a file only the server
//! user can read, and named by a fingerprint (SHA-256 of the public key, in hex).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;

pub use ed25519_dalek::{SigningKey, VerifyingKey};

const HEADER: &str = "broadsheet ed25519 private key";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("no random numbers available: {0}")]
    Random(String),
    #[error("{0:?} is neither a base64 Ed25519 public key nor a key fingerprint")]
    BadPublicKey(String),
}

fn file_error(path: &Path, message: impl std::fmt::Display) -> KeyError {
    KeyError::File {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// A new random signing key.
pub fn generate() -> Result<SigningKey, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes a new key to `path`, readable by its owner only. Never overwrites a key: losing
/// one means readers can no longer verify the list.
pub fn create_key_file(path: &Path) -> Result<SigningKey, KeyError> {
    let key = generate()?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => file_error(path, "a key already exists; it is kept"),
        _ => file_error(path, e),
    })?;
    let text = format!("{HEADER}\n{}\n", BASE64.encode(key.to_bytes()));
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| file_error(path, e))?;
    file.sync_all().map_err(|e| file_error(path, e))?;
    Ok(key)
}

pub fn read_key_file(path: &Path) -> Result<SigningKey, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err(file_error(path, "not a Broadsheet signing key file"));
    }
    let bytes = lines
        .next()
        .and_then(|l| BASE64.decode(l.trim()).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| file_error(path, "the key in this file is damaged"))?;
    Ok(SigningKey::from_bytes(&bytes))
}

pub fn fingerprint(key: &VerifyingKey) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn encode_public(key: &VerifyingKey) -> String {
    BASE64.encode(key.as_bytes())
}

pub fn decode_public(text: &str) -> Option<VerifyingKey> {
    let bytes = BASE64.decode(text.trim()).ok()?;
    VerifyingKey::from_bytes(&<[u8; 32]>::try_from(bytes).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip_are_private_and_never_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("keys/mirror.key");
        let key = create_key_file(&path).expect("create");
        assert_eq!(
            read_key_file(&path).expect("read").to_bytes(),
            key.to_bytes()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "nobody but the owner may read the key");
        }
        assert!(create_key_file(&path).is_err());
        assert_eq!(
            read_key_file(&path)
                .expect("still the first key")
                .to_bytes(),
            key.to_bytes()
        );
        std::fs::write(&path, "junk").expect("write");
        assert!(read_key_file(&path).is_err());
        let public = key.verifying_key();
        assert_eq!(decode_public(&encode_public(&public)), Some(public));
        assert_eq!(fingerprint(&public).len(), 64);
    }
}
