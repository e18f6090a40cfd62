//! The registry as the roles that rely on it see it: the issuer checks authorisations and active keys
//! against it, the verifier checks presentations against it. Its source is either the registry this
//! process hosts, or (a node without the registry) a copy synced over HTTP and verified against the
//! registry key the node was configured with.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ecert_credential::{Catalogue, RegistryView};
use ecert_registry::SignedTreeHead;

use crate::error::ApiResult;

/// The registry's state at a signed tree head: what verifiers and wallets consume, and the certificate
/// types it registered.
#[derive(Debug)]
pub struct TrustedRegistry {
    /// Issuers, their keys, verifiers and their purposes.
    pub view: RegistryView,
    /// The registered certificate types.
    pub catalogue: Catalogue,
    /// The head the state is at.
    pub head: SignedTreeHead,
}

impl TrustedRegistry {
    /// The view and catalogue of a registry state, at `head`.
    pub fn of(state: &ecert_registry::RegistryState, head: SignedTreeHead) -> TrustedRegistry {
        let mut catalogue = Catalogue::default();
        for ty in state.types.values() {
            // The registry's rules already refused duplicate ids.
            let _ = catalogue.insert(ty.clone());
        }
        TrustedRegistry {
            view: state.view(),
            catalogue,
            head,
        }
    }
}

/// Where the registry's state comes from.
pub trait TrustSource: fmt::Debug + Send + Sync + 'static {
    /// The state to rely on now, or an error when there is none that may be relied on (a synced copy
    /// past its maximum age fails closed).
    fn trusted(&self) -> ApiResult<Arc<TrustedRegistry>>;

    /// The state after catching up with the source now: what a role asks for before it refuses
    /// something for want of a registry entry (an issuer, a key, a verifier) that may have been added a
    /// moment ago by another process or on the registry node.
    fn refreshed(&self) -> Pin<Box<dyn Future<Output = ApiResult<Arc<TrustedRegistry>>> + Send + '_>>;
}
