#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod wallet;

pub use wallet::{Consent, ConsentItem, Refusal, Wallet};
