//! Secret keys at rest: the key-encryption key (KEK) that seals every issuer's BBS secret key before it
//! reaches the database, and the owner-only files that hold the service's other secrets.
//!
//! It sits between `ecert init` / `ecert serve` and storage: the service opens one [`Kek`] at startup from its
//! data directory, seals a secret key with [`Kek::seal`] when an issuer key is generated, and opens it with
//! [`Kek::open_sealed`] just before signing. The KEK comes from one of two files in the data directory:
//!
//! - `kek.key` (the embedded default): 32 random bytes in a file only its owner may read (mode 0600).
//!   Whoever can read the data directory as the service user can open the keys; the file keeps everyone
//!   else out and keeps the keys out of database dumps and backups that leave the key file behind.
//! - `kek.json` (passphrase mode): the KEK is derived from an operator's passphrase with Argon2id
//!   (RFC 9106). New files get 64 MiB and 3 passes, RFC 9106 §4's second recommended option, with one
//!   lane instead of four (lanes buy parallelism, not cost). The file holds the KDF, its parameters, the
//!   salt and a check value, so that a wrong passphrase is refused at startup instead of at the first
//!   signature.
//!
//! A sealed secret is the text `v1.` + base64url(nonce ‖ ciphertext ‖ tag), XChaCha20-Poly1305
//! (draft-irtf-cfrg-xchacha-03) under the KEK with a random 192-bit nonce. The associated data binds it
//! to a domain tag and to the caller's context (issuer id and key id), so a sealed key copied to another
//! issuer's row does not open. Every failure to open is one opaque [`KeystoreError::Unseal`].
//!
//! Secret bytes are held in [`Zeroizing`] buffers, never logged and never part of an error message.

use core::fmt;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{KeyInit, Tag, XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// File name of the embedded-default KEK in the data directory.
pub const KEY_FILE: &str = "kek.key";
/// File name of the passphrase-mode description in the data directory.
pub const PASSPHRASE_FILE: &str = "kek.json";

/// Bytes in a KEK (XChaCha20-Poly1305 key size).
const KEK_LEN: usize = 32;
/// XChaCha20 nonce: 192 bits, large enough to pick at random for every seal.
const NONCE_LEN: usize = 24;
/// Poly1305 tag.
const TAG_LEN: usize = 16;
/// Argon2 salt length for new passphrase files (RFC 9106 §3.1 recommends 16 bytes).
const SALT_LEN: usize = 16;

/// Prefix of every sealed secret: names the format, so a later format can sit beside it.
const SEALED_PREFIX: &str = "v1.";
/// Domain tag at the start of the associated data of every sealed secret.
const SEAL_DOMAIN: &str = "ecert-keystore/1";
/// A different domain for the passphrase check, so the check can never be mistaken for a sealed secret.
const CHECK_DOMAIN: &str = "ecert-keystore/1 passphrase-check";
/// The fixed plaintext sealed as the passphrase check.
const CHECK_LABEL: &[u8] = b"ecert key-encryption key";
/// The only KDF name `kek.json` may carry.
const KDF_NAME: &str = "argon2id";

/// Upper bounds on the parameters honoured from `kek.json`: the file's own values are used (so a key
/// store keeps opening after the defaults change), but a damaged or hostile file must not make startup
/// allocate unbounded memory or spin for hours.
const MAX_M_COST_KIB: u32 = 4 * 1024 * 1024;
const MAX_T_COST: u32 = 64;
const MAX_P_COST: u32 = 16;
/// `kek.json` is a few hundred bytes; refuse to read anything much larger.
const MAX_PASSPHRASE_FILE_LEN: u64 = 4096;

/// The key-encryption key. Zeroized on drop; its `Debug` shows only where it came from.
///
/// Deliberately neither `Clone` nor `Serialize` nor `PartialEq`: one copy lives in the service state and
/// nothing ever writes it out except [`Kek::create_key_file`].
pub struct Kek {
    key: Zeroizing<[u8; KEK_LEN]>,
    source: KekSource,
}

#[derive(Clone, Copy)]
enum KekSource {
    KeyFile,
    Passphrase,
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match self.source {
            KekSource::KeyFile => KEY_FILE,
            KekSource::Passphrase => PASSPHRASE_FILE,
        };
        f.debug_struct("Kek")
            .field("source", &source)
            .finish_non_exhaustive()
    }
}

/// Argon2id cost parameters, as stored in `kek.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// The parameters new passphrase files get: 64 MiB, 3 passes, 1 lane.
    pub const DEFAULT: KdfParams = KdfParams {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    fn argon2(self, path: &Path) -> Result<Argon2<'static>, KeystoreError> {
        if self.m_cost_kib > MAX_M_COST_KIB || self.t_cost > MAX_T_COST || self.p_cost > MAX_P_COST {
            return Err(KeystoreError::InvalidPassphraseFile {
                path: path.to_path_buf(),
                reason: format!(
                    "Argon2 parameters out of range (at most m_cost_kib {MAX_M_COST_KIB}, t_cost {MAX_T_COST}, \
                     p_cost {MAX_P_COST})"
                ),
            });
        }
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(KEK_LEN)).map_err(|e| {
            KeystoreError::InvalidPassphraseFile {
                path: path.to_path_buf(),
                reason: format!("invalid Argon2 parameters: {e}"),
            }
        })?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// The contents of `kek.json`. Nothing in it is secret on its own: the salt and the check let someone
/// who has the file guess passphrases offline, which any sealed key from the database lets them do
/// too, so its strength is the passphrase's and the Argon2 cost's.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PassphraseFile {
    kdf: String,
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
    /// base64url, no padding.
    salt: String,
    /// base64url(nonce ‖ ciphertext ‖ tag) of [`CHECK_LABEL`] under the derived KEK.
    check: String,
}

impl Kek {
    /// Creates the embedded default: `data_dir/kek.key`, 32 random bytes, owner-only (mode 0600 on
    /// unix). Refuses if either KEK file already exists, so a second `init` cannot orphan sealed keys.
    pub fn create_key_file(data_dir: &Path) -> Result<Kek, KeystoreError> {
        refuse_existing(&data_dir.join(PASSPHRASE_FILE))?;
        let mut key = Zeroizing::new([0u8; KEK_LEN]);
        fill_random(key.as_mut())?;
        write_secret_file(&data_dir.join(KEY_FILE), key.as_ref())?;
        Ok(Kek {
            key,
            source: KekSource::KeyFile,
        })
    }

