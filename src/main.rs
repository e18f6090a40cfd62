//! `ecert`: the command line and the HTTP services (the shell around the role crates).
//!
//! The CLI (init, serve, token, registry, issuer, wallet, verifier, audit) and the full multi-party demo
//! arrive with their own issues; until then `ecert demo` shows the BBS core at work on one certificate.

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("--version") | Some("-V") => {
            println!("ecert {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("demo") | None => demo(),
        Some(other) => {
            eprintln!("ecert: unknown command {other:?}; try `ecert demo` or `ecert --version`");
            ExitCode::from(2)
        }
    }
}

/// A university signs a degree certificate of three attributes; the holder shows an employer the degree
/// alone, bound to the employer's nonce; the employer verifies and learns nothing else.
fn demo() -> ExitCode {
    use ecert_bbs::{Bls12381Sha256, SecretKey};

    let mut key_material = [0u8; 32];
    let mut rng = rand_core::OsRng;
    rand_core::RngCore::fill_bytes(&mut rng, &mut key_material);
    let result = (|| -> Result<(), ecert_bbs::Error> {
        let sk = SecretKey::key_gen::<Bls12381Sha256>(&key_material, b"university key 1", None)?;
        let pk = sk.public_key();
        let header = b"ecert/v1 degree certificate";
        let messages: [&[u8]; 3] = [
            b"name: Li Hua",
            b"degree: bachelor of engineering",
            b"id: 110101199003078888",
        ];
        let signature = ecert_bbs::sign::<Bls12381Sha256>(&sk, &pk, header, &messages)?;
        ecert_bbs::verify::<Bls12381Sha256>(&pk, &signature, header, &messages)?;
        println!("issuer signed {} attributes:", messages.len());
        for m in messages {
            println!("  {}", String::from_utf8_lossy(m));
        }
        let nonce = b"employer nonce 5f1c";
        let proof = ecert_bbs::proof_gen::<Bls12381Sha256, _>(
            &mut rng,
            &pk,
            &signature,
            header,
            nonce,
            &messages,
            &[1],
        )?;
        ecert_bbs::proof_verify::<Bls12381Sha256>(&pk, &proof, header, nonce, &[(1, messages[1])])?;
        println!(
            "employer verified a {}-byte proof and learned only:",
            proof.to_bytes().len()
        );
        println!("  {}", String::from_utf8_lossy(messages[1]));
        let replayed = ecert_bbs::proof_verify::<Bls12381Sha256>(
            &pk,
            &proof,
            header,
            b"another nonce",
            &[(1, messages[1])],
        );
        println!(
            "the same proof replayed against another nonce: {}",
            match replayed {
                Ok(()) => "accepted (wrong!)".to_string(),
                Err(e) => format!("rejected ({e})"),
            }
        );
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ecert demo failed: {error}");
            ExitCode::FAILURE
        }
    }
}
