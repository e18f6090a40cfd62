//! The service configuration: defaults, then a TOML file (`<data dir>/ecert.toml` or `--config`), then
//! `ECERT_*` environment variables, then command-line flags; later sources win.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

use crate::db::DatabaseUrl;

/// A role the service can host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceRole {
    /// The national registry and its log.
    Registry,
    /// An issuing department (or several).
    Issuer,
    /// A verifier's back end.
    Verifier,
}

/// The set of roles one process hosts.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Roles(pub BTreeSet<ServiceRole>);

impl Roles {
    /// Every role.
    pub fn all() -> Roles {
        Roles([ServiceRole::Registry, ServiceRole::Issuer, ServiceRole::Verifier].into())
    }

    /// Whether `role` is hosted.
    pub fn has(&self, role: ServiceRole) -> bool {
        self.0.contains(&role)
    }
}

impl FromStr for Roles {
    type Err = String;

    fn from_str(text: &str) -> Result<Roles, String> {
        if text.trim() == "all" {
            return Ok(Roles::all());
        }
        let mut roles = BTreeSet::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            roles.insert(match part {
                "registry" => ServiceRole::Registry,
                "issuer" => ServiceRole::Issuer,
                "verifier" => ServiceRole::Verifier,
                other => {
                    return Err(format!(
                        "unknown role {other:?}; roles are registry, issuer, verifier (or all)"
                    ));
                }
            });
        }
        if roles.is_empty() {
            return Err("no role given; roles are registry, issuer, verifier (or all)".into());
        }
        Ok(Roles(roles))
    }
}

impl TryFrom<String> for Roles {
    type Error = String;

    fn try_from(text: String) -> Result<Roles, String> {
        text.parse()
    }
}

/// Everything `ecert serve` needs to know.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where to listen; loopback by default (put a TLS-terminating proxy in front for the network).
    pub listen: SocketAddr,
    /// The data directory (database, keys); `ecert init` creates it.
    pub data_dir: PathBuf,
    /// The roles hosted.
    pub roles: Roles,
    /// Largest request body accepted, bytes.
    pub max_body_bytes: usize,
    /// Longest a request may take, seconds.
    pub request_timeout_secs: u64,
    /// Most requests handled at once; more wait (and time out if the wait is too long).
    pub max_concurrent_requests: usize,
    /// How long a presentation request stays answerable, seconds, unless the verifier asks for less.
    pub presentation_request_ttl_secs: i64,
    /// Database connections.
    pub database_connections: u32,
    /// The database: `sqlite://PATH` or `postgres://...`; the SQLite file in the data directory when
    /// unset.
    pub database_url: Option<DatabaseUrl>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 7400)),
            data_dir: PathBuf::from("ecert-data"),
            roles: Roles::all(),
            max_body_bytes: 256 * 1024,
            request_timeout_secs: 30,
            max_concurrent_requests: 256,
            presentation_request_ttl_secs: 300,
            database_connections: 8,
            database_url: None,
        }
    }
}

/// The file name looked for in the data directory.
pub const CONFIG_FILE: &str = "ecert.toml";

