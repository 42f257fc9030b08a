//! `broadsheet.toml` and its `BROADSHEET_*` environment overrides.
//!
//! Every problem names the file (or variable) and the key, and unknown keys are refused,
//! so a typo never silently falls back to a default.

use broadsheet_domain::mirrors::check_host;
use broadsheet_domain::{AddressKind, Language, SiteSettings};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "broadsheet.toml";
pub const DEFAULT_DATA_DIR: &str = "broadsheet-data";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Everything a command needs to work on a site.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub media_dir: PathBuf,
    /// The full-text index; rebuilt from the database whenever it is missing.
    pub search_dir: PathBuf,
    pub theme_dir: Option<PathBuf>,
    /// The private key that signs the mirror list; never stored in the database.
    pub mirror_key_file: PathBuf,
    /// Tor's SOCKS port (`socks5h://127.0.0.1:9050`): `mirrors check` reaches onion
    /// addresses through it.
    pub tor_proxy: Option<String>,
    pub site: SiteSettings,
    /// Declared kinds of addresses, by host (see `addresses`).
    pub address_kinds: std::collections::BTreeMap<String, AddressKind>,
    /// Where the settings came from, for messages.
    pub source: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct ConfigError {
    pub source_name: String,
    pub message: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    theme_dir: Option<PathBuf>,
    mirror_key_file: Option<PathBuf>,
    tor_proxy: Option<String>,
    #[serde(default)]
    site: SiteConfig,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SiteConfig {
    name: Option<String>,
    tagline: Option<String>,
    default_language: Option<String>,
    primary_host: Option<String>,
    alternate_hosts: Option<Vec<String>>,
    /// "serve" (default): any host gets the site; "refuse": unknown hosts get 421.
    unknown_hosts: Option<String>,
    /// Kinds for the signed address list, by host: "cdn", "ipfs", "static"... Hosts not
    /// named are "onion" for .onion addresses and "domain" otherwise.
    address_kinds: Option<std::collections::BTreeMap<String, String>>,
    /// The canonical policy per host: "primary" (default) or "self". Onion addresses are
    /// always "self".
    canonical: Option<std::collections::BTreeMap<String, String>>,
}

/// Environment variables and the key each one sets.
const ENV_KEYS: &[(&str, &[&str])] = &[
    ("BROADSHEET_LISTEN", &["listen"]),
    ("BROADSHEET_DATABASE_URL", &["database_url"]),
    ("BROADSHEET_DATA_DIR", &["data_dir"]),
    ("BROADSHEET_THEME_DIR", &["theme_dir"]),
    ("BROADSHEET_MIRROR_KEY_FILE", &["mirror_key_file"]),
    ("BROADSHEET_TOR_PROXY", &["tor_proxy"]),
    ("BROADSHEET_SITE_NAME", &["site", "name"]),
    ("BROADSHEET_SITE_TAGLINE", &["site", "tagline"]),
    (
        "BROADSHEET_SITE_DEFAULT_LANGUAGE",
        &["site", "default_language"],
    ),
    ("BROADSHEET_SITE_PRIMARY_HOST", &["site", "primary_host"]),
    (
        "BROADSHEET_SITE_ALTERNATE_HOSTS",
        &["site", "alternate_hosts"],
    ),
    ("BROADSHEET_SITE_UNKNOWN_HOSTS", &["site", "unknown_hosts"]),
];

/// Where a command takes its site from.
pub enum Location<'a> {
    /// `--config FILE`: the file must exist.
    File(&'a Path),
    /// `--data DIR`: `DIR/broadsheet.toml` if present, otherwise defaults inside DIR.
    DataDir(&'a Path),
    /// Neither: `./broadsheet.toml` if present, otherwise defaults in `./broadsheet-data`.
    Default,
}

impl Config {
    pub fn load(location: Location) -> Result<Config, ConfigError> {
        let (file, fallback_data_dir) = match location {
            Location::File(path) => (Some(path.to_path_buf()), None),
            Location::DataDir(dir) => {
                let candidate = dir.join(FILE_NAME);
                (
                    candidate.is_file().then_some(candidate),
                    Some(dir.to_path_buf()),
                )
            }
            Location::Default => {
                let candidate = PathBuf::from(FILE_NAME);
                (candidate.is_file().then_some(candidate), None)
            }
        };
        let vars: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("BROADSHEET_"))
            .collect();
        match file {
            Some(path) => {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
                    source_name: name.clone(),
                    message: format!("cannot read the configuration file: {e}"),
                })?;
                let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
                Self::from_toml(&text, &name, &base, fallback_data_dir, &vars)
            }
            None => Self::from_toml(
                "",
                "the default settings",
                Path::new(""),
                fallback_data_dir,
                &vars,
            ),
        }
    }

    /// Parses `text` (named `name` in messages), applies environment overrides `vars`,
    /// and resolves relative paths against `base`.
    pub fn from_toml(
        text: &str,
        name: &str,
        base: &Path,
        fallback_data_dir: Option<PathBuf>,
        vars: &[(String, String)],
    ) -> Result<Config, ConfigError> {
        let err = |source_name: &str, message: String| ConfigError {
            source_name: source_name.to_owned(),
            message,
        };
        let mut table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err(name, e.to_string()))?;
        for (var, value) in vars {
            let Some((_, key)) = ENV_KEYS.iter().find(|(k, _)| k == var) else {
                let known: Vec<_> = ENV_KEYS.iter().map(|(k, _)| *k).collect();
                return Err(err(
                    var,
                    format!("unknown setting; known variables are {}", known.join(", ")),
                ));
            };
            let value = if key.last() == Some(&"alternate_hosts") {
                toml::Value::Array(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| toml::Value::String(s.into()))
                        .collect(),
                )
            } else {
                toml::Value::String(value.clone())
            };
            let mut slot = &mut table;
            for part in &key[..key.len() - 1] {
                let entry = slot
                    .entry(*part)
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                slot = entry
                    .as_table_mut()
                    .ok_or_else(|| err(name, format!("{part} must be a table")))?;
            }
            slot.insert(key[key.len() - 1].to_owned(), value);
        }
        let file: FileConfig = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| err(name, e.to_string()))?;

        let listen_raw = file.listen.unwrap_or_else(|| DEFAULT_LISTEN.into());
        let listen: SocketAddr = listen_raw.parse().map_err(|_| {
            err(
                name,
                format!("listen: {listen_raw:?} is not an address such as 127.0.0.1:8080"),
            )
        })?;
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        // Without a data_dir, data lives beside the configuration file (or in ./broadsheet-data).
        let data_dir = file
            .data_dir
            .map(resolve)
            .or(fallback_data_dir)
            .unwrap_or_else(|| base.join(DEFAULT_DATA_DIR));
        let database_url = match file.database_url {
            // A relative SQLite path is relative to the configuration file, like every path.
            Some(url) => match url.strip_prefix("sqlite://") {
                Some(path) if !path.starts_with('/') && !path.starts_with(':') => {
                    format!("sqlite://{}", base.join(path).display())
                }
                _ => url,
            },
            None => format!("sqlite://{}", data_dir.join("broadsheet.db").display()),
        };
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(err(
                name,
                format!("database_url: {database_url:?} must start with sqlite:// or postgres://"),
            ));
        }
        // socks5h: Tor resolves the name; nothing else can resolve an onion address.
        if let Some(proxy) = &file.tor_proxy {
            let valid = proxy
                .strip_prefix("socks5h://")
                .is_some_and(|rest| rest.parse::<SocketAddr>().is_ok());
            if !valid {
                return Err(err(
                    name,
                    format!(
                        "tor_proxy: {proxy:?} must be Tor's SOCKS port as socks5h://HOST:PORT, \
                         for example socks5h://127.0.0.1:9050"
                    ),
                ));
            }
        }
        let site = file.site;
        let language_raw = site.default_language.unwrap_or_else(|| "en".into());
        let default_language = Language::parse(&language_raw)
            .map_err(|e| err(name, format!("site.default_language: {}", e.message)))?;
        let primary_host = site.primary_host.unwrap_or_else(|| listen.to_string());
        check_host(&primary_host).map_err(|m| err(name, format!("site.primary_host: {m}")))?;
        let alternate_hosts = site.alternate_hosts.unwrap_or_default();
        for host in &alternate_hosts {
            check_host(host).map_err(|m| err(name, format!("site.alternate_hosts: {m}")))?;
        }
        let refuse_unknown_hosts = match site.unknown_hosts.as_deref() {
            None | Some("serve") => false,
            Some("refuse") => true,
            Some(other) => {
                return Err(err(
                    name,
                    format!("site.unknown_hosts: {other:?} must be \"serve\" or \"refuse\""),
                ));
            }
        };
        let mut address_kinds = std::collections::BTreeMap::new();
        for (host, kind) in site.address_kinds.unwrap_or_default() {
            let kind = AddressKind::parse(&kind)
                .map_err(|e| err(name, format!("site.address_kinds.{host}: {}", e.message)))?;
            if host != primary_host && !alternate_hosts.contains(&host) {
                return Err(err(
                    name,
                    format!("site.address_kinds.{host}: not the primary nor an alternate host"),
                ));
            }
            address_kinds.insert(host, kind);
        }
        let mut self_canonical_hosts = Vec::new();
        for (host, policy) in site.canonical.unwrap_or_default() {
            if !alternate_hosts.contains(&host) {
                return Err(err(
                    name,
                    format!("site.canonical.{host}: not one of the alternate hosts"),
                ));
            }
            match policy.as_str() {
                "self" => self_canonical_hosts.push(host),
                "primary" if broadsheet_domain::settings::is_onion(&host) => {
                    return Err(err(
                        name,
                        format!("site.canonical.{host}: onion addresses are always \"self\""),
                    ))
                }
                "primary" => {}
                other => {
                    return Err(err(
                        name,
                        format!("site.canonical.{host}: {other:?} must be \"primary\" or \"self\""),
                    ))
                }
            }
        }
        let site_name = site.name.unwrap_or_else(|| "Broadsheet".into());
        if site_name.trim().is_empty() {
            return Err(err(name, "site.name: must not be empty".into()));
        }
        Ok(Config {
            listen,
            database_url,
            media_dir: data_dir.join("media"),
            search_dir: data_dir.join("search-index"),
            theme_dir: file.theme_dir.map(resolve),
            mirror_key_file: file
                .mirror_key_file
                .map(resolve)
                .unwrap_or_else(|| data_dir.join("mirror-signing.key")),
            tor_proxy: file.tor_proxy,
            site: SiteSettings {
                name: site_name,
                tagline: site.tagline.unwrap_or_default(),
                default_language,
                primary_host,
                alternate_hosts,
                refuse_unknown_hosts,
                self_canonical_hosts,
                blocked_hosts: Vec::new(),
            },
            source: name.to_owned(),
            address_kinds,
        })
    }
}

