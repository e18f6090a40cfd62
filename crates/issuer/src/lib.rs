#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod issue;
mod key;
mod status_list;

pub use error::{Error, Result};
pub use issue::{IssueRequest, issue};
pub use key::IssuerKey;
pub use status_list::sign_status_list;
