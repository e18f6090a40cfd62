//! `ecert demo`: the whole system in one run. The services start in-process on an ephemeral loopback port
//! over a temporary data directory, and every party talks to them over real HTTP with real tokens:
//! departments of two regions issue, a holder answers four verifiers, an over-asking request is refused,
//! a replay is rejected, a revoked licence fails, a university rotates its key, and a regulator audits the
//! registry's log. For every verifier it prints what the certificate holds beside what the verifier
//! learned.

use std::time::Instant;

use ecert_api::{
    Client, ClientError, ConsistencyQuery, KeyPublication, KeyStatusChange, KeyStatusName,
    NewPresentationRequest, Page, StatusAction, StatusChange, VerificationResult,
};
use ecert_credential::{Catalogue, Certificate, PresentationRequest, RegistryView, RequestItem, TypeId};
use ecert_holder::Wallet;
use ecert_registry::VerifyingKey;
use ecert_sample::{Platform, country as sample};
use ecert_server::auth::{AccessRole, PlatformKey};
use serde_json::{Value, json};

type DemoResult<T> = Result<T, String>;

fn failed(error: ClientError) -> String {
    error.to_string()
}

/// Runs the demo, printing to stdout.
pub async fn run() -> DemoResult<()> {
    let started = Instant::now();
    let platform = Platform::start().await?;
    println!(
        "ecert demo: registry, issuers and verifiers serving on {} (temporary data directory)",
        platform.url()
    );
    let outcome = play(&platform.client, &platform.platform, &platform.registry_key).await;
    platform.stop().await?;
    outcome?;
    println!("\ndemo finished in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// One request item: a type, what to disclose and which claims must hold.
fn item(id: &str, type_id: &str, disclose: &[&str], claims: &[&str]) -> DemoResult<RequestItem> {
    Ok(RequestItem {
        id: id.into(),
        types: vec![TypeId::new(type_id).map_err(|e| e.to_string())?],
        issuers: None,
        disclose: disclose.iter().map(|s| s.to_string()).collect(),
        claims: claims.iter().map(|s| s.to_string()).collect(),
    })
}

struct Parties<'a> {
    base: &'a Client,
    platform: &'a PlatformKey,
    registry_key: &'a VerifyingKey,
}

impl Parties<'_> {
    fn with(&self, role: AccessRole, scope: Option<&str>) -> DemoResult<Client> {
        Ok(self.base.with_token(&sample::token(self.platform, role, scope)?))
    }

    async fn registry(&self) -> DemoResult<(RegistryView, Catalogue)> {
        let (view, catalogue, _) = self
            .base
            .registry_state(self.registry_key)
            .await
            .map_err(failed)?;
        Ok((view, catalogue))
    }

    async fn issue(
        &self,
        issuer: &str,
        type_id: &str,
        attributes: Value,
        key: &str,
    ) -> DemoResult<Certificate> {
        let department = self.with(AccessRole::Issuer, Some(issuer))?;
        let (_, answer) = department
            .issue(issuer, key, &sample::issue_body(type_id, attributes))
            .await
            .map_err(failed)?;
        let certificate = answer.certificate;
        println!(
            "  {issuer} issued {type_id} serial {} (status list {} #{}, key {})",
            &certificate.serial[..8],
            certificate.status.list,
            certificate.status.index,
            certificate.key_id
        );
        Ok(certificate)
    }

    /// A verifier asks, the holder fetches the request, sees the consent summary, agrees and answers.
    async fn present(
        &self,
        wallet: &Wallet,
        verifier: &str,
        purpose: &str,
        items: Vec<RequestItem>,
    ) -> DemoResult<(
        PresentationRequest,
        ecert_credential::Presentation,
        VerificationResult,
    )> {
        let desk = self.with(AccessRole::Verifier, Some(verifier))?;
        let request = desk
            .create_request(verifier, &asking(purpose, items))
            .await
            .map_err(failed)?;
        let fetched = self
            .base
            .fetch_request(verifier, &request.nonce)
            .await
            .map_err(failed)?;
        let (view, catalogue) = self.registry().await?;
        let consent = wallet
            .prepare(&fetched, &view, &catalogue, ecert_server::clock::now())
            .map_err(|e| format!("the wallet refused: {e}"))?;
        println!(
            "  holder's consent screen: {} asks, for \"{}\" ({}):",
            consent.verifier_name, consent.purpose_description, consent.legal_basis
        );
        for item in &consent.items {
            let attributes: Vec<&str> = item.attributes.iter().map(|(name, _)| name.as_str()).collect();
            let claims: Vec<&str> = item.claims.iter().map(|(name, _)| name.as_str()).collect();
            println!(
                "    from the {} by {}: attributes [{}], claims [{}]; the holder agrees",
                item.type_name,
                item.issuer,
                attributes.join(", "),
                claims.join(", ")
            );
        }
        let presentation = wallet
            .present(&mut rand_core::OsRng, &fetched, &consent, &view, &catalogue)
            .map_err(|e| format!("the wallet refused: {e}"))?;
        let result = self.base.submit(&fetched, &presentation).await.map_err(failed)?;
        Ok((fetched, presentation, result))
    }
}

