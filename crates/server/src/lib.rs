//! `ecert-server`: the HTTP services of ecert (registry, issuer, verifier, audit) as axum routers, one per
//! role with its own state, over a storage layer on SQLite or PostgreSQL; their access control,
//! configuration, data directory and keystore. The role crates do the certificate work; this crate does
//! the I/O (ARCHITECTURE.md, "the shell"). The command line (the `ecert` binary) runs it.

#![forbid(unsafe_code)]

pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod data_dir;
pub mod db;
pub mod error;
pub mod issuer;
pub mod keystore;
pub mod node;
pub mod registry;
pub mod routing;
pub mod store;
pub mod trust;
pub mod verifier;

pub use config::Config;
pub use node::{Node, serve, shutdown_signal};
