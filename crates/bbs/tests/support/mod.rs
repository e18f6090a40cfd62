//! The one loader of the test vectors under tests/vectors/ (provenance in its README and in each
//! suite's README), shared by the vector tests.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    dead_code,
    reason = "test support: each test binary uses part of it, and fails loudly"
)]

use std::path::{Path, PathBuf};

use serde::Deserialize;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// A JSON file under tests/vectors/, decoded into `T`.
pub(crate) fn load<T: for<'de> Deserialize<'de>>(path: impl AsRef<Path>) -> T {
    let full = root().join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The vector files of one directory, sorted, so that a new file is picked up without editing a test.
pub(crate) fn files(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|entry| format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy()))
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no vectors in {dir}");
    names
}

pub(crate) fn hex_bytes(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// A 32-byte scalar. The pseudonym fixtures print a few scalars as integers without their leading
/// zero digit (63 hex digits), so the digits are left-padded first.
pub(crate) fn hex32(s: &str) -> [u8; 32] {
    hex_bytes(&format!("{s:0>64}")).try_into().unwrap()
}
