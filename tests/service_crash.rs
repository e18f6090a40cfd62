//! The real `ecert` binary stopped in the middle of a burst of issuances, then restarted on the same
//! data directory: killed outright (SIGKILL), every issuance it acknowledged survives unchanged, no
//! serial or status position is doubled, a retried idempotency key finds the committed certificate or
//! issues once, and the registry log (written across the crash) still extends every tree head it signed;
//! asked to stop (SIGTERM), it answers what it started, refuses nothing with a 5xx and exits 0.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ecert_api::Client;
use ecert_registry::{Hash, SignedTreeHead, VerifyingKey};
use ecert_server::auth::{AccessRole, PlatformKey};
use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use tokio::task::JoinSet;

const ECERT: &str = env!("CARGO_BIN_EXE_ecert");
const ISSUER: &str = "110000-psb";
/// Issuances in a burst, and how many are in flight at once.
const BURST: usize = 300;
const CONCURRENCY: usize = 16;
/// Longest any one call may take before the test calls it lost.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// Runs a test body with a deadline, so that a hung server fails the test instead of hanging it.
async fn within<T>(secs: u64, body: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), body)
        .await
        .unwrap_or_else(|_| panic!("the test did not finish within {secs} s"))
}

/// A data directory made by `ecert init`, with what the operator learns from it.
struct Deployment {
    dir: TempDir,
    data_dir: PathBuf,
    registry_key: VerifyingKey,
    platform: PlatformKey,
}

/// The command with the caller's `ECERT_*` variables removed, so that only the flags configure it.
fn ecert(args: &[&str], data_dir: &Path) -> Command {
    let mut command = Command::new(ECERT);
    command.args(args).arg("--data-dir").arg(data_dir);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ECERT_") {
            command.env_remove(name);
        }
    }
    command.env("RUST_LOG", "info").stdin(Stdio::null());
    command
}

impl Deployment {
    async fn init() -> Deployment {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let output = tokio::time::timeout(Duration::from_secs(30), ecert(&["init"], &data_dir).output())
            .await
            .expect("ecert init timed out")
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "ecert init: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let key = stdout
            .lines()
            .find_map(|line| line.strip_prefix("registry log key:"))
            .unwrap_or_else(|| panic!("ecert init printed no registry key: {stdout}"))
            .trim();
        let key: [u8; 32] = ecert_credential::decode_b64(key).unwrap().try_into().unwrap();
        Deployment {
            registry_key: VerifyingKey::from_bytes(&key).unwrap(),
            platform: PlatformKey::open(&data_dir).unwrap(),
            data_dir,
            dir,
        }
    }

    /// Starts `ecert serve` on an ephemeral port and waits for it to say where it listens.
    async fn serve(&self) -> Node {
        let log_path = self.dir.path().join("serve.log");
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap();
        let mut child = ecert(&["serve", "--listen", "127.0.0.1:0"], &self.data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        // The guard exists before the wait, so that a server that never answers is killed.
        let mut node = Node {
            pid: child.id().unwrap(),
            child,
            stdout,
            base: String::new(),
            log: log_path,
        };
        let line = tokio::time::timeout(Duration::from_secs(30), node.stdout.next_line()).await;
        let Ok(Ok(Some(line))) = line else {
            panic!("ecert serve did not start: {line:?}");
        };
        let addr = line
            .strip_prefix("ecert listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from ecert serve: {line}"));
        node.base = addr.trim().to_owned();
        node
    }

    fn client(&self, node: &Node, role: AccessRole, scope: Option<&str>) -> Client {
        Client::new(&node.base)
            .with_token(&ecert_sample::country::token(&self.platform, role, scope).unwrap())
    }

    /// Opens the database file directly, beside the running server (SQLite in WAL mode allows it).
    async fn database(&self) -> SqlitePool {
        let options = SqliteConnectOptions::new()
            .filename(self.data_dir.join(ecert_server::db::DATABASE_FILE))
            .busy_timeout(Duration::from_secs(10));
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap()
    }
}

/// A running `ecert serve`, killed when dropped; its log is shown if the test failed.
struct Node {
    child: Child,
    pid: u32,
    /// Held open so that the server never writes to a closed pipe.
    stdout: Lines<BufReader<ChildStdout>>,
    base: String,
    log: PathBuf,
}

impl Node {
    /// SIGKILL: the process gets no chance to finish anything.
    async fn kill(&mut self) -> ExitStatus {
        self.child.start_kill().unwrap();
        self.exit(Duration::from_secs(10)).await
    }

