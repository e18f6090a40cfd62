//! `ecert registry`: the registry's public reads (types, issuers, verifiers, the log's tree head and
//! proofs, a snapshot), and the registry administrator's writes, each of which appends one entry to the
//! transparency log. A thin client of the routes in `crates/server/src/registry.rs`.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use ecert_registry::{SignedTreeHead, Snapshot, VerifyingKey};
use serde_json::{Value, json};

use super::audit::{describe_head, human_time};
use super::{CliError, CliResult, Connection, read_json, write_atomically};

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
            write(&connection, "/v1/registry/types", &schema).await
        }
        RegistryCommand::AddIssuer {
            id,
            name,
            region,
            department,
            connection,
        } => {
            let body = json!({"id": id, "name": name, "region": region, "department": department});
            write(&connection, "/v1/registry/issuers", &body).await
        }
        RegistryCommand::Authorise {
            issuer,
            type_id,
            connection,
        } => {
            let path = format!("/v1/registry/issuers/{}/authorisations", segment(&issuer)?);
            write(&connection, &path, &json!({"type": type_id})).await
        }
        RegistryCommand::PublishKey {
            issuer,
            key_id,
            public_key,
            not_before,
            not_after,
            connection,
        } => {
            let path = format!("/v1/registry/issuers/{}/keys", segment(&issuer)?);
            let body = json!({"key_id": key_id, "public_key": public_key,
                              "not_before": not_before, "not_after": not_after});
            write(&connection, &path, &body).await
        }
        RegistryCommand::KeyStatus {
            issuer,
            key_id,
            status,
            reason,
            connection,
        } => {
            let path = format!(
                "/v1/registry/issuers/{}/keys/{}/status",
                segment(&issuer)?,
                segment(&key_id)?
            );
            let status = match status {
                KeyStatusArg::Retired => "retired",
                KeyStatusArg::Revoked => "revoked",
            };
            write(&connection, &path, &json!({"status": status, "reason": reason})).await
        }
        RegistryCommand::AddVerifier { file, connection } => {
            let verifier = read_json(&file)?;
            write(&connection, "/v1/registry/verifiers", &verifier).await
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
            let mut path = format!("/v1/registry/log/inclusion-proof?leaf_index={index}");
            if let Some(size) = size {
                path.push_str(&format!("&tree_size={size}"));
            }
            let proof = connection.client().get(&path).await?;
            let human = format!(
                "inclusion proof of entry {} in the tree of size {}:\n{}",
                proof["leaf_index"],
                proof["tree_size"],
                hashes(&proof)
            );
            connection.print(&human, &proof);
            Ok(())
        }
        RegistryCommand::Consistency { old, new, connection } => {
            let mut path = format!("/v1/registry/log/consistency-proof?old_size={old}");
            if let Some(new) = new {
                path.push_str(&format!("&new_size={new}"));
            }
            let proof = connection.client().get(&path).await?;
            let human = format!(
                "consistency proof from size {} to size {}:\n{}",
                proof["old_size"],
                proof["new_size"],
                hashes(&proof)
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
            let key = connection.client().get("/v1/registry/key").await?;
            let human = key["registry_key"].as_str().unwrap_or_default().to_owned();
            connection.print(&human, &key);
            Ok(())
        }
    }
}

