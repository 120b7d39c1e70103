//! The feedback report over the real server and SurrealDB: drafted from the wall, edited live
//! on its socket, commented in rounds, sent to the council as frozen versions, signed off; the
//! council never reaches the team draft; every refusal is a sentence.

use std::time::Duration;

use app::report::protocol::{ReportClientMessage, ReportServerMessage};
use app::report::{Anchor, Block, BlockKind, CommentId, ReportView, Resolution, Round};
use futures_util::{SinkExt, StreamExt};
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Socket, TestApp, form, json};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const LEAD: &str = DEMO_PEOPLE[1].1;
const PEER: &str = DEMO_PEOPLE[2].1;
const HOST: &str = DEMO_PEOPLE[5].1;
const READER: &str = DEMO_PEOPLE[6].1;
const OBSERVER: &str = DEMO_PEOPLE[7].1;

async fn open(app: &TestApp, review: &str, cookie: &str) -> Socket {
    crate::support::websocket(
        app.addr,
        &format!("/ws/reviews/{review}/report"),
        Some(cookie),
    )
    .await
    .expect("the report socket opens")
}

async fn next(socket: &mut Socket) -> ReportServerMessage {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s");
        match frame {
            Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("the report socket ended: {other:?}"),
        }
    }
}

/// Frames until one `pick` accepts.
async fn until<T>(
    socket: &mut Socket,
    mut pick: impl FnMut(ReportServerMessage) -> Option<T>,
) -> T {
    loop {
        if let Some(found) = pick(next(socket).await) {
            return found;
        }
    }
}

async fn view(socket: &mut Socket) -> ReportView {
    until(socket, |m| match m {
        ReportServerMessage::Report {
            view: Some(view), ..
        } => Some(view),
        _ => None,
    })
    .await
}

/// The first view in `round` (earlier refreshes may still be on their way).
async fn view_in(socket: &mut Socket, round: Round) -> ReportView {
    until(socket, |m| match m {
        ReportServerMessage::Report {
            view: Some(view), ..
        } if view.round == round => Some(view),
        _ => None,
    })
    .await
}

async fn send(socket: &mut Socket, message: &ReportClientMessage) {
    let text = serde_json::to_string(message).unwrap();
    socket.send(Message::Text(text.into())).await.unwrap();
}

/// The answer to `op`: Ok, or the refusal's message and the block sent back.
async fn answer(socket: &mut Socket, op: uuid::Uuid) -> Result<(), (String, Option<Block>)> {
    until(socket, |m| match m {
        ReportServerMessage::Ack { op: acked } if acked == op => Some(Ok(())),
        ReportServerMessage::Rejected {
            op: refused,
            error,
            current,
        } if refused == op => Some(Err((error.message, current))),
        _ => None,
    })
    .await
}

async fn call(
    app: &TestApp,
    path: &str,
    pairs: &[(&str, &str)],
    cookie: &str,
) -> (u16, serde_json::Value) {
    let response = app.post(path, form(pairs), Some(cookie)).await;
    let status = response.status().as_u16();
    (status, json(response).await)
}

/// An edit of `block` from revision `base` to `text`, as change `op`.
fn edit_of(
    op: uuid::Uuid,
    block: app::report::BlockId,
    base: u64,
    text: impl Into<String>,
) -> ReportClientMessage {
    ReportClientMessage::Edit {
        op,
        block,
        base,
        kind: BlockKind::Paragraph,
        text: text.into(),
        practice: None,
    }
}

fn op() -> uuid::Uuid {
    uuid::Uuid::new_v4()
}

/// Drafts `review`'s report from its wall, as `cookie`.
async fn draft_report(app: &TestApp, review: &str, cookie: &str) {
    let (status, body) = call(app, "/api/create_report", &[("review", review)], cookie).await;
    assert_eq!(status, 200, "{body}");
}

/// A new paragraph placed after `last` (at the start when there is none).
fn paragraph_after(last: Option<&Block>, text: &str) -> Block {
    Block {
        id: app::report::BlockId::new(),
        kind: BlockKind::Paragraph,
        text: text.into(),
        order: app::wall::order::key_between(last.map(|b| b.order.as_str()), None),
        practice: None,
        source: None,
        rev: 1,
    }
}

