//! Equality proofs between committed messages of different proofs: that commitments
//! `C_i = Y0_i * s_i + Y1_i * m` from several BBS proofs (different certificates, issuers, keys, even
//! interfaces and so commitment bases) all commit to the same message `m`, without revealing it. Two certificates of one
//! holder show the same hidden holder secret this way.
//!
//! A Schnorr proof of knowledge of `(m, s_1, ..., s_k)` with one response for `m` shared by all the
//! commitments (a standard AND-composition of Σ-protocols with a common witness), made non-interactive
//! with the challenge `c = hash_to_scalar(label || context || for each i: Y0_i || Y1_i || C_i || T_i,
//! api_id || "EQUALITY_CHALLENGE_")`, where `T_i = Y0_i * k_i + Y1_i * k_m` are the commitments of the
//! random `k`. The proof is `(c, z_m, z_1, ..., z_k)`: `z_m = k_m + c m`, `z_i = k_i + c s_i`; the verifier
//! recomputes `T_i = Y0_i * z_i + Y1_i * z_m - C_i * c` and the challenge. specs/zk-proofs.md has the
//! security argument.

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::ciphersuite::Ciphersuite;
use crate::committed::{MessageCommitment, Opening};
use crate::curve::{self, Fr, G1, SCALAR_BYTES};
use crate::error::{Error, Result};
use crate::interface::Interface;
use crate::proof;

/// Domain separation of the challenge input.
const LABEL: &[u8] = b"ECERT-EQUALITY-V1";

/// A proof that several commitments commit to one message: `(c, z_m, z_1, ..., z_k)`, `32 (k + 2)` bytes.
#[derive(Clone)]
pub struct EqualityProof {
    challenge: Fr,
    message_response: Fr,
    blinding_responses: Vec<Fr>,
}

impl PartialEq for EqualityProof {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for EqualityProof {}

impl fmt::Debug for EqualityProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EqualityProof")
            .field("commitments", &self.blinding_responses.len())
            .finish_non_exhaustive()
    }
}

impl EqualityProof {
    /// `c || z_m || z_1 .. z_k`, 32-byte big-endian scalars.
    pub fn to_bytes(&self) -> Vec<u8> {
        core::iter::once(&self.challenge)
            .chain([&self.message_response])
            .chain(&self.blinding_responses)
            .flat_map(|k| k.to_be_bytes())
            .collect()
    }

    /// Decodes a proof over `count` commitments (at least 2): exactly `32 (count + 2)` bytes of scalars
    /// below r, the challenge not zero.
    pub fn from_bytes(bytes: &[u8], count: usize) -> Result<EqualityProof> {
        if count < 2 || count.checked_add(2).and_then(|n| n.checked_mul(SCALAR_BYTES)) != Some(bytes.len()) {
            return Err(Error::MalformedProof);
        }
        let scalars = bytes
            .chunks_exact(SCALAR_BYTES)
            .map(|chunk| {
                chunk
                    .try_into()
                    .ok()
                    .and_then(Fr::from_be_bytes_canonical)
                    .ok_or(Error::MalformedProof)
            })
            .collect::<Result<Vec<Fr>>>()?;
        if bool::from(scalars[0].is_zero()) {
            return Err(Error::MalformedProof);
        }
        Ok(EqualityProof {
            challenge: scalars[0],
            message_response: scalars[1],
            blinding_responses: scalars[2..].to_vec(),
        })
    }
}

/// The challenge over the bases, commitments and `T_i`.
fn challenge<C: Ciphersuite>(
    interfaces: &[&Interface<C>],
    commitments: &[&MessageCommitment],
    t: &[G1],
    context: &[u8],
) -> Result<Fr> {
    let t = G1::batch_to_affine(t);
    let mut input = Vec::with_capacity(64 + context.len() + commitments.len() * 4 * 48);
    input.extend_from_slice(LABEL);
    input.extend_from_slice(&(context.len() as u64).to_be_bytes());
    input.extend_from_slice(context);
    input.extend_from_slice(&(commitments.len() as u64).to_be_bytes());
    for ((interface, commitment), t) in interfaces.iter().zip(commitments).zip(&t) {
        let bases = interface.context(0)?.commitment_bases()?;
        input.extend_from_slice(&bases.affine(0).to_compressed());
        input.extend_from_slice(&bases.affine(1).to_compressed());
        input.extend_from_slice(&commitment.to_bytes());
        input.extend_from_slice(&t.to_compressed());
    }
    let dst = [interfaces[0].api_id(), b"EQUALITY_CHALLENGE_"].concat();
    C::SUITE.hash_to_scalar(&[&input], &dst)
}

