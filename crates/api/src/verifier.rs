//! The verifier service's operations: presentation requests, the verification of the presentations that
//! answer them, and the verifier's records. Requests and presentations are ecert-credential's documents.

use ecert_credential::RequestItem;
use ecert_verifier::{Failure, VerifiedPresentation};
use serde::{Deserialize, Serialize};

/// `createPresentationRequest`'s body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPresentationRequest {
    /// One of the verifier's registered purposes.
    pub purpose: String,
    /// What is asked, one item per certificate.
    pub items: Vec<RequestItem>,
    /// Lifetime in seconds, at most (and by default) the service's configured lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_secs: Option<i64>,
}

/// `submitPresentation`: the outcome. A presentation that fails a check is a 200 answer too, with the
/// check's code: the HTTP request succeeded, the presentation did not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ResultWire", into = "ResultWire")]
pub enum VerificationResult {
    /// Every check passed: the facts established.
    Valid(VerifiedPresentation),
    /// A check failed.
    Invalid(VerificationFailure),
}

impl VerificationResult {
    /// Whether the presentation verified.
    pub fn is_valid(&self) -> bool {
        matches!(self, VerificationResult::Valid(_))
    }
}

/// Which check failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationFailure {
    /// The check's code (specs/presentation.md, Verification).
    pub code: String,
    /// The request item it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// For people.
    pub message: String,
}

impl From<&Result<VerifiedPresentation, Failure>> for VerificationResult {
    fn from(result: &Result<VerifiedPresentation, Failure>) -> VerificationResult {
        match result {
            Ok(verified) => VerificationResult::Valid(verified.clone()),
            Err(failure) => VerificationResult::Invalid(VerificationFailure {
                code: failure.code().to_owned(),
                item: failure.item().map(str::to_owned),
                message: failure.to_string(),
            }),
        }
    }
}

/// The result as the spec writes it: `valid` and either the facts or the failure.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultWire {
    valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    items: Option<Vec<ecert_verifier::VerifiedItem>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure: Option<VerificationFailure>,
}

impl TryFrom<ResultWire> for VerificationResult {
    type Error = &'static str;

    fn try_from(wire: ResultWire) -> Result<VerificationResult, &'static str> {
        match wire {
            ResultWire {
                valid: true,
                verifier: Some(verifier),
                purpose: Some(purpose),
                items: Some(items),
                failure: None,
            } => Ok(VerificationResult::Valid(VerifiedPresentation {
                verifier,
                purpose,
                items,
            })),
            ResultWire {
                valid: false,
                verifier: None,
                purpose: None,
                items: None,
                failure: Some(failure),
            } => Ok(VerificationResult::Invalid(failure)),
            _ => Err(
                "a verification result is valid with verifier, purpose and items, or invalid with a failure",
            ),
        }
    }
}

impl From<VerificationResult> for ResultWire {
    fn from(result: VerificationResult) -> ResultWire {
        match result {
            VerificationResult::Valid(verified) => ResultWire {
                valid: true,
                verifier: Some(verified.verifier),
                purpose: Some(verified.purpose),
                items: Some(verified.items),
                failure: None,
            },
            VerificationResult::Invalid(failure) => ResultWire {
                valid: false,
                verifier: None,
                purpose: None,
                items: None,
                failure: Some(failure),
            },
        }
    }
}

/// The query of the verification records (`listVerifierVerifications`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Since {
    /// Only records at or after this time, Unix seconds.
    #[serde(default)]
    pub since: i64,
    /// At most this many (clamped to 1..1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

/// One verification, naming what was disclosed but never a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationRecord {
    /// Sorts in time order.
    pub id: String,
    /// The verifier.
    pub verifier: String,
    /// The purpose.
    pub purpose: String,
    /// When, Unix seconds.
    pub at: i64,
    /// `valid`, or the failed check's code.
    pub outcome: String,
    /// What each certificate disclosed, by name.
    pub items: Vec<VerifiedItemNames>,
}

/// The names (never the values) of what one certificate disclosed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedItemNames {
    /// The request item.
    pub item: String,
    /// The certificate type.
    #[serde(rename = "type")]
    pub type_id: String,
    /// The issuer.
    pub issuer: String,
    /// Names of the disclosed attributes.
    pub disclosed: Vec<String>,
    /// Names of the disclosed claims.
    pub claims: Vec<String>,
}

/// `listVerifierVerifications` and `listAuditVerifications`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verifications {
    /// Oldest first.
    pub verifications: Vec<VerificationRecord>,
}
