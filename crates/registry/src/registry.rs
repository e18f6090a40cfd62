//! [`Registry`]: the log and the state it folds to, kept together so that every append is checked
//! against the rules before it enters the log.

use crate::entry::Entry;
use crate::error::Result;
use crate::merkle::{Hash, HashStore, MerkleLog, leaf_hash};
use crate::state::RegistryState;

/// The registry: an append-only log of entries and the state they fold to.
#[derive(Debug)]
pub struct Registry<S> {
    log: MerkleLog<S>,
    state: RegistryState,
}

impl<S: HashStore> Registry<S> {
    /// A registry over an empty store.
    pub fn new(store: S) -> Result<Registry<S>> {
        Ok(Registry {
            log: MerkleLog::open(store)?,
            state: RegistryState::default(),
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
        Ok(self.log.append(leaf_hash(&bytes))?)
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
