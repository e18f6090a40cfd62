//! The services over HTTP: a real server on loopback, a real database (a SQLite file in a temporary
//! directory, and a database of its own in the PostgreSQL test cluster: each test runs on both), real
//! tokens, and the holder library answering requests fetched from the verifier.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use ecert_api::Client;
use ecert_credential::{Catalogue, Certificate, PresentationRequest, RegistryView};
use ecert_holder::Wallet;
use ecert_sample::Platform as Server;
use ecert_server::auth::AccessRole;
use serde_json::{Value, json};

async fn issue(server: &Server, issuer: &str, type_id: &str, attributes: Value, key: &str) -> Certificate {
    let (status, answer) = server
        .issuer(issuer)
        .untyped()
        .issue(
            issuer,
            key,
            &ecert_sample::country::issue_body(type_id, attributes),
        )
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
    let now = ecert_server::clock::now();
    let consent = wallet.prepare(&fetched, &view, &catalogue, now).unwrap();
    let presentation = wallet
        .present(&mut rand::rngs::OsRng, &fetched, &consent, &view, &catalogue)
        .unwrap();
    server
        .client
        .untyped()
        .submit(&fetched, &presentation)
        .await
        .unwrap()
}

fn licence_items() -> Value {
    json!([{"id": "licence", "types": ["cn.driving-licence/1"], "disclose": ["licence_class"],
            "claims": ["age_over_18"]}])
}

ecert_sample::on_each_backend! {
    #[tokio::test]
    async fn whole_flow_over_http(backend) {
        let server = Server::with_country_on(&backend).await.unwrap();
        let mut wallet = Wallet::new();
        wallet.add(
            issue(
                &server,
                "110000-psb",
                "cn.resident-id-card/1",
                ecert_sample::country::id_card(),
                "id-1",
            )
            .await,
        );
        let licence = issue(
            &server,
            "440000-traffic",
            "cn.driving-licence/1",
            ecert_sample::country::driving_licence(),
            "dl-1",
        )
        .await;
        wallet.add(licence.clone());

        // A car-rental desk in Beijing checks a Guangdong licence: licence class and adulthood, nothing else.
        let desk = server.verifier("110105-car-rental");
        let request = desk
            .untyped()
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
        let consent = wallet.prepare(&request, &view, &catalogue, ecert_server::clock::now());
        assert!(consent.is_ok(), "the wallet itself does not track nonces");
        let replay = server
            .client
            .untyped()
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
            .untyped()
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
            .untyped()
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
            .untyped()
            .create_request("110105-car-rental", "rent-a-car", &licence_items())
            .await
            .unwrap();
        let result = answer(&server, &wallet, &request).await;
        assert_eq!(result["valid"], false, "{result}");
        assert_eq!(result["failure"]["code"], "revoked", "{result}");

        // The audit records name what was disclosed and hold no value.
        let audit = server
            .regulator()
            .untyped()
            .get("/v1/audit/verifications")
            .await
            .unwrap();
        let records = audit["verifications"].as_array().unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(records[0]["items"][0]["disclosed"], json!(["licence_class"]));
        assert_eq!(records[2]["outcome"], "revoked");
        assert!(!audit.to_string().contains("C1") && !audit.to_string().contains("110105\""));
        let own = desk
            .untyped()
            .get("/v1/verifiers/110105-car-rental/verifications")
            .await
            .unwrap();
        assert_eq!(own["verifications"].as_array().unwrap().len(), 2);
        server.stop().await.unwrap();
    }
}

