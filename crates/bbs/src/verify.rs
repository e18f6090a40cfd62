//! Verify (draft §3.5.2) and CoreVerify (§3.6.2).

use crate::ciphersuite::Ciphersuite;
use crate::curve::{Fr, G2Affine, msm_vartime_glv, pairing_product_is_one_vartime};
use crate::error::{Error, Result};
use crate::interface::{Context, Interface};
use crate::key::PublicKey;
use crate::signature::Signature;

/// `Verify(PK, signature, header, messages)` (draft §3.5.2) under the BBS Signatures Interface of
/// suite `C`. Every input is public: variable time throughout.
pub fn verify<C: Ciphersuite>(
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    messages: &[&[u8]],
) -> Result<()> {
    let interface = Interface::<C>::signatures();
    let message_scalars = interface.messages_to_scalars(messages);
    core_verify(
        &interface.context(messages.len())?,
        pk,
        signature,
        header,
        &message_scalars,
    )
}

/// CoreVerify (§3.6.2). `signature` and `pk` were validated when decoded (deserialization steps 1-5).
pub(crate) fn core_verify(
    ctx: &Context<'_>,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    messages: &[Fr],
) -> Result<()> {
    let l = messages.len();
    // 1. domain = calculate_domain(PK, Q_1, (H_1, ..., H_L), header, api_id)
    let domain = ctx.domain(pk, l, header)?;
    // 2. B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L, computed negated as one MSM with
    //    negated scalars, so that step 3's `A * e - B` is a single addition.
    let mut minus_b_scalars = Vec::with_capacity(l + 2);
    minus_b_scalars.push(Fr::from_u64(1).neg());
    minus_b_scalars.push(domain.neg());
    minus_b_scalars.extend(messages.iter().map(Fr::neg));
    let minus_b = ctx.generators.msm_vartime(ctx.suite.p1(), &minus_b_scalars);
    // 3. if h(A, W) * h(A * e - B, BP2) != Identity_GT, return INVALID
    let a_e_minus_b = msm_vartime_glv(&[signature.a], &[signature.e]).add(&minus_b);
    if a_e_minus_b.is_identity() {
        // h(A, W) alone cannot be 1 for A, W not the identity.
        return Err(Error::VerificationFailed);
    }
    let pairs = [
        (&signature.a, pk.point()),
        (&a_e_minus_b.to_affine(), &G2Affine::generator()),
    ];
    if pairing_product_is_one_vartime(pairs) {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}
