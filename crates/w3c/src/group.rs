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
    let mut skolem = Skolem::for_document(document);
    let (skolemized_compact, deskolemized) =
        match skolemize_by_marking(document, &mut skolem, loader, group_definitions) {
            Some(done) => done,
            None => skolemize_by_compaction(document, &mut skolem, loader)?,
        };
    group(
        &skolemized_compact,
        &deskolemized,
        &skolem,
        loader,
        factory,
        group_definitions,
    )
}

/// canonicalizeAndGroup from the skolemized compact document and its deskolemized statements.
fn group(
    skolemized_compact: &serde_json::Value,
    deskolemized: &[Quad],
    skolem: &Skolem,
    loader: &ContextLoader,
    factory: impl FnOnce(&LabelMap) -> Result<LabelMap>,
    group_definitions: &[&[JsonPointer]],
) -> Result<Grouped> {
    // Then the canonical labels.
    let (nquads, label_map) = label_replacement_canonicalize(deskolemized, factory)?;
    let positions: BTreeMap<&str, usize> = nquads.iter().enumerate().map(|(i, q)| (q.as_str(), i)).collect();

    let mut groups = Vec::with_capacity(group_definitions.len());
    for pointers in group_definitions {
        // selectCanonicalNQuads (§3.3.15): the selection's statements, relabelled like the document's.
        let (deskolemized_quads, selected) = match select_json_ld(skolemized_compact, pointers)? {
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
                "a pointer selects part of a value that is signed whole (a JSON literal or a list)".into(),
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

/// skolemizeCompactJsonLd (DI-ECDSA §3.3.6) as written: expand, name every node (blank nodes
/// `_:x` as `b-x`, unnamed nodes as `g<n>`), compact again with the document's context. Returns the
/// skolemized compact document and the deskolemized statements (toDeskolemizedNQuads, §3.3.7).
fn skolemize_by_compaction(
    document: &serde_json::Value,
    skolem: &mut Skolem,
    loader: &ContextLoader,
) -> Result<(serde_json::Value, Vec<Quad>)> {
    let context = document
        .get("@context")
        .ok_or_else(|| Error::JsonLd("the document has no @context".into()))?;
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
    expanded.identify_all(skolem);
    let skolemized_compact = jsonld::compact(&expanded, context, loader)?;
    Ok((
        skolemized_compact,
        skolem.deskolemize(jsonld::to_quads(expanded)?),
    ))
}

/// The same skolemization without the compaction, when the result is provably the same: every JSON
/// object of the compact document that lacks an `id` gets `"id": <skolem IRI>`, and the marked
/// document is expanded instead of the original. Compaction is the most expensive step of a base proof
/// (type-scoped contexts build inverse contexts), and for the documents credentials are, compacting the
/// skolemized expansion gives back the document as written with those ids, so this is what it would
/// have produced.
///
/// `None` (and the caller compacts) unless all of these hold, which together mean that each marker
/// named exactly one node that was blank and changed nothing else:
/// - no key outside `@context` is a keyword or contains `:` (no value, list, graph, reverse or nest
///   keywords, no IRI keys of id maps) and no string starts with `_:` (no blank node identifiers);
/// - the marked document expands (in safe mode) and its statements have no blank node left (every
///   node was named: no graph object, no list) and are all in the default graph;
/// - each marker of an object with entries is the subject of a statement (the object became a node
///   with that id: a language, index, type or id map that got a marker does not), and no marker is
///   inside a literal or a datatype or predicate (no JSON literal or map key took it);
/// - the pointers resolve in the document and never pass through an array of one item or an object
///   with only an `id`, which compaction would rewrite (to a single value, to the IRI alone), so
///   they select the same values as in the compacted document.
fn skolemize_by_marking(
    document: &serde_json::Value,
    skolem: &mut Skolem,
    loader: &ContextLoader,
    group_definitions: &[&[JsonPointer]],
) -> Option<(serde_json::Value, Vec<Quad>)> {
    for pointers in group_definitions {
        for pointer in pointers.iter() {
            if !pointer_is_compaction_stable(document, pointer) {
                return None;
            }
        }
    }
    let json_terms = loader.json_terms(document.get("@context")?);
    let mut marked = document.clone();
    let mut markers = Vec::new();
    mark(&mut marked, skolem, &mut markers, &json_terms, true)?;
    let quads = jsonld::document_quads(&marked, loader).ok()?;
    let mut subjects = HashSet::new();
    for quad in &quads {
        let is_marker = |term: &Term| matches!(term, Term::Iri(iri) if iri.starts_with(&skolem.prefix));
        match (&quad.subject, &quad.predicate, &quad.object, &quad.graph) {
            (Term::Iri(subject), Term::Iri(_), object, None) if !is_marker(&quad.predicate) => {
                match object {
                    Term::Blank(_) => return None,
                    Term::Literal { value, datatype, .. }
                        if value.contains(&skolem.prefix) || datatype.starts_with(&skolem.prefix) =>
                    {
                        return None;
                    }
                    _ => {}
                }
                subjects.insert(subject.as_str());
            }
            _ => return None,
        }
    }
    if markers
        .iter()
        .any(|(marker, has_entries)| *has_entries && !subjects.contains(marker.as_str()))
    {
        return None;
    }
    let deskolemized = skolem.deskolemize(quads);
    Some((marked, deskolemized))
}

/// Adds `"id": <skolem IRI>` to every object of `value` (outside `@context` and JSON literals) that
/// has none; `None` if
/// the document has anything the marking argument does not cover (see [`skolemize_by_marking`]).
fn mark(
    value: &mut serde_json::Value,
    skolem: &mut Skolem,
    markers: &mut Vec<(String, bool)>,
    json_terms: &HashSet<String>,
    top: bool,
) -> Option<()> {
    match value {
        serde_json::Value::Object(map) => {
            for (key, entry) in map.iter_mut() {
                // Contexts are not data; JSON literals are signed as written, so nothing is added in them
                // (an object there that is a node in its scope stays blank, and marking declines).
                if key == "@context" || json_terms.contains(key) {
                    continue;
                }
                if key.starts_with('@') || key.contains(':') {
                    return None;
                }
                mark(entry, skolem, markers, json_terms, false)?;
            }
            if !map.contains_key("id") {
                let marker = format!("{}m{}", skolem.prefix, skolem.next);
                skolem.next += 1;
                let has_entries = map.keys().any(|k| k != "@context");
                // The document itself is a node with statements; a marker on it must name one.
                markers.push((marker.clone(), has_entries || top));
                map.insert("id".to_owned(), marker.into());
            }
            Some(())
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .try_for_each(|item| mark(item, skolem, markers, json_terms, false)),
        serde_json::Value::String(s) if s.starts_with("_:") => None,
        _ => Some(()),
    }
}

/// Whether `pointer` resolves in `document` without passing through a value that compaction rewrites:
/// an array of one item (compacted to the item) or an object with only an `id` (compacted to the IRI).
fn pointer_is_compaction_stable(document: &serde_json::Value, pointer: &JsonPointer) -> bool {
    let mut value = document;
    for token in pointer.tokens() {
        let next = match value {
            serde_json::Value::Array(items) if items.len() > 1 => {
                token.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            serde_json::Value::Object(map) if map.keys().any(|k| k != "id") => map.get(token),
            _ => None,
        };
        match next {
            Some(next) => value = next,
            None => return false,
        }
    }
    true
}

/// hashMandatoryNQuads (DI-ECDSA §3.3.17): SHA-256 of the mandatory statements, in order, joined.
pub(crate) fn hash_mandatory<'a>(mandatory: impl IntoIterator<Item = &'a String>) -> [u8; 32] {
    let mut hash = Sha256::new();
    for nquad in mandatory {
        hash.update(nquad.as_bytes());
    }
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pointers(list: &[&str]) -> Vec<JsonPointer> {
        list.iter().map(|p| JsonPointer::parse(p).unwrap()).collect()
    }

    /// Both skolemizations of `document`, grouped for `definitions`; `None` for marking when it
    /// declines.
    fn both(
        document: &serde_json::Value,
        definitions: &[&[JsonPointer]],
    ) -> (Option<Grouped>, Result<Grouped>) {
        let loader = ContextLoader::new();
        let hmac = HmacKey::new([3; 32]);
        let run = |marking: bool| {
            let mut skolem = Skolem::for_document(document);
            let skolemized = if marking {
                match skolemize_by_marking(document, &mut skolem, &loader, definitions) {
                    Some(skolemized) => skolemized,
                    None => return None,
                }
            } else {
                match skolemize_by_compaction(document, &mut skolem, &loader) {
                    Ok(skolemized) => skolemized,
                    Err(e) => return Some(Err(e)),
                }
            };
            Some(group(
                &skolemized.0,
                &skolemized.1,
                &skolem,
                &loader,
                |c| Ok(shuffled_label_map(&hmac, c)),
                definitions,
            ))
        };
        (run(true).map(|r| r.unwrap()), run(false).unwrap())
    }

    fn same(a: &Grouped, b: &Grouped) {
        assert_eq!(a.nquads, b.nquads);
        assert_eq!(a.groups.len(), b.groups.len());
        for (x, y) in a.groups.iter().zip(&b.groups) {
            assert_eq!(x.matching, y.matching);
            assert_eq!(x.non_matching, y.non_matching);
            assert_eq!(
                rdf::canonical_nquads(&x.deskolemized_quads).unwrap(),
                rdf::canonical_nquads(&y.deskolemized_quads).unwrap()
            );
        }
    }

    fn licence() -> serde_json::Value {
        json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://w3id.org/vdl/v1",
                {"@vocab": "https://vocab.example/#"}
            ],
            "type": ["VerifiableCredential", "Iso18013DriversLicenseCredential"],
            "issuer": {"id": "did:example:dmv", "name": "DMV"},
            "credentialSubject": {
                "type": "LicensedDriver",
                "driversLicense": {
                    "type": "Iso18013DriversLicense",
                    "document_number": "542426814",
                    "birth_date": "1998-08-28"
                },
                "sails": [{"size": 1}, {}],
                "empty": {}
            }
        })
    }

    /// Marking gives exactly what compaction gives, wherever it does not decline.
    #[test]
    fn marking_gives_what_compaction_gives() {
        let doc = licence();
        let m = pointers(&["/issuer", "/credentialSubject/driversLicense/document_number"]);
        let s = pointers(&[
            "/credentialSubject/driversLicense/birth_date",
            "/credentialSubject/sails",
        ]);
        let (marked, compacted) = both(&doc, &[&m, &s, &[m.clone(), s.clone()].concat()]);
        same(
            &marked.expect("marking applies to a plain credential"),
            &compacted.unwrap(),
        );
        for vector in [
            "windDoc.json",
            "FeatureInputs/license.json",
            "prc/addSignedSDBase.json",
        ] {
            let path = format!("{}/tests/vectors/{vector}", env!("CARGO_MANIFEST_DIR"));
            let mut doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            doc.as_object_mut().unwrap().remove("proof");
            let (marked, compacted) = both(&doc, &[&pointers(&["/issuer", "/credentialSubject"])]);
            same(
                &marked.expect("marking applies to the vectors"),
                &compacted.unwrap(),
            );
        }
    }

    /// And declines what its argument does not cover.
    #[test]
    fn marking_declines_what_compaction_could_change() {
        let mut cases = Vec::new();
        // Pointers through an array of one item, or an object with only an id.
        let mut one = licence();
        one["credentialSubject"]["sails"] = json!([{"size": 1}]);
        cases.push((one, "/credentialSubject/sails/0"));
        let mut id_only = licence();
        id_only["issuer"] = json!({"id": "did:example:dmv"});
        cases.push((id_only, "/issuer/id"));
        // Keywords, IRI keys and blank node identifiers in the document.
        let mut value_object = licence();
        value_object["issuer"]["name"] = json!({"@value": "DMV", "@language": "en"});
        cases.push((value_object, "/issuer"));
        let mut iri_key = licence();
        iri_key["issuer"]["https://schema.org/url"] = json!("https://dmv.example");
        cases.push((iri_key, "/issuer"));
        let mut blank = licence();
        blank["issuer"]["id"] = json!("_:issuer");
        cases.push((blank, "/issuer"));
        for (doc, pointer) in cases {
            let definitions: [&[JsonPointer]; 1] = [&pointers(&[pointer])];
            let (marked, compacted) = both(&doc, &definitions);
            assert!(marked.is_none(), "marking should decline {pointer} in {doc}");
            // Compaction then decides, as the specification's algorithm does.
            let _ = compacted;
        }
    }

    /// JSON literals are signed as written and marking leaves them alone: where it applies to a
    /// document with them, it gives what compaction gives.
    #[test]
    fn marking_leaves_json_literals_as_compaction_does() {
        let mut literals = Vec::new();
        // JSON literals (vdl types driving_privileges @json, AAMVA aamva_domestic_driving_privileges).
        let mut privileges = licence();
        privileges["credentialSubject"]["driversLicense"]["driving_privileges"] =
            json!([{"vehicle_category_code": "A"}, {"vehicle_category_code": "B"}]);
        literals.push(privileges);
        let mut json_literal = licence();
        json_literal["@context"] = json!([
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/security/data-integrity/v2",
            "https://w3id.org/vdl/v1",
            "https://w3id.org/vdl/aamva/v1"
        ]);
        json_literal["issuanceDate"] = json!("2024-01-01T00:00:00Z");
        json_literal["credentialSubject"]["driversLicense"]["aamva_domestic_driving_privileges"] =
            json!([{"domestic_vehicle_class": {"code": "C"}}]);
        json_literal["credentialSubject"]
            .as_object_mut()
            .unwrap()
            .remove("sails");
        json_literal["credentialSubject"]
            .as_object_mut()
            .unwrap()
            .remove("empty");
        literals.push(json_literal);
        for (i, doc) in literals.iter().enumerate() {
            let definitions: [&[JsonPointer]; 1] = [&pointers(&["/issuer"])];
            let (marked, compacted) = both(doc, &definitions);
            match marked {
                Some(marked) => same(&marked, &compacted.unwrap()),
                // The vdl licence's driving privileges are a plain @json term: marking must apply.
                None => assert!(i > 0, "marking should apply to {doc}"),
            }
        }
    }
}
