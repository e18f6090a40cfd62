//! `ecert verifier`: a verifier's desk at the command line. `request` asks the verifier service
//! (crates/server/src/verifier.rs) for a presentation request under one of the verifier's registered
//! purposes and prints the URL the holder answers; `check` hands the service a presentation a holder gave over
//! (`ecert wallet answer --request .. --out ..`) and prints what it established, and only that.
//!
//! The service refuses a request that asks for more than the purpose allows, and verifies and spends the
//! request's nonce on the first presentation, so a replayed one fails here too.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};
use ecert_api::{ErrorCode, NewPresentationRequest, VerificationResult};
use ecert_credential::{Presentation, RequestItem, TypeId};
use serde_json::json;

use super::{CliError, CliResult, Connection, read_json, write_atomically};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (check: the presentation is valid)
  1  the operation failed: refused by the service (e.g. over-asking), a bad input file
  2  bad usage
  3  the service could not be reached
  4  the presentation did not verify (the failed check is named), or was already used";

/// `ecert verifier`: create presentation requests; check presentations.
#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct VerifierArgs {
    #[command(flatten)]
    connection: Connection,
    /// The verifier's registry id, e.g. 110105-car-rental. Creating a request needs a verifier token for
    /// it (`ecert token --role verifier --scope <ID>`).
    #[arg(long, env = "ECERT_VERIFIER", global = true, value_name = "ID")]
    verifier: Option<String>,
    #[command(subcommand)]
    command: VerifierCommand,
}

#[derive(Debug, Subcommand)]
enum VerifierCommand {
    /// Create a presentation request under a registered purpose; print it and the URL the holder answers.
    ///
    /// Either one item from --type (with --disclose and --claims), or the items from a JSON file (a list of
    /// {"id", "types", "issuers"?, "disclose", "claims"}). The service refuses a request asking for more
    /// than the purpose allows. The holder answers with
    /// `ecert wallet answer --url <URL>`, or from the request file with `--request`.
    #[command(after_help = EXIT_CODES)]
    #[command(group(ArgGroup::new("what").required(true).args(["items", "type_id"])))]
    Request(RequestArgs),
    /// Check a presentation a holder gave over: print what it establishes, or which check failed.
    ///
    /// The request's nonce is spent by the first check, valid or not: a second check of the same
    /// presentation fails as a replay.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// The nonce of the request the presentation answers.
        #[arg(long)]
        nonce: String,
        /// The presentation file (JSON).
        #[arg(long, value_name = "FILE")]
        presentation: PathBuf,
    },
}

