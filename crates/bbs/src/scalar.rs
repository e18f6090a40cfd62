//! [`Scalar`]: an integer mod r, the form every BBS message takes inside the core operations.

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::curve::Fr;
use crate::error::{Error, Result};
use crate::hash::EXPAND_LEN;

/// Length of an encoded scalar: 32 big-endian bytes.
pub const SCALAR_BYTES: usize = crate::curve::SCALAR_BYTES;

/// An integer modulo r, the order of BLS12-381's groups: one message as the core operations
/// ([`crate::Interface`]) take it.
///
/// The octet-string interface hashes each message to a scalar (draft §4.1.2); the certificate layer
/// instead maps dates and numbers to scalars directly ([`Scalar::from_u64`]), so that range predicates
/// can later be proved on them. A scalar may be a hidden attribute, so it is zeroized on drop, compares
/// in constant time and never prints its value.
#[derive(Clone, Default)]
pub struct Scalar(pub(crate) Fr);

impl Scalar {
    /// The integer `value`, as is (order-preserving: no hashing).
    pub fn from_u64(value: u64) -> Scalar {
        Scalar(Fr::from_u64(value))
    }

    /// `OS2IP(get_random(48)) mod r` (draft §4.2.1, calculate_random_scalars): a uniformly random
    /// scalar, e.g. a `signer_nym_entropy` or a prover nym.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Scalar {
        let mut bytes = Zeroizing::new([0u8; EXPAND_LEN]);
        rng.fill_bytes(bytes.as_mut_slice());
        Scalar(Fr::from_be_bytes_wide(bytes.as_slice()))
    }

    /// Decodes 32 big-endian bytes; the integer must be below r.
    pub fn from_be_bytes(bytes: &[u8]) -> Result<Scalar> {
        let bytes: &[u8; SCALAR_BYTES] = bytes.try_into().map_err(|_| Error::MalformedScalar)?;
        Fr::from_be_bytes_canonical(bytes)
            .map(Scalar)
            .ok_or(Error::MalformedScalar)
    }

    /// `I2OSP(scalar, 32)`: 32 big-endian bytes.
    pub fn to_be_bytes(&self) -> [u8; SCALAR_BYTES] {
        self.0.to_be_bytes()
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scalar(..)")
    }
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Scalar {}

impl Zeroize for Scalar {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for Scalar {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for Scalar {}
