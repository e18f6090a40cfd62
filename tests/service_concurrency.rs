//! The services under concurrent load, over loopback against a real database (SQLite, and PostgreSQL when
//! the test cluster runs: each test runs on both): parallel issuances get distinct serials and status
//! positions; parallel retries of one idempotency key issue once; a key reused for another body is refused
//! and stores nothing; parallel presentations all verify, and one presentation submitted many times at
//! once is verified exactly once (its nonce is single use).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use ecert_api::{Client, ClientError};
use ecert_credential::{Certificate, PresentationRequest};
use ecert_holder::Wallet;
use ecert_sample::Platform as Server;
use serde_json::{Value, json};
use sqlx::Row;
use tokio::task::JoinSet;

const ISSUER: &str = "110000-psb";
const ID_CARD: &str = "cn.resident-id-card/1";
const HOSPITAL: &str = "440106-hospital";

/// Runs a test body with a deadline, so that a deadlock fails the test instead of hanging it.
async fn within<T>(secs: u64, body: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), body)
        .await
        .unwrap_or_else(|_| panic!("the test did not finish within {secs} s"))
}

fn id_card_body() -> ecert_api::IssueCertificate {
    ecert_sample::country::issue_body(ID_CARD, ecert_sample::country::id_card())
}

/// Runs every call at once and collects the answers (in completion order).
async fn all_at_once<T: Send + 'static>(
    calls: impl IntoIterator<Item = impl Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let mut tasks = JoinSet::new();
    for call in calls {
        tasks.spawn(call);
    }
    let mut answers = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        answers.push(joined.unwrap());
    }
    answers
}

/// The issuer's certificates as stored: (idempotency key, serial, status list, status index, certificate).
async fn stored(server: &Server) -> Vec<(Option<String>, String, String, i64, String)> {
    sqlx::query(
        "SELECT idempotency_key, serial, status_list, status_index, certificate FROM certificates \
         WHERE issuer = $1",
    )
    .bind(ISSUER)
    .fetch_all(server.node.database().pool())
    .await
    .unwrap()
    .iter()
    .map(|row| {
        (
            row.get("idempotency_key"),
            row.get("serial"),
            row.get("status_list"),
            row.get("status_index"),
            row.get("certificate"),
        )
    })
    .collect()
}

ecert_sample::on_each_backend! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_issuances_get_distinct_serials_and_positions(backend) {
        within(60, async {
            let server = Server::with_country_on(&backend).await.unwrap();
            let psb = server.issuer(ISSUER);
            let answers = all_at_once((0..200).map(|i| {
                let psb = psb.clone();
                async move {
                    (
                        i,
                        psb.untyped()
                            .issue(ISSUER, &format!("parallel-{i}"), &id_card_body())
                            .await,
                    )
                }
            }))
            .await;
            let mut serials = HashSet::new();
            let mut positions = HashSet::new();
            let mut by_key = std::collections::HashMap::new();
            for (i, answer) in answers {
                let (status, issued) = answer.unwrap_or_else(|e| panic!("issuance {i}: {e}"));
                assert_eq!(status, 201, "issuance {i}");
                let certificate = Certificate::from_json(&issued["certificate"].to_string()).unwrap();
                assert_eq!(issued["serial"], json!(certificate.serial));
                assert_eq!(issued["status"], json!(certificate.status));
                serials.insert(certificate.serial.clone());
                positions.insert((certificate.status.list.clone(), certificate.status.index));
                by_key.insert(format!("parallel-{i}"), certificate);
            }
            assert_eq!(serials.len(), 200, "a serial was issued twice");
            assert_eq!(positions.len(), 200, "a status position was allocated twice");
            assert_eq!(server.count("certificates").await.unwrap(), 200);
            // What is stored is what was answered, key by key.
            for (key, serial, list, index, text) in stored(&server).await {
                let answered = &by_key[&key.unwrap()];
                assert_eq!(serial, answered.serial);
                assert_eq!(
                    (list, index),
                    (answered.status.list.clone(), i64::from(answered.status.index))
                );
                assert_eq!(Certificate::from_json(&text).unwrap(), *answered);
            }
            server.stop().await.unwrap();
        })
        .await;
    }
}

