//! Issuance against the built-in catalogue: every type issues from valid values and the holder-side check
//! of the signature passes; bad values, validity and key handling fail with the reason; rotation keeps old
//! certificates verifiable under their own key id.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_credential::{
    AttributeKind, Catalogue, Certificate, CertificateType, Error as CredentialError, StatusRef, parse_date,
};
use ecert_issuer::{Error, IssueRequest, IssuerKey, issue};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};

/// A valid value for every attribute of `ty`, found from a few realistic candidates.
fn sample_values(ty: &CertificateType) -> Map<String, Value> {
    let strings = [
        "Li Hua",
        "110101199003078888",
        "C1",
        "10001",
        "91110000600037341L",
        "GB 4943.1-2022",
        "A1234567",
        "SC11011010500001",
        "A123456789",
        "4-01-02-03",
        "pension,medical",
        "110105001001GB00001F00010001",
        "1101050001",
    ];
    ty.attributes
        .iter()
        .map(|spec| {
            let candidates: Vec<Value> = match &spec.kind {
                AttributeKind::String { .. } => strings.iter().map(|s| json!(s)).collect(),
                AttributeKind::Date { .. } => {
                    vec![json!("1990-03-07"), json!("2020-01-01"), json!("2099-12-31")]
                }
                AttributeKind::Integer { min, max } => {
                    vec![
                        json!(min.unwrap_or(0).max(max.map_or(1, |m| m.min(1)))),
                        json!(min.unwrap_or(0)),
                    ]
                }
                AttributeKind::Boolean => vec![json!(true)],
                AttributeKind::Enum { values } => vec![json!(values[0])],
                AttributeKind::Region => vec![json!("110105")],
                AttributeKind::Bytes { length, .. } => {
                    vec![json!(ecert_credential::encode_b64(&vec![
                        7u8;
                        length.unwrap_or(32)
                    ]))]
                }
                _ => vec![],
            };
            let value = candidates
                .into_iter()
                .find(|v| spec.parse_value(v).is_ok())
                .unwrap_or_else(|| panic!("no sample value fits {}.{}", ty.id, spec.name));
            (spec.name.clone(), value)
        })
        .collect()
}

fn request(ty: &CertificateType) -> IssueRequest {
    IssueRequest {
        attributes: sample_values(ty),
        valid_from: parse_date("2026-01-01").unwrap(),
        valid_until: parse_date("2036-01-01").unwrap(),
        status: StatusRef {
            list: "2026-a".into(),
            index: 17,
        },
        serial: "SN-0001".into(),
    }
}

#[test]
fn every_catalogue_type_issues_and_verifies() {
    let mut rng = StdRng::seed_from_u64(1);
    let key = IssuerKey::generate(&mut rng, "110000-psb", "k1").unwrap();
    for ty in Catalogue::built_in().unwrap().types() {
        let certificate = issue(ty, &key, &request(ty)).unwrap();
        certificate.verify_signature(ty, &key.public_key()).unwrap();
        // Through JSON and back, it still verifies.
        let parsed = Certificate::from_json(&certificate.to_json()).unwrap();
        assert_eq!(parsed, certificate);
        parsed.verify_signature(ty, &key.public_key()).unwrap();
        assert_eq!(certificate.claims.len(), ty.derived_claims.len());
    }
}

