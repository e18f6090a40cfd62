//! `ecert registry`: not yet written.

use clap::Subcommand;

use super::{CliError, CliResult, Connection};

/// `ecert registry` subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Placeholder.
    Todo {
        /// Connection.
        #[command(flatten)]
        connection: Connection,
    },
}

/// Runs the command.
pub async fn run(command: RegistryCommand) -> CliResult {
    let RegistryCommand::Todo { connection } = command;
    let _ = connection;
    Err(CliError::Usage("not yet written".into()))
}
