//! The regulators' audit finds each planted anomaly, and only those: several active keys for one issuer,
//! a backdated key, an overbroad purpose, an out-of-order entry, a duplicated entry, a rule violation;
//! tree heads are checked against each other, key histories listed, replays compared.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::path::PathBuf;

use ecert_bbs::{Bls12381Sha256, SecretKey};
use ecert_credential::encode_b64;
use ecert_registry::{
    Anomaly, AuditPolicy, Entry, KeyState, LogSigner, MemoryStore, Registry, audit, check_heads, key_history,
    state_matches,
};
use rand::SeedableRng;
use serde_json::json;

const T0: i64 = 1_795_867_200; // 2026-11-28

fn schema(file: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/schemas")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn key(at: i64, key_id: &str, seed: u8, not_before: &str) -> Entry {
    let sk = SecretKey::key_gen::<Bls12381Sha256>(&[seed; 32], b"", None).unwrap();
    Entry::KeyPublished {
        at,
        issuer: "440000-traffic".into(),
        key_id: key_id.into(),
        suite: "BLS12-381-SHA-256".into(),
        public_key: encode_b64(&sk.public_key().to_bytes()),
        not_before: not_before.into(),
        not_after: "2030-12-31".into(),
    }
}

fn verifier(id: &str, attributes: &[&str]) -> Entry {
    Entry::VerifierRegistered {
        at: T0 + 10,
        verifier: json!({
            "id": id, "name": id, "region": "110105",
            "purposes": [{"id": "check", "description": "d", "legal_basis": "b",
                "allowed": [{"type": "cn.driving-licence/1", "attributes": attributes, "claims": []}]}]
        }),
    }
}

/// A clean log: one type, one issuer with one key published before it takes effect, a modest verifier.
fn clean() -> Vec<Entry> {
    vec![
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
        key(T0 + 3, "k1", 1, "2026-12-01"),
        verifier("110105-car-rental", &["licence_class"]),
    ]
}

#[test]
fn a_clean_log_has_no_anomalies() {
    let report = audit(&clean(), AuditPolicy::default()).unwrap();
    assert_eq!(report.anomalies, vec![]);
    assert_eq!(report.state.entries, 5);
}

#[test]
fn the_audit_finds_each_planted_anomaly() {
    let mut entries = clean();
    // 5: a second active key with overlapping validity, backdated a year before its publication.
    entries.push(key(T0 + 20, "k2", 2, "2025-11-01"));
    // 6: a purpose asking for the licence holder's ID number (sensitivity 4).
    entries.push(verifier("110106-greedy", &["licence_class", "id_number"]));
    // 7: an entry earlier than the one before it.
    entries.push(Entry::KeyStatusChanged {
        at: T0 + 5,
        issuer: "440000-traffic".into(),
        key_id: "k1".into(),
        status: "retired".into(),
        reason: None,
    });
    // 8: the same retirement again, byte for byte (also a rule violation: already retired).
    entries.push(entries[7].clone());
    let report = audit(&entries, AuditPolicy::default()).unwrap();
    let found = &report.anomalies;
    assert!(found.contains(&Anomaly::OutOfOrder { index: 7 }), "{found:?}");
    assert!(
        found.contains(&Anomaly::Duplicate { index: 8, first: 7 }),
        "{found:?}"
    );
    assert!(
        found.iter().any(
            |a| matches!(a, Anomaly::RuleViolation { index: 8, reason } if reason.contains("already retired"))
        ),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|a| matches!(a, Anomaly::BackdatedKey { key_id, .. } if key_id == "k2")),
        "{found:?}"
    );
    assert!(
        found.iter().any(
            |a| matches!(a, Anomaly::OverbroadPurpose { verifier, attribute, sensitivity: 4, .. }
            if verifier == "110106-greedy" && attribute == "id_number")
        ),
        "{found:?}"
    );
    // k1 was retired by entry 7, so only k2 is active at the end: no several-keys anomaly now...
    assert!(
        !found
            .iter()
            .any(|a| matches!(a, Anomaly::SeveralActiveKeys { .. })),
        "{found:?}"
    );
    // ...but without the retirement both are active and overlap.
    let report = audit(&entries[..7], AuditPolicy::default()).unwrap();
    assert!(report.anomalies.contains(&Anomaly::SeveralActiveKeys {
        issuer: "440000-traffic".into(),
        key_ids: vec!["k1".into(), "k2".into()],
    }));
    // A laxer policy accepts the ID number.
    let lax = audit(
        &entries,
        AuditPolicy {
            max_purpose_sensitivity: 4,
        },
    )
    .unwrap();
    assert!(
        !lax.anomalies
            .iter()
            .any(|a| matches!(a, Anomaly::OverbroadPurpose { .. }))
    );
}

#[test]
fn heads_are_checked_against_each_other_and_histories_listed() {
    let signer = LogSigner::generate(&mut rand::rngs::StdRng::seed_from_u64(3));
    let mut registry = Registry::new(MemoryStore::default()).unwrap();
    for entry in clean() {
        registry.append(&entry).unwrap();
    }
    let older = registry.tree_head(&signer, T0 + 100).unwrap();
    registry.append(&key(T0 + 200, "k2", 2, "2027-01-01")).unwrap();
    registry
        .append(&Entry::KeyStatusChanged {
            at: T0 + 300,
            issuer: "440000-traffic".into(),
            key_id: "k1".into(),
            status: "revoked".into(),
            reason: Some("compromise".into()),
        })
        .unwrap();
    let newer = registry.tree_head(&signer, T0 + 400).unwrap();
    let proof = registry.log().consistency_proof(older.size, newer.size).unwrap();
    check_heads(&signer.verifying_key(), &older, &newer, &proof).unwrap();
    // A forked history (a different entry at the same position) fails the check.
    let mut forked = Registry::new(MemoryStore::default()).unwrap();
    let mut entries = clean();
    entries[3] = key(T0 + 3, "k1", 9, "2026-12-01");
    for entry in &entries {
        forked.append(entry).unwrap();
    }
    forked.append(&key(T0 + 200, "k2", 2, "2027-01-01")).unwrap();
    let forked_head = forked.tree_head(&signer, T0 + 400).unwrap();
    let forked_proof = forked
        .log()
        .consistency_proof(older.size, forked_head.size)
        .unwrap();
    assert!(check_heads(&signer.verifying_key(), &older, &forked_head, &forked_proof).is_err());
    // Key history, in order, with times.
    let history = key_history(registry.state(), "440000-traffic").unwrap();
    assert_eq!(
        history.iter().map(|k| k.key_id.as_str()).collect::<Vec<_>>(),
        ["k1", "k2"]
    );
    assert_eq!(
        history[0].state,
        KeyState::Revoked {
            at: T0 + 300,
            reason: "compromise".into()
        }
    );
    assert_eq!(history[1].published_at, T0 + 200);
    // The served state is the one the log replays to; a tampered view is not.
    assert!(state_matches(registry.entries(), &registry.state().view()).unwrap());
    let mut tampered = registry.state().view();
    tampered
        .issuers
        .get_mut("440000-traffic")
        .unwrap()
        .authorised_types
        .clear();
    assert!(!state_matches(registry.entries(), &tampered).unwrap());
}
