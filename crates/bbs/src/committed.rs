//! Committed disclosure: BBS proofs in which each signed message is disclosed, hidden, or committed,
//! after the blind signatures draft's main-branch text (draft-irtf-cfrg-bbs-blind-signatures, main
//! 2026-06-11, §4.2.3 "Proof Generation", §5.3.4-§5.3.5 "Core Proof Generation/Verification",
//! §6.3 "Proof to Octets"). A committed message is hidden, and the proof carries a Pedersen
//! commitment `C = Y_0 * s + Y_1 * m` to it, with `(Y_0, Y_1) = create_generators(2, "COM_DIS_" ||
//! api_id)`, proved (under the proof's one challenge) to open to the signed message. The prover gets
//! each commitment's [`Opening`], so that range and equality proofs can be made on it.
//!
//! Where the main-branch text is ambiguous or defective, the choices are (each also at its place in the
//! code, and in specs/zk-proofs.md):
//! * `create_generators("COM_DIS_" || api_id)` has no count: two, the points `Y_0, Y_1`.
//! * `C~_i` takes "init_random_scalars[idx + 5]", indexed by the absolute message index, but only hidden
//!   messages have a blinding scalar: the message's own `m~`, at its place among the hidden messages.
//!   A committed message is hidden, never disclosed.
//! * The commitments' random scalars `(s_1, ..., s_N, s~_1, ..., s~_N)` are drawn after the proof's
//!   `5 + U`.
//! * The challenge appends `serialize((N, i_1, C_1, C~_1, ..., i_N, C_N, C~_N))` after `domain` even for
//!   N = 0, so that a proof with committed disclosure never passes for a plain draft-09 proof.
//! * The encoding's `bbs_proof_len` counts bytes; the text's BlindProofVerify reads it as a count of
//!   scalars in one place. Indexes are counted over the whole signed list (for blind signatures, the
//!   signer's messages, the prover blind, then the committed messages).
//!
//! These proofs have no official vectors yet (the drafts' fixtures are being revised), so they are
//! ecert's own format until there are; they verify only with this crate.

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, Zeroizing};

use crate::blind::{self, ProverBlind, SignedMessages};
use crate::ciphersuite::Ciphersuite;
use crate::curve::{Fr, G1_BYTES, G1Affine, SCALAR_BYTES};
use crate::error::{Error, Result};
use crate::interface::{Context, Interface};
use crate::key::PublicKey;
use crate::proof::{self, CommitProver, CommitVerifier, MessageCommit, Proof};
use crate::scalar::Scalar;
use crate::signature::Signature;

/// What a proof does with one signed message (the main-branch text's `message_disclosures`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Disclosure {
    /// The message is shown to the verifier.
    Disclose,
    /// The message stays hidden.
    Hide,
    /// The message stays hidden and the proof carries a commitment to it.
    Commit,
}

/// A Pedersen commitment `C = Y_0 * s + Y_1 * m` to a signed message `m`, as a proof with committed
/// disclosure carries it. Public.
#[derive(Clone)]
pub struct MessageCommitment {
    pub(crate) point: G1Affine,
    bytes: [u8; G1_BYTES],
}

impl MessageCommitment {
    /// `point_to_octets_g1`: 48 bytes.
    pub fn to_bytes(&self) -> [u8; G1_BYTES] {
        self.bytes
    }

    /// A compressed point of G1, in the subgroup, not the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<MessageCommitment> {
        let bytes: &[u8; G1_BYTES] = bytes.try_into().map_err(|_| Error::MalformedCommitment)?;
        G1Affine::from_compressed_vartime(bytes)
            .map(MessageCommitment::from_point)
            .ok_or(Error::MalformedCommitment)
    }

    pub(crate) fn from_point(point: G1Affine) -> MessageCommitment {
        MessageCommitment {
            bytes: point.to_compressed(),
            point,
        }
    }
}

impl fmt::Debug for MessageCommitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MessageCommitment(")?;
        for b in &self.bytes[..8] {
            write!(f, "{b:02x}")?;
        }
        f.write_str("..)")
    }
}

impl PartialEq for MessageCommitment {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for MessageCommitment {}

impl core::hash::Hash for MessageCommitment {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

/// The opening of a [`MessageCommitment`]: the message scalar `m` and the blinding `s`, the prover's
/// only. Secret: zeroized on drop, no `Debug` output of the values, no `Clone`.
pub struct Opening {
    pub(crate) message: Fr,
    pub(crate) blinding: Fr,
}

impl Opening {
    /// The committed message, as a scalar.
    pub fn message(&self) -> Scalar {
        Scalar(self.message)
    }

