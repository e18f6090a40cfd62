//! ProofGen and ProofVerify (draft §3.5.3, §3.5.4), their core operations (§3.6.3, §3.6.4), the proof
//! subroutines (§3.7) and the proof encoding (§4.2.4.4, §4.2.4.5).

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, Zeroizing};

use crate::ciphersuite::Ciphersuite;
use crate::curve::{self, CtTable, Fr, G1, G1_BYTES, G1Affine, G2Affine, SCALAR_BYTES};
use crate::error::{Error, Result};
use crate::generators::Generators;
use crate::interface::{Context, Interface};
use crate::key::PublicKey;
use crate::scalar::Scalar;
use crate::signature::Signature;

/// Size of a proof that hides no message: `Abar, Bbar, D` and `e^, r1^, r3^, c`. Each hidden message
/// adds 32 bytes.
pub const PROOF_MIN_BYTES: usize = 3 * G1_BYTES + 4 * SCALAR_BYTES;

/// A BBS proof of knowledge of a signature, disclosing some of the signed messages (draft §3.6.3):
/// `(Abar, Bbar, D, e^, r1^, r3^, (m^_j1, ..., m^_jU), c)`.
///
/// Public by design: made to be sent to a verifier, and unlinkable to the signature and to other proofs.
#[derive(Clone)]
pub struct Proof {
    abar: G1Affine,
    bbar: G1Affine,
    d: G1Affine,
    e_hat: Fr,
    r1_hat: Fr,
    r3_hat: Fr,
    pub(crate) m_hat: Vec<Fr>,
    c: Fr,
}

impl Proof {
    /// `proof_to_octets` (§4.2.4.4): `272 + 32 * U` bytes for `U` hidden messages.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PROOF_MIN_BYTES + SCALAR_BYTES * self.m_hat.len());
        for point in [&self.abar, &self.bbar, &self.d] {
            out.extend_from_slice(&point.to_compressed());
        }
        for scalar in [&self.e_hat, &self.r1_hat, &self.r3_hat]
            .into_iter()
            .chain(&self.m_hat)
            .chain([&self.c])
        {
            out.extend_from_slice(&scalar.to_be_bytes());
        }
        out
    }

    /// `octets_to_proof` (§4.2.4.5): three valid G1 points other than the identity, then at least four
    /// scalars in 1..r-1, and nothing else.
    pub fn from_bytes(bytes: &[u8]) -> Result<Proof> {
        // 1.-2. proof_len_floor = 3 * octet_point_length + 4 * octet_scalar_length
        // 17. the scalars must fill the rest exactly
        if bytes.len() < PROOF_MIN_BYTES || (bytes.len() - 3 * G1_BYTES) % SCALAR_BYTES != 0 {
            return Err(Error::MalformedProof);
        }
        let (point_octets, scalar_octets) = bytes.split_at(3 * G1_BYTES);
        // 3.-9. three points: valid, not the identity, in G1
        let mut points = point_octets.chunks_exact(G1_BYTES).map(|chunk| {
            chunk
                .try_into()
                .ok()
                .and_then(G1Affine::from_compressed_vartime)
                .ok_or(Error::MalformedProof)
        });
        let mut next_point = || points.next().unwrap_or(Err(Error::MalformedProof));
        let (abar, bbar, d) = (next_point()?, next_point()?, next_point()?);
        // 10.-16. scalars: 0 < s_j < r
        let scalars = scalar_octets
            .chunks_exact(SCALAR_BYTES)
            .map(|chunk| {
                chunk
                    .try_into()
                    .ok()
                    .and_then(Fr::from_be_bytes_canonical)
                    .filter(|s| !bool::from(s.is_zero()))
                    .ok_or(Error::MalformedProof)
            })
            .collect::<Result<Vec<Fr>>>()?;
        // 18.-20. (e^, r1^, r3^, m^_j1..m^_jU, c)
        let (&[e_hat, r1_hat, r3_hat], rest) =
            scalars.split_first_chunk::<3>().ok_or(Error::MalformedProof)?;
        let (&c, m_hat) = rest.split_last().ok_or(Error::MalformedProof)?;
        Ok(Proof {
            abar,
            bbar,
            d,
            e_hat,
            r1_hat,
            r3_hat,
            m_hat: m_hat.to_vec(),
            c,
        })
    }

    /// The number of hidden messages, `U`.
    pub fn undisclosed_count(&self) -> usize {
        self.m_hat.len()
    }
}

