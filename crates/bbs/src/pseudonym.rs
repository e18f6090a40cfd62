//! Per-verifier pseudonyms (draft-irtf-cfrg-bbs-per-verifier-linkability-02; -03 keeps its content and
//! vectors): a value a holder shows a verifier that is the same every time it presents to that
//! verifier (one `context_id`) and unlinkable across verifiers, bound to a signature whose nym secrets
//! no one but the holder knows, the signer included.
//!
//! Issuance is Blind BBS under this interface's own api_id: the prover commits to its committed
//! messages and its `N` prover nyms ([`commit_with_nym`]); the signer adds its `signer_nym_entropy`
//! to the last nym without seeing it ([`blind_sign_with_nym`]); the prover checks the signature and
//! obtains the final [`NymSecrets`] ([`verify_finalize_with_nym`]). Each proof then carries the
//! [`Pseudonym`] `OP * Σ nym_secrets[i] * z^i` for the verifier's `context_id`, with
//! `OP = hash_to_curve_g1(context_id)` and `z = hash_to_scalar(context_id)`, and proves it was made
//! from the signed nym secrets ([`proof_gen_with_nym`], [`proof_verify_with_nym`]).
//!
//! The signed list is the blind one (the signer's messages, the prover blind, the committed
//! messages) followed by the nym secrets, under `create_generators(M + N + 1, "BLIND_" || api_id)`;
//! every header of the interface is `header || I2OSP(N, 8)`, so a signature for `N` nym secrets
//! verifies for no other `N` (-02 §9.2).
//!
//! Where the draft's text and its vectors disagree the vectors are followed: the api_id is
//! `ciphersuite_id || "H2G_HM2S_PSEUDONYM_"` throughout (some parameter lists of §5 name
//! `"BLIND_H2G_HM2S_"` or `"H2G_HM2S_"`), `hash_to_curve_g1` takes the api_id itself as its tag, and
//! `z`'s tag is `api_id || "VECT_NYM_SECRETS"` (no trailing underscore).
//!
//! ```
//! use ecert_bbs::{Bls12381Sha256, Scalar, SecretKey, pseudonym};
//! use ecert_bbs::pseudonym::NymSecrets;
//!
//! # fn main() -> Result<(), ecert_bbs::Error> {
//! let mut rng = ecert_bbs::rand_core::OsRng;
//! let sk = SecretKey::key_gen::<Bls12381Sha256>(&[3u8; 32], b"issuer", None)?;
//! let pk = sk.public_key();
//! let prover_nyms = NymSecrets::random(&mut rng, 1)?;
//! let (commitment, blind) = pseudonym::commit_with_nym::<Bls12381Sha256, _>(&mut rng, &[], &prover_nyms)?;
//! let entropy = Scalar::random(&mut rng);
//! let messages: [&[u8]; 1] = [b"resident of 440000"];
//! let signature = pseudonym::blind_sign_with_nym::<Bls12381Sha256>(
//!     &sk, &pk, &commitment, 1, &entropy, b"h", &messages,
//! )?;
//! let nym_secrets = pseudonym::verify_finalize_with_nym::<Bls12381Sha256>(
//!     &pk, &signature, b"h", &messages, &[], &prover_nyms, &entropy, &blind,
//! )?;
//! // The hospital's portal sees the same pseudonym at every visit, and nothing else.
//! let (proof, nym) = pseudonym::proof_gen_with_nym::<Bls12381Sha256, _>(
//!     &mut rng, &pk, &signature, b"h", b"nonce", &nym_secrets, b"hospital-portal", &messages, &[],
//!     &[], &[], &blind,
//! )?;
//! pseudonym::proof_verify_with_nym::<Bls12381Sha256>(
//!     &pk, &proof, b"h", b"nonce", &nym, b"hospital-portal", 1, 1, &[], &[],
//! )?;
//! assert_eq!(nym, pseudonym::calculate_pseudonym::<Bls12381Sha256>(b"hospital-portal", &nym_secrets)?);
//! # Ok(())
//! # }
//! ```

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::blind::{self, Commitment, ProverBlind, SignedMessages};
use crate::ciphersuite::Ciphersuite;
use crate::curve::{Fr, G1_BYTES, G1Affine};
use crate::error::{Error, Result};
use crate::interface::Interface;
use crate::key::{PublicKey, SecretKey};
use crate::proof::{self, Proof, PseudonymBinding};
use crate::scalar::Scalar;
use crate::signature::Signature;
use crate::verify;