impl Config {
    /// The primary and every alternate host with its kind: what the mirror list must hold.
    pub fn addresses(&self) -> Vec<(String, AddressKind)> {
        std::iter::once(&self.site.primary_host)
            .chain(self.site.alternate_hosts.iter())
            .map(|host| {
                (
                    host.clone(),
                    self.address_kinds
                        .get(host)
                        .copied()
                        .unwrap_or_else(|| AddressKind::guess(host)),
                )
            })
            .collect()
    }
}

/// A host name, optionally with a port: no scheme, no path, no spaces.
/// The demo's configuration file, written on its first run: documented, and a working
/// example of every setting.
pub fn demo_file(site: &SiteSettings, kinds: &[(&str, &str)]) -> String {
    let kinds: String = kinds
        .iter()
        .map(|(host, kind)| format!("{host:?} = {kind:?}\n"))
        .collect();
    let hosts = site
        .alternate_hosts
        .iter()
        .map(|h| format!("{h:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "# Broadsheet demo site. Every setting can be overridden by an environment variable\n\
         # (BROADSHEET_LISTEN, BROADSHEET_SITE_NAME, ...); see broadsheet.example.toml.\n\
         # Relative paths are relative to this file's folder.\n\
         listen = \"{DEFAULT_LISTEN}\"\n\
         database_url = \"sqlite://broadsheet.db\"\n\
         data_dir = \".\"\n\
         theme_dir = \"theme\"\n\n\
         [site]\n\
         name = {:?}\n\
         tagline = {:?}\n\
         default_language = {:?}\n\
         primary_host = {:?}\n\
         alternate_hosts = [{hosts}]\n\n\
         # Kinds for the signed address list; unnamed hosts are \"domain\" (or \"onion\").\n\
         [site.address_kinds]\n{kinds}",
        site.name,
        site.tagline,
        site.default_language.as_str(),
        site.primary_host
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: Vec<_> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_toml(text, "site.toml", Path::new("/srv/news"), None, &vars)
    }

    #[test]
    fn defaults_and_relative_paths() {
        let c = parse(
            "data_dir = \"data\"\n[site]\nname = \"Daily\"\nprimary_host = \"daily.example\"",
            &[],
        )
        .expect("valid");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite:///srv/news/data/broadsheet.db");
        assert_eq!(c.media_dir, PathBuf::from("/srv/news/data/media"));
        assert_eq!(c.site.name, "Daily");
    }

    #[test]
    fn environment_overrides_the_file() {
        let c = parse(
            "listen = \"127.0.0.1:1\"",
            &[
                ("BROADSHEET_LISTEN", "0.0.0.0:9000"),
                ("BROADSHEET_SITE_ALTERNATE_HOSTS", "a.example, b.onion"),
            ],
        )
        .expect("valid");
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.site.alternate_hosts, vec!["a.example", "b.onion"]);
    }

    #[test]
    fn mistakes_name_the_key_and_the_file() {
        let cases = [
            ("colour = \"red\"", "colour"),
            ("[site]\nnmae = \"x\"", "nmae"),
            ("listen = \"here\"", "listen"),
            ("listen = 8080", "listen"),
            ("database_url = \"mysql://x\"", "database_url"),
            (
                "[site]\ndefault_language = \"english\"",
                "site.default_language",
            ),
            (
                "[site]\nprimary_host = \"https://x.example/\"",
                "site.primary_host",
            ),
            ("[site\nname=1", "line"),
            (
                "[site]\nalternate_hosts = [\"m.example\"]\n[site.canonical]\n\"m.example\" = \"itself\"",
                "site.canonical.m.example",
            ),
            (
                "[site]\nalternate_hosts = [\"m.example\"]\n[site.canonical]\n\"other.example\" = \"self\"",
                "site.canonical.other.example",
            ),
            (
                "[site]\nalternate_hosts = [\"x.onion\"]\n[site.canonical]\n\"x.onion\" = \"primary\"",
                "always",
            ),
        ];
        for (text, key) in cases {
            let e = parse(text, &[])
                .err()
                .unwrap_or_else(|| panic!("{text:?} should be refused"));
            let message = e.to_string();
            assert!(message.starts_with("site.toml"), "{message}");
            assert!(message.contains(key), "{text:?}: {message}");
        }
        let e = parse("", &[("BROADSHEET_LISTN", "x")]).expect_err("unknown variable refused");
        assert!(e.to_string().contains("BROADSHEET_LISTN"));
    }

    #[test]
    fn the_documented_example_is_valid() {
        let text = include_str!("../../../broadsheet.example.toml");
        let c = Config::from_toml(
            text,
            "broadsheet.example.toml",
            Path::new("/srv"),
            None,
            &[],
        )
        .expect("the example parses");
        assert_eq!(c.site.primary_host, "eveningpost.example");
        assert_eq!(
            c.site.self_canonical_hosts,
            vec!["eveningpost.ipfs-gateway.example"]
        );
        assert!(c
            .addresses()
            .contains(&("eveningpost-mirror.example".to_owned(), AddressKind::Cdn)));
    }

    #[test]
    fn address_kinds_are_declared_per_host() {
        let text = "[site]\nprimary_host = \"a.example\"\nalternate_hosts = [\"cdn.example\", \"x.onion\"]\n[site.address_kinds]\n\"cdn.example\" = \"cdn\"\n";
        let c = parse(text, &[]).expect("valid");
        assert_eq!(
            c.addresses(),
            vec![
                ("a.example".to_owned(), AddressKind::Domain),
                ("cdn.example".to_owned(), AddressKind::Cdn),
                ("x.onion".to_owned(), AddressKind::Onion)
            ]
        );
        let e =
            parse(&text.replace("\"cdn\"\n", "\"satellite\"\n"), &[]).expect_err("unknown kind");
        assert!(
            e.to_string().contains("site.address_kinds.cdn.example"),
            "{e}"
        );
        let e = parse(
            &text.replace("\"cdn.example\" =", "\"other.example\" ="),
            &[],
        )
        .expect_err("unknown host");
        assert!(
            e.to_string().contains("not the primary nor an alternate"),
            "{e}"
        );
    }

    #[test]
    fn the_demo_file_parses_back() {
        let site = broadsheet_demo::settings();
        let c = Config::from_toml(
            &demo_file(&site, broadsheet_demo::ADDRESS_KINDS),
            "demo",
            Path::new("/d"),
            None,
            &[],
        )
        .expect("valid");
        assert_eq!(c.site, site);
        assert_eq!(c.database_url, "sqlite:///d/broadsheet.db");
    }
}