impl fmt::Debug for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proof")
            .field("undisclosed", &self.m_hat.len())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Proof {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for Proof {}

/// `ProofGen(PK, signature, header, ph, messages, disclosed_indexes)` (draft §3.5.3) under the BBS
/// Signatures Interface of suite `C`: discloses the messages at `disclosed_indexes` (in any order;
/// repeats count once) and proves knowledge of the signature and the rest.
///
/// Constant time in the signature, the hidden messages and the blinding scalars.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub fn proof_gen<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    messages: &[&[u8]],
    disclosed_indexes: &[usize],
) -> Result<Proof> {
    let interface = Interface::<C>::signatures();
    let message_scalars = interface.messages_to_scalars(messages);
    let disclosed = disclosed_set(disclosed_indexes, messages.len())?;
    let random_scalars = calculate_random_scalars(rng, 5 + messages.len() - disclosed.len());
    core_proof_gen(
        &interface.context(messages.len())?,
        pk,
        signature,
        header,
        presentation_header,
        &message_scalars,
        &disclosed,
        &random_scalars,
        None,
        None,
    )
    .map(|(proof, _)| proof)
}

/// `ProofVerify(PK, proof, header, ph, disclosed_messages, disclosed_indexes)` (draft §3.5.4) under
/// the BBS Signatures Interface of suite `C`. `disclosed_messages` are `(index, message)` pairs in
/// strictly ascending index order; the total number of signed messages is read off the proof.
pub fn proof_verify<C: Ciphersuite>(
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    presentation_header: &[u8],
    disclosed_messages: &[(usize, &[u8])],
) -> Result<()> {
    let interface = Interface::<C>::signatures();
    let map_dst = interface.map_dst();
    let disclosed: Vec<(usize, Fr)> = disclosed_messages
        .iter()
        .map(|(i, m)| (*i, interface.map_message(&map_dst, m)))
        .collect();
    let l = disclosed.len() + proof.m_hat.len();
    core_proof_verify(
        &interface.context(l)?,
        pk,
        proof,
        header,
        presentation_header,
        &disclosed,
        None,
        None,
    )
}

/// The disclosed indexes as the draft wants them: ascending, each once, each below `l`.
pub(crate) fn disclosed_set(disclosed_indexes: &[usize], l: usize) -> Result<Vec<usize>> {
    let mut disclosed = disclosed_indexes.to_vec();
    disclosed.sort_unstable();
    disclosed.dedup();
    // CoreProofGen deserialization 6, 8: R <= L and every index in 0..L
    if disclosed.last().is_some_and(|&i| i >= l) {
        return Err(Error::DisclosedIndexOutOfRange);
    }
    Ok(disclosed)
}

/// `calculate_random_scalars(count)` (§4.2.1): `OS2IP(get_random(expand_len)) mod r`, each.
pub(crate) fn calculate_random_scalars<R: RngCore + CryptoRng>(
    rng: &mut R,
    count: usize,
) -> Zeroizing<Vec<Fr>> {
    Zeroizing::new((0..count).map(|_| Scalar::random(rng).0).collect())
}

