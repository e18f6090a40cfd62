//! The typed HTTP client (feature `client`): one method per operation, taking and returning this crate's
//! types, and the services' error answers turned back into a [`ClientError`] with its [`ErrorCode`]. The
//! command line, the demo and the tests all call the services through it.

use core::fmt;

use ecert_credential::{
    Catalogue, Presentation, PresentationRequest, RegistryView, StatusList, VerifierRecord,
};
use ecert_registry::{SignedTreeHead, Snapshot, VerifyingKey};
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::audit::{AuditCertificateEvents, AuditFilter, AuditObjectionEvents};
use crate::error::{ErrorBody, ErrorCode};
use crate::issuer::{
    CertificateRecord, IDEMPOTENCY_KEY, IssueCertificate, IssuedCertificate, IssuerKey, IssuerKeys,
    NewIssuerKey, NewObjection, Objection, ObjectionFiled, ObjectionReview, Objections, StatusChange,
    StatusChanged,
};
use crate::operation::{self as op, Method, Operation};
use crate::registry::{
    Appended, Authorisation, CertificateTypes, ConsistencyProof, ConsistencyQuery, InclusionProof,
    InclusionQuery, Issuers, KeyPublication, KeyStatusChange, LogEntries, NewIssuer, Page, RegistryKey,
    TreeHeads, Verifiers,
};
use crate::verifier::{NewPresentationRequest, Since, VerificationResult, Verifications};

/// What a failed call's code says.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientCode {
    /// The service answered with one of its stable codes.
    Service(ErrorCode),
    /// The service answered with a code this client does not know (a newer service).
    Unknown(String),
    /// The service could not be reached.
    Unreachable,
    /// The service answered something that is not what the operation answers.
    BadResponse,
}

impl ClientCode {
    /// The code as text: the service's code, `unreachable` or `bad_response`.
    pub fn as_str(&self) -> &str {
        match self {
            ClientCode::Service(code) => code.as_str(),
            ClientCode::Unknown(code) => code,
            ClientCode::Unreachable => "unreachable",
            ClientCode::BadResponse => "bad_response",
        }
    }
}

impl fmt::Display for ClientCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed call: the HTTP status (if the service answered), the code and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientError {
    /// The HTTP status; `None` when the service could not be reached.
    pub status: Option<u16>,
    /// Why.
    pub code: ClientCode,
    /// What went wrong, for people.
    pub message: String,
}

impl ClientError {
    /// Whether the service refused with `code`.
    pub fn is(&self, code: ErrorCode) -> bool {
        self.code == ClientCode::Service(code)
    }

    fn bad_response(status: Option<u16>, message: impl Into<String>) -> ClientError {
        ClientError {
            status,
            code: ClientCode::BadResponse,
            message: message.into(),
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} ({status} {}): {}", self.code, reason(status), self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for ClientError {}

fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// The result of a call.
pub type ClientResult<T> = Result<T, ClientError>;

/// Which status change to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusAction {
    /// Revoke (final).
    Revoke,
    /// Suspend.
    Suspend,
    /// Lift a suspension.
    Reinstate,
}

impl StatusAction {
    fn operation(self) -> Operation {
        match self {
            StatusAction::Revoke => op::REVOKE_CERTIFICATE,
            StatusAction::Suspend => op::SUSPEND_CERTIFICATE,
            StatusAction::Reinstate => op::REINSTATE_CERTIFICATE,
        }
    }
}

/// A connection to one ecert service, optionally with a bearer token.
#[derive(Clone)]
pub struct Client {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
}

impl fmt::Debug for Client {
    // The token is a credential: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// One call before it is sent.
struct Call<'a> {
    operation: Operation,
    params: &'a [&'a str],
    query: Option<Value>,
    body: Option<Value>,
    headers: &'a [(&'a str, &'a str)],
}

impl<'a> Call<'a> {
    fn new(operation: Operation, params: &'a [&'a str]) -> Call<'a> {
        Call {
            operation,
            params,
            query: None,
            body: None,
            headers: &[],
        }
    }

    fn body(mut self, body: &impl Serialize) -> ClientResult<Call<'a>> {
        self.body = Some(encode(body)?);
        Ok(self)
    }

    fn query(mut self, query: &impl Serialize) -> ClientResult<Call<'a>> {
        self.query = Some(encode(query)?);
        Ok(self)
    }
}

