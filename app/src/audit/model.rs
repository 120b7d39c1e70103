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
