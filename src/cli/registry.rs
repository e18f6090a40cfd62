//! `ecert registry`: the registry's public reads (types, issuers, verifiers, the log's tree head and
//! proofs, a snapshot), and the registry administrator's writes, each of which appends one entry to the
//! transparency log. A thin client of the registry's operations (crates/server/src/registry.rs).

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use ecert_api::{
    Appended, ConsistencyQuery, InclusionQuery, KeyPublication, KeyStatusChange, KeyStatusName, NewIssuer,
};
use ecert_credential::{CertificateType, IssuerRecord, KeyStatus, VerifierRecord, encode_b64};
use ecert_registry::VerifyingKey;
use serde_json::json;

use super::{CliError, CliResult, Connection, read_json, write_atomically};
use crate::output::{indent, table, time, tree_head as describe_head};

/// `ecert registry` subcommands.
///
/// Reads need no token. Writes need a registry-admin token (`ecert token --role registry-admin`), passed
/// with --token or ECERT_TOKEN; each write appends one entry to the log and prints its index and the
/// tree head that now covers it.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// List the registered certificate types.
    Types {
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// List the registered issuers with their regions, authorised types and keys.
    Issuers {
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Show one issuer: its department, authorised types and every key it published.
    Issuer {
        /// The issuer's registry id, e.g. 110000-psb.
        id: String,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// List the registered verifiers and their purposes.
    Verifiers {
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Show one verifier: every purpose it registered, its legal basis and what it may ask for.
    Verifier {
        /// The verifier's registry id, e.g. 110105-car-rental.
        id: String,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Register a certificate type from its schema file (registry-admin).
    ///
    /// The schema format is specs/schemas/FORMAT.md; the files under specs/schemas/ are examples.
    AddType {
        /// The schema file (JSON).
        schema: PathBuf,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Register an issuing department (registry-admin).
    AddIssuer {
        /// Registry id, e.g. 110000-psb (region code, then a short name).
        #[arg(long)]
        id: String,
        /// Display name, shown to holders and verifiers.
        #[arg(long)]
        name: String,
        /// Region code (GB/T 2260), e.g. 110000.
        #[arg(long)]
        region: String,
        /// The department, e.g. "public security bureau".
        #[arg(long)]
        department: String,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Authorise an issuer to issue certificates of a type (registry-admin).
    Authorise {
        /// The issuer's registry id.
        issuer: String,
        /// The certificate type id, e.g. cn.driving-licence/1.
        #[arg(value_name = "TYPE")]
        type_id: String,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Publish an issuer's BBS public key (registry-admin).
    ///
    /// The issuer creates the key (`POST /v1/issuers/<id>/keys`) and hands over its public half; once
    /// published, verifiers accept certificates signed under it between --not-before and --not-after.
    PublishKey {
        /// The issuer's registry id.
        issuer: String,
        /// The key id certificates will name, e.g. k2.
        #[arg(long)]
        key_id: String,
        /// The BLS12-381 G2 public key, base64url.
        #[arg(long, value_name = "B64", allow_hyphen_values = true)]
        public_key: String,
        /// First day of issuance, YYYY-MM-DD.
        #[arg(long)]
        not_before: String,
        /// Last day of issuance, YYYY-MM-DD.
        #[arg(long)]
        not_after: String,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Retire or revoke an issuer key (registry-admin).
    ///
    /// Retired: no new certificates, the ones it signed stay valid. Revoked (e.g. compromised): nothing
    /// it signed is trusted any more. Neither can be undone.
    KeyStatus {
        /// The issuer's registry id.
        issuer: String,
        /// The key id.
        key_id: String,
        /// The new status.
        #[arg(long)]
        status: KeyStatusArg,
        /// Why (recorded in the log; say it for a revocation).
        #[arg(long)]
        reason: Option<String>,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Register a verifier and its purposes from a JSON file (registry-admin).
    ///
    /// The file holds {"id", "name", "region", "purposes": [{"id", "description", "legal_basis",
    /// "allowed": [{"type", "attributes", "claims"}]}]}.
    AddVerifier {
        /// The verifier file (JSON).
        file: PathBuf,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Show the log's current signed tree head (size, root, time, signature).
    ///
    /// With --registry-key (or ECERT_REGISTRY_KEY) the signature is checked too. To check heads over
    /// time, use `ecert audit heads`.
    TreeHead {
        /// The registry key to check signatures with.
        #[command(flatten)]
        registry_key: OptionalRegistryKey,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Fetch the proof that log entry INDEX is in the tree of the current (or --size) size.
    Inclusion {
        /// The entry's index (0 is the first entry).
        index: u64,
        /// The tree size to prove against (default: the current head's).
        #[arg(long, value_name = "N")]
        size: Option<u64>,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Fetch the proof that the tree of size OLD is a prefix of the current (or --new) one.
    Consistency {
        /// The older tree size.
        old: u64,
        /// The newer tree size (default: the current head's).
        #[arg(long, value_name = "N")]
        new: Option<u64>,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Save a snapshot of the log for offline verifiers and wallets.
    ///
    /// A snapshot is the signed tree head and every entry it covers.
    /// With --registry-key (or ECERT_REGISTRY_KEY) the snapshot is checked before it is written. The
    /// file is written whole or not at all.
    Snapshot {
        /// Where to write it.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The registry key to check signatures with.
        #[command(flatten)]
        registry_key: OptionalRegistryKey,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Print the registry's public key, as the service reports it.
    ///
    /// Pin it out of band: a key fetched from the service you are auditing proves nothing about that
    /// service. `ecert init` prints it too.
    Key {
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
}

/// The statuses a key can be moved to.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeyStatusArg {
    /// No longer issuing; what it signed stays valid.
    Retired,
    /// Withdrawn: nothing it signed is trusted any more.
    Revoked,
}

/// An optional `--registry-key`, for reads that can check what they fetch.
#[derive(Debug, Clone, clap::Args)]
pub struct OptionalRegistryKey {
    /// The registry's public key (base64url Ed25519, from `ecert init`), to check signatures with.
    #[arg(
        long = "registry-key",
        env = "ECERT_REGISTRY_KEY",
        value_name = "B64",
        value_parser = super::audit::parse_registry_key,
        // base64url may start with '-'.
        allow_hyphen_values = true
    )]
    key: Option<VerifyingKey>,
}

/// Runs the command.
pub async fn run(command: RegistryCommand) -> CliResult {
    match command {
        RegistryCommand::Types { connection } => types(&connection).await,
        RegistryCommand::Issuers { connection } => issuers(&connection).await,
        RegistryCommand::Issuer { id, connection } => issuer(&connection, &id).await,
        RegistryCommand::Verifiers { connection } => verifiers(&connection).await,
        RegistryCommand::Verifier { id, connection } => verifier(&connection, &id).await,
        RegistryCommand::AddType { schema, connection } => {
            let schema = read_json(&schema)?;
            let appended = connection.client().register_type(&schema).await?;
            appended_entry(&connection, &appended)
        }
        RegistryCommand::AddIssuer {
            id,
            name,
            region,
            department,
            connection,
        } => {
            let issuer = NewIssuer {
                id,
                name,
                region,
                department,
            };
            let appended = connection.client().register_issuer(&issuer).await?;
            appended_entry(&connection, &appended)
        }
        RegistryCommand::Authorise {
            issuer,
            type_id,
            connection,
        } => {
            let appended = connection
                .client()
                .authorise_issuer(registry_id(&issuer)?, &type_id)
                .await?;
            appended_entry(&connection, &appended)
        }
        RegistryCommand::PublishKey {
            issuer,
            key_id,
            public_key,
            not_before,
            not_after,
            connection,
        } => {
            let key = KeyPublication {
                key_id,
                public_key,
                not_before,
                not_after,
                suite: None,
            };
            let appended = connection
                .client()
                .publish_key(registry_id(&issuer)?, &key)
                .await?;
            appended_entry(&connection, &appended)
        }
        RegistryCommand::KeyStatus {
            issuer,
            key_id,
            status,
            reason,
            connection,
        } => {
            let change = KeyStatusChange {
                status: match status {
                    KeyStatusArg::Retired => KeyStatusName::Retired,
                    KeyStatusArg::Revoked => KeyStatusName::Revoked,
                },
                reason,
            };
            let appended = connection
                .client()
                .change_key_status(registry_id(&issuer)?, registry_id(&key_id)?, &change)
                .await?;
            appended_entry(&connection, &appended)
        }
        RegistryCommand::AddVerifier { file, connection } => {
            let value = read_json(&file)?;
            // Checked here so that a typo names the file rather than coming back as the service's refusal.
            let verifier: VerifierRecord = serde_json::from_value(value).map_err(|e| {
                CliError::Failed(format!("{} does not hold a verifier record: {e}", file.display()))
            })?;
            let appended = connection.client().register_verifier(&verifier).await?;
            appended_entry(&connection, &appended)
        }
        RegistryCommand::TreeHead {
            registry_key,
            connection,
        } => tree_head(&connection, registry_key.key.as_ref()).await,
        RegistryCommand::Inclusion {
            index,
            size,
            connection,
        } => {
            let query = InclusionQuery {
                leaf_index: index,
                tree_size: size,
            };
            let proof = connection.client().inclusion_proof(query).await?;
            let human = format!(
                "inclusion proof of entry {} in the tree of size {}:\n{}",
                proof.leaf_index,
                proof.tree_size,
                hashes(&proof.hashes)
            );
            connection.print(&human, &proof);
            Ok(())
        }
        RegistryCommand::Consistency { old, new, connection } => {
            let query = ConsistencyQuery {
                old_size: old,
                new_size: new,
            };
            let proof = connection.client().consistency_proof(query).await?;
            let human = format!(
                "consistency proof from size {} to size {}:\n{}",
                proof.old_size,
                proof.new_size,
                hashes(&proof.hashes)
            );
            connection.print(&human, &proof);
            Ok(())
        }
        RegistryCommand::Snapshot {
            out,
            registry_key,
            connection,
        } => snapshot(&connection, &out, registry_key.key.as_ref()).await,
        RegistryCommand::Key { connection } => {
            let key = connection.client().registry_key().await?;
            connection.print(&key.registry_key, &key);
            Ok(())
        }
    }
}

/// Refuses what cannot be a registry id before anything is sent: the registry's ids are letters, digits,
/// `-`, `_` and `.` (the client would encode anything else safely, but an operator who typed a path
/// should hear so).
fn registry_id(id: &str) -> CliResult<&str> {
    if !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Ok(id)
    } else {
        Err(CliError::Usage(format!(
            "{id:?} is not a registry id (letters, digits, '-', '_' and '.')"
        )))
    }
}

/// Says where a registry write's entry went.
fn appended_entry(connection: &Connection, appended: &Appended) -> CliResult {
    let human = format!(
        "appended as log entry {}; the log's tree head is now of size {}, signed {}",
        appended.index,
        appended.tree_head.size,
        time(appended.tree_head.timestamp)
    );
    connection.print(&human, appended);
    Ok(())
}

async fn types(connection: &Connection) -> CliResult {
    let answer = connection.client().certificate_types().await?;
    let mut rows = Vec::new();
    for schema in &answer.types {
        let ty = CertificateType::from_json(&schema.to_string())
            .map_err(|e| CliError::Failed(format!("the registry lists a type that does not parse: {e}")))?;
        rows.push(vec![
            ty.id.to_string(),
            ty.name.clone(),
            ty.attributes.len().to_string(),
            ty.derived_claims.len().to_string(),
        ]);
    }
    let human = table(&["TYPE", "NAME", "ATTRIBUTES", "CLAIMS"], rows);
    connection.print(&human, &answer);
    Ok(())
}

fn key_state(status: &KeyStatus) -> String {
    match status {
        KeyStatus::Active => "active".to_owned(),
        KeyStatus::Retired { .. } => "retired".to_owned(),
        KeyStatus::Revoked { reason } => format!("revoked: {reason}"),
    }
}

fn types_of(issuer: &IssuerRecord) -> String {
    issuer
        .authorised_types
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn issuers(connection: &Connection) -> CliResult {
    let answer = connection.client().issuers().await?;
    let rows = answer
        .issuers
        .iter()
        .map(|issuer| {
            let keys: Vec<String> = issuer
                .keys
                .iter()
                .map(|k| format!("{} ({})", k.key_id, key_state(&k.status)))
                .collect();
            vec![
                issuer.id.clone(),
                issuer.region.clone(),
                issuer.name.clone(),
                types_of(issuer),
                keys.join(", "),
            ]
        })
        .collect();
    let human = table(&["ISSUER", "REGION", "NAME", "TYPES", "KEYS"], rows);
    connection.print(&human, &answer);
    Ok(())
}

async fn issuer(connection: &Connection, id: &str) -> CliResult {
    let issuer = connection.client().issuer(registry_id(id)?).await?;
    let keys = issuer
        .keys
        .iter()
        .map(|k| {
            vec![
                k.key_id.clone(),
                format!(
                    "{} .. {}",
                    ecert_credential::format_date(k.not_before),
                    ecert_credential::format_date(k.not_after)
                ),
                key_state(&k.status),
                encode_b64(&k.public_key.to_bytes()),
            ]
        })
        .collect();
    let human = format!(
        "{} ({})\nregion:     {}\ndepartment: {}\nauthorised: {}\nkeys:\n{}",
        issuer.id,
        issuer.name,
        issuer.region,
        issuer.department,
        types_of(&issuer),
        indent(&table(&["KEY", "VALIDITY", "STATE", "PUBLIC KEY"], keys))
    );
    connection.print(&human, &issuer);
    Ok(())
}

async fn verifiers(connection: &Connection) -> CliResult {
    let answer = connection.client().verifiers().await?;
    let rows = answer
        .verifiers
        .iter()
        .map(|verifier| {
            let purposes: Vec<&str> = verifier.purposes.iter().map(|p| p.id.as_str()).collect();
            vec![
                verifier.id.clone(),
                verifier.region.clone(),
                verifier.name.clone(),
                purposes.join(", "),
            ]
        })
        .collect();
    let human = table(&["VERIFIER", "REGION", "NAME", "PURPOSES"], rows);
    connection.print(&human, &answer);
    Ok(())
}

async fn verifier(connection: &Connection, id: &str) -> CliResult {
    let verifier = connection.client().verifier(registry_id(id)?).await?;
    let mut human = format!(
        "{} ({})\nregion: {}\npurposes:",
        verifier.id, verifier.name, verifier.region
    );
    for purpose in &verifier.purposes {
        human.push_str(&format!(
            "\n  {}: {}\n    legal basis: {}",
            purpose.id, purpose.description, purpose.legal_basis
        ));
        for grant in &purpose.allowed {
            human.push_str(&format!(
                "\n    {}: attributes [{}], claims [{}]",
                grant.type_id,
                grant.attributes.join(", "),
                grant.claims.join(", ")
            ));
        }
    }
    connection.print(&human, &verifier);
    Ok(())
}

async fn tree_head(connection: &Connection, registry_key: Option<&VerifyingKey>) -> CliResult {
    let head = connection.client().tree_head().await?;
    let mut human = format!(
        "{}\nroot:      {}\nsignature: {}",
        describe_head(&head),
        head.root,
        head.signature
    );
    if let Some(key) = registry_key {
        head.verify(key)
            .map_err(|e| CliError::Failed(format!("the registry's tree head does not verify: {e}")))?;
        human.push_str("\nthe signature verifies under the registry key");
    }
    connection.print(&human, &head);
    Ok(())
}

async fn snapshot(
    connection: &Connection,
    out: &std::path::Path,
    registry_key: Option<&VerifyingKey>,
) -> CliResult {
    let snapshot = connection.client().snapshot().await?;
    if let Some(key) = registry_key {
        snapshot
            .verify(key)
            .map_err(|e| CliError::Failed(format!("the snapshot does not verify: {e}")))?;
    }
    let text = serde_json::to_string_pretty(&snapshot)
        .map_err(|e| CliError::Failed(format!("cannot encode the snapshot: {e}")))?;
    write_atomically(out, &text)?;
    let human = format!(
        "wrote a snapshot of {} entries ({}{}) to {}",
        snapshot.entries.len(),
        describe_head(&snapshot.tree_head),
        if registry_key.is_some() { ", verified" } else { "" },
        out.display()
    );
    let summary = json!({"path": out.display().to_string(), "entries": snapshot.entries.len(),
                         "tree_head": snapshot.tree_head, "verified": registry_key.is_some()});
    connection.print(&human, &summary);
    Ok(())
}

fn hashes(hashes: &[String]) -> String {
    if hashes.is_empty() {
        return "  (no hashes: the proof is trivial)".to_owned();
    }
    hashes
        .iter()
        .map(|h| format!("  {h}"))
        .collect::<Vec<_>>()
        .join("\n")
}
