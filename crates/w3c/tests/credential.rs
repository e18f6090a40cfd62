//! The verifier's checks beyond the proof: VC Data Integrity §4.3's verification options (domain,
//! challenge, expires, proof purpose) and VC Data Model 2.0's rules on the credential (base context,
//! type, issuer controlling the key, subject, validity period). Each case starts from a credential that
//! verifies and changes one thing, so that each check, if removed, makes its case fail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_w3c::ecert_bbs::{Bls12381Sha256, SecretKey};
use ecert_w3c::{
    BaseProofOptions, Bbs2023, DeriveOptions, DidKeyResolver, Error, ErrorKind, JsonPointer, SigningKey,
    VerificationMethods, VerifyOptions, did_key, multikey_document,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

/// 2026-12-07T00:00:00Z.
const NOW: i64 = 1_796_601_600;

fn key(seed: u8) -> SigningKey {
    SigningKey::with_did_key(SecretKey::key_gen::<Bls12381Sha256>(&[seed; 32], b"vc checks", None).unwrap())
}

fn pointers(list: &[&str]) -> Vec<JsonPointer> {
    list.iter().map(|p| JsonPointer::parse(p).unwrap()).collect()
}

/// A VC 2.0 driving licence valid through 2025-2030, issued by key 1's did:key.
fn licence() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/vdl/v1"],
        "type": ["VerifiableCredential", "Iso18013DriversLicenseCredential"],
        "issuer": did_key(key(1).public_key()),
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2030-01-01T00:00:00+08:00",
        "credentialSubject": {
            "type": "LicensedDriver",
            "driversLicense": {
                "type": "Iso18013DriversLicense",
                "document_number": "542426814",
                "expiry_date": "2030-01-01",
                "issuing_authority": "UADMV"
            }
        }
    })
}

const MANDATORY: &[&str] = &["/issuer", "/validFrom", "/validUntil"];

/// `credential` signed by key `signer` with `options`, derived disclosing the document number.
fn presentation_with(credential: &Value, signer: u8, options: BaseProofOptions) -> Value {
    let suite = Bbs2023::new();
    let mut rng = StdRng::seed_from_u64(18);
    let signed = suite
        .create_base_proof(&mut rng, credential, &key(signer), &options)
        .unwrap();
    let derive = DeriveOptions::new(
        pointers(&["/credentialSubject/driversLicense/document_number"]),
        b"request-1".to_vec(),
    );
    suite.derive(&mut rng, &signed, &derive).unwrap()
}

fn presentation(credential: &Value) -> Value {
    presentation_with(credential, 1, BaseProofOptions::new(pointers(MANDATORY)))
}

fn verify_at(document: &Value, options: &VerifyOptions, now: i64) -> Result<Value, Error> {
    Bbs2023::new()
        .verify_credential(document, &DidKeyResolver, options, now)
        .map(|verified| verified.document)
}

fn verify(document: &Value) -> Result<Value, Error> {
    verify_at(document, &VerifyOptions::default(), NOW)
}

fn edited(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut credential = licence();
    edit(credential.as_object_mut().unwrap());
    credential
}

#[test]
fn a_valid_credential_verifies_and_shows_what_was_disclosed() {
    let document = verify(&presentation(&licence())).unwrap();
    assert_eq!(
        document["credentialSubject"]["driversLicense"]["document_number"],
        "542426814"
    );
    assert!(
        document["credentialSubject"]["driversLicense"]
            .get("expiry_date")
            .is_none()
    );
    // The same presentation through the suite's proof check alone passes too: the credential checks
    // are what `verify_credential` adds.
    Bbs2023::new()
        .verify(
            &presentation(&licence()),
            &DidKeyResolver,
            &VerifyOptions::default(),
        )
        .unwrap();
}