ecert_sample::on_each_backend! {
    #[tokio::test]
    async fn tree_heads_and_proofs(backend) {
        let server = Server::with_country_on(&backend).await.unwrap();
        let head = server
            .client
            .untyped()
            .get("/v1/registry/log/tree-head")
            .await
            .unwrap();
        let size = head["size"].as_u64().unwrap();
        assert!(size > 10);
        let heads = server
            .client
            .untyped()
            .get("/v1/registry/log/tree-heads")
            .await
            .unwrap();
        assert_eq!(heads["tree_heads"].as_array().unwrap().len() as u64, size);
        let proof = server
            .client
            .untyped()
            .get(&format!(
                "/v1/registry/log/inclusion-proof?leaf_index=3&tree_size={size}"
            ))
            .await
            .unwrap();
        assert_eq!(proof["leaf_index"], 3);
        let consistency = server
            .client
            .untyped()
            .get(&format!(
                "/v1/registry/log/consistency-proof?old_size=5&new_size={size}"
            ))
            .await
            .unwrap();
        assert!(!consistency["hashes"].as_array().unwrap().is_empty());
        let snapshot: ecert_registry::Snapshot = serde_json::from_value(
            server
                .client
                .untyped()
                .get("/v1/registry/snapshot")
                .await
                .unwrap(),
        )
        .unwrap();
        snapshot.verify(&server.registry_key).unwrap();
        let bad = server
            .client
            .untyped()
            .get("/v1/registry/log/inclusion-proof?leaf_index=99999")
            .await
            .unwrap_err();
        assert_eq!(
            (bad.status, bad.code.as_str()),
            (Some(400), "invalid_proof_request")
        );
        server.stop().await.unwrap();
    }
}

ecert_sample::on_each_backend! {
    /// Every write refused for want of the right token changes nothing.
    #[tokio::test]
    async fn access_control(backend) {
        let server = Server::with_country_on(&backend).await.unwrap();
        let entries = server.count("registry_entries").await.unwrap();
        let certificates = server.count("certificates").await.unwrap();
        let body = serde_json::to_value(ecert_sample::country::issue_body(
            "cn.resident-id-card/1",
            ecert_sample::country::id_card(),
        ))
        .unwrap();
        let issue_path = "/v1/issuers/110000-psb/certificates";
        let now = ecert_server::clock::now();
        let admin_token = server.token(ecert_server::auth::AccessRole::RegistryAdmin, None);
        let expired = server
            .platform
            .mint(
                "x",
                ecert_server::auth::AccessRole::Issuer,
                Some("110000-psb"),
                now - 7200,
                60,
            )
            .unwrap();
        let tampered = {
            let token = server.token(ecert_server::auth::AccessRole::Issuer, Some("110000-psb"));
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
            let key = ecert_server::auth::PlatformKey::create(dir.path()).unwrap();
            key.mint(
                "x",
                ecert_server::auth::AccessRole::Issuer,
                Some("110000-psb"),
                now,
                600,
            )
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
                .untyped()
                .call(
                    ecert_api::Method::Post,
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
        // The role and scope are checked before the body is read: a body that is not even JSON, sent by
        // someone not allowed, hears 403, not how the body is wrong.
        let not_json = [
            (
                "/v1/issuers/110000-psb/certificates",
                AccessRole::Issuer,
                Some("440000-psb"),
                "out_of_scope",
            ),
            (
                "/v1/issuers/110000-psb/certificates",
                AccessRole::Regulator,
                None,
                "wrong_role",
            ),
            (
                "/v1/registry/issuers",
                AccessRole::Issuer,
                Some("110000-psb"),
                "wrong_role",
            ),
            (
                "/v1/verifiers/110105-car-rental/requests",
                AccessRole::Verifier,
                Some("110108-employer"),
                "out_of_scope",
            ),
        ];
        let http = reqwest::Client::new();
        for (path, role, scope, code) in not_json {
            let response = http
                .post(format!("http://{}{path}", server.addr))
                .bearer_auth(server.token(role, scope))
                .header("content-type", "application/json")
                .header("idempotency-key", "k")
                .body("{not json")
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (403, Some(code)),
                "{path}: {body}"
            );
        }
        // Registry writes need the registry administrator.
        for client in [
            server.issuer("110000-psb"),
            server.regulator(),
            server.client.clone(),
        ] {
            let error = client
                .untyped()
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
            .untyped()
            .create_request("110105-car-rental", "rent-a-car", &licence_items())
            .await
            .unwrap_err();
        assert_eq!(error.code.as_str(), "out_of_scope");
        let error = server
            .verifier("110108-employer")
            .untyped()
            .get("/v1/verifiers/110105-car-rental/verifications")
            .await;
        assert_eq!(error.unwrap_err().code.as_str(), "out_of_scope");
        let error = server
            .issuer("110000-psb")
            .untyped()
            .get("/v1/audit/verifications")
            .await
            .unwrap_err();
        assert_eq!(error.code.as_str(), "wrong_role");
        // Reading the registry, the log and status lists needs no token.
        server.client.untyped().get("/v1/registry/issuers").await.unwrap();
        server
            .client
            .untyped()
            .get("/v1/registry/log/entries")
            .await
            .unwrap();
        assert_eq!(server.count("registry_entries").await.unwrap(), entries);
        assert_eq!(server.count("certificates").await.unwrap(), certificates);
        server.stop().await.unwrap();
    }
}

/// Every table's row count, to show that a refused request stored nothing.
async fn all_counts(server: &Server) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "registry_entries",
        "tree_heads",
        "issuer_keys",
        "certificates",
        "certificate_events",
        "status_lists",
        "objections",
        "objection_events",
        "presentation_requests",
        "verifications",
    ] {
        counts.push(server.count(table).await.unwrap());
    }
    counts
}

