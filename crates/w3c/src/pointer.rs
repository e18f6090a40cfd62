//! JSON pointers (RFC 6901) and selectJsonLd (DI-ECDSA §3.3.13 and its helpers): the JSON-LD
//! fragment of a compact document that a list of pointers selects.
//!
//! Issuers name the statements every presentation must show with mandatory pointers, holders the ones
//! they choose to show with selective pointers; both are JSON pointers into the compact credential.
//! The selection keeps, on the way down to each selected value, the `id` (unless a blank node) and the
//! `type` of every object it passes through, so that the selected statements stay attached to the same
//! nodes as in the full document.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A JSON pointer (RFC 6901), parsed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct JsonPointer {
    text: String,
    tokens: Vec<String>,
}

impl JsonPointer {
    /// Parses `text` as an RFC 6901 JSON pointer: empty, or `/`-separated reference tokens in which `~0`
    /// stands for `~` and `~1` for `/`.
    pub fn parse(text: &str) -> Result<JsonPointer> {
        let invalid = || Error::InvalidPointer(text.to_owned());
        let tokens = if text.is_empty() {
            Vec::new()
        } else {
            let rest = text.strip_prefix('/').ok_or_else(invalid)?;
            rest.split('/')
                .map(|token| unescape(token).ok_or_else(invalid))
                .collect::<Result<Vec<_>>>()?
        };
        Ok(JsonPointer {
            text: text.to_owned(),
            tokens,
        })
    }

    /// The pointer as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The reference tokens, unescaped.
    pub(crate) fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The value this pointer selects in `document`, if any.
    pub fn resolve<'a>(&self, document: &'a Value) -> Option<&'a Value> {
        self.tokens
            .iter()
            .try_fold(document, |value, token| step(value, token))
    }
}

impl std::fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for JsonPointer {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        JsonPointer::parse(s)
    }
}

impl serde::Serialize for JsonPointer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for JsonPointer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        JsonPointer::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// An array index token as RFC 6901 §4 writes it: `0`, or digits without a leading zero.
fn array_index(token: &str) -> Option<usize> {
    if token.is_empty()
        || (token.len() > 1 && token.starts_with('0'))
        || !token.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    token.parse().ok()
}

fn step<'a>(value: &'a Value, token: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(token),
        Value::Array(items) => items.get(array_index(token)?),
        _ => None,
    }
}

/// A selection under construction: JSON objects, and arrays whose entries are filled by index (a
/// selection of items 0 and 2 of an array keeps their order and closes the gap, as selectJsonLd's
/// "sparse arrays" step does).
enum Selection {
    Leaf(Value),
    Object(Vec<(String, Selection)>),
    Array(Vec<(usize, Selection)>),
}

impl Selection {
    /// createInitialSelection (DI-ECDSA §3.3.12): an object keeps its `id` unless it is a blank node
    /// identifier, and its `type`.
    fn initial(source: &Value) -> Selection {
        match source {
            Value::Object(map) => {
                let mut entries = Vec::new();
                if let Some(id) = map.get("id") {
                    if !id.as_str().is_some_and(|id| id.starts_with("_:")) {
                        entries.push(("id".to_owned(), Selection::Leaf(id.clone())));
                    }
                }
                if let Some(ty) = map.get("type") {
                    entries.push(("type".to_owned(), Selection::Leaf(ty.clone())));
                }
                Selection::Object(entries)
            }
            Value::Array(_) => Selection::Array(Vec::new()),
            other => Selection::Leaf(other.clone()),
        }
    }

    /// The child selection at `token`, created from `source` (the document's value there) if new.
    fn child(&mut self, token: &str, source: &Value) -> &mut Selection {
        match self {
            Selection::Object(entries) => {
                let position = match entries.iter().position(|(k, _)| k == token) {
                    Some(position) => position,
                    None => {
                        entries.push((token.to_owned(), Selection::initial(source)));
                        entries.len() - 1
                    }
                };
                &mut entries[position].1
            }
            Selection::Array(items) => {
                // Tokens reached here were resolved in an array, so they are indexes.
                let index = array_index(token).unwrap_or(usize::MAX);
                let position = match items.iter().position(|(i, _)| *i == index) {
                    Some(position) => position,
                    None => {
                        items.push((index, Selection::initial(source)));
                        items.len() - 1
                    }
                };
                &mut items[position].1
            }
            Selection::Leaf(value) => {
                // Already selected whole (an earlier pointer chose this object or array): open it up
                // so the deeper pointer selects what is there, without losing the rest.
                *self = match std::mem::take(value) {
                    Value::Object(map) => {
                        Selection::Object(map.into_iter().map(|(k, v)| (k, Selection::Leaf(v))).collect())
                    }
                    Value::Array(items) => {
                        Selection::Array(items.into_iter().map(Selection::Leaf).enumerate().collect())
                    }
                    _ => Selection::initial(source),
                };
                self.child(token, source)
            }
        }
    }

