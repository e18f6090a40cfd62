//! `Debug` without personal data: the types that hold attribute values (certificates, presentations,
//! verification results, consent summaries, issuance requests) print which attributes they hold, never
//! what the values are, so that a `{:?}` in a log line, a panic message or a test failure leaks nothing.

use core::fmt;

/// Prints the names of a set of values as a map whose every value is withheld: `{"name": _, "sex": _}`.
pub struct NamesOnly<'a>(Vec<&'a str>);

impl<'a> NamesOnly<'a> {
    /// The names, in the order given.
    pub fn new(names: impl IntoIterator<Item = &'a str>) -> NamesOnly<'a> {
        NamesOnly(names.into_iter().collect())
    }
}

impl fmt::Debug for NamesOnly<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|name| (name, Withheld)))
            .finish()
    }
}

/// Stands for one value that is not printed.
#[derive(Clone, Copy)]
pub struct Withheld;

impl fmt::Debug for Withheld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("_")
    }
}
