//! The registry log's Merkle tree against RFC 6962/9162: the known-answer roots and proofs that public
//! Certificate Transparency implementations test against, then every leaf of every tree size up to 300
//! (inclusion) and every pair of sizes (consistency), and tampering with any proof, hash or size.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_registry::{
    Hash, MemoryStore, MerkleLog, ProofError, empty_root, leaf_hash, verify_consistency, verify_inclusion,
};

/// The eight leaves of the CT reference tree.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// MTH of the first n reference leaves, n = 0..=8.
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn h(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}

fn reference_log() -> MerkleLog<MemoryStore> {
    let mut log = MerkleLog::open(MemoryStore::default()).unwrap();
    for leaf in LEAVES {
        log.append(leaf_hash(&hex::decode(leaf).unwrap())).unwrap();
    }
    log
}

#[test]
fn roots_match_rfc_6962() {
    let log = reference_log();
    assert_eq!(empty_root(), h(ROOTS[0]));
    for (size, root) in ROOTS.iter().enumerate() {
        assert_eq!(log.root(size as u64).unwrap(), h(root), "size {size}");
    }
    assert_eq!(log.root(9), Err(ProofError::OutOfRange));
}

#[test]
fn proofs_match_rfc_6962() {
    let log = reference_log();
    let inclusion: [(u64, u64, &[&str]); 3] = [
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
    ];
    for (index, size, expected) in inclusion {
        let proof = log.inclusion_proof(index, size).unwrap();
        assert_eq!(
            proof,
            expected.iter().map(|s| h(s)).collect::<Vec<_>>(),
            "inclusion {index} in {size}"
        );
    }
    let consistency: [(u64, u64, &[&str]); 4] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    for (old, new, expected) in consistency {
        let proof = log.consistency_proof(old, new).unwrap();
        assert_eq!(
            proof,
            expected.iter().map(|s| h(s)).collect::<Vec<_>>(),
            "consistency {old} to {new}"
        );
        verify_consistency(old, new, &h(ROOTS[old as usize]), &h(ROOTS[new as usize]), &proof).unwrap();
    }
}

/// A log of `n` distinct leaves.
fn log_of(n: u64) -> (MerkleLog<MemoryStore>, Vec<Hash>) {
    let mut log = MerkleLog::open(MemoryStore::default()).unwrap();
    let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    for leaf in &leaves {
        log.append(*leaf).unwrap();
    }
    (log, leaves)
}

fn flipped(hash: &Hash, bit: usize) -> Hash {
    let mut out = *hash;
    out[bit / 8 % 32] ^= 1 << (bit % 8);
    out
}

#[test]
fn every_inclusion_proof_up_to_300_verifies_and_any_change_fails() {
    let (log, leaves) = log_of(300);
    for size in 1..=300u64 {
        let root = log.root(size).unwrap();
        for index in 0..size {
            let proof = log.inclusion_proof(index, size).unwrap();
            let leaf = &leaves[index as usize];
            verify_inclusion(leaf, index, size, &proof, &root)
                .unwrap_or_else(|e| panic!("{index} in {size}: {e}"));
            // Tampering, cheaply but everywhere: one proof element, the leaf, the root, the index.
            let salt = (index * 31 + size) as usize;
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let at = salt % bad.len();
                bad[at] = flipped(&bad[at], salt);
                assert!(verify_inclusion(leaf, index, size, &bad, &root).is_err());
                assert!(verify_inclusion(leaf, index, size, &proof[..proof.len() - 1], &root).is_err());
            }
            assert!(verify_inclusion(&flipped(leaf, salt), index, size, &proof, &root).is_err());
            assert!(verify_inclusion(leaf, index, size, &proof, &flipped(&root, salt)).is_err());
            if size > 1 {
                assert!(verify_inclusion(leaf, (index + 1) % size, size, &proof, &root).is_err());
            }
        }
    }
}

#[test]
fn every_consistency_proof_up_to_300_verifies_and_any_change_fails() {
    let (log, _) = log_of(300);
    let roots: Vec<Hash> = (0..=300).map(|n| log.root(n).unwrap()).collect();
    for new in 1..=300u64 {
        for old in 1..=new {
            let proof = log.consistency_proof(old, new).unwrap();
            let (r1, r2) = (&roots[old as usize], &roots[new as usize]);
            verify_consistency(old, new, r1, r2, &proof).unwrap_or_else(|e| panic!("{old} to {new}: {e}"));
            let salt = (old * 7 + new) as usize;
            if old < new {
                assert!(verify_consistency(old, new, &flipped(r1, salt), r2, &proof).is_err());
                assert!(verify_consistency(old, new, r1, &flipped(r2, salt), &proof).is_err());
                let mut bad = proof.clone();
                let at = salt % bad.len();
                bad[at] = flipped(&bad[at], salt);
                assert!(verify_consistency(old, new, r1, r2, &bad).is_err());
                assert!(verify_consistency(old, new, r1, r2, &proof[..proof.len() - 1]).is_err());
            }
        }
    }
    assert_eq!(log.consistency_proof(0, 5), Err(ProofError::OutOfRange));
    assert_eq!(log.consistency_proof(6, 5), Err(ProofError::OutOfRange));
    assert_eq!(log.consistency_proof(5, 301), Err(ProofError::OutOfRange));
}
