//! The regulator's read surfaces beyond the public log: verification records (no attribute values),
//! certificate status histories and objection histories.

use axum::extract::State;
use ecert_api::{
    AuditCertificateEvent, AuditCertificateEvents, AuditFilter, AuditObjectionEvent, AuditObjectionEvents,
    ErrorCode, Verifications, operation as op,
};

use crate::auth::{AccessRole, Caller, HasTokenVerifier, TokenVerifier};
use crate::error::{ApiError, ApiResult, Json, Query};
use crate::routing::Routes;
use crate::store::AuditStore;

/// What the audit handlers share.
#[derive(Clone, Debug)]
pub struct AuditApp<S> {
    store: S,
    tokens: TokenVerifier,
}

impl<S> AuditApp<S> {
    /// The audit reads of `store`, for regulators' tokens.
    pub fn new(store: S, tokens: TokenVerifier) -> AuditApp<S> {
        AuditApp { store, tokens }
    }
}

impl<S> HasTokenVerifier for AuditApp<S> {
    fn token_verifier(&self) -> &TokenVerifier {
        &self.tokens
    }
}

/// The audit routes.
pub fn routes<S: AuditStore>() -> Routes<AuditApp<S>> {
    Routes::new()
        .route(op::LIST_AUDIT_VERIFICATIONS, verifications::<S>)
        .route(op::LIST_AUDIT_CERTIFICATE_EVENTS, certificate_events::<S>)
        .route(op::LIST_AUDIT_OBJECTION_EVENTS, objection_events::<S>)
}

async fn verifications<S: AuditStore>(
    State(app): State<AuditApp<S>>,
    caller: Caller,
    Query(filter): Query<AuditFilter>,
) -> ApiResult<Json<Verifications>> {
    caller.require(AccessRole::Regulator)?;
    if filter.issuer.is_some() {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "verifications are filtered by time only",
        ));
    }
    let rows = app
        .store
        .verifications(filter.since, filter.limit.unwrap_or(1000))
        .await?;
    Ok(Json(crate::verifier::verification_records(rows)?))
}

async fn certificate_events<S: AuditStore>(
    State(app): State<AuditApp<S>>,
    caller: Caller,
    Query(filter): Query<AuditFilter>,
) -> ApiResult<Json<AuditCertificateEvents>> {
    caller.require(AccessRole::Regulator)?;
    let rows = app
        .store
        .certificate_events(
            filter.since,
            filter.issuer.as_deref(),
            filter.limit.unwrap_or(1000),
        )
        .await?;
    Ok(Json(AuditCertificateEvents {
        events: rows
            .into_iter()
            .map(|row| AuditCertificateEvent {
                issuer: row.issuer,
                serial: row.serial,
                seq: row.seq,
                at: row.at,
                action: row.action,
                reason: row.reason,
                actor: row.actor,
            })
            .collect(),
    }))
}

async fn objection_events<S: AuditStore>(
    State(app): State<AuditApp<S>>,
    caller: Caller,
    Query(filter): Query<AuditFilter>,
) -> ApiResult<Json<AuditObjectionEvents>> {
    caller.require(AccessRole::Regulator)?;
    let rows = app
        .store
        .objection_events(
            filter.since,
            filter.issuer.as_deref(),
            filter.limit.unwrap_or(1000),
        )
        .await?;
    Ok(Json(AuditObjectionEvents {
        events: rows
            .into_iter()
            .map(|row| AuditObjectionEvent {
                issuer: row.issuer,
                serial: row.serial,
                objection: row.objection,
                seq: row.seq,
                at: row.at,
                action: row.action,
                note: row.note,
                actor: row.actor,
            })
            .collect(),
    }))
}
