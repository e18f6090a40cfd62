//! The checks VC Data Model 2.0 puts on a verifiable credential (§4 "Basic Concepts", §7.1
//! "Verification"), made after its bbs-2023 proof verified: what `Bbs2023::verify_credential` adds to
//! `Bbs2023::verify`, which checks the proof only and would accept any signed JSON-LD document.
//!
//! A VC 1.1 credential (context `https://www.w3.org/2018/credentials/v1`, as in the bbs-2023
//! specification's own examples) is checked by its data model's rules: `issuanceDate` required,
//! `expirationDate` optional, in place of `validFrom` and `validUntil`.

use serde_json::{Map, Value};

use crate::datetime::{date_time_stamp_seconds, is_xsd_date_time};
use crate::error::{Error, Result};
use crate::multikey::VerificationMethodResolver;
use crate::verify::VerifiedDocument;

/// The base context of VC Data Model 2.0 (§4.3: the first `@context` item).
pub const CREDENTIALS_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The base context of VC Data Model 1.1.
pub const CREDENTIALS_V1_CONTEXT: &str = "https://www.w3.org/2018/credentials/v1";

/// Which data model a credential follows, by its first context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DataModel {
    V2,
    V1,
}

fn malformed(property: &'static str, problem: impl Into<String>) -> Error {
    Error::Credential(property, problem.into())
}

/// VC DM 2.0 §4.3: `@context` is an ordered set whose first item is the base context.
fn data_model(credential: &Map<String, Value>) -> Result<DataModel> {
    let first = match credential.get("@context") {
        Some(Value::Array(contexts)) => contexts.first(),
        Some(context) => Some(context),
        None => None,
    };
    match first.and_then(Value::as_str) {
        Some(CREDENTIALS_V2_CONTEXT) => Ok(DataModel::V2),
        Some(CREDENTIALS_V1_CONTEXT) => Ok(DataModel::V1),
        _ => Err(malformed(
            "@context",
            format!("the first context must be {CREDENTIALS_V2_CONTEXT} (or {CREDENTIALS_V1_CONTEXT})"),
        )),
    }
}

/// The identifier an `issuer` value names (VC DM 2.0 §4.7: a URL, or an object with an `id` URL).
pub(crate) fn issuer_id(credential: &Map<String, Value>) -> Result<&str> {
    let id = match credential.get("issuer") {
        Some(Value::String(id)) => id.as_str(),
        Some(Value::Object(issuer)) => issuer
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("issuer", "an issuer object must have an id"))?,
        Some(_) => return Err(malformed("issuer", "must be a URL or an object with an id")),
        None => return Err(malformed("issuer", "missing")),
    };
    if !crate::proof::is_url(id) {
        return Err(malformed("issuer", "the issuer's id is not a URL"));
    }
    Ok(id)
}

/// The instant of a validity property (`validFrom`...), if present; a value that is not a
/// `dateTimeStamp` (VC DM 2.0 §4.9) is malformed.
fn instant(credential: &Map<String, Value>, property: &'static str, model: DataModel) -> Result<Option<i64>> {
    match credential.get(property) {
        None => Ok(None),
        Some(Value::String(value)) => match date_time_stamp_seconds(value) {
            Some(seconds) => Ok(Some(seconds)),
            // VC 1.1 §4.6-4.7 allowed any xsd:dateTime; one without a time zone names no instant, and
            // is read as UTC, as the JavaScript verifiers do.
            None if model == DataModel::V1 && is_xsd_date_time(value) => {
                Ok(date_time_stamp_seconds(&format!("{value}Z")))
            }
            None => Err(malformed(
                property,
                "not an XML Schema dateTimeStamp (e.g. 2026-01-01T00:00:00Z)",
            )),
        },
        Some(_) => Err(malformed(property, "must be a string")),
    }
}

/// VC DM 2.0 §4 and §7.1 on a credential whose proof verified, at time `now` (seconds since
/// 1970-01-01 UTC): the base context first, type `VerifiableCredential`, an issuer that is a URL and
/// controls the proof's verification method, a credential subject, and a validity period that
/// contains `now`.
pub(crate) fn check_credential(
    verified: &VerifiedDocument,
    resolver: &dyn VerificationMethodResolver,
    now: i64,
) -> Result<()> {
    let Value::Object(credential) = &verified.document else {
        return Err(Error::NotAnObject("a verifiable credential"));
    };
    let model = data_model(credential)?;

    // §4.5: type includes VerifiableCredential.
    let is_credential = match credential.get("type") {
        Some(Value::String(t)) => t == "VerifiableCredential",
        Some(Value::Array(types)) => types.iter().any(|t| t == "VerifiableCredential"),
        _ => false,
    };
    if !is_credential {
        return Err(malformed("type", "must include VerifiableCredential"));
    }

    // §4.8: one or more subjects, each an object.
    match credential.get("credentialSubject") {
        Some(Value::Object(_)) => {}
        Some(Value::Array(subjects)) if !subjects.is_empty() && subjects.iter().all(Value::is_object) => {}
        Some(_) => {
            return Err(malformed(
                "credentialSubject",
                "must be an object or a set of objects",
            ));
        }
        None => return Err(malformed("credentialSubject", "missing")),
    }

    // §4.7 and VC Data Integrity §4.3: the issuer is the controller of the key that signed.
    let issuer = issuer_id(credential)?;
    let controller = resolver.controller(&verified.verification_method)?;
    if controller != issuer {
        return Err(Error::VerificationMethod(format!(
            "{:?} is controlled by {controller:?}, not by the credential's issuer {issuer:?}",
            verified.verification_method
        )));
    }

    // §4.9 (validFrom, validUntil), VC 1.1 §4.6-4.7 (issuanceDate, expirationDate).
    let (from_property, until_property) = match model {
        DataModel::V2 => ("validFrom", "validUntil"),
        DataModel::V1 => ("issuanceDate", "expirationDate"),
    };
    let valid_from = instant(credential, from_property, model)?;
    let valid_until = instant(credential, until_property, model)?;
    if model == DataModel::V1 && valid_from.is_none() {
        return Err(malformed("issuanceDate", "missing (VC 1.1 §4.6 requires it)"));
    }
    if let (Some(from), Some(until)) = (valid_from, valid_until) {
        if from > until {
            return Err(malformed(until_property, format!("is before {from_property}")));
        }
    }
    if valid_from.is_some_and(|from| now < from) {
        return Err(Error::NotValidAt(format!("not valid before its {from_property}")));
    }
    if valid_until.is_some_and(|until| now > until) {
        return Err(Error::NotValidAt(format!("expired: past its {until_property}")));
    }
    Ok(())
}