/// A request body: `items` under `purpose`, with the service's lifetime.
fn asking(purpose: &str, items: Vec<RequestItem>) -> NewPresentationRequest {
    NewPresentationRequest {
        purpose: purpose.into(),
        items,
        ttl_secs: None,
    }
}

/// What the certificate holds beside what the verifier learned, one line per attribute and claim.
fn side_by_side(verifier: &str, certificate: &Certificate, result: &VerificationResult) {
    let row = |name: &str, holds: &str, learned: &str| println!("  {name:<28} {holds:<44} {learned}");
    let learned = match result {
        VerificationResult::Valid(verified) => verified.items.first(),
        VerificationResult::Invalid(_) => None,
    };
    row("", "the certificate holds", &format!("{verifier} learned"));
    for (name, value) in &certificate.attributes {
        let shown = learned
            .and_then(|l| l.disclosed.get(name))
            .map_or_else(|| "-".to_owned(), compact);
        row(name, &compact(value), &shown);
    }
    for (name, value) in &certificate.claims {
        let shown = learned
            .and_then(|l| l.claims.get(name))
            .map_or_else(|| "-".to_owned(), |claim| claim.to_string());
        row(&format!("{name} (claim)"), &value.to_string(), &shown);
    }
    row(
        "validity",
        &format!("{} to {}", certificate.valid_from, certificate.valid_until),
        &learned.map_or_else(
            || "-".to_owned(),
            |l| format!("{} to {}", l.valid_from, l.valid_until),
        ),
    );
    row(
        "issuer",
        &certificate.issuer,
        learned.map_or("-", |l| l.issuer.as_str()),
    );
}

fn compact(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 42 {
        format!("{}...", text.chars().take(39).collect::<String>())
    } else {
        text
    }
}

fn outcome(result: &VerificationResult) -> String {
    match result {
        VerificationResult::Valid(_) => "ACCEPTED".to_owned(),
        VerificationResult::Invalid(failure) => format!("REJECTED ({})", failure.code),
    }
}

