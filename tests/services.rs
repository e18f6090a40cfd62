//! The services over HTTP: a real server on loopback, a real SQLite database in a temporary directory,
//! real tokens, and the holder library answering requests fetched from the verifier.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

mod service_support;

use ecert::client::Client;
use ecert_credential::{Catalogue, Certificate, PresentationRequest, RegistryView};
use ecert_holder::Wallet;
use serde_json::{Value, json};
use service_support::Server;

async fn issue(server: &Server, issuer: &str, type_id: &str, attributes: Value, key: &str) -> Certificate {
    let (status, answer) = server
        .issuer(issuer)
        .issue(issuer, key, &ecert::sample::issue_body(type_id, attributes))
        .await
        .unwrap();
    assert_eq!(status, 201);
    Certificate::from_json(&answer["certificate"].to_string()).unwrap()
}

async fn registry(server: &Server) -> (RegistryView, Catalogue) {
    let (view, catalogue, _) = server.client.registry_state(&server.registry_key).await.unwrap();
    (view, catalogue)
}

/// The holder fetches the request from the verifier, consents and answers; returns the result.
async fn answer(server: &Server, wallet: &Wallet, request: &PresentationRequest) -> Value {
    let (view, catalogue) = registry(server).await;
    let fetched = server
        .client
        .fetch_request(&request.verifier, &request.nonce)
        .await
        .unwrap();
    assert_eq!(&fetched, request);
    let now = ecert::app::now();
    let consent = wallet.prepare(&fetched, &view, &catalogue, now).unwrap();
    let presentation = wallet
        .present(&mut rand::rngs::OsRng, &fetched, &consent, &view, &catalogue)
        .unwrap();
    server.client.submit(&fetched, &presentation).await.unwrap()
}

fn licence_items() -> Value {
    json!([{"id": "licence", "types": ["cn.driving-licence/1"], "disclose": ["licence_class"],
            "claims": ["age_over_18"]}])
}

#[tokio::test]
async fn whole_flow_over_http() {
    let server = Server::with_country().await;
    let mut wallet = Wallet::new();
    wallet.add(
        issue(
            &server,
            "110000-psb",
            "cn.resident-id-card/1",
            ecert::sample::id_card(),
            "id-1",
        )
        .await,
    );
    let licence = issue(
        &server,
        "440000-traffic",
        "cn.driving-licence/1",
        ecert::sample::driving_licence(),
        "dl-1",
    )
    .await;
    wallet.add(licence.clone());

    // A car-rental desk in Beijing checks a Guangdong licence: licence class and adulthood, nothing else.
    let desk = server.verifier("110105-car-rental");
    let request = desk
        .create_request("110105-car-rental", "rent-a-car", &licence_items())
        .await
        .unwrap();
    let result = answer(&server, &wallet, &request).await;
    assert_eq!(result["valid"], true, "{result}");
    let item = &result["items"][0];
    assert_eq!(item["issuer"], "440000-traffic");
    assert_eq!(item["disclosed"], json!({"licence_class": "C1"}));
    assert_eq!(item["claims"], json!({"age_over_18": true}));
    assert!(!result.to_string().contains("1990-03-07") && !result.to_string().contains("110105199003078882"));

    // The same presentation again: the nonce is spent.
    let (view, catalogue) = registry(&server).await;
    let consent = wallet.prepare(&request, &view, &catalogue, ecert::app::now());
    assert!(consent.is_ok(), "the wallet itself does not track nonces");
    let replay = server
        .client
        .submit(
            &request,
            &wallet
                .present(
                    &mut rand::rngs::OsRng,
                    &request,
                    &consent.unwrap(),
                    &view,
                    &catalogue,
                )
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!((replay.status, replay.code.as_str()), (Some(409), "nonce_used"));

    // A hospital in Guangdong checks a Beijing ID card's residence region: mutual recognition.
    let hospital = server.verifier("440106-hospital");
    let request = hospital
        .create_request(
            "440106-hospital",
            "cross-region-care",
            &json!([{"id": "id", "types": ["cn.resident-id-card/1"], "disclose": ["residence_region"]}]),
        )
        .await
        .unwrap();
    let result = answer(&server, &wallet, &request).await;
    assert_eq!(result["valid"], true, "{result}");
    assert_eq!(
        result["items"][0]["disclosed"],
        json!({"residence_region": "110105"})
    );

    // The traffic police revoke the licence: the next presentation fails, on the signed status list.
    let police = server.issuer("440000-traffic");
    police
        .post(
            &format!(
                "/v1/issuers/440000-traffic/certificates/{}/revoke",
                licence.serial
            ),
            &json!({"reason": "licence withdrawn"}),
        )
        .await
        .unwrap();
    let list = server
        .client
        .status_list("440000-traffic", &licence.status.list)
        .await
        .unwrap();
    assert!(list.version >= 2);
    let request = desk
        .create_request("110105-car-rental", "rent-a-car", &licence_items())
        .await
        .unwrap();
    let result = answer(&server, &wallet, &request).await;
    assert_eq!(result["valid"], false, "{result}");
    assert_eq!(result["failure"]["code"], "revoked", "{result}");

    // The audit records name what was disclosed and hold no value.
    let audit = server.regulator().get("/v1/audit/verifications").await.unwrap();
    let records = audit["verifications"].as_array().unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["items"][0]["disclosed"], json!(["licence_class"]));
    assert_eq!(records[2]["outcome"], "revoked");
    assert!(!audit.to_string().contains("C1") && !audit.to_string().contains("110105\""));
    let own = desk
        .get("/v1/verifiers/110105-car-rental/verifications")
        .await
        .unwrap();
    assert_eq!(own["verifications"].as_array().unwrap().len(), 2);
    server.stop().await;
}

