//! The registry's rules and state: well-formed, authorised changes enter the log; every refused one
//! leaves log and state untouched with a clear reason; the state is a deterministic fold, so replaying
//! the entries (100,000 of them too) reproduces it; entries have exactly one canonical encoding.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::path::PathBuf;

use ecert_bbs::{Bls12381Sha256, SecretKey};
use ecert_credential::{KeyStatus, encode_b64};
use ecert_registry::{Entry, Error, MemoryStore, Registry, RegistryState};
use serde_json::json;

const T0: i64 = 1_795_867_200;

fn schema(file: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/schemas")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn public_key(seed: u8) -> String {
    let sk = SecretKey::key_gen::<Bls12381Sha256>(&[seed; 32], b"", None).unwrap();
    encode_b64(&sk.public_key().to_bytes())
}

fn key(at: i64, issuer: &str, key_id: &str, seed: u8) -> Entry {
    Entry::KeyPublished {
        at,
        issuer: issuer.into(),
        key_id: key_id.into(),
        suite: "BLS12-381-SHA-256".into(),
        public_key: public_key(seed),
        not_before: "2026-01-01".into(),
        not_after: "2030-12-31".into(),
    }
}

fn status(at: i64, key_id: &str, status: &str, reason: Option<&str>) -> Entry {
    Entry::KeyStatusChanged {
        at,
        issuer: "440000-traffic".into(),
        key_id: key_id.into(),
        status: status.into(),
        reason: reason.map(Into::into),
    }
}

fn car_rental(attributes: &[&str]) -> Entry {
    verifier("110105-car-rental", attributes)
}

fn verifier(id: &str, attributes: &[&str]) -> Entry {
    Entry::VerifierRegistered {
        at: T0 + 10,
        verifier: json!({
            "id": id, "name": "Chaoyang Car Rental Desk", "region": "110105",
            "purposes": [{
                "id": "rent-a-car", "description": "Check a licence", "legal_basis": "example",
                "allowed": [{"type": "cn.driving-licence/1", "attributes": attributes, "claims": ["age_over_18"]}]
            }]
        }),
    }
}

fn populated() -> (Registry<MemoryStore>, Vec<Entry>) {
    let entries = vec![
        Entry::TypeRegistered {
            at: T0,
            schema: schema("cn.driving-licence@1.json"),
        },
        Entry::IssuerRegistered {
            at: T0 + 1,
            id: "440000-traffic".into(),
            name: "Guangdong Traffic Police".into(),
            region: "440000".into(),
            department: "traffic police".into(),
        },
        Entry::IssuerAuthorised {
            at: T0 + 2,
            issuer: "440000-traffic".into(),
            type_id: "cn.driving-licence/1".into(),
        },
        key(T0 + 3, "440000-traffic", "k1", 1),
        car_rental(&["licence_class"]),
    ];
    let mut registry = Registry::new(MemoryStore::default()).unwrap();
    for entry in &entries {
        registry.append(entry).unwrap();
    }
    (registry, entries)
}

#[test]
fn the_state_is_a_fold_over_the_entries_and_gives_the_view() {
    let (registry, entries) = populated();
    assert_eq!(registry.log().size(), entries.len() as u64);
    let replayed = RegistryState::replay(&entries).unwrap();
    assert_eq!(replayed.view(), registry.state().view());
    let view = registry.state().view();
    assert!(view.authorises(
        "440000-traffic",
        &ecert_credential::TypeId::new("cn.driving-licence/1").unwrap()
    ));
    assert_eq!(
        view.key("440000-traffic", "k1").unwrap().status,
        KeyStatus::Active
    );
    assert_eq!(view.verifiers["110105-car-rental"].purposes[0].id, "rent-a-car");
}

