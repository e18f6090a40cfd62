//! Range proofs on committed messages: Bulletproofs (Bünz, Bootle, Boneh, Poelstra, Wuille, Maxwell,
//! "Bulletproofs: Short Proofs for Confidential Transactions and More", IEEE S&P 2018), the aggregated
//! range proof of §4.3 with the inner product argument of §3 (Protocol 2, with the Fiat-Shamir
//! heuristic of §4.4), on BLS12-381 G1 over the crate's blst layer.
//!
//! A range proof shows that each of `m` values lies in `[0, 2^n)` (n = 8, 16, 32 or 64; `m` a power of
//! two, the proof pads with the commitment to 0), where each value is `σ * msg + o` for a message `msg`
//! committed in a proof with committed disclosure ([`crate::committed`]), `σ = ±1` and a public offset
//! `o`. So `msg >= a` is `msg - a` in range, `msg <= b` is `b - msg` in range, and `a <= msg <= b` is both:
//! [`RangeValue::at_least`], [`RangeValue::at_most`]. The value commitments are the message commitments
//! `C = Y_0 * s + Y_1 * msg` (Y_1 is the value base, Y_0 the blinding base), shifted and negated
//! homomorphically; the vector generators `G_i, H_i` are `create_generators(2 * 256,
//! ciphersuite_id || "H2G_ECERT_BULLETPROOFS_")`, interleaved (`G_i` at `2i`, `H_i` at `2i + 1`). The
//! inner product argument's base is `w * Y_1`, `w` a challenge, as in dalek's implementation notes.
//!
//! The Fiat-Shamir transcript starts from a caller's context (a composite proof binds the BBS proofs
//! and the presentation header there) and absorbs `n`, `m`, every value's commitment, sign and offset,
//! then each prover message before the challenge it determines; each challenge is
//! `hash_to_scalar(state, api_id || "BULLETPROOF_CHALLENGE_")` and becomes the next state. specs/zk-proofs.md
//! has the whole construction and the security argument.
//!
//! # Constant time
//!
//! The prover's secrets are the values, their bits and blindings, and the blinding scalars `α, ρ, sL,
//! sR, τ1, τ2`. `A` selects `G_i` or `-H_i` by each bit in constant time; `S`, `T1`, `T2` and `α h`
//! are constant-time combs over fixed generators; `t1, t2, τx, μ` are constant-time field arithmetic.
//! The inner product argument runs on `l = aL - z + sL x` and `r = y^n ∘ (aR + z + sR x) + ...`, which
//! `sL, sR` make uniformly random and independent of the bits (Protocol 1 of the paper sends them in the
//! clear), so its MSMs are the fast variable-time ones: public data in the sense that matters.
//! Verification is variable time throughout; it handles public data only.

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use subtle::Choice;
use zeroize::Zeroizing;

use crate::ciphersuite::{Ciphersuite, Suite};
use crate::committed::{MessageCommitment, Opening};
use crate::curve::{self, Fr, G1, G1_BYTES, G1Affine, SCALAR_BYTES};
use crate::error::{Error, Result};
use crate::generators::{self, Generators};
use crate::interface::Interface;
use crate::proof;

/// The generators' api_id suffix: `ciphersuite_id || "H2G_ECERT_BULLETPROOFS_"`.
const GENERATORS_SUFFIX: &[u8] = b"H2G_ECERT_BULLETPROOFS_";

/// The most bits a range proof covers in all (`n * m`): 256 generators `G_i`, 256 `H_i`.
pub const MAX_RANGE_BITS: usize = 256;

/// The inner product argument stops at vectors of this length and sends them: one round fewer than
/// going down to single scalars, 32 bytes shorter (two points out, two scalars in) and a sixth less of
/// the prover's work at 64 bits. The base case of the recursion is the plain check of the vectors, as
/// sound as the scalar one.
const FINAL_LEN: usize = 2;

/// Domain separation of the transcript's first state.
const TRANSCRIPT_LABEL: &[u8] = b"ECERT-BULLETPROOF-RANGE-V1";

/// One value a range proof is about: `σ * msg + o` for the message committed in `commitment`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeValue {
    commitment: MessageCommitment,
    negate: bool,
    offset: u64,
    offset_negative: bool,
}

impl RangeValue {
    /// `msg - a`: in range when `a <= msg < a + 2^n`.
    pub fn at_least(commitment: MessageCommitment, a: u64) -> RangeValue {
        RangeValue {
            commitment,
            negate: false,
            offset: a,
            offset_negative: true,
        }
    }

    /// `b - msg`: in range when `b - 2^n < msg <= b`.
    pub fn at_most(commitment: MessageCommitment, b: u64) -> RangeValue {
        RangeValue {
            commitment,
            negate: true,
            offset: b,
            offset_negative: false,
        }
    }

    /// The commitment the value is about.
    pub fn commitment(&self) -> &MessageCommitment {
        &self.commitment
    }

