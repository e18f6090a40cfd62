//! Attribute values and their mapping to BBS messages (specs/certificate.md, "Messages").
//!
//! Text and bytes are hashed to scalars (the draft's `hash_to_scalar` under ecert's api_id). Dates,
//! integers, region codes and booleans map to scalars directly and order-preservingly, through one map
//! from i64: `scalar = v + 2^63` (so -2^63 maps to 0 and i64::MAX to 2^64 - 1). Range predicates
//! ("born before", "valid until after today", "in province 11") can later be proved on them without
//! changing the format.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecert_bbs::{Ciphersuite, Interface, Scalar};
use serde_json::Value;
use time::{Date, Month};

use crate::error::{Error, Result};

/// The first day of the Unix epoch; dates are signed as days since it.
const EPOCH: Date = time::macros::date!(1970 - 01 - 01);

/// A typed attribute value. `Debug` prints its kind only: the value is personal data.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttributeValue {
    /// Text.
    String(String),
    /// A calendar date.
    Date(Date),
    /// An integer.
    Integer(i64),
    /// Yes or no.
    Boolean(bool),
    /// One of an enumeration's values.
    Enum(String),
    /// A six-digit GB/T 2260 region code.
    Region(u32),
    /// Raw bytes.
    Bytes(Vec<u8>),
}

impl core::fmt::Debug for AttributeValue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kind = match self {
            AttributeValue::String(_) => "String",
            AttributeValue::Date(_) => "Date",
            AttributeValue::Integer(_) => "Integer",
            AttributeValue::Boolean(_) => "Boolean",
            AttributeValue::Enum(_) => "Enum",
            AttributeValue::Region(_) => "Region",
            AttributeValue::Bytes(_) => "Bytes",
        };
        f.debug_tuple(kind).field(&crate::withheld::Withheld).finish()
    }
}

impl AttributeValue {
    /// A region code from its six-digit text.
    pub fn region(code: &str) -> Option<AttributeValue> {
        (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with('0'))
            .then(|| code.parse().ok().map(AttributeValue::Region))
            .flatten()
    }

    /// The value as it is written in a certificate's JSON.
    pub fn to_json(&self) -> Value {
        match self {
            AttributeValue::String(s) | AttributeValue::Enum(s) => Value::String(s.clone()),
            AttributeValue::Date(d) => Value::String(format_date(*d)),
            AttributeValue::Integer(v) => Value::from(*v),
            AttributeValue::Boolean(b) => Value::Bool(*b),
            AttributeValue::Region(code) => Value::String(format!("{code:06}")),
            AttributeValue::Bytes(bytes) => Value::String(URL_SAFE_NO_PAD.encode(bytes)),
        }
    }

    /// The BBS message this value is signed as.
    pub fn to_scalar<C: Ciphersuite>(&self, interface: &Interface<C>) -> Scalar {
        match self {
            AttributeValue::String(s) | AttributeValue::Enum(s) => {
                interface.map_message_to_scalar(s.as_bytes())
            }
            AttributeValue::Bytes(bytes) => interface.map_message_to_scalar(bytes),
            AttributeValue::Date(d) => integer_scalar(days_since_epoch(*d)),
            AttributeValue::Integer(v) => integer_scalar(*v),
            AttributeValue::Boolean(b) => integer_scalar(i64::from(*b)),
            AttributeValue::Region(code) => integer_scalar(i64::from(*code)),
        }
    }
}

/// The order-preserving map of integers to scalars: `v + 2^63`.
pub fn integer_scalar(v: i64) -> Scalar {
    Scalar::from_u64((v as u64) ^ (1 << 63))
}

/// Days from 1970-01-01 to `date` (negative before it).
pub fn days_since_epoch(date: Date) -> i64 {
    i64::from(date.to_julian_day() - EPOCH.to_julian_day())
}

/// Parses `YYYY-MM-DD` (exactly that shape, a real calendar date).
pub fn parse_date(s: &str) -> Result<Date> {
    let bad = || Error::InvalidDate(s.chars().take(32).collect());
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(bad());
    }
    let year: i32 = s[0..4].parse().map_err(|_| bad())?;
    let month: u8 = s[5..7].parse().map_err(|_| bad())?;
    let day: u8 = s[8..10].parse().map_err(|_| bad())?;
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month() as u8, date.day())
}

