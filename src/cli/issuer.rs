//! `ecert issuer`: an issuing department's operator at the command line. Keys (list, generate, publish,
//! rotate), issuance of one certificate or of a CSV batch, status changes, a certificate's record, and
//! holders' objections: each a call to the issuer service (crates/server/src/issuer.rs) and, to publish or retire a
//! key or to read certificate types, to the registry (crates/server/src/registry.rs).
//!
//! Issuance is idempotent from here too: `issue` derives its Idempotency-Key from the request, and `batch`
//! from the CSV file's bytes and the row, so running the same command again, after a crash or a lost
//! answer, gets back the certificates already issued instead of issuing twice. A batch checks every row
//! before it issues any, so a bad row never leaves half a batch issued.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};
use ecert_api::{
    Client, ClientCode, ClientError, ErrorCode, IssueCertificate, IssuerKey, KeyPublication, KeyStatusChange,
    KeyStatusName, Objection, ObjectionReview, ReviewDecision, StatusAction, StatusChange,
};
use ecert_credential::{
    AttributeKind, Catalogue, CertificateType, IssuerRecord, KeyStatus, format_date, parse_date,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{CliError, CliResult, Connection, read_json, write_atomically};
use crate::output::time as when;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the operation failed: refused by the service, a bad input file, invalid CSV rows
  2  bad usage
  3  the service could not be reached";

/// `ecert issuer`: an issuing department's keys, issuance, status changes and objections.
#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct IssuerArgs {
    #[command(flatten)]
    connection: Connection,
    /// The issuing department's registry id, e.g. 110000-psb. The --token must be an issuer token for
    /// it (`ecert token --role issuer --scope <ID>`).
    #[arg(long, env = "ECERT_ISSUER", global = true, value_name = "ID")]
    issuer: Option<String>,
    /// The registry's base URL, if it is not the --server (used to publish and retire keys and to read
    /// certificate types and key windows).
    #[arg(long, env = "ECERT_REGISTRY_SERVER", global = true, value_name = "URL")]
    registry_server: Option<String>,
    #[command(subcommand)]
    command: IssuerCommand,
}

#[derive(Debug, Subcommand)]
enum IssuerCommand {
    /// The department's signing keys: list, generate, publish in the registry, rotate.
    #[command(subcommand, after_help = EXIT_CODES)]
    Keys(KeysCommand),
    /// Issue one certificate from a JSON file of attribute values.
    ///
    /// The Idempotency-Key defaults to the SHA-256 of the request (type, attributes, validity), so
    /// running the same command again returns the certificate already issued instead of a second one.
    #[command(after_help = EXIT_CODES)]
    Issue(IssueArgs),
    /// Issue one certificate per row of a CSV file, after checking every row.
    ///
    /// The header row names the attributes (the type's attribute names); each cell is read by the
    /// attribute's type (integers as numbers, booleans as true/false, dates as YYYY-MM-DD); an empty cell
    /// is a missing value. Every row is checked first: if any is invalid, a report names each row and
    /// attribute and nothing is issued. Each row's Idempotency-Key is derived from the file's bytes and
    /// the row number, so running the same command again after an interruption resumes without issuing
    /// anything twice. Do not edit a CSV file after issuing from it: put corrected rows in a new file.
    /// Each certificate is written to <OUT_DIR>/<row>-<serial>.json.
    #[command(after_help = EXIT_CODES)]
    Batch(BatchArgs),
    /// Revoke a certificate (final).
    #[command(after_help = EXIT_CODES)]
    Revoke(StatusChangeArgs),
    /// Suspend a certificate (`reinstate` lifts the suspension).
    #[command(after_help = EXIT_CODES)]
    Suspend(StatusChangeArgs),
    /// Reinstate a suspended certificate.
    #[command(after_help = EXIT_CODES)]
    Reinstate(StatusChangeArgs),
    /// Show a certificate's record: status, status position, signing key and history.
    #[command(after_help = EXIT_CODES)]
    Certificate {
        /// The certificate's serial.
        serial: String,
    },
    /// Holders' objections to their certificates: list, show, review.
    #[command(subcommand, after_help = EXIT_CODES)]
    Objections(ObjectionsCommand),
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// List the department's keys, with each key's state in the registry.
    List,
    /// Generate a key pair in the issuer service (the secret key never leaves it, sealed at rest) and
    /// print the public key. The service signs with it only once the registry publishes it.
    Generate {
        /// The new key's id, never reused, e.g. k2 or 2026-01.
        key_id: String,
    },
    /// Publish a generated key in the registry, so that certificates signed with it verify (needs a
    /// registry-admin token).
    Publish {
        /// The key's id (from `keys generate`).
        key_id: String,
        #[command(flatten)]
        window: KeyWindow,
        #[command(flatten)]
        admin: AdminToken,
    },
    /// Generate a new key, publish it, and retire the old one: the service signs with the new key from
    /// then on, and certificates signed with the old one stay valid (needs a registry-admin token).
    Rotate {
        /// The new key's id.
        new_key_id: String,
        #[command(flatten)]
        window: KeyWindow,
        #[command(flatten)]
        admin: AdminToken,
        /// The key to retire once the new one is published.
        #[arg(long, value_name = "OLD_KEY_ID")]
        retire: Option<String>,
    },
}

