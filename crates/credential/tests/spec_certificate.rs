//! The certificate format document, specs/certificate.md, against the code: its example issuer key pair is
//! the one its secret derives, its example driving licence parses and verifies under that key, the header
//! and messages it lists are the ones the code computes, re-signing reproduces the signature byte for byte,
//! and changing any attribute, claim, system field or header field of the example breaks the signature.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::path::PathBuf;

use ecert_bbs::{PublicKey, SecretKey};
use ecert_credential::{
    Catalogue, Certificate, CertificateType, Error, certificate_interface, decode_b64, encode_b64, parse_date,
};
use serde_json::{Map, Value, json};
use sha2::Digest as _;

const TYPE_ID: &str = "cn.driving-licence/1";

fn spec() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/certificate.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The body of the one fenced block of `doc` whose opening line is "```" followed by `info`.
fn block(doc: &str, info: &str) -> String {
    let opening = format!("```{info}");
    let openings = doc.lines().filter(|l| l.trim_end() == opening).count();
    assert_eq!(
        openings, 1,
        "specs/certificate.md should have exactly one {opening} block"
    );
    let mut lines = doc.lines().skip_while(|l| l.trim_end() != opening).skip(1);
    let mut body = Vec::new();
    for line in lines.by_ref() {
        if line.trim_end() == "```" {
            return body.join("\n");
        }
        body.push(line);
    }
    panic!("the {opening} block of specs/certificate.md is not closed");
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.is_ascii() && text.len() % 2 == 0, "not hex: {text:?}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_else(|_| panic!("not hex: {text:?}")))
        .collect()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The example of the document: the issuer key block, the secret key it gives, its public key, the
/// certificate and its type.
struct Example {
    key: Value,
    secret: SecretKey,
    public: PublicKey,
    certificate: Certificate,
    ty: &'static CertificateType,
}

fn example() -> Example {
    let doc = spec();
    let key: Value = serde_json::from_str(&block(&doc, "json issuer-key")).unwrap();
    let secret = SecretKey::from_bytes(&hex(key["secret_key"].as_str().unwrap())).unwrap();
    let public = PublicKey::from_bytes(&decode_b64(key["public_key"].as_str().unwrap()).unwrap()).unwrap();
    let certificate = Certificate::from_json(&block(&doc, "json certificate")).unwrap();
    let ty = Catalogue::built_in().unwrap().get(TYPE_ID).unwrap();
    Example {
        key,
        secret,
        public,
        certificate,
        ty,
    }
}

fn verification_failed() -> Result<(), Error> {
    Err(Error::Bbs(ecert_bbs::Error::VerificationFailed))
}

#[test]
fn the_example_public_key_is_the_secret_keys() {
    let ex = example();
    assert_eq!(ex.secret.public_key(), ex.public);
    assert_eq!(ex.secret.to_bytes().to_vec(), (1u8..=32).collect::<Vec<u8>>());
    assert_eq!(ex.key["issuer"], json!(ex.certificate.issuer));
    assert_eq!(ex.key["key_id"], json!(ex.certificate.key_id));
}

#[test]
fn the_example_certificate_verifies() {
    let ex = example();
    assert_eq!(ex.certificate.type_id.as_str(), TYPE_ID);
    assert_eq!(ex.certificate.issuer, "440000-traffic-police");
    assert_eq!(ex.certificate.key_id, "2026-k1");
    ex.certificate.verify_signature(ex.ty, &ex.public).unwrap();

    // The claims are those of the birth date on valid_from (spec §7).
    let (values, claims) = ex.certificate.content(ex.ty).unwrap();
    assert_eq!(
        ex.ty.derive_claims(&values, ex.certificate.valid_from).unwrap(),
        claims
    );

    // Another key does not verify it.
    let other = SecretKey::from_bytes(&[7u8; 32]).unwrap().public_key();
    assert_eq!(
        ex.certificate.verify_signature(ex.ty, &other),
        verification_failed()
    );
}

#[test]
fn the_listed_header_and_messages_are_the_codes_and_signing_them_again_gives_the_signature() {
    let ex = example();
    let listed: Value = serde_json::from_str(&block(&spec(), "json messages")).unwrap();
    assert_eq!(
        listed["header"],
        json!(to_hex(&ex.certificate.header(ex.ty).unwrap()))
    );
    assert_eq!(listed["schema_digest"], json!(to_hex(ex.ty.schema_digest())));
    // The digest is SHA-256 of the schema file's canonical form (RFC 8785), as the text says.
    let schema_file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/schemas/cn.driving-licence@1.json");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(schema_file).unwrap()).unwrap();
    let canonical = ecert_credential::canonical_json(&document).unwrap();
    assert_eq!(canonical.len(), 2326);
    assert_eq!(
        sha2::Sha256::digest(&canonical).as_slice(),
        ex.ty.schema_digest().as_slice()
    );
    assert!(
        ex.certificate
            .header(ex.ty)
            .unwrap()
            .ends_with(&[&[0x00, 0x20][..], ex.ty.schema_digest()].concat()),
        "the digest is the header's fifth field"
    );

    let interface = certificate_interface().unwrap();
    assert_eq!(
        interface.api_id(),
        b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT1_".as_slice()
    );
    let messages = ex.certificate.messages(ex.ty, &interface).unwrap();
    assert_eq!(
        messages.len(),
        5 + ex.ty.attributes.len() + ex.ty.derived_claims.len()
    );
    let computed: Vec<Value> = messages.iter().map(|m| json!(to_hex(&m.to_be_bytes()))).collect();
    assert_eq!(listed["messages"], Value::Array(computed));

    let signature = interface
        .core_sign(
            &ex.secret,
            &ex.public,
            &ex.certificate.header(ex.ty).unwrap(),
            &messages,
        )
        .unwrap();
    assert_eq!(signature, ex.certificate.signature, "signing is deterministic");
}

#[test]
fn changing_any_attribute_breaks_the_signature() {
    let ex = example();
    // Another valid value for every attribute, so that what fails is the signature, not the type check.
    let others = json!({
        "name": "李萍",
        "sex": "male",
        "nationality": "新加坡",
        "address": "广东省广州市天河区示例路89号",
        "birth_date": "1990-03-08",
        "id_number": "440106199003070036",
        "licence_class": "C2",
        "first_issue_date": "2010-07-16",
        "issuing_region": "440300",
        "points_deducted": 4,
        "photo_digest": encode_b64(&[0u8; 32]),
    });
    let others: &Map<String, Value> = others.as_object().unwrap();
    let names: Vec<&str> = ex.ty.attributes.iter().map(|a| a.name.as_str()).collect();
    let mut listed: Vec<&str> = others.keys().map(String::as_str).collect();
    let mut expected = names.clone();
    listed.sort_unstable();
    expected.sort_unstable();
    assert_eq!(
        listed, expected,
        "one replacement value per attribute of {TYPE_ID}"
    );

    for name in names {
        let other = &others[name];
        assert_ne!(&ex.certificate.attributes[name], other, "{name}");
        let (_, spec) = ex.ty.attribute(name).unwrap();
        spec.parse_value(other)
            .unwrap_or_else(|e| panic!("{name}: the replacement is not a valid value: {e}"));
        let mut changed = ex.certificate.clone();
        changed.attributes.insert(name.to_owned(), other.clone());
        assert_eq!(
            changed.verify_signature(ex.ty, &ex.public),
            verification_failed(),
            "changing {name} should break the signature"
        );
    }
}

/// What is changed, and how.
type Change = (&'static str, fn(&mut Certificate));

#[test]
fn changing_a_claim_a_system_field_or_a_header_field_breaks_the_signature() {
    let ex = example();
    let changes: [Change; 9] = [
        ("claim age_over_18", |c| {
            c.claims.insert("age_over_18".into(), false);
        }),
        ("claim age_over_21", |c| {
            c.claims.insert("age_over_21".into(), false);
        }),
        ("valid_from", |c| c.valid_from = parse_date("2026-03-03").unwrap()),
        ("valid_until", |c| {
            c.valid_until = parse_date("2036-03-01").unwrap()
        }),
        ("status list", |c| c.status.list = "dl-2026-04".into()),
        ("status index", |c| c.status.index += 1),
        ("serial", |c| c.serial = "440100-2026-0004712".into()),
        ("issuer", |c| c.issuer = "110000-traffic-police".into()),
        ("key id", |c| c.key_id = "2026-k2".into()),
    ];
    for (what, change) in changes {
        let mut changed = ex.certificate.clone();
        change(&mut changed);
        assert_ne!(changed, ex.certificate, "{what}");
        let outcome = changed.verify_signature(ex.ty, &ex.public);
        if what.starts_with("claim") {
            // A claim that no longer follows from the birth date is caught before the signature check.
            assert!(
                matches!(outcome, Err(ecert_credential::Error::Malformed(_))),
                "changing the {what}: {outcome:?}"
            );
        } else {
            assert_eq!(
                outcome,
                verification_failed(),
                "changing the {what} should break the signature"
            );
        }
    }

    // A different format or type is refused before any signature check.
    let mut changed = ex.certificate.clone();
    changed.format = "ecert-certificate/2".into();
    assert!(matches!(
        changed.verify_signature(ex.ty, &ex.public),
        Err(Error::Malformed(_))
    ));
    let resident_id = Catalogue::built_in()
        .unwrap()
        .get("cn.resident-id-card/1")
        .unwrap();
    assert!(matches!(
        ex.certificate.verify_signature(resident_id, &ex.public),
        Err(Error::Malformed(_))
    ));
}

/// The example's schema with one change: what another catalogue might hold under the same type id.
fn altered_schema(change: impl FnOnce(&mut Value)) -> CertificateType {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/schemas/cn.driving-licence@1.json");
    let mut document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    change(&mut document);
    CertificateType::from_json(&document.to_string()).unwrap()
}

type SchemaChange = Box<dyn FnOnce(&mut Value)>;

#[test]
fn a_catalogue_that_disagrees_on_the_schema_does_not_verify_the_certificate() {
    let ex = example();
    // The same type id, each time one difference a verifier's catalogue could have from the issuer's.
    let changes: Vec<(&str, SchemaChange)> = vec![
        (
            "an attribute's constraint",
            Box::new(|d: &mut Value| d["attributes"][0]["max_length"] = json!(65)),
        ),
        (
            "an attribute's description",
            Box::new(|d: &mut Value| d["attributes"][0]["description"] = json!("Name")),
        ),
        (
            "a claim's age",
            Box::new(|d: &mut Value| d["derived_claims"][1]["years"] = json!(20)),
        ),
        (
            "two attributes' names swapped",
            Box::new(|d: &mut Value| {
                let first = d["attributes"][2]["name"].clone();
                d["attributes"][2]["name"] = d["attributes"][3]["name"].clone();
                d["attributes"][3]["name"] = first;
            }),
        ),
    ];
    for (what, change) in changes {
        let other = altered_schema(change);
        assert_eq!(other.id, ex.ty.id);
        assert_ne!(other.schema_digest(), ex.ty.schema_digest(), "{what}");
        assert_ne!(
            ecert_credential::certificate_header(&other, &ex.certificate.issuer, &ex.certificate.key_id)
                .unwrap(),
            ex.certificate.header(ex.ty).unwrap(),
            "{what}"
        );
        assert_eq!(
            ex.certificate.verify_signature(&other, &ex.public),
            verification_failed(),
            "{what}: a catalogue holding another schema under the same id refuses the certificate"
        );
    }
    // Member order and whitespace are not part of the schema: the canonical form is the same.
    let reordered = altered_schema(|d| {
        let attributes = d["attributes"].take();
        d.as_object_mut().unwrap().remove("attributes");
        d["attributes"] = attributes;
    });
    assert_eq!(reordered.schema_digest(), ex.ty.schema_digest());
    ex.certificate.verify_signature(&reordered, &ex.public).unwrap();
}

#[test]
fn debug_prints_no_attribute_or_claim_value() {
    let ex = example();
    let printed = format!("{:?} {:#?}", ex.certificate, ex.certificate);
    for (name, value) in &ex.certificate.attributes {
        assert!(
            printed.contains(name.as_str()),
            "the attribute's name is shown: {name}"
        );
        // As Debug would print it: a quoted string, or a number after a field name.
        let value = match value {
            Value::String(text) => format!("{text:?}"),
            other => format!(": {other}"),
        };
        assert!(
            !printed.contains(&value),
            "{name}'s value {value:?} is printed: {printed}"
        );
    }
    assert!(!printed.contains("true"), "claim values are withheld: {printed}");
    let (values, _) = ex.certificate.content(ex.ty).unwrap();
    let printed = format!("{values:?}");
    assert!(
        !printed.contains("李华") && !printed.contains("1990"),
        "{printed}"
    );
    assert!(printed.starts_with("[String(_), Enum(_),"), "{printed}");
}
