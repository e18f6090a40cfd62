//! Key pairs (draft §3.4): [`SecretKey`] and [`PublicKey`].

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::ciphersuite::Ciphersuite;
use crate::curve::{Fr, G2_BYTES, G2Affine, SCALAR_BYTES};
use crate::error::{Error, Result};

/// Length of an encoded secret key.
pub const SECRET_KEY_BYTES: usize = SCALAR_BYTES;

/// Length of an encoded public key: a compressed G2 point.
pub const PUBLIC_KEY_BYTES: usize = G2_BYTES;

/// A BBS secret key: a scalar in 1..r-1.
///
/// Zeroized on drop; no `Debug` output of its value, no `Clone`, no serialisation other than the
/// explicit [`SecretKey::to_bytes`]. It keeps its public key beside it so that signing can check, at no
/// cost, that the public key it is given belongs to it.
pub struct SecretKey {
    sk: Fr,
    public_key: PublicKey,
}

impl SecretKey {
    /// `KeyGen(key_material, key_info, key_dst)` (draft §3.4.1). `key_dst` of `None` is the default
    /// §3.4.1 defines, `ciphersuite_id || "KEYGEN_DST_"`; note that the draft's key-pair vectors (§8.3.1,
    /// §8.4.1) pass `api_id || "KEYGEN_DST_"` explicitly instead. `key_material` must be at least 32
    /// random bytes.
    pub fn key_gen<C: Ciphersuite>(
        key_material: &[u8],
        key_info: &[u8],
        key_dst: Option<&[u8]>,
    ) -> Result<SecretKey> {
        // 1. if length(key_material) < 32, return INVALID
        if key_material.len() < 32 {
            return Err(Error::KeyMaterialTooShort);
        }
        // 2. if length(key_info) > 65535, return INVALID
        let key_info_len = u16::try_from(key_info.len()).map_err(|_| Error::KeyInfoTooLong)?;
        let default_dst;
        let key_dst = match key_dst {
            Some(dst) => dst,
            None => {
                default_dst = [C::ID, b"KEYGEN_DST_"].concat();
                &default_dst
            }
        };
        // 3. derive_input = key_material || I2OSP(length(key_info), 2) || key_info
        // 4. SK = hash_to_scalar(derive_input, key_dst)
        let sk = C::SUITE.hash_to_scalar(&[key_material, &key_info_len.to_be_bytes(), key_info], key_dst)?;
        // 5. if SK is INVALID, return INVALID (zero is no key)
        if bool::from(sk.is_zero()) {
            return Err(Error::Degenerate);
        }
        Ok(SecretKey::from_scalar(sk))
    }

    fn from_scalar(sk: Fr) -> SecretKey {
        // SkToPk (§3.4.2): W = SK * BP2
        let w = G2Affine::generator_mul(&sk);
        SecretKey {
            sk,
            public_key: PublicKey {
                bytes: w.to_compressed(),
                w,
            },
        }
    }

    /// `SkToPk(SK)` (draft §3.4.2).
    pub fn public_key(&self) -> PublicKey {
        self.public_key.clone()
    }

    /// `I2OSP(SK, 32)`. The bytes are the key: store them encrypted and zeroize them after use.
    pub fn to_bytes(&self) -> [u8; SCALAR_BYTES] {
        self.sk.to_be_bytes()
    }

    /// Decodes 32 big-endian bytes of a scalar in 1..r-1.
    pub fn from_bytes(bytes: &[u8]) -> Result<SecretKey> {
        let bytes: &[u8; SCALAR_BYTES] = bytes.try_into().map_err(|_| Error::MalformedSecretKey)?;
        let sk = Fr::from_be_bytes_canonical(bytes).ok_or(Error::MalformedSecretKey)?;
        if bool::from(sk.is_zero()) {
            return Err(Error::MalformedSecretKey);
        }
        Ok(SecretKey::from_scalar(sk))
    }

    pub(crate) fn scalar(&self) -> &Fr {
        &self.sk
    }

    /// Whether `pk` is this key's public key.
    pub(crate) fn matches(&self, pk: &PublicKey) -> bool {
        self.public_key.bytes == pk.bytes
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.sk.ct_eq(&other.sk).into()
    }
}

impl Eq for SecretKey {}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.sk.zeroize();
    }
}

impl ZeroizeOnDrop for SecretKey {}

/// A BBS public key: a point of G2, validated (on the curve, in the subgroup, not the identity) when
/// decoded, so every operation that takes one skips `octets_to_pubkey`'s checks (draft §4.2.4.6 allows
/// caching them).
#[derive(Clone)]
pub struct PublicKey {
    w: G2Affine,
    bytes: [u8; G2_BYTES],
}

impl PublicKey {
    /// `point_to_octets_E2(W)`: 96 bytes.
    pub fn to_bytes(&self) -> [u8; G2_BYTES] {
        self.bytes
    }

    /// `octets_to_pubkey` (draft §4.2.4.6).
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey> {
        let bytes: &[u8; G2_BYTES] = bytes.try_into().map_err(|_| Error::MalformedPublicKey)?;
        let w = G2Affine::from_compressed_vartime(bytes).ok_or(Error::MalformedPublicKey)?;
        Ok(PublicKey { w, bytes: *bytes })
    }

    pub(crate) fn point(&self) -> &G2Affine {
        &self.w
    }

    pub(crate) fn as_bytes(&self) -> &[u8; G2_BYTES] {
        &self.bytes
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublicKey(")?;
        for b in &self.bytes[..8] {
            write!(f, "{b:02x}")?;
        }
        f.write_str("..)")
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for PublicKey {}

impl core::hash::Hash for PublicKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}
