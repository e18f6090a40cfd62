//! Property tests of the Blind BBS and pseudonym interfaces over both ciphersuites:
//!
//! - commit -> blind_sign -> verify_blind_sign -> blind_proof_gen -> blind_proof_verify round trips for
//!   0 to 16 signer and 0 to 8 committed messages with random disclosed subsets of both, and the same
//!   through the pseudonym interface with 1 to 4 nym secrets;
//! - pseudonyms are equal for one context id and differ across context ids;
//! - a flipped bit in the commitment, the signature, the proof or the pseudonym is rejected;
//! - `from_bytes` of arbitrary bytes never panics, and what it accepts re-encodes byte for byte.
//!
//! Each cryptographic case costs tens of milliseconds, so they run few cases ([`CRYPTO_CASES`]); the
//! randomness of every case comes from a proptest-generated seed, so a failure reproduces.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_bbs::blind::{self, Commitment, ProverBlind};
use ecert_bbs::pseudonym::{self, NymSecrets, Pseudonym};
use ecert_bbs::{Bls12381Sha256, Bls12381Shake256, Ciphersuite, Proof, Scalar, SecretKey, Signature};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, subsequence};
use rand::SeedableRng;
use rand::rngs::StdRng;

const CRYPTO_CASES: u32 = 32;
const DECODE_CASES: u32 = 512;

fn crypto_config() -> ProptestConfig {
    ProptestConfig {
        cases: CRYPTO_CASES,
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    }
}

fn message() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![1 => Just(Vec::new()), 3 => vec(any::<u8>(), 1..40)]
}

fn refs(list: &[Vec<u8>]) -> Vec<&[u8]> {
    list.iter().map(Vec::as_slice).collect()
}

/// A blind issuance and one proof of it.
#[derive(Clone, Debug)]
struct BlindCase {
    messages: Vec<Vec<u8>>,
    committed: Vec<Vec<u8>>,
    disclosed: Vec<usize>,
    disclosed_committed: Vec<usize>,
    header: Vec<u8>,
    presentation_header: Vec<u8>,
    /// Sign without a commitment (then no committed messages).
    no_commitment: bool,
    nyms: usize,
    flip: Index,
    seed: u64,
}

prop_compose! {
    fn blind_case(max_nyms: usize)
        (
            messages in vec(message(), 0..=16),
            committed in vec(message(), 0..=8),
            no_commitment in prop::bool::weighted(0.15),
            nyms in 1..=max_nyms,
        )
        (
            disclosed in subsequence((0..messages.len()).collect::<Vec<_>>(), 0..=messages.len()),
            disclosed_committed in subsequence((0..committed.len()).collect::<Vec<_>>(), 0..=committed.len()),
            messages in Just(messages),
            committed in Just(committed),
            no_commitment in Just(no_commitment),
            nyms in Just(nyms),
            header in vec(any::<u8>(), 0..32),
            presentation_header in vec(any::<u8>(), 0..32),
            flip in any::<Index>(),
            seed in any::<u64>(),
        ) -> BlindCase {
        BlindCase { messages, committed, disclosed, disclosed_committed, header, presentation_header,
            no_commitment, nyms, flip, seed }
    }
}

fn flip_bit(bytes: &[u8], at: &Index) -> Vec<u8> {
    let bit = at.index(bytes.len() * 8);
    let mut out = bytes.to_vec();
    out[bit / 8] ^= 1 << (bit % 8);
    out
}

