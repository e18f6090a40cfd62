//! `ecert registry` and `ecert audit` as a user runs them: the real binary against a real server on
//! loopback, checking what it prints, its --json, and its exit codes (1 failed, 2 usage, 3 unreachable).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::path::Path;

use ecert_credential::encode_b64;
use ecert_registry::{LogSigner, SignedTreeHead, Snapshot};
use ecert_sample::Platform as Server;
use ecert_sample::cli::{Cli, Run};
use ecert_server::auth::AccessRole;
use serde_json::json;

/// Runs `ecert` with `args`, without the caller's ECERT_* environment and without blocking the runtime
/// the in-process server runs on.
async fn ecert(args: &[&str]) -> Run {
    Cli::new(env!("CARGO_BIN_EXE_ecert")).run(args).await
}

fn url(server: &Server) -> String {
    format!("http://{}", server.addr)
}

fn registry_key(server: &Server) -> String {
    encode_b64(server.registry_key.as_bytes())
}

/// The sample country's log: 4 types, 5 issuers (registered, authorised, key published), 4 verifiers.
const SAMPLE_ENTRIES: u64 = 4 + 5 * 3 + 4;

/// Has the issuer service create a key for `issuer`; returns its public key.
async fn new_issuer_key(server: &Server, issuer: &str, key_id: &str) -> String {
    let key = server
        .issuer(issuer)
        .untyped()
        .post(&format!("/v1/issuers/{issuer}/keys"), &json!({"key_id": key_id}))
        .await
        .unwrap();
    key["public_key"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn registry_reads_and_proofs() {
    let server = Server::with_country().await.unwrap();
    let url = url(&server);
    let s = url.as_str();

    let types = ecert(&["registry", "types", "--server", s]).await;
    assert!(types.succeeded().contains("cn.driving-licence/1"));
    assert!(types.stdout.contains("ATTRIBUTES"));
    let types = ecert(&["registry", "types", "--server", s, "--json"]).await;
    assert_eq!(types.json()["types"].as_array().unwrap().len(), 4);

    let issuers = ecert(&["registry", "issuers", "--server", s]).await;
    assert!(issuers.succeeded().contains("110000-psb"));
    assert!(issuers.stdout.contains("k1 (active)"));
    let issuers = ecert(&["registry", "issuers", "--server", s, "--json"]).await;
    assert_eq!(issuers.json()["issuers"].as_array().unwrap().len(), 5);

    let traffic = ecert(&["registry", "issuer", "440000-traffic", "--server", s]).await;
    assert!(traffic.succeeded().contains("Guangdong Traffic Police"));
    assert!(traffic.stdout.contains("cn.driving-licence/1"));
    ecert(&["registry", "issuer", "nobody", "--server", s])
        .await
        .fails(1, &["not_found"]);

    let verifiers = ecert(&["registry", "verifiers", "--server", s]).await;
    assert!(verifiers.succeeded().contains("110105-car-rental"));
    let desk = ecert(&["registry", "verifier", "110105-car-rental", "--server", s]).await;
    assert!(desk.succeeded().contains("rent-a-car"));
    assert!(desk.stdout.contains("licence_class"));
    let desk = ecert(&[
        "registry",
        "verifier",
        "110105-car-rental",
        "--server",
        s,
        "--json",
    ])
    .await;
    assert_eq!(desk.json()["id"], "110105-car-rental");

    let key = registry_key(&server);
    let head = ecert(&["registry", "tree-head", "--server", s, "--registry-key", &key]).await;
    assert!(head.succeeded().contains(&format!("size {SAMPLE_ENTRIES}")));
    assert!(head.stdout.contains("verifies under the registry key"));
    let head = ecert(&["registry", "tree-head", "--server", s, "--json"]).await;
    assert_eq!(head.json()["size"], SAMPLE_ENTRIES);

    let inclusion = ecert(&["registry", "inclusion", "3", "--server", s]).await;
    assert!(inclusion.succeeded().contains("inclusion proof of entry 3"));
    let inclusion = ecert(&[
        "registry",
        "inclusion",
        "3",
        "--size",
        "10",
        "--server",
        s,
        "--json",
    ])
    .await;
    assert_eq!(inclusion.json()["tree_size"], 10);
    assert!(!inclusion.json()["hashes"].as_array().unwrap().is_empty());
    ecert(&["registry", "inclusion", "999", "--server", s])
        .await
        .fails(1, &["invalid_proof_request"]);

    let consistency = ecert(&["registry", "consistency", "5", "--server", s, "--json"]).await;
    assert_eq!(consistency.json()["old_size"], 5);
    assert_eq!(consistency.json()["new_size"], SAMPLE_ENTRIES);
    let consistency = ecert(&["registry", "consistency", "5", "--new", "9", "--server", s]).await;
    assert!(consistency.succeeded().contains("from size 5 to size 9"));

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let out_arg = out.to_str().unwrap();
    let written = ecert(&[
        "registry",
        "snapshot",
        "--out",
        out_arg,
        "--registry-key",
        &key,
        "--server",
        s,
    ])
    .await;
    assert!(written.succeeded().contains(&format!("{SAMPLE_ENTRIES} entries")));
    let snapshot: Snapshot = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let state = snapshot.verify(&server.registry_key).unwrap();
    assert_eq!(state.issuers.len(), 5);

    let served = ecert(&["registry", "key", "--server", s]).await;
    assert_eq!(served.succeeded().trim(), key);
    assert_eq!(
        ecert(&["registry", "key", "--server", s, "--json"]).await.json()["registry_key"],
        key
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn registry_writes_need_an_admin_token() {
    let server = Server::with_country().await.unwrap();
    let url = url(&server);
    let s = url.as_str();
    let admin = server.token(AccessRole::RegistryAdmin, None);
    let t = admin.as_str();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/schemas/cn.marriage-certificate@1.json");

    let added = ecert(&[
        "registry",
        "add-type",
        schema.to_str().unwrap(),
        "--server",
        s,
        "--token",
        t,
    ])
    .await;
    assert!(
        added
            .succeeded()
            .contains(&format!("appended as log entry {SAMPLE_ENTRIES}"))
    );

    let issuer = [
        "registry",
        "add-issuer",
        "--id",
        "110000-civil",
        "--name",
        "Beijing Civil Affairs Bureau",
        "--region",
        "110000",
        "--department",
        "civil affairs bureau",
        "--server",
        s,
    ];
    // No token: the service refuses, and the message says why.
    ecert(&issuer).await.fails(1, &["missing_token"]);
    // A token of the wrong role.
    let department = server.token(AccessRole::Issuer, Some("110000-psb"));
    ecert(&[&issuer[..], &["--token", &department][..]].concat())
        .await
        .fails(1, &["wrong_role"]);
    let added = ecert(&[&issuer[..], &["--token", t, "--json"][..]].concat()).await;
    assert_eq!(added.json()["index"], SAMPLE_ENTRIES + 1);
    assert_eq!(added.json()["tree_head"]["size"], SAMPLE_ENTRIES + 2);
    // The same issuer again breaks a registry rule.
    ecert(&[&issuer[..], &["--token", t][..]].concat())
        .await
        .fails(1, &["rule_violation"]);

    ecert(&[
        "registry",
        "authorise",
        "110000-civil",
        "cn.marriage-certificate/1",
        "--server",
        s,
        "--token",
        t,
    ])
    .await
    .succeeded();

    let public_key = new_issuer_key(&server, "110000-civil", "k1").await;
    let today = ecert_sample::country::today();
    ecert(&[
        "registry",
        "publish-key",
        "110000-civil",
        "--key-id",
        "k1",
        "--public-key",
        &public_key,
        "--not-before",
        &today,
        "--not-after",
        "2035-12-31",
        "--server",
        s,
        "--token",
        t,
    ])
    .await
    .succeeded();
    ecert(&[
        "registry",
        "publish-key",
        "110000-civil",
        "--key-id",
        "k9",
        "--public-key",
        "not-a-key",
        "--not-before",
        &today,
        "--not-after",
        "2035-12-31",
        "--server",
        s,
        "--token",
        t,
    ])
    .await
    .fails(1, &["invalid_public_key"]);

    ecert(&[
        "registry",
        "key-status",
        "110000-civil",
        "k1",
        "--status",
        "revoked",
        "--reason",
        "lost laptop",
        "--server",
        s,
        "--token",
        t,
    ])
    .await
    .succeeded();
    ecert(&[
        "registry",
        "key-status",
        "110000-civil",
        "k1",
        "--status",
        "lost",
        "--server",
        s,
    ])
    .await
    .fails(2, &["invalid value"]);

    let civil = ecert(&["registry", "issuer", "110000-civil", "--server", s]).await;
    assert!(civil.succeeded().contains("revoked: lost laptop"));
    let civil = ecert(&["registry", "issuer", "110000-civil", "--server", s, "--json"]).await;
    assert_eq!(
        civil.json()["authorised_types"],
        json!(["cn.marriage-certificate/1"])
    );
    assert_eq!(civil.json()["keys"][0]["status"]["state"], "revoked");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("verifier.json");
    let verifier = json!({"id": "110102-registry-office", "name": "Xicheng Registry Office",
        "region": "110102", "purposes": [{"id": "check-marriage", "description": "Check a marriage",
        "legal_basis": "Civil Code art. 1049",
        "allowed": [{"type": "cn.marriage-certificate/1", "attributes": ["holder_name"], "claims": []}]}]});
    std::fs::write(&file, verifier.to_string()).unwrap();
    let file_arg = file.to_str().unwrap();
    ecert(&["registry", "add-verifier", file_arg, "--server", s, "--token", t])
        .await
        .succeeded();
    let office = ecert(&["registry", "verifier", "110102-registry-office", "--server", s]).await;
    assert!(office.succeeded().contains("check-marriage"));

    // Files that are missing or not JSON: exit 1, naming the file.
    let missing = dir.path().join("no-such-schema.json");
    let missing_arg = missing.to_str().unwrap();
    ecert(&["registry", "add-type", missing_arg, "--server", s, "--token", t])
        .await
        .fails(1, &[missing_arg]);
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{ not json").unwrap();
    let garbage_arg = garbage.to_str().unwrap();
    ecert(&[
        "registry",
        "add-verifier",
        garbage_arg,
        "--server",
        s,
        "--token",
        t,
    ])
    .await
    .fails(1, &[&format!("{garbage_arg} is not valid JSON")]);
    // A snapshot into a directory that does not exist.
    let nowhere = dir.path().join("no/such/dir/snapshot.json");
    ecert(&[
        "registry",
        "snapshot",
        "--out",
        nowhere.to_str().unwrap(),
        "--server",
        s,
    ])
    .await
    .fails(1, &["no/such/dir"]);
}

fn read_heads(path: &Path) -> Vec<SignedTreeHead> {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The registry's own log-signing key, to play a registry that forks or rolls back its log.
fn registry_signer(server: &Server) -> LogSigner {
    let bytes: [u8; 32] = std::fs::read(server.dir.path().join("data/registry.key"))
        .unwrap()
        .try_into()
        .unwrap();
    LogSigner::from_bytes(&bytes)
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_heads_over_time() {
    let server = Server::with_country().await.unwrap();
    let url = url(&server);
    let s = url.as_str();
    let key = registry_key(&server);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("heads.json");
    let state_arg = state.to_str().unwrap();
    let heads = [
        "audit",
        "heads",
        "--state",
        state_arg,
        "--registry-key",
        &key,
        "--server",
        s,
    ];

    let first = ecert(&heads).await;
    assert!(first.succeeded().contains("the first head seen"));
    assert_eq!(read_heads(&state).len(), 1);

    server
        .admin()
        .untyped()
        .post(
            "/v1/registry/issuers",
            &json!({"id": "120000-psb", "name": "Tianjin PSB", "region": "120000",
                    "department": "public security bureau"}),
        )
        .await
        .unwrap();
    let second = ecert(&heads).await;
    assert!(second.succeeded().contains("consistent"), "{}", second.stdout);
    assert!(second.stdout.contains(&format!("size {}", SAMPLE_ENTRIES + 1)));
    let seen = read_heads(&state);
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].size, SAMPLE_ENTRIES + 1);

    // Nothing new: still consistent, nothing appended.
    let third = ecert(&[&heads[..], &["--json"][..]].concat()).await;
    assert_eq!(third.json()["status"], "consistent");
    assert_eq!(third.json()["heads_recorded"], 2);
    assert_eq!(read_heads(&state).len(), 2);

    // A wrong registry key: the current head does not verify.
    let stranger = encode_b64(LogSigner::from_bytes(&[7; 32]).verifying_key().as_bytes());
    ecert(&[
        "audit",
        "heads",
        "--state",
        state_arg,
        "--registry-key",
        &stranger,
        "--server",
        s,
    ])
    .await
    .fails(1, &["does not verify"]);
    assert_eq!(read_heads(&state).len(), 2);

    // The registry once signed a different log of the current size: a fork.
    let signer = registry_signer(&server);
    let current = seen[1].clone();
    let forked = signer.sign(current.size, &[9; 32], current.timestamp);
    std::fs::write(&state, serde_json::to_string(&vec![forked.clone()]).unwrap()).unwrap();
    ecert(&heads).await.fails(1, &["fork"]);
    assert_eq!(read_heads(&state), vec![forked], "the evidence stays");

    // The registry once signed a longer log: a rollback.
    let longer = signer.sign(current.size + 5, &[9; 32], current.timestamp);
    std::fs::write(&state, serde_json::to_string(&vec![longer]).unwrap()).unwrap();
    ecert(&heads).await.fails(1, &["rollback"]);

    // A head in the state file altered after signing.
    let mut altered = current;
    altered.timestamp -= 1;
    std::fs::write(&state, serde_json::to_string(&vec![altered]).unwrap()).unwrap();
    ecert(&heads).await.fails(1, &["does not verify"]);

    // A state file that is not a list of heads.
    std::fs::write(&state, "[1, 2]").unwrap();
    ecert(&heads).await.fails(1, &[state_arg]);
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_replay_keys_anomalies_and_verifications() {
    let server = Server::with_country().await.unwrap();
    let url = url(&server);
    let s = url.as_str();
    let key = registry_key(&server);
    let k = key.as_str();

    let replay = ecert(&["audit", "replay", "--registry-key", k, "--server", s]).await;
    assert!(
        replay
            .succeeded()
            .contains(&format!("replayed {SAMPLE_ENTRIES} entries"))
    );
    assert!(replay.stdout.contains("issuer_registered"));
    let replay = ecert(&["audit", "replay", "--registry-key", k, "--server", s, "--json"]).await;
    let replay = replay.json();
    assert_eq!(replay["counts"]["issuer_registered"], 5);
    assert_eq!(replay["counts"]["key_published"], 5);
    assert_eq!(replay["issuers"], 5);
    assert_eq!(replay["verifiers"], 4);

    let stranger = encode_b64(LogSigner::from_bytes(&[7; 32]).verifying_key().as_bytes());
    ecert(&["audit", "replay", "--registry-key", &stranger, "--server", s])
        .await
        .fails(1, &["does not verify"]);

    let clean = ecert(&["audit", "anomalies", "--registry-key", k, "--server", s]).await;
    assert!(clean.succeeded().contains("no anomalies"));

    // A university with two active keys at once could tell its graduates apart.
    let public_key = new_issuer_key(&server, "110000-university", "k2").await;
    server
        .admin()
        .untyped()
        .post(
            "/v1/registry/issuers/110000-university/keys",
            &json!({"key_id": "k2", "public_key": public_key, "not_before": ecert_sample::country::today(),
                    "not_after": ecert_sample::country::LAST_DAY}),
        )
        .await
        .unwrap();
    let found = ecert(&["audit", "anomalies", "--registry-key", k, "--server", s]).await;
    let found = found.fails(1, &["anomalies"]);
    assert!(found.stdout.contains("several_active_keys"), "{}", found.stdout);
    assert!(found.stdout.contains("110000-university"));
    let found = ecert(&["audit", "anomalies", "--registry-key", k, "--server", s, "--json"]).await;
    assert_eq!(found.code, 1);
    let anomalies = found.json()["anomalies"].as_array().unwrap().clone();
    assert_eq!(anomalies.len(), 1);
    assert_eq!(anomalies[0]["kind"], "several_active_keys");
    assert_eq!(anomalies[0]["key_ids"], json!(["k1", "k2"]));
    // A stricter policy flags purposes too.
    let strict = ecert(&[
        "audit",
        "anomalies",
        "--max-sensitivity",
        "0",
        "--registry-key",
        k,
        "--server",
        s,
        "--json",
    ])
    .await;
    assert_eq!(strict.code, 1);
    assert!(
        strict.json()["anomalies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "overbroad_purpose")
    );

    // Retiring k1 ends the overlap; the history keeps it.
    server
        .admin()
        .untyped()
        .post(
            "/v1/registry/issuers/110000-university/keys/k1/status",
            &json!({"status": "retired"}),
        )
        .await
        .unwrap();
    ecert(&["audit", "anomalies", "--registry-key", k, "--server", s])
        .await
        .succeeded();
    let history = ecert(&[
        "audit",
        "keys",
        "110000-university",
        "--registry-key",
        k,
        "--server",
        s,
    ])
    .await;
    assert!(history.succeeded().contains("k1"));
    assert!(history.stdout.contains("retired"));
    assert!(history.stdout.contains("active"));
    let history = ecert(&[
        "audit",
        "keys",
        "110000-university",
        "--registry-key",
        k,
        "--server",
        s,
        "--json",
    ])
    .await;
    let keys = history.json()["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["state"], "retired");
    assert_eq!(keys[1]["state"], "active");
    ecert(&["audit", "keys", "nobody", "--registry-key", k, "--server", s])
        .await
        .fails(1, &["no issuer \"nobody\""]);

    let regulator = server.token(AccessRole::Regulator, None);
    let records = ecert(&["audit", "verifications", "--server", s, "--token", &regulator]).await;
    assert!(records.succeeded().contains("0 verification records"));
    let records = ecert(&[
        "audit",
        "verifications",
        "--since",
        "2024-01-01",
        "--limit",
        "10",
        "--server",
        s,
        "--token",
        &regulator,
        "--json",
    ])
    .await;
    assert!(records.json()["verifications"].is_array());
    ecert(&["audit", "verifications", "--server", s])
        .await
        .fails(1, &["missing_token"]);
    ecert(&["audit", "verifications", "--since", "last tuesday", "--server", s])
        .await
        .fails(2, &["--since"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_server_and_bad_usage() {
    let nowhere = "http://127.0.0.1:1";
    ecert(&["registry", "types", "--server", nowhere])
        .await
        .fails(3, &["cannot reach the service"]);
    ecert(&[
        "registry",
        "add-issuer",
        "--id",
        "x",
        "--name",
        "x",
        "--region",
        "1",
        "--department",
        "x",
        "--server",
        nowhere,
        "--token",
        "t",
    ])
    .await
    .fails(3, &["cannot reach the service"]);
    let key = encode_b64(LogSigner::from_bytes(&[7; 32]).verifying_key().as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("heads.json");
    ecert(&[
        "audit",
        "heads",
        "--state",
        state.to_str().unwrap(),
        "--registry-key",
        &key,
        "--server",
        nowhere,
    ])
    .await
    .fails(3, &["cannot reach the service"]);
    assert!(!state.exists());
    ecert(&["audit", "replay", "--registry-key", &key, "--server", nowhere])
        .await
        .fails(3, &["cannot reach the service"]);

    // A key whose base64url starts with '-' is a value, not an option.
    let dashed = (0u8..=255)
        .map(|seed| encode_b64(LogSigner::from_bytes(&[seed; 32]).verifying_key().as_bytes()))
        .find(|key| key.starts_with('-'))
        .unwrap();
    ecert(&["audit", "replay", "--registry-key", &dashed, "--server", nowhere])
        .await
        .fails(3, &["cannot reach the service"]);

    // Usage errors are clap's: exit 2.
    ecert(&[
        "audit",
        "replay",
        "--registry-key",
        "not-a-key",
        "--server",
        nowhere,
    ])
    .await
    .fails(2, &["--registry-key"]);
    ecert(&["audit", "heads", "--registry-key", &key])
        .await
        .fails(2, &["--state"]);
    ecert(&[
        "audit",
        "anomalies",
        "--max-sensitivity",
        "9",
        "--registry-key",
        &key,
    ])
    .await
    .fails(2, &["--max-sensitivity"]);
    ecert(&["registry", "issuer", "../admin", "--server", nowhere])
        .await
        .fails(2, &["not a registry id"]);

    // The help names every subcommand and the exit codes.
    let help = ecert(&["registry", "--help"]).await;
    for command in [
        "types",
        "add-issuer",
        "publish-key",
        "key-status",
        "tree-head",
        "inclusion",
        "snapshot",
    ] {
        assert!(
            help.succeeded().contains(command),
            "{command} missing from {}",
            help.stdout
        );
    }
    let help = ecert(&["audit", "--help"]).await;
    for command in ["heads", "replay", "keys", "anomalies", "verifications"] {
        assert!(
            help.succeeded().contains(command),
            "{command} missing from {}",
            help.stdout
        );
    }
    assert!(ecert(&["--help"]).await.succeeded().contains("Exit codes"));
}
