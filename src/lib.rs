//! `ecert`: the operator's command line, one module per command ([`cli`]), around the services of
//! ecert-server, which it runs (`serve`) or calls over HTTP through ecert-api's typed client; and one
//! module for what it prints ([`output`]).

#![forbid(unsafe_code)]

pub mod cli;
pub mod output;