fn blind_round_trip<C: Ciphersuite>(case: &BlindCase) -> Result<(), TestCaseError> {
    let mut rng = StdRng::seed_from_u64(case.seed);
    let sk = SecretKey::key_gen::<C>(&case.seed.to_be_bytes().repeat(4), b"", None).unwrap();
    let pk = sk.public_key();
    let (messages, mut committed) = (refs(&case.messages), refs(&case.committed));
    let mut disclosed_committed = case.disclosed_committed.clone();
    let (commitment, blind) = if case.no_commitment {
        committed.clear();
        disclosed_committed.clear();
        (None, None)
    } else {
        let (c, b) = blind::commit::<C, _>(&mut rng, &committed).unwrap();
        prop_assert_eq!(c.committed_count(), committed.len());
        prop_assert_eq!(Commitment::from_bytes(&c.to_bytes()).unwrap(), c.clone());
        (Some(c), Some(b))
    };
    let signature = blind::blind_sign::<C>(&sk, &pk, commitment.as_ref(), &case.header, &messages).unwrap();
    blind::verify_blind_sign::<C>(
        &pk,
        &signature,
        &case.header,
        &messages,
        &committed,
        blind.as_ref(),
    )
    .unwrap();
    let proof = blind::blind_proof_gen::<C, _>(
        &mut rng,
        &pk,
        &signature,
        &case.header,
        &case.presentation_header,
        &messages,
        &committed,
        &case.disclosed,
        &disclosed_committed,
        blind.as_ref(),
    )
    .unwrap();
    let disclosed: Vec<(usize, &[u8])> = case.disclosed.iter().map(|&i| (i, messages[i])).collect();
    let disclosed_c: Vec<(usize, &[u8])> = disclosed_committed.iter().map(|&j| (j, committed[j])).collect();
    let verify = |proof: &Proof| {
        blind::blind_proof_verify::<C>(
            &pk,
            proof,
            &case.header,
            &case.presentation_header,
            messages.len(),
            &disclosed,
            &disclosed_c,
        )
    };
    prop_assert!(verify(&proof).is_ok());
    // A flipped bit anywhere in the proof, the signature or the commitment is refused.
    if let Ok(changed) = Proof::from_bytes(&flip_bit(&proof.to_bytes(), &case.flip)) {
        prop_assert!(verify(&changed).is_err());
    }
    if let Ok(changed) = Signature::from_bytes(&flip_bit(&signature.to_bytes(), &case.flip)) {
        prop_assert!(
            blind::verify_blind_sign::<C>(&pk, &changed, &case.header, &messages, &committed, blind.as_ref())
                .is_err()
        );
    }
    let changed_commitment = commitment
        .as_ref()
        .and_then(|c| Commitment::from_bytes(&flip_bit(&c.to_bytes(), &case.flip)).ok());
    if let Some(changed) = changed_commitment {
        prop_assert!(blind::blind_sign::<C>(&sk, &pk, Some(&changed), &case.header, &messages).is_err());
    }
    Ok(())
}

