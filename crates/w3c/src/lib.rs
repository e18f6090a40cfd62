#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod base;
mod credential;
mod datetime;
mod derive;
mod error;
mod group;
mod jsonld;
mod loader;
mod multikey;
mod pointer;
mod proof;
mod proof_value;
mod rdf;
mod suite;
mod verify;

#[cfg(feature = "hazmat")]
pub mod hazmat;

pub use base::{BaseProofOptions, SigningKey};
pub use credential::{CREDENTIALS_V1_CONTEXT, CREDENTIALS_V2_CONTEXT};
pub use derive::DeriveOptions;
pub use error::{Error, ErrorKind, Result};
pub use loader::ContextLoader;
pub use multikey::{
    DidKeyResolver, VerificationMethodResolver, VerificationMethods, did_key, did_key_document,
    did_key_verification_method, multikey_document, public_key_from_multibase,
    public_key_from_multikey_document, public_key_multibase,
};
pub use pointer::JsonPointer;
pub use proof::{CRYPTOSUITE, PROOF_TYPE};
pub use suite::Bbs2023;
pub use verify::{VerifiedDocument, VerifyOptions};

/// The BBS crate this one signs with, for its key types.
pub use ecert_bbs;
