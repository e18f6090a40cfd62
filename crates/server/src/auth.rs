//! Access control: JWT bearer tokens (RFC 7519) signed with the platform's Ed25519 key (`alg: EdDSA`,
//! RFC 8037), carrying a role and, for issuers and verifiers, the one registry id they act for.
//!
//! `ecert init` creates the platform key pair; `ecert token` mints tokens with the secret half; the
//! services hold only the public half (`platform.pub`), so a compromised service cannot mint tokens.
//! Reading the registry, its log and status lists needs no token.

use std::path::Path;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use ecert_api::ErrorCode;

use crate::error::ApiError;
use crate::keystore::{KeystoreError, read_secret_file, write_secret_file};

/// The `iss` of every platform token.
pub const TOKEN_ISSUER: &str = "ecert-platform";
/// File holding the platform's secret token-signing key (owner-only).
pub const PLATFORM_KEY_FILE: &str = "platform.key";
/// File holding its public key, base64url.
pub const PLATFORM_PUBLIC_FILE: &str = "platform.pub";

/// What a token lets its bearer do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccessRole {
    /// Writes the registry: issuers, keys, key status, verifiers, types.
    RegistryAdmin,
    /// Acts for one issuer (the token's scope).
    Issuer,
    /// Acts for one verifier (the token's scope).
    Verifier,
    /// Reads the audit surfaces (verification records, status and objection histories).
    Regulator,
}

impl AccessRole {
    /// Whether tokens of this role name the one issuer or verifier they act for.
    pub fn is_scoped(self) -> bool {
        matches!(self, AccessRole::Issuer | AccessRole::Verifier)
    }

    /// The name used in tokens and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessRole::RegistryAdmin => "registry-admin",
            AccessRole::Issuer => "issuer",
            AccessRole::Verifier => "verifier",
            AccessRole::Regulator => "regulator",
        }
    }
}

impl std::str::FromStr for AccessRole {
    type Err = String;

    fn from_str(text: &str) -> Result<AccessRole, String> {
        Ok(match text {
            "registry-admin" => AccessRole::RegistryAdmin,
            "issuer" => AccessRole::Issuer,
            "verifier" => AccessRole::Verifier,
            "regulator" => AccessRole::Regulator,
            other => {
                return Err(format!(
                    "unknown role {other:?}; roles are registry-admin, issuer, verifier, regulator"
                ));
            }
        })
    }
}

/// A token's claims.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// Always [`TOKEN_ISSUER`].
    pub iss: String,
    /// Who the token was minted for (an operator's name or account), for the logs.
    pub sub: String,
    /// The role.
    pub role: AccessRole,
    /// The issuer or verifier id, for scoped roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
}

/// The platform's token-signing key (secret; only `ecert token` loads it).
pub struct PlatformKey {
    signing: SigningKey,
}

impl std::fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformKey")
            .field(
                "public",
                &ecert_credential::encode_b64(self.signing.verifying_key().as_bytes()),
            )
            .finish_non_exhaustive()
    }
}

