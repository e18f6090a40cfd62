//! Criterion benchmarks of the Blind BBS and pseudonym interfaces at L = 10 signer messages and M = 5
//! committed messages (with N = 1 nym secret for pseudonyms), each beside the core operation on the
//! L + M + 1 = 16 messages it signs or proves (and 17, the pseudonym interface's count with its nym),
//! messages of 32 bytes, every second signer and committed message disclosed; and Commit with the check
//! of its proof.
//!
//! `cargo bench -p ecert-bbs --bench extensions`; the figures are recorded in the crate README.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ecert_bbs::pseudonym::NymSecrets;
use ecert_bbs::{
    Bls12381Sha256, Ciphersuite, Scalar, SecretKey, blind, proof_gen, proof_verify, pseudonym, sign, verify,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

const L: usize = 10;
const M: usize = 5;

fn messages(n: usize, salt: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| (0..32).map(|j| (i * 31 + j * 7 + salt) as u8).collect())
        .collect()
}

fn refs(list: &[Vec<u8>]) -> Vec<&[u8]> {
    list.iter().map(Vec::as_slice).collect()
}

/// Every second index below `n`.
fn half(n: usize) -> Vec<usize> {
    (0..n).step_by(2).collect()
}

fn core<C: Ciphersuite>(c: &mut Criterion, suite: &str, n: usize) {
    let sk = SecretKey::key_gen::<C>(&[0x42; 32], b"bench", None).unwrap();
    let pk = sk.public_key();
    let (header, ph) = (b"ecert bench header", b"verifier nonce");
    let mut rng = StdRng::seed_from_u64(7);
    let owned = messages(n, 0);
    let m = refs(&owned);
    let disclosed = half(n);
    let disclosed_messages: Vec<(usize, &[u8])> = disclosed.iter().map(|&i| (i, m[i])).collect();
    let signature = sign::<C>(&sk, &pk, header, &m).unwrap();
    let proof = proof_gen::<C, _>(&mut rng, &pk, &signature, header, ph, &m, &disclosed).unwrap();
    let mut group = c.benchmark_group(format!("{suite}/core"));
    group.bench_with_input(BenchmarkId::new("sign", n), &m, |b, m| {
        b.iter(|| sign::<C>(&sk, &pk, header, black_box(m)).unwrap())
    });
    group.bench_with_input(BenchmarkId::new("verify", n), &m, |b, m| {
        b.iter(|| verify::<C>(&pk, &signature, header, black_box(m)).unwrap())
    });
    group.bench_with_input(BenchmarkId::new("proof_gen", n), &m, |b, m| {
        b.iter(|| proof_gen::<C, _>(&mut rng, &pk, &signature, header, ph, black_box(m), &disclosed).unwrap())
    });
    group.bench_with_input(
        BenchmarkId::new("proof_verify", n),
        &disclosed_messages,
        |b, d| b.iter(|| proof_verify::<C>(&pk, &proof, header, ph, black_box(d)).unwrap()),
    );
    group.finish();
}

fn blind_ops<C: Ciphersuite>(c: &mut Criterion, suite: &str) {
    let sk = SecretKey::key_gen::<C>(&[0x42; 32], b"bench", None).unwrap();
    let pk = sk.public_key();
    let (header, ph) = (b"ecert bench header", b"verifier nonce");
    let mut rng = StdRng::seed_from_u64(8);
    let (signer_owned, committed_owned) = (messages(L, 0), messages(M, 100));
    let (m, cm) = (refs(&signer_owned), refs(&committed_owned));
    let (disclosed, disclosed_committed) = (half(L), half(M));
    let d: Vec<(usize, &[u8])> = disclosed.iter().map(|&i| (i, m[i])).collect();
    let dc: Vec<(usize, &[u8])> = disclosed_committed.iter().map(|&j| (j, cm[j])).collect();
    let (commitment, prover_blind) = blind::commit::<C, _>(&mut rng, &cm).unwrap();
    let signature = blind::blind_sign::<C>(&sk, &pk, Some(&commitment), header, &m).unwrap();
    let proof = blind::blind_proof_gen::<C, _>(
        &mut rng,
        &pk,
        &signature,
        header,
        ph,
        &m,
        &cm,
        &disclosed,
        &disclosed_committed,
        Some(&prover_blind),
    )
    .unwrap();

    let mut group = c.benchmark_group(format!("{suite}/blind"));
    group.bench_function("commit", |b| {
        b.iter(|| blind::commit::<C, _>(&mut rng, black_box(&cm)).unwrap())
    });
    group.bench_function("verify_commitment", |b| {
        b.iter(|| blind::verify_commitment::<C>(black_box(&commitment)).unwrap())
    });
    group.bench_function("blind_sign", |b| {
        b.iter(|| blind::blind_sign::<C>(&sk, &pk, Some(&commitment), header, black_box(&m)).unwrap())
    });
    group.bench_function("verify_blind_sign", |b| {
        b.iter(|| {
            blind::verify_blind_sign::<C>(&pk, &signature, header, black_box(&m), &cm, Some(&prover_blind))
                .unwrap()
        })
    });
    group.bench_function("blind_proof_gen", |b| {
        b.iter(|| {
            blind::blind_proof_gen::<C, _>(
                &mut rng,
                &pk,
                &signature,
                header,
                ph,
                black_box(&m),
                &cm,
                &disclosed,
                &disclosed_committed,
                Some(&prover_blind),
            )
            .unwrap()
        })
    });
    group.bench_function("blind_proof_verify", |b| {
        b.iter(|| blind::blind_proof_verify::<C>(&pk, &proof, header, ph, L, black_box(&d), &dc).unwrap())
    });
    group.finish();
}

