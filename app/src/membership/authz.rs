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
    /// Invite people to the review, in any role.
    InviteMembers,
    /// Invite host colleagues (host readers and, in a PCI, fieldwork members): in a PCI the host
    /// lead does this, since the host council leads the process.
    InviteHostColleagues,
    /// Read the review's audit trail.
    ViewAudit,
    /// Export the wall with its authors and pairs (without them, the export needs `ViewNotes`).
    ExportWall,
    /// Read the report's team draft, live, with the peer team's comments (never the council's
    /// until sent versions reach it).
    ReadDraft,
    /// Comment on the team draft in the peer round.
    CommentOnDraft,
    /// Write the report: draft it from the wall, edit its blocks, resolve comments, check it for
    /// attribution and send versions to the council. Programme-dependent (`PCI_PERMISSIONS`).
    WriteReport,
    /// Read the versions sent to the council and the council's comment threads.
    ReadReport,
    /// Comment on a version sent to the council, in the council's round.
    CommentAsCouncil,
    /// Sign off the report's final version for the council.
    SignOffReport,
    /// Set the due dates of the report's rounds.
    SetReportDueDates,
    /// Open the notes behind a paragraph of the report.
    ViewReportEvidence,
    /// Follow the round-table presentation.
    FollowPresentation,
    /// Lock the wall, set and reveal the votes, and run the presentation.
    LeadWall,
    /// See the visit's timetable and export it to a calendar.
    ViewTimetable,
    /// Add, move and drop sessions of the timetable: the council's contact and the facilitator
    /// (in a PCI the host lead leads, with the Improvement Service's facilitator).
    EditTimetable,
    /// Record how many people a session met, for the report's figures (the peer team).
    RecordPeopleMet,
    /// See the pack's documents meant for one's role, download them and mark them read.
    ViewDocuments,
    /// Upload documents to the pack and withdraw them: the council's contact and the
    /// facilitator.
    ManageDocuments,
    /// See who has read each document, and who has not opened the position statement.
    ViewDocumentReads,
    /// See the council's benchmarking data (LGBF) charted.
    ViewBenchmarks,
    /// Import the benchmarking data: the council's contact and the facilitator.
    ImportBenchmarks,
    /// Choose the indicators the team's charts show: those doing the review and the council's
    /// contact.
    PickIndicators,
    /// See the review's retention policy: what is kept, for how long and why, and the record
    /// of the notes' destruction.
    ViewRetention,
    /// Shorten how long the notes are kept after sign-off.
    SetRetention,
    /// Destroy the notes now, once the report is signed off (with a preview first).
    DestroyNotes,
    /// Read the council's action plan and its progress statements (the peer team reads what
    /// the council does with its recommendations; the facilitator sees what is overdue).
    ViewActionPlan,
    /// Make the action plan from the signed-off report's recommendations.
    MakeActionPlan,
    /// Add, change and remove the plan's actions and write the progress statements: the host
    /// lead, and the host readers the host lead allows (the service checks the allowance).
    EditActionPlan,
    /// Allow host readers to edit the action plan.
    AllowPlanEditors,
    /// Record when and where the council published the report and the action plan.
    RecordPublication,
    /// Schedule the progress review and choose whom of the peer team to invite again.
    ScheduleProgressReview,
}

use Role::{
    Facilitator as F, Fieldwork as FW, HostLead as HL, HostReader as HR, Observer as O, Peer as P,
    TeamLead as TL,
};

