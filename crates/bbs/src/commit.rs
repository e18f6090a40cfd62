//! The prover's commitment to the messages it wants signed without showing them, with its proof of
//! correctness: CoreCommit and CoreCommitVerify (draft-irtf-cfrg-bbs-blind-signatures-02 §5.3.1,
//! §5.3.2), the blind challenge (§6.3) and the commitment encoding (§6.4).
//!
//! Shared by the Blind BBS interface ([`crate::blind`]) and the pseudonym interface
//! ([`crate::pseudonym`]), which commits to its prover nyms after the committed messages. The
//! generators are the interface's blind list `Q_2, J_1, ..., J_M` (`"BLIND_" || api_id`), so a
//! commitment made for one interface fails the other's check.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::ciphersuite::Suite;
use crate::curve::{self, Fr, G1, G1_BYTES, G1Affine, SCALAR_BYTES};
use crate::error::{Error, Result};
use crate::generators::Generators;

/// Size of a commitment with its proof over no messages: `C`, `s^` and the challenge. Each committed
/// message adds 32 bytes.
pub(crate) const COMMITMENT_MIN_BYTES: usize = G1_BYTES + 2 * SCALAR_BYTES;

/// `commitment_with_proof`: the prover's commitment `C` to its blind and its committed messages, with
/// the proof of knowledge of its opening `(s^, m^_1, ..., m^_M, c)` (draft-irtf-cfrg-bbs-blind-signatures
/// -02 §5.3.1).
///
/// Public: it is what the prover sends the signer. The commitment is perfectly hiding, so it tells the
/// signer nothing of the committed messages but their number.
#[derive(Clone)]
pub struct Commitment {
    pub(crate) commitment: G1Affine,
    s_hat: Fr,
    m_hat: Vec<Fr>,
    challenge: Fr,
}

impl Commitment {
    /// `commitment_with_proof_to_octets` (§6.4.1): `C || s^ || m^_1 .. m^_M || c`, `48 + 32 * (M + 2)`
    /// bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(COMMITMENT_MIN_BYTES + SCALAR_BYTES * self.m_hat.len());
        out.extend_from_slice(&self.commitment.to_compressed());
        for scalar in core::iter::once(&self.s_hat)
            .chain(&self.m_hat)
            .chain([&self.challenge])
        {
            out.extend_from_slice(&scalar.to_be_bytes());
        }
        out
    }

    /// `octets_to_commitment_with_proof` (§6.4.2): exactly `48 + 32 * (M + 2)` bytes, `C` a point of G1
    /// other than the identity, every scalar in 1..r-1. Does not check the proof: the signer's
    /// [`crate::blind::blind_sign`] does, against the generators of its interface.
    pub fn from_bytes(bytes: &[u8]) -> Result<Commitment> {
        // 1.-2. commit_len_floor = octet_point_length + 2 * octet_scalar_length; 15. nothing left over
        if bytes.len() < COMMITMENT_MIN_BYTES || (bytes.len() - G1_BYTES) % SCALAR_BYTES != 0 {
            return Err(Error::MalformedCommitment);
        }
        let (c_octets, scalar_octets) = bytes.split_at(G1_BYTES);
        // 3.-6. C = octets_to_point_g1(C_octets), not the identity (the decoder also checks the subgroup)
        let commitment = c_octets
            .try_into()
            .ok()
            .and_then(G1Affine::from_compressed_vartime)
            .ok_or(Error::MalformedCommitment)?;
        // 7.-14. each s_j in 1..r-1
        let scalars = scalar_octets
            .chunks_exact(SCALAR_BYTES)
            .map(|chunk| {
                chunk
                    .try_into()
                    .ok()
                    .and_then(Fr::from_be_bytes_canonical)
                    .filter(|s| !bool::from(s.is_zero()))
                    .ok_or(Error::MalformedCommitment)
            })
            .collect::<Result<Vec<Fr>>>()?;
        // 16.-19. (C, (s_0, (s_1, ..., s_(j-2)), s_(j-1)))
        let (&s_hat, rest) = scalars.split_first().ok_or(Error::MalformedCommitment)?;
        let (&challenge, m_hat) = rest.split_last().ok_or(Error::MalformedCommitment)?;
        Ok(Commitment {
            commitment,
            s_hat,
            m_hat: m_hat.to_vec(),
            challenge,
        })
    }

    /// `M`: the number of committed scalars, the prover nyms of a `CommitWithNym` commitment included.
    pub fn committed_count(&self) -> usize {
        self.m_hat.len()
    }
}

