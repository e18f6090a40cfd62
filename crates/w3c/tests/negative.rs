//! Invalid inputs, as the W3C bbs-2023 test suite (w3c/vc-di-bbs-test-suite, tests/setup.js and
//! tests/suites/*.js) makes them and beyond: each is refused with the error that says what is wrong,
//! never a panic and never a success. The malicious issuer and holder here are test code built on the
//! `hazmat` encoders: they make proof values an honest party would not.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecert_w3c::ecert_bbs::{Bls12381Sha256, SecretKey};
use ecert_w3c::{
    BaseProofOptions, Bbs2023, DeriveOptions, DidKeyResolver, Error, JsonPointer, SigningKey, VerifyOptions,
    did_key, hazmat,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

fn rng() -> StdRng {
    StdRng::seed_from_u64(2023)
}

fn key(seed: u8) -> SigningKey {
    SigningKey::with_did_key(
        SecretKey::key_gen::<Bls12381Sha256>(&[seed; 32], b"negative tests", None).unwrap(),
    )
}

fn pointers(list: &[&str]) -> Vec<JsonPointer> {
    list.iter().map(|p| JsonPointer::parse(p).unwrap()).collect()
}

/// The W3C test suite's driver's licence (tests/fixtures/license/2.0/credential.json), issued by a
/// did:key.
fn licence(key: &SigningKey) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/vdl/v1"],
        "id": "urn:uuid:36245ee9-9074-4b05-a777-febff2e69757",
        "type": ["VerifiableCredential", "Iso18013DriversLicenseCredential"],
        "issuer": did_key(key.public_key()),
        "credentialSubject": {
            "id": "urn:uuid:1a0e4ef5-091f-4060-842e-18e519ab9440",
            "type": "LicensedDriver",
            "driversLicense": {
                "type": "Iso18013DriversLicense",
                "document_number": "T21387yc328c7y32h23f23",
                "birth_date": "01-01-1990",
                "expiry_date": "01-01-2030",
                "issuing_authority": "VA"
            }
        }
    })
}

const SELECTIVE: &[&str] = &[
    "/credentialSubject/driversLicense/document_number",
    "/credentialSubject/driversLicense/expiry_date",
];

struct Fixture {
    suite: Bbs2023,
    signed: Value,
    derived: Value,
}

/// The licence signed by key 1 with `/issuer` mandatory, derived disclosing [`SELECTIVE`], and the
/// derived proof checked to verify: every negative case starts from a good presentation.
fn fixture() -> Fixture {
    fixture_with(licence(&key(1)))
}

fn fixture_with(credential: Value) -> Fixture {
    let suite = Bbs2023::new();
    let key = key(1);
    let options = BaseProofOptions::new(pointers(&["/issuer"])).with_created("2024-01-01T00:00:00Z");
    let signed = suite
        .create_base_proof(&mut rng(), &credential, &key, &options)
        .unwrap();
    let derived = suite
        .derive(
            &mut rng(),
            &signed,
            &DeriveOptions::new(pointers(SELECTIVE), b"nonce".to_vec()),
        )
        .unwrap();
    suite
        .verify(&derived, &DidKeyResolver, &VerifyOptions::default())
        .unwrap();
    Fixture {
        suite,
        signed,
        derived,
    }
}

fn verify(fixture: &Fixture, document: &Value) -> Result<ecert_w3c::VerifiedDocument, Error> {
    fixture
        .suite
        .verify(document, &DidKeyResolver, &VerifyOptions::default())
}

fn with_proof_property(document: &Value, property: &str, value: Option<Value>) -> Value {
    let mut document = document.clone();
    let proof = document["proof"].as_object_mut().unwrap();
    match value {
        Some(value) => proof.insert(property.into(), value),
        None => proof.remove(property),
    };
    document
}

fn proof_value_bytes(document: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(&document["proof"]["proofValue"].as_str().unwrap()[1..])
        .unwrap()
}

fn with_proof_value_bytes(document: &Value, bytes: &[u8]) -> Value {
    with_proof_property(
        document,
        "proofValue",
        Some(format!("u{}", URL_SAFE_NO_PAD.encode(bytes)).into()),
    )
}

