//! Generators (draft §4.1.1): `Q_1, H_1, ..., H_L` hashed from an api_id, derived once per process and
//! shared between threads.
//!
//! The draft lets implementations cache generators and extend a cached list from its last `v` (§4.1.1).
//! The list for an api_id is a prefix-stable sequence: the first n points do not depend on how many are
//! asked for. So one list per (suite, api_id) serves every message count: it grows when a longer one is
//! needed, and every generator is hashed to the curve exactly once. Next to the points it keeps their
//! compressed encodings (hashed into every domain) and the fixed-base window table over
//! `P1, Q_1, H_1, ...` that the public-data MSMs use.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use crate::ciphersuite::Suite;
use crate::curve::{self, CtTable, FixedBaseTable, Fr, G1, G1_BYTES, G1Affine};
use crate::error::{Error, Result};
use crate::hash::{EXPAND_LEN, MAX_DST_LEN};

/// Longest suffix the draft appends to an api_id to form a tag: "MAP_MSG_TO_SCALAR_AS_HASH_" (§4.1.2).
pub(crate) const LONGEST_DST_SUFFIX: usize = 26;

/// Generators beyond this many get no fixed-base table rows (12 KiB each); MSMs over them use
/// Pippenger instead. Certificates sign tens of attributes, so this bounds memory against a hostile
/// proof that claims thousands of messages, not a real workload.
const TABLE_LIMIT: usize = 256;

/// The generators of one api_id, as many as have been asked for so far.
#[derive(Debug)]
pub(crate) struct Generators {
    /// `Q_1, H_1, ..., H_n`.
    points: Vec<G1Affine>,
    /// `point_to_octets_E1` of each point, for the domain hash.
    encoded: Vec<[u8; G1_BYTES]>,
    /// Window rows for `P1, Q_1, H_1, ...` (up to [`TABLE_LIMIT`]).
    table: FixedBaseTable,
    /// Constant-time lookup tables for `Q_1, H_1, ...` (up to [`TABLE_LIMIT`]).
    ct: Vec<CtTable>,
    /// The last `v` of the derivation, to extend the list.
    v: [u8; EXPAND_LEN],
}

impl Generators {
    /// Encodings of `Q_1, H_1, ..., H_L`.
    pub(crate) fn encoded(&self, l: usize) -> &[[u8; G1_BYTES]] {
        &self.encoded[..=l]
    }

    /// `P1 * s_0 + Q_1 * s_1 + H_1 * s_2 + ...` over the first `scalars.len()` of `P1, Q_1, H_1, ...`;
    /// variable time, for public scalars only.
    pub(crate) fn msm_vartime(&self, p1: &G1Affine, scalars: &[Fr]) -> G1 {
        let tabled = scalars.len().min(self.table.len());
        let mut acc = self.table.msm_vartime(&scalars[..tabled]);
        if scalars.len() > tabled {
            // Index 0 of the scalars is P1, so generator i of the list is scalar i + 1.
            let rest_points: Vec<G1Affine> = core::iter::once(*p1)
                .chain(self.points.iter().copied())
                .skip(tabled)
                .take(scalars.len() - tabled)
                .collect();
            acc = acc.add(&curve::msm_vartime(&rest_points, &scalars[tabled..]));
        }
        acc
    }

    /// `Σ H_(i+1) * k` over `(i, k)` in `messages` (0-based message indexes, each below the list's L)
    /// plus `Σ P * k` over `extra`, in constant time: one Straus pass with shared doublings.
    pub(crate) fn msm_h_constant_time(&self, messages: &[(usize, Fr)], extra: &[(&CtTable, Fr)]) -> G1 {
        // Generators past the cached tables get theirs built for this call.
        let missing: Vec<G1> = messages
            .iter()
            .filter(|(i, _)| i + 1 >= self.ct.len())
            .map(|(i, _)| self.points[i + 1].to_projective())
            .collect();
        let built = CtTable::build(&missing);
        let mut built = built.iter();
        // Each missing index got one built table, in order, so `or_else` pairs them back up.
        let mut terms: Vec<(&CtTable, Fr)> = messages
            .iter()
            .filter_map(|(i, k)| {
                self.ct
                    .get(i + 1)
                    .or_else(|| built.next())
                    .map(|table| (table, *k))
            })
            .collect();
        terms.extend(extra.iter().map(|(t, k)| (*t, *k)));
        curve::msm(&terms)
    }

    fn len(&self) -> usize {
        self.points.len()
    }
}

type Cache = RwLock<HashMap<(Suite, Vec<u8>), Arc<Generators>>>;

