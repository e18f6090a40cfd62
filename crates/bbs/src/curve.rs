//! The curve backend: BLS12-381 scalars, G1 and G2 points and the pairing check, on `blst`.
//!
//! This is the one module that touches blst, so that the backend can be swapped (a pure-Rust one on
//! zkcrypto's `bls12_381` is the obvious candidate) without the BBS algorithms noticing. It is also the
//! one place in the workspace with `unsafe`: every `unsafe` block is a call into blst's C API on values
//! that are initialised, correctly sized and live for the call, which is all blst asks of its callers.
//!
//! # Constant time
//!
//! Everything here is constant time in its secret inputs unless its name ends in `_vartime`:
//!
//! * [`Fr`] arithmetic is blst's (Montgomery form, constant time; the inverse is blst's constant-time
//!   `ct_inverse_mod_256`, not the Euclidean one).
//! * [`G1::mul`] is blst's GLV scalar multiplication with constant-time table lookups.
//! * [`msm`] is a Straus-Shamir multi-scalar multiplication written here: signed 5-bit windows,
//!   recoded without branches, a table lookup that reads every entry and blst's complete (constant
//!   time) point additions. It is what ProofGen and Sign use for every sum that involves a secret:
//!   hidden messages, blinding scalars, `e`.
//! * The `_vartime` functions (blst's Pippenger and fixed-base window MSMs, the pairing check, decoding)
//!   run on public data only: signatures, proofs, public keys, disclosed messages, generators.

#![allow(unsafe_code, reason = "the blst FFI boundary; see the module docs")]
#![allow(
    clippy::wrong_self_convention,
    reason = "points are 96 to 288 bytes: conversions borrow them"
)]

use core::fmt;
use core::ptr;

use blst::{
    BLST_ERROR, blst_bendian_from_scalar, blst_final_exp, blst_fp, blst_fp_add, blst_fp_cneg,
    blst_fp_from_bendian, blst_fp_mul, blst_fp12, blst_fp12_is_one, blst_fr, blst_fr_add,
    blst_fr_from_scalar, blst_fr_from_uint64, blst_fr_inverse, blst_fr_mul, blst_fr_sub, blst_map_to_g1,
    blst_miller_loop_n, blst_p1, blst_p1_add_or_double, blst_p1_add_or_double_affine, blst_p1_affine,
    blst_p1_affine_compress, blst_p1_affine_in_g1, blst_p1_affine_is_inf, blst_p1_double,
    blst_p1_from_affine, blst_p1_is_inf, blst_p1_mult, blst_p1_to_affine, blst_p1_uncompress,
    blst_p1s_mult_pippenger, blst_p1s_mult_pippenger_scratch_sizeof, blst_p1s_mult_wbits,
    blst_p1s_mult_wbits_precompute, blst_p1s_mult_wbits_precompute_sizeof,
    blst_p1s_mult_wbits_scratch_sizeof, blst_p1s_to_affine, blst_p2, blst_p2_affine, blst_p2_affine_compress,
    blst_p2_affine_generator, blst_p2_affine_in_g2, blst_p2_affine_is_inf, blst_p2_to_affine,
    blst_p2_uncompress, blst_scalar, blst_scalar_fr_check, blst_scalar_from_be_bytes,
    blst_scalar_from_bendian, blst_scalar_from_fr, blst_sk_to_pk_in_g2,
};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

/// Bits in the group order r; every scalar is below 2^255.
const SCALAR_BITS: usize = 255;

/// Compressed size of a G1 point.
pub(crate) const G1_BYTES: usize = 48;
/// Compressed size of a G2 point.
pub(crate) const G2_BYTES: usize = 96;
/// Size of a scalar.
pub(crate) const SCALAR_BYTES: usize = 32;

// ---------------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------------

/// An element of the scalar field F_r, in blst's Montgomery form.
///
/// `Copy` for the arithmetic; the containers that hold secret scalars (keys, blinding scalars, hidden
/// messages) zeroize them on drop.
#[derive(Clone, Copy, Default)]
pub(crate) struct Fr(blst_fr);

impl fmt::Debug for Fr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Scalars are often secret; never print one.
        f.write_str("Fr(..)")
    }
}

impl Zeroize for Fr {
    fn zeroize(&mut self) {
        self.0.l.zeroize();
    }
}

impl ConstantTimeEq for Fr {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.l.ct_eq(&other.0.l)
    }
}