#[track_caller]
fn assert_property_error(result: Result<impl std::fmt::Debug, Error>, property: &str) {
    match result {
        Err(Error::ProofProperty(p, _)) if p == property => {}
        other => panic!("expected an error on proof.{property}, got {other:?}"),
    }
}

// "If the proofValue string does not start with u ... an error MUST be raised"
#[test]
fn proof_value_without_the_u_prefix() {
    let f = fixture();
    let value = f.derived["proof"]["proofValue"].as_str().unwrap();
    for bad in [
        format!("a{}", &value[1..]),
        format!("z{}", &value[1..]),
        value[1..].to_owned(),
        String::new(),
    ] {
        let document = with_proof_property(&f.derived, "proofValue", Some(bad.into()));
        assert!(matches!(verify(&f, &document), Err(Error::ProofValueEncoding(_))));
    }
    // Not base64url: padding, the standard alphabet, whitespace.
    for bad in [format!("{value}="), value.replace('-', "+"), format!("{value} ")] {
        let document = with_proof_property(&f.derived, "proofValue", Some(bad.into()));
        assert!(matches!(verify(&f, &document), Err(Error::ProofValueEncoding(_))));
    }
    let document = with_proof_property(&f.derived, "proofValue", Some(json!(42)));
    assert_property_error(verify(&f, &document), "proofValue");
}

// "If proofConfig.type is not set to DataIntegrityProof and/or proofConfig.cryptosuite is not set to
// bbs-2023, an error MUST be raised"; "The proof options MUST contain a type ... and a cryptosuite"
#[test]
fn wrong_or_missing_proof_type_and_cryptosuite() {
    let f = fixture();
    let wrong_type = with_proof_property(&f.derived, "type", Some("UnknownProofType".into()));
    assert_property_error(verify(&f, &wrong_type), "type");
    let wrong_suite = with_proof_property(&f.derived, "cryptosuite", Some("ecdsa-sd-2023".into()));
    assert_property_error(verify(&f, &wrong_suite), "cryptosuite");
    let both = with_proof_property(&wrong_type, "cryptosuite", Some("bbs-2022".into()));
    assert_property_error(verify(&f, &both), "type");
    for property in ["type", "cryptosuite"] {
        assert_property_error(
            verify(&f, &with_proof_property(&f.derived, property, None)),
            property,
        );
        let empty = with_proof_property(&f.derived, property, Some("".into()));
        assert_property_error(verify(&f, &empty), property);
    }
    let neither = with_proof_property(
        &with_proof_property(&f.derived, "type", None),
        "cryptosuite",
        None,
    );
    assert_property_error(verify(&f, &neither), "type");
    // And the holder will not derive from such a base proof.
    let base = with_proof_property(&f.signed, "cryptosuite", Some("ecdsa-sd-2023".into()));
    assert_property_error(
        f.suite.derive(&mut rng(), &base, &DeriveOptions::default()),
        "cryptosuite",
    );
}

// "CBOR-encode components per [RFC8949] where CBOR tagging MUST NOT be used on any of the components"
#[test]
fn cbor_with_tags() {
    let f = fixture();
    for (document, is_base) in [(&f.derived, false), (&f.signed, true)] {
        let bytes = proof_value_bytes(document);
        // Tag 64 (a typed array, how some JavaScript encoders write a Uint8Array) and tag 2 (a bignum,
        // as the test suite's invalidCborEncoding writes them) on the first component.
        for tag in [[0xd8, 0x40], [0xc2, 0x59]] {
            let mut tagged = bytes[..4].to_vec();
            tagged.push(tag[0]);
            if tag[0] == 0xd8 {
                tagged.push(tag[1]);
            }
            tagged.extend_from_slice(&bytes[4..]);
            let document = with_proof_value_bytes(document, &tagged);
            let result = if is_base {
                f.suite
                    .derive(&mut rng(), &document, &DeriveOptions::default())
                    .map(|_| ())
            } else {
                verify(&f, &document).map(|_| ())
            };
            assert!(
                matches!(&result, Err(Error::ProofValueCbor(m)) if m.contains("tags")),
                "{result:?}"
            );
        }
        // The whole CBOR item tagged.
        let mut tagged = bytes[..3].to_vec();
        tagged.extend_from_slice(&[0xd8, 0x18]);
        tagged.extend_from_slice(&bytes[3..]);
        let document = with_proof_value_bytes(document, &tagged);
        let result = if is_base {
            f.suite.verify_base_proof(&document, &DidKeyResolver)
        } else {
            verify(&f, &document).map(|_| ())
        };
        assert!(
            matches!(&result, Err(Error::ProofValueCbor(m)) if m.contains("tags")),
            "{result:?}"
        );
    }
}