/// The table itself. Host roles never read notes, authors or pairs; only the facilitator
/// changes the phase or people's roles.
pub const PERMISSIONS: &[(Action, &[Role])] = &[
    (Action::ViewReview, &[F, TL, P, HL, HR, O, FW]),
    (Action::ViewMembers, &[F, TL, P, HL, HR, O, FW]),
    (Action::ViewPairs, &[F, TL, P, FW]),
    (Action::ViewNotes, &[F, TL, P, FW]),
    (Action::ViewNoteAuthors, &[F, TL, P, FW]),
    (Action::WriteNotes, &[F, TL, P, FW]),
    (Action::ManageHeadings, &[F, TL]),
    (Action::ChangePhase, &[F]),
    (Action::ManageMembers, &[F]),
    (Action::InviteMembers, &[F]),
    (Action::InviteHostColleagues, &[F]),
    (Action::ViewAudit, &[F]),
    (Action::ExportWall, &[F, TL]),
    (Action::ReadDraft, &[F, TL, P]),
    (Action::CommentOnDraft, &[F, TL, P]),
    (Action::WriteReport, &[F, TL]),
    (Action::ReadReport, &[F, TL, P, HL, HR, FW]),
    (Action::CommentAsCouncil, &[HL, HR]),
    (Action::SignOffReport, &[HL]),
    (Action::SetReportDueDates, &[F]),
    (Action::ViewReportEvidence, &[F, TL, P, FW]),
    (Action::FollowPresentation, &[F, TL, P, HL, HR, O, FW]),
    (Action::LeadWall, &[F, TL]),
    (Action::ViewTimetable, &[F, TL, P, HL, HR, O, FW]),
    (Action::EditTimetable, &[F, HL]),
    (Action::RecordPeopleMet, &[F, TL, P, FW]),
    (Action::ViewDocuments, &[F, TL, P, HL, HR, O, FW]),
    (Action::ManageDocuments, &[F, HL]),
    (Action::ViewDocumentReads, &[F]),
    (Action::ViewBenchmarks, &[F, TL, P, HL, HR, O, FW]),
    (Action::ImportBenchmarks, &[F, HL]),
    (Action::PickIndicators, &[F, TL, P, HL, FW]),
    (Action::ViewRetention, &[F, TL, P, HL, HR, O, FW]),
    (Action::SetRetention, &[F]),
    (Action::DestroyNotes, &[F]),
    (Action::ViewActionPlan, &[F, TL, P, HL, HR, FW]),
    (Action::MakeActionPlan, &[F, HL]),
    (Action::EditActionPlan, &[HL, HR]),
    (Action::AllowPlanEditors, &[HL]),
    (Action::RecordPublication, &[F, HL]),
    (Action::ScheduleProgressReview, &[F]),
];

/// The rows that differ in an Improvement Service Peer Collaborative Improvement, where the host
/// council leads: the host lead writes the report and invites host colleagues, and the
/// facilitator, peers and the host's fieldwork members comment on the draft.
pub const PCI_PERMISSIONS: &[(Action, &[Role])] = &[
    (Action::ReadDraft, &[F, TL, P, HL, FW]),
    (Action::CommentOnDraft, &[F, TL, P, HL, FW]),
    (Action::WriteReport, &[HL]),
    (Action::InviteHostColleagues, &[F, HL]),
    (Action::ViewDocumentReads, &[F, HL]),
];

