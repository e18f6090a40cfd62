//! The one error type of ecert-bbs.
//!
//! A failed verification is a single opaque variant, [`Error::VerificationFailed`]: which pairing or
//! challenge check failed says nothing a caller can act on, and telling it apart would only help an
//! attacker probe. Everything else names the input that was refused, so that a caller can fix it. No
//! variant carries a secret or an input value.

use core::fmt;

/// What went wrong in a BBS operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The signature or proof does not verify against the public key, header, presentation header and
    /// messages given.
    VerificationFailed,
    /// A secret key encoding is not 32 bytes of a scalar in 1..r-1.
    MalformedSecretKey,
    /// A public key encoding is not a compressed point of G2, in the subgroup, not the identity.
    MalformedPublicKey,
    /// A signature encoding is not 80 bytes: a compressed G1 point (in the subgroup, not the identity)
    /// and a scalar in 1..r-1.
    MalformedSignature,
    /// A proof encoding is not three compressed G1 points (in the subgroup, not the identity) followed
    /// by at least four scalars in 1..r-1.
    MalformedProof,
    /// A scalar encoding is not 32 big-endian bytes of an integer below r.
    MalformedScalar,
    /// KeyGen's key material is shorter than 32 bytes (draft §3.5.1 step 1).
    KeyMaterialTooShort,
    /// KeyGen's key info is longer than 65535 bytes (draft §3.5.1 step 2).
    KeyInfoTooLong,
    /// A domain separation tag is longer than 255 bytes (draft §4.2.2; RFC 9380 §5.3).
    DstTooLong,
    /// More output was asked of `expand_message` than it can give (RFC 9380 §5.3: 8160 bytes with
    /// SHA-256, 65535 with SHAKE-256); for mocked random scalars that is 170 and 1365 scalars.
    ExpandLengthExceeded,
    /// An api_id is so long that the tags derived from it would exceed 255 bytes.
    ApiIdTooLong,
    /// A disclosed index is not below the number of signed messages.
    DisclosedIndexOutOfRange,
    /// The number of random scalars given to ProofGen is not the number of undisclosed messages plus 5.
    RandomScalarCount,
    /// The secret key does not belong to the public key it was given with.
    KeyMismatch,
    /// A Blind BBS commitment encoding is not a compressed G1 point (in the subgroup, not the identity)
    /// followed by at least two scalars in 1..r-1 (draft-irtf-cfrg-bbs-blind-signatures-02 §6.4.2).
    MalformedCommitment,
    /// A pseudonym encoding is not a compressed G1 point in the subgroup, other than the identity.
    MalformedPseudonym,
    /// The number of nym secrets is zero, larger than the commitment holds, or not the number the
    /// other inputs say.
    NymVectorLength,
    /// A range proof's statement is not one this crate proves: bits other than 8, 16, 32 or 64, no
    /// values, more than 256 bits in all, or (proving) a value outside its range.
    RangeStatement,
    /// An equality statement is not one to prove: fewer than two commitments, or (proving) openings of
    /// different messages.
    EqualityStatement,
    /// A composite proof's statements refer to proofs or messages it does not hold, or to messages that
    /// are not committed.
    CompositeStatement,
    /// A point encoding is not a compressed point of G1 in the subgroup, other than the identity.
    MalformedPoint,
    /// An accumulator update is malformed (an element twice, a wrong length), or the element updated is
    /// one the batch removes.
    AccumulatorUpdate,
    /// A degenerate value came up (the secret key plus `e` is zero mod r, or a proof scalar is zero); the
    /// probability is about 2^-255, so this means the inputs were constructed to hit it.
    Degenerate,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::VerificationFailed => "BBS verification failed",
            Error::MalformedSecretKey => "malformed BBS secret key: expected 32 bytes encoding a scalar in 1..r-1",
            Error::MalformedPublicKey => {
                "malformed BBS public key: expected a 96-byte compressed G2 point in the subgroup, not the identity"
            }
            Error::MalformedSignature => {
                "malformed BBS signature: expected 80 bytes, a valid compressed G1 point and a scalar in 1..r-1"
            }
            Error::MalformedProof => {
                "malformed BBS proof: expected 3 valid compressed G1 points and at least 4 scalars in 1..r-1"
            }
            Error::MalformedScalar => "malformed scalar: expected 32 big-endian bytes of an integer below r",
            Error::KeyMaterialTooShort => "BBS key material must be at least 32 bytes",
            Error::KeyInfoTooLong => "BBS key info must be at most 65535 bytes",
            Error::DstTooLong => "domain separation tag longer than 255 bytes",
            Error::ExpandLengthExceeded => "expand_message cannot produce that many bytes",
            Error::ApiIdTooLong => "api_id too long: the tags derived from it would exceed 255 bytes",
            Error::DisclosedIndexOutOfRange => "a disclosed index is not below the number of signed messages",
            Error::RandomScalarCount => "ProofGen needs exactly 5 more random scalars than undisclosed messages",
            Error::KeyMismatch => "the secret key does not match the public key",
            Error::MalformedCommitment => {
                "malformed Blind BBS commitment: expected a valid compressed G1 point and at least 2 scalars in 1..r-1"
            }
            Error::MalformedPseudonym => {
                "malformed pseudonym: expected a 48-byte compressed G1 point in the subgroup, not the identity"
            }
            Error::NymVectorLength => {
                "the number of nym secrets is zero, more than the commitment holds, or not the number given"
            }
            Error::RangeStatement => {
                "range statement refused: 8, 16, 32 or 64 bits, 1 to 256 bits in all, and (proving) a value in range"
            }
            Error::EqualityStatement => "equality statement refused: two or more commitments to one message",
            Error::CompositeStatement => {
                "composite statement refused: a reference to a proof or committed message the composite does not hold"
            }
            Error::MalformedPoint => "malformed point: expected 48 bytes of a compressed G1 point in the subgroup, not the identity",
            Error::AccumulatorUpdate => {
                "accumulator update refused: malformed, an element twice, or the element is one it removes"
            }
            Error::Degenerate => "degenerate value (probability 2^-255): the inputs look constructed",
        })
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, Error>;