    /// `σ` and `o` as scalars.
    fn sign_and_offset(&self) -> (Fr, Fr) {
        let one = Fr::from_u64(1);
        let offset = Fr::from_u64(self.offset);
        (
            if self.negate { one.neg() } else { one },
            if self.offset_negative {
                offset.neg()
            } else {
                offset
            },
        )
    }

    fn absorb(&self, transcript: &mut Transcript) {
        transcript.append(&self.commitment.to_bytes());
        transcript.append(&[u8::from(self.negate), u8::from(self.offset_negative)]);
        transcript.append(&self.offset.to_be_bytes());
    }
}

/// An aggregated range proof: `A, S, T1, T2, t^, τx, μ`, the inner product argument's `L_k, R_k` and its
/// final vectors `a, b` of two scalars each. `4 + 2 (log2(n m) - 1)` points and 7 scalars: 704 bytes for
/// one 16-bit value, 896 for four.
#[derive(Clone)]
pub struct RangeProof {
    a: G1Affine,
    s: G1Affine,
    t1: G1Affine,
    t2: G1Affine,
    t_hat: Fr,
    tau_x: Fr,
    mu: Fr,
    l_vec: Vec<G1Affine>,
    r_vec: Vec<G1Affine>,
    /// The argument's last vectors, of [`FINAL_LEN`] scalars each.
    a_final: [Fr; FINAL_LEN],
    b_final: [Fr; FINAL_LEN],
}

impl PartialEq for RangeProof {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for RangeProof {}

impl fmt::Debug for RangeProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RangeProof")
            .field("rounds", &self.l_vec.len())
            .finish_non_exhaustive()
    }
}

impl RangeProof {
    /// The encoded size of a proof over `total_bits = n * m` bits (a power of two).
    pub fn encoded_len(total_bits: usize) -> usize {
        (4 + 2 * rounds(total_bits)) * G1_BYTES + (3 + 2 * FINAL_LEN) * SCALAR_BYTES
    }

    /// `A || S || T1 || T2 || t^ || τx || μ || L_1 .. L_k || R_1 .. R_k || a_1 || a_2 || b_1 || b_2`,
    /// points compressed, scalars 32 bytes big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(RangeProof::encoded_len(FINAL_LEN << self.l_vec.len()));
        for p in [&self.a, &self.s, &self.t1, &self.t2] {
            out.extend_from_slice(&p.to_compressed());
        }
        for k in [&self.t_hat, &self.tau_x, &self.mu] {
            out.extend_from_slice(&k.to_be_bytes());
        }
        for p in self.l_vec.iter().chain(&self.r_vec) {
            out.extend_from_slice(&p.to_compressed());
        }
        for k in self.a_final.iter().chain(&self.b_final) {
            out.extend_from_slice(&k.to_be_bytes());
        }
        out
    }

    /// Decodes a proof over `total_bits = n * m` bits: exactly [`RangeProof::encoded_len`] bytes, every
    /// point on the curve, in the subgroup and not the identity, every scalar below r.
    pub fn from_bytes(bytes: &[u8], total_bits: usize) -> Result<RangeProof> {
        if !total_bits.is_power_of_two() || !(8..=MAX_RANGE_BITS).contains(&total_bits) {
            return Err(Error::MalformedProof);
        }
        if bytes.len() != RangeProof::encoded_len(total_bits) {
            return Err(Error::MalformedProof);
        }
        let rounds = rounds(total_bits);
        let mut reader = bytes;
        let mut take = |n: usize| {
            let (head, tail) = reader.split_at(n);
            reader = tail;
            head
        };
        let point = |chunk: &[u8]| {
            chunk
                .try_into()
                .ok()
                .and_then(G1Affine::from_compressed_vartime)
                .ok_or(Error::MalformedProof)
        };
        let scalar = |chunk: &[u8]| {
            chunk
                .try_into()
                .ok()
                .and_then(Fr::from_be_bytes_canonical)
                .ok_or(Error::MalformedProof)
        };
        let (a, s, t1, t2) = (
            point(take(G1_BYTES))?,
            point(take(G1_BYTES))?,
            point(take(G1_BYTES))?,
            point(take(G1_BYTES))?,
        );
        let (t_hat, tau_x, mu) = (
            scalar(take(SCALAR_BYTES))?,
            scalar(take(SCALAR_BYTES))?,
            scalar(take(SCALAR_BYTES))?,
        );
        let l_vec = (0..rounds)
            .map(|_| point(take(G1_BYTES)))
            .collect::<Result<Vec<_>>>()?;
        let r_vec = (0..rounds)
            .map(|_| point(take(G1_BYTES)))
            .collect::<Result<Vec<_>>>()?;
        let (a1, a2) = (scalar(take(SCALAR_BYTES))?, scalar(take(SCALAR_BYTES))?);
        let (b1, b2) = (scalar(take(SCALAR_BYTES))?, scalar(take(SCALAR_BYTES))?);
        let (a_final, b_final) = ([a1, a2], [b1, b2]);
        Ok(RangeProof {
            a,
            s,
            t1,
            t2,
            t_hat,
            tau_x,
            mu,
            l_vec,
            r_vec,
            a_final,
            b_final,
        })
    }
}

