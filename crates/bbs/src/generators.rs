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
use std::sync::{Arc, LazyLock, OnceLock, PoisonError, RwLock};

use zeroize::Zeroize;

use crate::ciphersuite::Suite;
use crate::curve::{self, CtComb, CtTable, FixedBaseTable, Fr, G1, G1_BYTES, G1Affine};
use crate::error::{Error, Result};
use crate::hash::{EXPAND_LEN, MAX_DST_LEN};

/// Longest suffix the draft appends to an api_id to form a tag: "MAP_MSG_TO_SCALAR_AS_HASH_" (§4.1.2).
pub(crate) const LONGEST_DST_SUFFIX: usize = 26;

/// Generators beyond this many get no constant-time Straus table (1.5 KiB each) and none of their
/// comb table (6 KiB, built on first use); MSMs over them build tables for the call. Certificates sign
/// tens of attributes, so this bounds memory against a hostile proof that claims thousands of messages,
/// not a real workload.
const TABLE_LIMIT: usize = 256;

/// Points beyond this many (P1 counted) get no fixed-base comb table (24 KiB each, about 6 MiB per api_id
/// at the limit); public MSMs over them use Pippenger. 257 covers the 256 generators of a range proof
/// over 128 bits in all (four 32-bit or two 64-bit values).
const COMB_LIMIT: usize = 257;

/// The generators of one api_id, as many as have been asked for so far.
#[derive(Debug)]
pub(crate) struct Generators {
    /// `Q_1, H_1, ..., H_n`.
    points: Vec<G1Affine>,
    /// `point_to_octets_E1` of each point, for the domain hash.
    encoded: Vec<[u8; G1_BYTES]>,
    /// Comb tables for `P1, Q_1, H_1, ...` (up to [`COMB_LIMIT`]).
    table: FixedBaseTable,
    /// Constant-time lookup tables for `Q_1, H_1, ...` (up to [`TABLE_LIMIT`]).
    ct: Vec<CtTable>,
    /// Constant-time comb tables of `Q_1, H_1, ...`, built when first used (for the sums over
    /// generators alone: commitments, the nym entropy).
    comb: Vec<OnceLock<CtComb>>,
    /// The last `v` of the derivation, to extend the list.
    v: [u8; EXPAND_LEN],
}

impl Generators {
    /// `Σ s_i * point_(first + i)` where the points are numbered `P1 = 0, Q_1 = 1, H_1 = 2, ...`;
    /// variable time, for public scalars only. The list must hold the points asked for.
    fn msm_vartime_from(&self, p1: Option<&G1Affine>, first: usize, scalars: &[Fr]) -> G1 {
        let tabled = scalars.len().min(self.table.len().saturating_sub(first));
        let mut acc = self.table.msm_vartime(first, &scalars[..tabled]);
        if scalars.len() > tabled {
            // P1 is point 0 of the table's numbering; a sum from point 1 on never needs it.
            let rest_points: Vec<G1Affine> = p1
                .copied()
                .into_iter()
                .chain(self.points.iter().copied())
                .skip(first + tabled - usize::from(p1.is_none()))
                .take(scalars.len() - tabled)
                .collect();
            acc = acc.add(&curve::msm_vartime(&rest_points, &scalars[tabled..]));
        }
        acc
    }

    /// The constant-time table of list point `i` (`Q = 0, H_1 = 1, ...`), if it is cached.
    fn ct_table(&self, i: usize) -> Option<&CtTable> {
        self.ct.get(i)
    }

    fn len(&self) -> usize {
        self.points.len()
    }
}

/// The generators of one signature's messages: `Q_1` and `H_1, ..., H_L` of the interface's api_id, and
/// for the Blind BBS interfaces the blind generators `Q_2, J_1, ..., J_M` of `"BLIND_" || api_id`
/// after them (draft-irtf-cfrg-bbs-blind-signatures-02 §5.1, `prepare_parameters` steps 5-7: "generators
/// .append(blind_generators)"). Message `i` is signed under `H_(i+1)` for `i < L` and under the blind
/// list's point `i - L` otherwise (the prover blind under `Q_2`, committed message `j` under `J_(j+1)`).
#[derive(Debug, Clone)]
pub(crate) struct MessageGenerators {
    signer: Arc<Generators>,
    /// `L` and the blind list, for the blind interfaces.
    blind: Option<(usize, Arc<Generators>)>,
}

impl MessageGenerators {
    /// The generators of the core interfaces: `Q_1, H_1, ...` of one api_id.
    pub(crate) fn single(signer: Arc<Generators>) -> Self {
        MessageGenerators { signer, blind: None }
    }

    /// `Q_1, H_1..H_l` followed by the blind list `Q_2, J_1, ...`.
    pub(crate) fn with_blind(signer: Arc<Generators>, l: usize, blind: Arc<Generators>) -> Self {
        MessageGenerators {
            signer,
            blind: Some((l, blind)),
        }
    }

    /// `(list, index)` of message `i`'s generator, the index counted `Q = 0, H_1 = 1, ...` in its list.
    fn locate(&self, i: usize) -> (&Generators, usize) {
        match &self.blind {
            Some((l, blind)) if i >= *l => (blind, i - l),
            _ => (&self.signer, i + 1),
        }
    }

