//! Blind BBS signatures (draft-irtf-cfrg-bbs-blind-signatures-02): the signer signs messages it knows
//! together with messages the prover committed to and keeps hidden from it.
//!
//! The prover commits ([`commit`]) and sends the [`Commitment`] to the signer; the signer checks its
//! proof and signs ([`blind_sign`]); the prover checks the signature with its committed messages and
//! its [`ProverBlind`] ([`verify_blind_sign`]) and derives proofs that disclose any of the signer's and
//! the committed messages ([`blind_proof_gen`], [`blind_proof_verify`]). A holder secret committed this
//! way binds the signature to its holder: no one who lacks it can make a proof, the signer included.
//!
//! Every operation is a draft-09 core operation over the list the draft's `prepare_parameters`
//! builds (§5.1): the signer's `L` messages under `H_1..H_L` (api_id `ciphersuite_id ||
//! "BLIND_H2G_HM2S_"`), then the prover blind under `Q_2` and the `M` committed messages under
//! `J_1..J_M` (`create_generators(M + 1, "BLIND_" || api_id)`). So the prover blind is message `L`
//! and committed message `j` is message `L + 1 + j`; a signature issued without a commitment has the
//! blind 0 under `Q_2`.
//!
//! ```
//! use ecert_bbs::{Bls12381Sha256, SecretKey, blind};
//!
//! # fn main() -> Result<(), ecert_bbs::Error> {
//! let mut rng = ecert_bbs::rand_core::OsRng;
//! let sk = SecretKey::key_gen::<Bls12381Sha256>(&[9u8; 32], b"issuer", None)?;
//! let pk = sk.public_key();
//! // The holder commits to its secret; the issuer never sees it.
//! let holder_secret: &[u8] = b"holder secret, 32 random bytes..";
//! let (commitment, prover_blind) = blind::commit::<Bls12381Sha256, _>(&mut rng, &[holder_secret])?;
//! let messages: [&[u8]; 2] = [b"driving licence", b"class C1"];
//! let signature = blind::blind_sign::<Bls12381Sha256>(&sk, &pk, Some(&commitment), b"h", &messages)?;
//! blind::verify_blind_sign::<Bls12381Sha256>(
//!     &pk, &signature, b"h", &messages, &[holder_secret], Some(&prover_blind),
//! )?;
//! // A proof that shows the licence class and hides the holder secret.
//! let proof = blind::blind_proof_gen::<Bls12381Sha256, _>(
//!     &mut rng, &pk, &signature, b"h", b"nonce", &messages, &[holder_secret], &[1], &[],
//!     Some(&prover_blind),
//! )?;
//! blind::blind_proof_verify::<Bls12381Sha256>(&pk, &proof, b"h", b"nonce", 2, &[(1, messages[1])], &[])?;
//! # Ok(())
//! # }
//! ```

use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::ciphersuite::Ciphersuite;
use crate::commit;
use crate::curve::{Fr, G1};
use crate::error::{Error, Result};
use crate::interface::{Context, Interface};
use crate::key::{PublicKey, SecretKey};
use crate::proof::{self, Proof, PseudonymBinding};
use crate::sign;
use crate::signature::Signature;
use crate::verify;

pub use crate::commit::{Commitment, ProverBlind};

/// `"BLIND_H2G_HM2S_"`: the api_id suffix of the Blind BBS Signatures Interface (-02 §4.2).
const BLIND_API_ID_SUFFIX: &[u8] = b"BLIND_H2G_HM2S_";

/// `ciphersuite_id || "BLIND_H2G_HM2S_"`, the Blind BBS Interface's api_id.
pub fn api_id<C: Ciphersuite>() -> Vec<u8> {
    interface::<C>().api_id().to_vec()
}

pub(crate) fn interface<C: Ciphersuite>() -> Interface<C> {
    Interface::with_suffix(BLIND_API_ID_SUFFIX)
}

/// `Commit(committed_messages, api_id)` (-02 §4.1.1): a commitment to the messages, with its proof of
/// correctness, and the prover blind that opens it. Draws its `M + 2` random scalars from `rng`.
pub fn commit<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    committed_messages: &[&[u8]],
) -> Result<(Commitment, ProverBlind)> {
    let interface = interface::<C>();
    let random_scalars = proof::calculate_random_scalars(rng, committed_messages.len() + 2);
    commit_messages(&interface, committed_messages, &[], &random_scalars)
}

