//! Who is on a board: the sockets open on this node, and the people other nodes report through
//! the database (`db::presence`), merged by person into the wall's presence frame.

use std::collections::{BTreeMap, HashMap};

use app::accounts::PersonId;
use app::wall::NoteId;
use app::wall::protocol::PresencePerson;
use app::wall::rules::Actor;

use crate::db::presence::NodePerson;

/// One open socket on this node.
struct Here {
    person: PersonId,
    name: String,
    pair: Option<i64>,
    dragging: Option<NoteId>,
}

/// The board's presence: this node's sockets (by connection id) and the other nodes' people.
#[derive(Default)]
pub(crate) struct Presence {
    here: HashMap<u64, Here>,
    elsewhere: Vec<NodePerson>,
}

impl Presence {
    pub(crate) fn join(&mut self, connection: u64, actor: &Actor) {
        let here = Here {
            person: actor.person,
            name: actor.name.clone(),
            pair: actor.pair,
            dragging: None,
        };
        self.here.insert(connection, here);
    }

    /// Whether the connection was here.
    pub(crate) fn leave(&mut self, connection: u64) -> bool {
        self.here.remove(&connection).is_some()
    }

    /// Whether what the connection drags changed.
    pub(crate) fn drag(&mut self, connection: u64, dragging: Option<NoteId>) -> bool {
        match self.here.get_mut(&connection) {
            Some(here) if here.dragging != dragging => {
                here.dragging = dragging;
                true
            }
            _ => false,
        }
    }

    /// Whether no socket is open on this node.
    pub(crate) fn nobody_here(&self) -> bool {
        self.here.is_empty()
    }

    /// This node's people, one entry a person, for the other nodes.
    pub(crate) fn here(&self) -> Vec<NodePerson> {
        let mut people: BTreeMap<PersonId, NodePerson> = BTreeMap::new();
        for here in self.here.values() {
            let person = people.entry(here.person).or_insert_with(|| NodePerson {
                person: here.person,
                name: here.name.clone(),
                pair: here.pair,
                connections: 0,
                dragging: None,
            });
            person.connections += 1;
            person.dragging = person.dragging.or(here.dragging);
        }
        people.into_values().collect()
    }

    /// Takes what the other nodes report; whether it changed.
    pub(crate) fn set_elsewhere(&mut self, mut people: Vec<NodePerson>) -> bool {
        people.sort_by(|a, b| (a.person, &a.name).cmp(&(b.person, &b.name)));
        let changed = people != self.elsewhere;
        self.elsewhere = people;
        changed
    }

    /// Everyone on the board, on every node, one entry a person, by name.
    pub(crate) fn everyone(&self) -> Vec<PresencePerson> {
        let mut people: BTreeMap<PersonId, PresencePerson> = BTreeMap::new();
        for person in self
            .here()
            .into_iter()
            .chain(self.elsewhere.iter().cloned())
        {
            let entry = people
                .entry(person.person)
                .or_insert_with(|| PresencePerson {
                    name: person.name.clone(),
                    pair: person.pair,
                    connections: 0,
                    dragging: None,
                });
            entry.connections += person.connections;
            entry.dragging = entry.dragging.or(person.dragging);
        }
        let mut people: Vec<PresencePerson> = people.into_values().collect();
        people.sort_by(|a, b| a.name.cmp(&b.name));
        people
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(person: PersonId, name: &str) -> Actor {
        Actor {
            person,
            name: name.into(),
            pair: Some(1),
            role: app::membership::Role::Peer,
        }
    }

    #[test]
    fn a_person_on_two_nodes_is_one_entry_with_every_window_counted() {
        let (helen, omar) = (
            PersonId(uuid::Uuid::new_v4()),
            PersonId(uuid::Uuid::new_v4()),
        );
        let mut presence = Presence::default();
        presence.join(1, &actor(helen, "Helen Marsh"));
        presence.join(2, &actor(helen, "Helen Marsh"));
        let note = NoteId(uuid::Uuid::new_v4());
        assert!(presence.drag(2, Some(note)));
        assert!(
            !presence.drag(2, Some(note)),
            "the same drag again is no change"
        );
        assert!(presence.set_elsewhere(vec![
            NodePerson {
                person: omar,
                name: "Omar Haddad".into(),
                pair: Some(2),
                connections: 1,
                dragging: None,
            },
            NodePerson {
                person: helen,
                name: "Helen Marsh".into(),
                pair: Some(1),
                connections: 1,
                dragging: None,
            },
        ]));
        let everyone = presence.everyone();
        assert_eq!(everyone.len(), 2);
        assert_eq!(everyone[0].name, "Helen Marsh");
        assert_eq!(everyone[0].connections, 3);
        assert_eq!(everyone[0].dragging, Some(note));
        assert_eq!(everyone[1].name, "Omar Haddad");
        let again = presence.elsewhere.clone();
        assert!(
            !presence.set_elsewhere(again),
            "the same report is no change"
        );
        assert_eq!(presence.here().len(), 1, "this node reports Helen once");
        assert!(presence.leave(1) && presence.leave(2) && presence.nobody_here());
        assert!(!presence.leave(2));
    }
}
