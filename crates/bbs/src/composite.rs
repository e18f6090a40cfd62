//! Composite proofs: one BBS proof with committed disclosure per certificate, and any number of range
//! and equality statements on their committed messages, under one presentation header.
//!
//! The range and equality proofs' transcripts start from the composite's context,
//! `SHA-256("ECERT-COMPOSITE-V1" || I2OSP(len(ph), 8) || ph || for each BBS proof: I2OSP(len, 8) ||
//! bytes || the statements' encoding)`: each BBS proof's challenge already binds its commitments and the
//! presentation header, so a range or equality proof cannot be moved to another presentation, another
//! set of certificates or another statement.
//!
//! The BBS proofs themselves are verified by the caller, who knows each certificate's key, header and
//! disclosed values ([`crate::Interface::core_proof_verify_committed`] or
//! [`crate::committed::blind_proof_verify_committed`]); [`CompositeProof::verify_statements`] checks the
//! rest against the commitments those proofs carry.
//!
//! # Encoding (version 1)
//!
//! ```text
//! version (1 byte, 1)
//! I2OSP(P, 2), then P times: I2OSP(len, 4) || committed proof (committed::CommittedProof::to_bytes)
//! I2OSP(R, 2), then R times: bits (1 byte) || I2OSP(T, 2) ||
//!     T times: I2OSP(proof, 2) || I2OSP(message, 4) || kind (1 byte: 0 at least, 1 at most) || I2OSP(bound, 8)
//!     || the range proof (its length follows from bits and T)
//! I2OSP(E, 2), then E times: I2OSP(K, 2) || K times: I2OSP(proof, 2) || I2OSP(message, 4)
//!     || the equality proof (32 (K + 2) bytes)
//! ```
//!
//! Decoding validates everything the parts' own decoders do, every count against the bytes left, every
//! reference (a proof the composite holds, a message it commits), and that nothing is left over.

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

use crate::ciphersuite::Ciphersuite;
use crate::committed::{CommittedProof, MessageCommitment, Opening};
use crate::equality::{self, EqualityProof};
use crate::error::{Error, Result};
use crate::interface::Interface;
use crate::range::{self, RangeProof, RangeValue};

/// The encoding's version.
const VERSION: u8 = 1;

/// The most proofs, statements or terms the encoding's 16-bit counts allow.
const MAX_COUNT: usize = u16::MAX as usize;

/// A bound on a committed message, as a range statement's term proves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bound {
    /// `message >= bound`.
    AtLeast(u64),
    /// `message <= bound`.
    AtMost(u64),
}

/// Where a committed message is: the index of its proof in the composite, and its message index there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageRef {
    /// The proof's index in the composite.
    pub proof: usize,
    /// The message's index in that proof's signed list.
    pub message: usize,
}

/// One term of a range statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RangeTerm {
    /// The committed message.
    pub at: MessageRef,
    /// What is proved of it.
    pub bound: Bound,
}

/// A range statement: every term holds, each within `bits` bits of its bound (`bound <= m < bound +
/// 2^bits`, or `bound - 2^bits < m <= bound`). Proved by one aggregated range proof.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RangeStatement {
    /// 8, 16, 32 or 64.
    pub bits: usize,
    /// The terms; `a <= m <= b` is two.
    pub terms: Vec<RangeTerm>,
}

/// An equality statement: the messages at these places are one message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EqualityStatement {
    /// Two or more committed messages.
    pub members: Vec<MessageRef>,
}

/// A certificate's part of a composite, for the prover: its interface, its proof with committed
/// disclosure and the openings of its commitments.
#[derive(Debug)]
pub struct ProvedCertificate<'a, C: Ciphersuite> {
    /// The interface the certificate is signed under.
    pub interface: &'a Interface<C>,
    /// The BBS proof with committed disclosure.
    pub proof: CommittedProof,
    /// The openings, by message index, as the proof generation returned them.
    pub openings: Vec<(usize, Opening)>,
}

/// A composite proof. Public.
#[derive(Clone, PartialEq, Eq)]
pub struct CompositeProof {
    proofs: Vec<CommittedProof>,
    ranges: Vec<(RangeStatement, RangeProof)>,
    equalities: Vec<(EqualityStatement, EqualityProof)>,
}

