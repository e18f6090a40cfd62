//! `ecert audit`: the regulator's checks on the registry. Tree heads over time (each new head must extend
//! the last one seen, by a consistency proof, so a registry that forks or rewinds its log is caught), a
//! replay of the whole log, every issuer's key history, anomalies the write rules cannot forbid, and the
//! verifiers' verification records.
//!
//! Everything fetched from the registry is checked against the registry key the regulator pinned out of
//! band (`--registry-key` or ECERT_REGISTRY_KEY), never against a key the service reports.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use ecert_api::{AuditFilter, ConsistencyQuery};
use ecert_credential::{decode_b64, encode_b64, parse_date};
use ecert_registry::{
    Anomaly, AuditPolicy, Hash, KeyState, SignedTreeHead, Snapshot, VerifyingKey, audit, check_heads,
    entry_counts, key_history,
};
use serde_json::{Value, json};

use super::{CliError, CliResult, Connection, write_atomically};
use crate::output::{table, time as human_time, tree_head as describe_head};

/// `ecert audit` subcommands.
///
/// `heads`, `replay`, `keys` and `anomalies` read the public log and need the registry key;
/// `verifications` needs a regulator token. Exit 1 when a check fails (a fork, a rollback, a bad
/// signature, or anomalies found), so that a scheduled job can alert on it.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that the registry's log only grows: no fork, no rollback (keeps a state file).
    ///
    /// Fetches the current signed tree head and proves that it extends the last head seen.
    /// The state file (a JSON array of signed tree heads, created on first use) keeps every head seen.
    /// Each run verifies the current head's signature, fetches a consistency proof from the last head
    /// in the file to it and checks it (RFC 9162 §2.1.4.2), then appends the head. Prints "consistent"
    /// on success; on a fork, a rollback or a bad signature it exits 1 and leaves the file as it was:
    /// its signed heads are the evidence. Run it regularly, e.g. from cron.
    Heads {
        /// The file of heads seen so far.
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// The registry key to check signatures with.
        #[command(flatten)]
        registry_key: RegistryKeyArg,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Replay the whole log and summarise it.
    ///
    /// Checks the snapshot against the signed head, folds it into the registry's state, and counts
    /// entries per kind, types, issuers, keys and verifiers.
    Replay {
        /// The registry key to check signatures with.
        #[command(flatten)]
        registry_key: RegistryKeyArg,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Every key an issuer ever published, with its history.
    ///
    /// From the verified log: validity, when it was published, and whether and when it was retired or
    /// revoked.
    Keys {
        /// The issuer's registry id.
        issuer: String,
        /// The registry key to check signatures with.
        #[command(flatten)]
        registry_key: RegistryKeyArg,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// Look for anomalies in the log; exit 1 if there are any, 0 if none.
    ///
    /// What the write rules cannot forbid but a regulator must see: several active keys per issuer (a
    /// way to tag holders), backdated keys, purposes asking for very sensitive attributes, and
    /// out-of-order, duplicated or rule-breaking entries.
    Anomalies {
        /// The most sensitive attribute level (0-4, specs/schemas/FORMAT.md) a purpose may ask for
        /// without being flagged; 4 is identity numbers, biometrics and financial data.
        #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=4))]
        max_sensitivity: u8,
        /// The registry key to check signatures with.
        #[command(flatten)]
        registry_key: RegistryKeyArg,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
    /// List the verifiers' verification records (regulator token).
    ///
    /// Who checked what, for which purpose, with what outcome: the names of disclosed attributes and
    /// claims, never their values.
    Verifications {
        /// Only records from this time on: Unix seconds or a day (YYYY-MM-DD, from midnight UTC).
        #[arg(long, value_name = "T", value_parser = parse_since)]
        since: Option<i64>,
        /// At most this many records (the service caps it at 1000).
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
        /// Where the service is and who is calling.
        #[command(flatten)]
        connection: Connection,
    },
}

/// The registry key everything fetched is checked against.
#[derive(Debug, Clone, clap::Args)]
pub struct RegistryKeyArg {
    /// The registry's public key (base64url Ed25519, printed by `ecert init`), pinned out of band.
    #[arg(
        long = "registry-key",
        env = "ECERT_REGISTRY_KEY",
        value_name = "B64",
        value_parser = parse_registry_key,
        // base64url may start with '-'.
        allow_hyphen_values = true
    )]
    key: VerifyingKey,
}

/// Parses a registry key given on the command line.
pub(crate) fn parse_registry_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = decode_b64(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("not 32 bytes of base64url (the registry key `ecert init` prints)")?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not an Ed25519 public key".to_owned())
}

fn parse_since(text: &str) -> Result<i64, String> {
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    parse_date(text)
        .map(|day| day.midnight().assume_utc().unix_timestamp())
        .map_err(|_| "expected Unix seconds or a day, YYYY-MM-DD".to_owned())
}

/// Runs the command.
pub async fn run(command: AuditCommand) -> CliResult {
    match command {
        AuditCommand::Heads {
            state,
            registry_key,
            connection,
        } => heads(&connection, &state, &registry_key.key).await,
        AuditCommand::Replay {
            registry_key,
            connection,
        } => replay(&connection, &registry_key.key).await,
        AuditCommand::Keys {
            issuer,
            registry_key,
            connection,
        } => keys(&connection, &issuer, &registry_key.key).await,
        AuditCommand::Anomalies {
            max_sensitivity,
            registry_key,
            connection,
        } => anomalies(&connection, max_sensitivity, &registry_key.key).await,
        AuditCommand::Verifications {
            since,
            limit,
            connection,
        } => verifications(&connection, since, limit).await,
    }
}

/// The heads seen before; none if the file does not exist yet (the first run).
fn load_heads(path: &Path) -> CliResult<Vec<SignedTreeHead>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            CliError::Failed(format!(
                "{} is not a JSON array of signed tree heads: {e}",
                path.display()
            ))
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(CliError::Failed(format!("cannot read {}: {e}", path.display()))),
    }
}

