//! `expand_message` (RFC 9380 §5.3) in its two variants, and `hash_to_scalar` (draft §4.2.2).
//!
//! Both ciphersuites hash through here: messages to scalars, the domain, the signature's `e`, the
//! proof challenge, generators and hash-to-curve. Only the `expand_message` variant differs between the
//! suites; everything above it is shared.

use sha2::{Digest, Sha256};
use sha3::Shake256;
use sha3::digest::{ExtendableOutput, Update, XofReader};
use zeroize::Zeroize;

use crate::curve::Fr;
use crate::error::{Error, Result};

/// `expand_len` of both BLS12-381 suites: ceil((ceil(log2(r)) + k) / 8) = ceil((255 + 128) / 8) (§7.2).
pub(crate) const EXPAND_LEN: usize = 48;

/// The longest tag `expand_message` takes as is (RFC 9380 §5.3.1, §5.3.2).
pub(crate) const MAX_DST_LEN: usize = 255;

#[cfg(feature = "hazmat")]
/// Prefix of the hashed replacement for a tag over 255 bytes (RFC 9380 §5.3.3).
const OVERSIZE_DST_PREFIX: &[u8] = b"H2C-OVERSIZE-DST-";

/// One `expand_message` variant of RFC 9380 §5.3.
pub(crate) trait ExpandMessage {
    /// Largest `len_in_bytes` the variant accepts.
    const MAX_LEN: usize;

    /// Fills `out` with `expand_message(msg, dst, out.len())`, where `msg` is the concatenation of the
    /// parts (so callers hash long inputs without first copying them together). Returns an error for
    /// a tag over 255 bytes or an output longer than `MAX_LEN`; [`expand_message_oversize_dst`] is
    /// the RFC 9380 §5.3.3 way to take longer tags.
    fn expand(msg: &[&[u8]], dst: &[u8], out: &mut [u8]) -> Result<()>;

    /// The 5.3.3 replacement for a tag over 255 bytes.
    #[cfg(feature = "hazmat")]
    fn oversize_dst(dst: &[u8]) -> Vec<u8>;
}

/// `expand_message_xmd` with SHA-256 (RFC 9380 §5.3.1).
#[derive(Debug)]
pub(crate) enum XmdSha256 {}

/// `expand_message_xof` with SHAKE-256 (RFC 9380 §5.3.2).
#[derive(Debug)]
pub(crate) enum XofShake256 {}

impl ExpandMessage for XmdSha256 {
    // ell = ceil(len_in_bytes / b_in_bytes) <= 255 with b_in_bytes = 32.
    const MAX_LEN: usize = 255 * 32;

    fn expand(msg: &[&[u8]], dst: &[u8], out: &mut [u8]) -> Result<()> {
        const B_IN_BYTES: usize = 32;
        const S_IN_BYTES: usize = 64;
        let len_in_bytes = out.len();
        // 1. ell = ceil(len_in_bytes / b_in_bytes)
        let ell = len_in_bytes.div_ceil(B_IN_BYTES);
        // 2. ABORT if ell > 255 or len_in_bytes > 65535 or len(DST) > 255
        if dst.len() > MAX_DST_LEN {
            return Err(Error::DstTooLong);
        }
        if ell > 255 || len_in_bytes > 65535 {
            return Err(Error::ExpandLengthExceeded);
        }
        // 3. DST_prime = DST || I2OSP(len(DST), 1)
        let dst_len = [dst.len() as u8];
        // 4.-6. msg_prime = Z_pad || msg || l_i_b_str || I2OSP(0, 1) || DST_prime
        let mut h = Sha256::new();
        Digest::update(&mut h, [0u8; S_IN_BYTES]);
        for part in msg {
            Digest::update(&mut h, part);
        }
        Digest::update(&mut h, (len_in_bytes as u16).to_be_bytes());
        Digest::update(&mut h, [0u8]);
        Digest::update(&mut h, dst);
        Digest::update(&mut h, dst_len);
        // 7. b_0 = H(msg_prime)
        let mut b_0: [u8; B_IN_BYTES] = h.finalize().into();
        // 8. b_1 = H(b_0 || I2OSP(1, 1) || DST_prime)
        let mut b_i: [u8; B_IN_BYTES] = Sha256::new()
            .chain_update(b_0)
            .chain_update([1u8])
            .chain_update(dst)
            .chain_update(dst_len)
            .finalize()
            .into();
        // 9.-11. b_i = H(strxor(b_0, b_(i - 1)) || I2OSP(i, 1) || DST_prime); output b_1 || ... || b_ell
        let mut chunks = out.chunks_mut(B_IN_BYTES);
        for i in 1..=ell {
            if i > 1 {
                let mut x = [0u8; B_IN_BYTES];
                for (x, (a, b)) in x.iter_mut().zip(b_0.iter().zip(b_i.iter())) {
                    *x = a ^ b;
                }
                b_i = Sha256::new()
                    .chain_update(x)
                    .chain_update([i as u8])
                    .chain_update(dst)
                    .chain_update(dst_len)
                    .finalize()
                    .into();
                x.zeroize();
            }
            if let Some(chunk) = chunks.next() {
                chunk.copy_from_slice(&b_i[..chunk.len()]);
            }
        }
        // b_0 and the b_i determine the output (a hidden message's scalar, a secret key): wipe them.
        b_0.zeroize();
        b_i.zeroize();
        Ok(())
    }