#[tokio::test]
async fn tree_heads_and_proofs() {
    let server = Server::with_country().await;
    let head = server.client.get("/v1/registry/log/tree-head").await.unwrap();
    let size = head["size"].as_u64().unwrap();
    assert!(size > 10);
    let heads = server.client.get("/v1/registry/log/tree-heads").await.unwrap();
    assert_eq!(heads["tree_heads"].as_array().unwrap().len() as u64, size);
    let proof = server
        .client
        .get(&format!(
            "/v1/registry/log/inclusion-proof?leaf_index=3&tree_size={size}"
        ))
        .await
        .unwrap();
    assert_eq!(proof["leaf_index"], 3);
    let consistency = server
        .client
        .get(&format!(
            "/v1/registry/log/consistency-proof?old_size=5&new_size={size}"
        ))
        .await
        .unwrap();
    assert!(!consistency["hashes"].as_array().unwrap().is_empty());
    let snapshot: ecert_registry::Snapshot =
        serde_json::from_value(server.client.get("/v1/registry/snapshot").await.unwrap()).unwrap();
    snapshot.verify(&server.registry_key).unwrap();
    let bad = server
        .client
        .get("/v1/registry/log/inclusion-proof?leaf_index=99999")
        .await
        .unwrap_err();
    assert_eq!(
        (bad.status, bad.code.as_str()),
        (Some(400), "invalid_proof_request")
    );
    server.stop().await;
}

/// Every write refused for want of the right token changes nothing.
#[tokio::test]
async fn access_control() {
    let server = Server::with_country().await;
    let entries = server.count("registry_entries").await;
    let certificates = server.count("certificates").await;
    let body = ecert::sample::issue_body("cn.resident-id-card/1", ecert::sample::id_card());
    let issue_path = "/v1/issuers/110000-psb/certificates";
    let now = ecert::app::now();
    let admin_token = server.token(ecert::auth::AccessRole::RegistryAdmin, None);
    let expired = server
        .platform
        .mint(
            "x",
            ecert::auth::AccessRole::Issuer,
            Some("110000-psb"),
            now - 7200,
            60,
        )
        .unwrap();
    let tampered = {
        let token = server.token(ecert::auth::AccessRole::Issuer, Some("110000-psb"));
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut signature = ecert_credential::decode_b64(&parts[2]).unwrap();
        signature[0] ^= 1;
        parts[2] = ecert_credential::encode_b64(&signature);
        parts.join(".")
    };
    let alg_none = {
        let header = ecert_credential::encode_b64(br#"{"alg":"none","typ":"JWT"}"#);
        let claims = ecert_credential::encode_b64(
            json!({"iss": "ecert-platform", "sub": "x", "role": "issuer", "scope": "110000-psb",
                   "iat": now, "exp": now + 600})
            .to_string()
            .as_bytes(),
        );
        format!("{header}.{claims}.")
    };
    let other_platform = {
        let dir = tempfile::tempdir().unwrap();
        let key = ecert::auth::PlatformKey::create(dir.path()).unwrap();
        key.mint("x", ecert::auth::AccessRole::Issuer, Some("110000-psb"), now, 600)
            .unwrap()
    };
    let cases: Vec<(Client, u16, &str)> = vec![
        (server.client.clone(), 401, "missing_token"),
        (server.client.with_token(&expired), 401, "token_expired"),
        (server.client.with_token(&tampered), 401, "invalid_token"),
        (server.client.with_token(&alg_none), 401, "invalid_token"),
        (server.client.with_token(&other_platform), 401, "invalid_token"),
        (server.client.with_token("not a jwt"), 401, "invalid_token"),
        (server.client.with_token(&admin_token), 403, "wrong_role"),
        (server.verifier("110105-car-rental"), 403, "wrong_role"),
        (server.issuer("440000-psb"), 403, "out_of_scope"),
    ];
    for (client, status, code) in &cases {
        let error = client
            .call(
                reqwest::Method::POST,
                issue_path,
                Some(&body),
                &[("Idempotency-Key", "a")],
            )
            .await
            .unwrap_err();
        assert_eq!(
            (error.status, error.code.as_str()),
            (Some(*status), *code),
            "{error}"
        );
    }
    // Registry writes need the registry administrator.
    for client in [
        server.issuer("110000-psb"),
        server.regulator(),
        server.client.clone(),
    ] {
        let error = client
            .post(
                "/v1/registry/issuers",
                &json!({"id": "999999-x", "name": "x", "region": "999999", "department": "x"}),
            )
            .await
            .unwrap_err();
        assert!(matches!(error.status, Some(401 | 403)), "{error}");
    }
    // A verifier cannot make requests for another verifier, nor read its records.
    let error = server
        .verifier("110108-employer")
        .create_request("110105-car-rental", "rent-a-car", &licence_items())
        .await
        .unwrap_err();
    assert_eq!(error.code, "out_of_scope");
    let error = server
        .verifier("110108-employer")
        .get("/v1/verifiers/110105-car-rental/verifications")
        .await;
    assert_eq!(error.unwrap_err().code, "out_of_scope");
    let error = server
        .issuer("110000-psb")
        .get("/v1/audit/verifications")
        .await
        .unwrap_err();
    assert_eq!(error.code, "wrong_role");
    // Reading the registry, the log and status lists needs no token.
    server.client.get("/v1/registry/issuers").await.unwrap();
    server.client.get("/v1/registry/log/entries").await.unwrap();
    assert_eq!(server.count("registry_entries").await, entries);
    assert_eq!(server.count("certificates").await, certificates);
    server.stop().await;
}
