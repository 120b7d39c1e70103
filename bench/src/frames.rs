//! The few parts of the wall's frames a simulated reviewer reads, as plain structs of its own:
//! a frame is read once into these (borrowing what it can) rather than into a tree of JSON
//! values, so that the load generator, which shares the machine with the server, spends its
//! cores on sending rather than on reading what fifty browsers would each read.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A frame from the server; every field but `type` is there only on some frames.
#[derive(Debug, Deserialize)]
pub struct Incoming<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// The operation an `ack` or `rejected` answers.
    #[serde(default, borrow)]
    pub op: Option<Cow<'a, str>>,
    /// An `ack`'s sequence number.
    #[serde(default)]
    pub seq: Option<u64>,
    /// A `rejected` frame's reason.
    #[serde(default, borrow)]
    pub error: Option<Refusal<'a>>,
    /// An `event` frame's event.
    #[serde(default)]
    pub event: Option<Event>,
}

#[derive(Debug, Deserialize)]
pub struct Refusal<'a> {
    #[serde(borrow)]
    pub code: Cow<'a, str>,
}

/// One event of the board's log.
#[derive(Debug, Deserialize)]
pub struct Event {
    pub seq: u64,
    #[serde(default)]
    pub op: Option<String>,
    pub change: Change,
}

/// The notes a change carries: a note's new state, or those an archived heading moved.
#[derive(Debug, Default, Deserialize)]
pub struct Change {
    #[serde(default)]
    pub note: Option<Note>,
    #[serde(default)]
    pub moved: Vec<Note>,
}

/// A note as the wall sends it; every field two clients must agree on.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct Note {
    pub id: String,
    pub heading: Option<String>,
    pub order: String,
    pub text: String,
    pub kind: String,
    pub source: String,
    #[serde(default)]
    pub session: Option<String>,
    pub stakeholder: String,
    pub pair: Option<i64>,
    pub author: String,
    pub tags: Vec<String>,
    pub version: u64,
    pub deleted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_frame_is_read_with_its_note_and_an_ack_with_its_number() {
        let event = r#"{"type":"event","event":{"seq":7,"op":"op-1","change":{"type":"note",
            "note":{"id":"n1","heading":null,"order":"a0","text":"Said \"clearly\"","kind":"strength",
            "source":"Interview 1","session":null,"stakeholder":"Officers","pair":2,"author":"Ann",
            "tags":["x"],"version":3,"deleted":false}}}}"#;
        let frame: Incoming = serde_json::from_str(event).unwrap();
        assert_eq!(frame.kind, "event");
        let event = frame.event.unwrap();
        assert_eq!((event.seq, event.op.as_deref()), (7, Some("op-1")));
        let note = event.change.note.unwrap();
        assert_eq!((note.text.as_str(), note.version), ("Said \"clearly\"", 3));

        let ack: Incoming = serde_json::from_str(r#"{"type":"ack","op":"op-2","seq":8}"#).unwrap();
        assert_eq!((ack.op.as_deref(), ack.seq), (Some("op-2"), Some(8)));
        let refused: Incoming = serde_json::from_str(
            r#"{"type":"rejected","op":"op-3","error":{"code":"rate_limited","message":"busy"}}"#,
        )
        .unwrap();
        assert_eq!(refused.error.unwrap().code, "rate_limited");
        // A change without notes (a heading renamed) has none.
        let heading: Incoming = serde_json::from_str(
            r#"{"type":"event","event":{"seq":9,"op":"o","change":{"type":"heading","heading":{"id":"h","title":"T"}}}}"#,
        )
        .unwrap();
        let change = heading.event.unwrap().change;
        assert!(change.note.is_none() && change.moved.is_empty());
    }
}
