//! Every server function, called by every kind of caller: no session, an administrator who is
//! not on the review, each role on the demo review, and a member of another review. A server
//! function that is not in `TABLE` fails `every_server_function_is_in_the_table`.

use std::collections::BTreeSet;

use app::membership::{Action, Role, allows_in};
use app::review::ReviewType;
use chrono::NaiveDate;
use peerwall_server::db::{accounts, membership, review as review_db};
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use serde_json::Value;

use crate::support::{TestApp, form, json};

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Nobody,
    Admin,
    Member(Role),
    Outsider,
}

/// What the call must come to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Allowed,
    Denied(&'static str),
}

/// The ids a request body may need.
struct Ids {
    /// The demo review.
    review: String,
    /// A peer on the demo review, whose role and pair the facilitator re-saves unchanged.
    peer: String,
    /// An observer added for this test, whom the facilitator removes.
    temporary: String,
}

struct Row {
    path: &'static str,
    body: fn(&Ids) -> String,
    expect: fn(Who) -> Expect,
    /// Extra checks on an allowed answer.
    check: fn(Who, &Value),
}

fn no_body(_: &Ids) -> String {
    String::new()
}

fn nothing(_: Who, _: &Value) {}

const TABLE: &[Row] = &[
    Row {
        path: "/api/sign_in",
        body: |_| {
            // A different unknown account each time: one account's repeated failures would
            // meet the password throttle (people.rs tests that).
            static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            form(&[
                ("email", &format!("nobody{n}@nowhere.example")),
                ("password", "wrong password"),
            ])
        },
        // Anyone may try; a wrong password is the same answer for everyone.
        expect: |_| Expect::Denied("unauthenticated"),
        check: nothing,
    },
    Row {
        path: "/api/sign_out",
        body: no_body,
        expect: |_| Expect::Allowed,
        check: nothing,
    },
    Row {
        // The accessibility statement's contact: public, like the statement (this app has
        // none configured, so the answer is empty for everyone).
        path: "/api/accessibility_contact",
        body: no_body,
        expect: |_| Expect::Allowed,
        check: |_, value| assert!(value["contact"].is_null(), "{value}"),
    },
    Row {
        // What the sign-in page offers: public, like the page (this app has no organisation
        // sign-in configured, and no organisation account waits to be linked).
        path: "/api/sign_in_options",
        body: no_body,
        expect: |_| Expect::Allowed,
        check: |_, value| {
            assert_eq!(value["organisation"], false, "{value}");
            assert!(value["linking"].is_null(), "{value}");
        },
    },
    Row {
        path: "/api/who_am_i",
        body: no_body,
        expect: |_| Expect::Allowed,
        check: |who, value| assert_eq!(value.is_null(), who == Who::Nobody, "{value}"),
    },
    Row {
        path: "/api/list_my_reviews",
        body: no_body,
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            _ => Expect::Allowed,
        },
        check: |who, value| {
            let titles: Vec<&str> = value
                .as_array()
                .unwrap()
                .iter()
                .map(|review| review["summary"]["title"].as_str().unwrap())
                .collect();
            let sees_demo = titles.iter().any(|title| title.starts_with("Eastbrook"));
            assert_eq!(
                sees_demo,
                matches!(who, Who::Member(_)),
                "{who:?}: {titles:?}"
            );
        },
    },
    Row {
        path: "/api/get_review",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin | Who::Outsider => Expect::Denied("not_found"),
            Who::Member(_) => Expect::Allowed,
        },
        check: |who, value| {
            let Who::Member(role) = who else { return };
            let pairs: Vec<&Value> = value["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|member| &member["pair"])
                .filter(|pair| !pair.is_null())
                .collect();
            // Pairs are the peer team's alone.
            assert_eq!(!pairs.is_empty(), role.is_peer_team(), "{role:?}");
            assert_eq!(value["shows_pairs"], role.is_peer_team());
            assert_eq!(value["my_role"], role.as_str());
        },
    },
    Row {
        path: "/api/invite_member",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("email", "new.peer@example.gov.uk"),
                ("role", "peer"),
            ])
        },
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin | Who::Outsider => Expect::Denied("not_found"),
            Who::Member(Role::Facilitator) => Expect::Allowed,
            Who::Member(_) => Expect::Denied("forbidden"),
        },
        check: |_, value| assert!(value["path"].as_str().unwrap().starts_with("/invitations/")),
    },
    Row {
        path: "/api/get_invitation",
        body: |_| form(&[("token", "no-such-invitation")]),
        // Anyone holding a good link may read it; a bad one is refused to everyone alike.
        expect: |_| Expect::Denied("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/accept_invitation",
        body: |_| {
            form(&[
                ("token", "no-such-invitation"),
                ("name", "X"),
                ("password", "long enough password"),
            ])
        },
        expect: |_| Expect::Denied("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/change_phase",
        body: |ids| form(&[("review", &ids.review), ("phase", "draft_report")]),
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin | Who::Outsider => Expect::Denied("not_found"),
            Who::Member(Role::Facilitator) => Expect::Allowed,
            Who::Member(_) => Expect::Denied("forbidden"),
        },
        check: nothing,
    },
    Row {
        path: "/api/list_audit",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin | Who::Outsider => Expect::Denied("not_found"),
            Who::Member(Role::Facilitator) => Expect::Allowed,
            Who::Member(_) => Expect::Denied("forbidden"),
        },
        check: |_, value| {
            // By the time the facilitator reads it, the table's own phase change is recorded.
            let kinds: Vec<&str> = value
                .as_array()
                .unwrap()
                .iter()
                .map(|event| event["kind"].as_str().unwrap())
                .collect();
            assert!(kinds.contains(&"phase_changed"), "{kinds:?}");
        },
    },
    Row {
        path: "/api/change_password",
        body: |_| {
            form(&[
                ("current_password", "not the password"),
                ("new_password", "a brand new password"),
            ])
        },
        // Only ever your own account, and only with its current password.
        expect: |_| Expect::Denied("unauthenticated"),
        check: nothing,
    },
    Row {
        path: "/api/issue_password_reset",
        body: |_| form(&[("email", "facilitator@demo.peerwall.test")]),
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin => Expect::Allowed,
            _ => Expect::Denied("forbidden"),
        },
        check: |_, value| {
            assert!(
                value["path"]
                    .as_str()
                    .unwrap()
                    .starts_with("/reset-password/")
            );
            assert_eq!(value["emailed"], false);
        },
    },
    Row {
        path: "/api/create_review",
        body: |_| {
            form(&[
                ("title", ""),
                ("host_authority", "Testshire Council"),
                ("review_type", "lga_corporate_peer_challenge"),
                ("scope", "Everything."),
                ("focus", ""),
                ("on_site_start", "2027-05-10"),
                ("on_site_end", "2027-05-13"),
            ])
        },
        // Administrators and facilitator accounts (the demo facilitator has one).
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin | Who::Member(Role::Facilitator) => Expect::Allowed,
            _ => Expect::Denied("forbidden"),
        },
        check: |_, value| assert!(uuid::Uuid::parse_str(value.as_str().unwrap()).is_ok()),
    },
    Row {
        path: "/api/update_member",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("person", &ids.peer),
                ("role", "peer"),
                ("pair", "1"),
            ])
        },
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin | Who::Outsider => Expect::Denied("not_found"),
            Who::Member(Role::Facilitator) => Expect::Allowed,
            Who::Member(_) => Expect::Denied("forbidden"),
        },
        check: nothing,
    },
    Row {
        path: "/api/remove_member",
        body: |ids| form(&[("review", &ids.review), ("person", &ids.temporary)]),
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin | Who::Outsider => Expect::Denied("not_found"),
            Who::Member(Role::Facilitator) => Expect::Allowed,
            Who::Member(_) => Expect::Denied("forbidden"),
        },
        check: nothing,
    },
    Row {
        path: "/api/list_organisations",
        body: no_body,
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            _ => Expect::Allowed,
        },
        check: |_, value| {
            let names: Vec<&str> = value
                .as_array()
                .unwrap()
                .iter()
                .map(|organisation| organisation["name"].as_str().unwrap())
                .collect();
            assert!(names.contains(&"Eastbrook Borough Council"), "{names:?}");
        },
    },
    Row {
        path: "/api/create_organisation",
        body: |_| {
            let name = format!("Testshire Council {}", uuid::Uuid::new_v4());
            form(&[("name", &name), ("kind", "council")])
        },
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin | Who::Member(Role::Facilitator) => Expect::Allowed,
            _ => Expect::Denied("forbidden"),
        },
        check: |_, value| assert_eq!(value["kind"], "council"),
    },
    Row {
        path: "/api/set_my_organisation",
        body: |_| form(&[("organisation", "")]),
        // Only ever your own account.
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            _ => Expect::Allowed,
        },
        check: nothing,
    },
    Row {
        path: "/api/invite_facilitator",
        body: |_| form(&[("email", "new.facilitator@local.gov.uk")]),
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin => Expect::Allowed,
            _ => Expect::Denied("forbidden"),
        },
        check: |_, value| assert!(value["path"].as_str().unwrap().starts_with("/invitations/")),
    },
    Row {
        path: "/api/list_all_audit",
        body: no_body,
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin => Expect::Allowed,
            _ => Expect::Denied("forbidden"),
        },
        check: |_, value| {
            // Every review's events together, each with its review: here the review the
            // administrator created a few rows up.
            let events = value.as_array().unwrap();
            assert!(
                events.iter().any(|event| event["kind"] == "review_created"
                    && event["review"]
                        .as_str()
                        .is_some_and(|title| title.starts_with("Testshire"))),
                "{value}"
            );
        },
    },
    Row {
        path: "/api/reset_password",
        body: |_| {
            form(&[
                ("token", "no-such-link"),
                ("new_password", "a brand new password"),
            ])
        },
        expect: |_| Expect::Denied("not_found"),
        check: nothing,
    },
    // The report: the demo review has none until the facilitator (first of the roles to call)
    // drafts it; the role table for a CPC decides the rest (`allows_in`).
    Row {
        path: "/api/get_report",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::ReadReport, None),
        check: nothing,
    },
    Row {
        path: "/api/get_report_status",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::ReadReport, None),
        check: nothing,
    },
    Row {
        path: "/api/create_report",
        body: |ids| form(&[("review", &ids.review)]),
        // Drafted once: the team lead, after the facilitator, is told it exists.
        expect: |who| report_expect(who, Action::WriteReport, Some((Role::TeamLead, "invalid"))),
        check: nothing,
    },
    Row {
        path: "/api/report_additions",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::WriteReport, None),
        check: |_, value| assert!(value.as_array().is_some_and(Vec::is_empty), "{value}"),
    },
    Row {
        path: "/api/take_report_addition",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("message", UNKNOWN),
                ("accept", "true"),
            ])
        },
        expect: |who| report_expect(who, Action::WriteReport, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/report_step",
        body: |ids| form(&[("review", &ids.review), ("step", "ask_peers")]),
        expect: |who| report_expect(who, Action::WriteReport, Some((Role::TeamLead, "invalid"))),
        check: nothing,
    },
    Row {
        path: "/api/set_report_due_dates",
        body: |ids| form(&[("review", &ids.review), ("peer_comments", "2027-01-15")]),
        expect: |who| report_expect(who, Action::SetReportDueDates, None),
        check: nothing,
    },
    Row {
        path: "/api/check_report_attribution",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::WriteReport, None),
        check: nothing,
    },
    Row {
        path: "/api/confirm_report_finding",
        body: |ids| form(&[("review", &ids.review), ("key", "not-a-finding")]),
        expect: |who| report_expect(who, Action::WriteReport, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/get_report_version",
        body: |ids| form(&[("review", &ids.review), ("number", "1")]),
        expect: |who| report_expect(who, Action::ReadReport, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/diff_report_versions",
        body: |ids| form(&[("review", &ids.review), ("from", "1"), ("to", "2")]),
        expect: |who| report_expect(who, Action::ReadReport, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/report_evidence",
        body: |ids| form(&[("review", &ids.review), ("block", UNKNOWN)]),
        expect: |who| report_expect(who, Action::ViewReportEvidence, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/report_scale",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::WriteReport, None),
        check: |_, value| {
            assert!(
                value
                    .as_str()
                    .is_some_and(|s| s.starts_with("The peer team")),
                "{value}"
            );
        },
    },
    Row {
        path: "/api/get_action_plan",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::ViewActionPlan, None),
        check: |_, value| {
            // The demo review is on site: no plan yet, and none can be made.
            assert!(value["made"].is_null(), "{value}");
            assert_eq!(value["can_make"], false);
        },
    },
    Row {
        path: "/api/make_action_plan",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::MakeActionPlan, None).or_everyone("invalid"),
        check: nothing,
    },
    Row {
        path: "/api/save_plan_action",
        body: |ids| {
            serde_json::json!({
                "review": ids.review,
                "input": {
                    "id": UNKNOWN, "recommendation": 1, "text": "An action", "owner": "",
                    "due": "", "status": "green", "status_note": "", "evidence": "",
                    "version": 0
                }
            })
            .to_string()
        },
        expect: |who| report_expect(who, Action::EditActionPlan, None).or_everyone("invalid"),
        check: nothing,
    },
    Row {
        path: "/api/remove_plan_action",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("action", UNKNOWN),
                ("version", "1"),
            ])
        },
        expect: |who| report_expect(who, Action::EditActionPlan, None).or_everyone("invalid"),
        check: nothing,
    },
    Row {
        path: "/api/save_progress_statement",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("number", "1"),
                ("text", "Progress."),
                ("version", "0"),
            ])
        },
        expect: |who| report_expect(who, Action::EditActionPlan, None).or_everyone("invalid"),
        check: nothing,
    },
    Row {
        path: "/api/allow_plan_editor",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("person", &ids.peer),
                ("allowed", "true"),
            ])
        },
        expect: |who| report_expect(who, Action::AllowPlanEditors, None).or_everyone("invalid"),
        check: nothing,
    },
    Row {
        path: "/api/record_publication",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("what", "minutes"),
                ("on", "2026-01-01"),
                ("url", "https://example.org"),
            ])
        },
        expect: |who| report_expect(who, Action::RecordPublication, None).or_everyone("invalid"),
        check: nothing,
    },
    Row {
        path: "/api/get_publication",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::ViewReview, None),
        check: |_, value| {
            assert!(
                value["report"].is_null() && value["report_by"].is_string(),
                "{value}"
            );
        },
    },
    Row {
        path: "/api/progress_review_setup",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::ScheduleProgressReview, None),
        check: |_, value| {
            // On site: nothing to schedule yet.
            assert_eq!(value["signed_off"], false, "{value}");
        },
    },
    Row {
        path: "/api/schedule_progress_review",
        body: |ids| {
            serde_json::json!({
                "review": ids.review,
                "input": { "start": "2030-01-01", "end": "", "team": [], "outside_confirmed": true }
            })
            .to_string()
        },
        // The demo review's report is not signed off.
        expect: |who| {
            report_expect(who, Action::ScheduleProgressReview, None).or_everyone("invalid")
        },
        check: nothing,
    },
    Row {
        path: "/api/get_progress_statements",
        body: |ids| form(&[("review", &ids.review)]),
        // The demo review is not a progress review.
        expect: |who| report_expect(who, Action::ViewActionPlan, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/get_timetable",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::ViewTimetable, None),
        check: |who, value| {
            let Who::Member(role) = who else { return };
            assert!(!value["sessions"].as_array().unwrap().is_empty());
            // Names in pairs, and notes per session, are the peer team's alone.
            let named = value["pairs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|pair| !pair["members"].as_array().unwrap().is_empty());
            assert_eq!(named, role.is_peer_team(), "{role:?}");
            assert_eq!(
                !value["notes"].as_array().unwrap().is_empty(),
                role.is_peer_team(),
                "{role:?}"
            );
        },
    },
    Row {
        path: "/api/save_session",
        body: |ids| {
            // A new session on a day outside the visit, not confirmed: refused to those who
            // may edit, with the field named.
            serde_json::json!({
                "review": ids.review,
                "input": {
                    "id": UNKNOWN, "title": "Extra interview", "day": "2030-01-01",
                    "start": "09:00", "end": "10:00", "place": "Room 1", "online": false,
                    "kind": "interview", "groups": "Officers", "identifying": "",
                    "pairs": [1], "version": 0, "outside_confirmed": false
                }
            })
            .to_string()
        },
        expect: |who| report_expect(who, Action::EditTimetable, None).or_everyone("invalid"),
        check: nothing,
    },
    Row {
        path: "/api/cancel_session",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("session", UNKNOWN),
                ("version", "1"),
            ])
        },
        expect: |who| report_expect(who, Action::EditTimetable, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/record_people_met",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("session", UNKNOWN),
                ("people", "3"),
            ])
        },
        expect: |who| report_expect(who, Action::RecordPeopleMet, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/get_pack",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::ViewDocuments, None),
        check: |who, value| {
            let Who::Member(role) = who else { return };
            let titles: Vec<&str> = value["documents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|entry| entry["document"]["title"].as_str().unwrap())
                .collect();
            // The briefing note is for the team; the council's documents for everyone.
            assert!(titles.contains(&"Position statement"), "{role:?}");
            assert_eq!(
                titles.contains(&"Peer team briefing note"),
                role.does_fieldwork(),
                "{role:?}: {titles:?}"
            );
            assert_eq!(
                value["not_opened"].is_array(),
                allows_in(
                    ReviewType::LgaCorporatePeerChallenge,
                    role,
                    Action::ViewDocumentReads
                ),
                "{role:?}"
            );
        },
    },
    Row {
        path: "/api/mark_document_read",
        body: |ids| form(&[("review", &ids.review), ("document", UNKNOWN)]),
        expect: |who| report_expect(who, Action::ViewDocuments, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/withdraw_document",
        body: |ids| form(&[("review", &ids.review), ("document", UNKNOWN)]),
        expect: |who| report_expect(who, Action::ManageDocuments, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/get_benchmarks",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::ViewBenchmarks, None),
        check: |who, value| {
            let Who::Member(role) = who else { return };
            let cpc = ReviewType::LgaCorporatePeerChallenge;
            assert_eq!(
                value["can_import"],
                allows_in(cpc, role, Action::ImportBenchmarks)
            );
            assert_eq!(
                value["can_pick"],
                allows_in(cpc, role, Action::PickIndicators)
            );
        },
    },
    Row {
        path: "/api/pick_indicator",
        body: |ids| {
            form(&[
                ("review", &ids.review),
                ("indicator", "SW1"),
                ("picked", "true"),
            ])
        },
        // The demo's CPC has no data: those allowed are told so.
        expect: |who| report_expect(who, Action::PickIndicators, None).or_everyone("not_found"),
        check: nothing,
    },
    Row {
        path: "/api/get_retention",
        body: |ids| form(&[("review", &ids.review)]),
        expect: |who| report_expect(who, Action::ViewRetention, None),
        check: |who, value| {
            let Who::Member(role) = who else { return };
            assert_eq!(value["days"], 30);
            let cpc = ReviewType::LgaCorporatePeerChallenge;
            assert_eq!(
                value["may_destroy"],
                allows_in(cpc, role, Action::DestroyNotes)
            );
            assert_eq!(value["may_set"], allows_in(cpc, role, Action::SetRetention));
            // Not signed off: nothing to preview, nothing destroyed.
            assert!(value["preview"].is_null() && value["record"].is_null());
        },
    },
    Row {
        path: "/api/set_retention",
        body: |ids| form(&[("review", &ids.review), ("days", "30")]),
        expect: |who| report_expect(who, Action::SetRetention, None),
        check: nothing,
    },
    Row {
        path: "/api/destroy_notes_now",
        body: |ids| form(&[("review", &ids.review), ("confirm", "on")]),
        // The demo's report is not signed off: the facilitator is told the notes stay until then.
        expect: |who| report_expect(who, Action::DestroyNotes, None).or_everyone("conflict"),
        check: nothing,
    },
    Row {
        path: "/api/get_site_retention",
        body: no_body,
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin => Expect::Allowed,
            _ => Expect::Denied("forbidden"),
        },
        check: |_, value| assert_eq!(value, &serde_json::json!(30)),
    },
    Row {
        path: "/api/erase_account",
        // No account has this address: an administrator is told so, everyone else refused.
        body: |_| form(&[("email", "nobody@nowhere.example"), ("confirm", "on")]),
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin => Expect::Denied("not_found"),
            _ => Expect::Denied("forbidden"),
        },
        check: nothing,
    },
    Row {
        path: "/api/set_site_retention",
        body: |_| form(&[("days", "30")]),
        expect: |who| match who {
            Who::Nobody => Expect::Denied("unauthenticated"),
            Who::Admin => Expect::Allowed,
            _ => Expect::Denied("forbidden"),
        },
        check: nothing,
    },
];