ecert_sample::on_each_backend! {
    #[tokio::test]
    async fn bad_input_gets_a_clear_4xx_and_stores_nothing(backend) {
        let server = Server::start_with_on(&backend, |config| config.max_body_bytes = 16 * 1024)
            .await
            .unwrap();
        ecert_sample::country::set_up(&server.client, &server.platform)
            .await
            .unwrap();
        let psb = server.issuer("110000-psb");
        let desk = server.verifier("110105-car-rental");
        // One answered request, for the replay case.
        let mut wallet = Wallet::new();
        wallet.add(
            issue(
                &server,
                "440000-traffic",
                "cn.driving-licence/1",
                ecert_sample::country::driving_licence(),
                "k",
            )
            .await,
        );
        let answered = desk
            .untyped()
            .create_request("110105-car-rental", "rent-a-car", &licence_items())
            .await
            .unwrap();
        assert_eq!(answer(&server, &wallet, &answered).await["valid"], true);
        let (view, catalogue) = registry(&server).await;
        let consent = wallet
            .prepare(&answered, &view, &catalogue, ecert_server::clock::now())
            .unwrap();
        let stale = wallet
            .present(&mut rand::rngs::OsRng, &answered, &consent, &view, &catalogue)
            .unwrap();
        let short = desk
            .untyped()
            .post(
                "/v1/verifiers/110105-car-rental/requests",
                &json!({"purpose": "rent-a-car", "items": licence_items(), "ttl_secs": 1}),
            )
            .await
            .unwrap();
        let short: PresentationRequest = serde_json::from_value(short).unwrap();
        let before = all_counts(&server).await;

        let http = reqwest::Client::new();
        let base = server.client.base().to_owned();
        let issue_url = format!("{base}/v1/issuers/110000-psb/certificates");
        let token = server.token(ecert_server::auth::AccessRole::Issuer, Some("110000-psb"));
        let raw = |body: String, content_type: &'static str| {
            http.post(&issue_url)
                .bearer_auth(&token)
                .header("content-type", content_type)
                .header("idempotency-key", "bad-1")
                .body(body)
                .send()
        };
        let mut cases: Vec<(reqwest::Response, u16, &str)> = vec![
            (
                raw("{\"type\": ".into(), "application/json").await.unwrap(),
                400,
                "malformed_json",
            ),
            (
                raw("{\"type\": 5}".into(), "application/json").await.unwrap(),
                400,
                "invalid_body",
            ),
            (
                raw("[]".into(), "application/json").await.unwrap(),
                400,
                "invalid_body",
            ),
            (
                raw("{}".into(), "text/plain").await.unwrap(),
                415,
                "unsupported_media_type",
            ),
            (
                raw(
                    format!("{{\"type\": \"{}\"}}", "x".repeat(20_000)),
                    "application/json",
                )
                .await
                .unwrap(),
                413,
                "body_too_large",
            ),
            (
                http.get(format!("{base}/v1/registry/log/inclusion-proof?leaf_index=x"))
                    .send()
                    .await
                    .unwrap(),
                400,
                "invalid_query",
            ),
            (
                http.get(format!("{base}/v1/nothing/here")).send().await.unwrap(),
                404,
                "not_found",
            ),
            (
                http.put(format!("{base}/v1/registry/issuers"))
                    .send()
                    .await
                    .unwrap(),
                405,
                "method_not_allowed",
            ),
        ];
        let expect = |result: Result<Value, ecert_api::ClientError>, status: u16, code: &str| {
            let error = result.unwrap_err();
            assert_eq!(
                (error.status, error.code.as_str()),
                (Some(status), code),
                "{error}"
            );
        };
        let id_card = serde_json::to_value(ecert_sample::country::issue_body(
            "cn.resident-id-card/1",
            ecert_sample::country::id_card(),
        ))
        .unwrap();
        let mut wrong_value = ecert_sample::country::id_card();
        wrong_value["birth_date"] = json!("1990-02-30");
        let mut extra = ecert_sample::country::id_card();
        extra["favourite_colour"] = json!("blue");
        for (body, code) in [
            (
                ecert_sample::country::issue_body("cn.resident-id-card/1", wrong_value),
                "invalid_attributes",
            ),
            (
                ecert_sample::country::issue_body("cn.resident-id-card/1", extra),
                "invalid_attributes",
            ),
            (
                ecert_sample::country::issue_body("cn.no-such-type/1", json!({})),
                "unknown_type",
            ),
            (
                ecert_sample::country::issue_body(
                    "cn.driving-licence/1",
                    ecert_sample::country::driving_licence(),
                ),
                "not_authorised_for_type",
            ),
        ] {
            let status = if code == "not_authorised_for_type" {
                403
            } else {
                400
            };
            expect(
                psb.untyped()
                    .issue("110000-psb", "bad-2", &body)
                    .await
                    .map(|(_, v)| v),
                status,
                code,
            );
        }
        expect(
            psb.untyped()
                .call(
                    ecert_api::Method::Post,
                    "/v1/issuers/110000-psb/certificates",
                    Some(&id_card),
                    &[],
                )
                .await
                .map(|(_, v)| v),
            400,
            "missing_idempotency_key",
        );
        let stranger = server.issuer("999999-nobody");
        expect(
            stranger
                .untyped()
                .issue("999999-nobody", "bad-3", &id_card)
                .await
                .map(|(_, v)| v),
            404,
            "not_found",
        );
        expect(
            psb.untyped()
                .post(
                    "/v1/issuers/110000-psb/certificates/no-such-serial/revoke",
                    &json!({}),
                )
                .await,
            404,
            "not_found",
        );
        expect(
            server
                .client
                .untyped()
                .get("/v1/issuers/110000-psb/status-lists/sl-99")
                .await,
            404,
            "not_found",
        );
        expect(
            server
                .client
                .untyped()
                .get("/v1/registry/issuers/999999-nobody")
                .await,
            404,
            "not_found",
        );
        expect(
            server
                .client
                .untyped()
                .get("/v1/verifiers/110105-car-rental/requests/AAAA")
                .await,
            404,
            "not_found",
        );
        expect(
            desk.untyped()
                .post(
                    "/v1/verifiers/110105-car-rental/requests",
                    &json!({"purpose": "rent-a-car", "items": [{"id": "x", "types": ["cn.driving-licence/1"],
                        "disclose": ["birth_date"]}]}),
                )
                .await,
            403,
            "over_asking",
        );
        expect(
            desk.untyped()
                .post(
                    "/v1/verifiers/110105-car-rental/requests",
                    &json!({"purpose": "gossip", "items": licence_items()}),
                )
                .await,
            400,
            "unknown_purpose",
        );
        expect(
            server.client.untyped().submit(&answered, &stale).await,
            409,
            "nonce_used",
        );
        expect(
            server
                .client
                .untyped()
                .post(
                    &format!(
                        "/v1/verifiers/110105-car-rental/requests/{}/presentation",
                        short.nonce
                    ),
                    &json!({"format": "nonsense"}),
                )
                .await,
            400,
            "invalid_presentation",
        );
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        expect(
            server.client.untyped().submit(&short, &stale).await,
            410,
            "request_expired",
        );
        let admin = server.admin();
        expect(
            admin
                .untyped()
                .post(
                    "/v1/registry/issuers/110000-psb/keys/k1/status",
                    &json!({"status": "bogus"}),
                )
                .await,
            400,
            "invalid_body",
        );
        expect(
            admin.untyped().post(
                "/v1/registry/issuers/110000-psb/keys",
                &json!({"key_id": "k9", "public_key": "AAAA", "not_before": "2020-01-01", "not_after": "2030-01-01"}),
            )
            .await,
            400,
            "invalid_public_key",
        );
        expect(
            admin
                .untyped()
                .post(
                    "/v1/registry/issuers",
                    &json!({"id": "110000-psb", "name": "again", "region": "110000",
                                                       "department": "again"}),
                )
                .await,
            409,
            "rule_violation",
        );
        expect(
            admin
                .untyped()
                .post("/v1/registry/types", &json!({"id": "not a schema"}))
                .await,
            400,
            "invalid_schema",
        );
        for (response, status, code) in cases.drain(..) {
            assert_eq!(response.status().as_u16(), status, "{code}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], code);
        }
        assert_eq!(
            all_counts(&server).await,
            before,
            "a refused request stored something"
        );
        server.stop().await.unwrap();
    }
}

