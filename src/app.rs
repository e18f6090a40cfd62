//! The HTTP application: shared state, the router of the hosted roles with its limits, and `serve` with
//! graceful shutdown.

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;

use crate::api::{issuer::IssuerService, registry::RegistryService, verifier::VerifierService};
use crate::auth::{HasTokenVerifier, TokenVerifier};
use crate::config::{Config, ServiceRole};
use crate::db::Database;
use crate::error::{ApiError, no_route, wrong_method};

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

/// The shared parts: configuration, database, token checking and the hosted roles.
#[derive(Debug)]
pub struct Shared {
    /// The configuration.
    pub config: Config,
    /// The database.
    pub db: Database,
    /// Checks bearer tokens.
    pub tokens: TokenVerifier,
    /// The registry, if hosted.
    pub registry: Option<RegistryService>,
    /// The issuer service, if hosted.
    pub issuer: Option<IssuerService>,
    /// The verifier service, if hosted.
    pub verifier: Option<VerifierService>,
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl HasTokenVerifier for AppState {
    fn token_verifier(&self) -> &TokenVerifier {
        &self.tokens
    }
}

impl AppState {
    /// Opens the data directory (created by `ecert init`): database, platform public key, and the state
    /// of each hosted role. `passphrase` unlocks issuer keys when the key-encryption key is passphrase-based.
    pub async fn open(config: Config, passphrase: Option<&str>) -> Result<AppState, String> {
        let data_dir = config.data_dir.clone();
        if !data_dir.is_dir() {
            return Err(format!(
                "no data directory at {} (run `ecert init --data-dir {}` first)",
                data_dir.display(),
                data_dir.display()
            ));
        }
        let tokens = TokenVerifier::open(&data_dir)?;
        let db = Database::open(&data_dir, config.database_connections).await?;
        let registry = if config.roles.has(ServiceRole::Registry) {
            Some(RegistryService::open(&data_dir, &db).await?)
        } else {
            None
        };
        let issuer = if config.roles.has(ServiceRole::Issuer) {
            Some(IssuerService::open(&data_dir, passphrase)?)
        } else {
            None
        };
        let verifier = if config.roles.has(ServiceRole::Verifier) {
            if registry.is_none() {
                return Err(
                    "the verifier role reads the registry in the same process: host it with the \
                            registry role (--roles registry,verifier)"
                        .into(),
                );
            }
            Some(VerifierService::new(&db)?)
        } else {
            None
        };
        Ok(AppState(Arc::new(Shared {
            config,
            db,
            tokens,
            registry,
            issuer,
            verifier,
        })))
    }

    /// The registry, or 404 when this process does not host it.
    pub fn registry(&self) -> Result<&RegistryService, ApiError> {
        self.registry
            .as_ref()
            .ok_or_else(|| ApiError::not_found("this service does not host the registry"))
    }
}

/// The router of the hosted roles, with body, time and concurrency limits.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new();
    if state.registry.is_some() {
        router = router.merge(crate::api::registry::routes());
    }
    if state.issuer.is_some() {
        router = router.merge(crate::api::issuer::routes());
    }
    if state.verifier.is_some() {
        router = router.merge(crate::api::verifier::routes());
    }
    router = router.merge(crate::api::audit::routes());
    let config = &state.config;
    router
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .timeout(Duration::from_secs(config.request_timeout_secs))
                .concurrency_limit(config.max_concurrent_requests),
        )
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn overloaded(error: tower::BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took longer than the service allows",
        )
    } else {
        ApiError::internal(error)
    }
}

/// Binds `config.listen`, prints `ecert listening on http://ADDR` (tests and scripts read the port from
/// it), and serves until `shutdown` resolves; then stops accepting, lets in-flight requests finish and
/// closes the database.
pub async fn serve(
    config: Config,
    passphrase: Option<&str>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let listen = config.listen;
    let state = AppState::open(config, passphrase).await?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("ecert listening on http://{local}");
    tracing::info!(%local, "listening");
    axum::serve(listener, app(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| format!("server: {e}"))?;
    state.db.close().await;
    Ok(())
}

/// A future that resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called (inside
/// a runtime), not when the future is first polled: a SIGTERM that arrives while the server is still
/// starting must shut it down gracefully too, not kill it.
pub fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate =
            signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
        let mut interrupt =
            signal(SignalKind::interrupt()).map_err(|e| format!("cannot handle SIGINT: {e}"))?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
}

/// Now, Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
