//! A positive dynamic accumulator on BLS12-381 after Vitto and Biryukov, "Dynamic Universal Accumulator
//! with Batch Update over Bilinear Groups" (CT-RSA 2022), positive variant: the issuer (manager) holds
//! `α`, publishes `Q~ = α P~` in G2 and the value `V` in G1; an element `y` is in the accumulator when
//! its holder has a witness `C` with `(y + α) C = V`, checked as `h(C, y P~ + Q~) = h(V, P~)`.
//!
//! ecert pre-adds a whole domain of elements when an accumulator is made, `y_k = hash_to_scalar(id ||
//! I2OSP(k, 8))` for `k < capacity`, so that issuing a certificate (which signs `y_k` as a hidden message)
//! does not change `V` and costs no holder an update: `V = P * Π_k (y_k + α)` with `P` hashed from the
//! accumulator's id. Revocation and suspension remove an element, reinstatement adds it back; each epoch's
//! changes are published as batches (§4 of the paper) from which every holder updates its witness
//! without asking the issuer:
//!
//! * removals `D = (y_1, ..., y_m)`: `V' = V / Π (y_i + α)`, and `Ω_k = v_k V` for the coefficients of
//!   `v_D(x) = Σ_s Π_(i<s) (y_i - x) / Π_(i<=s) (y_i + α)`; a holder of `y ∉ D` takes
//!   `C' = (C - Σ_k y^k Ω_k) / Π_i (y_i - y)`;
//! * additions `A = (x_1, ..., x_n)`: `V' = V Π (x_i + α)`, `Ω_k = v_k V` for `v_A(x) = Σ_s Π_(i<s) (x_i +
//!   α) Π_(i>s) (x_i - x)`; a holder takes `C' = Π_i (x_i - y) C + Σ_k y^k Ω_k`.
//!
//! A presentation proves membership of a committed message ([`crate::committed`]) without showing the
//! element or the witness ([`prove_membership`]): `C̄ = r C`, `V̄ = r V - y C̄` (so `V̄ = α C̄`, checked by
//! the pairing) and a Schnorr proof of `(r, y, s)` for `V̄ = r V - y C̄` and the commitment `Y_0 s + Y_1 y`
//! with one response for `y`. specs/revocation.md has the artefacts, the sizes and the security argument.
//!
//! # Constant time
//!
//! `α` and everything derived from it (the product for `V`, `Ω`'s coefficients, witnesses) go through
//! constant-time multiplications: blst's GLV, the comb over a fixed point, the Straus MSM. The holder's
//! element and witness are secret: the membership proof's sums are constant time, and so is a witness
//! update except for its sum over the public `Ω` with the powers of `y` ([`Witness::update`] says why).
//! Checking a witness ([`AccumulatorPublicKey::check_witness_vartime`]) is a pairing on it and variable
//! time: the holder runs it on its own device after an update, not where a verifier could time it.

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::ciphersuite::{Ciphersuite, Suite};
use crate::committed::{MessageCommitment, Opening};
use crate::curve::{self, CtComb, CtTable, Fr, G1, G1_BYTES, G1Affine, G2_BYTES, G2Affine, SCALAR_BYTES};
use crate::error::{Error, Result};
use crate::interface::Interface;
use crate::proof;
use crate::scalar::Scalar;

/// The tags of the accumulator's hashes, after `ciphersuite_id`.
const ELEMENT_SUFFIX: &[u8] = b"H2G_ECERT_ACCUMULATOR_ELEMENT_";
const BASE_SUFFIX: &[u8] = b"H2G_ECERT_ACCUMULATOR_BASE_";
const CHALLENGE_SUFFIX: &[u8] = b"H2G_ECERT_ACCUMULATOR_MEMBERSHIP_";

