//! Criterion benchmarks of the revocation accumulator: the membership proof linked to a committed
//! message (prove, verify), a holder's witness update over 1,000 and 10,000 removals, and the issuer's
//! batch for 1,000 and 10,000 removals (the epoch publication's cost).
//!
//! `cargo bench -p ecert-bbs --bench accumulator`; the figures are recorded in the crate README.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ecert_bbs::accumulator::{self, AccumulatorSecretKey};
use ecert_bbs::committed::Disclosure;
use ecert_bbs::{Bls12381Sha256, Interface, Scalar, SecretKey};
use rand::SeedableRng;
use rand::rngs::StdRng;

type C = Bls12381Sha256;

const ID: &[u8] = b"bench/revocation";

fn y(k: u64) -> Scalar {
    accumulator::element::<C>(ID, k).unwrap()
}

fn membership(c: &mut Criterion) {
    let api = Interface::<C>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_BENCH_").unwrap();
    let mut rng = StdRng::seed_from_u64(1);
    let sk = AccumulatorSecretKey::generate(&mut rng).unwrap();
    let pk = sk.public_key();
    let acc = sk.initialize::<C>(ID, 1_000).unwrap();
    let witness = sk.witness(&acc, &y(7)).unwrap();
    let signer = SecretKey::key_gen::<C>(&[1; 32], b"bench", None).unwrap();
    let signer_pk = signer.public_key();
    let messages = vec![Scalar::from_u64(1), y(7), Scalar::from_u64(3)];
    let signature = api.core_sign(&signer, &signer_pk, b"h", &messages).unwrap();
    let disclosures = [Disclosure::Disclose, Disclosure::Commit, Disclosure::Hide];
    let (proof, mut openings) = api
        .core_proof_gen_committed(
            &mut rng,
            &signer_pk,
            &signature,
            b"h",
            b"ph",
            &messages,
            &disclosures,
        )
        .unwrap();
    let commitment = proof.commitments().remove(0).1;
    let opening = openings.remove(0).1;
    let mut group = c.benchmark_group("sha256/accumulator");
    group.bench_function("membership_prove", |b| {
        b.iter(|| {
            accumulator::prove_membership(&mut rng, &api, &pk, &acc, &witness, &commitment, &opening, b"ctx")
                .unwrap()
        })
    });
    let membership =
        accumulator::prove_membership(&mut rng, &api, &pk, &acc, &witness, &commitment, &opening, b"ctx")
            .unwrap();
    group.bench_function("membership_verify", |b| {
        b.iter(|| {
            accumulator::verify_membership(&api, &pk, &acc, &commitment, black_box(&membership), b"ctx")
                .unwrap()
        })
    });
    group.finish();
}

fn batches(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(2);
    let sk = AccumulatorSecretKey::generate(&mut rng).unwrap();
    let acc = sk.initialize::<C>(ID, 16).unwrap();
    let mut group = c.benchmark_group("sha256/accumulator");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for removals in [1_000u64, 10_000] {
        // Elements 1..=removals go; the holder of element 0 follows.
        let removed: Vec<Scalar> = (1..=removals).map(y).collect();
        let witness = sk.witness(&acc, &y(0)).unwrap();
        let (_, batch) = sk.remove(&acc, &removed).unwrap();
        group.bench_with_input(
            BenchmarkId::new("issuer_remove", removals),
            &removed,
            |b, removed| b.iter(|| sk.remove(&acc, removed).unwrap()),
        );
        group.bench_with_input(
            BenchmarkId::new("witness_update", removals),
            &batch,
            |b, batch| b.iter(|| witness.update(&y(0), batch).unwrap()),
        );
    }
    group.finish();
}

criterion_group!(benches, membership, batches);
criterion_main!(benches);
