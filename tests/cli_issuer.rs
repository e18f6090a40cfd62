//! `ecert issuer` as an operator runs it: the real binary against a real server on loopback, each
//! subcommand's happy path and its bad inputs (missing files, malformed CSV rows, an unreachable server,
//! no token), with the exit codes of src/cli.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::path::Path;

use ecert_credential::Certificate;
use ecert_sample::Platform as Server;
use ecert_sample::cli::{Cli, Run};
use ecert_server::auth::AccessRole;
use serde_json::{Value, json};

const PSB: &str = "110000-psb";
const ID_CARD: &str = "cn.resident-id-card/1";

/// Runs `ecert` with `args`, in a child process so that the in-process server keeps serving, and with
/// none of the operator's environment.
async fn ecert(args: &[String]) -> Run {
    Cli::new(env!("CARGO_BIN_EXE_ecert")).run(args).await
}

/// `ecert issuer --server .. --token <issuer token> --issuer <issuer> <rest>`.
async fn issuer_as(server: &Server, issuer: &str, rest: &[&str]) -> Run {
    let token = server.token(AccessRole::Issuer, Some(issuer));
    with_token(server, &token, issuer, rest).await
}

async fn with_token(server: &Server, token: &str, issuer: &str, rest: &[&str]) -> Run {
    let mut args: Vec<String> = vec![
        "issuer".into(),
        "--server".into(),
        format!("http://{}", server.addr),
        "--token".into(),
        token.into(),
        "--issuer".into(),
        issuer.into(),
    ];
    args.extend(rest.iter().map(|s| s.to_string()));
    ecert(&args).await
}

async fn psb(server: &Server, rest: &[&str]) -> Run {
    issuer_as(server, PSB, rest).await
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write_json(dir: &Path, name: &str, value: &Value) -> std::path::PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, value.to_string()).unwrap();
    file
}

/// A CSV of `attributes` objects (values as strings; numbers and booleans as they print).
fn write_csv(dir: &Path, name: &str, header: &[&str], rows: &[Value]) -> std::path::PathBuf {
    let file = dir.join(name);
    let mut writer = csv::Writer::from_path(&file).unwrap();
    writer.write_record(header).unwrap();
    for row in rows {
        let cells: Vec<String> = header
            .iter()
            .map(|h| match &row[*h] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect();
        writer.write_record(&cells).unwrap();
    }
    writer.flush().unwrap();
    file
}

fn id_card_header() -> Vec<&'static str> {
    vec![
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "address",
        "residence_region",
        "id_number",
        "issuing_authority",
        "photo_digest",
    ]
}

fn person(name: &str) -> Value {
    let mut card = ecert_sample::country::id_card();
    card["name"] = json!(name);
    card
}

