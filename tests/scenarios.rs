//! The situations users meet, end to end through the role crates: issuer, wallet, verifier and a registry
//! view, meeting only through ecert-credential's documents (each request and presentation also goes
//! through its JSON form, as it would over the wire).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_credential::{CertificateStatus, KeyStatus, Presentation, PresentationRequest, RequestItem};
use ecert_holder::{Consent, Refusal};
use ecert_sample::world::{NOW, World, type_id};
use ecert_verifier::{Failure, VerifiedPresentation, build_request, verify};
use serde_json::json;

fn item(id: &str, ty: &str, disclose: &[&str], claims: &[&str]) -> RequestItem {
    RequestItem {
        id: id.into(),
        types: vec![type_id(ty)],
        issuers: None,
        disclose: disclose.iter().map(|s| s.to_string()).collect(),
        claims: claims.iter().map(|s| s.to_string()).collect(),
    }
}

/// The whole exchange over JSON: request out, presentation back, verified.
fn exchange(
    world: &mut World,
    enterprise: bool,
    verifier: &str,
    purpose: &str,
    items: Vec<RequestItem>,
) -> (
    PresentationRequest,
    Presentation,
    Result<VerifiedPresentation, Failure>,
) {
    let request = build_request(&mut world.rng, verifier, purpose, items, NOW + 300);
    let received = PresentationRequest::from_json(&request.to_json()).unwrap();
    let wallet = if enterprise {
        &world.enterprise_wallet
    } else {
        &world.wallet
    };
    let consent = wallet
        .prepare(&received, &world.registry, world.catalogue, NOW)
        .unwrap();
    let presentation = wallet
        .present(
            &mut world.rng,
            &received,
            &consent,
            &world.registry,
            world.catalogue,
        )
        .unwrap();
    let presentation = Presentation::from_json(&presentation.to_json()).unwrap();
    let result = verify(
        &request,
        &presentation,
        &world.registry,
        &world.statuses,
        world.catalogue,
        NOW,
    );
    (request, presentation, result)
}

#[test]
fn an_employer_checks_a_degree_without_the_id_number() {
    let mut world = World::new();
    let asked = ["degree_level", "degree_field", "major", "institution"];
    let (_, presentation, result) = exchange(
        &mut world,
        false,
        "110108-employer",
        "hiring",
        vec![item("degree", "cn.academic-degree/1", &asked, &[])],
    );
    let verified = result.unwrap();
    let facts = &verified.items[0].disclosed;
    assert_eq!(facts["degree_level"], json!("bachelor"));
    assert_eq!(facts.len(), asked.len());
    let wire = presentation.to_json();
    for secret in ["110105199003078882", "1990-03-07", "Li Hua", "1000542012000123"] {
        assert!(!wire.contains(secret), "the presentation leaks {secret}");
    }
}

#[test]
fn a_car_rental_desk_checks_licence_class_and_adulthood_without_the_birth_date() {
    let mut world = World::new();
    let (_, presentation, result) = exchange(
        &mut world,
        false,
        "110105-car-rental",
        "rent-a-car",
        vec![item(
            "licence",
            "cn.driving-licence/1",
            &["licence_class"],
            &["age_over_18"],
        )],
    );
    let verified = result.unwrap();
    assert_eq!(verified.items[0].disclosed["licence_class"], json!("C1"));
    assert!(verified.items[0].claims["age_over_18"]);
    let wire = presentation.to_json();
    assert!(!wire.contains("1990-03-07") && !wire.contains("110105199003078882"));
}

#[test]
fn a_hospital_in_another_region_checks_residency_only_through_the_registry() {
    let mut world = World::new();
    // The ID card comes from Beijing's bureau; the hospital is in Guangdong and never calls Beijing.
    let (_, presentation, result) = exchange(
        &mut world,
        false,
        "440106-hospital",
        "cross-region-care",
        vec![item("id", "cn.resident-id-card/1", &["residence_region"], &[])],
    );
    let verified = result.unwrap();
    assert_eq!(verified.items[0].issuer, "110000-psb");
    assert_eq!(verified.items[0].disclosed.len(), 1);
    assert_eq!(verified.items[0].disclosed["residence_region"], json!("110105"));
    assert!(!presentation.to_json().contains("Jianguomen"));
}