fn encode(value: &impl Serialize) -> ClientResult<Value> {
    serde_json::to_value(value).map_err(|e| ClientError::bad_response(None, format!("cannot encode: {e}")))
}

impl Client {
    /// A client of the service at `base` (e.g. `http://127.0.0.1:7400`).
    pub fn new(base: &str) -> Client {
        Client {
            base: base.trim_end_matches('/').to_owned(),
            token: None,
            http: reqwest::Client::new(),
        }
    }

    /// The same service, calling with `token`.
    pub fn with_token(&self, token: &str) -> Client {
        Client {
            base: self.base.clone(),
            token: Some(token.to_owned()),
            http: self.http.clone(),
        }
    }

    /// The service's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Calls that send and read raw JSON, for tests and probes that must send what the typed methods
    /// cannot (a malformed body, an unknown member). Everything else uses the typed methods.
    pub fn untyped(&self) -> Untyped<'_> {
        Untyped(self)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: Option<&Value>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> ClientResult<(u16, Vec<u8>)> {
        let method = match method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(query) = query {
            request = request.query(query);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| ClientError {
            status: None,
            code: ClientCode::Unreachable,
            message: format!("{}: {e}", self.base),
        })?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::bad_response(Some(status), e.to_string()))?;
        if (200..300).contains(&status) {
            return Ok((status, bytes.to_vec()));
        }
        Err(refusal(status, &bytes))
    }

    /// Runs `call` and decodes its answer as `T`, with the 2xx status.
    async fn run<T: DeserializeOwned>(&self, call: Call<'_>) -> ClientResult<(u16, T)> {
        let path = call.operation.path_with(call.params);
        let (status, bytes) = self
            .send(
                call.operation.method,
                &path,
                call.query.as_ref(),
                call.body.as_ref(),
                call.headers,
            )
            .await?;
        let answer = serde_json::from_slice(&bytes).map_err(|e| {
            ClientError::bad_response(
                Some(status),
                format!("not an answer of {}: {e}", call.operation.id),
            )
        })?;
        Ok((status, answer))
    }

    async fn answer<T: DeserializeOwned>(&self, call: Call<'_>) -> ClientResult<T> {
        self.run(call).await.map(|(_, answer)| answer)
    }

    // --- Registry --------------------------------------------------------------------------------------

    /// `getRegistryKey`.
    pub async fn registry_key(&self) -> ClientResult<RegistryKey> {
        self.answer(Call::new(op::GET_REGISTRY_KEY, &[])).await
    }

    /// `getRegistrySnapshot`: the latest head and every entry.
    pub async fn snapshot(&self) -> ClientResult<Snapshot> {
        self.answer(Call::new(op::GET_REGISTRY_SNAPSHOT, &[])).await
    }

    /// `listCertificateTypes`.
    pub async fn certificate_types(&self) -> ClientResult<CertificateTypes> {
        self.answer(Call::new(op::LIST_CERTIFICATE_TYPES, &[])).await
    }

    /// `registerCertificateType`, with the schema document.
    pub async fn register_type(&self, schema: &Value) -> ClientResult<Appended> {
        self.answer(Call::new(op::REGISTER_CERTIFICATE_TYPE, &[]).body(schema)?)
            .await
    }

    /// `listIssuers`.
    pub async fn issuers(&self) -> ClientResult<Issuers> {
        self.answer(Call::new(op::LIST_ISSUERS, &[])).await
    }

    /// `registerIssuer`.
    pub async fn register_issuer(&self, issuer: &NewIssuer) -> ClientResult<Appended> {
        self.answer(Call::new(op::REGISTER_ISSUER, &[]).body(issuer)?)
            .await
    }

    /// `getIssuer`.
    pub async fn issuer(&self, id: &str) -> ClientResult<ecert_credential::IssuerRecord> {
        self.answer(Call::new(op::GET_ISSUER, &[id])).await
    }

    /// `authoriseIssuer`.
    pub async fn authorise_issuer(&self, issuer: &str, type_id: &str) -> ClientResult<Appended> {
        let body = Authorisation {
            type_id: type_id.to_owned(),
        };
        self.answer(Call::new(op::AUTHORISE_ISSUER, &[issuer]).body(&body)?)
            .await
    }

    /// `publishIssuerKey`.
    pub async fn publish_key(&self, issuer: &str, key: &KeyPublication) -> ClientResult<Appended> {
        self.answer(Call::new(op::PUBLISH_ISSUER_KEY, &[issuer]).body(key)?)
            .await
    }

    /// `changeIssuerKeyStatus`.
    pub async fn change_key_status(
        &self,
        issuer: &str,
        key_id: &str,
        change: &KeyStatusChange,
    ) -> ClientResult<Appended> {
        self.answer(Call::new(op::CHANGE_ISSUER_KEY_STATUS, &[issuer, key_id]).body(change)?)
            .await
    }

    /// `listVerifiers`.
    pub async fn verifiers(&self) -> ClientResult<Verifiers> {
        self.answer(Call::new(op::LIST_VERIFIERS, &[])).await
    }

    /// `registerVerifier`.
    pub async fn register_verifier(&self, verifier: &VerifierRecord) -> ClientResult<Appended> {
        self.answer(Call::new(op::REGISTER_VERIFIER, &[]).body(verifier)?)
            .await
    }

    /// `getVerifier`.
    pub async fn verifier(&self, id: &str) -> ClientResult<VerifierRecord> {
        self.answer(Call::new(op::GET_VERIFIER, &[id])).await
    }

    /// `listLogEntries`.
    pub async fn log_entries(&self, page: Page) -> ClientResult<LogEntries> {
        self.answer(Call::new(op::LIST_LOG_ENTRIES, &[]).query(&page)?)
            .await
    }

    /// `getTreeHead`.
    pub async fn tree_head(&self) -> ClientResult<SignedTreeHead> {
        self.answer(Call::new(op::GET_TREE_HEAD, &[])).await
    }

    /// `listTreeHeads`.
    pub async fn tree_heads(&self, page: Page) -> ClientResult<TreeHeads> {
        self.answer(Call::new(op::LIST_TREE_HEADS, &[]).query(&page)?)
            .await
    }

    /// `getInclusionProof`.
    pub async fn inclusion_proof(&self, query: InclusionQuery) -> ClientResult<InclusionProof> {
        self.answer(Call::new(op::GET_INCLUSION_PROOF, &[]).query(&query)?)
            .await
    }

    /// `getConsistencyProof`.
    pub async fn consistency_proof(&self, query: ConsistencyQuery) -> ClientResult<ConsistencyProof> {
        self.answer(Call::new(op::GET_CONSISTENCY_PROOF, &[]).query(&query)?)
            .await
    }

    /// The snapshot, checked against the registry key the caller trusts, as the state a wallet or
    /// verifier works from.
    pub async fn registry_state(
        &self,
        registry_key: &VerifyingKey,
    ) -> ClientResult<(RegistryView, Catalogue, Snapshot)> {
        let snapshot = self.snapshot().await?;
        let state = snapshot.verify(registry_key).map_err(|e| ClientError {
            status: None,
            code: ClientCode::BadResponse,
            message: format!("the snapshot does not verify under the registry key: {e}"),
        })?;
        let mut catalogue = Catalogue::default();
        for ty in state.types.values() {
            // The registry's rules refused duplicate ids.
            let _ = catalogue.insert(ty.clone());
        }
        Ok((state.view(), catalogue, snapshot))
    }

    // --- Issuers ---------------------------------------------------------------------------------------

    /// `listIssuerKeys`.
    pub async fn issuer_keys(&self, issuer: &str) -> ClientResult<IssuerKeys> {
        self.answer(Call::new(op::LIST_ISSUER_KEYS, &[issuer])).await
    }

    /// `createIssuerKey`.
    pub async fn create_issuer_key(&self, issuer: &str, key_id: &str) -> ClientResult<IssuerKey> {
        let body = NewIssuerKey {
            key_id: key_id.to_owned(),
        };
        self.answer(Call::new(op::CREATE_ISSUER_KEY, &[issuer]).body(&body)?)
            .await
    }

    /// `issueCertificate` with an idempotency key: the status (201 issued now, 200 issued before under
    /// this key) and the certificate.
    pub async fn issue(
        &self,
        issuer: &str,
        idempotency_key: &str,
        request: &IssueCertificate,
    ) -> ClientResult<(u16, IssuedCertificate)> {
        let headers = [(IDEMPOTENCY_KEY, idempotency_key)];
        let params = [issuer];
        let mut call = Call::new(op::ISSUE_CERTIFICATE, &params).body(request)?;
        call.headers = &headers;
        self.run(call).await
    }

    /// `getCertificateRecord`.
    pub async fn certificate_record(&self, issuer: &str, serial: &str) -> ClientResult<CertificateRecord> {
        self.answer(Call::new(op::GET_CERTIFICATE_RECORD, &[issuer, serial]))
            .await
    }

    /// `revokeCertificate`, `suspendCertificate` or `reinstateCertificate`.
    pub async fn change_status(
        &self,
        issuer: &str,
        serial: &str,
        action: StatusAction,
        change: &StatusChange,
    ) -> ClientResult<StatusChanged> {
        self.answer(Call::new(action.operation(), &[issuer, serial]).body(change)?)
            .await
    }

    /// `getStatusList`: the signed document (check it with `StatusList::verify`).
    pub async fn status_list(&self, issuer: &str, list: &str) -> ClientResult<StatusList> {
        self.answer(Call::new(op::GET_STATUS_LIST, &[issuer, list])).await
    }

    /// `listObjections`.
    pub async fn objections(&self, issuer: &str) -> ClientResult<Objections> {
        self.answer(Call::new(op::LIST_OBJECTIONS, &[issuer])).await
    }

    /// `fileObjection`.
    pub async fn file_objection(
        &self,
        issuer: &str,
        objection: &NewObjection,
    ) -> ClientResult<ObjectionFiled> {
        self.answer(Call::new(op::FILE_OBJECTION, &[issuer]).body(objection)?)
            .await
    }

    /// `getObjection`.
    pub async fn objection(&self, issuer: &str, id: &str) -> ClientResult<Objection> {
        self.answer(Call::new(op::GET_OBJECTION, &[issuer, id])).await
    }

    /// `reviewObjection`.
    pub async fn review_objection(
        &self,
        issuer: &str,
        id: &str,
        review: &ObjectionReview,
    ) -> ClientResult<Objection> {
        self.answer(Call::new(op::REVIEW_OBJECTION, &[issuer, id]).body(review)?)
            .await
    }

    // --- Verifiers -------------------------------------------------------------------------------------

    /// `createPresentationRequest`.
    pub async fn create_request(
        &self,
        verifier: &str,
        request: &NewPresentationRequest,
    ) -> ClientResult<PresentationRequest> {
        self.answer(Call::new(op::CREATE_PRESENTATION_REQUEST, &[verifier]).body(request)?)
            .await
    }

    /// `getPresentationRequest`: the request to answer.
    pub async fn fetch_request(&self, verifier: &str, nonce: &str) -> ClientResult<PresentationRequest> {
        self.answer(Call::new(op::GET_PRESENTATION_REQUEST, &[verifier, nonce]))
            .await
    }

    /// `submitPresentation`, answering `request`.
    pub async fn submit(
        &self,
        request: &PresentationRequest,
        presentation: &Presentation,
    ) -> ClientResult<VerificationResult> {
        self.submit_to(&request.verifier, &request.nonce, presentation)
            .await
    }

    /// `submitPresentation` for the request of `verifier` with `nonce` (a presentation handed over with
    /// its nonce, the request itself not at hand).
    pub async fn submit_to(
        &self,
        verifier: &str,
        nonce: &str,
        presentation: &Presentation,
    ) -> ClientResult<VerificationResult> {
        self.answer(Call::new(op::SUBMIT_PRESENTATION, &[verifier, nonce]).body(presentation)?)
            .await
    }

    /// `listVerifierVerifications`.
    pub async fn verifications(&self, verifier: &str, since: Since) -> ClientResult<Verifications> {
        self.answer(Call::new(op::LIST_VERIFIER_VERIFICATIONS, &[verifier]).query(&since)?)
            .await
    }

    // --- Audit -----------------------------------------------------------------------------------------

    /// `listAuditVerifications`.
    pub async fn audit_verifications(&self, filter: &AuditFilter) -> ClientResult<Verifications> {
        self.answer(Call::new(op::LIST_AUDIT_VERIFICATIONS, &[]).query(filter)?)
            .await
    }

    /// `listAuditCertificateEvents`.
    pub async fn audit_certificate_events(
        &self,
        filter: &AuditFilter,
    ) -> ClientResult<AuditCertificateEvents> {
        self.answer(Call::new(op::LIST_AUDIT_CERTIFICATE_EVENTS, &[]).query(filter)?)
            .await
    }

    /// `listAuditObjectionEvents`.
    pub async fn audit_objection_events(&self, filter: &AuditFilter) -> ClientResult<AuditObjectionEvents> {
        self.answer(Call::new(op::LIST_AUDIT_OBJECTION_EVENTS, &[]).query(filter)?)
            .await
    }
}

