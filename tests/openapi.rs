//! The HTTP contract (specs/openapi.yaml) against the code: the routes `src/api/*.rs` define and the
//! operations the spec lists are the same (method, path) pairs, every operation has a unique `operationId`,
//! and the spec's table of error codes (`x-error-codes`) agrees with the codes `src/` answers, status
//! included, both ways.
//!
//! No YAML or Rust parser is used: the spec is read by indentation (path keys at two spaces, operations at
//! four, their fields at six) and the sources by scanning for `.route(` and `ApiError::...(` calls. The
//! scans refuse what they do not understand (a route whose path is not a literal, a `.nest`, a method
//! router other than get/post/put/delete/patch/...), so that a change of style fails here loudly rather
//! than silently leaving routes out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The method routers axum offers (`axum::routing::get` etc.), which are also OpenAPI's operation keys.
const METHODS: [&str; 8] = [
    "get", "post", "put", "delete", "patch", "head", "options", "trace",
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The `.rs` files under `dir`, recursively, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A source file with its `//` comment lines blanked (doc comments name routes and codes too), keeping
/// line numbers so that failures can point at the line.
fn source_without_comments(path: &Path) -> String {
    read(path)
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

fn relative(path: &Path) -> String {
    path.strip_prefix(manifest_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// If `text` (after whitespace) starts with a plain string literal, its contents and what follows.
fn string_literal(text: &str) -> Option<(String, &str)> {
    let body = text.trim_start().strip_prefix('"')?;
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &body[i + 1..])),
            '\\' => {
                let (_, escaped) = chars.next()?;
                value.push(escaped);
            }
            c => value.push(c),
        }
    }
    None
}

/// `text` starts with `(`: the text after the matching `)`, skipping string literals.
fn after_parenthesised(text: &str) -> &str {
    assert!(text.starts_with('('), "expected `(` at {:?}", head(text));
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[i + 1..];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses at {:?}", head(text));
}

/// The first characters of `text`, for messages.
fn head(text: &str) -> String {
    text.chars().take(80).collect()
}

/// The leading identifier of `text` and what follows it.
fn identifier(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    text.split_at(end)
}

// ---------------------------------------------------------------------------------------------------
// The code

/// Every (METHOD, path) the routers of `src/api/*.rs` define: `.route("PATH", get(a).post(b))`.
fn routes_in_code() -> BTreeSet<(String, String)> {
    let api = manifest_dir().join("src/api");
    let mut routes = BTreeSet::new();
    for file in rust_files(&api) {
        let text = source_without_comments(&file);
        let place = |offset: usize| format!("{}:{}", relative(&file), line_of(&text, offset));
        for forbidden in [".nest(", ".nest_service(", ".route_service("] {
            if let Some(offset) = text.find(forbidden) {
                panic!(
                    "{}: `{forbidden}` hides paths from this test; list each route with `.route(\"/v1/...\", ...)` \
                     or teach tests/openapi.rs to read it",
                    place(offset)
                );
            }
        }
        for (offset, _) in text.match_indices(".route(") {
            let rest = &text[offset + ".route(".len()..];
            let (path, rest) = string_literal(rest)
                .unwrap_or_else(|| panic!("{}: the route's path is not a string literal", place(offset)));
            let mut rest = rest
                .trim_start()
                .strip_prefix(',')
                .unwrap_or_else(|| panic!("{}: expected `,` after the path {path:?}", place(offset)));
            loop {
                let (method, after) = identifier(rest.trim_start());
                assert!(
                    METHODS.contains(&method),
                    "{}: route {path:?} uses `{method}(...)`; only {METHODS:?} are understood here",
                    place(offset)
                );
                assert!(
                    routes.insert((method.to_uppercase(), path.clone())),
                    "{}: {} {path} is routed twice",
                    place(offset),
                    method.to_uppercase()
                );
                rest = after_parenthesised(after.trim_start()).trim_start();
                match rest.strip_prefix('.') {
                    Some(chained) => rest = chained,
                    None => break,
                }
            }
            let rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
            assert!(
                rest.starts_with(')'),
                "{}: could not read the method chain of route {path:?} (at {:?})",
                place(offset),
                head(rest)
            );
        }
    }
    assert!(!routes.is_empty(), "no `.route(` found in {}", api.display());
    routes
}

/// One `ApiError` built with a literal code.
#[derive(Debug)]
struct CodeUse {
    code: String,
    status: u16,
    place: String,
}

/// The status of `StatusCode::NAME`.
fn status_number(name: &str) -> Option<u16> {
    Some(match name {
        "BAD_REQUEST" => 400,
        "UNAUTHORIZED" => 401,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "METHOD_NOT_ALLOWED" => 405,
        "NOT_ACCEPTABLE" => 406,
        "CONFLICT" => 409,
        "GONE" => 410,
        "PRECONDITION_FAILED" => 412,
        "PAYLOAD_TOO_LARGE" => 413,
        "UNSUPPORTED_MEDIA_TYPE" => 415,
        "UNPROCESSABLE_ENTITY" => 422,
        "TOO_MANY_REQUESTS" => 429,
        "INTERNAL_SERVER_ERROR" => 500,
        "SERVICE_UNAVAILABLE" => 503,
        _ => return None,
    })
}

