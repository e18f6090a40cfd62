//! The error type of ecert-issuer.

use core::fmt;

/// Why a certificate was not issued or a key not made.
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
