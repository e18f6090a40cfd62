//! `ecert wallet`: not yet written.

use clap::Args;

use super::{CliError, CliResult, Connection};

/// `ecert wallet` arguments.
#[derive(Debug, Args)]
pub struct WalletArgs {
    /// Connection.
    #[command(flatten)]
    connection: Connection,
}

/// Runs the command.
pub async fn run(args: WalletArgs) -> CliResult {
    let _ = args.connection;
    Err(CliError::Usage("not yet written".into()))
}
