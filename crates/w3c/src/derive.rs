//! The holder's side: a derived proof that discloses the mandatory statements and the ones the
//! holder selects, and nothing else (bbs-2023 §3.3.2 createDisclosureData, §3.4.5 Add Derived Proof).

use std::collections::BTreeMap;

use ecert_bbs::{Bls12381Sha256, Proof};
use rand_core::{CryptoRng, RngCore};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::group::{self, HmacKey, LabelMap};
use crate::loader::ContextLoader;
use crate::pointer::{JsonPointer, select_json_ld};
use crate::proof;
use crate::proof_value::{BaseProofValue, DerivedProofValue, compress_label_map};
use crate::{jsonld, rdf};

/// What a holder chooses for a derived proof.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeriveOptions {
    /// The statements to disclose beyond the mandatory ones, as JSON pointers into the credential.
    pub selective_pointers: Vec<JsonPointer>,
    /// The BBS presentation header: binds the presentation to the verifier's request (its nonce,
    /// audience and request digest in ecert), so that it cannot be replayed elsewhere.
    pub presentation_header: Vec<u8>,
}

impl DeriveOptions {
    /// Options disclosing `selective_pointers`, bound to `presentation_header`.
    pub fn new(
        selective_pointers: Vec<JsonPointer>,
        presentation_header: impl Into<Vec<u8>>,
    ) -> DeriveOptions {
        DeriveOptions {
            selective_pointers,
            presentation_header: presentation_header.into(),
        }
    }
}

/// Every intermediate value of a derived proof, for the test vectors (see `hazmat`).
#[cfg_attr(
    not(feature = "hazmat"),
    allow(
        dead_code,
        reason = "read by the hazmat test-vector access; the values exist anyway"
    )
)]
pub(crate) struct DerivedProofTrace {
    pub(crate) revealed: Value,
    pub(crate) mandatory_matching: Vec<usize>,
    pub(crate) selective_matching: Vec<usize>,
    pub(crate) combined_matching: Vec<usize>,
    pub(crate) non_mandatory: Vec<usize>,
    pub(crate) mandatory_indexes: Vec<usize>,
    pub(crate) selective_indexes: Vec<usize>,
    pub(crate) label_map: LabelMap,
    pub(crate) bbs_proof: Vec<u8>,
}

/// How the BBS proof is made: with the holder's RNG, or (vectors only) with given random scalars.
pub(crate) enum Randomness<'a> {
    Rng(&'a mut dyn RngCoreCrypto),
    #[cfg(feature = "hazmat")]
    Scalars(&'a mut dyn FnMut(usize) -> Vec<[u8; 32]>),
}

/// `RngCore + CryptoRng` as one object-safe trait.
pub(crate) trait RngCoreCrypto: RngCore + CryptoRng {}
impl<R: RngCore + CryptoRng> RngCoreCrypto for R {}

/// A sized handle on a `dyn RngCoreCrypto`, which is what `ecert_bbs::proof_gen` takes.
struct DynRng<'a>(&'a mut dyn RngCoreCrypto);

impl RngCore for DynRng<'_> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> std::result::Result<(), rand_core::Error> {
        self.0.try_fill_bytes(dest)
    }
}

impl CryptoRng for DynRng<'_> {}