ecert_sample::on_each_backend! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_retries_of_one_key_issue_once(backend) {
        within(60, async {
            let server = Server::with_country_on(&backend).await.unwrap();
            let psb = server.issuer(ISSUER);
            let answers = all_at_once((0..20).map(|_| {
                let psb = psb.clone();
                async move {
                    psb.untyped()
                        .issue(ISSUER, "one-key", &id_card_body())
                        .await
                        .unwrap()
                }
            }))
            .await;
            let created = answers.iter().filter(|(status, _)| *status == 201).count();
            let replayed = answers.iter().filter(|(status, _)| *status == 200).count();
            assert_eq!((created, replayed), (1, 19), "{answers:?}");
            let first = &answers[0].1;
            for (_, issued) in &answers {
                assert_eq!(issued, first, "every answer carries the same certificate");
            }
            assert_eq!(server.count("certificates").await.unwrap(), 1);
            assert_eq!(server.count("certificate_events").await.unwrap(), 1);
            let rows = stored(&server).await;
            assert_eq!(rows[0].1, first["serial"].as_str().unwrap());
            server.stop().await.unwrap();
        })
        .await;
    }
}

ecert_sample::on_each_backend! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_key_reused_for_another_body_is_refused_and_stores_nothing(backend) {
        within(60, async {
            let server = Server::with_country_on(&backend).await.unwrap();
            let psb = server.issuer(ISSUER);
            let (status, first) = psb
                .untyped()
                .issue(ISSUER, "reused", &id_card_body())
                .await
                .unwrap();
            assert_eq!(status, 201);
            let counts = (
                server.count("certificates").await.unwrap(),
                server.count("certificate_events").await.unwrap(),
            );
            let mut other = ecert_sample::country::id_card();
            other["name"] = json!("Wang Fang");
            let error = psb
                .untyped()
                .issue(
                    ISSUER,
                    "reused",
                    &ecert_sample::country::issue_body(ID_CARD, other),
                )
                .await
                .unwrap_err();
            assert_eq!(
                (error.status, error.code.as_str()),
                (Some(409), "idempotency_key_reused")
            );
            assert_eq!(
                (
                    server.count("certificates").await.unwrap(),
                    server.count("certificate_events").await.unwrap()
                ),
                counts
            );
            // The original body still gets the original certificate.
            let (status, again) = psb
                .untyped()
                .issue(ISSUER, "reused", &id_card_body())
                .await
                .unwrap();
            assert_eq!((status, &again), (200, &first));

            // Ten different bodies racing for one fresh key: one wins, the other nine are refused.
            let answers = all_at_once((0..10).map(|i| {
                let psb = psb.clone();
                let mut attributes = ecert_sample::country::id_card();
                attributes["name"] = json!(format!("Holder {i}"));
                async move {
                    psb.untyped()
                        .issue(
                            ISSUER,
                            "raced",
                            &ecert_sample::country::issue_body(ID_CARD, attributes),
                        )
                        .await
                }
            }))
            .await;
            let created: Vec<&(u16, Value)> = answers.iter().filter_map(|a| a.as_ref().ok()).collect();
            assert_eq!(created.len(), 1, "{answers:?}");
            assert_eq!(created[0].0, 201);
            for refused in answers.iter().filter_map(|a| a.as_ref().err()) {
                assert_eq!(
                    (refused.status, refused.code.as_str()),
                    (Some(409), "idempotency_key_reused"),
                    "{refused}"
                );
            }
            let raced: Vec<_> = stored(&server)
                .await
                .into_iter()
                .filter(|row| row.0.as_deref() == Some("raced"))
                .collect();
            assert_eq!(raced.len(), 1);
            assert_eq!(raced[0].1, created[0].1["serial"].as_str().unwrap());
            assert_eq!(server.count("certificates").await.unwrap(), counts.0 + 1);
            assert_eq!(server.count("certificate_events").await.unwrap(), counts.1 + 1);
            server.stop().await.unwrap();
        })
        .await;
    }
}

/// A wallet holding one resident ID card of `ISSUER`.
async fn wallet_with_id_card(server: &Server) -> Wallet {
    let (status, issued) = server
        .issuer(ISSUER)
        .untyped()
        .issue(ISSUER, "wallet", &id_card_body())
        .await
        .unwrap();
    assert_eq!(status, 201);
    let mut wallet = Wallet::new();
    wallet.add(Certificate::from_json(&issued["certificate"].to_string()).unwrap());
    wallet
}

