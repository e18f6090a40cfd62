//! The error answer every operation shares, `{"error": {"code": "...", "message": "..."}}`, and its stable
//! codes, each with the HTTP status it comes with (the `x-error-codes` table of specs/openapi.yaml, which a
//! test holds to this enum both ways).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = ($code:literal, $status:literal),)+) => {
        /// A stable error code. Clients branch on it; the message beside it is for people and may change.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of the spec's table.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The code as it appears in answers.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }

            /// The HTTP status the code is answered with.
            pub fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)+
                }
            }
        }
    };
}

error_codes! {
    /// The body is not syntactically valid JSON.
    MalformedJson = ("malformed_json", 400),
    /// The body does not fit the operation's schema, or a value in it fails a check.
    InvalidBody = ("invalid_body", 400),
    /// The body could not be read as JSON for another reason.
    UnreadableBody = ("unreadable_body", 400),
    /// A path parameter could not be decoded.
    InvalidPath = ("invalid_path", 400),
    /// The query string has an unknown, missing or mistyped parameter.
    InvalidQuery = ("invalid_query", 400),
    /// An id is not 1 to 100 printable ASCII characters without spaces.
    InvalidId = ("invalid_id", 400),
    /// An issuance without an `Idempotency-Key` header.
    MissingIdempotencyKey = ("missing_idempotency_key", 400),
    /// An `Idempotency-Key` that is not 1 to 128 visible ASCII characters.
    InvalidIdempotencyKey = ("invalid_idempotency_key", 400),
    /// The certificate type is not in the catalogue.
    UnknownType = ("unknown_type", 400),
    /// Attributes (or corrections) that do not fit the certificate type.
    InvalidAttributes = ("invalid_attributes", 400),
    /// A certificate that does not parse, is another issuer's, or differs from the issuer's record.
    InvalidCertificate = ("invalid_certificate", 400),
    /// A certificate-type schema that does not follow specs/schemas/FORMAT.md.
    InvalidSchema = ("invalid_schema", 400),
    /// A public key that is not a valid compressed BLS12-381 G2 point.
    InvalidPublicKey = ("invalid_public_key", 400),
    /// A registry entry that is malformed or cannot be encoded canonically.
    InvalidEntry = ("invalid_entry", 400),
    /// Tree sizes or a leaf index for which no proof exists.
    InvalidProofRequest = ("invalid_proof_request", 400),
    /// The verifier has no registered purpose of that id.
    UnknownPurpose = ("unknown_purpose", 400),
    /// A body that is not a well-formed presentation.
    InvalidPresentation = ("invalid_presentation", 400),
    /// The operation needs a bearer token and there is none.
    MissingToken = ("missing_token", 401),
    /// The token is malformed, not the platform's, or its scope does not fit its role.
    InvalidToken = ("invalid_token", 401),
    /// The token is past its `exp`.
    TokenExpired = ("token_expired", 401),
    /// The token's role is not one the operation accepts.
    WrongRole = ("wrong_role", 403),
    /// The token acts for another issuer or verifier than the path names.
    OutOfScope = ("out_of_scope", 403),
    /// The registry does not authorise the issuer for the certificate type.
    NotAuthorisedForType = ("not_authorised_for_type", 403),
    /// A presentation request asks for more than its purpose covers.
    OverAsking = ("over_asking", 403),
    /// No such route, or no such issuer, verifier, certificate, status list, objection or request.
    NotFound = ("not_found", 404),
    /// The path exists but does not take that method.
    MethodNotAllowed = ("method_not_allowed", 405),
    /// The `Idempotency-Key` was used before for a different issuance request.
    IdempotencyKeyReused = ("idempotency_key_reused", 409),
    /// The issuer already has a key with that id.
    KeyExists = ("key_exists", 409),
    /// The issuer has no such key, or none the registry lists as active.
    NoIssuerKey = ("no_issuer_key", 409),
    /// A status change not allowed from the certificate's current status.
    InvalidTransition = ("invalid_transition", 409),
    /// An objection to a revoked certificate.
    CertificateRevoked = ("certificate_revoked", 409),
    /// The objection was already decided.
    ObjectionClosed = ("objection_closed", 409),
    /// A registry write that breaks a rule of the registry; nothing was appended.
    RuleViolation = ("rule_violation", 409),
    /// The presentation request was already answered.
    NonceUsed = ("nonce_used", 409),
    /// The presentation request has expired.
    RequestExpired = ("request_expired", 410),
    /// The body exceeds the service's limit.
    BodyTooLarge = ("body_too_large", 413),
    /// A body not sent as `Content-Type: application/json`.
    UnsupportedMediaType = ("unsupported_media_type", 415),
    /// Anything else; the detail is only in the operator's log.
    Internal = ("internal", 500),
    /// The request took longer than the service allows.
    Timeout = ("timeout", 503),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code this version does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown error code {:?}", self.0)
    }
}

impl std::error::Error for UnknownCode {}

impl FromStr for ErrorCode {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<ErrorCode, UnknownCode> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|known| known.as_str() == code)
            .ok_or_else(|| UnknownCode(code.to_owned()))
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ErrorCode, D::Error> {
        let code = String::deserialize(deserializer)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

/// The body of every error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong. The code is kept as text, so that a client reads codes newer than itself too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// The stable code ([`ErrorCode`] names every code this version knows).
    pub code: String,
    /// For people; never holds a secret.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_parse_back() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(
                code.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(*code));
            assert!((400..600).contains(&code.status()), "{code}");
        }
        assert!("no_such_code".parse::<ErrorCode>().is_err());
    }

    #[test]
    fn the_error_body_reads_back() {
        let text = r#"{"error":{"code":"nonce_used","message":"ask again"}}"#;
        let body: ErrorBody = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body.error.code.parse(), Ok(ErrorCode::NonceUsed));
        assert_eq!(ErrorCode::NonceUsed.status(), 409);
        assert_eq!(serde_json::to_string(&body).ok().as_deref(), Some(text));
    }
}
