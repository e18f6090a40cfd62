#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod verify;

pub use verify::{Failure, VerifiedItem, VerifiedPresentation, build_request, result_json, verify};
