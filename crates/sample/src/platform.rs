//! A real server on loopback over a real database in a temporary directory: the platform the service
//! tests, the command-line tests, the demo and the load benches run against.

use std::net::SocketAddr;

use ecert_api::Client;
use ecert_registry::VerifyingKey;
use ecert_server::auth::{AccessRole, PlatformKey};
use ecert_server::{Config, Node};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::backend::Backend;

/// A node serving on an ephemeral loopback port, with the platform key that mints its tokens.
pub struct Platform {
    /// A client of the node, without a token.
    pub client: Client,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The platform key (mints tokens).
    pub platform: PlatformKey,
    /// The registry's log key, which tree heads verify under.
    pub registry_key: VerifyingKey,
    /// The temporary directory holding the data directory (`data/`); removed on drop.
    pub dir: TempDir,
    /// The node.
    pub node: Node,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), String>>>,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// The result of setting a platform up.
pub type PlatformResult<T> = Result<T, String>;

impl Platform {
    /// A platform with every role and the default configuration.
    pub async fn start() -> PlatformResult<Platform> {
        Platform::start_with(|_| {}).await
    }

    /// Initialises a data directory, lets `configure` adjust the configuration, and serves on an
    /// ephemeral loopback port.
    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> PlatformResult<Platform> {
        Platform::start_with_on(&Backend::Sqlite, configure).await
    }

    /// [`Platform::start`] on `backend`.
    pub async fn start_on(backend: &Backend) -> PlatformResult<Platform> {
        Platform::start_with_on(backend, |_| {}).await
    }

    /// [`Platform::start_with`] on `backend`.
    pub async fn start_with_on(
        backend: &Backend,
        configure: impl FnOnce(&mut Config),
    ) -> PlatformResult<Platform> {
        let dir = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
        let data_dir = dir.path().join("data");
        let database_url = backend.new_database().await?;
        let made = ecert_server::data_dir::init_with_database(&data_dir, None, database_url.as_ref()).await?;
        let mut config = Config {
            data_dir,
            database_url,
            ..Config::default()
        };
        configure(&mut config);
        let registry_key = registry_key(&made.registry_key)?;
        Platform::serve(dir, config, made.platform, registry_key).await
    }

    /// Serves an initialised data directory on an ephemeral loopback port.
    async fn serve(
        dir: TempDir,
        config: Config,
        platform: PlatformKey,
        registry_key: VerifyingKey,
    ) -> PlatformResult<Platform> {
        let node = Node::open(config, None).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot listen on loopback: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = node.app();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .map_err(|e| format!("server: {e}"))
        });
        Ok(Platform {
            client: Client::new(&format!("http://{addr}")),
            addr,
            platform,
            registry_key,
            dir,
            node,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// A platform with the sample country set up ([`crate::country::set_up`]).
    pub async fn with_country() -> PlatformResult<Platform> {
        Platform::with_country_on(&Backend::Sqlite).await
    }

    /// [`Platform::with_country`] on `backend`.
    pub async fn with_country_on(backend: &Backend) -> PlatformResult<Platform> {
        let platform = Platform::start_on(backend).await?;
        crate::country::set_up(&platform.client, &platform.platform)
            .await
            .map_err(|e| format!("setting the sample country up: {e}"))?;
        Ok(platform)
    }

    /// The node's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops gracefully (in-flight requests finish) and waits for the server to end.
    async fn halt(&mut self) -> PlatformResult<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.map_err(|e| format!("the server task: {e}"))??;
        }
        Ok(())
    }

    /// Stops gracefully, closes the database, and serves the same data directory again from a fresh
    /// process state (on a new port): what survives is what was stored.
    pub async fn restart(mut self) -> PlatformResult<Platform> {
        let config = self.node.config().clone();
        self.halt().await?;
        self.node.close().await;
        let Platform {
            dir,
            platform,
            registry_key,
            ..
        } = self;
        Platform::serve(dir, config, platform, registry_key).await
    }

    /// Graceful shutdown: waits for in-flight requests, then closes the database.
    pub async fn stop(mut self) -> PlatformResult<()> {
        self.halt().await?;
        self.node.close().await;
        Ok(())
    }

    /// A one-hour token.
    pub fn token(&self, role: AccessRole, scope: Option<&str>) -> String {
        // Minting with a fresh key and a positive lifetime fails only for a scope that does not fit the
        // role, which is the caller's mistake: an empty token then fails every call as `invalid_token`.
        crate::country::token(&self.platform, role, scope).unwrap_or_default()
    }

    /// A registry administrator.
    pub fn admin(&self) -> Client {
        self.client
            .with_token(&self.token(AccessRole::RegistryAdmin, None))
    }

    /// An issuer's operator.
    pub fn issuer(&self, id: &str) -> Client {
        self.client.with_token(&self.token(AccessRole::Issuer, Some(id)))
    }

    /// A verifier's back end.
    pub fn verifier(&self, id: &str) -> Client {
        self.client
            .with_token(&self.token(AccessRole::Verifier, Some(id)))
    }

    /// A regulator.
    pub fn regulator(&self) -> Client {
        self.client.with_token(&self.token(AccessRole::Regulator, None))
    }

    /// Counts the rows of a table of the platform database (`table` is the caller's literal name).
    pub async fn count(&self, table: &str) -> PlatformResult<i64> {
        let query = format!("SELECT COUNT(*) FROM {table}");
        sqlx::query_scalar(&query)
            .fetch_one(self.node.database().pool())
            .await
            .map_err(|e| format!("counting {table}: {e}"))
    }
}

/// The registry key `ecert init` prints, as a key.
pub fn registry_key(text: &str) -> PlatformResult<VerifyingKey> {
    let bytes: [u8; 32] = ecert_credential::decode_b64(text)
        .map_err(|e| e.to_string())?
        .try_into()
        .map_err(|_| "a registry key is 32 bytes".to_string())?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| e.to_string())
}
