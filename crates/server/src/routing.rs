//! Routers built from ecert-api's operation table: each route is added by its [`Operation`], so the path
//! and method come from the one place the client calls through too, and every router knows the
//! operations it serves (the test that holds specs/openapi.yaml to the code reads them from here, and
//! calls each one on the real router).

use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, get, post};
use ecert_api::{Method, Operation};

/// A role's router before its state is given, with the operations it serves.
#[derive(Debug)]
pub struct Routes<S> {
    router: Router<S>,
    operations: Vec<Operation>,
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Routes::new()
    }
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    /// No routes yet.
    pub fn new() -> Routes<S> {
        Routes {
            router: Router::new(),
            operations: Vec::new(),
        }
    }

    /// Serves `operation` with `handler`.
    pub fn route<H, T>(mut self, operation: Operation, handler: H) -> Routes<S>
    where
        H: Handler<T, S>,
        T: 'static,
    {
        let method: MethodRouter<S> = match operation.method {
            Method::Get => get(handler),
            Method::Post => post(handler),
        };
        self.router = self.router.route(operation.path, method);
        self.operations.push(operation);
        self
    }

    /// The router with its state, ready to be merged into the node's.
    pub fn with_state(self, state: S) -> RoleRouter {
        RoleRouter {
            router: self.router.with_state(state),
            operations: self.operations,
        }
    }
}

/// A role's router with its state.
#[derive(Debug)]
pub struct RoleRouter {
    pub(crate) router: Router,
    pub(crate) operations: Vec<Operation>,
}
