//! The action plan over the real server and SurrealDB: made once from the signed-off version's
//! numbered recommendations (refused before sign-off); edited by the host lead and the host
//! readers the host lead allows, refused to everyone else and across reviews, refused when
//! stale; live on every open plan; downloaded as CSV and Word; and the publication deadlines
//! counted from the visit and the progress review's window from sign-off.

use std::time::Duration;

use app::plan::ActionPlanView;
use app::plan::protocol::PlanServerMessage;
use app::report::{Block, BlockId, BlockKind, Round};
use app::review::ReviewId;
use futures_util::StreamExt;
use peerwall_server::db;
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE, PLAN_HOSTS};
use serde_json::{Value, json as object};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Socket, TestApp, form, json};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const PEER: &str = DEMO_PEOPLE[2].1;
/// Eastbrook's host lead: on the demo review, not on Ashdown's.
const EASTBROOK_HOST: &str = DEMO_PEOPLE[5].1;
const ASHDOWN_LEAD: &str = PLAN_HOSTS[0].1;
const ASHDOWN_READER: &str = PLAN_HOSTS[1].1;

async fn review_titled(app: &TestApp, start: &str) -> ReviewId {
    db::review::list_summaries(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|review| review.title.starts_with(start))
        .unwrap()
        .id
}

async fn cookie(app: &TestApp, email: &str) -> String {
    app.session_cookie(email, DEMO_PASSWORD).await
}

async fn plan_of(app: &TestApp, review: ReviewId, cookie: &str) -> (u16, Value) {
    let response = app
        .post(
            "/api/get_action_plan",
            form(&[("review", &review.to_string())]),
            Some(cookie),
        )
        .await;
    (response.status().as_u16(), json(response).await)
}

fn action(
    review: ReviewId,
    id: uuid::Uuid,
    recommendation: u32,
    status: &str,
    version: u32,
) -> String {
    object!({
        "review": review,
        "input": {
            "id": id, "recommendation": recommendation,
            "text": "Publish the savings plans by directorate", "owner": "Director of Finance",
            "due": "2027-03-31", "status": status, "status_note": "With cabinet in March.",
            "evidence": "https://www.example.org/mtfs", "version": version
        }
    })
    .to_string()
}

async fn save(app: &TestApp, cookie: &str, body: String) -> (u16, Value) {
    let response = app
        .post_json("/api/save_plan_action", body, Some(cookie))
        .await;
    (response.status().as_u16(), json(response).await)
}

