//! The certificate-type catalogue: every schema in specs/schemas/ loads and follows FORMAT.md, the
//! catalogue compiled into the crate is exactly that folder, and malformed schemas and values are refused
//! with clear errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::path::PathBuf;

use ecert_credential::{
    AttributeKind, AttributeValue, Catalogue, CertificateType, Error, Subject, parse_date,
};
use serde_json::json;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/schemas")
}

#[test]
fn the_catalogue_is_the_schema_folder() {
    let catalogue = Catalogue::built_in().unwrap();
    let mut on_disk = Vec::new();
    for entry in std::fs::read_dir(schema_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let ty = CertificateType::from_json(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // The file is named after the id, with '/' as '@'.
            let expected_name = format!("{}.json", ty.id.as_str().replace('/', "@"));
            assert_eq!(path.file_name().unwrap().to_string_lossy(), expected_name);
            on_disk.push(ty.id.to_string());
        }
    }
    on_disk.sort();
    let built_in: Vec<String> = catalogue.types().map(|t| t.id.to_string()).collect();
    assert_eq!(on_disk, built_in);
}

#[test]
fn the_catalogue_covers_the_certificates_people_and_enterprises_use_most() {
    let catalogue = Catalogue::built_in().unwrap();
    for id in [
        "cn.resident-id-card/1",
        "cn.household-register/1",
        "cn.birth-medical-certificate/1",
        "cn.social-security-card/1",
        "cn.academic-degree/1",
        "cn.vocational-qualification/1",
        "cn.driving-licence/1",
        "cn.marriage-certificate/1",
        "cn.real-estate-title/1",
        "cn.business-licence/1",
        "cn.operating-permit/1",
        "cn.test-certification-report/1",
    ] {
        let ty = catalogue.get(id).unwrap();
        assert!(!ty.attributes.is_empty(), "{id}");
    }
    assert_eq!(
        catalogue.get("cn.business-licence/1").unwrap().subject,
        Subject::Enterprise
    );
    let licence = catalogue.get("cn.driving-licence/1").unwrap();
    assert!(licence.claim("age_over_18").is_some());
    assert!(matches!(
        licence.attribute("birth_date").unwrap().1.kind,
        AttributeKind::Date { .. }
    ));
    assert_eq!(
        catalogue.get("cn.unknown/1").unwrap_err(),
        Error::UnknownType("cn.unknown/1".into())
    );
}

fn minimal(attributes: serde_json::Value, claims: serde_json::Value) -> String {
    json!({
        "id": "test.example/1", "name": "Example", "name_zh": "示例", "subject": "person",
        "issuer_kind": "test", "description": "d", "validity": "v",
        "attributes": attributes, "derived_claims": claims,
    })
    .to_string()
}

#[test]
fn malformed_schemas_are_refused_with_the_reason() {
    let attr = |extra: serde_json::Value| {
        let mut a = json!({"name": "a", "type": "string", "sensitivity": 2, "description": "d"});
        a.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        a
    };
    let cases = [
        (minimal(json!([]), json!([])), "1 to 64 attributes"),
        (
            minimal(json!([attr(json!({"sensitivity": 5}))]), json!([])),
            "sensitivity",
        ),
        (
            minimal(json!([attr(json!({"type": "float"}))]), json!([])),
            "unknown type",
        ),
        (
            minimal(json!([attr(json!({"pattern": "(["}))]), json!([])),
            "bad pattern",
        ),
        (
            minimal(json!([attr(json!({"values": ["x"]}))]), json!([])),
            "values does not apply",
        ),
        (
            minimal(json!([attr(json!({"name": "Name"}))]), json!([])),
            "snake_case",
        ),
        (
            minimal(json!([attr(json!({})), attr(json!({}))]), json!([])),
            "not unique",
        ),
        (
            minimal(
                json!([attr(json!({"type": "enum", "values": ["x", "x"]}))]),
                json!([]),
            ),
            "distinct",
        ),
        (
            minimal(
                json!([attr(json!({}))]),
                json!([{"name": "age_over_18", "from": "a", "rule": "age_at_least", "years": 18, "description": "d"}]),
            ),
            "date attribute",
        ),
        (
            minimal(json!([attr(json!({"colour": "red"}))]), json!([])),
            "unknown field",
        ),
    ];
    for (schema, reason) in cases {
        let error = CertificateType::from_json(&schema).unwrap_err().to_string();
        assert!(error.contains(reason), "expected {reason:?} in {error:?}");
    }
    let bad_id = minimal(json!([attr(json!({}))]), json!([])).replace("test.example/1", "Test/1");
    assert!(
        CertificateType::from_json(&bad_id)
            .unwrap_err()
            .to_string()
            .contains("Test/1")
    );
}

#[test]
fn values_are_checked_against_the_type() {
    let licence = Catalogue::built_in()
        .unwrap()
        .get("cn.driving-licence/1")
        .unwrap();
    let (_, birth_date) = licence.attribute("birth_date").unwrap();
    assert_eq!(
        birth_date.parse_value(&json!("1990-03-07")).unwrap(),
        AttributeValue::Date(parse_date("1990-03-07").unwrap())
    );
    for bad in [
        json!("1990-02-30"),
        json!(19900307),
        json!(null),
        json!("07/03/1990"),
    ] {
        let error = birth_date.parse_value(&bad).unwrap_err();
        assert!(
            matches!(error, Error::InvalidValue { ref name, .. } if name == "birth_date"),
            "{bad}: {error}"
        );
    }
    let (_, region) = licence.attribute("issuing_region").unwrap();
    assert_eq!(
        region.parse_value(&json!("110105")).unwrap(),
        AttributeValue::Region(110105)
    );
    assert!(region.parse_value(&json!("11010")).is_err());

    let mut values = serde_json::Map::new();
    values.insert("birth_date".into(), json!("1990-03-07"));
    assert!(matches!(
        licence.parse_values(&values),
        Err(Error::MissingAttribute(_))
    ));
    values.insert("favourite_colour".into(), json!("red"));
    assert!(matches!(
        licence.parse_values(&values),
        Err(Error::UnknownAttribute { .. })
    ));
}

#[test]
fn age_claims_count_whole_years_on_the_issuance_date() {
    let licence = Catalogue::built_in()
        .unwrap()
        .get("cn.driving-licence/1")
        .unwrap();
    let mut values: Vec<AttributeValue> = Vec::new();
    for spec in &licence.attributes {
        values.push(match spec.name.as_str() {
            "birth_date" => AttributeValue::Date(parse_date("2008-06-15").unwrap()),
            _ => AttributeValue::Boolean(false), // other attributes do not feed the claims
        });
    }
    let (over_18, _) = licence.claim("age_over_18").unwrap();
    let before = licence
        .derive_claims(&values, parse_date("2026-06-14").unwrap())
        .unwrap();
    let on = licence
        .derive_claims(&values, parse_date("2026-06-15").unwrap())
        .unwrap();
    assert!(!before[over_18]);
    assert!(on[over_18]);
}
