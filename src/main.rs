//! `ecert`: the command line and the HTTP services (the shell around the role crates).
//!
//! `ecert init` creates a data directory, `ecert serve` runs the services on it, `ecert token` mints
//! access tokens. The rest of the command line (registry, issuer, wallet, verifier, audit) and the
//! multi-party demo arrive with their own issue; until then `ecert demo` shows the BBS core at work on
//! one certificate.
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
    /// Show the BBS core at work on one certificate.
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
        Command::Demo => return demo(),
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

/// A university signs a degree certificate of three attributes; the holder shows an employer the degree
/// alone, bound to the employer's nonce; the employer verifies and learns nothing else.
fn demo() -> ExitCode {
    use ecert_bbs::{Bls12381Sha256, SecretKey};

    let mut key_material = [0u8; 32];
    let mut rng = rand_core::OsRng;
    rand_core::RngCore::fill_bytes(&mut rng, &mut key_material);
    let result = (|| -> Result<(), ecert_bbs::Error> {
        let sk = SecretKey::key_gen::<Bls12381Sha256>(&key_material, b"university key 1", None)?;
        let pk = sk.public_key();
        let header = b"ecert/v1 degree certificate";
        let messages: [&[u8]; 3] = [
            b"name: Li Hua",
            b"degree: bachelor of engineering",
            b"id: 110101199003078888",
        ];
        let signature = ecert_bbs::sign::<Bls12381Sha256>(&sk, &pk, header, &messages)?;
        ecert_bbs::verify::<Bls12381Sha256>(&pk, &signature, header, &messages)?;
        println!("issuer signed {} attributes:", messages.len());
        for m in messages {
            println!("  {}", String::from_utf8_lossy(m));
        }
        let nonce = b"employer nonce 5f1c";
        let proof = ecert_bbs::proof_gen::<Bls12381Sha256, _>(
            &mut rng,
            &pk,
            &signature,
            header,
            nonce,
            &messages,
            &[1],
        )?;
        ecert_bbs::proof_verify::<Bls12381Sha256>(&pk, &proof, header, nonce, &[(1, messages[1])])?;
        println!(
            "employer verified a {}-byte proof and learned only:",
            proof.to_bytes().len()
        );
        println!("  {}", String::from_utf8_lossy(messages[1]));
        let replayed = ecert_bbs::proof_verify::<Bls12381Sha256>(
            &pk,
            &proof,
            header,
            b"another nonce",
            &[(1, messages[1])],
        );
        println!(
            "the same proof replayed against another nonce: {}",
            match replayed {
                Ok(()) => "accepted (wrong!)".to_string(),
                Err(e) => format!("rejected ({e})"),
            }
        );
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ecert demo failed: {error}");
            ExitCode::FAILURE
        }
    }
}