    /// The blinding scalar `s`.
    pub fn blinding(&self) -> Scalar {
        Scalar(self.blinding)
    }
}

impl fmt::Debug for Opening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Opening(..)")
    }
}

impl Drop for Opening {
    fn drop(&mut self) {
        self.message.zeroize();
        self.blinding.zeroize();
    }
}

/// A BBS proof with committed disclosure: the draft-09 proof, the disclosed indexes, and per committed
/// message its index, commitment `C_i` and response `s^_i`. Public.
#[derive(Clone, PartialEq, Eq)]
pub struct CommittedProof {
    proof: Proof,
    disclosed: Vec<usize>,
    commits: Vec<MessageCommit>,
}

impl PartialEq for MessageCommit {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
            && self.commitment.to_compressed() == other.commitment.to_compressed()
            && self.response.to_be_bytes() == other.response.to_be_bytes()
    }
}

impl Eq for MessageCommit {}

impl fmt::Debug for CommittedProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommittedProof")
            .field("disclosed", &self.disclosed)
            .field(
                "committed",
                &self.commits.iter().map(|c| c.index).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Bytes of an encoded integer of the proof encoding.
const INT_BYTES: usize = 8;

impl CommittedProof {
    /// The draft-09 proof inside.
    pub fn proof(&self) -> &Proof {
        &self.proof
    }

    /// The indexes of the disclosed messages, ascending.
    pub fn disclosed_indexes(&self) -> &[usize] {
        &self.disclosed
    }

    /// `(index, C_i)` for each committed message, in ascending index order.
    pub fn commitments(&self) -> Vec<(usize, MessageCommitment)> {
        self.commits
            .iter()
            .map(|c| (c.index, MessageCommitment::from_point(c.commitment)))
            .collect()
    }

    /// `L`, the number of signed messages the proof is over.
    pub fn message_count(&self) -> usize {
        self.disclosed.len() + self.proof.undisclosed_count()
    }

    /// proof_to_octets (main branch §6.3): `I2OSP(len(bbs_proof), 8) || bbs_proof || I2OSP(R, 8) ||
    /// I2OSP(i_1, 8) .. || I2OSP(N, 8) || C_1 .. C_N || s^_1 .. s^_N || I2OSP(N, 8) || I2OSP(j_1, 8) ..`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let bbs = self.proof.to_bytes();
        let n = self.commits.len();
        let mut out = Vec::with_capacity(
            4 * INT_BYTES
                + bbs.len()
                + INT_BYTES * (self.disclosed.len() + n)
                + n * (G1_BYTES + SCALAR_BYTES),
        );
        let int = |out: &mut Vec<u8>, v: usize| out.extend_from_slice(&(v as u64).to_be_bytes());
        int(&mut out, bbs.len());
        out.extend_from_slice(&bbs);
        int(&mut out, self.disclosed.len());
        for &i in &self.disclosed {
            int(&mut out, i);
        }
        int(&mut out, n);
        for c in &self.commits {
            out.extend_from_slice(&c.commitment.to_compressed());
        }
        for c in &self.commits {
            out.extend_from_slice(&c.response.to_be_bytes());
        }
        int(&mut out, n);
        for c in &self.commits {
            int(&mut out, c.index);
        }
        out
    }

    /// octets_to_proof (main branch §6.4), validating everything: the draft-09 proof, every length
    /// against the bytes left (so that no count allocates more than the input holds), the points (on
    /// the curve, in the subgroup, not the identity), the responses (in 1..r-1), the two counts of
    /// commitments equal, both index lists strictly ascending, disjoint and below L, and nothing left
    /// over.
    pub fn from_bytes(bytes: &[u8]) -> Result<CommittedProof> {
        let mut reader = Reader { bytes };
        let bbs_len = reader.count(1)?;
        let proof = Proof::from_bytes(reader.take(bbs_len)?)?;
        let r = reader.count(INT_BYTES)?;
        let disclosed = (0..r).map(|_| reader.int()).collect::<Result<Vec<usize>>>()?;
        let n = reader.count(G1_BYTES + SCALAR_BYTES + INT_BYTES)?;
        let points = (0..n)
            .map(|_| {
                reader
                    .take(G1_BYTES)?
                    .try_into()
                    .ok()
                    .and_then(G1Affine::from_compressed_vartime)
                    .ok_or(Error::MalformedProof)
            })
            .collect::<Result<Vec<_>>>()?;
        let responses = (0..n)
            .map(|_| {
                reader
                    .take(SCALAR_BYTES)?
                    .try_into()
                    .ok()
                    .and_then(Fr::from_be_bytes_canonical)
                    .filter(|s| !bool::from(s.is_zero()))
                    .ok_or(Error::MalformedProof)
            })
            .collect::<Result<Vec<_>>>()?;
        if reader.count(INT_BYTES)? != n {
            return Err(Error::MalformedProof);
        }
        let indexes = (0..n).map(|_| reader.int()).collect::<Result<Vec<usize>>>()?;
        if !reader.bytes.is_empty() {
            return Err(Error::MalformedProof);
        }
        let l = r + proof.undisclosed_count();
        let ascending_below =
            |list: &[usize]| list.windows(2).all(|w| w[0] < w[1]) && list.last().is_none_or(|&i| i < l);
        let disjoint = indexes.iter().all(|i| disclosed.binary_search(i).is_err());
        if !ascending_below(&disclosed) || !ascending_below(&indexes) || !disjoint {
            return Err(Error::MalformedProof);
        }
        let commits = indexes
            .into_iter()
            .zip(points)
            .zip(responses)
            .map(|((index, commitment), response)| MessageCommit {
                index,
                commitment,
                response,
            })
            .collect();
        Ok(CommittedProof {
            proof,
            disclosed,
            commits,
        })
    }
}

