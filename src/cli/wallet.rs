//! `ecert wallet`: a holder's wallet at the command line. The certificates live in one local file, sealed
//! under the holder's passphrase (Argon2id and XChaCha20-Poly1305, `keystore::seal_with_passphrase`), and
//! are read, changed and sealed again whole by each command, so the file is never left half written.
//!
//! Answering a verifier is the holder library's two steps with a person in between: `Wallet::prepare`
//! checks the request against the registry snapshot (verified under the registry key the holder trusts)
//! and shows what would be disclosed, to whom and why; only after the holder agrees does `Wallet::present`
//! derive the presentation, which goes to the verifier service (`--url`) or to a file (`--request`).
//!
//! New wallet files get the keystore's default Argon2id cost (64 MiB, 3 passes). `ECERT_WALLET_KDF=test`
//! selects Argon2's minimum instead so that the CLI tests run fast, in debug builds only (a release build
//! refuses it): for tests only, never for a wallet
//! that holds real certificates (a file sealed that way is resealed at the default cost by the next
//! command run without it).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand};
use ecert_credential::{Catalogue, Certificate, PresentationRequest, RegistryView, format_date};
use ecert_holder::{Consent, Wallet, WalletKdf};
use ecert_registry::VerifyingKey;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{CliError, CliResult, Connection, read_json, write_atomically};
use ecert_api::{Client, ClientCode, ErrorCode};
use ecert_server::keystore::{self, KdfParams, KeystoreError};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the operation failed: a missing or bad file, a wrong passphrase, refused by the service
  2  bad usage, or no passphrase available
  3  the service could not be reached
  4  the holder declined, the wallet refused the request, or the presentation did not verify

The passphrase comes from ECERT_WALLET_PASSPHRASE, or is asked for when standard input is a terminal.";

/// The environment variable holding the wallet passphrase.
const PASSPHRASE_VAR: &str = "ECERT_WALLET_PASSPHRASE";
/// Argon2's minimum (8 KiB, 1 pass), which `ECERT_WALLET_KDF=test` selects in debug builds so that tests
/// run fast.
const TEST_KDF: KdfParams = KdfParams {
    m_cost_kib: 8,
    t_cost: 1,
    p_cost: 1,
};

/// `ecert wallet`: a holder's encrypted wallet file, and answering verifiers' requests from it.
#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct WalletArgs {
    #[command(flatten)]
    connection: Connection,
    /// The wallet file: the holder's certificates, encrypted under a passphrase (from
    /// ECERT_WALLET_PASSPHRASE, or asked for on the terminal).
    #[arg(
        long,
        env = "ECERT_WALLET",
        default_value = "wallet.ecert",
        global = true,
        value_name = "FILE"
    )]
    wallet: PathBuf,
    #[command(subcommand)]
    command: WalletCommand,
}

#[derive(Debug, Subcommand)]
enum WalletCommand {
    /// Create an empty wallet file under a new passphrase (never overwrites one).
    #[command(after_help = EXIT_CODES)]
    Init,
    /// Add certificates: each file holds a certificate, or an issuer's answer `{"certificate": ...}`.
    ///
    /// A certificate whose serial the wallet already holds is refused, and nothing is added unless every
    /// file is good. With --registry-key, each issuer's signature is checked against the key the registry
    /// publishes before it is added.
    #[command(after_help = EXIT_CODES)]
    Import {
        /// Certificate files (JSON).
        #[arg(required = true, value_name = "CERT.json")]
        files: Vec<PathBuf>,
        /// The registry's log key (base64url, from `ecert init`): check each certificate's signature
        /// against the registry at --server before adding it.
        #[arg(long, env = "ECERT_REGISTRY_KEY", value_name = "B64")]
        registry_key: Option<String>,
    },
    /// List the certificates: number, type, issuer, serial and validity.
    #[command(after_help = EXIT_CODES)]
    List,
    /// Show one certificate whole: every attribute and claim (the holder's own data).
    #[command(after_help = EXIT_CODES)]
    Show {
        /// The certificate's number, as `list` shows it (from 1).
        number: usize,
    },
    /// Answer a verifier's request: show what would be disclosed, to whom and why, ask, then present.
    ///
    /// The request comes from the verifier service (--url, as `ecert verifier request` prints it) or from
    /// a file (--request). The wallet first checks it against the registry: a verifier not in the
    /// registry, a purpose it has not registered, or a request asking for more than the purpose allows is
    /// refused before anything is shown. The consent summary and the question go to standard error, so
    /// that standard output holds only the result. Nothing leaves the wallet unless the holder answers
    /// `y` (or gives --yes).
    ///
    /// With --url the presentation is sent to the verifier and the verification result printed; with
    /// --request it is written to --out (or printed) for the holder to hand over.
    #[command(after_help = EXIT_CODES)]
    #[command(group(ArgGroup::new("source").required(true).args(["request", "url"])))]
    Answer(AnswerArgs),
}

