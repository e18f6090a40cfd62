//! Sign (draft §3.4.1) and CoreSign (§3.6.1).

use zeroize::Zeroizing;

use crate::ciphersuite::Ciphersuite;
use crate::curve::{Fr, G1, SCALAR_BYTES};
use crate::error::{Error, Result};
use crate::interface::{Context, Interface};
use crate::key::{PublicKey, SecretKey};
use crate::signature::Signature;

/// `Sign(SK, PK, header, messages)` (draft §3.4.1): a signature on octet-string messages under the
/// BBS Signatures Interface of suite `C`. Deterministic.
///
/// Constant time in the secret key and in the messages: the signer's messages are the holder's
/// attributes, and the core signs dates and numbers as small integers, which a variable-time
/// multiplication would leak through its timing.
pub fn sign<C: Ciphersuite>(
    sk: &SecretKey,
    pk: &PublicKey,
    header: &[u8],
    messages: &[&[u8]],
) -> Result<Signature> {
    let interface = Interface::<C>::signatures();
    // 1. message_scalars = messages_to_scalars(messages, api_id)
    let message_scalars = interface.messages_to_scalars(messages);
    // 2. generators = create_generators(length(messages) + 1, api_id)
    // 3. signature = CoreSign(SK, PK, generators, header, message_scalars, api_id)
    core_sign(
        &interface.context(messages.len())?,
        sk,
        pk,
        header,
        &message_scalars,
    )
}

/// CoreSign (§3.6.1).
pub(crate) fn core_sign(
    ctx: &Context<'_>,
    sk: &SecretKey,
    pk: &PublicKey,
    header: &[u8],
    messages: &[Fr],
) -> Result<Signature> {
    // The draft takes PK as given (§3.6.1); a PK that is not SK's would make a signature that verifies
    // under neither key, so refuse it here, where it costs nothing (§7.1 recommends validating PK).
    if !sk.matches(pk) {
        return Err(Error::KeyMismatch);
    }
    let l = messages.len();
    // 1. domain = calculate_domain(PK, Q_1, (H_1, ..., H_L), header, api_id)
    let domain = ctx.domain(pk, l, header)?;
    // 2. e = hash_to_scalar(serialize((SK, msg_1, ..., msg_L, domain)), hash_to_scalar_dst)
    let mut e_input = Zeroizing::new(Vec::with_capacity((l + 2) * SCALAR_BYTES));
    e_input.extend_from_slice(&sk.scalar().to_be_bytes());
    for msg in messages {
        e_input.extend_from_slice(&msg.to_be_bytes());
    }
    e_input.extend_from_slice(&domain.to_be_bytes());
    let e = ctx.suite.hash_to_scalar(&[&e_input], &ctx.h2s_dst())?;
    // 3. B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L
    let b = ctx.b_constant_time(domain, messages.iter().copied().enumerate());
    // 4. A = B * (1 / (SK + e)); the draft allows refusing SK + e = 0, which would give A = Identity.
    let sk_plus_e = Zeroizing::new(sk.scalar().add(&e));
    if bool::from(sk_plus_e.is_zero()) {
        return Err(Error::Degenerate);
    }
    let a = b.mul(&sk_plus_e.invert());
    // 5. return signature_to_octets((A, e))
    Ok(Signature { a: a.to_affine(), e })
}

impl Context<'_> {
    /// `B = P1 + Q_1 * domain + Σ H_(i+1) * msg_i` over the given `(i, msg_i)`, constant time in the
    /// messages (the part in `P1` and `Q_1` is public and takes the fast path).
    pub(crate) fn b_constant_time(&self, domain: Fr, messages: impl Iterator<Item = (usize, Fr)>) -> G1 {
        let public = self
            .generators
            .msm_vartime(self.suite.p1(), &[Fr::from_u64(1), domain]);
        let messages: Zeroizing<Vec<(usize, Fr)>> = Zeroizing::new(messages.collect());
        public.add(&self.generators.msm_h_constant_time(&messages, &[]))
    }
}
