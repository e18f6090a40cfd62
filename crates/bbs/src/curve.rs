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
    blst_fp_from_bendian, blst_fp_inverse, blst_fp_mul, blst_fp_sqr, blst_fp_sub, blst_fp12,
    blst_fp12_is_one, blst_fr, blst_fr_add, blst_fr_from_scalar, blst_fr_from_uint64, blst_fr_inverse,
    blst_fr_mul, blst_fr_sub, blst_map_to_g1, blst_miller_loop_n, blst_p1, blst_p1_add_or_double,
    blst_p1_add_or_double_affine, blst_p1_affine, blst_p1_affine_compress, blst_p1_affine_in_g1,
    blst_p1_affine_is_inf, blst_p1_double, blst_p1_from_affine, blst_p1_is_inf, blst_p1_mult,
    blst_p1_to_affine, blst_p1_uncompress, blst_p1s_mult_pippenger, blst_p1s_mult_pippenger_scratch_sizeof,
    blst_p1s_to_affine, blst_p2, blst_p2_affine, blst_p2_affine_compress, blst_p2_affine_generator,
    blst_p2_affine_in_g2, blst_p2_affine_is_inf, blst_p2_to_affine, blst_p2_uncompress, blst_scalar,
    blst_scalar_fr_check, blst_scalar_from_be_bytes, blst_scalar_from_bendian, blst_scalar_from_fr,
    blst_sk_to_pk_in_g2,
};
use subtle::{Choice, ConstantTimeEq};
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
    pub(crate) fn to_limbs(self) -> [u64; 4] {
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

    /// `-self`.
    pub(crate) fn neg(&self) -> G1Affine {
        let mut out = *self;
        let y = out.0.y;
        unsafe { blst_fp_cneg(&mut out.0.y, &y, true) };
        out
    }
}

