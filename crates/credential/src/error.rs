//! The error type of ecert-credential: each variant says which input was wrong and how, so that an issuer's
//! operator or a verifier's developer can fix it. No variant carries an attribute's value.

use core::fmt;

/// What went wrong with a certificate type, an attribute value or a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A schema file is malformed or breaks a rule of specs/schemas/FORMAT.md.
    Schema(String),
    /// A type id is not `<namespace>.<name>/<version>`.
    InvalidTypeId(String),
    /// No certificate type with this id is known.
    UnknownType(String),
    /// An attribute the type requires is missing.
    MissingAttribute(String),
    /// An attribute the type does not have was given.
    UnknownAttribute {
        /// The certificate type.
        type_id: String,
        /// The attribute's name.
        name: String,
    },
    /// An attribute value is of the wrong type or outside its constraints.
    InvalidValue {
        /// The attribute's name.
        name: String,
        /// What is wrong (never the value itself, which may be personal data).
        problem: String,
    },
    /// A date is not `YYYY-MM-DD` or not a real calendar date.
    InvalidDate(String),
    /// A binary field is not base64url without padding.
    InvalidBase64,
    /// A certificate, request or presentation is malformed: the wrong format, shape or fields.
    Malformed(String),
    /// A status list names an issuer key the registry does not vouch for.
    UntrustedKey {
        /// The issuer's id.
        issuer: String,
        /// The key id.
        key_id: String,
        /// Why: not listed, or revoked.
        why: &'static str,
    },
    /// The BBS layer refused an input.
    Bbs(ecert_bbs::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Schema(what) => write!(f, "invalid certificate-type schema: {what}"),
            Error::InvalidTypeId(id) => write!(
                f,
                "invalid certificate-type id {id:?}: expected <namespace>.<name>/<version>"
            ),
            Error::UnknownType(id) => write!(f, "unknown certificate type {id:?}"),
            Error::MissingAttribute(name) => write!(f, "attribute {name:?} is missing"),
            Error::UnknownAttribute { type_id, name } => {
                write!(f, "certificate type {type_id} has no attribute {name:?}")
            }
            Error::InvalidValue { name, problem } => write!(f, "attribute {name:?}: {problem}"),
            Error::InvalidDate(text) => write!(f, "invalid date {text:?}: expected YYYY-MM-DD"),
            Error::InvalidBase64 => {
                f.write_str("invalid base64url (expected the URL-safe alphabet without padding)")
            }
            Error::Malformed(what) => write!(f, "malformed: {what}"),
            Error::UntrustedKey { issuer, key_id, why } => {
                write!(f, "key {key_id:?} of issuer {issuer:?} is not trusted: {why}")
            }
            Error::Bbs(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bbs(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ecert_bbs::Error> for Error {
    fn from(e: ecert_bbs::Error) -> Error {
        Error::Bbs(e)
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, Error>;