async fn heads(connection: &Connection, state: &Path, key: &VerifyingKey) -> CliResult {
    let mut seen = load_heads(state)?;
    let client = connection.client();
    let current = client.tree_head().await?;
    current.verify(key).map_err(|e| {
        CliError::Failed(format!(
            "the registry's current {} does not verify under the registry key ({e}): is --registry-key \
             right, and is this the registry you trust?",
            describe_head(&current)
        ))
    })?;
    let previous = seen.last().cloned();
    if let Some(last) = &previous {
        check_extends(connection, state, key, last, &current).await?;
    }
    let unchanged = previous.as_ref() == Some(&current);
    if !unchanged {
        seen.push(current.clone());
        let text = serde_json::to_string_pretty(&seen)
            .map_err(|e| CliError::Failed(format!("cannot encode the tree heads: {e}")))?;
        write_atomically(state, &text)?;
    }
    let status = if previous.is_some() { "consistent" } else { "first" };
    let mut human = format!(
        "{}: the signature verifies under the registry key",
        describe_head(&current)
    );
    match &previous {
        Some(_) if unchanged => human.push_str("\nconsistent: unchanged since the last check"),
        Some(last) => human.push_str(&format!(
            "\nconsistent: it extends the head seen before, the {} (consistency proof checked)",
            describe_head(last)
        )),
        None => human.push_str("\nthe first head seen; run again later to check that the log only grows"),
    }
    human.push_str(&format!(
        "\n{} head(s) recorded in {}",
        seen.len(),
        state.display()
    ));
    let value = json!({"status": status, "tree_head": current, "previous": previous,
                       "heads_recorded": seen.len(), "state": state.display().to_string()});
    connection.print(&human, &value);
    Ok(())
}

/// Checks that `current` extends `last`: a rollback (a smaller log), a fork (a different history) or a
/// head signed earlier than one seen before all fail.
async fn check_extends(
    connection: &Connection,
    state: &Path,
    key: &VerifyingKey,
    last: &SignedTreeHead,
    current: &SignedTreeHead,
) -> CliResult {
    let evidence = format!("{} keeps the earlier signed head as evidence", state.display());
    last.verify(key).map_err(|e| {
        CliError::Failed(format!(
            "the last head in {} does not verify under the registry key ({e}): was it written for \
             another registry?",
            state.display()
        ))
    })?;
    if current.size < last.size {
        return Err(CliError::Failed(format!(
            "rollback: the registry now signs a log of {} entries, but it signed {} entries at {}; {evidence}",
            current.size,
            last.size,
            human_time(last.timestamp)
        )));
    }
    if last.size == 0 {
        // Every log extends the empty one; there is no proof to check, only time.
        if current.timestamp < last.timestamp {
            return Err(CliError::Failed(format!(
                "the registry's current head is signed before the head seen before; {evidence}"
            )));
        }
        return Ok(());
    }
    let proof = if current.size == last.size {
        Vec::new()
    } else {
        let answer = connection
            .client()
            .consistency_proof(ConsistencyQuery {
                old_size: last.size,
                new_size: Some(current.size),
            })
            .await?;
        proof_hashes(&answer.hashes)?
    };
    check_heads(key, last, current, &proof).map_err(|e| {
        CliError::Failed(format!(
            "fork: the registry's current {} does not extend the {} seen before ({e}); {evidence}",
            describe_head(current),
            describe_head(last)
        ))
    })
}

