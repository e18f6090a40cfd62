//! [`Interface`]: the draft's core operations (§3.6) under an api_id, and the utilities every
//! operation shares: domain (§4.2.3), challenge (§3.7.4), messages to scalars (§4.1.2).
//!
//! The BBS Signatures Interface of the draft (§3.5) is the one with api_id
//! `ciphersuite_id || "H2G_HM2S_"`, whose messages are octet strings hashed to scalars: the crate's
//! top-level [`crate::sign`], [`crate::verify`], [`crate::proof_gen`] and [`crate::proof_verify`]. Other
//! interfaces sign messages that are already scalars, as ecert's certificates do for dates and numbers,
//! and later blind issuance and pseudonyms; each has its own api_id (§3.8, "Defining New Interfaces"),
//! which also selects its generators.

use core::fmt;
use core::marker::PhantomData;

use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::ciphersuite::{Ciphersuite, Suite};
use crate::curve::{Fr, G1_BYTES};
use crate::error::{Error, Result};
use std::sync::Arc;

use crate::generators::{self, Generators, LONGEST_DST_SUFFIX, MessageGenerators};
use crate::hash::MAX_DST_LEN;
use crate::key::{PublicKey, SecretKey};
use crate::proof::{self, Proof};
use crate::scalar::Scalar;
use crate::signature::Signature;
use crate::{sign, verify};

/// A BBS interface: the core operations CoreSign, CoreVerify, CoreProofGen and CoreProofVerify
/// (draft §3.6) over messages that are already [`Scalar`]s, with generators and hashes
/// domain-separated by the interface's `api_id`.
///
/// ```
/// use ecert_bbs::{Bls12381Sha256, Interface, Scalar, SecretKey};
///
/// # fn main() -> Result<(), ecert_bbs::Error> {
/// let sk = SecretKey::key_gen::<Bls12381Sha256>(&[7u8; 32], b"", None)?;
/// let pk = sk.public_key();
/// // A certificate interface: the birth date as days since 1970-01-01, a name hashed to a scalar.
/// let api = Interface::<Bls12381Sha256>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT1_")?;
/// let messages = [Scalar::from_u64(7_000), api.map_message_to_scalar(b"Li Hua")];
/// let signature = api.core_sign(&sk, &pk, b"header", &messages)?;
/// api.core_verify(&pk, &signature, b"header", &messages)?;
/// # Ok(())
/// # }
/// ```
pub struct Interface<C: Ciphersuite> {
    api_id: Vec<u8>,
    suite: PhantomData<C>,
}

impl<C: Ciphersuite> Clone for Interface<C> {
    fn clone(&self) -> Self {
        Interface {
            api_id: self.api_id.clone(),
            suite: PhantomData,
        }
    }
}

impl<C: Ciphersuite> fmt::Debug for Interface<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interface")
            .field("api_id", &String::from_utf8_lossy(&self.api_id))
            .finish()
    }
}

impl<C: Ciphersuite> Interface<C> {
    /// An interface with the given `api_id`. The draft recommends
    /// `ciphersuite_id || CREATE_GENERATORS_ID || MAP_TO_SCALAR_ID || ADD_INFO` (§3.8); the only hard
    /// rule enforced here is that every tag derived from it fits in 255 bytes.
    pub fn new(api_id: &[u8]) -> Result<Self> {
        if api_id.len() + LONGEST_DST_SUFFIX > MAX_DST_LEN {
            return Err(Error::ApiIdTooLong);
        }
        Ok(Interface {
            api_id: api_id.to_vec(),
            suite: PhantomData,
        })
    }

    /// The draft's BBS Signatures Interface (§3.5): api_id `ciphersuite_id || "H2G_HM2S_"`.
    pub fn signatures() -> Self {
        Interface {
            api_id: C::SUITE.signatures_api_id(),
            suite: PhantomData,
        }
    }

    /// The interface with api_id `ciphersuite_id || suffix`, for the crate's own short, fixed suffixes
    /// (the Blind BBS and pseudonym interfaces), whose tags are known to fit.
    pub(crate) fn with_suffix(suffix: &'static [u8]) -> Self {
        Interface {
            api_id: [C::ID, suffix].concat(),
            suite: PhantomData,
        }
    }

    /// The interface's `api_id`.
    pub fn api_id(&self) -> &[u8] {
        &self.api_id
    }

