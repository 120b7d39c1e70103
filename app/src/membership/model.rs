//! A person's place in a review: their role, shared by browser and server.

named_enum! {
    /// A person's role in one review.
    pub enum Role {
        /// The peer challenge manager (LGA) or Improvement Service facilitator who runs the review.
        Facilitator = "facilitator" => "Facilitator",
        /// The lead peer of the team.
        TeamLead = "team_lead" => "Peer team lead",
        /// A peer reviewer.
        Peer = "peer" => "Peer reviewer",
        /// The host council's lead contact.
        HostLead = "host_lead" => "Host lead",
        /// Someone at the host council who reads the draft.
        HostReader = "host_reader" => "Host reader",
        /// Someone watching the process, such as a shadowing officer.
        Observer = "observer" => "Observer",
    }
}

impl Role {
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
