//! The audit trail as people read it, shared by browser and server.

use serde::{Deserialize, Serialize};

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

/// The trail as CSV, a row per event (when, review, who, what, detail), safe to open in a
/// spreadsheet (no cell starts a formula).
pub fn to_csv(events: &[AuditEvent]) -> String {
    use crate::wall::export::cell;
    let mut out = String::from("when,review,who,what,detail\r\n");
    for event in events {
        let row = [
            event.at.as_str(),
            event.review.as_deref().unwrap_or_default(),
            event.actor.as_deref().unwrap_or_default(),
            event.kind.as_str(),
            event.detail.as_str(),
        ];
        out.push_str(&row.map(cell).join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trail_exports_as_csv_that_opens_safely() {
        let event = AuditEvent {
            at: "1 Mar 2027 10:00:00 UTC".into(),
            kind: "wall_exported".into(),
            actor: Some("Priya Shah".into()),
            detail: "=csv, with \"authors\"".into(),
            review: None,
        };
        assert_eq!(
            to_csv(&[event]),
            "when,review,who,what,detail\r\n1 Mar 2027 10:00:00 UTC,,Priya Shah,wall_exported,\"'=csv, with \"\"authors\"\"\"\r\n"
        );
    }
}
