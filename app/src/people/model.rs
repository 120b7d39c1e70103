//! People and roles, shared by browser and server.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Identifies a person (an account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub Uuid);

impl std::fmt::Display for PersonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A person's role in one review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The peer challenge manager (LGA) or Improvement Service facilitator who runs the review.
    Facilitator,
    /// The lead peer of the team.
    TeamLead,
    /// A peer reviewer.
    Peer,
    /// The host council's lead contact.
    HostLead,
    /// Someone at the host council who reads the draft.
    HostReader,
    /// Someone watching the process, such as a shadowing officer.
    Observer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Facilitator,
        Role::TeamLead,
        Role::Peer,
        Role::HostLead,
        Role::HostReader,
        Role::Observer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Role::Facilitator => "Facilitator",
            Role::TeamLead => "Peer team lead",
            Role::Peer => "Peer reviewer",
            Role::HostLead => "Host lead",
            Role::HostReader => "Host reader",
            Role::Observer => "Observer",
        }
    }

    /// The stable name stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Facilitator => "facilitator",
            Role::TeamLead => "team_lead",
            Role::Peer => "peer",
            Role::HostLead => "host_lead",
            Role::HostReader => "host_reader",
            Role::Observer => "observer",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// The facilitator and the peers: the people who may see notes and who wrote them.
    pub fn is_peer_team(self) -> bool {
        matches!(self, Role::Facilitator | Role::TeamLead | Role::Peer)
    }

    /// People from the host council.
    pub fn is_host(self) -> bool {
        matches!(self, Role::HostLead | Role::HostReader)
    }
}

/// The signed-in person making a request, as the server resolved it from the session cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub id: PersonId,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
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
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn the_peer_team_and_the_host_do_not_overlap() {
        for role in Role::ALL {
            assert!(!(role.is_peer_team() && role.is_host()), "{role:?}");
        }
        assert!(!Role::Observer.is_peer_team() && !Role::Observer.is_host());
    }

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
}

/// A new invitation's link, for the inviter to pass on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLink {
    /// The path of the link, `/invitations/<token>`; the browser adds its own origin.
    pub path: String,
    pub email: String,
    pub role: Role,
    /// When the link stops working, as people read dates.
    pub expires: String,
}

/// What the person holding an invitation link sees before accepting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub review: crate::review::ReviewId,
    pub review_title: String,
    pub host_authority: String,
    pub role: Role,
    pub email: String,
    /// Whether the email already has an account (then its password is asked for, not a new one).
    pub has_account: bool,
}

/// One line of a review's audit trail, as the facilitator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When, as people read it (UTC).
    pub at: String,
    pub kind: String,
    /// Who did it, by name; none for events without a signed-in person.
    pub actor: Option<String>,
    pub detail: String,
}