    /// Encodings of `Q_1` and the generators of the first `total` messages, for the domain hash.
    pub(crate) fn encoded(&self, total: usize) -> Vec<&[u8; G1_BYTES]> {
        let mut out = Vec::with_capacity(total + 1);
        out.push(&self.signer.encoded[0]);
        out.extend((0..total).map(|i| {
            let (list, index) = self.locate(i);
            &list.encoded[index]
        }));
        out
    }

    /// `P1 * s_0 + Q_1 * s_1 + Σ generator(i) * s_(i+2)`: variable time, for public scalars only.
    pub(crate) fn msm_vartime(&self, p1: &G1Affine, scalars: &[Fr]) -> G1 {
        match &self.blind {
            Some((l, blind)) if scalars.len() > l + 2 => {
                let (signer, rest) = scalars.split_at(l + 2);
                // In the blind list's own numbering P1 = 0 and Q_2 = 1.
                self.signer
                    .msm_vartime_from(Some(p1), 0, signer)
                    .add(&blind.msm_vartime_from(None, 1, rest))
            }
            _ => self.signer.msm_vartime_from(Some(p1), 0, scalars),
        }
    }

    /// `Σ generator(i) * k` over `(i, k)` in `messages` (0-based message indexes) plus `Σ P * k` over
    /// `extra`, in constant time: one Straus pass with shared doublings.
    pub(crate) fn msm_h_constant_time(&self, messages: &[(usize, Fr)], extra: &[(&CtTable, Fr)]) -> G1 {
        // Generators past the cached tables get theirs built for this call.
        let missing: Vec<G1> = messages
            .iter()
            .map(|(i, _)| self.locate(*i))
            .filter(|(list, index)| list.ct_table(*index).is_none())
            .map(|(list, index)| list.points[index].to_projective())
            .collect();
        let built = CtTable::build(&missing);
        let mut built = built.iter();
        // Each missing index got one built table, in order, so `or_else` pairs them back up.
        let mut terms: Vec<(&CtTable, Fr)> = messages
            .iter()
            .filter_map(|(i, k)| {
                let (list, index) = self.locate(*i);
                list.ct_table(index)
                    .or_else(|| built.next())
                    .map(|table| (table, *k))
            })
            .collect();
        terms.extend(extra.iter().map(|(t, k)| (*t, *k)));
        let sum = curve::msm(&terms);
        // The scratch holds copies of hidden messages and blinding scalars.
        terms.iter_mut().for_each(|(_, k)| k.zeroize());
        sum
    }

    /// The blind list (`Q_2, J_1, ...`), for the commitment proofs.
    pub(crate) fn blind_list(&self) -> Option<&Generators> {
        self.blind.as_ref().map(|(_, g)| g.as_ref())
    }
}

/// A list of generators used on its own, as the commitment proofs use the blind list `Q_2, J_1, ..`.
impl Generators {
    /// Point `i` of the list (`Q = 0, H_1 = 1, ...`).
    pub(crate) fn affine(&self, i: usize) -> G1Affine {
        self.points[i]
    }

    /// Encodings of the first `n` points (`Q, H_1, ...`).
    pub(crate) fn encoded_points(&self, n: usize) -> &[[u8; G1_BYTES]] {
        &self.encoded[..n]
    }

    /// `Σ point_i * s_i` over the first points (`Q, H_1, ...`); variable time, public data only.
    pub(crate) fn msm_points_vartime(&self, scalars: &[Fr]) -> G1 {
        self.msm_vartime_from(None, 1, scalars)
    }

    /// `Σ point_(first + i) * s_i` over points of the list (`Q = 0, H_1 = 1, ...`) in constant time
    /// in the scalars, on comb tables.
    pub(crate) fn msm_points_constant_time(&self, first: usize, scalars: &[Fr]) -> G1 {
        let mut terms: Vec<(&CtComb, Fr)> = scalars
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                let point = self.points.get(first + i)?;
                let table = self.comb.get(first + i)?.get_or_init(|| CtComb::build(point));
                Some((table, *k))
            })
            .collect();
        let sum = curve::comb_msm(&terms);
        terms.iter_mut().for_each(|(_, k)| k.zeroize());
        sum
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
    let table_room = COMB_LIMIT.saturating_sub(table.len());
    table.extend(&new_points[..new_points.len().min(table_room)]);
    let ct_room = TABLE_LIMIT.saturating_sub(ct.len()).min(new_points.len());
    let projective: Vec<G1> = new_points[..ct_room]
        .iter()
        .map(G1Affine::to_projective)
        .collect();
    ct.extend(CtTable::build(&projective));
    encoded.extend(new_points.iter().map(G1Affine::to_compressed));
    points.extend(new_points);
    let mut comb = existing.map(|g| g.comb.clone()).unwrap_or_default();
    comb.resize_with(points.len(), OnceLock::new);
    Ok(Generators {
        points,
        encoded,
        table,
        ct,
        comb,
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
