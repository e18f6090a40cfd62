//! [`Signature`]: `(A, e)` and its encoding (draft §4.2.4.2, §4.2.4.3).

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::curve::{Fr, G1_BYTES, G1Affine, SCALAR_BYTES};
use crate::error::{Error, Result};

/// Length of an encoded signature: a compressed G1 point and a scalar.
pub const SIGNATURE_BYTES: usize = G1_BYTES + SCALAR_BYTES;

/// A BBS signature `(A, e)`.
///
/// Not a secret of the signer, but the holder's: anyone who sees it can link every presentation made
/// from it. So it prints nothing of itself and is zeroized on drop.
#[derive(Clone)]
pub struct Signature {
    pub(crate) a: G1Affine,
    pub(crate) e: Fr,
}

impl Signature {
    /// `signature_to_octets` (§4.2.4.2): `A || e`, 80 bytes.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_BYTES] {
        let mut out = [0u8; SIGNATURE_BYTES];
        out[..G1_BYTES].copy_from_slice(&self.a.to_compressed());
        out[G1_BYTES..].copy_from_slice(&self.e.to_be_bytes());
        out
    }

    /// `octets_to_signature` (§4.2.4.3): exact length, `A` a valid point of G1 other than the identity,
    /// `0 < e < r`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Signature> {
        // 1.-2. expected_len = octet_point_length + octet_scalar_length
        let bytes: &[u8; SIGNATURE_BYTES] = bytes.try_into().map_err(|_| Error::MalformedSignature)?;
        let (a_octets, e_octets) = bytes.split_at(G1_BYTES);
        // 3.-7. A = octets_to_point_E1(A_octets); not the identity; in G1
        let a = a_octets
            .try_into()
            .ok()
            .and_then(G1Affine::from_compressed_vartime)
            .ok_or(Error::MalformedSignature)?;
        // 8.-11. e = OS2IP(...); if e = 0 or e >= r, return INVALID
        let e = e_octets
            .try_into()
            .ok()
            .and_then(Fr::from_be_bytes_canonical)
            .filter(|e| !bool::from(e.is_zero()))
            .ok_or(Error::MalformedSignature)?;
        Ok(Signature { a, e })
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(..)")
    }
}

impl PartialEq for Signature {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for Signature {}

impl Drop for Signature {
    fn drop(&mut self) {
        self.a.zeroize();
        self.e.zeroize();
    }
}

impl ZeroizeOnDrop for Signature {}