/// `"H2G_HM2S_PSEUDONYM_"`: the api_id suffix the pseudonym draft's vectors use.
const PSEUDONYM_API_ID_SUFFIX: &[u8] = b"H2G_HM2S_PSEUDONYM_";

/// `ciphersuite_id || "H2G_HM2S_PSEUDONYM_"`, the Pseudonym Interface's api_id.
pub fn api_id<C: Ciphersuite>() -> Vec<u8> {
    interface::<C>().api_id().to_vec()
}

pub(crate) fn interface<C: Ciphersuite>() -> Interface<C> {
    Interface::with_suffix(PSEUDONYM_API_ID_SUFFIX)
}

/// `N >= 1` secret scalars: the prover's `prover_nyms`, or the `nym_secrets` that
/// [`verify_finalize_with_nym`] returns.
///
/// Secret: zeroized on drop, no `Debug` output of the values, constant-time equality, no `Clone`.
pub struct NymSecrets(Vec<Scalar>);

impl NymSecrets {
    /// `n` fresh prover nyms, each `OS2IP(48 random bytes) mod r` (`n >= 1`).
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R, n: usize) -> Result<NymSecrets> {
        NymSecrets::new((0..n).map(|_| Scalar::random(rng)).collect())
    }

    /// The given scalars, in order; an empty list is [`Error::NymVectorLength`].
    pub fn new(scalars: Vec<Scalar>) -> Result<NymSecrets> {
        if scalars.is_empty() {
            return Err(Error::NymVectorLength);
        }
        Ok(NymSecrets(scalars))
    }

    /// The scalars, in order.
    pub fn as_scalars(&self) -> &[Scalar] {
        &self.0
    }

    /// `N`.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: there is at least one nym secret.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn to_fr(&self) -> Zeroizing<Vec<Fr>> {
        Zeroizing::new(self.0.iter().map(|s| s.0).collect())
    }
}

impl fmt::Debug for NymSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NymSecrets")
            .field("len", &self.0.len())
            .finish_non_exhaustive()
    }
}

impl PartialEq for NymSecrets {
    fn eq(&self, other: &Self) -> bool {
        // The count is public (it is in every header); the values are compared in constant time.
        self.0.len() == other.0.len()
            && bool::from(
                self.0
                    .iter()
                    .zip(&other.0)
                    .fold(subtle::Choice::from(1), |acc, (a, b)| acc & a.0.ct_eq(&b.0)),
            )
    }
}

impl Eq for NymSecrets {}

/// A pseudonym: a point of G1 other than the identity (-02 §3.3). Public: made to be shown.
#[derive(Clone)]
pub struct Pseudonym {
    point: G1Affine,
    bytes: [u8; G1_BYTES],
}

impl Pseudonym {
    /// `point_to_octets_g1`: 48 bytes.
    pub fn to_bytes(&self) -> [u8; G1_BYTES] {
        self.bytes
    }

    /// `octets_to_point_g1`: 48 bytes, compressed, on the curve, in G1, not the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Pseudonym> {
        let bytes: &[u8; G1_BYTES] = bytes.try_into().map_err(|_| Error::MalformedPseudonym)?;
        let point = G1Affine::from_compressed_vartime(bytes).ok_or(Error::MalformedPseudonym)?;
        Ok(Pseudonym { point, bytes: *bytes })
    }

    fn from_point(point: G1Affine) -> Pseudonym {
        Pseudonym {
            bytes: point.to_compressed(),
            point,
        }
    }
}