/// Add Derived Proof (bbs-2023 §3.4.5).
pub(crate) fn derive(
    randomness: Randomness<'_>,
    secured: &Value,
    options: &DeriveOptions,
    loader: &ContextLoader,
) -> Result<DerivedProofTrace> {
    let secured = proof::split_secured(secured)?;
    let proof_value = secured
        .proof
        .get("proofValue")
        .and_then(Value::as_str)
        .unwrap_or_default();

    // createDisclosureData (§3.3.2)
    // 1. The base proof's components.
    let base = BaseProofValue::from_proof_value(proof_value)?;
    if base.mandatory_pointers.is_empty() && options.selective_pointers.is_empty() {
        return Err(Error::NothingToDisclose);
    }
    // 2.-3. The issuer's HMAC, so the holder reproduces the signed labels.
    let hmac_key = HmacKey::new(*base.hmac_key);
    // 4.-6. Groups for the mandatory, selective and combined pointers.
    let combined_pointers: Vec<JsonPointer> = base
        .mandatory_pointers
        .iter()
        .chain(&options.selective_pointers)
        .cloned()
        .collect();
    let grouped = group::canonicalize_and_group(
        &secured.document,
        loader,
        |canonical| Ok(group::shuffled_label_map(&hmac_key, canonical)),
        &[
            &base.mandatory_pointers,
            &options.selective_pointers,
            &combined_pointers,
        ],
    )?;
    let [mandatory, selective, combined]: [group::Group; 3] = grouped
        .groups
        .try_into()
        .map_err(|_| Error::JsonLd("three groups were asked for".into()))?;

    // 7. Mandatory indexes, relative to the combined (revealed) statements.
    let combined_positions: Vec<usize> = combined.matching.keys().copied().collect();
    let mandatory_indexes = relative_positions(mandatory.matching.keys(), &combined_positions);
    // 8. Selective indexes, relative to the non-mandatory statements: the BBS disclosed indexes.
    let non_mandatory_positions: Vec<usize> = mandatory.non_matching.keys().copied().collect();
    let selective_indexes = relative_positions(selective.matching.keys(), &non_mandatory_positions);

    // 9.-10. ProofGen over the non-mandatory statements, disclosing the selected ones.
    let messages: Vec<&[u8]> = mandatory.non_matching.values().map(|s| s.as_bytes()).collect();
    let bbs_proof: Proof = match randomness {
        Randomness::Rng(rng) => ecert_bbs::proof_gen::<Bls12381Sha256, _>(
            &mut DynRng(rng),
            &base.public_key,
            &base.bbs_signature,
            &base.bbs_header,
            &options.presentation_header,
            &messages,
            &selective_indexes,
        )?,
        #[cfg(feature = "hazmat")]
        Randomness::Scalars(scalars) => ecert_bbs::hazmat::proof_gen_with_random_scalars::<Bls12381Sha256>(
            &base.public_key,
            &base.bbs_signature,
            &base.bbs_header,
            &options.presentation_header,
            &messages,
            &selective_indexes,
            &scalars(5 + messages.len() - selective_indexes.len()),
        )?,
    };

    // 12. The reveal document: selectJsonLd of the combined pointers on the document as issued.
    let mut revealed = match select_json_ld(&secured.document, &combined_pointers)? {
        Some(revealed) => revealed,
        None => return Err(Error::NothingToDisclose),
    };

    // 13.-14. The canonical labels the verifier will see (of the combined selection's statements),
    // mapped to the labels that were signed.
    let canonical_id_map = rdf::canonical_id_map(&combined.deskolemized_quads)?;
    let mut verifier_label_map = LabelMap::new();
    for (input, verifier_label) in &canonical_id_map {
        let signed = grouped.label_map.get(input).ok_or_else(|| {
            Error::LabelMap(format!("no signed label for the revealed blank node _:{input}"))
        })?;
        verifier_label_map.insert(verifier_label.clone(), signed.clone());
    }

    // Add Derived Proof 2.-4.: the proof with the derived value, in the reveal document.
    let derived = DerivedProofValue {
        bbs_proof: bbs_proof.to_bytes(),
        label_map: compress_label_map(&verifier_label_map)?,
        mandatory_indexes: mandatory_indexes.iter().map(|&i| i as u64).collect(),
        selective_indexes: selective_indexes.iter().map(|&i| i as u64).collect(),
        presentation_header: options.presentation_header.clone(),
    };
    let mut new_proof = secured.proof.clone();
    new_proof.insert("proofValue".into(), derived.to_proof_value().into());
    if let Value::Object(revealed) = &mut revealed {
        revealed.insert("proof".into(), Value::Object(new_proof));
    }
    Ok(DerivedProofTrace {
        revealed,
        mandatory_matching: mandatory.matching.keys().copied().collect(),
        selective_matching: selective.matching.keys().copied().collect(),
        combined_matching: combined_positions,
        non_mandatory: non_mandatory_positions,
        mandatory_indexes,
        selective_indexes,
        label_map: verifier_label_map,
        bbs_proof: derived.bbs_proof,
    })
}

/// The positions, within `list` (ascending), of the absolute indexes `absolute` (all in `list`).
fn relative_positions<'a>(absolute: impl Iterator<Item = &'a usize>, list: &[usize]) -> Vec<usize> {
    absolute.filter_map(|i| list.binary_search(i).ok()).collect()
}

/// The relabelled statements a derived proof's label map assigns, by the verifier's computation: kept
/// here beside the holder's so the two stay the same algorithm (used by `verify`).
pub(crate) fn verifier_nquads(
    revealed: &Value,
    proof_label_map: &BTreeMap<String, String>,
    loader: &ContextLoader,
) -> Result<Vec<String>> {
    let quads = jsonld::document_quads(revealed, loader)?;
    let (nquads, _) = group::label_replacement_canonicalize(&quads, |canonical| {
        group::label_map_from_proof(proof_label_map, canonical)
    })?;
    Ok(nquads)
}