// "If the decodedProofValue starts with any other three byte sequence, an error MUST be raised": the
// test suite zeroes the first two bytes.
#[test]
fn zeroed_and_unknown_headers() {
    let f = fixture();
    let mut bytes = proof_value_bytes(&f.derived);
    bytes[0] = 0;
    bytes[1] = 0;
    assert_eq!(
        verify(&f, &with_proof_value_bytes(&f.derived, &bytes)),
        Err(Error::ProofValueHeader([0, 0, 3]))
    );
    let mut bytes = proof_value_bytes(&f.derived);
    bytes[2] = 0x42;
    assert_eq!(
        verify(&f, &with_proof_value_bytes(&f.derived, &bytes)),
        Err(Error::ProofValueHeader([0xd9, 0x5d, 0x42]))
    );
    for (byte, feature) in [
        (0x05, "anonymous_holder_binding"),
        (0x07, "pseudonym"),
        (0x09, "holder_binding_pseudonym"),
    ] {
        bytes[2] = byte;
        assert_eq!(
            verify(&f, &with_proof_value_bytes(&f.derived, &bytes)),
            Err(Error::UnsupportedFeature(feature))
        );
    }
    for short in [&[][..], &[0xd9][..], &[0xd9, 0x5d][..]] {
        assert!(matches!(
            verify(&f, &with_proof_value_bytes(&f.derived, short)),
            Err(Error::ProofValueEncoding(_))
        ));
    }
    // A base proof is not a presentation, nor a presentation a base proof.
    assert!(matches!(verify(&f, &f.signed), Err(Error::WrongProofKind(_))));
    assert!(matches!(
        f.suite.derive(&mut rng(), &f.derived, &DeriveOptions::default()),
        Err(Error::WrongProofKind(_))
    ));
}

// "If proofConfig.created is set and if the value is not a valid [XMLSCHEMA11-2] datetime, an error
// MUST be raised"
#[test]
fn wrong_created_forms() {
    let f = fixture();
    for bad in [
        json!("2024-01-01"),
        json!("Mon, 01 Jan 2024 00:00:00 GMT"),
        json!("2024-13-01T00:00:00Z"),
        json!(1704067200),
        json!(""),
    ] {
        let document = with_proof_property(&f.derived, "created", Some(bad.clone()));
        assert_property_error(verify(&f, &document), "created");
        if let Some(created) = bad.as_str() {
            let key = key(1);
            let options = BaseProofOptions::new(pointers(&["/issuer"])).with_created(created);
            assert_property_error(
                f.suite
                    .create_base_proof(&mut rng(), &licence(&key), &key, &options),
                "created",
            );
        }
    }
    // A well-formed but different created: the proof configuration hash changes.
    let document = with_proof_property(&f.derived, "created", Some("2024-01-02T00:00:00Z".into()));
    assert_eq!(verify(&f, &document), Err(Error::ProofVerification));
    // Removed: likewise.
    assert_eq!(
        verify(&f, &with_proof_property(&f.derived, "created", None)),
        Err(Error::ProofVerification)
    );
}

// Safe mode: "added undefined terms" (data-integrity-test-suite-assertion) are refused by JSON-LD
// expansion, on issuing and on verifying, rather than dropped from what is signed.
#[test]
fn added_undefined_terms() {
    let f = fixture();
    let key = key(1);
    for (path, term) in [
        ("", "undefinedTerm"),
        ("/credentialSubject", "favouriteColour"),
        ("/credentialSubject/driversLicense", "eye_color"),
    ] {
        let mut unsigned = licence(&key);
        unsigned.pointer_mut(path).unwrap()[term] = "blue".into();
        let result = f.suite.create_base_proof(
            &mut rng(),
            &unsigned,
            &key,
            &BaseProofOptions::new(pointers(&["/issuer"])),
        );
        assert!(
            matches!(&result, Err(Error::JsonLd(m)) if m.contains(term)),
            "{result:?}"
        );
        let mut derived = f.derived.clone();
        derived.pointer_mut(path).unwrap()[term] = "blue".into();
        assert!(matches!(verify(&f, &derived), Err(Error::JsonLd(m)) if m.contains(term)));
    }
    // An undefined type, and an undefined term in the proof.
    let mut derived = f.derived.clone();
    derived["credentialSubject"]["type"] = "CarRenter".into();
    assert!(matches!(verify(&f, &derived), Err(Error::JsonLd(_))));
    let derived = with_proof_property(&f.derived, "undefinedProofTerm", Some("x".into()));
    assert!(matches!(verify(&f, &derived), Err(Error::JsonLd(m)) if m.contains("undefinedProofTerm")));
}