impl Fr {
    pub(crate) const ZERO: Fr = Fr(blst_fr { l: [0; 4] });

    /// The integer `v` as a scalar.
    pub(crate) fn from_u64(v: u64) -> Fr {
        let limbs = [v, 0, 0, 0];
        let mut out = blst_fr::default();
        unsafe { blst_fr_from_uint64(&mut out, limbs.as_ptr()) };
        Fr(out)
    }

    /// `OS2IP(bytes) mod r` for a big-endian string of any length (hash_to_scalar's reduction).
    pub(crate) fn from_be_bytes_wide(bytes: &[u8]) -> Fr {
        let mut scalar = blst_scalar::default();
        // The returned flag only says whether the result is non-zero; zero is a valid outcome here.
        unsafe { blst_scalar_from_be_bytes(&mut scalar, bytes.as_ptr(), bytes.len()) };
        let mut out = blst_fr::default();
        unsafe { blst_fr_from_scalar(&mut out, &scalar) };
        Fr(out)
    }

    /// Decodes 32 big-endian bytes, refusing an integer that is not below r.
    pub(crate) fn from_be_bytes_canonical(bytes: &[u8; SCALAR_BYTES]) -> Option<Fr> {
        let mut scalar = blst_scalar::default();
        unsafe { blst_scalar_from_bendian(&mut scalar, bytes.as_ptr()) };
        if !unsafe { blst_scalar_fr_check(&scalar) } {
            return None;
        }
        let mut out = blst_fr::default();
        unsafe { blst_fr_from_scalar(&mut out, &scalar) };
        Some(Fr(out))
    }

    /// `I2OSP(self, 32)`.
    pub(crate) fn to_be_bytes(&self) -> [u8; SCALAR_BYTES] {
        let scalar = self.to_blst_scalar();
        let mut out = [0u8; SCALAR_BYTES];
        unsafe { blst_bendian_from_scalar(out.as_mut_ptr(), &scalar) };
        out
    }

    /// The canonical integer as blst's little-endian byte string (zeroized when dropped).
    fn to_blst_scalar(self) -> blst_scalar {
        let mut scalar = blst_scalar::default();
        unsafe { blst_scalar_from_fr(&mut scalar, &self.0) };
        scalar
    }

    /// The canonical integer as 64-bit little-endian limbs.
    fn to_limbs(self) -> [u64; 4] {
        let scalar = self.to_blst_scalar();
        let mut limbs = [0u64; 4];
        for (limb, chunk) in limbs.iter_mut().zip(scalar.b.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *limb = u64::from_le_bytes(word);
            word.zeroize();
        }
        limbs
    }

    pub(crate) fn is_zero(&self) -> Choice {
        self.ct_eq(&Fr::ZERO)
    }

    pub(crate) fn add(&self, rhs: &Fr) -> Fr {
        let mut out = blst_fr::default();
        unsafe { blst_fr_add(&mut out, &self.0, &rhs.0) };
        Fr(out)
    }

    pub(crate) fn sub(&self, rhs: &Fr) -> Fr {
        let mut out = blst_fr::default();
        unsafe { blst_fr_sub(&mut out, &self.0, &rhs.0) };
        Fr(out)
    }

    pub(crate) fn mul(&self, rhs: &Fr) -> Fr {
        let mut out = blst_fr::default();
        unsafe { blst_fr_mul(&mut out, &self.0, &rhs.0) };
        Fr(out)
    }

    pub(crate) fn neg(&self) -> Fr {
        Fr::ZERO.sub(self)
    }

    /// The multiplicative inverse, in constant time; zero maps to zero.
    pub(crate) fn invert(&self) -> Fr {
        let mut out = blst_fr::default();
        unsafe { blst_fr_inverse(&mut out, &self.0) };
        Fr(out)
    }
}

// ---------------------------------------------------------------------------------------------------
// G1
// ---------------------------------------------------------------------------------------------------

/// A point of G1 in blst's Jacobian coordinates.
#[derive(Clone, Copy, Default)]
pub(crate) struct G1(blst_p1);

/// A point of G1 in affine coordinates; blst writes the identity as (0, 0).
#[derive(Clone, Copy, Default)]
pub(crate) struct G1Affine(blst_p1_affine);

impl fmt::Debug for G1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A point such as B or Abar can identify a signature; print nothing of it.
        f.write_str("G1(..)")
    }
}

