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

/// What kind of body an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// A council: a host authority, or where peers work.
    Council,
    /// The Improvement Service (Scotland).
    ImprovementService,
    /// The Local Government Association (England).
    Lga,
    /// Anyone else: a fire authority, a national park, a partner body.
    Other,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 4] = [
        OrganisationKind::Council,
        OrganisationKind::ImprovementService,
        OrganisationKind::Lga,
        OrganisationKind::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            OrganisationKind::Council => "Council",
            OrganisationKind::ImprovementService => "Improvement Service",
            OrganisationKind::Lga => "Local Government Association",
            OrganisationKind::Other => "Other body",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Council => "council",
            OrganisationKind::ImprovementService => "improvement_service",
            OrganisationKind::Lga => "lga",
            OrganisationKind::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
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

    #[test]
    fn administrators_and_facilitator_accounts_create_reviews() {
        let mut caller = Caller {
            id: PersonId(Uuid::nil()),
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
    /// The review it invites to; none for an administrator's invitation to open a facilitator
    /// account, which may then create reviews.
    pub review: Option<crate::review::ReviewId>,
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
    /// The review it concerns, by title; in the administrators' trail across all reviews.
    #[serde(default)]
    pub review: Option<String>,
}