impl fmt::Debug for CompositeProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompositeProof")
            .field("proofs", &self.proofs.len())
            .field("ranges", &self.ranges.iter().map(|(s, _)| s).collect::<Vec<_>>())
            .field(
                "equalities",
                &self.equalities.iter().map(|(s, _)| s).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The commitment at `at`, if the proofs hold one there.
fn commitment_at(proofs: &[CommittedProof], at: &MessageRef) -> Option<MessageCommitment> {
    proofs
        .get(at.proof)?
        .commitments()
        .into_iter()
        .find(|(i, _)| *i == at.message)
        .map(|(_, c)| c)
}

fn check_statements(
    proofs: &[CommittedProof],
    ranges: &[RangeStatement],
    equalities: &[EqualityStatement],
) -> Result<()> {
    let refs_ok = ranges
        .iter()
        .flat_map(|r| r.terms.iter().map(|t| t.at))
        .chain(equalities.iter().flat_map(|e| e.members.iter().copied()))
        .all(|at| commitment_at(proofs, &at).is_some());
    let sizes_ok = proofs.len() <= MAX_COUNT
        && ranges.len() <= MAX_COUNT
        && equalities.len() <= MAX_COUNT
        && ranges
            .iter()
            .all(|r| !r.terms.is_empty() && r.terms.len() <= MAX_COUNT)
        && equalities
            .iter()
            .all(|e| (2..=MAX_COUNT).contains(&e.members.len()));
    if refs_ok && sizes_ok {
        Ok(())
    } else {
        Err(Error::CompositeStatement)
    }
}

/// The transcript context of the statements' proofs (see the module docs).
fn context(
    presentation_header: &[u8],
    proofs: &[CommittedProof],
    ranges: &[RangeStatement],
    equalities: &[EqualityStatement],
) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"ECERT-COMPOSITE-V1");
    h.update((presentation_header.len() as u64).to_be_bytes());
    h.update(presentation_header);
    h.update((proofs.len() as u64).to_be_bytes());
    for proof in proofs {
        let bytes = proof.to_bytes();
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(&bytes);
    }
    let mut statements = Vec::new();
    encode_statements(&mut statements, ranges, equalities);
    h.update(&statements);
    h.finalize().to_vec()
}

/// The statements alone, in the encoding's layout without the proofs (hashed into the context).
fn encode_statements(out: &mut Vec<u8>, ranges: &[RangeStatement], equalities: &[EqualityStatement]) {
    out.extend_from_slice(&(ranges.len() as u16).to_be_bytes());
    for r in ranges {
        encode_range_statement(out, r);
    }
    out.extend_from_slice(&(equalities.len() as u16).to_be_bytes());
    for e in equalities {
        encode_equality_statement(out, e);
    }
}

fn encode_ref(out: &mut Vec<u8>, at: &MessageRef) {
    out.extend_from_slice(&(at.proof as u16).to_be_bytes());
    out.extend_from_slice(&(at.message as u32).to_be_bytes());
}

fn encode_range_statement(out: &mut Vec<u8>, r: &RangeStatement) {
    out.push(r.bits as u8);
    out.extend_from_slice(&(r.terms.len() as u16).to_be_bytes());
    for t in &r.terms {
        encode_ref(out, &t.at);
        let (kind, bound) = match t.bound {
            Bound::AtLeast(b) => (0u8, b),
            Bound::AtMost(b) => (1u8, b),
        };
        out.push(kind);
        out.extend_from_slice(&bound.to_be_bytes());
    }
}

fn encode_equality_statement(out: &mut Vec<u8>, e: &EqualityStatement) {
    out.extend_from_slice(&(e.members.len() as u16).to_be_bytes());
    for at in &e.members {
        encode_ref(out, at);
    }
}

fn range_values(proofs: &[CommittedProof], statement: &RangeStatement) -> Result<Vec<RangeValue>> {
    statement
        .terms
        .iter()
        .map(|t| {
            let c = commitment_at(proofs, &t.at).ok_or(Error::CompositeStatement)?;
            Ok(match t.bound {
                Bound::AtLeast(a) => RangeValue::at_least(c, a),
                Bound::AtMost(b) => RangeValue::at_most(c, b),
            })
        })
        .collect()
}

