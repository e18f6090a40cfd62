//! The registry log's Merkle tree, exactly as RFC 9162 §2.1 defines it (the tree of Certificate
//! Transparency), so that any CT-style tool can check ecert's tree heads and proofs.
//!
//! Storage keeps the hash of every *perfect* subtree (2^level leaves starting at a multiple of 2^level):
//! about two hashes per leaf, written once and never changed, which is what an append-only log needs. Any
//! tree head, inclusion proof or consistency proof is then assembled from O(log n) stored hashes: the
//! RFC's recursion splits every range at the largest power of two below its size, so its left halves are
//! perfect subtrees, and the one ragged right edge is walked once.

use core::fmt;

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// `MTH({})`: the hash of an empty tree, SHA-256 of the empty string (RFC 9162 §2.1.1).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// `MTH({d(0)}) = SHA-256(0x00 || d(0))`: a leaf's hash (RFC 9162 §2.1.1).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0x00])
        .chain_update(entry)
        .finalize()
        .into()
}

/// `SHA-256(0x01 || left || right)`: an interior node's hash (RFC 9162 §2.1.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([0x01])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// A storage failure (for the database store; the memory store cannot fail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "log storage: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Where the log keeps its hashes: the perfect subtree at `level` and `index` covers leaves
/// `index * 2^level .. (index + 1) * 2^level`. Level 0 holds the leaf hashes.
pub trait HashStore {
    /// Number of leaves stored.
    fn leaf_count(&self) -> Result<u64, StoreError>;
    /// The stored hash of a perfect subtree.
    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError>;
    /// Stores the hashes a new leaf completes, bottom up: the leaf, then each parent it completes. Called
    /// once per leaf; a store writes them atomically.
    fn append(&mut self, hashes: &[(u32, u64, Hash)]) -> Result<(), StoreError>;
}

/// Hashes in memory, one vector per level.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    levels: Vec<Vec<Hash>>,
}

impl HashStore for MemoryStore {
    fn leaf_count(&self) -> Result<u64, StoreError> {
        Ok(self.levels.first().map_or(0, |leaves| leaves.len() as u64))
    }

    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError> {
        self.levels
            .get(level as usize)
            .and_then(|hashes| hashes.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or_else(|| StoreError(format!("no node at level {level}, index {index}")))
    }

    fn append(&mut self, hashes: &[(u32, u64, Hash)]) -> Result<(), StoreError> {
        for &(level, index, hash) in hashes {
            let level = level as usize;
            if self.levels.len() <= level {
                self.levels.resize_with(level + 1, Vec::new);
            }
            if self.levels[level].len() as u64 != index {
                return Err(StoreError(format!(
                    "node {index} at level {level} written out of order"
                )));
            }
            self.levels[level].push(hash);
        }
        Ok(())
    }
}

/// Why a proof or tree head was not produced or did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofError {
    /// The sizes or index asked for do not fit the tree (index past the end, new size below old, a size
    /// the log has not reached).
    OutOfRange,
    /// The proof does not verify.
    Invalid,
    /// The store failed.
    Store(StoreError),
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofError::OutOfRange => f.write_str("index or tree size out of range"),
            ProofError::Invalid => f.write_str("proof does not verify"),
            ProofError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ProofError {}

impl From<StoreError> for ProofError {
    fn from(e: StoreError) -> ProofError {
        ProofError::Store(e)
    }
}

/// The largest power of two strictly below `n` (n >= 2): RFC 9162's split point `k`.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// An append-only Merkle tree over a [`HashStore`].
#[derive(Clone, Debug)]
pub struct MerkleLog<S> {
    store: S,
    size: u64,
}

impl<S: HashStore> MerkleLog<S> {
    /// The log kept in `store`.
    pub fn open(store: S) -> Result<MerkleLog<S>, StoreError> {
        let size = store.leaf_count()?;
        Ok(MerkleLog { store, size })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The underlying store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Appends a leaf hash; returns its index.
    pub fn append(&mut self, leaf: Hash) -> Result<u64, StoreError> {
        let index = self.size;
        let mut hashes = vec![(0u32, index, leaf)];
        // Each time the new node is a right child, its parent is complete.
        let (mut level, mut i, mut hash) = (0u32, index, leaf);
        while i % 2 == 1 {
            let left = self.store.node(level, i - 1)?;
            hash = node_hash(&left, &hash);
            level += 1;
            i /= 2;
            hashes.push((level, i, hash));
        }
        self.store.append(&hashes)?;
        self.size += 1;
        Ok(index)
    }

    /// `MTH(D[0:size])`, the root of the tree as it was at `size` leaves.
    pub fn root(&self, size: u64) -> Result<Hash, ProofError> {
        if size > self.size {
            return Err(ProofError::OutOfRange);
        }
        if size == 0 {
            return Ok(empty_root());
        }
        self.subtree(0, size)
    }

    /// `MTH(D[start:end])` for the ranges RFC 9162's recursion produces (start aligned to the range's
    /// leading power of two).
    fn subtree(&self, start: u64, end: u64) -> Result<Hash, ProofError> {
        let n = end - start;
        if n.is_power_of_two() && start % n == 0 {
            return Ok(self.store.node(n.trailing_zeros(), start / n)?);
        }
        let k = split(n);
        Ok(node_hash(
            &self.subtree(start, start + k)?,
            &self.subtree(start + k, end)?,
        ))
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves: `PATH(m, D[n])` (RFC 9162
    /// §2.1.3.1).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        if index >= size || size > self.size {
            return Err(ProofError::OutOfRange);
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof)?;
        Ok(proof)
    }

    fn path(&self, m: u64, start: u64, end: u64, proof: &mut Vec<Hash>) -> Result<(), ProofError> {
        let n = end - start;
        if n == 1 {
            return Ok(());
        }
        let k = split(n);
        if m < start + k {
            // PATH(m, D[0:k]) : MTH(D[k:n])
            self.path(m, start, start + k, proof)?;
            proof.push(self.subtree(start + k, end)?);
        } else {
            // PATH(m - k, D[k:n]) : MTH(D[0:k])
            self.path(m, start + k, end, proof)?;
            proof.push(self.subtree(start, start + k)?);
        }
        Ok(())
    }

    /// The consistency proof between the tree of `old` leaves and that of `new`: `PROOF(m, D[n])` (RFC
    /// 9162 §2.1.4.1). Empty when the sizes are equal.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        if old == 0 || old > new || new > self.size {
            return Err(ProofError::OutOfRange);
        }
        let mut proof = Vec::new();
        if old < new {
            self.subproof(old, 0, new, true, &mut proof)?;
        }
        Ok(proof)
    }

