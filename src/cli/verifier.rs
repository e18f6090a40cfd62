//! `ecert verifier`: not yet written.

use clap::Args;

use super::{CliError, CliResult, Connection};

/// `ecert verifier` arguments.
#[derive(Debug, Args)]
pub struct VerifierArgs {
    /// Connection.
    #[command(flatten)]
    connection: Connection,
}

/// Runs the command.
pub async fn run(args: VerifierArgs) -> CliResult {
    let _ = args.connection;
    Err(CliError::Usage("not yet written".into()))
}