/// CoreProofGen (§3.6.3) with its random scalars given: ProofInit (§3.7.1), the challenge (§3.7.4) and
/// ProofFinalize (§3.7.2). `disclosed` is ascending, unique and in range.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub(crate) fn core_proof_gen(
    ctx: &Context<'_>,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    messages: &[Fr],
    disclosed: &[usize],
    random_scalars: &[Fr],
    nym: Option<&PseudonymBinding<'_>>,
    commits: Option<&CommitProver<'_>>,
) -> Result<(Proof, Vec<MessageCommit>)> {
    let l = messages.len();
    // Deserialization: the undisclosed indexes are the complement of the disclosed ones.
    let mut is_disclosed = vec![false; l];
    for &i in disclosed {
        is_disclosed[i] = true;
    }
    let undisclosed: Vec<usize> = (0..l).filter(|&j| !is_disclosed[j]).collect();
    // ProofInit deserialization 5: length(random_scalars) == U + 5
    let (&[r1, r2, e_tilde, r1_tilde, r3_tilde], m_tilde) = random_scalars
        .split_first_chunk::<5>()
        .ok_or(Error::RandomScalarCount)?;
    if m_tilde.len() != undisclosed.len() {
        return Err(Error::RandomScalarCount);
    }
    let (a, e) = (signature.a.to_projective(), signature.e);

    // --- ProofInit (§3.7.1) ---
    // 1. domain = calculate_domain(PK, Q_1, (H_1, ..., H_L), header, api_id)
    let domain = ctx.domain(pk, l, header)?;
    // 2. B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L. The disclosed messages are public and
    //    go through the fast fixed-base MSM; the hidden ones through the constant-time one.
    let mut public_scalars = vec![Fr::ZERO; l + 2];
    public_scalars[0] = Fr::from_u64(1);
    public_scalars[1] = domain;
    for &i in disclosed {
        public_scalars[i + 2] = messages[i];
    }
    let b_public = ctx.generators.msm_vartime(ctx.suite.p1(), &public_scalars);
    let hidden: Zeroizing<Vec<(usize, Fr)>> =
        Zeroizing::new(undisclosed.iter().map(|&j| (j, messages[j])).collect());
    let b = b_public.add(&ctx.generators.msm_h_constant_time(&hidden, &[]));
    // 3.-7. With s = r1 * r2, every point is a combination of A, B and the hidden generators:
    //    D = B * r2, Abar = A * s, Bbar = D * r1 - Abar * e = B * s - A * (e * s),
    //    T1 = Abar * e~ + D * r1~ = A * (e~ * s) + B * (r1~ * r2),
    //    T2 = D * r3~ + Σ H_j * m~_j = B * (r3~ * r2) + Σ H_j * m~_j.
    //    So one pair of lookup tables for A and B serves all five, in constant time.
    let s = Zeroizing::new(r1.mul(&r2));
    let mut ab = CtTable::build(&[a, b]);
    let (table_a, table_b) = (&ab[0], &ab[1]);
    let abar = a.mul(&s);
    let d = b.mul(&r2);
    let bbar = curve::msm(&[(table_a, e.mul(&s).neg()), (table_b, *s)]);
    let t1 = curve::msm(&[(table_a, e_tilde.mul(&s)), (table_b, r1_tilde.mul(&r2))]);
    let blinded: Zeroizing<Vec<(usize, Fr)>> =
        Zeroizing::new(undisclosed.iter().copied().zip(m_tilde.iter().copied()).collect());
    let t2 = ctx
        .generators
        .msm_h_constant_time(&blinded, &[(table_b, r3_tilde.mul(&r2))]);
    ab.iter_mut().for_each(Zeroize::zeroize);
    let [abar, bbar, d, t1, t2]: [G1Affine; 5] = G1::batch_to_affine(&[abar, bbar, d, t1, t2])
        .try_into()
        .map_err(|_| Error::Degenerate)?;

    // --- PseudonymProofInit (draft-irtf-cfrg-bbs-per-verifier-linkability-02 §6.4.1) ---
    // The nym secrets are the last N messages, never disclosed, so their m~ are the last N.
    let nym_commitment = match nym {
        Some(binding) => {
            let blinding = m_tilde
                .len()
                .checked_sub(binding.n)
                .and_then(|first| m_tilde.get(first..))
                .filter(|_| binding.n > 0)
                .ok_or(Error::NymVectorLength)?;
            // 8. Ut = OP * (m~_(U-N+1) + m~_(U-N+2) * z + ...), constant time in the m~.
            let poly = Zeroizing::new(binding.evaluate(blinding));
            let ut = binding.op.to_projective().mul(&poly);
            // 9. if Ut == Identity_G1, return INVALID
            if ut.is_identity() {
                return Err(Error::Degenerate);
            }
            Some(ut.to_affine().to_compressed())
        }
        None => None,
    };

    // --- commitments to hidden messages (committed disclosure, CoreProofGen steps 3.-10.) ---
    let committed = match commits {
        Some(statement) => Some(statement.init(&undisclosed, m_tilde)?),
        None => None,
    };

    // --- challenge (§3.7.4; with a pseudonym, ProofWithPseudonymChallengeCalculate, -02 §7.1;
    //     with commitments, the blind draft's main-branch ProofChallengeCalculate) ---
    let disclosed_messages: Vec<(usize, Fr)> = disclosed.iter().map(|&i| (i, messages[i])).collect();
    let encoded = [abar, bbar, d, t1, t2].map(|p| p.to_compressed());
    let nym_input = nym.zip(nym_commitment.as_ref());
    let commit_input: Option<Vec<CommitChallengeInput>> = committed.as_ref().map(|c| {
        c.iter()
            .map(|m| (m.index, m.commitment.to_compressed(), m.blinded.to_compressed()))
            .collect()
    });
    let c = challenge(
        ctx,
        &disclosed_messages,
        &encoded,
        nym_input,
        &domain,
        commit_input.as_deref(),
        presentation_header,
    )?;

    // --- ProofFinalize (§3.7.2) ---
    // 1. r3 = r2^-1 (mod r)
    let r3 = Zeroizing::new(r2.invert());
    // 2.-5. e^ = e~ + e * c; r1^ = r1~ - r1 * c; r3^ = r3~ - r3 * c; m^_j = m~_j + undisclosed_j * c
    let e_hat = e_tilde.add(&e.mul(&c));
    let r1_hat = r1_tilde.sub(&r1.mul(&c));
    let r3_hat = r3_tilde.sub(&r3.mul(&c));
    let m_hat: Vec<Fr> = undisclosed
        .iter()
        .zip(m_tilde)
        .map(|(&j, m_t)| m_t.add(&messages[j].mul(&c)))
        .collect();
    // A zero response would make an undecodable proof (§4.2.4.5 step 14); only constructed inputs get one.
    if [&e_hat, &r1_hat, &r3_hat, &c]
        .into_iter()
        .chain(&m_hat)
        .any(|x| bool::from(x.is_zero()))
    {
        return Err(Error::Degenerate);
    }
    // Committed disclosure 14.: s^_i = s~_i + challenge * s_i
    let message_commits = match (committed, commits) {
        (Some(committed), Some(statement)) => statement.finalize(committed, &c)?,
        _ => Vec::new(),
    };
    // 6.-7. proof = (Abar, Bbar, D, e^, r1^, r3^, (m^_j1, ..., m^_jU), c)
    let proof = Proof {
        abar,
        bbar,
        d,
        e_hat,
        r1_hat,
        r3_hat,
        m_hat,
        c,
    };
    Ok((proof, message_commits))
}