#[test]
fn validity_period_is_checked_against_the_verifiers_time() {
    let document = presentation(&licence());
    // 2024-12-31T23:59:59Z: one second before validFrom.
    let early = verify_at(&document, &VerifyOptions::default(), 1_735_689_599);
    assert!(
        matches!(early, Err(Error::NotValidAt(ref why)) if why.contains("validFrom")),
        "{early:?}"
    );
    assert!(verify_at(&document, &VerifyOptions::default(), 1_735_689_600).is_ok());
    // validUntil is 2029-12-31T16:00:00Z (+08:00).
    assert!(verify_at(&document, &VerifyOptions::default(), 1_893_427_200).is_ok());
    let late = verify_at(&document, &VerifyOptions::default(), 1_893_427_201);
    assert!(
        matches!(late, Err(Error::NotValidAt(ref why)) if why.contains("validUntil")),
        "{late:?}"
    );
    assert_eq!(late.unwrap_err().kind(), ErrorKind::ProofVerification);
}

#[test]
fn malformed_validity_periods_are_refused() {
    for (property, value) in [
        ("validFrom", json!("2025-01-01T00:00:00")),
        ("validFrom", json!("2025-01-01")),
        ("validUntil", json!("soon")),
        ("validUntil", json!(1_893_427_200)),
        // Ends before it starts.
        ("validUntil", json!("2024-01-01T00:00:00Z")),
    ] {
        let credential = edited(|c| {
            c.insert(property.into(), value.clone());
        });
        let result = verify(&presentation(&credential));
        assert!(
            matches!(result, Err(Error::Credential(p, _)) if p == property),
            "{property} {value}: {result:?}"
        );
        assert_eq!(result.unwrap_err().kind(), ErrorKind::Parsing);
    }
}

#[test]
fn the_issuer_must_control_the_signing_key() {
    // Key 2 signs a credential that names key 1's DID as its issuer.
    let forged = presentation_with(&licence(), 2, BaseProofOptions::new(pointers(MANDATORY)));
    // The proof itself is good...
    Bbs2023::new()
        .verify(&forged, &DidKeyResolver, &VerifyOptions::default())
        .unwrap();
    // ...but key 2 is not the issuer's.
    let result = verify(&forged);
    assert!(
        matches!(result, Err(Error::VerificationMethod(ref why)) if why.contains("not by the credential's issuer")),
        "{result:?}"
    );
}

#[test]
fn a_registry_listed_method_is_checked_against_its_documents_controller() {
    let signer = key(1);
    let issuer = "https://registry.example/issuers/gd-dmv";
    let method = format!("{issuer}#key-1");
    let mut methods = VerificationMethods::new();
    methods
        .insert_document(&multikey_document(&method, issuer, signer.public_key()))
        .unwrap();
    let registry_key = SigningKey::new(
        SecretKey::key_gen::<Bls12381Sha256>(&[1; 32], b"vc checks", None).unwrap(),
        method.clone(),
    );
    let suite = Bbs2023::new();
    let mut rng = StdRng::seed_from_u64(3);
    let derive = DeriveOptions::new(
        pointers(&["/credentialSubject/driversLicense/document_number"]),
        b"r".to_vec(),
    );
    for (named_issuer, ok) in [(issuer, true), ("https://registry.example/issuers/other", false)] {
        let credential = edited(|c| {
            c.insert("issuer".into(), json!({"id": named_issuer, "name": "DMV"}));
        });
        let signed = suite
            .create_base_proof(
                &mut rng,
                &credential,
                &registry_key,
                &BaseProofOptions::new(pointers(MANDATORY)),
            )
            .unwrap();
        let derived = suite.derive(&mut rng, &signed, &derive).unwrap();
        let result = suite.verify_credential(&derived, &methods, &VerifyOptions::default(), NOW);
        assert_eq!(result.is_ok(), ok, "{named_issuer}: {result:?}");
    }
}