impl fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pseudonym(")?;
        for b in &self.bytes[..8] {
            write!(f, "{b:02x}")?;
        }
        f.write_str("..)")
    }
}

impl PartialEq for Pseudonym {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Pseudonym {}

impl core::hash::Hash for Pseudonym {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

/// `CommitWithNym(committed_messages, prover_nyms, api_id)` (-02 §5.1.1): Blind BBS's Commit over
/// `messages_to_scalars(committed_messages) || prover_nyms`. Draws its `M + N + 2` random scalars
/// from `rng`.
pub fn commit_with_nym<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    committed_messages: &[&[u8]],
    prover_nyms: &NymSecrets,
) -> Result<(Commitment, ProverBlind)> {
    let random_scalars =
        proof::calculate_random_scalars(rng, committed_messages.len() + prover_nyms.len() + 2);
    blind::commit_messages(
        &interface::<C>(),
        committed_messages,
        &prover_nyms.to_fr(),
        &random_scalars,
    )
}

/// CoreCommitVerify alone for a CommitWithNym commitment (under this interface's blind generators), as
/// [`blind_sign_with_nym`] checks it first.
pub fn verify_commitment<C: Ciphersuite>(commitment: &Commitment) -> Result<()> {
    let interface = interface::<C>();
    let ctx = interface.blind_context(0, commitment.committed_count() + 1)?;
    blind::verified_commitment(&ctx, Some(commitment)).map(|_| ())
}

/// `BlindSignWithNym(SK, PK, commitment_with_proof, length_nym_vector, signer_nym_entropy, header,
/// messages)` (-02 §5.1.2): checks the commitment's proof, then signs with `J_(M+N) *
/// signer_nym_entropy` added to `B`, which adds the entropy to the last nym secret.
/// `length_nym_vector` (N) must be in `1..=commitment.committed_count()`. Deterministic.
///
/// Constant time in the secret key and the entropy.
pub fn blind_sign_with_nym<C: Ciphersuite>(
    sk: &SecretKey,
    pk: &PublicKey,
    commitment: &Commitment,
    length_nym_vector: usize,
    signer_nym_entropy: &Scalar,
    header: &[u8],
    messages: &[&[u8]],
) -> Result<Signature> {
    let interface = interface::<C>();
    // The commitment holds the committed messages and then the N prover nyms.
    let committed = commitment.committed_count();
    if length_nym_vector == 0 || length_nym_vector > committed {
        return Err(Error::NymVectorLength);
    }
    // 1.-2. generators, blind_generators (M + N + 1 of them)
    let ctx = interface.blind_context(messages.len(), committed + 1)?;
    // 5. message_scalars = messages_to_scalars(messages, api_id)
    let message_scalars = interface.messages_to_scalars(messages);
    // 8. B = B + blind_generators[-1] * signer_nym_entropy, in constant time: the entropy is half of
    //    the holder's nym secret.
    let entropy_term = ctx
        .generators
        .blind_list()
        .ok_or(Error::Degenerate)?
        .msm_points_constant_time(committed, &[signer_nym_entropy.0]);
    // 9. combined_header = header || I2OSP(length_nym_vector, 8)
    let combined_header = combined_header(header, length_nym_vector);
    // 3.-4., 6.-7., 10.-12. commit = deserialize_and_validate_commit(...); B = B_calculate(...);
    //    FinalizeBlindSign(SK, PK, B, generators, blind_generators, combined_header, api_id)
    blind::sign_committed(
        &ctx,
        sk,
        pk,
        &combined_header,
        &message_scalars,
        committed + 1,
        Some(commitment),
        &entropy_term,
    )
}

/// `VerifyFinalizeWithNym(PK, signature, header, messages, committed_messages, prover_nyms,
/// signer_nym_entropy, secret_prover_blind)` (-02 §5.1.3): verifies the signature and returns the nym
/// secrets, the prover nyms with the signer's entropy added to the last.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub fn verify_finalize_with_nym<C: Ciphersuite>(
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    messages: &[&[u8]],
    committed_messages: &[&[u8]],
    prover_nyms: &NymSecrets,
    signer_nym_entropy: &Scalar,
    prover_blind: &ProverBlind,
) -> Result<NymSecrets> {
    let interface = interface::<C>();
    // 2.-3. nym_secrets = prover_nyms; nym_secrets[-1] = prover_nyms[-1] + signer_nym_entropy
    let mut nym_secrets = prover_nyms.to_fr();
    let last = nym_secrets.last_mut().ok_or(Error::NymVectorLength)?;
    *last = last.add(&signer_nym_entropy.0);
    // 1., 4. (message_scalars, generators) = prepare_parameters(...); message_scalars.append(nym_secrets)
    let signed = SignedMessages::prepare(
        &interface,
        messages,
        committed_messages,
        Some(prover_blind),
        &nym_secrets,
    );
    let ctx = interface.blind_context(messages.len(), signed.len() - messages.len())?;
    // 5.-7. CoreVerify(PK, signature, generators, header || I2OSP(N, 8), message_scalars, api_id)
    let combined_header = combined_header(header, nym_secrets.len());
    verify::core_verify(&ctx, pk, signature, &combined_header, &signed.scalars)?;
    // 8. return nym_secrets
    NymSecrets::new(nym_secrets.iter().map(|s| Scalar(*s)).collect())
}