    /// SIGTERM: the service should finish its in-flight requests and exit.
    fn terminate(&self) {
        let sent = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM {} failed", self.pid);
    }

    async fn exit(&mut self, limit: Duration) -> ExitStatus {
        tokio::time::timeout(limit, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("ecert serve did not exit within {limit:?}"))
            .unwrap()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(40)..].join("\n");
            eprintln!(
                "--- last lines of the server log ({}):\n{tail}",
                self.log.display()
            );
        }
    }
}

/// What one issuance call came to.
#[derive(Clone, Debug)]
enum Outcome {
    /// A 2xx with the issued certificate.
    Issued { status: u16, issued: Value },
    /// An HTTP error status.
    Refused { status: u16, code: String },
    /// No complete answer: connection refused or reset, or the call timed out.
    Lost(String),
}

async fn issue_once(client: &Client, key: &str) -> Outcome {
    let body = ecert_sample::country::issue_body("cn.resident-id-card/1", ecert_sample::country::id_card());
    match tokio::time::timeout(CALL_TIMEOUT, client.untyped().issue(ISSUER, key, &body)).await {
        Err(_) => Outcome::Lost("timed out".into()),
        Ok(Ok((status, issued))) => Outcome::Issued { status, issued },
        // A status with an unreadable body is an answer cut off mid-way.
        Ok(Err(error)) if error.status.is_none() || error.code.as_str() == "bad_response" => {
            Outcome::Lost(error.to_string())
        }
        Ok(Err(error)) => Outcome::Refused {
            status: error.status.unwrap_or_default(),
            code: error.code.to_string(),
        },
    }
}

/// Counts the issuances acknowledged and lost; any answered with an error status fails the test (a 5xx
/// above all: neither a crash of the previous run nor a shutdown may turn into a server error).
fn tally(outcomes: &[(String, Outcome)]) -> (usize, usize) {
    let (mut issued, mut lost) = (0, 0);
    for (key, outcome) in outcomes {
        match outcome {
            Outcome::Issued { .. } => issued += 1,
            Outcome::Lost(_) => lost += 1,
            Outcome::Refused { status, code } => panic!("issuance {key} was refused: {status} {code}"),
        }
    }
    (issued, lost)
}

/// Issuances of the given idempotency keys, `CONCURRENCY` at a time, from tokio tasks.
struct Burst {
    outcomes: Arc<Mutex<Vec<(String, Outcome)>>>,
    successes: Arc<AtomicUsize>,
    workers: JoinSet<()>,
}

impl Burst {
    fn start(client: &Client, keys: Vec<String>) -> Burst {
        let keys = Arc::new(keys);
        let next = Arc::new(AtomicUsize::new(0));
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let successes = Arc::new(AtomicUsize::new(0));
        let mut workers = JoinSet::new();
        for _ in 0..CONCURRENCY {
            let (client, keys, next) = (client.clone(), Arc::clone(&keys), Arc::clone(&next));
            let (outcomes, successes) = (Arc::clone(&outcomes), Arc::clone(&successes));
            workers.spawn(async move {
                while let Some(key) = keys.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let outcome = issue_once(&client, key).await;
                    if matches!(outcome, Outcome::Issued { .. }) {
                        successes.fetch_add(1, Ordering::SeqCst);
                    }
                    outcomes.lock().unwrap().push((key.clone(), outcome));
                }
            });
        }
        Burst {
            outcomes,
            successes,
            workers,
        }
    }

    /// Waits until `count` issuances have succeeded (and `also` holds).
    async fn wait_for(&self, count: usize, also: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.successes.load(Ordering::SeqCst) < count || !also() {
            let done = self.outcomes.lock().unwrap().len();
            if Instant::now() > deadline || done == BURST {
                let outcomes = self.outcomes.lock().unwrap().clone();
                panic!("the burst never reached {count} successes: {outcomes:?}");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    async fn finish(mut self) -> Vec<(String, Outcome)> {
        tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(joined) = self.workers.join_next().await {
                joined.unwrap();
            }
        })
        .await
        .expect("the burst's calls did not all end");
        std::mem::take(&mut *self.outcomes.lock().unwrap())
    }
}

fn burst_keys(prefix: &str) -> Vec<String> {
    (0..BURST).map(|i| format!("{prefix}-{i}")).collect()
}