/// A cursor over the encoding that never reads past its end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(Error::MalformedProof);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn int(&mut self) -> Result<usize> {
        let mut octets = [0u8; INT_BYTES];
        octets.copy_from_slice(self.take(INT_BYTES)?);
        usize::try_from(u64::from_be_bytes(octets)).map_err(|_| Error::MalformedProof)
    }

    /// A count of items of `item_bytes` each, refused if the rest of the input cannot hold them.
    fn count(&mut self, item_bytes: usize) -> Result<usize> {
        let n = self.int()?;
        match n.checked_mul(item_bytes) {
            Some(total) if total <= self.bytes.len() => Ok(n),
            _ => Err(Error::MalformedProof),
        }
    }
}

/// The disclosed and committed indexes of a disclosure map, each ascending.
fn split_disclosures(disclosures: &[Disclosure]) -> (Vec<usize>, Vec<usize>) {
    let pick = |want: Disclosure| {
        disclosures
            .iter()
            .enumerate()
            .filter(|(_, d)| **d == want)
            .map(|(i, _)| i)
            .collect()
    };
    (pick(Disclosure::Disclose), pick(Disclosure::Commit))
}

/// CoreProofGen with committed disclosure (main branch §5.3.4) over a context and message list.
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub(crate) fn prove(
    ctx: &Context<'_>,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    messages: &[Fr],
    disclosed: &[usize],
    committed: &[usize],
    random_scalars: &[Fr],
) -> Result<(CommittedProof, Vec<(usize, Opening)>)> {
    let u = messages.len() - disclosed.len();
    // 4. (s_1, ..., s_N, s~_1, ..., s~_N) after the proof's own 5 + U
    let (bbs_random, commit_random) = random_scalars
        .split_at_checked(5 + u)
        .ok_or(Error::RandomScalarCount)?;
    let bases = ctx.commitment_bases()?;
    let values = Zeroizing::new(committed.iter().map(|&i| messages[i]).collect::<Vec<Fr>>());
    let statement = CommitProver {
        bases: &bases,
        indexes: committed,
        values: &values,
        random: commit_random,
    };
    let (proof, commits) = proof::core_proof_gen(
        ctx,
        pk,
        signature,
        header,
        presentation_header,
        messages,
        disclosed,
        bbs_random,
        None,
        Some(&statement),
    )?;
    let openings = committed
        .iter()
        .zip(commit_random)
        .map(|(&index, s)| {
            (
                index,
                Opening {
                    message: messages[index],
                    blinding: *s,
                },
            )
        })
        .collect();
    Ok((
        CommittedProof {
            proof,
            disclosed: disclosed.to_vec(),
            commits,
        },
        openings,
    ))
}