#[derive(Debug, Args)]
struct AnswerArgs {
    /// A request file (JSON, as `ecert verifier request --out` writes it).
    #[arg(long, value_name = "FILE")]
    request: Option<PathBuf>,
    /// The request's URL: <server>/v1/verifiers/<verifier>/requests/<nonce>. The presentation is sent to
    /// that server.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Disclose without asking (for scripts): the consent summary is still printed.
    #[arg(long)]
    yes: bool,
    /// With --request: write the presentation to this file instead of standard output.
    #[arg(long, value_name = "FILE", requires = "request")]
    out: Option<PathBuf>,
    /// The registry's log key (base64url, from `ecert init`): the registry snapshot must verify under it.
    #[arg(long, env = "ECERT_REGISTRY_KEY", value_name = "B64")]
    registry_key: String,
    /// The registry's base URL, if it is not the --url's server (with --url) or the --server (with
    /// --request).
    #[arg(long, env = "ECERT_REGISTRY_SERVER", value_name = "URL")]
    registry_server: Option<String>,
}

/// Runs the command.
pub async fn run(args: WalletArgs) -> CliResult {
    let file = WalletFile { path: args.wallet };
    let connection = &args.connection;
    match args.command {
        WalletCommand::Init => init(connection, &file),
        WalletCommand::Import { files, registry_key } => {
            import(connection, &file, &files, registry_key.as_deref()).await
        }
        WalletCommand::List => list(connection, &file),
        WalletCommand::Show { number } => show(connection, &file, number),
        WalletCommand::Answer(answer_args) => answer(connection, &file, answer_args).await,
    }
}

/// The wallet file on disk and how to open and seal it.
struct WalletFile {
    path: PathBuf,
}

impl WalletFile {
    fn open(&self) -> CliResult<(Wallet, Zeroizing<String>)> {
        let sealed = std::fs::read_to_string(&self.path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                CliError::Failed(format!(
                    "no wallet at {}: create one with `ecert wallet init`, or give --wallet",
                    self.path.display()
                ))
            } else {
                CliError::Failed(format!("cannot read {}: {e}", self.path.display()))
            }
        })?;
        let passphrase = passphrase(&format!("passphrase for {}: ", self.path.display()), false)?;
        let plaintext =
            keystore::open_with_passphrase(&passphrase, &sealed, &self.path).map_err(keystore_error)?;
        let text = Zeroizing::new(
            String::from_utf8(plaintext.to_vec())
                .map_err(|_| CliError::Failed(format!("{} does not hold a wallet", self.path.display())))?,
        );
        let wallet = Wallet::from_json(&text)
            .map_err(|e| CliError::Failed(format!("{} does not hold a wallet: {e}", self.path.display())))?;
        Ok((wallet, passphrase))
    }

    fn seal(&self, wallet: &Wallet, passphrase: &str) -> CliResult<String> {
        let plaintext = Zeroizing::new(wallet.to_json());
        // Debug builds alone accept the test cost (ecert_holder::WalletKdf).
        let params = match WalletKdf::from_env().map_err(|e| CliError::Usage(e.to_string()))? {
            WalletKdf::Standard => KdfParams::DEFAULT,
            WalletKdf::TestOnly => TEST_KDF,
        };
        keystore::seal_with_passphrase_using(passphrase, plaintext.as_bytes(), params).map_err(keystore_error)
    }

    /// Replaces the wallet file whole (a temporary file renamed into place).
    fn save(&self, wallet: &Wallet, passphrase: &str) -> CliResult {
        write_atomically(&self.path, &self.seal(wallet, passphrase)?)
    }
}

