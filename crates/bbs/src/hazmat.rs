//! Building blocks and test-vector entry points: **not for production use**.
//!
//! Enabled by the `hazmat` cargo feature. These functions expose the draft's utility operations with
//! byte inputs and outputs (scalars 32 bytes big-endian, points compressed), so that the official test
//! vectors and other implementations can be checked step by step. The dangerous one is
//! [`proof_gen_with_random_scalars`]: a proof whose "random" scalars are known reveals every hidden
//! message and the signature.

use zeroize::Zeroizing;

use crate::blind::{self, SignedMessages};
use crate::ciphersuite::Ciphersuite;
use crate::curve::{Fr, G1_BYTES, SCALAR_BYTES};
use crate::error::{Error, Result};
use crate::generators;
use crate::hash::EXPAND_LEN;
use crate::interface::Interface;
use crate::key::PublicKey;
use crate::proof::Proof;
use crate::pseudonym;
use crate::scalar::Scalar;
use crate::signature::Signature;

/// `P1`, the suite's fixed G1 point (draft §7.2).
pub fn p1<C: Ciphersuite>() -> [u8; G1_BYTES] {
    C::SUITE.p1().to_compressed()
}

/// `create_generators(count, api_id)` (§4.1.1) with the api_id of the BBS Signatures Interface:
/// `Q_1, H_1, ..., H_(count-1)`.
pub fn create_generators<C: Ciphersuite>(count: usize) -> Vec<[u8; G1_BYTES]> {
    if count == 0 {
        return Vec::new();
    }
    // The interface's api_id is short, so the cache cannot refuse it; an error would mean no list.
    generators::get(C::SUITE, &C::SUITE.signatures_api_id(), count)
        .map(|g| g.encoded_points(count).to_vec())
        .unwrap_or_default()
}

/// `hash_to_scalar(msg, dst)` (§4.2.2). A tag longer than 255 bytes, where the draft aborts, is
/// replaced by its hash as RFC 9380 §5.3.3 describes (the BBS operations never produce one).
pub fn hash_to_scalar<C: Ciphersuite>(msg: &[u8], dst: &[u8]) -> [u8; SCALAR_BYTES] {
    let mut uniform_bytes = [0u8; EXPAND_LEN];
    match C::SUITE.expand_message_any_dst(&[msg], dst, &mut uniform_bytes) {
        Ok(()) => Fr::from_be_bytes_wide(&uniform_bytes).to_be_bytes(),
        // 48 bytes is within both variants' limits and the tag was shortened: cannot happen.
        Err(_) => [0u8; SCALAR_BYTES],
    }
}

/// `messages_to_scalars(messages, api_id)` (§4.1.2) with the BBS Signatures Interface's api_id.
pub fn messages_to_scalars<C: Ciphersuite>(messages: &[&[u8]]) -> Vec<[u8; SCALAR_BYTES]> {
    Interface::<C>::signatures()
        .messages_to_scalars(messages)
        .iter()
        .map(Fr::to_be_bytes)
        .collect()
}

/// `seeded_random_scalars(SEED, DST, count)` (draft Appendix "Mocked Random Scalars"), the scalars
/// the proof vectors use in place of random ones.
///
/// Where the draft returns INVALID (more than 170 scalars with SHA-256, more than 1365 with SHAKE-256),
/// this returns an empty list, which every proof function then refuses for its length.
pub fn seeded_random_scalars<C: Ciphersuite>(
    seed: &[u8],
    dst: &[u8],
    count: usize,
) -> Vec<[u8; SCALAR_BYTES]> {
    // 1. out_len = expand_len * count
    let Some(out_len) = count.checked_mul(EXPAND_LEN).filter(|&n| n <= 65535) else {
        return Vec::new();
    };
    // 2.-3. v = expand_message(SEED, DST, out_len); if v is INVALID, return INVALID
    let mut v = vec![0u8; out_len];
    if C::SUITE.expand_message_any_dst(&[seed], dst, &mut v).is_err() {
        return Vec::new();
    }
    // 4.-8. r_i = OS2IP(v[(i-1)*expand_len..i*expand_len]) mod r
    v.chunks_exact(EXPAND_LEN)
        .map(|chunk| Fr::from_be_bytes_wide(chunk).to_be_bytes())
        .collect()
}

/// ProofGen (§3.5.3) with the `5 + U` random scalars given, in the order
/// `r1, r2, e~, r1~, r3~, m~_j1, ..., m~_jU`, instead of drawn: for test vectors only.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub fn proof_gen_with_random_scalars<C: Ciphersuite>(
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    messages: &[&[u8]],
    disclosed_indexes: &[usize],
    random_scalars: &[[u8; SCALAR_BYTES]],
) -> Result<Proof> {
    let interface = Interface::<C>::signatures();
    let scalars: Vec<Scalar> = messages
        .iter()
        .map(|m| interface.map_message_to_scalar(m))
        .collect();
    interface.core_proof_gen_with_random_scalars(
        pk,
        signature,
        header,
        presentation_header,
        &scalars,
        disclosed_indexes,
        random_scalars,
    )
}