/// `y_k = hash_to_scalar(id || I2OSP(k, 8), ciphersuite_id || "H2G_ECERT_ACCUMULATOR_ELEMENT_")`: the
/// `k`-th element of accumulator `id`'s domain, the value a certificate signs as its revocation handle.
pub fn element<C: Ciphersuite>(accumulator_id: &[u8], index: u64) -> Result<Scalar> {
    let dst = [C::ID, ELEMENT_SUFFIX].concat();
    C::SUITE
        .hash_to_scalar(&[accumulator_id, &index.to_be_bytes()], &dst)
        .map(Scalar)
}

/// `P = hash_to_curve_g1(id, ciphersuite_id || "H2G_ECERT_ACCUMULATOR_BASE_")`.
fn base(suite: Suite, id: &[u8]) -> Result<G1> {
    let dst = [suite.id(), BASE_SUFFIX].concat();
    suite.hash_to_curve_g1(&[id], &dst)
}

/// The manager's secret `α`. Zeroized on drop, no `Debug` output of its value, no `Clone`.
pub struct AccumulatorSecretKey {
    alpha: Fr,
    public_key: AccumulatorPublicKey,
}

/// `Q~ = α P~` in G2. Public.
#[derive(Clone)]
pub struct AccumulatorPublicKey {
    q: G2Affine,
    bytes: [u8; G2_BYTES],
}

/// The accumulator's value `V`. Public.
#[derive(Clone)]
pub struct Accumulator {
    value: G1Affine,
    bytes: [u8; G1_BYTES],
}

/// A membership witness `C` with `(y + α) C = V`. The holder's secret (it would link presentations):
/// zeroized on drop, no `Debug` output of its value.
pub struct Witness(G1Affine);

/// What changed in one batch, and the points every holder needs to follow: the elements (public: a
/// removed element is a revoked or suspended certificate's handle, which no presentation shows) and `Ω`.
#[derive(Clone)]
pub struct UpdateBatch {
    kind: UpdateKind,
    elements: Vec<Fr>,
    omega: Vec<G1Affine>,
}

/// Additions or removals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UpdateKind {
    /// Elements added (reinstatements).
    Add,
    /// Elements removed (revocations, suspensions).
    Remove,
}

/// Equality and hashing by encoding, for the public values.
macro_rules! by_bytes {
    ($($t:ty),*) => {$(
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.to_bytes()[..] == other.to_bytes()[..]
            }
        }
        impl Eq for $t {}
        impl core::hash::Hash for $t {
            fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
                self.to_bytes()[..].hash(state);
            }
        }
    )*};
}

by_bytes!(AccumulatorPublicKey, Accumulator, UpdateBatch, MembershipProof);

impl fmt::Debug for AccumulatorSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccumulatorSecretKey")
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

impl Drop for AccumulatorSecretKey {
    fn drop(&mut self) {
        self.alpha.zeroize();
    }
}

impl ZeroizeOnDrop for AccumulatorSecretKey {}

impl fmt::Debug for AccumulatorPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccumulatorPublicKey(")?;
        for b in &self.bytes[..8] {
            write!(f, "{b:02x}")?;
        }
        f.write_str("..)")
    }
}

impl fmt::Debug for Accumulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Accumulator(")?;
        for b in &self.bytes[..8] {
            write!(f, "{b:02x}")?;
        }
        f.write_str("..)")
    }
}

impl fmt::Debug for Witness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Witness(..)")
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for Witness {}

impl fmt::Debug for UpdateBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateBatch")
            .field("kind", &self.kind)
            .field("elements", &self.elements.len())
            .finish_non_exhaustive()
    }
}

