#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod kdf;
mod wallet;

pub use kdf::{WALLET_KDF_VAR, WalletKdf, WalletKdfError};
pub use wallet::{Consent, ConsentItem, Refusal, Wallet};
