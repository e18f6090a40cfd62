//! The selective-disclosure primitives bbs-2023 takes from DI-ECDSA §3.3 (skolemization,
//! labelReplacementCanonicalizeNQuads, canonicalizeAndGroup) and its own label map functions
//! (bbs-2023 §3.2.1 createShuffledIdLabelMapFunction, DI-ECDSA §3.3.5 createLabelMapFunction).
//!
//! How a pointer becomes a set of statements: the document's blank nodes are named (skolemized, with
//! IRIs no document can contain), so that the statements of a selection (a JSON fragment, expanded on
//! its own) name the same nodes as the statements of the whole document. Every statement is then
//! relabelled canonically, with labels that a label map factory chooses from the canonical ones, and a
//! selection's statements are found in the full list by their text.

use std::collections::{BTreeMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use json_ld::rdf_types::{self, Generator};
use json_ld::{IriBuf, ValidId};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::jsonld;
use crate::loader::ContextLoader;
use crate::pointer::{JsonPointer, select_json_ld};
use crate::rdf::{self, Quad, Term};

/// A label map: from the blank node labels of the statements given to canonicalization to the labels
/// they are signed under.
pub(crate) type LabelMap = BTreeMap<String, String>;

/// HMAC-SHA-256 with the base proof's HMAC key (bbs-2023 §3.4.2 step 1: the same hash as the BBS
/// ciphersuite, a key as long as the digest).
pub(crate) struct HmacKey(Zeroizing<[u8; 32]>);

impl HmacKey {
    pub(crate) fn new(key: [u8; 32]) -> HmacKey {
        HmacKey(Zeroizing::new(key))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn mac(&self, data: &[u8]) -> [u8; 32] {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0[..]).unwrap_or_else(|_| unreachable!());
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

/// createShuffledIdLabelMapFunction (bbs-2023 §3.2.1), applied: each canonical label `c14nN` is
/// replaced by `bK`, where K is the rank of `u` + base64url(HMAC(`c14nN`)) among all of them. The
/// signed labels then say nothing about the document's shape, and their order is the HMAC's.
pub(crate) fn shuffled_label_map(hmac: &HmacKey, canonical_id_map: &LabelMap) -> LabelMap {
    let digests: BTreeMap<&str, String> = canonical_id_map
        .iter()
        .map(|(input, canonical)| {
            (
                input.as_str(),
                format!("u{}", URL_SAFE_NO_PAD.encode(hmac.mac(canonical.as_bytes()))),
            )
        })
        .collect();
    let mut sorted: Vec<&str> = digests.values().map(String::as_str).collect();
    sorted.sort_unstable();
    digests
        .iter()
        .map(|(input, digest)| {
            // Every digest is in `sorted`; distinct canonical labels give distinct digests.
            let rank = sorted.binary_search(&digest.as_str()).unwrap_or_default();
            ((*input).to_owned(), format!("b{rank}"))
        })
        .collect()
}

/// createLabelMapFunction (DI-ECDSA §3.3.5), applied: the verifier's canonical labels mapped through
/// the label map a derived proof carries. A canonical label the map does not cover is an error.
///
/// The map must also be one to one on the document's blank nodes: two nodes of the revealed document
/// relabelled alike would merge their statements, so a holder could show, say, two driving privileges
/// where one was signed. An honest holder's map always is (HMAC labels are distinct).
pub(crate) fn label_map_from_proof(
    proof_label_map: &LabelMap,
    canonical_id_map: &LabelMap,
) -> Result<LabelMap> {
    let mut signed_labels = HashSet::new();
    canonical_id_map
        .iter()
        .map(|(input, canonical)| match proof_label_map.get(canonical) {
            Some(signed) if signed_labels.insert(signed.as_str()) => Ok((input.clone(), signed.clone())),
            Some(_) => Err(Error::LabelMap(
                "the proof's label map gives two blank nodes of the revealed document one label".into(),
            )),
            None => Err(Error::LabelMap(format!(
                "the proof's label map has no entry for the revealed document's blank node _:{canonical}"
            ))),
        })
        .collect()
}

/// labelReplacementCanonicalizeNQuads (DI-ECDSA §3.3.1): the statements relabelled by the label map
/// that `factory` makes from the RDFC-1.0 canonical labels, sorted; and that label map.
pub(crate) fn label_replacement_canonicalize(
    quads: &[Quad],
    factory: impl FnOnce(&LabelMap) -> Result<LabelMap>,
) -> Result<(Vec<String>, LabelMap)> {
    let canonical_id_map = rdf::canonical_id_map(quads)?;
    let label_map = factory(&canonical_id_map)?;
    Ok((rdf::relabel_and_sort(quads, &label_map)?, label_map))
}

/// Skolem IRIs: `urn:ecert-bnid:<document digest>:` then `g<n>` for a node without an identifier or
/// `b-<label>` for a blank node `_:<label>`. The digest of the document itself is a prefix the document
/// cannot contain, so deskolemization turns back exactly the IRIs skolemization made.
struct Skolem {
    prefix: String,
    next: u64,
}

impl Skolem {
    fn for_document(document: &serde_json::Value) -> Skolem {
        let digest = Sha256::digest(document.to_string().as_bytes());
        Skolem {
            prefix: format!("urn:ecert-bnid:{}:", hex_lower(&digest[..16])),
            next: 0,
        }
    }

    fn iri(&self, suffix: &str) -> Result<IriBuf> {
        IriBuf::new(format!("{}{suffix}", self.prefix))
            .map_err(|_| Error::JsonLd(format!("blank node label {suffix:?} cannot be skolemized")))
    }

    fn deskolemize(&self, quads: Vec<Quad>) -> Vec<Quad> {
        let term = |t: Term| match t {
            Term::Iri(iri) => match iri.strip_prefix(&self.prefix) {
                Some(label) => Term::Blank(label.to_owned()),
                None => Term::Iri(iri),
            },
            other => other,
        };
        quads
            .into_iter()
            .map(|q| Quad {
                subject: term(q.subject),
                predicate: q.predicate,
                object: term(q.object),
                graph: q.graph.map(term),
            })
            .collect()
    }
}

impl Generator for Skolem {
    fn next(&mut self, _vocabulary: &mut ()) -> rdf_types::Id {
        let n = self.next;
        self.next += 1;
        // The prefix is an IRI and `g<n>` a valid path segment, so this is always an IRI.
        match IriBuf::new(format!("{}g{n}", self.prefix)) {
            Ok(iri) => rdf_types::Id::Iri(iri),
            Err(_) => unreachable!(),
        }
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A named group of pointers and the statements they select.
pub(crate) struct Group {
    /// The selected statements, by their position in the canonical list.
    pub(crate) matching: BTreeMap<usize, String>,
    /// The other statements, by position.
    pub(crate) non_matching: BTreeMap<usize, String>,
    /// The selection's statements with the skolem labels (before relabelling).
    pub(crate) deskolemized_quads: Vec<Quad>,
}

/// The result of canonicalizeAndGroup.
pub(crate) struct Grouped {
    /// Every statement of the document, relabelled and sorted.
    pub(crate) nquads: Vec<String>,
    /// From the skolem labels to the signed labels.
    pub(crate) label_map: LabelMap,
    /// One group per definition, in the order given.
    pub(crate) groups: Vec<Group>,
}

/// canonicalizeAndGroup (DI-ECDSA §3.3.16): skolemizes `document` (skolemizeCompactJsonLd, §3.3.6:
/// expand, name every node, compact again with the document's context), canonicalizes its statements
/// with the labels `factory` chooses, and sorts them into matching and non-matching for each list of
/// pointers in `group_definitions`.
pub(crate) fn canonicalize_and_group(
    document: &serde_json::Value,
    loader: &ContextLoader,
    factory: impl FnOnce(&LabelMap) -> Result<LabelMap>,
    group_definitions: &[&[JsonPointer]],
) -> Result<Grouped> {
    let context = document
        .get("@context")
        .ok_or_else(|| Error::JsonLd("the document has no @context".into()))?;
    let mut skolem = Skolem::for_document(document);

    // skolemizeExpandedJsonLd (§3.3.4): blank nodes get skolem IRIs, unnamed nodes fresh ones.
    let expanded = jsonld::expand(document, loader)?;
    let mut renaming_error = None;
    let mut expanded = expanded.map_ids(
        |iri| iri,
        |id| match id {
            json_ld::Id::Valid(ValidId::Blank(blank)) => match skolem.iri(&format!("b-{}", blank.suffix())) {
                Ok(iri) => json_ld::Id::Valid(ValidId::Iri(iri)),
                Err(e) => {
                    renaming_error = Some(e);
                    json_ld::Id::Valid(ValidId::Blank(blank))
                }
            },
            other => other,
        },
    );
    if let Some(e) = renaming_error {
        return Err(e);
    }
    expanded.identify_all(&mut skolem);
    let skolemized_compact = jsonld::compact(&expanded, context, loader)?;

    // toDeskolemizedNQuads (§3.3.7), then the canonical labels.
    let deskolemized = skolem.deskolemize(jsonld::to_quads(expanded)?);
    let (nquads, label_map) = label_replacement_canonicalize(&deskolemized, factory)?;
    let positions: BTreeMap<&str, usize> = nquads.iter().enumerate().map(|(i, q)| (q.as_str(), i)).collect();

    let mut groups = Vec::with_capacity(group_definitions.len());
    for pointers in group_definitions {
        // selectCanonicalNQuads (§3.3.15): the selection's statements, relabelled like the document's.
        let (deskolemized_quads, selected) = match select_json_ld(&skolemized_compact, pointers)? {
            Some(selection) => {
                let quads = skolem.deskolemize(jsonld::document_quads(&selection, loader)?);
                let selected = quads
                    .iter()
                    .map(|q| {
                        q.relabelled(&label_map).map(|q| q.to_nquad()).map_err(|_| {
                            Error::LabelMap(
                                "a selected statement has a blank node the document does not \
                                 (JSON-LD lists cannot be selected)"
                                    .into(),
                            )
                        })
                    })
                    .collect::<Result<HashSet<String>>>()?;
                (quads, selected)
            }
            None => (Vec::new(), HashSet::new()),
        };
        let mut matching = BTreeMap::new();
        let mut non_matching = BTreeMap::new();
        for (i, nquad) in nquads.iter().enumerate() {
            if selected.contains(nquad) {
                matching.insert(i, nquad.clone());
            } else {
                non_matching.insert(i, nquad.clone());
            }
        }
        // Every selected statement is one of the document's: a selection only keeps parts of it.
        if selected.iter().any(|q| !positions.contains_key(q.as_str())) {
            return Err(Error::JsonLd(
                "a selection produced a statement the document does not contain".into(),
            ));
        }
        groups.push(Group {
            matching,
            non_matching,
            deskolemized_quads,
        });
    }
    Ok(Grouped {
        nquads,
        label_map,
        groups,
    })
}

/// hashMandatoryNQuads (DI-ECDSA §3.3.17): SHA-256 of the mandatory statements, in order, joined.
pub(crate) fn hash_mandatory<'a>(mandatory: impl IntoIterator<Item = &'a String>) -> [u8; 32] {
    let mut hash = Sha256::new();
    for nquad in mandatory {
        hash.update(nquad.as_bytes());
    }
    hash.finalize().into()
}