/// Every error code `src/` answers with: the literal code argument of `ApiError::bad_request`,
/// `conflict`, `forbidden`, `unauthorized` and `new(StatusCode::..., "code", ...)` calls. (`not_found` and
/// `internal` are found inside their constructors in src/error.rs, which call `ApiError::new`.)
fn error_codes_in_code() -> Vec<CodeUse> {
    let constructors: [(&str, Option<u16>); 5] = [
        ("ApiError::bad_request(", Some(400)),
        ("ApiError::unauthorized(", Some(401)),
        ("ApiError::forbidden(", Some(403)),
        ("ApiError::conflict(", Some(409)),
        ("ApiError::new(", None),
    ];
    let mut uses = Vec::new();
    for file in rust_files(&manifest_dir().join("src")) {
        let text = source_without_comments(&file);
        for (needle, fixed_status) in constructors {
            for (offset, _) in text.match_indices(needle) {
                let place = format!("{}:{}", relative(&file), line_of(&text, offset));
                let mut rest = &text[offset + needle.len()..];
                let status = match fixed_status {
                    Some(status) => Some(status),
                    None => {
                        let (first, after) = rest
                            .split_once(',')
                            .unwrap_or_else(|| panic!("{place}: cannot read the arguments of ApiError::new"));
                        rest = after;
                        first.trim().strip_prefix("StatusCode::").and_then(status_number)
                    }
                };
                // A code passed on from a variable (the generic constructors themselves) is not a use.
                let Some((code, _)) = string_literal(rest) else {
                    continue;
                };
                let status = status.unwrap_or_else(|| {
                    panic!(
                        "{place}: cannot tell the status of code {code:?}; write `StatusCode::NAME` (and add \
                         NAME to status_number in tests/openapi.rs if it is new)"
                    )
                });
                assert!(
                    code.starts_with(|c: char| c.is_ascii_lowercase())
                        && code
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{place}: error code {code:?} is not snake_case"
                );
                uses.push(CodeUse { code, status, place });
            }
        }
    }
    assert!(!uses.is_empty(), "no ApiError construction found under src/");
    uses
}

// ---------------------------------------------------------------------------------------------------
// The spec

fn spec_text() -> String {
    read(&manifest_dir().join("specs/openapi.yaml"))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Whether a line carries nothing for the structure (blank or a comment).
fn is_blank(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.is_empty() || trimmed.starts_with('#')
}

/// The lines (numbered from 1) of the top-level block `key:`, without the key's own line.
fn top_level_block<'a>(spec: &'a str, key: &str) -> Vec<(usize, &'a str)> {
    let header = format!("{key}:");
    let mut lines = spec.lines().enumerate().map(|(i, line)| (i + 1, line));
    assert!(
        lines.any(|(_, line)| line.trim_end() == header),
        "specs/openapi.yaml has no top-level `{header}`"
    );
    lines
        .take_while(|(_, line)| is_blank(line) || indent(line) > 0)
        .filter(|(_, line)| !is_blank(line))
        .collect()
}

/// One operation of the spec's `paths`.
#[derive(Debug)]
struct Operation {
    method: String,
    path: String,
    operation_id: Option<String>,
    line: usize,
}

/// The operations under `paths:`: path keys at two spaces, operations at four, `operationId` at six.
fn spec_operations(spec: &str) -> Vec<Operation> {
    let mut operations: Vec<Operation> = Vec::new();
    let mut path: Option<String> = None;
    let mut in_operation = false;
    for (line_number, line) in top_level_block(spec, "paths") {
        let trimmed = line.trim();
        match indent(line) {
            2 => {
                let key = trimmed
                    .strip_suffix(':')
                    .unwrap_or_else(|| panic!("specs/openapi.yaml:{line_number}: expected a path key"));
                let key = key.trim_matches(|c| c == '"' || c == '\'');
                assert!(
                    key.starts_with('/'),
                    "specs/openapi.yaml:{line_number}: path {key:?} does not start with `/`"
                );
                path = Some(key.to_owned());
                in_operation = false;
            }
            4 => {
                let key = trimmed.strip_suffix(':').unwrap_or(trimmed);
                in_operation = METHODS.contains(&key);
                if in_operation {
                    let path = path.clone().unwrap_or_else(|| {
                        panic!("specs/openapi.yaml:{line_number}: operation outside a path")
                    });
                    operations.push(Operation {
                        method: key.to_uppercase(),
                        path,
                        operation_id: None,
                        line: line_number,
                    });
                }
            }
            6 if in_operation => {
                if let Some(id) = trimmed.strip_prefix("operationId:") {
                    let operation = operations.last_mut().unwrap();
                    let id = id.trim().trim_matches(|c| c == '"' || c == '\'');
                    assert!(
                        operation.operation_id.replace(id.to_owned()).is_none(),
                        "specs/openapi.yaml:{line_number}: a second operationId"
                    );
                }
            }
            _ => {}
        }
    }
    assert!(!operations.is_empty(), "specs/openapi.yaml lists no operations");
    operations
}