/// `ProofGenWithNym(PK, signature, header, ph, nym_secrets, context_id, messages, committed_messages,
/// disclosed_indexes, disclosed_commitment_indexes, secret_prover_blind)` (-02 §5.2): a proof and the
/// pseudonym for `context_id`. The nym secrets and the prover blind are never disclosed; the indexes
/// are as in [`blind::blind_proof_gen`]. Draws its random scalars from `rng`.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub fn proof_gen_with_nym<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    nym_secrets: &NymSecrets,
    context_id: &[u8],
    messages: &[&[u8]],
    committed_messages: &[&[u8]],
    disclosed_indexes: &[usize],
    disclosed_commitment_indexes: &[usize],
    prover_blind: &ProverBlind,
) -> Result<(Proof, Pseudonym)> {
    let interface = interface::<C>();
    let signed = SignedMessages::prepare(
        &interface,
        messages,
        committed_messages,
        Some(prover_blind),
        &nym_secrets.to_fr(),
    );
    let disclosed = signed.disclosed(disclosed_indexes, disclosed_commitment_indexes)?;
    let random_scalars = proof::calculate_random_scalars(rng, 5 + signed.len() - disclosed.len());
    prove(
        &interface,
        pk,
        signature,
        header,
        presentation_header,
        nym_secrets,
        context_id,
        &signed,
        &disclosed,
        &random_scalars,
    )
}

/// `ProofVerifyWithNym(PK, proof, header, ph, pseudonym, context_id, length_nym_vector, L,
/// disclosed_messages, disclosed_committed_messages, disclosed_indexes, disclosed_committed_indexes)`
/// (-02 §5.3): checks the proof and that `pseudonym` is that of the signed nym secrets for
/// `context_id`. `l` and the pairs are as in [`blind::blind_proof_verify`].
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub fn proof_verify_with_nym<C: Ciphersuite>(
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    presentation_header: &[u8],
    pseudonym: &Pseudonym,
    context_id: &[u8],
    length_nym_vector: usize,
    l: usize,
    disclosed_messages: &[(usize, &[u8])],
    disclosed_committed_messages: &[(usize, &[u8])],
) -> Result<()> {
    if length_nym_vector == 0 {
        return Err(Error::NymVectorLength);
    }
    let interface = interface::<C>();
    let (op, z_powers) = context_bases(&interface, context_id, length_nym_vector)?;
    let binding = PseudonymBinding {
        context_id,
        op,
        z_powers,
        pseudonym: pseudonym.point,
        n: length_nym_vector,
    };
    blind::verify_proof(
        &interface,
        pk,
        proof,
        &combined_header(header, length_nym_vector),
        presentation_header,
        l,
        length_nym_vector,
        disclosed_messages,
        disclosed_committed_messages,
        Some(&binding),
    )
}