#[test]
fn the_data_models_required_properties_are_checked() {
    let issuer_only = BaseProofOptions::new(pointers(&["/validFrom"]));
    for (property, credential, options) in [
        (
            "@context",
            edited(|c| {
                c.insert(
                    "@context".into(),
                    json!(["https://w3id.org/vdl/v1", "https://www.w3.org/ns/credentials/v2"]),
                );
            }),
            BaseProofOptions::new(pointers(MANDATORY)),
        ),
        (
            "issuer",
            edited(|c| {
                c.remove("issuer");
            }),
            issuer_only,
        ),
        (
            "issuer",
            edited(|c| {
                c.insert("issuer".into(), json!({"name": "DMV"}));
            }),
            BaseProofOptions::new(pointers(MANDATORY)),
        ),
        (
            "credentialSubject",
            edited(|c| {
                c.remove("credentialSubject");
                c.insert("name".into(), json!("a licence"));
            }),
            BaseProofOptions::new(pointers(MANDATORY)),
        ),
    ] {
        let selected = match credential.get("credentialSubject") {
            Some(_) => "/credentialSubject",
            None => "/validUntil",
        };
        let suite = Bbs2023::new();
        let mut rng = StdRng::seed_from_u64(5);
        let signed = suite
            .create_base_proof(&mut rng, &credential, &key(1), &options)
            .unwrap_or_else(|e| panic!("{property}: {e}"));
        let derived = suite
            .derive(
                &mut rng,
                &signed,
                &DeriveOptions::new(pointers(&[selected]), b"r".to_vec()),
            )
            .unwrap();
        let result = verify(&derived);
        assert!(
            matches!(result, Err(Error::Credential(p, _)) if p == property),
            "{property}: {result:?}"
        );
    }
}

/// In VC 2.0 every credential term is scoped to the type `VerifiableCredential`, so JSON-LD's safe
/// mode already refuses a "credential" without it; a signed presentation is the document that gets
/// this far and must not pass as a credential.
#[test]
fn a_signed_presentation_is_not_a_credential() {
    let presentation = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did_key(key(1).public_key()),
    });
    let suite = Bbs2023::new();
    let mut rng = StdRng::seed_from_u64(9);
    let signed = suite
        .create_base_proof(
            &mut rng,
            &presentation,
            &key(1),
            &BaseProofOptions::new(pointers(&["/holder"])),
        )
        .unwrap();
    let derived = suite
        .derive(
            &mut rng,
            &signed,
            &DeriveOptions::new(pointers(&["/type"]), b"r".to_vec()),
        )
        .unwrap();
    suite
        .verify(&derived, &DidKeyResolver, &VerifyOptions::default())
        .unwrap();
    let result = verify(&derived);
    assert!(matches!(result, Err(Error::Credential("type", _))), "{result:?}");
}

#[test]
fn an_undisclosed_issuer_is_not_a_credential() {
    let signed_without_issuer_mandatory = presentation_with(
        &licence(),
        1,
        BaseProofOptions::new(pointers(&["/validFrom", "/validUntil"])),
    );
    let result = verify(&signed_without_issuer_mandatory);
    assert!(
        matches!(result, Err(Error::Credential("issuer", _))),
        "{result:?}"
    );
}

#[test]
fn proof_purpose_must_be_assertion_method() {
    let mut options = BaseProofOptions::new(pointers(MANDATORY));
    options.proof_purpose = "authentication".into();
    let document = presentation_with(&licence(), 1, options);
    let result = verify(&document);
    assert!(
        matches!(result, Err(Error::ProofProperty("proofPurpose", _))),
        "{result:?}"
    );
    // Also when the caller left the purpose open: a credential is asserted.
    let open = VerifyOptions::default().with_proof_purpose(None);
    assert!(matches!(
        verify_at(&document, &open, NOW),
        Err(Error::ProofProperty("proofPurpose", _))
    ));
    let authentication = VerifyOptions::default().with_proof_purpose(Some("authentication".into()));
    assert!(verify_at(&document, &authentication, NOW).is_ok());
}

