//! Accounts: who a person is and who is signed in, shared by browser and server.

use serde::{Deserialize, Serialize};

use crate::organisations::OrganisationId;

uuid_id! {
    /// Identifies a person (an account).
    pub struct PersonId;
}

/// The signed-in person making a request, as the server resolved it from the session cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub id: PersonId,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    /// A facilitator account (invited by an administrator) that may create reviews.
    #[serde(default)]
    pub may_create_reviews: bool,
    /// The organisation the person works for, if they have said.
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
}

impl Caller {
    /// Whether this person may create a review (and so become its facilitator).
    pub fn can_create_reviews(&self) -> bool {
        self.is_admin || self.may_create_reviews
    }
}

/// Longest accepted email address (RFC 5321 path limit).
pub const MAX_EMAIL: usize = 254;
/// Longest accepted display name.
pub const MAX_NAME: usize = 120;
/// Shortest accepted password (NIST SP 800-63B) and the longest we hash.
pub const MIN_PASSWORD: usize = 12;
pub const MAX_PASSWORD: usize = 256;

/// Normalises an email address for storage and look-up, or says what is wrong with it.
pub fn normalise_email(email: &str) -> Result<String, &'static str> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err("Enter an email address.");
    }
    if email.chars().count() > MAX_EMAIL {
        return Err("That email address is too long (254 characters at most).");
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && !domain.contains('@') =>
        {
            Ok(email)
        }
        _ => Err("Enter an email address like name@council.gov.uk."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_normalised_or_explained() {
        assert_eq!(
            normalise_email("  Jo.Bloggs@Eastbrook.gov.uk "),
            Ok("jo.bloggs@eastbrook.gov.uk".into())
        );
        for bad in [
            "",
            "jo",
            "jo@",
            "@x.uk",
            "jo@localhost",
            "jo bloggs@x.uk",
            "a@b@c.uk",
            "jo@x.",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@x.uk", "a".repeat(260));
        assert!(normalise_email(&long).unwrap_err().contains("too long"));
    }

    #[test]
    fn administrators_and_facilitator_accounts_create_reviews() {
        let mut caller = Caller {
            id: PersonId(uuid::Uuid::nil()),
            name: "A".into(),
            email: "a@b.uk".into(),
            is_admin: false,
            may_create_reviews: false,
            organisation: None,
        };
        assert!(!caller.can_create_reviews());
        caller.may_create_reviews = true;
        assert!(caller.can_create_reviews());
        caller.may_create_reviews = false;
        caller.is_admin = true;
        assert!(caller.can_create_reviews());
    }
}

/// A password reset link an administrator issued, to pass on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResetLink {
    /// `/reset-password/<token>`; the browser adds its own origin.
    pub path: String,
    /// Whether it was also sent to the account's address (the site has a mail server).
    pub emailed: bool,
}