/// CoreCommitVerify (-02 §5.3.2) alone: whether the commitment's proof holds under this interface's
/// blind generators, as [`blind_sign`] checks it first. A signer that takes commitments from holders
/// can check one when it arrives, before queuing it for signing.
pub fn verify_commitment<C: Ciphersuite>(commitment: &Commitment) -> Result<()> {
    let interface = interface::<C>();
    let ctx = interface.blind_context(0, commitment.committed_count() + 1)?;
    verified_commitment(&ctx, Some(commitment)).map(|_| ())
}

/// `BlindSign(SK, PK, commitment_with_proof, header, messages)` (-02 §4.2.1): checks the commitment's
/// proof (CoreCommitVerify), then signs the messages and the commitment. `None` signs without a
/// commitment (M = 0, `commit = Identity_G1`). Deterministic; `sk` must be `pk`'s.
///
/// Constant time in the secret key; the signer's messages and the commitment are public to it.
pub fn blind_sign<C: Ciphersuite>(
    sk: &SecretKey,
    pk: &PublicKey,
    commitment: Option<&Commitment>,
    header: &[u8],
    messages: &[&[u8]],
) -> Result<Signature> {
    let interface = interface::<C>();
    // Deserialization 1.-5.: L, and M read off the commitment. -02's step 3 subtracts one scalar
    // fewer than the encoding holds (s^, the m^_i and c); M is the number of m^_i, as -03 has it.
    let l = messages.len();
    let m = commitment.map_or(0, Commitment::committed_count);
    // 1.-2. generators = create_generators(L + 1, api_id); blind_generators = (M + 1, "BLIND_" || api_id)
    let ctx = interface.blind_context(l, m + 1)?;
    // 5. message_scalars = messages_to_scalars(messages, api_id)
    let message_scalars = interface.messages_to_scalars(messages);
    // 3.-4., 6.-11. commit = deserialize_and_validate_commit(...); B = B_calculate(...);
    //    FinalizeBlindSign(SK, PK, B, generators, blind_generators, header)
    sign_committed(
        &ctx,
        sk,
        pk,
        header,
        &message_scalars,
        m + 1,
        commitment,
        &G1::identity(),
    )
}

/// BlindSign and BlindSignWithNym after deserialization: checks the commitment's proof (if any), adds
/// the commitment and `extra` to `B`, and signs. The proof check's `Cbar` and `B` are converted to
/// affine together, one field inversion for both.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub(crate) fn sign_committed(
    ctx: &Context<'_>,
    sk: &SecretKey,
    pk: &PublicKey,
    header: &[u8],
    message_scalars: &[Fr],
    blind_count: usize,
    commitment: Option<&Commitment>,
    extra: &G1,
) -> Result<Signature> {
    if !sk.matches(pk) {
        return Err(Error::KeyMismatch);
    }
    let blind_generators = ctx.generators.blind_list().ok_or(Error::Degenerate)?;
    // deserialize_and_validate_commit 1.: no commitment is the identity
    let (commit_point, cbar) = match commitment {
        Some(c) => (
            c.commitment.to_projective(),
            Some(commit::proof_point(blind_generators, c)),
        ),
        None => (G1::identity(), None),
    };
    let b = sign::blind_b(
        ctx,
        pk,
        header,
        message_scalars,
        blind_count,
        &commit_point.add(extra),
    )?;
    let affine = G1::batch_to_affine(&[Some(b), cbar].into_iter().flatten().collect::<Vec<_>>());
    // deserialize_and_validate_commit 6.-7.: CoreCommitVerify, before anything is signed
    if let (Some(c), Some(cbar)) = (commitment, affine.get(1)) {
        commit::check_challenge(ctx.suite, ctx.api_id, blind_generators, c, cbar)?;
    }
    let b = affine.first().ok_or(Error::Degenerate)?;
    sign::finalize_blind_sign(ctx, sk, b)
}

/// `VerifyBlindSign(PK, signature, header, messages, committed_messages, secret_prover_blind)`
/// (-02 §4.2.2): CoreVerify over the signer's messages, the prover blind (`None` is zero: a signature
/// issued without a commitment) and the committed messages.
pub fn verify_blind_sign<C: Ciphersuite>(
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    messages: &[&[u8]],
    committed_messages: &[&[u8]],
    prover_blind: Option<&ProverBlind>,
) -> Result<()> {
    let interface = interface::<C>();
    // 1. (message_scalars, generators) = prepare_parameters(messages, committed_messages, L + 1, M + 1,
    //    secret_prover_blind, api_id)
    let signed = SignedMessages::prepare(&interface, messages, committed_messages, prover_blind, &[]);
    let ctx = interface.blind_context(messages.len(), committed_messages.len() + 1)?;
    // 2. CoreVerify(PK, signature, generators, header, message_scalars, api_id)
    verify::core_verify(&ctx, pk, signature, header, &signed.scalars)
}