fn nym_ops<C: Ciphersuite>(c: &mut Criterion, suite: &str) {
    let sk = SecretKey::key_gen::<C>(&[0x42; 32], b"bench", None).unwrap();
    let pk = sk.public_key();
    let (header, ph, context) = (
        b"ecert bench header",
        b"verifier nonce",
        b"https://verifier.example",
    );
    let mut rng = StdRng::seed_from_u64(9);
    let (signer_owned, committed_owned) = (messages(L, 0), messages(M, 100));
    let (m, cm) = (refs(&signer_owned), refs(&committed_owned));
    let (disclosed, disclosed_committed) = (half(L), half(M));
    let d: Vec<(usize, &[u8])> = disclosed.iter().map(|&i| (i, m[i])).collect();
    let dc: Vec<(usize, &[u8])> = disclosed_committed.iter().map(|&j| (j, cm[j])).collect();
    let prover_nyms = NymSecrets::random(&mut rng, 1).unwrap();
    let (commitment, prover_blind) = pseudonym::commit_with_nym::<C, _>(&mut rng, &cm, &prover_nyms).unwrap();
    let entropy = Scalar::random(&mut rng);
    let signature =
        pseudonym::blind_sign_with_nym::<C>(&sk, &pk, &commitment, 1, &entropy, header, &m).unwrap();
    let nym_secrets = pseudonym::verify_finalize_with_nym::<C>(
        &pk,
        &signature,
        header,
        &m,
        &cm,
        &prover_nyms,
        &entropy,
        &prover_blind,
    )
    .unwrap();
    let (proof, nym) = pseudonym::proof_gen_with_nym::<C, _>(
        &mut rng,
        &pk,
        &signature,
        header,
        ph,
        &nym_secrets,
        context,
        &m,
        &cm,
        &disclosed,
        &disclosed_committed,
        &prover_blind,
    )
    .unwrap();

    let mut group = c.benchmark_group(format!("{suite}/pseudonym"));
    group.bench_function("commit_with_nym", |b| {
        b.iter(|| pseudonym::commit_with_nym::<C, _>(&mut rng, black_box(&cm), &prover_nyms).unwrap())
    });
    group.bench_function("verify_commitment", |b| {
        b.iter(|| pseudonym::verify_commitment::<C>(black_box(&commitment)).unwrap())
    });
    group.bench_function("blind_sign_with_nym", |b| {
        b.iter(|| {
            pseudonym::blind_sign_with_nym::<C>(&sk, &pk, &commitment, 1, &entropy, header, black_box(&m))
                .unwrap()
        })
    });
    group.bench_function("verify_finalize_with_nym", |b| {
        b.iter(|| {
            pseudonym::verify_finalize_with_nym::<C>(
                &pk,
                &signature,
                header,
                black_box(&m),
                &cm,
                &prover_nyms,
                &entropy,
                &prover_blind,
            )
            .unwrap()
        })
    });
    group.bench_function("proof_gen_with_nym", |b| {
        b.iter(|| {
            pseudonym::proof_gen_with_nym::<C, _>(
                &mut rng,
                &pk,
                &signature,
                header,
                ph,
                &nym_secrets,
                context,
                black_box(&m),
                &cm,
                &disclosed,
                &disclosed_committed,
                &prover_blind,
            )
            .unwrap()
        })
    });
    group.bench_function("proof_verify_with_nym", |b| {
        b.iter(|| {
            pseudonym::proof_verify_with_nym::<C>(
                &pk,
                &proof,
                header,
                ph,
                &nym,
                context,
                1,
                L,
                black_box(&d),
                &dc,
            )
            .unwrap()
        })
    });
    group.bench_function("calculate_pseudonym", |b| {
        b.iter(|| pseudonym::calculate_pseudonym::<C>(black_box(context), &nym_secrets).unwrap())
    });
    group.finish();
}

fn extensions_sha256(c: &mut Criterion) {
    core::<Bls12381Sha256>(c, "sha256", L + M + 1);
    core::<Bls12381Sha256>(c, "sha256", L + M + 2);
    blind_ops::<Bls12381Sha256>(c, "sha256");
    nym_ops::<Bls12381Sha256>(c, "sha256");
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
    targets = extensions_sha256
}
criterion_main!(benches);