#[tokio::test]
async fn a_cpc_report_goes_from_the_wall_to_the_councils_sign_off() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let lead = app.session_cookie(LEAD, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let host = app.session_cookie(HOST, DEMO_PASSWORD).await;
    let reader = app.session_cookie(READER, DEMO_PASSWORD).await;
    let observer = app.session_cookie(OBSERVER, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let r = review.as_str();

    // Nothing yet; the observer is not on the report at all.
    assert_eq!(
        call(&app, "/api/get_report", &[("review", r)], &host).await,
        (200, serde_json::Value::Null)
    );
    assert_eq!(
        call(&app, "/api/get_report", &[("review", r)], &observer)
            .await
            .0,
        403
    );
    assert!(
        crate::support::websocket(
            app.addr,
            &format!("/ws/reviews/{r}/report"),
            Some(&observer)
        )
        .await
        .is_err()
    );
    // Only its authors draft it, once.
    assert_eq!(
        call(&app, "/api/create_report", &[("review", r)], &peer)
            .await
            .0,
        403
    );
    assert_eq!(
        call(&app, "/api/create_report", &[("review", r)], &host)
            .await
            .0,
        403
    );
    assert_eq!(
        call(&app, "/api/create_report", &[("review", r)], &facilitator)
            .await
            .0,
        200
    );
    let (status, again) = call(&app, "/api/create_report", &[("review", r)], &lead).await;
    assert_eq!(status, 422, "{again}");

    let mut author = open(&app, r, &facilitator).await;
    let mut peer_socket = open(&app, r, &peer).await;
    let mut council = open(&app, r, &host).await;
    let draft = view(&mut author).await;
    assert_eq!(draft.round, Round::TeamDraft);
    assert!(draft.draft);
    let headings: Vec<&str> = draft
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Heading)
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(headings.first(), Some(&"Executive summary"));
    assert_eq!(headings.last(), Some(&"Next steps"));
    assert!(headings.contains(&"Key recommendations"));
    assert!(
        draft.blocks.iter().any(|b| b.message().is_some()),
        "paragraphs drafted from key messages"
    );
    let _ = view(&mut peer_socket).await;
    let council_view = until(&mut council, |m| match m {
        ReportServerMessage::Report { view, .. } => Some(view),
        _ => None,
    })
    .await
    .unwrap();
    assert!(
        council_view.blocks.is_empty() && !council_view.draft,
        "the council never gets the team draft"
    );
    assert!(council_view.latest.is_none());
    // The review has moved on to the draft report.
    let overview = call(&app, "/api/get_review", &[("review", r)], &facilitator)
        .await
        .1;
    assert_eq!(overview["summary"]["phase"], "draft_report");
    // The facilitator sets the rounds' due dates; the review page's status shows the current one.
    let due = [
        ("review", r),
        ("peer_comments", "2027-01-15"),
        ("sign_off", "2027-03-01"),
    ];
    assert_eq!(
        call(&app, "/api/set_report_due_dates", &due, &facilitator)
            .await
            .0,
        200
    );
    let (_, status) = call(&app, "/api/get_report_status", &[("review", r)], &peer).await;
    assert_eq!(status["due"], "2027-01-15", "{status}");
    assert_eq!(status["round"], "team_draft");
    let trail = peerwall_server::db::audit::recent_audit(&app.state.db, 20)
        .await
        .unwrap();
    assert!(
        trail.iter().any(|e| e.kind == "report_due_dates_set"
            && e.detail == "peer comments 2027-01-15, council comments none, final version none, sign-off 2027-03-01"),
        "{trail:?}"
    );
    let (code, refused) = call(
        &app,
        "/api/set_report_due_dates",
        &[("review", r), ("sign_off", "soon")],
        &facilitator,
    )
    .await;
    assert_eq!(code, 422);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("sign-off due date is not a date"),
        "{refused}"
    );
    // The notes behind a paragraph drafted from a key message, for the peer team.
    let mut evidence = 0;
    for block in draft.blocks.iter().filter(|b| b.message().is_some()) {
        let (code, notes) = call(
            &app,
            "/api/report_evidence",
            &[("review", r), ("block", &block.id.to_string())],
            &peer,
        )
        .await;
        assert_eq!(code, 200, "{notes}");
        evidence += notes.as_array().unwrap().len();
    }
    assert!(evidence > 0, "the demo's key messages rest on notes");
    let (code, _) = call(
        &app,
        "/api/report_evidence",
        &[("review", r), ("block", &draft.blocks[5].id.to_string())],
        &host,
    )
    .await;
    assert_eq!(code, 403);

    // The executive summary is written; the peer sees it live.
    let summary = draft.blocks[1].clone();
    let edit = op();
    let text = "Eastbrook is an ambitious council with a clear vision for the place.";
    send(&mut author, &edit_of(edit, summary.id, summary.rev, text)).await;
    answer(&mut author, edit).await.unwrap();
    let seen = until(&mut peer_socket, |m| match m {
        ReportServerMessage::Block { block, .. } if block.id == summary.id => Some(block),
        _ => None,
    })
    .await;
    assert_eq!(seen.text, text);
    assert_eq!(seen.rev, summary.rev + 1);
    // A second writer from the old revision is refused with the block as it is now.
    let stale = op();
    send(
        &mut author,
        &edit_of(stale, summary.id, summary.rev, "Other words"),
    )
    .await;
    let (message, current) = answer(&mut author, stale).await.unwrap_err();
    assert!(
        message.contains("Someone else changed this block"),
        "{message}"
    );
    assert_eq!(current.unwrap().text, text);
    // The same edit sent again (a reconnection) is applied once.
    send(&mut author, &edit_of(edit, summary.id, summary.rev, text)).await;
    answer(&mut author, edit).await.unwrap();
    // Too long, unknown and not the sender's to write.
    let long = op();
    send(
        &mut author,
        &edit_of(long, summary.id, seen.rev, "x".repeat(10_001)),
    )
    .await;
    assert!(
        answer(&mut author, long)
            .await
            .unwrap_err()
            .0
            .contains("the most is 10000")
    );
    let unknown = op();
    send(
        &mut author,
        &ReportClientMessage::Delete {
            op: unknown,
            block: app::report::BlockId::new(),
        },
    )
    .await;
    assert!(
        answer(&mut author, unknown)
            .await
            .unwrap_err()
            .0
            .contains("not in this report")
    );
    // A practice example's link is a web page, nothing else.
    let practice = op();
    let link = app::report::Practice {
        place: "Northshire".into(),
        contact: "Head of Digital".into(),
        link: "javascript:alert(1)".into(),
    };
    send(
        &mut author,
        &ReportClientMessage::Edit {
            op: practice,
            block: summary.id,
            base: seen.rev,
            kind: BlockKind::Practice,
            text: "A front door".into(),
            practice: Some(link),
        },
    )
    .await;
    assert!(
        answer(&mut author, practice)
            .await
            .unwrap_err()
            .0
            .contains("must start with https://")
    );
    let not_theirs = op();
    send(
        &mut peer_socket,
        &edit_of(not_theirs, summary.id, seen.rev, "A peer's words"),
    )
    .await;
    assert!(
        answer(&mut peer_socket, not_theirs)
            .await
            .unwrap_err()
            .0
            .contains("cannot do this")
    );

    // Peers comment in the peer round only.
    let anchor = Anchor {
        exact: "clear vision".into(),
        prefix: "ambitious council with a ".into(),
        suffix: " for the place.".into(),
    };
    let early = op();
    let peer_comment = CommentId::new();
    let comment = |op, id| ReportClientMessage::Comment {
        op,
        id,
        block: summary.id,
        anchor: anchor.clone(),
        text: "Could we name the vision?".into(),
        suggestion: None,
        factual: false,
    };
    send(&mut peer_socket, &comment(early, peer_comment)).await;
    assert!(
        answer(&mut peer_socket, early)
            .await
            .unwrap_err()
            .0
            .contains("peer comments round")
    );
    assert_eq!(
        call(
            &app,
            "/api/report_step",
            &[("review", r), ("step", "ask_peers")],
            &facilitator
        )
        .await
        .0,
        200
    );
    view_in(&mut author, Round::PeerComments).await;
    let now = op();
    send(&mut peer_socket, &comment(now, peer_comment)).await;
    answer(&mut peer_socket, now).await.unwrap();
    let heard = until(&mut author, |m| match m {
        ReportServerMessage::Comment { comment } => Some(comment),
        _ => None,
    })
    .await;
    assert_eq!(heard.author, "Helen Marsh");
    // An open peer comment holds the version back; the author resolves it.
    let (status, refused) = call(
        &app,
        "/api/report_step",
        &[("review", r), ("step", "send")],
        &facilitator,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("open comment"),
        "{refused}"
    );
    let resolve = op();
    send(
        &mut peer_socket,
        &ReportClientMessage::Resolve {
            op: resolve,
            comment: peer_comment,
            resolution: Some(Resolution::Resolved),
        },
    )
    .await;
    assert!(
        answer(&mut peer_socket, resolve).await.is_err(),
        "the author resolves, not the peer"
    );
    send(
        &mut author,
        &ReportClientMessage::Resolve {
            op: resolve,
            comment: peer_comment,
            resolution: Some(Resolution::Resolved),
        },
    )
    .await;
    answer(&mut author, resolve).await.unwrap();

    // The non-attribution check: a person's name in the draft holds it back until fixed or
    // confirmed, and the confirmation is audited.
    let named = op();
    let block = draft.blocks.last().unwrap().clone();
    send(
        &mut author,
        &edit_of(
            named,
            block.id,
            block.rev,
            "As Helen Marsh said, the council should act.",
        ),
    )
    .await;
    answer(&mut author, named).await.unwrap();
    let (_, findings) = call(
        &app,
        "/api/check_report_attribution",
        &[("review", r)],
        &facilitator,
    )
    .await;
    let findings = findings.as_array().unwrap().clone();
    assert!(
        findings
            .iter()
            .any(|f| f["finding"]["kind"] == "person" && f["finding"]["text"] == "Helen Marsh"),
        "{findings:?}"
    );
    let (status, refused) = call(
        &app,
        "/api/report_step",
        &[("review", r), ("step", "send")],
        &facilitator,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        refused["message"].as_str().unwrap().contains("attribution"),
        "{refused}"
    );
    for finding in &findings {
        let key = finding["finding"]["key"].as_str().unwrap();
        assert_eq!(
            call(
                &app,
                "/api/confirm_report_finding",
                &[("review", r), ("key", key)],
                &facilitator
            )
            .await
            .0,
            200
        );
    }
    assert!(
        app.audit_kinds()
            .await
            .iter()
            .any(|k| k == "attribution_confirmed")
    );

    // Version 1 goes to the council, which now sees it, and only it.
    assert_eq!(
        call(
            &app,
            "/api/report_step",
            &[("review", r), ("step", "send")],
            &facilitator
        )
        .await
        .0,
        200
    );
    let sent = view_in(&mut council, Round::SentToCouncil).await;
    let version = sent.latest.expect("the version sent");
    assert_eq!(version.number, 1);
    assert!(sent.blocks.is_empty());
    assert!(
        sent.comments.is_empty(),
        "the peer team's threads stay with the team"
    );
    // The council's sight of it on the report page is a read, audited.
    assert!(app.audit_kinds().await.iter().any(|k| k == "report_read"));
    let overview = call(&app, "/api/get_review", &[("review", r)], &facilitator)
        .await
        .1;
    assert_eq!(overview["summary"]["phase"], "sent_to_council");
    let (status, read) = call(
        &app,
        "/api/get_report_version",
        &[("review", r), ("number", "1")],
        &host,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(read["blocks"][1]["text"], text);
    assert!(
        app.audit_kinds().await.iter().any(|k| k == "report_read"),
        "a council read is audited"
    );

    // The host lead suggests a change, flagged as a factual point.
    let council_comment = CommentId::new();
    let suggest = op();
    send(
        &mut council,
        &ReportClientMessage::Comment {
            op: suggest,
            id: council_comment,
            block: summary.id,
            anchor: Anchor {
                exact: "a clear vision".into(),
                prefix: "ambitious council with ".into(),
                suffix: " for the place.".into(),
            },
            text: "Our vision was agreed with partners in 2025.".into(),
            suggestion: Some("a clear, shared vision".into()),
            factual: true,
        },
    )
    .await;
    answer(&mut council, suggest).await.unwrap();
    let on_team_side = until(&mut author, |m| match m {
        ReportServerMessage::Comment { comment } if comment.id == council_comment => Some(comment),
        _ => None,
    })
    .await;
    assert!(on_team_side.council && on_team_side.factual);
    assert_eq!(on_team_side.version, Some(1));
    // A host reader may comment; words not in the version sent are refused.
    let mut reader_socket = open(&app, r, &reader).await;
    let _ = view(&mut reader_socket).await;
    let wrong = op();
    send(
        &mut reader_socket,
        &ReportClientMessage::Comment {
            op: wrong,
            id: CommentId::new(),
            block: summary.id,
            anchor: Anchor {
                exact: "words never written".into(),
                ..Anchor::default()
            },
            text: "?".into(),
            suggestion: None,
            factual: false,
        },
    )
    .await;
    assert!(
        answer(&mut reader_socket, wrong)
            .await
            .unwrap_err()
            .0
            .contains("not in that block")
    );
    // Neither the host nor a reader signs off before the final version.
    let (status, _) = call(
        &app,
        "/api/report_step",
        &[("review", r), ("step", "sign_off"), ("version", "1")],
        &reader,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &app,
        "/api/report_step",
        &[("review", r), ("step", "sign_off"), ("version", "1")],
        &host,
    )
    .await;
    assert_eq!(status, 422);

    // The author accepts the suggestion in one click; the words change in the draft.
    let accept = op();
    send(
        &mut author,
        &ReportClientMessage::AcceptSuggestion {
            op: accept,
            comment: council_comment,
        },
    )
    .await;
    // The changed block comes first, then the answer.
    let changed = until(&mut author, |m| match m {
        ReportServerMessage::Block { block, .. } if block.id == summary.id => Some(block),
        _ => None,
    })
    .await;
    answer(&mut author, accept).await.unwrap();
    assert_eq!(
        changed.text,
        "Eastbrook is an ambitious council with a clear, shared vision for the place."
    );
    let accepted = until(&mut council, |m| match m {
        ReportServerMessage::Comment { comment }
            if comment.id == council_comment && comment.resolution.is_some() =>
        {
            Some(comment)
        }
        _ => None,
    })
    .await;
    assert_eq!(accepted.resolution, Some(Resolution::Accepted));
    assert_eq!(
        accepted.author_id, None,
        "the council's socket carries no account ids"
    );

    // Council comments close; the final version goes; the host lead signs it off by number.
    assert_eq!(
        call(
            &app,
            "/api/report_step",
            &[("review", r), ("step", "close_council_comments")],
            &facilitator
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &app,
            "/api/report_step",
            &[("review", r), ("step", "send_final")],
            &facilitator
        )
        .await
        .0,
        200
    );
    let (status, wrong_version) = call(
        &app,
        "/api/report_step",
        &[("review", r), ("step", "sign_off"), ("version", "1")],
        &host,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        wrong_version["message"]
            .as_str()
            .unwrap()
            .contains("final version is 2"),
        "{wrong_version}"
    );
    let (status, diff) = call(
        &app,
        "/api/diff_report_versions",
        &[("review", r), ("from", "1"), ("to", "2")],
        &host,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        diff.as_array()
            .unwrap()
            .iter()
            .any(|b| b["changed"] == true),
        "{diff}"
    );
    assert_eq!(
        call(
            &app,
            "/api/report_step",
            &[("review", r), ("step", "sign_off"), ("version", "2")],
            &host
        )
        .await
        .0,
        200
    );
    let signed = view_in(&mut council, Round::SignedOff).await;
    let sign_off = signed.signed_off.expect("recorded");
    assert_eq!(
        (sign_off.version, sign_off.by.as_str()),
        (2, DEMO_PEOPLE[5].0)
    );
    let overview = call(&app, "/api/get_review", &[("review", r)], &facilitator)
        .await
        .1;
    assert_eq!(overview["summary"]["phase"], "signed_off");
    // Nothing changes after.
    let late = op();
    send(
        &mut author,
        &edit_of(late, summary.id, changed.rev, "Too late"),
    )
    .await;
    assert!(
        answer(&mut author, late)
            .await
            .unwrap_err()
            .0
            .contains("signed off")
    );
    let (status, _) = call(
        &app,
        "/api/report_step",
        &[("review", r), ("step", "send")],
        &facilitator,
    )
    .await;
    assert_eq!(status, 422);
    for kind in [
        "report_drafted",
        "report_sent",
        "report_comment_resolved",
        "report_signed_off",
    ] {
        assert!(
            app.audit_kinds().await.iter().any(|k| k == kind),
            "{kind} is audited"
        );
    }

    // The council downloads the signed-off version as a Word document; never the team draft.
    let docx = |cookie: &str, query: &str| {
        let request = app
            .http
            .get(app.url(&format!("/api/reviews/{r}/report.docx{query}")))
            .header(reqwest::header::COOKIE, cookie);
        async move { request.send().await.unwrap() }
    };
    let refused = docx(&host, "").await;
    assert_eq!(refused.status(), 403);
    let document = docx(&host, "?version=2").await;
    assert_eq!(document.status(), 200);
    assert!(
        document.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let bytes = document.bytes().await.unwrap();
    let read = docx_rs::read_docx(&bytes).unwrap().json();
    assert!(read.contains("Heading1") && read.contains("Key recommendations"));
    assert!(read.contains("Final, signed off"));
    assert!(!read.contains("Draft — not for publication"));
    assert!(
        app.audit_kinds()
            .await
            .iter()
            .any(|k| k == "report_downloaded")
    );
    let draft_doc = docx(&facilitator, "").await;
    assert_eq!(draft_doc.status(), 200, "the team downloads its draft");
    app.stop().await;
}

/// The browser drops its copy of a change when the change is acknowledged, so the change itself
/// must reach the sender first: acknowledged before it arrived, a block just added vanished from
/// the author's page for a moment, and the words typed into it then were lost.
#[tokio::test]
async fn a_change_reaches_its_author_before_its_acknowledgement() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let r = review.as_str();
    draft_report(&app, r, &facilitator).await;
    let mut author = open(&app, r, &facilitator).await;
    let mut last = view(&mut author).await.blocks.pop();
    for round in 0..20 {
        let block = paragraph_after(last.as_ref(), "");
        last = Some(block.clone());
        let (insert, edit) = (op(), op());
        send(
            &mut author,
            &ReportClientMessage::Insert {
                op: insert,
                block: block.clone(),
            },
        )
        .await;
        send(
            &mut author,
            &edit_of(edit, block.id, 1, format!("Round {round}")),
        )
        .await;
        // Frames in the order they came: each change's block before its acknowledgement.
        let mut seen = Vec::new();
        while !seen.contains(&format!("ack {edit}")) {
            match next(&mut author).await {
                ReportServerMessage::Ack { op } => seen.push(format!("ack {op}")),
                ReportServerMessage::Block { block: b, .. } if b.id == block.id => {
                    seen.push(format!("block rev {}", b.rev));
                }
                _ => {}
            }
        }
        assert_eq!(
            seen,
            [
                "block rev 1".to_string(),
                format!("ack {insert}"),
                "block rev 2".to_string(),
                format!("ack {edit}"),
            ],
            "round {round}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn in_a_pci_the_host_lead_writes_and_the_peers_comment() {
    use app::membership::Role;
    use peerwall_server::db::{accounts, membership, review as review_db};
    let app = TestApp::demo().await;
    let db = &app.state.db;
    let review = review_db::insert(
        db,
        review_db::NewReview {
            title: "Glenmoor Council Peer Collaborative Improvement".into(),
            host_authority: "Glenmoor Council".into(),
            review_type: app::review::ReviewType::PeerCollaborativeImprovement,
            phase: app::review::Phase::OnSite,
            scope: String::new(),
            on_site_start: chrono::NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(),
            on_site_end: chrono::NaiveDate::from_ymd_opt(2026, 10, 7).unwrap(),
            headings: vec!["Leadership".into()],
            facilitator: None,
        },
    )
    .await
    .unwrap();
    for (email, role) in [
        (FACILITATOR, Role::Facilitator),
        (PEER, Role::Peer),
        (HOST, Role::HostLead),
        (READER, Role::HostReader),
    ] {
        let person = accounts::find_person_by_email(db, email)
            .await
            .unwrap()
            .unwrap();
        membership::add_membership(db, review, app::accounts::PersonId(person.id), role, None)
            .await
            .unwrap();
    }
    let r = review.to_string();
    let r = r.as_str();
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let host = app.session_cookie(HOST, DEMO_PASSWORD).await;
    let reader = app.session_cookie(READER, DEMO_PASSWORD).await;

    // The host council writes the report; the facilitator does not.
    assert_eq!(
        call(&app, "/api/create_report", &[("review", r)], &facilitator)
            .await
            .0,
        403
    );
    assert_eq!(
        call(&app, "/api/create_report", &[("review", r)], &host)
            .await
            .0,
        200
    );
    let mut writer = open(&app, r, &host).await;
    let draft = view(&mut writer).await;
    assert!(draft.draft, "the host lead reads the draft in a PCI");
    let mut reader_socket = open(&app, r, &reader).await;
    let reader_view = until(&mut reader_socket, |m| match m {
        ReportServerMessage::Report { view, .. } => Some(view),
        _ => None,
    })
    .await
    .unwrap();
    assert!(
        !reader_view.draft && reader_view.blocks.is_empty(),
        "a host reader still sees only what is sent"
    );
    let block = draft.blocks[1].clone();
    let edit = op();
    send(
        &mut writer,
        &edit_of(
            edit,
            block.id,
            block.rev,
            "Glenmoor has strong community partnerships.",
        ),
    )
    .await;
    answer(&mut writer, edit).await.unwrap();
    // The facilitator may not write, but comments once the peers are asked, as do the peers.
    let mut team = open(&app, r, &facilitator).await;
    let _ = view(&mut team).await;
    let refused = op();
    send(&mut team, &edit_of(refused, block.id, block.rev + 1, "x")).await;
    assert!(answer(&mut team, refused).await.is_err());
    assert_eq!(
        call(
            &app,
            "/api/report_step",
            &[("review", r), ("step", "ask_peers")],
            &facilitator
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(
            &app,
            "/api/report_step",
            &[("review", r), ("step", "ask_peers")],
            &host
        )
        .await
        .0,
        200
    );
    let mut peer_socket = open(&app, r, &peer).await;
    let _ = view(&mut peer_socket).await;
    let comment = op();
    let thread = CommentId::new();
    let frame = |op| ReportClientMessage::Comment {
        op,
        id: thread,
        block: block.id,
        anchor: Anchor {
            exact: "strong community partnerships".into(),
            ..Anchor::default()
        },
        text: "Add the example of the food network.".into(),
        suggestion: None,
        factual: false,
    };
    send(&mut peer_socket, &frame(comment)).await;
    answer(&mut peer_socket, comment).await.unwrap();
    // Sent again after a dropped connection it is one thread; a new change reusing its id is
    // refused.
    send(&mut peer_socket, &frame(comment)).await;
    answer(&mut peer_socket, comment).await.unwrap();
    let reused = op();
    send(&mut peer_socket, &frame(reused)).await;
    assert!(
        answer(&mut peer_socket, reused)
            .await
            .unwrap_err()
            .0
            .contains("already exists")
    );
    let (_, listed) = call(&app, "/api/get_report", &[("review", r)], &facilitator).await;
    assert_eq!(listed["comments"].as_array().unwrap().len(), 1);
    let heard = until(&mut writer, |m| match m {
        ReportServerMessage::Comment { comment } => Some(comment),
        _ => None,
    })
    .await;
    assert_eq!(heard.text, "Add the example of the food network.");
    // The notes behind a paragraph stay with the peer team, even in a PCI.
    let (status, _) = call(
        &app,
        "/api/report_evidence",
        &[("review", r), ("block", &block.id.to_string())],
        &host,
    )
    .await;
    assert_eq!(status, 403);
    app.stop().await;
}

#[tokio::test]
async fn a_removed_member_loses_the_report_at_once() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    assert_eq!(
        call(
            &app,
            "/api/create_report",
            &[("review", &review)],
            &facilitator
        )
        .await
        .0,
        200
    );
    let mut socket = open(&app, &review, &peer).await;
    let _ = view(&mut socket).await;
    let person = peerwall_server::db::accounts::find_person_by_email(&app.state.db, PEER)
        .await
        .unwrap()
        .unwrap();
    let (status, body) = call(
        &app,
        "/api/remove_member",
        &[("review", &review), ("person", &person.id.to_string())],
        &facilitator,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // The socket is closed within moments, and the server functions refuse.
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert_eq!(closed, Ok(true));
    assert_eq!(
        call(&app, "/api/get_report", &[("review", &review)], &peer)
            .await
            .0,
        404
    );
    app.stop().await;
}

/// Every report socket message, sent by every role on the review, against the role table for a
/// CPC in its peer round (the observer and strangers are refused the socket itself: security.rs).
#[tokio::test]
async fn every_report_message_follows_the_role_table_for_every_role() {
    use app::membership::{Action, Role, allows_in};
    use app::review::ReviewType::LgaCorporatePeerChallenge as Cpc;
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let r = review.as_str();
    draft_report(&app, r, &facilitator).await;
    assert_eq!(
        call(
            &app,
            "/api/report_step",
            &[("review", r), ("step", "ask_peers")],
            &facilitator
        )
        .await
        .0,
        200
    );
    let mut author = open(&app, r, &facilitator).await;
    let draft = view(&mut author).await;
    let target = draft.blocks[1].clone();
    // A thread of the team's to reply to, resolve and accept.
    let thread = CommentId::new();
    let started = op();
    send(
        &mut author,
        &ReportClientMessage::Comment {
            op: started,
            id: thread,
            block: target.id,
            anchor: Anchor {
                exact: "x".into(),
                ..Anchor::default()
            },
            text: "A thread".into(),
            suggestion: Some("y".into()),
            factual: false,
        },
    )
    .await;
    answer(&mut author, started).await.unwrap();

    for (email, role) in [
        (LEAD, Role::TeamLead),
        (PEER, Role::Peer),
        (HOST, Role::HostLead),
        (READER, Role::HostReader),
    ] {
        let cookie = app.session_cookie(email, DEMO_PASSWORD).await;
        let mut socket = open(&app, r, &cookie).await;
        let _ = until(&mut socket, |m| {
            matches!(m, ReportServerMessage::Report { .. }).then_some(())
        })
        .await;
        let writes = allows_in(Cpc, role, Action::WriteReport);
        let team = allows_in(Cpc, role, Action::ReadDraft);
        let messages: Vec<(&str, ReportClientMessage, bool)> = vec![
            (
                "insert",
                ReportClientMessage::Insert {
                    op: op(),
                    block: paragraph_after(draft.blocks.last(), "New"),
                },
                writes,
            ),
            (
                "move",
                ReportClientMessage::Move {
                    op: op(),
                    block: target.id,
                    order: target.order.clone(),
                },
                writes,
            ),
            (
                "delete",
                ReportClientMessage::Delete {
                    op: op(),
                    block: draft.blocks[2].id,
                },
                writes,
            ),
            (
                "restore",
                ReportClientMessage::Restore {
                    op: op(),
                    block: draft.blocks[2].id,
                },
                writes,
            ),
            (
                "comment",
                ReportClientMessage::Comment {
                    op: op(),
                    id: CommentId::new(),
                    block: target.id,
                    anchor: Anchor {
                        exact: "x".into(),
                        ..Anchor::default()
                    },
                    text: "Mine".into(),
                    suggestion: None,
                    factual: false,
                },
                team,
            ),
            (
                "reply",
                ReportClientMessage::Reply {
                    op: op(),
                    comment: thread,
                    text: "A reply".into(),
                },
                team,
            ),
            (
                "resolve",
                ReportClientMessage::Resolve {
                    op: op(),
                    comment: thread,
                    resolution: None,
                },
                writes,
            ),
        ];
        for (what, message, allowed) in messages {
            let id = message.op().unwrap();
            send(&mut socket, &message).await;
            let got = answer(&mut socket, id).await;
            assert_eq!(got.is_ok(), allowed, "{role:?} {what}: {got:?}");
        }
        // Accepting a suggestion is the authors'; here its words are not in the block, which
        // they are told, and everyone else is refused for their role.
        let accept = op();
        send(
            &mut socket,
            &ReportClientMessage::AcceptSuggestion {
                op: accept,
                comment: thread,
            },
        )
        .await;
        let (message, _) = answer(&mut socket, accept).await.unwrap_err();
        assert_eq!(
            message.contains("cannot do this"),
            !writes,
            "{role:?}: {message}"
        );
        // A stale edit is a conflict for those who write, a refusal for the others.
        let edit = op();
        send(&mut socket, &edit_of(edit, target.id, 0, "Stale")).await;
        let (message, current) = answer(&mut socket, edit).await.unwrap_err();
        assert_eq!(current.is_some(), writes, "{role:?}: {message}");
    }
    app.stop().await;
}

/// Two nodes on one database: a change made through one reaches the report's sockets on the
/// other (blocks, comments, round changes), as the wall's do.
#[tokio::test]
async fn report_changes_reach_sockets_on_another_node() {
    let app = TestApp::demo().await;
    let other = app
        .another_node(crate::support::config("mem://", &["--demo"]))
        .await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let peer = other.session_cookie(PEER, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let r = review.as_str();
    draft_report(&app, r, &facilitator).await;
    let mut author = open(&app, r, &facilitator).await;
    let mut far = open(&other, r, &peer).await;
    let draft = view(&mut author).await;
    let _ = view(&mut far).await;

    let block = draft.blocks[1].clone();
    let edit = op();
    send(
        &mut author,
        &edit_of(edit, block.id, block.rev, "Written on node one."),
    )
    .await;
    answer(&mut author, edit).await.unwrap();
    let heard = until(&mut far, |m| match m {
        ReportServerMessage::Block { block: b, .. } if b.id == block.id => Some(b),
        _ => None,
    })
    .await;
    assert_eq!(heard.text, "Written on node one.");

    assert_eq!(
        call(
            &app,
            "/api/report_step",
            &[("review", r), ("step", "ask_peers")],
            &facilitator
        )
        .await
        .0,
        200
    );
    view_in(&mut far, Round::PeerComments).await;

    // And back: the peer comments through node two; the author on node one hears it.
    let comment = op();
    send(
        &mut far,
        &ReportClientMessage::Comment {
            op: comment,
            id: CommentId::new(),
            block: block.id,
            anchor: Anchor {
                exact: "node one".into(),
                ..Anchor::default()
            },
            text: "From node two.".into(),
            suggestion: None,
            factual: false,
        },
    )
    .await;
    answer(&mut far, comment).await.unwrap();
    let thread = until(&mut author, |m| match m {
        ReportServerMessage::Comment { comment } => Some(comment),
        _ => None,
    })
    .await;
    assert_eq!(thread.text, "From node two.");
    other.stop().await;
    app.stop().await;
}