    /// `hash_to_scalar(message, api_id || "MAP_MSG_TO_SCALAR_AS_HASH_")`: one message of
    /// `messages_to_scalars` (§4.1.2).
    pub fn map_message_to_scalar(&self, message: &[u8]) -> Scalar {
        Scalar(self.map_message(&self.map_dst(), message))
    }

    /// CoreSign (§3.6.1). Deterministic; constant time in the secret key and in the messages.
    pub fn core_sign(
        &self,
        sk: &SecretKey,
        pk: &PublicKey,
        header: &[u8],
        messages: &[Scalar],
    ) -> Result<Signature> {
        let messages = Zeroizing::new(messages.iter().map(|m| m.0).collect::<Vec<Fr>>());
        sign::core_sign(&self.context(messages.len())?, sk, pk, header, &messages)
    }

    /// CoreVerify (§3.6.2).
    pub fn core_verify(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        messages: &[Scalar],
    ) -> Result<()> {
        let messages: Vec<Fr> = messages.iter().map(|m| m.0).collect();
        verify::core_verify(&self.context(messages.len())?, pk, signature, header, &messages)
    }

    /// CoreProofGen (§3.6.3): a proof of knowledge of `signature` on `messages` that discloses the
    /// messages at `disclosed_indexes` (any order; repeats count once) and hides the rest. Constant
    /// time in everything the verifier does not see.
    #[allow(
        clippy::too_many_arguments,
        reason = "the draft's inputs, in the draft's order"
    )]
    pub fn core_proof_gen<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        presentation_header: &[u8],
        messages: &[Scalar],
        disclosed_indexes: &[usize],
    ) -> Result<Proof> {
        let messages = Zeroizing::new(messages.iter().map(|m| m.0).collect::<Vec<Fr>>());
        let disclosed = proof::disclosed_set(disclosed_indexes, messages.len())?;
        let random_scalars = proof::calculate_random_scalars(rng, 5 + messages.len() - disclosed.len());
        proof::core_proof_gen(
            &self.context(messages.len())?,
            pk,
            signature,
            header,
            presentation_header,
            &messages,
            &disclosed,
            &random_scalars,
            None,
            None,
        )
        .map(|(proof, _)| proof)
    }

    /// CoreProofVerify (§3.6.4): `disclosed_messages` are `(index, message)` pairs in strictly
    /// ascending index order, as the proof was made.
    pub fn core_proof_verify(
        &self,
        pk: &PublicKey,
        proof: &Proof,
        header: &[u8],
        presentation_header: &[u8],
        disclosed_messages: &[(usize, Scalar)],
    ) -> Result<()> {
        let disclosed: Vec<(usize, Fr)> = disclosed_messages.iter().map(|(i, m)| (*i, m.0)).collect();
        let l = disclosed.len() + proof.m_hat.len();
        proof::core_proof_verify(
            &self.context(l)?,
            pk,
            proof,
            header,
            presentation_header,
            &disclosed,
            None,
            None,
        )
    }

    /// CoreProofGen with the `5 + U` "random" scalars given (big-endian bytes): for test vectors only,
    /// since a proof made with known scalars reveals every hidden message.
    #[cfg(feature = "hazmat")]
    #[allow(
        clippy::too_many_arguments,
        reason = "the draft's inputs, in the draft's order"
    )]
    pub fn core_proof_gen_with_random_scalars(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        presentation_header: &[u8],
        messages: &[Scalar],
        disclosed_indexes: &[usize],
        random_scalars: &[[u8; 32]],
    ) -> Result<Proof> {
        let messages = Zeroizing::new(messages.iter().map(|m| m.0).collect::<Vec<Fr>>());
        let disclosed = proof::disclosed_set(disclosed_indexes, messages.len())?;
        let random_scalars = Zeroizing::new(
            random_scalars
                .iter()
                .map(|bytes| Fr::from_be_bytes_canonical(bytes).ok_or(Error::MalformedScalar))
                .collect::<Result<Vec<Fr>>>()?,
        );
        proof::core_proof_gen(
            &self.context(messages.len())?,
            pk,
            signature,
            header,
            presentation_header,
            &messages,
            &disclosed,
            &random_scalars,
            None,
            None,
        )
        .map(|(proof, _)| proof)
    }

    /// `map_dst = api_id || "MAP_MSG_TO_SCALAR_AS_HASH_"` (§4.1.2).
    pub(crate) fn map_dst(&self) -> Vec<u8> {
        [self.api_id.as_slice(), b"MAP_MSG_TO_SCALAR_AS_HASH_"].concat()
    }

    /// `hash_to_scalar(message, map_dst)`: one message of `messages_to_scalars`.
    pub(crate) fn map_message(&self, map_dst: &[u8], message: &[u8]) -> Fr {
        // `new` bounds the api_id so that the tag fits: expand_message cannot fail here.
        C::SUITE.hash_to_scalar(&[message], map_dst).unwrap_or_default()
    }

    /// `messages_to_scalars(messages, api_id)` (§4.1.2).
    pub(crate) fn messages_to_scalars(&self, messages: &[&[u8]]) -> Zeroizing<Vec<Fr>> {
        let map_dst = self.map_dst();
        Zeroizing::new(messages.iter().map(|m| self.map_message(&map_dst, m)).collect())
    }

    pub(crate) fn context(&self, l: usize) -> Result<Context<'_>> {
        Ok(Context {
            suite: C::SUITE,
            api_id: &self.api_id,
            generators: MessageGenerators::single(generators::get(C::SUITE, &self.api_id, l + 1)?),
        })
    }

    /// The context of the Blind BBS interfaces: `Q_1, H_1..H_l` of the api_id, then `blind_count`
    /// blind generators `Q_2, J_1, ...` of `"BLIND_" || api_id`
    /// (draft-irtf-cfrg-bbs-blind-signatures-02 §5.1, prepare_parameters).
    pub(crate) fn blind_context(&self, l: usize, blind_count: usize) -> Result<Context<'_>> {
        let blind_api_id = [b"BLIND_".as_slice(), &self.api_id].concat();
        Ok(Context {
            suite: C::SUITE,
            api_id: &self.api_id,
            generators: MessageGenerators::with_blind(
                generators::get(C::SUITE, &self.api_id, l + 1)?,
                l,
                generators::get(C::SUITE, &blind_api_id, blind_count)?,
            ),
        })
    }
}

