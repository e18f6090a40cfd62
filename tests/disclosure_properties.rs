//! Property: for random certificates of every catalogue type and random choices of what to disclose, the
//! presentation verifies and the verifier learns exactly the disclosed values, as issued, and nothing else.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_credential::{AttributeKind, CertificateType, Purpose, RequestItem, VerifierRecord, encode_b64};
use ecert_sample::world::{NOW, World, grant};
use ecert_verifier::{build_request, verify};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value, json};

/// A valid value for `spec`, varied by `seed` where the type allows (patterned strings use known values).
fn value_for(ty: &CertificateType, name: &str, seed: u64) -> Value {
    let (_, spec) = ty.attribute(name).unwrap();
    let candidates: Vec<Value> = match &spec.kind {
        AttributeKind::String { pattern: None, .. } => vec![json!(format!(
            "v{} {}",
            seed % 100_000,
            &name[..name.len().min(8)]
        ))],
        AttributeKind::String { .. } => [
            "110105199003078882",
            "C1",
            "10005",
            "91110105MA01ABCD2X",
            "A123456789",
            "4-01-02-03",
            "pension,medical",
            "110105001001GB00001F00010001",
            "SN123456",
        ]
        .iter()
        .map(|s| json!(s))
        .collect(),
        AttributeKind::Date { .. } => {
            let day = 1 + seed % 28;
            let year = 1950 + seed % 60;
            vec![
                json!(format!("{year}-{:02}-{day:02}", 1 + seed % 12)),
                json!("2000-01-01"),
            ]
        }
        AttributeKind::Integer { min, max } => {
            let (lo, hi) = (min.unwrap_or(0), max.unwrap_or(1_000_000));
            vec![json!(lo + (seed as i64).rem_euclid(hi - lo + 1))]
        }
        AttributeKind::Boolean => vec![json!(seed % 2 == 0)],
        AttributeKind::Enum { values } => vec![json!(values[seed as usize % values.len()])],
        AttributeKind::Region => vec![json!(["110105", "440106", "310115", "510104"][seed as usize % 4])],
        AttributeKind::Bytes { length, .. } => {
            vec![json!(encode_b64(&vec![seed as u8; length.unwrap_or(16)]))]
        }
        _ => vec![],
    };
    candidates
        .into_iter()
        .find(|v| spec.parse_value(v).is_ok())
        .unwrap_or_else(|| panic!("no value for {}.{name}", ty.id))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_verifier_learns_exactly_what_was_disclosed(
        type_pick in any::<Index>(),
        seed in any::<u64>(),
        disclose_mask in any::<u64>(),
        claim_mask in any::<u64>(),
    ) {
        let mut world = World::new();
        let types: Vec<&CertificateType> = world.catalogue.types().collect();
        let ty = types[type_pick.index(types.len())];
        // Any issuer may issue anything in this property; the registry authorises it.
        let issuer = "110000-psb";
        world.registry.issuers.get_mut(issuer).unwrap().authorised_types.push(ty.id.clone());
        let values: Map<String, Value> =
            ty.attributes.iter().enumerate().map(|(i, a)| (a.name.clone(), value_for(ty, &a.name, seed ^ i as u64))).collect();
        let certificate = world.issue(issuer, ty.id.as_str(), Value::Object(values.clone()), 42);
        let mut wallet = ecert_holder::Wallet::new();
        wallet.add(certificate.clone());

        let disclose: Vec<String> =
            ty.attributes.iter().enumerate().filter(|(i, _)| disclose_mask >> (i % 64) & 1 == 1).map(|(_, a)| a.name.clone()).collect();
        // Only claims that hold can be asked (a false one is simply not held).
        let claims: Vec<String> = ty
            .derived_claims
            .iter()
            .enumerate()
            .filter(|(i, c)| claim_mask >> i & 1 == 1 && certificate.claims[&c.name])
            .map(|(_, c)| c.name.clone())
            .collect();
        let all_attributes: Vec<&str> = ty.attributes.iter().map(|a| a.name.as_str()).collect();
        let all_claims: Vec<&str> = ty.derived_claims.iter().map(|c| c.name.as_str()).collect();
        world.registry.verifiers.insert("test-verifier".into(), VerifierRecord {
            id: "test-verifier".into(),
            name: "Test".into(),
            region: "110000".into(),
            purposes: vec![Purpose {
                id: "everything".into(),
                description: "test".into(),
                legal_basis: "test".into(),
                allowed: vec![grant(ty.id.as_str(), &all_attributes, &all_claims)],
            }],
        });
        let item = RequestItem { id: "c".into(), types: vec![ty.id.clone()], issuers: None, disclose: disclose.clone(), claims: claims.clone() };
        let request = build_request(&mut world.rng, "test-verifier", "everything", vec![item], NOW + 60);
        let consent = wallet.prepare(&request, &world.registry, world.catalogue, NOW).unwrap();
        let presentation = wallet.present(&mut world.rng, &request, &consent, &world.registry, world.catalogue).unwrap();
        let verified = verify(&request, &presentation, &world.registry, &world.statuses, world.catalogue, NOW).unwrap();

        let learned = &verified.items[0];
        let mut expected: Map<String, Value> = Map::new();
        for name in &disclose {
            expected.insert(name.clone(), certificate.attributes[name].clone());
        }
        prop_assert_eq!(&learned.disclosed, &expected);
        prop_assert_eq!(learned.claims.keys().cloned().collect::<Vec<_>>(), { let mut c = claims.clone(); c.sort(); c });
        // Nothing else of the certificate is on the wire: every undisclosed string value is absent from
        // the presentation's readable fields (the proof's base64 is random text, left out of the search).
        let mut readable = serde_json::to_value(&presentation).unwrap();
        readable["items"][0].as_object_mut().unwrap().remove("proof");
        let wire = readable.to_string();
        for (name, value) in &certificate.attributes {
            if let Value::String(s) = value {
                let shown_elsewhere = disclose.iter().any(|d| certificate.attributes[d] == *value);
                if !disclose.contains(name) && !shown_elsewhere && s.len() >= 6 {
                    prop_assert!(!wire.contains(&format!("\"{s}\"")), "{} leaked", name);
                }
            }
        }
        prop_assert!(!wire.contains(&certificate.serial));
    }
}