#[test]
fn altered_certificates_fail_verification() {
    let mut rng = StdRng::seed_from_u64(2);
    let key = IssuerKey::generate(&mut rng, "110000-psb", "k1").unwrap();
    let ty = Catalogue::built_in()
        .unwrap()
        .get("cn.driving-licence/1")
        .unwrap();
    let certificate = issue(ty, &key, &request(ty)).unwrap();
    let pk = key.public_key();

    let mut later = certificate.clone();
    later.valid_until = parse_date("2046-01-01").unwrap();
    let mut other_index = certificate.clone();
    other_index.status.index = 18;
    let mut other_key = certificate.clone();
    other_key.key_id = "k2".into();
    let mut older = certificate.clone();
    older.attributes.insert("birth_date".into(), json!("1980-03-07"));
    let mut flipped_claim = certificate.clone();
    let first_claim = flipped_claim.claims.keys().next().cloned().unwrap();
    let flip = !flipped_claim.claims[&first_claim];
    flipped_claim.claims.insert(first_claim, flip);
    for altered in [later, other_index, other_key, older] {
        assert_eq!(
            altered.verify_signature(ty, &pk),
            Err(CredentialError::Bbs(ecert_bbs::Error::VerificationFailed))
        );
    }
    // A claim that no longer follows from the birth date is refused before the signature is checked.
    assert!(matches!(
        flipped_claim.verify_signature(ty, &pk),
        Err(CredentialError::Malformed(_))
    ));
    let stranger = IssuerKey::generate(&mut rng, "110000-psb", "k1").unwrap();
    assert!(certificate.verify_signature(ty, &stranger.public_key()).is_err());
}

#[test]
fn bad_values_are_refused_with_the_attribute_named() {
    let mut rng = StdRng::seed_from_u64(3);
    let key = IssuerKey::generate(&mut rng, "110000-psb", "k1").unwrap();
    let ty = Catalogue::built_in()
        .unwrap()
        .get("cn.driving-licence/1")
        .unwrap();

    let mut missing = request(ty);
    missing.attributes.remove("birth_date");
    assert_eq!(
        issue(ty, &key, &missing).unwrap_err(),
        Error::Credential(CredentialError::MissingAttribute("birth_date".into()))
    );

    let mut extra = request(ty);
    extra.attributes.insert("blood_type".into(), json!("A"));
    assert!(matches!(
        issue(ty, &key, &extra),
        Err(Error::Credential(CredentialError::UnknownAttribute { .. }))
    ));

    let mut wrong_type = request(ty);
    wrong_type.attributes.insert("birth_date".into(), json!(19900307));
    assert!(matches!(
        issue(ty, &key, &wrong_type),
        Err(Error::Credential(CredentialError::InvalidValue { ref name, .. })) if name == "birth_date"
    ));

    let mut backwards = request(ty);
    backwards.valid_until = parse_date("2025-01-01").unwrap();
    assert_eq!(issue(ty, &key, &backwards).unwrap_err(), Error::InvalidValidity);
}

#[test]
fn rotation_names_the_new_key_and_old_certificates_still_verify() {
    let mut rng = StdRng::seed_from_u64(4);
    let k1 = IssuerKey::generate(&mut rng, "440000-traffic", "2026-k1").unwrap();
    let ty = Catalogue::built_in()
        .unwrap()
        .get("cn.driving-licence/1")
        .unwrap();
    let old = issue(ty, &k1, &request(ty)).unwrap();
    assert_eq!(
        k1.rotate(&mut rng, "2026-k1").unwrap_err(),
        Error::KeyIdReused("2026-k1".into())
    );
    let k2 = k1.rotate(&mut rng, "2026-k2").unwrap();
    let new = issue(ty, &k2, &request(ty)).unwrap();
    assert_eq!((old.key_id.as_str(), new.key_id.as_str()), ("2026-k1", "2026-k2"));
    old.verify_signature(ty, &k1.public_key()).unwrap();
    new.verify_signature(ty, &k2.public_key()).unwrap();
    assert!(old.verify_signature(ty, &k2.public_key()).is_err());
    // A key stored as bytes loads back to the same key.
    let reloaded =
        IssuerKey::from_secret_bytes(k2.issuer(), k2.key_id(), k2.secret_bytes().as_slice()).unwrap();
    assert_eq!(reloaded.public_key(), k2.public_key());
    assert!(!format!("{k2:?}").contains(&ecert_credential::encode_b64(k2.secret_bytes().as_slice())));
}