static CACHE: LazyLock<Cache> = LazyLock::new(|| RwLock::new(HashMap::new()));

/// `create_generators(count, api_id)` (§4.1.1), from the process-wide cache.
pub(crate) fn get(suite: Suite, api_id: &[u8], count: usize) -> Result<Arc<Generators>> {
    if api_id.len() + LONGEST_DST_SUFFIX > MAX_DST_LEN {
        return Err(Error::ApiIdTooLong);
    }
    let key = (suite, api_id.to_vec());
    {
        // A panic elsewhere while holding the lock cannot leave a half-written entry (entries are
        // replaced whole), so a poisoned lock is still safe to read.
        let cache = CACHE.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = cache.get(&key).filter(|g| g.len() >= count) {
            return Ok(Arc::clone(found));
        }
    }
    let mut cache = CACHE.write().unwrap_or_else(PoisonError::into_inner);
    let existing = cache.get(&key).cloned();
    if let Some(found) = existing.as_ref().filter(|g| g.len() >= count) {
        return Ok(Arc::clone(found));
    }
    let extended = Arc::new(extend(suite, api_id, existing.as_deref(), count.max(1))?);
    cache.insert(key, Arc::clone(&extended));
    Ok(extended)
}

/// A list of `count` generators: `existing` (if any) extended from its saved `v`.
fn extend(suite: Suite, api_id: &[u8], existing: Option<&Generators>, count: usize) -> Result<Generators> {
    let seed_dst = [api_id, b"SIG_GENERATOR_SEED_"].concat();
    let generator_dst = [api_id, b"SIG_GENERATOR_DST_"].concat();
    let generator_seed = [api_id, b"MESSAGE_GENERATOR_SEED"].concat();
    let (mut points, mut encoded, mut table, mut ct, start) = match existing {
        Some(g) => (
            g.points.clone(),
            g.encoded.clone(),
            g.table.clone(),
            g.ct.clone(),
            Some((g.v, g.points.len())),
        ),
        None => (Vec::new(), Vec::new(), FixedBaseTable::new(), Vec::new(), None),
    };
    let (new_points, v) = match start {
        Some((v, done)) => derive_from(suite, v, done, &seed_dst, &generator_dst, count - done)?,
        None => derive(suite, &generator_seed, &seed_dst, &generator_dst, count)?,
    };
    if table.len() == 0 {
        table.extend(&[*suite.p1()]);
    }
    let table_room = TABLE_LIMIT.saturating_sub(table.len());
    table.extend(&new_points[..new_points.len().min(table_room)]);
    let ct_room = TABLE_LIMIT.saturating_sub(ct.len()).min(new_points.len());
    let projective: Vec<G1> = new_points[..ct_room]
        .iter()
        .map(G1Affine::to_projective)
        .collect();
    ct.extend(CtTable::build(&projective));
    encoded.extend(new_points.iter().map(G1Affine::to_compressed));
    points.extend(new_points);
    Ok(Generators {
        points,
        encoded,
        table,
        ct,
        v,
    })
}

/// The draft's procedure for `count` generators from the seed: returns them and the last `v`.
pub(crate) fn derive(
    suite: Suite,
    generator_seed: &[u8],
    seed_dst: &[u8],
    generator_dst: &[u8],
    count: usize,
) -> Result<(Vec<G1Affine>, [u8; EXPAND_LEN])> {
    // 1. v = expand_message(generator_seed, seed_dst, expand_len)
    let mut v = [0u8; EXPAND_LEN];
    suite.expand_message(&[generator_seed], seed_dst, &mut v)?;
    derive_from(suite, v, 0, seed_dst, generator_dst, count)
}

/// Steps 2-5 of §4.1.1 continued from generator number `done`, whose `v` is given.
fn derive_from(
    suite: Suite,
    mut v: [u8; EXPAND_LEN],
    done: usize,
    seed_dst: &[u8],
    generator_dst: &[u8],
    count: usize,
) -> Result<(Vec<G1Affine>, [u8; EXPAND_LEN])> {
    let mut points = Vec::with_capacity(count);
    for i in done + 1..=done + count {
        // 3. v = expand_message(v || I2OSP(i, 8), seed_dst, expand_len)
        let previous = v;
        suite.expand_message(&[&previous, &(i as u64).to_be_bytes()], seed_dst, &mut v)?;
        // 4. generator_i = hash_to_curve_g1(v, generator_dst)
        points.push(suite.hash_to_curve_g1(&[&v], generator_dst)?);
    }
    Ok((G1::batch_to_affine(&points), v))
}
