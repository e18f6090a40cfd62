//! [`Registry`]: the log and the state it folds to, kept together so that every append is checked
//! against the rules before it enters the log.

use crate::entry::Entry;
use crate::error::Result;
use crate::merkle::{Hash, HashStore, MerkleLog, leaf_hash};
use crate::state::RegistryState;
use crate::tree_head::{LogSigner, SignedTreeHead, Snapshot};

/// The registry: an append-only log of entries and the state they fold to.
#[derive(Clone, Debug)]
pub struct Registry<S> {
    log: MerkleLog<S>,
    state: RegistryState,
    // The entries themselves, for snapshots and log reads (the service keeps them in its database).
    entries: Vec<Entry>,
}

impl<S: HashStore> Registry<S> {
    /// A registry over an empty store (a store with entries is reopened by replaying them, which the
    /// database-backed service does).
    pub fn new(store: S) -> Result<Registry<S>> {
        let log = MerkleLog::open(store)?;
        if log.size() != 0 {
            return Err(crate::error::Error::Malformed(
                "Registry::new needs an empty store".into(),
            ));
        }
        Ok(Registry {
            log,
            state: RegistryState::default(),
            entries: Vec::new(),
        })
    }

    /// Appends `entry` if the rules allow it: the state checks it first (and changes nothing when it
    /// refuses), so a refused entry leaves both log and state as they were. Returns the entry's index.
    ///
    /// A store failure after the rules passed leaves the state one entry ahead of the log; the registry
    /// must then be reopened from its store (replaying the entries), which the service does.
    pub fn append(&mut self, entry: &Entry) -> Result<u64> {
        let bytes = entry.canonical_bytes()?;
        self.state.apply(entry)?;
        let index = self.log.append(leaf_hash(&bytes))?;
        self.entries.push(entry.clone());
        Ok(index)
    }

    /// The entries, in log order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The current tree head, signed.
    pub fn tree_head(&self, signer: &LogSigner, timestamp: i64) -> Result<SignedTreeHead> {
        Ok(signer.sign(self.log.size(), &self.root()?, timestamp))
    }

    /// A snapshot for offline verifiers: the signed head and every entry it covers.
    pub fn snapshot(&self, signer: &LogSigner, timestamp: i64) -> Result<Snapshot> {
        Ok(Snapshot {
            tree_head: self.tree_head(signer, timestamp)?,
            entries: self.entries.clone(),
        })
    }

    /// The current state.
    pub fn state(&self) -> &RegistryState {
        &self.state
    }

    /// The log.
    pub fn log(&self) -> &MerkleLog<S> {
        &self.log
    }

    /// The root of the log at its current size.
    pub fn root(&self) -> Result<Hash> {
        Ok(self.log.root(self.log.size())?)
    }
}