/// `BlindProofGen(PK, signature, header, ph, messages, committed_messages, disclosed_indexes,
/// disclosed_commitment_indexes, secret_prover_blind)` (-02 §4.2.3): discloses the signer's messages
/// at `disclosed_indexes` and the committed ones at `disclosed_commitment_indexes` (each in any order,
/// repeats counted once, out of range = [`Error::DisclosedIndexOutOfRange`]); the prover blind is never
/// disclosed. Draws its random scalars from `rng`; constant time in everything the verifier does not see.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub fn blind_proof_gen<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    messages: &[&[u8]],
    committed_messages: &[&[u8]],
    disclosed_indexes: &[usize],
    disclosed_commitment_indexes: &[usize],
    prover_blind: Option<&ProverBlind>,
) -> Result<Proof> {
    let interface = interface::<C>();
    let signed = SignedMessages::prepare(&interface, messages, committed_messages, prover_blind, &[]);
    let disclosed = signed.disclosed(disclosed_indexes, disclosed_commitment_indexes)?;
    let random_scalars = proof::calculate_random_scalars(rng, 5 + signed.len() - disclosed.len());
    signed.proof_gen(
        &interface,
        pk,
        signature,
        header,
        presentation_header,
        &disclosed,
        &random_scalars,
        None,
    )
}

/// `BlindProofVerify(PK, proof, header, ph, L, disclosed_messages, disclosed_committed_messages,
/// disclosed_indexes, disclosed_committed_indexes)` (-02 §4.2.4): `l` is `L`, the number of the
/// signer's messages; the `(index, message)` pairs are in strictly ascending index order, committed
/// indexes counted from 0. The number of committed messages is read off the proof's length.
pub fn blind_proof_verify<C: Ciphersuite>(
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    presentation_header: &[u8],
    l: usize,
    disclosed_messages: &[(usize, &[u8])],
    disclosed_committed_messages: &[(usize, &[u8])],
) -> Result<()> {
    verify_proof(
        &interface::<C>(),
        pk,
        proof,
        header,
        presentation_header,
        l,
        0,
        disclosed_messages,
        disclosed_committed_messages,
        None,
    )
}

/// Commit over the committed messages and `extra` scalars after them (the prover nyms, for
/// CommitWithNym), with the `M + 2` random scalars given.
pub(crate) fn commit_messages<C: Ciphersuite>(
    interface: &Interface<C>,
    committed_messages: &[&[u8]],
    extra: &[Fr],
    random_scalars: &[Fr],
) -> Result<(Commitment, ProverBlind)> {
    // 1. committed_message_scalars = messages_to_scalars(committed_messages, api_id) [|| prover_nyms]
    let mut scalars = interface.messages_to_scalars(committed_messages);
    scalars.extend_from_slice(extra);
    // 2. blind_generators = create_generators(length(committed_message_scalars) + 1, "BLIND_" || api_id)
    let ctx = interface.blind_context(0, scalars.len() + 1)?;
    let blind_generators = ctx.generators.blind_list().ok_or(Error::Degenerate)?;
    // 3. CoreCommit(committed_message_scalars, blind_generators, api_id)
    commit::core_commit(
        ctx.suite,
        interface.api_id(),
        blind_generators,
        &scalars,
        random_scalars,
    )
}

/// deserialize_and_validate_commit (-02 §4.1.2): the commitment point once its proof checks against
/// the context's blind generators, or the identity when there is none.
pub(crate) fn verified_commitment(ctx: &Context<'_>, commitment: Option<&Commitment>) -> Result<G1> {
    let Some(commitment) = commitment else {
        // 1. if commitment_with_proof is the empty string (""), return Identity_G1
        return Ok(G1::identity());
    };
    let blind_generators = ctx.generators.blind_list().ok_or(Error::Degenerate)?;
    // 5.-7. the proof has M + 1 blind generators by construction; CoreCommitVerify
    commit::core_commit_verify(ctx.suite, ctx.api_id, blind_generators, commitment)?;
    Ok(commitment.commitment.to_projective())
}

/// The messages of a blind signature in the order they are signed (prepare_parameters, -02 §5.1):
/// the signer's `L`, the prover blind, the `M` committed ones, and for pseudonyms the `N` nym secrets.
pub(crate) struct SignedMessages {
    pub(crate) scalars: Zeroizing<Vec<Fr>>,
    /// `L`.
    pub(crate) l: usize,
    /// `M`, not counting nym secrets.
    pub(crate) m: usize,
}

