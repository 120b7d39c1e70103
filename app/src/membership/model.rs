//! A person's place in a review: their role, shared by browser and server.

use serde::{Deserialize, Serialize};

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
}
