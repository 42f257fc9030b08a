//! The theme: templates and static assets built into the binary, each of which an operator
//! may replace by putting a file of the same name in a theme folder:
//! `THEME/templates/article.html`, `THEME/assets/style.css`. No rebuild is needed.

use minijinja::Environment;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

macro_rules! builtin {
    ($include:ident: $($dir:literal / $name:literal),* $(,)?) => {
        &[$(($name, $include!(concat!("../theme/", $dir, "/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = builtin![include_str:
    "templates" / "base.html",
    "templates" / "macros.html",
    "templates" / "home.html",
    "templates" / "section.html",
    "templates" / "article.html",
    "templates" / "listing.html",
    "templates" / "page.html",
    "templates" / "error.html",
    "templates" / "mirrors.html",
    "templates" / "search.html",
    "templates" / "video.html",
    "templates" / "videos.html",
];

const ASSETS: &[(&str, &[u8])] = builtin![include_bytes:
    "assets" / "style.css",
    "assets" / "site.js",
    "assets" / "search.js",
    "assets" / "favicon.svg",
    "assets" / "logo.png",
];

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme folder {0} does not exist or is not a folder")]
    MissingFolder(PathBuf),
    #[error("theme template {name} in {folder}: {source}")]
    BadTemplate {
        name: String,
        folder: PathBuf,
        #[source]
        source: minijinja::Error,
    },
}

pub struct Theme {
    env: Environment<'static>,
    folder: Option<PathBuf>,
}

impl Theme {
    /// The built-in theme, with files from `folder` taking precedence. Every template is
    /// compiled now, so a broken override is reported at start-up, not on a reader's visit.
    pub fn new(folder: Option<&Path>) -> Result<Theme, ThemeError> {
        if let Some(dir) = folder {
            if !dir.is_dir() {
                return Err(ThemeError::MissingFolder(dir.to_path_buf()));
            }
        }
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_formatter(html_formatter);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        let override_dir = folder.map(|d| d.join("templates"));
        env.set_loader(move |name| {
            if let Some(dir) = &override_dir {
                let candidate = dir.join(name);
                if is_plain_name(name) && candidate.is_file() {
                    return std::fs::read_to_string(&candidate).map(Some).map_err(|e| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            format!("cannot read {}: {e}", candidate.display()),
                        )
                    });
                }
            }
            Ok(TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, src)| (*src).to_owned()))
        });
        for (name, _) in TEMPLATES {
            env.get_template(name)
                .map_err(|source| ThemeError::BadTemplate {
                    name: (*name).to_owned(),
                    folder: folder.map(Path::to_path_buf).unwrap_or_default(),
                    source,
                })?;
        }
        Ok(Theme {
            env,
            folder: folder.map(Path::to_path_buf),
        })
    }

    pub(crate) fn env(&self) -> &Environment<'static> {
        &self.env
    }

    /// A digest of every template and asset as this theme serves them, overrides
    /// included: a static export renders everything again when it changes.
    pub fn fingerprint(&self) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new();
        for (name, _) in TEMPLATES {
            let source = self.env.get_template(name).map(|t| t.source().to_owned());
            hasher.update(name.as_bytes());
            hasher.update(source.unwrap_or_default().as_bytes());
        }
        for name in self.asset_names() {
            hasher.update(name.as_bytes());
            if let Some((bytes, _)) = self.asset(name) {
                hasher.update(&bytes);
            }
        }
        hasher.finalize()
    }

    /// The names of the built-in assets (a theme folder can only replace them).
    pub fn asset_names(&self) -> impl Iterator<Item = &'static str> {
        ASSETS.iter().map(|(name, _)| *name)
    }

    /// A static asset's bytes and content type, from the theme folder or built in.
    pub fn asset(&self, name: &str) -> Option<(Cow<'static, [u8]>, &'static str)> {
        if !is_plain_name(name) {
            return None;
        }
        let mime = content_type(name);
        if let Some(dir) = &self.folder {
            if let Ok(bytes) = std::fs::read(dir.join("assets").join(name)) {
                return Some((Cow::Owned(bytes), mime));
            }
        }
        ASSETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, bytes)| (Cow::Borrowed(*bytes), mime))
    }
}

/// Escapes the five characters that matter in HTML text and quoted attributes, and
/// leaves `/` alone so that URLs stay readable (minijinja's default escapes it too).
fn html_formatter(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    use std::fmt::Write;
    match value.as_str() {
        Some(text) if !value.is_safe() && state.auto_escape() == minijinja::AutoEscape::Html => {
            for c in text.chars() {
                match c {
                    '&' => out.write_str("&amp;"),
                    '<' => out.write_str("&lt;"),
                    '>' => out.write_str("&gt;"),
                    '"' => out.write_str("&quot;"),
                    '\'' => out.write_str("&#39;"),
                    c => out.write_char(c),
                }
                .map_err(|e| {
                    minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
                })?;
            }
            Ok(())
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\'])
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_theme_compiles_and_serves_assets() {
        let theme = Theme::new(None).expect("built-in theme");
        let (css, mime) = theme.asset("style.css").expect("stylesheet");
        assert!(!css.is_empty());
        assert_eq!(mime, "text/css; charset=utf-8");
        assert!(theme.asset("../Cargo.toml").is_none());
        assert!(theme.asset("nope.css").is_none());
    }

    #[test]
    fn escapes_markup_but_keeps_urls_readable() {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_formatter(html_formatter);
        let out = env
            .render_str("<a href=\"{{ u }}\">{{ t }}</a>{{ n }}{{ s }}", minijinja::context! {
                u => "/news/a?b=1&c=\"", t => "<script>'x'</script>", n => 3, s => minijinja::Value::from_safe_string("<b>ok</b>".into())
            })
            .expect("renders");
        assert_eq!(out, "<a href=\"/news/a?b=1&amp;c=&quot;\">&lt;script&gt;&#39;x&#39;&lt;/script&gt;</a>3<b>ok</b>");
    }

    #[test]
    fn a_theme_folder_overrides_files_and_bad_overrides_are_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("assets")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("templates")).expect("mkdir");
        std::fs::write(dir.path().join("assets/style.css"), "body{color:red}").expect("write");
        let theme = Theme::new(Some(dir.path())).expect("theme");
        assert_eq!(
            theme.asset("style.css").map(|(b, _)| b.into_owned()),
            Some(b"body{color:red}".to_vec())
        );

        std::fs::write(dir.path().join("templates/page.html"), "{% if %}").expect("write");
        let err = Theme::new(Some(dir.path()))
            .err()
            .expect("broken template refused");
        assert!(err.to_string().contains("page.html"), "{err}");

        assert!(matches!(
            Theme::new(Some(&dir.path().join("missing"))),
            Err(ThemeError::MissingFolder(_))
        ));
    }
}