/// Proves the statements over the certificates' committed messages, under `presentation_header` (the
/// one the BBS proofs were made with). Draws its randomness from `rng`.
pub fn prove_composite<C: Ciphersuite, R: RngCore + CryptoRng>(
    rng: &mut R,
    presentation_header: &[u8],
    certificates: &[ProvedCertificate<'_, C>],
    ranges: &[RangeStatement],
    equalities: &[EqualityStatement],
) -> Result<CompositeProof> {
    let proofs: Vec<CommittedProof> = certificates.iter().map(|c| c.proof.clone()).collect();
    check_statements(&proofs, ranges, equalities)?;
    let ctx = context(presentation_header, &proofs, ranges, equalities);
    let opening = |at: &MessageRef| -> Result<&Opening> {
        certificates
            .get(at.proof)
            .and_then(|c| c.openings.iter().find(|(i, _)| *i == at.message))
            .map(|(_, o)| o)
            .ok_or(Error::CompositeStatement)
    };
    let mut range_proofs = Vec::with_capacity(ranges.len());
    for statement in ranges {
        let values = range_values(&proofs, statement)?;
        let openings = statement
            .terms
            .iter()
            .map(|t| opening(&t.at))
            .collect::<Result<Vec<_>>>()?;
        // Every term of one range proof is under one interface's bases: that of its first term.
        let interface = certificates[statement.terms[0].at.proof].interface;
        let same_interface = statement
            .terms
            .iter()
            .all(|t| certificates[t.at.proof].interface.api_id() == interface.api_id());
        if !same_interface {
            return Err(Error::CompositeStatement);
        }
        let pairs: Vec<(&RangeValue, &Opening)> = values.iter().zip(openings).collect();
        range_proofs.push((
            statement.clone(),
            range::prove_range(rng, interface, statement.bits, &pairs, &ctx)?,
        ));
    }
    let mut equality_proofs = Vec::with_capacity(equalities.len());
    for statement in equalities {
        let commitments = statement
            .members
            .iter()
            .map(|at| commitment_at(&proofs, at).ok_or(Error::CompositeStatement))
            .collect::<Result<Vec<_>>>()?;
        let items = statement
            .members
            .iter()
            .zip(&commitments)
            .map(|(at, c)| Ok((certificates[at.proof].interface, c, opening(at)?)))
            .collect::<Result<Vec<_>>>()?;
        equality_proofs.push((statement.clone(), equality::prove_equal(rng, &items, &ctx)?));
    }
    Ok(CompositeProof {
        proofs,
        ranges: range_proofs,
        equalities: equality_proofs,
    })
}

impl CompositeProof {
    /// The BBS proofs, one per certificate, for the caller to verify.
    pub fn proofs(&self) -> &[CommittedProof] {
        &self.proofs
    }

    /// The range statements.
    pub fn range_statements(&self) -> Vec<&RangeStatement> {
        self.ranges.iter().map(|(s, _)| s).collect()
    }

    /// The equality statements.
    pub fn equality_statements(&self) -> Vec<&EqualityStatement> {
        self.equalities.iter().map(|(s, _)| s).collect()
    }

    /// Verifies every range and equality statement against the commitments of the proofs, each proof's
    /// under `interfaces[i]`, with the presentation header the BBS proofs are verified with. The BBS
    /// proofs themselves are the caller's to verify (it knows the keys, headers and disclosed values);
    /// until it has, these commitments prove nothing about any certificate.
    pub fn verify_statements<C: Ciphersuite>(
        &self,
        interfaces: &[&Interface<C>],
        presentation_header: &[u8],
    ) -> Result<()> {
        if interfaces.len() != self.proofs.len() {
            return Err(Error::VerificationFailed);
        }
        let ranges: Vec<RangeStatement> = self.ranges.iter().map(|(s, _)| s.clone()).collect();
        let equalities: Vec<EqualityStatement> = self.equalities.iter().map(|(s, _)| s.clone()).collect();
        check_statements(&self.proofs, &ranges, &equalities).map_err(|_| Error::VerificationFailed)?;
        let ctx = context(presentation_header, &self.proofs, &ranges, &equalities);
        for (statement, proof) in &self.ranges {
            let values = range_values(&self.proofs, statement)?;
            let interface = interfaces[statement.terms[0].at.proof];
            let same_interface = statement
                .terms
                .iter()
                .all(|t| interfaces[t.at.proof].api_id() == interface.api_id());
            if !same_interface {
                return Err(Error::VerificationFailed);
            }
            range::verify_range(interface, statement.bits, &values, proof, &ctx)?;
        }
        for (statement, proof) in &self.equalities {
            let commitments = statement
                .members
                .iter()
                .map(|at| commitment_at(&self.proofs, at).ok_or(Error::VerificationFailed))
                .collect::<Result<Vec<_>>>()?;
            let items: Vec<(&Interface<C>, &MessageCommitment)> = statement
                .members
                .iter()
                .zip(&commitments)
                .map(|(at, c)| (interfaces[at.proof], c))
                .collect();
            equality::verify_equal(&items, proof, &ctx)?;
        }
        Ok(())
    }

    /// The version 1 encoding (module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        out.extend_from_slice(&(self.proofs.len() as u16).to_be_bytes());
        for proof in &self.proofs {
            let bytes = proof.to_bytes();
            out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
            out.extend_from_slice(&bytes);
        }
        out.extend_from_slice(&(self.ranges.len() as u16).to_be_bytes());
        for (statement, proof) in &self.ranges {
            encode_range_statement(&mut out, statement);
            out.extend_from_slice(&proof.to_bytes());
        }
        out.extend_from_slice(&(self.equalities.len() as u16).to_be_bytes());
        for (statement, proof) in &self.equalities {
            encode_equality_statement(&mut out, statement);
            out.extend_from_slice(&proof.to_bytes());
        }
        out
    }

    /// Decodes the version 1 encoding with full validation (module docs).
    pub fn from_bytes(bytes: &[u8]) -> Result<CompositeProof> {
        let mut r = Reader { bytes };
        if r.u8()? != VERSION {
            return Err(Error::MalformedProof);
        }
        let proof_count = r.count(4)?;
        let mut proofs = Vec::with_capacity(proof_count);
        for _ in 0..proof_count {
            let len = r.u32()? as usize;
            proofs.push(CommittedProof::from_bytes(r.take(len)?)?);
        }
        let range_count = r.count(1 + 2)?;
        let mut ranges = Vec::with_capacity(range_count);
        for _ in 0..range_count {
            let bits = usize::from(r.u8()?);
            let term_count = r.count(2 + 4 + 1 + 8)?;
            let mut terms = Vec::with_capacity(term_count);
            for _ in 0..term_count {
                let at = r.message_ref()?;
                let bound = match (r.u8()?, r.u64()?) {
                    (0, b) => Bound::AtLeast(b),
                    (1, b) => Bound::AtMost(b),
                    _ => return Err(Error::MalformedProof),
                };
                terms.push(RangeTerm { at, bound });
            }
            if !matches!(bits, 8 | 16 | 32 | 64) || terms.is_empty() {
                return Err(Error::MalformedProof);
            }
            let total = bits * terms.len().next_power_of_two();
            if total > range::MAX_RANGE_BITS {
                return Err(Error::MalformedProof);
            }
            let proof = RangeProof::from_bytes(r.take(RangeProof::encoded_len(total))?, total)?;
            ranges.push((RangeStatement { bits, terms }, proof));
        }
        let equality_count = r.count(2)?;
        let mut equalities = Vec::with_capacity(equality_count);
        for _ in 0..equality_count {
            let member_count = r.count(2 + 4)?;
            let members = (0..member_count)
                .map(|_| r.message_ref())
                .collect::<Result<Vec<_>>>()?;
            let len = member_count
                .checked_add(2)
                .map(|n| n * 32)
                .ok_or(Error::MalformedProof)?;
            let proof = EqualityProof::from_bytes(r.take(len)?, member_count)?;
            equalities.push((EqualityStatement { members }, proof));
        }
        if !r.bytes.is_empty() {
            return Err(Error::MalformedProof);
        }
        let range_statements: Vec<RangeStatement> = ranges.iter().map(|(s, _)| s.clone()).collect();
        let equality_statements: Vec<EqualityStatement> = equalities.iter().map(|(s, _)| s.clone()).collect();
        check_statements(&proofs, &range_statements, &equality_statements)
            .map_err(|_| Error::MalformedProof)?;
        Ok(CompositeProof {
            proofs,
            ranges,
            equalities,
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

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.take(N)?.try_into().map_err(|_| Error::MalformedProof)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A 16-bit count of items of at least `min_item` bytes each, refused if the rest cannot hold them.
    fn count(&mut self, min_item: usize) -> Result<usize> {
        let n = usize::from(self.u16()?);
        if n * min_item > self.bytes.len() {
            return Err(Error::MalformedProof);
        }
        Ok(n)
    }

    fn message_ref(&mut self) -> Result<MessageRef> {
        Ok(MessageRef {
            proof: usize::from(self.u16()?),
            message: self.u32()? as usize,
        })
    }
}