ecert_sample::on_each_backend! {
    #[tokio::test]
    async fn suspend_reinstate_revoke(backend) {
        let server = Server::with_country_on(&backend).await.unwrap();
        let licence = issue(
            &server,
            "440000-traffic",
            "cn.driving-licence/1",
            ecert_sample::country::driving_licence(),
            "s",
        )
        .await;
        let mut wallet = Wallet::new();
        wallet.add(licence.clone());
        let police = server.issuer("440000-traffic");
        let desk = server.verifier("110105-car-rental");
        let path = |action: &str| {
            format!(
                "/v1/issuers/440000-traffic/certificates/{}/{action}",
                licence.serial
            )
        };
        let outcome = |result: Value| -> String {
            if result["valid"] == true {
                "valid".into()
            } else {
                result["failure"]["code"].as_str().unwrap().to_owned()
            }
        };
        for (action, expected) in [
            ("suspend", "suspended"),
            ("reinstate", "valid"),
            ("revoke", "revoked"),
        ] {
            police
                .untyped()
                .post(&path(action), &json!({"reason": "test"}))
                .await
                .unwrap();
            let request = desk
                .untyped()
                .create_request("110105-car-rental", "rent-a-car", &licence_items())
                .await
                .unwrap();
            assert_eq!(
                outcome(answer(&server, &wallet, &request).await),
                expected,
                "after {action}"
            );
        }
        let error = police
            .untyped()
            .post(&path("reinstate"), &json!({}))
            .await
            .unwrap_err();
        assert_eq!(
            (error.status, error.code.as_str()),
            (Some(409), "invalid_transition")
        );
        let record = police
            .untyped()
            .get(&format!(
                "/v1/issuers/440000-traffic/certificates/{}",
                licence.serial
            ))
            .await
            .unwrap();
        assert_eq!(record["status"], "revoked");
        let actions: Vec<&str> = record["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["issued", "suspended", "reinstated", "revoked"]);
        let list = server
            .client
            .status_list("440000-traffic", &licence.status.list)
            .await
            .unwrap();
        let (view, _) = registry(&server).await;
        let checked = list.verify_in(&view).unwrap();
        assert_eq!(
            checked.status(licence.status.index),
            Some(ecert_credential::CertificateStatus::Revoked)
        );
        server.stop().await.unwrap();
    }
}

ecert_sample::on_each_backend! {
    #[tokio::test]
    async fn objection_corrects_reissues_and_revokes(backend) {
        let server = Server::with_country_on(&backend).await.unwrap();
        let mut attributes = ecert_sample::country::id_card();
        attributes["address"] = json!("1 Wrong Street, Chaoyang, Beijing");
        let wrong = issue(&server, "110000-psb", "cn.resident-id-card/1", attributes, "o").await;
        let certificate: Value = serde_json::from_str(&wrong.to_json()).unwrap();
        let corrections = json!({"address": "1 Jianguomen Outer St, Chaoyang, Beijing"});

        // A forged copy (another address) is not the issuer's certificate.
        let mut forged = certificate.clone();
        forged["attributes"]["address"] = json!("2 Other Street");
        let error = server
            .client
            .untyped()
            .post(
                "/v1/issuers/110000-psb/objections",
                &json!({"certificate": forged, "statement": "x", "corrections": corrections}),
            )
            .await
            .unwrap_err();
        assert_eq!(error.code.as_str(), "invalid_certificate");
        let error = server
            .client
            .untyped()
            .post(
                "/v1/issuers/110000-psb/objections",
                &json!({"certificate": certificate, "statement": "x", "corrections": {"eye_colour": "brown"}}),
            )
            .await
            .unwrap_err();
        assert_eq!(error.code.as_str(), "invalid_attributes");

        let filed = server
            .client
            .untyped().post(
                "/v1/issuers/110000-psb/objections",
                &json!({"certificate": certificate, "statement": "My address is wrong", "corrections": corrections}),
            )
            .await
            .unwrap();
        let id = filed["id"].as_str().unwrap();
        let psb = server.issuer("110000-psb");
        let listed = psb
            .untyped()
            .get("/v1/issuers/110000-psb/objections")
            .await
            .unwrap();
        assert_eq!(listed["objections"][0]["state"], "filed");
        let reviewed = psb
            .untyped()
            .post(
                &format!("/v1/issuers/110000-psb/objections/{id}/review"),
                &json!({"decision": "accept", "note": "checked against the household register"}),
            )
            .await
            .unwrap();
        assert_eq!(reviewed["state"], "resolved");
        let actions: Vec<&str> = reviewed["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["filed", "accepted", "reissued", "old_certificate_revoked"]
        );

        // The holder collects the replacement with the objection id.
        let view = server
            .client
            .untyped()
            .get(&format!("/v1/issuers/110000-psb/objections/{id}"))
            .await
            .unwrap();
        let replacement = Certificate::from_json(&view["replacement"].to_string()).unwrap();
        assert_eq!(replacement.attributes["address"], corrections["address"]);
        assert_ne!(replacement.serial, wrong.serial);
        assert_ne!(replacement.status, wrong.status);
        let old = psb
            .untyped()
            .get(&format!("/v1/issuers/110000-psb/certificates/{}", wrong.serial))
            .await
            .unwrap();
        assert_eq!(old["status"], "revoked");
        let error = psb
            .untyped()
            .post(
                &format!("/v1/issuers/110000-psb/objections/{id}/review"),
                &json!({"decision": "reject", "note": "n"}),
            )
            .await
            .unwrap_err();
        assert_eq!(error.code.as_str(), "objection_closed");

        // The replacement works at a verifier; the old certificate does not.
        let hospital = server.verifier("440106-hospital");
        let items = json!([{"id": "id", "types": ["cn.resident-id-card/1"], "disclose": ["residence_region"]}]);
        for (certificate, valid) in [(replacement, true), (wrong, false)] {
            let mut wallet = Wallet::new();
            wallet.add(certificate);
            let request = hospital
                .untyped()
                .create_request("440106-hospital", "cross-region-care", &items)
                .await
                .unwrap();
            assert_eq!(answer(&server, &wallet, &request).await["valid"], valid);
        }
        let events = server
            .regulator()
            .untyped()
            .get("/v1/audit/objection-events")
            .await
            .unwrap();
        assert_eq!(events["events"].as_array().unwrap().len(), 4);
        let certificate_events = server
            .regulator()
            .untyped()
            .get("/v1/audit/certificate-events?issuer=110000-psb")
            .await
            .unwrap();
        assert_eq!(
            certificate_events["events"].as_array().unwrap().len(),
            3,
            "issued, issued, revoked"
        );
        server.stop().await.unwrap();
    }
}

ecert_sample::on_each_backend! {
    #[tokio::test]
    async fn a_region_runs_only_its_issuer(backend) {
        let server = Server::start_with_on(&backend, |config| config.roles = "issuer".parse().unwrap())
            .await
            .unwrap();
        let error = server
            .client
            .untyped()
            .get("/v1/registry/issuers")
            .await
            .unwrap_err();
        assert_eq!((error.status, error.code.as_str()), (Some(404), "not_found"));
        let key = server
            .issuer("110000-psb")
            .untyped()
            .post("/v1/issuers/110000-psb/keys", &json!({"key_id": "k1"}))
            .await
            .unwrap();
        assert!(key["public_key"].as_str().unwrap().len() > 100);
        assert!(!key.to_string().contains("secret"));
        // Without a registry in the process, the built-in catalogue checks what is issued.
        let (status, issued) = server
            .issuer("110000-psb")
            .untyped()
            .issue(
                "110000-psb",
                "r",
                &ecert_sample::country::issue_body("cn.resident-id-card/1", ecert_sample::country::id_card()),
            )
            .await
            .unwrap();
        assert_eq!(status, 201);
        assert_eq!(issued["status"]["index"], 0);
        server.stop().await.unwrap();

        let dir = tempfile::tempdir().unwrap();
        ecert_server::data_dir::init(dir.path(), None).await.unwrap();
        // The configuration `init` writes holds the defaults.
        let written = ecert_server::Config::load(dir.path(), None).unwrap();
        assert_eq!(written.listen, ecert_server::Config::default().listen);
        assert!(
            ecert_server::data_dir::init(dir.path(), None).await.is_err(),
            "init never overwrites"
        );
        let config = ecert_server::Config {
            data_dir: dir.path().to_path_buf(),
            roles: "verifier".parse().unwrap(),
            ..ecert_server::Config::default()
        };
        let error = ecert_server::Node::open(config, None).await.unwrap_err();
        assert!(error.contains("registry"), "{error}");
    }
}

ecert_sample::on_each_backend! {
    #[tokio::test]
    async fn key_rotation_keeps_old_certificates_valid(backend) {
        let server = Server::with_country_on(&backend).await.unwrap();
        let police = server.issuer("440000-traffic");
        let old = issue(
            &server,
            "440000-traffic",
            "cn.driving-licence/1",
            ecert_sample::country::driving_licence(),
            "r1",
        )
        .await;
        let k2 = police
            .untyped()
            .post("/v1/issuers/440000-traffic/keys", &json!({"key_id": "k2"}))
            .await
            .unwrap();
        // Not yet published: the department keeps signing with k1.
        let before = issue(
            &server,
            "440000-traffic",
            "cn.driving-licence/1",
            ecert_sample::country::driving_licence(),
            "r2",
        )
        .await;
        assert_eq!(before.key_id, "k1");
        let admin = server.admin();
        admin
            .untyped().post(
                "/v1/registry/issuers/440000-traffic/keys",
                &json!({"key_id": "k2", "public_key": k2["public_key"], "not_before": ecert_sample::country::today(),
                        "not_after": ecert_sample::country::LAST_DAY}),
            )
            .await
            .unwrap();
        admin
            .untyped()
            .post(
                "/v1/registry/issuers/440000-traffic/keys/k1/status",
                &json!({"status": "retired"}),
            )
            .await
            .unwrap();
        let new = issue(
            &server,
            "440000-traffic",
            "cn.driving-licence/1",
            ecert_sample::country::driving_licence(),
            "r3",
        )
        .await;
        assert_eq!(new.key_id, "k2");
        // A status change re-signs the list with k2; both certificates still verify.
        police
            .untyped()
            .post(
                &format!(
                    "/v1/issuers/440000-traffic/certificates/{}/suspend",
                    before.serial
                ),
                &json!({}),
            )
            .await
            .unwrap();
        let list = server
            .client
            .status_list("440000-traffic", &old.status.list)
            .await
            .unwrap();
        assert_eq!(list.key_id, "k2");
        let desk = server.verifier("110105-car-rental");
        for certificate in [old, new] {
            let mut wallet = Wallet::new();
            wallet.add(certificate);
            let request = desk
                .untyped()
                .create_request("110105-car-rental", "rent-a-car", &licence_items())
                .await
                .unwrap();
            assert_eq!(answer(&server, &wallet, &request).await["valid"], true);
        }
        server.stop().await.unwrap();
    }
}
