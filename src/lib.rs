//! `ecert`: the operator's command line around the services of ecert-server, and the demo. The role
//! crates do the certificate work, ecert-server the HTTP services and storage; this crate reads the
//! command line, calls the services over HTTP and prints what they answer.

#![forbid(unsafe_code)]

pub mod cli;
pub mod client;
pub mod demo;
pub mod sample;
