//! Facilitator accounts, creating reviews, managing members and pairs, and organisations.

use peerwall_server::demo::{DEMO_ADMIN, DEMO_PASSWORD, DEMO_PEOPLE};
use serde_json::Value;

use crate::support::{TestApp, form, json};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;

async fn call(app: &TestApp, path: &str, pairs: &[(&str, &str)], cookie: &str) -> (u16, Value) {
    let response = app.post(path, form(pairs), Some(cookie)).await;
    let status = response.status().as_u16();
    (status, json(response).await)
}

fn lga_review<'a>(host: &'a str, focus: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", ""),
        ("host_authority", host),
        ("review_type", "lga_corporate_peer_challenge"),
        ("scope", "The five core components and adult social care."),
        ("focus", focus),
        ("on_site_start", "2027-03-02"),
        ("on_site_end", "2027-03-05"),
    ]
}

fn member<'a>(overview: &'a Value, name: &str) -> &'a Value {
    overview["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|member| member["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in {overview}"))
}

#[tokio::test]
async fn an_administrator_invites_a_facilitator_who_sets_up_a_review() {
    let app = TestApp::demo().await;
    let admin = app.session_cookie(DEMO_ADMIN.1, DEMO_PASSWORD).await;
    // A malformed address is refused with the field named, and nothing is sent.
    let (status, error) = call(
        &app,
        "/api/invite_facilitator",
        &[("email", "not an address")],
        &admin,
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (422, Some("email")),
        "{error}"
    );
    let (status, link) = call(
        &app,
        "/api/invite_facilitator",
        &[("email", "Morag.Reid@improvementservice.org.uk")],
        &admin,
    )
    .await;
    assert_eq!(status, 200, "{link}");
    let token = link["path"]
        .as_str()
        .unwrap()
        .strip_prefix("/invitations/")
        .unwrap()
        .to_string();

    let (_, preview) = call(&app, "/api/get_invitation", &[("token", &token)], "").await;
    assert!(preview["review"].is_null(), "{preview}");
    assert_eq!(preview["email"], "morag.reid@improvementservice.org.uk");

    let accepted = app
        .post(
            "/api/accept_invitation",
            form(&[
                ("token", &token),
                ("name", "Morag Reid"),
                ("password", "a long enough password"),
            ]),
            None,
        )
        .await;
    assert_eq!(accepted.status(), 200);
    let cookie = crate::support::cookie_set_by(&accepted);
    let caller = json(accepted).await;
    assert_eq!(caller["may_create_reviews"], true);
    // A new session sees the same: the flag is stored, not only answered once.
    let (_, me) = call(&app, "/api/who_am_i", &[], &cookie).await;
    assert_eq!(me["may_create_reviews"], true, "{me}");

    let (status, created) = call(
        &app,
        "/api/create_review",
        &lga_review("Northshire County Council", "Adult social care"),
        &cookie,
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let review = created.as_str().unwrap();
    let (status, overview) = call(&app, "/api/get_review", &[("review", review)], &cookie).await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["my_role"], "facilitator");
    assert_eq!(overview["summary"]["phase"], "scoping");
    assert_eq!(
        overview["summary"]["title"],
        "Northshire County Council Corporate Peer Challenge"
    );
    let headings: Vec<&str> = overview["summary"]["headings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|heading| heading.as_str().unwrap())
        .collect();
    assert_eq!(
        headings,
        [
            "Local priorities and outcomes",
            "Organisational and place leadership",
            "Governance and culture",
            "Financial planning and management",
            "Capacity for improvement",
            "Adult social care",
        ]
    );
    // The host council is on the organisations list now (and is not duplicated by case).
    let (_, organisations) = call(&app, "/api/list_organisations", &[], &cookie).await;
    let northshire = organisations
        .as_array()
        .unwrap()
        .iter()
        .filter(|organisation| {
            organisation["name"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("Northshire County Council")
        })
        .count();
    assert_eq!(northshire, 1, "{organisations}");
    let kinds = app.audit_kinds().await;
    assert!(
        kinds.contains(&"facilitator_invited".to_string()),
        "{kinds:?}"
    );
    assert!(kinds.contains(&"review_created".to_string()), "{kinds:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_review_with_bad_fields_names_the_field_and_writes_nothing() {
    let app = TestApp::demo().await;
    let cookie = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let before = peerwall_server::db::review::count(&app.state.db)
        .await
        .unwrap();
    let long_title = "T".repeat(201);
    let cases: [(&str, &str, &str); 6] = [
        ("host_authority", "   ", "host_authority"),
        ("title", &long_title, "title"),
        ("on_site_start", "31/02/2027", "on_site_start"),
        ("on_site_end", "2027-03-01", "on_site_end"),
        ("on_site_end", "2027-04-30", "on_site_end"),
        ("review_type", "peer_collaborative_improvement", "focus"),
    ];
    for (field, value, blamed) in cases {
        let mut pairs = lga_review("Testshire Council", "");
        for pair in &mut pairs {
            if pair.0 == field {
                pair.1 = value;
            }
        }
        let (status, error) = call(&app, "/api/create_review", &pairs, &cookie).await;
        assert_eq!(status, 422, "{field}={value}: {error}");
        assert_eq!(error["code"], "invalid");
        assert_eq!(error["field"], blamed, "{field}={value}: {error}");
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    let after = peerwall_server::db::review::count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(before, after, "a refused review was stored");
    app.stop().await;
}

#[tokio::test]
async fn the_facilitator_forms_pairs_changes_roles_and_removes_members() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let overview = |cookie: String| {
        let (app, review) = (&app, review.clone());
        async move {
            call(app, "/api/get_review", &[("review", &review)], &cookie)
                .await
                .1
        }
    };
    let before = overview(facilitator.clone()).await;
    let helen = member(&before, "Helen Marsh")["person"]
        .as_str()
        .unwrap()
        .to_string();
    let sam = member(&before, "Sam Whitfield")["person"]
        .as_str()
        .unwrap()
        .to_string();
    let priya = member(&before, "Priya Shah")["person"]
        .as_str()
        .unwrap()
        .to_string();
    let update = |person: &str, role: &str, pair: &str| {
        let pairs = [
            ("review", review.clone()),
            ("person", person.to_string()),
            ("role", role.to_string()),
            ("pair", pair.to_string()),
        ];
        let (app, facilitator) = (&app, facilitator.clone());
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call(app, "/api/update_member", &pairs, &facilitator).await
        }
    };

    // Helen moves to pair 3 and becomes team lead.
    let (status, body) = update(&helen, "team_lead", "3").await;
    assert_eq!(status, 200, "{body}");
    let after = overview(facilitator.clone()).await;
    assert_eq!(member(&after, "Helen Marsh")["pair"], 3);
    assert_eq!(member(&after, "Helen Marsh")["role"], "team_lead");
    // Organisations show beside names.
    assert_eq!(
        member(&after, "Helen Marsh")["organisation"],
        "Northshire County Council"
    );

    // Refusals: a pair for a host role, a pair out of range, the last facilitator stepping down.
    let (status, error) = update(&sam, "host_lead", "2").await;
    assert_eq!(
        (status, error["field"].as_str()),
        (422, Some("pair")),
        "{error}"
    );
    let (status, error) = update(&helen, "peer", "99").await;
    assert_eq!(
        (status, error["field"].as_str()),
        (422, Some("pair")),
        "{error}"
    );
    let (status, error) = update(&priya, "peer", "").await;
    assert_eq!(
        (status, error["field"].as_str()),
        (422, Some("role")),
        "{error}"
    );
    let (status, error) = call(
        &app,
        "/api/remove_member",
        &[("review", &review), ("person", &priya)],
        &facilitator,
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("needs a facilitator")
    );
    // Nothing changed by the refusals.
    let unchanged = overview(facilitator.clone()).await;
    assert_eq!(member(&unchanged, "Priya Shah")["role"], "facilitator");
    assert_eq!(member(&unchanged, "Helen Marsh")["pair"], 3);

    // Removing Sam ends his access at once, though his session lives on.
    let sam_cookie = app
        .session_cookie("host@demo.peerwall.test", DEMO_PASSWORD)
        .await;
    let (status, _) = call(&app, "/api/get_review", &[("review", &review)], &sam_cookie).await;
    assert_eq!(status, 200);
    let (status, body) = call(
        &app,
        "/api/remove_member",
        &[("review", &review), ("person", &sam)],
        &facilitator,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&app, "/api/get_review", &[("review", &review)], &sam_cookie).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    // Removing him twice is a clear "not a member".
    let (status, _) = call(
        &app,
        "/api/remove_member",
        &[("review", &review), ("person", &sam)],
        &facilitator,
    )
    .await;
    assert_eq!(status, 404);

    let (_, audit) = call(
        &app,
        "/api/list_audit",
        &[("review", &review)],
        &facilitator,
    )
    .await;
    let details: Vec<String> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            format!(
                "{} {}",
                event["kind"].as_str().unwrap(),
                event["detail"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "role_changed Helen Marsh: peer to team_lead",
        "pair_changed Helen Marsh: pair 1 to 3",
        "member_removed Sam Whitfield (host_lead)",
    ] {
        assert!(
            details.iter().any(|d| d == expected),
            "{expected} not in {details:?}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn organisations_are_unique_and_people_choose_their_own() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let (status, created) = call(
        &app,
        "/api/create_organisation",
        &[("name", "  Fenland   Fire Authority "), ("kind", "other")],
        &facilitator,
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["name"], "Fenland Fire Authority");
    let (status, error) = call(
        &app,
        "/api/create_organisation",
        &[("name", "FENLAND FIRE AUTHORITY"), ("kind", "council")],
        &facilitator,
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (422, Some("name")),
        "{error}"
    );
    let (status, error) = call(
        &app,
        "/api/create_organisation",
        &[("name", &"x".repeat(201)), ("kind", "council")],
        &facilitator,
    )
    .await;
    assert_eq!(status, 422, "{error}");

    // A peer says where they work; an unknown or malformed id is refused and changes nothing.
    let peer = app.session_cookie(DEMO_PEOPLE[2].1, DEMO_PASSWORD).await;
    let fenland = created["id"].as_str().unwrap();
    for bad in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
        let (status, error) = call(
            &app,
            "/api/set_my_organisation",
            &[("organisation", bad)],
            &peer,
        )
        .await;
        assert_eq!(
            (status, error["field"].as_str()),
            (422, Some("organisation")),
            "{error}"
        );
    }
    let (_, me) = call(&app, "/api/who_am_i", &[], &peer).await;
    assert!(
        me["organisation"].is_string(),
        "the demo peer keeps theirs: {me}"
    );
    let (status, _) = call(
        &app,
        "/api/set_my_organisation",
        &[("organisation", fenland)],
        &peer,
    )
    .await;
    assert_eq!(status, 200);
    let (_, me) = call(&app, "/api/who_am_i", &[], &peer).await;
    assert_eq!(me["organisation"], fenland);
    let review = app.first_review(&peer).await;
    let (_, overview) = call(&app, "/api/get_review", &[("review", &review)], &peer).await;
    assert_eq!(
        member(&overview, "Helen Marsh")["organisation"],
        "Fenland Fire Authority"
    );
    let (status, _) = call(
        &app,
        "/api/set_my_organisation",
        &[("organisation", "")],
        &peer,
    )
    .await;
    assert_eq!(status, 200);
    let (_, me) = call(&app, "/api/who_am_i", &[], &peer).await;
    assert!(me["organisation"].is_null(), "{me}");
    app.stop().await;
}
