//! `ecert`: the command line and the HTTP services (the shell around the role crates).
//!
//! `ecert init` creates a data directory, `ecert serve` runs the services on it, `ecert token` mints
//! access tokens, `ecert demo` plays the whole system once over HTTP.
//!
//! Exit codes: 0 success, 1 the operation failed, 2 bad usage (clap's own).

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ecert::auth::{AccessRole, PlatformKey};
use ecert::config::{Config, Roles};

/// Electronic certificates and licences with selective disclosure (BBS signatures on BLS12-381).
#[derive(Debug, Parser)]
#[command(name = "ecert", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a data directory: database, platform token key, registry log key, key-encryption key.
    Init {
        /// The data directory to create.
        #[arg(long, env = "ECERT_DATA_DIR", default_value = "ecert-data")]
        data_dir: PathBuf,
        /// Derive the key-encryption key from the passphrase in this environment variable (Argon2id)
        /// instead of writing a key file.
        #[arg(long, value_name = "VAR")]
        passphrase_env: Option<String>,
    },
    /// Run the HTTP services until Ctrl-C or SIGTERM (in-flight requests finish first).
    Serve {
        /// The data directory (from `ecert init`).
        #[arg(long, env = "ECERT_DATA_DIR", default_value = "ecert-data")]
        data_dir: PathBuf,
        /// A configuration file (default: <data dir>/ecert.toml if present).
        #[arg(long, env = "ECERT_CONFIG")]
        config: Option<PathBuf>,
        /// Address to listen on (default 127.0.0.1:7400; port 0 picks a free one).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Roles to host: registry, issuer, verifier, comma-separated, or all.
        #[arg(long)]
        roles: Option<Roles>,
    },
    /// Mint an access token with the platform key.
    Token {
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
    },
    /// Run the whole system once: services on loopback, issuers of two regions, a holder, four
    /// verifiers, an over-asking request, a replay, a revocation, a key rotation and an audit.
    Demo,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Demo) {
        Command::Init {
            data_dir,
            passphrase_env,
        } => init(&data_dir, passphrase_env.as_deref()),
        Command::Serve {
            data_dir,
            config,
            listen,
            roles,
        } => serve(&data_dir, config.as_deref(), listen, roles),
        Command::Token {
            data_dir,
            role,
            scope,
            subject,
            ttl,
        } => token(&data_dir, role, scope.as_deref(), &subject, ttl),
        Command::Demo => runtime().and_then(|runtime| runtime.block_on(ecert::demo::run())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ecert: {message}");
            ExitCode::FAILURE
        }
    }
}

fn passphrase(var: &str) -> Result<zeroize::Zeroizing<String>, String> {
    std::env::var(var)
        .map(zeroize::Zeroizing::new)
        .map_err(|_| format!("the environment variable {var} holds no passphrase"))
}

fn init(data_dir: &Path, passphrase_env: Option<&str>) -> Result<(), String> {
    let passphrase = passphrase_env.map(passphrase).transpose()?;
    let made = runtime()?.block_on(ecert::data_dir::init(
        data_dir,
        passphrase.as_deref().map(String::as_str),
    ))?;
    println!("initialised {}", data_dir.display());
    println!(
        "platform token key: {}",
        ecert_credential::encode_b64(made.platform.verifying_key().as_bytes())
    );
    println!("registry log key:   {}", made.registry_key);
    println!("next: ecert serve --data-dir {}", data_dir.display());
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

fn serve(
    data_dir: &Path,
    file: Option<&Path>,
    listen: Option<std::net::SocketAddr>,
    roles: Option<Roles>,
) -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut config = Config::load(data_dir, file)?;
    if let Some(listen) = listen {
        config.listen = listen;
    }
    if let Some(roles) = roles {
        config.roles = roles;
    }
    let passphrase = std::env::var("ECERT_PASSPHRASE")
        .ok()
        .map(zeroize::Zeroizing::new);
    runtime()?.block_on(ecert::serve(
        config,
        passphrase.as_deref().map(String::as_str),
        ecert::app::shutdown_signal(),
    ))
}

fn token(
    data_dir: &Path,
    role: AccessRole,
    scope: Option<&str>,
    subject: &str,
    ttl: i64,
) -> Result<(), String> {
    let key = PlatformKey::open(data_dir).map_err(|e| e.to_string())?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    println!("{}", key.mint(subject, role, scope, now, ttl)?);
    Ok(())
}