/// CoreProofVerify (§3.6.4) with ProofVerifyInit (§3.7.3). `disclosed` must be in strictly ascending
/// index order; `pk` and `proof` were validated when decoded.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub(crate) fn core_proof_verify(
    ctx: &Context<'_>,
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    presentation_header: &[u8],
    disclosed: &[(usize, Fr)],
    nym: Option<&PseudonymBinding<'_>>,
    commits: Option<&CommitVerifier<'_>>,
) -> Result<()> {
    // ProofVerifyInit deserialization 2.-7.: L = R + U; the indexes ascend and stay below L.
    let (u, r) = (proof.m_hat.len(), disclosed.len());
    let l = r + u;
    let ascending = disclosed.windows(2).all(|w| w[0].0 < w[1].0);
    if !ascending || disclosed.last().is_some_and(|&(i, _)| i >= l) {
        return Err(Error::VerificationFailed);
    }
    // 1. domain = calculate_domain(PK, Q_1, (H_1, ..., H_L), header, api_id)
    let domain = ctx.domain(pk, l, header)?;
    let c = proof.c;
    // 2. T1 = Bbar * c + Abar * e^ + D * r1^
    let t1 = curve::msm_vartime_glv(
        &[proof.bbar, proof.abar, proof.d],
        &[c, proof.e_hat, proof.r1_hat],
    );
    // 3.-4. Bv = P1 + Q_1 * domain + Σ H_i * msg_i; T2 = Bv * c + D * r3^ + Σ H_j * m^_j, as one
    //       fixed-base MSM over P1, Q_1, H_1..H_L (c * msg_i at disclosed i, m^_j at hidden j) and D * r3^.
    let mut scalars = Vec::with_capacity(l + 2);
    scalars.push(c);
    scalars.push(c.mul(&domain));
    let (mut disclosed_iter, mut m_hat_iter) = (disclosed.iter().peekable(), proof.m_hat.iter());
    for i in 0..l {
        let scalar = match disclosed_iter.next_if(|(index, _)| *index == i) {
            Some((_, msg)) => c.mul(msg),
            None => *m_hat_iter.next().ok_or(Error::VerificationFailed)?,
        };
        scalars.push(scalar);
    }
    let t2 = ctx
        .generators
        .msm_vartime(ctx.suite.p1(), &scalars)
        .add(&curve::msm_vartime_glv(&[proof.d], &[proof.r3_hat]));
    // An honest T1 or T2 is the identity with probability 2^-255, but a forger can make T1 the identity
    // for any challenge (D a known combination of a valid proof's Abar and Bbar, then r1^ and e^ from
    // c). That proof still fails the challenge only because the identity converts to affine correctly
    // in a batch; refusing it here makes the rejection not rest on that (the regression test below).
    if t1.is_identity() || t2.is_identity() {
        return Err(Error::VerificationFailed);
    }
    let [t1, t2]: [G1Affine; 2] = G1::batch_to_affine(&[t1, t2])
        .try_into()
        .map_err(|_| Error::VerificationFailed)?;
    // PseudonymProofVerifyInit (draft-irtf-cfrg-bbs-per-verifier-linkability-02 §6.4.2)
    let nym_commitment = match nym {
        Some(binding) => {
            let responses = u
                .checked_sub(binding.n)
                .and_then(|first| proof.m_hat.get(first..))
                .filter(|_| binding.n > 0)
                .ok_or(Error::VerificationFailed)?;
            // 6. Uv = OP * (m^_(U-N+1) + m^_(U-N+2) * z + ...) - pseudonym * cp
            let uv = curve::msm_vartime_glv(
                &[binding.op, binding.pseudonym],
                &[binding.evaluate(responses), c.neg()],
            );
            // 7. if Uv == Identity_G1, return INVALID
            if uv.is_identity() {
                return Err(Error::VerificationFailed);
            }
            Some(uv.to_affine().to_compressed())
        }
        None => None,
    };
    // Committed disclosure, CoreProofVerify 3.-6.: C^_i = Y_0 * s^_i + Y_1 * m^_idx - C_i * cp
    let commit_input = match commits {
        Some(statement) => Some(statement.recompute(disclosed, l, &proof.m_hat, &c)?),
        None => None,
    };
    // 3.-5. challenge = ProofChallengeCalculate(...); if cp != challenge, return INVALID
    let encoded = [proof.abar, proof.bbar, proof.d, t1, t2].map(|p| p.to_compressed());
    let nym_input = nym.zip(nym_commitment.as_ref());
    let challenge = challenge(
        ctx,
        disclosed,
        &encoded,
        nym_input,
        &domain,
        commit_input.as_deref(),
        presentation_header,
    )?;
    if !bool::from(subtle::ConstantTimeEq::ct_eq(&challenge, &c)) {
        return Err(Error::VerificationFailed);
    }
    // 6. if h(Abar, W) * h(Bbar, -BP2) != Identity_GT, return INVALID
    let pairs = [
        (&proof.abar, pk.point()),
        (&proof.bbar, &G2Affine::generator().neg()),
    ];
    if pairing_ok(pairs) {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}

fn pairing_ok(pairs: [(&G1Affine, &G2Affine); 2]) -> bool {
    curve::pairing_product_is_one_vartime(pairs)
}

/// ProofChallengeCalculate (§3.7.4):
/// `hash_to_scalar(serialize((R, i1, msg_i1, ..., iR, msg_iR, Abar, Bbar, D, T1, T2, domain)) ||
/// I2OSP(length(ph), 8) || ph, api_id || "H2S_")`.
///
/// With a pseudonym, ProofWithPseudonymChallengeCalculate (draft-irtf-cfrg-bbs-per-verifier-linkability
/// -02 §7.1): `pseudonym, Ut` after `T2` and before `domain`, and `I2OSP(length(context_id), 8) ||
/// context_id` after `ph`.
///
/// With commitments to hidden messages, the blind draft's main-branch ProofChallengeCalculate: after
/// `domain`, `serialize((N, i_1, C_1, C~_1, ..., i_N, C_N, C~_N))` (N = 0 included, so that a proof
/// with committed disclosure is never taken for a plain one).
fn challenge(
    ctx: &Context<'_>,
    disclosed: &[(usize, Fr)],
    points: &[[u8; G1_BYTES]; 5],
    nym: Option<(&PseudonymBinding<'_>, &[u8; G1_BYTES])>,
    domain: &Fr,
    commits: Option<&[CommitChallengeInput]>,
    presentation_header: &[u8],
) -> Result<Fr> {
    let mut c_octs =
        Vec::with_capacity(8 + disclosed.len() * (8 + SCALAR_BYTES) + 7 * G1_BYTES + SCALAR_BYTES + 8);
    c_octs.extend_from_slice(&(disclosed.len() as u64).to_be_bytes());
    for (i, msg) in disclosed {
        c_octs.extend_from_slice(&(*i as u64).to_be_bytes());
        c_octs.extend_from_slice(&msg.to_be_bytes());
    }
    for point in points {
        c_octs.extend_from_slice(point);
    }
    if let Some((binding, ut)) = nym {
        c_octs.extend_from_slice(&binding.pseudonym.to_compressed());
        c_octs.extend_from_slice(ut);
    }
    c_octs.extend_from_slice(&domain.to_be_bytes());
    if let Some(commits) = commits {
        c_octs.extend_from_slice(&(commits.len() as u64).to_be_bytes());
        for (index, commitment, blinded) in commits {
            c_octs.extend_from_slice(&(*index as u64).to_be_bytes());
            c_octs.extend_from_slice(commitment);
            c_octs.extend_from_slice(blinded);
        }
    }
    c_octs.extend_from_slice(&(presentation_header.len() as u64).to_be_bytes());
    let context_len;
    let mut input: Vec<&[u8]> = vec![&c_octs, presentation_header];
    if let Some((binding, _)) = nym {
        context_len = (binding.context_id.len() as u64).to_be_bytes();
        input.push(&context_len);
        input.push(binding.context_id);
    }
    ctx.suite.hash_to_scalar(&input, &ctx.h2s_dst())
}

/// What a proof with a pseudonym adds (draft-irtf-cfrg-bbs-per-verifier-linkability-02 §6.4): the
/// proof that `pseudonym = OP * Σ nym_secrets[i] * z^i` for the last `n` signed messages, with
/// `OP = hash_to_curve_g1(context_id)` and `z = hash_to_scalar(context_id)`.
pub(crate) struct PseudonymBinding<'a> {
    pub(crate) context_id: &'a [u8],
    /// `OP`.
    pub(crate) op: G1Affine,
    /// `1, z, z^2, ..., z^(n-1)`.
    pub(crate) z_powers: Vec<Fr>,
    pub(crate) pseudonym: G1Affine,
    /// `N`, the number of nym secrets.
    pub(crate) n: usize,
}

impl PseudonymBinding<'_> {
    /// `Σ coefficients[i] * z^i` (constant time in the coefficients).
    pub(crate) fn evaluate(&self, coefficients: &[Fr]) -> Fr {
        coefficients
            .iter()
            .zip(&self.z_powers)
            .fold(Fr::ZERO, |acc, (k, z)| acc.add(&k.mul(z)))
    }
}