impl PlatformKey {
    /// Creates the key pair in `data_dir` (never overwriting one).
    pub fn create(data_dir: &Path) -> Result<PlatformKey, KeystoreError> {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, seed.as_mut());
        write_secret_file(&data_dir.join(PLATFORM_KEY_FILE), seed.as_ref())?;
        let signing = SigningKey::from_bytes(&seed);
        let public = ecert_credential::encode_b64(signing.verifying_key().as_bytes());
        std::fs::write(data_dir.join(PLATFORM_PUBLIC_FILE), format!("{public}\n")).map_err(|e| {
            KeystoreError::Io(format!("{}: {e}", data_dir.join(PLATFORM_PUBLIC_FILE).display()))
        })?;
        Ok(PlatformKey { signing })
    }

    /// Loads the secret key from `data_dir`.
    pub fn open(data_dir: &Path) -> Result<PlatformKey, KeystoreError> {
        let seed = read_secret_file(&data_dir.join(PLATFORM_KEY_FILE), 32)?;
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&seed);
        Ok(PlatformKey {
            signing: SigningKey::from_bytes(&bytes),
        })
    }

    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// Mints a token. Scoped roles need a scope; the others must not have one.
    pub fn mint(
        &self,
        subject: &str,
        role: AccessRole,
        scope: Option<&str>,
        now: i64,
        ttl_secs: i64,
    ) -> Result<String, String> {
        if role.is_scoped() != scope.is_some() {
            return Err(if role.is_scoped() {
                format!(
                    "a {} token needs a scope (the {} id)",
                    role.as_str(),
                    role.as_str()
                )
            } else {
                format!("a {} token takes no scope", role.as_str())
            });
        }
        if ttl_secs <= 0 {
            return Err("the lifetime must be positive".into());
        }
        let claims = TokenClaims {
            iss: TOKEN_ISSUER.into(),
            sub: subject.into(),
            role,
            scope: scope.map(str::to_owned),
            iat: now,
            exp: now.saturating_add(ttl_secs),
        };
        let der = self
            .signing
            .to_pkcs8_der()
            .map_err(|e| format!("cannot encode the platform key: {e}"))?;
        let key = EncodingKey::from_ed_der(der.as_bytes());
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &key)
            .map_err(|e| format!("cannot sign the token: {e}"))
    }
}

/// Checks tokens against the platform's public key.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier").finish_non_exhaustive()
    }
}

impl TokenVerifier {
    /// A verifier for tokens signed by `key`.
    pub fn new(key: &VerifyingKey) -> TokenVerifier {
        // EdDSA only: a token saying `alg: none`, HS256 or anything else is refused before any check.
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[TOKEN_ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        validation.leeway = 30;
        TokenVerifier {
            key: DecodingKey::from_ed_der(key.as_bytes()),
            validation,
        }
    }

    /// Reads the public key from `data_dir/platform.pub`.
    pub fn open(data_dir: &Path) -> Result<TokenVerifier, String> {
        let path = data_dir.join(PLATFORM_PUBLIC_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {} (run `ecert init`): {e}", path.display()))?;
        let bytes = ecert_credential::decode_b64(text.trim())
            .map_err(|e| format!("{}: not a public key: {e}", path.display()))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| format!("{}: a platform public key is 32 bytes", path.display()))?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(TokenVerifier::new(&key))
    }

    /// The claims of a valid token.
    pub fn check(&self, token: &str) -> Result<TokenClaims, ApiError> {
        let data = jsonwebtoken::decode::<TokenClaims>(token, &self.key, &self.validation).map_err(|e| {
            match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::new(ErrorCode::TokenExpired, "the bearer token has expired")
                }
                _ => ApiError::new(ErrorCode::InvalidToken, "the bearer token is not valid"),
            }
        })?;
        let claims = data.claims;
        if claims.role.is_scoped() != claims.scope.is_some() {
            return Err(ApiError::new(
                ErrorCode::InvalidToken,
                "the bearer token's scope does not fit its role",
            ));
        }
        Ok(claims)
    }
}

/// Anything that can check tokens (the application state).
pub trait HasTokenVerifier {
    /// The verifier.
    fn token_verifier(&self) -> &TokenVerifier;
}

/// The authenticated caller of an endpoint that needs a token.
#[derive(Clone, Debug)]
pub struct Caller(pub TokenClaims);

impl Caller {
    /// Refuses (403) unless the caller has `role`.
    pub fn require(&self, role: AccessRole) -> Result<&TokenClaims, ApiError> {
        if self.0.role == role {
            Ok(&self.0)
        } else {
            Err(ApiError::new(
                ErrorCode::WrongRole,
                format!("this needs a {} token", role.as_str()),
            ))
        }
    }

    /// Refuses (403) unless the caller has `role` scoped to `id`.
    pub fn require_scope(&self, role: AccessRole, id: &str) -> Result<&TokenClaims, ApiError> {
        let claims = self.require(role)?;
        if claims.scope.as_deref() == Some(id) {
            Ok(claims)
        } else {
            Err(ApiError::new(
                ErrorCode::OutOfScope,
                format!("the token acts for another {}", role.as_str()),
            ))
        }
    }

