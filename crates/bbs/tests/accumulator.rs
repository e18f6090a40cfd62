//! The accumulator through the public API: witnesses across sequences of additions and removals,
//! holders that skip epochs and catch up, membership proofs linked to a certificate's committed
//! revocation handle; and the refusals: a removed element with its old witness, a membership proof for
//! one handle attached to another certificate, another context, a forged witness, malformed encodings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_bbs::accumulator::{
    self, Accumulator, AccumulatorSecretKey, MembershipProof, UpdateBatch, UpdateKind, Witness,
};
use ecert_bbs::committed::{Disclosure, MessageCommitment, Opening};
use ecert_bbs::{Bls12381Sha256, Error, Interface, PublicKey, Scalar, SecretKey, Signature};
use proptest::collection::vec;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

type C = Bls12381Sha256;

const ID: &[u8] = b"440300-psb/revocation/2026";

fn y(k: u64) -> Scalar {
    accumulator::element::<C>(ID, k).unwrap()
}

#[test]
fn witnesses_follow_additions_and_removals() {
    let mut rng = StdRng::seed_from_u64(1);
    let sk = AccumulatorSecretKey::generate(&mut rng).unwrap();
    let pk = sk.public_key();
    let mut acc = sk.initialize::<C>(ID, 64).unwrap();
    // Holders 0..8 take their witnesses at issuance.
    let mut witnesses: Vec<Witness> = (0..8).map(|k| sk.witness(&acc, &y(k)).unwrap()).collect();
    for (k, w) in witnesses.iter().enumerate() {
        pk.check_witness_vartime(&acc, &y(k as u64), w).unwrap();
    }
    // Epoch 1: 2 and 5 revoked; epoch 2: 6 suspended; epoch 3: 6 reinstated, 1 revoked.
    let mut epochs: Vec<(Accumulator, UpdateBatch)> = Vec::new();
    let (a1, b1) = sk.remove(&acc, &[y(2), y(5)]).unwrap();
    epochs.push((a1.clone(), b1));
    let (a2, b2) = sk.remove(&a1, &[y(6)]).unwrap();
    epochs.push((a2.clone(), b2));
    let (a3, b3) = sk.add(&a2, &[y(6)]).unwrap();
    epochs.push((a3.clone(), b3));
    let (a4, b4) = sk.remove(&a3, &[y(1)]).unwrap();
    epochs.push((a4.clone(), b4));
    // A holder whose element left the accumulator stops updating: its witness is dead.
    let mut alive = [true; 8];
    for (new, batch) in &epochs {
        for k in 0..8u64 {
            if !alive[k as usize] {
                continue;
            }
            let w = &witnesses[k as usize];
            match w.update(&y(k), batch) {
                Ok(updated) => {
                    pk.check_witness_vartime(new, &y(k), &updated).unwrap();
                    witnesses[k as usize] = updated;
                }
                Err(e) => {
                    assert_eq!(e, Error::AccumulatorUpdate);
                    assert!(batch.kind() == UpdateKind::Remove && batch.elements().contains(&y(k)));
                    alive[k as usize] = false;
                }
            }
        }
        acc = new.clone();
    }
    // The revoked (1, 2, 5) have no witness for the last value; the old ones fail; the others pass.
    for k in [1u64, 2, 5] {
        assert!(
            pk.check_witness_vartime(&acc, &y(k), &witnesses[k as usize])
                .is_err(),
            "{k}"
        );
    }
    for k in [0u64, 3, 4, 7] {
        pk.check_witness_vartime(&acc, &y(k), &witnesses[k as usize])
            .unwrap();
    }
    // Holder 6, suspended then reinstated: its pre-suspension witness failed at epoch 2; the issuer
    // hands it a new one at reinstatement, which then follows epoch 4.
    let reinstated = sk.witness(&epochs[2].0, &y(6)).unwrap();
    let followed = reinstated.update(&y(6), &epochs[3].1).unwrap();
    pk.check_witness_vartime(&acc, &y(6), &followed).unwrap();
    // Holder 7, offline since issuance, catches up through all four epochs at once.
    let mut late = sk.witness(&sk.initialize::<C>(ID, 64).unwrap(), &y(7)).unwrap();
    for (_, batch) in &epochs {
        late = late.update(&y(7), batch).unwrap();
    }
    pk.check_witness_vartime(&acc, &y(7), &late).unwrap();
    // Batches with an element twice are refused; encodings round trip.
    assert_eq!(
        sk.remove(&acc, &[y(3), y(3)]).err(),
        Some(Error::AccumulatorUpdate)
    );
    for (value, batch) in &epochs {
        assert_eq!(&UpdateBatch::from_bytes(&batch.to_bytes()).unwrap(), batch);
        assert_eq!(&Accumulator::from_bytes(&value.to_bytes()).unwrap(), value);
    }
    assert_eq!(
        AccumulatorSecretKey::from_bytes(&sk.to_bytes())
            .unwrap()
            .public_key(),
        pk
    );
}

