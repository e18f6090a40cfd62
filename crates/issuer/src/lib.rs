#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod issue;
mod key;
mod lifecycle;
mod objection;
mod position;
mod revocation;
mod status_list;

pub use error::{Error, Result};
pub use issue::{IssueRequest, issue};
pub use key::IssuerKey;
pub use lifecycle::{CertificateEvent, MAX_REASON_CHARS, check_reason, transition};
pub use objection::{
    Decision, MAX_OBJECTION_TEXT_CHARS, ObjectionEvent, ObjectionState, RecordedCertificate, Reissue,
    check_filing, corrected_attributes, reissue, review,
};
pub use position::StatusPositions;
pub use revocation::{EpochChanges, EpochTimes, close_epoch, create_accumulator, handle_witness};
pub use status_list::sign_status_list;