#[derive(Debug, Args)]
struct RequestArgs {
    /// The registered purpose, e.g. rent-a-car.
    #[arg(long)]
    purpose: String,
    /// The items, from a JSON file: a list of items, or {"items": [...]}.
    #[arg(long, value_name = "FILE.json")]
    items: Option<PathBuf>,
    /// The certificate type of a single item, e.g. cn.driving-licence/1.
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// With --type: the attributes to disclose, comma-separated.
    #[arg(long, value_delimiter = ',', requires = "type_id", value_name = "NAMES")]
    disclose: Vec<String>,
    /// With --type: the derived claims that must hold, comma-separated (e.g. age_over_18).
    #[arg(long, value_delimiter = ',', requires = "type_id", value_name = "NAMES")]
    claims: Vec<String>,
    /// With --type: accept only these issuers, comma-separated (default: any the registry authorises).
    #[arg(long, value_delimiter = ',', requires = "type_id", value_name = "IDS")]
    issuers: Vec<String>,
    /// The request's lifetime in seconds (default and maximum: the service's).
    #[arg(long, value_name = "SECS")]
    ttl: Option<i64>,
    /// Write the request to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs the command.
pub async fn run(args: VerifierArgs) -> CliResult {
    let verifier = args.verifier.ok_or_else(|| {
        CliError::Usage("give the verifier's registry id: --verifier ID (or ECERT_VERIFIER)".into())
    })?;
    let connection = &args.connection;
    match args.command {
        VerifierCommand::Request(request_args) => request(connection, &verifier, request_args).await,
        VerifierCommand::Check { nonce, presentation } => {
            check(connection, &verifier, &nonce, &presentation).await
        }
    }
}

/// The default item id for `--type`: the type's short name, `cn.driving-licence/1` → `driving-licence`.
fn item_id(type_id: &str) -> String {
    let name = type_id.split('/').next().unwrap_or(type_id);
    name.rsplit('.').next().unwrap_or(name).to_owned()
}

fn items(args: &RequestArgs) -> CliResult<Vec<RequestItem>> {
    if let Some(path) = &args.items {
        let value = read_json(path)?;
        let list = match value.get("items") {
            Some(inner) => inner.clone(),
            None => value,
        };
        // Checked here so that a typo names the file rather than coming back as the service's refusal.
        return serde_json::from_value::<Vec<RequestItem>>(list)
            .map_err(|e| CliError::Failed(format!("{} does not hold request items: {e}", path.display())));
    }
    let type_text = args.type_id.as_deref().unwrap_or_default();
    let type_id =
        TypeId::new(type_text).map_err(|e| CliError::Usage(format!("--type {type_text:?}: {e}")))?;
    let item = RequestItem {
        id: item_id(type_id.as_str()),
        types: vec![type_id],
        issuers: (!args.issuers.is_empty()).then(|| args.issuers.clone()),
        disclose: args.disclose.clone(),
        claims: args.claims.clone(),
    };
    Ok(vec![item])
}

async fn request(connection: &Connection, verifier: &str, args: RequestArgs) -> CliResult {
    if connection.token.is_none() {
        return Err(CliError::Usage(format!(
            "creating a request needs a verifier token: --token (or ECERT_TOKEN), from \
             `ecert token --role verifier --scope {verifier}`"
        )));
    }
    let body = NewPresentationRequest {
        purpose: args.purpose.clone(),
        items: items(&args)?,
        ttl_secs: args.ttl,
    };
    let client = connection.client();
    let request = client.create_request(verifier, &body).await?;
    let url = format!(
        "{}{}",
        client.base(),
        ecert_api::operation::GET_PRESENTATION_REQUEST.path_with(&[&request.verifier, &request.nonce])
    );
    let text = request.to_json();
    if let Some(out) = &args.out {
        write_atomically(out, &text)?;
    }
    let expires = crate::output::time(request.expires_at);
    let mut human = Vec::new();
    match &args.out {
        Some(out) => human.push(format!("request written to {}", out.display())),
        None => human.push(text.clone()),
    }
    human.push(format!("nonce:   {}", request.nonce));
    human.push(format!("expires: {expires}"));
    human.push(format!("the holder answers: {url}"));
    connection.print(
        &human.join("\n"),
        &json!({"request": request, "url": url, "nonce": request.nonce}),
    );
    Ok(())
}

async fn check(connection: &Connection, verifier: &str, nonce: &str, path: &std::path::Path) -> CliResult {
    let value = read_json(path)?;
    let presentation = Presentation::from_json(&value.to_string())
        .map_err(|e| CliError::Failed(format!("{} does not hold a presentation: {e}", path.display())))?;
    let result = connection
        .client()
        .submit_to(verifier, nonce, &presentation)
        .await
        .map_err(|e| {
            if e.is(ErrorCode::NonceUsed) || e.is(ErrorCode::RequestExpired) {
                CliError::Rejected(format!("the presentation is not accepted: {e}"))
            } else {
                e.into()
            }
        })?;
    print_result(connection, &result, verifier)
}

/// Prints a verification result: what the verifier learned, item by item. One that is not valid is
/// exit 4, naming the failed check.
pub(crate) fn print_result(
    connection: &Connection,
    result: &VerificationResult,
    verifier: &str,
) -> CliResult {
    let verified = match result {
        VerificationResult::Valid(verified) => verified,
        VerificationResult::Invalid(failure) => {
            if connection.json {
                connection.print("", result);
            }
            return Err(CliError::Rejected(format!(
                "the presentation did not verify: {} ({})",
                failure.message, failure.code
            )));
        }
    };
    let mut lines = vec![format!("VALID: {verifier} learned")];
    for item in &verified.items {
        lines.push(format!(
            "  item {}: {} from {}, valid {} to {}",
            item.item,
            item.type_id,
            item.issuer,
            ecert_credential::format_date(item.valid_from),
            ecert_credential::format_date(item.valid_until)
        ));
        for (name, value) in &item.disclosed {
            lines.push(format!("    {name:<22} {}", crate::output::plain(value)));
        }
        for (name, value) in &item.claims {
            lines.push(format!("    {name:<22} {value} (claim)"));
        }
    }
    lines.push("  nothing else was disclosed".to_owned());
    connection.print(&lines.join("\n"), result);
    Ok(())
}
