//! The certificate-type catalogue: every schema in specs/schemas/, compiled in and validated once.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::error::{Error, Result};
use crate::schema::{CertificateType, TypeId};

/// The schema files of specs/schemas/, by file name. A test checks that this list and the folder agree.
pub(crate) const SCHEMA_FILES: &[(&str, &str)] = &[
    (
        "cn.resident-id-card@1.json",
        include_str!("../../../specs/schemas/cn.resident-id-card@1.json"),
    ),
    (
        "cn.household-register@1.json",
        include_str!("../../../specs/schemas/cn.household-register@1.json"),
    ),
    (
        "cn.birth-medical-certificate@1.json",
        include_str!("../../../specs/schemas/cn.birth-medical-certificate@1.json"),
    ),
    (
        "cn.social-security-card@1.json",
        include_str!("../../../specs/schemas/cn.social-security-card@1.json"),
    ),
    (
        "cn.academic-degree@1.json",
        include_str!("../../../specs/schemas/cn.academic-degree@1.json"),
    ),
    (
        "cn.vocational-qualification@1.json",
        include_str!("../../../specs/schemas/cn.vocational-qualification@1.json"),
    ),
    (
        "cn.driving-licence@1.json",
        include_str!("../../../specs/schemas/cn.driving-licence@1.json"),
    ),
    (
        "cn.marriage-certificate@1.json",
        include_str!("../../../specs/schemas/cn.marriage-certificate@1.json"),
    ),
    (
        "cn.real-estate-title@1.json",
        include_str!("../../../specs/schemas/cn.real-estate-title@1.json"),
    ),
    (
        "cn.business-licence@1.json",
        include_str!("../../../specs/schemas/cn.business-licence@1.json"),
    ),
    (
        "cn.operating-permit@1.json",
        include_str!("../../../specs/schemas/cn.operating-permit@1.json"),
    ),
    (
        "cn.test-certification-report@1.json",
        include_str!("../../../specs/schemas/cn.test-certification-report@1.json"),
    ),
];

/// A set of certificate types by id.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    types: BTreeMap<TypeId, CertificateType>,
}

static BUILT_IN: LazyLock<Result<Catalogue>> = LazyLock::new(|| {
    let mut catalogue = Catalogue::default();
    for (file, text) in SCHEMA_FILES {
        let ty = CertificateType::from_json(text).map_err(|e| Error::Schema(format!("{file}: {e}")))?;
        catalogue.insert(ty)?;
    }
    Ok(catalogue)
});

impl Catalogue {
    /// The certificate types that ship with ecert (specs/schemas/). An error here means a schema file in
    /// the build is invalid, which the test suite rules out.
    pub fn built_in() -> Result<&'static Catalogue> {
        BUILT_IN.as_ref().map_err(Clone::clone)
    }

    /// Adds a type; a second type with the same id is refused.
    pub fn insert(&mut self, ty: CertificateType) -> Result<()> {
        if self.types.contains_key(&ty.id) {
            return Err(Error::Schema(format!("type {} is defined twice", ty.id)));
        }
        self.types.insert(ty.id.clone(), ty);
        Ok(())
    }

    /// The type with this id.
    pub fn get(&self, id: &str) -> Result<&CertificateType> {
        self.types
            .iter()
            .find(|(k, _)| k.as_str() == id)
            .map(|(_, v)| v)
            .ok_or_else(|| Error::UnknownType(id.chars().take(120).collect()))
    }

    /// Every type, by id.
    pub fn types(&self) -> impl Iterator<Item = &CertificateType> {
        self.types.values()
    }
}
