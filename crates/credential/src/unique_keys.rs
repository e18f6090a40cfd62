//! Deserialising a JSON object while refusing repeated member names.
//!
//! serde_json keeps the last of two members with the same name; another implementation may keep the
//! first. For signed attribute values that difference would let two parties read one document two ways,
//! so ecert's documents refuse repeated names outright.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, Error, MapAccess, Visitor};

/// For `#[serde(deserialize_with = "...")]` on a map field.
pub(crate) fn deserialize<'de, D, V, M>(deserializer: D) -> Result<M, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
    M: Default + Extend<(String, V)>,
{
    struct UniqueKeys<V, M>(PhantomData<(V, M)>);

    impl<'de, V, M> Visitor<'de> for UniqueKeys<V, M>
    where
        V: Deserialize<'de>,
        M: Default + Extend<(String, V)>,
    {
        type Value = M;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object with distinct member names")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<M, A::Error> {
            let mut seen = HashSet::new();
            let mut out = M::default();
            while let Some((name, value)) = map.next_entry::<String, V>()? {
                if !seen.insert(name.clone()) {
                    return Err(A::Error::custom(format!("member {name:?} appears twice")));
                }
                out.extend([(name, value)]);
            }
            Ok(out)
        }
    }

    deserializer.deserialize_map(UniqueKeys(PhantomData))
}
