//! Committed disclosure through the public API, over both suites: proofs that disclose, hide and
//! commit in any mix, under the core interface and the blind interface; the openings the prover gets
//! open the commitments; encodings round trip; and what a verifier must refuse (changed disclosed
//! values, another presentation header, a changed or re-encoded proof, disclosed indexes that differ).
//! The malicious provers that lie about a committed value are unit tests in src/committed.rs, where
//! they can reach the internals.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_bbs::committed::{self, CommittedProof, Disclosure};
use ecert_bbs::{Bls12381Sha256, Bls12381Shake256, Ciphersuite, Interface, Scalar, SecretKey, blind};
use proptest::collection::vec;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn disclosure() -> impl Strategy<Value = Disclosure> {
    prop_oneof![
        Just(Disclosure::Disclose),
        Just(Disclosure::Hide),
        Just(Disclosure::Commit)
    ]
}

fn core_round_trip<C: Ciphersuite>(
    values: &[u64],
    disclosures: &[Disclosure],
    seed: u64,
) -> Result<(), TestCaseError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let sk = SecretKey::key_gen::<C>(&[9u8; 32], b"committed", None).unwrap();
    let pk = sk.public_key();
    let api = Interface::<C>::new(&[C::ID, b"H2G_ECERT_COMMIT_TEST_".as_slice()].concat()).unwrap();
    let messages: Vec<Scalar> = values.iter().map(|&v| Scalar::from_u64(v)).collect();
    let signature = api.core_sign(&sk, &pk, b"h", &messages).unwrap();
    let (proof, openings) = api
        .core_proof_gen_committed(&mut rng, &pk, &signature, b"h", b"ph", &messages, disclosures)
        .unwrap();
    let disclosed: Vec<(usize, Scalar)> = proof
        .disclosed_indexes()
        .iter()
        .map(|&i| (i, messages[i].clone()))
        .collect();
    prop_assert!(
        api.core_proof_verify_committed(&pk, &proof, b"h", b"ph", &disclosed)
            .is_ok()
    );
    // The commitments are at the committed indexes, and the openings open them to the messages.
    let commitments = proof.commitments();
    let expected: Vec<usize> = (0..disclosures.len())
        .filter(|&i| disclosures[i] == Disclosure::Commit)
        .collect();
    prop_assert_eq!(
        commitments.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        expected.clone()
    );
    prop_assert_eq!(openings.iter().map(|(i, _)| *i).collect::<Vec<_>>(), expected);
    for ((_, commitment), (index, opening)) in commitments.iter().zip(&openings) {
        prop_assert!(opening.message() == messages[*index]);
        prop_assert!(api.check_opening(commitment, opening).is_ok());
    }
    // The encoding round trips, and the decoded proof verifies.
    let bytes = proof.to_bytes();
    let decoded = CommittedProof::from_bytes(&bytes).unwrap();
    prop_assert_eq!(&decoded, &proof);
    prop_assert!(
        api.core_proof_verify_committed(&pk, &decoded, b"h", b"ph", &disclosed)
            .is_ok()
    );
    // Another presentation header, a changed disclosed value, a flipped bit: refused.
    prop_assert!(
        api.core_proof_verify_committed(&pk, &proof, b"h", b"other", &disclosed)
            .is_err()
    );
    if let Some((i, _)) = disclosed.first() {
        let mut changed = disclosed.clone();
        changed[0] = (*i, Scalar::from_u64(values[*i].wrapping_add(1)));
        prop_assert!(
            api.core_proof_verify_committed(&pk, &proof, b"h", b"ph", &changed)
                .is_err()
        );
        // Disclosed indexes other than the proof's.
        prop_assert!(
            api.core_proof_verify_committed(&pk, &proof, b"h", b"ph", &disclosed[1..])
                .is_err()
        );
    }
    let mut flipped = bytes.clone();
    let at = (seed as usize) % flipped.len();
    flipped[at] ^= 0x20;
    if let Ok(changed) = CommittedProof::from_bytes(&flipped) {
        let d: Vec<(usize, Scalar)> = changed
            .disclosed_indexes()
            .iter()
            .filter(|&&i| i < messages.len())
            .map(|&i| (i, messages[i].clone()))
            .collect();
        prop_assert!(
            api.core_proof_verify_committed(&pk, &changed, b"h", b"ph", &d)
                .is_err()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn core_committed_round_trips(
        (values, disclosures) in (0usize..=10).prop_flat_map(|n| (vec(any::<u64>(), n), vec(disclosure(), n))),
        seed in any::<u64>(),
        shake in any::<bool>(),
    ) {
        if shake {
            core_round_trip::<Bls12381Shake256>(&values, &disclosures, seed)?;
        } else {
            core_round_trip::<Bls12381Sha256>(&values, &disclosures, seed)?;
        }
    }

    #[test]
    fn decoding_never_panics(bytes in vec(any::<u8>(), 0..600)) {
        if let Ok(proof) = CommittedProof::from_bytes(&bytes) {
            prop_assert_eq!(proof.to_bytes(), bytes);
        }
    }
}

/// Well-formed prefixes with lying counts: each is refused without allocating what it claims.
#[test]
fn counts_larger_than_the_input_are_refused() {
    let mut rng = StdRng::seed_from_u64(1);
    let sk = SecretKey::key_gen::<Bls12381Sha256>(&[9u8; 32], b"", None).unwrap();
    let pk = sk.public_key();
    let api = Interface::<Bls12381Sha256>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_TEST_").unwrap();
    let messages: Vec<Scalar> = (0..3).map(Scalar::from_u64).collect();
    let signature = api.core_sign(&sk, &pk, b"", &messages).unwrap();
    let disclosures = [Disclosure::Disclose, Disclosure::Commit, Disclosure::Hide];
    let (proof, _) = api
        .core_proof_gen_committed(&mut rng, &pk, &signature, b"", b"", &messages, &disclosures)
        .unwrap();
    let bytes = proof.to_bytes();
    // Each 8-byte count of the encoding set to 2^63.
    let bbs_len = u64::from_be_bytes(bytes[..8].try_into().unwrap()) as usize;
    let r_at = 8 + bbs_len;
    let n_at = r_at + 8 + 8;
    for at in [0, r_at, n_at, bytes.len() - 16] {
        let mut lying = bytes.clone();
        lying[at..at + 8].copy_from_slice(&(1u64 << 63).to_be_bytes());
        assert!(CommittedProof::from_bytes(&lying).is_err(), "count at {at}");
    }
    // Trailing bytes, a missing byte.
    assert!(CommittedProof::from_bytes(&[bytes.as_slice(), &[0]].concat()).is_err());
    assert!(CommittedProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    // A committed and disclosed index both 0.
    let mut both = bytes.clone();
    let last = both.len() - 8;
    both[last..].copy_from_slice(&0u64.to_be_bytes());
    assert!(CommittedProof::from_bytes(&both).is_err());
}

/// Committed disclosure of a blind signature: a signer message and the holder's committed secret
/// committed, the prover blind hidden.
#[test]
fn blind_committed_round_trip() {
    let mut rng = StdRng::seed_from_u64(2);
    let sk = SecretKey::key_gen::<Bls12381Sha256>(&[4u8; 32], b"", None).unwrap();
    let pk = sk.public_key();
    let secret: &[u8] = b"holder secret";
    let (commitment, blind_factor) =
        blind::commit::<Bls12381Sha256, _>(&mut rng, &[secret, b"other"]).unwrap();
    let messages: [&[u8]; 3] = [b"cn.resident-id-card", b"440300", b"19990101"];
    let signature =
        blind::blind_sign::<Bls12381Sha256>(&sk, &pk, Some(&commitment), b"h", &messages).unwrap();
    let (proof, openings) = committed::blind_proof_gen_committed::<Bls12381Sha256, _>(
        &mut rng,
        &pk,
        &signature,
        b"h",
        b"ph",
        &messages,
        &[secret, b"other"],
        &[Disclosure::Disclose, Disclosure::Hide, Disclosure::Commit],
        &[Disclosure::Commit, Disclosure::Hide],
        Some(&blind_factor),
    )
    .unwrap();
    // Signer message 2 and committed message 0 (at 3 + 1 + 0 = 4).
    let indexes: Vec<usize> = proof.commitments().iter().map(|(i, _)| *i).collect();
    assert_eq!(indexes, vec![2, 4]);
    assert_eq!(openings.len(), 2);
    committed::blind_proof_verify_committed::<Bls12381Sha256>(
        &pk,
        &proof,
        b"h",
        b"ph",
        3,
        &[(0, messages[0])],
        &[],
    )
    .unwrap();
    // L off by one, a disclosed value changed, the committed secret claimed as disclosed.
    for l in [2, 4] {
        assert!(
            committed::blind_proof_verify_committed::<Bls12381Sha256>(
                &pk,
                &proof,
                b"h",
                b"ph",
                l,
                &[(0, messages[0])],
                &[]
            )
            .is_err()
        );
    }
    assert!(
        committed::blind_proof_verify_committed::<Bls12381Sha256>(
            &pk,
            &proof,
            b"h",
            b"ph",
            3,
            &[(0, b"x")],
            &[]
        )
        .is_err()
    );
    assert!(
        committed::blind_proof_verify_committed::<Bls12381Sha256>(
            &pk,
            &proof,
            b"h",
            b"ph",
            3,
            &[(0, messages[0])],
            &[(0, secret)]
        )
        .is_err()
    );
    // The same proof is no core proof.
    let api = Interface::<Bls12381Sha256>::new(&blind::api_id::<Bls12381Sha256>()).unwrap();
    assert!(
        api.core_proof_verify_committed(
            &pk,
            &proof,
            b"h",
            b"ph",
            &[(0, api.map_message_to_scalar(messages[0]))]
        )
        .is_err()
    );
}

/// A disclosure map of the wrong length is refused.
#[test]
fn disclosure_maps_must_cover_every_message() {
    let mut rng = StdRng::seed_from_u64(3);
    let sk = SecretKey::key_gen::<Bls12381Sha256>(&[4u8; 32], b"", None).unwrap();
    let pk = sk.public_key();
    let api = Interface::<Bls12381Sha256>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_TEST_").unwrap();
    let messages: Vec<Scalar> = (0..3).map(Scalar::from_u64).collect();
    let signature = api.core_sign(&sk, &pk, b"", &messages).unwrap();
    for map in [vec![Disclosure::Hide; 2], vec![Disclosure::Hide; 4]] {
        assert!(
            api.core_proof_gen_committed(&mut rng, &pk, &signature, b"", b"", &messages, &map)
                .is_err()
        );
    }
}
