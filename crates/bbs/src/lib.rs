#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod ciphersuite;
mod commit;
mod curve;
mod error;
mod generators;
mod hash;
mod interface;
mod key;
mod proof;
mod scalar;
mod sign;
mod signature;
mod verify;

pub mod accumulator;
pub mod blind;
pub mod committed;
pub mod composite;
pub mod equality;
#[cfg(feature = "hazmat")]
pub mod hazmat;
pub mod pseudonym;
pub mod range;

pub use ciphersuite::{Bls12381Sha256, Bls12381Shake256, Ciphersuite};
pub use error::{Error, Result};
pub use interface::Interface;
pub use key::{PUBLIC_KEY_BYTES, PublicKey, SECRET_KEY_BYTES, SecretKey};
pub use proof::{PROOF_MIN_BYTES, Proof, proof_gen, proof_verify};
pub use scalar::{SCALAR_BYTES, Scalar};
pub use sign::sign;
pub use signature::{SIGNATURE_BYTES, Signature};
pub use verify::verify;

/// The `rand_core` this crate's API is written against, so callers can name the same
/// `RngCore + CryptoRng` traits.
pub use rand_core;