async fn issue_via_api(server: &Server, key: &str) -> Value {
    let (status, answer) = server
        .issuer(PSB)
        .untyped()
        .issue(
            PSB,
            key,
            &ecert_sample::country::issue_body(ID_CARD, ecert_sample::country::id_card()),
        )
        .await
        .unwrap();
    assert_eq!(status, 201);
    answer
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_generate_list_publish_and_rotate() {
    let server = Server::with_country().await.unwrap();
    let admin = server.token(AccessRole::RegistryAdmin, None);

    let generated = psb(&server, &["keys", "generate", "k2"]).await.ok();
    assert!(generated.stdout.contains("public key: "), "{}", generated.stdout);
    assert!(
        generated.stdout.contains("keys publish k2"),
        "{}",
        generated.stdout
    );

    let listed = psb(&server, &["keys", "list"]).await.ok();
    assert!(listed.stdout.contains("k1"), "{}", listed.stdout);
    assert!(listed.stdout.contains("not published"), "{}", listed.stdout);

    // A key the service never generated cannot be published; nor can one without an admin token.
    psb(&server, &["keys", "publish", "k9", "--admin-token", &admin])
        .await
        .fails(1, &["no key \"k9\"", "keys generate k9"]);
    psb(&server, &["keys", "publish", "k2"])
        .await
        .fails(2, &["--admin-token"]);
    psb(
        &server,
        &[
            "keys",
            "publish",
            "k2",
            "--not-after",
            "2035-13-01",
            "--admin-token",
            &admin,
        ],
    )
    .await
    .fails(2, &["--not-after", "not a date"]);
    psb(&server, &["keys", "publish", "k2", "--admin-token", &admin])
        .await
        .ok();

    // Rotation: a new key, published, and the old ones retired; issuance moves to the new key.
    psb(
        &server,
        &["keys", "rotate", "k3", "--retire", "k9", "--admin-token", &admin],
    )
    .await
    .fails(1, &["--retire k9"]);
    let rotated = psb(
        &server,
        &["keys", "rotate", "k3", "--retire", "k1", "--admin-token", &admin],
    )
    .await
    .ok();
    assert!(rotated.stdout.contains("retired key k1"), "{}", rotated.stdout);
    psb(
        &server,
        &["keys", "rotate", "k4", "--retire", "k2", "--admin-token", &admin],
    )
    .await
    .ok();
    let keys = psb(&server, &["--json", "keys", "list"]).await.ok().json();
    let state = |key_id: &str| {
        keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key_id"] == key_id)
            .map(|k| k["registry"]["status"]["state"].clone())
            .unwrap()
    };
    assert_eq!(state("k1"), "retired");
    assert_eq!(state("k2"), "retired");
    assert_eq!(state("k4"), "active");

    let dir = tempfile::tempdir().unwrap();
    let attributes = write_json(dir.path(), "card.json", &ecert_sample::country::id_card());
    let issued = psb(
        &server,
        &[
            "--json",
            "issue",
            "--type",
            ID_CARD,
            "--attributes",
            path(&attributes),
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(issued["certificate"]["key_id"], "k4");
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_once_from_a_json_file() {
    let server = Server::with_country().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let attributes = write_json(dir.path(), "card.json", &ecert_sample::country::id_card());
    let out = dir.path().join("certificate.json");
    let args = [
        "issue",
        "--type",
        ID_CARD,
        "--attributes",
        path(&attributes),
        "--valid-until",
        "2030-12-31",
        "--out",
        path(&out),
    ];

    let first = psb(&server, &args).await.ok();
    assert!(first.stdout.starts_with("issued certificate"), "{}", first.stdout);
    let certificate = Certificate::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(certificate.issuer, PSB);
    assert_eq!(
        ecert_credential::format_date(certificate.valid_until),
        "2030-12-31"
    );
    assert!(first.stdout.contains(&certificate.serial));

    // The same command again: the same certificate, not a second one.
    let second = psb(&server, &args).await.ok();
    assert!(second.stdout.contains("already issued"), "{}", second.stdout);
    assert!(second.stdout.contains(&certificate.serial));
    let mut json_args = vec!["--json"];
    json_args.extend(args);
    let answer = psb(&server, &json_args).await.ok().json();
    assert_eq!(answer["serial"], certificate.serial.as_str());
    assert_eq!(answer["already_issued"], true);
    assert!(answer["status"]["index"].is_u64());
    assert_eq!(server.count("certificates").await.unwrap(), 1);

    // Without --out the certificate goes to stdout, the summary to stderr.
    let printed = psb(
        &server,
        &["issue", "--type", ID_CARD, "--attributes", path(&attributes)],
    )
    .await
    .ok();
    Certificate::from_json(&printed.stdout).unwrap();
    assert!(
        printed.stderr.contains("issued certificate"),
        "{}",
        printed.stderr
    );

    // Bad inputs.
    let missing = dir.path().join("nowhere.json");
    psb(
        &server,
        &["issue", "--type", ID_CARD, "--attributes", path(&missing)],
    )
    .await
    .fails(1, &["cannot read", path(&missing)]);
    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{\"name\": ").unwrap();
    psb(
        &server,
        &["issue", "--type", ID_CARD, "--attributes", path(&not_json)],
    )
    .await
    .fails(1, &["is not valid JSON"]);
    let mut wrong = ecert_sample::country::id_card();
    wrong["birth_date"] = json!("07/03/1990");
    let wrong = write_json(dir.path(), "wrong.json", &wrong);
    psb(
        &server,
        &["issue", "--type", ID_CARD, "--attributes", path(&wrong)],
    )
    .await
    .fails(1, &["invalid_attributes", "birth_date"]);
    psb(
        &server,
        &[
            "issue",
            "--type",
            ID_CARD,
            "--attributes",
            path(&attributes),
            "--valid-from",
            "2031-01-01",
            "--valid-until",
            "2030-12-31",
        ],
    )
    .await
    .fails(2, &["--valid-from 2031-01-01 is after --valid-until"]);
    assert_eq!(server.count("certificates").await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_issues_every_row_once() {
    let server = Server::with_country().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rows = [person("Li Hua"), person("Wang Fang"), person("Zhang Wei")];
    let csv = write_csv(dir.path(), "cards.csv", &id_card_header(), &rows);
    let out_dir = dir.path().join("out");
    let args = [
        "batch",
        "--type",
        ID_CARD,
        "--csv",
        path(&csv),
        "--out-dir",
        path(&out_dir),
    ];

    let first = psb(&server, &args).await.ok();
    assert!(
        first.stdout.contains("issued 3, already issued 0, refused 0"),
        "{}",
        first.stdout
    );
    let mut files: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3);
    for (row, file) in files.iter().enumerate() {
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(&format!("{}-", row + 1)), "{name}");
        let certificate = Certificate::from_json(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(certificate.attributes["name"], rows[row]["name"]);
        assert!(name.contains(&certificate.serial));
    }
    assert_eq!(server.count("certificates").await.unwrap(), 3);

    // Again, as after an interruption: nothing new.
    let again = psb(&server, &args).await.ok();
    assert!(
        again.stdout.contains("issued 0, already issued 3"),
        "{}",
        again.stdout
    );
    assert_eq!(server.count("certificates").await.unwrap(), 3);
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 3);

    let mut json_args = vec!["--json"];
    json_args.extend(args);
    let summary = psb(&server, &json_args).await.ok().json();
    assert_eq!(summary["already_issued"], 3);
    assert_eq!(summary["certificates"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_with_a_bad_row_issues_nothing() {
    let server = Server::with_country().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let batch = |csv: std::path::PathBuf, issuer: &'static str, type_id: &'static str| {
        let server = &server;
        let out_dir = out_dir.clone();
        async move {
            issuer_as(
                server,
                issuer,
                &[
                    "batch",
                    "--type",
                    type_id,
                    "--csv",
                    path(&csv),
                    "--out-dir",
                    path(&out_dir),
                ],
            )
            .await
        }
    };

    // A date that is not a date, in the middle row.
    let mut bad_date = person("Wang Fang");
    bad_date["birth_date"] = json!("1990-02-30");
    let csv = write_csv(
        dir.path(),
        "bad-date.csv",
        &id_card_header(),
        &[person("Li Hua"), bad_date, person("Zhang Wei")],
    );
    let run = batch(csv, PSB, ID_CARD)
        .await
        .fails(1, &["row 2 (line 3), birth_date", "nothing was issued"]);
    assert!(!run.stderr.contains("row 1"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("1990-02-30"),
        "the report must not echo values: {}",
        run.stderr
    );

    // A column the type does not have.
    let mut header = id_card_header();
    header.push("nickname");
    let csv = write_csv(dir.path(), "extra.csv", &header, &[person("Li Hua")]);
    batch(csv, PSB, ID_CARD).await.fails(
        1,
        &["header (line 1), nickname: not an attribute of cn.resident-id-card/1"],
    );

    // A row with a cell too many, and one with a required value left empty.
    let csv = dir.path().join("ragged.csv");
    let good = write_csv(dir.path(), "good.csv", &id_card_header(), &[person("Li Hua")]);
    let mut text = std::fs::read_to_string(&good).unwrap();
    let data = text.lines().nth(1).unwrap().to_owned();
    text.push_str(&format!("{data},extra\n"));
    text.push_str(&data.replacen("Li Hua", "", 1));
    text.push('\n');
    std::fs::write(&csv, text).unwrap();
    batch(csv, PSB, ID_CARD).await.fails(
        1,
        &[
            "row 2 (line 3): has 10 cells",
            "row 3 (line 4), name: empty",
            "2 of 3 rows",
        ],
    );

    // A number that is not a number, on a driving licence.
    let licence = ecert_sample::country::driving_licence();
    let names: Vec<String> = licence.as_object().unwrap().keys().cloned().collect();
    let header: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut wrong = licence.clone();
    wrong["points_deducted"] = json!("three");
    let csv = write_csv(dir.path(), "licences.csv", &header, &[licence.clone(), wrong]);
    batch(csv, "440000-traffic", "cn.driving-licence/1")
        .await
        .fails(1, &["row 2 (line 3), points_deducted: expected an integer"]);

    // A type the issuer is not authorised for, a type that does not exist, a file that does not.
    let csv = write_csv(dir.path(), "licence.csv", &header, &[licence]);
    batch(csv.clone(), PSB, "cn.driving-licence/1")
        .await
        .fails(1, &["does not authorise 110000-psb"]);
    batch(csv, PSB, "cn.no-such-type/1")
        .await
        .fails(1, &["no certificate type \"cn.no-such-type/1\""]);
    let missing = dir.path().join("missing.csv");
    batch(missing.clone(), PSB, ID_CARD)
        .await
        .fails(1, &["cannot read", path(&missing)]);

    assert_eq!(server.count("certificates").await.unwrap(), 0);
    assert!(!out_dir.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn revoke_suspend_reinstate() {
    let server = Server::with_country().await.unwrap();
    let serial = issue_via_api(&server, "status-1").await["serial"]
        .as_str()
        .unwrap()
        .to_owned();

    let suspended = psb(&server, &["suspend", &serial, "--reason", "lost card reported"])
        .await
        .ok();
    assert!(
        suspended.stdout.contains("is now suspended"),
        "{}",
        suspended.stdout
    );
    psb(&server, &["reinstate", &serial]).await.ok();
    let revoked = psb(&server, &["--json", "revoke", &serial, "--reason", "deceased"])
        .await
        .ok()
        .json();
    assert_eq!(revoked["status"], "revoked");

    // Revocation is final.
    psb(&server, &["reinstate", &serial])
        .await
        .fails(1, &["invalid_transition", "revoked"]);
    psb(&server, &["suspend", "no-such-serial"])
        .await
        .fails(1, &["not_found"]);

    let record = psb(&server, &["certificate", &serial]).await.ok();
    for needle in [
        "status:     revoked",
        "suspended by",
        "(lost card reported)",
        "reinstated by",
        "revoked by",
    ] {
        assert!(record.stdout.contains(needle), "{needle}: {}", record.stdout);
    }
    let record = psb(&server, &["--json", "certificate", &serial])
        .await
        .ok()
        .json();
    assert_eq!(record["events"].as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn objections_list_show_review() {
    let server = Server::with_country().await.unwrap();
    let issued = issue_via_api(&server, "objection-1").await;
    let filed = server
        .client
        .untyped()
        .post(
            &format!("/v1/issuers/{PSB}/objections"),
            &json!({"certificate": issued["certificate"], "statement": "I moved last year",
                    "corrections": {"address": "2 Chang'an Ave, Dongcheng, Beijing"}}),
        )
        .await
        .unwrap();
    let id = filed["id"].as_str().unwrap();

    let listed = psb(&server, &["objections", "list"]).await.ok();
    assert!(listed.stdout.contains(id), "{}", listed.stdout);
    assert!(listed.stdout.contains("I moved last year"), "{}", listed.stdout);
    let shown = psb(&server, &["--json", "objections", "show", id])
        .await
        .ok()
        .json();
    assert_eq!(shown["state"], "filed");

    psb(&server, &["objections", "review", id, "--note", "checked"])
        .await
        .fails(2, &["--accept"]);
    let reviewed = psb(
        &server,
        &[
            "objections",
            "review",
            id,
            "--accept",
            "--note",
            "checked the household register",
        ],
    )
    .await
    .ok();
    assert!(
        reviewed.stdout.contains("state:       resolved"),
        "{}",
        reviewed.stdout
    );
    assert!(reviewed.stdout.contains("re-issued as"), "{}", reviewed.stdout);
    psb(
        &server,
        &["objections", "review", id, "--reject", "--note", "again"],
    )
    .await
    .fails(1, &["objection_closed"]);
    assert_eq!(server.count("certificates").await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_server_missing_token_and_usage() {
    let server = Server::with_country().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let attributes = write_json(dir.path(), "card.json", &ecert_sample::country::id_card());

    // Nothing listens on port 1.
    let unreachable = |rest: &[&str]| {
        let mut args: Vec<String> = [
            "issuer",
            "--server",
            "http://127.0.0.1:1",
            "--token",
            "t",
            "--issuer",
            PSB,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(rest.iter().map(|s| s.to_string()));
        args
    };
    ecert(&unreachable(&["keys", "list"]))
        .await
        .fails(3, &["cannot reach the service"]);
    ecert(&unreachable(&[
        "issue",
        "--type",
        ID_CARD,
        "--attributes",
        path(&attributes),
        "--valid-until",
        "2030-12-31",
    ]))
    .await
    .fails(3, &["cannot reach the service"]);

    // No token: the service says so, and the message says how to get one.
    let base = format!("http://{}", server.addr);
    let no_token = |rest: &[&str]| {
        let mut args: Vec<String> = ["issuer", "--server", &base, "--issuer", PSB]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(rest.iter().map(|s| s.to_string()));
        args
    };
    ecert(&no_token(&[
        "issue",
        "--type",
        ID_CARD,
        "--attributes",
        path(&attributes),
    ]))
    .await
    .fails(1, &["missing_token", "--token"]);
    ecert(&no_token(&["objections", "list"]))
        .await
        .fails(1, &["missing_token"]);

    // Another department's token.
    let other = server.token(AccessRole::Issuer, Some("440000-psb"));
    with_token(&server, &other, PSB, &["objections", "list"])
        .await
        .fails(1, &["out_of_scope"]);

    // No --issuer, no subcommand.
    ecert(&[
        "issuer".into(),
        "--server".into(),
        base.clone(),
        "keys".into(),
        "list".into(),
    ])
    .await
    .fails(2, &["--issuer"]);
    ecert(&["issuer".into(), "--issuer".into(), PSB.into()])
        .await
        .fails(2, &[]);
    assert_eq!(server.count("certificates").await.unwrap(), 0);
}
