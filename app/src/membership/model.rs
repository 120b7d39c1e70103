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
        /// In a Peer Collaborative Improvement only: a colleague of the host council who takes
        /// part in the fieldwork with the peers, writes notes and reads the wall.
        Fieldwork = "host_fieldwork" => "Host fieldwork member",
    }
}

impl Role {
    /// The facilitator and the peers: the people who may see notes and who wrote them.
    pub fn is_peer_team(self) -> bool {
        matches!(self, Role::Facilitator | Role::TeamLead | Role::Peer)
    }

    /// People from the host council who do not take part in the fieldwork: they never read notes.
    pub fn is_host(self) -> bool {
        matches!(self, Role::HostLead | Role::HostReader)
    }

    /// The people who interview and write notes: the peer team, and in a Peer Collaborative
    /// Improvement the host colleagues in the fieldwork role. They work in pairs.
    pub fn does_fieldwork(self) -> bool {
        self.is_peer_team() || self == Role::Fieldwork
    }

    /// Whether a review of `programme` may have members in this role: the fieldwork role exists
    /// only where the host council leads the fieldwork (a PCI).
    pub fn exists_in(self, programme: crate::review::ReviewType) -> bool {
        self != Role::Fieldwork
            || programme == crate::review::ReviewType::PeerCollaborativeImprovement
    }

    /// The roles a review of `programme` may have.
    pub fn in_programme(programme: crate::review::ReviewType) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|role| role.exists_in(programme))
            .collect()
    }

    /// Host colleagues: the roles the host lead of a PCI may invite.
    pub fn is_host_colleague(self) -> bool {
        matches!(self, Role::HostReader | Role::Fieldwork)
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
        assert!(!Role::Fieldwork.is_peer_team() && !Role::Fieldwork.is_host());
        assert!(Role::Fieldwork.does_fieldwork() && !Role::HostLead.does_fieldwork());
    }

    #[test]
    fn the_fieldwork_role_exists_only_in_a_pci() {
        use crate::review::ReviewType::{LgaCorporatePeerChallenge, PeerCollaborativeImprovement};
        assert!(!Role::in_programme(LgaCorporatePeerChallenge).contains(&Role::Fieldwork));
        assert_eq!(
            Role::in_programme(PeerCollaborativeImprovement).len(),
            Role::ALL.len()
        );
        assert_eq!(
            Role::in_programme(LgaCorporatePeerChallenge).len(),
            Role::ALL.len() - 1
        );
    }
}