    /// Creates passphrase mode with the default Argon2id parameters: writes `data_dir/kek.json` with
    /// the KDF, its parameters, a fresh salt and a check value, and returns the derived KEK. Refuses an
    /// empty passphrase and an existing KEK file of either kind.
    pub fn create_passphrase(data_dir: &Path, passphrase: &str) -> Result<Kek, KeystoreError> {
        Kek::create_passphrase_with(data_dir, passphrase, KdfParams::DEFAULT)
    }

    /// [`Kek::create_passphrase`] with chosen parameters (tests use cheap ones; [`Kek::open`] honours
    /// whatever the file says).
    pub(crate) fn create_passphrase_with(
        data_dir: &Path,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<Kek, KeystoreError> {
        if passphrase.is_empty() {
            return Err(KeystoreError::EmptyPassphrase);
        }
        let path = data_dir.join(PASSPHRASE_FILE);
        refuse_existing(&data_dir.join(KEY_FILE))?;
        refuse_existing(&path)?;
        let mut salt = [0u8; SALT_LEN];
        fill_random(&mut salt)?;
        let kek = Kek {
            key: derive(&params.argon2(&path)?, passphrase, &salt)?,
            source: KekSource::Passphrase,
        };
        let check = kek.seal_raw(CHECK_DOMAIN, &[], CHECK_LABEL)?;
        let file = PassphraseFile {
            kdf: KDF_NAME.to_owned(),
            m_cost_kib: params.m_cost_kib,
            t_cost: params.t_cost,
            p_cost: params.p_cost,
            salt: ecert_credential::encode_b64(&salt),
            check: ecert_credential::encode_b64(&check),
        };
        let mut json = serde_json::to_string_pretty(&file)
            .map_err(|e| KeystoreError::Io(format!("{}: {e}", path.display())))?;
        json.push('\n');
        // Owner-only like the key file: not secret on its own, but it is what passphrase guessing needs.
        write_secret_file(&path, json.as_bytes())?;
        Ok(kek)
    }

    /// Opens the KEK from whichever file `data_dir` holds.
    ///
    /// - `kek.json` needs the passphrase: [`KeystoreError::PassphraseRequired`] without one,
    ///   [`KeystoreError::WrongPassphrase`] if the check value does not open under the derived key.
    /// - `kek.key` must be exactly 32 bytes and, on unix, not accessible to group or others. A
    ///   passphrase given with a key file is refused ([`KeystoreError::PassphraseNotUsed`]) rather than
    ///   ignored, so an operator never believes the keys are under a passphrase when they are not.
    /// - Both files, or neither, is an error naming them.
    pub fn open(data_dir: &Path, passphrase: Option<&str>) -> Result<Kek, KeystoreError> {
        let key_path = data_dir.join(KEY_FILE);
        let json_path = data_dir.join(PASSPHRASE_FILE);
        match (exists(&key_path)?, exists(&json_path)?) {
            (true, true) => Err(KeystoreError::AmbiguousKek {
                key_file: key_path,
                passphrase_file: json_path,
            }),
            (false, false) => Err(KeystoreError::KekNotFound(data_dir.to_path_buf())),
            (true, false) => {
                if passphrase.is_some() {
                    return Err(KeystoreError::PassphraseNotUsed(key_path));
                }
                let bytes = read_secret_file(&key_path, KEK_LEN)?;
                let mut key = Zeroizing::new([0u8; KEK_LEN]);
                key.copy_from_slice(&bytes);
                Ok(Kek {
                    key,
                    source: KekSource::KeyFile,
                })
            }
            (false, true) => {
                let passphrase =
                    passphrase.ok_or_else(|| KeystoreError::PassphraseRequired(json_path.clone()))?;
                Kek::open_passphrase_file(&json_path, passphrase)
            }
        }
    }

    fn open_passphrase_file(path: &Path, passphrase: &str) -> Result<Kek, KeystoreError> {
        let invalid = |reason: String| KeystoreError::InvalidPassphraseFile {
            path: path.to_path_buf(),
            reason,
        };
        let text = read_bounded(path, MAX_PASSPHRASE_FILE_LEN)?;
        let file: PassphraseFile = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
        if file.kdf != KDF_NAME {
            return Err(invalid(format!(
                "unsupported kdf {:?} (expected {KDF_NAME:?})",
                file.kdf
            )));
        }
        let params = KdfParams {
            m_cost_kib: file.m_cost_kib,
            t_cost: file.t_cost,
            p_cost: file.p_cost,
        };
        let salt =
            ecert_credential::decode_b64(&file.salt).map_err(|_| invalid("salt is not base64url".into()))?;
        // RFC 9106 §3.1: at least 8 bytes; anything past 64 is not something `create` ever wrote.
        if !(8..=64).contains(&salt.len()) {
            return Err(invalid(format!("salt is {} bytes, expected 8 to 64", salt.len())));
        }
        let check = ecert_credential::decode_b64(&file.check)
            .map_err(|_| invalid("check is not base64url".into()))?;
        let kek = Kek {
            key: derive(&params.argon2(path)?, passphrase, &salt)?,
            source: KekSource::Passphrase,
        };
        // Tampering with the parameters or the salt changes the derived key, so it fails here too.
        match kek.open_raw(CHECK_DOMAIN, &[], &check) {
            Ok(label) if label.as_slice() == CHECK_LABEL => Ok(kek),
            _ => Err(KeystoreError::WrongPassphrase(path.to_path_buf())),
        }
    }

    /// Seals `secret` (e.g. a 32-byte BBS secret key) for storage: XChaCha20-Poly1305 under the KEK with
    /// a random nonce, the associated data binding it to `context` (e.g. `[issuer_id, key_id]`).
    /// Returns `v1.` + base64url(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, context: &[&str], secret: &[u8]) -> Result<String, KeystoreError> {
        let sealed = self.seal_raw(SEAL_DOMAIN, context, secret)?;
        Ok(format!(
            "{SEALED_PREFIX}{}",
            ecert_credential::encode_b64(&sealed)
        ))
    }

