//! The examples of specs/openapi.yaml read as ecert-api's types: every request-body example of an
//! operation decodes as the operation's request type, every example of its success answer as its response
//! type, and each decodes back to the same JSON. The schemas say what the wire holds; this says the types
//! the client and the server share hold exactly that.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::path::PathBuf;

use ecert_api::*;
use ecert_credential::{IssuerRecord, PresentationRequest, StatusList, VerifierRecord};
use ecert_registry::SignedTreeHead;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn spec() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/openapi.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("specs/openapi.yaml: {e}"))
}

/// Decodes `value` as `T` and checks that it encodes back to the same JSON.
fn as_type<T: DeserializeOwned + Serialize>(value: &Value) -> Result<(), String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    if &back != value {
        return Err(format!("decodes, but encodes back as {back}"));
    }
    Ok(())
}

type Check = fn(&Value) -> Result<(), String>;

/// The request and success-answer types of each operation (`None`: no JSON body, or a document taken
/// verbatim, such as a certificate-type schema).
fn types(operation: &str) -> (Option<Check>, Option<Check>) {
    let none: Option<Check> = None;
    match operation {
        "getRegistryKey" => (none, Some(as_type::<RegistryKey>)),
        "getRegistrySnapshot" => (none, Some(as_type::<Snapshot>)),
        "listCertificateTypes" => (none, Some(as_type::<CertificateTypes>)),
        "registerCertificateType" => (none, Some(as_type::<Appended>)),
        "listIssuers" => (none, Some(as_type::<Issuers>)),
        "registerIssuer" => (Some(as_type::<NewIssuer>), Some(as_type::<Appended>)),
        "getIssuer" => (none, Some(as_type::<IssuerRecord>)),
        "authoriseIssuer" => (Some(as_type::<Authorisation>), Some(as_type::<Appended>)),
        "publishIssuerKey" => (Some(as_type::<KeyPublication>), Some(as_type::<Appended>)),
        "changeIssuerKeyStatus" => (Some(as_type::<KeyStatusChange>), Some(as_type::<Appended>)),
        "listVerifiers" => (none, Some(as_type::<Verifiers>)),
        "registerVerifier" => (Some(as_type::<VerifierRecord>), Some(as_type::<Appended>)),
        "getVerifier" => (none, Some(as_type::<VerifierRecord>)),
        "listLogEntries" => (none, Some(as_type::<LogEntries>)),
        "getTreeHead" => (none, Some(as_type::<SignedTreeHead>)),
        "listTreeHeads" => (none, Some(as_type::<TreeHeads>)),
        "getInclusionProof" => (none, Some(as_type::<InclusionProof>)),
        "getConsistencyProof" => (none, Some(as_type::<ConsistencyProof>)),
        "listIssuerKeys" => (none, Some(as_type::<IssuerKeys>)),
        "createIssuerKey" => (Some(as_type::<NewIssuerKey>), Some(as_type::<IssuerKey>)),
        "issueCertificate" => (
            Some(as_type::<IssueCertificate>),
            Some(as_type::<IssuedCertificate>),
        ),
        "getCertificateRecord" => (none, Some(as_type::<CertificateRecord>)),
        "revokeCertificate" | "suspendCertificate" | "reinstateCertificate" => {
            (Some(as_type::<StatusChange>), Some(as_type::<StatusChanged>))
        }
        "getStatusList" => (none, Some(as_type::<StatusList>)),
        "listObjections" => (none, Some(as_type::<Objections>)),
        "fileObjection" => (Some(as_type::<NewObjection>), Some(as_type::<ObjectionFiled>)),
        "getObjection" => (none, Some(as_type::<Objection>)),
        "reviewObjection" => (Some(as_type::<ObjectionReview>), Some(as_type::<Objection>)),
        "createPresentationRequest" => (
            Some(as_type::<NewPresentationRequest>),
            Some(as_type::<PresentationRequest>),
        ),
        "getPresentationRequest" => (none, Some(as_type::<PresentationRequest>)),
        "submitPresentation" => (
            Some(as_type::<ecert_credential::Presentation>),
            Some(as_type::<VerificationResult>),
        ),
        "listVerifierVerifications" | "listAuditVerifications" => (none, Some(as_type::<Verifications>)),
        "listAuditCertificateEvents" => (none, Some(as_type::<AuditCertificateEvents>)),
        "listAuditObjectionEvents" => (none, Some(as_type::<AuditObjectionEvents>)),
        other => panic!("no types for operation {other}: add it here and to ecert-api"),
    }
}

/// Follows a `$ref` within the spec.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let mut target = spec;
            for part in reference.trim_start_matches("#/").split('/') {
                target = &target[part];
            }
            resolve(spec, target)
        }
        None => value,
    }
}

/// The example values of a `content` map's JSON media type.
fn examples<'a>(spec: &'a Value, content: &'a Value) -> Vec<(String, &'a Value)> {
    let media = &content["application/json"];
    let mut found = Vec::new();
    if let Some(example) = media.get("example") {
        found.push(("example".to_owned(), example));
    }
    for (name, example) in media["examples"].as_object().into_iter().flatten() {
        found.push((name.clone(), &resolve(spec, example)["value"]));
    }
    found
}

#[test]
fn every_example_reads_as_the_operations_types() {
    let spec = spec();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            let (request, response) = types(id);
            let mut check = |place: String, check: Option<Check>, content: &Value| {
                for (name, value) in examples(&spec, content) {
                    match check {
                        Some(check) => {
                            checked += 1;
                            if let Err(e) = check(value) {
                                problems.push(format!("{place} ({name}): {e}"));
                            }
                        }
                        None if id == "registerCertificateType" => {}
                        None => problems.push(format!("{place}: an example, but no type to read it as")),
                    }
                }
            };
            let body = resolve(&spec, &operation["requestBody"]);
            check(format!("{method} {path} request"), request, &body["content"]);
            for (status, answer) in operation["responses"].as_object().into_iter().flatten() {
                if status.starts_with('2') {
                    let answer = resolve(&spec, answer);
                    check(format!("{method} {path} {status}"), response, &answer["content"]);
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 30, "only {checked} examples were checked");
}