/// Proves that the commitments (each under its interface's bases, each with its opening) commit to one
/// message. Refuses openings of different messages ([`Error::EqualityStatement`]) and fewer than two
/// commitments. Constant time in the openings and the random scalars.
pub fn prove_equal<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    items: &[(&Interface<C>, &MessageCommitment, &Opening)],
    context: &[u8],
) -> Result<EqualityProof> {
    let Some(((_, _, first), rest)) = items.split_first().filter(|(_, rest)| !rest.is_empty()) else {
        return Err(Error::EqualityStatement);
    };
    let same = rest.iter().fold(subtle::Choice::from(1), |acc, (_, _, o)| {
        acc & o.message.ct_eq(&first.message)
    });
    if !bool::from(same) {
        return Err(Error::EqualityStatement);
    }
    // k_m, k_1, ..., k_k
    let random = proof::calculate_random_scalars(rng, items.len() + 1);
    let (k_m, k) = (random[0], &random[1..]);
    let mut t = Vec::with_capacity(items.len());
    for ((interface, _, _), k_i) in items.iter().zip(k) {
        let bases = interface.context(0)?.commitment_bases()?;
        let scalars = Zeroizing::new([*k_i, k_m]);
        t.push(bases.msm_points_constant_time(0, scalars.as_slice()));
    }
    let interfaces: Vec<&Interface<C>> = items.iter().map(|(i, _, _)| *i).collect();
    let commitments: Vec<&MessageCommitment> = items.iter().map(|(_, c, _)| *c).collect();
    let c = challenge(&interfaces, &commitments, &t, context)?;
    if bool::from(c.is_zero()) {
        return Err(Error::Degenerate);
    }
    Ok(EqualityProof {
        challenge: c,
        message_response: k_m.add(&c.mul(&first.message)),
        blinding_responses: items
            .iter()
            .zip(k)
            .map(|((_, _, o), k_i)| k_i.add(&c.mul(&o.blinding)))
            .collect(),
    })
}