/// CoreProofVerify with committed disclosure (main branch §5.3.5): `disclosed_messages` must be at
/// exactly the proof's disclosed indexes.
pub(crate) fn verify(
    ctx: &Context<'_>,
    pk: &PublicKey,
    proof: &CommittedProof,
    header: &[u8],
    presentation_header: &[u8],
    disclosed_messages: &[(usize, Fr)],
) -> Result<()> {
    let same_indexes = disclosed_messages.len() == proof.disclosed.len()
        && disclosed_messages
            .iter()
            .zip(&proof.disclosed)
            .all(|((i, _), j)| i == j);
    if !same_indexes {
        return Err(Error::VerificationFailed);
    }
    let bases = ctx.commitment_bases()?;
    let statement = CommitVerifier {
        bases: &bases,
        commits: &proof.commits,
    };
    proof::core_proof_verify(
        ctx,
        pk,
        &proof.proof,
        header,
        presentation_header,
        disclosed_messages,
        None,
        Some(&statement),
    )
}

/// The disclosed and committed indexes over the whole list of a blind signature (the signer's
/// messages, the prover blind, the committed messages), from one disclosure per signer message and
/// one per committed message; the prover blind is always hidden.
fn blind_indexes(
    signed: &SignedMessages,
    disclosures: &[Disclosure],
    committed_disclosures: &[Disclosure],
) -> Result<(Vec<usize>, Vec<usize>)> {
    if disclosures.len() != signed.l || committed_disclosures.len() != signed.m {
        return Err(Error::DisclosedIndexOutOfRange);
    }
    let whole: Vec<Disclosure> = disclosures
        .iter()
        .copied()
        .chain([Disclosure::Hide])
        .chain(committed_disclosures.iter().copied())
        .collect();
    Ok(split_disclosures(&whole))
}

impl<C: Ciphersuite> Interface<C> {
    /// CoreProofGen with committed disclosure: one [`Disclosure`] per message. Returns the proof and,
    /// for the prover only, the opening of each commitment with its message index. Draws its random
    /// scalars from `rng`; constant time in everything the verifier does not see.
    #[allow(
        clippy::too_many_arguments,
        reason = "the draft's inputs, in the draft's order"
    )]
    pub fn core_proof_gen_committed<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        presentation_header: &[u8],
        messages: &[Scalar],
        disclosures: &[Disclosure],
    ) -> Result<(CommittedProof, Vec<(usize, Opening)>)> {
        if disclosures.len() != messages.len() {
            return Err(Error::DisclosedIndexOutOfRange);
        }
        let messages = Zeroizing::new(messages.iter().map(|m| m.0).collect::<Vec<Fr>>());
        let (disclosed, committed) = split_disclosures(disclosures);
        let count = 5 + messages.len() - disclosed.len() + 2 * committed.len();
        let random_scalars = proof::calculate_random_scalars(rng, count);
        prove(
            &self.context(messages.len())?,
            pk,
            signature,
            header,
            presentation_header,
            &messages,
            &disclosed,
            &committed,
            &random_scalars,
        )
    }

    /// CoreProofVerify with committed disclosure: `disclosed_messages` are `(index, message)` pairs at
    /// exactly the proof's disclosed indexes, ascending. On success the proof's
    /// [`CommittedProof::commitments`] are commitments to signed messages at their indexes.
    pub fn core_proof_verify_committed(
        &self,
        pk: &PublicKey,
        proof: &CommittedProof,
        header: &[u8],
        presentation_header: &[u8],
        disclosed_messages: &[(usize, Scalar)],
    ) -> Result<()> {
        let disclosed: Vec<(usize, Fr)> = disclosed_messages.iter().map(|(i, m)| (*i, m.0)).collect();
        verify(
            &self.context(proof.message_count())?,
            pk,
            proof,
            header,
            presentation_header,
            &disclosed,
        )
    }

    /// Whether `opening` opens `commitment` under this interface's commitment bases: `C = Y_0 * s +
    /// Y_1 * m`. For a prover's own checks; the opening is secret and the check is constant time in it.
    pub fn check_opening(&self, commitment: &MessageCommitment, opening: &Opening) -> Result<()> {
        let bases = self.context(0)?.commitment_bases()?;
        let scalars = Zeroizing::new([opening.blinding, opening.message]);
        let point = bases.msm_points_constant_time(0, scalars.as_slice()).to_affine();
        if point.to_compressed() == commitment.bytes {
            Ok(())
        } else {
            Err(Error::VerificationFailed)
        }
    }

    /// CoreProofGen with committed disclosure and its random scalars given (`5 + U` for the proof,
    /// then `s_1..s_N, s~_1..s~_N`): for tests only.
    #[cfg(feature = "hazmat")]
    #[allow(
        clippy::too_many_arguments,
        reason = "the draft's inputs, in the draft's order"
    )]
    pub fn core_proof_gen_committed_with_random_scalars(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        presentation_header: &[u8],
        messages: &[Scalar],
        disclosures: &[Disclosure],
        random_scalars: &[[u8; 32]],
    ) -> Result<(CommittedProof, Vec<(usize, Opening)>)> {
        if disclosures.len() != messages.len() {
            return Err(Error::DisclosedIndexOutOfRange);
        }
        let messages = Zeroizing::new(messages.iter().map(|m| m.0).collect::<Vec<Fr>>());
        let (disclosed, committed) = split_disclosures(disclosures);
        let random = Zeroizing::new(
            random_scalars
                .iter()
                .map(|b| Fr::from_be_bytes_canonical(b).ok_or(Error::MalformedScalar))
                .collect::<Result<Vec<Fr>>>()?,
        );
        if random.len() != 5 + messages.len() - disclosed.len() + 2 * committed.len() {
            return Err(Error::RandomScalarCount);
        }
        prove(
            &self.context(messages.len())?,
            pk,
            signature,
            header,
            presentation_header,
            &messages,
            &disclosed,
            &committed,
            &random,
        )
    }
}