/// Whether `id` is a valid registry id (issuer, key, verifier, serial, status list): 1 to 100 printable
/// ASCII characters, no spaces. One rule for every role, so an id one accepts the others accept too.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 100 && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Longest display name (an issuer's, a verifier's, a type's), in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest short text (a department, a reason, a type's issuing department or validity), in characters.
pub const MAX_SHORT_TEXT_CHARS: usize = 500;
/// Longest description or legal basis, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

/// Checks a name or text that the registry log stores and wallets show to holders: 1 to `max_chars`
/// Unicode characters, no leading or trailing white space, and none of the characters that would let it
/// display as something else or break the line it is shown on: control characters (C0, DEL, C1),
/// bidirectional overrides, embeddings and isolates, and the noncharacters U+FFFE and U+FFFF. Returns the
/// rule broken, in words; never the text.
pub fn check_text(text: &str, max_chars: usize) -> core::result::Result<(), String> {
    if text.is_empty() {
        return Err("is empty".into());
    }
    if text.chars().count() > max_chars {
        return Err(format!("is longer than {max_chars} characters"));
    }
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        return Err("begins or ends with white space".into());
    }
    if let Some(c) = text.chars().find(|&c| is_refused_in_text(c)) {
        return Err(format!(
            "holds the character U+{:04X}, which names and texts may not contain (control and \
             bidirectional-formatting characters are refused)",
            u32::from(c)
        ));
    }
    Ok(())
}

fn is_refused_in_text(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// Decodes base64url without padding, the encoding of every binary field in ecert's JSON.
pub fn decode_b64(s: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).map_err(|_| Error::InvalidBase64)
}

/// Encodes base64url without padding.
pub fn encode_b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn names_and_texts_are_bounded_and_printable() {
        assert_eq!(check_text("广东省公安厅交通管理局", MAX_NAME_CHARS), Ok(()));
        assert_eq!(
            check_text("Road Traffic Safety Law, art. 19", MAX_NAME_CHARS),
            Ok(())
        );
        assert_eq!(check_text(&"名".repeat(200), MAX_NAME_CHARS), Ok(()));
        // Characters, not bytes: 200 Chinese characters are 600 bytes.
        assert!(
            check_text(&"名".repeat(201), MAX_NAME_CHARS)
                .unwrap_err()
                .contains("longer than 200")
        );
        for (text, rule) in [
            ("", "empty"),
            (" lead", "white space"),
            ("trail\u{3000}", "white space"),
            ("two\nlines", "U+000A"),
            ("nul\u{0}", "U+0000"),
            ("c1\u{85}x", "U+0085"),
            ("evil\u{202E}gnp.exe", "U+202E"),
            ("isolate\u{2067}x", "U+2067"),
            ("non\u{FFFF}char", "U+FFFF"),
        ] {
            let problem = check_text(text, MAX_NAME_CHARS).unwrap_err();
            assert!(problem.contains(rule), "{text:?}: {problem}");
            assert!(
                !problem.contains(text) || text.is_empty(),
                "the text is not echoed"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_days_since_1970_and_keep_their_order() {
        assert_eq!(days_since_epoch(parse_date("1970-01-01").unwrap()), 0);
        assert_eq!(days_since_epoch(parse_date("1969-12-31").unwrap()), -1);
        assert_eq!(days_since_epoch(parse_date("2000-03-01").unwrap()), 11017);
        let a = integer_scalar(-5).to_be_bytes();
        let b = integer_scalar(3).to_be_bytes();
        assert!(a < b, "the integer map preserves order");
        assert_eq!(integer_scalar(i64::MIN).to_be_bytes(), [0u8; 32]);
    }

    #[test]
    fn malformed_dates_are_refused() {
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "24-01-01",
            "2024/01/01",
            "2024-1-01",
            "",
            "2024-01-01T00:00",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(format_date(parse_date("0999-01-31").unwrap()), "0999-01-31");
    }

    #[test]
    fn region_codes_are_six_digits() {
        assert_eq!(
            AttributeValue::region("110105"),
            Some(AttributeValue::Region(110105))
        );
        for bad in ["11010", "1101050", "11010a", "010105", ""] {
            assert_eq!(AttributeValue::region(bad), None, "{bad}");
        }
    }
}