/// Verifies that the commitments (each under its interface's bases) commit to one message.
pub fn verify_equal<C: Ciphersuite>(
    items: &[(&Interface<C>, &MessageCommitment)],
    proof: &EqualityProof,
    context: &[u8],
) -> Result<()> {
    if items.len() < 2 || items.len() != proof.blinding_responses.len() {
        return Err(Error::VerificationFailed);
    }
    let c = proof.challenge;
    let mut t = Vec::with_capacity(items.len());
    for ((interface, commitment), z_i) in items.iter().zip(&proof.blinding_responses) {
        let bases = interface.context(0)?.commitment_bases()?;
        // T_i = Y0_i * z_i + Y1_i * z_m - C_i * c
        t.push(
            bases
                .msm_points_vartime(&[*z_i, proof.message_response])
                .add(&curve::msm_vartime_glv(&[commitment.point], &[c.neg()])),
        );
    }
    let interfaces: Vec<&Interface<C>> = items.iter().map(|(i, _)| *i).collect();
    let commitments: Vec<&MessageCommitment> = items.iter().map(|(_, c)| *c).collect();
    let expected = challenge(&interfaces, &commitments, &t, context)?;
    if bool::from(expected.ct_eq(&c)) {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}

#[cfg(test)]
mod tests {
    //! The malicious prover: two commitments to different messages, and a prover that answers as if
    //! they were equal (each commitment's true opening, one shared response).

    #![allow(
        clippy::unwrap_used,
        reason = "a test states its expectations by failing loudly"
    )]

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::Bls12381Sha256;

    type Suite = Bls12381Sha256;

    fn interfaces() -> (Interface<Suite>, Interface<Suite>) {
        (
            Interface::<Suite>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_EQ_A_").unwrap(),
            Interface::<Suite>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_EQ_B_").unwrap(),
        )
    }

    fn commit(rng: &mut StdRng, interface: &Interface<Suite>, message: u64) -> (MessageCommitment, Opening) {
        let bases = interface.context(0).unwrap().commitment_bases().unwrap();
        let blinding = proof::calculate_random_scalars(rng, 1)[0];
        let message = Fr::from_u64(message);
        let point = bases.msm_points_vartime(&[blinding, message]).to_affine();
        (
            MessageCommitment::from_point(point),
            Opening { message, blinding },
        )
    }

    #[test]
    fn equal_messages_prove_across_interfaces() {
        let mut rng = StdRng::seed_from_u64(1);
        let (a, b) = interfaces();
        let (ca, oa) = commit(&mut rng, &a, 4242);
        let (cb, ob) = commit(&mut rng, &b, 4242);
        let (cc, oc) = commit(&mut rng, &a, 4242);
        let proof = prove_equal(
            &mut rng,
            &[(&a, &ca, &oa), (&b, &cb, &ob), (&a, &cc, &oc)],
            b"ctx",
        )
        .unwrap();
        let decoded = EqualityProof::from_bytes(&proof.to_bytes(), 3).unwrap();
        assert_eq!(decoded, proof);
        assert_eq!(
            verify_equal(&[(&a, &ca), (&b, &cb), (&a, &cc)], &proof, b"ctx"),
            Ok(())
        );
        // Another context, another order, an interface swapped, a commitment dropped: refused.
        assert!(verify_equal(&[(&a, &ca), (&b, &cb), (&a, &cc)], &proof, b"other").is_err());
        assert!(verify_equal(&[(&b, &cb), (&a, &ca), (&a, &cc)], &proof, b"ctx").is_err());
        assert!(verify_equal(&[(&a, &ca), (&a, &cb), (&a, &cc)], &proof, b"ctx").is_err());
        assert!(verify_equal(&[(&a, &ca), (&b, &cb)], &proof, b"ctx").is_err());
    }

    #[test]
    fn different_messages_are_refused() {
        let mut rng = StdRng::seed_from_u64(2);
        let (a, b) = interfaces();
        let (ca, oa) = commit(&mut rng, &a, 1);
        let (cb, ob) = commit(&mut rng, &b, 2);
        // The honest prover refuses.
        assert_eq!(
            prove_equal(&mut rng, &[(&a, &ca, &oa), (&b, &cb, &ob)], b"ctx").err(),
            Some(Error::EqualityStatement)
        );
        // The lying prover: the true blindings, one shared message response (for either message).
        for shared in [oa.message, ob.message] {
            let random = proof::calculate_random_scalars(&mut rng, 3);
            let mut t = Vec::new();
            for (interface, k) in [(&a, random[1]), (&b, random[2])] {
                let bases = interface.context(0).unwrap().commitment_bases().unwrap();
                t.push(bases.msm_points_vartime(&[k, random[0]]));
            }
            let c = challenge(&[&a, &b], &[&ca, &cb], &t, b"ctx").unwrap();
            let lie = EqualityProof {
                challenge: c,
                message_response: random[0].add(&c.mul(&shared)),
                blinding_responses: vec![
                    random[1].add(&c.mul(&oa.blinding)),
                    random[2].add(&c.mul(&ob.blinding)),
                ],
            };
            assert_eq!(
                verify_equal(&[(&a, &ca), (&b, &cb)], &lie, b"ctx"),
                Err(Error::VerificationFailed)
            );
        }
    }

    #[test]
    fn decoding_checks_lengths_and_scalars() {
        assert!(EqualityProof::from_bytes(&[0u8; 128], 2).is_err()); // zero challenge
        assert!(EqualityProof::from_bytes(&[1u8; 127], 2).is_err());
        assert!(EqualityProof::from_bytes(&[1u8; 96], 1).is_err());
        assert!(EqualityProof::from_bytes(&[0xffu8; 128], 2).is_err()); // not below r
        assert!(EqualityProof::from_bytes(&[1u8; 128], 2).is_ok());
    }
}