// The revealed document changed after the holder derived it: a value modified, a defined statement
// added, a disclosed one removed, a mandatory one removed.
#[test]
fn modified_revealed_document() {
    let f = fixture();
    let mut modified = f.derived.clone();
    modified["credentialSubject"]["driversLicense"]["expiry_date"] = "01-01-2040".into();
    assert_eq!(verify(&f, &modified), Err(Error::ProofVerification));
    let mut added = f.derived.clone();
    added["credentialSubject"]["driversLicense"]["birth_date"] = "01-01-1990".into();
    assert!(matches!(
        verify(&f, &added),
        Err(Error::Indexes(_) | Error::ProofVerification)
    ));
    let mut removed = f.derived.clone();
    removed["credentialSubject"]["driversLicense"]
        .as_object_mut()
        .unwrap()
        .remove("document_number");
    assert!(matches!(
        verify(&f, &removed),
        Err(Error::Indexes(_) | Error::ProofVerification)
    ));
    let mut no_issuer = f.derived.clone();
    no_issuer.as_object_mut().unwrap().remove("issuer");
    assert!(matches!(
        verify(&f, &no_issuer),
        Err(Error::Indexes(_) | Error::ProofVerification)
    ));
    let mut other_issuer = f.derived.clone();
    other_issuer["issuer"] = did_key(key(2).public_key()).into();
    assert_eq!(verify(&f, &other_issuer), Err(Error::ProofVerification));
    // The same for the holder's check of the base proof.
    let mut tampered = f.signed.clone();
    tampered["credentialSubject"]["driversLicense"]["birth_date"] = "01-01-1980".into();
    assert_eq!(
        f.suite.verify_base_proof(&tampered, &DidKeyResolver),
        Err(Error::ProofVerification)
    );
    let mut tampered = f.signed.clone();
    tampered["issuer"] = did_key(key(2).public_key()).into();
    assert_eq!(
        f.suite.verify_base_proof(&tampered, &DidKeyResolver),
        Err(Error::ProofVerification)
    );
}

#[test]
fn wrong_key_purpose_and_presentation_header() {
    let f = fixture();
    // Another issuer's did:key: the key resolves, the proof does not verify under it.
    let other = ecert_w3c::did_key_verification_method(key(2).public_key());
    let document = with_proof_property(&f.derived, "verificationMethod", Some(other.clone().into()));
    assert_eq!(verify(&f, &document), Err(Error::ProofVerification));
    let base = with_proof_property(&f.signed, "verificationMethod", Some(other.into()));
    assert_eq!(
        f.suite.verify_base_proof(&base, &DidKeyResolver),
        Err(Error::PublicKeyMismatch)
    );
    // Verification methods that do not resolve, or are not URLs.
    for (vm, error_on) in [
        ("did:web:issuer.example#key-1", None),
        ("https://issuer.example/keys/1", None),
        ("not a url", Some("verificationMethod")),
    ] {
        let document = with_proof_property(&f.derived, "verificationMethod", Some(vm.into()));
        match error_on {
            Some(property) => assert_property_error(verify(&f, &document), property),
            None => assert!(matches!(verify(&f, &document), Err(Error::VerificationMethod(_)))),
        }
    }
    // proofPurpose: another purpose is refused when assertionMethod is expected, and a missing one
    // always (VC-DI §4.3 step 3).
    let document = with_proof_property(&f.derived, "proofPurpose", Some("authentication".into()));
    assert_property_error(verify(&f, &document), "proofPurpose");
    assert_property_error(
        verify(&f, &with_proof_property(&f.derived, "proofPurpose", None)),
        "proofPurpose",
    );
    // The verifier's own nonce, not another.
    let options = VerifyOptions::default().with_presentation_header(b"another nonce".to_vec());
    assert_property_error(
        f.suite.verify(&f.derived, &DidKeyResolver, &options),
        "proofValue",
    );
    let options = VerifyOptions::default().with_presentation_header(b"nonce".to_vec());
    assert!(f.suite.verify(&f.derived, &DidKeyResolver, &options).is_ok());
}