#[derive(Debug, Args)]
struct KeyWindow {
    /// First day certificates may be issued under the key [default: today, UTC].
    #[arg(long, value_name = "YYYY-MM-DD")]
    not_before: Option<String>,
    /// Last day certificates may be issued under the key [default: that of the key being retired, else
    /// of the newest active key in the registry].
    #[arg(long, value_name = "YYYY-MM-DD")]
    not_after: Option<String>,
}

#[derive(Debug, Args)]
struct AdminToken {
    /// A registry-admin token (`ecert token --role registry-admin`).
    #[arg(long, env = "ECERT_ADMIN_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    admin_token: String,
}

#[derive(Debug, Args)]
struct Validity {
    /// First day of validity [default: today, UTC].
    #[arg(long, value_name = "YYYY-MM-DD")]
    valid_from: Option<String>,
    /// Last day of validity [default: the last day of the issuer's newest active key in the registry].
    #[arg(long, value_name = "YYYY-MM-DD")]
    valid_until: Option<String>,
}

#[derive(Debug, Args)]
struct IssueArgs {
    /// The certificate type, e.g. cn.resident-id-card/1.
    #[arg(long = "type", value_name = "TYPE")]
    type_id: String,
    /// A JSON file holding the attribute values: one object, by attribute name.
    #[arg(long, value_name = "FILE.json")]
    attributes: PathBuf,
    #[command(flatten)]
    validity: Validity,
    /// The Idempotency-Key [default: hex SHA-256 of the request].
    #[arg(long, value_name = "KEY")]
    idempotency_key: Option<String>,
    /// Write the certificate to this file (whole or not at all) instead of printing it.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct BatchArgs {
    /// The certificate type of every row, e.g. cn.resident-id-card/1.
    #[arg(long = "type", value_name = "TYPE")]
    type_id: String,
    /// The CSV file: a header row of attribute names, then one certificate per row.
    #[arg(long, value_name = "FILE.csv")]
    csv: PathBuf,
    /// Where to write the certificates (created if missing).
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
    #[command(flatten)]
    validity: Validity,
}

#[derive(Debug, Args)]
struct StatusChangeArgs {
    /// The certificate's serial.
    serial: String,
    /// Why, recorded with the change (at most 500 characters).
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Debug, Subcommand)]
enum ObjectionsCommand {
    /// List the objections filed with the department.
    List,
    /// Show one objection: the statement, the corrections asked for, and its history.
    Show {
        /// The objection's id.
        id: String,
    },
    /// Decide an objection. Accepting re-issues the certificate with the corrections (new serial, same
    /// validity) and revokes the old one; rejecting records the note.
    Review(ReviewArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("decision").required(true).args(["accept", "reject"])))]
struct ReviewArgs {
    /// The objection's id.
    id: String,
    /// Accept: correct and re-issue.
    #[arg(long)]
    accept: bool,
    /// Reject.
    #[arg(long)]
    reject: bool,
    /// The reviewer's note, given to the holder (1 to 2000 characters).
    #[arg(long)]
    note: String,
    /// A JSON file of the reviewer's own corrections, when they differ from the holder's (accept only).
    #[arg(long, value_name = "FILE.json", conflicts_with = "reject")]
    corrections: Option<PathBuf>,
}

/// Runs the command.
pub async fn run(args: IssuerArgs) -> CliResult {
    let id = args
        .issuer
        .ok_or_else(|| CliError::Usage("which issuer? Give --issuer <ID> or set ECERT_ISSUER".into()))?;
    if !ecert_credential::is_valid_id(&id) {
        return Err(CliError::Usage(format!("--issuer {id:?} is not a valid id")));
    }
    let service = args.connection.client();
    let registry = Client::new(args.registry_server.as_deref().unwrap_or(&args.connection.server));
    let department = Department {
        id,
        connection: args.connection,
        service,
        registry,
    };
    match args.command {
        IssuerCommand::Keys(command) => keys(&department, command).await,
        IssuerCommand::Issue(issue) => issue_one(&department, issue).await,
        IssuerCommand::Batch(batch) => issue_batch(&department, batch).await,
        IssuerCommand::Revoke(change) => change_status(&department, StatusAction::Revoke, change).await,
        IssuerCommand::Suspend(change) => change_status(&department, StatusAction::Suspend, change).await,
        IssuerCommand::Reinstate(change) => change_status(&department, StatusAction::Reinstate, change).await,
        IssuerCommand::Certificate { serial } => certificate(&department, &serial).await,
        IssuerCommand::Objections(command) => objections(&department, command).await,
    }
}

