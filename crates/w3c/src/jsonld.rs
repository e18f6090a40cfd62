//! JSON-LD 1.1 processing for the cryptosuite: expansion in "safe mode", compaction, and toRdf into
//! this crate's [`Quad`]s, on the `json-ld` crate with the bundled-context [`ContextLoader`].
//!
//! Safe mode is what Data Integrity expects of a canonicalization step (VC-DI §4.5 "Processing model",
//! and the W3C test suites' "undefined terms" cases): a term that the contexts do not define, an
//! invalid IRI or `@type` value, anything that JSON-LD expansion would silently drop, is an error
//! here. Otherwise an attacker could add data that is shown to a person but not signed.
//!
//! The `json-ld` crate is asynchronous because a loader may fetch; [`ContextLoader`] never waits, so
//! each operation runs to completion in one poll (see [`run_ready`]) and this module is synchronous.

use std::collections::HashSet;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use json_ld::context_processing::{Process as _, ProcessedOwned};
use json_ld::expansion::{Action, Policy};
use json_ld::rdf_types::{self, BlankIdBuf, Id, LiteralType};
use json_ld::syntax::TryFromJson as _;
use json_ld::{Compact as _, Expand as _, ExpandedDocument, IriBuf, RdfQuads as _};

use crate::error::{Error, Result};
use crate::loader::{ContextLoader, ProcessedContext};
use crate::rdf::{Quad, RDF_LANG_STRING, Term};

/// An expanded JSON-LD document.
pub(crate) type Expanded = ExpandedDocument<IriBuf, BlankIdBuf>;

/// Drives a future that never waits. [`ContextLoader`] answers from memory, so every future of the
/// `json-ld` crate completes at the first poll; one that did not would mean a loader that waits,
/// which this crate does not have, and is refused rather than blocked on.
fn run_ready<F: Future>(future: F) -> Result<F::Output> {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => Ok(output),
        Poll::Pending => Err(Error::JsonLd("JSON-LD processing waited for a document".into())),
    }
}

/// Expansion policy of safe mode: invalid IRIs and undefined terms are errors, not dropped.
fn safe_policy() -> Policy {
    Policy {
        invalid: Action::Reject,
        vocab: Action::Keep,
        allow_undefined: false,
    }
}

/// The active context of a document whose `@context` entry is `context`: processed once per loader
/// (JSON-LD 1.1 processing algorithms §4.1, Context Processing, from an empty active context).
fn active_context(context: &serde_json::Value, loader: &ContextLoader) -> Result<Arc<ProcessedContext>> {
    loader.processed(context, || {
        let unprocessed = json_ld::syntax::context::Context::try_from_json(
            json_syntax::Value::from_serde_json(context.clone()),
        )
        .map_err(|e| Error::JsonLd(format!("invalid @context: {e}")))?;
        let processed = run_ready(unprocessed.process(&mut (), loader, None))?
            .map_err(|e| Error::JsonLd(format!("context processing failed: {e}")))?
            .processed;
        Ok(ProcessedOwned::new(unprocessed, processed))
    })
}

/// JSON-LD 1.1 expansion of `document` (a JSON object) in safe mode, with literals in canonical form:
/// numbers as JSON-LD toRdf writes them (an integral value is an `xsd:integer`, as in every JavaScript
/// implementation: `7.0` is `"7"`) and `@json` literals in the JSON Canonicalization Scheme.
///
/// The top-level `@context` is processed through the loader's cache and the rest of the document
/// expanded from that active context, which is what expansion does with it (§5.1.2 step 9: the
/// `@context` entry sets the active context before anything else of the element is read).
pub(crate) fn expand(document: &serde_json::Value, loader: &ContextLoader) -> Result<Expanded> {
    let Some(object) = document.as_object() else {
        return Err(Error::NotAnObject("a JSON-LD document"));
    };
    let mut body = object.clone();
    let active = match body.remove("@context") {
        Some(context) => active_context(&context, loader)?.processed().clone(),
        None => json_ld::Context::default(),
    };
    let input = json_syntax::Value::from_serde_json(serde_json::Value::Object(body));
    let options = json_ld::expansion::Options {
        policy: safe_policy(),
        ..json_ld::expansion::Options::default()
    };
    let mut expanded = run_ready(input.expand_full(&mut (), active, None, loader, options, ()))?
        .map_err(|e| Error::JsonLd(format!("expansion failed: {e}")))?;
    expanded.canonicalize();
    Ok(expanded)
}

/// Compaction of `expanded` with `context` (the value of a document's `@context` entry), as
/// JSON-LD 1.1 `compact` with its default options (arrays of one value compacted, as jsonld.js does).
pub(crate) fn compact(
    expanded: &Expanded,
    context: &serde_json::Value,
    loader: &ContextLoader,
) -> Result<serde_json::Value> {
    let context = active_context(context, loader)?;
    let compacted = run_ready(expanded.compact(ProcessedContext::as_ref(&context), loader))?
        .map_err(|e| Error::JsonLd(format!("compaction failed: {e}")))?;
    Ok(compacted.into_serde_json())
}

/// JSON-LD 1.1 "Deserialize JSON-LD to RDF" (§8.2 of the processing algorithms) of an expanded
/// document: its statements, each once. Every blank node is relabelled `_:b0`, `_:b1`... (as the node
/// map of the algorithm does), so that labels written in the document cannot collide with generated
/// ones. Statements JSON-LD does not produce RDF for (a blank node predicate, a malformed language tag)
/// are left out, as the algorithm says.
pub(crate) fn to_quads(mut expanded: Expanded) -> Result<Vec<Quad>> {
    let mut generator = rdf_types::generator::Blank::new_with_prefix("b".to_owned());
    expanded.relabel_and_canonicalize_with(&mut (), &mut generator);
    let mut seen = HashSet::new();
    let mut quads = Vec::new();
    for quad in expanded.rdf_quads(&mut generator, None).cloned() {
        let rdf_types::Quad(s, p, o, g) = quad;
        let quad = Quad {
            subject: id_term(s),
            predicate: id_term(p),
            object: match o {
                rdf_types::Term::Id(id) => id_term(id),
                rdf_types::Term::Literal(literal) => literal_term(literal),
            },
            graph: g.map(id_term),
        };
        if !matches!(quad.predicate, Term::Iri(_)) {
            return Err(Error::JsonLd("a blank node is used as a property".into()));
        }
        if seen.insert(quad.clone()) {
            quads.push(quad);
        }
    }
    Ok(quads)
}

fn id_term(id: Id) -> Term {
    match id {
        Id::Iri(iri) => Term::Iri(iri.into_string()),
        Id::Blank(blank) => Term::Blank(blank.suffix().to_owned()),
    }
}

fn literal_term(literal: rdf_types::Literal) -> Term {
    let rdf_types::Literal { value, type_ } = literal;
    match type_ {
        LiteralType::Any(datatype) => Term::Literal {
            value,
            datatype: datatype.into_string(),
            language: None,
        },
        LiteralType::LangString(tag) => Term::Literal {
            value,
            datatype: RDF_LANG_STRING.to_owned(),
            language: Some(tag.to_string()),
        },
    }
}

/// Expansion and toRdf in one step: the statements of a compact JSON-LD document.
pub(crate) fn document_quads(document: &serde_json::Value, loader: &ContextLoader) -> Result<Vec<Quad>> {
    to_quads(expand(document, loader)?)
}
