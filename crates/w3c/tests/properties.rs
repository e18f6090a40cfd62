//! Property tests: issue, derive and verify round trips for any selection of a credential's
//! statements; and nothing that reaches a decoder or the verifier from outside makes it panic, whatever
//! the bytes or the JSON.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecert_w3c::ecert_bbs::{Bls12381Sha256, SecretKey};
use ecert_w3c::{
    BaseProofOptions, Bbs2023, DeriveOptions, DidKeyResolver, JsonPointer, SigningKey, VerifyOptions,
    did_key, hazmat, public_key_from_multibase,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

/// The licence fields a holder may choose to disclose, by JSON pointer.
const FIELDS: &[&str] = &[
    "document_number",
    "family_name",
    "given_name",
    "birth_date",
    "expiry_date",
    "issue_date",
    "issuing_authority",
    "issuing_country",
    "sex",
];

struct Issued {
    suite: Bbs2023,
    signed: Value,
    derived: Value,
}

static ISSUED: LazyLock<Issued> = LazyLock::new(|| {
    let suite = Bbs2023::new();
    let key = SigningKey::with_did_key(
        SecretKey::key_gen::<Bls12381Sha256>(&[3; 32], b"properties", None).unwrap(),
    );
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/vdl/v1"],
        "type": ["VerifiableCredential", "Iso18013DriversLicenseCredential"],
        "issuer": did_key(key.public_key()),
        "validFrom": "2024-01-15T10:00:00Z",
        "credentialSubject": {
            "type": "LicensedDriver",
            "driversLicense": {
                "type": "Iso18013DriversLicense",
                "document_number": "542426814",
                "family_name": "TURNER",
                "given_name": "SUSAN",
                "birth_date": "1998-08-28",
                "expiry_date": "2028-08-27T12:00:00-06:00",
                "issue_date": "2023-01-15T10:00:00-07:00",
                "issuing_authority": "UADMV",
                "issuing_country": "UA",
                "sex": 2
            }
        }
    });
    let options = BaseProofOptions::new(vec![JsonPointer::parse("/issuer").unwrap()]);
    let mut rng = StdRng::seed_from_u64(7);
    let signed = suite
        .create_base_proof(&mut rng, &credential, &key, &options)
        .unwrap();
    let selective = vec![JsonPointer::parse("/credentialSubject/driversLicense/expiry_date").unwrap()];
    let derived = suite
        .derive(&mut rng, &signed, &DeriveOptions::new(selective, b"ph".to_vec()))
        .unwrap();
    Issued {
        suite,
        signed,
        derived,
    }
});

fn field_pointer(field: &str) -> JsonPointer {
    JsonPointer::parse(&format!("/credentialSubject/driversLicense/{field}")).unwrap()
}