/// The hospital's request for the residence region, and the wallet's answer to it.
async fn request_and_answer(
    server: &Server,
    wallet: &Wallet,
    hospital: &Client,
) -> (PresentationRequest, ecert_credential::Presentation) {
    let items = json!([{"id": "id", "types": [ID_CARD], "disclose": ["residence_region"]}]);
    let request = hospital
        .untyped()
        .create_request(HOSPITAL, "cross-region-care", &items)
        .await
        .unwrap();
    let (view, catalogue, _) = server.client.registry_state(&server.registry_key).await.unwrap();
    let consent = wallet
        .prepare(&request, &view, &catalogue, ecert_server::clock::now())
        .unwrap();
    let presentation = wallet
        .present(&mut rand::rngs::OsRng, &request, &consent, &view, &catalogue)
        .unwrap();
    (request, presentation)
}

async fn verifications_of(server: &Server, nonce: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM verifications WHERE nonce = $1")
        .bind(nonce)
        .fetch_one(server.node.database().pool())
        .await
        .unwrap()
}

ecert_sample::on_each_backend! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_presentations_verify_and_a_nonce_is_spent_once(backend) {
        within(60, async {
            let server = Server::with_country_on(&backend).await.unwrap();
            let wallet = wallet_with_id_card(&server).await;
            let hospital = server.verifier(HOSPITAL);

            // Twenty requests, each answered, all submitted at once: all valid, one record each.
            let mut answered = Vec::new();
            for _ in 0..20 {
                answered.push(request_and_answer(&server, &wallet, &hospital).await);
            }
            let results = all_at_once(answered.iter().cloned().map(|(request, presentation)| {
                let client = server.client.clone();
                async move {
                    let result = client.untyped().submit(&request, &presentation).await;
                    (request.nonce, result)
                }
            }))
            .await;
            for (nonce, result) in &results {
                let result = result.as_ref().unwrap_or_else(|e| panic!("{nonce}: {e}"));
                assert_eq!(result["valid"], true, "{result}");
                assert_eq!(
                    result["items"][0]["disclosed"],
                    json!({"residence_region": "110105"})
                );
            }
            for (request, _) in &answered {
                assert_eq!(verifications_of(&server, &request.nonce).await, 1);
            }
            assert_eq!(server.count("verifications").await.unwrap(), 20);

            // One presentation submitted ten times at once: verified once, the rest find the nonce spent.
            let (request, presentation) = request_and_answer(&server, &wallet, &hospital).await;
            let results: Vec<Result<Value, ClientError>> = all_at_once((0..10).map(|_| {
                let client = server.client.clone();
                let (request, presentation) = (request.clone(), presentation.clone());
                async move { client.untyped().submit(&request, &presentation).await }
            }))
            .await;
            let verified: Vec<&Value> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
            assert_eq!(verified.len(), 1, "{results:?}");
            assert_eq!(verified[0]["valid"], true, "{}", verified[0]);
            for refused in results.iter().filter_map(|r| r.as_ref().err()) {
                assert_eq!(
                    (refused.status, refused.code.as_str()),
                    (Some(409), "nonce_used"),
                    "{refused}"
                );
            }
            assert_eq!(verifications_of(&server, &request.nonce).await, 1);
            assert_eq!(server.count("verifications").await.unwrap(), 21);
            server.stop().await.unwrap();
        })
        .await;
    }
}

ecert_sample::on_each_backend! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_and_spent_nonces_survive_a_restart(backend) {
        within(60, async {
            let server = Server::with_country_on(&backend).await.unwrap();
            let wallet = wallet_with_id_card(&server).await;
            let hospital = server.verifier(HOSPITAL);
            let (answered_request, answered) = request_and_answer(&server, &wallet, &hospital).await;
            let (open_request, open) = request_and_answer(&server, &wallet, &hospital).await;
            let result = server
                .client
                .untyped()
                .submit(&answered_request, &answered)
                .await
                .unwrap();
            assert_eq!(result["valid"], true, "{result}");

            // The new process knows the requests only from the database.
            let server = server.restart().await.unwrap();
            let result = server
                .client
                .untyped()
                .submit(&open_request, &open)
                .await
                .unwrap();
            assert_eq!(
                result["valid"], true,
                "a request made before the restart: {result}"
            );
            for (request, presentation) in [(&answered_request, &answered), (&open_request, &open)] {
                let refused = server
                    .client
                    .untyped()
                    .submit(request, presentation)
                    .await
                    .unwrap_err();
                assert_eq!(
                    (refused.status, refused.code.as_str()),
                    (Some(409), "nonce_used"),
                    "{refused}"
                );
            }
            assert_eq!(verifications_of(&server, &answered_request.nonce).await, 1);
            assert_eq!(verifications_of(&server, &open_request.nonce).await, 1);
            assert_eq!(server.count("verifications").await.unwrap(), 2);
            server.stop().await.unwrap();
        })
        .await;
    }
}