/// BlindProofGen with committed disclosure (main branch §4.2.3): one [`Disclosure`] per signer
/// message and one per committed message (the prover blind stays hidden). Openings are returned with
/// their index in the whole signed list (a committed message `j` is at `L + 1 + j`).
#[allow(
    clippy::too_many_arguments,
    reason = "the draft's inputs, in the draft's order"
)]
pub fn blind_proof_gen_committed<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    presentation_header: &[u8],
    messages: &[&[u8]],
    committed_messages: &[&[u8]],
    disclosures: &[Disclosure],
    committed_disclosures: &[Disclosure],
    prover_blind: Option<&ProverBlind>,
) -> Result<(CommittedProof, Vec<(usize, Opening)>)> {
    let interface = blind::interface::<C>();
    let signed = SignedMessages::prepare(&interface, messages, committed_messages, prover_blind, &[]);
    let (disclosed, committed) = blind_indexes(&signed, disclosures, committed_disclosures)?;
    let count = 5 + signed.len() - disclosed.len() + 2 * committed.len();
    let random_scalars = proof::calculate_random_scalars(rng, count);
    prove(
        &interface.blind_context(signed.l, signed.len() - signed.l)?,
        pk,
        signature,
        header,
        presentation_header,
        &signed.scalars,
        &disclosed,
        &committed,
        &random_scalars,
    )
}

/// BlindProofVerify with committed disclosure: `l` is the number of the signer's messages; the pairs
/// are at exactly the proof's disclosed indexes (signer indexes, committed ones counted from 0).
pub fn blind_proof_verify_committed<C: Ciphersuite>(
    pk: &PublicKey,
    proof: &CommittedProof,
    header: &[u8],
    presentation_header: &[u8],
    l: usize,
    disclosed_messages: &[(usize, &[u8])],
    disclosed_committed_messages: &[(usize, &[u8])],
) -> Result<()> {
    let interface = blind::interface::<C>();
    let total = proof.message_count();
    let blind_count = total
        .checked_sub(l)
        .filter(|&n| n >= 1)
        .ok_or(Error::VerificationFailed)?;
    let m = blind_count - 1;
    if disclosed_messages.iter().any(|(i, _)| *i >= l)
        || disclosed_committed_messages.iter().any(|(j, _)| *j >= m)
    {
        return Err(Error::VerificationFailed);
    }
    let map_dst = interface.map_dst();
    let disclosed: Vec<(usize, Fr)> = disclosed_messages
        .iter()
        .map(|&(i, msg)| (i, msg))
        .chain(
            disclosed_committed_messages
                .iter()
                .map(|&(j, msg)| (j + l + 1, msg)),
        )
        .map(|(i, msg)| (i, interface.map_message(&map_dst, msg)))
        .collect();
    verify(
        &interface.blind_context(l, blind_count)?,
        pk,
        proof,
        header,
        presentation_header,
        &disclosed,
    )
}