/// The department the command acts for, and its connections.
struct Department {
    id: String,
    connection: Connection,
    /// The issuer service, with the issuer token.
    service: Client,
    /// The registry, without a token (reads are public; writes add the admin token).
    registry: Client,
}

impl Department {
    /// The department's registry record (keys with their windows and states, authorised types), or
    /// `None` when the registry does not host it or the department is not registered.
    async fn registry_record(&self) -> CliResult<Option<IssuerRecord>> {
        match self.registry.issuer(&self.id).await {
            Ok(record) => Ok(Some(record)),
            Err(error) if error.status == Some(404) => Ok(None),
            Err(error) => Err(refused(error)),
        }
    }

    /// The validity of new certificates: the arguments, else today and the last day of the newest active
    /// key, checked to be dates in order.
    async fn validity(&self, validity: &Validity) -> CliResult<(String, String)> {
        let valid_from = validity.valid_from.clone().unwrap_or_else(today);
        let valid_until = match &validity.valid_until {
            Some(date) => date.clone(),
            None => self
                .registry_record()
                .await?
                .as_ref()
                .and_then(|record| key_not_after(record, None))
                .ok_or_else(|| {
                    CliError::Usage(
                        "give --valid-until: the registry lists no active key of this issuer to take it from"
                            .into(),
                    )
                })?,
        };
        check_window("--valid-from", &valid_from, "--valid-until", &valid_until)?;
        Ok((valid_from, valid_until))
    }
}

/// A service error as a command error, with a hint for the token problems an operator can fix.
fn refused(error: ClientError) -> CliError {
    let hint = match error.code.as_str() {
        "missing_token" => Some("pass --token or set ECERT_TOKEN (`ecert token --role issuer --scope <ID>`)"),
        "invalid_token" | "token_expired" => Some("mint a fresh token with `ecert token`"),
        "out_of_scope" | "wrong_role" => {
            Some("the token must be an issuer token for this --issuer (or registry-admin, to publish keys)")
        }
        _ => None,
    };
    match (CliError::from(error), hint) {
        (CliError::Failed(message), Some(hint)) => CliError::Failed(format!("{message}; {hint}")),
        (other, _) => other,
    }
}

fn today() -> String {
    format_date(time::OffsetDateTime::now_utc().date())
}

/// Checks that two command-line dates are dates, the first not after the second.
fn check_window(first_name: &str, first: &str, second_name: &str, second: &str) -> CliResult<()> {
    let parse = |name: &str, text: &str| {
        parse_date(text).map_err(|_| CliError::Usage(format!("{name} {text:?} is not a date, YYYY-MM-DD")))
    };
    if parse(first_name, first)? > parse(second_name, second)? {
        return Err(CliError::Usage(format!(
            "{first_name} {first} is after {second_name} {second}"
        )));
    }
    Ok(())
}

/// The last day of `key_id` in the registry record, or of the newest active key when `None`.
fn key_not_after(record: &IssuerRecord, key_id: Option<&str>) -> Option<String> {
    let key = match key_id {
        Some(key_id) => record.keys.iter().find(|k| k.key_id == key_id),
        None => record.keys.iter().rev().find(|k| k.status == KeyStatus::Active),
    };
    key.map(|k| format_date(k.not_after))
}

fn key_state(status: &KeyStatus) -> &'static str {
    match status {
        KeyStatus::Active => "active",
        KeyStatus::Retired { .. } => "retired",
        _ => "revoked",
    }
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------------
// Keys

async fn keys(department: &Department, command: KeysCommand) -> CliResult {
    match command {
        KeysCommand::List => list_keys(department).await,
        KeysCommand::Generate { key_id } => {
            let key = generate_key(department, &key_id).await?;
            let human = format!(
                "generated key {key_id} for {issuer}\npublic key: {public_key}\n\
                 next: have the registry publish it, e.g.\n  \
                 ecert issuer --issuer {issuer} keys publish {key_id} --not-after <YYYY-MM-DD> --admin-token <registry-admin token>\n\
                 Until then the service keeps signing with the newest published key.",
                issuer = department.id,
                public_key = key.public_key,
            );
            department.connection.print(&human, &key);
            Ok(())
        }
        KeysCommand::Publish {
            key_id,
            window,
            admin,
        } => {
            let record = department.registry_record().await?;
            let (not_before, not_after) = key_window(&window, record.as_ref(), None)?;
            let published =
                publish_key(department, &key_id, &not_before, &not_after, &admin.admin_token).await?;
            let human = format!(
                "published key {key_id} of {} in the registry, for {not_before} to {not_after} (log entry {})",
                department.id, published.index
            );
            department.connection.print(
                &human,
                &json!({"key_id": key_id, "not_before": not_before, "not_after": not_after,
                        "registry": published}),
            );
            Ok(())
        }
        KeysCommand::Rotate {
            new_key_id,
            window,
            admin,
            retire,
        } => {
            rotate(
                department,
                &new_key_id,
                &window,
                &admin.admin_token,
                retire.as_deref(),
            )
            .await
        }
    }
}