impl fmt::Debug for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Commitment")
            .field("committed_count", &self.m_hat.len())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Commitment {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for Commitment {}

/// `secret_prover_blind`: the scalar that blinds the prover's commitment and is signed as one more
/// hidden message, so only the holder of the blind can make proofs from the signature
/// (draft-irtf-cfrg-bbs-blind-signatures-02 §8.1).
///
/// Secret: zeroized on drop, no `Debug` output of its value, constant-time equality, no `Clone`.
pub struct ProverBlind(pub(crate) Fr);

impl ProverBlind {
    /// `I2OSP(secret_prover_blind, 32)`. The bytes are the secret: store them sealed.
    pub fn to_bytes(&self) -> [u8; SCALAR_BYTES] {
        self.0.to_be_bytes()
    }

    /// 32 big-endian bytes of an integer below r ([`Error::MalformedScalar`] otherwise). Zero is the
    /// blind of a signature issued without a commitment.
    pub fn from_bytes(bytes: &[u8]) -> Result<ProverBlind> {
        let bytes: &[u8; SCALAR_BYTES] = bytes.try_into().map_err(|_| Error::MalformedScalar)?;
        Fr::from_be_bytes_canonical(bytes)
            .map(ProverBlind)
            .ok_or(Error::MalformedScalar)
    }
}

impl fmt::Debug for ProverBlind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProverBlind(..)")
    }
}

