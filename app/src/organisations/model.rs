//! Organisations: the councils and support bodies people work for, shared by browser and
//! server.

use serde::{Deserialize, Serialize};

/// Identifies an organisation: the key of its database record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrganisationId(pub String);

impl OrganisationId {
    /// Whether the id could be one (1 to 64 letters, digits or hyphens); the server checks it
    /// exists.
    pub fn is_valid(&self) -> bool {
        (1..=64).contains(&self.0.len())
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }
}

impl std::fmt::Display for OrganisationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

named_enum! {
    /// What kind of body an organisation is.
    pub enum OrganisationKind {
        /// A council: a host authority, or where peers work.
        Council = "council" => "Council",
        /// The Improvement Service (Scotland).
        ImprovementService = "improvement_service" => "Improvement Service",
        /// The Local Government Association (England).
        Lga = "lga" => "Local Government Association",
        /// Anyone else: a fire authority, a national park, a partner body.
        Other = "other" => "Other body",
    }
}

/// A council or support body; people belong to one, and a review's host is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
}

/// Longest accepted organisation name.
pub const MAX_ORGANISATION_NAME: usize = 200;

/// Tidies an organisation's name (trimmed, inner runs of spaces collapsed) or says what is wrong.
pub fn normalise_organisation_name(name: &str) -> Result<String, &'static str> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Enter the organisation's name.");
    }
    if name.chars().count() > MAX_ORGANISATION_NAME {
        return Err("That name is too long (200 characters at most).");
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_names_are_tidied_or_explained() {
        assert_eq!(
            normalise_organisation_name("  Eastbrook   Borough Council "),
            Ok("Eastbrook Borough Council".into())
        );
        assert!(normalise_organisation_name(" \t ").is_err());
        assert!(normalise_organisation_name(&"x".repeat(201)).is_err());
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(kind.as_str()), Some(kind));
        }
    }
}
