//! How costly the passphrase key derivation of a wallet file is, and the one way to weaken it.
//!
//! A wallet file is sealed under a key derived from the holder's passphrase (Argon2id), whose cost is what
//! stands between a stolen file and the certificates in it. Tests that create many wallet files cannot pay
//! that cost each time, so `ECERT_WALLET_KDF=test` selects Argon2's minimum; a release build refuses it,
//! so that a variable left set in a shell, a container image or a service unit can never seal a real
//! holder's wallet cheaply.

use core::fmt;

/// The environment variable that selects [`WalletKdf::TestOnly`] in debug builds.
pub const WALLET_KDF_VAR: &str = "ECERT_WALLET_KDF";

/// The cost of the key derivation that seals a new wallet file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalletKdf {
    /// The keystore's default cost (Argon2id, 64 MiB, 3 passes): every real wallet. The parameters
    /// themselves are the sealing code's (the CLI's `KdfParams`), not repeated here.
    Standard,
    /// Argon2's minimum (8 KiB, 1 pass), for tests only; debug builds alone accept it.
    TestOnly,
}

impl WalletKdf {
    /// The choice the environment makes: [`WALLET_KDF_VAR`] unset is [`WalletKdf::Standard`]; `test` is
    /// [`WalletKdf::TestOnly`] in a debug build and an error in a release build; anything else is an error.
    pub fn from_env() -> Result<WalletKdf, WalletKdfError> {
        let value = std::env::var(WALLET_KDF_VAR).ok();
        WalletKdf::choose(value.as_deref(), cfg!(debug_assertions))
    }

    /// [`WalletKdf::from_env`] with the variable's value and the kind of build given.
    fn choose(value: Option<&str>, debug_build: bool) -> Result<WalletKdf, WalletKdfError> {
        match value {
            None => Ok(WalletKdf::Standard),
            Some("test") if debug_build => Ok(WalletKdf::TestOnly),
            Some("test") => Err(WalletKdfError::TestKdfInRelease),
            Some(_) => Err(WalletKdfError::Unknown),
        }
    }
}

/// Why [`WalletKdf::from_env`] refused the environment's choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WalletKdfError {
    /// `ECERT_WALLET_KDF=test` in a release build.
    TestKdfInRelease,
    /// A value other than `test`.
    Unknown,
}

impl fmt::Display for WalletKdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalletKdfError::TestKdfInRelease => write!(
                f,
                "{WALLET_KDF_VAR}=test weakens the wallet's passphrase protection and is accepted only by \
                 debug builds, for tests; unset it"
            ),
            WalletKdfError::Unknown => write!(
                f,
                "{WALLET_KDF_VAR} is set to a value that is not understood (only \"test\", for tests in \
                 debug builds); unset it"
            ),
        }
    }
}

impl std::error::Error for WalletKdfError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_kdf_is_for_debug_builds_only() {
        assert_eq!(WalletKdf::choose(None, true), Ok(WalletKdf::Standard));
        assert_eq!(WalletKdf::choose(None, false), Ok(WalletKdf::Standard));
        assert_eq!(WalletKdf::choose(Some("test"), true), Ok(WalletKdf::TestOnly));
        assert_eq!(
            WalletKdf::choose(Some("test"), false),
            Err(WalletKdfError::TestKdfInRelease),
            "a release build never seals a wallet at the test cost"
        );
        for other in ["", "TEST", "fast", "test "] {
            assert_eq!(WalletKdf::choose(Some(other), true), Err(WalletKdfError::Unknown));
            assert_eq!(
                WalletKdf::choose(Some(other), false),
                Err(WalletKdfError::Unknown)
            );
        }
        // This build (the test build is a debug build) takes its answer from the same rule.
        assert_eq!(
            cfg!(debug_assertions),
            WalletKdf::choose(Some("test"), cfg!(debug_assertions)).is_ok()
        );
    }

    #[test]
    fn the_message_names_the_variable_and_what_to_do() {
        let message = WalletKdfError::TestKdfInRelease.to_string();
        assert!(
            message.contains(WALLET_KDF_VAR) && message.contains("unset it"),
            "{message}"
        );
    }
}
