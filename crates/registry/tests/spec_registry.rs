//! The example of specs/registry.md: entries, their canonical bytes and leaf hashes, roots, proofs, the
//! signed head and the snapshot they form all check out, and a changed byte anywhere fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::path::PathBuf;

use ecert_credential::{KeyStatus, decode_b64};
use ecert_registry::{
    Entry, Hash, MemoryStore, MerkleLog, SignedTreeHead, Snapshot, VerifyingKey, leaf_hash,
    verify_consistency, verify_inclusion,
};
use serde_json::Value;

fn spec() -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/registry.md"))
        .unwrap()
}

fn block(text: &str, info: &str) -> String {
    let fence = format!("```{info}\n");
    let start = text.find(&fence).unwrap_or_else(|| panic!("no {info} block")) + fence.len();
    let end = start + text[start..].find("```").unwrap();
    text[start..end].to_owned()
}

fn hash(value: &Value) -> Hash {
    decode_b64(value.as_str().unwrap()).unwrap().try_into().unwrap()
}

fn hashes(value: &Value) -> Vec<Hash> {
    value.as_array().unwrap().iter().map(hash).collect()
}

#[test]
fn the_example_log_checks_out() {
    let text = spec();
    let entries: Vec<Entry> = serde_json::from_str(&block(&text, "json entries")).unwrap();
    let canonical_text = block(&text, "text canonical");
    let canonical: Vec<&str> = canonical_text.lines().collect();
    let tree: Value = serde_json::from_str(&block(&text, "json tree")).unwrap();

    let mut log = MerkleLog::open(MemoryStore::default()).unwrap();
    for (i, entry) in entries.iter().enumerate() {
        let bytes = entry.canonical_bytes().unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            canonical[i],
            "canonical bytes of entry {i}"
        );
        assert_eq!(
            Entry::from_canonical_bytes(canonical[i].as_bytes()).unwrap(),
            *entry
        );
        assert_eq!(leaf_hash(&bytes), hash(&tree["leaf_hashes"][i]), "leaf hash {i}");
        log.append(leaf_hash(&bytes)).unwrap();
        assert_eq!(
            log.root(i as u64 + 1).unwrap(),
            hash(&tree["roots"][i]),
            "root of {}",
            i + 1
        );
    }
    let inclusion = &tree["inclusion_proof"];
    let (index, size) = (
        inclusion["leaf_index"].as_u64().unwrap(),
        inclusion["tree_size"].as_u64().unwrap(),
    );
    assert_eq!(
        log.inclusion_proof(index, size).unwrap(),
        hashes(&inclusion["hashes"])
    );
    let root = log.root(size).unwrap();
    verify_inclusion(
        &hash(&tree["leaf_hashes"][index as usize]),
        index,
        size,
        &hashes(&inclusion["hashes"]),
        &root,
    )
    .unwrap();
    let consistency = &tree["consistency_proof"];
    let (old, new) = (
        consistency["old_size"].as_u64().unwrap(),
        consistency["new_size"].as_u64().unwrap(),
    );
    assert_eq!(
        log.consistency_proof(old, new).unwrap(),
        hashes(&consistency["hashes"])
    );
    verify_consistency(
        old,
        new,
        &log.root(old).unwrap(),
        &log.root(new).unwrap(),
        &hashes(&consistency["hashes"]),
    )
    .unwrap();
}

#[test]
fn the_example_head_and_snapshot_verify_and_any_change_fails() {
    let text = spec();
    let entries: Vec<Entry> = serde_json::from_str(&block(&text, "json entries")).unwrap();
    let key: Value = serde_json::from_str(&block(&text, "json registry-key")).unwrap();
    let key_bytes: [u8; 32] = decode_b64(key["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let registry_key = VerifyingKey::from_bytes(&key_bytes).unwrap();
    let head: SignedTreeHead = serde_json::from_str(&block(&text, "json tree-head")).unwrap();
    head.verify(&registry_key).unwrap();

    let snapshot = Snapshot {
        tree_head: head.clone(),
        entries: entries.clone(),
    };
    let state = snapshot.verify(&registry_key).unwrap();
    assert_eq!(
        state
            .view()
            .key("440000-traffic-police", "2026-k1")
            .unwrap()
            .status,
        KeyStatus::Revoked {
            reason: "compromise".into()
        }
    );

    // A changed entry, a changed head field, or a canonical text with a changed byte: refused.
    let mut altered = snapshot.clone();
    if let Entry::KeyStatusChanged { reason, .. } = &mut altered.entries[2] {
        *reason = Some("routine".into());
    }
    assert!(altered.verify(&registry_key).is_err());
    let mut later = snapshot;
    later.tree_head.timestamp += 1;
    assert!(later.verify(&registry_key).is_err());
    let canonical = block(&text, "text canonical");
    let first = canonical
        .lines()
        .next()
        .unwrap()
        .replacen("\"at\":", "\"at\": ", 1);
    assert!(Entry::from_canonical_bytes(first.as_bytes()).is_err());
}