    /// Opens what [`Kek::seal`] produced with the same `context`. Any other prefix, bad encoding,
    /// truncation, tampering, other context or other KEK is the one opaque [`KeystoreError::Unseal`].
    pub fn open_sealed(&self, context: &[&str], sealed: &str) -> Result<Zeroizing<Vec<u8>>, KeystoreError> {
        let body = sealed.strip_prefix(SEALED_PREFIX).ok_or(KeystoreError::Unseal)?;
        let bytes = ecert_credential::decode_b64(body).map_err(|_| KeystoreError::Unseal)?;
        self.open_raw(SEAL_DOMAIN, context, &bytes)
    }

    /// nonce ‖ ciphertext ‖ tag. The plaintext is copied once, into a zeroizing buffer sized so that it
    /// never reallocates, and encrypted there in place.
    fn seal_raw(&self, domain: &str, context: &[&str], secret: &[u8]) -> Result<Vec<u8>, KeystoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        fill_random(&mut nonce)?;
        let mut buffer = Zeroizing::new(Vec::with_capacity(NONCE_LEN + secret.len() + TAG_LEN));
        buffer.extend_from_slice(&nonce);
        buffer.extend_from_slice(secret);
        let tag = self
            .cipher()
            .encrypt_in_place_detached(
                XNonce::from_slice(&nonce),
                &associated_data(domain, context),
                &mut buffer[NONCE_LEN..],
            )
            .map_err(|_| KeystoreError::Seal)?;
        buffer.extend_from_slice(&tag);
        // Now only ciphertext: hand it out without the zeroizing wrapper.
        Ok(core::mem::take(&mut *buffer))
    }

    /// The tag is checked before anything is decrypted, so a failed open leaves no plaintext behind.
    fn open_raw(
        &self,
        domain: &str,
        context: &[&str],
        bytes: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KeystoreError> {
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(KeystoreError::Unseal);
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        self.cipher()
            .decrypt_in_place_detached(
                XNonce::from_slice(nonce),
                &associated_data(domain, context),
                &mut buffer,
                Tag::from_slice(tag),
            )
            .map_err(|_| KeystoreError::Unseal)?;
        Ok(buffer)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        // The cipher's key schedule is the key itself; chacha20poly1305 zeroizes it on drop.
        XChaCha20Poly1305::new(self.key.as_ref().into())
    }
}

/// domain ‖ context, each part prefixed with its length as 8 bytes big-endian. Length prefixes make the
/// encoding injective: `["ab", "c"]`, `["a", "bc"]` and `["abc"]` all give different associated data.
fn associated_data(domain: &str, context: &[&str]) -> Vec<u8> {
    let mut aad =
        Vec::with_capacity(8 + domain.len() + context.iter().map(|part| 8 + part.len()).sum::<usize>());
    for part in core::iter::once(&domain).chain(context) {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

fn derive(
    argon2: &Argon2<'_>,
    passphrase: &str,
    salt: &[u8],
) -> Result<Zeroizing<[u8; KEK_LEN]>, KeystoreError> {
    let mut key = Zeroizing::new([0u8; KEK_LEN]);
    argon2
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
        .map_err(|e| KeystoreError::Kdf(e.to_string()))?;
    Ok(key)
}

fn fill_random(bytes: &mut [u8]) -> Result<(), KeystoreError> {
    OsRng
        .try_fill_bytes(bytes)
        .map_err(|e| KeystoreError::Randomness(e.to_string()))
}

fn exists(path: &Path) -> Result<bool, KeystoreError> {
    path.try_exists().map_err(|e| io_error(path, &e))
}

fn refuse_existing(path: &Path) -> Result<(), KeystoreError> {
    if exists(path)? {
        return Err(KeystoreError::AlreadyExists(path.to_path_buf()));
    }
    Ok(())
}

fn io_error(path: &Path, error: &std::io::Error) -> KeystoreError {
    KeystoreError::Io(format!("{}: {error}", path.display()))
}

/// Writes a new secret file: created exclusively (never overwriting, never following a planted file)
/// and, on unix, with mode 0600 from the start rather than narrowed after writing. A failed write
/// removes the partial file so that a retry can start clean.
pub fn write_secret_file(path: &Path, bytes: &[u8]) -> Result<(), KeystoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        ErrorKind::AlreadyExists => KeystoreError::AlreadyExists(path.to_path_buf()),
        _ => io_error(path, &e),
    })?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        // Best effort: the write error is the one worth reporting.
        let _ = std::fs::remove_file(path);
        return Err(io_error(path, &e));
    }
    Ok(())
}

/// Reads a secret file of exactly `expected_len` bytes. On unix it must be a regular file that neither
/// group nor others can read, write or execute (the check is on the opened file, so it cannot be swapped
/// between check and read); otherwise it is refused with the path, its mode and the `chmod` to run.
pub fn read_secret_file(path: &Path, expected_len: usize) -> Result<Zeroizing<Vec<u8>>, KeystoreError> {
    let mut file = File::open(path).map_err(|e| io_error(path, &e))?;
    let metadata = file.metadata().map_err(|e| io_error(path, &e))?;
    if !metadata.is_file() {
        return Err(KeystoreError::Io(format!(
            "{}: not a regular file",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeystoreError::InsecurePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    // One spare byte to tell "exactly expected_len" from "longer"; a fixed buffer, so no reallocation
    // leaves a copy of the secret behind.
    let mut buffer = Zeroizing::new(vec![0u8; expected_len + 1]);
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(path, &e)),
        }
    }
    if filled != expected_len {
        return Err(KeystoreError::WrongLength {
            path: path.to_path_buf(),
            expected: expected_len,
            found: metadata.len(),
        });
    }
    buffer.truncate(expected_len);
    Ok(buffer)
}

/// Reads a small, non-secret file, refusing one longer than `max_len`.
fn read_bounded(path: &Path, max_len: u64) -> Result<Vec<u8>, KeystoreError> {
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    let mut bytes = Vec::new();
    file.take(max_len + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, &e))?;
    if bytes.len() as u64 > max_len {
        return Err(KeystoreError::InvalidPassphraseFile {
            path: path.to_path_buf(),
            reason: format!("longer than {max_len} bytes"),
        });
    }
    Ok(bytes)
}