#[test]
fn proof_expiry_is_checked() {
    let options = BaseProofOptions::new(pointers(MANDATORY)).with_expires("2027-01-01T00:00:00Z");
    let document = presentation_with(&licence(), 1, options);
    assert!(verify(&document).is_ok());
    let after = verify_at(&document, &VerifyOptions::default(), 1_798_761_601);
    assert!(
        matches!(after, Err(Error::ProofProperty("expires", _))),
        "{after:?}"
    );
    // The proof check alone fails closed when it is given no time.
    let no_time = Bbs2023::new().verify(&document, &DidKeyResolver, &VerifyOptions::default());
    assert!(
        matches!(no_time, Err(Error::ProofProperty("expires", _))),
        "{no_time:?}"
    );
    assert!(
        Bbs2023::new()
            .verify(&document, &DidKeyResolver, &VerifyOptions::default().at(NOW))
            .is_ok()
    );
    // A malformed expires is refused when issuing.
    let bad = BaseProofOptions::new(pointers(MANDATORY)).with_expires("2027-01-01");
    let refused = Bbs2023::new().create_base_proof(&mut StdRng::seed_from_u64(1), &licence(), &key(1), &bad);
    assert!(
        matches!(refused, Err(Error::ProofProperty("expires", _))),
        "{refused:?}"
    );
}

#[test]
fn domain_and_challenge_are_checked_when_expected() {
    let options = BaseProofOptions::new(pointers(MANDATORY))
        .with_domain("bank.example")
        .with_challenge("c-7731");
    let document = presentation_with(&licence(), 1, options);
    let expect = |domain: &str, challenge: &str| {
        verify_at(
            &document,
            &VerifyOptions::default()
                .with_domain(domain)
                .with_challenge(challenge),
            NOW,
        )
    };
    assert!(expect("bank.example", "c-7731").is_ok());
    assert!(matches!(
        expect("other.example", "c-7731"),
        Err(Error::ProofProperty("domain", _))
    ));
    assert!(matches!(
        expect("bank.example", "c-0000"),
        Err(Error::ProofProperty("challenge", _))
    ));
    // A verifier that expects a domain refuses a proof without one.
    let plain = presentation(&licence());
    let result = verify_at(&plain, &VerifyOptions::default().with_domain("bank.example"), NOW);
    assert!(
        matches!(result, Err(Error::ProofProperty("domain", _))),
        "{result:?}"
    );
    let result = verify_at(&plain, &VerifyOptions::default().with_challenge("c-7731"), NOW);
    assert!(
        matches!(result, Err(Error::ProofProperty("challenge", _))),
        "{result:?}"
    );
}

#[test]
fn a_vc_1_1_credential_needs_its_issuance_date() {
    let v1 = |issuance: Option<&str>| {
        let mut credential = json!({
            "@context": [
                "https://www.w3.org/2018/credentials/v1",
                "https://w3id.org/security/data-integrity/v2"
            ],
            "type": ["VerifiableCredential"],
            "issuer": did_key(key(1).public_key()),
            "expirationDate": "2030-01-01T00:00:00Z",
            "credentialSubject": {"id": "urn:uuid:1a0e4ef5-091f-4060-842e-18e519ab9440"}
        });
        if let Some(date) = issuance {
            credential["issuanceDate"] = date.into();
        }
        let selected: &[&str] = match issuance {
            Some(_) => &["/issuanceDate", "/expirationDate", "/credentialSubject"],
            None => &["/expirationDate", "/credentialSubject"],
        };
        let suite = Bbs2023::new();
        let mut rng = StdRng::seed_from_u64(11);
        let signed = suite
            .create_base_proof(
                &mut rng,
                &credential,
                &key(1),
                &BaseProofOptions::new(pointers(&["/issuer"])),
            )
            .unwrap();
        let derived = suite
            .derive(
                &mut rng,
                &signed,
                &DeriveOptions::new(pointers(selected), b"r".to_vec()),
            )
            .unwrap();
        verify(&derived)
    };
    v1(Some("2025-01-01T00:00:00Z")).unwrap();
    // VC 1.1 allowed a dateTime without a time zone.
    assert!(v1(Some("2025-01-01T00:00:00")).is_ok());
    assert!(matches!(
        v1(Some("2027-01-01T00:00:00Z")),
        Err(Error::NotValidAt(_))
    ));
    assert!(matches!(v1(None), Err(Error::Credential("issuanceDate", _))));
}
