//! A client of the ecert services, for the command line, the demo and the tests: one method per call,
//! JSON in and out, and the services' error format turned back into a typed error.

use core::fmt;

use ecert_credential::{Catalogue, Presentation, PresentationRequest, RegistryView, StatusList};
use ecert_registry::{Snapshot, VerifyingKey};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

/// A failed call: the HTTP status (if the service answered) with the service's stable code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientError {
    /// The HTTP status; `None` when the service could not be reached or answered garbage.
    pub status: Option<u16>,
    /// The service's error code, or `unreachable` / `bad_response`.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} ({status} {}): {}", self.code, reason(status), self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

impl std::error::Error for ClientError {}

/// A connection to one ecert service, optionally with a bearer token.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
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

    /// Any call: `method` on `path` with an optional JSON body and extra headers. Returns the status and
    /// the JSON answer of a 2xx; anything else is a [`ClientError`].
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<(u16, Value), ClientError> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| ClientError {
            status: None,
            code: "unreachable".into(),
            message: format!("{}: {e}", self.base),
        })?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| ClientError {
            status: Some(status),
            code: "bad_response".into(),
            message: e.to_string(),
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|_| ClientError {
            status: Some(status),
            code: "bad_response".into(),
            message: format!("not JSON: {}", text.chars().take(200).collect::<String>()),
        })?;
        if (200..300).contains(&status) {
            return Ok((status, value));
        }
        let error = &value["error"];
        Err(ClientError {
            status: Some(status),
            code: error["code"].as_str().unwrap_or("bad_response").to_owned(),
            message: error["message"].as_str().unwrap_or_default().to_owned(),
        })
    }

    /// GET, JSON answer.
    pub async fn get(&self, path: &str) -> Result<Value, ClientError> {
        self.call(Method::GET, path, None, &[]).await.map(|(_, v)| v)
    }

    /// POST a JSON body, JSON answer.
    pub async fn post(&self, path: &str, body: &impl Serialize) -> Result<Value, ClientError> {
        let body = serde_json::to_value(body).map_err(|e| ClientError {
            status: None,
            code: "bad_request".into(),
            message: e.to_string(),
        })?;
        self.call(Method::POST, path, Some(&body), &[])
            .await
            .map(|(_, v)| v)
    }

    /// The registry snapshot, checked against the registry key the caller trusts, as the state a wallet
    /// or verifier works from.
    pub async fn registry_state(
        &self,
        registry_key: &VerifyingKey,
    ) -> Result<(RegistryView, Catalogue, Snapshot), ClientError> {
        let snapshot: Snapshot = decode(self.get("/v1/registry/snapshot").await?)?;
        let state = snapshot.verify(registry_key).map_err(|e| ClientError {
            status: None,
            code: "untrusted_snapshot".into(),
            message: e.to_string(),
        })?;
        let mut catalogue = Catalogue::default();
        for ty in state.types.values() {
            let _ = catalogue.insert(ty.clone());
        }
        Ok((state.view(), catalogue, snapshot))
    }

    /// Issues a certificate as `issuer`, with an idempotency key.
    pub async fn issue(
        &self,
        issuer: &str,
        idempotency_key: &str,
        body: &Value,
    ) -> Result<(u16, Value), ClientError> {
        self.call(
            Method::POST,
            &format!("/v1/issuers/{issuer}/certificates"),
            Some(body),
            &[("Idempotency-Key", idempotency_key)],
        )
        .await
    }

    /// An issuer's signed status list.
    pub async fn status_list(&self, issuer: &str, list: &str) -> Result<StatusList, ClientError> {
        decode(
            self.get(&format!("/v1/issuers/{issuer}/status-lists/{list}"))
                .await?,
        )
    }

    /// Creates a presentation request as `verifier`.
    pub async fn create_request(
        &self,
        verifier: &str,
        purpose: &str,
        items: &Value,
    ) -> Result<PresentationRequest, ClientError> {
        decode(
            self.post(
                &format!("/v1/verifiers/{verifier}/requests"),
                &json!({"purpose": purpose, "items": items}),
            )
            .await?,
        )
    }

    /// Fetches a request to answer.
    pub async fn fetch_request(
        &self,
        verifier: &str,
        nonce: &str,
    ) -> Result<PresentationRequest, ClientError> {
        decode(
            self.get(&format!("/v1/verifiers/{verifier}/requests/{nonce}"))
                .await?,
        )
    }

    /// Submits a presentation; the answer is the verification result.
    pub async fn submit(
        &self,
        request: &PresentationRequest,
        presentation: &Presentation,
    ) -> Result<Value, ClientError> {
        let body: Value = serde_json::from_str(&presentation.to_json()).map_err(|e| ClientError {
            status: None,
            code: "bad_request".into(),
            message: e.to_string(),
        })?;
        self.post(
            &format!(
                "/v1/verifiers/{}/requests/{}/presentation",
                request.verifier, request.nonce
            ),
            &body,
        )
        .await
    }
}

fn decode<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ClientError> {
    serde_json::from_value(value).map_err(|e| ClientError {
        status: None,
        code: "bad_response".into(),
        message: e.to_string(),
    })
}