/// A certificate whose message 1 is the revocation handle `y(k)`, and a proof committing it.
struct Certificate {
    api: Interface<C>,
    pk: PublicKey,
    signature: Signature,
    messages: Vec<Scalar>,
}

fn certificate(k: u64) -> Certificate {
    let sk = SecretKey::key_gen::<C>(&[8u8; 32], b"psb", None).unwrap();
    let pk = sk.public_key();
    let api = Interface::<C>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_TEST_").unwrap();
    let messages = vec![
        api.map_message_to_scalar(b"cn.resident-id-card"),
        y(k),
        Scalar::from_u64(7),
    ];
    let signature = api.core_sign(&sk, &pk, b"card", &messages).unwrap();
    Certificate {
        api,
        pk,
        signature,
        messages,
    }
}

fn committed_handle(rng: &mut StdRng, cert: &Certificate, ph: &[u8]) -> (MessageCommitment, Opening) {
    let disclosures = [Disclosure::Disclose, Disclosure::Commit, Disclosure::Hide];
    let (proof, mut openings) = cert
        .api
        .core_proof_gen_committed(
            rng,
            &cert.pk,
            &cert.signature,
            b"card",
            ph,
            &cert.messages,
            &disclosures,
        )
        .unwrap();
    cert.api
        .core_proof_verify_committed(&cert.pk, &proof, b"card", ph, &[(0, cert.messages[0].clone())])
        .unwrap();
    (proof.commitments().remove(0).1, openings.remove(0).1)
}

#[test]
fn membership_of_a_committed_handle() {
    let mut rng = StdRng::seed_from_u64(2);
    let sk = AccumulatorSecretKey::generate(&mut rng).unwrap();
    let pk = sk.public_key();
    let acc = sk.initialize::<C>(ID, 16).unwrap();
    let cert = certificate(3);
    let witness = sk.witness(&acc, &y(3)).unwrap();
    let (commitment, opening) = committed_handle(&mut rng, &cert, b"ph");
    let proof = accumulator::prove_membership(
        &mut rng,
        &cert.api,
        &pk,
        &acc,
        &witness,
        &commitment,
        &opening,
        b"ctx",
    )
    .unwrap();
    assert_eq!(proof.to_bytes().len(), 224);
    let decoded = MembershipProof::from_bytes(&proof.to_bytes()).unwrap();
    assert_eq!(decoded, proof);
    assert_eq!(
        accumulator::verify_membership(&cert.api, &pk, &acc, &commitment, &decoded, b"ctx"),
        Ok(())
    );
    // Another context, another accumulator value, another key: refused.
    assert!(accumulator::verify_membership(&cert.api, &pk, &acc, &commitment, &proof, b"other").is_err());
    let (removed, _) = sk.remove(&acc, &[y(9)]).unwrap();
    assert!(accumulator::verify_membership(&cert.api, &pk, &removed, &commitment, &proof, b"ctx").is_err());
    let other_key = AccumulatorSecretKey::generate(&mut rng).unwrap().public_key();
    assert!(
        accumulator::verify_membership(&cert.api, &other_key, &acc, &commitment, &proof, b"ctx").is_err()
    );
    // The proof for handle 3 attached to a certificate with handle 4 (its commitment): refused.
    let other = certificate(4);
    let (other_commitment, _) = committed_handle(&mut rng, &other, b"ph");
    assert!(accumulator::verify_membership(&cert.api, &pk, &acc, &other_commitment, &proof, b"ctx").is_err());
    // Every byte of the proof changed in turn: refused or undecodable.
    let bytes = proof.to_bytes();
    for i in (0..bytes.len()).step_by(7) {
        let mut changed = bytes;
        changed[i] ^= 0x02;
        if let Ok(changed) = MembershipProof::from_bytes(&changed) {
            assert!(
                accumulator::verify_membership(&cert.api, &pk, &acc, &commitment, &changed, b"ctx").is_err()
            );
        }
    }
}

