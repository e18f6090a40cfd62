//! `ecert wallet` and `ecert verifier` as a holder and a verifier's desk run them: the real binary against a
//! real server on loopback. Each subcommand's happy path, the consent question (declining sends nothing),
//! over-asking and replays, and the bad inputs (wrong passphrase, missing files, an unreachable server),
//! with the exit codes of src/cli.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::path::{Path, PathBuf};

use ecert_credential::{RequestItem, TypeId};
use ecert_sample::Platform as Server;
use ecert_sample::cli::{Cli, Run};
use ecert_server::auth::AccessRole;
use serde_json::Value;

const PASSPHRASE: &str = "correct horse battery staple";
const CAR_RENTAL: &str = "110105-car-rental";

/// How to run `ecert`: the passphrase (none: unset) and what standard input holds.
#[derive(Clone, Copy)]
struct Env<'a> {
    passphrase: Option<&'a str>,
    stdin: &'a str,
}

const HOLDER: Env<'static> = Env {
    passphrase: Some(PASSPHRASE),
    stdin: "",
};

/// Runs `ecert` in a child process (so that the in-process server keeps serving) with none of the
/// operator's environment, cheap wallet KDF parameters, and `env.stdin` piped in (never a terminal).
async fn ecert(env: Env<'_>, args: &[&str]) -> Run {
    let mut cli = Cli::new(env!("CARGO_BIN_EXE_ecert"))
        .env("ECERT_WALLET_KDF", "test")
        .stdin(env.stdin);
    if let Some(passphrase) = env.passphrase {
        cli = cli.env("ECERT_WALLET_PASSPHRASE", passphrase);
    }
    cli.run(args).await
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A holder's wallet file and the registry key it trusts.
struct Holder {
    wallet: PathBuf,
    server: String,
    registry_key: String,
}

impl Holder {
    async fn wallet(&self, env: Env<'_>, rest: &[&str]) -> Run {
        let mut args = vec!["wallet", "--wallet", path(&self.wallet), "--server", &self.server];
        args.extend_from_slice(rest);
        ecert(env, &args).await
    }

    async fn answer(&self, env: Env<'_>, rest: &[&str]) -> Run {
        let mut args = vec!["answer", "--registry-key", &self.registry_key];
        args.extend_from_slice(rest);
        self.wallet(env, &args).await
    }
}

/// `ecert verifier --server .. --token <verifier token> --verifier <id> <rest>`.
async fn verifier(server: &Server, id: &str, rest: &[&str]) -> Run {
    let token = server.token(AccessRole::Verifier, Some(id));
    let base = format!("http://{}", server.addr);
    let mut args = vec!["verifier", "--server", &base, "--token", &token, "--verifier", id];
    args.extend_from_slice(rest);
    ecert(HOLDER, &args).await
}

/// A new car-rental request for licence class and adulthood; returns its URL and nonce.
async fn licence_request(server: &Server) -> (String, String) {
    let run = verifier(
        server,
        CAR_RENTAL,
        &[
            "--json",
            "request",
            "--purpose",
            "rent-a-car",
            "--type",
            "cn.driving-licence/1",
            "--disclose",
            "licence_class",
            "--claims",
            "age_over_18",
        ],
    )
    .await
    .ok();
    let answer = run.json();
    let url = answer["url"].as_str().unwrap().to_owned();
    let nonce = answer["nonce"].as_str().unwrap().to_owned();
    assert_eq!(
        url,
        format!(
            "http://{}/v1/verifiers/{CAR_RENTAL}/requests/{nonce}",
            server.addr
        )
    );
    assert_eq!(
        answer["request"]["items"][0]["disclose"],
        serde_json::json!(["licence_class"])
    );
    (url, nonce)
}

#[tokio::test(flavor = "multi_thread")]
async fn holder_and_verifier_over_the_command_line() {
    let server = Server::with_country().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // An issuer's whole answer for the licence, a bare certificate for the ID card.
    let (status, licence) = server
        .issuer("440000-traffic")
        .untyped()
        .issue(
            "440000-traffic",
            "dl-1",
            &ecert_sample::country::issue_body(
                "cn.driving-licence/1",
                ecert_sample::country::driving_licence(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(status, 201);
    let licence_file = dir.path().join("licence.json");
    std::fs::write(&licence_file, licence.to_string()).unwrap();
    let (_, id_card) = server
        .issuer("110000-psb")
        .untyped()
        .issue(
            "110000-psb",
            "id-1",
            &ecert_sample::country::issue_body("cn.resident-id-card/1", ecert_sample::country::id_card()),
        )
        .await
        .unwrap();
    let id_file = dir.path().join("id.json");
    std::fs::write(&id_file, id_card["certificate"].to_string()).unwrap();

    let holder = Holder {
        wallet: dir.path().join("wallet.ecert"),
        server: format!("http://{}", server.addr),
        registry_key: ecert_credential::encode_b64(server.registry_key.as_bytes()),
    };

    // init, once.
    let run = holder.wallet(HOLDER, &["init"]).await.ok();
    assert!(run.stdout.contains("created an empty wallet"), "{}", run.stdout);
    let empty = std::fs::read(&holder.wallet).unwrap();
    holder
        .wallet(HOLDER, &["init"])
        .await
        .fails(1, &["already exists", "refusing to overwrite"]);
    assert_eq!(std::fs::read(&holder.wallet).unwrap(), empty);

    // import, checking signatures against the registry; a duplicate serial is refused.
    let run = holder
        .wallet(
            HOLDER,
            &[
                "import",
                path(&licence_file),
                path(&id_file),
                "--registry-key",
                &holder.registry_key,
            ],
        )
        .await
        .ok();
    assert!(
        run.stdout
            .contains("imported #1 cn.driving-licence/1 from 440000-traffic"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("imported #2 cn.resident-id-card/1"),
        "{}",
        run.stdout
    );
    let imported = std::fs::read(&holder.wallet).unwrap();
    holder
        .wallet(HOLDER, &["import", path(&licence_file)])
        .await
        .fails(1, &["already holds", "nothing was imported"]);
    assert_eq!(std::fs::read(&holder.wallet).unwrap(), imported);

    // The file is sealed: no attribute in it reads in plain text.
    let sealed = String::from_utf8(imported).unwrap();
    for plaintext in ["Li Hua", "110105199003078882", "licence_class", "Jianguomen"] {
        assert!(!sealed.contains(plaintext), "{plaintext} in the wallet file");
    }

    // list and show.
    let run = holder.wallet(HOLDER, &["list"]).await.ok();
    assert!(run.stdout.contains("cn.driving-licence/1"), "{}", run.stdout);
    assert!(run.stdout.contains("440000-traffic"), "{}", run.stdout);
    assert!(run.stdout.contains("2035-12-31"), "{}", run.stdout);
    let listed = holder.wallet(HOLDER, &["list", "--json"]).await.ok().json();
    let listed = listed["certificates"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["serial"], licence["certificate"]["serial"]);
    let run = holder.wallet(HOLDER, &["show", "1"]).await.ok();
    for shown in ["Li Hua", "licence_class", "C1", "age_over_18", "440000-traffic"] {
        assert!(run.stdout.contains(shown), "{shown}: {}", run.stdout);
    }
    holder
        .wallet(HOLDER, &["show", "3"])
        .await
        .fails(1, &["no certificate #3", "holds 2"]);

    // A car-rental desk asks; the holder sees the summary and declines: nothing is sent.
    let (url, _) = licence_request(&server).await;
    let declining = Env {
        passphrase: Some(PASSPHRASE),
        stdin: "n\n",
    };
    let run = holder
        .answer(declining, &["--url", &url])
        .await
        .fails(4, &["declined, nothing was sent"]);
    for shown in [
        "Chaoyang Car Rental Desk",
        "Check a driving licence and adulthood before renting a car",
        "Personal Information Protection Law",
        "Guangdong Traffic Police",
        "licence_class",
        "C1",
        "age_over_18",
        "Disclose this to Chaoyang Car Rental Desk? [y/N]",
    ] {
        assert!(run.stderr.contains(shown), "{shown}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("Li Hua"), "{}", run.stderr);
    // The request is still unused: answering again, agreeing, works.
    let run = holder.answer(HOLDER, &["--url", &url, "--yes"]).await.ok();
    assert!(run.stdout.contains("VALID"), "{}", run.stdout);
    assert!(
        run.stdout.contains("licence_class") && run.stdout.contains("C1"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("Li Hua") && !run.stdout.contains("1990-03-07"),
        "{}",
        run.stdout
    );
    // Answering "y" on standard input does the same, with --json for scripts.
    let (url, _) = licence_request(&server).await;
    let agreeing = Env {
        passphrase: Some(PASSPHRASE),
        stdin: "y\n",
    };
    let result = holder
        .answer(agreeing, &["--url", &url, "--json"])
        .await
        .ok()
        .json();
    assert_eq!(result["valid"], true, "{result}");
    assert_eq!(result["items"][0]["disclosed"]["licence_class"], "C1");
    // The request was used: a second answer is not accepted.
    holder
        .answer(HOLDER, &["--url", &url, "--yes"])
        .await
        .fails(1, &["nonce_used"]);

    // The request as a file: the holder writes a presentation, the desk checks it, once.
    let request_file = dir.path().join("request.json");
    let run = verifier(
        &server,
        CAR_RENTAL,
        &[
            "request",
            "--purpose",
            "rent-a-car",
            "--type",
            "cn.driving-licence/1",
            "--disclose",
            "licence_class",
            "--claims",
            "age_over_18",
            "--ttl",
            "120",
            "--out",
            path(&request_file),
        ],
    )
    .await
    .ok();
    assert!(
        run.stdout.contains("the holder answers: http://"),
        "{}",
        run.stdout
    );
    let request: Value = serde_json::from_slice(&std::fs::read(&request_file).unwrap()).unwrap();
    let nonce = request["nonce"].as_str().unwrap();
    let presentation = dir.path().join("presentation.json");
    let run = holder
        .answer(
            HOLDER,
            &[
                "--request",
                path(&request_file),
                "--out",
                path(&presentation),
                "--yes",
            ],
        )
        .await
        .ok();
    assert!(run.stdout.contains("presentation written to"), "{}", run.stdout);
    let run = verifier(
        &server,
        CAR_RENTAL,
        &["check", "--nonce", nonce, "--presentation", path(&presentation)],
    )
    .await
    .ok();
    assert!(run.stdout.contains("VALID"), "{}", run.stdout);
    assert!(
        run.stdout.contains("licence_class") && run.stdout.contains("C1"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("age_over_18"), "{}", run.stdout);
    // The same presentation again: a replay.
    verifier(
        &server,
        CAR_RENTAL,
        &["check", "--nonce", nonce, "--presentation", path(&presentation)],
    )
    .await
    .fails(4, &["nonce_used"]);

    // A presentation made for another request does not verify: exit 4 with the failed check.
    let (_, other_nonce) = licence_request(&server).await;
    verifier(
        &server,
        CAR_RENTAL,
        &[
            "check",
            "--nonce",
            &other_nonce,
            "--presentation",
            path(&presentation),
        ],
    )
    .await
    .fails(4, &["did not verify", "wrong_request"]);

    // Over-asking: the service will not create the request, and the wallet refuses a hand-made one.
    verifier(
        &server,
        CAR_RENTAL,
        &[
            "request",
            "--purpose",
            "rent-a-car",
            "--type",
            "cn.driving-licence/1",
            "--disclose",
            "licence_class,birth_date",
        ],
    )
    .await
    .fails(1, &["over_asking", "birth_date"]);
    let rogue = ecert_verifier::build_request(
        &mut rand::rngs::OsRng,
        CAR_RENTAL,
        "rent-a-car",
        vec![RequestItem {
            id: "licence".into(),
            types: vec![TypeId::new("cn.driving-licence/1").unwrap()],
            issuers: None,
            disclose: vec!["licence_class".into(), "birth_date".into()],
            claims: vec![],
        }],
        ecert_server::clock::now() + 300,
    );
    let rogue_file = dir.path().join("rogue.json");
    std::fs::write(&rogue_file, rogue.to_json()).unwrap();
    let leaked = dir.path().join("leaked.json");
    holder
        .answer(
            HOLDER,
            &["--request", path(&rogue_file), "--out", path(&leaked), "--yes"],
        )
        .await
        .fails(4, &["over-asking", "birth_date", "nothing was sent"]);
    assert!(!leaked.exists());

    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_inputs_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let holder = Holder {
        wallet: dir.path().join("wallet.ecert"),
        server: format!("http://{closed}"),
        registry_key: ecert_credential::encode_b64(
            ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
                .verifying_key()
                .as_bytes(),
        ),
    };
    let wrong = Env {
        passphrase: Some("not the passphrase"),
        stdin: "",
    };
    let none = Env {
        passphrase: None,
        stdin: "",
    };

    // No wallet yet.
    holder
        .wallet(HOLDER, &["list"])
        .await
        .fails(1, &["no wallet at", "ecert wallet init"]);
    // No passphrase and no terminal to ask on: how to give one.
    holder
        .wallet(none, &["init"])
        .await
        .fails(2, &["ECERT_WALLET_PASSPHRASE"]);
    assert!(!holder.wallet.exists());
    holder.wallet(HOLDER, &["init"]).await.ok();
    let before = std::fs::read(&holder.wallet).unwrap();

    // A wrong passphrase: refused, and the file is untouched.
    let certificate = dir.path().join("licence.json");
    std::fs::write(&certificate, ecert_sample::country::driving_licence().to_string()).unwrap();
    holder
        .wallet(wrong, &["list"])
        .await
        .fails(1, &["wrong passphrase for", "wallet.ecert"]);
    holder
        .wallet(wrong, &["show", "1"])
        .await
        .fails(1, &["wrong passphrase"]);
    assert_eq!(std::fs::read(&holder.wallet).unwrap(), before);

    // Missing and malformed certificate files name the path.
    let missing = dir.path().join("missing.json");
    holder
        .wallet(HOLDER, &["import", path(&missing)])
        .await
        .fails(1, &["cannot read", path(&missing)]);
    holder
        .wallet(HOLDER, &["import", path(&certificate)])
        .await
        .fails(1, &[path(&certificate), "does not hold a certificate"]);
    assert_eq!(std::fs::read(&holder.wallet).unwrap(), before);
    holder
        .wallet(HOLDER, &["show", "1"])
        .await
        .fails(1, &["no certificate #1"]);

    // An unreachable verifier service or registry.
    let url = format!("http://{closed}/v1/verifiers/{CAR_RENTAL}/requests/AAAAAAAAAAAAAAAAAAAAAA");
    holder
        .answer(HOLDER, &["--url", &url, "--yes"])
        .await
        .fails(3, &["cannot reach the service"]);
    holder
        .answer(HOLDER, &["--request", path(&missing), "--yes"])
        .await
        .fails(1, &["cannot read", path(&missing)]);
    let base = format!("http://{closed}");
    ecert(
        HOLDER,
        &[
            "verifier",
            "--server",
            &base,
            "--token",
            "t",
            "--verifier",
            CAR_RENTAL,
            "request",
            "--purpose",
            "rent-a-car",
            "--type",
            "cn.driving-licence/1",
        ],
    )
    .await
    .fails(3, &["cannot reach the service"]);

    // Bad usage: exit 2.
    holder
        .answer(HOLDER, &["--url", "http://127.0.0.1:1/not/a/request", "--yes"])
        .await
        .fails(2, &["not a request URL"]);
    holder.answer(HOLDER, &["--yes"]).await.fails(2, &[]);
    ecert(
        HOLDER,
        &[
            "wallet",
            "--wallet",
            path(&holder.wallet),
            "answer",
            "--url",
            &url,
            "--registry-key",
            "short",
        ],
    )
    .await
    .fails(2, &["--registry-key"]);
    ecert(
        HOLDER,
        &[
            "verifier",
            "--server",
            &base,
            "check",
            "--nonce",
            "n",
            "--presentation",
            "p.json",
        ],
    )
    .await
    .fails(2, &["--verifier"]);
    ecert(
        HOLDER,
        &[
            "verifier",
            "--server",
            &base,
            "--verifier",
            CAR_RENTAL,
            "check",
            "--nonce",
            "n",
            "--presentation",
            path(&missing),
        ],
    )
    .await
    .fails(1, &["cannot read", path(&missing)]);

    // --help documents the exit codes and the passphrase.
    let help = ecert(HOLDER, &["wallet", "--help"]).await.ok();
    assert!(help.stdout.contains("Exit codes"), "{}", help.stdout);
    assert!(help.stdout.contains("ECERT_WALLET_PASSPHRASE"), "{}", help.stdout);
    let help = ecert(HOLDER, &["wallet", "answer", "--help"]).await.ok();
    assert!(
        help.stdout.contains("--yes") && help.stdout.contains("consent"),
        "{}",
        help.stdout
    );
    let help = ecert(HOLDER, &["verifier", "request", "--help"]).await.ok();
    assert!(
        help.stdout.contains("--disclose") && help.stdout.contains("Exit codes"),
        "{}",
        help.stdout
    );
}