/// Why a key could not be created, opened, sealed or unsealed. Messages name paths and causes, never
/// bytes of a key or a secret.
#[non_exhaustive]
#[derive(Debug)]
pub enum KeystoreError {
    /// Reading or writing a file failed: the path and the cause.
    Io(String),
    /// A key file to be created already exists; it is never overwritten.
    AlreadyExists(PathBuf),
    /// The data directory holds neither `kek.key` nor `kek.json`.
    KekNotFound(PathBuf),
    /// The data directory holds both `kek.key` and `kek.json`, so which protects the keys is unclear.
    AmbiguousKek {
        /// The key file.
        key_file: PathBuf,
        /// The passphrase file.
        passphrase_file: PathBuf,
    },
    /// A secret file can be accessed by group or others (unix).
    InsecurePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A secret file does not have the expected length.
    WrongLength {
        /// The file.
        path: PathBuf,
        /// Bytes expected.
        expected: usize,
        /// Bytes the file holds.
        found: u64,
    },
    /// `kek.json` cannot be used: malformed, an unknown KDF or parameters out of range.
    InvalidPassphraseFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The keys are under a passphrase (this `kek.json`) and none was given.
    PassphraseRequired(PathBuf),
    /// A passphrase was given, but the keys are under this key file, not a passphrase.
    PassphraseNotUsed(PathBuf),
    /// The passphrase does not open this `kek.json`.
    WrongPassphrase(PathBuf),
    /// A new passphrase is empty.
    EmptyPassphrase,
    /// Argon2 failed.
    Kdf(String),
    /// The operating system's random number generator failed.
    Randomness(String),
    /// A secret could not be sealed (longer than the AEAD allows).
    Seal,
    /// A sealed secret did not open: tampered, truncated, another format, another context or another
    /// key-encryption key. Deliberately says no more.
    Unseal,
}

impl fmt::Display for KeystoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeystoreError::Io(message) => f.write_str(message),
            KeystoreError::AlreadyExists(path) => {
                write!(
                    f,
                    "{} already exists; refusing to overwrite key material",
                    path.display()
                )
            }
            KeystoreError::KekNotFound(dir) => write!(
                f,
                "no key-encryption key in {}: expected {KEY_FILE} or {PASSPHRASE_FILE} (run `ecert init` first)",
                dir.display()
            ),
            KeystoreError::AmbiguousKek {
                key_file,
                passphrase_file,
            } => write!(
                f,
                "both {} and {} exist; keep only the one that protects the keys",
                key_file.display(),
                passphrase_file.display()
            ),
            KeystoreError::InsecurePermissions { path, mode } => write!(
                f,
                "{} has mode {mode:04o}, accessible to group or others; run `chmod 600 {}`",
                path.display(),
                path.display()
            ),
            KeystoreError::WrongLength {
                path,
                expected,
                found,
            } => {
                write!(f, "{} holds {found} bytes, expected {expected}", path.display())
            }
            KeystoreError::InvalidPassphraseFile { path, reason } => {
                write!(f, "{}: {reason}", path.display())
            }
            KeystoreError::PassphraseRequired(path) => {
                write!(
                    f,
                    "the keys are protected by a passphrase ({}) and none was given",
                    path.display()
                )
            }
            KeystoreError::PassphraseNotUsed(path) => write!(
                f,
                "a passphrase was given, but the keys are protected by the key file {}, not a passphrase",
                path.display()
            ),
            KeystoreError::WrongPassphrase(path) => write!(f, "wrong passphrase for {}", path.display()),
            KeystoreError::EmptyPassphrase => f.write_str("the passphrase is empty"),
            KeystoreError::Kdf(cause) => write!(f, "key derivation failed: {cause}"),
            KeystoreError::Randomness(cause) => {
                write!(f, "the system random number generator failed: {cause}")
            }
            KeystoreError::Seal => f.write_str("the secret could not be sealed"),
            KeystoreError::Unseal => f.write_str(
                "a sealed secret did not open (tampered, wrong context or wrong key-encryption key)",
            ),
        }
    }
}

impl std::error::Error for KeystoreError {}

// ---------------------------------------------------------------------------------------------------------
// Passphrase-sealed blobs: a secret (e.g. a holder's wallet file) under a key derived from a passphrase,
// in one self-describing text, with no data directory and no KEK file. The same Argon2id derivation, the
// same XChaCha20-Poly1305 sealing and the same parameter bounds as `kek.json`.

/// The format tag of a passphrase-sealed text.
const PASSPHRASE_SEALED_FORMAT: &str = "ecert-passphrase-sealed/1";
/// Domain of the associated data of a passphrase-sealed text, apart from sealed secrets and the check.
const PASSPHRASE_SEALED_DOMAIN: &str = "ecert-keystore/1 passphrase-sealed";

/// A passphrase-sealed text: the KDF, its parameters and the salt beside the ciphertext, so that it opens
/// with the passphrase alone even after the defaults change. Nothing in it is secret without the
/// passphrase; its strength against offline guessing is the passphrase's and the Argon2 cost's.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PassphraseSealed {
    format: String,
    kdf: String,
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
    /// base64url, no padding.
    salt: String,
    /// base64url(nonce ‖ ciphertext ‖ tag).
    sealed: String,
}

impl PassphraseSealed {
    /// The associated data binds the format, KDF and parameters as well as the salt (the derived key
    /// already depends on them; binding them again costs nothing and says so explicitly).
    fn context(&self) -> [String; 4] {
        [
            self.format.clone(),
            self.kdf.clone(),
            format!("m={},t={},p={}", self.m_cost_kib, self.t_cost, self.p_cost),
            self.salt.clone(),
        ]
    }
}

/// Seals `plaintext` under `passphrase` with the default Argon2id parameters (`KdfParams::DEFAULT`: 64
/// MiB, 3 passes, 1 lane). Returns a JSON text naming the format, the KDF, its parameters and the salt,
/// beside base64url(nonce ‖ ciphertext ‖ tag); [`open_with_passphrase`] opens it.
pub fn seal_with_passphrase(passphrase: &str, plaintext: &[u8]) -> Result<String, KeystoreError> {
    seal_with_passphrase_using(passphrase, plaintext, KdfParams::DEFAULT)
}