/// `create_generators(count, api_id)` (draft §4.1.1) for any api_id, e.g. [`crate::blind::api_id`] or
/// `"BLIND_" || pseudonym::api_id()`: `Q, H_1, ..., H_(count-1)`. An api_id whose derived tags would
/// pass 255 bytes is [`Error::ApiIdTooLong`].
pub fn create_generators_with_api_id<C: Ciphersuite>(
    count: usize,
    api_id: &[u8],
) -> Result<Vec<[u8; G1_BYTES]>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    generators::get(C::SUITE, api_id, count).map(|g| g.encoded_points(count).to_vec())
}

/// Big-endian scalars as given to the deterministic variants: each must be below r.
fn given_scalars(random_scalars: &[[u8; SCALAR_BYTES]]) -> Result<Zeroizing<Vec<Fr>>> {
    random_scalars
        .iter()
        .map(|bytes| Fr::from_be_bytes_canonical(bytes).ok_or(Error::MalformedScalar))
        .collect::<Result<Vec<Fr>>>()
        .map(Zeroizing::new)
}

/// Blind BBS Commit (draft-irtf-cfrg-bbs-blind-signatures-02 §4.1.1) with the `M + 2` scalars
/// `(secret_prover_blind, s~, m~_1, ..., m~_M)` given ([`Error::RandomScalarCount`] otherwise).
pub fn commit_with_random_scalars<C: Ciphersuite>(
    committed_messages: &[&[u8]],
    random_scalars: &[[u8; SCALAR_BYTES]],
) -> Result<(blind::Commitment, blind::ProverBlind)> {
    let interface = blind::interface::<C>();
    blind::commit_messages(
        &interface,
        committed_messages,
        &[],
        &given_scalars(random_scalars)?,
    )
}

/// BlindProofGen (-02 §4.2.3) with the `5 + U` scalars `(r1, r2, e~, r1~, r3~, m~_j1, ..., m~_jU)`
/// given, one m~ per hidden message in ascending index order over the whole list (the signer's
/// messages, the prover blind, the committed messages).
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub fn blind_proof_gen_with_random_scalars<C: Ciphersuite>(
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    messages: &[&[u8]],
    committed_messages: &[&[u8]],
    disclosed_indexes: &[usize],
    disclosed_commitment_indexes: &[usize],
    prover_blind: Option<&blind::ProverBlind>,
    random_scalars: &[[u8; SCALAR_BYTES]],
) -> Result<Proof> {
    let interface = blind::interface::<C>();
    let signed = SignedMessages::prepare(&interface, messages, committed_messages, prover_blind, &[]);
    let disclosed = signed.disclosed(disclosed_indexes, disclosed_commitment_indexes)?;
    signed.proof_gen(
        &interface,
        pk,
        signature,
        header,
        presentation_header,
        &disclosed,
        &given_scalars(random_scalars)?,
        None,
    )
}

/// CommitWithNym (draft-irtf-cfrg-bbs-per-verifier-linkability-02 §5.1.1) with the `M + N + 2`
/// scalars `(secret_prover_blind, s~, m~_1, ..., m~_(M+N))` given.
pub fn commit_with_nym_with_random_scalars<C: Ciphersuite>(
    committed_messages: &[&[u8]],
    prover_nyms: &pseudonym::NymSecrets,
    random_scalars: &[[u8; SCALAR_BYTES]],
) -> Result<(blind::Commitment, blind::ProverBlind)> {
    let interface = pseudonym::interface::<C>();
    let nyms: Zeroizing<Vec<Fr>> = Zeroizing::new(prover_nyms.as_scalars().iter().map(|s| s.0).collect());
    blind::commit_messages(
        &interface,
        committed_messages,
        &nyms,
        &given_scalars(random_scalars)?,
    )
}

/// ProofGenWithNym (-02 §5.2) with the `5 + U` scalars given, in the order of
/// [`blind_proof_gen_with_random_scalars`]; the last `N` m~ are the nym secrets'.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub fn proof_gen_with_nym_with_random_scalars<C: Ciphersuite>(
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    nym_secrets: &pseudonym::NymSecrets,
    context_id: &[u8],
    messages: &[&[u8]],
    committed_messages: &[&[u8]],
    disclosed_indexes: &[usize],
    disclosed_commitment_indexes: &[usize],
    prover_blind: &blind::ProverBlind,
    random_scalars: &[[u8; SCALAR_BYTES]],
) -> Result<(Proof, pseudonym::Pseudonym)> {
    let interface = pseudonym::interface::<C>();
    let nyms: Zeroizing<Vec<Fr>> = Zeroizing::new(nym_secrets.as_scalars().iter().map(|s| s.0).collect());
    let signed = SignedMessages::prepare(
        &interface,
        messages,
        committed_messages,
        Some(prover_blind),
        &nyms,
    );
    let disclosed = signed.disclosed(disclosed_indexes, disclosed_commitment_indexes)?;
    pseudonym::prove(
        &interface,
        pk,
        signature,
        header,
        presentation_header,
        nym_secrets,
        context_id,
        &signed,
        &disclosed,
        &given_scalars(random_scalars)?,
    )
}
