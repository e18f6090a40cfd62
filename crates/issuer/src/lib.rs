#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod issue;
mod key;

pub use error::{Error, Result};
pub use issue::{IssueRequest, issue};
pub use key::IssuerKey;