    fn subproof(
        &self,
        m: u64,
        start: u64,
        end: u64,
        complete: bool,
        proof: &mut Vec<Hash>,
    ) -> Result<(), ProofError> {
        let n = end - start;
        if m == n {
            // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
            if !complete {
                proof.push(self.subtree(start, end)?);
            }
            return Ok(());
        }
        let k = split(n);
        if m <= k {
            // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            self.subproof(m, start, start + k, complete, proof)?;
            proof.push(self.subtree(start + k, end)?);
        } else {
            // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            self.subproof(m - k, start + k, end, false, proof)?;
            proof.push(self.subtree(start, start + k)?);
        }
        Ok(())
    }
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    // 1. If leaf_index is greater than or equal to tree_size, then stop and fail.
    if index >= size {
        return Err(ProofError::OutOfRange);
    }
    // 2.-3. fn = leaf_index, sn = tree_size - 1, r = hash
    let (mut fnode, mut snode, mut r) = (index, size - 1, *leaf);
    // 4. For each value p in the inclusion_path array:
    for p in proof {
        // a. If sn is 0, then stop the iteration and fail the proof verification.
        if snode == 0 {
            return Err(ProofError::Invalid);
        }
        // b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            // If LSB(fn) is not set, right-shift both fn and sn equally until either LSB(fn) is set or
            // fn is 0.
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        // c. Finally, right-shift both fn and sn one time.
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. Compare sn to 0 and r against the root_hash.
    if snode == 0 && r == *root {
        Ok(())
    } else {
        Err(ProofError::Invalid)
    }
}

/// Verifies a consistency proof between the tree heads `(old, old_root)` and `(new, new_root)` (RFC 9162
/// §2.1.4.2). Equal sizes need an empty proof and equal roots.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old == 0 || old > new {
        return Err(ProofError::OutOfRange);
    }
    if old == new {
        return if proof.is_empty() && old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::Invalid)
        };
    }
    // 1. If consistency_path is an empty array, stop and fail the proof verification.
    if proof.is_empty() {
        return Err(ProofError::Invalid);
    }
    // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
    let prefixed;
    let path: &[Hash] = if old.is_power_of_two() {
        prefixed = [&[*old_root][..], proof].concat();
        &prefixed
    } else {
        proof
    };
    // 3. Set fn to first - 1 and sn to second - 1.
    let (mut fnode, mut snode) = (old - 1, new - 1);
    // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. Set both fr and sr to the first value in the consistency_path array.
    let (mut fr, mut sr) = (path[0], path[0]);
    // 6. For each subsequent value c in the consistency_path array:
    for c in &path[1..] {
        // a. If sn is 0, then stop the iteration and fail the proof verification.
        if snode == 0 {
            return Err(ProofError::Invalid);
        }
        // b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            // If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is
            // set or fn is 0.
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        // c. Finally, right-shift both fn and sn one time.
        fnode >>= 1;
        snode >>= 1;
    }
    // 7. Verify fr equals first_hash, sr equals second_hash and sn is 0.
    if fr == *old_root && sr == *new_root && snode == 0 {
        Ok(())
    } else {
        Err(ProofError::Invalid)
    }
}