#[test]
fn refused_entries_change_nothing_and_say_why() {
    let (mut registry, _) = populated();
    let refused: Vec<(Entry, &str)> = vec![
        (key(T0 + 20, "999999-nobody", "k1", 2), "unknown issuer"),
        (key(T0 + 20, "440000-traffic", "k1", 2), "never reused"),
        (
            verifier("110106-greedy", &["licence_class", "blood_type"]),
            "unknown attribute blood_type",
        ),
        (car_rental(&["licence_class"]), "already registered"),
        (
            Entry::IssuerAuthorised {
                at: T0 + 20,
                issuer: "440000-traffic".into(),
                type_id: "cn.unknown/1".into(),
            },
            "not in the catalogue",
        ),
        (
            Entry::IssuerRegistered {
                at: T0 + 20,
                id: "440000-traffic".into(),
                name: "again".into(),
                region: "440000".into(),
                department: "x".into(),
            },
            "already registered",
        ),
        (status(T0 - 1, "k1", "retired", None), "earlier than the previous"),
        (status(T0 + 20, "k1", "revoked", None), "needs a reason"),
        (status(T0 + 20, "k9", "retired", None), "no key k9"),
        (
            Entry::TypeRegistered {
                at: T0 + 20,
                schema: schema("cn.driving-licence@1.json"),
            },
            "already registered",
        ),
    ];
    for (entry, reason) in refused {
        let (size, root) = (registry.log().size(), registry.root().unwrap());
        let before = registry.state().view();
        let error = registry.append(&entry).unwrap_err();
        assert!(
            matches!(&error, Error::Rule(text) if text.contains(reason)),
            "expected {reason:?}, got {error}"
        );
        assert_eq!((registry.log().size(), registry.root().unwrap()), (size, root));
        assert_eq!(registry.state().view(), before);
    }
    // Revocation is final.
    registry
        .append(&status(T0 + 30, "k1", "revoked", Some("compromise")))
        .unwrap();
    for back in [
        status(T0 + 31, "k1", "retired", None),
        status(T0 + 31, "k1", "revoked", Some("again")),
    ] {
        let error = registry.append(&back).unwrap_err();
        assert!(error.to_string().contains("revocation is final"), "{error}");
    }
    assert_eq!(
        registry
            .state()
            .view()
            .key("440000-traffic", "k1")
            .unwrap()
            .status,
        KeyStatus::Revoked {
            reason: "compromise".into()
        }
    );
}

#[test]
fn entries_have_one_canonical_encoding() {
    let (_, entries) = populated();
    for entry in &entries {
        let bytes = entry.canonical_bytes().unwrap();
        assert_eq!(&Entry::from_canonical_bytes(&bytes).unwrap(), entry);
        let pretty =
            serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()).unwrap();
        assert!(
            Entry::from_canonical_bytes(&pretty).is_err(),
            "whitespace is not canonical"
        );
    }
    let text = String::from_utf8(entries[2].canonical_bytes().unwrap()).unwrap();
    assert_eq!(
        text,
        r#"{"at":1795867202,"issuer":"440000-traffic","kind":"issuer_authorised","type":"cn.driving-licence/1"}"#
    );
}

#[test]
fn replaying_100_000_entries_reproduces_the_state() {
    let (mut registry, mut entries) = populated();
    for i in 0..100_000u64 {
        let entry = Entry::IssuerRegistered {
            at: T0 + 100 + i as i64,
            id: format!("issuer-{i:06}"),
            name: format!("Department {i}"),
            region: "110105".into(),
            department: "test".into(),
        };
        registry.append(&entry).unwrap();
        entries.push(entry);
    }
    let replayed = RegistryState::replay(&entries).unwrap();
    assert_eq!(replayed.entries, registry.state().entries);
    assert_eq!(replayed.view(), registry.state().view());
}

#[test]
fn tree_heads_are_signed_and_any_change_fails() {
    use ecert_registry::{LogSigner, SignedTreeHead};
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let signer = LogSigner::generate(&mut rng);
    let (registry, _) = populated();
    let head = registry.tree_head(&signer, T0 + 100).unwrap();
    assert_eq!(
        head.verify(&signer.verifying_key()).unwrap(),
        registry.root().unwrap()
    );
    let json = serde_json::to_string(&head).unwrap();
    assert_eq!(serde_json::from_str::<SignedTreeHead>(&json).unwrap(), head);
    let other = LogSigner::generate(&mut rng);
    assert_eq!(head.verify(&other.verifying_key()), Err(Error::BadSignature));
    let mut changes = vec![head.clone(), head.clone(), head.clone(), head.clone()];
    changes[0].size += 1;
    changes[1].timestamp += 1;
    changes[2].root = encode_b64(&[7u8; 32]);
    changes[3].signature = encode_b64(&[0u8; 64]);
    for changed in changes {
        assert!(changed.verify(&signer.verifying_key()).is_err(), "{changed:?}");
    }
}