#[test]
fn malformed_documents() {
    let f = fixture();
    assert_eq!(
        verify(&f, &json!([])),
        Err(Error::NotAnObject("a secured document"))
    );
    let mut no_proof = f.derived.clone();
    no_proof.as_object_mut().unwrap().remove("proof");
    assert_eq!(verify(&f, &no_proof), Err(Error::MissingProof));
    let mut proof_set = f.derived.clone();
    proof_set["proof"] = json!([f.derived["proof"].clone()]);
    assert_eq!(verify(&f, &proof_set), Err(Error::MissingProof));
    let mut not_object = f.derived.clone();
    not_object["proof"] = "proof".into();
    assert_eq!(verify(&f, &not_object), Err(Error::NotAnObject("proof")));
    // A context that is not bundled is named in the error; nothing is fetched.
    let mut unknown = f.derived.clone();
    unknown["@context"][1] = "https://contexts.example/licence/v9".into();
    assert!(
        matches!(verify(&f, &unknown), Err(Error::JsonLd(m)) if m.contains("https://contexts.example/licence/v9"))
    );
    let key = key(1);
    let mut unsigned = licence(&key);
    unsigned["@context"][1] = "https://contexts.example/licence/v9".into();
    let result = f
        .suite
        .create_base_proof(&mut rng(), &unsigned, &key, &BaseProofOptions::default());
    assert!(
        matches!(&result, Err(Error::JsonLd(m)) if m.contains("not a bundled context")),
        "{result:?}"
    );
    // Issuing refuses documents that already have a proof, and pointers to nothing.
    let result = f
        .suite
        .create_base_proof(&mut rng(), &f.signed, &key, &BaseProofOptions::default());
    assert_property_error(result, "proof");
    let result = f.suite.create_base_proof(
        &mut rng(),
        &licence(&key),
        &key,
        &BaseProofOptions::new(pointers(&["/holder"])),
    );
    assert_eq!(result.err(), Some(Error::PointerNotFound("/holder".into())));
    // Deriving refuses pointers to nothing, and a presentation that discloses nothing.
    let result = f.suite.derive(
        &mut rng(),
        &f.signed,
        &DeriveOptions::new(pointers(&["/nope"]), Vec::new()),
    );
    assert_eq!(result.err(), Some(Error::PointerNotFound("/nope".into())));
    let no_mandatory = f
        .suite
        .create_base_proof(&mut rng(), &licence(&key), &key, &BaseProofOptions::default())
        .unwrap();
    let result = f
        .suite
        .derive(&mut rng(), &no_mandatory, &DeriveOptions::default());
    assert_eq!(result.err(), Some(Error::NothingToDisclose));
}

/// A malicious issuer: a base proof whose signature covers other bytes than the UTF-8 N-Quads (the test
/// suite's invalidStringEncoding shifts every byte by one) verifies nowhere.
#[test]
fn signature_over_other_messages() {
    let f = fixture();
    let key = key(1);
    let unsigned = licence(&key);
    let options = BaseProofOptions::new(pointers(&["/issuer"])).with_created("2024-01-01T00:00:00Z");
    let trace =
        hazmat::create_base_proof_with_hmac_key(&f.suite, &unsigned, &key, &options, [9; 32]).unwrap();
    let shifted: Vec<Vec<u8>> = trace
        .non_mandatory
        .values()
        .map(|m| m.bytes().map(|b| b.wrapping_add(1)).collect())
        .collect();
    let messages: Vec<&[u8]> = shifted.iter().map(Vec::as_slice).collect();
    let header = [trace.proof_hash, trace.mandatory_hash].concat();
    let secret = SecretKey::key_gen::<Bls12381Sha256>(&[1; 32], b"negative tests", None).unwrap();
    let signature =
        ecert_w3c::ecert_bbs::sign::<Bls12381Sha256>(&secret, &secret.public_key(), &header, &messages)
            .unwrap();
    let mut components =
        hazmat::base_proof_components(trace.secured["proof"]["proofValue"].as_str().unwrap()).unwrap();
    components.bbs_signature = signature.to_bytes().to_vec();
    let signed = with_proof_property(
        &trace.secured,
        "proofValue",
        Some(hazmat::encode_base_proof_value(&components).unwrap().into()),
    );
    assert_eq!(
        f.suite.verify_base_proof(&signed, &DidKeyResolver),
        Err(Error::ProofVerification)
    );
    let derived = f
        .suite
        .derive(
            &mut rng(),
            &signed,
            &DeriveOptions::new(pointers(SELECTIVE), Vec::new()),
        )
        .unwrap();
    assert_eq!(verify(&f, &derived), Err(Error::ProofVerification));
}