impl SignedMessages {
    /// prepare_parameters' message list, with `extra` (the nym secrets) after the committed messages.
    pub(crate) fn prepare<C: Ciphersuite>(
        interface: &Interface<C>,
        messages: &[&[u8]],
        committed_messages: &[&[u8]],
        prover_blind: Option<&ProverBlind>,
        extra: &[Fr],
    ) -> SignedMessages {
        let mut scalars = interface.messages_to_scalars(messages);
        scalars.push(prover_blind.map_or(Fr::ZERO, |b| b.0));
        scalars.extend_from_slice(&interface.messages_to_scalars(committed_messages));
        scalars.extend_from_slice(extra);
        SignedMessages {
            scalars,
            l: messages.len(),
            m: committed_messages.len(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.scalars.len()
    }

    /// The disclosed indexes into the whole list (BlindProofGen deserialization 3.-6., procedure
    /// 2.-4.): the signer's as given, committed message `j` as `j + L + 1`; ascending and unique.
    pub(crate) fn disclosed(
        &self,
        disclosed_indexes: &[usize],
        disclosed_commitment_indexes: &[usize],
    ) -> Result<Vec<usize>> {
        let mut indexes = proof::disclosed_set(disclosed_indexes, self.l)?;
        let committed = proof::disclosed_set(disclosed_commitment_indexes, self.m)?;
        indexes.extend(committed.iter().map(|j| j + self.l + 1));
        Ok(indexes)
    }

    /// CoreProofGen over the list, under the interface's blind context.
    #[allow(
        clippy::too_many_arguments,
        reason = "the draft's inputs, in the draft's order"
    )]
    pub(crate) fn proof_gen<C: Ciphersuite>(
        &self,
        interface: &Interface<C>,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        presentation_header: &[u8],
        disclosed: &[usize],
        random_scalars: &[Fr],
        nym: Option<&PseudonymBinding<'_>>,
    ) -> Result<Proof> {
        let ctx = interface.blind_context(self.l, self.len() - self.l)?;
        proof::core_proof_gen(
            &ctx,
            pk,
            signature,
            header,
            presentation_header,
            &self.scalars,
            disclosed,
            random_scalars,
            nym,
            None,
        )
        .map(|(proof, _)| proof)
    }
}

/// BlindProofVerify and ProofVerifyWithNym (which has `nym_count` nym secrets after the committed
/// messages): the whole list's length is `R + U`, so `M = R + U - L - 1 - nym_count`.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub(crate) fn verify_proof<C: Ciphersuite>(
    interface: &Interface<C>,
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    presentation_header: &[u8],
    l: usize,
    nym_count: usize,
    disclosed_messages: &[(usize, &[u8])],
    disclosed_committed_messages: &[(usize, &[u8])],
    nym: Option<&PseudonymBinding<'_>>,
) -> Result<()> {
    // Deserialization: total = R + U; M = total - L - 1 (- N). A proof too short for L signer messages,
    // the blind and the nym secrets is no proof for them.
    let total = disclosed_messages.len() + disclosed_committed_messages.len() + proof.undisclosed_count();
    let m = total
        .checked_sub(l + 1 + nym_count)
        .ok_or(Error::VerificationFailed)?;
    let ascending = |pairs: &[(usize, &[u8])], bound: usize| {
        pairs.windows(2).all(|w| w[0].0 < w[1].0) && pairs.last().is_none_or(|&(i, _)| i < bound)
    };
    if !ascending(disclosed_messages, l) || !ascending(disclosed_committed_messages, m) {
        return Err(Error::VerificationFailed);
    }
    // 1. (message_scalars, generators) = prepare_parameters(disclosed_messages,
    //    disclosed_committed_messages, L + 1, M + 1 [+ N], NONE, api_id)
    // 2.-4. indexes = disclosed_indexes || (j + L + 1 for j in disclosed_commitment_indexes)
    let map_dst = interface.map_dst();
    let disclosed: Vec<(usize, Fr)> = disclosed_messages
        .iter()
        .map(|&(i, msg)| (i, msg))
        .chain(
            disclosed_committed_messages
                .iter()
                .map(|&(j, msg)| (j + l + 1, msg)),
        )
        .map(|(i, msg)| (i, interface.map_message(&map_dst, msg)))
        .collect();
    let ctx = interface.blind_context(l, m + 1 + nym_count)?;
    // 5. CoreProofVerify(PK, proof, generators, header, ph, message_scalars, indexes, api_id)
    proof::core_proof_verify(
        &ctx,
        pk,
        proof,
        header,
        presentation_header,
        &disclosed,
        nym,
        None,
    )
}
