//! A real server on loopback over a real SQLite database in a temporary directory, for the service tests.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses part of the harness, through `mod service_support`"
)]

use std::net::SocketAddr;

use ecert::client::Client;
use ecert_registry::VerifyingKey;
use ecert_server::auth::{AccessRole, PlatformKey};
use ecert_server::{Config, Node};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Server {
    pub client: Client,
    pub addr: SocketAddr,
    pub platform: PlatformKey,
    pub registry_key: VerifyingKey,
    pub dir: TempDir,
    pub node: Node,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    pub async fn start() -> Server {
        Server::start_with(|_| {}).await
    }

    /// Initialises a data directory, lets `configure` adjust the configuration, and serves on an
    /// ephemeral loopback port.
    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let made = ecert_server::data_dir::init(&data_dir, None).await.unwrap();
        let mut config = Config {
            data_dir,
            ..Config::default()
        };
        configure(&mut config);
        let key_bytes: [u8; 32] = ecert_credential::decode_b64(&made.registry_key)
            .unwrap()
            .try_into()
            .unwrap();
        let registry_key = VerifyingKey::from_bytes(&key_bytes).unwrap();
        Server::serve(dir, config, made.platform, registry_key).await
    }

    /// Serves an initialised data directory on an ephemeral loopback port.
    async fn serve(
        dir: TempDir,
        config: Config,
        platform: PlatformKey,
        registry_key: VerifyingKey,
    ) -> Server {
        let node = Node::open(config, None).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = node.app();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Server {
            client: Client::new(&format!("http://{addr}")),
            addr,
            platform,
            registry_key,
            dir,
            node,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// Stops gracefully, closes the database, and serves the same data directory again from a fresh
    /// process state (on a new port): what survives is what was stored.
    pub async fn restart(mut self) -> Server {
        let config = self.node.config().clone();
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        self.node.close().await;
        let Server {
            dir,
            platform,
            registry_key,
            ..
        } = self;
        Server::serve(dir, config, platform, registry_key).await
    }

    pub fn token(&self, role: AccessRole, scope: Option<&str>) -> String {
        ecert::sample::token(&self.platform, role, scope).unwrap()
    }

    pub fn admin(&self) -> Client {
        self.client
            .with_token(&self.token(AccessRole::RegistryAdmin, None))
    }

    pub fn issuer(&self, id: &str) -> Client {
        self.client.with_token(&self.token(AccessRole::Issuer, Some(id)))
    }

    pub fn verifier(&self, id: &str) -> Client {
        self.client
            .with_token(&self.token(AccessRole::Verifier, Some(id)))
    }

    pub fn regulator(&self) -> Client {
        self.client.with_token(&self.token(AccessRole::Regulator, None))
    }

    /// Starts a server with the sample country set up.
    pub async fn with_country() -> Server {
        let server = Server::start().await;
        ecert::sample::set_up(&server.client, &server.platform)
            .await
            .unwrap();
        server
    }

    /// Counts the rows of a table.
    pub async fn count(&self, table: &str) -> i64 {
        let query = format!("SELECT COUNT(*) FROM {table}");
        sqlx::query_scalar(&query)
            .fetch_one(self.node.database().pool())
            .await
            .unwrap()
    }

    /// Graceful shutdown: waits for in-flight requests.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}