    /// Who the caller is, for the records.
    pub fn actor(&self) -> String {
        match &self.0.scope {
            Some(scope) => format!("{}:{}:{}", self.0.role.as_str(), scope, self.0.sub),
            None => format!("{}:{}", self.0.role.as_str(), self.0.sub),
        }
    }
}

impl<S> FromRequestParts<S> for Caller
where
    S: HasTokenVerifier + Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::new(ErrorCode::MissingToken, "this needs a bearer token"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidToken,
                    "expected `Authorization: Bearer <token>`",
                )
            })?;
        Ok(Caller(state.token_verifier().check(token.trim())?))
    }
}

/// A caller with the registry-admin role. As an extractor it runs before the request body is read, so
/// a caller without the role hears 403 whatever the body holds, and cannot probe its validation.
#[derive(Debug)]
pub struct RegistryAdmin(pub Caller);

/// A caller acting for the issuer named by the route's `{issuer}` segment (role issuer, that scope);
/// checked before the body is read.
#[derive(Debug)]
pub struct ActingIssuer(pub Caller);

/// A caller acting for the verifier named by the route's `{verifier}` segment (role verifier, that
/// scope); checked before the body is read.
#[derive(Debug)]
pub struct ActingVerifier(pub Caller);

impl<S> FromRequestParts<S> for RegistryAdmin
where
    S: HasTokenVerifier + Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require(AccessRole::RegistryAdmin)?;
        Ok(RegistryAdmin(caller))
    }
}

impl<S> FromRequestParts<S> for ActingIssuer
where
    S: HasTokenVerifier + Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = acting_for(parts, state, AccessRole::Issuer, "issuer").await?;
        Ok(ActingIssuer(caller))
    }
}

impl<S> FromRequestParts<S> for ActingVerifier
where
    S: HasTokenVerifier + Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = acting_for(parts, state, AccessRole::Verifier, "verifier").await?;
        Ok(ActingVerifier(caller))
    }
}

/// The caller, refused unless it has `role` scoped to the id in the route's `segment`.
async fn acting_for<S>(
    parts: &mut Parts,
    state: &S,
    role: AccessRole,
    segment: &str,
) -> Result<Caller, ApiError>
where
    S: HasTokenVerifier + Send + Sync,
{
    let caller = Caller::from_request_parts(parts, state).await?;
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|rejection| ApiError::new(ErrorCode::InvalidPath, rejection.body_text()))?;
    let id = params
        .iter()
        .find_map(|(name, value)| (name == segment).then_some(value))
        .ok_or_else(|| ApiError::internal(format_args!("the route has no {{{segment}}} segment")))?;
    caller.require_scope(role, id)?;
    Ok(caller)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mint_and_check() {
        let dir = tempfile::tempdir().unwrap();
        let key = PlatformKey::create(dir.path()).unwrap();
        let verifier = TokenVerifier::open(dir.path()).unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let token = key
            .mint("ops", AccessRole::Issuer, Some("110000-psb"), now, 600)
            .unwrap();
        let claims = verifier.check(&token).unwrap();
        assert_eq!(claims.role, AccessRole::Issuer);
        assert_eq!(claims.scope.as_deref(), Some("110000-psb"));
        assert!(key.mint("ops", AccessRole::Issuer, None, now, 600).is_err());
        assert!(
            key.mint("ops", AccessRole::Regulator, Some("x"), now, 600)
                .is_err()
        );
        let expired = key
            .mint("ops", AccessRole::Regulator, None, now - 7200, 60)
            .unwrap();
        assert_eq!(
            verifier.check(&expired).unwrap_err().code(),
            ErrorCode::TokenExpired
        );
        let other = PlatformKey::create(tempfile::tempdir().unwrap().path()).unwrap();
        let forged = other
            .mint("ops", AccessRole::RegistryAdmin, None, now, 600)
            .unwrap();
        assert_eq!(
            verifier.check(&forged).unwrap_err().code(),
            ErrorCode::InvalidToken
        );
        assert!(PlatformKey::create(dir.path()).is_err(), "never overwrites");
        assert!(!format!("{key:?}").is_empty());
    }
}