impl fmt::Debug for G1Affine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("G1Affine(..)")
    }
}

impl Zeroize for G1Affine {
    fn zeroize(&mut self) {
        self.0.x.l.zeroize();
        self.0.y.l.zeroize();
    }
}

impl G1Affine {
    /// `octets_to_point_E1` (draft Appendix B.2.2) followed by the subgroup check; the identity is
    /// refused, as every BBS decoding requires (§4.2.4.3, §4.2.4.5).
    pub(crate) fn from_compressed_vartime(bytes: &[u8; G1_BYTES]) -> Option<G1Affine> {
        // Only compressed, non-identity encodings are valid here: C_bit set, I_bit clear (0x80 or 0xA0).
        if bytes[0] & 0xc0 != 0x80 {
            return None;
        }
        let mut point = blst_p1_affine::default();
        if unsafe { blst_p1_uncompress(&mut point, bytes.as_ptr()) } != BLST_ERROR::BLST_SUCCESS {
            return None;
        }
        if unsafe { blst_p1_affine_is_inf(&point) } || !unsafe { blst_p1_affine_in_g1(&point) } {
            return None;
        }
        Some(G1Affine(point))
    }

    /// `point_to_octets_E1` (draft Appendix B.2.1).
    pub(crate) fn to_compressed(&self) -> [u8; G1_BYTES] {
        let mut out = [0u8; G1_BYTES];
        unsafe { blst_p1_affine_compress(out.as_mut_ptr(), &self.0) };
        out
    }

    pub(crate) fn to_projective(&self) -> G1 {
        let mut out = blst_p1::default();
        unsafe { blst_p1_from_affine(&mut out, &self.0) };
        G1(out)
    }
}

impl G1 {
    pub(crate) fn identity() -> G1 {
        G1(blst_p1::default())
    }

    pub(crate) fn is_identity(&self) -> bool {
        unsafe { blst_p1_is_inf(&self.0) }
    }

    pub(crate) fn to_affine(&self) -> G1Affine {
        let mut out = blst_p1_affine::default();
        unsafe { blst_p1_to_affine(&mut out, &self.0) };
        G1Affine(out)
    }

    /// Converts several points with one field inversion.
    pub(crate) fn batch_to_affine(points: &[G1]) -> Vec<G1Affine> {
        let mut out = vec![G1Affine::default(); points.len()];
        if !points.is_empty() {
            // A null second pointer tells blst the points are one contiguous array.
            let inputs: [*const blst_p1; 2] = [points.as_ptr().cast(), ptr::null()];
            unsafe { blst_p1s_to_affine(out.as_mut_ptr().cast(), inputs.as_ptr(), points.len()) };
        }
        out
    }

    /// Point addition, complete and constant time.
    pub(crate) fn add(&self, rhs: &G1) -> G1 {
        let mut out = blst_p1::default();
        unsafe { blst_p1_add_or_double(&mut out, &self.0, &rhs.0) };
        G1(out)
    }

    /// `self * k` in constant time (blst's GLV multiplication).
    pub(crate) fn mul(&self, k: &Fr) -> G1 {
        let scalar = k.to_blst_scalar();
        let mut out = blst_p1::default();
        unsafe { blst_p1_mult(&mut out, &self.0, scalar.b.as_ptr(), SCALAR_BITS) };
        G1(out)
    }

    /// `hash_to_curve`'s second half for G1 (RFC 9380 §3): maps the 128 uniform bytes of
    /// `expand_message(msg, dst, 128)` to two field elements (§5.2: L = 64 bytes each), maps each with
    /// the simplified SWU map and the 11-isogeny, adds them and clears the cofactor.
    pub(crate) fn map_uniform_bytes(uniform_bytes: &[u8; 128]) -> G1 {
        let (u0, u1) = uniform_bytes.split_at(64);
        let (u0, u1) = (fp_from_be_bytes_64(u0), fp_from_be_bytes_64(u1));
        let mut out = blst_p1::default();
        unsafe { blst_map_to_g1(&mut out, &u0, &u1) };
        G1(out)
    }
}