/// What every core operation needs: the suite, the api_id and the generators of at least `L` messages
/// after `Q_1`.
pub(crate) struct Context<'a> {
    pub(crate) suite: Suite,
    pub(crate) api_id: &'a [u8],
    pub(crate) generators: MessageGenerators,
}

impl Context<'_> {
    /// `(Y_0, Y_1) = create_generators(2, "COM_DIS_" || api_id)`: the bases of the commitments to
    /// hidden messages (committed disclosure). The blind draft's main-branch text gives no count;
    /// two is what `(Y_0, Y_1)` takes, and the list's first two points are the same for any count.
    pub(crate) fn commitment_bases(&self) -> Result<Arc<Generators>> {
        generators::get(self.suite, &[b"COM_DIS_".as_slice(), self.api_id].concat(), 2)
    }

    /// `api_id || "H2S_"`, the tag of the domain, `e` and the challenge.
    pub(crate) fn h2s_dst(&self) -> Vec<u8> {
        [self.api_id, b"H2S_"].concat()
    }

    /// `calculate_domain(PK, Q_1, (H_1, ..., H_L), header, api_id)` (§4.2.3).
    pub(crate) fn domain(&self, pk: &PublicKey, l: usize, header: &[u8]) -> Result<Fr> {
        // 1. dom_array = (L, Q_1, H_1, ..., H_L)
        // 2. dom_octs = serialize(dom_array) || api_id
        // 3. dom_input = PK || dom_octs || I2OSP(length(header), 8) || header
        let l_octets = (l as u64).to_be_bytes();
        let header_len = (header.len() as u64).to_be_bytes();
        let encoded: Vec<&[u8; G1_BYTES]> = self.generators.encoded(l);
        let mut dom_input: Vec<&[u8]> = Vec::with_capacity(l + 6);
        dom_input.push(pk.as_bytes());
        dom_input.push(&l_octets);
        dom_input.extend(encoded.iter().map(|p| p.as_slice()));
        dom_input.push(self.api_id);
        dom_input.push(&header_len);
        dom_input.push(header);
        // 4. return hash_to_scalar(dom_input, hash_to_scalar_dst)
        self.suite.hash_to_scalar(&dom_input, &self.h2s_dst())
    }
}
