//! Every example in specs/openapi.yaml (request bodies and responses, inline or `$ref`erenced from
//! `components/examples`) is valid against the schema it illustrates, by JSON Schema 2020-12 (the
//! dialect of OpenAPI 3.1), with the spec's own `components` for `$ref`s. And a broken example is
//! caught, so the check cannot pass by checking nothing.
//!
//! crates/server/tests/openapi.rs holds the spec to the code (routes, error codes); this file holds the spec's
//! examples to its schemas. What the services really answer is checked against the same types by
//! tests/services.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use serde_json::{Value, json};

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/openapi.yaml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("specs/openapi.yaml is not YAML: {e}"))
}

/// One example and the schema it illustrates.
struct Example {
    place: String,
    schema: Value,
    value: Value,
}

/// An example's value, following a `$ref` into `components/examples`.
fn example_value(spec: &Value, example: &Value, place: &str) -> Value {
    match example.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/examples/")
                .unwrap_or_else(|| panic!("{place}: unexpected example reference {reference}"));
            let target = &spec["components"]["examples"][name];
            assert!(target.is_object(), "{place}: no example {name} in components");
            target["value"].clone()
        }
        None => example["value"].clone(),
    }
}

/// Every example under a `content` map (by media type).
fn examples_in(spec: &Value, content: &Value, place: &str, found: &mut Vec<Example>) {
    for (media_type, media) in content.as_object().into_iter().flatten() {
        let place = format!("{place} {media_type}");
        let Some(schema) = media.get("schema") else {
            assert!(
                media.get("example").is_none() && media.get("examples").is_none(),
                "{place}: an example without a schema"
            );
            continue;
        };
        if let Some(value) = media.get("example") {
            found.push(Example {
                place: place.clone(),
                schema: schema.clone(),
                value: value.clone(),
            });
        }
        for (name, example) in media
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let place = format!("{place} example {name:?}");
            found.push(Example {
                value: example_value(spec, example, &place),
                place,
                schema: schema.clone(),
            });
        }
    }
}

/// Every example of every operation's request body and responses.
fn all_examples(spec: &Value) -> Vec<Example> {
    let mut found = Vec::new();
    let paths = spec["paths"].as_object().expect("the spec has paths");
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().into_iter().flatten() {
            if method == "parameters" {
                continue;
            }
            let place = format!("{} {path}", method.to_uppercase());
            if let Some(content) = operation.pointer("/requestBody/content") {
                examples_in(spec, content, &format!("{place} request"), &mut found);
            }
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                if let Some(content) = response.get("content") {
                    examples_in(spec, content, &format!("{place} {status}"), &mut found);
                }
            }
        }
    }
    found
}

/// A validator for `schema`, with the spec's components beside it for `$ref`s.
fn validator(spec: &Value, schema: &Value, place: &str) -> jsonschema::Validator {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": spec["components"],
        "allOf": [schema],
    });
    jsonschema::draft202012::new(&root).unwrap_or_else(|e| panic!("{place}: the schema is invalid: {e}"))
}

fn errors(spec: &Value, example: &Example) -> Vec<String> {
    validator(spec, &example.schema, &example.place)
        .iter_errors(&example.value)
        .map(|error| format!("{error} (at {:?})", error.instance_path().as_str()))
        .collect()
}

#[test]
fn every_example_is_valid_against_its_schema() {
    let spec = spec();
    let examples = all_examples(&spec);
    // The spec illustrates issuance, requests, presentations, results, status lists, the registry...
    assert!(examples.len() >= 20, "only {} examples found", examples.len());
    let failures: Vec<String> = examples
        .iter()
        .flat_map(|example| {
            errors(&spec, example)
                .into_iter()
                .map(move |error| format!("{}: {error}", example.place))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "examples that break their schemas:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_broken_example_is_caught() {
    let spec = spec();
    let examples = all_examples(&spec);
    let presentation = examples
        .iter()
        .find(|e| {
            e.place
                .starts_with("POST /v1/verifiers/{verifier}/requests/{nonce}/presentation request")
        })
        .expect("the presentation endpoint has a request example");
    assert!(errors(&spec, presentation).is_empty());

    let mut missing_proof = presentation.value.clone();
    missing_proof["items"][0]
        .as_object_mut()
        .expect("an item")
        .remove("proof");
    let mut wrong_type = presentation.value.clone();
    wrong_type["items"] = json!("not a list");
    for (what, value) in [("no proof", missing_proof), ("items not a list", wrong_type)] {
        let broken = Example {
            place: what.into(),
            schema: presentation.schema.clone(),
            value,
        };
        assert!(!errors(&spec, &broken).is_empty(), "{what}: not caught");
    }
}