/// A failure answer as a [`ClientError`]: the service's error body, or `bad_response` if it is none.
fn refusal(status: u16, bytes: &[u8]) -> ClientError {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => ClientError {
            status: Some(status),
            code: match body.error.code.parse() {
                Ok(code) => ClientCode::Service(code),
                Err(_) => ClientCode::Unknown(body.error.code),
            },
            message: body.error.message,
        },
        Err(_) => ClientError::bad_response(
            Some(status),
            format!(
                "not an error answer: {}",
                String::from_utf8_lossy(bytes)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ),
        ),
    }
}

/// Raw JSON calls ([`Client::untyped`]).
#[derive(Clone, Copy, Debug)]
pub struct Untyped<'a>(&'a Client);

impl Untyped<'_> {
    /// `method` on `path` (already encoded) with an optional JSON body and extra headers: the status and
    /// the JSON answer of a 2xx, else the error.
    pub async fn call(
        self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> ClientResult<(u16, Value)> {
        let (status, bytes) = self.0.send(method, path, None, body, headers).await?;
        let value = serde_json::from_slice(&bytes).map_err(|_| {
            ClientError::bad_response(
                Some(status),
                format!(
                    "not JSON: {}",
                    String::from_utf8_lossy(&bytes)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ),
            )
        })?;
        Ok((status, value))
    }

    /// GET, JSON answer.
    pub async fn get(self, path: &str) -> ClientResult<Value> {
        self.call(Method::Get, path, None, &[]).await.map(|(_, v)| v)
    }

    /// POST a JSON body, JSON answer.
    pub async fn post(self, path: &str, body: &impl Serialize) -> ClientResult<Value> {
        let body = encode(body)?;
        self.call(Method::Post, path, Some(&body), &[])
            .await
            .map(|(_, v)| v)
    }

    /// `issueCertificate` with any body: the status and the JSON answer.
    pub async fn issue(
        self,
        issuer: &str,
        idempotency_key: &str,
        body: &impl Serialize,
    ) -> ClientResult<(u16, Value)> {
        let body = encode(body)?;
        let path = op::ISSUE_CERTIFICATE.path_with(&[issuer]);
        self.call(
            Method::Post,
            &path,
            Some(&body),
            &[(IDEMPOTENCY_KEY, idempotency_key)],
        )
        .await
    }

    /// `createPresentationRequest` with any items.
    pub async fn create_request(
        self,
        verifier: &str,
        purpose: &str,
        items: &Value,
    ) -> ClientResult<PresentationRequest> {
        let body = serde_json::json!({"purpose": purpose, "items": items});
        let path = op::CREATE_PRESENTATION_REQUEST.path_with(&[verifier]);
        let (status, answer) = self.call(Method::Post, &path, Some(&body), &[]).await?;
        serde_json::from_value(answer).map_err(|e| ClientError::bad_response(Some(status), e.to_string()))
    }

    /// `submitPresentation`: the JSON answer.
    pub async fn submit(
        self,
        request: &PresentationRequest,
        presentation: &Presentation,
    ) -> ClientResult<Value> {
        let body = encode(presentation)?;
        let path = op::SUBMIT_PRESENTATION.path_with(&[&request.verifier, &request.nonce]);
        self.call(Method::Post, &path, Some(&body), &[])
            .await
            .map(|(_, v)| v)
    }
}