impl AccumulatorSecretKey {
    /// A fresh `α` from `rng`.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Result<AccumulatorSecretKey> {
        let alpha = Scalar::random(rng).0;
        AccumulatorSecretKey::from_scalar(alpha)
    }

    fn from_scalar(alpha: Fr) -> Result<AccumulatorSecretKey> {
        if bool::from(alpha.is_zero()) {
            return Err(Error::MalformedSecretKey);
        }
        let q = G2Affine::generator_mul(&alpha);
        Ok(AccumulatorSecretKey {
            alpha,
            public_key: AccumulatorPublicKey {
                bytes: q.to_compressed(),
                q,
            },
        })
    }

    /// `I2OSP(α, 32)`: store it sealed.
    pub fn to_bytes(&self) -> [u8; SCALAR_BYTES] {
        self.alpha.to_be_bytes()
    }

    /// 32 bytes of a scalar in 1..r-1.
    pub fn from_bytes(bytes: &[u8]) -> Result<AccumulatorSecretKey> {
        let bytes: &[u8; SCALAR_BYTES] = bytes.try_into().map_err(|_| Error::MalformedSecretKey)?;
        let alpha = Fr::from_be_bytes_canonical(bytes).ok_or(Error::MalformedSecretKey)?;
        AccumulatorSecretKey::from_scalar(alpha)
    }

    /// `Q~`.
    pub fn public_key(&self) -> AccumulatorPublicKey {
        self.public_key.clone()
    }

    /// A new accumulator for `id` with the elements `y_0, ..., y_(capacity-1)` in it:
    /// `V = P * Π_k (y_k + α)`. Linear in the capacity (a hash and a multiplication per element).
    pub fn initialize<C: Ciphersuite>(&self, id: &[u8], capacity: u64) -> Result<Accumulator> {
        let mut product = Zeroizing::new(Fr::from_u64(1));
        for k in 0..capacity {
            let y = element::<C>(id, k)?;
            *product = product.mul(&y.0.add(&self.alpha));
        }
        if bool::from(product.is_zero()) {
            return Err(Error::Degenerate);
        }
        Ok(Accumulator::from_point(
            base(C::SUITE, id)?.mul(&product).to_affine(),
        ))
    }

    /// The witness of `y`: `C = V / (y + α)`.
    pub fn witness(&self, accumulator: &Accumulator, y: &Scalar) -> Result<Witness> {
        let sum = Zeroizing::new(y.0.add(&self.alpha));
        if bool::from(sum.is_zero()) {
            return Err(Error::Degenerate);
        }
        let inverse = Zeroizing::new(sum.invert());
        Ok(Witness(
            accumulator.value.to_projective().mul(&inverse).to_affine(),
        ))
    }

    /// Removes `elements` (distinct, each in the accumulator) at once: the new value and the batch
    /// holders follow. `O(m^2)` field operations and `m` constant-time multiplications of `V`.
    pub fn remove(
        &self,
        accumulator: &Accumulator,
        elements: &[Scalar],
    ) -> Result<(Accumulator, UpdateBatch)> {
        let ys: Vec<Fr> = elements.iter().map(|e| e.0).collect();
        distinct(&ys)?;
        // P_s = Π_(i<=s) (y_i + α), inverted together.
        let mut prefix = Zeroizing::new(Vec::with_capacity(ys.len()));
        let mut running = Fr::from_u64(1);
        for y in &ys {
            running = running.mul(&y.add(&self.alpha));
            prefix.push(running);
        }
        let inverses = Zeroizing::new(batch_invert(&prefix)?);
        // v_D(x) = Σ_s Π_(i<s) (y_i - x) * inverses[s]; the product polynomial is grown one factor a step.
        let mut coefficients = Zeroizing::new(vec![Fr::ZERO; ys.len()]);
        let mut poly = vec![Fr::from_u64(1)];
        for (s, y) in ys.iter().enumerate() {
            for (k, p) in poly.iter().enumerate() {
                coefficients[k] = coefficients[k].add(&p.mul(&inverses[s]));
            }
            poly = times_root_minus_x(&poly, y);
        }
        let omega = times_point(&accumulator.value, &coefficients);
        let total = inverses.last().copied().unwrap_or(Fr::from_u64(1));
        let value = accumulator.value.to_projective().mul(&total).to_affine();
        Ok((
            Accumulator::from_point(value),
            UpdateBatch {
                kind: UpdateKind::Remove,
                elements: ys,
                omega,
            },
        ))
    }

    /// Adds `elements` (distinct, none in the accumulator) at once: the new value and the batch holders
    /// follow. The added elements' holders need new witnesses ([`AccumulatorSecretKey::witness`]).
    pub fn add(&self, accumulator: &Accumulator, elements: &[Scalar]) -> Result<(Accumulator, UpdateBatch)> {
        let xs: Vec<Fr> = elements.iter().map(|e| e.0).collect();
        distinct(&xs)?;
        let n = xs.len();
        // prefix[s] = Π_(i<s) (x_i + α); suffix polynomials Π_(i>s) (x_i - x), grown from the end.
        let mut prefix = Zeroizing::new(Vec::with_capacity(n + 1));
        let mut running = Fr::from_u64(1);
        for x in &xs {
            prefix.push(running);
            running = running.mul(&x.add(&self.alpha));
        }
        let total = Zeroizing::new(running);
        let mut coefficients = Zeroizing::new(vec![Fr::ZERO; n]);
        let mut poly = vec![Fr::from_u64(1)];
        for s in (0..n).rev() {
            for (k, p) in poly.iter().enumerate() {
                coefficients[k] = coefficients[k].add(&p.mul(&prefix[s]));
            }
            poly = times_root_minus_x(&poly, &xs[s]);
        }
        let omega = times_point(&accumulator.value, &coefficients);
        if bool::from(total.is_zero()) {
            return Err(Error::Degenerate);
        }
        let value = accumulator.value.to_projective().mul(&total).to_affine();
        Ok((
            Accumulator::from_point(value),
            UpdateBatch {
                kind: UpdateKind::Add,
                elements: xs,
                omega,
            },
        ))
    }
}

