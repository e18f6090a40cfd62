//! The one error type of ecert-w3c.
//!
//! Unlike `ecert-bbs`, which keeps a failed verification opaque, this layer says which check failed:
//! a wallet or verifier has to tell "this is not a bbs-2023 proof" from "the document was changed
//! after signing" from "this context is not known here", and none of those depends on a secret. The
//! BBS check itself stays one opaque [`Error::ProofVerification`]. No variant carries a secret (HMAC
//! key, signature, undisclosed statement); messages name JSON pointers, context URLs, JSON-LD terms
//! and proof properties, never attribute values.

use std::fmt;

/// What went wrong in a bbs-2023 operation.
///
/// Every variant maps onto one of the error types of VC Data Integrity §7.1 through [`Error::kind`],
/// for an HTTP layer that reports them as [RFC 9457] problem details.
///
/// [RFC 9457]: https://www.rfc-editor.org/rfc/rfc9457
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A document, proof or option that must be a JSON object is not one (the `&str` says which).
    NotAnObject(&'static str),
    /// JSON-LD processing refused the document: an undefined term, an invalid IRI or `@type`, a
    /// context that does not process, a protected term redefined...
    JsonLd(String),
    /// A context document offered to [`crate::ContextLoader::with_context`] is not a JSON-LD context.
    InvalidContext(String),
    /// RDF Dataset Canonicalization refused the dataset (RDFC-1.0 dataset poisoning, or a statement it
    /// cannot canonicalize).
    Canonicalization(String),
    /// A JSON pointer is not RFC 6901 syntax.
    InvalidPointer(String),
    /// A JSON pointer selects nothing in the document.
    PointerNotFound(String),
    /// Neither mandatory nor selective pointers select anything to disclose.
    NothingToDisclose,
    /// The document has no `proof`, or more than one where one is expected.
    MissingProof,
    /// A proof property is missing or has the wrong form or value: `(property, what is wrong)`.
    ProofProperty(&'static str, String),
    /// `proofValue` is not a multibase base64url-no-pad string (it must start with `u`).
    ProofValueEncoding(String),
    /// `proofValue` does not start with a bbs-2023 header (`0xd9 0x5d 0x02`..`0x09`): the bytes found.
    ProofValueHeader([u8; 3]),
    /// `proofValue` has the header of an optional bbs-2023 feature (anonymous holder binding,
    /// pseudonyms), which this implementation does not provide.
    UnsupportedFeature(&'static str),
    /// A base proof was given where a derived proof is expected, or the reverse.
    WrongProofKind(&'static str),
    /// The CBOR inside `proofValue` is not what bbs-2023 serializes (tags, wrong item types or count,
    /// trailing bytes...).
    ProofValueCbor(String),
    /// A blank-node label map is malformed or does not cover the document's blank nodes.
    LabelMap(String),
    /// Mandatory or selective indexes in a derived proof are out of range or out of order.
    Indexes(String),
    /// The verification method cannot be resolved here, or is not a BLS12-381 G2 Multikey.
    VerificationMethod(String),
    /// The public key in a base proof is not the key of the proof's verification method.
    PublicKeyMismatch,
    /// The HMAC key given is not 32 bytes.
    HmacKeyLength,
    /// The BBS signature or proof does not verify: the document, the disclosed statements or the proof
    /// were changed, or the key is not the signer's.
    ProofVerification,
    /// Any other refusal of the BBS layer (a malformed signature, proof or key).
    Bbs(ecert_bbs::Error),
    /// The document is not a verifiable credential by VC Data Model 2.0 (§4): `(property, what is
    /// wrong)`, e.g. no `issuer`, a `validFrom` that is not a dateTimeStamp.
    Credential(&'static str, String),
    /// The credential is not valid at the verifier's time: before `validFrom` or after `validUntil`.
    NotValidAt(String),
}

/// The error types of VC Data Integrity §7.1, as [`Error::kind`] classifies the variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not JSON of the expected shape.
    Parsing,
    /// A proof could not be made from the inputs given.
    ProofGeneration,
    /// The proof is malformed or does not verify.
    ProofVerification,
    /// The document could not be transformed (JSON-LD, canonicalization, pointers).
    ProofTransformation,
}

impl ErrorKind {
    /// The error's `type` URL in VC-DI §7.1, e.g. `https://w3id.org/security#PROOF_VERIFICATION_ERROR`.
    pub fn problem_type(self) -> &'static str {
        match self {
            ErrorKind::Parsing => "https://w3id.org/security#PARSING_ERROR",
            ErrorKind::ProofGeneration => "https://w3id.org/security#PROOF_GENERATION_ERROR",
            ErrorKind::ProofVerification => "https://w3id.org/security#PROOF_VERIFICATION_ERROR",
            ErrorKind::ProofTransformation => "https://w3id.org/security#PROOF_TRANSFORMATION_ERROR",
        }
    }
}

impl Error {
    /// The VC Data Integrity error type this error belongs to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotAnObject(_) | Error::Credential(..) => ErrorKind::Parsing,
            Error::JsonLd(_)
            | Error::InvalidContext(_)
            | Error::Canonicalization(_)
            | Error::InvalidPointer(_)
            | Error::PointerNotFound(_)
            | Error::LabelMap(_) => ErrorKind::ProofTransformation,
            Error::NothingToDisclose | Error::HmacKeyLength => ErrorKind::ProofGeneration,
            Error::MissingProof
            | Error::ProofProperty(..)
            | Error::ProofValueEncoding(_)
            | Error::ProofValueHeader(_)
            | Error::UnsupportedFeature(_)
            | Error::WrongProofKind(_)
            | Error::ProofValueCbor(_)
            | Error::Indexes(_)
            | Error::VerificationMethod(_)
            | Error::PublicKeyMismatch
            | Error::ProofVerification
            | Error::NotValidAt(_)
            | Error::Bbs(_) => ErrorKind::ProofVerification,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotAnObject(what) => write!(f, "{what} must be a JSON object"),
            Error::JsonLd(reason) => write!(f, "JSON-LD: {reason}"),
            Error::InvalidContext(reason) => write!(f, "invalid JSON-LD context document: {reason}"),
            Error::Canonicalization(reason) => write!(f, "RDF canonicalization: {reason}"),
            Error::InvalidPointer(pointer) => write!(f, "{pointer:?} is not a JSON pointer (RFC 6901)"),
            Error::PointerNotFound(pointer) => write!(f, "the JSON pointer {pointer:?} selects nothing"),
            Error::NothingToDisclose => f.write_str("nothing selected for disclosure"),
            Error::MissingProof => f.write_str("the document has no single bbs-2023 proof"),
            Error::ProofProperty(property, problem) => write!(f, "proof.{property}: {problem}"),
            Error::ProofValueEncoding(reason) => write!(f, "proof.proofValue: {reason}"),
            Error::ProofValueHeader(header) => write!(
                f,
                "proof.proofValue: header {:02x}{:02x}{:02x} is not a bbs-2023 header",
                header[0], header[1], header[2]
            ),
            Error::UnsupportedFeature(feature) => {
                write!(
                    f,
                    "proof.proofValue: the bbs-2023 {feature} feature is not supported"
                )
            }
            Error::WrongProofKind(expected) => write!(f, "proof.proofValue: expected a {expected}"),
            Error::ProofValueCbor(reason) => write!(f, "proof.proofValue: CBOR: {reason}"),
            Error::LabelMap(reason) => write!(f, "blank node label map: {reason}"),
            Error::Indexes(reason) => write!(f, "derived proof indexes: {reason}"),
            Error::VerificationMethod(reason) => write!(f, "verification method: {reason}"),
            Error::PublicKeyMismatch => {
                f.write_str("the base proof's public key is not the verification method's key")
            }
            Error::HmacKeyLength => f.write_str("the HMAC key must be 32 bytes"),
            Error::ProofVerification => f.write_str("the bbs-2023 proof does not verify"),
            Error::Bbs(e) => write!(f, "BBS: {e}"),
            Error::Credential(property, problem) => write!(f, "credential.{property}: {problem}"),
            Error::NotValidAt(problem) => write!(f, "the credential is {problem}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ecert_bbs::Error> for Error {
    fn from(e: ecert_bbs::Error) -> Self {
        match e {
            ecert_bbs::Error::VerificationFailed => Error::ProofVerification,
            other => Error::Bbs(other),
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, Error>;