impl PartialEq for ProverBlind {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for ProverBlind {}

impl Zeroize for ProverBlind {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for ProverBlind {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for ProverBlind {}

/// CoreCommit (§5.3.1) with its `M + 2` random scalars `(secret_prover_blind, s~, m~_1, ..., m~_M)`
/// given, over the first `M + 1` points of `blind_generators` (`Q_2, J_1, ..., J_M`). Constant time in
/// the committed scalars and the random ones.
pub(crate) fn core_commit(
    suite: Suite,
    api_id: &[u8],
    blind_generators: &Generators,
    committed: &[Fr],
    random_scalars: &[Fr],
) -> Result<(Commitment, ProverBlind)> {
    let m = committed.len();
    // 1. (secret_prover_blind, s~, m~_1, ..., m~_M) = get_random_scalars(M + 2)
    let (&[blind, s_tilde], m_tilde) = random_scalars
        .split_first_chunk::<2>()
        .ok_or(Error::RandomScalarCount)?;
    if m_tilde.len() != m {
        return Err(Error::RandomScalarCount);
    }
    // 2. C = Q_2 * secret_prover_blind + J_1 * msg_1 + ... + J_M * msg_M
    let mut c_scalars = Zeroizing::new(Vec::with_capacity(m + 1));
    c_scalars.push(blind);
    c_scalars.extend_from_slice(committed);
    let commitment = blind_generators.msm_points_constant_time(0, &c_scalars);
    // 3. Cbar = Q_2 * s~ + J_1 * m~_1 + ... + J_M * m~_M
    let mut cbar_scalars = Zeroizing::new(Vec::with_capacity(m + 1));
    cbar_scalars.push(s_tilde);
    cbar_scalars.extend_from_slice(m_tilde);
    let cbar = blind_generators.msm_points_constant_time(0, &cbar_scalars);
    let [commitment, cbar]: [G1Affine; 2] = G1::batch_to_affine(&[commitment, cbar])
        .try_into()
        .map_err(|_| Error::Degenerate)?;
    // 4. challenge = calculate_blind_challenge(C, Cbar, blind_generators, api_id)
    let challenge = blind_challenge(suite, api_id, blind_generators, m, &commitment, &cbar)?;
    // 5.-6. s^ = s~ + secret_prover_blind * challenge; m^_i = m~_i + msg_i * challenge
    let s_hat = s_tilde.add(&blind.mul(&challenge));
    let m_hat: Vec<Fr> = m_tilde
        .iter()
        .zip(committed)
        .map(|(m_t, msg)| m_t.add(&msg.mul(&challenge)))
        .collect();
    // A zero scalar or identity commitment would not decode (§6.4.2); only constructed inputs get one.
    let degenerate = bool::from(s_hat.is_zero() | challenge.is_zero())
        || m_hat.iter().any(|x| bool::from(x.is_zero()))
        || commitment.to_projective().is_identity();
    if degenerate {
        return Err(Error::Degenerate);
    }
    // 7.-9. commit_with_proof = commitment_with_proof_to_octets(C, (s^, (m^_1, ..., m^_M), challenge))
    Ok((
        Commitment {
            commitment,
            s_hat,
            m_hat,
            challenge,
        },
        ProverBlind(blind),
    ))
}

/// CoreCommitVerify (§5.3.2) over the first `M + 1` points of `blind_generators`. Public data only:
/// variable time.
pub(crate) fn core_commit_verify(
    suite: Suite,
    api_id: &[u8],
    blind_generators: &Generators,
    commitment: &Commitment,
) -> Result<()> {
    let cbar = proof_point(blind_generators, commitment).to_affine();
    check_challenge(suite, api_id, blind_generators, commitment, &cbar)
}

/// CoreCommitVerify step 1: `Cbar = Q_2 * s^ + J_1 * m^_1 + ... + J_M * m^_M + commitment * (-cp)`,
/// left projective so that a signer can convert it together with its `B` (one field inversion).
pub(crate) fn proof_point(blind_generators: &Generators, commitment: &Commitment) -> G1 {
    let mut scalars = Vec::with_capacity(commitment.m_hat.len() + 1);
    scalars.push(commitment.s_hat);
    scalars.extend_from_slice(&commitment.m_hat);
    blind_generators
        .msm_points_vartime(&scalars)
        .add(&curve::msm_vartime_glv(
            &[commitment.commitment],
            &[commitment.challenge.neg()],
        ))
}

/// CoreCommitVerify steps 2-4 given `Cbar`: `cv = calculate_blind_challenge(commitment, Cbar,
/// blind_generators, api_id)`; INVALID unless `cv == cp`.
pub(crate) fn check_challenge(
    suite: Suite,
    api_id: &[u8],
    blind_generators: &Generators,
    commitment: &Commitment,
    cbar: &G1Affine,
) -> Result<()> {
    let m = commitment.m_hat.len();
    let cv = blind_challenge(suite, api_id, blind_generators, m, &commitment.commitment, cbar)?;
    if bool::from(cv.ct_eq(&commitment.challenge)) {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}

/// calculate_blind_challenge (§6.3): `hash_to_scalar(serialize((M, Q_2, J_1, ..., J_M, C, Cbar)),
/// api_id || "H2S_")`.
fn blind_challenge(
    suite: Suite,
    api_id: &[u8],
    blind_generators: &Generators,
    m: usize,
    commitment: &G1Affine,
    cbar: &G1Affine,
) -> Result<Fr> {
    let m_octets = (m as u64).to_be_bytes();
    let (c_octets, cbar_octets) = (commitment.to_compressed(), cbar.to_compressed());
    let mut c_arr: Vec<&[u8]> = Vec::with_capacity(m + 4);
    c_arr.push(&m_octets);
    c_arr.extend(
        blind_generators
            .encoded_points(m + 1)
            .iter()
            .map(|p| p.as_slice()),
    );
    c_arr.push(&c_octets);
    c_arr.push(&cbar_octets);
    let dst = [api_id, b"H2S_"].concat();
    suite.hash_to_scalar(&c_arr, &dst)
}
