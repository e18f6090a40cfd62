//! Criterion benchmarks of the proofs about hidden messages: committed disclosure (a 10-message proof
//! with 0 and with 4 committed messages, so the difference is the cost of 4 commitments), range proofs
//! (one 16-bit, one 32-bit, four 16-bit aggregated), an equality proof between two certificates, and
//! the composite a car-rental desk asks for (licence valid today, holder 18 on it, one disclosure).
//!
//! `cargo bench -p ecert-bbs --bench zk`; the figures are recorded in the crate README.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ecert_bbs::committed::{Disclosure, Opening};
use ecert_bbs::composite::{self, Bound, MessageRef, ProvedCertificate, RangeStatement, RangeTerm};
use ecert_bbs::equality;
use ecert_bbs::range::{self, RangeValue};
use ecert_bbs::{Bls12381Sha256, Interface, Scalar, SecretKey};
use rand::SeedableRng;
use rand::rngs::StdRng;

type C = Bls12381Sha256;

fn interface() -> Interface<C> {
    Interface::<C>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_BENCH_").unwrap()
}

/// Ten integer messages near 2^63 + 20,000 (dates as certificates map them).
fn messages() -> Vec<Scalar> {
    (0..10u64)
        .map(|i| Scalar::from_u64((1 << 63) + 20_000 + i))
        .collect()
}