async fn play(base: &Client, platform: &PlatformKey, registry_key: &VerifyingKey) -> DemoResult<()> {
    let parties = Parties {
        base,
        platform,
        registry_key,
    };
    println!(
        "\n1. The registry administrator registers certificate types, issuers, their keys and verifiers"
    );
    sample::set_up(base, platform).await.map_err(failed)?;
    let (view, _) = parties.registry().await?;
    for issuer in view.issuers.values() {
        println!(
            "  issuer   {:<20} {} (region {})",
            issuer.id, issuer.name, issuer.region
        );
    }
    for verifier in view.verifiers.values() {
        println!(
            "  verifier {:<20} {} (region {})",
            verifier.id, verifier.name, verifier.region
        );
    }

    println!("\n2. Departments of two regions issue certificates");
    let mut person = Wallet::new();
    let id_card = parties
        .issue(
            "110000-psb",
            "cn.resident-id-card/1",
            sample::id_card(),
            "demo-id",
        )
        .await?;
    person.add(id_card.clone());
    let mut neighbour_card = sample::id_card();
    neighbour_card["name"] = json!("Chen Wei");
    neighbour_card["sex"] = json!("male");
    neighbour_card["birth_date"] = json!("1985-11-20");
    neighbour_card["id_number"] = json!("440106198511200017");
    neighbour_card["address"] = json!("9 Tianhe Rd, Tianhe, Guangzhou");
    neighbour_card["residence_region"] = json!("440106");
    neighbour_card["issuing_authority"] = json!("Guangzhou PSB Tianhe Branch");
    parties
        .issue(
            "440000-psb",
            "cn.resident-id-card/1",
            neighbour_card,
            "demo-id-gd",
        )
        .await?;
    let licence = parties
        .issue(
            "440000-traffic",
            "cn.driving-licence/1",
            sample::driving_licence(),
            "demo-dl",
        )
        .await?;
    person.add(licence.clone());
    let degree = parties
        .issue(
            "110000-university",
            "cn.academic-degree/1",
            sample::degree(),
            "demo-degree",
        )
        .await?;
    person.add(degree.clone());
    let mut enterprise = Wallet::new();
    let business = parties
        .issue(
            "110000-samr",
            "cn.business-licence/1",
            sample::business_licence(),
            "demo-bl",
        )
        .await?;
    enterprise.add(business.clone());

    println!("\n3. A car-rental desk in Beijing checks a Guangdong driving licence: valid, over 18");
    let licence_items = vec![item(
        "licence",
        "cn.driving-licence/1",
        &["licence_class"],
        &["age_over_18"],
    )?];
    let (rental_request, rental_presentation, result) = parties
        .present(&person, "110105-car-rental", "rent-a-car", licence_items.clone())
        .await?;
    println!("  result: {}", outcome(&result));
    side_by_side("the desk", &licence, &result);

    println!("\n4. An employer checks the degree, and nothing else");
    let degree_items = vec![item(
        "degree",
        "cn.academic-degree/1",
        &["degree_level", "degree_field", "institution"],
        &[],
    )?];
    let (_, _, result) = parties
        .present(&person, "110108-employer", "hiring", degree_items.clone())
        .await?;
    println!("  result: {}", outcome(&result));
    side_by_side("the employer", &degree, &result);

    println!("\n5. A hospital in Guangdong checks a Beijing ID card: the residence region only");
    let (_, _, result) = parties
        .present(
            &person,
            "440106-hospital",
            "cross-region-care",
            vec![item("id", "cn.resident-id-card/1", &["residence_region"], &[])?],
        )
        .await?;
    println!("  result: {}", outcome(&result));
    side_by_side("the hospital", &id_card, &result);

    println!("\n6. A bank checks an enterprise's business licence");
    let (_, _, result) = parties
        .present(
            &enterprise,
            "110101-bank",
            "corporate-account",
            vec![item(
                "licence",
                "cn.business-licence/1",
                &[
                    "enterprise_name",
                    "unified_social_credit_code",
                    "legal_representative",
                    "registration_region",
                ],
                &[],
            )?],
        )
        .await?;
    println!("  result: {}", outcome(&result));
    side_by_side("the bank", &business, &result);

    println!("\n7. The car-rental desk over-asks for the birth date and the ID number");
    let desk = parties.with(AccessRole::Verifier, Some("110105-car-rental"))?;
    let greedy = vec![item(
        "licence",
        "cn.driving-licence/1",
        &["licence_class", "birth_date", "id_number"],
        &[],
    )?];
    match desk
        .create_request("110105-car-rental", &asking("rent-a-car", greedy))
        .await
    {
        Err(error) => println!("  the verifier service refuses to send it: {error}"),
        Ok(_) => return Err("an over-asking request was accepted".into()),
    }
    // A request made outside the service (a rogue app) meets the holder's own check.
    let (view, catalogue) = parties.registry().await?;
    let rogue = ecert_verifier::build_request(
        &mut rand_core::OsRng,
        "110105-car-rental",
        "rent-a-car",
        vec![item(
            "licence",
            "cn.driving-licence/1",
            &["licence_class", "birth_date"],
            &[],
        )?],
        ecert_server::clock::now() + 300,
    );
    match person.prepare(&rogue, &view, &catalogue, ecert_server::clock::now()) {
        Err(refusal) => println!("  the holder's wallet refuses a hand-made one too: {refusal}"),
        Ok(_) => return Err("the wallet accepted an over-asking request".into()),
    }

    println!("\n8. Someone replays the presentation the desk received");
    match base.submit(&rental_request, &rental_presentation).await {
        Err(error) => println!("  rejected: {error}"),
        Ok(_) => return Err("a replayed presentation was accepted".into()),
    }

    println!("\n9. The traffic police revoke the licence; the next check fails on the signed status list");
    let police = parties.with(AccessRole::Issuer, Some("440000-traffic"))?;
    police
        .change_status(
            "440000-traffic",
            &licence.serial,
            StatusAction::Revoke,
            &StatusChange {
                reason: Some("licence withdrawn after a court ruling".into()),
            },
        )
        .await
        .map_err(failed)?;
    let list = base
        .status_list("440000-traffic", &licence.status.list)
        .await
        .map_err(failed)?;
    println!(
        "  status list {} is now version {} ({} bytes compressed)",
        list.list,
        list.version,
        list.entries.len()
    );
    let (_, _, result) = parties
        .present(&person, "110105-car-rental", "rent-a-car", licence_items)
        .await?;
    println!("  result: {}", outcome(&result));

    println!("\n10. The university rotates its key; degrees signed with the old key still verify");
    let university = parties.with(AccessRole::Issuer, Some("110000-university"))?;
    let k2 = university
        .create_issuer_key("110000-university", "k2")
        .await
        .map_err(failed)?;
    let admin = parties.with(AccessRole::RegistryAdmin, None)?;
    admin
        .publish_key(
            "110000-university",
            &KeyPublication {
                key_id: "k2".into(),
                public_key: k2.public_key,
                not_before: sample::today(),
                not_after: sample::LAST_DAY.into(),
                suite: None,
            },
        )
        .await
        .map_err(failed)?;
    admin
        .change_key_status(
            "110000-university",
            "k1",
            &KeyStatusChange {
                status: KeyStatusName::Retired,
                reason: None,
            },
        )
        .await
        .map_err(failed)?;
    let mut graduate = Wallet::new();
    let mut second = sample::degree();
    second["name"] = json!("Zhao Min");
    second["certificate_number"] = json!("1000542026000456");
    graduate.add(
        parties
            .issue(
                "110000-university",
                "cn.academic-degree/1",
                second,
                "demo-degree-2",
            )
            .await?,
    );
    let (_, _, old_key) = parties
        .present(&person, "110108-employer", "hiring", degree_items.clone())
        .await?;
    let (_, _, new_key) = parties
        .present(&graduate, "110108-employer", "hiring", degree_items)
        .await?;
    println!(
        "  degree under retired key k1: {}; degree under k2: {}",
        outcome(&old_key),
        outcome(&new_key)
    );

    println!("\n11. A regulator audits the registry's log");
    audit(&parties).await?;
    Ok(())
}