/// `(i, C_i, C~_i)` as the challenge hashes them (`C^_i` in place of `C~_i` on the verifier's side).
type CommitChallengeInput = (usize, [u8; G1_BYTES], [u8; G1_BYTES]);

/// Commitments to hidden messages bound into a proof, the prover's side (committed disclosure, the
/// blind draft's main-branch CoreProofGen steps 3.-10., 14.-15.): for each index, `C_i = Y_0 * s_i +
/// Y_1 * msg` and `C~_i = Y_0 * s~_i + Y_1 * m~`, with `m~` the proof's own blinding scalar of that
/// message, so that the one challenge proves the commitment opens to the signed message.
pub(crate) struct CommitProver<'a> {
    /// `Y_0, Y_1` (the first two points of the list).
    pub(crate) bases: &'a Generators,
    /// Message indexes, ascending, each hidden.
    pub(crate) indexes: &'a [usize],
    /// The values committed to, one per index: the signed messages there, which the proof then shows
    /// them to be (a prover that commits to anything else makes a proof that fails).
    pub(crate) values: &'a [Fr],
    /// `s_1, ..., s_N, s~_1, ..., s~_N`.
    pub(crate) random: &'a [Fr],
}

/// One commitment's values between the two halves of the prover's work.
pub(crate) struct PendingCommit {
    index: usize,
    commitment: G1Affine,
    blinded: G1Affine,
}