#[cfg(test)]
mod tests {
    //! The malicious provers, written against the crate's internals: each makes a proof the honest way
    //! except for the one lie it tells, and the verifier must refuse it.

    #![allow(
        clippy::unwrap_used,
        reason = "a test states its expectations by failing loudly"
    )]

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::{Bls12381Sha256, SecretKey};

    type Suite = Bls12381Sha256;

    struct Fixture {
        interface: Interface<Suite>,
        pk: PublicKey,
        signature: Signature,
        messages: Vec<Scalar>,
    }

    fn fixture() -> Fixture {
        let sk = SecretKey::key_gen::<Suite>(&[5u8; 32], b"committed", None).unwrap();
        let pk = sk.public_key();
        let interface =
            Interface::<Suite>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_TEST_").unwrap();
        let messages: Vec<Scalar> = (0..6u64).map(|i| Scalar::from_u64(1_000 + i)).collect();
        let signature = interface.core_sign(&sk, &pk, b"header", &messages).unwrap();
        Fixture {
            interface,
            pk,
            signature,
            messages,
        }
    }

    /// `prove`, committing at `committed` to `values` instead of the signed messages.
    fn lying_prover(f: &Fixture, disclosed: &[usize], committed: &[usize], values: &[Fr]) -> CommittedProof {
        let mut rng = StdRng::seed_from_u64(3);
        let messages: Vec<Fr> = f.messages.iter().map(|m| m.0).collect();
        let random = proof::calculate_random_scalars(
            &mut rng,
            5 + messages.len() - disclosed.len() + 2 * committed.len(),
        );
        let ctx = f.interface.context(messages.len()).unwrap();
        let (bbs_random, commit_random) = random.split_at(5 + messages.len() - disclosed.len());
        let bases = ctx.commitment_bases().unwrap();
        let statement = CommitProver {
            bases: &bases,
            indexes: committed,
            values,
            random: commit_random,
        };
        let (proof, commits) = proof::core_proof_gen(
            &ctx,
            &f.pk,
            &f.signature,
            b"header",
            b"ph",
            &messages,
            disclosed,
            bbs_random,
            None,
            Some(&statement),
        )
        .unwrap();
        CommittedProof {
            proof,
            disclosed: disclosed.to_vec(),
            commits,
        }
    }

    fn verify(f: &Fixture, proof: &CommittedProof) -> Result<()> {
        let disclosed: Vec<(usize, Scalar)> = proof
            .disclosed_indexes()
            .iter()
            .map(|&i| (i, f.messages[i].clone()))
            .collect();
        f.interface
            .core_proof_verify_committed(&f.pk, proof, b"header", b"ph", &disclosed)
    }

    #[test]
    fn the_honest_prover_passes() {
        let f = fixture();
        let values = [f.messages[1].0, f.messages[4].0];
        let proof = lying_prover(&f, &[0], &[1, 4], &values);
        assert_eq!(verify(&f, &proof), Ok(()));
    }

    #[test]
    fn a_commitment_to_another_value_is_refused() {
        let f = fixture();
        // The birth date it would like to have: a day later, and a random value.
        for lie in [f.messages[1].0.add(&Fr::from_u64(1)), Fr::from_u64(7)] {
            let values = [lie, f.messages[4].0];
            let proof = lying_prover(&f, &[0], &[1, 4], &values);
            assert_eq!(verify(&f, &proof), Err(Error::VerificationFailed));
        }
    }

    #[test]
    fn a_commitment_moved_to_another_message_is_refused() {
        let f = fixture();
        // Commits to message 4's value but claims index 1.
        let proof = lying_prover(&f, &[0], &[1], &[f.messages[4].0]);
        assert_eq!(verify(&f, &proof), Err(Error::VerificationFailed));
    }

    #[test]
    fn a_commitment_lifted_into_another_proof_is_refused() {
        let f = fixture();
        let values = [f.messages[1].0];
        let a = lying_prover(&f, &[0], &[1], &values);
        let mut b = lying_prover(&f, &[0, 2], &[1], &values);
        // Another honest proof's commitment and response in this one.
        b.commits = a.commits.clone();
        assert_eq!(verify(&f, &b), Err(Error::VerificationFailed));
        // Or a commitment on a disclosed message.
        let mut c = lying_prover(&f, &[0], &[1], &values);
        c.commits[0].index = 0;
        assert_eq!(verify(&f, &c), Err(Error::VerificationFailed));
    }
}
