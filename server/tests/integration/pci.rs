//! The programme-aware role table, through the real server: in a Peer Collaborative Improvement
//! the host lead invites host colleagues, and a host colleague in the fieldwork role writes notes
//! with the peers; in a Corporate Peer Challenge neither can happen.

use app::membership::{Action, Role, allows_in};
use app::review::ReviewType;
use app::wall::protocol::ServerMessage;
use peerwall_server::db::{accounts, membership, review as review_db};
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE, PCI_HOSTS};

use crate::support::{TestApp, form, json, websocket};
use crate::wall::{Client, acked, create, new_note, new_op};

const HOST_LEAD: &str = PCI_HOSTS[0].1;
const FIELDWORK: &str = PCI_HOSTS[2].1;

/// The demo's review whose title starts with `title`.
async fn review_titled(app: &TestApp, title: &str) -> String {
    review_db::list_summaries(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|review| review.title.starts_with(title))
        .unwrap()
        .id
        .to_string()
}

/// Asks to invite `email` in `role`; the HTTP status and the body.
async fn invite(
    app: &TestApp,
    cookie: &str,
    review: &str,
    email: &str,
    role: Role,
) -> (u16, serde_json::Value) {
    let body = form(&[
        ("review", review),
        ("email", email),
        ("role", role.as_str()),
    ]);
    let response = app.post("/api/invite_member", body, Some(cookie)).await;
    let status = response.status().as_u16();
    (status, json(response).await)
}

#[tokio::test]
async fn in_a_pci_the_host_lead_invites_host_colleagues_and_only_there() {
    let app = TestApp::demo().await;
    let pci = review_titled(&app, "Glenmoor").await;
    let cpc = review_titled(&app, "Eastbrook").await;
    let host_lead = app.session_cookie(HOST_LEAD, DEMO_PASSWORD).await;

    let (status, link) = invite(
        &app,
        &host_lead,
        &pci,
        "ross@glenmoor.gov.uk",
        Role::Fieldwork,
    )
    .await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(link["role"], "host_fieldwork");
    let (status, _) = invite(
        &app,
        &host_lead,
        &pci,
        "reader@glenmoor.gov.uk",
        Role::HostReader,
    )
    .await;
    assert_eq!(status, 200);
    for role in [
        Role::Peer,
        Role::HostLead,
        Role::Facilitator,
        Role::Observer,
    ] {
        let (status, body) = invite(&app, &host_lead, &pci, "x@glenmoor.gov.uk", role).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("forbidden")),
            "{role:?}"
        );
    }

    // In a CPC the host lead invites no one, and no one has the fieldwork role.
    let cpc_host_lead = DEMO_PEOPLE
        .iter()
        .find(|p| p.2 == Role::HostLead)
        .unwrap()
        .1;
    let cpc_host_lead = app.session_cookie(cpc_host_lead, DEMO_PASSWORD).await;
    let (status, _) = invite(
        &app,
        &cpc_host_lead,
        &cpc,
        "r@eastbrook.gov.uk",
        Role::HostReader,
    )
    .await;
    assert_eq!(status, 403);
    let facilitator = app.session_cookie(DEMO_PEOPLE[0].1, DEMO_PASSWORD).await;
    let (status, body) = invite(
        &app,
        &facilitator,
        &cpc,
        "f@eastbrook.gov.uk",
        Role::Fieldwork,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("role")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Peer Collaborative Improvement")
    );
    let peer = accounts::find_person_by_email(&app.state.db, DEMO_PEOPLE[2].1)
        .await
        .unwrap()
        .unwrap();
    let body = form(&[
        ("review", &cpc),
        ("person", &peer.id.to_string()),
        ("role", "host_fieldwork"),
        ("pair", ""),
    ]);
    let response = app
        .post("/api/update_member", body, Some(&facilitator))
        .await;
    assert_eq!(response.status(), 422);
    let review_id = app::review::ReviewId(cpc.parse().unwrap());
    let role = membership::role_in(&app.state.db, app::accounts::PersonId(peer.id), review_id)
        .await
        .unwrap();
    assert_eq!(role, Some(Role::Peer), "nothing changed");

    // The facilitator of the PCI may invite a fieldwork member too, and give one a pair.
    let (status, _) = invite(
        &app,
        &facilitator,
        &pci,
        "second@glenmoor.gov.uk",
        Role::Fieldwork,
    )
    .await;
    assert_eq!(status, 200);
    let ewan = accounts::find_person_by_email(&app.state.db, FIELDWORK)
        .await
        .unwrap()
        .unwrap();
    let body = form(&[
        ("review", &pci),
        ("person", &ewan.id.to_string()),
        ("role", "host_fieldwork"),
        ("pair", "1"),
    ]);
    let response = app
        .post("/api/update_member", body, Some(&facilitator))
        .await;
    assert_eq!(response.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_fieldwork_member_writes_notes_and_the_doors_follow_the_pci_table() {
    let app = TestApp::demo().await;
    let pci = review_titled(&app, "Glenmoor").await;
    let cookie = app.session_cookie(FIELDWORK, DEMO_PASSWORD).await;

    let mut client = Client::join(&app, &pci, &cookie, None).await;
    let ServerMessage::Welcome { name, pair, .. } = client.welcome().await else {
        panic!("a welcome")
    };
    assert_eq!((name.as_str(), pair), ("Ewan Ross", Some(2)));
    let answer = client
        .command(
            new_op(),
            create(new_note(), None, "Partners want one front door."),
        )
        .await;
    assert!(acked(&answer) > 0);

    // The review's overview shows them the pairs, as the team.
    let response = app
        .post("/api/get_review", form(&[("review", &pci)]), Some(&cookie))
        .await;
    let overview = json(response).await;
    assert_eq!(overview["shows_pairs"], true);
    assert_eq!(overview["my_role"], "host_fieldwork");

    // Every door, for every role the PCI has, as the PCI's table says.
    let mut people: Vec<(&str, Role)> = PCI_HOSTS.iter().map(|(_, e, r)| (*e, *r)).collect();
    people.extend([DEMO_PEOPLE[0], DEMO_PEOPLE[2]].iter().map(|p| (p.1, p.2)));
    let pci_type = ReviewType::PeerCollaborativeImprovement;
    for (email, role) in people {
        let cookie = app.session_cookie(email, DEMO_PASSWORD).await;
        for (kind, action) in [
            ("wall", Action::ViewNotes),
            ("report", Action::ReadReport),
            ("timetable", Action::ViewTimetable),
            ("deck", Action::FollowPresentation),
        ] {
            let path = format!("/ws/reviews/{pci}/{kind}");
            let got = match websocket(app.addr, &path, Some(&cookie)).await {
                Ok(_) => 101,
                Err(status) => status,
            };
            let expected = if allows_in(pci_type, role, action) {
                101
            } else {
                403
            };
            assert_eq!(got, expected, "{role:?} at the {kind} socket");
        }
        let export = app
            .get_as_status(
                &format!("/api/reviews/{pci}/wall/export?format=csv&authors=include"),
                &cookie,
            )
            .await;
        let expected = if allows_in(pci_type, role, Action::ExportWall) {
            200
        } else {
            403
        };
        assert_eq!(export, expected, "{role:?} exporting with authors");
    }
    app.stop().await;
}