/// Signs off a report on `review` with two recommendations under two sections.
async fn signed_off_report(app: &TestApp, review: ReviewId) {
    let texts = [
        (BlockKind::Heading, "Key recommendations"),
        (
            BlockKind::Recommendation,
            "Agree a medium-term financial strategy.",
        ),
        (BlockKind::Paragraph, "Context the plan does not need."),
        (BlockKind::Heading, "Governance and culture"),
        (BlockKind::Recommendation, "Strengthen the audit committee."),
    ];
    let blocks: Vec<Block> = texts
        .iter()
        .enumerate()
        .map(|(i, (kind, text))| Block {
            id: BlockId::new(),
            kind: *kind,
            text: (*text).into(),
            order: format!("a{i}"),
            practice: None,
            source: None,
            rev: 1,
        })
        .collect();
    let db = &app.state.db;
    db::report::create(db, review, &blocks).await.unwrap();
    db::report::send_version(
        db,
        review,
        1,
        &blocks,
        "Priya".into(),
        (true, Round::Final),
        Vec::new(),
    )
    .await
    .unwrap();
    db::report::sign_off(db, review, 1, "Sam Whitfield".into())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_plan_is_made_once_from_the_signed_off_reports_recommendations() {
    let app = TestApp::demo().await;
    let review = review_titled(&app, "Eastbrook").await;
    let facilitator = cookie(&app, FACILITATOR).await;
    let host = cookie(&app, EASTBROOK_HOST).await;
    let peer = cookie(&app, PEER).await;

    let (status, before) = plan_of(&app, review, &host).await;
    assert_eq!(status, 200, "{before}");
    assert!(before["made"].is_null());
    assert_eq!(before["signed_off"], false);
    assert_eq!(before["can_make"], false);
    let body = form(&[("review", &review.to_string())]);
    let early = app
        .post("/api/make_action_plan", body.clone(), Some(&host))
        .await;
    assert_eq!(early.status(), 422);
    assert!(
        json(early).await["message"]
            .as_str()
            .unwrap()
            .contains("not signed off")
    );

    signed_off_report(&app, review).await;
    let (_, ready) = plan_of(&app, review, &host).await;
    assert_eq!(ready["can_make"], true);
    let (_, for_peer) = plan_of(&app, review, &peer).await;
    assert_eq!(
        for_peer["can_make"], false,
        "the peer team reads the plan; it does not make it"
    );
    let refused = app
        .post("/api/make_action_plan", body.clone(), Some(&peer))
        .await;
    assert_eq!(refused.status(), 403);

    let made = app
        .post("/api/make_action_plan", body.clone(), Some(&host))
        .await;
    assert_eq!(made.status(), 200);
    let plan: ActionPlanView = serde_json::from_value(json(made).await).unwrap();
    assert_eq!(plan.made.as_ref().unwrap().from_version, 1);
    let numbered: Vec<(u32, &str, &str)> = plan
        .recommendations
        .iter()
        .map(|r| (r.number, r.text.as_str(), r.section.as_str()))
        .collect();
    assert_eq!(
        numbered,
        vec![
            (
                1,
                "Agree a medium-term financial strategy.",
                "Key recommendations"
            ),
            (
                2,
                "Strengthen the audit committee.",
                "Governance and culture"
            ),
        ]
    );
    assert!(plan.can_edit, "the host lead edits the plan");
    // Made again (two people pressing at once): the same plan, made once.
    let again = app
        .post("/api/make_action_plan", body, Some(&facilitator))
        .await;
    assert_eq!(again.status(), 200);
    let again: ActionPlanView = serde_json::from_value(json(again).await).unwrap();
    assert_eq!(again.recommendations, plan.recommendations);
    assert!(!again.can_edit, "the facilitator reads the council's plan");
    let made_rows = app
        .audit_kinds()
        .await
        .into_iter()
        .filter(|kind| kind == "action_plan_made")
        .count();
    assert_eq!(made_rows, 1);
    app.stop().await;
}

#[tokio::test]
async fn the_host_lead_and_the_readers_they_allow_edit_and_everyone_else_is_refused() {
    let app = TestApp::demo().await;
    let ashdown = review_titled(&app, "Ashdown").await;
    let lead = cookie(&app, ASHDOWN_LEAD).await;
    let reader = cookie(&app, ASHDOWN_READER).await;
    let peer = cookie(&app, PEER).await;
    let facilitator = cookie(&app, FACILITATOR).await;
    let outsider = cookie(&app, EASTBROOK_HOST).await;
    let id = uuid::Uuid::new_v4();

    // The lead adds an action; everyone who reads the plan sees it.
    let (status, added) = save(&app, &lead, action(ashdown, id, 2, "green", 0)).await;
    assert_eq!(status, 200, "{added}");
    let (_, seen) = plan_of(&app, ashdown, &peer).await;
    let mine = seen["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.to_string())
        .unwrap()
        .clone();
    assert_eq!(mine["status"], "green");
    assert_eq!(mine["version"], 1);
    assert_eq!(mine["updated_by"], PLAN_HOSTS[0].0);
    assert_eq!(seen["can_edit"], false);

    // Everyone else is refused, and loses nothing.
    for (who, cookie, code) in [
        ("peer", &peer, "forbidden"),
        ("facilitator", &facilitator, "forbidden"),
        ("host reader not allowed", &reader, "forbidden"),
        ("another council's host", &outsider, "not_found"),
    ] {
        let (status, body) = save(&app, cookie, action(ashdown, id, 2, "red", 1)).await;
        assert_ne!(status, 200, "{who}");
        assert_eq!(body["code"], code, "{who}: {body}");
    }
    let (_, unchanged) = plan_of(&app, ashdown, &lead).await;
    assert!(
        unchanged["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id.to_string() && a["status"] == "green")
    );

    // The lead allows the reader, who then edits; and no longer.
    let raj = db::accounts::find_person_by_email(&app.state.db, ASHDOWN_READER)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let allow = |allowed: &str| {
        form(&[
            ("review", &ashdown.to_string()),
            ("person", &raj),
            ("allowed", allowed),
        ])
    };
    let by_reader = app
        .post("/api/allow_plan_editor", allow("true"), Some(&reader))
        .await;
    assert_eq!(by_reader.status(), 403, "a reader cannot allow themselves");
    let allowed = json(
        app.post("/api/allow_plan_editor", allow("true"), Some(&lead))
            .await,
    )
    .await;
    assert_eq!(allowed["editors"][0]["allowed"], true, "{allowed}");
    let (status, body) = save(&app, &reader, action(ashdown, id, 2, "amber", 1)).await;
    assert_eq!(status, 200, "{body}");
    app.post("/api/allow_plan_editor", allow("false"), Some(&lead))
        .await;
    let (status, _) = save(&app, &reader, action(ashdown, id, 2, "red", 2)).await;
    assert_eq!(status, 403);
    let peer_id = db::accounts::find_person_by_email(&app.state.db, PEER)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let not_a_reader = app
        .post(
            "/api/allow_plan_editor",
            form(&[
                ("review", &ashdown.to_string()),
                ("person", &peer_id),
                ("allowed", "true"),
            ]),
            Some(&lead),
        )
        .await;
    assert_eq!(
        not_a_reader.status(),
        404,
        "only host readers are allowed to edit"
    );

    // Stale, unknown and bad input: a sentence each, nothing lost.
    let (status, stale) = save(&app, &lead, action(ashdown, id, 2, "red", 1)).await;
    assert_eq!((status, stale["code"].as_str()), (409, Some("conflict")));
    let (status, _) = save(
        &app,
        &lead,
        action(ashdown, uuid::Uuid::new_v4(), 99, "red", 0),
    )
    .await;
    assert_eq!(status, 404, "no recommendation 99");
    let (status, _) = save(
        &app,
        &lead,
        action(ashdown, uuid::Uuid::new_v4(), 2, "red", 4),
    )
    .await;
    assert_eq!(status, 404, "editing an action that is not there");
    let mut bad: Value =
        serde_json::from_str(&action(ashdown, uuid::Uuid::new_v4(), 2, "red", 0)).unwrap();
    bad["input"]["evidence"] = "javascript:alert(1)".into();
    let (status, refused) = save(&app, &lead, bad.to_string()).await;
    assert_eq!((status, refused["field"].as_str()), (422, Some("evidence")));
    bad["input"]["evidence"] = "".into();
    bad["input"]["text"] = "x".repeat(5_000).into();
    let (status, refused) = save(&app, &lead, bad.to_string()).await;
    assert_eq!((status, refused["field"].as_str()), (422, Some("text")));

    // Ids of another review name nothing here.
    let eastbrook = review_titled(&app, "Eastbrook").await;
    signed_off_report(&app, eastbrook).await;
    let eastbrook_host = cookie(&app, EASTBROOK_HOST).await;
    app.post(
        "/api/make_action_plan",
        form(&[("review", &eastbrook.to_string())]),
        Some(&eastbrook_host),
    )
    .await;
    let across = app
        .post(
            "/api/remove_plan_action",
            form(&[
                ("review", &eastbrook.to_string()),
                ("action", &id.to_string()),
                ("version", "2"),
            ]),
            Some(&eastbrook_host),
        )
        .await;
    assert_eq!(across.status(), 404);

    // Removal needs the version the remover saw.
    let remove = |version: &str| {
        form(&[
            ("review", &ashdown.to_string()),
            ("action", &id.to_string()),
            ("version", version),
        ])
    };
    assert_eq!(
        app.post("/api/remove_plan_action", remove("1"), Some(&lead))
            .await
            .status(),
        409
    );
    assert_eq!(
        app.post("/api/remove_plan_action", remove("2"), Some(&peer))
            .await
            .status(),
        403
    );
    let removed = json(
        app.post("/api/remove_plan_action", remove("2"), Some(&lead))
            .await,
    )
    .await;
    assert!(
        !removed["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id.to_string())
    );

    // The progress statement, versioned the same way.
    let progress = |version: &str| {
        form(&[
            ("review", &ashdown.to_string()),
            ("number", "1"),
            ("text", "Strategy drafted; cabinet in February."),
            ("version", version),
        ])
    };
    let written = json(
        app.post("/api/save_progress_statement", progress("0"), Some(&lead))
            .await,
    )
    .await;
    assert_eq!(
        written["recommendations"][0]["progress"],
        "Strategy drafted; cabinet in February."
    );
    assert_eq!(
        app.post("/api/save_progress_statement", progress("0"), Some(&lead))
            .await
            .status(),
        409
    );
    assert_eq!(
        app.post("/api/save_progress_statement", progress("1"), Some(&peer))
            .await
            .status(),
        403
    );

    let kinds = app.audit_kinds().await;
    for kind in [
        "plan_action_added",
        "plan_action_changed",
        "plan_action_removed",
        "plan_editor_allowed",
        "plan_editor_removed",
        "progress_statement_written",
    ] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "{kind} missing from {kinds:?}"
        );
    }
    app.stop().await;
}

async fn next_plan(socket: &mut Socket) -> ActionPlanView {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s");
        match frame {
            Some(Ok(Message::Text(text))) => match serde_json::from_str(&text).unwrap() {
                PlanServerMessage::Plan { plan } => return *plan,
                PlanServerMessage::Error { error } => panic!("{error:?}"),
            },
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("the plan socket ended: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_open_plan_hears_every_change_and_strangers_get_no_socket() {
    let app = TestApp::demo().await;
    let ashdown = review_titled(&app, "Ashdown").await;
    let lead = cookie(&app, ASHDOWN_LEAD).await;
    let facilitator = cookie(&app, FACILITATOR).await;
    let path = format!("/ws/reviews/{ashdown}/plan");
    let mut watching = crate::support::websocket(app.addr, &path, Some(&facilitator))
        .await
        .unwrap();
    let first = next_plan(&mut watching).await;
    assert_eq!(first.recommendations.len(), 4);
    let overdue: Vec<&str> = first.overdue().iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        overdue,
        vec!["Run budget engagement with residents and partners"]
    );

    let red = first.overdue()[0].clone();
    let mut input = app::plan::ActionInput::from_action(&red);
    input.status = "amber".into();
    input.status_note = "Platform renewed; survey opens next week.".into();
    let body = object!({ "review": ashdown, "input": input }).to_string();
    let (status, _) = save(&app, &lead, body).await;
    assert_eq!(status, 200);
    let heard = next_plan(&mut watching).await;
    let changed = heard.actions.iter().find(|a| a.id == red.id).unwrap();
    assert_eq!(changed.status, app::plan::ActionStatus::Amber);
    assert_eq!(
        changed.status_note,
        "Platform renewed; survey opens next week."
    );

    // Access ends: a peer taken off the review has her open plan closed at once.
    let peer = cookie(&app, PEER).await;
    let mut peers = crate::support::websocket(app.addr, &path, Some(&peer))
        .await
        .unwrap();
    next_plan(&mut peers).await;
    let helen = db::accounts::find_person_by_email(&app.state.db, PEER)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let removed = app
        .post(
            "/api/remove_member",
            form(&[("review", &ashdown.to_string()), ("person", &helen)]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(removed.status(), 200);
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match peers.next().await {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return true,
                Some(Ok(Message::Text(text))) if text.contains("\"type\":\"plan\"") => {
                    return false;
                }
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("closed within 10 s");
    assert!(closed, "no plan after the removal, only the close");

    let outsider = cookie(&app, EASTBROOK_HOST).await;
    assert_eq!(
        crate::support::websocket(app.addr, &path, Some(&outsider))
            .await
            .err(),
        Some(404)
    );
    assert_eq!(
        crate::support::websocket(app.addr, &path, None).await.err(),
        Some(401)
    );
    app.stop().await;
}

#[tokio::test]
async fn the_plan_downloads_for_a_spreadsheet_and_for_cabinet() {
    let app = TestApp::demo().await;
    let ashdown = review_titled(&app, "Ashdown").await;
    let peer = cookie(&app, PEER).await;
    let get = |cookie: Option<String>, what: &'static str| {
        let mut request =
            reqwest::Client::new().get(app.url(&format!("/api/reviews/{ashdown}/plan.{what}")));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let csv = get(Some(peer.clone()), "csv").await.unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("action-plan.csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("recommendation,recommendation text,action,owner,due,status"));
    assert_eq!(lines.len(), 1 + 5, "a row per action: {text}");
    let overdue: Vec<&&str> = lines.iter().filter(|l| l.contains(",yes,")).collect();
    assert_eq!(overdue.len(), 1, "{text}");
    assert!(overdue[0].contains("Run budget engagement") && overdue[0].contains(",Red,"));

    let docx = get(Some(peer), "docx").await.unwrap();
    assert_eq!(docx.status(), 200);
    let bytes = docx.bytes().await.unwrap();
    let read = docx_rs::read_docx(&bytes).unwrap().json();
    for text in [
        "Action plan",
        "Recommendation 4",
        "Set a scrutiny work programme with the chairs",
        "Amber: at risk",
        "Overdue",
        "Progress statement",
    ] {
        assert!(read.contains(text), "{text} missing from the document");
    }
    assert_eq!(get(None, "csv").await.unwrap().status(), 401);
    let outsider = cookie(&app, EASTBROOK_HOST).await;
    assert_eq!(get(Some(outsider), "docx").await.unwrap().status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn publication_deadlines_count_from_the_visit_and_the_progress_review_from_sign_off() {
    let app = TestApp::demo().await;
    let ashdown = review_titled(&app, "Ashdown").await;
    let lead = cookie(&app, ASHDOWN_LEAD).await;
    let peer = cookie(&app, PEER).await;
    let summary = db::review::get_summary(&app.state.db, ashdown)
        .await
        .unwrap()
        .unwrap();
    let end = summary.on_site_end;
    let months = |n| end.checked_add_months(chrono::Months::new(n)).unwrap();

    let overview = json(
        app.post(
            "/api/get_review",
            form(&[("review", &ashdown.to_string())]),
            Some(&peer),
        )
        .await,
    )
    .await;
    let step = |name: &str| {
        overview["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["what"].as_str().unwrap().starts_with(name))
            .unwrap()
            .clone()
    };
    let report = step("Report published");
    assert_eq!(report["due"][0], months(3).to_string());
    assert_eq!(
        report["done"],
        (end + chrono::Duration::days(80)).to_string()
    );
    let plan = step("Action plan published");
    assert_eq!(plan["due"][0], months(5).to_string());
    assert!(plan["done"].is_null());
    let progress = step("Progress review (");
    assert_eq!(
        progress["due"],
        object!([months(10).to_string(), months(12).to_string()])
    );
    let signed = end + chrono::Duration::days(60);
    let from_report = app::review::format_date_range(
        signed.checked_add_months(chrono::Months::new(10)).unwrap(),
        signed.checked_add_months(chrono::Months::new(12)).unwrap(),
    );
    assert_eq!(
        progress["also"],
        format!("{from_report} from the final report")
    );
    assert_eq!(step("Report signed off")["done"], signed.to_string());

    let app_ref = &app;
    let record = move |cookie: &str, on: String, url: &str| {
        let body = form(&[
            ("review", &ashdown.to_string()),
            ("what", "plan"),
            ("on", &on),
            ("url", url),
        ]);
        let cookie = cookie.to_string();
        async move {
            app_ref
                .post("/api/record_publication", body, Some(&cookie))
                .await
        }
    };
    let today = chrono::Utc::now().date_naive();
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    assert_eq!(
        record(&peer, today.to_string(), "https://ashdown.example.org/plan")
            .await
            .status(),
        403
    );
    let future = record(&lead, tomorrow, "https://ashdown.example.org/plan").await;
    assert_eq!(json(future).await["field"], "on");
    let no_address = record(&lead, today.to_string(), "ashdown.example.org/plan").await;
    assert_eq!(json(no_address).await["field"], "url");
    let recorded =
        json(record(&lead, today.to_string(), "https://ashdown.example.org/plan").await).await;
    assert_eq!(recorded["plan"]["on"], today.to_string());
    assert_eq!(recorded["plan"]["recorded_by"], PLAN_HOSTS[0].0);
    let overview = json(
        app.post(
            "/api/get_review",
            form(&[("review", &ashdown.to_string())]),
            Some(&peer),
        )
        .await,
    )
    .await;
    let plan = overview["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["what"] == "Action plan published")
        .unwrap()
        .clone();
    assert_eq!(plan["done"], today.to_string());
    assert!(
        app.audit_kinds()
            .await
            .contains(&"publication_recorded".to_string())
    );
    app.stop().await;
}

/// Schedules Ashdown's progress review in its window with its team lead and a peer, who both
/// accept their invitations: (the progress review, the peer's and the lead's cookies).
pub(crate) async fn scheduled_progress_review(app: &TestApp) -> (ReviewId, String, String) {
    let ashdown = review_titled(app, "Ashdown").await;
    let facilitator = cookie(app, FACILITATOR).await;
    let setup = json(
        app.post(
            "/api/progress_review_setup",
            form(&[("review", &ashdown.to_string())]),
            Some(&facilitator),
        )
        .await,
    )
    .await;
    let start = setup["window"]["from_visit"][0]
        .as_str()
        .unwrap()
        .to_string();
    let team: Vec<Value> = setup["team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["person"].clone())
        .collect();
    let body = object!({
        "review": ashdown,
        "input": { "start": start, "end": "", "team": team, "outside_confirmed": false }
    });
    let scheduled = app
        .post_json(
            "/api/schedule_progress_review",
            body.to_string(),
            Some(&facilitator),
        )
        .await;
    assert_eq!(scheduled.status(), 200);
    let scheduled = json(scheduled).await;
    let child = ReviewId(scheduled["review"].as_str().unwrap().parse().unwrap());
    for invitation in scheduled["invitations"].as_array().unwrap() {
        let token = invitation["path"]
            .as_str()
            .unwrap()
            .trim_start_matches("/invitations/");
        let accepted = app
            .post(
                "/api/accept_invitation",
                form(&[("token", token), ("name", ""), ("password", DEMO_PASSWORD)]),
                None,
            )
            .await;
        assert_eq!(accepted.status(), 200, "{}", json(accepted).await);
    }
    (
        child,
        cookie(app, PEER).await,
        cookie(app, DEMO_PEOPLE[1].1).await,
    )
}

#[tokio::test]
async fn the_progress_review_is_scheduled_in_its_window_with_its_team_invited_again() {
    let app = TestApp::demo().await;
    let ashdown = review_titled(&app, "Ashdown").await;
    let facilitator = cookie(&app, FACILITATOR).await;
    let lead = cookie(&app, ASHDOWN_LEAD).await;
    let peer = cookie(&app, PEER).await;
    let body = form(&[("review", &ashdown.to_string())]);
    let setup = json(
        app.post(
            "/api/progress_review_setup",
            body.clone(),
            Some(&facilitator),
        )
        .await,
    )
    .await;
    let summary = db::review::get_summary(&app.state.db, ashdown)
        .await
        .unwrap()
        .unwrap();
    let end = summary.on_site_end;
    let months = |day: chrono::NaiveDate, n| {
        day.checked_add_months(chrono::Months::new(n))
            .unwrap()
            .to_string()
    };
    assert_eq!(
        setup["window"]["from_visit"],
        object!([months(end, 10), months(end, 12)])
    );
    let signed = end + chrono::Duration::days(60);
    assert_eq!(
        setup["window"]["from_report"],
        object!([months(signed, 10), months(signed, 12)])
    );
    let names: Vec<&str> = setup["team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["Tom Okafor", "Helen Marsh"],
        "the team lead first, then the peers"
    );
    assert_eq!(
        app.post("/api/progress_review_setup", body, Some(&peer))
            .await
            .status(),
        403
    );

    let schedule = |start: String, team: Vec<String>, confirmed: bool| {
        object!({
            "review": ashdown,
            "input": { "start": start, "end": "", "team": team, "outside_confirmed": confirmed }
        })
        .to_string()
    };
    let in_window = (end.checked_add_months(chrono::Months::new(10)).unwrap()
        + chrono::Duration::days(3))
    .to_string();
    let helen = setup["team"][1]["person"].as_str().unwrap().to_string();
    for (who, cookie) in [("peer", &peer), ("host lead", &lead)] {
        let refused = app
            .post_json(
                "/api/schedule_progress_review",
                schedule(in_window.clone(), vec![], false),
                Some(cookie),
            )
            .await;
        assert_eq!(refused.status(), 403, "{who}");
    }
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();
    let outside = json(
        app.post_json(
            "/api/schedule_progress_review",
            schedule(tomorrow, vec![], false),
            Some(&facilitator),
        )
        .await,
    )
    .await;
    assert_eq!(outside["field"], "start");
    assert!(
        outside["message"].as_str().unwrap().contains("outside"),
        "{outside}"
    );
    let gareth = db::accounts::find_person_by_email(&app.state.db, DEMO_PEOPLE[3].1)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let stranger = app
        .post_json(
            "/api/schedule_progress_review",
            schedule(in_window.clone(), vec![gareth], false),
            Some(&facilitator),
        )
        .await;
    assert_eq!(stranger.status(), 404, "not on Ashdown's team");

    let scheduled = app
        .post_json(
            "/api/schedule_progress_review",
            schedule(in_window.clone(), vec![helen], false),
            Some(&facilitator),
        )
        .await;
    assert_eq!(scheduled.status(), 200);
    let scheduled = json(scheduled).await;
    let child = ReviewId(scheduled["review"].as_str().unwrap().parse().unwrap());
    let invitations = scheduled["invitations"].as_array().unwrap();
    assert_eq!(invitations.len(), 1);
    assert_eq!(
        (
            invitations[0]["email"].as_str(),
            invitations[0]["role"].as_str()
        ),
        (Some(PEER), Some("peer"))
    );
    let again = app
        .post_json(
            "/api/schedule_progress_review",
            schedule(in_window.clone(), vec![], false),
            Some(&facilitator),
        )
        .await;
    assert_eq!(again.status(), 409, "one progress review per review");

    // A review of its own: the recommendations as its wall's headings, the council along, the
    // facilitator leading, the invited peer not on it until she accepts.
    let child_summary = db::review::get_summary(&app.state.db, child)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(child_summary.progress_of, Some(ashdown));
    assert_eq!(child_summary.on_site_start.to_string(), in_window);
    assert_eq!(child_summary.headings.len(), 4);
    assert!(child_summary.headings[0].starts_with("1. Agree a medium-term financial strategy"));
    let roles: Vec<(String, String)> = db::membership::members(&app.state.db, child)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.name, m.role))
        .collect();
    for expected in [
        ("Priya Shah", "facilitator"),
        ("Claire Bennett", "host_lead"),
        ("Raj Patel", "host_reader"),
    ] {
        assert!(
            roles.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {roles:?}"
        );
    }
    assert!(!roles.iter().any(|(name, _)| name == "Helen Marsh"));
    let statements = |cookie: &str| {
        let body = form(&[("review", &child.to_string())]);
        let cookie = cookie.to_string();
        let app = &app;
        async move {
            app.post("/api/get_progress_statements", body, Some(&cookie))
                .await
        }
    };
    assert_eq!(statements(&peer).await.status(), 404, "not on it yet");
    let token = invitations[0]["path"]
        .as_str()
        .unwrap()
        .trim_start_matches("/invitations/");
    let accepted = app
        .post(
            "/api/accept_invitation",
            form(&[("token", token), ("name", ""), ("password", DEMO_PASSWORD)]),
            None,
        )
        .await;
    assert_eq!(accepted.status(), 200);

    // The council's progress feeds it.
    let read = json(statements(&peer).await).await;
    assert_eq!(read["parent"], ashdown.to_string());
    let first = &read["recommendations"][0];
    assert_eq!(first["overdue"], 1);
    assert!(
        first["statuses"]
            .as_array()
            .unwrap()
            .contains(&object!(["red", 1])),
        "{first}"
    );
    assert!(
        read["recommendations"][2]["progress"]
            .as_str()
            .unwrap()
            .starts_with("The independent member")
    );
    let on_parent = app
        .post(
            "/api/get_progress_statements",
            form(&[("review", &ashdown.to_string())]),
            Some(&peer),
        )
        .await;
    assert_eq!(
        on_parent.status(),
        404,
        "the review itself is not a progress review"
    );
    let nested = app.post_json(
        "/api/schedule_progress_review",
        object!({ "review": child, "input": { "start": in_window, "end": "", "team": [], "outside_confirmed": true } }).to_string(),
        Some(&facilitator),
    ).await;
    assert_eq!(
        nested.status(),
        422,
        "no progress review of a progress review"
    );

    // Both timelines say so.
    let parent_view = json(
        app.post(
            "/api/get_review",
            form(&[("review", &ashdown.to_string())]),
            Some(&lead),
        )
        .await,
    )
    .await;
    assert_eq!(parent_view["summary"]["progress_review"], child.to_string());
    let progress = parent_view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["what"].as_str().unwrap().starts_with("Progress review ("))
        .unwrap()
        .clone();
    assert!(
        progress["also"].as_str().unwrap().contains("scheduled for"),
        "{progress}"
    );
    let child_view = json(
        app.post(
            "/api/get_review",
            form(&[("review", &child.to_string())]),
            Some(&lead),
        )
        .await,
    )
    .await;
    let last = child_view["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["what"], "Report published");
    assert_eq!(
        last["due"][0],
        months(end, 12),
        "twelve months after the first visit"
    );
    assert!(
        app.audit_kinds_on("Ashdown")
            .await
            .contains(&"progress_review_scheduled".to_string())
    );
    app.stop().await;
}
