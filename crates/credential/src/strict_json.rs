//! Reading ecert's JSON documents strictly: a member name repeated in any object, at any depth, is
//! refused.
//!
//! RFC 8259 leaves repeated names undefined, and parsers disagree on which of the two they keep
//! (serde_json keeps the last, others the first). For a signed document that difference lets two parties
//! read one text two ways, so every ecert file format (certificates, presentations, requests, wallet
//! files, status lists, schemas, registry entries, tree heads and snapshots) is read through
//! [`from_str`] or [`from_slice`] and no format relies on a per-field check. The check is a first pass
//! over the document that keeps nothing but the member names of the object being read; the second pass
//! is the type's own deserialiser, with all its other rules (unknown members, types, ranges).

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeOwned, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

/// Longest member name an error message quotes, in characters: the name comes from outside.
const QUOTED_NAME_MAX: usize = 64;

/// Parses `text` as a `T`, refusing a repeated member name anywhere in it. The error names the member
/// and, like every serde_json error, the line and column.
pub fn from_str<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_str::<DistinctMembers>(text)?;
    serde_json::from_str(text)
}

/// [`from_str`] for bytes (UTF-8 JSON).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice::<DistinctMembers>(bytes)?;
    serde_json::from_slice(bytes)
}

/// Any JSON value whose objects have distinct member names; holds nothing.
struct DistinctMembers;

impl<'de> serde::Deserialize<'de> for DistinctMembers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DistinctMembersVisitor)
    }
}

struct DistinctMembersVisitor;

impl<'de> Visitor<'de> for DistinctMembersVisitor {
    type Value = DistinctMembers;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<DistinctMembers, E> {
        Ok(DistinctMembers)
    }

    fn visit_i64<E>(self, _: i64) -> Result<DistinctMembers, E> {
        Ok(DistinctMembers)
    }

    fn visit_u64<E>(self, _: u64) -> Result<DistinctMembers, E> {
        Ok(DistinctMembers)
    }

    fn visit_f64<E>(self, _: f64) -> Result<DistinctMembers, E> {
        Ok(DistinctMembers)
    }

    fn visit_str<E>(self, _: &str) -> Result<DistinctMembers, E> {
        Ok(DistinctMembers)
    }

    fn visit_unit<E>(self) -> Result<DistinctMembers, E> {
        Ok(DistinctMembers)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<DistinctMembers, A::Error> {
        while items.next_element::<DistinctMembers>()?.is_some() {}
        Ok(DistinctMembers)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<DistinctMembers, A::Error> {
        let mut seen = HashSet::new();
        while let Some(name) = members.next_key::<String>()? {
            members.next_value::<DistinctMembers>()?;
            if let Some(name) = seen.replace(name) {
                let quoted: String = name.chars().take(QUOTED_NAME_MAX).collect();
                return Err(A::Error::custom(format!(
                    "the member name {quoted:?} appears twice in one object (repeated names are refused)"
                )));
            }
        }
        Ok(DistinctMembers)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::Value;

    use super::*;

    #[test]
    fn a_repeated_name_is_refused_at_any_depth_and_named() {
        for text in [
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": {"b": 1, "c": 2, "b": 1}}"#,
            r#"[{"x": 1}, {"y": [{"z": 0, "z": 0}]}]"#,
            // The same name after an escape is the same name.
            r#"{"a": 1, "\u0061": 2}"#,
        ] {
            let error = from_str::<Value>(text).unwrap_err().to_string();
            assert!(error.contains("appears twice"), "{text}: {error}");
            assert!(error.contains("line 1"), "{text}: the position is given: {error}");
            assert!(from_slice::<Value>(text.as_bytes()).is_err());
        }
    }

    #[test]
    fn distinct_names_in_different_objects_and_every_json_type_pass() {
        let text = r#"{"a": {"a": 1}, "b": [{"a": null}, {"a": true}], "c": -1.5e3, "d": "x", "e": 18446744073709551615}"#;
        assert_eq!(
            from_str::<Value>(text).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn the_quoted_name_is_bounded() {
        let long = "n".repeat(10_000);
        let text = format!(r#"{{"{long}": 1, "{long}": 2}}"#);
        let error = from_str::<Value>(&text).unwrap_err().to_string();
        assert!(error.len() < 300, "{} bytes", error.len());
    }

    #[test]
    fn malformed_json_is_the_parser_s_error() {
        assert!(from_str::<Value>(r#"{"a": }"#).is_err());
        assert!(from_str::<Value>("").is_err());
    }
}