/// The issuer's certificates in the database, by idempotency key: (serial, list, index, certificate).
async fn stored_by_key(db: &SqlitePool) -> HashMap<String, (String, String, i64, Value)> {
    let rows = sqlx::query(
        "SELECT idempotency_key, serial, status_list, status_index, certificate FROM certificates \
         WHERE issuer = $1",
    )
    .bind(ISSUER)
    .fetch_all(db)
    .await
    .unwrap();
    let mut stored = HashMap::new();
    for row in rows {
        let key: String = row.get("idempotency_key");
        let certificate: Value = serde_json::from_str(&row.get::<String, _>("certificate")).unwrap();
        let value = (
            row.get("serial"),
            row.get("status_list"),
            row.get("status_index"),
            certificate,
        );
        assert!(
            stored.insert(key.clone(), value).is_none(),
            "idempotency key {key} stored twice"
        );
    }
    stored
}

/// No serial and no status position is held by two certificates.
async fn assert_no_duplicates(db: &SqlitePool) {
    for group in ["issuer, serial", "issuer, status_list, status_index"] {
        let doubled: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM (SELECT {group} FROM certificates GROUP BY {group} HAVING COUNT(*) > 1)"
        ))
        .fetch_one(db)
        .await
        .unwrap();
        assert_eq!(doubled, 0, "certificates share ({group})");
    }
}

/// Every acknowledged issuance is stored and served unchanged.
async fn assert_acknowledged_survive(
    issuer: &Client,
    stored: &HashMap<String, (String, String, i64, Value)>,
    outcomes: &[(String, Outcome)],
) {
    for (key, outcome) in outcomes {
        let Outcome::Issued { issued, .. } = outcome else {
            continue;
        };
        let serial = issued["serial"].as_str().unwrap();
        let (stored_serial, list, index, certificate) = stored
            .get(key)
            .unwrap_or_else(|| panic!("acknowledged issuance {key} ({serial}) is not in the database"));
        assert_eq!(stored_serial, serial, "{key}");
        assert_eq!(certificate, &issued["certificate"], "{key}");
        assert_eq!(
            (list.as_str(), *index),
            (
                issued["status"]["list"].as_str().unwrap(),
                issued["status"]["index"].as_i64().unwrap()
            )
        );
        let record = tokio::time::timeout(
            CALL_TIMEOUT,
            issuer
                .untyped()
                .get(&format!("/v1/issuers/{ISSUER}/certificates/{serial}")),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(record["certificate"], issued["certificate"], "{key}");
    }
}

/// Retries every key that got no answer: a key committed before the stop gets its certificate back
/// (200), any other a new one (201), never a second certificate. Returns how many had been committed.
async fn assert_retries_issue_once(
    issuer: &Client,
    stored: &HashMap<String, (String, String, i64, Value)>,
    outcomes: &[(String, Outcome)],
) -> usize {
    let mut committed = 0;
    let lost: Vec<String> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Lost(_)))
        .map(|(key, _)| key.clone())
        .collect();
    let serials: HashSet<&String> = stored.values().map(|(serial, ..)| serial).collect();
    for (key, outcome) in Burst::start(issuer, lost).finish().await {
        let Outcome::Issued { status, issued } = outcome else {
            panic!("retry of {key} failed: {outcome:?}");
        };
        match stored.get(&key) {
            Some((serial, _, _, certificate)) => {
                assert_eq!(status, 200, "{key} was committed before the stop");
                committed += 1;
                assert_eq!(issued["serial"].as_str().unwrap(), serial);
                assert_eq!(&issued["certificate"], certificate);
            }
            None => {
                assert_eq!(status, 201, "{key} was not committed before the stop");
                assert!(!serials.contains(&issued["serial"].as_str().unwrap().to_owned()));
            }
        }
    }
    committed
}