/// Whether `role` may do `action` in a review of `programme`: the programme's own row when it
/// has one, else the table's. A role the programme does not have (the fieldwork role outside a
/// PCI) may do nothing; since no member can hold it there, the table's rows for it are the PCI's,
/// and `allows` without a programme answers rightly for every member who exists.
pub fn allows_in(programme: crate::review::ReviewType, role: Role, action: Action) -> bool {
    if !role.exists_in(programme) {
        return false;
    }
    if programme == crate::review::ReviewType::PeerCollaborativeImprovement
        && let Some((_, roles)) = PCI_PERMISSIONS.iter().find(|(listed, _)| *listed == action)
    {
        return roles.contains(&role);
    }
    allows(role, action)
}

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

    const ALL_ACTIONS: [Action; 41] = [
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
        Action::InviteHostColleagues,
        Action::ViewAudit,
        Action::ExportWall,
        Action::ReadDraft,
        Action::CommentOnDraft,
        Action::FollowPresentation,
        Action::LeadWall,
        Action::WriteReport,
        Action::ReadReport,
        Action::CommentAsCouncil,
        Action::SignOffReport,
        Action::SetReportDueDates,
        Action::ViewReportEvidence,
        Action::ViewTimetable,
        Action::EditTimetable,
        Action::RecordPeopleMet,
        Action::ViewDocuments,
        Action::ManageDocuments,
        Action::ViewDocumentReads,
        Action::ViewBenchmarks,
        Action::ImportBenchmarks,
        Action::PickIndicators,
        Action::ViewRetention,
        Action::SetRetention,
        Action::DestroyNotes,
        Action::ViewActionPlan,
        Action::MakeActionPlan,
        Action::EditActionPlan,
        Action::AllowPlanEditors,
        Action::RecordPublication,
        Action::ScheduleProgressReview,
    ];

    #[test]
    fn in_a_pci_the_host_lead_writes_the_report_and_the_peers_comment() {
        use crate::review::ReviewType::{
            LgaCorporatePeerChallenge as Cpc, PeerCollaborativeImprovement as Pci,
        };
        assert!(allows_in(Pci, Role::HostLead, Action::WriteReport));
        assert!(!allows_in(Pci, Role::Facilitator, Action::WriteReport));
        assert!(allows_in(Pci, Role::Peer, Action::CommentOnDraft));
        assert!(allows_in(Cpc, Role::Facilitator, Action::WriteReport));
        assert!(allows_in(Cpc, Role::TeamLead, Action::WriteReport));
        assert!(
            !allows_in(Cpc, Role::HostLead, Action::ReadDraft),
            "the council never sees the team draft"
        );
        assert!(!allows_in(Pci, Role::HostReader, Action::ReadDraft));
        for programme in [Cpc, Pci] {
            for role in Role::ALL {
                assert!(
                    !allows_in(programme, role, Action::ViewReportEvidence)
                        || !(role.is_host() || role == Role::Observer),
                    "{role:?} sees no notes through the report"
                );
            }
            assert!(allows_in(programme, Role::HostLead, Action::SignOffReport));
            assert!(!allows_in(programme, Role::Observer, Action::ReadReport));
        }
        for (action, _) in PCI_PERMISSIONS {
            assert!(ALL_ACTIONS.contains(action));
        }
    }

    #[test]
    fn the_council_and_the_facilitator_make_the_timetable_and_everyone_reads_it() {
        use crate::review::ReviewType::{
            LgaCorporatePeerChallenge as Cpc, PeerCollaborativeImprovement as Pci,
        };
        for programme in [Cpc, Pci] {
            for role in Role::ALL {
                assert_eq!(
                    allows_in(programme, role, Action::ViewTimetable),
                    role.exists_in(programme),
                    "{role:?}"
                );
                assert_eq!(
                    allows_in(programme, role, Action::EditTimetable),
                    matches!(role, Role::Facilitator | Role::HostLead),
                    "{role:?} {programme:?}"
                );
                assert_eq!(
                    allows_in(programme, role, Action::RecordPeopleMet),
                    role.does_fieldwork() && role.exists_in(programme),
                    "{role:?}"
                );
            }
        }
    }

    #[test]
    fn every_action_is_in_the_table_exactly_once() {
        for action in ALL_ACTIONS {
            let rows = PERMISSIONS.iter().filter(|(a, _)| *a == action).count();
            assert_eq!(rows, 1, "{action:?}");
        }
        assert_eq!(PERMISSIONS.len(), ALL_ACTIONS.len());
    }

    /// The whole (programme, role) → actions table, written out: a change to any row fails here.
    #[test]
    fn the_table_for_each_programme_and_role() {
        use crate::review::ReviewType::{
            LgaCorporatePeerChallenge as Cpc, PeerCollaborativeImprovement as Pci,
        };
        let actions = |programme, role| -> Vec<Action> {
            ALL_ACTIONS
                .into_iter()
                .filter(|action| allows_in(programme, role, *action))
                .collect()
        };
        assert_eq!(
            actions(Cpc, Role::Fieldwork),
            vec![],
            "no fieldwork role in a CPC"
        );
        assert_eq!(
            actions(Pci, Role::Fieldwork),
            vec![
                Action::ViewReview,
                Action::ViewMembers,
                Action::ViewPairs,
                Action::ViewNotes,
                Action::ViewNoteAuthors,
                Action::WriteNotes,
                Action::ReadDraft,
                Action::CommentOnDraft,
                Action::FollowPresentation,
                Action::ReadReport,
                Action::ViewReportEvidence,
                Action::ViewTimetable,
                Action::RecordPeopleMet,
                Action::ViewDocuments,
                Action::ViewBenchmarks,
                Action::PickIndicators,
                Action::ViewRetention,
                Action::ViewActionPlan,
            ]
        );
        let host_lead = |programme| actions(programme, Role::HostLead);
        assert!(host_lead(Pci).contains(&Action::InviteHostColleagues));
        assert!(!host_lead(Cpc).contains(&Action::InviteHostColleagues));
        assert!(!host_lead(Pci).contains(&Action::InviteMembers));
        assert!(host_lead(Pci).contains(&Action::ViewDocumentReads));
        assert!(!host_lead(Cpc).contains(&Action::ViewDocumentReads));
        for programme in [Cpc, Pci] {
            assert!(host_lead(programme).contains(&Action::EditTimetable));
            assert!(!host_lead(programme).contains(&Action::ViewNotes));
            assert_eq!(
                actions(programme, Role::HostReader),
                vec![
                    Action::ViewReview,
                    Action::ViewMembers,
                    Action::FollowPresentation,
                    Action::ReadReport,
                    Action::CommentAsCouncil,
                    Action::ViewTimetable,
                    Action::ViewDocuments,
                    Action::ViewBenchmarks,
                    Action::ViewRetention,
                    Action::ViewActionPlan,
                    Action::EditActionPlan,
                ]
            );
            assert!(host_lead(programme).contains(&Action::ImportBenchmarks));
            assert!(host_lead(programme).contains(&Action::ManageDocuments));
            assert!(actions(programme, Role::Facilitator).contains(&Action::InviteHostColleagues));
            for role in Role::in_programme(programme) {
                assert!(actions(programme, role).contains(&Action::ViewRetention));
                let destroys = role == Role::Facilitator;
                assert_eq!(
                    actions(programme, role).contains(&Action::DestroyNotes),
                    destroys
                );
                assert_eq!(
                    actions(programme, role).contains(&Action::SetRetention),
                    destroys
                );
            }
        }
    }

    #[test]
    fn the_council_keeps_its_action_plan_and_the_team_reads_it() {
        use crate::review::ReviewType::{
            LgaCorporatePeerChallenge as Cpc, PeerCollaborativeImprovement as Pci,
        };
        for programme in [Cpc, Pci] {
            for role in Role::in_programme(programme) {
                let may = |action| allows_in(programme, role, action);
                assert_eq!(
                    may(Action::ViewActionPlan),
                    role != Role::Observer,
                    "{role:?}"
                );
                assert_eq!(
                    may(Action::EditActionPlan),
                    matches!(role, Role::HostLead | Role::HostReader),
                    "{role:?}: only the council edits its plan"
                );
                assert_eq!(may(Action::AllowPlanEditors), role == Role::HostLead);
                assert_eq!(
                    may(Action::MakeActionPlan),
                    matches!(role, Role::HostLead | Role::Facilitator)
                );
                assert_eq!(
                    may(Action::RecordPublication),
                    matches!(role, Role::HostLead | Role::Facilitator)
                );
                assert_eq!(
                    may(Action::ScheduleProgressReview),
                    role == Role::Facilitator
                );
            }
        }
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