fn committed(c: &mut Criterion) {
    let api = interface();
    let sk = SecretKey::key_gen::<C>(&[1; 32], b"bench", None).unwrap();
    let pk = sk.public_key();
    let m = messages();
    let signature = api.core_sign(&sk, &pk, b"h", &m).unwrap();
    let mut rng = StdRng::seed_from_u64(1);
    let mut group = c.benchmark_group("sha256/committed");
    for commits in [0usize, 4] {
        // Messages 0, 2, 4, 6, 8 disclosed; the first `commits` of the rest committed.
        let disclosures: Vec<Disclosure> = (0..10)
            .map(|i| match i {
                i if i % 2 == 0 => Disclosure::Disclose,
                i if (i / 2) < commits => Disclosure::Commit,
                _ => Disclosure::Hide,
            })
            .collect();
        let (proof, _) = api
            .core_proof_gen_committed(&mut rng, &pk, &signature, b"h", b"ph", &m, &disclosures)
            .unwrap();
        let disclosed: Vec<(usize, Scalar)> = (0..10).step_by(2).map(|i| (i, m[i].clone())).collect();
        group.bench_with_input(BenchmarkId::new("proof_gen", commits), &disclosures, |b, d| {
            b.iter(|| {
                api.core_proof_gen_committed(&mut rng, &pk, &signature, b"h", b"ph", &m, black_box(d))
                    .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("proof_verify", commits), &proof, |b, p| {
            b.iter(|| {
                api.core_proof_verify_committed(&pk, black_box(p), b"h", b"ph", &disclosed)
                    .unwrap()
            })
        });
    }
    group.finish();
}

/// Commitments to `count` messages with their openings, from a proof with committed disclosure.
fn commitments(count: usize) -> (Interface<C>, Vec<(RangeValue, Opening)>) {
    let api = interface();
    let sk = SecretKey::key_gen::<C>(&[2; 32], b"bench", None).unwrap();
    let pk = sk.public_key();
    let m = messages();
    let signature = api.core_sign(&sk, &pk, b"h", &m).unwrap();
    let disclosures: Vec<Disclosure> = (0..10)
        .map(|i| {
            if i < count {
                Disclosure::Commit
            } else {
                Disclosure::Hide
            }
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(2);
    let (proof, openings) = api
        .core_proof_gen_committed(&mut rng, &pk, &signature, b"h", b"ph", &m, &disclosures)
        .unwrap();
    let values = proof
        .commitments()
        .into_iter()
        .zip(openings)
        .map(|((_, c), (_, o))| (RangeValue::at_least(c, (1 << 63) + 19_000), o))
        .collect();
    (api, values)
}

fn ranges(c: &mut Criterion) {
    let mut group = c.benchmark_group("sha256/range");
    let mut rng = StdRng::seed_from_u64(3);
    for (bits, count) in [(16usize, 1usize), (32, 1), (16, 4)] {
        let (api, values) = commitments(count);
        let pairs: Vec<(&RangeValue, &Opening)> = values.iter().map(|(v, o)| (v, o)).collect();
        let statement: Vec<RangeValue> = values.iter().map(|(v, _)| v.clone()).collect();
        let proof = range::prove_range(&mut rng, &api, bits, &pairs, b"bench").unwrap();
        let id = format!("{count}x{bits}");
        group.bench_function(BenchmarkId::new("prove", &id), |b| {
            b.iter(|| range::prove_range(&mut rng, &api, bits, black_box(&pairs), b"bench").unwrap())
        });
        group.bench_function(BenchmarkId::new("verify", &id), |b| {
            b.iter(|| range::verify_range(&api, bits, black_box(&statement), &proof, b"bench").unwrap())
        });
        eprintln!("range {id}: {} bytes", proof.to_bytes().len());
    }
    group.finish();
}

/// Two proofs of one signature each committing message 0 (fresh blindings): the shape of one holder
/// secret shown in two certificates.
fn equalities(c: &mut Criterion) {
    let (api, values) = commitments(1);
    let sk = SecretKey::key_gen::<C>(&[2; 32], b"bench", None).unwrap();
    let pk = sk.public_key();
    let m = messages();
    let signature = api.core_sign(&sk, &pk, b"h", &m).unwrap();
    let mut rng = StdRng::seed_from_u64(4);
    let mut only_first = vec![Disclosure::Hide; 10];
    only_first[0] = Disclosure::Commit;
    let (second, mut second_openings) = api
        .core_proof_gen_committed(&mut rng, &pk, &signature, b"h", b"ph2", &m, &only_first)
        .unwrap();
    let (_, second_opening) = second_openings.remove(0);
    let second_commitment = second.commitments().remove(0).1;
    let first_commitment = values[0].0.commitment().clone();
    let items = [
        (&api, &first_commitment, &values[0].1),
        (&api, &second_commitment, &second_opening),
    ];
    let proof = equality::prove_equal(&mut rng, &items, b"bench").unwrap();
    let public = [(&api, &first_commitment), (&api, &second_commitment)];
    let mut group = c.benchmark_group("sha256/equality");
    group.bench_function("prove/2", |b| {
        b.iter(|| equality::prove_equal(&mut rng, black_box(&items), b"bench").unwrap())
    });
    group.bench_function("verify/2", |b| {
        b.iter(|| equality::verify_equal(black_box(&public), &proof, b"bench").unwrap())
    });
    group.finish();
}

/// A driving licence of 15 messages (type, class, birth, valid from, valid until and ten more), the
/// class disclosed, three dates committed, three 16-bit ranges aggregated.
fn licence(c: &mut Criterion) {
    let api = interface();
    let sk = SecretKey::key_gen::<C>(&[3; 32], b"bench", None).unwrap();
    let pk = sk.public_key();
    let today = (1u64 << 63) + 20_430;
    let mut m: Vec<Scalar> = (0..15u64).map(|i| Scalar::from_u64(1_000 + i)).collect();
    m[2] = Scalar::from_u64(today - 9_000);
    m[3] = Scalar::from_u64(today - 365);
    m[4] = Scalar::from_u64(today + 3_000);
    let signature = api.core_sign(&sk, &pk, b"licence", &m).unwrap();
    let disclosures: Vec<Disclosure> = (0..15)
        .map(|i| match i {
            1 => Disclosure::Disclose,
            2..=4 => Disclosure::Commit,
            _ => Disclosure::Hide,
        })
        .collect();
    let at = |message| MessageRef { proof: 0, message };
    let statement = RangeStatement {
        bits: 16,
        terms: vec![
            RangeTerm {
                at: at(3),
                bound: Bound::AtMost(today),
            },
            RangeTerm {
                at: at(4),
                bound: Bound::AtLeast(today),
            },
            RangeTerm {
                at: at(2),
                bound: Bound::AtMost(today - 6_575),
            },
        ],
    };
    let mut rng = StdRng::seed_from_u64(5);
    let present = |rng: &mut StdRng| {
        let (proof, openings) = api
            .core_proof_gen_committed(rng, &pk, &signature, b"licence", b"ph", &m, &disclosures)
            .unwrap();
        composite::prove_composite(
            rng,
            b"ph",
            &[ProvedCertificate {
                interface: &api,
                proof,
                openings,
            }],
            std::slice::from_ref(&statement),
            &[],
        )
        .unwrap()
    };
    let proof = present(&mut rng);
    eprintln!("licence presentation: {} bytes", proof.to_bytes().len());
    let mut group = c.benchmark_group("sha256/licence");
    group.bench_function("present", |b| b.iter(|| present(black_box(&mut rng))));
    group.bench_function("verify", |b| {
        b.iter(|| {
            api.core_proof_verify_committed(&pk, &proof.proofs()[0], b"licence", b"ph", &[(1, m[1].clone())])
                .unwrap();
            proof.verify_statements(&[&api], b"ph").unwrap()
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
    name = benches;
    config = config();
    targets = committed, ranges, equalities, licence
}
criterion_main!(benches);
