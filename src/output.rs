//! What the command line prints: a text for people by default, JSON with `--json` (for scripts), and the
//! pieces the texts are made of (tables, times, indented blocks).

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

/// Prints `value` as pretty JSON when `json`, else `human`.
pub fn print(json: bool, human: &str, value: &impl Serialize) {
    if json {
        match serde_json::to_string_pretty(value) {
            Ok(text) => println!("{text}"),
            Err(error) => eprintln!("ecert: cannot print the answer as JSON: {error}"),
        }
    } else {
        println!("{human}");
    }
}

/// Left-aligned columns under their headers; "(none)" under the headers when there are no rows.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut lines = vec![line(headers.iter().map(|h| (*h).to_owned()).collect())];
    if rows.is_empty() {
        lines.push("(none)".to_owned());
    }
    lines.extend(rows.into_iter().map(line));
    lines.join("\n")
}

/// A Unix time for people: `YYYY-MM-DD HH:MM:SS UTC`.
pub fn time(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{} {:02}:{:02}:{:02} UTC",
            ecert_credential::format_date(t.date()),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => format!("{unix} (Unix seconds)"),
    }
}

/// Every line of `text` indented by two spaces.
pub fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A JSON value (an attribute's) as a person reads it: strings without quotes.
pub fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// "tree head of size N, signed T".
pub fn tree_head(head: &ecert_registry::SignedTreeHead) -> String {
    format!("tree head of size {}, signed {}", head.size, time(head.timestamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_say_when_they_are_empty() {
        let rows = vec![
            vec!["a".to_owned(), "long cell".to_owned()],
            vec!["longer".to_owned(), "b".to_owned()],
        ];
        assert_eq!(
            table(&["X", "Y"], rows),
            "X       Y\na       long cell\nlonger  b"
        );
        assert_eq!(table(&["X", "Y"], Vec::new()), "X  Y\n(none)");
    }

    #[test]
    fn times_are_utc_to_the_second() {
        assert_eq!(time(1_795_867_200), "2026-11-28 12:00:00 UTC");
        assert_eq!(time(i64::MAX), format!("{} (Unix seconds)", i64::MAX));
    }
}