fn proof_hashes(hashes: &[String]) -> CliResult<Vec<Hash>> {
    let malformed = || CliError::Failed("the service sent a malformed consistency proof".into());
    hashes
        .iter()
        .map(|hash| {
            decode_b64(hash)
                .ok()
                .and_then(|bytes| Hash::try_from(bytes).ok())
                .ok_or_else(malformed)
        })
        .collect()
}

/// The snapshot, with its head's signature and that its entries hash to the signed root checked.
/// Entries that break a rule pass here, for the audit to report.
async fn verified_snapshot(connection: &Connection, key: &VerifyingKey) -> CliResult<Snapshot> {
    let snapshot = connection.client().snapshot().await?;
    match snapshot.verify(key) {
        // The rules are checked last, after the signature and the root.
        Ok(_) | Err(ecert_registry::Error::Rule(_)) => Ok(snapshot),
        Err(e) => Err(CliError::Failed(format!(
            "the registry's snapshot does not verify ({e}): is --registry-key right, and is this the \
             registry you trust?"
        ))),
    }
}

async fn replay(connection: &Connection, key: &VerifyingKey) -> CliResult {
    let snapshot = verified_snapshot(connection, key).await?;
    let state = snapshot.verify(key).map_err(|e| {
        CliError::Failed(format!(
            "the log does not replay ({e}); `ecert audit anomalies` lists what is wrong"
        ))
    })?;
    let counts = entry_counts(&snapshot.entries);
    let keys: usize = state.issuers.values().map(|i| i.keys.len()).sum();
    let active: usize = state
        .issuers
        .values()
        .flat_map(|i| &i.keys)
        .filter(|k| k.state == KeyState::Active)
        .count();
    let rows = counts
        .iter()
        .map(|(kind, count)| vec![(*kind).to_owned(), count.to_string()])
        .collect();
    let human = format!(
        "replayed {} entries up to the {}: the signature and the root verify\n{}\nstate: {} types, {} \
         issuers with {} keys ({} active), {} verifiers",
        snapshot.entries.len(),
        describe_head(&snapshot.tree_head),
        table(&["ENTRY KIND", "COUNT"], rows),
        state.types.len(),
        state.issuers.len(),
        keys,
        active,
        state.verifiers.len()
    );
    let value = json!({
        "tree_head": snapshot.tree_head,
        "entries": snapshot.entries.len(),
        "counts": counts,
        "types": state.types.len(),
        "issuers": state.issuers.len(),
        "keys": keys,
        "active_keys": active,
        "verifiers": state.verifiers.len(),
    });
    connection.print(&human, &value);
    Ok(())
}

async fn keys(connection: &Connection, issuer: &str, key: &VerifyingKey) -> CliResult {
    let snapshot = verified_snapshot(connection, key).await?;
    let report = audit(&snapshot.entries, AuditPolicy::default())
        .map_err(|e| CliError::Failed(format!("the log does not replay: {e}")))?;
    let history = key_history(&report.state, issuer).ok_or_else(|| {
        CliError::Failed(format!(
            "no issuer {issuer:?} in the registry's log ({})",
            describe_head(&snapshot.tree_head)
        ))
    })?;
    let mut rows = Vec::new();
    let mut records = Vec::new();
    for k in history {
        let (state, changed_at, reason) = match &k.state {
            KeyState::Active => ("active", None, None),
            KeyState::Retired { at } => ("retired", Some(*at), None),
            KeyState::Revoked { at, reason } => ("revoked", Some(*at), Some(reason.as_str())),
        };
        let described = match (changed_at, reason) {
            (Some(at), Some(reason)) => format!("{state} {}: {reason}", human_time(at)),
            (Some(at), None) => format!("{state} {}", human_time(at)),
            _ => state.to_owned(),
        };
        rows.push(vec![
            k.key_id.clone(),
            format!("{} .. {}", k.not_before, k.not_after),
            human_time(k.published_at),
            described,
        ]);
        records.push(json!({
            "key_id": k.key_id,
            "suite": k.suite,
            "public_key": encode_b64(&k.public_key.to_bytes()),
            "not_before": k.not_before.to_string(),
            "not_after": k.not_after.to_string(),
            "published_at": k.published_at,
            "state": state,
            "changed_at": changed_at,
            "reason": reason,
        }));
    }
    let human = format!(
        "key history of {issuer}, from the verified log ({}):\n{}",
        describe_head(&snapshot.tree_head),
        table(&["KEY", "VALIDITY", "PUBLISHED", "STATE"], rows)
    );
    let value = json!({"issuer": issuer, "tree_head": snapshot.tree_head, "keys": records});
    connection.print(&human, &value);
    Ok(())
}

