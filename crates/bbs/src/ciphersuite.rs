//! The two BLS12-381 ciphersuites of draft-irtf-cfrg-bbs-signatures-09 §7.2.
//!
//! They differ only in `expand_message`: BLS12-381-SHA-256 uses `expand_message_xmd` with SHA-256 (the
//! suite W3C bbs-2023 uses, and ecert's default), BLS12-381-SHAKE-256 uses `expand_message_xof` with
//! SHAKE-256 (draft Appendix A.1). The trait is sealed: a third suite would need its own vectors.

use std::sync::OnceLock;

use crate::curve::{G1, G1Affine};
use crate::error::Result;
use crate::generators;
use crate::hash::{self, ExpandMessage, XmdSha256, XofShake256};

/// A BBS ciphersuite: BLS12-381 with one hash-to-curve suite. Implemented by [`Bls12381Sha256`] and
/// [`Bls12381Shake256`] only.
pub trait Ciphersuite:
    sealed::Sealed + Copy + Clone + core::fmt::Debug + Default + Send + Sync + 'static
{
    /// `ciphersuite_id` (draft §7.1.1).
    const ID: &'static [u8];
}

/// BLS12-381-SHA-256 (draft §7.2.2): hash-to-curve suite `BLS12381G1_XMD:SHA-256_SSWU_RO_`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bls12381Sha256;

/// BLS12-381-SHAKE-256 (draft §7.2.1): hash-to-curve suite `BLS12381G1_XOF:SHAKE-256_SSWU_RO_`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bls12381Shake256;

impl Ciphersuite for Bls12381Sha256 {
    const ID: &'static [u8] = b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_";
}

impl Ciphersuite for Bls12381Shake256 {
    const ID: &'static [u8] = b"BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_";
}

impl sealed::Sealed for Bls12381Sha256 {
    const SUITE: Suite = Suite::Sha256;
}

impl sealed::Sealed for Bls12381Shake256 {
    const SUITE: Suite = Suite::Shake256;
}

pub(crate) mod sealed {
    /// Keeps [`super::Ciphersuite`] closed and carries the suite's value for the crate's internals.
    #[allow(
        unreachable_pub,
        reason = "a sealed supertrait must be pub in a private module"
    )]
    pub trait Sealed {
        #[doc(hidden)]
        const SUITE: super::Suite;
    }
}

/// The suite as a value, so the internals need not be generic.
#[doc(hidden)]
#[allow(
    unreachable_pub,
    reason = "named by the sealed trait; unreachable from outside the crate"
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Suite {
    /// BLS12-381-SHA-256.
    Sha256,
    /// BLS12-381-SHAKE-256.
    Shake256,
}

/// "H2G_HM2S_": the api_id suffix of the draft's BBS Signatures Interface (§3.5).
pub(crate) const H2G_HM2S: &[u8] = b"H2G_HM2S_";

impl Suite {
    pub(crate) fn id(self) -> &'static [u8] {
        match self {
            Suite::Sha256 => Bls12381Sha256::ID,
            Suite::Shake256 => Bls12381Shake256::ID,
        }
    }

    /// `ciphersuite_id || "H2G_HM2S_"`: the api_id of the BBS Signatures Interface (§3.5).
    pub(crate) fn signatures_api_id(self) -> Vec<u8> {
        [self.id(), H2G_HM2S].concat()
    }

    /// The suite's `expand_message` (RFC 9380 §5.3), over the concatenation of `msg`.
    pub(crate) fn expand_message(self, msg: &[&[u8]], dst: &[u8], out: &mut [u8]) -> Result<()> {
        match self {
            Suite::Sha256 => XmdSha256::expand(msg, dst, out),
            Suite::Shake256 => XofShake256::expand(msg, dst, out),
        }
    }

    /// `expand_message` taking a tag over 255 bytes the RFC 9380 §5.3.3 way (hazmat only).
    #[cfg(feature = "hazmat")]
    pub(crate) fn expand_message_any_dst(self, msg: &[&[u8]], dst: &[u8], out: &mut [u8]) -> Result<()> {
        match self {
            Suite::Sha256 => hash::expand_message_oversize_dst::<XmdSha256>(msg, dst, out),
            Suite::Shake256 => hash::expand_message_oversize_dst::<XofShake256>(msg, dst, out),
        }
    }

    /// `hash_to_scalar` (draft §4.2.2).
    pub(crate) fn hash_to_scalar(self, msg: &[&[u8]], dst: &[u8]) -> Result<crate::curve::Fr> {
        match self {
            Suite::Sha256 => hash::hash_to_scalar::<XmdSha256>(msg, dst),
            Suite::Shake256 => hash::hash_to_scalar::<XofShake256>(msg, dst),
        }
    }

    /// `hash_to_curve_g1` of the suite's hash-to-curve suite (RFC 9380 §3 with §8.8.1 parameters; for
    /// SHAKE-256, draft Appendix A.1): `expand_message(msg, dst, 2 * 64)`, two field elements, SSWU.
    pub(crate) fn hash_to_curve_g1(self, msg: &[&[u8]], dst: &[u8]) -> Result<G1> {
        let mut uniform_bytes = [0u8; 128];
        self.expand_message(msg, dst, &mut uniform_bytes)?;
        Ok(G1::map_uniform_bytes(&uniform_bytes))
    }

    /// `P1`, the suite's fixed G1 point (§7.2): `create_generators` with count 1 and the tags below,
    /// derived once per process.
    pub(crate) fn p1(self) -> &'static G1Affine {
        static SHA256: OnceLock<G1Affine> = OnceLock::new();
        static SHAKE256: OnceLock<G1Affine> = OnceLock::new();
        let cell = match self {
            Suite::Sha256 => &SHA256,
            Suite::Shake256 => &SHAKE256,
        };
        cell.get_or_init(|| {
            let id = self.id();
            let seed_dst = [id, b"H2G_HM2S_SIG_GENERATOR_SEED_"].concat();
            let generator_dst = [id, b"H2G_HM2S_SIG_GENERATOR_DST_"].concat();
            let generator_seed = [id, b"H2G_HM2S_BP_MESSAGE_GENERATOR_SEED"].concat();
            // The tags are fixed and short, so derivation cannot fail; the identity stands in for the
            // impossible error rather than a panic.
            generators::derive(self, &generator_seed, &seed_dst, &generator_dst, 1)
                .ok()
                .and_then(|(points, _)| points.first().copied())
                .unwrap_or_default()
        })
    }
}