fn keystore_error(error: KeystoreError) -> CliError {
    match error {
        KeystoreError::WrongPassphrase(path) => CliError::Failed(format!(
            "wrong passphrase for {} (or the file was altered); nothing was changed",
            path.display()
        )),
        KeystoreError::EmptyPassphrase => CliError::Usage("the passphrase is empty".into()),
        other => CliError::Failed(other.to_string()),
    }
}

/// The passphrase: from ECERT_WALLET_PASSPHRASE, else asked for on the terminal (twice for a new one),
/// else a usage error saying how to give it.
fn passphrase(prompt: &str, new: bool) -> CliResult<Zeroizing<String>> {
    if let Ok(value) = std::env::var(PASSPHRASE_VAR) {
        return Ok(Zeroizing::new(value));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "no passphrase: set {PASSPHRASE_VAR}, or run on a terminal to be asked for it"
        )));
    }
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| CliError::Failed(format!("cannot read the passphrase: {e}")))
    };
    let first = read(prompt)?;
    if new {
        let again = read("the same passphrase again: ")?;
        if *first != *again {
            return Err(CliError::Usage(
                "the two passphrases differ; nothing was written".into(),
            ));
        }
    }
    Ok(first)
}

fn init(connection: &Connection, file: &WalletFile) -> CliResult {
    if file.path.exists() {
        return Err(CliError::Failed(format!(
            "{} already exists; refusing to overwrite a wallet",
            file.path.display()
        )));
    }
    let passphrase = passphrase(&format!("new passphrase for {}: ", file.path.display()), true)?;
    let sealed = file.seal(&Wallet::new(), &passphrase)?;
    write_new(&file.path, &sealed)?;
    connection.print(
        &format!("created an empty wallet at {}", file.path.display()),
        &json!({"wallet": file.path.display().to_string(), "certificates": 0}),
    );
    Ok(())
}

/// Writes a file that must not exist yet: whole or not at all, and never over one created meanwhile.
fn write_new(path: &Path, contents: &str) -> CliResult {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| CliError::Failed(format!("cannot write in {}: {e}", dir.display())))?;
    temporary
        .write_all(contents.as_bytes())
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    temporary
        .persist_noclobber(path)
        .map_err(|e| CliError::Failed(format!("cannot create {}: {}", path.display(), e.error)))?;
    Ok(())
}

/// A certificate file, or an issuer's answer holding one.
fn read_certificate(path: &Path) -> CliResult<Certificate> {
    let value = read_json(path)?;
    let value = match value.get("certificate") {
        Some(inner) if inner.is_object() => inner.clone(),
        _ => value,
    };
    Certificate::from_json(&value.to_string())
        .map_err(|e| CliError::Failed(format!("{} does not hold a certificate: {e}", path.display())))
}

