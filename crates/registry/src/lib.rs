#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod audit;
mod entry;
mod error;
mod merkle;
mod registry;
mod state;
mod tree_head;

pub use audit::{
    Anomaly, AuditPolicy, AuditReport, audit, check_heads, entry_counts, key_history, state_matches,
};
pub use entry::{Entry, canonical_json};
pub use error::{Error, Result};
pub use merkle::{
    Hash, HashStore, MemoryStore, MerkleLog, ProofError, StoreError, empty_root, leaf_hash, node_hash,
    verify_consistency, verify_inclusion,
};
pub use registry::Registry;
pub use state::{CERTIFICATE_SUITE, Issuer, KeyHistory, KeyState, MAX_PURPOSES, RegistryState};
pub use tree_head::{LogSigner, SignedTreeHead, Snapshot};

/// The Ed25519 public key type tree heads are verified with.
pub use ed25519_dalek::VerifyingKey;
