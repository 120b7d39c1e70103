//! Who may do what in a review: the written role × action table. The server enforces it on every
//! server function and websocket message (`server/src/auth`); the browser reads it only to hide
//! controls a person could not use anyway.

use serde::{Deserialize, Serialize};

use crate::membership::Role;

/// Something a person may try to do within a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See the review's overview: title, host, dates, phase, headings.
    ViewReview,
    /// See who is on the review and their roles.
    ViewMembers,
    /// See which peers work together as a pair.
    ViewPairs,
    /// Open the findings wall and read notes.
    ViewNotes,
    /// See which pair wrote a note.
    ViewNoteAuthors,
    /// Add, edit and move notes.
    WriteNotes,
    /// Add, rename, reorder and archive headings.
    ManageHeadings,
    /// Move the review to another phase.
    ChangePhase,
    /// Change members' roles, remove members, form pairs.
    ManageMembers,
    /// Invite people to the review.
    InviteMembers,
    /// Read the review's audit trail.
    ViewAudit,
    /// Export the wall with its authors and pairs (without them, the export needs `ViewNotes`).
    ExportWall,
    /// Read the draft report.
    ReadDraft,
    /// Comment on the draft report.
    CommentOnDraft,
    /// Follow the round-table presentation.
    FollowPresentation,
    /// Lock the wall, set and reveal the votes, and run the presentation.
    LeadWall,
}

use Role::{
    Facilitator as F, HostLead as HL, HostReader as HR, Observer as O, Peer as P, TeamLead as TL,
};

/// The table itself. Host roles never read notes, authors or pairs; only the facilitator
/// changes the phase or people's roles.
pub const PERMISSIONS: &[(Action, &[Role])] = &[
    (Action::ViewReview, &[F, TL, P, HL, HR, O]),
    (Action::ViewMembers, &[F, TL, P, HL, HR, O]),
    (Action::ViewPairs, &[F, TL, P]),
    (Action::ViewNotes, &[F, TL, P]),
    (Action::ViewNoteAuthors, &[F, TL, P]),
    (Action::WriteNotes, &[F, TL, P]),
    (Action::ManageHeadings, &[F, TL]),
    (Action::ChangePhase, &[F]),
    (Action::ManageMembers, &[F]),
    (Action::InviteMembers, &[F]),
    (Action::ViewAudit, &[F]),
    (Action::ExportWall, &[F, TL]),
    (Action::ReadDraft, &[F, TL, P, HL, HR]),
    (Action::CommentOnDraft, &[F, TL, P, HL]),
    (Action::FollowPresentation, &[F, TL, P, HL, HR, O]),
    (Action::LeadWall, &[F, TL]),
];

/// The refusal for someone whose role does not allow what they tried.
pub fn forbidden(role: Role) -> crate::error::AppError {
    crate::error::AppError::new(
        crate::error::ErrorCode::Forbidden,
        format!(
            "As {} on this review you cannot do this.",
            role.label().to_lowercase()
        ),
    )
}

/// Whether `role` may do `action`. An action missing from the table is denied to everyone.
pub fn allows(role: Role, action: Action) -> bool {
    PERMISSIONS
        .iter()
        .find(|(listed, _)| *listed == action)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_ACTIONS: [Action; 16] = [
        Action::ViewReview,
        Action::ViewMembers,
        Action::ViewPairs,
        Action::ViewNotes,
        Action::ViewNoteAuthors,
        Action::WriteNotes,
        Action::ManageHeadings,
        Action::ChangePhase,
        Action::ManageMembers,
        Action::InviteMembers,
        Action::ViewAudit,
        Action::ExportWall,
        Action::ReadDraft,
        Action::CommentOnDraft,
        Action::FollowPresentation,
        Action::LeadWall,
    ];

    #[test]
    fn every_action_is_in_the_table_exactly_once() {
        for action in ALL_ACTIONS {
            let rows = PERMISSIONS.iter().filter(|(a, _)| *a == action).count();
            assert_eq!(rows, 1, "{action:?}");
        }
        assert_eq!(PERMISSIONS.len(), ALL_ACTIONS.len());
    }

    #[test]
    fn host_roles_never_see_notes_authors_or_pairs() {
        for role in [Role::HostLead, Role::HostReader, Role::Observer] {
            for action in [
                Action::ViewNotes,
                Action::ViewNoteAuthors,
                Action::ViewPairs,
                Action::WriteNotes,
                Action::ExportWall,
                Action::LeadWall,
            ] {
                assert!(!allows(role, action), "{role:?} may {action:?}");
            }
        }
    }

    #[test]
    fn only_the_facilitator_changes_phase_roles_and_membership() {
        for role in Role::ALL {
            let expected = role == Role::Facilitator;
            for action in [
                Action::ChangePhase,
                Action::ManageMembers,
                Action::InviteMembers,
            ] {
                assert_eq!(allows(role, action), expected, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn the_peer_team_may_work_on_the_wall() {
        for role in [Role::Facilitator, Role::TeamLead, Role::Peer] {
            assert!(allows(role, Action::ViewNotes));
            assert!(allows(role, Action::WriteNotes));
        }
    }
}