async fn list_keys(department: &Department) -> CliResult {
    let answer = department
        .service
        .issuer_keys(&department.id)
        .await
        .map_err(refused)?;
    let record = department.registry_record().await?;
    let published: BTreeMap<&str, &ecert_credential::KeyRecord> = record
        .iter()
        .flat_map(|r| &r.keys)
        .map(|k| (k.key_id.as_str(), k))
        .collect();
    let mut lines = vec![format!("keys of {}:", department.id)];
    let mut keys = Vec::new();
    for key in &answer.keys {
        let in_registry = published.get(key.key_id.as_str()).copied();
        let state = match in_registry {
            Some(k) => format!(
                "{}, {} to {}",
                key_state(&k.status),
                format_date(k.not_before),
                format_date(k.not_after)
            ),
            None if record.is_some() => "not published".into(),
            None => "registry not reachable here".into(),
        };
        lines.push(format!(
            "  {:<12} {state:<36} created {}",
            key.key_id,
            when(key.created_at)
        ));
        keys.push(json!({
            "key_id": key.key_id, "public_key": key.public_key, "created_at": key.created_at,
            "registry": in_registry,
        }));
    }
    if keys.is_empty() {
        lines.push("  (none: create one with `keys generate <KEY_ID>`)".into());
    }
    department
        .connection
        .print(&lines.join("\n"), &json!({"issuer": department.id, "keys": keys}));
    Ok(())
}

async fn generate_key(department: &Department, key_id: &str) -> CliResult<IssuerKey> {
    department
        .service
        .create_issuer_key(&department.id, key_id)
        .await
        .map_err(refused)
}

/// The key's window: the arguments, else today and the last day of `retiring` (or of the newest active
/// key), checked.
fn key_window(
    window: &KeyWindow,
    record: Option<&IssuerRecord>,
    retiring: Option<&str>,
) -> CliResult<(String, String)> {
    let not_before = window.not_before.clone().unwrap_or_else(today);
    let not_after = match &window.not_after {
        Some(date) => date.clone(),
        None => record
            .and_then(|r| key_not_after(r, retiring).or_else(|| key_not_after(r, None)))
            .ok_or_else(|| {
                CliError::Usage("give --not-after: the registry lists no active key to take it from".into())
            })?,
    };
    check_window("--not-before", &not_before, "--not-after", &not_after)?;
    Ok((not_before, not_after))
}

/// Publishes a key the issuer service generated, reading its public key from the service.
async fn publish_key(
    department: &Department,
    key_id: &str,
    not_before: &str,
    not_after: &str,
    admin_token: &str,
) -> CliResult<ecert_api::Appended> {
    let answer = department
        .service
        .issuer_keys(&department.id)
        .await
        .map_err(refused)?;
    let key = answer
        .keys
        .into_iter()
        .find(|k| k.key_id == key_id)
        .ok_or_else(|| {
            CliError::Failed(format!(
                "the issuer service has no key {key_id:?} for {}: generate it first with `keys generate {key_id}`",
                department.id
            ))
        })?;
    department
        .registry
        .with_token(admin_token)
        .publish_key(
            &department.id,
            &KeyPublication {
                key_id: key_id.to_owned(),
                public_key: key.public_key,
                not_before: not_before.to_owned(),
                not_after: not_after.to_owned(),
                suite: Some(key.suite),
            },
        )
        .await
        .map_err(refused)
}

