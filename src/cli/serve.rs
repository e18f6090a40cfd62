//! `ecert serve`: runs the roles of a node until Ctrl-C or SIGTERM (ecert-server does the work).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use ecert_server::Config;
use ecert_server::config::Roles;
use ecert_server::db::DatabaseUrl;

/// `ecert serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The data directory (from `ecert init`).
    #[arg(long, env = "ECERT_DATA_DIR", default_value = "ecert-data")]
    data_dir: PathBuf,
    /// A configuration file (default: <data dir>/ecert.toml if present).
    #[arg(long, env = "ECERT_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:7400; port 0 picks a free one).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Roles to host: registry, issuer, verifier, comma-separated, or all.
    #[arg(long)]
    roles: Option<Roles>,
    /// The database: sqlite://PATH or postgres://... [default: the SQLite file in the data directory;
    /// also ECERT_DATABASE_URL].
    #[arg(long, value_name = "URL")]
    database_url: Option<DatabaseUrl>,
}

/// Runs the command.
pub fn run(args: ServeArgs) -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut config = Config::load(&args.data_dir, args.config.as_deref())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(roles) = args.roles {
        config.roles = roles;
    }
    if let Some(url) = args.database_url {
        config.database_url = Some(url);
    }
    let passphrase = std::env::var("ECERT_PASSPHRASE")
        .ok()
        .map(zeroize::Zeroizing::new);
    super::runtime()?.block_on(async {
        // Before anything else, so that a SIGTERM during start-up is a graceful shutdown too.
        let shutdown = ecert_server::shutdown_signal()?;
        ecert_server::serve(config, passphrase.as_deref().map(String::as_str), shutdown).await
    })
}