/// `OS2IP(bytes) mod p` for 64 big-endian bytes: hi * 2^256 + lo, with hi and lo both below p.
fn fp_from_be_bytes_64(bytes: &[u8]) -> blst_fp {
    let fp_from_32 = |half: &[u8]| {
        let mut padded = [0u8; G1_BYTES];
        padded[G1_BYTES - 32..].copy_from_slice(half);
        let mut out = blst_fp::default();
        unsafe { blst_fp_from_bendian(&mut out, padded.as_ptr()) };
        out
    };
    let mut two_to_256 = [0u8; G1_BYTES];
    two_to_256[G1_BYTES - 33] = 1;
    let two_to_256 = {
        let mut out = blst_fp::default();
        unsafe { blst_fp_from_bendian(&mut out, two_to_256.as_ptr()) };
        out
    };
    let (hi, lo) = (fp_from_32(&bytes[..32]), fp_from_32(&bytes[32..64]));
    let mut out = blst_fp::default();
    unsafe {
        blst_fp_mul(&mut out, &hi, &two_to_256);
        blst_fp_add(&mut out, &out, &lo);
    }
    out
}

// ---------------------------------------------------------------------------------------------------
// G2 and the pairing
// ---------------------------------------------------------------------------------------------------

/// A point of G2 in affine coordinates.
#[derive(Clone, Copy, Default)]
pub(crate) struct G2Affine(blst_p2_affine);

impl fmt::Debug for G2Affine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("G2Affine(..)")
    }
}

impl G2Affine {
    /// `BP2`, the base point of G2.
    pub(crate) fn generator() -> G2Affine {
        G2Affine(unsafe { *blst_p2_affine_generator() })
    }

    /// `SK * BP2` in constant time.
    pub(crate) fn generator_mul(sk: &Fr) -> G2Affine {
        let scalar = sk.to_blst_scalar();
        let mut point = blst_p2::default();
        let mut out = blst_p2_affine::default();
        unsafe {
            blst_sk_to_pk_in_g2(&mut point, &scalar);
            blst_p2_to_affine(&mut out, &point);
        }
        G2Affine(out)
    }

    /// `octets_to_point_E2` followed by the subgroup check; the identity is refused (draft §4.2.4.6).
    pub(crate) fn from_compressed_vartime(bytes: &[u8; G2_BYTES]) -> Option<G2Affine> {
        if bytes[0] & 0xc0 != 0x80 {
            return None;
        }
        let mut point = blst_p2_affine::default();
        if unsafe { blst_p2_uncompress(&mut point, bytes.as_ptr()) } != BLST_ERROR::BLST_SUCCESS {
            return None;
        }
        if unsafe { blst_p2_affine_is_inf(&point) } || !unsafe { blst_p2_affine_in_g2(&point) } {
            return None;
        }
        Some(G2Affine(point))
    }

    /// `point_to_octets_E2` (draft Appendix B.2.1).
    pub(crate) fn to_compressed(&self) -> [u8; G2_BYTES] {
        let mut out = [0u8; G2_BYTES];
        unsafe { blst_p2_affine_compress(out.as_mut_ptr(), &self.0) };
        out
    }

    pub(crate) fn neg(&self) -> G2Affine {
        let mut out = *self;
        let y = out.0.y;
        unsafe {
            blst_fp_cneg(&mut out.0.y.fp[0], &y.fp[0], true);
            blst_fp_cneg(&mut out.0.y.fp[1], &y.fp[1], true);
        }
        out
    }
}

/// Whether `h(P_1, Q_1) * h(P_2, Q_2)` is the identity of GT: one 2-pair multi-Miller loop and a single
/// final exponentiation. The G1 points must not be the identity (callers check; the decoders refuse it).
pub(crate) fn pairing_product_is_one_vartime(pairs: [(&G1Affine, &G2Affine); 2]) -> bool {
    let ps: [*const blst_p1_affine; 2] = [&pairs[0].0.0, &pairs[1].0.0];
    let qs: [*const blst_p2_affine; 2] = [&pairs[0].1.0, &pairs[1].1.0];
    let mut miller = blst_fp12::default();
    let mut gt = blst_fp12::default();
    unsafe {
        blst_miller_loop_n(&mut miller, qs.as_ptr(), ps.as_ptr(), 2);
        blst_final_exp(&mut gt, &miller);
        blst_fp12_is_one(&gt)
    }
}

// ---------------------------------------------------------------------------------------------------
// Multi-scalar multiplication on public data
// ---------------------------------------------------------------------------------------------------

/// Little-endian scalar bytes, contiguous, as blst's MSMs read them.
fn scalars_le(scalars: &[Fr]) -> Vec<[u8; SCALAR_BYTES]> {
    scalars.iter().map(|s| s.to_blst_scalar().b).collect()
}

