//! RDF quads as the cryptosuite handles them, their canonical N-Quads form, and RDF Dataset
//! Canonicalization (RDFC-1.0) with the blank-node relabelling that bbs-2023 puts on top of it.
//!
//! JSON-LD toRdf (in `jsonld`) produces [`Quad`]s; canonicalization hands them to `sophia_c14n` and keeps
//! only the issued identifier map, because bbs-2023 never signs the `c14nN` labels themselves: it
//! replaces them with HMAC-derived or verifier-supplied labels and sorts the result (DI-ECDSA §3.3.1
//! labelReplacementCanonicalizeNQuads). The N-Quads written here follow the canonical form of RDFC-1.0
//! §4.3 / RDF 1.2 N-Quads exactly as `sophia_c14n` writes it, so that a relabelled statement is byte for
//! byte what the other implementations sign.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use sophia_api::MownStr;
use sophia_api::term::{BnodeId, IriRef, LanguageTag, SimpleTerm};

use crate::error::{Error, Result};

/// `http://www.w3.org/2001/XMLSchema#string`, the datatype N-Quads leaves implicit.
pub(crate) const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
/// `http://www.w3.org/1999/02/22-rdf-syntax-ns#langString`.
pub(crate) const RDF_LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

/// An RDF term: an IRI, a blank node (its label without `_:`) or a literal.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Term {
    Iri(String),
    Blank(String),
    Literal {
        value: String,
        /// The datatype IRI; `rdf:langString` when `language` is set.
        datatype: String,
        language: Option<String>,
    },
}

impl Term {
    fn write_nquads(&self, out: &mut String) {
        match self {
            Term::Iri(iri) => {
                out.push('<');
                out.push_str(iri);
                out.push('>');
            }
            Term::Blank(label) => {
                out.push_str("_:");
                out.push_str(label);
            }
            Term::Literal {
                value,
                datatype,
                language,
            } => {
                out.push('"');
                for c in value.chars() {
                    // RDFC-1.0 §4.3 (canonical N-Quads): ECHAR for these, UCHAR for the other controls.
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        '\u{8}' => out.push_str("\\b"),
                        '\u{c}' => out.push_str("\\f"),
                        '\u{7f}' => out.push_str("\\u007F"),
                        c if c <= '\u{1f}' => {
                            let _ = write!(out, "\\u{:04X}", c as u32);
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
                if let Some(language) = language {
                    out.push('@');
                    out.push_str(&language.to_ascii_lowercase());
                } else if datatype != XSD_STRING {
                    out.push_str("^^<");
                    out.push_str(datatype);
                    out.push('>');
                }
            }
        }
    }

    fn to_sophia(&self) -> SimpleTerm<'_> {
        match self {
            Term::Iri(iri) => SimpleTerm::Iri(IriRef::new_unchecked(MownStr::from_ref(iri))),
            Term::Blank(label) => SimpleTerm::BlankNode(BnodeId::new_unchecked(MownStr::from_ref(label))),
            Term::Literal {
                value,
                datatype,
                language,
            } => match language {
                Some(language) => SimpleTerm::LiteralLanguage(
                    MownStr::from_ref(value),
                    LanguageTag::new_unchecked(MownStr::from_ref(language)),
                    None,
                ),
                None => SimpleTerm::LiteralDatatype(
                    MownStr::from_ref(value),
                    IriRef::new_unchecked(MownStr::from_ref(datatype)),
                ),
            },
        }
    }

    fn relabelled(&self, labels: &BTreeMap<String, String>) -> Result<Term> {
        match self {
            Term::Blank(label) => match labels.get(label) {
                Some(new) => Ok(Term::Blank(new.clone())),
                None => Err(Error::LabelMap(format!("no label for blank node _:{label}"))),
            },
            other => Ok(other.clone()),
        }
    }
}

/// An RDF quad; `graph` is `None` in the default graph.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Quad {
    pub(crate) subject: Term,
    pub(crate) predicate: Term,
    pub(crate) object: Term,
    pub(crate) graph: Option<Term>,
}

impl Quad {
    /// The statement as one canonical N-Quads line, `\n` included.
    pub(crate) fn to_nquad(&self) -> String {
        let mut out = String::with_capacity(128);
        self.subject.write_nquads(&mut out);
        out.push(' ');
        self.predicate.write_nquads(&mut out);
        out.push(' ');
        self.object.write_nquads(&mut out);
        out.push(' ');
        if let Some(graph) = &self.graph {
            graph.write_nquads(&mut out);
            out.push(' ');
        }
        out.push_str(".\n");
        out
    }

    /// The quad with every blank node label replaced through `labels`; a label missing from the map is
    /// an error, never a silent pass-through.
    pub(crate) fn relabelled(&self, labels: &BTreeMap<String, String>) -> Result<Quad> {
        Ok(Quad {
            subject: self.subject.relabelled(labels)?,
            predicate: self.predicate.clone(),
            object: self.object.relabelled(labels)?,
            graph: self.graph.as_ref().map(|g| g.relabelled(labels)).transpose()?,
        })
    }
}