/// The inner product argument's rounds for `total_bits` (a power of two, at least [`FINAL_LEN`]).
fn rounds(total_bits: usize) -> usize {
    (total_bits.max(FINAL_LEN) / FINAL_LEN).trailing_zeros() as usize
}

/// The Fiat-Shamir transcript: a running state hashed into each challenge, which becomes the state.
struct Transcript {
    suite: Suite,
    dst: Vec<u8>,
    state: Vec<u8>,
}

impl Transcript {
    fn new(suite: Suite, api_id: &[u8], context: &[u8], bits: usize, count: usize) -> Transcript {
        let mut state = Vec::with_capacity(64 + context.len());
        state.extend_from_slice(TRANSCRIPT_LABEL);
        state.extend_from_slice(&(context.len() as u64).to_be_bytes());
        state.extend_from_slice(context);
        state.extend_from_slice(&(bits as u64).to_be_bytes());
        state.extend_from_slice(&(count as u64).to_be_bytes());
        Transcript {
            suite,
            dst: [api_id, b"BULLETPROOF_CHALLENGE_"].concat(),
            state,
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        self.state.extend_from_slice(bytes);
    }

    fn append_point(&mut self, p: &G1Affine) {
        self.append(&p.to_compressed());
    }

    /// A challenge other than zero (zero has probability 2^-255; it would break the inverses).
    fn challenge(&mut self) -> Result<Fr> {
        let c = self.suite.hash_to_scalar(&[&self.state], &self.dst)?;
        if bool::from(c.is_zero()) {
            return Err(Error::Degenerate);
        }
        self.state = c.to_be_bytes().to_vec();
        Ok(c)
    }
}

/// The public parameters of a range proof of one interface: the value and blinding bases and the vector
/// generators.
struct Bases {
    /// `Y_0` (blinding, point 0) and `Y_1` (value, point 1) of the interface's commitments.
    pedersen: std::sync::Arc<Generators>,
    /// `G_0, H_0, G_1, H_1, ...`.
    vectors: std::sync::Arc<Generators>,
}

impl Bases {
    fn of<C: Ciphersuite>(interface: &Interface<C>, total_bits: usize) -> Result<Bases> {
        let ctx = interface.context(0)?;
        Ok(Bases {
            pedersen: ctx.commitment_bases()?,
            vectors: generators::get(C::SUITE, &[C::ID, GENERATORS_SUFFIX].concat(), 2 * total_bits)?,
        })
    }

    /// `Σ G_i * g[i] + Σ H_i * h[i]`, variable time.
    fn vectors_vartime(&self, g: &[Fr], h: &[Fr]) -> G1 {
        let interleaved: Vec<Fr> = g.iter().zip(h).flat_map(|(g, h)| [*g, *h]).collect();
        self.vectors.msm_points_vartime(&interleaved)
    }

    /// `Y_0 * blinding + Y_1 * value`, variable time.
    fn pedersen_vartime(&self, blinding: &Fr, value: &Fr) -> G1 {
        self.pedersen.msm_points_vartime(&[*blinding, *value])
    }

    /// `Y_0 * blinding + Y_1 * value` in constant time.
    fn pedersen(&self, blinding: &Fr, value: &Fr) -> G1 {
        let scalars = Zeroizing::new([*blinding, *value]);
        self.pedersen.msm_points_constant_time(0, scalars.as_slice())
    }
}

fn powers(base: &Fr, count: usize) -> Vec<Fr> {
    let mut out = Vec::with_capacity(count);
    let mut power = Fr::from_u64(1);
    for _ in 0..count {
        out.push(power);
        power = power.mul(base);
    }
    out
}

fn inner_product(a: &[Fr], b: &[Fr]) -> Fr {
    a.iter().zip(b).fold(Fr::ZERO, |acc, (x, y)| acc.add(&x.mul(y)))
}

/// The values' count padded to a power of two, checked against the limits.
fn padded_count(bits: usize, count: usize) -> Result<usize> {
    if !matches!(bits, 8 | 16 | 32 | 64) || count == 0 {
        return Err(Error::RangeStatement);
    }
    let m = count.next_power_of_two();
    if bits * m > MAX_RANGE_BITS {
        return Err(Error::RangeStatement);
    }
    Ok(m)
}

/// Proves that every `values[j]` (whose message the opening opens) lies in `[0, 2^bits)`. `context` is
/// bound into the transcript (a composite proof passes a digest of its BBS proofs and the presentation
/// header). Draws its random scalars from `rng`; constant time in the values, bits and blindings.
pub fn prove_range<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    interface: &Interface<C>,
    bits: usize,
    values: &[(&RangeValue, &Opening)],
    context: &[u8],
) -> Result<RangeProof> {
    let m = padded_count(bits, values.len())?;
    let total = bits * m;
    let bases = Bases::of(interface, total)?;
    // The witnesses: v_j = σ msg + o, γ_j = σ s; padding values are 0 with blinding 0.
    let mut v = Zeroizing::new(Vec::with_capacity(m));
    let mut gamma = Zeroizing::new(Vec::with_capacity(m));
    for (value, opening) in values {
        let (sign, offset) = value.sign_and_offset();
        v.push(sign.mul(&opening.message).add(&offset));
        gamma.push(sign.mul(&opening.blinding));
    }
    v.resize(m, Fr::ZERO);
    gamma.resize(m, Fr::ZERO);
    // aL: the bits of every value (refusing a value that needs more than `bits` bits); aR = aL - 1.
    let mut bits_l = Zeroizing::new(Vec::with_capacity(total));
    for value in v.iter() {
        let limbs = Zeroizing::new(value.to_limbs());
        let in_range =
            limbs[1] == 0 && limbs[2] == 0 && limbs[3] == 0 && (bits == 64 || limbs[0] >> bits == 0);
        if !in_range {
            return Err(Error::RangeStatement);
        }
        for i in 0..bits {
            bits_l.push(((limbs[0] >> i) & 1) as u8);
        }
    }
    let a_l = Zeroizing::new(
        bits_l
            .iter()
            .map(|&b| Fr::from_u64(u64::from(b)))
            .collect::<Vec<Fr>>(),
    );
    // A's vector part: Σ (aL_i ? G_i : -H_i), the bits selected in constant time.
    let pairs: Vec<(G1Affine, G1Affine)> = (0..total)
        .map(|i| (bases.vectors.affine(2 * i), bases.vectors.affine(2 * i + 1).neg()))
        .collect();
    let choices: Vec<Choice> = bits_l.iter().map(|&b| Choice::from(b)).collect();
    let a_vectors = curve::select_sum(&pairs, &choices);
    prove_with(
        rng, interface, &bases, bits, values, &gamma, &a_l, &a_vectors, context,
    )
}