/// Σ scalars[i] * points[i] with blst's Pippenger; variable time, for public points and scalars only.
pub(crate) fn msm_vartime(points: &[G1Affine], scalars: &[Fr]) -> G1 {
    let n = points.len().min(scalars.len());
    if n == 0 {
        return G1::identity();
    }
    let bytes = scalars_le(&scalars[..n]);
    let point_ptrs: [*const blst_p1_affine; 2] = [points.as_ptr().cast(), ptr::null()];
    let scalar_ptrs: [*const u8; 2] = [bytes.as_ptr().cast(), ptr::null()];
    let scratch_len = unsafe { blst_p1s_mult_pippenger_scratch_sizeof(n) };
    let mut scratch = vec![0u64; scratch_len.div_ceil(8)];
    let mut out = blst_p1::default();
    unsafe {
        blst_p1s_mult_pippenger(
            &mut out,
            point_ptrs.as_ptr(),
            n,
            scalar_ptrs.as_ptr(),
            SCALAR_BITS,
            scratch.as_mut_ptr(),
        )
    };
    G1(out)
}

/// Precomputed window tables for a growing list of fixed points (P1 and the generators), for blst's
/// fixed-base MSM: each point gets its own row of 2^(wbits-1) multiples, rows in point order, so the
/// first n rows serve any MSM over the first n points.
#[derive(Clone)]
pub(crate) struct FixedBaseTable {
    rows: Vec<blst_p1_affine>,
    points: usize,
}

impl fmt::Debug for FixedBaseTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedBaseTable")
            .field("points", &self.points)
            .finish_non_exhaustive()
    }
}

impl FixedBaseTable {
    /// Window width. 8 bits: a 12 KiB row per generator, 32 windows of additions and no table misses
    /// worth counting at the message counts certificates use (see the crate README for the figures).
    pub(crate) const WBITS: usize = 8;
    const ROW: usize = 1 << (Self::WBITS - 1);

    pub(crate) fn new() -> FixedBaseTable {
        FixedBaseTable {
            rows: Vec::new(),
            points: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.points
    }

    /// Appends the rows of `points`.
    pub(crate) fn extend(&mut self, points: &[G1Affine]) {
        if points.is_empty() {
            return;
        }
        let size = unsafe { blst_p1s_mult_wbits_precompute_sizeof(Self::WBITS, points.len()) };
        let entries = size / core::mem::size_of::<blst_p1_affine>();
        debug_assert_eq!(entries, points.len() * Self::ROW);
        let mut rows = vec![blst_p1_affine::default(); entries];
        let point_ptrs: [*const blst_p1_affine; 2] = [points.as_ptr().cast(), ptr::null()];
        unsafe {
            blst_p1s_mult_wbits_precompute(rows.as_mut_ptr(), Self::WBITS, point_ptrs.as_ptr(), points.len())
        };
        self.rows.extend_from_slice(&rows);
        self.points += points.len();
    }

    /// Σ scalars[i] * point_(first + i) over the points from `first` on (as many as there are scalars
    /// and rows); variable time, public data only.
    pub(crate) fn msm_vartime(&self, first: usize, scalars: &[Fr]) -> G1 {
        let n = scalars.len().min(self.points.saturating_sub(first));
        if n == 0 {
            return G1::identity();
        }
        // Rows are point-major, so the rows of points first.. are a suffix of the table.
        let rows = &self.rows[first * Self::ROW..];
        let bytes = scalars_le(&scalars[..n]);
        let scalar_ptrs: [*const u8; 2] = [bytes.as_ptr().cast(), ptr::null()];
        let scratch_len = unsafe { blst_p1s_mult_wbits_scratch_sizeof(n) };
        let mut scratch = vec![0u64; scratch_len.div_ceil(8)];
        let mut out = blst_p1::default();
        unsafe {
            blst_p1s_mult_wbits(
                &mut out,
                rows.as_ptr(),
                Self::WBITS,
                n,
                scalar_ptrs.as_ptr(),
                SCALAR_BITS,
                scratch.as_mut_ptr(),
            )
        };
        G1(out)
    }
}

// ---------------------------------------------------------------------------------------------------
// Constant-time multi-scalar multiplication for secrets
// ---------------------------------------------------------------------------------------------------

/// Window width of the constant-time MSM: signed digits in [-16, 16], so 16 table entries a point.
const CT_WINDOW: usize = 5;
/// ceil((255 + 1) / 5): the signed recoding needs one bit of headroom for the final carry.
const CT_DIGITS: usize = (SCALAR_BITS + 1).div_ceil(CT_WINDOW);
const CT_TABLE: usize = 1 << (CT_WINDOW - 1);

/// The multiples 1P, 2P, ..., 16P of one point, affine, for the constant-time MSM.
#[derive(Clone)]
pub(crate) struct CtTable([blst_p1_affine; CT_TABLE]);

impl fmt::Debug for CtTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CtTable(..)")
    }
}