impl Config {
    /// Loads the configuration for `data_dir`: defaults, then `file` (or `<data_dir>/ecert.toml` if it
    /// exists), then the environment. Flags are applied by the caller afterwards.
    pub fn load(data_dir: &Path, file: Option<&Path>) -> Result<Config, String> {
        let default_file = data_dir.join(CONFIG_FILE);
        let file = match file {
            Some(path) => Some(path.to_path_buf()),
            None => default_file.exists().then_some(default_file),
        };
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read the configuration {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| format!("configuration {}: {e}", path.display()))?
            }
            None => Config::default(),
        };
        config.data_dir = data_dir.to_path_buf();
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// The database to use: [`Config::database_url`], else the SQLite file in the data directory.
    pub fn database_url(&self) -> Result<DatabaseUrl, String> {
        Ok(self
            .database_url
            .clone()
            .unwrap_or_else(|| DatabaseUrl::sqlite_in(&self.data_dir)))
    }

    /// Applies `ECERT_LISTEN`, `ECERT_ROLES`, `ECERT_MAX_BODY_BYTES`, `ECERT_REQUEST_TIMEOUT_SECS`,
    /// `ECERT_MAX_CONCURRENT_REQUESTS`, `ECERT_PRESENTATION_REQUEST_TTL_SECS`, `ECERT_DATABASE_CONNECTIONS`,
    /// `ECERT_DATABASE_URL`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        fn parse<T: FromStr>(name: &str, value: &str) -> Result<T, String>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e| format!("{name}={value:?}: {e}"))
        }
        if let Some(v) = var("ECERT_LISTEN") {
            self.listen = parse("ECERT_LISTEN", &v)?;
        }
        if let Some(v) = var("ECERT_ROLES") {
            self.roles = parse("ECERT_ROLES", &v)?;
        }
        if let Some(v) = var("ECERT_MAX_BODY_BYTES") {
            self.max_body_bytes = parse("ECERT_MAX_BODY_BYTES", &v)?;
        }
        if let Some(v) = var("ECERT_REQUEST_TIMEOUT_SECS") {
            self.request_timeout_secs = parse("ECERT_REQUEST_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = var("ECERT_MAX_CONCURRENT_REQUESTS") {
            self.max_concurrent_requests = parse("ECERT_MAX_CONCURRENT_REQUESTS", &v)?;
        }
        if let Some(v) = var("ECERT_PRESENTATION_REQUEST_TTL_SECS") {
            self.presentation_request_ttl_secs = parse("ECERT_PRESENTATION_REQUEST_TTL_SECS", &v)?;
        }
        if let Some(v) = var("ECERT_DATABASE_CONNECTIONS") {
            self.database_connections = parse("ECERT_DATABASE_CONNECTIONS", &v)?;
        }
        if let Some(v) = var("ECERT_DATABASE_URL") {
            // Not echoed on error: the URL may hold a password.
            self.database_url = Some(v.parse().map_err(|e| format!("ECERT_DATABASE_URL: {e}"))?);
        }
        self.check()
    }

    /// Refuses settings that cannot work.
    pub fn check(&self) -> Result<(), String> {
        if self.max_body_bytes < 1024 {
            return Err("max_body_bytes must be at least 1024".into());
        }
        if self.request_timeout_secs == 0
            || self.max_concurrent_requests == 0
            || self.database_connections == 0
        {
            return Err(
                "request_timeout_secs, max_concurrent_requests and database_connections must be positive"
                    .into(),
            );
        }
        if !(10..=86_400).contains(&self.presentation_request_ttl_secs) {
            return Err("presentation_request_ttl_secs must be 10 to 86400".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse() {
        assert_eq!("all".parse::<Roles>().unwrap(), Roles::all());
        let issuer: Roles = "issuer".parse().unwrap();
        assert!(issuer.has(ServiceRole::Issuer) && !issuer.has(ServiceRole::Registry));
        assert!(
            "registry, verifier"
                .parse::<Roles>()
                .unwrap()
                .has(ServiceRole::Verifier)
        );
        assert!("treasury".parse::<Roles>().is_err());
        assert!("".parse::<Roles>().is_err());
    }

    #[test]
    fn file_then_environment() {
        let config: Config = toml::from_str("listen = \"127.0.0.1:9000\"\nroles = \"issuer\"\n").unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert!(!config.roles.has(ServiceRole::Registry));
        let mut config = config;
        config
            .apply_env(|name| (name == "ECERT_LISTEN").then(|| "127.0.0.1:9100".to_string()))
            .unwrap();
        assert_eq!(config.listen.port(), 9100);
        assert!(
            config
                .apply_env(|name| (name == "ECERT_MAX_BODY_BYTES").then(|| "x".into()))
                .is_err()
        );
        assert!(toml::from_str::<Config>("lisen = \"127.0.0.1:1\"").is_err());
    }
}