/// The prover after the witness: `a_l` the claimed bits (the honest prover's are bits), `a_vectors`
/// `Σ G_i aL_i + Σ H_i (aL_i - 1)`. The malicious provers of the tests come in here with other bits.
#[allow(
    clippy::too_many_arguments,
    reason = "the statement and the witness, in the paper's order"
)]
fn prove_with<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    interface: &Interface<C>,
    bases: &Bases,
    bits: usize,
    values: &[(&RangeValue, &Opening)],
    gamma: &[Fr],
    a_l: &[Fr],
    a_vectors: &G1,
    context: &[u8],
) -> Result<RangeProof> {
    let total = a_l.len();
    let m = total / bits;
    let one = Fr::from_u64(1);
    let a_r = Zeroizing::new(a_l.iter().map(|b| b.sub(&one)).collect::<Vec<Fr>>());

    let mut transcript = Transcript::new(C::SUITE, interface.api_id(), context, bits, values.len());
    for (value, _) in values {
        value.absorb(&mut transcript);
    }
    // Blinding scalars: α, ρ, τ1, τ2 and the vectors sL, sR.
    let random = proof::calculate_random_scalars(rng, 4 + 2 * total);
    let (alpha, rho, tau1, tau2) = (random[0], random[1], random[2], random[3]);
    let (s_l, s_r) = random[4..].split_at(total);

    // A = h α + Σ G_i aL_i + Σ H_i aR_i; S = h ρ + Σ G_i sL_i + Σ H_i sR_i
    let a = a_vectors.add(&bases.pedersen(&alpha, &Fr::ZERO));
    let interleaved = Zeroizing::new(
        s_l.iter()
            .zip(s_r)
            .flat_map(|(g, h)| [*g, *h])
            .collect::<Vec<Fr>>(),
    );
    let s = bases
        .vectors
        .msm_points_constant_time(0, &interleaved)
        .add(&bases.pedersen(&rho, &Fr::ZERO));
    let [a, s]: [G1Affine; 2] = G1::batch_to_affine(&[a, s])
        .try_into()
        .map_err(|_| Error::Degenerate)?;
    transcript.append_point(&a);
    transcript.append_point(&s);
    let y = transcript.challenge()?;
    let z = transcript.challenge()?;

    // l(X) = (aL - z) + sL X; r(X) = y^i ∘ (aR + z + sR X) + z^(2+j) 2^(i mod n)
    let y_powers = powers(&y, total);
    let z_powers = powers(&z, m + 2);
    let two_powers = powers(&Fr::from_u64(2), bits);
    let l0 = Zeroizing::new(a_l.iter().map(|x| x.sub(&z)).collect::<Vec<Fr>>());
    let r0 = Zeroizing::new(
        (0..total)
            .map(|i| {
                y_powers[i]
                    .mul(&a_r[i].add(&z))
                    .add(&z_powers[2 + i / bits].mul(&two_powers[i % bits]))
            })
            .collect::<Vec<Fr>>(),
    );
    let r1 = Zeroizing::new((0..total).map(|i| y_powers[i].mul(&s_r[i])).collect::<Vec<Fr>>());
    // t(X) = <l(X), r(X)> = t0 + t1 X + t2 X^2
    let t1 = Zeroizing::new(inner_product(&l0, &r1).add(&inner_product(s_l, &r0)));
    let t2 = Zeroizing::new(inner_product(s_l, &r1));
    let [t1_point, t2_point]: [G1Affine; 2] =
        G1::batch_to_affine(&[bases.pedersen(&tau1, &t1), bases.pedersen(&tau2, &t2)])
            .try_into()
            .map_err(|_| Error::Degenerate)?;
    transcript.append_point(&t1_point);
    transcript.append_point(&t2_point);
    let x = transcript.challenge()?;

    // l = l(x), r = r(x), t^ = <l, r>; τx = τ2 x^2 + τ1 x + Σ z^(2+j) γ_j; μ = α + ρ x
    let l: Vec<Fr> = l0.iter().zip(s_l).map(|(l0, s)| l0.add(&s.mul(&x))).collect();
    let r: Vec<Fr> = r0
        .iter()
        .zip(r1.iter())
        .map(|(r0, r1)| r0.add(&r1.mul(&x)))
        .collect();
    let t_hat = inner_product(&l, &r);
    let tau_x = gamma
        .iter()
        .enumerate()
        .fold(tau2.mul(&x.mul(&x)).add(&tau1.mul(&x)), |acc, (j, g)| {
            acc.add(&z_powers[2 + j].mul(g))
        });
    let mu = alpha.add(&rho.mul(&x));
    for k in [&t_hat, &tau_x, &mu] {
        transcript.append(&k.to_be_bytes());
    }
    let w = transcript.challenge()?;

    // The inner product argument on l, r over G and H' = y^-i H, with Q = w Y_1.
    let y_inverse_powers = powers(&y.invert(), total);
    let (l_vec, r_vec, a_final, b_final) =
        inner_product_prove(bases, &w, &y_inverse_powers, l, r, &mut transcript)?;
    Ok(RangeProof {
        a,
        s,
        t1: t1_point,
        t2: t2_point,
        t_hat,
        tau_x,
        mu,
        l_vec,
        r_vec,
        a_final,
        b_final,
    })
}