/// Refuses a batch with the same element twice (its update polynomials would divide by zero).
fn distinct(elements: &[Fr]) -> Result<()> {
    let mut bytes: Vec<[u8; SCALAR_BYTES]> = elements.iter().map(Fr::to_be_bytes).collect();
    bytes.sort_unstable();
    if bytes.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::AccumulatorUpdate);
    }
    Ok(())
}

/// `poly(x) * (root - x)`, coefficients from the constant term up.
fn times_root_minus_x(poly: &[Fr], root: &Fr) -> Vec<Fr> {
    let mut out = vec![Fr::ZERO; poly.len() + 1];
    for (k, p) in poly.iter().enumerate() {
        out[k] = out[k].add(&p.mul(root));
        out[k + 1] = out[k + 1].sub(p);
    }
    out
}

/// Montgomery's batch inversion, constant time in the values; zero is refused.
fn batch_invert(values: &[Fr]) -> Result<Vec<Fr>> {
    let mut prefix = Vec::with_capacity(values.len());
    let mut running = Fr::from_u64(1);
    for v in values {
        prefix.push(running);
        running = running.mul(v);
    }
    if bool::from(running.is_zero()) {
        return Err(Error::Degenerate);
    }
    let mut inverse = running.invert();
    let mut out = vec![Fr::ZERO; values.len()];
    for i in (0..values.len()).rev() {
        out[i] = inverse.mul(&prefix[i]);
        inverse = inverse.mul(&values[i]);
    }
    Ok(out)
}

/// `k_i * V` for secret coefficients `k_i`, on one constant-time comb table of `V`.
fn times_point(v: &G1Affine, coefficients: &[Fr]) -> Vec<G1Affine> {
    let table = CtComb::build(v);
    let points: Vec<G1> = coefficients
        .iter()
        .map(|k| curve::comb_msm(&[(&table, *k)]))
        .collect();
    G1::batch_to_affine(&points)
}

impl AccumulatorPublicKey {
    /// `point_to_octets_E2(Q~)`: 96 bytes.
    pub fn to_bytes(&self) -> [u8; G2_BYTES] {
        self.bytes
    }