#[test]
fn snapshots_let_an_offline_verifier_check_the_state_against_the_head() {
    use ecert_registry::{LogSigner, Snapshot, verify_consistency};
    use rand::SeedableRng;
    let signer = LogSigner::generate(&mut rand::rngs::StdRng::seed_from_u64(10));
    let (mut registry, _) = populated();
    let old_head = registry.tree_head(&signer, T0 + 100).unwrap();
    registry.append(&status(T0 + 200, "k1", "retired", None)).unwrap();
    let snapshot = registry.snapshot(&signer, T0 + 300).unwrap();

    // Through JSON, as a verifier downloads it.
    let snapshot: Snapshot = serde_json::from_str(&serde_json::to_string(&snapshot).unwrap()).unwrap();
    let state = snapshot.verify(&signer.verifying_key()).unwrap();
    assert_eq!(state.view(), registry.state().view());
    assert_eq!(
        state.view().key("440000-traffic", "k1").unwrap().status,
        KeyStatus::Retired { at: T0 + 200 },
        "the view publishes when the key was retired"
    );

    // The newer head is consistent with the older one.
    let old_root = old_head.verify(&signer.verifying_key()).unwrap();
    let new_root = snapshot.tree_head.verify(&signer.verifying_key()).unwrap();
    let proof = registry
        .log()
        .consistency_proof(old_head.size, snapshot.tree_head.size)
        .unwrap();
    verify_consistency(
        old_head.size,
        snapshot.tree_head.size,
        &old_root,
        &new_root,
        &proof,
    )
    .unwrap();

    // A snapshot whose entries differ from what the head signs is refused.
    let mut altered = snapshot.clone();
    altered.entries[3] = key(T0 + 3, "440000-traffic", "k1", 99);
    assert!(altered.verify(&signer.verifying_key()).is_err());
    let mut truncated = snapshot.clone();
    truncated.entries.pop();
    assert!(truncated.verify(&signer.verifying_key()).is_err());
    let mut reordered = snapshot;
    reordered.entries.swap(1, 2);
    assert!(reordered.verify(&signer.verifying_key()).is_err());
}

#[test]
fn names_and_texts_in_the_log_are_bounded_and_printable() {
    let (mut registry, _) = populated();
    let size = registry.log().size();
    let issuer = |name: &str, department: &str| Entry::IssuerRegistered {
        at: T0 + 20,
        id: "110000-police".into(),
        name: name.into(),
        region: "110000".into(),
        department: department.into(),
    };
    let verifier_with = |name: &str, description: &str, purpose_id: &str| Entry::VerifierRegistered {
        at: T0 + 20,
        verifier: json!({
            "id": "310000-bank", "name": name, "region": "310000",
            "purposes": [{
                "id": purpose_id, "description": description, "legal_basis": "example",
                "allowed": [{"type": "cn.driving-licence/1", "attributes": [], "claims": ["age_over_18"]}]
            }]
        }),
    };
    let long_name = "名".repeat(201);
    let long_description = "x".repeat(2001);
    for (entry, rule) in [
        (issuer(&long_name, "police"), "name is longer than 200 characters"),
        (issuer("", "police"), "name is empty"),
        (issuer("Beijing\u{202E}Police", "police"), "U+202E"),
        (
            issuer("Beijing Police", "line\nbreak"),
            "department holds the character U+000A",
        ),
        (issuer("Beijing Police ", "police"), "white space"),
        (verifier_with(&long_name, "d", "p"), "name is longer than 200"),
        (
            verifier_with("Bank", &long_description, "p"),
            "description is longer than 2000",
        ),
        (verifier_with("Bank", "d", "has space"), "printable ASCII"),
        (
            status(T0 + 20, "k1", "revoked", Some("\u{0}")),
            "reason holds the character U+0000",
        ),
    ] {
        let error = registry.append(&entry).unwrap_err().to_string();
        assert!(error.contains(rule), "{rule}: {error}");
        assert!(!error.contains(&long_name) && !error.contains(&long_description));
    }
    assert_eq!(registry.log().size(), size, "nothing was appended");

    // At the limits, and in Chinese, they are accepted.
    registry
        .append(&issuer(&"名".repeat(200), "北京市公安局"))
        .unwrap();
    registry
        .append(&verifier_with("银行", &"x".repeat(2000), "open-account"))
        .unwrap();
}

#[test]
fn a_verifier_registering_a_purpose_or_a_type_twice_is_refused() {
    let (mut registry, _) = populated();
    let purpose = json!({
        "id": "p", "description": "d", "legal_basis": "l",
        "allowed": [{"type": "cn.driving-licence/1", "attributes": [], "claims": []}]
    });
    let twice = Entry::VerifierRegistered {
        at: T0 + 20,
        verifier: json!({"id": "v", "name": "V", "region": "310000", "purposes": [purpose.clone(), purpose]}),
    };
    assert!(
        registry
            .append(&twice)
            .unwrap_err()
            .to_string()
            .contains("purpose p twice")
    );
    let grant = json!({"type": "cn.driving-licence/1", "attributes": [], "claims": []});
    let type_twice = Entry::VerifierRegistered {
        at: T0 + 20,
        verifier: json!({"id": "v", "name": "V", "region": "310000", "purposes": [
            {"id": "p", "description": "d", "legal_basis": "l", "allowed": [grant.clone(), grant]}
        ]}),
    };
    assert!(
        registry
            .append(&type_twice)
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
    let bad_region = Entry::VerifierRegistered {
        at: T0 + 20,
        verifier: json!({"id": "v", "name": "V", "region": "31", "purposes": []}),
    };
    assert!(
        registry
            .append(&bad_region)
            .unwrap_err()
            .to_string()
            .contains("six-digit")
    );
}