/// A malicious holder: derived proofs whose indexes or label map lie about the revealed statements.
#[test]
fn lying_indexes_and_label_maps() {
    // Without the subject's id, the subject and its licence are both blank nodes: two labels to lie with.
    let mut credential = licence(&key(1));
    credential["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    let f = fixture_with(credential);
    let honest =
        hazmat::derived_proof_components(f.derived["proof"]["proofValue"].as_str().unwrap()).unwrap();
    let lie = |change: &dyn Fn(&mut hazmat::DerivedProofComponents)| {
        let mut components =
            hazmat::derived_proof_components(f.derived["proof"]["proofValue"].as_str().unwrap()).unwrap();
        change(&mut components);
        let value = hazmat::encode_derived_proof_value(&components).unwrap();
        verify(
            &f,
            &with_proof_property(&f.derived, "proofValue", Some(value.into())),
        )
    };
    // A mandatory statement passed off as disclosed (and the reverse): the mandatory hash changes.
    assert!(matches!(
        lie(&|c| {
            c.mandatory_indexes.pop();
        }),
        Err(Error::Indexes(_) | Error::ProofVerification)
    ));
    assert!(matches!(
        lie(&|c| c.mandatory_indexes.push(99)),
        Err(Error::Indexes(_))
    ));
    assert!(matches!(
        lie(&|c| c.mandatory_indexes.reverse()),
        Err(Error::Indexes(_))
    ));
    assert!(matches!(
        lie(&|c| c.selective_indexes.reverse()),
        Err(Error::Indexes(_))
    ));
    assert!(matches!(
        lie(&|c| c.selective_indexes.push(1000)),
        Err(Error::Indexes(_))
    ));
    assert!(matches!(
        lie(&|c| {
            c.selective_indexes.pop();
        }),
        Err(Error::Indexes(_))
    ));
    // Disclosed statements moved to other message positions.
    assert!(matches!(
        lie(&|c| {
            let last = c.selective_indexes.len() - 1;
            c.selective_indexes[last] += 1;
        }),
        Err(Error::Indexes(_) | Error::ProofVerification)
    ));
    // Label maps: two labels swapped, one dropped, two blank nodes given one label.
    let labels: Vec<String> = honest.label_map.keys().cloned().collect();
    assert!(labels.len() >= 2, "{labels:?}");
    assert_eq!(
        lie(&|c| {
            let a = c.label_map[&labels[0]].clone();
            let b = c.label_map[&labels[1]].clone();
            c.label_map.insert(labels[0].clone(), b);
            c.label_map.insert(labels[1].clone(), a);
        }),
        Err(Error::ProofVerification)
    );
    assert!(matches!(
        lie(&|c| {
            c.label_map.remove(&labels[0]);
        }),
        Err(Error::LabelMap(_))
    ));
    assert!(matches!(
        lie(&|c| {
            let a = c.label_map[&labels[0]].clone();
            c.label_map.insert(labels[1].clone(), a);
        }),
        Err(Error::LabelMap(_))
    ));
    // Another presentation header than the one proved.
    assert_eq!(
        lie(&|c| c.presentation_header = b"other".to_vec()),
        Err(Error::ProofVerification)
    );
    // A proof truncated or extended by one hidden message.
    assert!(matches!(
        lie(&|c| c.bbs_proof.truncate(c.bbs_proof.len() - 32)),
        Err(Error::Indexes(_) | Error::ProofVerification | Error::Bbs(_))
    ));
    // The honest one still verifies through the same path.
    assert!(lie(&|_| {}).is_ok());
}
