//! Signing in and out: cookies, sessions, throttling, cross-site refusal, bad input.

use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use reqwest::header::SET_COOKIE;

use crate::support::{TestApp, config, form, json};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;

async fn post(app: &TestApp, path: &str, body: String, cookie: Option<&str>) -> reqwest::Response {
    app.post(path, body, cookie).await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.sign_in(email, password).await
}

async fn session_cookie(app: &TestApp, email: &str) -> String {
    app.session_cookie(email, DEMO_PASSWORD).await
}

async fn who_am_i(app: &TestApp, cookie: Option<&str>) -> serde_json::Value {
    json(post(app, "/api/who_am_i", String::new(), cookie).await).await
}

#[tokio::test]
async fn signing_in_sets_a_safe_cookie_that_identifies_the_person() {
    let app = TestApp::demo().await;
    let response = sign_in(&app, FACILITATOR, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(set_cookie.starts_with("peerwall_session="), "{set_cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(set_cookie.contains(flag), "{flag} missing: {set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "not over plain HTTP: {set_cookie}"
    );
    let caller = json(response).await;
    assert_eq!(caller["name"], "Priya Shah");
    assert_eq!(caller["is_admin"], false);

    let cookie = set_cookie.split(';').next().unwrap();
    assert_eq!(who_am_i(&app, Some(cookie)).await["email"], FACILITATOR);
    assert_eq!(who_am_i(&app, None).await, serde_json::Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn email_addresses_are_matched_whatever_their_case() {
    let app = TestApp::demo().await;
    let response = sign_in(&app, &FACILITATOR.to_uppercase(), DEMO_PASSWORD).await;
    assert_eq!(response.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn every_sign_in_gets_a_new_session_and_made_up_ones_count_for_nothing() {
    let app = TestApp::demo().await;
    let first = session_cookie(&app, FACILITATOR).await;
    let second = session_cookie(&app, FACILITATOR).await;
    assert_ne!(first, second);
    // A session id an attacker planted before sign-in is not promoted by signing in.
    let planted = "peerwall_session=planted-by-an-attacker";
    let response = post(
        &app,
        "/api/sign_in",
        form(&[("email", FACILITATOR), ("password", DEMO_PASSWORD)]),
        Some(planted),
    )
    .await;
    let issued = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(!issued.contains("planted-by-an-attacker"));
    assert_eq!(who_am_i(&app, Some(planted)).await, serde_json::Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn signing_out_revokes_the_session_on_the_server() {
    let app = TestApp::demo().await;
    let cookie = session_cookie(&app, FACILITATOR).await;
    let response = post(&app, "/api/sign_out", String::new(), Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let cleared = response.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // Replaying the old cookie no longer works.
    assert_eq!(who_am_i(&app, Some(&cookie)).await, serde_json::Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::start(config("mem://", &["--demo", "--session-idle-secs", "1"])).await;
    let cookie = session_cookie(&app, FACILITATOR).await;
    assert_eq!(who_am_i(&app, Some(&cookie)).await["email"], FACILITATOR);
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    assert_eq!(who_am_i(&app, Some(&cookie)).await, serde_json::Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_limit_however_busy() {
    let app = TestApp::start(config("mem://", &["--demo", "--session-max-secs", "2"])).await;
    let cookie = session_cookie(&app, FACILITATOR).await;
    for _ in 0..3 {
        assert_eq!(who_am_i(&app, Some(&cookie)).await["email"], FACILITATOR);
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(who_am_i(&app, Some(&cookie)).await, serde_json::Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn a_state_changing_request_from_another_site_is_refused() {
    let app = TestApp::demo().await;
    let body = form(&[("email", FACILITATOR), ("password", DEMO_PASSWORD)]);
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = app
            .http
            .post(app.url("/api/sign_in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(header, value)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{header}: {value}");
        assert!(response.headers().get(SET_COOKIE).is_none());
        let error = json(response).await;
        assert_eq!(error["code"], "forbidden");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("another website")
        );
    }
    // The same request from the site itself goes through.
    let response = app
        .http
        .post(app.url("/api/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", format!("http://{}", app.addr))
        .header("sec-fetch-site", "same-origin")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn wrong_passwords_slow_an_account_down_alike_for_real_and_unknown_but_never_lock_it() {
    let app = TestApp::demo().await;
    for email in [FACILITATOR, "nobody@eastbrook.gov.uk"] {
        for attempt in 1..=5 {
            let response = sign_in(&app, email, "not the password").await;
            assert!(!response.status().is_success(), "attempt {attempt}");
            let error = json(response).await;
            assert_eq!(error["code"], "unauthenticated");
            assert_eq!(
                error["message"],
                "The email address or password is not right."
            );
        }
    }
    // Now each must wait a moment, even with the right password, and the answer does not
    // say whether the account exists.
    let real = json(sign_in(&app, FACILITATOR, DEMO_PASSWORD).await).await;
    let unknown = json(sign_in(&app, "nobody@eastbrook.gov.uk", "anything at all").await).await;
    assert_eq!(real["code"], "rate_limited", "{real}");
    assert_eq!(real, unknown);
    assert!(real["message"].as_str().unwrap().contains("Wait"), "{real}");
    // Other accounts are unaffected.
    assert_eq!(
        sign_in(&app, DEMO_PEOPLE[1].1, DEMO_PASSWORD)
            .await
            .status(),
        200
    );
    // After the wait (a second, here) the right password works: no lockout.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        sign_in(&app, FACILITATOR, DEMO_PASSWORD).await.status(),
        200
    );

    let kinds = app.audit_kinds().await;
    assert_eq!(kinds.iter().filter(|k| *k == "sign_in_failed").count(), 10);
    assert!(!kinds.iter().any(|k| k == "account_locked"));
    app.stop().await;
}

#[tokio::test]
async fn unknown_accounts_get_the_same_answer_as_wrong_passwords() {
    let app = TestApp::demo().await;
    let unknown = json(sign_in(&app, "nobody@eastbrook.gov.uk", "whatever it is").await).await;
    let wrong = json(sign_in(&app, FACILITATOR, "whatever it is").await).await;
    assert_eq!(unknown, wrong);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_message_and_no_session() {
    let app = TestApp::demo().await;
    let long_email = format!("{}@eastbrook.gov.uk", "a".repeat(300));
    let long_password = "p".repeat(10_000);
    let cases: [(&str, &str, &str); 4] = [
        ("not-an-email", DEMO_PASSWORD, "Enter an email address like"),
        (&long_email, DEMO_PASSWORD, "too long"),
        (FACILITATOR, "", "Enter your password."),
        (FACILITATOR, &long_password, "not right"),
    ];
    for (email, password, expected) in cases {
        let response = sign_in(&app, email, password).await;
        assert!(!response.status().is_success());
        assert!(response.headers().get(SET_COOKIE).is_none());
        let error = json(response).await;
        assert!(
            error["message"].as_str().unwrap().contains(expected),
            "{email}: {error}"
        );
    }
    // Missing fields and a malformed body are refused without a panic.
    for body in ["", "email=a%40b.uk", "%%%&&&=="] {
        let response = post(&app, "/api/sign_in", body.into(), None).await;
        assert!(
            response.status().is_client_error() || response.status().is_server_error(),
            "{body}"
        );
    }
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_created_on_the_command_line_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::support::folder(&dir.path().join("data"));
    let create = |email: &'static str| {
        let db = db.clone();
        std::process::Command::new(env!("CARGO_BIN_EXE_peerwall"))
            .args([
                "admin",
                "create",
                "--email",
                email,
                "--name",
                "Dana Admin",
                "--db",
                &db,
            ])
            .env("PEERWALL_LOG", "off")
            .output()
            .unwrap()
    };
    let output = create("Dana@Example.gov.uk");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let password = stdout
        .lines()
        .find_map(|line| line.split("): ").nth(1))
        .expect("the password is printed")
        .trim()
        .to_string();
    assert_eq!(password.len(), 20);

    let again = create("dana@example.gov.uk");
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");

    let bad = create("not an email");
    assert_eq!(bad.status.code(), Some(1));

    let app = TestApp::start(config(&db, &[])).await;
    let response = sign_in(&app, "dana@example.gov.uk", &password).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["is_admin"], true);
    app.stop().await;
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::demo().await;
    let here = session_cookie(&app, FACILITATOR).await;
    let elsewhere = session_cookie(&app, FACILITATOR).await;
    let change = |current: &'static str, new: &'static str| {
        let body = form(&[("current_password", current), ("new_password", new)]);
        let (app, cookie) = (&app, here.clone());
        async move { app.post("/api/change_password", body, Some(&cookie)).await }
    };

    let wrong = change("not the password", "a brand new password").await;
    assert_eq!(wrong.status(), 401);
    let short = change(DEMO_PASSWORD, "short").await;
    assert_eq!(short.status(), 422);
    let same = change(DEMO_PASSWORD, DEMO_PASSWORD).await;
    assert_eq!(same.status(), 422);
    // None of those changed anything.
    assert_eq!(who_am_i(&app, Some(&elsewhere)).await["email"], FACILITATOR);

    assert_eq!(
        change(DEMO_PASSWORD, "a brand new password").await.status(),
        200
    );
    assert_eq!(who_am_i(&app, Some(&here)).await["email"], FACILITATOR);
    assert_eq!(
        who_am_i(&app, Some(&elsewhere)).await,
        serde_json::Value::Null
    );
    assert!(
        !sign_in(&app, FACILITATOR, DEMO_PASSWORD)
            .await
            .status()
            .is_success()
    );
    assert_eq!(
        sign_in(&app, FACILITATOR, "a brand new password")
            .await
            .status(),
        200
    );
    assert!(
        app.audit_kinds()
            .await
            .iter()
            .any(|kind| kind == "password_changed")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_administrators_reset_link_sets_a_new_password_once_and_unlocks() {
    let app = TestApp::demo().await;
    let admin_password =
        peerwall_server::accounts::create_admin(&app.state.db, "admin@peerwall.test", "Ada")
            .await
            .unwrap();
    let admin = app
        .session_cookie("admin@peerwall.test", &admin_password)
        .await;
    // The facilitator forgot their password (and must now wait between tries), and has a
    // session somewhere.
    let old_session = session_cookie(&app, FACILITATOR).await;
    for _ in 0..5 {
        sign_in(&app, FACILITATOR, "forgotten it").await;
    }

    let issued = app
        .post(
            "/api/issue_password_reset",
            form(&[("email", FACILITATOR)]),
            Some(&admin),
        )
        .await;
    assert_eq!(issued.status(), 200);
    let path = json(issued).await["path"].as_str().unwrap().to_string();
    let token = path.strip_prefix("/reset-password/").unwrap().to_string();
    let unknown = app
        .post(
            "/api/issue_password_reset",
            form(&[("email", "nobody@x.gov.uk")]),
            Some(&admin),
        )
        .await;
    assert_eq!(unknown.status(), 404);

    let reset = |password: &'static str| {
        let body = form(&[("token", &token), ("new_password", password)]);
        let app = &app;
        async move { app.post("/api/reset_password", body, None).await }
    };
    // A too-short password does not use the link up.
    assert_eq!(reset("short").await.status(), 422);
    assert_eq!(reset("my new memorable password").await.status(), 200);
    assert_eq!(reset("yet another long password").await.status(), 404);

    assert_eq!(
        who_am_i(&app, Some(&old_session)).await,
        serde_json::Value::Null
    );
    assert_eq!(
        sign_in(&app, FACILITATOR, "my new memorable password")
            .await
            .status(),
        200
    );
    assert!(
        app.audit_kinds()
            .await
            .iter()
            .any(|kind| kind == "password_reset")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_exports_everything_held_about_one_person() {
    use crate::wall::{Client, create, new_note, new_op};
    let app = TestApp::demo().await;
    let helen = DEMO_PEOPLE[2];
    let peer = app.session_cookie(helen.1, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut wall = Client::open(&app, &review, &peer).await;
    let answer = wall
        .command(
            new_op(),
            create(new_note(), None, "Said at the depot: staff feel heard"),
        )
        .await;
    assert!(matches!(
        answer,
        app::wall::protocol::ServerMessage::Ack { .. }
    ));
    let password =
        peerwall_server::accounts::create_admin(&app.state.db, "ada@peerwall.test", "Ada Admin")
            .await
            .unwrap();
    let admin = app.session_cookie("ada@peerwall.test", &password).await;
    let path = format!("/api/admin/person-data?email={}", helen.1.to_uppercase());

    // Administrators only.
    assert_eq!(app.get(&path).await.status(), 401);
    assert_eq!(app.get_as_status(&path, &peer).await, 403);
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    assert_eq!(app.get_as_status(&path, &facilitator).await, 403);
    assert_eq!(
        app.get_as_status("/api/admin/person-data?email=nobody@example.org", &admin)
            .await,
        404
    );

    let data: serde_json::Value = serde_json::from_str(&app.get_as(&path, &admin).await).unwrap();
    assert_eq!(data["account"]["email"], helen.1);
    assert_eq!(data["account"]["name"], helen.0);
    assert!(data["account"].get("password_hash").is_none(), "no secrets");
    assert!(!data["sessions"].as_array().unwrap().is_empty());
    let memberships = data["memberships"].as_array().unwrap();
    assert!(
        memberships.iter().any(|m| m["role"] == "peer"),
        "{memberships:?}"
    );
    let notes = data["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["text"] == "Said at the depot: staff feel heard"),
        "{notes:?}"
    );
    let audit = data["audit"].as_array().unwrap();
    assert!(
        audit.iter().any(|a| a["kind"] == "wall_opened"),
        "{audit:?}"
    );
    let kinds = app.audit_kinds().await;
    assert_eq!(
        kinds.first().map(String::as_str),
        Some("person_data_exported")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_erased_accounts_notes_stay_by_a_former_member_and_its_name_goes() {
    use crate::wall::{Client, create, new_note, new_op};
    use app::wall::protocol::ServerMessage;
    let app = TestApp::demo().await;
    let helen = DEMO_PEOPLE[2];
    let peer = app.session_cookie(helen.1, DEMO_PASSWORD).await;
    let lead = app.session_cookie(DEMO_PEOPLE[1].1, DEMO_PASSWORD).await;
    let review = app.first_review(&peer).await;
    let mut hers = Client::open(&app, &review, &peer).await;
    let note = new_note();
    let ServerMessage::Ack { seq, .. } = hers
        .command(
            new_op(),
            create(note, None, "Heard at the depot: staff feel heard"),
        )
        .await
    else {
        panic!("the note is refused")
    };
    let mut watching = Client::open(&app, &review, &lead).await;
    watching.until_seq(seq).await;
    assert_eq!(watching.board.notes[&note].author, helen.0);
    let password =
        peerwall_server::accounts::create_admin(&app.state.db, "ada@peerwall.test", "Ada Admin")
            .await
            .unwrap();
    let admin = app.session_cookie("ada@peerwall.test", &password).await;
    let erase = |email: &str| form(&[("email", email), ("confirm", "on")]);

    // Administrators only, with the box ticked; never oneself, never a review's only facilitator.
    let refused = app
        .post("/api/erase_account", erase(helen.1), Some(&lead))
        .await;
    assert_eq!(refused.status(), 403);
    let unticked = app
        .post(
            "/api/erase_account",
            form(&[("email", helen.1)]),
            Some(&admin),
        )
        .await;
    assert_eq!(json(unticked).await["field"], "confirm");
    let own = app
        .post(
            "/api/erase_account",
            erase("ada@peerwall.test"),
            Some(&admin),
        )
        .await;
    assert_eq!(own.status(), 409);
    let sole = app
        .post("/api/erase_account", erase(FACILITATOR), Some(&admin))
        .await;
    assert_eq!(sole.status(), 409);
    assert!(
        json(sole).await["message"]
            .as_str()
            .unwrap()
            .contains("only facilitator")
    );

    let erased = app
        .post("/api/erase_account", erase(helen.1), Some(&admin))
        .await;
    assert_eq!(erased.status(), 200);
    assert!(json(erased).await.as_u64().unwrap() >= 1);
    // Her wall closes at once; the lead's wall hears the change; the note stays.
    // (after the frames already on their way: presence, her own note, the erasure)
    let mut frames = 0;
    while hers.next().await.is_some() {
        frames += 1;
        assert!(frames < 20, "the erased account's socket stays open");
    }
    watching.until_seq(seq + 1).await;
    assert_eq!(watching.board.notes[&note].author, app::wall::FORMER_MEMBER);
    let fresh = Client::open(&app, &review, &lead).await;
    assert_eq!(fresh.board.notes[&note].author, app::wall::FORMER_MEMBER);
    assert_eq!(
        fresh.board.notes[&note].text,
        "Heard at the depot: staff feel heard"
    );
    // She cannot sign in; her name and address are nowhere but the append-only audit trail.
    assert_eq!(app.sign_in(helen.1, DEMO_PASSWORD).await.status(), 401);
    for trace in [helen.0, helen.1] {
        let tables = peerwall_server::db::retention::tables_containing(&app.state.db, trace)
            .await
            .unwrap();
        assert!(
            tables.iter().all(|t| t == "audit_event"),
            "{trace} in {tables:?}"
        );
    }
    let kinds = app.audit_kinds().await;
    assert!(kinds.contains(&"account_erased".to_string()), "{kinds:?}");
    app.stop().await;
}
