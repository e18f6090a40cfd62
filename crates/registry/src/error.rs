//! The error type of ecert-registry.

use core::fmt;

use crate::merkle::{ProofError, StoreError};

/// Why a registry operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An entry is malformed or not in canonical form.
    Malformed(String),
    /// An entry breaks a registry rule (unknown issuer, reused key id, revocation undone, ...); nothing
    /// was appended.
    Rule(String),
    /// A proof failed.
    Proof(ProofError),
    /// A tree head's signature does not verify under the registry's key.
    BadSignature,
    /// The store failed.
    Store(StoreError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed(what) => write!(f, "malformed registry entry: {what}"),
            Error::Rule(what) => write!(f, "refused by the registry rules: {what}"),
            Error::Proof(e) => write!(f, "{e}"),
            Error::BadSignature => f.write_str("tree head signature does not verify under the registry key"),
            Error::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ProofError> for Error {
    fn from(e: ProofError) -> Error {
        Error::Proof(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        Error::Store(e)
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, Error>;