/// Any JSON value, a few levels deep, with the strings a proof uses among the others.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("DataIntegrityProof"),
            Just("bbs-2023"),
            Just("u2V0D"),
            Just("@id"),
            Just("@type"),
            Just("@context"),
            Just("@list"),
            Just("@value"),
            Just("https://www.w3.org/ns/credentials/v2"),
            Just("_:b0"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    ".{0,8}",
                    Just("@context".to_owned()),
                    Just("@id".to_owned()),
                    Just("type".to_owned()),
                    Just("proof".to_owned()),
                    Just("proofValue".to_owned()),
                    Just("credentialSubject".to_owned()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A copy of `value` with the JSON at a position chosen by `choice` replaced by `replacement`.
fn replace_somewhere(value: &Value, mut choice: usize, replacement: Value) -> Value {
    fn walk(value: &mut Value, choice: &mut usize, replacement: &mut Option<Value>) {
        if *choice == 0 {
            if let Some(r) = replacement.take() {
                *value = r;
            }
            return;
        }
        *choice -= 1;
        match value {
            Value::Object(map) => map.values_mut().for_each(|v| walk(v, choice, replacement)),
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, choice, replacement)),
            _ => {}
        }
    }
    let mut copy = value.clone();
    walk(&mut copy, &mut choice, &mut Some(replacement));
    copy
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any subset of the fields, disclosed: the presentation verifies and shows exactly those fields
    /// (and the mandatory issuer), nothing else.
    #[test]
    fn any_selection_round_trips(mask in 0u32..(1 << FIELDS.len()), ph in prop::collection::vec(any::<u8>(), 0..40), seed in any::<u64>()) {
        let issued = &*ISSUED;
        let chosen: Vec<&str> = FIELDS.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, f)| *f).collect();
        let options = DeriveOptions::new(chosen.iter().map(|f| field_pointer(f)).collect(), ph.clone());
        let derived = issued.suite.derive(&mut StdRng::seed_from_u64(seed), &issued.signed, &options).unwrap();
        let verified = issued
            .suite
            .verify(&derived, &DidKeyResolver, &VerifyOptions::default().with_presentation_header(ph))
            .unwrap();
        prop_assert_eq!(&verified.document["issuer"], &issued.signed["issuer"]);
        prop_assert!(verified.document.get("validFrom").is_none());
        let licence = &verified.document["credentialSubject"]["driversLicense"];
        for field in FIELDS {
            prop_assert_eq!(
                licence.get(*field),
                chosen.contains(field).then(|| &issued.signed["credentialSubject"]["driversLicense"][*field]),
                "{}", field
            );
        }
    }

    /// The proofValue decoders refuse arbitrary bytes, with or without a valid header, without panicking.
    #[test]
    fn proof_value_decoders_never_panic(body in prop::collection::vec(any::<u8>(), 0..400), header in 0u8..12, text in ".{0,64}") {
        for prefix in [vec![], vec![0xd9, 0x5d, header]] {
            let value = format!("u{}", URL_SAFE_NO_PAD.encode([prefix.clone(), body.clone()].concat()));
            let _ = hazmat::base_proof_components(&value);
            let _ = hazmat::derived_proof_components(&value);
        }
        let _ = hazmat::base_proof_components(&text);
        let _ = hazmat::derived_proof_components(&text);
        let _ = public_key_from_multibase(&text);
        let _ = JsonPointer::parse(&text);
    }

    /// CBOR that starts like a derived proof (a 5-array, a byte string) and then goes anywhere.
    #[test]
    fn truncated_and_extended_derived_proofs_are_refused(cut in 0usize..2000, tail in prop::collection::vec(any::<u8>(), 0..16)) {
        let issued = &*ISSUED;
        let bytes = URL_SAFE_NO_PAD.decode(&issued.derived["proof"]["proofValue"].as_str().unwrap()[1..]).unwrap();
        let mut changed = bytes[..cut.min(bytes.len())].to_vec();
        changed.extend_from_slice(&tail);
        prop_assume!(changed != bytes);
        let value = format!("u{}", URL_SAFE_NO_PAD.encode(&changed));
        let mut document = issued.derived.clone();
        document["proof"]["proofValue"] = value.into();
        prop_assert!(issued.suite.verify(&document, &DidKeyResolver, &VerifyOptions::default()).is_err());
    }

    /// The verifier, the holder and the issuer take arbitrary JSON without panicking.
    #[test]
    fn operations_never_panic_on_arbitrary_json(json in arbitrary_json(), seed in any::<u64>()) {
        let issued = &*ISSUED;
        let mut rng = StdRng::seed_from_u64(seed);
        let _ = issued.suite.verify(&json, &DidKeyResolver, &VerifyOptions::default());
        let _ = issued.suite.verify_base_proof(&json, &DidKeyResolver);
        let _ = issued.suite.derive(&mut rng, &json, &DeriveOptions::default());
        let key = SigningKey::with_did_key(SecretKey::key_gen::<Bls12381Sha256>(&[4; 32], b"arbitrary", None).unwrap());
        let _ = issued.suite.create_base_proof(&mut rng, &json, &key, &BaseProofOptions::default());
    }

    /// A valid presentation with any part replaced by arbitrary JSON: refused (or, if the part was
    /// replaced by itself, still valid), never a panic.
    #[test]
    fn presentations_changed_anywhere_are_refused(choice in 0usize..80, json in arbitrary_json()) {
        let issued = &*ISSUED;
        let changed = replace_somewhere(&issued.derived, choice, json);
        let result = issued.suite.verify(&changed, &DidKeyResolver, &VerifyOptions::default());
        if changed == issued.derived {
            prop_assert!(result.is_ok());
        } else {
            prop_assert!(result.is_err(), "accepted: {}", changed);
        }
        let base_changed = replace_somewhere(&issued.signed, choice, Value::from("x"));
        if base_changed != issued.signed {
            prop_assert!(issued.suite.verify_base_proof(&base_changed, &DidKeyResolver).is_err());
        }
    }
}
