//! The HTTP endpoints, one module per role (specs/openapi.yaml is their contract).

pub mod audit;
pub mod issuer;
pub mod registry;
pub mod verifier;
