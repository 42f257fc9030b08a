//! The fuzz targets' bodies. `fuzz/` (a cargo-fuzz crate outside the workspace, since it
//! links libFuzzer) calls these; `tests/replay.rs` feeds them every seed and every input a
//! fuzzer once crashed on (`fuzz/regressions/<target>/`), so a fixed crash stays fixed.
//!
//! Each function must not panic for any input, and checks what must hold of its output:
//! sanitised HTML runs no script, a parsed route survives a round trip, a signed manifest
//! verifies.

use broadsheet_domain::{slugify, Route, Slug};
use std::path::Path;
use std::sync::OnceLock;

/// A fuzz target's body: any bytes in, a panic on a bug.
pub type Target = fn(&[u8]);

/// Every target by the name its `fuzz/fuzz_targets/<name>.rs` file has.
pub const TARGETS: &[(&str, Target)] = &[
    ("markdown", markdown),
    ("import_html", import_html),
    ("route", route),
    ("config", config),
    ("manifest", manifest),
    ("wordpress", wordpress),
    ("ghost", ghost),
    ("image", image),
];

/// Markdown (with raw HTML) as article bodies are rendered for readers.
pub fn markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    assert_runs_no_script(&broadsheet_render::markdown::to_safe_html(text));
    let plain = broadsheet_render::markdown::to_plain_text(text, 160);
    assert!(plain.chars().count() <= 161, "a summary longer than asked");
}

/// WordPress and Ghost bodies through the importer's conversion, then as readers see them.
pub fn import_html(data: &[u8]) {
    let Ok(html) = std::str::from_utf8(data) else {
        return;
    };
    let picture = |id: &str| {
        Some(broadsheet_import::convert::Picture {
            src: format!("/media/{id}.jpg"),
            alt: format!("picture {id}\"><script>alert(1)</script>"),
            caption: "<img src=x onerror=alert(1)>".into(),
        })
    };
    let converted = broadsheet_import::convert::wordpress(html, &picture);
    assert_runs_no_script(&converted.body);
    assert_runs_no_script(&broadsheet_render::markdown::to_safe_html(&converted.body));
    let ghost = broadsheet_import::convert::ghost(html);
    assert_runs_no_script(&ghost);
    let _ = broadsheet_import::convert::autop(html);
}

/// Reader URL routing and slugs: total, and what parses re-parses to itself.
pub fn route(data: &[u8]) {
    let Ok(path) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(route) = Route::parse(path) {
        if let Some(again) = route.path() {
            assert_eq!(
                Route::parse(&again).as_ref(),
                Ok(&route),
                "{path:?} -> {again:?}"
            );
        }
    }
    if let Some(slug) = slugify(path) {
        assert_eq!(
            Slug::parse(slug.as_str()).as_ref(),
            Ok(&slug),
            "slugify({path:?}) gave a slug that does not parse"
        );
    }
}

/// `broadsheet.toml`: any text gives a configuration or a clear error.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) =
        broadsheet::config::Config::from_toml(text, "fuzz.toml", Path::new("/srv"), None, &[])
    {
        assert!(!error.message.is_empty(), "an error without a message");
    }
}

/// The signed mirror list: verifying any document never panics, and any manifest that
/// parses, once signed, verifies to itself (JCS canonical form of arbitrary strings).
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let public = broadsheet_mirror::encode_public(&key.verifying_key());
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let _ = broadsheet_mirror::verify(text, &public, now, Some(3));
    if let Ok(mut parsed) = serde_json::from_str::<broadsheet_mirror::Manifest>(text) {
        parsed.expires = "2999-01-01T00:00:00Z".into();
        let signed = broadsheet_mirror::sign(parsed.clone(), &key);
        let document = serde_json::to_string(&signed).unwrap_or_default();
        let verified = broadsheet_mirror::verify(&document, &public, now, None);
        assert_eq!(verified.as_ref().ok(), Some(&parsed), "{verified:?}");
    }
}

/// A WordPress export (WXR): read in full or refused with a reason.
pub fn wordpress(data: &[u8]) {
    let mut entries = 0usize;
    let _ = broadsheet_import::wordpress::read(data, |_, _| {
        entries += 1;
        Ok(())
    });
}

/// A Ghost JSON export, and every post body in it through the conversion.
pub fn ghost(data: &[u8]) {
    if let Ok(export) = broadsheet_import::ghost::read(data) {
        for post in &export.posts {
            if let Some(html) = broadsheet_import::ghost::body_html(post) {
                assert_runs_no_script(&broadsheet_import::convert::ghost(&html));
            }
            let _ = export.tags_of(&post.id);
            let _ = export.authors_of(&post.id);
        }
    }
}

/// An uploaded picture: any bytes are processed or refused, within the limits.
pub fn image(data: &[u8]) {
    static DIR: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    let Some(dir) = DIR.get_or_init(|| tempfile::tempdir().ok()).as_ref() else {
        return;
    };
    if let Ok(processed) = broadsheet_media::process(data, dir.path(), "fuzz") {
        assert!(processed.width > 0 && processed.height > 0);
    }
}

/// Parses `html` as a browser would and fails on anything that could run script: a
/// script-capable element, an event handler attribute, or a link or source with a
/// `javascript:`, `data:` or `vbscript:` address.
pub fn assert_runs_no_script(html: &str) {
    let fragment = scraper::Html::parse_fragment(html);
    for node in fragment.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let name = element.name();
        assert!(
            !matches!(
                name,
                "script"
                    | "iframe"
                    | "object"
                    | "embed"
                    | "frame"
                    | "base"
                    | "form"
                    | "meta"
                    | "link"
                    | "style"
                    | "svg"
                    | "math"
            ),
            "<{name}> survived sanitising in {html:?}"
        );
        for (attribute, value) in element.attrs() {
            assert!(
                !attribute.to_ascii_lowercase().starts_with("on"),
                "{attribute} on <{name}> survived sanitising in {html:?}"
            );
            if !matches!(
                attribute,
                "href"
                    | "src"
                    | "srcset"
                    | "action"
                    | "formaction"
                    | "poster"
                    | "cite"
                    | "background"
                    | "xlink:href"
            ) {
                continue;
            }
            // What a browser's URL parser reads as the scheme: leading and trailing C0
            // controls and spaces are stripped and tabs and newlines removed anywhere; any
            // other control character ends the scheme, making the address relative.
            let squeezed: String = value
                .trim_matches(|c: char| c <= ' ')
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(
                !["javascript:", "data:", "vbscript:"]
                    .iter()
                    .any(|scheme| squeezed.starts_with(scheme)),
                "{attribute}={value:?} on <{name}> survived sanitising in {html:?}"
            );
        }
    }
}
