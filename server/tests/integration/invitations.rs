//! Invitations by single-use link, and phase changes.

use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};

use crate::support::{TestApp, config, form, json};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;

async fn invite(app: &TestApp, cookie: &str, review: &str, email: &str, role: &str) -> String {
    let body = form(&[("review", review), ("email", email), ("role", role)]);
    let response = app.post("/api/invite_member", body, Some(cookie)).await;
    assert_eq!(response.status(), 200);
    let link = json(response).await;
    let path = link["path"].as_str().unwrap();
    path.strip_prefix("/invitations/").unwrap().to_string()
}

async fn accept(app: &TestApp, token: &str, name: &str, password: &str) -> reqwest::Response {
    let body = form(&[("token", token), ("name", name), ("password", password)]);
    app.post("/api/accept_invitation", body, None).await
}

#[tokio::test]
async fn a_new_person_accepts_an_invitation_once_and_joins_in_the_role() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let token = invite(
        &app,
        &facilitator,
        &review,
        "Jess.New@Westshire.gov.uk",
        "peer",
    )
    .await;

    let preview = json(
        app.post("/api/get_invitation", form(&[("token", &token)]), None)
            .await,
    )
    .await;
    assert_eq!(preview["email"], "jess.new@westshire.gov.uk");
    assert_eq!(preview["role"], "peer");
    assert_eq!(preview["has_account"], false);
    assert_eq!(
        preview["review_title"],
        "Eastbrook Borough Council Corporate Peer Challenge"
    );

    // A mistake does not use the link up.
    let short = accept(&app, &token, "Jess New", "short").await;
    assert_eq!(short.status(), 422);
    assert!(
        json(short).await["message"]
            .as_str()
            .unwrap()
            .contains("at least 12")
    );
    let nameless = accept(&app, &token, "  ", "a long enough password").await;
    assert_eq!(nameless.status(), 422);

    let accepted = accept(&app, &token, "Jess New", "a long enough password").await;
    assert_eq!(accepted.status(), 200);
    let cookie = crate::support::cookie_set_by(&accepted);
    let caller = json(accepted).await;
    assert_eq!(caller["name"], "Jess New");
    let mine = json(
        app.post("/api/list_my_reviews", String::new(), Some(&cookie))
            .await,
    )
    .await;
    assert_eq!(mine[0]["role"], "peer");

    // Single use.
    let again = accept(&app, &token, "Someone Else", "another long password").await;
    assert_eq!(again.status(), 404);
    assert!(
        json(again).await["message"]
            .as_str()
            .unwrap()
            .contains("already been used")
    );
    let preview_again = app
        .post("/api/get_invitation", form(&[("token", &token)]), None)
        .await;
    assert_eq!(preview_again.status(), 404);

    // And the new account signs in normally.
    assert_eq!(
        app.sign_in("jess.new@westshire.gov.uk", "a long enough password")
            .await
            .status(),
        200
    );

    let kinds = app.audit_kinds().await;
    assert!(kinds.iter().any(|k| k == "invitation_created"));
    assert!(kinds.iter().any(|k| k == "invitation_accepted"));
    app.stop().await;
}

#[tokio::test]
async fn someone_with_an_account_accepts_with_their_own_password() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    // The observer is invited again, as a host reader: the membership they have is kept.
    let token = invite(&app, &facilitator, &review, DEMO_PEOPLE[7].1, "host_reader").await;
    let preview = json(
        app.post("/api/get_invitation", form(&[("token", &token)]), None)
            .await,
    )
    .await;
    assert_eq!(preview["has_account"], true);

    let wrong = accept(&app, &token, "", "not their password").await;
    assert_eq!(wrong.status(), 401);
    let right = accept(&app, &token, "", DEMO_PASSWORD).await;
    assert_eq!(right.status(), 200);
    assert_eq!(json(right).await["name"], "Ruth Bellamy");
    app.stop().await;
}

#[tokio::test]
async fn two_people_racing_with_one_link_cannot_both_join() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let token = invite(&app, &facilitator, &review, "race@westshire.gov.uk", "peer").await;
    let (a, b) = tokio::join!(
        accept(&app, &token, "Racer A", "a long enough password"),
        accept(&app, &token, "Racer B", "a long enough password"),
    );
    let successes = [a.status(), b.status()]
        .iter()
        .filter(|s| s.is_success())
        .count();
    assert_eq!(successes, 1, "{} {}", a.status(), b.status());
    app.stop().await;
}

#[tokio::test]
async fn an_expired_invitation_is_refused() {
    let app = TestApp::start(config("mem://", &["--demo", "--invitation-ttl-secs", "1"])).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let token = invite(&app, &facilitator, &review, "late@westshire.gov.uk", "peer").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let response = accept(&app, &token, "Late Comer", "a long enough password").await;
    assert_eq!(response.status(), 404);
    assert!(
        json(response).await["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    app.stop().await;
}

#[tokio::test]
async fn the_facilitator_moves_the_phase_and_it_is_recorded() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let change = |phase: &'static str| {
        let body = form(&[("review", &review), ("phase", phase)]);
        let cookie = facilitator.clone();
        let app = &app;
        async move { app.post("/api/change_phase", body, Some(&cookie)).await }
    };
    assert_eq!(change("draft_report").await.status(), 200);
    let mine = json(
        app.post("/api/list_my_reviews", String::new(), Some(&facilitator))
            .await,
    )
    .await;
    assert_eq!(mine[0]["summary"]["phase"], "draft_report");

    let same = change("draft_report").await;
    assert_eq!(same.status(), 422);
    assert!(
        json(same).await["message"]
            .as_str()
            .unwrap()
            .contains("already")
    );
    // An unknown phase is refused with a sentence, and changes nothing.
    let nonsense = json(change("nonsense").await).await;
    assert_eq!(nonsense["code"], "invalid", "{nonsense}");
    let mine = json(
        app.post("/api/list_my_reviews", String::new(), Some(&facilitator))
            .await,
    )
    .await;
    assert_eq!(mine[0]["summary"]["phase"], "draft_report");

    let audit = peerwall_server::db::audit::recent_audit(&app.state.db, 10)
        .await
        .unwrap();
    let event = audit
        .iter()
        .find(|event| event.kind == "phase_changed")
        .expect("audited");
    assert_eq!(event.detail, "on_site to draft_report");
    assert_eq!(event.actor.as_deref(), Some(FACILITATOR));

    // Moving back needs a reason, which is recorded with the change.
    let back = json(change("on_site").await).await;
    assert_eq!(back["code"], "invalid", "{back}");
    assert!(
        back["message"].as_str().unwrap().contains("needs a reason"),
        "{back}"
    );
    let body = form(&[
        ("review", &review),
        ("phase", "on_site"),
        ("reason", "Two interviews were postponed to next week"),
    ]);
    let moved = app
        .post("/api/change_phase", body, Some(&facilitator))
        .await;
    assert_eq!(moved.status(), 200);
    let audit = peerwall_server::db::audit::recent_audit(&app.state.db, 10)
        .await
        .unwrap();
    assert!(
        audit.iter().any(|e| e.kind == "phase_changed"
            && e.detail
                == "draft_report to on_site because Two interviews were postponed to next week"),
        "{audit:?}"
    );
    app.stop().await;
}
