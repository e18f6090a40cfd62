//! [`IssuerKey`]: an issuing department's signing key, named by its key id.
//!
//! Rotation: a department makes a new key with a new id ([`IssuerKey::rotate`]) and publishes it to the
//! registry; certificates name the key id that signed them, so certificates signed by the old key keep
//! verifying for as long as the registry lists that key as valid for the date they were issued.

use core::fmt;

use ecert_bbs::{PublicKey, SecretKey};
use ecert_credential::CertificateSuite;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// An issuer's BBS key with the ids that name it. The secret never prints and is zeroized on drop.
pub struct IssuerKey {
    issuer: String,
    key_id: String,
    secret: SecretKey,
}

fn check_id(id: &str) -> Result<()> {
    let ok = !id.is_empty() && id.len() <= 100 && id.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidId(id.chars().take(100).collect()))
    }
}

impl IssuerKey {
    /// A new key from 32 bytes of the given cryptographic RNG (draft KeyGen over fresh key material).
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R, issuer: &str, key_id: &str) -> Result<IssuerKey> {
        check_id(issuer)?;
        check_id(key_id)?;
        let mut key_material = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(key_material.as_mut_slice());
        let secret =
            SecretKey::key_gen::<CertificateSuite>(key_material.as_slice(), key_id.as_bytes(), None)?;
        Ok(IssuerKey {
            issuer: issuer.to_owned(),
            key_id: key_id.to_owned(),
            secret,
        })
    }

    /// A key loaded from its 32 secret bytes (as stored, encrypted, by the service).
    pub fn from_secret_bytes(issuer: &str, key_id: &str, secret: &[u8]) -> Result<IssuerKey> {
        check_id(issuer)?;
        check_id(key_id)?;
        Ok(IssuerKey {
            issuer: issuer.to_owned(),
            key_id: key_id.to_owned(),
            secret: SecretKey::from_bytes(secret)?,
        })
    }

    /// The next key of the same issuer, under a new key id.
    pub fn rotate<R: RngCore + CryptoRng>(&self, rng: &mut R, new_key_id: &str) -> Result<IssuerKey> {
        if new_key_id == self.key_id {
            return Err(Error::KeyIdReused(new_key_id.to_owned()));
        }
        IssuerKey::generate(rng, &self.issuer, new_key_id)
    }

    /// The issuer's registry id.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// This key's id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public key to publish to the registry.
    pub fn public_key(&self) -> PublicKey {
        self.secret.public_key()
    }

    /// The secret bytes, for encrypted storage; zeroized when dropped.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.to_bytes())
    }

    pub(crate) fn secret(&self) -> &SecretKey {
        &self.secret
    }
}

impl fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerKey")
            .field("issuer", &self.issuer)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}