async fn import(
    connection: &Connection,
    file: &WalletFile,
    paths: &[PathBuf],
    registry_key: Option<&str>,
) -> CliResult {
    // Every file is read and checked before the wallet is opened, so a bad file costs no passphrase.
    let mut incoming = Vec::with_capacity(paths.len());
    for path in paths {
        incoming.push((path, read_certificate(path)?));
    }
    let registry = match registry_key {
        Some(key) => Some(registry_state(&connection.client(), &parse_registry_key(key)?).await?),
        None => None,
    };
    if let Some((view, catalogue)) = &registry {
        for (path, certificate) in &incoming {
            check_signature(path, certificate, view, catalogue)?;
        }
    }
    let (mut wallet, passphrase) = file.open()?;
    for (path, certificate) in &incoming {
        let held = wallet
            .certificates()
            .iter()
            .any(|c| c.serial == certificate.serial);
        let twice = incoming
            .iter()
            .filter(|(_, c)| c.serial == certificate.serial)
            .count()
            > 1;
        if held || twice {
            return Err(CliError::Failed(format!(
                "{}: the wallet already holds certificate {} ({}); nothing was imported",
                path.display(),
                certificate.serial,
                certificate.type_id
            )));
        }
    }
    let mut added = Vec::new();
    for (_, certificate) in incoming {
        added.push(json!({
            "number": wallet.certificates().len() + 1,
            "type": certificate.type_id,
            "issuer": certificate.issuer,
            "serial": certificate.serial,
        }));
        wallet.add(certificate);
    }
    file.save(&wallet, &passphrase)?;
    if registry.is_none() && !connection.json {
        eprintln!("note: signatures not checked against the registry (give --registry-key to check them)");
    }
    let lines: Vec<String> = added
        .iter()
        .map(|a| {
            format!(
                "imported #{} {} from {} (serial {})",
                a["number"],
                a["type"].as_str().unwrap_or_default(),
                a["issuer"].as_str().unwrap_or_default(),
                a["serial"].as_str().unwrap_or_default()
            )
        })
        .collect();
    connection.print(
        &lines.join("\n"),
        &json!({"imported": added, "signatures_checked": registry.is_some()}),
    );
    Ok(())
}

fn check_signature(
    path: &Path,
    certificate: &Certificate,
    view: &RegistryView,
    catalogue: &Catalogue,
) -> CliResult {
    let refuse = |why: String| CliError::Failed(format!("{}: {why}; nothing was imported", path.display()));
    let ty = catalogue
        .get(certificate.type_id.as_str())
        .map_err(|e| refuse(format!("unknown certificate type: {e}")))?;
    let key = view
        .key(&certificate.issuer, &certificate.key_id)
        .ok_or_else(|| {
            refuse(format!(
                "the registry lists no key {} of issuer {}",
                certificate.key_id, certificate.issuer
            ))
        })?;
    certificate
        .verify_signature(ty, &key.public_key)
        .map_err(|e| refuse(format!("the issuer's signature does not verify: {e}")))
}

/// Display names of the types that ship with ecert, for offline listings.
fn type_name(type_id: &str) -> String {
    Catalogue::built_in()
        .ok()
        .and_then(|c| c.get(type_id).ok())
        .map_or_else(|| type_id.to_owned(), |ty| ty.name.clone())
}

fn list(connection: &Connection, file: &WalletFile) -> CliResult {
    let (wallet, _) = file.open()?;
    let rows: Vec<Value> = wallet
        .certificates()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "number": i + 1,
                "type": c.type_id,
                "type_name": type_name(c.type_id.as_str()),
                "issuer": c.issuer,
                "serial": c.serial,
                "valid_from": format_date(c.valid_from),
                "valid_until": format_date(c.valid_until),
            })
        })
        .collect();
    let mut human = if rows.is_empty() {
        format!(
            "{} holds no certificates (add some with `ecert wallet import`)",
            file.path.display()
        )
    } else {
        format!(
            "{:<3} {:<24} {:<22} {:<10} {}",
            "#", "type", "issuer", "serial", "valid"
        )
    };
    for (index, certificate) in wallet.certificates().iter().enumerate() {
        human.push_str(&format!(
            "\n{:<3} {:<24} {:<22} {:<10} {} to {}",
            index + 1,
            certificate.type_id.as_str(),
            certificate.issuer,
            certificate.serial.chars().take(8).collect::<String>(),
            format_date(certificate.valid_from),
            format_date(certificate.valid_until)
        ));
    }
    connection.print(&human, &json!({"certificates": rows}));
    Ok(())
}

