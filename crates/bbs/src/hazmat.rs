//! Building blocks and test-vector entry points: **not for production use**.
//!
//! Enabled by the `hazmat` cargo feature. These functions expose the draft's utility operations with
//! byte inputs and outputs (scalars 32 bytes big-endian, points compressed), so that the official test
//! vectors and other implementations can be checked step by step. The dangerous one is
//! [`proof_gen_with_random_scalars`]: a proof whose "random" scalars are known reveals every hidden
//! message and the signature.

use crate::ciphersuite::Ciphersuite;
use crate::curve::{Fr, G1_BYTES, SCALAR_BYTES};
use crate::error::Result;
use crate::generators;
use crate::hash::EXPAND_LEN;
use crate::interface::Interface;
use crate::key::PublicKey;
use crate::proof::Proof;
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
        .map(|g| g.encoded(count - 1).to_vec())
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