/// An id as one URL path segment: the registry's ids never need escaping, so refuse what would.
fn segment(id: &str) -> CliResult<&str> {
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

/// A registry write: POST, then say where the entry went.
async fn write(connection: &Connection, path: &str, body: &Value) -> CliResult {
    let answer = connection.client().post(path, body).await?;
    let human = format!(
        "appended as log entry {}; the log's tree head is now of size {}, signed {}",
        answer["index"],
        answer["tree_head"]["size"],
        answer["tree_head"]["timestamp"]
            .as_i64()
            .map(human_time)
            .unwrap_or_default()
    );
    connection.print(&human, &answer);
    Ok(())
}

async fn types(connection: &Connection) -> CliResult {
    let answer = connection.client().get("/v1/registry/types").await?;
    let rows = list(&answer, "types")
        .iter()
        .map(|ty| {
            vec![
                text(&ty["id"]),
                text(&ty["name"]),
                list(ty, "attributes").len().to_string(),
                list(ty, "claims").len().to_string(),
            ]
        })
        .collect();
    let human = table(&["TYPE", "NAME", "ATTRIBUTES", "CLAIMS"], rows);
    connection.print(&human, &answer);
    Ok(())
}

async fn issuers(connection: &Connection) -> CliResult {
    let answer = connection.client().get("/v1/registry/issuers").await?;
    let rows = list(&answer, "issuers")
        .iter()
        .map(|issuer| {
            let keys: Vec<String> = list(issuer, "keys")
                .iter()
                .map(|k| format!("{} ({})", text(&k["key_id"]), key_state(&k["status"])))
                .collect();
            vec![
                text(&issuer["id"]),
                text(&issuer["region"]),
                text(&issuer["name"]),
                joined(&issuer["authorised_types"]),
                keys.join(", "),
            ]
        })
        .collect();
    let human = table(&["ISSUER", "REGION", "NAME", "TYPES", "KEYS"], rows);
    connection.print(&human, &answer);
    Ok(())
}

async fn issuer(connection: &Connection, id: &str) -> CliResult {
    let issuer = connection
        .client()
        .get(&format!("/v1/registry/issuers/{}", segment(id)?))
        .await?;
    let keys = list(&issuer, "keys")
        .iter()
        .map(|k| {
            vec![
                text(&k["key_id"]),
                format!("{} .. {}", text(&k["not_before"]), text(&k["not_after"])),
                key_state(&k["status"]),
                text(&k["public_key"]),
            ]
        })
        .collect();
    let human = format!(
        "{} ({})\nregion:     {}\ndepartment: {}\nauthorised: {}\nkeys:\n{}",
        text(&issuer["id"]),
        text(&issuer["name"]),
        text(&issuer["region"]),
        text(&issuer["department"]),
        joined(&issuer["authorised_types"]),
        indent(&table(&["KEY", "VALIDITY", "STATE", "PUBLIC KEY"], keys))
    );
    connection.print(&human, &issuer);
    Ok(())
}

async fn verifiers(connection: &Connection) -> CliResult {
    let answer = connection.client().get("/v1/registry/verifiers").await?;
    let rows = list(&answer, "verifiers")
        .iter()
        .map(|verifier| {
            let purposes: Vec<String> = list(verifier, "purposes")
                .iter()
                .map(|p| text(&p["id"]))
                .collect();
            vec![
                text(&verifier["id"]),
                text(&verifier["region"]),
                text(&verifier["name"]),
                purposes.join(", "),
            ]
        })
        .collect();
    let human = table(&["VERIFIER", "REGION", "NAME", "PURPOSES"], rows);
    connection.print(&human, &answer);
    Ok(())
}

async fn verifier(connection: &Connection, id: &str) -> CliResult {
    let verifier = connection
        .client()
        .get(&format!("/v1/registry/verifiers/{}", segment(id)?))
        .await?;
    let mut human = format!(
        "{} ({})\nregion: {}\npurposes:",
        text(&verifier["id"]),
        text(&verifier["name"]),
        text(&verifier["region"])
    );
    for purpose in list(&verifier, "purposes") {
        human.push_str(&format!(
            "\n  {}: {}\n    legal basis: {}",
            text(&purpose["id"]),
            text(&purpose["description"]),
            text(&purpose["legal_basis"])
        ));
        for grant in list(purpose, "allowed") {
            human.push_str(&format!(
                "\n    {}: attributes [{}], claims [{}]",
                text(&grant["type"]),
                joined(&grant["attributes"]),
                joined(&grant["claims"])
            ));
        }
    }
    connection.print(&human, &verifier);
    Ok(())
}

async fn tree_head(connection: &Connection, registry_key: Option<&VerifyingKey>) -> CliResult {
    let value = connection.client().get("/v1/registry/log/tree-head").await?;
    let head: SignedTreeHead = serde_json::from_value(value.clone())
        .map_err(|e| CliError::Failed(format!("the service sent a malformed tree head: {e}")))?;
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
    connection.print(&human, &value);
    Ok(())
}

async fn snapshot(
    connection: &Connection,
    out: &std::path::Path,
    registry_key: Option<&VerifyingKey>,
) -> CliResult {
    let value = connection.client().get("/v1/registry/snapshot").await?;
    let snapshot: Snapshot = serde_json::from_value(value)
        .map_err(|e| CliError::Failed(format!("the service sent a malformed snapshot: {e}")))?;
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

fn hashes(proof: &Value) -> String {
    let hashes = list(proof, "hashes");
    if hashes.is_empty() {
        return "  (no hashes: the proof is trivial)".to_owned();
    }
    hashes
        .iter()
        .map(|h| format!("  {}", text(h)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn key_state(status: &Value) -> String {
    match (status["state"].as_str(), status["reason"].as_str()) {
        (Some(state), Some(reason)) => format!("{state}: {reason}"),
        (Some(state), None) => state.to_owned(),
        _ => "?".to_owned(),
    }
}

/// The array at `field`, or nothing.
fn list<'a>(value: &'a Value, field: &str) -> &'a [Value] {
    value[field].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// A JSON string as text (other values as JSON).
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A JSON array of strings, comma-separated.
fn joined(value: &Value) -> String {
    value
        .as_array()
        .map(|items| items.iter().map(text).collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Left-aligned columns; "(none)" under the headers when there are no rows.
pub(crate) fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut lines = vec![line(headers.iter().map(|h| (*h).to_owned()).collect())];
    if rows.is_empty() {
        lines.push("(none)".to_owned());
    }
    lines.extend(rows.into_iter().map(line));
    lines.join("\n")
}