fn show(connection: &Connection, file: &WalletFile, number: usize) -> CliResult {
    let (wallet, _) = file.open()?;
    let count = wallet.certificates().len();
    let certificate = number
        .checked_sub(1)
        .and_then(|i| wallet.certificates().get(i))
        .ok_or_else(|| {
            CliError::Failed(format!(
                "no certificate #{number}: the wallet holds {count} (see `ecert wallet list`)"
            ))
        })?;
    let mut human = vec![
        format!(
            "#{number} {} ({})",
            type_name(certificate.type_id.as_str()),
            certificate.type_id
        ),
        format!(
            "  issuer       {} (key {})",
            certificate.issuer, certificate.key_id
        ),
        format!("  serial       {}", certificate.serial),
        format!(
            "  valid        {} to {}",
            format_date(certificate.valid_from),
            format_date(certificate.valid_until)
        ),
        format!(
            "  status       list {} #{}",
            certificate.status.list, certificate.status.index
        ),
        "  attributes".to_owned(),
    ];
    for (name, value) in &certificate.attributes {
        human.push(format!("    {name:<24} {}", crate::output::plain(value)));
    }
    if !certificate.claims.is_empty() {
        human.push("  claims".to_owned());
        for (name, value) in &certificate.claims {
            human.push(format!("    {name:<24} {value}"));
        }
    }
    let value: Value = serde_json::from_str(&certificate.to_json()).unwrap_or_default();
    connection.print(&human.join("\n"), &value);
    Ok(())
}

/// Parses the registry key as `ecert init` prints it.
pub(crate) fn parse_registry_key(text: &str) -> CliResult<VerifyingKey> {
    let bad = || CliError::Usage("--registry-key must be the registry's 32-byte key in base64url".into());
    let bytes: [u8; 32] = ecert_credential::decode_b64(text.trim())
        .map_err(|_| bad())?
        .try_into()
        .map_err(|_| bad())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
}

async fn registry_state(client: &Client, key: &VerifyingKey) -> CliResult<(RegistryView, Catalogue)> {
    let (view, catalogue, _) = client.registry_state(key).await.map_err(|e| {
        if e.code == ClientCode::BadResponse && e.status.is_none() {
            CliError::Failed(format!(
                "the registry snapshot from {} does not verify under --registry-key: {}",
                client.base(),
                e.message
            ))
        } else {
            e.into()
        }
    })?;
    Ok((view, catalogue))
}

/// Splits a request URL `<origin>/v1/verifiers/<verifier>/requests/<nonce>` into the service's base URL,
/// the verifier and the nonce.
fn parse_request_url(text: &str) -> CliResult<(String, String, String)> {
    let bad = |why: &str| {
        CliError::Usage(format!(
            "--url {text:?}: {why}; expected <server>/v1/verifiers/<verifier>/requests/<nonce>"
        ))
    };
    let url = reqwest::Url::parse(text).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("not an http(s) URL"));
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|part| !part.is_empty()).collect())
        .unwrap_or_default();
    match segments.as_slice() {
        ["v1", "verifiers", verifier, "requests", nonce] => Ok((
            url.origin().ascii_serialization(),
            (*verifier).to_owned(),
            (*nonce).to_owned(),
        )),
        _ => Err(bad("not a request URL")),
    }
}

