//! The registry log at national scale: appending to and proving against a 1,000,000-entry log with the
//! in-memory store (`cargo bench -p ecert-registry --bench log`; figures in the crate README).

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ecert_registry::{
    Entry, MemoryStore, MerkleLog, RegistryState, leaf_hash, verify_consistency, verify_inclusion,
};

const ENTRIES: u64 = 1_000_000;

fn log_of(n: u64) -> MerkleLog<MemoryStore> {
    let mut log = MerkleLog::open(MemoryStore::default()).unwrap();
    for i in 0..n {
        log.append(leaf_hash(&i.to_be_bytes())).unwrap();
    }
    log
}

/// A cheap deterministic sequence of indexes spread over the log.
fn spread(i: u64, n: u64) -> u64 {
    i.wrapping_mul(0x9e37_79b9_7f4a_7c15) % n
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("log");
    group.bench_function("append_1000_entries", |b| {
        b.iter_batched(
            || log_of(0),
            |mut log| {
                for i in 0..1000u64 {
                    log.append(leaf_hash(&i.to_be_bytes())).unwrap();
                }
                log
            },
            BatchSize::SmallInput,
        )
    });
    let log = log_of(ENTRIES);
    let root = log.root(ENTRIES).unwrap();
    let mut i = 0u64;
    group.bench_function("inclusion_proof_1m", |b| {
        b.iter(|| {
            i += 1;
            log.inclusion_proof(black_box(spread(i, ENTRIES)), ENTRIES)
                .unwrap()
        })
    });
    group.bench_function("consistency_proof_1m", |b| {
        b.iter(|| {
            i += 1;
            log.consistency_proof(black_box(1 + spread(i, ENTRIES - 1)), ENTRIES)
                .unwrap()
        })
    });
    group.bench_function("root_1m", |b| b.iter(|| log.root(black_box(ENTRIES)).unwrap()));
    let index = 123_457;
    let proof = log.inclusion_proof(index, ENTRIES).unwrap();
    let leaf = leaf_hash(&index.to_be_bytes());
    group.bench_function("verify_inclusion_1m", |b| {
        b.iter(|| verify_inclusion(&leaf, index, ENTRIES, black_box(&proof), &root).unwrap())
    });
    let old = 654_321;
    let old_root = log.root(old).unwrap();
    let consistency = log.consistency_proof(old, ENTRIES).unwrap();
    group.bench_function("verify_consistency_1m", |b| {
        b.iter(|| verify_consistency(old, ENTRIES, &old_root, &root, black_box(&consistency)).unwrap())
    });
    group.finish();
}

/// Replaying the log: 100,000 entries (issuer registrations and authorisations, the bulk of a national
/// registry) folded into the state, with every rule checked.
fn replay(c: &mut Criterion) {
    let schema = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/schemas/cn.driving-licence@1.json"
    ))
    .unwrap();
    let mut entries = vec![Entry::TypeRegistered {
        at: 0,
        schema: serde_json::from_str(&schema).unwrap(),
    }];
    for i in 0..49_999i64 {
        let id = format!("issuer-{i:06}");
        entries.push(Entry::IssuerRegistered {
            at: 2 * i + 1,
            id: id.clone(),
            name: format!("Department {i}"),
            region: "110105".into(),
            department: "test".into(),
        });
        entries.push(Entry::IssuerAuthorised {
            at: 2 * i + 2,
            issuer: id,
            type_id: "cn.driving-licence/1".into(),
        });
    }
    entries.push(Entry::IssuerRegistered {
        at: 200_000,
        id: "last".into(),
        name: "Last".into(),
        region: "110105".into(),
        department: "test".into(),
    });
    assert_eq!(entries.len(), 100_000);
    let mut group = c.benchmark_group("log");
    group.sample_size(10);
    group.bench_function("replay_100k_entries", |b| {
        b.iter(|| RegistryState::replay(black_box(&entries)).unwrap())
    });
    group.bench_function("hash_100k_entries", |b| {
        b.iter(|| {
            let mut log = MerkleLog::open(MemoryStore::default()).unwrap();
            for entry in &entries {
                log.append(leaf_hash(&entry.canonical_bytes().unwrap())).unwrap();
            }
            log.root(log.size()).unwrap()
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = log;
    config = config();
    targets = benches, replay
}
criterion_main!(log);
