//! Criterion benchmarks of ecert-bbs: keygen, sign, verify, proof_gen and proof_verify at L = 1, 10 and
//! 100 messages of 32 bytes with half of them disclosed, beside the raw blst operations they are built
//! from (pairing, 2-pair Miller loop with final exponentiation, G1 multiplication, G1 MSMs of 10 and
//! 100 points with and without a fixed-base table).
//!
//! `cargo bench -p ecert-bbs`; the figures are recorded in the crate README.

#![allow(
    unsafe_code,
    reason = "the raw reference operations call blst's C API directly"
)]
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::hint::black_box;
use std::ptr;
use std::time::Duration;

use blst::{
    blst_final_exp, blst_fp12, blst_fp12_is_one, blst_hash_to_g1, blst_miller_loop, blst_miller_loop_n,
    blst_p1, blst_p1_affine, blst_p1_mult, blst_p1_to_affine, blst_p1s_mult_pippenger,
    blst_p1s_mult_pippenger_scratch_sizeof, blst_p1s_mult_wbits, blst_p1s_mult_wbits_precompute,
    blst_p1s_mult_wbits_precompute_sizeof, blst_p1s_mult_wbits_scratch_sizeof, blst_p2_affine,
    blst_p2_affine_generator,
};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ecert_bbs::{
    Bls12381Sha256, Bls12381Shake256, Ciphersuite, SecretKey, proof_gen, proof_verify, sign, verify,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

const MESSAGE_COUNTS: [usize; 3] = [1, 10, 100];

fn messages(l: usize) -> Vec<Vec<u8>> {
    (0..l)
        .map(|i| (0..32).map(|j| (i * 31 + j * 7) as u8).collect())
        .collect()
}

/// Half disclosed: indexes 0, 2, 4, ...; with L = 1 that is the one message.
fn half(l: usize) -> Vec<usize> {
    (0..l).step_by(2).collect()
}

fn bbs<C: Ciphersuite>(c: &mut Criterion, suite: &str, counts: &[usize]) {
    let key_material = [0x42u8; 32];
    let sk = SecretKey::key_gen::<C>(&key_material, b"bench", None).unwrap();
    let pk = sk.public_key();
    let header = b"ecert bench header";
    let ph = b"verifier nonce";
    let mut rng = StdRng::seed_from_u64(7);

    let mut group = c.benchmark_group(format!("{suite}/keygen"));
    group.bench_function("keygen", |b| {
        b.iter(|| SecretKey::key_gen::<C>(black_box(&key_material), b"bench", None).unwrap())
    });
    group.finish();

    for &l in counts {
        let owned = messages(l);
        let m: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        let disclosed = half(l);
        let disclosed_messages: Vec<(usize, &[u8])> = disclosed.iter().map(|&i| (i, m[i])).collect();
        let signature = sign::<C>(&sk, &pk, header, &m).unwrap();
        let proof = proof_gen::<C, _>(&mut rng, &pk, &signature, header, ph, &m, &disclosed).unwrap();

        let mut group = c.benchmark_group(format!("{suite}/bbs"));
        group.bench_with_input(BenchmarkId::new("sign", l), &m, |b, m| {
            b.iter(|| sign::<C>(&sk, &pk, header, black_box(m)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("verify", l), &m, |b, m| {
            b.iter(|| verify::<C>(&pk, &signature, header, black_box(m)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("proof_gen", l), &m, |b, m| {
            b.iter(|| {
                proof_gen::<C, _>(&mut rng, &pk, &signature, header, ph, black_box(m), &disclosed).unwrap()
            })
        });
        group.bench_with_input(
            BenchmarkId::new("proof_verify", l),
            &disclosed_messages,
            |b, d| b.iter(|| proof_verify::<C>(&pk, &proof, header, ph, black_box(d)).unwrap()),
        );
        group.finish();
    }
}

fn bbs_sha256(c: &mut Criterion) {
    bbs::<Bls12381Sha256>(c, "sha256", &MESSAGE_COUNTS);
}

fn bbs_shake256(c: &mut Criterion) {
    bbs::<Bls12381Shake256>(c, "shake256", &[10]);
}

/// Points hashed to G1 and 255-bit scalars for the raw references.
fn points_and_scalars(n: usize) -> (Vec<blst_p1_affine>, Vec<[u8; 32]>) {
    let mut points = vec![blst_p1_affine::default(); n];
    for (i, point) in points.iter_mut().enumerate() {
        let mut p = blst_p1::default();
        let msg = (i as u64).to_be_bytes();
        let dst = b"ecert bench points";
        unsafe {
            blst_hash_to_g1(
                &mut p,
                msg.as_ptr(),
                msg.len(),
                dst.as_ptr(),
                dst.len(),
                ptr::null(),
                0,
            );
            blst_p1_to_affine(point, &p);
        }
    }
    let scalars = (0..n)
        .map(|i| {
            let mut s = [0u8; 32];
            for (j, b) in s.iter_mut().enumerate() {
                *b = (i * 13 + j * 29 + 1) as u8;
            }
            s[31] &= 0x3f; // little-endian: keep the integer below r
            s
        })
        .collect();
    (points, scalars)
}

fn raw(c: &mut Criterion) {
    let (points, scalars) = points_and_scalars(100);
    let q: blst_p2_affine = unsafe { *blst_p2_affine_generator() };
    let mut group = c.benchmark_group("blst");

    group.bench_function("pairing", |b| {
        b.iter(|| {
            let (mut f, mut gt) = (blst_fp12::default(), blst_fp12::default());
            unsafe {
                blst_miller_loop(&mut f, black_box(&q), black_box(&points[0]));
                blst_final_exp(&mut gt, &f);
            }
            gt
        })
    });
    group.bench_function("miller_loop_2_final_exp", |b| {
        let ps: [*const blst_p1_affine; 2] = [&points[0], &points[1]];
        let qs: [*const blst_p2_affine; 2] = [&q, &q];
        b.iter(|| {
            let (mut f, mut gt) = (blst_fp12::default(), blst_fp12::default());
            unsafe {
                blst_miller_loop_n(&mut f, black_box(qs.as_ptr()), black_box(ps.as_ptr()), 2);
                blst_final_exp(&mut gt, &f);
                blst_fp12_is_one(&gt)
            }
        })
    });
    group.bench_function("g1_mul", |b| {
        let mut p = blst_p1::default();
        unsafe { blst::blst_p1_from_affine(&mut p, &points[0]) };
        b.iter(|| {
            let mut out = blst_p1::default();
            unsafe { blst_p1_mult(&mut out, black_box(&p), scalars[0].as_ptr(), 255) };
            out
        })
    });
    for n in [10usize, 100] {
        let point_ptrs: [*const blst_p1_affine; 2] = [points.as_ptr(), ptr::null()];
        let scalar_ptrs: [*const u8; 2] = [scalars.as_ptr().cast(), ptr::null()];
        group.bench_with_input(BenchmarkId::new("g1_msm_pippenger", n), &n, |b, &n| {
            let mut scratch = vec![0u64; unsafe { blst_p1s_mult_pippenger_scratch_sizeof(n) }.div_ceil(8)];
            b.iter(|| {
                let mut out = blst_p1::default();
                unsafe {
                    blst_p1s_mult_pippenger(
                        &mut out,
                        point_ptrs.as_ptr(),
                        n,
                        scalar_ptrs.as_ptr(),
                        255,
                        scratch.as_mut_ptr(),
                    )
                };
                out
            })
        });
        group.bench_with_input(BenchmarkId::new("g1_msm_fixed_base_w8", n), &n, |b, &n| {
            const WBITS: usize = 8;
            let entries = unsafe { blst_p1s_mult_wbits_precompute_sizeof(WBITS, n) }
                / core::mem::size_of::<blst_p1_affine>();
            let mut table = vec![blst_p1_affine::default(); entries];
            unsafe { blst_p1s_mult_wbits_precompute(table.as_mut_ptr(), WBITS, point_ptrs.as_ptr(), n) };
            let mut scratch = vec![0u64; unsafe { blst_p1s_mult_wbits_scratch_sizeof(n) }.div_ceil(8)];
            b.iter(|| {
                let mut out = blst_p1::default();
                unsafe {
                    blst_p1s_mult_wbits(
                        &mut out,
                        table.as_ptr(),
                        WBITS,
                        n,
                        scalar_ptrs.as_ptr(),
                        255,
                        scratch.as_mut_ptr(),
                    )
                };
                out
            })
        });
    }
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
    targets = bbs_sha256, bbs_shake256, raw
}
criterion_main!(benches);
