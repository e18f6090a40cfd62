//! `ecert token`: mints an access token with the platform key of a data directory.

use std::path::PathBuf;

use clap::Args;
use ecert_server::auth::{AccessRole, PlatformKey};

/// `ecert token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The data directory holding the platform key.
    #[arg(long, env = "ECERT_DATA_DIR", default_value = "ecert-data")]
    data_dir: PathBuf,
    /// registry-admin, issuer, verifier or regulator.
    #[arg(long)]
    role: AccessRole,
    /// The issuer or verifier id (issuer and verifier tokens only).
    #[arg(long)]
    scope: Option<String>,
    /// Who the token is for, recorded with what it does.
    #[arg(long, default_value = "operator")]
    subject: String,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    ttl: i64,
}

/// Runs the command.
pub fn run(args: TokenArgs) -> Result<(), String> {
    let key = PlatformKey::open(&args.data_dir).map_err(|e| e.to_string())?;
    let now = ecert_server::clock::now();
    println!(
        "{}",
        key.mint(&args.subject, args.role, args.scope.as_deref(), now, args.ttl)?
    );
    Ok(())
}