/// `Σ_i (choices[i] ? pairs[i].0 : pairs[i].1)` over public points, constant time in the choices:
/// both candidates are read and masked, and the additions are blst's complete ones.
pub(crate) fn select_sum(pairs: &[(G1Affine, G1Affine)], choices: &[Choice]) -> G1 {
    let masks: Vec<u64> = choices
        .iter()
        .map(|c| 0u64.wrapping_sub(u64::from(c.unwrap_u8())))
        .collect();
    // As in `select_scan`: opaque masks, so that the optimiser cannot branch on them.
    let masks = core::hint::black_box(masks);
    let mut acc = blst_p1::default();
    for ((first, second), mask) in pairs.iter().zip(masks.iter()) {
        let mut entry = blst_p1_affine::default();
        for i in 0..6 {
            entry.x.l[i] = (first.0.x.l[i] & mask) | (second.0.x.l[i] & !mask);
            entry.y.l[i] = (first.0.y.l[i] & mask) | (second.0.y.l[i] & !mask);
        }
        let current = acc;
        unsafe { blst_p1_add_or_double_affine(&mut acc, &current, &entry) };
    }
    G1(acc)
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

    /// `2 * self`.
    pub(crate) fn double(&self) -> G1 {
        let mut out = blst_p1::default();
        unsafe { blst_p1_double(&mut out, &self.0) };
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

/// Whether `Π h(P_i, Q_i)` is the identity of GT: one multi-Miller loop over all pairs and a single final
/// exponentiation. The G1 points must not be the identity (callers check; the decoders refuse it).
pub(crate) fn pairing_product_is_one_n_vartime(pairs: &[(G1Affine, G2Affine)]) -> bool {
    let ps: Vec<*const blst_p1_affine> = pairs.iter().map(|(p, _)| &p.0 as *const blst_p1_affine).collect();
    let qs: Vec<*const blst_p2_affine> = pairs.iter().map(|(_, q)| &q.0 as *const blst_p2_affine).collect();
    let mut miller = blst_fp12::default();
    let mut gt = blst_fp12::default();
    unsafe {
        blst_miller_loop_n(&mut miller, qs.as_ptr(), ps.as_ptr(), pairs.len());
        blst_final_exp(&mut gt, &miller);
        blst_fp12_is_one(&gt)
    }
}

impl G2Affine {
    /// `self * k` (blst's multiplication; constant time in k) plus `other`, affine.
    pub(crate) fn mul_add(&self, k: &Fr, other: &G2Affine) -> G2Affine {
        let scalar = k.to_blst_scalar();
        let mut point = blst_p2::default();
        let mut sum = blst_p2::default();
        let mut out = blst_p2_affine::default();
        unsafe {
            blst::blst_p2_from_affine(&mut point, &self.0);
            let base = point;
            blst::blst_p2_mult(&mut point, &base, scalar.b.as_ptr(), SCALAR_BITS);
            blst::blst_p2_add_or_double_affine(&mut sum, &point, &other.0);
            blst_p2_to_affine(&mut out, &sum);
        }
        G2Affine(out)
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

/// λ = z^2 - 1 for BLS12-381's z = -0xd201000000010000: a root of λ^2 + λ + 1 = 0 mod r, the eigenvalue
/// of the endomorphism φ(x, y) = (β x, y) on G1, so that k P = k1 P + k2 φ(P) with k = k1 + k2 λ.
const GLV_LAMBDA: u128 = 0xac45_a401_0001_a402_0000_0000_ffff_ffff;

/// β, the cube root of unity in F_p with φ(P) = λ P for the λ above (big-endian; checked by a test).
const GLV_BETA: [u8; G1_BYTES] = [
    0x1a, 0x01, 0x11, 0xea, 0x39, 0x7f, 0xe6, 0x99, 0xec, 0x02, 0x40, 0x86, 0x63, 0xd4, 0xde, 0x85, 0xaa,
    0x0d, 0x85, 0x7d, 0x89, 0x75, 0x9a, 0xd4, 0x89, 0x7d, 0x29, 0x65, 0x0f, 0xb8, 0x5f, 0x9b, 0x40, 0x94,
    0x27, 0xeb, 0x4f, 0x49, 0xff, 0xfd, 0x8b, 0xfd, 0x00, 0x00, 0x00, 0x00, 0xaa, 0xac,
];

/// The GLV split `k = k1 + k2 λ` with `k2 = k / λ`, `k1 = k mod λ` (both below 2^128, since k < r =
/// λ^2 + λ + 1). Variable time: public scalars only.
fn glv_split_vartime(k: &Fr) -> (u128, u128) {
    let limbs = k.to_limbs();
    let (mut quotient, mut remainder) = (0u128, 0u128);
    for bit in (0..SCALAR_BITS).rev() {
        let incoming = (limbs[bit / 64] >> (bit % 64)) & 1;
        // remainder < λ < 2^128 before the shift; the bit shifted out is kept as `overflow`.
        let overflow = remainder >> 127;
        remainder = (remainder << 1) | u128::from(incoming);
        if overflow == 1 || remainder >= GLV_LAMBDA {
            remainder = remainder.wrapping_sub(GLV_LAMBDA);
            quotient |= 1 << bit;
        }
    }
    (remainder, quotient)
}

/// Width-5 NAF digits of `k`, least significant first: odd digits in [-15, 15] with at least four zeros
/// between two non-zero ones.
fn wnaf5(mut k: u128) -> ([i8; 130], usize) {
    let mut digits = [0i8; 130];
    let mut len = 0;
    while k != 0 {
        if k & 1 == 1 {
            let mut d = (k & 31) as i8;
            if d > 16 {
                d -= 32;
            }
            digits[len] = d;
            k = if d > 0 {
                k - d as u128
            } else {
                k + d.unsigned_abs() as u128
            };
        }
        k >>= 1;
        len += 1;
    }
    (digits, len)
}

/// Σ scalars[i] * points[i] for a few public points: the GLV split of every scalar and width-5 NAF
/// digits over tables of odd multiples `P, 3P, ..., 15P` (and their images under φ, one field
/// multiplication each), in one Straus pass of about 128 doublings. For one to a few points this is
/// about a quarter faster than blst's constant-time GLV multiplication and well ahead of Pippenger.
/// Variable time: public data only.
pub(crate) fn msm_vartime_glv(points: &[G1Affine], scalars: &[Fr]) -> G1 {
    let n = points.len().min(scalars.len());
    let mut beta = blst_fp::default();
    unsafe { blst_fp_from_bendian(&mut beta, GLV_BETA.as_ptr()) };
    // Odd multiples of each point, converted together.
    let mut multiples = Vec::with_capacity(8 * n);
    for point in &points[..n] {
        let p = point.to_projective();
        let twice = p.double();
        let mut acc = p;
        multiples.push(acc);
        for _ in 1..8 {
            acc = acc.add(&twice);
            multiples.push(acc);
        }
    }
    let table = G1::batch_to_affine(&multiples);
    let endo: Vec<blst_p1_affine> = table
        .iter()
        .map(|p| {
            let mut q = p.0;
            unsafe { blst_fp_mul(&mut q.x, &p.0.x, &beta) };
            q
        })
        .collect();
    let nafs: Vec<[([i8; 130], usize); 2]> = scalars[..n]
        .iter()
        .map(|k| {
            let (k1, k2) = glv_split_vartime(k);
            [wnaf5(k1), wnaf5(k2)]
        })
        .collect();
    let top = nafs.iter().flatten().map(|(_, len)| *len).max().unwrap_or(0);
    let mut acc = blst_p1::default();
    for i in (0..top).rev() {
        let current = acc;
        unsafe { blst_p1_double(&mut acc, &current) };
        for (j, naf) in nafs.iter().enumerate() {
            for (half, (digits, _)) in naf.iter().enumerate() {
                let d = digits[i];
                if d == 0 {
                    continue;
                }
                let index = 8 * j + usize::from(d.unsigned_abs() >> 1);
                let mut entry = if half == 0 { table[index].0 } else { endo[index] };
                if d < 0 {
                    let y = entry.y;
                    unsafe { blst_fp_cneg(&mut entry.y, &y, true) };
                }
                let current = acc;
                unsafe { blst_p1_add_or_double_affine(&mut acc, &current, &entry) };
            }
        }
    }
    G1(acc)
}

/// Fixed-base comb tables (Lim-Lee) for a growing list of fixed points (P1 and the generators), for
/// multi-scalar multiplications on public scalars.
///
/// A scalar's 256 bits are read as 8 rows of 32 (bit `32 j + i` is tooth `j` of column `i`). Each point
/// `P` gets the 255 non-empty sums `T[b] = Σ_(j in b) 2^(32 j) P`, so `k P = Σ_i 2^i T[column_i(k)]`:
/// an MSM over `n` points is 31 doublings, shared, and at most `32 n` additions of table entries. blst's
/// own fixed-base MSM (8-bit windows) takes the same additions but 255 doublings, which at the point
/// counts BBS uses (tens) is a quarter to a half of the work. Entries are affine, point-major, so the
/// entries of the first n points serve any MSM over them and a later start is an offset.
#[derive(Clone)]
pub(crate) struct FixedBaseTable {
    entries: Vec<blst_p1_affine>,
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
    /// Teeth of the comb: 2^8 - 1 entries (24 KiB) per point.
    const TEETH: usize = 8;
    /// Columns: TEETH * COLUMNS = 256 bits cover every scalar.
    const COLUMNS: usize = 32;
    const ENTRIES: usize = (1 << Self::TEETH) - 1;

    pub(crate) fn new() -> FixedBaseTable {
        FixedBaseTable {
            entries: Vec::new(),
            points: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.points
    }

    /// Appends the entries of `points`.
    pub(crate) fn extend(&mut self, points: &[G1Affine]) {
        let mut sums = Vec::with_capacity(points.len() * Self::ENTRIES);
        for point in points {
            // teeth[j] = 2^(32 j) P
            let mut teeth = [G1::identity(); Self::TEETH];
            teeth[0] = point.to_projective();
            for j in 1..Self::TEETH {
                let mut p = teeth[j - 1];
                for _ in 0..Self::COLUMNS {
                    p = p.double();
                }
                teeth[j] = p;
            }
            // T[b] = T[b without its lowest tooth] + teeth[lowest tooth]; T[0] is the identity.
            let first = sums.len();
            for b in 1..=Self::ENTRIES {
                let low = b.trailing_zeros() as usize;
                let rest = b & (b - 1);
                let entry = if rest == 0 {
                    teeth[low]
                } else {
                    let previous: &G1 = &sums[first + rest - 1];
                    previous.add(&teeth[low])
                };
                sums.push(entry);
            }
        }
        self.entries
            .extend(G1::batch_to_affine(&sums).into_iter().map(|p| p.0));
        self.points += points.len();
    }

    /// Σ scalars[i] * point_(first + i) over the points from `first` on (as many as there are scalars
    /// and tabled points); variable time, public data only.
    ///
    /// Column sums first: `S_c = Σ_k T_k[column_c(k_k)]` for the 32 columns, accumulated in affine
    /// coordinates in [`ColumnSums::LANES`] lanes (point k in lane k mod LANES), so that the additions of
    /// LANES points' entries (up to 128) share one field inversion (Montgomery's trick: about 6
    /// multiplications an addition instead of 11 for a mixed one); then the lanes are added up and
    /// `Σ_c 2^c S_c` takes 31 doublings.
    pub(crate) fn msm_vartime(&self, first: usize, scalars: &[Fr]) -> G1 {
        let n = scalars.len().min(self.points.saturating_sub(first));
        let tables = &self.entries[first * Self::ENTRIES..];
        // Lanes by size: each lane costs 32 additions to merge, so small MSMs take fewer.
        let lanes = (n / 6).clamp(1, ColumnSums::LANES);
        let mut sums = ColumnSums::new(lanes);
        let mut addends: Vec<(usize, &blst_p1_affine)> = Vec::with_capacity(ColumnSums::SLOTS);
        for (group, chunk) in scalars[..n].chunks(lanes).enumerate() {
            addends.clear();
            for (lane, scalar) in chunk.iter().enumerate() {
                let k = group * lanes + lane;
                let limbs = scalar.to_limbs();
                for column in 0..Self::COLUMNS {
                    let mut digit = 0usize;
                    for tooth in 0..Self::TEETH {
                        let bit = Self::COLUMNS * tooth + column;
                        digit |= (((limbs[bit / 64] >> (bit % 64)) & 1) as usize) << tooth;
                    }
                    if digit != 0 {
                        addends.push((
                            lane * Self::COLUMNS + column,
                            &tables[k * Self::ENTRIES + digit - 1],
                        ));
                    }
                }
            }
            sums.add(&addends);
        }
        sums.combine()
    }
}

/// The column sums of [`FixedBaseTable::msm_vartime`] in [`ColumnSums::LANES`] lanes, affine, with
/// batched additions.
struct ColumnSums {
    /// Lanes in use, at most [`ColumnSums::LANES`].
    lanes: usize,
    /// Slot `lane * 32 + column`.
    sums: [Option<blst_p1_affine>; ColumnSums::SLOTS],
    /// Sums that met a case the affine formula does not cover (an addend with the same x), kept
    /// projective. Only a discrete-logarithm relation between generators could bring one about.
    exceptions: [Option<blst_p1>; ColumnSums::SLOTS],
}

impl ColumnSums {
    /// At most eight lanes: one inversion for up to 256 additions, where it costs less than half a
    /// multiplication each; more lanes would mostly add merging work at the end.
    const LANES: usize = 8;
    const SLOTS: usize = Self::LANES * FixedBaseTable::COLUMNS;

    fn new(lanes: usize) -> ColumnSums {
        ColumnSums {
            lanes,
            sums: [None; Self::SLOTS],
            exceptions: [None; Self::SLOTS],
        }
    }

    /// `S_slot += addend` for each `(slot, addend)`; the slots must be distinct.
    fn add(&mut self, addends: &[(usize, &blst_p1_affine)]) {
        // Pairs to add in affine: (slot, addend, x2 - x1), with the running product of the denominators.
        let mut pending: Vec<(usize, &blst_p1_affine, blst_fp)> = Vec::with_capacity(addends.len());
        let mut products: Vec<blst_fp> = Vec::with_capacity(addends.len());
        for &(slot, q) in addends {
            if let Some(exception) = &mut self.exceptions[slot] {
                let current = *exception;
                unsafe { blst_p1_add_or_double_affine(exception, &current, q) };
                continue;
            }
            let Some(p) = &self.sums[slot] else {
                self.sums[slot] = Some(*q);
                continue;
            };
            let mut dx = blst_fp::default();
            unsafe { blst_fp_sub(&mut dx, &q.x, &p.x) };
            if fp_is_zero(&dx) {
                // Doubling or the inverse: leave the affine formula for the complete one.
                let mut projective = blst_p1::default();
                unsafe {
                    blst_p1_from_affine(&mut projective, p);
                    let current = projective;
                    blst_p1_add_or_double_affine(&mut projective, &current, q);
                }
                self.exceptions[slot] = Some(projective);
                self.sums[slot] = None;
                continue;
            }
            let product = match products.last() {
                None => dx,
                Some(previous) => {
                    let mut product = blst_fp::default();
                    unsafe { blst_fp_mul(&mut product, previous, &dx) };
                    product
                }
            };
            products.push(product);
            pending.push((slot, q, dx));
        }
        let Some(last) = products.last() else { return };
        // One inversion for all: inverse = 1 / Π dx; walking back, 1 / dx_i = inverse * Π_(j<i) dx_j.
        let mut inverse = blst_fp::default();
        unsafe { blst_fp_inverse(&mut inverse, last) };
        for i in (0..pending.len()).rev() {
            let (slot, q, dx) = pending[i];
            let mut dx_inverse = inverse;
            if i > 0 {
                unsafe {
                    blst_fp_mul(&mut dx_inverse, &inverse, &products[i - 1]);
                    let current = inverse;
                    blst_fp_mul(&mut inverse, &current, &dx);
                }
            }
            let Some(p) = self.sums[slot] else { continue };
            // λ = (y2 - y1) / (x2 - x1); x3 = λ^2 - x1 - x2; y3 = λ (x1 - x3) - y1
            let mut out = blst_p1_affine::default();
            let (mut lambda, mut t) = (blst_fp::default(), blst_fp::default());
            unsafe {
                blst_fp_sub(&mut t, &q.y, &p.y);
                blst_fp_mul(&mut lambda, &t, &dx_inverse);
                blst_fp_sqr(&mut t, &lambda);
                blst_fp_sub(&mut out.x, &t, &p.x);
                let x = out.x;
                blst_fp_sub(&mut out.x, &x, &q.x);
                blst_fp_sub(&mut t, &p.x, &out.x);
                blst_fp_mul(&mut out.y, &lambda, &t);
                let y = out.y;
                blst_fp_sub(&mut out.y, &y, &p.y);
            }
            self.sums[slot] = Some(out);
        }
    }

    /// The lanes added into lane 0 (batched, a lane at a time), then `Σ_c 2^c S_c`.
    fn combine(mut self) -> G1 {
        let columns = FixedBaseTable::COLUMNS;
        for lane in 1..self.lanes {
            let moved: Vec<(usize, blst_p1_affine)> = (0..columns)
                .filter_map(|c| self.sums[lane * columns + c].map(|p| (c, p)))
                .collect();
            let addends: Vec<(usize, &blst_p1_affine)> = moved.iter().map(|(c, p)| (*c, p)).collect();
            self.add(&addends);
            for c in 0..columns {
                if let Some(exception) = self.exceptions[lane * columns + c] {
                    let merged = match (self.exceptions[c], self.sums[c]) {
                        (Some(e), _) => {
                            let mut out = blst_p1::default();
                            unsafe { blst_p1_add_or_double(&mut out, &e, &exception) };
                            out
                        }
                        (None, Some(p)) => {
                            let mut out = blst_p1::default();
                            unsafe { blst_p1_add_or_double_affine(&mut out, &exception, &p) };
                            out
                        }
                        (None, None) => exception,
                    };
                    self.exceptions[c] = Some(merged);
                    self.sums[c] = None;
                }
            }
        }
        let mut acc = blst_p1::default();
        for column in (0..columns).rev() {
            let current = acc;
            unsafe { blst_p1_double(&mut acc, &current) };
            if let Some(sum) = &self.sums[column] {
                let current = acc;
                unsafe { blst_p1_add_or_double_affine(&mut acc, &current, sum) };
            }
            if let Some(exception) = &self.exceptions[column] {
                let current = acc;
                unsafe { blst_p1_add_or_double(&mut acc, &current, exception) };
            }
        }
        G1(acc)
    }
}

fn fp_is_zero(a: &blst_fp) -> bool {
    a.l.iter().all(|&limb| limb == 0)
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
        let mut affine = G1::batch_to_affine(&multiples);
        for m in multiples.iter_mut() {
            m.0.x.l.zeroize();
            m.0.y.l.zeroize();
            m.0.z.l.zeroize();
        }
        // Multiples of A and B (the signature, the hidden messages' point) are secret: the copy in the
        // tables is wiped by their owner; this one here.
        let tables = affine
            .chunks_exact(CT_TABLE)
            .map(|chunk| {
                let mut table = [blst_p1_affine::default(); CT_TABLE];
                for (slot, point) in table.iter_mut().zip(chunk) {
                    *slot = point.0;
                }
                CtTable(table)
            })
            .collect();
        affine.iter_mut().for_each(Zeroize::zeroize);
        tables
    }

    /// `digit * P` for a signed digit in [-16, 16], reading every entry (no secret-dependent access).
    fn select(&self, digit: i8) -> blst_p1_affine {
        let d = i32::from(digit);
        let negative = (d >> 31) & 1;
        let magnitude = ((d ^ -negative) + negative) as u32;
        // (0, 0) is blst's affine identity: the result for a zero digit.
        let mut out = select_scan(&self.0, u64::from(magnitude));
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

/// Constant-time fixed-base comb (Lim-Lee) for one fixed point `P` (a generator): the 63 non-empty
/// sums `T[b] = Σ_(j in b) 2^(43 j) P`, so that `k P = Σ_i 2^i T[column_i(k)]` with column `i` the bits
/// `i, 43 + i, ..., 215 + i` of `k`. A multiplication by a secret scalar is 42 doublings and 43
/// additions of entries read by a constant-time scan of the table; the Straus MSM ([`msm`]) takes 255
/// doublings and 52 additions per term, so for sums over fixed generators the comb does about a
/// third less work. 6 KiB per point.
#[derive(Clone)]
pub(crate) struct CtComb(Box<[blst_p1_affine; CtComb::ENTRIES]>);

impl fmt::Debug for CtComb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CtComb(..)")
    }
}

impl CtComb {
    /// Teeth: tables of 2^6 - 1 entries. Six is where the constant-time scan (growing with the
    /// table) and the additions (shrinking with the columns) cost least together.
    const TEETH: usize = 6;
    /// Columns: TEETH * COLUMNS = 258 bits cover every scalar.
    const COLUMNS: usize = 43;
    const ENTRIES: usize = (1 << Self::TEETH) - 1;

    /// The table of a public point (its construction is variable time).
    pub(crate) fn build(point: &G1Affine) -> CtComb {
        let mut teeth = [G1::identity(); Self::TEETH];
        teeth[0] = point.to_projective();
        for j in 1..Self::TEETH {
            let mut p = teeth[j - 1];
            for _ in 0..Self::COLUMNS {
                p = p.double();
            }
            teeth[j] = p;
        }
        let mut sums: Vec<G1> = Vec::with_capacity(Self::ENTRIES);
        for b in 1..=Self::ENTRIES {
            let low = b.trailing_zeros() as usize;
            let rest = b & (b - 1);
            let entry = if rest == 0 {
                teeth[low]
            } else {
                sums[rest - 1].add(&teeth[low])
            };
            sums.push(entry);
        }
        let mut table = Box::new([blst_p1_affine::default(); Self::ENTRIES]);
        for (slot, point) in table.iter_mut().zip(G1::batch_to_affine(&sums)) {
            *slot = point.0;
        }
        CtComb(table)
    }

    /// `T[digit]` for a digit in 0..64 (the identity for 0), reading every entry.
    fn select(&self, digit: u64) -> blst_p1_affine {
        select_scan(&self.0, digit)
    }
}

/// `entries[index - 1]`, or (0, 0) (blst's affine identity) for index 0, reading every entry: each is
/// masked by whether it is the one asked for and OR-ed in (at most one matches), so neither the
/// branches nor the memory accesses depend on the index.
///
/// The masks pass through `black_box` before use: computed in the open, the optimiser knows each is 0
/// or all ones and turns the scan into a branch that loads only the matching entry (seen in the
/// assembly). One barrier over all masks costs far less than one per entry.
fn select_scan<const N: usize>(entries: &[blst_p1_affine; N], index: u64) -> blst_p1_affine {
    let mut masks = [0u64; N];
    for (k, mask) in masks.iter_mut().enumerate() {
        // All ones when k + 1 == index, else zero: for x != 0 the top bit of x | -x is set.
        let x = (k as u64 + 1) ^ index;
        *mask = ((x | x.wrapping_neg()) >> 63).wrapping_sub(1);
    }
    let masks = core::hint::black_box(masks);
    let mut out = blst_p1_affine::default();
    for (entry, mask) in entries.iter().zip(masks.iter()) {
        for i in 0..6 {
            out.x.l[i] |= entry.x.l[i] & mask;
            out.y.l[i] |= entry.y.l[i] & mask;
        }
    }
    out
}

/// Σ k_i * P_i over fixed points with comb tables, in constant time in the scalars.
pub(crate) fn comb_msm(terms: &[(&CtComb, Fr)]) -> G1 {
    if terms.len() >= BATCHED_COMB_TERMS {
        return comb_msm_batched(terms);
    }
    let mut limbs: Vec<[u64; 4]> = terms.iter().map(|(_, k)| k.to_limbs()).collect();
    let mut acc = blst_p1::default();
    for column in (0..CtComb::COLUMNS).rev() {
        if column != CtComb::COLUMNS - 1 {
            let current = acc;
            unsafe { blst_p1_double(&mut acc, &current) };
        }
        for ((table, _), limbs) in terms.iter().zip(limbs.iter()) {
            // Bit positions are public; only the bits read are secret.
            let mut digit = 0u64;
            for tooth in 0..CtComb::TEETH {
                let bit = CtComb::COLUMNS * tooth + column;
                let word = limbs.get(bit / 64).copied().unwrap_or(0);
                digit |= ((word >> (bit % 64)) & 1) << tooth;
            }
            let mut entry = table.select(digit);
            digit.zeroize();
            let current = acc;
            unsafe { blst_p1_add_or_double_affine(&mut acc, &current, &entry) };
            entry.x.l.zeroize();
            entry.y.l.zeroize();
        }
    }
    for l in limbs.iter_mut() {
        l.zeroize();
    }
    G1(acc)
}

/// From this many terms on, [`comb_msm`] sums columns in affine coordinates with batched inversions.
const BATCHED_COMB_TERMS: usize = 12;

/// The lanes of [`comb_msm_batched`]: terms `k` and `k + 8` share one; 8 lanes of 43 columns give 344
/// additions per field inversion.
const CT_LANES: usize = 8;

/// The point every column sum of [`comb_msm_batched`] starts from, so that no sum is ever the identity
/// (which the affine formula cannot take): hashed to the curve from a fixed label, its discrete
/// logarithm to any generator unknown.
fn comb_offset() -> &'static (G1Affine, [G1Affine; CT_LANES]) {
    static OFFSET: std::sync::OnceLock<(G1Affine, [G1Affine; CT_LANES])> = std::sync::OnceLock::new();
    OFFSET.get_or_init(|| {
        use sha2::{Digest, Sha512};
        let mut uniform = [0u8; 128];
        uniform[..64].copy_from_slice(&Sha512::digest(b"ecert-bbs constant-time comb offset, part 1"));
        uniform[64..].copy_from_slice(&Sha512::digest(b"ecert-bbs constant-time comb offset, part 2"));
        let offset = G1::map_uniform_bytes(&uniform);
        // -(lanes * (2^43 - 1)) * O for 1..=CT_LANES lanes: what the offsets add up to after Horner.
        let columns = Fr::from_be_bytes_wide(&((1u64 << CtComb::COLUMNS) - 1).to_be_bytes());
        let corrections: Vec<G1> = (1..=CT_LANES as u64)
            .map(|lanes| offset.mul(&columns.mul(&Fr::from_u64(lanes)).neg()))
            .collect();
        let corrections = G1::batch_to_affine(&corrections);
        let mut out = [G1Affine::default(); CT_LANES];
        out.copy_from_slice(&corrections);
        (offset.to_affine(), out)
    })
}

/// [`comb_msm`] for many terms, in constant time: every column sum starts at the offset point, each
/// term adds one table entry per column in affine coordinates (one field inversion for all the
/// additions of a group of [`CT_LANES`] terms, Montgomery's trick), a zero digit's addition is computed
/// and discarded by a masked select, the lanes are added up, Horner takes 42 doublings, and the offsets'
/// known total is taken off. About half the work of the mixed additions of [`comb_msm`] at 32 terms.
///
/// The affine formula fails when a sum meets an entry with the same x; with sums that start at a point
/// of unknown logarithm this has probability about 2^-250 per addition, and it would only make the
/// prover's own result wrong (a proof that fails to verify), never leak: the arithmetic is the same.
fn comb_msm_batched(terms: &[(&CtComb, Fr)]) -> G1 {
    let (offset, corrections) = comb_offset();
    let lanes = CT_LANES.min(terms.len());
    let slots = lanes * CtComb::COLUMNS;
    let mut sums = vec![offset.0; slots];
    let mut limbs: Vec<[u64; 4]> = terms.iter().map(|(_, k)| k.to_limbs()).collect();
    let mut entries = vec![blst_p1_affine::default(); slots];
    let mut keep = vec![0u64; slots];
    let mut dx = vec![blst_fp::default(); slots];
    let mut products = vec![blst_fp::default(); slots];
    for (group, chunk) in terms.chunks(lanes).enumerate() {
        let used = chunk.len() * CtComb::COLUMNS;
        for (lane, (table, _)) in chunk.iter().enumerate() {
            let limbs = &limbs[group * lanes + lane];
            for column in 0..CtComb::COLUMNS {
                let mut digit = 0u64;
                for tooth in 0..CtComb::TEETH {
                    let bit = CtComb::COLUMNS * tooth + column;
                    let word = limbs.get(bit / 64).copied().unwrap_or(0);
                    digit |= ((word >> (bit % 64)) & 1) << tooth;
                }
                let slot = lane * CtComb::COLUMNS + column;
                entries[slot] = table.select(digit);
                // All ones to keep the old sum (digit 0), zero to take the new one.
                keep[slot] = ((digit | digit.wrapping_neg()) >> 63).wrapping_sub(1);
                digit.zeroize();
            }
        }
        // dx_i = x2 - x1 and their running products; one inversion; back substitution.
        for slot in 0..used {
            unsafe { blst_fp_sub(&mut dx[slot], &entries[slot].x, &sums[slot].x) };
            products[slot] = if slot == 0 {
                dx[0]
            } else {
                let mut product = blst_fp::default();
                unsafe { blst_fp_mul(&mut product, &products[slot - 1], &dx[slot]) };
                product
            };
        }
        let mut inverse = blst_fp::default();
        unsafe { blst_fp_inverse(&mut inverse, &products[used - 1]) };
        let keep = core::hint::black_box(&keep);
        for slot in (0..used).rev() {
            let mut dx_inverse = inverse;
            if slot > 0 {
                unsafe {
                    blst_fp_mul(&mut dx_inverse, &inverse, &products[slot - 1]);
                    let current = inverse;
                    blst_fp_mul(&mut inverse, &current, &dx[slot]);
                }
            }
            let (p, q) = (sums[slot], entries[slot]);
            let mut out = blst_p1_affine::default();
            let (mut lambda, mut t) = (blst_fp::default(), blst_fp::default());
            unsafe {
                blst_fp_sub(&mut t, &q.y, &p.y);
                blst_fp_mul(&mut lambda, &t, &dx_inverse);
                blst_fp_sqr(&mut t, &lambda);
                blst_fp_sub(&mut out.x, &t, &p.x);
                let x = out.x;
                blst_fp_sub(&mut out.x, &x, &q.x);
                blst_fp_sub(&mut t, &p.x, &out.x);
                blst_fp_mul(&mut out.y, &lambda, &t);
                let y = out.y;
                blst_fp_sub(&mut out.y, &y, &p.y);
            }
            let mask = keep[slot];
            for i in 0..6 {
                sums[slot].x.l[i] = (p.x.l[i] & mask) | (out.x.l[i] & !mask);
                sums[slot].y.l[i] = (p.y.l[i] & mask) | (out.y.l[i] & !mask);
            }
            lambda.l.zeroize();
            t.l.zeroize();
        }
    }
    // The lanes into lane 0, then Σ_c 2^c S_c, with complete additions (the sums are secret-dependent).
    let mut acc = blst_p1::default();
    for column in (0..CtComb::COLUMNS).rev() {
        let current = acc;
        unsafe { blst_p1_double(&mut acc, &current) };
        for lane in 0..lanes {
            let current = acc;
            unsafe {
                blst_p1_add_or_double_affine(&mut acc, &current, &sums[lane * CtComb::COLUMNS + column])
            };
        }
    }
    let current = acc;
    unsafe { blst_p1_add_or_double_affine(&mut acc, &current, &corrections[lanes - 1].0) };
    for l in limbs.iter_mut() {
        l.zeroize();
    }
    for p in sums.iter_mut().chain(entries.iter_mut()) {
        p.x.l.zeroize();
        p.y.l.zeroize();
    }
    for f in dx.iter_mut().chain(products.iter_mut()) {
        f.l.zeroize();
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
    fn batched_comb_msm_matches_the_naive_sum() {
        for n in [BATCHED_COMB_TERMS, 13, 16, 40] {
            let points: Vec<G1> = (0..n as u64).map(|i| point(i + 400)).collect();
            let mut scalars: Vec<Fr> = (0..n as u64).map(|i| scalar(i + 70)).collect();
            scalars[0] = Fr::ZERO;
            scalars[1] = Fr::from_u64(1).neg();
            scalars[2] = Fr::from_u64(1);
            let tables: Vec<CtComb> = points.iter().map(|p| CtComb::build(&p.to_affine())).collect();
            let terms: Vec<(&CtComb, Fr)> = tables.iter().zip(scalars.iter().copied()).collect();
            assert!(same(&comb_msm(&terms), &naive(&points, &scalars)), "{n} terms");
        }
    }

    #[test]
    fn glv_msm_matches_the_naive_sum() {
        // φ(P) = λ P for the β and λ used.
        let p = point(3);
        let mut beta = blst_fp::default();
        unsafe { blst_fp_from_bendian(&mut beta, GLV_BETA.as_ptr()) };
        let mut endo = p.to_affine();
        let x = endo.0.x;
        unsafe { blst_fp_mul(&mut endo.0.x, &x, &beta) };
        let lambda = Fr::from_be_bytes_wide(&GLV_LAMBDA.to_be_bytes());
        assert!(same(&endo.to_projective(), &p.mul(&lambda)));
        let r_minus_1 = Fr::from_u64(1).neg();
        let edge = [
            Fr::ZERO,
            Fr::from_u64(1),
            lambda,
            lambda.sub(&Fr::from_u64(1)),
            r_minus_1,
        ];
        for k in edge.iter().copied().chain((0..20u64).map(scalar)) {
            let (k1, k2) = glv_split_vartime(&k);
            assert!(k1 < GLV_LAMBDA);
            let recombined = Fr::from_be_bytes_wide(&k1.to_be_bytes())
                .add(&Fr::from_be_bytes_wide(&k2.to_be_bytes()).mul(&lambda));
            assert!(bool::from(recombined.ct_eq(&k)));
            assert!(same(&msm_vartime_glv(&[p.to_affine()], &[k]), &p.mul(&k)));
        }
        for n in [2usize, 3, 5] {
            let points: Vec<G1> = (0..n as u64).map(|i| point(i + 60)).collect();
            let scalars: Vec<Fr> = (0..n as u64).map(|i| scalar(i + 3)).collect();
            let affine = G1::batch_to_affine(&points);
            assert!(same(
                &msm_vartime_glv(&affine, &scalars),
                &naive(&points, &scalars)
            ));
        }
    }

    #[test]
    fn comb_msm_matches_the_naive_sum() {
        for n in [1usize, 2, 6] {
            let points: Vec<G1> = (0..n as u64).map(|i| point(i + 40)).collect();
            let mut scalars: Vec<Fr> = (0..n as u64).map(|i| scalar(i + 7)).collect();
            scalars[0] = Fr::ZERO;
            if n > 1 {
                // r - 1: every column of the top rows in use
                scalars[1] = Fr::from_u64(1).neg();
            }
            let tables: Vec<CtComb> = points.iter().map(|p| CtComb::build(&p.to_affine())).collect();
            let terms: Vec<(&CtComb, Fr)> = tables.iter().zip(scalars.iter().copied()).collect();
            assert!(same(&comb_msm(&terms), &naive(&points, &scalars)));
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

    /// The same point twice (and its negation) in one table: column sums meet doublings and inverses,
    /// which the affine addition hands to the complete formula.
    #[test]
    fn vartime_comb_handles_doublings_and_inverses() {
        let p = point(9);
        let minus_p = p.mul(&Fr::from_u64(1).neg());
        // Points k and k + 4 share a lane of the column sums; the lanes are merged at the end.
        let points = [p, p, minus_p, p, p, minus_p, p, p, minus_p];
        let affine = G1::batch_to_affine(&points);
        let mut table = FixedBaseTable::new();
        table.extend(&affine);
        let k = scalar(5);
        let z = Fr::ZERO;
        let cases = [
            vec![k, k, z, z],
            vec![k, z, k, z],
            vec![k, k, k, k],
            vec![Fr::from_u64(3), Fr::from_u64(3), Fr::from_u64(1), k],
            vec![k, z, z, z, k],
            vec![k, z, z, z, z, k],
            vec![k, k, z, z, k, k, z, z, k],
            vec![z, k, z, z, z, k, z, z, z],
        ];
        for scalars in cases {
            let n = scalars.len();
            assert!(same(
                &table.msm_vartime(0, &scalars),
                &naive(&points[..n], &scalars)
            ));
        }
    }

    #[test]
    fn select_sum_picks_by_choice() {
        let points: Vec<G1Affine> =
            G1::batch_to_affine(&(0..6u64).map(|i| point(i + 90)).collect::<Vec<_>>());
        let pairs: Vec<(G1Affine, G1Affine)> = points.chunks(2).map(|p| (p[0], p[1].neg())).collect();
        let choices = [Choice::from(1), Choice::from(0), Choice::from(1)];
        let expected = points[0]
            .to_projective()
            .add(&points[3].neg().to_projective())
            .add(&points[4].to_projective());
        assert!(same(&select_sum(&pairs, &choices), &expected));
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