/// A commitment to a signed message in a proof: its index, `C_i` and the response `s^_i`.
#[derive(Clone, Copy)]
pub(crate) struct MessageCommit {
    pub(crate) index: usize,
    pub(crate) commitment: G1Affine,
    pub(crate) response: Fr,
}

impl CommitProver<'_> {
    fn init(&self, undisclosed: &[usize], m_tilde: &[Fr]) -> Result<Vec<PendingCommit>> {
        let n = self.indexes.len();
        if self.random.len() != 2 * n {
            return Err(Error::RandomScalarCount);
        }
        if self.values.len() != n {
            return Err(Error::DisclosedIndexOutOfRange);
        }
        let mut points = Vec::with_capacity(2 * n);
        for (k, &index) in self.indexes.iter().enumerate() {
            // The draft indexes the random scalars by absolute message index ("random_scalars[idx +
            // 5]"); only hidden messages have one, at the message's place among the hidden ones.
            let position = undisclosed
                .binary_search(&index)
                .map_err(|_| Error::DisclosedIndexOutOfRange)?;
            // 8. C_i = Y_0 * s_i + Y_1 * messages[idx]; 9. C~_i = Y_0 * s~_i + Y_1 * m~_idx
            let opening = Zeroizing::new([self.random[k], self.values[k]]);
            let blinding = Zeroizing::new([self.random[n + k], m_tilde[position]]);
            points.push(self.bases.msm_points_constant_time(0, opening.as_slice()));
            points.push(self.bases.msm_points_constant_time(0, blinding.as_slice()));
        }
        let affine = G1::batch_to_affine(&points);
        let pending = self
            .indexes
            .iter()
            .zip(affine.chunks_exact(2))
            .map(|(&index, pair)| PendingCommit {
                index,
                commitment: pair[0],
                blinded: pair[1],
            })
            .collect::<Vec<_>>();
        if pending.iter().any(|p| p.commitment.to_projective().is_identity()) {
            return Err(Error::Degenerate);
        }
        Ok(pending)
    }

    fn finalize(&self, pending: Vec<PendingCommit>, c: &Fr) -> Result<Vec<MessageCommit>> {
        let n = self.indexes.len();
        pending
            .into_iter()
            .enumerate()
            .map(|(k, p)| {
                // 14. s^_i = s~_i + challenge * s_i
                let response = self.random[n + k].add(&c.mul(&self.random[k]));
                if bool::from(response.is_zero()) {
                    return Err(Error::Degenerate);
                }
                Ok(MessageCommit {
                    index: p.index,
                    commitment: p.commitment,
                    response,
                })
            })
            .collect()
    }
}