async fn rotate(
    department: &Department,
    new_key_id: &str,
    window: &KeyWindow,
    admin_token: &str,
    retire: Option<&str>,
) -> CliResult {
    // Everything that can be checked is checked before the new key exists, so that a usage error does
    // not leave a generated key behind.
    let record = department.registry_record().await?;
    if let (Some(old), Some(record)) = (retire, &record) {
        let active = record
            .keys
            .iter()
            .any(|k| k.key_id == old && k.status == KeyStatus::Active);
        if !active {
            return Err(CliError::Failed(format!(
                "--retire {old}: the registry lists no active key {old:?} for {}",
                department.id
            )));
        }
    }
    let (not_before, not_after) = key_window(window, record.as_ref(), retire)?;
    let key = generate_key(department, new_key_id).await?;
    let published = publish_key(department, new_key_id, &not_before, &not_after, admin_token)
        .await
        .map_err(|e| {
            rewritten(e, |m| {
                format!("key {new_key_id} was generated but not published: {m}; finish with `keys publish {new_key_id}`")
            })
        })?;
    let retired = match retire {
        Some(old) => Some(
            department
                .registry
                .with_token(admin_token)
                .change_key_status(
                    &department.id,
                    old,
                    &KeyStatusChange {
                        status: KeyStatusName::Retired,
                        reason: Some(format!("rotated to {new_key_id}")),
                    },
                )
                .await
                .map_err(|e| {
                    rewritten(refused(e), |m| {
                        format!("key {new_key_id} is published and signs from now on, but {old} was not retired: {m}")
                    })
                })?,
        ),
        None => None,
    };
    let mut human = format!(
        "rotated {}: key {new_key_id} generated and published for {not_before} to {not_after}\npublic key: {}",
        department.id, key.public_key
    );
    if let Some(old) = retire {
        human.push_str(&format!(
            "\nretired key {old} (certificates it signed stay valid)"
        ));
    }
    department.connection.print(
        &human,
        &json!({"key": key, "not_before": not_before, "not_after": not_after, "published": published,
                "retired": retire, "retirement": retired}),
    );
    Ok(())
}

/// The error's message (`CliError::message` is private to cli.rs).
fn message_of(error: &CliError) -> &str {
    match error {
        CliError::Failed(m) | CliError::Usage(m) | CliError::Unreachable(m) | CliError::Rejected(m) => m,
    }
}

/// The same error, with its message rewritten by `rewrite`: the exit code stays what the cause says.
fn rewritten(error: CliError, rewrite: impl FnOnce(&str) -> String) -> CliError {
    match error {
        CliError::Failed(m) => CliError::Failed(rewrite(&m)),
        CliError::Usage(m) => CliError::Usage(rewrite(&m)),
        CliError::Unreachable(m) => CliError::Unreachable(rewrite(&m)),
        CliError::Rejected(m) => CliError::Rejected(rewrite(&m)),
    }
}

// ---------------------------------------------------------------------------------------------------
// Issuance

async fn issue_one(department: &Department, args: IssueArgs) -> CliResult {
    let attributes = match read_json(&args.attributes)? {
        Value::Object(attributes) => attributes,
        _ => {
            return Err(CliError::Failed(format!(
                "{} must hold a JSON object of attribute values, by name",
                args.attributes.display()
            )));
        }
    };
    let (valid_from, valid_until) = department.validity(&args.validity).await?;
    let body = IssueCertificate {
        type_id: args.type_id.clone(),
        attributes,
        valid_from,
        valid_until,
        key_id: None,
    };
    let idempotency_key = match args.idempotency_key {
        Some(key) => key,
        // Hashed as a JSON value, whose members serde_json keeps sorted: the same request always hashes
        // the same, whatever the field order of the type.
        None => hex::encode(Sha256::digest(
            serde_json::to_value(&body)
                .and_then(|value| serde_json::to_vec(&value))
                .map_err(|e| CliError::Failed(e.to_string()))?,
        )),
    };
    let (status, answer) = department
        .service
        .issue(&department.id, &idempotency_key, &body)
        .await
        .map_err(refused)?;
    let already_issued = status == 200;
    let certificate = answer.certificate.to_json();
    if let Some(out) = &args.out {
        write_atomically(out, &format!("{certificate}\n"))?;
    }
    let summary = format!(
        "{} certificate {} of type {}, signed with key {}, status list {} index {}{}",
        if already_issued {
            "already issued (same request):"
        } else {
            "issued"
        },
        answer.serial,
        answer.certificate.type_id,
        answer.certificate.key_id,
        answer.status.list,
        answer.status.index,
        args.out
            .as_ref()
            .map(|p| format!("; written to {}", p.display()))
            .unwrap_or_default(),
    );
    if department.connection.json {
        department.connection.print(
            &summary,
            &json!({"serial": answer.serial, "status": answer.status, "already_issued": already_issued,
                    "idempotency_key": idempotency_key, "file": args.out,
                    "certificate": answer.certificate}),
        );
    } else if args.out.is_some() {
        println!("{summary}");
    } else {
        // The certificate on stdout, for a pipe or redirection; the summary for the operator.
        println!("{certificate}");
        eprintln!("{summary}");
    }
    Ok(())
}

/// One CSV row, read by the type's attribute kinds.
struct Row {
    /// 1 for the first row after the header.
    number: usize,
    /// The line in the file where it starts.
    line: u64,
    attributes: Map<String, Value>,
}

/// Something wrong with the CSV: in the header (`row` `None`) or a row, and which attribute.
struct Problem {
    row: Option<usize>,
    line: u64,
    attribute: Option<String>,
    reason: String,
}

