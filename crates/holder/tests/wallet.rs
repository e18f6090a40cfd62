//! The wallet against the examples of specs/certificate.md and specs/presentation.md: it offers the
//! example licence for the example request, not once the registry says its key was retired before the
//! licence starts; its file refuses repeated members; its `Debug` output holds no attribute value.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::path::PathBuf;

use ecert_credential::{Catalogue, Certificate, KeyStatus, PresentationRequest, RegistryView};
use ecert_holder::{Refusal, Wallet};

const NOW: i64 = 1_795_867_200;

fn spec(name: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../specs")
            .join(name),
    )
    .unwrap()
}

/// The fenced block whose info string is "json <tag>".
fn block(text: &str, tag: &str) -> String {
    let fence = format!("```json {tag}\n");
    let start = text.find(&fence).unwrap_or_else(|| panic!("no {tag} block")) + fence.len();
    let end = start + text[start..].find("```").unwrap();
    text[start..end].to_owned()
}

struct Example {
    wallet: Wallet,
    registry: RegistryView,
    request: PresentationRequest,
}

fn example() -> Example {
    let certificate = Certificate::from_json(&block(&spec("certificate.md"), "certificate")).unwrap();
    let mut wallet = Wallet::new();
    wallet.add(certificate);
    let presentation = spec("presentation.md");
    Example {
        wallet,
        registry: serde_json::from_str(&block(&presentation, "registry-view")).unwrap(),
        request: PresentationRequest::from_json(&block(&presentation, "request")).unwrap(),
    }
}

#[test]
fn a_certificate_starting_after_its_key_s_retirement_is_not_offered() {
    let ex = example();
    let catalogue = Catalogue::built_in().unwrap();
    let consent = ex
        .wallet
        .prepare(&ex.request, &ex.registry, catalogue, NOW)
        .unwrap();
    assert_eq!(consent.items[0].certificate, 0);

    let retired_at = |at| {
        let mut registry = ex.registry.clone();
        registry.issuers.get_mut("440000-traffic-police").unwrap().keys[0].status = KeyStatus::Retired { at };
        registry
    };
    // 2026-03-01T10:00:00Z is 2026-03-02, the licence's valid_from, in UTC+14.
    ex.wallet
        .prepare(&ex.request, &retired_at(1_772_359_200), catalogue, NOW)
        .unwrap();
    assert_eq!(
        ex.wallet
            .prepare(&ex.request, &retired_at(1_772_359_199), catalogue, NOW)
            .unwrap_err(),
        Refusal::NoSuitableCertificate("licence".into())
    );
}

#[test]
fn a_wallet_file_with_a_repeated_member_is_refused() {
    let ex = example();
    let text = ex.wallet.to_json();
    assert_eq!(Wallet::from_json(&text).unwrap(), ex.wallet);
    for (from, to) in [
        (
            r#""licence_class": "C1""#,
            r#""licence_class": "C1", "licence_class": "A2""#,
        ),
        (r#""serial": "#, r#""serial": "x", "serial": "#),
    ] {
        let doubled = text.replacen(from, to, 1);
        assert_ne!(doubled, text);
        let refusal = Wallet::from_json(&doubled).unwrap_err();
        assert!(refusal.to_string().contains("appears twice"), "{refusal}");
    }
    let doubled = text.replacen("\"certificates\":", "\"certificates\": [], \"certificates\":", 1);
    assert!(Wallet::from_json(&doubled).is_err());
}

#[test]
fn debug_of_the_wallet_and_a_consent_holds_no_attribute_value() {
    let ex = example();
    let consent = ex
        .wallet
        .prepare(&ex.request, &ex.registry, Catalogue::built_in().unwrap(), NOW)
        .unwrap();
    for printed in [
        format!("{:?}", ex.wallet),
        format!("{:?}", ex.wallet.certificates()),
        format!("{consent:?}"),
        format!("{consent:#?}"),
    ] {
        for value in ["李华", "1990-03-07", "440106199003070028", "\"C1\"", "广东省"] {
            assert!(!printed.contains(value), "{value} in {printed}");
        }
    }
    assert!(format!("{consent:?}").contains("licence_class"));
}
