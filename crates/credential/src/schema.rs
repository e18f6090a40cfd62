//! Certificate types: the schema of each kind of certificate (specs/schemas/FORMAT.md), loaded from JSON
//! and validated, and the check of attribute values against it.
//!
//! A [`CertificateType`] says which attributes a certificate carries, in the order they are signed, their
//! types and constraints and how sensitive each is (for graded sharing), and which yes/no claims the
//! issuer derives at issuance. Issuers validate what they sign against it; holders and verifiers use it to
//! find an attribute's position among the signed messages and to read disclosed values back.

use core::fmt;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;

use crate::error::{Error, Result};
use crate::value::{
    AttributeValue, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS, check_text, parse_date,
};

/// A versioned certificate-type id, `<namespace>.<name>/<version>`, e.g. `cn.driving-licence/1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TypeId(String);

impl TypeId {
    /// Validates the id's shape: lowercase ASCII letters, digits, `.` and `-`, then `/` and a version.
    pub fn new(id: &str) -> Result<TypeId> {
        let valid = id.split_once('/').is_some_and(|(name, version)| {
            !name.is_empty()
                && name.len() <= 100
                && name.contains('.')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
                && !version.is_empty()
                && version.len() <= 9
                && version.bytes().all(|b| b.is_ascii_digit())
                && !version.starts_with('0')
        });
        if valid {
            Ok(TypeId(id.to_owned()))
        } else {
            Err(Error::InvalidTypeId(id.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TypeId {
    type Error = Error;
    fn try_from(id: String) -> Result<TypeId> {
        TypeId::new(&id)
    }
}

impl From<TypeId> for String {
    fn from(id: TypeId) -> String {
        id.0
    }
}

impl fmt::Display for TypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who a certificate is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A natural person.
    Person,
    /// An enterprise or other organisation.
    Enterprise,
}

/// How sensitive an attribute is, for graded sharing: 1 public .. 4 most sensitive (identity numbers,
/// biometrics, financial data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Sensitivity(u8);

impl Sensitivity {
    /// The most sensitive level.
    pub const HIGHEST: Sensitivity = Sensitivity(4);

    /// The level, 1 to 4.
    pub fn level(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Sensitivity {
    type Error = Error;
    fn try_from(level: u8) -> Result<Sensitivity> {
        if (1..=4).contains(&level) {
            Ok(Sensitivity(level))
        } else {
            Err(Error::Schema(format!(
                "sensitivity {level} is not between 1 and 4"
            )))
        }
    }
}

impl From<Sensitivity> for u8 {
    fn from(s: Sensitivity) -> u8 {
        s.0
    }
}

/// An attribute's type and its constraints.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum AttributeKind {
    /// UTF-8 text of at most `max_length` characters, matching `pattern` if there is one.
    String {
        /// Longest value, in characters.
        max_length: usize,
        /// A regular expression the whole value must match.
        pattern: Option<Pattern>,
    },
    /// A calendar date, `YYYY-MM-DD`, signed as days since 1970-01-01.
    Date {
        /// Earliest allowed date.
        min: Option<Date>,
        /// Latest allowed date.
        max: Option<Date>,
    },
    /// A signed 64-bit integer.
    Integer {
        /// Smallest allowed value.
        min: Option<i64>,
        /// Largest allowed value.
        max: Option<i64>,
    },
    /// Yes or no.
    Boolean,
    /// One of a fixed list of strings.
    Enum {
        /// The allowed values.
        values: Vec<String>,
    },
    /// A six-digit administrative-division code (GB/T 2260), signed as an integer so that "in this
    /// province" can later be proved as a range.
    Region,
    /// Raw bytes (base64url in JSON), such as a photo digest.
    Bytes {
        /// Exact length, if fixed.
        length: Option<usize>,
        /// Longest value.
        max_length: usize,
    },
}

/// A compiled `pattern` with its source text.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    regex: regex::Regex,
}

impl Pattern {
    /// The pattern as written in the schema.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub(crate) fn matches(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// One attribute of a certificate type.
#[derive(Clone, Debug)]
pub struct AttributeSpec {
    /// The attribute's name, unique within its type.
    pub name: String,
    /// Type and constraints.
    pub kind: AttributeKind,
    /// Graded-sharing level.
    pub sensitivity: Sensitivity,
    /// What the attribute is.
    pub description: String,
}

/// The rule of a derived claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimRule {
    /// The age in whole years on the issuance date, from a date of birth, is at least this.
    AgeAtLeast(u16),
}

/// A yes/no claim the issuer computes at issuance, e.g. `age_over_18` from the birth date, so that a
/// verifier can be told "over 18" without the date.
#[derive(Clone, Debug)]
pub struct DerivedClaimSpec {
    /// The claim's name, distinct from the attribute names.
    pub name: String,
    /// The attribute it is computed from.
    pub from: String,
    /// How.
    pub rule: ClaimRule,
    /// What the claim means.
    pub description: String,
}

/// A certificate type: what one kind of certificate carries.
#[derive(Clone, Debug)]
pub struct CertificateType {
    /// Versioned id.
    pub id: TypeId,
    /// English name.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// A person or an enterprise.
    pub subject: Subject,
    /// Which kind of department issues it (informative).
    pub issuer_kind: String,
    /// What the certificate is.
    pub description: String,
    /// Its usual validity (informative).
    pub validity: String,
    /// The attributes, in signing order.
    pub attributes: Vec<AttributeSpec>,
    /// The derived claims, signed after the attributes in this order.
    pub derived_claims: Vec<DerivedClaimSpec>,
    /// SHA-256 of the schema document's canonical form (RFC 8785): what certificate headers bind, so that
    /// two catalogues that disagree on the type do not accept each other's certificates.
    schema_digest: [u8; 32],
}

/// Most attributes a type may have (a BBS signature has no limit; this keeps certificates and proofs
/// small and catches a runaway schema).
pub const MAX_ATTRIBUTES: usize = 64;
const DEFAULT_STRING_MAX: usize = 256;
/// Longest enum value, in characters.
const MAX_ENUM_VALUE_CHARS: usize = 100;
/// Longest `pattern`, in characters.
const MAX_PATTERN_CHARS: usize = 1000;
const DEFAULT_BYTES_MAX: usize = 1024;

impl CertificateType {
    /// Parses and validates a schema file (specs/schemas/FORMAT.md).
    pub fn from_json(text: &str) -> Result<CertificateType> {
        let document: Value = crate::strict_json::from_str(text).map_err(|e| Error::Schema(e.to_string()))?;
        CertificateType::from_document(&document)
    }

    /// [`CertificateType::from_json`] for a schema document already parsed (a registry log entry holds
    /// one verbatim).
    pub fn from_document(document: &Value) -> Result<CertificateType> {
        let raw = RawType::deserialize(document).map_err(|e| Error::Schema(e.to_string()))?;
        let schema_digest = crate::canonical::canonical_digest(document)
            .map_err(|e| Error::Schema(format!("{}: {e}", raw.id)))?;
        raw.validate(schema_digest)
    }

    /// SHA-256 of the schema document in its canonical form (RFC 8785), as certificate headers bind it
    /// (specs/certificate.md §4).
    pub fn schema_digest(&self) -> &[u8; 32] {
        &self.schema_digest
    }

    /// The attribute called `name`, with its position among the attributes.
    pub fn attribute(&self, name: &str) -> Option<(usize, &AttributeSpec)> {
        self.attributes.iter().enumerate().find(|(_, a)| a.name == name)
    }

    /// The derived claim called `name`, with its position among the claims.
    pub fn claim(&self, name: &str) -> Option<(usize, &DerivedClaimSpec)> {
        self.derived_claims
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == name)
    }

    /// Checks a certificate's attribute values (a JSON object) against the type: every attribute
    /// present, nothing extra, each value of its type and within its constraints. Returns the values in
    /// signing order.
    pub fn parse_values(&self, values: &serde_json::Map<String, Value>) -> Result<Vec<AttributeValue>> {
        if let Some(extra) = values.keys().find(|k| self.attribute(k).is_none()) {
            return Err(Error::UnknownAttribute {
                type_id: self.id.to_string(),
                name: extra.clone(),
            });
        }
        self.attributes
            .iter()
            .map(|spec| {
                let value = values
                    .get(&spec.name)
                    .ok_or_else(|| Error::MissingAttribute(spec.name.clone()))?;
                spec.parse_value(value)
            })
            .collect()
    }

    /// Computes the derived claims from the attribute values (in signing order) on `on` (the issuance
    /// date).
    pub fn derive_claims(&self, values: &[AttributeValue], on: Date) -> Result<Vec<bool>> {
        self.derived_claims
            .iter()
            .map(|claim| {
                let (index, _) = self
                    .attribute(&claim.from)
                    .ok_or_else(|| Error::MissingAttribute(claim.from.clone()))?;
                match (claim.rule, values.get(index)) {
                    (ClaimRule::AgeAtLeast(years), Some(AttributeValue::Date(born))) => {
                        Ok(age_on(*born, on) >= i32::from(years))
                    }
                    _ => Err(Error::Schema(format!(
                        "claim {} needs the date attribute {}",
                        claim.name, claim.from
                    ))),
                }
            })
            .collect()
    }
}

/// Whole years from `born` to `on` (negative if `on` is earlier).
pub fn age_on(born: Date, on: Date) -> i32 {
    let mut age = on.year() - born.year();
    if (on.month() as u8, on.day()) < (born.month() as u8, born.day()) {
        age -= 1;
    }
    age
}

impl AttributeSpec {
    /// Parses one attribute value from JSON and checks it against the attribute's type and constraints.
    pub fn parse_value(&self, json: &Value) -> Result<AttributeValue> {
        let problem = |what: String| Error::InvalidValue {
            name: self.name.clone(),
            problem: what,
        };
        match &self.kind {
            AttributeKind::String { max_length, pattern } => {
                let s = json.as_str().ok_or_else(|| problem("expected a string".into()))?;
                if s.chars().count() > *max_length {
                    return Err(problem(format!("longer than {max_length} characters")));
                }
                if let Some(pattern) = pattern.as_ref().filter(|p| !p.matches(s)) {
                    return Err(problem(format!(
                        "does not match the pattern {}",
                        pattern.as_str()
                    )));
                }
                Ok(AttributeValue::String(s.to_owned()))
            }
            AttributeKind::Date { min, max } => {
                let s = json
                    .as_str()
                    .ok_or_else(|| problem("expected a date, \"YYYY-MM-DD\"".into()))?;
                let date = parse_date(s).map_err(|_| problem("expected a date, \"YYYY-MM-DD\"".into()))?;
                if min.is_some_and(|m| date < m) || max.is_some_and(|m| date > m) {
                    return Err(problem("date out of the allowed range".into()));
                }
                Ok(AttributeValue::Date(date))
            }
            AttributeKind::Integer { min, max } => {
                let v = json
                    .as_i64()
                    .ok_or_else(|| problem("expected an integer".into()))?;
                if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
                    return Err(problem(format!("{v} is out of the allowed range")));
                }
                Ok(AttributeValue::Integer(v))
            }
            AttributeKind::Boolean => json
                .as_bool()
                .map(AttributeValue::Boolean)
                .ok_or_else(|| problem("expected true or false".into())),
            AttributeKind::Enum { values } => {
                let s = json.as_str().ok_or_else(|| problem("expected a string".into()))?;
                if values.iter().any(|v| v == s) {
                    Ok(AttributeValue::Enum(s.to_owned()))
                } else {
                    Err(problem(format!("not one of {}", values.join(", "))))
                }
            }
            AttributeKind::Region => {
                let s = json
                    .as_str()
                    .ok_or_else(|| problem("expected a six-digit region code".into()))?;
                AttributeValue::region(s).ok_or_else(|| problem("expected a six-digit region code".into()))
            }
            AttributeKind::Bytes { length, max_length } => {
                let s = json
                    .as_str()
                    .ok_or_else(|| problem("expected base64url bytes".into()))?;
                let bytes = crate::value::decode_b64(s)
                    .map_err(|_| problem("expected base64url bytes (no padding)".into()))?;
                if length.is_some_and(|n| bytes.len() != n) || bytes.len() > *max_length {
                    return Err(problem(format!("{} bytes is not an allowed length", bytes.len())));
                }
                Ok(AttributeValue::Bytes(bytes))
            }
        }
    }
}

// --- the JSON form, checked field by field -------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    id: String,
    name: String,
    name_zh: String,
    subject: Subject,
    issuer_kind: String,
    description: String,
    validity: String,
    attributes: Vec<RawAttribute>,
    #[serde(default)]
    derived_claims: Vec<RawClaim>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttribute {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    sensitivity: u8,
    description: String,
    max_length: Option<usize>,
    pattern: Option<String>,
    min: Option<Value>,
    max: Option<Value>,
    values: Option<Vec<String>>,
    length: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    name: String,
    from: String,
    rule: String,
    years: Option<u16>,
    description: String,
}

fn is_snake_case(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl RawType {
    fn validate(self, schema_digest: [u8; 32]) -> Result<CertificateType> {
        let id = TypeId::new(&self.id)?;
        let fail = |what: String| Error::Schema(format!("{}: {what}", self.id));
        // The registry log stores the schema and wallets show its texts to holders.
        for (field, text, max) in [
            ("name", &self.name, MAX_NAME_CHARS),
            ("name_zh", &self.name_zh, MAX_NAME_CHARS),
            ("issuer_kind", &self.issuer_kind, MAX_SHORT_TEXT_CHARS),
            ("validity", &self.validity, MAX_SHORT_TEXT_CHARS),
            ("description", &self.description, MAX_DESCRIPTION_CHARS),
        ] {
            check_text(text, max).map_err(|problem| fail(format!("{field} {problem}")))?;
        }
        if self.attributes.is_empty() || self.attributes.len() > MAX_ATTRIBUTES {
            return Err(fail(format!("needs 1 to {MAX_ATTRIBUTES} attributes")));
        }
        let mut names = HashSet::new();
        let mut attributes = Vec::with_capacity(self.attributes.len());
        for raw in self.attributes {
            if !is_snake_case(&raw.name) || !names.insert(raw.name.clone()) {
                return Err(fail(format!(
                    "attribute name {:?} is not snake_case or not unique",
                    raw.name
                )));
            }
            attributes.push(raw.validate().map_err(|e| fail(e.to_string()))?);
        }
        let mut derived_claims = Vec::with_capacity(self.derived_claims.len());
        for raw in self.derived_claims {
            if !is_snake_case(&raw.name) || !names.insert(raw.name.clone()) {
                return Err(fail(format!(
                    "claim name {:?} is not snake_case or not unique",
                    raw.name
                )));
            }
            check_text(&raw.description, MAX_SHORT_TEXT_CHARS)
                .map_err(|problem| fail(format!("claim {}: description {problem}", raw.name)))?;
            let from_is_date = attributes
                .iter()
                .any(|a| a.name == raw.from && matches!(a.kind, AttributeKind::Date { .. }));
            if !from_is_date {
                return Err(fail(format!(
                    "claim {} must come from a date attribute, not {:?}",
                    raw.name, raw.from
                )));
            }
            let rule = match (raw.rule.as_str(), raw.years) {
                ("age_at_least", Some(years)) if years <= 150 => ClaimRule::AgeAtLeast(years),
                _ => {
                    return Err(fail(format!(
                        "claim {}: rule must be age_at_least with years 0..150",
                        raw.name
                    )));
                }
            };
            derived_claims.push(DerivedClaimSpec {
                name: raw.name,
                from: raw.from,
                rule,
                description: raw.description,
            });
        }
        Ok(CertificateType {
            id,
            name: self.name,
            name_zh: self.name_zh,
            subject: self.subject,
            issuer_kind: self.issuer_kind,
            description: self.description,
            validity: self.validity,
            attributes,
            derived_claims,
            schema_digest,
        })
    }
}

impl RawAttribute {
    fn validate(self) -> Result<AttributeSpec> {
        let name = self.name.clone();
        let fail = |what: &str| Error::Schema(format!("attribute {name}: {what}"));
        let sensitivity = Sensitivity::try_from(self.sensitivity)?;
        check_text(&self.description, MAX_SHORT_TEXT_CHARS)
            .map_err(|problem| fail(&format!("description {problem}")))?;
        let only = |allowed: &[&str]| -> Result<()> {
            let present = [
                ("max_length", self.max_length.is_some()),
                ("pattern", self.pattern.is_some()),
                ("min", self.min.is_some()),
                ("max", self.max.is_some()),
                ("values", self.values.is_some()),
                ("length", self.length.is_some()),
            ];
            match present
                .iter()
                .find(|(field, set)| *set && !allowed.contains(field))
            {
                Some((field, _)) => Err(fail(&format!("{field} does not apply to type {}", self.kind))),
                None => Ok(()),
            }
        };
        let kind = match self.kind.as_str() {
            "string" => {
                only(&["max_length", "pattern"])?;
                if self
                    .pattern
                    .as_ref()
                    .is_some_and(|p| p.chars().count() > MAX_PATTERN_CHARS)
                {
                    return Err(fail(&format!(
                        "pattern is longer than {MAX_PATTERN_CHARS} characters"
                    )));
                }
                let pattern = match &self.pattern {
                    Some(source) => Some(Pattern {
                        source: source.clone(),
                        // Anchored whatever the schema wrote, so the whole value must match.
                        regex: regex::Regex::new(&format!("^(?:{source})$"))
                            .map_err(|e| fail(&format!("bad pattern: {e}")))?,
                    }),
                    None => None,
                };
                AttributeKind::String {
                    max_length: self.max_length.unwrap_or(DEFAULT_STRING_MAX),
                    pattern,
                }
            }
            "date" => {
                only(&["min", "max"])?;
                let date = |v: &Option<Value>| -> Result<Option<Date>> {
                    v.as_ref()
                        .map(|v| {
                            v.as_str()
                                .and_then(|s| parse_date(s).ok())
                                .ok_or_else(|| fail("min and max must be dates"))
                        })
                        .transpose()
                };
                AttributeKind::Date {
                    min: date(&self.min)?,
                    max: date(&self.max)?,
                }
            }
            "integer" => {
                only(&["min", "max"])?;
                let int = |v: &Option<Value>| -> Result<Option<i64>> {
                    v.as_ref()
                        .map(|v| v.as_i64().ok_or_else(|| fail("min and max must be integers")))
                        .transpose()
                };
                AttributeKind::Integer {
                    min: int(&self.min)?,
                    max: int(&self.max)?,
                }
            }
            "boolean" => {
                only(&[])?;
                AttributeKind::Boolean
            }
            "enum" => {
                only(&["values"])?;
                let values = self.values.clone().unwrap_or_default();
                let distinct: HashSet<&String> = values.iter().collect();
                if values.is_empty() || values.len() > 64 || distinct.len() != values.len() {
                    return Err(fail("an enum needs 1 to 64 distinct values"));
                }
                if let Some(problem) = values
                    .iter()
                    .find_map(|v| check_text(v, MAX_ENUM_VALUE_CHARS).err())
                {
                    return Err(fail(&format!("an enum value {problem}")));
                }
                AttributeKind::Enum { values }
            }
            "region" => {
                only(&[])?;
                AttributeKind::Region
            }
            "bytes" => {
                only(&["length", "max_length"])?;
                AttributeKind::Bytes {
                    length: self.length,
                    max_length: self.max_length.unwrap_or(DEFAULT_BYTES_MAX),
                }
            }
            other => return Err(fail(&format!("unknown type {other:?}"))),
        };
        Ok(AttributeSpec {
            name: self.name,
            kind,
            sensitivity,
            description: self.description,
        })
    }
}
