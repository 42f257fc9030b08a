//! The signed list of a site's official addresses.
//!
//! A reader who finds the site at an unfamiliar address can fetch
//! `/.well-known/broadsheet-mirrors.json` there and check, with the site's public key, that
//! the list is genuine, current and not an older one replayed. The signature covers the
//! RFC 8785 (JCS) canonical JSON of the `manifest` member, so any re-serialisation of the
//! same document verifies.

mod key;
mod manifest;

pub use key::{
    create_key_file, decode_public, encode_public, fingerprint, generate, read_key_file, KeyError,
    SigningKey, VerifyingKey,
};
pub use manifest::{
    bc2, sign, verify, Manifest, ManifestAddress, Signature, Signed, VerifyError, VALIDITY,
};