#[test]
fn a_removed_element_cannot_prove_with_its_old_witness() {
    let mut rng = StdRng::seed_from_u64(3);
    let sk = AccumulatorSecretKey::generate(&mut rng).unwrap();
    let pk = sk.public_key();
    let acc = sk.initialize::<C>(ID, 16).unwrap();
    let cert = certificate(5);
    let old_witness = sk.witness(&acc, &y(5)).unwrap();
    let (revoked, batch) = sk.remove(&acc, &[y(5), y(6)]).unwrap();
    assert_eq!(
        old_witness.update(&y(5), &batch).err(),
        Some(Error::AccumulatorUpdate)
    );
    let (commitment, opening) = committed_handle(&mut rng, &cert, b"ph");
    // The holder tries the old witness against the new value: the proof is made, and refused.
    let proof = accumulator::prove_membership(
        &mut rng,
        &cert.api,
        &pk,
        &revoked,
        &old_witness,
        &commitment,
        &opening,
        b"ctx",
    )
    .unwrap();
    assert_eq!(
        accumulator::verify_membership(&cert.api, &pk, &revoked, &commitment, &proof, b"ctx"),
        Err(Error::VerificationFailed)
    );
    // Against the old value it still verifies: which value is current is the epoch artefacts' to say.
    let stale = accumulator::prove_membership(
        &mut rng,
        &cert.api,
        &pk,
        &acc,
        &old_witness,
        &commitment,
        &opening,
        b"ctx",
    )
    .unwrap();
    assert_eq!(
        accumulator::verify_membership(&cert.api, &pk, &acc, &commitment, &stale, b"ctx"),
        Ok(())
    );
    // A "witness" made up without α (a random point) is refused.
    let forged = Witness::from_bytes(&revoked.to_bytes()).unwrap();
    let proof = accumulator::prove_membership(
        &mut rng,
        &cert.api,
        &pk,
        &revoked,
        &forged,
        &commitment,
        &opening,
        b"ctx",
    )
    .unwrap();
    assert!(accumulator::verify_membership(&cert.api, &pk, &revoked, &commitment, &proof, b"ctx").is_err());
}

#[test]
fn secrets_print_nothing() {
    let mut rng = StdRng::seed_from_u64(4);
    let sk = AccumulatorSecretKey::generate(&mut rng).unwrap();
    let acc = sk.initialize::<C>(ID, 2).unwrap();
    let w = sk.witness(&acc, &y(0)).unwrap();
    assert_eq!(format!("{w:?}"), "Witness(..)");
    assert!(!format!("{sk:?}").contains(&hex::encode(sk.to_bytes())));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn decoders_never_panic(bytes in vec(any::<u8>(), 0..600)) {
        if let Ok(b) = UpdateBatch::from_bytes(&bytes) {
            prop_assert_eq!(b.to_bytes(), bytes.clone());
        }
        if let Ok(p) = MembershipProof::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes().to_vec(), bytes.clone());
        }
        let _ = Accumulator::from_bytes(&bytes);
        let _ = Witness::from_bytes(&bytes);
        let _ = AccumulatorSecretKey::from_bytes(&bytes);
        let _ = ecert_bbs::accumulator::AccumulatorPublicKey::from_bytes(&bytes);
    }
}