    /// Selects the whole of `value` here: a literal or array replaces the selection, an object's entries
    /// are merged over what was selected of it.
    fn take_all(&mut self, value: &Value) {
        match (self, value) {
            (Selection::Object(entries), Value::Object(map)) => {
                for (key, v) in map {
                    match entries.iter().position(|(k, _)| k == key) {
                        Some(position) => entries[position].1 = Selection::Leaf(v.clone()),
                        None => entries.push((key.clone(), Selection::Leaf(v.clone()))),
                    }
                }
            }
            (this, value) => *this = Selection::Leaf(value.clone()),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Selection::Leaf(value) => value,
            Selection::Object(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect::<Map<_, _>>(),
            ),
            Selection::Array(mut items) => {
                items.sort_by_key(|(i, _)| *i);
                Value::Array(items.into_iter().map(|(_, v)| v.into_value()).collect())
            }
        }
    }
}

/// selectJsonLd (DI-ECDSA §3.3.13): the part of compact JSON-LD `document` that `pointers` select,
/// with the document's `@context`; `None` when there are no pointers. A pointer that selects nothing
/// is an error.
pub(crate) fn select_json_ld(document: &Value, pointers: &[JsonPointer]) -> Result<Option<Value>> {
    if pointers.is_empty() {
        return Ok(None);
    }
    let Value::Object(map) = document else {
        return Err(Error::NotAnObject("a JSON-LD document"));
    };
    // The root is selected like every object on a path: its id and type, so that the type-scoped
    // contexts of the document apply to the selection too.
    let mut selection = Selection::initial(document);
    if let (Selection::Object(entries), Some(context)) = (&mut selection, map.get("@context")) {
        entries.insert(0, ("@context".to_owned(), Selection::Leaf(context.clone())));
    }
    for pointer in pointers {
        select_paths(pointer, document, &mut selection)?;
    }
    Ok(Some(selection.into_value()))
}

/// selectPaths (DI-ECDSA §3.3.14).
fn select_paths(pointer: &JsonPointer, document: &Value, selection: &mut Selection) -> Result<()> {
    let not_found = || Error::PointerNotFound(pointer.as_str().to_owned());
    let mut value = document;
    let mut selected = selection;
    for token in pointer.tokens() {
        value = step(value, token).ok_or_else(not_found)?;
        selected = selected.child(token, value);
    }
    selected.take_all(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pointers(list: &[&str]) -> Vec<JsonPointer> {
        list.iter().map(|p| JsonPointer::parse(p).unwrap()).collect()
    }

    #[test]
    fn parses_rfc6901() {
        let doc = json!({"foo": ["bar", "baz"], "": 0, "a/b": 1, "m~n": 8, " ": 7});
        for (pointer, expected) in [
            ("", doc.clone()),
            ("/foo", json!(["bar", "baz"])),
            ("/foo/0", json!("bar")),
            ("/", json!(0)),
            ("/a~1b", json!(1)),
            ("/m~0n", json!(8)),
            ("/ ", json!(7)),
        ] {
            assert_eq!(
                JsonPointer::parse(pointer).unwrap().resolve(&doc),
                Some(&expected),
                "{pointer}"
            );
        }
        for bad in ["foo", "/~2", "/~"] {
            assert!(JsonPointer::parse(bad).is_err(), "{bad}");
        }
        for missing in ["/foo/01", "/foo/2", "/foo/-", "/nope", "/foo/0/x"] {
            assert_eq!(
                JsonPointer::parse(missing).unwrap().resolve(&doc),
                None,
                "{missing}"
            );
        }
    }

    #[test]
    fn selection_keeps_ids_types_and_array_order() {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential"],
            "credentialSubject": {
                "id": "_:b0",
                "type": "Person",
                "name": "Li",
                "sails": [{"size": 1, "year": 2020}, {"size": 2}, {"size": 3, "year": 2023}],
            },
        });
        let selected = select_json_ld(
            &doc,
            &pointers(&[
                "/credentialSubject/sails/2/year",
                "/credentialSubject/sails/0",
                "/type",
            ]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            selected,
            json!({
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "id": "urn:uuid:1",
                "type": ["VerifiableCredential"],
                "credentialSubject": {
                    "type": "Person",
                    "sails": [{"size": 1, "year": 2020}, {"year": 2023}],
                },
            })
        );
        assert_eq!(select_json_ld(&doc, &[]).unwrap(), None);
        let untyped = json!({"@context": {}, "a": {"b": 1}});
        assert_eq!(
            select_json_ld(&untyped, &pointers(&["/a/b"])).unwrap().unwrap(),
            json!({"@context": {}, "a": {"b": 1}})
        );
        assert_eq!(
            select_json_ld(&doc, &pointers(&["/credentialSubject/ship"])),
            Err(Error::PointerNotFound("/credentialSubject/ship".into()))
        );
    }

    #[test]
    fn selecting_a_whole_object_and_a_part_in_either_order() {
        let doc = json!({"id": "urn:root", "a": {"id": "urn:x", "b": 1, "c": {"d": 2, "e": 3}, "f": [4, 5]}});
        for order in [
            ["/a/c/d", "/a"],
            ["/a", "/a/c/d"],
            ["/a/f/1", "/a"],
            ["/a", "/a/f/1"],
        ] {
            let selected = select_json_ld(&doc, &pointers(&order)).unwrap().unwrap();
            assert_eq!(selected, doc, "{order:?}");
        }
    }
}