fn nym_round_trip<C: Ciphersuite>(case: &BlindCase) -> Result<(), TestCaseError> {
    let mut rng = StdRng::seed_from_u64(case.seed);
    let sk = SecretKey::key_gen::<C>(&case.seed.to_be_bytes().repeat(4), b"nym", None).unwrap();
    let pk = sk.public_key();
    let (messages, committed) = (refs(&case.messages), refs(&case.committed));
    let prover_nyms = NymSecrets::random(&mut rng, case.nyms).unwrap();
    let (commitment, blind) = pseudonym::commit_with_nym::<C, _>(&mut rng, &committed, &prover_nyms).unwrap();
    prop_assert_eq!(commitment.committed_count(), committed.len() + case.nyms);
    let entropy = Scalar::random(&mut rng);
    let signature = pseudonym::blind_sign_with_nym::<C>(
        &sk,
        &pk,
        &commitment,
        case.nyms,
        &entropy,
        &case.header,
        &messages,
    )
    .unwrap();
    let nym_secrets = pseudonym::verify_finalize_with_nym::<C>(
        &pk,
        &signature,
        &case.header,
        &messages,
        &committed,
        &prover_nyms,
        &entropy,
        &blind,
    )
    .unwrap();
    let prove = |rng: &mut StdRng, context: &[u8]| {
        pseudonym::proof_gen_with_nym::<C, _>(
            rng,
            &pk,
            &signature,
            &case.header,
            &case.presentation_header,
            &nym_secrets,
            context,
            &messages,
            &committed,
            &case.disclosed,
            &case.disclosed_committed,
            &blind,
        )
        .unwrap()
    };
    let (proof, nym) = prove(&mut rng, b"verifier A");
    let (proof_again, nym_again) = prove(&mut rng, b"verifier A");
    let (_, nym_b) = prove(&mut rng, b"verifier B");
    // One pseudonym per context: the same for A twice, another for B; the proofs themselves differ.
    prop_assert_eq!(&nym, &nym_again);
    prop_assert_ne!(&nym, &nym_b);
    prop_assert_ne!(&proof, &proof_again);
    prop_assert_eq!(
        pseudonym::calculate_pseudonym::<C>(b"verifier A", &nym_secrets).unwrap(),
        nym.clone()
    );
    let disclosed: Vec<(usize, &[u8])> = case.disclosed.iter().map(|&i| (i, messages[i])).collect();
    let disclosed_c: Vec<(usize, &[u8])> = case
        .disclosed_committed
        .iter()
        .map(|&j| (j, committed[j]))
        .collect();
    let verify = |proof: &Proof, nym: &Pseudonym, context: &[u8]| {
        pseudonym::proof_verify_with_nym::<C>(
            &pk,
            proof,
            &case.header,
            &case.presentation_header,
            nym,
            context,
            case.nyms,
            messages.len(),
            &disclosed,
            &disclosed_c,
        )
    };
    prop_assert!(verify(&proof, &nym, b"verifier A").is_ok());
    prop_assert!(verify(&proof_again, &nym, b"verifier A").is_ok());
    prop_assert!(verify(&proof, &nym_b, b"verifier A").is_err());
    prop_assert!(verify(&proof, &nym, b"verifier B").is_err());
    if let Ok(changed) = Proof::from_bytes(&flip_bit(&proof.to_bytes(), &case.flip)) {
        prop_assert!(verify(&changed, &nym, b"verifier A").is_err());
    }
    if let Ok(changed) = Pseudonym::from_bytes(&flip_bit(&nym.to_bytes(), &case.flip)) {
        prop_assert!(verify(&proof, &changed, b"verifier A").is_err());
    }
    Ok(())
}

proptest! {
    #![proptest_config(crypto_config())]

    #[test]
    fn blind_round_trips_sha256(case in blind_case(1)) {
        blind_round_trip::<Bls12381Sha256>(&case)?;
    }

    #[test]
    fn blind_round_trips_shake256(case in blind_case(1)) {
        blind_round_trip::<Bls12381Shake256>(&case)?;
    }

    #[test]
    fn nym_round_trips_sha256(case in blind_case(4)) {
        nym_round_trip::<Bls12381Sha256>(&case)?;
    }

    #[test]
    fn nym_round_trips_shake256(case in blind_case(4)) {
        nym_round_trip::<Bls12381Shake256>(&case)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: DECODE_CASES, ..ProptestConfig::default() })]

    #[test]
    fn commitment_decoding_never_panics(bytes in vec(any::<u8>(), 0..400)) {
        if let Ok(c) = Commitment::from_bytes(&bytes) {
            prop_assert_eq!(c.to_bytes(), bytes);
        }
    }

    /// Well-formed lengths with a valid point, so that the scalar checks are reached too.
    #[test]
    fn commitment_scalars_are_checked(scalars in vec(any::<[u8; 32]>(), 0..6)) {
        let mut rng = StdRng::seed_from_u64(1);
        let (c, _) = blind::commit::<Bls12381Sha256, _>(&mut rng, &[]).unwrap();
        let bytes = [&c.to_bytes()[..48], &scalars.concat()].concat();
        if let Ok(c) = Commitment::from_bytes(&bytes) {
            prop_assert!(scalars.len() >= 2);
            prop_assert_eq!(c.to_bytes(), bytes);
        }
    }

    #[test]
    fn prover_blind_decoding_never_panics(bytes in vec(any::<u8>(), 0..40)) {
        if let Ok(b) = ProverBlind::from_bytes(&bytes) {
            prop_assert_eq!(b.to_bytes().to_vec(), bytes);
        }
    }

    #[test]
    fn pseudonym_decoding_never_panics(bytes in vec(any::<u8>(), 0..60)) {
        if let Ok(p) = Pseudonym::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes().to_vec(), bytes);
        }
    }
}