    /// A compressed point of G2, in the subgroup, not the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<AccumulatorPublicKey> {
        let bytes: &[u8; G2_BYTES] = bytes.try_into().map_err(|_| Error::MalformedPublicKey)?;
        let q = G2Affine::from_compressed_vartime(bytes).ok_or(Error::MalformedPublicKey)?;
        Ok(AccumulatorPublicKey { q, bytes: *bytes })
    }

    /// Whether `witness` shows `y` in `accumulator`: `h(C, y P~ + Q~) = h(V, P~)`. Variable time (a
    /// pairing on the holder's witness): for the holder's own check after an update.
    pub fn check_witness_vartime(
        &self,
        accumulator: &Accumulator,
        y: &Scalar,
        witness: &Witness,
    ) -> Result<()> {
        let point = G2Affine::generator().mul_add(&y.0, &self.q);
        if witness.0.to_projective().is_identity() {
            return Err(Error::VerificationFailed);
        }
        let pairs = [
            (witness.0, point),
            (accumulator.value.neg(), G2Affine::generator()),
        ];
        if curve::pairing_product_is_one_n_vartime(&pairs) {
            Ok(())
        } else {
            Err(Error::VerificationFailed)
        }
    }
}

impl Accumulator {
    fn from_point(value: G1Affine) -> Accumulator {
        Accumulator {
            bytes: value.to_compressed(),
            value,
        }
    }

    /// `point_to_octets_E1(V)`: 48 bytes.
    pub fn to_bytes(&self) -> [u8; G1_BYTES] {
        self.bytes
    }

    /// A compressed point of G1, in the subgroup, not the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Accumulator> {
        let bytes: &[u8; G1_BYTES] = bytes.try_into().map_err(|_| Error::MalformedPoint)?;
        G1Affine::from_compressed_vartime(bytes)
            .map(Accumulator::from_point)
            .ok_or(Error::MalformedPoint)
    }
}

impl Witness {
    /// `point_to_octets_E1(C)`. The bytes are the holder's secret: store them sealed.
    pub fn to_bytes(&self) -> [u8; G1_BYTES] {
        self.0.to_compressed()
    }

    /// A compressed point of G1, in the subgroup, not the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Witness> {
        let bytes: &[u8; G1_BYTES] = bytes.try_into().map_err(|_| Error::MalformedPoint)?;
        G1Affine::from_compressed_vartime(bytes)
            .map(Witness)
            .ok_or(Error::MalformedPoint)
    }

    /// The witness of `y` after `batch`. A removed `y` has no witness any more
    /// ([`Error::AccumulatorUpdate`]).
    ///
    /// The sum `Σ y^k Ω_k` over the batch is a variable-time Pippenger MSM in the powers of `y`; the rest
    /// (`d(y)`, its inverse, the combination with the witness) is constant time. Why variable time is
    /// acceptable here (specs/revocation.md §3): the update runs on the holder's own device, offline from
    /// any verifier, once per epoch, and what a timing attacker on that device could learn is the handle
    /// `y`, which does not link presentations (the commitment `Y_0 s + Y_1 y` is hiding in `s`, and `C̄` is
    /// re-randomised in every proof) and which the issuer knows anyway; the witness and the proof's
    /// randomness stay in constant-time code. The constant-time Straus MSM this replaced took 2.7 times as
    /// long (52 ms against 19 ms for 1,000 removals on this machine, unloaded).
    pub fn update(&self, y: &Scalar, batch: &UpdateBatch) -> Result<Witness> {
        // d(y) = Π (e_i - y)
        let d = Zeroizing::new(
            batch
                .elements
                .iter()
                .fold(Fr::from_u64(1), |acc, e| acc.mul(&e.sub(&y.0))),
        );
        // d(y) = 0 means y itself is in the batch: removed, it has no witness any more; added, the
        // holder's old witness is meaningless (a reinstated holder takes a new one from the issuer).
        if bool::from(d.is_zero()) {
            return Err(Error::AccumulatorUpdate);
        }
        // y^0, y^1, ..., y^(m-1)
        let mut powers = Zeroizing::new(Vec::with_capacity(batch.omega.len()));
        let mut power = Fr::from_u64(1);
        for _ in 0..batch.omega.len() {
            powers.push(power);
            power = power.mul(&y.0);
        }
        power.zeroize();
        // S = Σ y^k Ω_k
        let sum = curve::msm_vartime(&batch.omega, &powers);
        let mut tables = CtTable::build(&[self.0.to_projective(), sum]);
        let scalars = Zeroizing::new(match batch.kind {
            UpdateKind::Remove => {
                // C' = (C - S) / d(y)
                let inverse = d.invert();
                [inverse, inverse.neg()]
            }
            // C' = d(y) C + S
            UpdateKind::Add => [*d, Fr::from_u64(1)],
        });
        let updated = curve::msm(&[(&tables[0], scalars[0]), (&tables[1], scalars[1])]).to_affine();
        tables.iter_mut().for_each(Zeroize::zeroize);
        if updated.to_projective().is_identity() {
            return Err(Error::AccumulatorUpdate);
        }
        Ok(Witness(updated))
    }
}

