//! The error type of ecert-issuer.

use core::fmt;

use ecert_credential::CertificateStatus;

/// Why a certificate was not issued, a key not made, or a status change or objection refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The attribute values, type or certificate are wrong (which attribute and how is inside).
    Credential(ecert_credential::Error),
    /// The validity period ends before it starts.
    InvalidValidity,
    /// A rotated key must have a new key id.
    KeyIdReused(String),
    /// An issuer or key id is empty, too long or not printable ASCII.
    InvalidId(String),
    /// A status list entry was set at or past the end of the list.
    StatusIndexOutOfRange {
        /// The index given.
        index: u32,
        /// The list's number of entries.
        capacity: u32,
    },
    /// The BBS layer refused (a malformed secret key, say).
    Bbs(ecert_bbs::Error),
    /// A certificate cannot move from one status to the other (revocation is final).
    InvalidTransition {
        /// Its status now.
        from: CertificateStatus,
        /// The status asked for.
        to: CertificateStatus,
    },
    /// A reason, statement or note is empty or too long.
    TextLength {
        /// Which text.
        what: &'static str,
        /// Its most characters.
        max: usize,
    },
    /// The certificate a holder objects with is not the one the issuer recorded.
    CertificateMismatch(&'static str),
    /// The issuer has no certificate with the serial given.
    UnknownCertificate,
    /// The certificate objected to is revoked.
    CertificateRevoked,
    /// An objection names no correction.
    NoCorrections,
    /// The objection was already decided.
    ObjectionClosed,
    /// An epoch's revocation changes are inconsistent with the accumulator (what is wrong is inside;
    /// handles are positions, not personal data).
    RevocationChange(String),
    /// A stored or given name of a state or event is not one this crate knows.
    UnknownName {
        /// What kind of name.
        what: &'static str,
        /// The name.
        name: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Credential(e) => write!(f, "{e}"),
            Error::InvalidValidity => f.write_str("validity period ends before it starts"),
            Error::KeyIdReused(id) => {
                write!(f, "key id {id:?} is already in use: a rotated key needs a new id")
            }
            Error::InvalidId(id) => write!(
                f,
                "invalid id {id:?}: 1 to 100 printable ASCII characters, no spaces"
            ),
            Error::StatusIndexOutOfRange { index, capacity } => write!(
                f,
                "status index {index} is past the end of a list of {capacity} entries"
            ),
            Error::Bbs(e) => write!(f, "{e}"),
            Error::InvalidTransition { from, to } => {
                write!(f, "the certificate is {from} and cannot become {to}")
            }
            Error::TextLength { what, max } if *what == "reason" => {
                write!(f, "the {what} is longer than {max} characters")
            }
            Error::TextLength { what, max } => write!(f, "the {what} must be 1 to {max} characters"),
            Error::CertificateMismatch(what) => f.write_str(what),
            Error::UnknownCertificate => f.write_str("the issuer has no certificate with this serial"),
            Error::CertificateRevoked => f.write_str("the certificate is revoked"),
            Error::NoCorrections => f.write_str("an objection names at least one correction"),
            Error::ObjectionClosed => f.write_str("the objection was already decided"),
            Error::RevocationChange(what) => write!(f, "revocation epoch: {what}"),
            Error::UnknownName { what, name } => write!(f, "unknown {what} {name:?}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Credential(e) => Some(e),
            Error::Bbs(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ecert_credential::Error> for Error {
    fn from(e: ecert_credential::Error) -> Error {
        Error::Credential(e)
    }
}

impl From<ecert_bbs::Error> for Error {
    fn from(e: ecert_bbs::Error) -> Error {
        Error::Bbs(e)
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, Error>;