/// The inner product argument's prover (Protocol 2), with every round's `L` and `R` an MSM over the
/// original generators: the folded generator `G^(k)_j` is `Σ_(i ≡ j mod n_k) gw_i G_i`, so folding only
/// updates the weights `gw, hw`, and each MSM goes through the generators' comb tables. (Folding the
/// points themselves costs a two-term MSM per generator and round, several times more on this curve.)
#[allow(clippy::type_complexity, reason = "the argument's four outputs")]
fn inner_product_prove(
    bases: &Bases,
    w: &Fr,
    y_inverse_powers: &[Fr],
    mut a: Vec<Fr>,
    mut b: Vec<Fr>,
    transcript: &mut Transcript,
) -> Result<(Vec<G1Affine>, Vec<G1Affine>, [Fr; FINAL_LEN], [Fr; FINAL_LEN])> {
    let total = a.len();
    let mut gw = vec![Fr::from_u64(1); total];
    let mut hw = y_inverse_powers.to_vec();
    let (mut l_vec, mut r_vec) = (Vec::new(), Vec::new());
    let mut n = total;
    while n > FINAL_LEN {
        let half = n / 2;
        let (a_lo, a_hi) = a.split_at(half);
        let (b_lo, b_hi) = b.split_at(half);
        let c_l = inner_product(a_lo, b_hi);
        let c_r = inner_product(a_hi, b_lo);
        // L = Σ a_lo[j] G_(half+j) + Σ b_hi[j] H'_j + c_L Q; R = Σ a_hi[j] G_j + Σ b_lo[j] H'_(half+j) + c_R Q
        let (mut lg, mut lh, mut rg, mut rh) = (
            vec![Fr::ZERO; total],
            vec![Fr::ZERO; total],
            vec![Fr::ZERO; total],
            vec![Fr::ZERO; total],
        );
        for i in 0..total {
            let k = i % n;
            if k >= half {
                lg[i] = a_lo[k - half].mul(&gw[i]);
                rh[i] = b_lo[k - half].mul(&hw[i]);
            } else {
                lh[i] = b_hi[k].mul(&hw[i]);
                rg[i] = a_hi[k].mul(&gw[i]);
            }
        }
        let l_point = bases
            .vectors_vartime(&lg, &lh)
            .add(&bases.pedersen_vartime(&Fr::ZERO, &c_l.mul(w)));
        let r_point = bases
            .vectors_vartime(&rg, &rh)
            .add(&bases.pedersen_vartime(&Fr::ZERO, &c_r.mul(w)));
        let [l_point, r_point]: [G1Affine; 2] = G1::batch_to_affine(&[l_point, r_point])
            .try_into()
            .map_err(|_| Error::Degenerate)?;
        transcript.append_point(&l_point);
        transcript.append_point(&r_point);
        let u = transcript.challenge()?;
        let u_inv = u.invert();
        // a' = a_lo u + a_hi u^-1; b' = b_lo u^-1 + b_hi u; G' = G_lo u^-1 + G_hi u; H' = H_lo u + H_hi u^-1
        a = a_lo
            .iter()
            .zip(a_hi)
            .map(|(lo, hi)| lo.mul(&u).add(&hi.mul(&u_inv)))
            .collect();
        b = b_lo
            .iter()
            .zip(b_hi)
            .map(|(lo, hi)| lo.mul(&u_inv).add(&hi.mul(&u)))
            .collect();
        for i in 0..total {
            if i % n < half {
                gw[i] = gw[i].mul(&u_inv);
                hw[i] = hw[i].mul(&u);
            } else {
                gw[i] = gw[i].mul(&u);
                hw[i] = hw[i].mul(&u_inv);
            }
        }
        l_vec.push(l_point);
        r_vec.push(r_point);
        n = half;
    }
    let (a_final, b_final) = (
        a.try_into().map_err(|_| Error::Degenerate)?,
        b.try_into().map_err(|_| Error::Degenerate)?,
    );
    Ok((l_vec, r_vec, a_final, b_final))
}