impl Zeroize for CtTable {
    fn zeroize(&mut self) {
        for entry in self.0.iter_mut() {
            entry.x.l.zeroize();
            entry.y.l.zeroize();
        }
    }
}

impl CtTable {
    /// Tables for several points at once (one batched inversion for all of them), in constant time.
    pub(crate) fn build(points: &[G1]) -> Vec<CtTable> {
        let mut multiples = Vec::with_capacity(points.len() * CT_TABLE);
        for p in points {
            let mut acc = *p;
            multiples.push(acc);
            for _ in 1..CT_TABLE {
                acc = acc.add(p);
                multiples.push(acc);
            }
        }
        let affine = G1::batch_to_affine(&multiples);
        for m in multiples.iter_mut() {
            m.0.x.l.zeroize();
            m.0.y.l.zeroize();
            m.0.z.l.zeroize();
        }
        affine
            .chunks_exact(CT_TABLE)
            .map(|chunk| {
                let mut table = [blst_p1_affine::default(); CT_TABLE];
                for (slot, point) in table.iter_mut().zip(chunk) {
                    *slot = point.0;
                }
                CtTable(table)
            })
            .collect()
    }

    /// `digit * P` for a signed digit in [-16, 16], reading every entry (no secret-dependent access).
    fn select(&self, digit: i8) -> blst_p1_affine {
        let d = i32::from(digit);
        let negative = (d >> 31) & 1;
        let magnitude = ((d ^ -negative) + negative) as u32;
        // (0, 0) is blst's affine identity: the result for a zero digit.
        let mut out = blst_p1_affine::default();
        for (k, entry) in self.0.iter().enumerate() {
            let hit = (k as u32 + 1).ct_eq(&magnitude);
            for (o, e) in out.x.l.iter_mut().zip(entry.x.l.iter()) {
                o.conditional_assign(e, hit);
            }
            for (o, e) in out.y.l.iter_mut().zip(entry.y.l.iter()) {
                o.conditional_assign(e, hit);
            }
        }
        let y = out.y;
        // blst's conditional negation is constant time and leaves zero (the identity) alone.
        unsafe { blst_fp_cneg(&mut out.y, &y, negative == 1) };
        out
    }
}

/// Signed base-32 digits d_i in [-16, 15] with k = Σ d_i 2^(5i), computed without branches.
fn recode_signed(k: &Fr) -> [i8; CT_DIGITS] {
    let mut limbs = k.to_limbs();
    let mut digits = [0i8; CT_DIGITS];
    let mut carry = 0u64;
    for (i, digit) in digits.iter_mut().enumerate() {
        let bit = i * CT_WINDOW;
        let (limb, shift) = (bit / 64, bit % 64);
        let mut window = limbs.get(limb).copied().unwrap_or(0) >> shift;
        if shift + CT_WINDOW > 64 {
            // Public indices, so this branch depends only on i.
            window |= limbs.get(limb + 1).copied().unwrap_or(0) << (64 - shift);
        }
        let w = (window & 0x1f) + carry;
        carry = (w + 16) >> CT_WINDOW;
        *digit = (w as i64 - ((carry << CT_WINDOW) as i64)) as i8;
    }
    limbs.zeroize();
    digits
}

