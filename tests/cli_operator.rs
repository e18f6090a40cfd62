//! `ecert init`, `ecert token` and `ecert serve`, run as the real binary: happy paths, and bad input that
//! must end in a clear message and a non-zero exit code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

fn ecert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecert"))
        .args(args)
        .env_remove("ECERT_DATA_DIR")
        .env_remove("ECERT_PASSPHRASE")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn init_then_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let made = ecert(&["init", "--data-dir", data]);
    assert!(made.status.success(), "{}", text(&made));
    assert!(text(&made).contains("registry log key:"));
    let again = ecert(&["init", "--data-dir", data]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).contains("already initialised"), "{}", text(&again));

    let token = ecert(&[
        "token",
        "--data-dir",
        data,
        "--role",
        "issuer",
        "--scope",
        "110000-psb",
    ]);
    assert!(token.status.success(), "{}", text(&token));
    assert_eq!(
        String::from_utf8(token.stdout).unwrap().trim().split('.').count(),
        3
    );
    let unscoped = ecert(&["token", "--data-dir", data, "--role", "issuer"]);
    assert_eq!(unscoped.status.code(), Some(1));
    assert!(text(&unscoped).contains("needs a scope"), "{}", text(&unscoped));
    let bad_role = ecert(&["token", "--data-dir", data, "--role", "emperor"]);
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(text(&bad_role).contains("unknown role"), "{}", text(&bad_role));
    let nowhere = ecert(&[
        "token",
        "--data-dir",
        dir.path().join("none").to_str().unwrap(),
        "--role",
        "regulator",
    ]);
    assert_eq!(nowhere.status.code(), Some(1));
    assert!(text(&nowhere).contains("platform.key"), "{}", text(&nowhere));
}

#[test]
fn serve_refuses_what_cannot_work() {
    let dir = tempfile::tempdir().unwrap();
    let missing = ecert(&["serve", "--data-dir", dir.path().join("none").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).contains("ecert init"), "{}", text(&missing));
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    assert!(ecert(&["init", "--data-dir", data]).status.success());
    let roles = ecert(&["serve", "--data-dir", data, "--roles", "treasury"]);
    assert_eq!(roles.status.code(), Some(2));
    let verifier_alone = ecert(&[
        "serve",
        "--data-dir",
        data,
        "--roles",
        "verifier",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(verifier_alone.status.code(), Some(1));
    assert!(
        text(&verifier_alone).contains("registry"),
        "{}",
        text(&verifier_alone)
    );
    std::fs::write(dir.path().join("data/ecert.toml"), "max_body_bytes = \"lots\"\n").unwrap();
    let config = ecert(&["serve", "--data-dir", data]);
    assert_eq!(config.status.code(), Some(1));
    assert!(text(&config).contains("ecert.toml"), "{}", text(&config));
}

#[test]
fn serve_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    assert!(ecert(&["init", "--data-dir", data]).status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecert"))
        .args(["serve", "--data-dir", data, "--listen", "127.0.0.1:0"])
        .env("ECERT_ROLES", "registry")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("ecert listening on ")
        .unwrap()
        .to_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let head = runtime
        .block_on(
            ecert_api::Client::new(&url)
                .untyped()
                .get("/v1/registry/log/tree-head"),
        )
        .unwrap();
    assert_eq!(head["size"], 0);
    // ECERT_ROLES=registry took effect: no issuer routes.
    let issuer = runtime
        .block_on(ecert_api::Client::new(&url).untyped().get("/v1/issuers/x/keys"))
        .unwrap_err();
    assert_eq!(issuer.code.as_str(), "not_found");
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(child.wait().unwrap().success());
}
