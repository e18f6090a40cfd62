//! `ecert audit`: not yet written.

use clap::Subcommand;

use super::{CliError, CliResult, Connection};

/// `ecert audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Placeholder.
    Todo {
        /// Connection.
        #[command(flatten)]
        connection: Connection,
    },
}

/// Runs the command.
pub async fn run(command: AuditCommand) -> CliResult {
    let AuditCommand::Todo { connection } = command;
    let _ = connection;
    Err(CliError::Usage("not yet written".into()))
}