/// Σ k_i * P_i in constant time in both the scalars and the points (Straus-Shamir with shared
/// doublings over the tables built by [`CtTable::build`]).
pub(crate) fn msm(terms: &[(&CtTable, Fr)]) -> G1 {
    let mut digits: Vec<[i8; CT_DIGITS]> = terms.iter().map(|(_, k)| recode_signed(k)).collect();
    let mut acc = blst_p1::default();
    for window in (0..CT_DIGITS).rev() {
        if window != CT_DIGITS - 1 {
            for _ in 0..CT_WINDOW {
                let current = acc;
                unsafe { blst_p1_double(&mut acc, &current) };
            }
        }
        for ((table, _), digits) in terms.iter().zip(digits.iter()) {
            let mut entry = table.select(digits[window]);
            let current = acc;
            unsafe { blst_p1_add_or_double_affine(&mut acc, &current, &entry) };
            entry.x.l.zeroize();
            entry.y.l.zeroize();
        }
    }
    for d in digits.iter_mut() {
        d.zeroize();
    }
    G1(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(i: u64) -> Fr {
        // Full-width scalars, not small integers, so every window is exercised.
        Fr::from_be_bytes_wide(
            &[
                i.to_be_bytes(),
                (i * 7 + 3).to_be_bytes(),
                [0xa5; 8],
                [0x5a; 8],
                [1; 8],
                [2; 8],
            ]
            .concat(),
        )
    }

    fn point(i: u64) -> G1 {
        let mut bytes = [0u8; 128];
        bytes[..8].copy_from_slice(&i.to_be_bytes());
        G1::map_uniform_bytes(&bytes)
    }

    fn naive(points: &[G1], scalars: &[Fr]) -> G1 {
        points
            .iter()
            .zip(scalars)
            .fold(G1::identity(), |acc, (p, k)| acc.add(&p.mul(k)))
    }

    fn same(a: &G1, b: &G1) -> bool {
        a.to_affine().to_compressed() == b.to_affine().to_compressed()
    }

    #[test]
    fn recoding_reconstructs_the_scalar() {
        for i in 0..50 {
            let k = scalar(i);
            let digits = recode_signed(&k);
            let thirty_two = Fr::from_u64(32);
            let mut acc = Fr::ZERO;
            for d in digits.iter().rev() {
                acc = acc.mul(&thirty_two);
                let term = Fr::from_u64(u64::from(d.unsigned_abs()));
                acc = if *d < 0 { acc.sub(&term) } else { acc.add(&term) };
            }
            assert!(bool::from(acc.ct_eq(&k)));
            assert!(digits.iter().all(|d| (-16..=16).contains(d)));
        }
    }

    #[test]
    fn constant_time_msm_matches_the_naive_sum() {
        for n in [1usize, 2, 5, 11] {
            let points: Vec<G1> = (0..n as u64).map(point).collect();
            let mut scalars: Vec<Fr> = (0..n as u64).map(|i| scalar(i + 100)).collect();
            scalars[0] = Fr::ZERO; // a zero scalar must contribute the identity
            let tables = CtTable::build(&points);
            let terms: Vec<(&CtTable, Fr)> = tables.iter().zip(scalars.iter().copied()).collect();
            assert!(same(&msm(&terms), &naive(&points, &scalars)));
        }
    }

    #[test]
    fn vartime_msms_match_the_naive_sum() {
        let points: Vec<G1> = (0..20u64).map(point).collect();
        let affine = G1::batch_to_affine(&points);
        let scalars: Vec<Fr> = (0..20u64).map(scalar).collect();
        let mut table = FixedBaseTable::new();
        table.extend(&affine[..7]);
        table.extend(&affine[7..]);
        for n in [0usize, 1, 3, 7, 8, 20] {
            let expected = naive(&points[..n], &scalars[..n]);
            assert!(same(&msm_vartime(&affine[..n], &scalars[..n]), &expected));
            assert!(same(&table.msm_vartime(0, &scalars[..n]), &expected));
            // From a later row on: the same sum over the points from there.
            if n > 3 {
                let tail = naive(&points[3..n], &scalars[..n - 3]);
                assert!(same(&table.msm_vartime(3, &scalars[..n - 3]), &tail));
            }
        }
    }

    #[test]
    fn scalar_decoding_is_canonical() {
        // r itself is not a canonical scalar; r - 1 is.
        let r = [
            0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
            0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
        ];
        assert!(Fr::from_be_bytes_canonical(&r).is_none());
        let mut r_minus_1 = r;
        r_minus_1[31] = 0;
        let k = Fr::from_be_bytes_canonical(&r_minus_1).unwrap();
        assert_eq!(k.add(&Fr::from_u64(1)).to_be_bytes(), [0u8; 32]);
        assert_eq!(Fr::from_be_bytes_wide(&r).to_be_bytes(), [0u8; 32]);
    }
}