impl UpdateBatch {
    /// Additions or removals.
    pub fn kind(&self) -> UpdateKind {
        self.kind
    }

    /// The elements, in the batch's order.
    pub fn elements(&self) -> Vec<Scalar> {
        self.elements.iter().map(|e| Scalar(*e)).collect()
    }

    /// `kind (1: 0x00 add, 0x01 remove) || I2OSP(m, 4) || y_1 .. y_m || Ω_0 .. Ω_(m-1)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(5 + self.elements.len() * (SCALAR_BYTES + G1_BYTES));
        out.push(match self.kind {
            UpdateKind::Add => 0,
            UpdateKind::Remove => 1,
        });
        out.extend_from_slice(&(self.elements.len() as u32).to_be_bytes());
        for e in &self.elements {
            out.extend_from_slice(&e.to_be_bytes());
        }
        for p in &self.omega {
            out.extend_from_slice(&p.to_compressed());
        }
        out
    }

    /// Decodes a batch, validating the kind, the exact length, the scalars (below r, distinct) and the
    /// points (in G1, not the identity).
    pub fn from_bytes(bytes: &[u8]) -> Result<UpdateBatch> {
        let malformed = Error::AccumulatorUpdate;
        if bytes.len() < 5 {
            return Err(malformed);
        }
        let kind = match bytes[0] {
            0 => UpdateKind::Add,
            1 => UpdateKind::Remove,
            _ => return Err(malformed),
        };
        let m = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]) as usize;
        if m.checked_mul(SCALAR_BYTES + G1_BYTES)
            .and_then(|n| n.checked_add(5))
            != Some(bytes.len())
        {
            return Err(malformed);
        }
        let (scalars, points) = bytes[5..].split_at(m * SCALAR_BYTES);
        let elements = scalars
            .chunks_exact(SCALAR_BYTES)
            .map(|c| {
                c.try_into()
                    .ok()
                    .and_then(Fr::from_be_bytes_canonical)
                    .ok_or(malformed)
            })
            .collect::<Result<Vec<Fr>>>()?;
        distinct(&elements)?;
        let omega = points
            .chunks_exact(G1_BYTES)
            .map(|c| {
                c.try_into()
                    .ok()
                    .and_then(G1Affine::from_compressed_vartime)
                    .ok_or(malformed)
            })
            .collect::<Result<Vec<G1Affine>>>()?;
        Ok(UpdateBatch {
            kind,
            elements,
            omega,
        })
    }
}

/// A zero-knowledge proof that the message of a commitment is an element of an accumulator:
/// `C̄, V̄, c, z_r, z_y, z_s`, 224 bytes.
#[derive(Clone)]
pub struct MembershipProof {
    c_bar: G1Affine,
    v_bar: G1Affine,
    challenge: Fr,
    z_r: Fr,
    z_y: Fr,
    z_s: Fr,
}