/// [`seal_with_passphrase`] with chosen Argon2id parameters (tests use cheap ones;
/// [`open_with_passphrase`] honours whatever the text says, within the same bounds as `kek.json`).
pub fn seal_with_passphrase_using(
    passphrase: &str,
    plaintext: &[u8],
    params: KdfParams,
) -> Result<String, KeystoreError> {
    if passphrase.is_empty() {
        return Err(KeystoreError::EmptyPassphrase);
    }
    let mut salt = [0u8; SALT_LEN];
    fill_random(&mut salt)?;
    let argon2 = params.argon2(Path::new(PASSPHRASE_SEALED_FORMAT))?;
    let key = Kek {
        key: derive(&argon2, passphrase, &salt)?,
        source: KekSource::Passphrase,
    };
    let mut text = PassphraseSealed {
        format: PASSPHRASE_SEALED_FORMAT.to_owned(),
        kdf: KDF_NAME.to_owned(),
        m_cost_kib: params.m_cost_kib,
        t_cost: params.t_cost,
        p_cost: params.p_cost,
        salt: ecert_credential::encode_b64(&salt),
        sealed: String::new(),
    };
    let context = text.context();
    let context: Vec<&str> = context.iter().map(String::as_str).collect();
    let sealed = key.seal_raw(PASSPHRASE_SEALED_DOMAIN, &context, plaintext)?;
    text.sealed = ecert_credential::encode_b64(&sealed);
    let mut json = serde_json::to_string_pretty(&text).map_err(|e| KeystoreError::Io(e.to_string()))?;
    json.push('\n');
    Ok(json)
}