/// RDFC-1.0 (W3C RDF Dataset Canonicalization, §4.4 "Canonicalization Algorithm") on the dataset of
/// `quads`: the issued identifiers map, from each input blank node label to its canonical `c14nN`
/// label.
///
/// Dataset poisoning (RDFC-1.0 §6.1) is refused, as bbs-2023 §3 requires: `sophia_c14n`'s default
/// limits (recursion no deeper than the number of blank nodes, no more than 6 indistinguishable blank
/// nodes permuted) stop a crafted dataset long before it can cost more than a realistic credential.
pub(crate) fn canonical_id_map(quads: &[Quad]) -> Result<BTreeMap<String, String>> {
    let dataset: HashSet<([SimpleTerm<'_>; 3], Option<SimpleTerm<'_>>)> = quads
        .iter()
        .map(|q| {
            (
                [
                    q.subject.to_sophia(),
                    q.predicate.to_sophia(),
                    q.object.to_sophia(),
                ],
                q.graph.as_ref().map(Term::to_sophia),
            )
        })
        .collect();
    let (_, issued) = sophia_c14n::rdfc10::relabel(&dataset).map_err(|e| match e {
        sophia_c14n::C14nError::ToxicGraph(_) => Error::Canonicalization(
            "the dataset is too complex to canonicalize safely (RDFC-1.0 dataset poisoning)".into(),
        ),
        other => Error::Canonicalization(other.to_string()),
    })?;
    Ok(issued
        .into_iter()
        .map(|(input, canonical)| (input.to_string(), canonical.as_str().to_owned()))
        .collect())
}

/// The canonical N-Quads of `quads` (RDFC-1.0 §4.4 step 6): canonical labels, statements sorted in
/// code point order, duplicates once.
pub(crate) fn canonical_nquads(quads: &[Quad]) -> Result<Vec<String>> {
    let issued = canonical_id_map(quads)?;
    relabel_and_sort(quads, &issued)
}

/// `quads` relabelled through `labels`, as N-Quads lines sorted in code point order, each once: the
/// last steps of labelReplacementCanonicalizeNQuads (DI-ECDSA §3.3.1).
pub(crate) fn relabel_and_sort(quads: &[Quad], labels: &BTreeMap<String, String>) -> Result<Vec<String>> {
    let mut lines = quads
        .iter()
        .map(|q| q.relabelled(labels).map(|q| q.to_nquad()))
        .collect::<Result<Vec<_>>>()?;
    // UTF-8 byte order is code point order.
    lines.sort_unstable();
    lines.dedup();
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iri(s: &str) -> Term {
        Term::Iri(s.into())
    }
    fn blank(s: &str) -> Term {
        Term::Blank(s.into())
    }

    #[test]
    fn literal_escapes_follow_canonical_nquads() {
        let q = Quad {
            subject: iri("urn:ex:s"),
            predicate: iri("urn:ex:p"),
            object: Term::Literal {
                value: "\u{8}\t\n\u{b}\u{c}\r\"\\\u{7f}é".into(),
                datatype: XSD_STRING.into(),
                language: None,
            },
            graph: None,
        };
        assert_eq!(
            q.to_nquad(),
            "<urn:ex:s> <urn:ex:p> \"\\b\\t\\n\\u000B\\f\\r\\\"\\\\\\u007Fé\" .\n"
        );
    }

    #[test]
    fn typed_and_language_literals() {
        let typed = Quad {
            subject: blank("x"),
            predicate: iri("urn:ex:p"),
            object: Term::Literal {
                value: "7".into(),
                datatype: "http://www.w3.org/2001/XMLSchema#integer".into(),
                language: None,
            },
            graph: Some(blank("g")),
        };
        assert_eq!(
            typed.to_nquad(),
            "_:x <urn:ex:p> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> _:g .\n"
        );
        let lang = Quad {
            object: Term::Literal {
                value: "hi".into(),
                datatype: RDF_LANG_STRING.into(),
                language: Some("en-US".into()),
            },
            graph: None,
            ..typed
        };
        assert_eq!(lang.to_nquad(), "_:x <urn:ex:p> \"hi\"@en-us .\n");
    }

    // RDFC-1.0 test suite case test002-like: a three-node cycle in a named graph, as in sophia's and
    // rdf-canon's documentation.
    #[test]
    fn canonicalizes_a_cycle() {
        let next = iri("http://example.org/vocab#next");
        let prev = iri("http://example.org/vocab#prev");
        let q = |s: &str, p: &Term, o: &str| Quad {
            subject: blank(s),
            predicate: p.clone(),
            object: blank(o),
            graph: Some(blank("g")),
        };
        let quads = vec![
            q("e0", &next, "e1"),
            q("e0", &prev, "e2"),
            q("e1", &next, "e2"),
            q("e1", &prev, "e0"),
            q("e2", &next, "e0"),
            q("e2", &prev, "e1"),
        ];
        let expected = [
            "_:c14n1 <http://example.org/vocab#next> _:c14n2 _:c14n0 .\n",
            "_:c14n1 <http://example.org/vocab#prev> _:c14n3 _:c14n0 .\n",
            "_:c14n2 <http://example.org/vocab#next> _:c14n3 _:c14n0 .\n",
            "_:c14n2 <http://example.org/vocab#prev> _:c14n1 _:c14n0 .\n",
            "_:c14n3 <http://example.org/vocab#next> _:c14n1 _:c14n0 .\n",
            "_:c14n3 <http://example.org/vocab#prev> _:c14n2 _:c14n0 .\n",
        ];
        assert_eq!(canonical_nquads(&quads).unwrap(), expected);
    }

    #[test]
    fn relabelling_refuses_unknown_labels() {
        let quad = Quad {
            subject: blank("a"),
            predicate: iri("urn:ex:p"),
            object: blank("b"),
            graph: None,
        };
        let labels = BTreeMap::from([("a".to_owned(), "b0".to_owned())]);
        assert!(matches!(quad.relabelled(&labels), Err(Error::LabelMap(_))));
    }
}
