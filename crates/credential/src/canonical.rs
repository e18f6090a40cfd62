//! The JSON Canonicalization Scheme (RFC 8785, JCS) for the documents ecert hashes: registry log entries
//! (their leaf hashes) and certificate-type schemas (the schema digest a certificate header binds).
//!
//! These documents hold integers only, so numbers are restricted to the integers JCS writes exactly as
//! decimal digits, those of magnitude below 2^53 (ECMAScript's safe integers; beyond them JCS writes the
//! nearest double, which another implementation may not reproduce from the same text). A fraction, an
//! exponent or a larger integer is refused.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The largest magnitude of an integer a canonical document may hold: 2^53 - 1.
pub const MAX_CANONICAL_INTEGER: u64 = (1 << 53) - 1;

/// The RFC 8785 canonical form of `value`: no whitespace, members sorted by the UTF-16 code units of
/// their names, strings with JSON's minimal escapes, integers in decimal.
pub fn canonical_json(value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write(value, &mut out)?;
    Ok(out)
}

/// SHA-256 of the canonical form.
pub fn canonical_digest(value: &Value) -> Result<[u8; 32]> {
    Ok(Sha256::digest(canonical_json(value)?).into())
}

fn write(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let exact = n
                .as_i64()
                .filter(|v| v.unsigned_abs() <= MAX_CANONICAL_INTEGER)
                .map(|v| v.to_string())
                .or_else(|| {
                    n.as_u64()
                        .filter(|&v| v <= MAX_CANONICAL_INTEGER)
                        .map(|v| v.to_string())
                });
            let text = exact.ok_or_else(|| {
                Error::Malformed(format!(
                    "the number {n} is not an integer of magnitude below 2^53, the only numbers a canonical \
                     document holds"
                ))
            })?;
            out.extend_from_slice(text.as_bytes());
        }
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            // RFC 8785 §3.2.3: by UTF-16 code units, which differs from UTF-8 byte order for names with
            // characters at or above U+E000.
            sorted.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            out.push(b'{');
            for (i, (name, member)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(name, out);
                out.push(b':');
                write(member, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// RFC 8785 §3.2.2.2 (ECMAScript's JSON.stringify): `"` and `\` escaped, the control characters as `\b`,
/// `\t`, `\n`, `\f`, `\r` or `\u00xx` in lower-case hex, everything else as its UTF-8 bytes.
fn write_string(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            c if u32::from(c) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
            }
            c => {
                let mut buffer = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;

    use super::*;

    fn canonical(value: Value) -> String {
        String::from_utf8(canonical_json(&value).unwrap()).unwrap()
    }

    #[test]
    fn members_are_sorted_by_utf16_code_units_without_whitespace() {
        // U+E000 sorts before U+1F600 in UTF-16 (0xE000 < 0xD83D) but after it in UTF-8.
        assert_eq!(
            canonical(json!({"b": [1, {"z": null, "a": true}], "a": "x", "\u{1F600}": 1, "\u{E000}": 2})),
            "{\"a\":\"x\",\"b\":[1,{\"a\":true,\"z\":null}],\"\u{1F600}\":1,\"\u{E000}\":2}"
        );
    }

    #[test]
    fn strings_use_the_minimal_escapes() {
        assert_eq!(
            canonical(json!("\"\\\u{8}\t\n\u{c}\r\u{1}\u{1f}/é€\u{7f}")),
            "\"\\\"\\\\\\b\\t\\n\\f\\r\\u0001\\u001f/é€\u{7f}\""
        );
    }

    #[test]
    fn integers_up_to_2_pow_53_are_written_and_other_numbers_refused() {
        assert_eq!(
            canonical(json!([0, -1, 9007199254740991_i64, -9007199254740991_i64])),
            "[0,-1,9007199254740991,-9007199254740991]"
        );
        for refused in [
            json!(9007199254740992_u64),
            json!(-9007199254740992_i64),
            json!(1.5),
            json!(u64::MAX),
        ] {
            assert!(canonical_json(&refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn it_agrees_with_serde_json_s_compact_writer_on_ascii_documents() {
        let value = json!({"kind": "x", "at": 17, "list": ["a\"b", {"q": false}]});
        assert_eq!(
            canonical_json(&value).unwrap(),
            serde_json::to_vec(&value).unwrap()
        );
    }
}
