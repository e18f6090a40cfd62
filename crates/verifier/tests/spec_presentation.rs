//! The example of specs/presentation.md: its registry view, request and presentation parse, the digest
//! is the one the text quotes, the presentation verifies and shows exactly what the text says, and a
//! changed request or a changed disclosed value is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::path::PathBuf;

use ecert_credential::{Catalogue, Presentation, PresentationRequest, RegistryView, StatusLists};
use ecert_verifier::{Failure, result_json, verify};
use serde_json::json;

const NOW: i64 = 1_795_867_200;

fn spec() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/presentation.md");
    std::fs::read_to_string(path).unwrap()
}

/// The fenced block whose info string is "json <tag>".
fn block(text: &str, tag: &str) -> String {
    let fence = format!("```json {tag}\n");
    let start = text.find(&fence).unwrap_or_else(|| panic!("no {tag} block")) + fence.len();
    let end = start + text[start..].find("```").unwrap();
    text[start..end].to_owned()
}

struct Example {
    registry: RegistryView,
    request: PresentationRequest,
    presentation: Presentation,
    statuses: StatusLists,
}

fn example() -> Example {
    let text = spec();
    let registry: RegistryView = serde_json::from_str(&block(&text, "registry-view")).unwrap();
    let request = PresentationRequest::from_json(&block(&text, "request")).unwrap();
    let presentation = Presentation::from_json(&block(&text, "presentation")).unwrap();
    let mut statuses = StatusLists::default();
    statuses.add_list("440000-traffic-police", "dl-2026-03");
    Example {
        registry,
        request,
        presentation,
        statuses,
    }
}

#[test]
fn the_example_presentation_verifies_and_discloses_what_the_text_says() {
    let ex = example();
    let text = spec();
    assert!(
        text.contains(&format!("`{}`", ex.request.digest_text())),
        "the quoted digest is the request's"
    );
    assert_eq!(ex.presentation.request, ex.request.digest_text());
    let verified = verify(
        &ex.request,
        &ex.presentation,
        &ex.registry,
        &ex.statuses,
        Catalogue::built_in().unwrap(),
        NOW,
    )
    .unwrap();
    let documented: serde_json::Value = serde_json::from_str(&block(&text, "result")).unwrap();
    assert_eq!(result_json(&Ok(verified.clone())), documented);
    let item = &verified.items[0];
    assert_eq!(
        item.disclosed,
        json!({"licence_class": "C1"}).as_object().unwrap().clone()
    );
    assert_eq!(item.claims.get("age_over_18"), Some(&true));
    assert_eq!(item.claims.len(), 1);
}

#[test]
fn the_example_is_refused_when_anything_changes() {
    let ex = example();
    let catalogue = Catalogue::built_in().unwrap();
    let mut other_nonce = ex.request.clone();
    other_nonce.nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into();
    assert_eq!(
        verify(
            &other_nonce,
            &ex.presentation,
            &ex.registry,
            &ex.statuses,
            catalogue,
            NOW
        )
        .unwrap_err(),
        Failure::WrongRequest
    );
    let mut other_class = ex.presentation.clone();
    other_class.items[0]
        .disclosed
        .insert("licence_class".into(), json!("A1"));
    assert_eq!(
        verify(
            &ex.request,
            &other_class,
            &ex.registry,
            &ex.statuses,
            catalogue,
            NOW
        )
        .unwrap_err(),
        Failure::ProofInvalid("licence".into())
    );
    assert_eq!(
        verify(
            &ex.request,
            &ex.presentation,
            &ex.registry,
            &ex.statuses,
            catalogue,
            ex.request.expires_at + 1
        )
        .unwrap_err(),
        Failure::RequestExpired
    );
    let unknown_list = StatusLists::default();
    assert_eq!(
        verify(
            &ex.request,
            &ex.presentation,
            &ex.registry,
            &unknown_list,
            catalogue,
            NOW
        )
        .unwrap_err(),
        Failure::StatusUnknown("licence".into())
    );
}