#[test]
fn a_bank_checks_an_enterprise_business_licence() {
    let mut world = World::new();
    let asked = [
        "enterprise_name",
        "unified_social_credit_code",
        "legal_representative",
        "registration_region",
    ];
    let (_, _, result) = exchange(
        &mut world,
        true,
        "110101-bank",
        "corporate-account",
        vec![item("licence", "cn.business-licence/1", &asked, &[])],
    );
    let verified = result.unwrap();
    assert_eq!(
        verified.items[0].disclosed["unified_social_credit_code"],
        json!("91110105MA01ABCD2X")
    );
    assert!(!verified.items[0].disclosed.contains_key("registered_capital_cny"));
}

#[test]
fn a_presentation_cannot_be_replayed_to_another_request_or_verifier() {
    let mut world = World::new();
    let items = vec![item(
        "licence",
        "cn.driving-licence/1",
        &["licence_class"],
        &["age_over_18"],
    )];
    let (_, presentation, result) = exchange(
        &mut world,
        false,
        "110105-car-rental",
        "rent-a-car",
        items.clone(),
    );
    result.unwrap();
    // Same verifier, a new request (new nonce): the old presentation is refused.
    let fresh = build_request(
        &mut world.rng,
        "110105-car-rental",
        "rent-a-car",
        items.clone(),
        NOW + 300,
    );
    let replay = verify(
        &fresh,
        &presentation,
        &world.registry,
        &world.statuses,
        world.catalogue,
        NOW,
    );
    assert_eq!(replay.unwrap_err(), Failure::WrongRequest);
    // Even with the digest field rewritten to the new request, the proof is bound to the old one.
    let mut forged = presentation.clone();
    forged.request = fresh.digest_text();
    let replay = verify(
        &fresh,
        &forged,
        &world.registry,
        &world.statuses,
        world.catalogue,
        NOW,
    );
    assert_eq!(replay.unwrap_err(), Failure::ProofInvalid("licence".into()));
}

/// The wallet's answer to a request from `verifier` under `purpose`.
fn ask(world: &World, verifier: &str, purpose: &str, items: Vec<RequestItem>) -> Result<Consent, Refusal> {
    let request = build_request(&mut rand::rngs::OsRng, verifier, purpose, items, NOW + 300);
    world
        .wallet
        .prepare(&request, &world.registry, world.catalogue, NOW)
}

#[test]
fn an_over_asking_request_is_refused_by_the_wallet() {
    let world = World::new();
    let licence = |disclose: &[&str]| {
        vec![item(
            "licence",
            "cn.driving-licence/1",
            disclose,
            &["age_over_18"],
        )]
    };
    assert_eq!(
        ask(
            &world,
            "110105-car-rental",
            "rent-a-car",
            licence(&["licence_class", "birth_date"])
        )
        .unwrap_err(),
        Refusal::OverAsking {
            item: "licence".into(),
            type_id: "cn.driving-licence/1".into(),
            name: "birth_date".into()
        }
    );
    let id_card = vec![item("id", "cn.resident-id-card/1", &[], &[])];
    assert!(matches!(
        ask(&world, "110105-car-rental", "rent-a-car", id_card),
        Err(Refusal::OverAsking { .. })
    ));
    assert!(matches!(
        ask(&world, "999999-nobody", "rent-a-car", vec![]),
        Err(Refusal::Malformed(_))
    ));
    assert_eq!(
        ask(&world, "999999-nobody", "x", licence(&[])).unwrap_err(),
        Refusal::UnknownVerifier("999999-nobody".into())
    );
    assert!(matches!(
        ask(&world, "110105-car-rental", "marketing", licence(&[])),
        Err(Refusal::PurposeNotRegistered { .. })
    ));
    // What the purpose allows is answered, with the consent summary naming verifier, purpose and values.
    let consent = ask(
        &world,
        "110105-car-rental",
        "rent-a-car",
        licence(&["licence_class"]),
    )
    .unwrap();
    assert_eq!(consent.verifier_name, "Chaoyang Car Rental Desk");
    assert_eq!(
        consent.items[0].attributes,
        vec![("licence_class".to_string(), json!("C1"))]
    );
    assert_eq!(consent.items[0].claims, vec![("age_over_18".to_string(), true)]);
}