impl Problem {
    fn describe(&self) -> String {
        let place = match self.row {
            Some(row) => format!("row {row} (line {})", self.line),
            None => format!("header (line {})", self.line),
        };
        match &self.attribute {
            Some(attribute) => format!("{place}, {attribute}: {}", self.reason),
            None => format!("{place}: {}", self.reason),
        }
    }

    fn to_json(&self) -> Value {
        json!({"row": self.row, "line": self.line, "attribute": self.attribute, "reason": self.reason})
    }
}

/// A cell as JSON, by the attribute's kind. A cell that does not read as its kind stays a string, so
/// that the type's own check reports it ("expected an integer").
fn cell_value(kind: &AttributeKind, cell: &str) -> Value {
    match kind {
        AttributeKind::Integer { .. } => cell
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(cell)),
        AttributeKind::Boolean => match cell.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::from(cell),
        },
        _ => Value::from(cell),
    }
}

fn reason(error: &ecert_credential::Error) -> String {
    match error {
        ecert_credential::Error::InvalidValue { problem, .. } => problem.clone(),
        other => other.to_string(),
    }
}

/// Reads and checks every row of the CSV against the type: the rows, the problems, and how many rows
/// the file has. Never echoes a cell: values are personal data, and the report may end up in a log.
fn read_rows(ty: &CertificateType, bytes: &[u8]) -> (Vec<Row>, Vec<Problem>, usize) {
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
            .collect(),
        Err(error) => {
            problems.push(Problem {
                row: None,
                line: 1,
                attribute: None,
                reason: format!("cannot read the header row: {error}"),
            });
            return (Vec::new(), problems, 0);
        }
    };
    let header_problem = |attribute: &str, reason: String| Problem {
        row: None,
        line: 1,
        attribute: Some(attribute.to_owned()),
        reason,
    };
    let mut seen = HashSet::new();
    for name in &header {
        if ty.attribute(name).is_none() {
            problems.push(header_problem(name, format!("not an attribute of {}", ty.id)));
        } else if !seen.insert(name.as_str()) {
            problems.push(header_problem(name, "named twice".into()));
        }
    }
    for spec in &ty.attributes {
        if !seen.contains(spec.name.as_str()) {
            problems.push(header_problem(
                &spec.name,
                format!("no such column, and {} requires it", ty.id),
            ));
        }
    }

    let mut rows = Vec::new();
    let mut total = 0;
    for (index, record) in reader.records().enumerate() {
        let number = index + 1;
        total = number;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(Problem {
                    row: Some(number),
                    line: error.position().map_or(0, csv::Position::line),
                    attribute: None,
                    reason: format!("unreadable: {}", csv_error(&error)),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let problem = |attribute: Option<&str>, reason: String| Problem {
            row: Some(number),
            line,
            attribute: attribute.map(str::to_owned),
            reason,
        };
        if record.len() != header.len() {
            problems.push(problem(
                None,
                format!(
                    "has {} cells, the header names {} columns",
                    record.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let mut attributes = Map::new();
        for (name, cell) in header.iter().zip(record.iter()) {
            if let Some((_, spec)) = ty.attribute(name)
                && !cell.is_empty()
            {
                attributes.insert(name.clone(), cell_value(&spec.kind, cell));
            }
        }
        let before = problems.len();
        for spec in &ty.attributes {
            match attributes.get(&spec.name) {
                // A missing column is reported once, in the header.
                None if seen.contains(spec.name.as_str()) => {
                    problems.push(problem(
                        Some(&spec.name),
                        "empty, and the type requires a value".into(),
                    ));
                }
                None => {}
                Some(value) => {
                    if let Err(error) = spec.parse_value(value) {
                        problems.push(problem(Some(&spec.name), reason(&error)));
                    }
                }
            }
        }
        // The type's whole check, in case it ever checks more than each value on its own.
        if problems.len() == before
            && let Err(error) = ty.parse_values(&attributes)
        {
            problems.push(problem(None, error.to_string()));
        }
        rows.push(Row {
            number,
            line,
            attributes,
        });
    }
    (rows, problems, total)
}

/// A CSV reading error without the record's content (csv's messages can quote bytes of the row).
fn csv_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("not valid UTF-8 (field {})", err.field() + 1),
        csv::ErrorKind::Io(e) => e.to_string(),
        _ => "malformed CSV".into(),
    }
}

/// The type, from the registry's catalogue, or the built-in types when this service does not host the
/// registry.
async fn certificate_type(department: &Department, type_id: &str) -> CliResult<CertificateType> {
    match department.registry.certificate_types().await {
        Ok(answer) => {
            let schema = answer
                .types
                .iter()
                .find(|schema| schema["id"] == type_id)
                .ok_or_else(|| {
                    CliError::Failed(format!("the registry has no certificate type {type_id:?}"))
                })?;
            CertificateType::from_json(&schema.to_string())
                .map_err(|e| CliError::Failed(format!("the registry's type {type_id}: {e}")))
        }
        Err(error) if error.status == Some(404) => Catalogue::built_in()
            .and_then(|catalogue| catalogue.get(type_id))
            .cloned()
            .map_err(|e| CliError::Failed(e.to_string())),
        Err(error) => Err(refused(error)),
    }
}

/// `<row>-<serial>.json`, the serial encoded so that no character of it can leave the directory.
fn certificate_file(row: usize, serial: &str) -> String {
    let mut name = format!("{row}-");
    ecert_api::operation::push_segment(&mut name, serial);
    name.push_str(".json");
    name
}

async fn issue_batch(department: &Department, args: BatchArgs) -> CliResult {
    let bytes = std::fs::read(&args.csv)
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", args.csv.display())))?;
    let ty = certificate_type(department, &args.type_id).await?;
    let (valid_from, valid_until) = department.validity(&args.validity).await?;
    if let Some(record) = department.registry_record().await?
        && !record.authorised_types.iter().any(|t| t.as_str() == args.type_id)
    {
        return Err(CliError::Failed(format!(
            "the registry does not authorise {} to issue {}; nothing was issued",
            department.id, args.type_id
        )));
    }

    // Every row is checked before any is issued: nothing half-done.
    let (rows, problems, total) = read_rows(&ty, &bytes);
    if !problems.is_empty() {
        let bad_rows: HashSet<_> = problems.iter().filter_map(|p| p.row).collect();
        if department.connection.json {
            let report: Vec<Value> = problems.iter().map(Problem::to_json).collect();
            println!("{}", pretty(&json!({"issued": 0, "problems": report})));
        }
        let report: Vec<String> = problems.iter().map(|p| format!("  {}", p.describe())).collect();
        let mut places = Vec::new();
        if problems.iter().any(|p| p.row.is_none()) {
            places.push("the header".to_owned());
        }
        if !bad_rows.is_empty() {
            places.push(format!("{} of {total} rows", bad_rows.len()));
        }
        return Err(CliError::Failed(format!(
            "{}: {} problem(s), in {}; nothing was issued:\n{}",
            args.csv.display(),
            problems.len(),
            places.join(" and "),
            report.join("\n")
        )));
    }
    if rows.is_empty() {
        return Err(CliError::Failed(format!(
            "{} has a header but no rows: nothing to issue",
            args.csv.display()
        )));
    }

    std::fs::create_dir_all(&args.out_dir)
        .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", args.out_dir.display())))?;
    let file_digest = hex::encode(Sha256::digest(&bytes));
    let bar = if department.connection.json || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(rows.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} rows, {elapsed} {msg}") {
            bar.set_style(style);
        }
        bar
    };
    let (mut issued, mut already_issued) = (0usize, 0usize);
    let mut certificates = Vec::new();
    let mut refusals = Vec::new();
    for row in &rows {
        let body = IssueCertificate {
            type_id: args.type_id.clone(),
            attributes: row.attributes.clone(),
            valid_from: valid_from.clone(),
            valid_until: valid_until.clone(),
            key_id: None,
        };
        let key = format!("batch-{file_digest}-{}", row.number);
        match department.service.issue(&department.id, &key, &body).await {
            Ok((status, answer)) => {
                let serial = answer.serial.as_str();
                let file = args.out_dir.join(certificate_file(row.number, serial));
                if let Err(error) = write_atomically(&file, &format!("{}\n", answer.certificate.to_json())) {
                    bar.abandon();
                    return Err(CliError::Failed(format!(
                        "row {}: certificate {serial} issued but not written ({}); run the same command again to resume",
                        row.number,
                        message_of(&error)
                    )));
                }
                if status == 200 {
                    already_issued += 1;
                } else {
                    issued += 1;
                }
                certificates.push(
                    json!({"row": row.number, "serial": serial, "status": answer.status,
                                         "already_issued": status == 200, "file": file}),
                );
            }
            Err(error) if error.code == ClientCode::Unreachable => {
                bar.abandon();
                return Err(CliError::Unreachable(format!(
                    "stopped at row {} of {} ({issued} issued, {already_issued} already issued): {}; \
                     run the same command again to resume",
                    row.number,
                    rows.len(),
                    message_of(&CliError::from(error))
                )));
            }
            Err(error) => {
                let hint = if error.is(ErrorCode::IdempotencyKeyReused) {
                    " (this row was issued before with other dates; keep the first --valid-from/--valid-until)"
                } else {
                    ""
                };
                let line = format!("row {} (line {}): refused: {error}{hint}", row.number, row.line);
                bar.suspend(|| eprintln!("{line}"));
                refusals.push(
                    json!({"row": row.number, "line": row.line, "code": error.code.as_str(),
                                     "message": error.message}),
                );
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let human = format!(
        "issued {issued}, already issued {already_issued}, refused {}: certificates in {}",
        refusals.len(),
        args.out_dir.display()
    );
    department.connection.print(
        &human,
        &json!({"issued": issued, "already_issued": already_issued, "refused": refusals,
                "certificates": certificates}),
    );
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "the service refused {} of {} rows (listed above); the others were issued. Put corrected rows \
             in a new CSV file: editing this one changes every row's idempotency key",
            refusals.len(),
            rows.len()
        )))
    }
}