/// Size of an encoded membership proof.
pub const MEMBERSHIP_PROOF_BYTES: usize = 2 * G1_BYTES + 4 * SCALAR_BYTES;

impl fmt::Debug for MembershipProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MembershipProof(..)")
    }
}

impl MembershipProof {
    /// `C̄ || V̄ || c || z_r || z_y || z_s`.
    pub fn to_bytes(&self) -> [u8; MEMBERSHIP_PROOF_BYTES] {
        let mut out = [0u8; MEMBERSHIP_PROOF_BYTES];
        out[..48].copy_from_slice(&self.c_bar.to_compressed());
        out[48..96].copy_from_slice(&self.v_bar.to_compressed());
        for (i, k) in [&self.challenge, &self.z_r, &self.z_y, &self.z_s]
            .into_iter()
            .enumerate()
        {
            out[96 + 32 * i..128 + 32 * i].copy_from_slice(&k.to_be_bytes());
        }
        out
    }

    /// Exactly 224 bytes: two points in G1 other than the identity, four scalars below r, the challenge
    /// not zero.
    pub fn from_bytes(bytes: &[u8]) -> Result<MembershipProof> {
        if bytes.len() != MEMBERSHIP_PROOF_BYTES {
            return Err(Error::MalformedProof);
        }
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
        let proof = MembershipProof {
            c_bar: point(&bytes[..48])?,
            v_bar: point(&bytes[48..96])?,
            challenge: scalar(&bytes[96..128])?,
            z_r: scalar(&bytes[128..160])?,
            z_y: scalar(&bytes[160..192])?,
            z_s: scalar(&bytes[192..224])?,
        };
        if bool::from(proof.challenge.is_zero()) {
            return Err(Error::MalformedProof);
        }
        Ok(proof)
    }
}

/// The challenge of a membership proof.
#[allow(clippy::too_many_arguments, reason = "every public value the proof is about")]
fn membership_challenge<C: Ciphersuite>(
    interface: &Interface<C>,
    public_key: &AccumulatorPublicKey,
    accumulator: &Accumulator,
    commitment: &MessageCommitment,
    c_bar: &G1Affine,
    v_bar: &G1Affine,
    t: &G1Affine,
    t_commitment: &G1Affine,
    context: &[u8],
) -> Result<Fr> {
    let bases = interface.context(0)?.commitment_bases()?;
    let mut input = Vec::with_capacity(512 + context.len());
    input.extend_from_slice(b"ECERT-ACCUMULATOR-MEMBERSHIP-V1");
    input.extend_from_slice(&(context.len() as u64).to_be_bytes());
    input.extend_from_slice(context);
    input.extend_from_slice(&public_key.bytes);
    input.extend_from_slice(&accumulator.bytes);
    input.extend_from_slice(&bases.affine(0).to_compressed());
    input.extend_from_slice(&bases.affine(1).to_compressed());
    input.extend_from_slice(&commitment.to_bytes());
    for p in [c_bar, v_bar, t, t_commitment] {
        input.extend_from_slice(&p.to_compressed());
    }
    let dst = [C::ID, CHALLENGE_SUFFIX].concat();
    C::SUITE.hash_to_scalar(&[&input], &dst)
}

