//! The regulator's read surfaces beyond the public log: verification records (no attribute values),
//! certificate status histories and objection histories.

use axum::Router;
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;

use crate::app::AppState;
use crate::auth::{AccessRole, Caller};
use crate::error::{ApiError, ApiResult, Json, Query};

/// The audit routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/audit/verifications", get(verifications))
        .route("/v1/audit/certificate-events", get(certificate_events))
        .route("/v1/audit/objection-events", get(objection_events))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    #[serde(default)]
    since: i64,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    issuer: Option<String>,
}

async fn verifications(
    state: axum::extract::State<AppState>,
    caller: Caller,
    Query(filter): Query<Filter>,
) -> ApiResult<Json<Value>> {
    caller.require(AccessRole::Regulator)?;
    if filter.issuer.is_some() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "verifications are filtered by time only",
        ));
    }
    let records =
        crate::api::verifier::verification_records(&state, None, filter.since, filter.limit.unwrap_or(1000))
            .await?;
    Ok(Json(json!({ "verifications": records })))
}

async fn certificate_events(
    state: axum::extract::State<AppState>,
    caller: Caller,
    Query(filter): Query<Filter>,
) -> ApiResult<Json<Value>> {
    caller.require(AccessRole::Regulator)?;
    let rows = sqlx::query(
        "SELECT issuer, serial, seq, at, action, reason, actor FROM certificate_events \
         WHERE at >= $1 AND ($2 IS NULL OR issuer = $2) ORDER BY at, issuer, serial, seq LIMIT $3",
    )
    .bind(filter.since)
    .bind(filter.issuer.as_deref())
    .bind(filter.limit.unwrap_or(1000).clamp(1, 1000))
    .fetch_all(state.db.pool())
    .await?;
    let events: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"issuer": r.get::<String, _>("issuer"), "serial": r.get::<String, _>("serial"),
                   "seq": r.get::<i64, _>("seq"), "at": r.get::<i64, _>("at"),
                   "action": r.get::<String, _>("action"), "reason": r.get::<Option<String>, _>("reason"),
                   "actor": r.get::<String, _>("actor")})
        })
        .collect();
    Ok(Json(json!({ "events": events })))
}

async fn objection_events(
    state: axum::extract::State<AppState>,
    caller: Caller,
    Query(filter): Query<Filter>,
) -> ApiResult<Json<Value>> {
    caller.require(AccessRole::Regulator)?;
    let rows = sqlx::query(
        "SELECT o.issuer, o.serial, e.objection_id, e.seq, e.at, e.action, e.note, e.actor \
         FROM objection_events e JOIN objections o ON o.id = e.objection_id \
         WHERE e.at >= $1 AND ($2 IS NULL OR o.issuer = $2) ORDER BY e.at, e.objection_id, e.seq LIMIT $3",
    )
    .bind(filter.since)
    .bind(filter.issuer.as_deref())
    .bind(filter.limit.unwrap_or(1000).clamp(1, 1000))
    .fetch_all(state.db.pool())
    .await?;
    let events: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"issuer": r.get::<String, _>("issuer"), "serial": r.get::<String, _>("serial"),
                   "objection": r.get::<String, _>("objection_id"), "seq": r.get::<i64, _>("seq"),
                   "at": r.get::<i64, _>("at"), "action": r.get::<String, _>("action"),
                   "note": r.get::<Option<String>, _>("note"), "actor": r.get::<String, _>("actor")})
        })
        .collect();
    Ok(Json(json!({ "events": events })))
}