// ---------------------------------------------------------------------------------------------------
// Status changes and records

async fn change_status(department: &Department, action: StatusAction, args: StatusChangeArgs) -> CliResult {
    let change = StatusChange {
        reason: args.reason.clone(),
    };
    let answer = department
        .service
        .change_status(&department.id, &args.serial, action, &change)
        .await
        .map_err(refused)?;
    department.connection.print(
        &format!(
            "certificate {} is now {}; its status list is republished",
            args.serial, answer.status
        ),
        &answer,
    );
    Ok(())
}

async fn certificate(department: &Department, serial: &str) -> CliResult {
    let record = department
        .service
        .certificate_record(&department.id, serial)
        .await
        .map_err(refused)?;
    let mut lines = vec![
        format!("certificate {serial}"),
        format!("  type:       {}", record.type_id),
        format!("  status:     {}", record.status),
        format!(
            "  position:   status list {} index {}",
            record.status_list, record.status_index
        ),
        format!("  signed by:  key {}", record.key_id),
        format!(
            "  valid:      {} to {}",
            format_date(record.certificate.valid_from),
            format_date(record.certificate.valid_until)
        ),
        format!("  issued at:  {}", when(record.issued_at)),
        "  history:".into(),
    ];
    for event in &record.events {
        let reason = event
            .reason
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        lines.push(format!(
            "    {}  {} by {}{reason}",
            when(event.at),
            event.action,
            event.actor
        ));
    }
    department.connection.print(&lines.join("\n"), &record);
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Objections

async fn objections(department: &Department, command: ObjectionsCommand) -> CliResult {
    match command {
        ObjectionsCommand::List => {
            let answer = department
                .service
                .objections(&department.id)
                .await
                .map_err(refused)?;
            let mut lines = Vec::new();
            for objection in &answer.objections {
                lines.push(format!(
                    "{}  {:<9} certificate {}  filed {}\n    {}",
                    objection.id,
                    objection.state,
                    objection.serial,
                    when(objection.filed_at),
                    objection.statement
                ));
            }
            if lines.is_empty() {
                lines.push(format!("no objections filed with {}", department.id));
            }
            department.connection.print(&lines.join("\n"), &answer);
            Ok(())
        }
        ObjectionsCommand::Show { id } => {
            let objection = department
                .service
                .objection(&department.id, &id)
                .await
                .map_err(refused)?;
            department
                .connection
                .print(&describe_objection(&objection), &objection);
            Ok(())
        }
        ObjectionsCommand::Review(review) => {
            let corrections = match &review.corrections {
                Some(path) => match read_json(path)? {
                    Value::Object(corrections) => Some(corrections),
                    _ => {
                        return Err(CliError::Failed(format!(
                            "{} must hold a JSON object of corrected attribute values, by name",
                            path.display()
                        )));
                    }
                },
                None => None,
            };
            let body = ObjectionReview {
                decision: if review.accept {
                    ReviewDecision::Accept
                } else {
                    ReviewDecision::Reject
                },
                note: review.note.clone(),
                corrections,
            };
            let objection = department
                .service
                .review_objection(&department.id, &review.id, &body)
                .await
                .map_err(refused)?;
            department
                .connection
                .print(&describe_objection(&objection), &objection);
            Ok(())
        }
    }
}

fn describe_objection(objection: &Objection) -> String {
    let mut lines = vec![
        format!("objection {}", objection.id),
        format!("  state:       {}", objection.state),
        format!("  certificate: {}", objection.serial),
        format!("  filed:       {}", when(objection.filed_at)),
        format!("  statement:   {}", objection.statement),
        format!(
            "  corrections: {}",
            serde_json::to_string(&objection.corrections).unwrap_or_default()
        ),
    ];
    if let Some(replacement) = &objection.replacement_serial {
        lines.push(format!(
            "  re-issued as {replacement} (the old certificate is revoked)"
        ));
    }
    lines.push("  history:".into());
    for event in &objection.events {
        let note = event.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
        lines.push(format!(
            "    {}  {} by {}{note}",
            when(event.at),
            event.action,
            event.actor
        ));
    }
    lines.join("\n")
}
