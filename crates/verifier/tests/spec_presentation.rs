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

use ecert_credential::{Catalogue, KeyStatus, Presentation, PresentationRequest, RegistryView, StatusLists};
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

/// 2026-03-01T10:00:00Z: 2026-03-02 00:00 in UTC+14, the first instant whose retirement day is the
/// example's `valid_from`.
const RETIRED_ON_VALID_FROM: i64 = 1_772_359_200;

#[test]
fn a_key_retired_before_the_validity_starts_does_not_vouch_for_the_certificate() {
    let ex = example();
    let with_key_status = |status: KeyStatus| {
        let mut registry = ex.registry.clone();
        registry.issuers.get_mut("440000-traffic-police").unwrap().keys[0].status = status;
        verify(
            &ex.request,
            &ex.presentation,
            &registry,
            &ex.statuses,
            Catalogue::built_in().unwrap(),
            NOW,
        )
    };
    // Retired on the day the certificate starts (anywhere on Earth): it may have been issued before.
    with_key_status(KeyStatus::Retired {
        at: RETIRED_ON_VALID_FROM,
    })
    .unwrap();
    with_key_status(KeyStatus::Retired { at: NOW }).unwrap();
    // Retired one second earlier, the retirement day is the day before valid_from: a certificate that
    // starts after it was minted after the key stopped issuing (or by whoever holds it now).
    for at in [
        RETIRED_ON_VALID_FROM - 1,
        RETIRED_ON_VALID_FROM - 86_400 * 365,
        i64::MIN,
        i64::MAX,
    ] {
        let failure = with_key_status(KeyStatus::Retired { at }).unwrap_err();
        assert_eq!(
            failure,
            Failure::KeyNotValidAtIssuance("licence".into()),
            "retired at {at}"
        );
        assert_eq!(failure.code(), "key_not_valid_at_issuance");
    }
}

#[test]
fn the_registry_view_publishes_the_retirement_time() {
    let status: KeyStatus = serde_json::from_str(r#"{"state": "retired", "at": 1772359200}"#).unwrap();
    assert_eq!(status, KeyStatus::Retired { at: 1_772_359_200 });
    assert_eq!(
        serde_json::to_value(&status).unwrap(),
        json!({"state": "retired", "at": 1_772_359_200})
    );
    // A view that drops the time is refused rather than read as "retired, no bound".
    assert!(serde_json::from_str::<KeyStatus>(r#"{"state": "retired"}"#).is_err());
}

#[test]
fn verification_results_print_no_disclosed_value() {
    let ex = example();
    let verified = verify(
        &ex.request,
        &ex.presentation,
        &ex.registry,
        &ex.statuses,
        Catalogue::built_in().unwrap(),
        NOW,
    )
    .unwrap();
    for printed in [format!("{verified:?}"), format!("{:?}", ex.presentation)] {
        assert!(printed.contains("licence_class"), "{printed}");
        assert!(!printed.contains("C1"), "{printed}");
        assert!(!printed.contains("true"), "{printed}");
    }
}