/// Opens what [`seal_with_passphrase`] produced. `origin` (the file it came from) only names it in
/// errors: a text that is not a passphrase-sealed text, or whose parameters are out of bounds, is
/// [`KeystoreError::InvalidPassphraseFile`]; one that does not open, because the passphrase is wrong or
/// the text was tampered with (the two cannot be told apart), is [`KeystoreError::WrongPassphrase`].
pub fn open_with_passphrase(
    passphrase: &str,
    sealed: &str,
    origin: &Path,
) -> Result<Zeroizing<Vec<u8>>, KeystoreError> {
    let invalid = |reason: String| KeystoreError::InvalidPassphraseFile {
        path: origin.to_path_buf(),
        reason,
    };
    let text: PassphraseSealed =
        serde_json::from_str(sealed).map_err(|e| invalid(format!("not a passphrase-sealed file: {e}")))?;
    if text.format != PASSPHRASE_SEALED_FORMAT {
        return Err(invalid(format!(
            "unknown format {:?} (expected {PASSPHRASE_SEALED_FORMAT:?})",
            text.format
        )));
    }
    if text.kdf != KDF_NAME {
        return Err(invalid(format!(
            "unsupported kdf {:?} (expected {KDF_NAME:?})",
            text.kdf
        )));
    }
    let params = KdfParams {
        m_cost_kib: text.m_cost_kib,
        t_cost: text.t_cost,
        p_cost: text.p_cost,
    };
    let salt =
        ecert_credential::decode_b64(&text.salt).map_err(|_| invalid("salt is not base64url".into()))?;
    // RFC 9106 §3.1: at least 8 bytes; anything past 64 is not something `seal` ever wrote.
    if !(8..=64).contains(&salt.len()) {
        return Err(invalid(format!("salt is {} bytes, expected 8 to 64", salt.len())));
    }
    let bytes =
        ecert_credential::decode_b64(&text.sealed).map_err(|_| invalid("sealed is not base64url".into()))?;
    let key = Kek {
        key: derive(&params.argon2(origin)?, passphrase, &salt)?,
        source: KekSource::Passphrase,
    };
    let context = text.context();
    let context: Vec<&str> = context.iter().map(String::as_str).collect();
    key.open_raw(PASSPHRASE_SEALED_DOMAIN, &context, &bytes)
        .map_err(|_| KeystoreError::WrongPassphrase(origin.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Argon2's minimum (8 KiB, 1 pass): the tests exercise the file format, not the cost.
    const CHEAP: KdfParams = KdfParams {
        m_cost_kib: 8,
        t_cost: 1,
        p_cost: 1,
    };

    fn sealed_secret() -> [u8; 32] {
        let mut secret = [0u8; 32];
        for (i, byte) in secret.iter_mut().enumerate() {
            *byte = 0xa0 ^ i as u8;
        }
        secret
    }

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    fn set_mode(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn key_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let created = Kek::create_key_file(dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE);
        assert_eq!(std::fs::read(&path).unwrap().len(), 32);
        #[cfg(unix)]
        assert_eq!(mode_of(&path), 0o600);
        let opened = Kek::open(dir.path(), None).unwrap();
        assert_eq!(*created.key, *opened.key);
        let sealed = created.seal(&["uni", "k1"], b"secret").unwrap();
        assert_eq!(
            opened.open_sealed(&["uni", "k1"], &sealed).unwrap().as_slice(),
            b"secret"
        );
    }

    #[test]
    fn create_key_file_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let first = Kek::create_key_file(dir.path()).unwrap();
        let before = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
        let err = Kek::create_key_file(dir.path()).unwrap_err();
        assert!(matches!(err, KeystoreError::AlreadyExists(_)), "{err}");
        assert_eq!(std::fs::read(dir.path().join(KEY_FILE)).unwrap(), before);
        assert_eq!(*Kek::open(dir.path(), None).unwrap().key, *first.key);
        // Nor may passphrase mode be set up beside it.
        let err = Kek::create_passphrase_with(dir.path(), "pw", CHEAP).unwrap_err();
        assert!(matches!(err, KeystoreError::AlreadyExists(_)), "{err}");
        assert!(!dir.path().join(PASSPHRASE_FILE).exists());
    }

    #[test]
    fn write_secret_file_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.key");
        std::fs::write(&path, b"keep me").unwrap();
        let err = write_secret_file(&path, &[1; 32]).unwrap_err();
        assert!(matches!(err, KeystoreError::AlreadyExists(_)), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
    }

    #[cfg(unix)]
    #[test]
    fn group_or_other_accessible_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        Kek::create_key_file(dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE);
        for mode in [0o640, 0o604, 0o620, 0o660, 0o644, 0o601] {
            set_mode(&path, mode);
            let err = Kek::open(dir.path(), None).unwrap_err();
            assert!(
                matches!(err, KeystoreError::InsecurePermissions { mode: m, .. } if m == mode),
                "{mode:o}: {err}"
            );
            let message = err.to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains("chmod 600"), "{message}");
            assert!(message.contains(&format!("{mode:o}")), "{message}");
        }
        // Stricter than 0600 is fine.
        set_mode(&path, 0o400);
        Kek::open(dir.path(), None).unwrap();
    }

    #[test]
    fn key_file_of_wrong_length_is_refused() {
        for len in [0, 31, 33, 64] {
            let dir = tempfile::tempdir().unwrap();
            write_secret_file(&dir.path().join(KEY_FILE), &vec![7u8; len]).unwrap();
            let err = Kek::open(dir.path(), None).unwrap_err();
            assert!(
                matches!(err, KeystoreError::WrongLength { expected: 32, found, .. } if found == len as u64),
                "{len}: {err}"
            );
        }
    }

    #[test]
    fn read_secret_file_reads_exactly_the_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt.key");
        write_secret_file(&path, &[9; 32]).unwrap();
        assert_eq!(read_secret_file(&path, 32).unwrap().as_slice(), &[9; 32]);
        assert!(matches!(
            read_secret_file(&path, 16),
            Err(KeystoreError::WrongLength { .. })
        ));
        assert!(matches!(
            read_secret_file(&dir.path().join("missing"), 32),
            Err(KeystoreError::Io(_))
        ));
        assert!(matches!(
            read_secret_file(dir.path(), 32),
            Err(KeystoreError::Io(_))
        ));
    }

    #[test]
    fn passphrase_round_trip_with_default_parameters() {
        let dir = tempfile::tempdir().unwrap();
        let created = Kek::create_passphrase(dir.path(), "correct horse battery staple").unwrap();
        let path = dir.path().join(PASSPHRASE_FILE);
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(json["kdf"], "argon2id");
        assert_eq!(json["m_cost_kib"], 65536);
        assert_eq!(json["t_cost"], 3);
        assert_eq!(json["p_cost"], 1);
        assert_eq!(
            ecert_credential::decode_b64(json["salt"].as_str().unwrap())
                .unwrap()
                .len(),
            SALT_LEN
        );
        assert!(ecert_credential::decode_b64(json["check"].as_str().unwrap()).is_ok());
        #[cfg(unix)]
        assert_eq!(mode_of(&path), 0o600);
        let opened = Kek::open(dir.path(), Some("correct horse battery staple")).unwrap();
        assert_eq!(*created.key, *opened.key);
    }

    #[test]
    fn stored_parameters_are_honoured() {
        let dir = tempfile::tempdir().unwrap();
        let created = Kek::create_passphrase_with(dir.path(), "pw", CHEAP).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(PASSPHRASE_FILE)).unwrap()).unwrap();
        assert_eq!(json["m_cost_kib"], 8);
        assert_eq!(json["t_cost"], 1);
        let opened = Kek::open(dir.path(), Some("pw")).unwrap();
        assert_eq!(*created.key, *opened.key);
        let sealed = created.seal(&["uni", "k1"], &sealed_secret()).unwrap();
        assert_eq!(
            opened.open_sealed(&["uni", "k1"], &sealed).unwrap().as_slice(),
            &sealed_secret()
        );
    }

    #[test]
    fn wrong_passphrase_is_refused_at_open() {
        let dir = tempfile::tempdir().unwrap();
        Kek::create_passphrase_with(dir.path(), "right", CHEAP).unwrap();
        for wrong in ["wrong", "Right", "right ", ""] {
            let err = Kek::open(dir.path(), Some(wrong)).unwrap_err();
            assert!(
                matches!(err, KeystoreError::WrongPassphrase(_)),
                "{wrong:?}: {err}"
            );
        }
    }

    #[test]
    fn missing_passphrase_is_required() {
        let dir = tempfile::tempdir().unwrap();
        Kek::create_passphrase_with(dir.path(), "pw", CHEAP).unwrap();
        let err = Kek::open(dir.path(), None).unwrap_err();
        assert!(matches!(err, KeystoreError::PassphraseRequired(_)), "{err}");
        assert!(err.to_string().contains(PASSPHRASE_FILE));
    }

    #[test]
    fn passphrase_with_a_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        Kek::create_key_file(dir.path()).unwrap();
        let err = Kek::open(dir.path(), Some("pw")).unwrap_err();
        assert!(matches!(err, KeystoreError::PassphraseNotUsed(_)), "{err}");
    }

    #[test]
    fn empty_passphrase_is_refused_at_create() {
        let dir = tempfile::tempdir().unwrap();
        let err = Kek::create_passphrase_with(dir.path(), "", CHEAP).unwrap_err();
        assert!(matches!(err, KeystoreError::EmptyPassphrase), "{err}");
        assert!(!dir.path().join(PASSPHRASE_FILE).exists());
    }

    #[test]
    fn create_passphrase_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        Kek::create_passphrase_with(dir.path(), "first", CHEAP).unwrap();
        let before = std::fs::read(dir.path().join(PASSPHRASE_FILE)).unwrap();
        let err = Kek::create_passphrase_with(dir.path(), "second", CHEAP).unwrap_err();
        assert!(matches!(err, KeystoreError::AlreadyExists(_)), "{err}");
        assert!(matches!(
            Kek::create_key_file(dir.path()),
            Err(KeystoreError::AlreadyExists(_))
        ));
        assert_eq!(std::fs::read(dir.path().join(PASSPHRASE_FILE)).unwrap(), before);
        Kek::open(dir.path(), Some("first")).unwrap();
    }

    #[test]
    fn neither_or_both_files_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Kek::open(dir.path(), None),
            Err(KeystoreError::KekNotFound(_))
        ));
        Kek::create_key_file(dir.path()).unwrap();
        let other = tempfile::tempdir().unwrap();
        Kek::create_passphrase_with(other.path(), "pw", CHEAP).unwrap();
        std::fs::copy(
            other.path().join(PASSPHRASE_FILE),
            dir.path().join(PASSPHRASE_FILE),
        )
        .unwrap();
        let err = Kek::open(dir.path(), Some("pw")).unwrap_err();
        assert!(matches!(err, KeystoreError::AmbiguousKek { .. }), "{err}");
    }

    #[test]
    fn tampered_or_hostile_passphrase_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        Kek::create_passphrase_with(dir.path(), "pw", CHEAP).unwrap();
        let path = dir.path().join(PASSPHRASE_FILE);
        let original: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let rewrite = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut json = original.clone();
            edit(&mut json);
            std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
            Kek::open(dir.path(), Some("pw")).unwrap_err()
        };
        // Changing the cost or the salt changes the derived key: the check no longer opens.
        let err = rewrite(&|j| j["t_cost"] = 2.into());
        assert!(matches!(err, KeystoreError::WrongPassphrase(_)), "{err}");
        let err = rewrite(&|j| j["salt"] = ecert_credential::encode_b64(&[0u8; 16]).into());
        assert!(matches!(err, KeystoreError::WrongPassphrase(_)), "{err}");
        let err = rewrite(&|j| j["check"] = ecert_credential::encode_b64(&[0u8; 40]).into());
        assert!(matches!(err, KeystoreError::WrongPassphrase(_)), "{err}");
        // Parameters that would stall startup, unknown KDFs and malformed files never reach Argon2.
        let edits: [&dyn Fn(&mut serde_json::Value); 8] = [
            &|j| j["m_cost_kib"] = (MAX_M_COST_KIB + 1).into(),
            &|j| j["t_cost"] = (MAX_T_COST + 1).into(),
            &|j| j["p_cost"] = 0.into(),
            &|j| j["kdf"] = "scrypt".into(),
            &|j| j["salt"] = "!!".into(),
            &|j| j["salt"] = ecert_credential::encode_b64(&[1u8; 4]).into(),
            &|j| j["extra"] = 1.into(),
            &|j| j["check"] = serde_json::Value::Null,
        ];
        for edit in edits {
            let err = rewrite(edit);
            assert!(
                matches!(err, KeystoreError::InvalidPassphraseFile { .. }),
                "{err}"
            );
        }
        std::fs::write(&path, vec![b' '; 5000]).unwrap();
        let err = Kek::open(dir.path(), Some("pw")).unwrap_err();
        assert!(
            matches!(err, KeystoreError::InvalidPassphraseFile { .. }),
            "{err}"
        );
    }

    #[test]
    fn seal_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let kek = Kek::create_key_file(dir.path()).unwrap();
        let secret = sealed_secret();
        let sealed = kek.seal(&["university", "key-1"], &secret).unwrap();
        assert!(sealed.starts_with("v1."));
        // nonce + 32-byte secret + tag, base64url without padding.
        assert_eq!(sealed.len(), 3 + (24 + 32 + 16) * 4 / 3);
        assert_eq!(
            kek.open_sealed(&["university", "key-1"], &sealed)
                .unwrap()
                .as_slice(),
            &secret
        );
        // Random nonces: the same secret seals differently each time.
        assert_ne!(sealed, kek.seal(&["university", "key-1"], &secret).unwrap());
        // Empty secret and empty context still work.
        let empty = kek.seal(&[], b"").unwrap();
        assert!(kek.open_sealed(&[], &empty).unwrap().is_empty());
    }

    #[test]
    fn every_wrong_opening_is_unseal() {
        let dir = tempfile::tempdir().unwrap();
        let kek = Kek::create_key_file(dir.path()).unwrap();
        let other_dir = tempfile::tempdir().unwrap();
        let other = Kek::create_key_file(other_dir.path()).unwrap();
        let context = ["ab", "c"];
        let sealed = kek.seal(&context, &sealed_secret()).unwrap();
        let body = sealed.strip_prefix("v1.").unwrap();
        let bytes = ecert_credential::decode_b64(body).unwrap();

        let mut cases: Vec<(String, Vec<&str>, String)> = vec![
            ("wrong context".into(), vec!["ab", "d"], sealed.clone()),
            ("parts re-split".into(), vec!["a", "bc"], sealed.clone()),
            ("parts joined".into(), vec!["abc"], sealed.clone()),
            ("swapped order".into(), vec!["c", "ab"], sealed.clone()),
            ("extra empty part".into(), vec!["ab", "c", ""], sealed.clone()),
            ("missing part".into(), vec!["ab"], sealed.clone()),
            ("no context".into(), vec![], sealed.clone()),
            ("v2 prefix".into(), context.to_vec(), format!("v2.{body}")),
            ("no prefix".into(), context.to_vec(), body.to_owned()),
            ("empty".into(), context.to_vec(), String::new()),
            ("prefix only".into(), context.to_vec(), "v1.".into()),
            ("garbage".into(), context.to_vec(), "v1.!!not base64!!".into()),
            ("padded".into(), context.to_vec(), format!("{sealed}=")),
            ("whitespace".into(), context.to_vec(), format!("{sealed}\n")),
            (
                "truncated to nonce and tag".into(),
                context.to_vec(),
                format!("v1.{}", ecert_credential::encode_b64(&bytes[..40])),
            ),
            (
                "truncated below nonce and tag".into(),
                context.to_vec(),
                format!("v1.{}", ecert_credential::encode_b64(&bytes[..39])),
            ),
            (
                "one byte short".into(),
                context.to_vec(),
                format!("v1.{}", ecert_credential::encode_b64(&bytes[..bytes.len() - 1])),
            ),
            (
                "one byte extra".into(),
                context.to_vec(),
                format!(
                    "v1.{}",
                    ecert_credential::encode_b64(&[&bytes[..], &[0]].concat())
                ),
            ),
        ];
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x01;
            cases.push((
                format!("bit flipped in byte {i}"),
                context.to_vec(),
                format!("v1.{}", ecert_credential::encode_b64(&flipped)),
            ));
        }
        for (what, context, text) in &cases {
            let err = kek.open_sealed(context, text).unwrap_err();
            assert!(matches!(err, KeystoreError::Unseal), "{what}: {err}");
        }
        let err = other.open_sealed(&context, &sealed).unwrap_err();
        assert!(matches!(err, KeystoreError::Unseal), "other KEK: {err}");
        // And the untouched text still opens.
        assert_eq!(
            kek.open_sealed(&context, &sealed).unwrap().as_slice(),
            &sealed_secret()
        );
    }

    #[test]
    fn check_value_is_not_a_sealed_secret() {
        let dir = tempfile::tempdir().unwrap();
        let kek = Kek::create_passphrase_with(dir.path(), "pw", CHEAP).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(PASSPHRASE_FILE)).unwrap()).unwrap();
        let check = format!("v1.{}", json["check"].as_str().unwrap());
        assert!(matches!(kek.open_sealed(&[], &check), Err(KeystoreError::Unseal)));
    }

    #[test]
    fn debug_and_errors_leak_no_key_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let kek = Kek::create_key_file(dir.path()).unwrap();
        let debug = format!("{kek:?} {kek:#?}");
        assert_eq!(format!("{kek:?}"), "Kek { source: \"kek.key\", .. }");
        let key = kek.key.as_ref();
        let encodings = [
            hex::encode(key),
            hex::encode_upper(key),
            ecert_credential::encode_b64(key),
            // Standard base64 (padding aside) is base64url with two letters swapped.
            ecert_credential::encode_b64(key)
                .replace('-', "+")
                .replace('_', "/"),
            format!("{key:?}"),
        ];
        for encoded in &encodings {
            assert!(!debug.contains(encoded.as_str()), "{debug}");
        }
        // Nor does any error reached while using it.
        let secret = sealed_secret();
        let sealed = kek.seal(&["a"], &secret).unwrap();
        let err = kek.open_sealed(&["b"], &sealed).unwrap_err();
        let shown = format!("{err} {err:?}");
        for encoded in encodings
            .iter()
            .chain([&hex::encode(secret), &ecert_credential::encode_b64(&secret)])
        {
            assert!(!shown.contains(encoded.as_str()), "{shown}");
        }
    }
}

