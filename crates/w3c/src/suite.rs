//! [`Bbs2023`]: the cryptosuite's operations behind one value that holds the context loader (and its
//! cache of processed contexts), as a service keeps it in its state.

use rand_core::{CryptoRng, RngCore};
use serde_json::Value;

use crate::base::{self, BaseProofOptions, SigningKey};
use crate::credential;
use crate::derive::{self, DeriveOptions, Randomness};
use crate::error::Result;
use crate::loader::ContextLoader;
use crate::multikey::VerificationMethodResolver;
use crate::verify::{self, VerifiedDocument, VerifyOptions};

/// The `bbs-2023` cryptosuite (W3C Data Integrity BBS Cryptosuites v1.0), baseline feature, on
/// BLS12-381-SHA-256.
///
/// Every operation takes and returns compact JSON-LD documents as `serde_json` values, so that an
/// HTTP handler (VC-API `/credentials/issue`, `/derive`, `/verify`) or a CLI command passes the body
/// it parsed and returns what it gets. Operations are CPU-bound and synchronous (milliseconds); a
/// service runs them off its I/O threads. Cloning is cheap and clones share the context cache.
#[derive(Clone, Debug, Default)]
pub struct Bbs2023 {
    loader: ContextLoader,
}

impl Bbs2023 {
    /// The suite with the bundled contexts ([`ContextLoader::new`]).
    pub fn new() -> Bbs2023 {
        Bbs2023::default()
    }

    /// The suite with `loader`'s contexts (the bundled ones plus any a deployment added).
    pub fn with_loader(loader: ContextLoader) -> Bbs2023 {
        Bbs2023 { loader }
    }

    /// The context loader.
    pub fn loader(&self) -> &ContextLoader {
        &self.loader
    }

    /// Create Base Proof (bbs-2023 §3.4.1): `unsecured` (a credential without `proof`) with a base
    /// proof signed by `key`. The base proof is for the holder only: it carries the HMAC key and the
    /// signature that make every statement linkable.
    pub fn create_base_proof<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        unsecured: &Value,
        key: &SigningKey,
        options: &BaseProofOptions,
    ) -> Result<Value> {
        base::create_base_proof(rng, unsecured, key, options, &self.loader)
    }

    /// The holder's check of a credential with a base proof, before storing it: the signature covers
    /// this document, its mandatory pointers and proof options, under the key `resolver` finds for
    /// the proof's verification method. Not a step of bbs-2023, which verifies derived proofs only.
    pub fn verify_base_proof(
        &self,
        secured: &Value,
        resolver: &impl VerificationMethodResolver,
    ) -> Result<()> {
        base::verify_base_proof(secured, resolver, &self.loader)
    }

    /// Add Derived Proof (bbs-2023 §3.4.5): from a credential with a base proof, the reveal document
    /// (mandatory and selected statements only) with a derived proof bound to the presentation header.
    pub fn derive<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        secured: &Value,
        options: &DeriveOptions,
    ) -> Result<Value> {
        Ok(derive::derive(Randomness::Rng(rng), secured, options, &self.loader)?.revealed)
    }

    /// Verify Derived Proof (bbs-2023 §3.4.6): the disclosed document if its derived proof verifies
    /// under the key `resolver` finds, an error saying which check failed otherwise.
    pub fn verify(
        &self,
        secured: &Value,
        resolver: &impl VerificationMethodResolver,
        options: &VerifyOptions,
    ) -> Result<VerifiedDocument> {
        verify::verify(secured, resolver, options, &self.loader)
    }

    /// Verifies a verifiable credential at time `now` (seconds since 1970-01-01 UTC): its derived
    /// proof as [`Bbs2023::verify`] (with proof purpose `assertionMethod` unless `options` asks for
    /// another), then VC Data Model 2.0's checks: the base context first, type
    /// `VerifiableCredential`, an issuer that controls the verification method, a subject, and a
    /// validity period (`validFrom`, `validUntil`) that contains `now`. Whether the issuer is trusted
    /// is the caller's decision (ecert checks it against the registry).
    pub fn verify_credential(
        &self,
        secured: &Value,
        resolver: &impl VerificationMethodResolver,
        options: &VerifyOptions,
        now: i64,
    ) -> Result<VerifiedDocument> {
        let mut options = options.clone();
        if options.expected_proof_purpose.is_none() {
            options.expected_proof_purpose = Some("assertionMethod".to_owned());
        }
        if options.now.is_none() {
            options.now = Some(now);
        }
        let verified = verify::verify(secured, resolver, &options, &self.loader)?;
        credential::check_credential(&verified, resolver, now)?;
        Ok(verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service keeps the suite in state shared between its worker threads.
    #[test]
    fn the_suite_can_be_shared_between_threads() {
        fn shared<T: Send + Sync + Clone + 'static>() {}
        shared::<Bbs2023>();
        shared::<ContextLoader>();
    }
}