/// The pseudonym calculation (-02 §4): `OP * Σ nym_secrets[i] * z^i`, with `OP =
/// hash_to_curve_g1(context_id, api_id)` and `z = hash_to_scalar(context_id, api_id ||
/// "VECT_NYM_SECRETS")`. Constant time in the nym secrets.
pub fn calculate_pseudonym<C: Ciphersuite>(context_id: &[u8], nym_secrets: &NymSecrets) -> Result<Pseudonym> {
    let (op, z_powers) = context_bases(&interface::<C>(), context_id, nym_secrets.len())?;
    pseudonym_point(&op, &z_powers, nym_secrets).map(Pseudonym::from_point)
}

/// CoreProofGenWithNym (-02 §6.1) with its random scalars given.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub(crate) fn prove<C: Ciphersuite>(
    interface: &Interface<C>,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    nym_secrets: &NymSecrets,
    context_id: &[u8],
    signed: &SignedMessages,
    disclosed: &[usize],
    random_scalars: &[Fr],
) -> Result<(Proof, Pseudonym)> {
    // PseudonymProofInit 1.-7.: OP, z and the pseudonym itself
    let (op, z_powers) = context_bases(interface, context_id, nym_secrets.len())?;
    let pseudonym = pseudonym_point(&op, &z_powers, nym_secrets)?;
    let binding = PseudonymBinding {
        context_id,
        op,
        z_powers,
        pseudonym,
        n: nym_secrets.len(),
    };
    // 2.-9. ProofInit with combined_header = header || I2OSP(N, 8), PseudonymProofInit, the challenge
    //    over both, ProofFinalize
    let proof = signed.proof_gen(
        interface,
        pk,
        signature,
        &combined_header(header, nym_secrets.len()),
        presentation_header,
        disclosed,
        random_scalars,
        Some(&binding),
    )?;
    Ok((proof, Pseudonym::from_point(pseudonym)))
}

/// `header || I2OSP(length_nym_vector, 8)`: the header every operation of the interface signs under.
fn combined_header(header: &[u8], length_nym_vector: usize) -> Vec<u8> {
    [header, &(length_nym_vector as u64).to_be_bytes()].concat()
}

/// `OP = hash_to_curve_g1(context_id, api_id)` and `1, z, ..., z^(n-1)` for
/// `z = hash_to_scalar(context_id, api_id || "VECT_NYM_SECRETS")`.
fn context_bases<C: Ciphersuite>(
    interface: &Interface<C>,
    context_id: &[u8],
    n: usize,
) -> Result<(G1Affine, Vec<Fr>)> {
    let api_id = interface.api_id();
    let op = C::SUITE.hash_to_curve_g1(&[context_id], api_id)?.to_affine();
    let z_dst = [api_id, b"VECT_NYM_SECRETS"].concat();
    let z = C::SUITE.hash_to_scalar(&[context_id], &z_dst)?;
    let mut z_powers = Vec::with_capacity(n);
    let mut power = Fr::from_u64(1);
    for _ in 0..n {
        z_powers.push(power);
        power = power.mul(&z);
    }
    Ok((op, z_powers))
}

/// `OP * Σ nym_secrets[i] * z^i` (PseudonymProofInit 3.-7.), in constant time.
fn pseudonym_point(op: &G1Affine, z_powers: &[Fr], nym_secrets: &NymSecrets) -> Result<G1Affine> {
    let poly = Zeroizing::new(
        nym_secrets
            .0
            .iter()
            .zip(z_powers)
            .fold(Fr::ZERO, |acc, (s, z)| acc.add(&s.0.mul(z))),
    );
    let pseudonym = op.to_projective().mul(&poly);
    // 9. if pseudonym == Identity_G1, return INVALID
    if pseudonym.is_identity() {
        return Err(Error::Degenerate);
    }
    Ok(pseudonym.to_affine())
}