#[cfg(test)]
mod passphrase_sealing_tests {
    use super::*;

    /// Argon2's minimum: these tests exercise the format, not the cost.
    const CHEAP: KdfParams = KdfParams {
        m_cost_kib: 8,
        t_cost: 1,
        p_cost: 1,
    };

    fn origin() -> &'static Path {
        Path::new("wallet.ecert")
    }

    #[test]
    fn round_trip_and_self_description() {
        let text = seal_with_passphrase_using("pw", b"the holder's wallet", CHEAP).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["format"], "ecert-passphrase-sealed/1");
        assert_eq!(json["kdf"], "argon2id");
        assert_eq!(json["m_cost_kib"], 8);
        assert_eq!(json["t_cost"], 1);
        assert_eq!(json["p_cost"], 1);
        assert_eq!(
            ecert_credential::decode_b64(json["salt"].as_str().unwrap())
                .unwrap()
                .len(),
            SALT_LEN
        );
        assert!(!text.contains("holder"), "{text}");
        let opened = open_with_passphrase("pw", &text, origin()).unwrap();
        assert_eq!(opened.as_slice(), b"the holder's wallet");
        // Fresh salt and nonce every time.
        assert_ne!(
            text,
            seal_with_passphrase_using("pw", b"the holder's wallet", CHEAP).unwrap()
        );
        // Empty plaintext is fine.
        let empty = seal_with_passphrase_using("pw", b"", CHEAP).unwrap();
        assert!(open_with_passphrase("pw", &empty, origin()).unwrap().is_empty());
    }

    #[test]
    fn default_parameters_are_the_keystores() {
        let text = seal_with_passphrase("correct horse", b"x").unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["m_cost_kib"], KdfParams::DEFAULT.m_cost_kib);
        assert_eq!(json["t_cost"], KdfParams::DEFAULT.t_cost);
        assert_eq!(json["p_cost"], KdfParams::DEFAULT.p_cost);
        assert_eq!(
            open_with_passphrase("correct horse", &text, origin())
                .unwrap()
                .as_slice(),
            b"x"
        );
    }

    #[test]
    fn wrong_passphrase_is_refused_clearly() {
        let text = seal_with_passphrase_using("right", b"secret", CHEAP).unwrap();
        for wrong in ["wrong", "Right", "right ", ""] {
            let err = open_with_passphrase(wrong, &text, origin()).unwrap_err();
            assert!(
                matches!(err, KeystoreError::WrongPassphrase(_)),
                "{wrong:?}: {err}"
            );
            assert_eq!(err.to_string(), "wrong passphrase for wallet.ecert");
        }
    }

    #[test]
    fn empty_passphrase_is_refused_at_seal() {
        let err = seal_with_passphrase_using("", b"secret", CHEAP).unwrap_err();
        assert!(matches!(err, KeystoreError::EmptyPassphrase), "{err}");
    }

    #[test]
    fn tampered_or_hostile_texts_are_refused() {
        let text = seal_with_passphrase_using("pw", b"secret", CHEAP).unwrap();
        let original: serde_json::Value = serde_json::from_str(&text).unwrap();
        let open = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut json = original.clone();
            edit(&mut json);
            open_with_passphrase("pw", &json.to_string(), origin()).unwrap_err()
        };
        // Anything that changes the key or the associated data: the text no longer opens.
        let wrong: [&dyn Fn(&mut serde_json::Value); 4] = [
            &|j| j["t_cost"] = 2.into(),
            &|j| j["salt"] = ecert_credential::encode_b64(&[0u8; 16]).into(),
            &|j| j["sealed"] = ecert_credential::encode_b64(&[0u8; 40]).into(),
            &|j| j["sealed"] = ecert_credential::encode_b64(&[0u8; 3]).into(),
        ];
        for edit in wrong {
            let err = open(edit);
            assert!(matches!(err, KeystoreError::WrongPassphrase(_)), "{err}");
        }
        // Malformed texts, unknown formats and parameters that would stall never reach Argon2.
        let invalid: [&dyn Fn(&mut serde_json::Value); 8] = [
            &|j| j["m_cost_kib"] = (MAX_M_COST_KIB + 1).into(),
            &|j| j["p_cost"] = 0.into(),
            &|j| j["kdf"] = "scrypt".into(),
            &|j| j["format"] = "ecert-passphrase-sealed/2".into(),
            &|j| j["salt"] = "!!".into(),
            &|j| j["salt"] = ecert_credential::encode_b64(&[1u8; 4]).into(),
            &|j| j["extra"] = 1.into(),
            &|j| j["sealed"] = serde_json::Value::Null,
        ];
        for edit in invalid {
            let err = open(edit);
            assert!(
                matches!(err, KeystoreError::InvalidPassphraseFile { .. }),
                "{err}"
            );
            assert!(err.to_string().starts_with("wallet.ecert: "), "{err}");
        }
        let err = open_with_passphrase("pw", "not json", origin()).unwrap_err();
        assert!(
            matches!(err, KeystoreError::InvalidPassphraseFile { .. }),
            "{err}"
        );
    }

    #[test]
    fn errors_leak_no_plaintext() {
        let text = seal_with_passphrase_using("pw", b"Li Hua", CHEAP).unwrap();
        let err = open_with_passphrase("nope", &text, origin()).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("Li Hua") && !shown.contains("nope"), "{shown}");
    }
}
