//! The HTTP contract (specs/openapi.yaml) against the code, both ways:
//!
//! - the spec's operations (method, path, `operationId`) are exactly ecert-api's operation table;
//! - a node hosting every role serves exactly those operations, and each one, called on the real router,
//!   reaches its handler rather than the fallback;
//! - the spec's table of error codes (`x-error-codes`) is exactly ecert-api's `ErrorCode`, statuses
//!   included, and every code a response lists is in the table and listed under its own status.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, header};
use ecert_api::{ErrorBody, ErrorCode, Method, operation};
use ecert_server::{Config, Node};
use serde_json::Value;
use tower::ServiceExt;

fn spec() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/openapi.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("specs/openapi.yaml: {e}"))
}

/// (METHOD, path) → operationId, from the spec's `paths`.
fn spec_operations(spec: &Value) -> BTreeMap<(String, String), String> {
    let mut operations = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (key, operation) in item.as_object().expect("a path item") {
            if key == "parameters" {
                continue;
            }
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{key} {path} has no operationId"));
            let method = key.to_uppercase();
            assert!(
                operations
                    .insert((method.clone(), path.clone()), id.to_owned())
                    .is_none(),
                "{method} {path} twice"
            );
        }
    }
    operations
}

fn table_operations() -> BTreeMap<(String, String), String> {
    operation::ALL
        .iter()
        .map(|op| {
            (
                (op.method.as_str().to_owned(), op.path.to_owned()),
                op.id.to_owned(),
            )
        })
        .collect()
}

fn show(differences: &[(&(String, String), &String)]) -> String {
    differences
        .iter()
        .map(|((method, path), id)| format!("\n  {method} {path} ({id})"))
        .collect()
}

#[test]
fn the_spec_lists_exactly_the_operations_of_the_api_table() {
    let spec = spec_operations(&spec());
    let table = table_operations();
    let only_spec: Vec<_> = spec.iter().filter(|(k, v)| table.get(*k) != Some(*v)).collect();
    let only_table: Vec<_> = table.iter().filter(|(k, v)| spec.get(*k) != Some(*v)).collect();
    assert!(
        only_spec.is_empty() && only_table.is_empty(),
        "specs/openapi.yaml and ecert-api's operation table disagree.\nIn the spec only:{}\nIn the table \
         only:{}",
        show(&only_spec),
        show(&only_table)
    );
    let ids: BTreeSet<&String> = spec.values().collect();
    assert_eq!(ids.len(), spec.len(), "an operationId is used twice");
}

async fn node_with_every_role() -> (tempfile::TempDir, Node) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ecert_server::data_dir::init(&data_dir, None).await.unwrap();
    let config = Config {
        data_dir,
        ..Config::default()
    };
    let node = Node::open(config, None).await.unwrap();
    (dir, node)
}

#[tokio::test]
async fn a_node_with_every_role_routes_exactly_the_spec_operations() {
    let (_dir, node) = node_with_every_role().await;
    let routed: BTreeSet<(String, String)> = node
        .operations()
        .iter()
        .map(|op| (op.method.as_str().to_owned(), op.path.to_owned()))
        .collect();
    let spec: BTreeSet<(String, String)> = spec_operations(&spec()).into_keys().collect();
    assert_eq!(routed, spec, "the node's routers and specs/openapi.yaml disagree");

    // Each operation, called on the real router with placeholder parameters, reaches a handler: it may
    // refuse (no token, no such issuer, a body it does not take) but never as a path nobody routes.
    let app = node.app();
    for op in operation::ALL {
        let params: Vec<&str> = op.parameters().iter().map(|_| "x").collect();
        let request = Request::builder()
            .method(op.method.as_str())
            .uri(op.path_with(&params))
            .header(header::CONTENT_TYPE, "application/json");
        let request = match op.method {
            Method::Post => request.body(Body::from("{}")),
            _ => request.body(Body::empty()),
        }
        .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        if let Ok(error) = serde_json::from_slice::<ErrorBody>(&bytes) {
            assert_ne!(
                error.error.code,
                ErrorCode::MethodNotAllowed.as_str(),
                "{} {}: not routed for its method",
                op.method,
                op.path
            );
            assert_ne!(
                error.error.message,
                ecert_server::error::NO_ROUTE_MESSAGE,
                "{} {}: not routed",
                op.method,
                op.path
            );
            assert_eq!(
                Some(status.as_u16()),
                error.error.code.parse::<ErrorCode>().ok().map(ErrorCode::status),
                "{} {}: {} answered with a status not its own",
                op.method,
                op.path,
                error.error.code
            );
        }
    }
    node.close().await;
}

/// The spec's top-level `x-error-codes` table: code → status.
fn spec_error_table(spec: &Value) -> BTreeMap<String, u16> {
    let mut table = BTreeMap::new();
    for row in spec["x-error-codes"].as_array().expect("x-error-codes") {
        let code = row["code"].as_str().expect("a code").to_owned();
        let status = u16::try_from(row["status"].as_u64().expect("a status")).unwrap();
        assert!(
            table.insert(code.clone(), status).is_none(),
            "{code} listed twice"
        );
    }
    table
}

/// Every `responses` map of the spec (operations' and the shared ones), with where it is.
fn responses(spec: &Value) -> Vec<(String, &serde_json::Map<String, Value>)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if let Some(responses) = operation["responses"].as_object() {
                found.push((format!("{method} {path}"), responses));
            }
        }
    }
    if let Some(shared) = spec["components"]["responses"].as_object() {
        found.push(("components.responses".into(), shared));
    }
    found
}

#[test]
fn the_error_codes_of_the_api_and_the_spec_agree() {
    let spec = spec();
    let table = spec_error_table(&spec);
    let code: BTreeMap<String, u16> = ErrorCode::ALL
        .iter()
        .map(|code| (code.as_str().to_owned(), code.status()))
        .collect();
    assert_eq!(
        table, code,
        "specs/openapi.yaml's x-error-codes and ecert-api's ErrorCode disagree"
    );

    let mut problems = Vec::new();
    for (place, responses) in responses(&spec) {
        for (key, response) in responses {
            let Some(codes) = response["x-error-codes"].as_array() else {
                continue;
            };
            for listed in codes {
                let listed = listed.as_str().unwrap_or_default();
                match table.get(listed) {
                    None => problems.push(format!("{place} {key}: {listed:?} is not in x-error-codes")),
                    // A shared response is named by its status only where it is used.
                    Some(status) if key.parse::<u16>().is_ok_and(|k| k != *status) => problems.push(format!(
                        "{place}: {listed:?} is listed under {key} but is answered with {status}"
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