/// Proves that the message `commitment` commits to (`opening`, under `interface`'s bases) is in
/// `accumulator`, by its witness. Constant time in the element, the witness and the randomness.
#[allow(clippy::too_many_arguments, reason = "the statement and the witness")]
pub fn prove_membership<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    interface: &Interface<C>,
    public_key: &AccumulatorPublicKey,
    accumulator: &Accumulator,
    witness: &Witness,
    commitment: &MessageCommitment,
    opening: &Opening,
    context: &[u8],
) -> Result<MembershipProof> {
    let random = proof::calculate_random_scalars(rng, 4);
    let (r, r_t, y_t, s_t) = (random[0], random[1], random[2], random[3]);
    let y = opening.message;
    // C̄ = r C; V̄ = r V - y C̄; T = r~ V - y~ C̄ (with one pair of tables for V and C̄)
    let c_bar = witness.0.to_projective().mul(&r);
    let mut tables = CtTable::build(&[accumulator.value.to_projective(), c_bar]);
    let v_bar = curve::msm(&[(&tables[0], r), (&tables[1], y.neg())]);
    let t = curve::msm(&[(&tables[0], r_t), (&tables[1], y_t.neg())]);
    tables.iter_mut().for_each(Zeroize::zeroize);
    // T_c = Y_0 s~ + Y_1 y~
    let bases = interface.context(0)?.commitment_bases()?;
    let t_scalars = Zeroizing::new([s_t, y_t]);
    let t_commitment = bases.msm_points_constant_time(0, t_scalars.as_slice());
    let [c_bar, v_bar, t, t_commitment]: [G1Affine; 4] =
        G1::batch_to_affine(&[c_bar, v_bar, t, t_commitment])
            .try_into()
            .map_err(|_| Error::Degenerate)?;
    if c_bar.to_projective().is_identity() || v_bar.to_projective().is_identity() {
        return Err(Error::Degenerate);
    }
    let c = membership_challenge(
        interface,
        public_key,
        accumulator,
        commitment,
        &c_bar,
        &v_bar,
        &t,
        &t_commitment,
        context,
    )?;
    if bool::from(c.is_zero()) {
        return Err(Error::Degenerate);
    }
    Ok(MembershipProof {
        c_bar,
        v_bar,
        challenge: c,
        z_r: r_t.add(&c.mul(&r)),
        z_y: y_t.add(&c.mul(&y)),
        z_s: s_t.add(&c.mul(&opening.blinding)),
    })
}

/// Verifies a membership proof for `commitment` against `accumulator` (of `public_key`) under
/// `context`, with its own pairing check.
pub fn verify_membership<C: Ciphersuite>(
    interface: &Interface<C>,
    public_key: &AccumulatorPublicKey,
    accumulator: &Accumulator,
    commitment: &MessageCommitment,
    proof: &MembershipProof,
    context: &[u8],
) -> Result<()> {
    verify_membership_without_pairing(interface, public_key, accumulator, commitment, proof, context)?;
    // h(C̄, Q~) h(-V̄, P~) = 1
    let pairs = [
        (proof.c_bar, public_key.q),
        (proof.v_bar.neg(), G2Affine::generator()),
    ];
    if curve::pairing_product_is_one_n_vartime(&pairs) {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}

/// [`verify_membership`] without the pairing check: the Schnorr part. Private, since the proof is sound
/// only with the pairing check done; a verifier that batches pairings does it through one entry point.
fn verify_membership_without_pairing<C: Ciphersuite>(
    interface: &Interface<C>,
    public_key: &AccumulatorPublicKey,
    accumulator: &Accumulator,
    commitment: &MessageCommitment,
    proof: &MembershipProof,
    context: &[u8],
) -> Result<()> {
    let c = proof.challenge;
    // T = z_r V - z_y C̄ - c V̄; T_c = Y_0 z_s + Y_1 z_y - c C_y
    let t = curve::msm_vartime_glv(
        &[accumulator.value, proof.c_bar, proof.v_bar],
        &[proof.z_r, proof.z_y.neg(), c.neg()],
    );
    let bases = interface.context(0)?.commitment_bases()?;
    let t_commitment = bases
        .msm_points_vartime(&[proof.z_s, proof.z_y])
        .add(&curve::msm_vartime_glv(&[commitment.point], &[c.neg()]));
    let [t, t_commitment]: [G1Affine; 2] = G1::batch_to_affine(&[t, t_commitment])
        .try_into()
        .map_err(|_| Error::VerificationFailed)?;
    let expected = membership_challenge(
        interface,
        public_key,
        accumulator,
        commitment,
        &proof.c_bar,
        &proof.v_bar,
        &t,
        &t_commitment,
        context,
    )?;
    if bool::from(expected.ct_eq(&c)) {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}
