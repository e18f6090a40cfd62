//! A node: the roles one `ecert serve` process hosts, each on its own router with its own state, merged
//! behind one set of limits (body size, time, concurrency), and `serve` with graceful shutdown.
//!
//! A region can run only its issuer, a verifier's back end only its verifier, the national platform
//! everything: the roles meet only through their stores and the registry's state, never through an
//! optional service looked up per request.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use ecert_api::{ErrorCode, Operation};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;

use crate::audit::AuditApp;
use crate::auth::TokenVerifier;
use crate::config::{Config, ServiceRole};
use crate::db::Database;
use crate::error::{ApiError, no_route, wrong_method};
use crate::issuer::{IssuerApp, IssuerTrust};
use crate::registry::{RegistryApp, RegistryService};
use crate::routing::RoleRouter;
use crate::store::{SqlAuditStore, SqlIssuerStore, SqlRegistryStore, SqlVerifierStore};
use crate::trust::TrustSource;
use crate::verifier::VerifierApp;

/// The hosted roles, ready to serve.
#[derive(Debug)]
pub struct Node {
    config: Config,
    db: Database,
    routers: Vec<RoleRouter>,
    registry: Option<Arc<RegistryService<SqlRegistryStore>>>,
}

impl Node {
    /// Opens the data directory (created by `ecert init`) and the database, and the state of each hosted
    /// role. `passphrase` unlocks issuer keys when the key-encryption key is passphrase-based.
    pub async fn open(config: Config, passphrase: Option<&str>) -> Result<Node, String> {
        let data_dir = config.data_dir.clone();
        if !data_dir.is_dir() {
            return Err(format!(
                "no data directory at {} (run `ecert init --data-dir {}` first)",
                data_dir.display(),
                data_dir.display()
            ));
        }
        let tokens = TokenVerifier::open(&data_dir)?;
        let db = Database::open(&config.database_url()?, config.database_connections).await?;
        let mut routers = Vec::new();
        let registry = if config.roles.has(ServiceRole::Registry) {
            let service =
                Arc::new(RegistryService::open(&data_dir, SqlRegistryStore::new(db.clone())).await?);
            // Other processes on a shared database append too: catch up with them as they do.
            RegistryService::follow(&service);
            routers.push(crate::registry::routes().with_state(RegistryApp {
                service: Arc::clone(&service),
                tokens: tokens.clone(),
            }));
            Some(service)
        } else {
            None
        };
        let trust = registry
            .as_ref()
            .map(|service| Arc::clone(service) as Arc<dyn TrustSource>);
        if config.roles.has(ServiceRole::Issuer) {
            let issuer_trust = match &trust {
                Some(source) => IssuerTrust::Registry(Arc::clone(source)),
                None => IssuerTrust::BuiltIn,
            };
            let app = IssuerApp::open(
                &data_dir,
                passphrase,
                SqlIssuerStore::new(db.clone()),
                issuer_trust,
                tokens.clone(),
            )?;
            routers.push(crate::issuer::routes().with_state(app));
        }
        if config.roles.has(ServiceRole::Verifier) {
            let Some(source) = &trust else {
                return Err(
                    "the verifier role reads the registry in the same process: host it with the \
                            registry role (--roles registry,verifier)"
                        .into(),
                );
            };
            let app = VerifierApp::start(
                SqlVerifierStore::new(db.clone()),
                Arc::clone(source),
                tokens.clone(),
                config.presentation_request_ttl_secs,
            )?;
            routers.push(crate::verifier::routes().with_state(app));
        }
        routers
            .push(crate::audit::routes().with_state(AuditApp::new(SqlAuditStore::new(db.clone()), tokens)));
        Ok(Node {
            config,
            db,
            routers,
            registry,
        })
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The registry, when this node hosts it.
    pub fn registry(&self) -> Option<&Arc<RegistryService<SqlRegistryStore>>> {
        self.registry.as_ref()
    }

    /// The operations the node serves.
    pub fn operations(&self) -> Vec<Operation> {
        self.routers
            .iter()
            .flat_map(|router| router.operations.iter().copied())
            .collect()
    }

    /// The HTTP application: every hosted role's routes, with body, time and concurrency limits.
    pub fn app(&self) -> Router {
        let router = self
            .routers
            .iter()
            .fold(Router::new(), |app, role| app.merge(role.router.clone()));
        let config = &self.config;
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
    }

    /// Closes the database (at shutdown, after the last request).
    pub async fn close(&self) {
        self.db.close().await;
    }
}

async fn overloaded(error: tower::BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(
            ErrorCode::Timeout,
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
    let node = Node::open(config, passphrase).await?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("ecert listening on http://{local}");
    tracing::info!(%local, "listening");
    axum::serve(listener, node.app())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| format!("server: {e}"))?;
    node.close().await;
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
