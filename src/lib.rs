//! `ecert`'s shell: the HTTP services (registry, issuer, verifier) on an embedded SQLite database, their
//! access control and configuration, and the command line around them. The role crates do the
//! certificate work; this crate does the I/O (ARCHITECTURE.md, "the shell").

#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod client;
pub mod config;
pub mod data_dir;
pub mod db;
pub mod demo;
pub mod error;
pub mod keystore;
pub mod sample;

pub use app::{AppState, app, serve};
pub use config::Config;