async fn anomalies(connection: &Connection, max_sensitivity: u8, key: &VerifyingKey) -> CliResult {
    let snapshot = verified_snapshot(connection, key).await?;
    let policy = AuditPolicy {
        max_purpose_sensitivity: max_sensitivity,
    };
    let report = audit(&snapshot.entries, policy)
        .map_err(|e| CliError::Failed(format!("the log cannot be audited: {e}")))?;
    let found: Vec<Value> = report
        .anomalies
        .iter()
        .map(|a| anomaly_json(a, max_sensitivity))
        .collect();
    let mut human = format!(
        "audited {} entries up to the {}: ",
        snapshot.entries.len(),
        describe_head(&snapshot.tree_head)
    );
    if found.is_empty() {
        human.push_str("no anomalies");
    } else {
        human.push_str(&format!("{} anomalies", found.len()));
        for anomaly in &found {
            human.push_str(&format!(
                "\n  {}: {}",
                anomaly["kind"].as_str().unwrap_or_default(),
                anomaly["description"].as_str().unwrap_or_default()
            ));
        }
    }
    let value = json!({"tree_head": snapshot.tree_head, "max_sensitivity": max_sensitivity,
                       "anomalies": found});
    connection.print(&human, &value);
    if found.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{} anomalies in the registry's log",
            found.len()
        )))
    }
}

/// An anomaly as JSON: a stable `kind`, a sentence for people and the fields it is about.
fn anomaly_json(anomaly: &Anomaly, max_sensitivity: u8) -> Value {
    match anomaly {
        Anomaly::SeveralActiveKeys { issuer, key_ids } => json!({
            "kind": "several_active_keys", "issuer": issuer, "key_ids": key_ids,
            "description": format!(
                "{issuer} has several active keys with overlapping validity ({}): it could sign some \
                 holders' certificates with one and others' with another, and tell them apart",
                key_ids.join(", ")),
        }),
        Anomaly::BackdatedKey {
            issuer,
            key_id,
            not_before,
            published,
        } => json!({
            "kind": "backdated_key", "issuer": issuer, "key_id": key_id,
            "not_before": not_before.to_string(), "published": published.to_string(),
            "description": format!(
                "{issuer}'s key {key_id} may issue from {not_before}, before it was published on \
                 {published}: certificates could be backdated"),
        }),
        Anomaly::OverbroadPurpose {
            verifier,
            purpose,
            type_id,
            attribute,
            sensitivity,
        } => json!({
            "kind": "overbroad_purpose", "verifier": verifier, "purpose": purpose, "type": type_id,
            "attribute": attribute, "sensitivity": sensitivity,
            "description": format!(
                "{verifier}'s purpose {purpose} may ask for {attribute} of {type_id}, of sensitivity \
                 {sensitivity} (more than {max_sensitivity})"),
        }),
        Anomaly::OutOfOrder { index } => json!({
            "kind": "out_of_order", "index": index,
            "description": format!("entry {index} is dated before the entry before it"),
        }),
        Anomaly::Duplicate { index, first } => json!({
            "kind": "duplicate", "index": index, "first": first,
            "description": format!("entry {index} repeats entry {first} byte for byte"),
        }),
        Anomaly::RuleViolation { index, reason } => json!({
            "kind": "rule_violation", "index": index, "reason": reason,
            "description": format!("entry {index} breaks a registry rule: {reason}"),
        }),
        // A kind this build does not know yet still gets reported.
        other => json!({"kind": "other", "description": format!("{other:?}")}),
    }
}

async fn verifications(connection: &Connection, since: Option<i64>, limit: Option<u32>) -> CliResult {
    let filter = AuditFilter {
        since: since.unwrap_or_default(),
        limit: limit.map(i64::from),
        issuer: None,
    };
    let answer = connection.client().audit_verifications(&filter).await?;
    let records = &answer.verifications;
    let accepted = records.iter().filter(|r| r.outcome == "valid").count();
    let rows = records
        .iter()
        .map(|record| {
            let items: Vec<String> = record
                .items
                .iter()
                .map(|item| {
                    format!(
                        "{} from {}: [{}]",
                        item.type_id,
                        item.issuer,
                        item.disclosed
                            .iter()
                            .chain(&item.claims)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            vec![
                human_time(record.at),
                record.verifier.clone(),
                record.purpose.clone(),
                record.outcome.clone(),
                items.join("; "),
            ]
        })
        .collect();
    let human = format!(
        "{}\n{} verification records ({accepted} accepted); attribute names only, never values",
        table(&["TIME", "VERIFIER", "PURPOSE", "OUTCOME", "DISCLOSED"], rows),
        records.len()
    );
    connection.print(&human, &answer);
    Ok(())
}
