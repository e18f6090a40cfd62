//! `ecert-sample`: one place for what the demo, the tests and the benches all need.
//!
//! - [`country`]: a sample country: issuing departments of two regions, four verifiers with registered
//!   purposes, one person's and one enterprise's attributes, and its set-up over HTTP with real tokens,
//!   exactly as operators would do it.
//! - [`world`]: the same country in process, built from the role crates alone (no HTTP, no database), for
//!   scenario tests, property tests and benches of the functional core.
//! - [`platform`]: a real server on loopback over a real database in a temporary directory.
//! - [`backend`]: SQLite or a PostgreSQL test cluster under a platform, and tests run on each.
//! - [`cli`]: the real `ecert` binary run as an operator runs it, without the caller's environment.

#![forbid(unsafe_code)]

pub mod backend;
pub mod cli;
pub mod country;
pub mod platform;
pub mod world;

pub use platform::Platform;
