//! The audit trail is written through the audit service for every reading of the notes and
//! every change of who may read them: each opening of the wall (with the role it was opened
//! in), each export (its format and whether authors left with it), each change of role or
//! phase; and the facilitator's audit view shows them.

use app::accounts::PersonId;
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use serde_json::Value;

use crate::support::{TestApp, form, json};
use crate::wall::Client;

const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const PEER: &str = DEMO_PEOPLE[2].1;

/// The review's audit trail as its facilitator reads it: (kind, actor, detail), newest first.
async fn trail(app: &TestApp, review: &str, facilitator: &str) -> Vec<(String, String, String)> {
    let events = json(
        app.post(
            "/api/list_audit",
            form(&[("review", review)]),
            Some(facilitator),
        )
        .await,
    )
    .await;
    let text = |event: &Value, field: &str| event[field].as_str().unwrap_or_default().to_string();
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                text(event, "kind"),
                text(event, "actor"),
                text(event, "detail"),
            )
        })
        .collect()
}

fn rows<'a>(
    trail: &'a [(String, String, String)],
    kind: &str,
) -> Vec<&'a (String, String, String)> {
    trail.iter().filter(|(k, _, _)| k == kind).collect()
}

#[tokio::test]
async fn openings_exports_role_and_phase_changes_reach_the_facilitators_audit_view() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let before = trail(&app, &review, &facilitator).await;
    assert!(rows(&before, "wall_opened").is_empty(), "{before:?}");

    // The peer opens the wall twice (a reconnection reads the notes again), then exports it.
    for _ in 0..2 {
        let client = Client::open(&app, &review, &peer).await;
        drop(client);
    }
    let export = app
        .http
        .get(app.url(&format!("/api/reviews/{review}/wall/export?format=md")))
        .header(reqwest::header::COOKIE, peer.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);

    // The facilitator makes the peer an observer and moves the review on a phase.
    let helen = peerwall_server::db::accounts::find_person_by_email(&app.state.db, PEER)
        .await
        .unwrap()
        .unwrap();
    let person = PersonId(helen.id).0.to_string();
    let changed = app
        .post(
            "/api/update_member",
            form(&[
                ("review", &review),
                ("person", &person),
                ("role", "observer"),
                ("pair", ""),
            ]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let moved = app
        .post(
            "/api/change_phase",
            form(&[("review", &review), ("phase", "draft_report")]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(moved.status(), 200, "{}", moved.text().await.unwrap());

    let after = trail(&app, &review, &facilitator).await;
    let opened = rows(&after, "wall_opened");
    assert_eq!(opened.len(), 2, "one row per opening: {after:?}");
    assert!(
        opened
            .iter()
            .all(|(_, actor, detail)| actor == "Helen Marsh" && detail == "as peer"),
        "{opened:?}"
    );
    let exported = rows(&after, "wall_exported");
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].2, "md, without authors");
    let role = rows(&after, "role_changed");
    assert_eq!(role.len(), 1);
    assert!(role[0].2.contains("peer to observer"), "{role:?}");
    let phase = rows(&after, "phase_changed");
    assert_eq!(phase.len(), 1);
    assert!(phase[0].2.ends_with("to draft_report"), "{phase:?}");
    // Newest first: the phase change, the pair and role change (an observer has no pair), the
    // export.
    let order: Vec<&str> = after
        .iter()
        .map(|(kind, _, _)| kind.as_str())
        .take(4)
        .collect();
    assert_eq!(
        order,
        [
            "phase_changed",
            "pair_changed",
            "role_changed",
            "wall_exported"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_facilitator_downloads_the_whole_trail_as_csv_and_the_download_is_in_it() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    drop(Client::open(&app, &review, &peer).await);
    let path = format!("/api/reviews/{review}/audit.csv");
    // The peer team reads notes, not the trail of who read them.
    assert_eq!(app.get_as_status(&path, &peer).await, 403);
    assert_eq!(app.get(&path).await.status(), 401);
    let response = app
        .http
        .get(app.url(&path))
        .header(reqwest::header::COOKIE, facilitator.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()[reqwest::header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.ends_with("-audit.csv\""), "{disposition}");
    let csv = response.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("when,review,who,what,detail"));
    assert!(
        csv.lines()
            .any(|line| line.contains("Helen Marsh,wall_opened,as peer")),
        "{csv}"
    );
    let kinds = app.audit_kinds().await;
    assert_eq!(kinds.first().map(String::as_str), Some("audit_exported"));
    app.stop().await;
}