/// The top-level `x-error-codes` table: `- code: NAME` followed by `status: NUMBER`.
fn spec_error_table(spec: &str) -> BTreeMap<String, u16> {
    let mut table = BTreeMap::new();
    let mut current: Option<(String, usize)> = None;
    for (line_number, line) in top_level_block(spec, "x-error-codes") {
        let trimmed = line.trim();
        if let Some(code) = trimmed.strip_prefix("- code:") {
            if let Some((code, at)) = current.take() {
                panic!("specs/openapi.yaml:{at}: error code {code:?} has no status");
            }
            current = Some((code.trim().to_owned(), line_number));
        } else if let Some(status) = trimmed.strip_prefix("status:") {
            let (code, _) = current
                .take()
                .unwrap_or_else(|| panic!("specs/openapi.yaml:{line_number}: a status without a code"));
            let status: u16 = status
                .trim()
                .parse()
                .unwrap_or_else(|e| panic!("specs/openapi.yaml:{line_number}: status {status:?}: {e}"));
            assert!(
                table.insert(code.clone(), status).is_none(),
                "specs/openapi.yaml:{line_number}: error code {code:?} is listed twice"
            );
        }
    }
    if let Some((code, at)) = current {
        panic!("specs/openapi.yaml:{at}: error code {code:?} has no status");
    }
    assert!(!table.is_empty(), "specs/openapi.yaml: x-error-codes is empty");
    table
}

/// The codes named by the per-response lists `x-error-codes: [a, b]`.
fn spec_response_codes(spec: &str) -> Vec<(usize, String)> {
    spec.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let list = line.trim().strip_prefix("x-error-codes:")?.trim();
            let list = list.strip_prefix('[')?.strip_suffix(']')?;
            Some(list.split(',').map(move |code| (i + 1, code.trim().to_owned())))
        })
        .flatten()
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// The checks

#[test]
fn the_spec_lists_exactly_the_routes_of_the_code() {
    let code = routes_in_code();
    let operations = spec_operations(&spec_text());
    let mut spec = BTreeSet::new();
    for operation in &operations {
        assert!(
            spec.insert((operation.method.clone(), operation.path.clone())),
            "specs/openapi.yaml:{}: {} {} is listed twice",
            operation.line,
            operation.method,
            operation.path
        );
    }
    let show = |pairs: Vec<&(String, String)>| {
        pairs
            .iter()
            .map(|(method, path)| format!("\n  {method} {path}"))
            .collect::<String>()
    };
    let only_code: Vec<_> = code.difference(&spec).collect();
    let only_spec: Vec<_> = spec.difference(&code).collect();
    assert!(
        only_code.is_empty() && only_spec.is_empty(),
        "specs/openapi.yaml and src/api/*.rs disagree.\nRouted but not in the spec:{}\nIn the spec but not \
         routed:{}",
        show(only_code),
        show(only_spec)
    );
}

#[test]
fn every_operation_has_a_unique_operation_id() {
    let mut seen = BTreeMap::new();
    for operation in spec_operations(&spec_text()) {
        let id = operation.operation_id.unwrap_or_else(|| {
            panic!(
                "specs/openapi.yaml:{}: {} {} has no operationId",
                operation.line, operation.method, operation.path
            )
        });
        assert!(
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "specs/openapi.yaml:{}: operationId {id:?} is not camelCase",
            operation.line
        );
        if let Some(first) = seen.insert(id.clone(), operation.line) {
            panic!(
                "specs/openapi.yaml:{}: operationId {id:?} is already used at line {first}",
                operation.line
            );
        }
    }
}

#[test]
fn the_error_codes_of_the_code_and_the_spec_agree() {
    let spec = spec_text();
    let table = spec_error_table(&spec);
    let uses = error_codes_in_code();
    let mut problems = Vec::new();
    for used in &uses {
        match table.get(&used.code) {
            None => problems.push(format!(
                "{}: code {:?} (status {}) is not in the spec's x-error-codes",
                used.place, used.code, used.status
            )),
            Some(&status) if status != used.status => problems.push(format!(
                "{}: code {:?} is answered with status {} but the spec says {status}",
                used.place, used.code, used.status
            )),
            Some(_) => {}
        }
    }
    let used: BTreeSet<&str> = uses.iter().map(|u| u.code.as_str()).collect();
    for code in table.keys() {
        if !used.contains(code.as_str()) {
            problems.push(format!(
                "specs/openapi.yaml: x-error-codes lists {code:?}, which nothing under src/ answers"
            ));
        }
    }
    for (line, code) in spec_response_codes(&spec) {
        if !table.contains_key(&code) {
            problems.push(format!(
                "specs/openapi.yaml:{line}: a response names {code:?}, which is not in x-error-codes"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