/// Verifies a range proof for `values` at `bits` bits under the same `context`: one multi-scalar
/// multiplication for both of the paper's checks (the polynomial identity and the inner product
/// argument), the first weighted by a challenge of its own.
pub fn verify_range<C: Ciphersuite>(
    interface: &Interface<C>,
    bits: usize,
    values: &[RangeValue],
    proof: &RangeProof,
    context: &[u8],
) -> Result<()> {
    let m = padded_count(bits, values.len()).map_err(|_| Error::VerificationFailed)?;
    let total = bits * m;
    let rounds = rounds(total);
    if proof.l_vec.len() != rounds || proof.r_vec.len() != rounds {
        return Err(Error::VerificationFailed);
    }
    let bases = Bases::of(interface, total)?;
    let fail = |_| Error::VerificationFailed;
    let mut transcript = Transcript::new(C::SUITE, interface.api_id(), context, bits, values.len());
    for value in values {
        value.absorb(&mut transcript);
    }
    transcript.append_point(&proof.a);
    transcript.append_point(&proof.s);
    let y = transcript.challenge().map_err(fail)?;
    let z = transcript.challenge().map_err(fail)?;
    transcript.append_point(&proof.t1);
    transcript.append_point(&proof.t2);
    let x = transcript.challenge().map_err(fail)?;
    for k in [&proof.t_hat, &proof.tau_x, &proof.mu] {
        transcript.append(&k.to_be_bytes());
    }
    let w = transcript.challenge().map_err(fail)?;
    let mut u = Vec::with_capacity(rounds);
    for (l, r) in proof.l_vec.iter().zip(&proof.r_vec) {
        transcript.append_point(l);
        transcript.append_point(r);
        u.push(transcript.challenge().map_err(fail)?);
    }
    // The weight of the polynomial identity, from everything the proof holds.
    for k in proof.a_final.iter().chain(&proof.b_final) {
        transcript.append(&k.to_be_bytes());
    }
    let c = transcript.challenge().map_err(fail)?;

    // The folded generators are G^fin_f = Σ_(i mod 2 = f) s_(i / 2) G_i with s_k = Π_r u_r^(±1) by the
    // bits of k (dalek's verification scalars over the rounds made); 1 / s_k = s_(K-1-k).
    let folded = total / FINAL_LEN;
    let u_inv: Vec<Fr> = u.iter().map(Fr::invert).collect();
    let u_sq: Vec<Fr> = u.iter().map(|x| x.mul(x)).collect();
    let u_inv_sq: Vec<Fr> = u_inv.iter().map(|x| x.mul(x)).collect();
    let mut s = vec![u_inv.iter().fold(Fr::from_u64(1), |acc, x| acc.mul(x)); folded];
    for k in 1..folded {
        let lg = usize::BITS as usize - 1 - k.leading_zeros() as usize;
        s[k] = s[k - (1 << lg)].mul(&u_sq[rounds - 1 - lg]);
    }
    let (a, b) = (&proof.a_final, &proof.b_final);
    let y_inverse_powers = powers(&y.invert(), total);
    let z_powers = powers(&z, m + 3);
    let two_powers = powers(&Fr::from_u64(2), bits);
    let z_sq = z.mul(&z);
    // Halving keeps i mod n, so original generator i ends at final position f = i mod FINAL_LEN, with
    // the challenges chosen by the bits of k = i / FINAL_LEN.
    // G_i: -z - a_f s_k; H_i: z + y^-i (z^(2+j) 2^(i mod n) - b_f / s_k)
    let g: Vec<Fr> = (0..total)
        .map(|i| z.neg().sub(&a[i % FINAL_LEN].mul(&s[i / FINAL_LEN])))
        .collect();
    let h: Vec<Fr> = (0..total)
        .map(|i| {
            let shifted = z_powers[2 + i / bits].mul(&two_powers[i % bits]);
            let s_inv = &s[folded - 1 - i / FINAL_LEN];
            z.add(&y_inverse_powers[i].mul(&shifted.sub(&b[i % FINAL_LEN].mul(s_inv))))
        })
        .collect();
    let ab = inner_product(a, b);
    // δ(y, z) = (z - z^2) Σ y^i - Σ_j z^(3+j) (2^n - 1)
    let sum_y = powers(&y, total).iter().fold(Fr::ZERO, |acc, p| acc.add(p));
    let sum_2 = two_powers.iter().fold(Fr::ZERO, |acc, p| acc.add(p));
    let delta = (0..m).fold(z.sub(&z_sq).mul(&sum_y), |acc, j| {
        acc.sub(&z_powers[3 + j].mul(&sum_2))
    });
    // The value commitments V'_j = σ_j C_j + o_j Y_1 enter as c z^(2+j) (σ_j C_j) and c z^(2+j) o_j Y_1.
    let mut value_scalar = w.mul(&proof.t_hat.sub(&ab)).add(&c.mul(&delta.sub(&proof.t_hat)));
    let mut points = vec![proof.a, proof.s, proof.t1, proof.t2];
    let mut scalars = vec![Fr::from_u64(1), x, c.mul(&x), c.mul(&x.mul(&x))];
    for (j, value) in values.iter().enumerate() {
        let (sign, offset) = value.sign_and_offset();
        let weight = c.mul(&z_powers[2 + j]);
        points.push(value.commitment.point);
        scalars.push(weight.mul(&sign));
        value_scalar = value_scalar.add(&weight.mul(&offset));
    }
    points.extend(proof.l_vec.iter().chain(&proof.r_vec));
    scalars.extend(u_sq.iter().chain(&u_inv_sq));
    let blinding_scalar = proof.mu.neg().sub(&c.mul(&proof.tau_x));
    let sum = bases
        .vectors_vartime(&g, &h)
        .add(&bases.pedersen_vartime(&blinding_scalar, &value_scalar))
        .add(&curve::msm_vartime_glv(&points, &scalars));
    if sum.is_identity() {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}

#[cfg(test)]
mod tests {
    //! Completeness at the edges and the malicious provers, against the internals: a prover with a
    //! value out of range (its bits truncated, or not bits at all), a commitment to another value, a
    //! proof moved to another context or statement.

    #![allow(
        clippy::unwrap_used,
        reason = "a test states its expectations by failing loudly"
    )]

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::Bls12381Sha256;
    use crate::committed::Opening;

    type Suite = Bls12381Sha256;

    fn interface() -> Interface<Suite> {
        Interface::<Suite>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_RANGE_TEST_").unwrap()
    }

    /// A commitment to `value` with a random blinding, and its opening.
    fn commit(rng: &mut StdRng, value: u64) -> (MessageCommitment, Opening) {
        let bases = interface().context(0).unwrap().commitment_bases().unwrap();
        let blinding = proof::calculate_random_scalars(rng, 1)[0];
        let message = Fr::from_u64(value);
        let point = bases.msm_points_vartime(&[blinding, message]).to_affine();
        (
            MessageCommitment::from_point(point),
            Opening { message, blinding },
        )
    }

    fn round_trip(bits: usize, values: &[(u64, bool, u64)]) -> Result<()> {
        let mut rng = StdRng::seed_from_u64(bits as u64 + values.len() as u64);
        let api = interface();
        let committed: Vec<(RangeValue, Opening)> = values
            .iter()
            .map(|&(v, upper, bound)| {
                let (c, o) = commit(&mut rng, v);
                let value = if upper {
                    RangeValue::at_most(c, bound)
                } else {
                    RangeValue::at_least(c, bound)
                };
                (value, o)
            })
            .collect();
        let pairs: Vec<(&RangeValue, &Opening)> = committed.iter().map(|(v, o)| (v, o)).collect();
        let proof = prove_range(&mut rng, &api, bits, &pairs, b"context")?;
        let statement: Vec<RangeValue> = committed.iter().map(|(v, _)| v.clone()).collect();
        let total = bits * values.len().next_power_of_two();
        assert_eq!(proof.to_bytes().len(), RangeProof::encoded_len(total));
        let decoded = RangeProof::from_bytes(&proof.to_bytes(), total).unwrap();
        assert_eq!(decoded, proof);
        verify_range(&api, bits, &statement, &decoded, b"context")?;
        assert_eq!(
            verify_range(&api, bits, &statement, &decoded, b"another context"),
            Err(Error::VerificationFailed)
        );
        Ok(())
    }

    #[test]
    fn values_in_range_prove_at_every_width_and_edge() {
        for bits in [8usize, 16, 32, 64] {
            let top = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
            // msg - a at 0 and at 2^n - 1; b - msg at 0 and at 2^n - 1
            round_trip(bits, &[(1000, false, 1000)]).unwrap();
            round_trip(bits, &[(top, false, 0)]).unwrap();
            round_trip(bits, &[(777, true, 777), (0, true, top)]).unwrap();
            if bits < 64 {
                round_trip(bits, &[(top + 5, false, 5), (5, true, top + 5)]).unwrap();
            }
            round_trip(bits, &[(3, false, 0), (9, true, 9), (0, false, 0)]).unwrap();
        }
        // Four 16-bit values (the licence: valid from, valid until, born before) and a padded three.
        round_trip(
            16,
            &[
                (20000, false, 19000),
                (20000, true, 21000),
                (9000, true, 13000),
                (1, false, 0),
            ],
        )
        .unwrap();
    }

    #[test]
    fn values_out_of_range_are_refused_to_the_honest_prover() {
        for bits in [8usize, 16, 32] {
            assert_eq!(
                round_trip(bits, &[(999, false, 1000)]),
                Err(Error::RangeStatement)
            );
            assert_eq!(
                round_trip(bits, &[(1001, true, 1000)]),
                Err(Error::RangeStatement)
            );
            assert_eq!(
                round_trip(bits, &[((1 << bits) + 5, false, 5)]),
                Err(Error::RangeStatement)
            );
        }
        assert_eq!(round_trip(12, &[(1, false, 0)]), Err(Error::RangeStatement));
        assert_eq!(round_trip(64, &[(1, false, 0); 5]), Err(Error::RangeStatement));
    }

    /// The lying prover: the statement's values as given, but bits of its own choosing.
    fn lying_prover(bits: usize, value: u64, a_l: Vec<Fr>) -> (RangeValue, RangeProof) {
        let mut rng = StdRng::seed_from_u64(value);
        let api = interface();
        let (c, o) = commit(&mut rng, value);
        let statement = RangeValue::at_least(c, 0);
        let bases = Bases::of(&api, bits).unwrap();
        let one = Fr::from_u64(1);
        let a_r: Vec<Fr> = a_l.iter().map(|x| x.sub(&one)).collect();
        let a_vectors = bases.vectors_vartime(&a_l, &a_r);
        let pairs = [(&statement, &o)];
        let proof = prove_with(
            &mut rng,
            &api,
            &bases,
            bits,
            &pairs,
            &[o.blinding],
            &a_l,
            &a_vectors,
            b"ctx",
        )
        .unwrap();
        (statement, proof)
    }

    fn bits_of(value: u64, bits: usize) -> Vec<Fr> {
        (0..bits).map(|i| Fr::from_u64((value >> i) & 1)).collect()
    }

    #[test]
    fn a_value_past_the_range_with_truncated_bits_is_refused() {
        // 2^16 + 7 claimed with the bits of 7; the bits of 2^16 - 1 for 2^16.
        for (value, claimed) in [((1u64 << 16) + 7, 7u64), (1 << 16, (1 << 16) - 1)] {
            let (statement, proof) = lying_prover(16, value, bits_of(claimed, 16));
            assert_eq!(
                verify_range(&interface(), 16, &[statement], &proof, b"ctx"),
                Err(Error::VerificationFailed)
            );
        }
        // The honest bits verify, so the refusal above is the lie's.
        let (statement, proof) = lying_prover(16, 7, bits_of(7, 16));
        assert_eq!(
            verify_range(&interface(), 16, &[statement], &proof, b"ctx"),
            Ok(())
        );
    }

    #[test]
    fn digits_that_are_not_bits_are_refused() {
        // 2^16 + 1 written as 2 * 2^15 + 1: a digit 2 where a bit must be.
        let mut a_l = bits_of(1, 16);
        a_l[15] = Fr::from_u64(2);
        let (statement, proof) = lying_prover(16, (1 << 16) + 1, a_l);
        assert_eq!(
            verify_range(&interface(), 16, &[statement], &proof, b"ctx"),
            Err(Error::VerificationFailed)
        );
        // A negative value: r - 1 "is" -1; its low bits are no witness.
        let mut rng = StdRng::seed_from_u64(4);
        let (c, o) = commit(&mut rng, 0);
        let statement = RangeValue::at_least(c, 1);
        assert_eq!(
            prove_range(&mut rng, &interface(), 16, &[(&statement, &o)], b"ctx").err(),
            Some(Error::RangeStatement)
        );
    }

    #[test]
    fn a_proof_for_one_statement_is_refused_for_another() {
        let mut rng = StdRng::seed_from_u64(5);
        let api = interface();
        let (c, o) = commit(&mut rng, 20_000);
        let (other, _) = commit(&mut rng, 20_000);
        let statement = RangeValue::at_least(c.clone(), 19_000);
        let proof = prove_range(&mut rng, &api, 16, &[(&statement, &o)], b"ctx").unwrap();
        for wrong in [
            RangeValue::at_least(c.clone(), 19_001),
            RangeValue::at_most(c.clone(), 19_000),
            RangeValue::at_least(other, 19_000),
        ] {
            assert_eq!(
                verify_range(&api, 16, &[wrong], &proof, b"ctx"),
                Err(Error::VerificationFailed)
            );
        }
        assert_eq!(
            verify_range(&api, 32, std::slice::from_ref(&statement), &proof, b"ctx"),
            Err(Error::VerificationFailed)
        );
        assert_eq!(
            verify_range(&api, 16, &[statement.clone(), statement], &proof, b"ctx"),
            Err(Error::VerificationFailed)
        );
    }
}
