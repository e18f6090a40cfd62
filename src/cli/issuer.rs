//! `ecert issuer`: not yet written.

use clap::Args;

use super::{CliError, CliResult, Connection};

/// `ecert issuer` arguments.
#[derive(Debug, Args)]
pub struct IssuerArgs {
    /// Connection.
    #[command(flatten)]
    connection: Connection,
}

/// Runs the command.
pub async fn run(args: IssuerArgs) -> CliResult {
    let _ = args.connection;
    Err(CliError::Usage("not yet written".into()))
}
