//! `ecert demo`, run as the real binary: it succeeds, and every verifier learned exactly what its
//! request asked and nothing else (the demo prints what each certificate holds beside what the verifier
//! learned).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::collections::BTreeSet;
use std::process::Command;

/// The names (attributes and claims) a section's table shows as learned, and those it shows as hidden.
fn learned_in(output: &str, section: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let start = output
        .find(section)
        .unwrap_or_else(|| panic!("no section {section:?} in:\n{output}"));
    let rest = &output[start..];
    let end = rest[1..].find("\n\n").map_or(rest.len(), |i| i + 1);
    let mut learned = BTreeSet::new();
    let mut hidden = BTreeSet::new();
    let mut in_table = false;
    for line in rest[..end].lines() {
        if line.contains("the certificate holds") {
            in_table = true;
            continue;
        }
        if !in_table || line.len() < 76 {
            continue;
        }
        let name = line[2..30].trim().trim_end_matches(" (claim)").to_owned();
        if name == "validity" || name == "issuer" {
            continue;
        }
        if line[76..].trim() == "-" {
            hidden.insert(name);
        } else {
            learned.insert(name);
        }
    }
    assert!(in_table, "section {section:?} has no table");
    (learned, hidden)
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn demo_shows_minimal_disclosure_for_every_verifier() {
    let output = Command::new(env!("CARGO_BIN_EXE_ecert"))
        .arg("demo")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let cases = [
        (
            "3. A car-rental desk",
            &["licence_class", "age_over_18"][..],
            &["birth_date", "id_number", "name"][..],
        ),
        (
            "4. An employer",
            &["degree_level", "degree_field", "institution"],
            &["id_number", "birth_date", "name"],
        ),
        (
            "5. A hospital",
            &["residence_region"],
            &["id_number", "address", "name", "birth_date"],
        ),
        (
            "6. A bank",
            &[
                "enterprise_name",
                "unified_social_credit_code",
                "legal_representative",
                "registration_region",
            ],
            &["registered_capital_cny", "address", "business_scope"],
        ),
    ];
    for (section, must, must_not) in cases {
        let (learned, hidden) = learned_in(&stdout, section);
        assert_eq!(learned, set(must), "{section}");
        for name in must_not {
            assert!(hidden.contains(*name), "{section}: {name} should be hidden");
        }
        let block = &stdout[stdout.find(section).unwrap()..];
        let result = block.lines().find(|l| l.contains("result:")).unwrap();
        assert!(result.contains("ACCEPTED"), "{section}: {result}");
    }
    for fact in [
        "the verifier service refuses to send it: over_asking",
        "the holder's wallet refuses a hand-made one too: over-asking",
        "rejected: nonce_used",
        "result: REJECTED (revoked)",
        "degree under retired key k1: ACCEPTED; degree under k2: ACCEPTED",
        "anomalies: none",
        "verify under the registry key",
    ] {
        assert!(stdout.contains(fact), "missing {fact:?} in:\n{stdout}");
    }
    // The audit record shown names what was disclosed but holds no value.
    let audit = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("e.g. {"))
        .unwrap();
    assert!(
        audit.contains("licence_class") && !audit.contains("C1"),
        "{audit}"
    );
}
