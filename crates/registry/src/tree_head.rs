//! Signed tree heads: the registry's Ed25519 signature over (size, root, time), and snapshots that let an
//! offline verifier check that the registry state it caches is the one a signed head commits to.

use core::fmt;

use ecert_credential::{decode_b64, encode_b64};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::entry::Entry;
use crate::error::{Error, Result};
use crate::merkle::{Hash, MemoryStore, MerkleLog, leaf_hash};
use crate::state::RegistryState;

/// Domain separation of the signed bytes.
const TREE_HEAD_CONTEXT: &[u8] = b"ecert-tree-head/1";

/// A signed tree head: the log's size and root at a time, signed by the registry (specs/registry.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedTreeHead {
    /// Number of entries.
    pub size: u64,
    /// The Merkle root, base64url.
    pub root: String,
    /// When it was signed, Unix seconds.
    pub timestamp: i64,
    /// Ed25519 over `"ecert-tree-head/1" || I2OSP(size, 8) || I2OSP(timestamp, 8) || root`, base64url.
    pub signature: String,
}

/// The bytes a tree head's signature covers.
fn signed_bytes(size: u64, timestamp: i64, root: &Hash) -> Vec<u8> {
    [
        TREE_HEAD_CONTEXT,
        &size.to_be_bytes(),
        &timestamp.to_be_bytes(),
        root,
    ]
    .concat()
}

impl SignedTreeHead {
    /// Parses a signed tree head from JSON: exactly its four members, each once.
    pub fn from_json(text: &str) -> Result<SignedTreeHead> {
        ecert_credential::strict_json::from_str(text)
            .map_err(|e| Error::Malformed(format!("signed tree head: {e}")))
    }

    /// Checks the signature with the registry's public key; returns the root.
    pub fn verify(&self, registry_key: &VerifyingKey) -> Result<Hash> {
        let root: Hash = decode_b64(&self.root)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Malformed("tree head root is not 32 bytes of base64url".into()))?;
        let signature = decode_b64(&self.signature)
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or_else(|| Error::Malformed("tree head signature is not 64 bytes of base64url".into()))?;
        registry_key
            .verify_strict(&signed_bytes(self.size, self.timestamp, &root), &signature)
            .map_err(|_| Error::BadSignature)?;
        Ok(root)
    }
}

/// The registry's tree-head signing key. Never printed; zeroized on drop (by ed25519-dalek).
pub struct LogSigner {
    key: SigningKey,
}

impl LogSigner {
    /// A fresh key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> LogSigner {
        LogSigner {
            key: SigningKey::generate(rng),
        }
    }

    /// The key from its 32 secret bytes.
    pub fn from_bytes(secret: &[u8; 32]) -> LogSigner {
        LogSigner {
            key: SigningKey::from_bytes(secret),
        }
    }

    /// The public key regulators, wallets and verifiers pin.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Signs the head of a log of `size` entries with root `root`.
    pub fn sign(&self, size: u64, root: &Hash, timestamp: i64) -> SignedTreeHead {
        let signature = self.key.sign(&signed_bytes(size, timestamp, root));
        SignedTreeHead {
            size,
            root: encode_b64(root),
            timestamp,
            signature: encode_b64(&signature.to_bytes()),
        }
    }
}

impl fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogSigner")
            .field("verifying_key", &encode_b64(self.key.verifying_key().as_bytes()))
            .finish_non_exhaustive()
    }
}

/// What an offline verifier or wallet downloads: a signed tree head and the entries it covers. From them
/// it recomputes the root (so the entries are exactly those the registry signed) and folds the state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The signed head.
    pub tree_head: SignedTreeHead,
    /// Every entry of the log up to the head, in order.
    pub entries: Vec<Entry>,
}

impl Snapshot {
    /// Parses a snapshot from JSON (a download or a file), refusing unknown and repeated members at any
    /// depth; [`Snapshot::verify`] then checks it.
    pub fn from_json(text: &str) -> Result<Snapshot> {
        ecert_credential::strict_json::from_str(text).map_err(|e| Error::Malformed(format!("snapshot: {e}")))
    }

    /// Checks the head's signature, that the entries hash to its root at its size, and replays them.
    pub fn verify(&self, registry_key: &VerifyingKey) -> Result<RegistryState> {
        let root = self.tree_head.verify(registry_key)?;
        if self.entries.len() as u64 != self.tree_head.size {
            return Err(Error::Malformed(format!(
                "snapshot has {} entries for a head of size {}",
                self.entries.len(),
                self.tree_head.size
            )));
        }
        let mut log = MerkleLog::open(MemoryStore::default())?;
        for entry in &self.entries {
            log.append(leaf_hash(&entry.canonical_bytes()?))?;
        }
        if log.root(log.size())? != root {
            return Err(Error::Malformed(
                "the entries do not hash to the signed root".into(),
            ));
        }
        RegistryState::replay(&self.entries)
    }
}
