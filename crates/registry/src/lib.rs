#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod merkle;

pub use merkle::{
    Hash, HashStore, MemoryStore, MerkleLog, ProofError, StoreError, empty_root, leaf_hash, node_hash,
    verify_consistency, verify_inclusion,
};