async fn audit(parties: &Parties<'_>) -> DemoResult<()> {
    let heads = parties
        .base
        .tree_heads(Page::default())
        .await
        .map_err(failed)?
        .tree_heads;
    let (first, last) = match (heads.first(), heads.last()) {
        (Some(first), Some(last)) => (first, last),
        _ => return Err("the registry has signed no tree head".into()),
    };
    for head in &heads {
        head.verify(parties.registry_key)
            .map_err(|e| format!("tree head {}: {e}", head.size))?;
    }
    let proof = parties
        .base
        .consistency_proof(ConsistencyQuery {
            old_size: first.size,
            new_size: Some(last.size),
        })
        .await
        .map_err(failed)?;
    let hashes = proof
        .hashes
        .iter()
        .map(|h| {
            let bytes = ecert_credential::decode_b64(h).map_err(|e| e.to_string())?;
            bytes.try_into().map_err(|_| "a hash is 32 bytes".to_string())
        })
        .collect::<DemoResult<Vec<[u8; 32]>>>()?;
    ecert_registry::check_heads(parties.registry_key, first, last, &hashes).map_err(|e| e.to_string())?;
    println!(
        "  {} signed tree heads verify under the registry key; size {} extends size {} (consistency proof)",
        heads.len(),
        last.size,
        first.size
    );
    let snapshot = parties.base.snapshot().await.map_err(failed)?;
    let report = ecert_registry::audit(&snapshot.entries, ecert_registry::AuditPolicy::default())
        .map_err(|e| e.to_string())?;
    println!(
        "  replayed {} entries: {} issuers, {} verifiers; anomalies: {}",
        snapshot.entries.len(),
        report.state.issuers.len(),
        report.state.verifiers.len(),
        if report.anomalies.is_empty() {
            "none".to_owned()
        } else {
            format!("{:?}", report.anomalies)
        }
    );
    if let Some(keys) = ecert_registry::key_history(&report.state, "110000-university") {
        let history: Vec<String> = keys
            .iter()
            .map(|k| format!("{} {:?}", k.key_id, k.state))
            .collect();
        println!("  key history of 110000-university: {}", history.join(", "));
    }
    let regulator = parties.with(AccessRole::Regulator, None)?;
    let records = regulator
        .audit_verifications(&ecert_api::AuditFilter::default())
        .await
        .map_err(failed)?
        .verifications;
    let accepted = records.iter().filter(|r| r.outcome == "valid").count();
    println!(
        "  {} verification records ({} accepted), each naming what was disclosed and holding no value",
        records.len(),
        accepted
    );
    if let Some(record) = records.first() {
        println!(
            "  e.g. {}",
            serde_json::to_string(record).map_err(|e| e.to_string())?
        );
    }
    Ok(())
}
