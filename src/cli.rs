//! The `ecert` command line (clap): one module per command. `init`, `serve` and `token` run the operator's
//! own node; `registry`, `issuer`, `wallet`, `verifier` and `audit` are each a party, a client of the HTTP
//! services through ecert-api's typed client; `demo` runs the whole system once.
//!
//! Output is for people by default and JSON with `--json` (crate::output). Exit codes: 0 success; 1 the
//! operation failed (refused by the service, bad input file, ...); 2 bad usage; 3 the service could not
//! be reached; 4 a presentation did not verify or the holder declined.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ecert_api::{Client, ClientCode, ClientError};
use serde::Serialize;
use serde_json::Value;

pub mod audit;
pub mod demo;
pub mod init;
pub mod issuer;
pub mod registry;
pub mod serve;
pub mod token;
pub mod verifier;
pub mod wallet;

/// Why a command failed, which decides its exit code.
#[derive(Debug)]
pub enum CliError {
    /// The operation failed (exit 1).
    Failed(String),
    /// Bad usage that clap could not see (exit 2).
    Usage(String),
    /// The service could not be reached (exit 3).
    Unreachable(String),
    /// A presentation did not verify, or the holder declined (exit 4).
    Rejected(String),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Failed(_) => 1,
            CliError::Usage(_) => 2,
            CliError::Unreachable(_) => 3,
            CliError::Rejected(_) => 4,
        }
    }

    fn message(&self) -> &str {
        match self {
            CliError::Failed(m) | CliError::Usage(m) | CliError::Unreachable(m) | CliError::Rejected(m) => m,
        }
    }
}

impl From<ClientError> for CliError {
    fn from(error: ClientError) -> CliError {
        if error.code == ClientCode::Unreachable {
            CliError::Unreachable(format!(
                "cannot reach the service ({}); is `ecert serve` running, and is --server right?",
                error.message
            ))
        } else {
            CliError::Failed(error.to_string())
        }
    }
}

impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::Failed(message)
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

/// Where the services are and who is calling: shared by every client command.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// The ecert service's base URL.
    #[arg(
        long,
        env = "ECERT_SERVER",
        default_value = "http://127.0.0.1:7400",
        global = true
    )]
    pub server: String,
    /// Bearer token (from `ecert token`).
    #[arg(long, env = "ECERT_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// Print JSON instead of text, for scripts.
    #[arg(long, global = true)]
    pub json: bool,
}

impl Connection {
    /// A client with the token, if any.
    pub fn client(&self) -> Client {
        let client = Client::new(&self.server);
        match &self.token {
            Some(token) => client.with_token(token),
            None => client,
        }
    }

    /// Prints `value` as JSON with `--json`, else `human`.
    pub fn print(&self, human: &str, value: &impl Serialize) {
        crate::output::print(self.json, human, value);
    }
}

/// Reads a JSON file, with errors that name it.
pub fn read_json(path: &Path) -> CliResult<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::Failed(format!("{} is not valid JSON: {e}", path.display())))
}

/// Writes a file whole or not at all (a temporary file renamed into place).
pub fn write_atomically(path: &Path, contents: &str) -> CliResult<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| CliError::Failed(format!("cannot write in {}: {e}", dir.display())))?;
    std::io::Write::write_all(&mut file, contents.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    file.persist(path)
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    Ok(())
}

/// Electronic certificates and licences with selective disclosure (BBS signatures on BLS12-381).
///
/// Exit codes: 0 success, 1 the operation failed, 2 bad usage, 3 the service could not be reached,
/// 4 a presentation did not verify or the holder declined.
#[derive(Debug, Parser)]
#[command(name = "ecert", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a data directory: database, platform token key, registry log key, key-encryption key.
    Init(init::InitArgs),
    /// Run the HTTP services until Ctrl-C or SIGTERM (in-flight requests finish first).
    Serve(serve::ServeArgs),
    /// Mint an access token with the platform key.
    Token(token::TokenArgs),
    /// The registry: issuers, keys, verifiers, types; the log's tree head and proofs.
    #[command(subcommand)]
    Registry(registry::RegistryCommand),
    /// An issuing department: keys, issuance (one or a CSV batch), status changes, objections.
    Issuer(issuer::IssuerArgs),
    /// A holder's wallet: an encrypted local file of certificates; answering verifiers' requests.
    Wallet(wallet::WalletArgs),
    /// A verifier: create requests; check presentations.
    Verifier(verifier::VerifierArgs),
    /// A regulator: tree heads over time, log replay, key histories, anomalies.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Run the whole system once: services on loopback, issuers of two regions, a holder, four
    /// verifiers, an over-asking request, a replay, a revocation, a key rotation and an audit.
    Demo,
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Demo) {
        Command::Init(args) => init::run(args).map_err(CliError::Failed),
        Command::Serve(args) => serve::run(args).map_err(CliError::Failed),
        Command::Token(args) => token::run(args).map_err(CliError::Failed),
        Command::Demo => runtime()
            .and_then(|runtime| runtime.block_on(demo::run()))
            .map_err(CliError::Failed),
        Command::Registry(command) => block_on(registry::run(command)),
        Command::Issuer(args) => block_on(issuer::run(args)),
        Command::Wallet(args) => block_on(wallet::run(args)),
        Command::Verifier(args) => block_on(verifier::run(args)),
        Command::Audit(command) => block_on(audit::run(command)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ecert: {}", error.message());
            ExitCode::from(error.exit_code())
        }
    }
}

fn block_on(future: impl std::future::Future<Output = CliResult>) -> CliResult {
    runtime().map_err(CliError::Failed)?.block_on(future)
}

/// A multi-threaded runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}
