//! `ecert init`: creates a data directory (platform token key, registry log key, key-encryption key,
//! configuration, database) and prints the public keys an operator records.

use std::path::PathBuf;

use clap::Args;

/// `ecert init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The data directory to create.
    #[arg(long, env = "ECERT_DATA_DIR", default_value = "ecert-data")]
    data_dir: PathBuf,
    /// Derive the key-encryption key from the passphrase in this environment variable (Argon2id)
    /// instead of writing a key file.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
    /// Migrate this database instead of creating the SQLite file in the data directory: a PostgreSQL
    /// database (postgres://...) that the `ecert serve` processes of this data directory will share.
    #[arg(long, env = "ECERT_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database_url: Option<ecert_server::db::DatabaseUrl>,
}

/// The passphrase in environment variable `var`.
pub(crate) fn passphrase(var: &str) -> Result<zeroize::Zeroizing<String>, String> {
    std::env::var(var)
        .map(zeroize::Zeroizing::new)
        .map_err(|_| format!("the environment variable {var} holds no passphrase"))
}

/// Runs the command.
pub fn run(args: InitArgs) -> Result<(), String> {
    let passphrase = args.passphrase_env.as_deref().map(passphrase).transpose()?;
    let made = super::runtime()?.block_on(ecert_server::data_dir::init_with_database(
        &args.data_dir,
        passphrase.as_deref().map(String::as_str),
        args.database_url.as_ref(),
    ))?;
    println!("initialised {}", args.data_dir.display());
    println!(
        "platform token key: {}",
        ecert_credential::encode_b64(made.platform.verifying_key().as_bytes())
    );
    println!("registry log key:   {}", made.registry_key);
    match &args.database_url {
        // Every `ecert serve` of this data directory names the same database (the URL is shown without
        // its password).
        Some(url) => println!(
            "next: ecert serve --data-dir {} --database-url {url} (or ECERT_DATABASE_URL)",
            args.data_dir.display()
        ),
        None => println!("next: ecert serve --data-dir {}", args.data_dir.display()),
    }
    Ok(())
}