fn licence_request() -> Vec<RequestItem> {
    vec![item(
        "licence",
        "cn.driving-licence/1",
        &["licence_class"],
        &["age_over_18"],
    )]
}

#[test]
fn revoked_and_suspended_certificates_fail() {
    let mut world = World::new();
    world.set_status("440000-traffic", 2, CertificateStatus::Suspended);
    let items = licence_request();
    let (_, _, result) = exchange(
        &mut world,
        false,
        "110105-car-rental",
        "rent-a-car",
        items.clone(),
    );
    assert_eq!(result.unwrap_err(), Failure::Suspended("licence".into()));
    world.set_status("440000-traffic", 2, CertificateStatus::Revoked);
    let (_, _, result) = exchange(
        &mut world,
        false,
        "110105-car-rental",
        "rent-a-car",
        items.clone(),
    );
    assert_eq!(result.unwrap_err(), Failure::Revoked("licence".into()));
    world.set_status("440000-traffic", 2, CertificateStatus::Valid);
    let (_, _, result) = exchange(&mut world, false, "110105-car-rental", "rent-a-car", items);
    result.unwrap();
}

#[test]
fn expired_and_not_yet_valid_certificates_fail() {
    let mut world = World::new();
    let licence = world.wallet.certificates()[1].clone();
    let attributes = serde_json::Value::Object(licence.attributes.clone());
    let items = licence_request();
    for (from, until, expected) in [
        ("2020-06-01", "2025-06-01", Failure::Expired("licence".into())),
        ("2026-12-01", "2036-12-01", Failure::NotYetValid("licence".into())),
    ] {
        let certificate = world.issue_valid(
            "440000-traffic",
            "cn.driving-licence/1",
            attributes.clone(),
            9,
            from,
            until,
        );
        // The wallet would not pick it today; present it as a holder with a wrong clock would.
        let mut wallet = ecert_holder::Wallet::new();
        wallet.add(certificate);
        let request = build_request(
            &mut world.rng,
            "110105-car-rental",
            "rent-a-car",
            items.clone(),
            NOW + 30 * 86_400,
        );
        let day = if from > "2026-11-28" {
            NOW + 10 * 86_400
        } else {
            NOW - 600 * 86_400
        };
        let consent = wallet
            .prepare(&request, &world.registry, world.catalogue, day)
            .unwrap();
        let presentation = wallet
            .present(
                &mut world.rng,
                &request,
                &consent,
                &world.registry,
                world.catalogue,
            )
            .unwrap();
        let result = verify(
            &request,
            &presentation,
            &world.registry,
            &world.statuses,
            world.catalogue,
            NOW,
        );
        assert_eq!(result.unwrap_err(), expected);
    }
}