async fn answer(connection: &Connection, file: &WalletFile, args: AnswerArgs) -> CliResult {
    let registry_key = parse_registry_key(&args.registry_key)?;
    // Where the request comes from and, with --url, where the presentation goes.
    let (request, verifier_service, registry_base) = match (&args.url, &args.request) {
        (Some(url), _) => {
            let (base, verifier, nonce) = parse_request_url(url)?;
            let service = Client::new(&base);
            let request = service.fetch_request(&verifier, &nonce).await?;
            if request.verifier != verifier || request.nonce != nonce {
                return Err(CliError::Failed(format!(
                    "{base} answered with a request of {:?} for another URL; nothing was sent",
                    request.verifier
                )));
            }
            let registry = args.registry_server.clone().unwrap_or(base);
            (request, Some(service), registry)
        }
        (None, Some(path)) => {
            let value = read_json(path)?;
            let request = PresentationRequest::from_json(&value.to_string())
                .map_err(|e| CliError::Failed(format!("{} does not hold a request: {e}", path.display())))?;
            let registry = args
                .registry_server
                .clone()
                .unwrap_or_else(|| connection.server.clone());
            (request, None, registry)
        }
        (None, None) => return Err(CliError::Usage("give --url or --request".into())),
    };
    let (wallet, _) = file.open()?;
    let (view, catalogue) = registry_state(&Client::new(&registry_base), &registry_key).await?;
    let consent = wallet
        .prepare(&request, &view, &catalogue, ecert_server::clock::now())
        .map_err(|refusal| {
            CliError::Rejected(format!(
                "the wallet refuses to answer: {refusal}; nothing was sent"
            ))
        })?;
    eprintln!("{}", consent_summary(&consent, &request, &view));
    if !args.yes && !confirm(&consent)? {
        return Err(CliError::Rejected("declined, nothing was sent".into()));
    }
    let presentation = wallet
        .present(&mut rand_core::OsRng, &request, &consent, &view, &catalogue)
        .map_err(|refusal| CliError::Rejected(format!("the wallet refuses to answer: {refusal}")))?;
    match verifier_service {
        Some(service) => {
            let result = service.submit(&request, &presentation).await.map_err(|e| {
                if e.is(ErrorCode::NonceUsed) || e.is(ErrorCode::RequestExpired) {
                    CliError::Rejected(format!("the verifier did not accept it: {e}"))
                } else {
                    e.into()
                }
            })?;
            super::verifier::print_result(connection, &result, &consent.verifier_name)
        }
        None => {
            let text = presentation.to_json();
            match &args.out {
                Some(out) => {
                    write_atomically(out, &text)?;
                    connection.print(
                        &format!(
                            "presentation written to {}; hand it to {}",
                            out.display(),
                            consent.verifier_name
                        ),
                        &json!({"presentation": out.display().to_string()}),
                    );
                }
                None => println!("{text}"),
            }
            Ok(())
        }
    }
}

/// What the holder is asked to agree to, for people: to whom, why, on what basis, and each value.
fn consent_summary(consent: &Consent, request: &PresentationRequest, view: &RegistryView) -> String {
    let expires = crate::output::time(request.expires_at);
    let mut lines = vec![
        format!(
            "{} ({}) asks for your certificates",
            consent.verifier_name, consent.verifier
        ),
        format!(
            "  purpose:     {} ({})",
            consent.purpose_description, consent.purpose
        ),
        format!("  legal basis: {}", consent.legal_basis),
        format!("  expires:     {expires}"),
    ];
    for item in &consent.items {
        let issuer = view.issuers.get(&item.issuer).map_or_else(
            || item.issuer.clone(),
            |i| format!("{} ({})", i.name, item.issuer),
        );
        lines.push(format!(
            "  from your {} (#{}), issued by {issuer}, it would learn:",
            item.type_name,
            item.certificate + 1
        ));
        for (name, value) in &item.attributes {
            lines.push(format!("    {name:<22} {}", crate::output::plain(value)));
        }
        for (name, value) in &item.claims {
            lines.push(format!("    {name:<22} {value} (claim)"));
        }
        for (name, value) in &item.always {
            lines.push(format!("    {name:<22} {value} (always shown)"));
        }
    }
    lines.push("  nothing else on these certificates is disclosed".to_owned());
    lines.join("\n")
}

/// Asks on standard input; anything but `y` or `yes` (including end of input) is no.
fn confirm(consent: &Consent) -> CliResult<bool> {
    eprint!("Disclose this to {}? [y/N] ", consent.verifier_name);
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Failed(format!("cannot read the answer: {e}")))?;
    Ok(matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}
