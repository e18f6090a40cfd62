//! The operations of specs/openapi.yaml: each one's `operationId`, method and path template, in one table
//! that the server routes from and the client calls through. Path parameters are percent-encoded here and
//! nowhere else, so that an id holding `/`, `?` or `#` can never change which resource a call names.

use core::fmt;

/// An HTTP method an operation uses.
///
/// Deliberately exhaustive (no `#[non_exhaustive]`): the server's router and the client match on it, so
/// that a new method fails to compile until both handle it, instead of being routed nowhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// A read.
    Get,
    /// A write.
    Post,
}

impl Method {
    /// The method's name, upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation of the HTTP API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The spec's `operationId`.
    pub id: &'static str,
    /// The method.
    pub method: Method,
    /// The path template, with `{name}` for each parameter (axum's syntax, and OpenAPI's).
    pub path: &'static str,
}

impl Operation {
    /// The path with `params` in place of the template's parameters, in order, each percent-encoded as
    /// one path segment. Panics in debug builds if the count is wrong (a programming error: every call
    /// site passes a fixed number).
    pub fn path_with(&self, params: &[&str]) -> String {
        let mut path = String::with_capacity(self.path.len() + 16 * params.len());
        let mut params = params.iter();
        let mut rest = self.path;
        while let Some(open) = rest.find('{') {
            path.push_str(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .map_or(rest.len(), |close| open + close + 1);
            match params.next() {
                Some(param) => push_segment(&mut path, param),
                None => debug_assert!(false, "{}: too few path parameters", self.id),
            }
            rest = &rest[close..];
        }
        path.push_str(rest);
        debug_assert!(params.next().is_none(), "{}: too many path parameters", self.id);
        path
    }

    /// The names of the template's parameters, in order.
    pub fn parameters(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .collect()
    }
}

/// Percent-encodes one path segment (RFC 3986 §3.3): everything but the unreserved characters.
pub fn push_segment(path: &mut String, segment: &str) {
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            path.push(char::from(byte));
        } else {
            path.push('%');
            path.push(char::from(HEX[usize::from(byte >> 4)]));
            path.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

macro_rules! operations {
    ($($(#[$doc:meta])* $name:ident = ($id:literal, $method:ident, $path:literal),)+) => {
        $($(#[$doc])* pub const $name: Operation = Operation {
            id: $id,
            method: Method::$method,
            path: $path,
        };)+

        /// Every operation, in the spec's order.
        pub const ALL: &[Operation] = &[$($name,)+];
    };
}

operations! {
    /// The registry's public key.
    GET_REGISTRY_KEY = ("getRegistryKey", Get, "/v1/registry/key"),
    /// The latest signed tree head and the entries it covers (or only those after a size).
    GET_REGISTRY_SNAPSHOT = ("getRegistrySnapshot", Get, "/v1/registry/snapshot"),
    /// The registered certificate-type schemas.
    LIST_CERTIFICATE_TYPES = ("listCertificateTypes", Get, "/v1/registry/types"),
    /// Registers a certificate type.
    REGISTER_CERTIFICATE_TYPE = ("registerCertificateType", Post, "/v1/registry/types"),
    /// The registered issuers.
    LIST_ISSUERS = ("listIssuers", Get, "/v1/registry/issuers"),
    /// Registers an issuer.
    REGISTER_ISSUER = ("registerIssuer", Post, "/v1/registry/issuers"),
    /// One issuer.
    GET_ISSUER = ("getIssuer", Get, "/v1/registry/issuers/{issuer}"),
    /// Authorises an issuer for a certificate type.
    AUTHORISE_ISSUER = ("authoriseIssuer", Post, "/v1/registry/issuers/{issuer}/authorisations"),
    /// Publishes an issuer key.
    PUBLISH_ISSUER_KEY = ("publishIssuerKey", Post, "/v1/registry/issuers/{issuer}/keys"),
    /// Retires or revokes an issuer key.
    CHANGE_ISSUER_KEY_STATUS = (
        "changeIssuerKeyStatus",
        Post,
        "/v1/registry/issuers/{issuer}/keys/{key_id}/status"
    ),
    /// The registered verifiers.
    LIST_VERIFIERS = ("listVerifiers", Get, "/v1/registry/verifiers"),
    /// Registers a verifier.
    REGISTER_VERIFIER = ("registerVerifier", Post, "/v1/registry/verifiers"),
    /// One verifier.
    GET_VERIFIER = ("getVerifier", Get, "/v1/registry/verifiers/{verifier}"),
    /// A page of log entries.
    LIST_LOG_ENTRIES = ("listLogEntries", Get, "/v1/registry/log/entries"),
    /// The latest signed tree head.
    GET_TREE_HEAD = ("getTreeHead", Get, "/v1/registry/log/tree-head"),
    /// A page of every signed tree head.
    LIST_TREE_HEADS = ("listTreeHeads", Get, "/v1/registry/log/tree-heads"),
    /// An inclusion proof.
    GET_INCLUSION_PROOF = ("getInclusionProof", Get, "/v1/registry/log/inclusion-proof"),
    /// A consistency proof.
    GET_CONSISTENCY_PROOF = ("getConsistencyProof", Get, "/v1/registry/log/consistency-proof"),
    /// The keys an issuer service holds for an issuer.
    LIST_ISSUER_KEYS = ("listIssuerKeys", Get, "/v1/issuers/{issuer}/keys"),
    /// Creates an issuer key.
    CREATE_ISSUER_KEY = ("createIssuerKey", Post, "/v1/issuers/{issuer}/keys"),
    /// Issues a certificate.
    ISSUE_CERTIFICATE = ("issueCertificate", Post, "/v1/issuers/{issuer}/certificates"),
    /// A certificate's record.
    GET_CERTIFICATE_RECORD = ("getCertificateRecord", Get, "/v1/issuers/{issuer}/certificates/{serial}"),
    /// Revokes a certificate.
    REVOKE_CERTIFICATE = ("revokeCertificate", Post, "/v1/issuers/{issuer}/certificates/{serial}/revoke"),
    /// Suspends a certificate.
    SUSPEND_CERTIFICATE = (
        "suspendCertificate",
        Post,
        "/v1/issuers/{issuer}/certificates/{serial}/suspend"
    ),
    /// Reinstates a suspended certificate.
    REINSTATE_CERTIFICATE = (
        "reinstateCertificate",
        Post,
        "/v1/issuers/{issuer}/certificates/{serial}/reinstate"
    ),
    /// An issuer's signed status list.
    GET_STATUS_LIST = ("getStatusList", Get, "/v1/issuers/{issuer}/status-lists/{list}"),
    /// The objections filed with an issuer.
    LIST_OBJECTIONS = ("listObjections", Get, "/v1/issuers/{issuer}/objections"),
    /// Files an objection.
    FILE_OBJECTION = ("fileObjection", Post, "/v1/issuers/{issuer}/objections"),
    /// One objection.
    GET_OBJECTION = ("getObjection", Get, "/v1/issuers/{issuer}/objections/{objection}"),
    /// Decides an objection.
    REVIEW_OBJECTION = ("reviewObjection", Post, "/v1/issuers/{issuer}/objections/{objection}/review"),
    /// Creates a presentation request.
    CREATE_PRESENTATION_REQUEST = (
        "createPresentationRequest",
        Post,
        "/v1/verifiers/{verifier}/requests"
    ),
    /// A presentation request, for the holder to answer.
    GET_PRESENTATION_REQUEST = (
        "getPresentationRequest",
        Get,
        "/v1/verifiers/{verifier}/requests/{nonce}"
    ),
    /// Submits the presentation answering a request.
    SUBMIT_PRESENTATION = (
        "submitPresentation",
        Post,
        "/v1/verifiers/{verifier}/requests/{nonce}/presentation"
    ),
    /// A verifier's own verification records.
    LIST_VERIFIER_VERIFICATIONS = (
        "listVerifierVerifications",
        Get,
        "/v1/verifiers/{verifier}/verifications"
    ),
    /// Every verifier's verification records (regulator).
    LIST_AUDIT_VERIFICATIONS = ("listAuditVerifications", Get, "/v1/audit/verifications"),
    /// Certificate status histories (regulator).
    LIST_AUDIT_CERTIFICATE_EVENTS = ("listAuditCertificateEvents", Get, "/v1/audit/certificate-events"),
    /// Objection histories (regulator).
    LIST_AUDIT_OBJECTION_EVENTS = ("listAuditObjectionEvents", Get, "/v1/audit/objection-events"),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_encoded_as_one_segment_each() {
        assert_eq!(
            CHANGE_ISSUER_KEY_STATUS.path_with(&["110000-psb", "k1"]),
            "/v1/registry/issuers/110000-psb/keys/k1/status"
        );
        assert_eq!(
            GET_CERTIFICATE_RECORD.path_with(&["a/b", "x?y#z %"]),
            "/v1/issuers/a%2Fb/certificates/x%3Fy%23z%20%25"
        );
        assert_eq!(GET_ISSUER.path_with(&["..."]), "/v1/registry/issuers/...");
        assert_eq!(GET_ISSUER.path_with(&["路"]), "/v1/registry/issuers/%E8%B7%AF");
        assert_eq!(LIST_ISSUERS.path_with(&[]), "/v1/registry/issuers");
        assert_eq!(
            SUBMIT_PRESENTATION.parameters(),
            ["verifier", "nonce"],
            "in template order"
        );
    }

    #[test]
    fn ids_and_routes_are_unique() {
        let mut ids = std::collections::BTreeSet::new();
        let mut routes = std::collections::BTreeSet::new();
        for operation in ALL {
            assert!(ids.insert(operation.id), "{} twice", operation.id);
            assert!(
                routes.insert((operation.method, operation.path)),
                "{} {} twice",
                operation.method,
                operation.path
            );
            assert!(operation.path.starts_with("/v1/"), "{}", operation.id);
        }
    }
}