    #[cfg(feature = "hazmat")]
    fn oversize_dst(dst: &[u8]) -> Vec<u8> {
        // DST = H("H2C-OVERSIZE-DST-" || a_very_long_DST)
        Sha256::new()
            .chain_update(OVERSIZE_DST_PREFIX)
            .chain_update(dst)
            .finalize()
            .to_vec()
    }
}

impl ExpandMessage for XofShake256 {
    const MAX_LEN: usize = 65535;

    fn expand(msg: &[&[u8]], dst: &[u8], out: &mut [u8]) -> Result<()> {
        // 1. ABORT if len_in_bytes > 65535 or len(DST) > 255
        if dst.len() > MAX_DST_LEN {
            return Err(Error::DstTooLong);
        }
        if out.len() > Self::MAX_LEN {
            return Err(Error::ExpandLengthExceeded);
        }
        // 2.-3. msg_prime = msg || I2OSP(len_in_bytes, 2) || DST || I2OSP(len(DST), 1)
        let mut h = Shake256::default();
        for part in msg {
            h.update(part);
        }
        h.update(&(out.len() as u16).to_be_bytes());
        h.update(dst);
        h.update(&[dst.len() as u8]);
        // 4. uniform_bytes = H(msg_prime, len_in_bytes)
        h.finalize_xof().read(out);
        Ok(())
    }

    #[cfg(feature = "hazmat")]
    fn oversize_dst(dst: &[u8]) -> Vec<u8> {
        // DST = H("H2C-OVERSIZE-DST-" || a_very_long_DST, ceil(2 * k / 8)) with k = 128
        let mut h = Shake256::default();
        h.update(OVERSIZE_DST_PREFIX);
        h.update(dst);
        let mut out = vec![0u8; 2 * 128 / 8];
        h.finalize_xof().read(&mut out);
        out
    }
}

#[cfg(feature = "hazmat")]
/// `expand_message` that takes a tag of any length, replacing one over 255 bytes as RFC 9380 §5.3.3
/// says. Only the hazmat building blocks use it; the BBS operations never derive such a tag.
pub(crate) fn expand_message_oversize_dst<X: ExpandMessage>(
    msg: &[&[u8]],
    dst: &[u8],
    out: &mut [u8],
) -> Result<()> {
    if dst.len() > MAX_DST_LEN {
        X::expand(msg, &X::oversize_dst(dst), out)
    } else {
        X::expand(msg, dst, out)
    }
}

/// `hash_to_scalar(msg_octets, dst)` (draft §4.2.2): `OS2IP(expand_message(msg, dst, 48)) mod r`, with
/// `msg` given as the concatenation of parts.
pub(crate) fn hash_to_scalar<X: ExpandMessage>(msg: &[&[u8]], dst: &[u8]) -> Result<Fr> {
    let mut uniform_bytes = [0u8; EXPAND_LEN];
    X::expand(msg, dst, &mut uniform_bytes)?;
    let scalar = Fr::from_be_bytes_wide(&uniform_bytes);
    uniform_bytes.zeroize();
    Ok(scalar)
}