/// The verifier's side of [`CommitProver`]: the commitments and responses a proof carries.
pub(crate) struct CommitVerifier<'a> {
    pub(crate) bases: &'a Generators,
    pub(crate) commits: &'a [MessageCommit],
}

impl CommitVerifier<'_> {
    /// `(i, C_i, C^_i)` for the challenge, each `C^_i = Y_0 * s^_i + Y_1 * m^_idx - C_i * cp`. Each index
    /// must be hidden (not disclosed, below L) and the indexes must ascend.
    fn recompute(
        &self,
        disclosed: &[(usize, Fr)],
        l: usize,
        m_hat: &[Fr],
        c: &Fr,
    ) -> Result<Vec<CommitChallengeInput>> {
        let ascending = self.commits.windows(2).all(|w| w[0].index < w[1].index);
        if !ascending {
            return Err(Error::VerificationFailed);
        }
        let mut points = Vec::with_capacity(self.commits.len());
        for commit in self.commits {
            if commit.index >= l || disclosed.binary_search_by_key(&commit.index, |(i, _)| *i).is_ok() {
                return Err(Error::VerificationFailed);
            }
            // The hidden message's place among the hidden ones: its index less the disclosed below it.
            let below = disclosed.partition_point(|(i, _)| *i < commit.index);
            let m = m_hat.get(commit.index - below).ok_or(Error::VerificationFailed)?;
            let fixed = self.bases.msm_points_vartime(&[commit.response, *m]);
            points.push(fixed.add(&curve::msm_vartime_glv(&[commit.commitment], &[c.neg()])));
        }
        let affine = G1::batch_to_affine(&points);
        Ok(self
            .commits
            .iter()
            .zip(affine)
            .map(|(commit, blinded)| {
                (
                    commit.index,
                    commit.commitment.to_compressed(),
                    blinded.to_compressed(),
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a test states its expectations by failing loudly"
    )]

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::{Bls12381Sha256, SecretKey, sign};

    /// The forger of the T1 = identity attack: a valid proof's Abar and Bbar (so the pairing holds),
    /// D = Abar d1 + Bbar d2 with d1, d2 known, the challenge computed as the verifier would if T1 and T2
    /// both came out as the identity, then r1^ = -c / d2 and e^ = -r1^ d1, which make T1 the identity for
    /// that c. Disclosed messages of the forger's choosing.
    #[test]
    fn a_forged_proof_with_t1_the_identity_is_refused() {
        let mut rng = StdRng::seed_from_u64(1);
        let sk = SecretKey::key_gen::<Bls12381Sha256>(&[1u8; 32], b"", None).unwrap();
        let pk = sk.public_key();
        let messages: [&[u8]; 2] = [b"licence class C1", b"the holder"];
        let signature = sign::<Bls12381Sha256>(&sk, &pk, b"h", &messages).unwrap();
        let valid =
            proof_gen::<Bls12381Sha256, _>(&mut rng, &pk, &signature, b"h", b"ph", &messages, &[0]).unwrap();
        let interface = Interface::<Bls12381Sha256>::signatures();
        let ctx = interface.context(2).unwrap();
        let forged_message: &[u8] = b"licence class A2";
        let disclosed = vec![(
            0usize,
            interface.map_message(&interface.map_dst(), forged_message),
        )];
        let domain = ctx.domain(&pk, 2, b"h").unwrap();
        let (d1, d2) = (Fr::from_u64(3), Fr::from_u64(5));
        let d = valid
            .abar
            .to_projective()
            .mul(&d1)
            .add(&valid.bbar.to_projective().mul(&d2))
            .to_affine();
        let identity = G1Affine::default().to_compressed();
        let points = [
            valid.abar.to_compressed(),
            valid.bbar.to_compressed(),
            d.to_compressed(),
            identity,
            identity,
        ];
        let c = challenge(&ctx, &disclosed, &points, None, &domain, None, b"ph").unwrap();
        let r1_hat = c.mul(&d2.invert()).neg();
        let e_hat = r1_hat.mul(&d1).neg();
        let forged = Proof {
            abar: valid.abar,
            bbar: valid.bbar,
            d,
            e_hat,
            r1_hat,
            r3_hat: Fr::from_u64(7),
            m_hat: vec![Fr::from_u64(11)],
            c,
        };
        // T1 is the identity for this proof, as the forger wanted.
        let t1 = curve::msm_vartime_glv(&[forged.bbar, forged.abar, forged.d], &[c, e_hat, r1_hat]);
        assert!(t1.is_identity());
        let forged = Proof::from_bytes(&forged.to_bytes()).unwrap();
        assert_eq!(
            proof_verify::<Bls12381Sha256>(&pk, &forged, b"h", b"ph", &[(0, forged_message)]),
            Err(Error::VerificationFailed)
        );
        // And the honest proof still verifies.
        assert_eq!(
            proof_verify::<Bls12381Sha256>(&pk, &valid, b"h", b"ph", &[(0, messages[0])]),
            Ok(())
        );
    }
}