/// An id no row has.
const UNKNOWN: &str = "00000000-0000-0000-0000-00000000abcd";

/// A report call's answer by the role table for a CPC: `exception` is a role that is allowed but
/// refused for the state it finds.
fn report_expect(who: Who, action: Action, exception: Option<(Role, &'static str)>) -> Expect {
    match who {
        Who::Nobody => Expect::Denied("unauthenticated"),
        Who::Admin | Who::Outsider => Expect::Denied("not_found"),
        Who::Member(role) if exception.is_some_and(|(r, _)| r == role) => {
            Expect::Denied(exception.map_or("", |(_, code)| code))
        }
        Who::Member(role) if allows_in(ReviewType::LgaCorporatePeerChallenge, role, action) => {
            Expect::Allowed
        }
        Who::Member(_) => Expect::Denied("forbidden"),
    }
}

impl Expect {
    /// Allowed callers are told the thing is not there (an unknown id).
    fn or_everyone(self, code: &'static str) -> Expect {
        match self {
            Expect::Allowed => Expect::Denied(code),
            other => other,
        }
    }
}

async fn cookie_for(app: &TestApp, who: Who, admin_password: &str) -> Option<String> {
    let email = match who {
        Who::Nobody => return None,
        Who::Admin => "admin@peerwall.test",
        Who::Outsider => "outsider@otherton.gov.uk",
        Who::Member(role) => DEMO_PEOPLE.iter().find(|p| p.2 == role).unwrap().1,
    };
    let password = match who {
        Who::Admin | Who::Outsider => admin_password,
        _ => DEMO_PASSWORD,
    };
    Some(app.session_cookie(email, password).await)
}

#[tokio::test]
async fn every_server_function_answers_every_caller_as_the_table_says() {
    let app = TestApp::demo().await;
    let db = &app.state.db;

    // An administrator who is on no review, and someone on another council's review.
    let admin_password =
        peerwall_server::accounts::create_admin(db, "admin@peerwall.test", "Ada Admin")
            .await
            .unwrap();
    let outsider_hash = peerwall_server::auth::password::hash(&admin_password);
    let outsider = accounts::create_person(
        db,
        accounts::NewPerson {
            email: "outsider@otherton.gov.uk".into(),
            name: "Olly Outsider".into(),
            password_hash: outsider_hash,
            is_admin: false,
            may_create_reviews: false,
        },
    )
    .await
    .unwrap()
    .unwrap();
    let other_review = review_db::insert(
        db,
        review_db::NewReview {
            title: "Otherton Council Corporate Peer Challenge".into(),
            host_authority: "Otherton Council".into(),
            review_type: app::review::ReviewType::LgaCorporatePeerChallenge,
            phase: app::review::Phase::Preparation,
            scope: String::new(),
            on_site_start: NaiveDate::from_ymd_opt(2027, 2, 1).unwrap(),
            on_site_end: NaiveDate::from_ymd_opt(2027, 2, 4).unwrap(),
            headings: vec![],
            facilitator: None,
        },
    )
    .await
    .unwrap();
    membership::add_membership(db, other_review, outsider, Role::Facilitator, None)
        .await
        .unwrap();
    let demo_review = review_db::list_summaries(db)
        .await
        .unwrap()
        .into_iter()
        .find(|review| review.title.starts_with("Eastbrook"))
        .unwrap()
        .id;
    let peer = accounts::find_person_by_email(db, DEMO_PEOPLE[2].1)
        .await
        .unwrap()
        .unwrap();
    let temporary = accounts::create_person(
        db,
        accounts::NewPerson {
            email: "temporary@eastbrook.gov.uk".into(),
            name: "Tim Porary".into(),
            password_hash: peerwall_server::auth::password::hash(&admin_password),
            is_admin: false,
            may_create_reviews: false,
        },
    )
    .await
    .unwrap()
    .unwrap();
    membership::add_membership(db, demo_review, temporary, Role::Observer, None)
        .await
        .unwrap();
    let ids = Ids {
        review: demo_review.to_string(),
        peer: peer.id.to_string(),
        temporary: temporary.to_string(),
    };

    let mut callers = vec![Who::Nobody, Who::Admin, Who::Outsider];
    // The demo review is a CPC: every role it can have (the PCI's fieldwork role is in pci.rs).
    callers.extend(
        Role::in_programme(ReviewType::LgaCorporatePeerChallenge)
            .into_iter()
            .map(Who::Member),
    );

    for who in callers {
        for row in TABLE {
            // A fresh session per call, since sign_out ends it.
            let cookie = cookie_for(&app, who, &admin_password).await;
            let body = (row.body)(&ids);
            // A server function that takes JSON (`input = Json`) gets its body as JSON.
            let response = if body.starts_with('{') {
                app.post_json(row.path, body, cookie.as_deref()).await
            } else {
                app.post(row.path, body, cookie.as_deref()).await
            };
            let status = response.status();
            let body = json(response).await;
            match (row.expect)(who) {
                Expect::Allowed => {
                    assert!(
                        status.is_success(),
                        "{} as {who:?}: {status} {body}",
                        row.path
                    );
                    (row.check)(who, &body);
                }
                Expect::Denied(code) => {
                    assert!(
                        !status.is_success(),
                        "{} as {who:?} was allowed: {body}",
                        row.path
                    );
                    assert_eq!(body["code"], code, "{} as {who:?}: {body}", row.path);
                    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
                }
            }
        }
    }
    app.stop().await;
}

#[test]
fn every_server_function_is_in_the_table() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let listed: BTreeSet<String> = TABLE.iter().map(|row| row.path.to_string()).collect();
    let missing: Vec<&String> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "server functions with no row in the authorization table: {missing:?}"
    );
    let stale: Vec<&String> = listed.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "rows for server functions that no longer exist: {stale:?}"
    );
}

#[tokio::test]
async fn refusals_carry_the_matching_http_status() {
    let app = TestApp::demo().await;
    let unauthenticated = app.post("/api/list_my_reviews", String::new(), None).await;
    assert_eq!(unauthenticated.status(), 401);
    let cookie = app.session_cookie(DEMO_PEOPLE[0].1, DEMO_PASSWORD).await;
    let unknown = form(&[("review", "00000000-0000-0000-0000-000000000000")]);
    let not_found = app.post("/api/get_review", unknown, Some(&cookie)).await;
    assert_eq!(not_found.status(), 404);
    let invalid = app.sign_in("not-an-email", "whatever it is").await;
    assert_eq!(invalid.status(), 422);
    app.stop().await;
}