#[test]
fn tampered_wrong_key_and_unauthorised_presentations_fail() {
    let mut world = World::new();
    let items = licence_request();
    let (request, presentation, result) =
        exchange(&mut world, false, "110105-car-rental", "rent-a-car", items);
    result.unwrap();
    let check = |world: &World, p: &Presentation| {
        verify(
            &request,
            p,
            &world.registry,
            &world.statuses,
            world.catalogue,
            NOW,
        )
    };

    let mut tampered = presentation.clone();
    tampered.items[0]
        .disclosed
        .insert("licence_class".into(), json!("A1"));
    assert_eq!(
        check(&world, &tampered).unwrap_err(),
        Failure::ProofInvalid("licence".into())
    );

    let mut later = presentation.clone();
    later.items[0].valid_until = ecert_credential::parse_date("2046-01-01").unwrap();
    assert_eq!(
        check(&world, &later).unwrap_err(),
        Failure::ProofInvalid("licence".into())
    );

    let mut extra = presentation.clone();
    extra.items[0].disclosed.insert("name".into(), json!("Li Hua"));
    assert_eq!(
        check(&world, &extra).unwrap_err(),
        Failure::DisclosureMismatch("licence".into())
    );

    // The registry's key for the issuer is replaced: the proof no longer verifies under it.
    let mut swapped = World::new();
    let other_key = swapped.key("110000-psb").public_key();
    swapped.registry.issuers.get_mut("440000-traffic").unwrap().keys[0].public_key = other_key;
    assert_eq!(
        check(&swapped, &presentation).unwrap_err(),
        Failure::ProofInvalid("licence".into())
    );

    let mut revoked_key = World::new();
    revoked_key
        .registry
        .issuers
        .get_mut("440000-traffic")
        .unwrap()
        .keys[0]
        .status = KeyStatus::Revoked {
        reason: "compromise".into(),
    };
    assert_eq!(
        check(&revoked_key, &presentation).unwrap_err(),
        Failure::KeyRevoked("licence".into())
    );

    let mut unknown_key = presentation.clone();
    unknown_key.items[0].key_id = "k9".into();
    assert_eq!(
        check(&world, &unknown_key).unwrap_err(),
        Failure::UnknownKey("licence".into())
    );

    // The traffic police lose their authorisation for driving licences.
    let mut unauthorised = World::new();
    unauthorised
        .registry
        .issuers
        .get_mut("440000-traffic")
        .unwrap()
        .authorised_types
        .clear();
    assert_eq!(
        check(&unauthorised, &presentation).unwrap_err(),
        Failure::IssuerNotAuthorised("licence".into())
    );
}

#[test]
fn repeated_member_names_are_refused() {
    let mut world = World::new();
    let (_, presentation, result) = exchange(
        &mut world,
        false,
        "110105-car-rental",
        "rent-a-car",
        licence_request(),
    );
    result.unwrap();
    let text = presentation.to_json();
    assert!(text.contains(r#""licence_class": "C1""#));
    let doubled = text.replace(
        r#""licence_class": "C1""#,
        r#""licence_class": "C1", "licence_class": "A1""#,
    );
    let error = Presentation::from_json(&doubled).unwrap_err().to_string();
    assert!(error.contains("appears twice"), "{error}");
    let certificate = world.wallet.certificates()[1].to_json();
    let doubled = certificate.replacen(
        r#""licence_class": "C1""#,
        r#""licence_class": "C1", "licence_class": "A1""#,
        1,
    );
    assert!(
        ecert_credential::Certificate::from_json(&doubled)
            .unwrap_err()
            .to_string()
            .contains("appears twice")
    );
}

#[test]
fn bad_input_gives_clear_errors() {
    assert!(Presentation::from_json("{not json").is_err());
    assert!(PresentationRequest::from_json(r#"{"format": "ecert-request/1"}"#).is_err());
    let short_nonce = json!({
        "format": "ecert-request/1", "verifier": "v", "purpose": "p", "nonce": "AAAA", "expires_at": 1,
        "items": [{"id": "a", "types": ["cn.driving-licence/1"]}]
    });
    let error = PresentationRequest::from_json(&short_nonce.to_string())
        .unwrap_err()
        .to_string();
    assert!(error.contains("nonce"), "{error}");
    let bad_type = short_nonce
        .to_string()
        .replace("cn.driving-licence/1", "Driving Licence");
    assert!(
        PresentationRequest::from_json(&bad_type)
            .unwrap_err()
            .to_string()
            .contains("Driving Licence")
    );
}

#[test]
fn a_wallet_debug_print_names_its_certificates_but_shows_no_value() {
    let world = World::new();
    let printed = format!("{:?}", world.wallet);
    let mut values = 0;
    for certificate in world.wallet.certificates() {
        assert!(printed.contains(&certificate.serial), "{printed}");
        for value in certificate.attributes.values() {
            if let Some(text) = value.as_str().filter(|t| t.len() >= 4) {
                assert!(!printed.contains(text), "{printed} shows {text:?}");
                values += 1;
            }
        }
    }
    assert!(values > 0, "the sample certificates hold text values");
}
