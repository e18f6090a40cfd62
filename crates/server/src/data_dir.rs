//! The data directory `ecert init` creates: the database, the platform's token key pair, the registry's
//! log key and the key-encryption key for issuer keys. Every secret file is owner-only.

use std::path::Path;

use crate::auth::{PLATFORM_PUBLIC_FILE, PlatformKey};
use crate::db::DatabaseUrl;
use crate::keystore::{Kek, write_secret_file};

/// The configuration file `init` writes: every setting at its default, commented out.
const CONFIG_TEMPLATE: &str = r#"# ecert service configuration. Every setting is shown at its default; ECERT_<NAME> environment
# variables (e.g. ECERT_LISTEN) override this file, and `ecert serve` flags override both.

# Where to listen. Loopback by default: put a TLS-terminating proxy in front to serve a network.
# listen = "127.0.0.1:7400"

# The roles this process hosts: "all", or a comma-separated subset of registry, issuer, verifier
# (a region's department can run only its issuer; a verifier needs the registry in the same process).
# roles = "all"

# Largest request body accepted, in bytes.
# max_body_bytes = 262144

# Longest a request may take, in seconds.
# request_timeout_secs = 30

# Most requests handled at once; more wait, and time out if the wait is too long.
# max_concurrent_requests = 256

# How long a verifier's presentation request stays answerable, in seconds (10 to 86400).
# presentation_request_ttl_secs = 300

# Database connections.
# database_connections = 8

# The database: the SQLite file in this directory by default, or a PostgreSQL database that several
# `ecert serve` processes share, e.g. "postgres://ecert@db.internal/ecert" (ECERT_DATABASE_URL and
# `ecert serve --database-url` override it; keep a password out of this file, in ECERT_DATABASE_URL).
# database_url = "sqlite:///path/to/ecert.db"
"#;

/// What `init` made, for the operator to record.
#[derive(Debug)]
pub struct Initialised {
    /// The platform key (mints tokens).
    pub platform: PlatformKey,
    /// The registry's log key, base64url: tree heads verify under it.
    pub registry_key: String,
}

/// Creates `data_dir` and everything in it, with the SQLite database in it. `passphrase` puts issuer
/// keys under a passphrase-derived key (Argon2id) instead of a key file. Refuses a directory that is
/// already initialised.
pub async fn init(data_dir: &Path, passphrase: Option<&str>) -> Result<Initialised, String> {
    init_with_database(data_dir, passphrase, None).await
}

/// [`init`], migrating the database at `database` instead of creating the SQLite file (a PostgreSQL
/// database that several server processes will share).
pub async fn init_with_database(
    data_dir: &Path,
    passphrase: Option<&str>,
    database: Option<&DatabaseUrl>,
) -> Result<Initialised, String> {
    if data_dir.join(crate::db::DATABASE_FILE).exists() || data_dir.join(PLATFORM_PUBLIC_FILE).exists() {
        return Err(format!("{} is already initialised", data_dir.display()));
    }
    // A shared database that already holds a platform belongs to another data directory's keys: its
    // registry log is signed, and its issuer keys sealed, under keys this one would not have. Refused
    // before anything is written.
    if let Some(url) = database {
        let db = crate::db::Database::open(url, 1).await?;
        let in_use = crate::store::holds_platform(&db).await;
        db.close().await;
        if in_use.map_err(|e| format!("cannot read the database {url}: {e}"))? {
            return Err(format!(
                "the database {url} already holds a platform (registry entries or issuer keys): serve it \
                 from a copy of the data directory that made it, or initialise an empty database"
            ));
        }
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot restrict {}: {e}", data_dir.display()))?;
    }
    let platform = PlatformKey::create(data_dir).map_err(|e| e.to_string())?;
    let mut registry_secret = zeroize::Zeroizing::new([0u8; 32]);
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, registry_secret.as_mut());
    write_secret_file(
        &data_dir.join(crate::registry::REGISTRY_KEY_FILE),
        registry_secret.as_ref(),
    )
    .map_err(|e| e.to_string())?;
    match passphrase {
        Some(passphrase) => Kek::create_passphrase(data_dir, passphrase).map(drop),
        None => Kek::create_key_file(data_dir).map(drop),
    }
    .map_err(|e| e.to_string())?;
    std::fs::write(data_dir.join(crate::config::CONFIG_FILE), CONFIG_TEMPLATE)
        .map_err(|e| format!("cannot write the configuration: {e}"))?;
    let url = database
        .cloned()
        .unwrap_or_else(|| DatabaseUrl::sqlite_in(data_dir));
    let db = crate::db::Database::open(&url, 1).await?;
    db.close().await;
    let registry_key = ecert_registry::LogSigner::from_bytes(&registry_secret).verifying_key();
    Ok(Initialised {
        platform,
        registry_key: ecert_credential::encode_b64(registry_key.as_bytes()),
    })
}