fn decode_hashes(proof: &Value) -> Vec<Hash> {
    proof["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            ecert_credential::decode_b64(h.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect()
}

/// A verifier record for the `n`th registry write of the test.
fn desk(n: usize) -> ecert_credential::VerifierRecord {
    let mut record = ecert_sample::country::verifiers().swap_remove(2);
    record.id = format!("440106-desk-{n}");
    record.name = format!("Tianhe Hospital desk {n}");
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_mid_burst_loses_nothing_acknowledged() {
    within(60, async {
        let deployment = Deployment::init().await;
        let mut node = deployment.serve().await;
        let public = Client::new(&node.base);
        ecert_sample::country::set_up(&public, &deployment.platform)
            .await
            .unwrap();
        let served_key = public.untyped().get("/v1/registry/key").await.unwrap();
        assert_eq!(
            served_key["registry_key"],
            ecert_credential::encode_b64(deployment.registry_key.as_bytes())
        );
        let head_before: SignedTreeHead =
            serde_json::from_value(public.untyped().get("/v1/registry/log/tree-head").await.unwrap())
                .unwrap();

        let issuer = deployment.client(&node, AccessRole::Issuer, Some(ISSUER));
        let burst = Burst::start(&issuer, burst_keys("crash"));
        // Registry writes go on beside the issuances, so that the log is being written at the crash.
        let admin = deployment.client(&node, AccessRole::RegistryAdmin, None);
        let appended = Arc::new(AtomicUsize::new(0));
        let appender = {
            let appended = Arc::clone(&appended);
            tokio::spawn(async move {
                let mut heads = Vec::new();
                for n in 0..200 {
                    let record = desk(n);
                    let call = admin.untyped().post("/v1/registry/verifiers", &record);
                    match tokio::time::timeout(CALL_TIMEOUT, call).await {
                        Ok(Ok(answer)) => {
                            let head: SignedTreeHead =
                                serde_json::from_value(answer["tree_head"].clone()).unwrap();
                            heads.push((n, head));
                            appended.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(Err(error)) if error.status.is_some() && error.code.as_str() != "bad_response" => {
                            panic!("registry write {n} refused: {error}")
                        }
                        _ => break,
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                heads
            })
        };
        // (A registry write refused ends the appender, whose panic the join below reports.)
        let appending = || appended.load(Ordering::SeqCst) >= 2 || appender.is_finished();
        burst.wait_for(50, appending).await;
        let killed = node.kill().await;
        assert_eq!(killed.signal(), Some(9), "{killed:?}");
        let outcomes = burst.finish().await;
        let appends = tokio::time::timeout(Duration::from_secs(30), appender)
            .await
            .unwrap()
            .unwrap();

        let (issued, lost) = tally(&outcomes);
        assert!(
            issued >= 50 && lost > 0,
            "the crash did not hit the burst: {issued} issued, {lost} lost"
        );

        let node = deployment.serve().await;
        let db = deployment.database().await;
        let stored = stored_by_key(&db).await;
        assert_no_duplicates(&db).await;
        let issuer = deployment.client(&node, AccessRole::Issuer, Some(ISSUER));
        assert_acknowledged_survive(&issuer, &stored, &outcomes).await;
        let committed = assert_retries_issue_once(&issuer, &stored, &outcomes).await;
        let after = stored_by_key(&db).await;
        assert_eq!(after.len(), BURST, "every key holds exactly one certificate");
        assert_eq!(
            after
                .values()
                .map(|(serial, ..)| serial)
                .collect::<HashSet<_>>()
                .len(),
            BURST
        );
        let positions: HashSet<_> = after.values().map(|(_, list, index, _)| (list, index)).collect();
        assert_eq!(positions.len(), BURST);
        assert_no_duplicates(&db).await;

        // The registry: every head it ever signed verifies, and the latest extends each of them.
        let public = Client::new(&node.base);
        let key = &deployment.registry_key;
        let listed = public.untyped().get("/v1/registry/log/tree-heads").await.unwrap();
        let heads: Vec<SignedTreeHead> = serde_json::from_value(listed["tree_heads"].clone()).unwrap();
        let latest: SignedTreeHead =
            serde_json::from_value(public.untyped().get("/v1/registry/log/tree-head").await.unwrap())
                .unwrap();
        assert_eq!(heads.last(), Some(&latest));
        assert_eq!(
            heads.iter().map(|h| h.size).collect::<Vec<_>>(),
            (1..=latest.size).collect::<Vec<_>>(),
            "one head per log size"
        );
        assert!(heads.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
        assert!(
            heads.contains(&head_before),
            "the head signed before the crash is gone"
        );
        for (n, head) in &appends {
            assert!(heads.contains(head), "the head acknowledging write {n} is gone");
        }
        assert!(latest.size >= head_before.size + appends.len() as u64);
        for head in &heads {
            let proof = public
                .untyped()
                .get(&format!(
                    "/v1/registry/log/consistency-proof?old_size={}&new_size={}",
                    head.size, latest.size
                ))
                .await
                .unwrap();
            ecert_registry::check_heads(key, head, &latest, &decode_hashes(&proof))
                .unwrap_or_else(|e| panic!("head of size {} is not extended by the latest: {e}", head.size));
        }
        let (view, _, snapshot) = public.registry_state(key).await.unwrap();
        assert_eq!(snapshot.tree_head, latest);
        for (n, _) in &appends {
            assert!(
                view.verifiers.contains_key(&desk(*n).id),
                "acknowledged write {n} is gone"
            );
        }
        // The issuer's status list, published with its first certificate, survived and verifies.
        let list = public.status_list(ISSUER, "sl-0").await.unwrap();
        list.verify_in(&view).unwrap();
        eprintln!(
            "killed after {issued} issuances acknowledged; {lost} lost, of which {committed} had been \
             committed; {} registry writes acknowledged; log size {} before, {} after",
            appends.len(),
            head_before.size,
            latest.size
        );
        db.close().await;
        drop(node);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminated_mid_burst_finishes_what_it_started() {
    within(60, async {
        let deployment = Deployment::init().await;
        let mut node = deployment.serve().await;
        ecert_sample::country::set_up(&Client::new(&node.base), &deployment.platform)
            .await
            .unwrap();
        let issuer = deployment.client(&node, AccessRole::Issuer, Some(ISSUER));
        let burst = Burst::start(&issuer, burst_keys("term"));
        burst.wait_for(30, || true).await;
        let asked = Instant::now();
        node.terminate();
        let exited = node.exit(Duration::from_secs(10)).await;
        let took = asked.elapsed();
        assert!(
            exited.success(),
            "ecert serve exited with {exited:?} after SIGTERM"
        );
        assert!(took < Duration::from_secs(5), "ecert serve took {took:?} to stop");
        let outcomes = burst.finish().await;
        let (issued, _) = tally(&outcomes);
        assert!(
            (30..BURST).contains(&issued),
            "the stop did not hit the burst: {issued} issued"
        );

        let node = deployment.serve().await;
        let db = deployment.database().await;
        let stored = stored_by_key(&db).await;
        assert_no_duplicates(&db).await;
        let issuer = deployment.client(&node, AccessRole::Issuer, Some(ISSUER));
        assert_acknowledged_survive(&issuer, &stored, &outcomes).await;
        // A graceful stop answers every request it processed: nothing was stored without its answer.
        for (key, outcome) in &outcomes {
            if let Outcome::Lost(why) = outcome {
                assert!(
                    !stored.contains_key(key),
                    "{key} was stored but its answer was lost: {why}"
                );
            }
        }
        assert_eq!(stored.len(), issued);
        assert_retries_issue_once(&issuer, &stored, &outcomes).await;
        assert_eq!(stored_by_key(&db).await.len(), BURST);
        eprintln!("stopped in {took:?} after {issued} issuances acknowledged");
        db.close().await;
        drop(node);
    })
    .await;
}

/// A supervisor may stop the service as soon as it says where it listens; that stop must be graceful too.
/// (A `kill` process forked after the line arrives comes too late to show the fault, so a shell waits,
/// already running, and signals the moment it is told.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminated_right_after_start_exits_cleanly() {
    use tokio::io::AsyncWriteExt;
    within(60, async {
        let deployment = Deployment::init().await;
        for attempt in 0..10 {
            let log = std::fs::File::create(deployment.dir.path().join("serve.log")).unwrap();
            let mut child = ecert(&["serve", "--listen", "127.0.0.1:0"], &deployment.data_dir)
                .stdout(Stdio::piped())
                .stderr(Stdio::from(log))
                .kill_on_drop(true)
                .spawn()
                .unwrap();
            let pid = child.id().unwrap().to_string();
            let mut signaller = Command::new("sh")
                .args(["-c", "read _ && kill -TERM \"$1\"", "sh", &pid])
                .stdin(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .unwrap();
            let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
            let line = tokio::time::timeout(Duration::from_secs(30), stdout.next_line()).await;
            assert!(
                matches!(&line, Ok(Ok(Some(_)))),
                "ecert serve did not start: {line:?}"
            );
            signaller.stdin.take().unwrap().write_all(b"go\n").await.unwrap();
            let exited = tokio::time::timeout(Duration::from_secs(10), child.wait())
                .await
                .expect("ecert serve did not exit within 10 s")
                .unwrap();
            signaller.wait().await.unwrap();
            assert!(
                exited.success(),
                "attempt {attempt}: ecert serve exited with {exited:?} after SIGTERM"
            );
        }
    })
    .await;
}
