//! Email through the outbox, against a real SMTP server on loopback (the npm `smtp-server`
//! package, `end2end/smtp-sink.mjs`, installed by `make tools-e2e`): an invitation's mail with
//! its link in a text and an HTML part, and a password reset's; a mail server that is down,
//! then up, loses nothing; a restart sends nothing twice; without `--smtp-url`, nothing is
//! queued; the report sent to the council, round deadlines and the notes' warning reach those
//! whose part they are, once.

use std::time::Duration;

use peerwall_server::db::outbox;
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use tokio::io::{BufReader, Lines};
use tokio::process::{Child, ChildStdout};

use crate::support::{TestApp, config, folder, form, free_port, json, node_script};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const FROM: &str = "Peerwall <peerwall@eastbrook.example.gov.uk>";

/// The SMTP server: every mail it accepts, in order.
struct SmtpSink {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    port: u16,
}

/// One mail as the SMTP server received it.
#[derive(Debug)]
struct Received {
    to: Vec<String>,
    /// The message as sent, with quoted-printable soft breaks and escapes undone.
    data: String,
}

impl SmtpSink {
    /// Starts it on `port` (0: any free one).
    async fn start(port: u16) -> Self {
        let (child, listening, lines) = node_script("smtp-sink.mjs", &[&port.to_string()]).await;
        let port = listening["listening"].as_u64().expect("its port") as u16;
        Self { child, lines, port }
    }

    /// The next mail, if one arrives within `within`.
    async fn next(&mut self, within: Duration) -> Option<Received> {
        let line = tokio::time::timeout(within, self.lines.next_line())
            .await
            .ok()?
            .expect("the SMTP server's output")?;
        let mail: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        Some(Received {
            to: mail["to"]
                .as_array()
                .unwrap()
                .iter()
                .map(|to| to.as_str().unwrap().to_string())
                .collect(),
            data: unfold(mail["data"].as_str().unwrap()),
        })
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Undoes quoted-printable's soft line breaks and `=XX` escapes, and header folding, enough to
/// read links and sentences.
fn unfold(data: &str) -> String {
    let joined = data.replace("=\r\n", "").replace("\r\n ", " ");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The demo on `db`, sending mail to the SMTP server on `port`.
async fn demo_mailing_to(db: &str, port: u16) -> TestApp {
    let smtp = format!("smtp://127.0.0.1:{port}");
    TestApp::start(config(
        db,
        &["--demo", "--smtp-url", &smtp, "--mail-from", FROM],
    ))
    .await
}

async fn invite(app: &TestApp, cookie: &str, review: &str, email: &str) -> serde_json::Value {
    let body = form(&[("review", review), ("email", email), ("role", "peer")]);
    let response = app.post("/api/invite_member", body, Some(cookie)).await;
    assert_eq!(response.status(), 200);
    json(response).await
}

/// The outbox once its mails are recorded as sent.
async fn sent(app: &TestApp) -> Vec<outbox::MailRecord> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let rows = outbox::all(&app.state.db).await.unwrap();
        if rows.iter().all(|row| row.sent_at.is_some()) {
            return rows;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not recorded as sent: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_invitation_is_mailed_with_its_link_in_a_text_and_an_html_part() {
    let mut sink = SmtpSink::start(0).await;
    let app = demo_mailing_to("mem://", sink.port).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;

    let link = invite(&app, &facilitator, &review, "new.peer@westshire.gov.uk").await;
    assert_eq!(link["emailed"], true, "{link}");
    let path = link["path"].as_str().unwrap();
    let mail = sink
        .next(Duration::from_secs(20))
        .await
        .expect("the invitation's mail arrives");
    assert_eq!(mail.to, ["new.peer@westshire.gov.uk"]);
    let data = &mail.data;
    assert!(
        data.contains(
            "Subject: You are invited to the Eastbrook Borough Council Corporate Peer Challenge"
        ),
        "{data}"
    );
    assert!(
        data.contains("From: Peerwall <peerwall@eastbrook.example.gov.uk>"),
        "{data}"
    );
    assert!(data.contains("Message-ID: <"), "{data}");
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(data.contains("Content-Type: text/plain"), "{data}");
    assert!(data.contains("Content-Type: text/html"), "{data}");
    // The link, in both parts, and what it is for.
    assert!(data.matches(path).count() >= 3, "{path} in {data}");
    assert!(
        data.contains("Priya Shah has invited you to join the Eastbrook"),
        "{data}"
    );
    assert!(data.contains("as peer reviewer"), "{data}");

    // Sent (recorded just after the server accepted it), and its text (the link is a
    // credential) gone from the outbox.
    let rows = sent(&app).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sent_at.is_some());
    assert_eq!(rows[0].text, None);
    assert_eq!(rows[0].kind, "invitation");
    app.stop().await;
    sink.stop().await;
}

#[tokio::test]
async fn a_mail_server_that_is_down_loses_nothing_and_a_restart_sends_nothing_twice() {
    let data = tempfile::tempdir().unwrap();
    let db = folder(data.path());
    let port = free_port();
    let app = demo_mailing_to(&db, port).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;

    // The mail server is down: the invitation is made, its mail waits and is retried.
    let link = invite(&app, &facilitator, &review, "patient@westshire.gov.uk").await;
    let path = link["path"].as_str().unwrap().to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let failed = loop {
        let rows = outbox::all(&app.state.db).await.unwrap();
        if rows[0].attempts >= 2 {
            break rows;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no retries: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(failed.len(), 1);
    assert!(failed[0].sent_at.is_none());
    assert!(failed[0].last_error.is_some(), "{failed:?}");

    // Up again: the mail arrives, once.
    let mut sink = SmtpSink::start(port).await;
    let mail = sink
        .next(Duration::from_secs(40))
        .await
        .expect("the mail arrives once the server is up");
    assert_eq!(mail.to, ["patient@westshire.gov.uk"]);
    assert!(mail.data.contains(&path));
    assert!(
        sink.next(Duration::from_secs(3)).await.is_none(),
        "sent twice"
    );
    sent(&app).await;

    // A restart on the same database sends nothing again.
    app.stop().await;
    let app = demo_mailing_to(&db, port).await;
    assert!(
        sink.next(Duration::from_secs(4)).await.is_none(),
        "resent after a restart"
    );
    let rows = outbox::all(&app.state.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sent_at.is_some());
    app.stop().await;
    sink.stop().await;
}

#[tokio::test]
async fn without_a_mail_server_nothing_is_queued_and_the_link_is_shown() {
    let app = TestApp::demo().await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let link = invite(&app, &facilitator, &review, "by.hand@westshire.gov.uk").await;
    assert_eq!(link["emailed"], false);
    assert!(link["path"].as_str().unwrap().starts_with("/invitations/"));
    assert!(outbox::all(&app.state.db).await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn bad_mail_settings_stop_the_server_with_what_to_write() {
    let result = peerwall_server::prepare(&config(
        "mem://",
        &["--smtp-url", "http://mail.example", "--mail-from", FROM],
    ))
    .await;
    let Err(error) = result else {
        panic!("a bad SMTP address was accepted")
    };
    assert!(error.to_string().contains("smtp://host:port"), "{error}");
}

#[tokio::test]
async fn a_password_reset_is_mailed_to_the_account_and_its_link_works() {
    let mut sink = SmtpSink::start(0).await;
    let app = demo_mailing_to("mem://", sink.port).await;
    let admin = app
        .session_cookie(peerwall_server::demo::DEMO_ADMIN.1, DEMO_PASSWORD)
        .await;
    let issued = app
        .post(
            "/api/issue_password_reset",
            form(&[("email", DEMO_PEOPLE[2].1)]),
            Some(&admin),
        )
        .await;
    assert_eq!(issued.status(), 200);
    let link = json(issued).await;
    assert_eq!(link["emailed"], true, "{link}");
    let path = link["path"].as_str().unwrap();
    let mail = sink
        .next(Duration::from_secs(20))
        .await
        .expect("the reset's mail arrives");
    assert_eq!(mail.to, [DEMO_PEOPLE[2].1]);
    assert!(
        mail.data
            .contains("Subject: Choose a new Peerwall password"),
        "{}",
        mail.data
    );
    assert!(mail.data.contains(path), "{}", mail.data);
    assert!(
        mail.data.contains("Alex Morgan, an administrator"),
        "{}",
        mail.data
    );
    let rows = sent(&app).await;
    assert_eq!(rows[0].kind, "password_reset");

    // The link from the mail sets the password.
    let token = path.strip_prefix("/reset-password/").unwrap();
    let reset = app
        .post(
            "/api/reset_password",
            form(&[
                ("token", token),
                ("new_password", "a-new-password-from-mail"),
            ]),
            None,
        )
        .await;
    assert_eq!(reset.status(), 200, "{}", reset.text().await.unwrap());
    assert_eq!(
        app.sign_in(DEMO_PEOPLE[2].1, "a-new-password-from-mail")
            .await
            .status(),
        200
    );
    app.stop().await;
    sink.stop().await;
}

#[tokio::test]
async fn erasing_an_account_erases_the_mail_sent_to_it() {
    let mut sink = SmtpSink::start(0).await;
    let app = demo_mailing_to("mem://", sink.port).await;
    let admin = app
        .session_cookie(peerwall_server::demo::DEMO_ADMIN.1, DEMO_PASSWORD)
        .await;
    let person = DEMO_PEOPLE[4].1;
    let issued = app
        .post(
            "/api/issue_password_reset",
            form(&[("email", person)]),
            Some(&admin),
        )
        .await;
    assert_eq!(issued.status(), 200);
    sink.next(Duration::from_secs(20)).await.expect("the mail");
    assert_eq!(sent(&app).await.len(), 1);

    let erased = app
        .post(
            "/api/erase_account",
            form(&[("email", person), ("confirm", "on")]),
            Some(&admin),
        )
        .await;
    assert_eq!(erased.status(), 200, "{}", erased.text().await.unwrap());
    // The record of a mail names its recipient: it goes with the account.
    assert!(outbox::all(&app.state.db).await.unwrap().is_empty());
    app.stop().await;
    sink.stop().await;
}

#[tokio::test]
async fn a_version_sent_to_the_council_mails_its_host_lead_and_readers() {
    let mut sink = SmtpSink::start(0).await;
    let app = demo_mailing_to("mem://", sink.port).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let step = |step: &'static str| form(&[("review", review.as_str()), ("step", step)]);
    let created = app
        .post(
            "/api/create_report",
            form(&[("review", &review)]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(created.status(), 200);
    for (name, body) in [("ask_peers", step("ask_peers")), ("send", step("send"))] {
        let response = app.post("/api/report_step", body, Some(&facilitator)).await;
        let status = response.status();
        assert_eq!(status, 200, "{name}: {}", response.text().await.unwrap());
    }
    let mut to = Vec::new();
    for _ in 0..2 {
        let mail = sink
            .next(Duration::from_secs(20))
            .await
            .expect("a mail to each council member");
        assert!(
            mail.data.contains(
                "Subject: The draft report of the Eastbrook Borough Council Corporate Peer Challenge is ready for your comments"
            ),
            "{}",
            mail.data
        );
        assert!(
            mail.data
                .contains("The peer team has sent version 1 of its report")
        );
        assert!(
            mail.data
                .contains(&format!("http://127.0.0.1:0/reviews/{review}/report")),
            "{}",
            mail.data
        );
        to.extend(mail.to);
    }
    to.sort();
    assert_eq!(to, ["host@demo.peerwall.test", "reader@demo.peerwall.test"]);
    assert!(
        sink.next(Duration::from_millis(1500)).await.is_none(),
        "no one else: the peer team and the observer are not mailed"
    );
    app.stop().await;
    sink.stop().await;
}

#[tokio::test]
async fn a_week_before_the_notes_go_their_facilitator_and_team_lead_are_mailed_once() {
    let mut sink = SmtpSink::start(0).await;
    let app = demo_mailing_to("mem://", sink.port).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let id = app::review::ReviewId(review.parse().unwrap());
    app.sign_off_report(id).await;
    let now = chrono::Utc::now();
    let retention = &app.state.retention;
    // Three weeks on: no warning yet.
    retention
        .run_due(now + chrono::Duration::days(21))
        .await
        .unwrap();
    assert!(sink.next(Duration::from_millis(1500)).await.is_none());
    // Six days before: the facilitator and the team lead, once each.
    let on = (now + chrono::Duration::days(30))
        .format("%-d %B %Y")
        .to_string();
    retention
        .run_due(now + chrono::Duration::days(24))
        .await
        .unwrap();
    let mut to = Vec::new();
    for _ in 0..2 {
        let mail = sink.next(Duration::from_secs(20)).await.expect("a warning");
        assert!(
            mail.data.contains(&format!(
                "Subject: The notes of the Eastbrook Borough Council Corporate Peer Challenge will be destroyed on {on}"
            )),
            "{}",
            mail.data
        );
        assert!(mail.data.contains("The key messages and the report stay."));
        to.extend(mail.to);
    }
    to.sort();
    assert_eq!(
        to,
        ["facilitator@demo.peerwall.test", "lead@demo.peerwall.test"]
    );
    // The schedule's next runs (on this node or another) send nothing more.
    retention
        .run_due(now + chrono::Duration::days(25))
        .await
        .unwrap();
    retention
        .run_due(now + chrono::Duration::days(26))
        .await
        .unwrap();
    assert!(
        sink.next(Duration::from_millis(1500)).await.is_none(),
        "once, not at every run"
    );
    app.stop().await;
    sink.stop().await;
}

#[tokio::test]
async fn three_days_before_a_round_is_due_those_whose_part_it_is_are_reminded_once() {
    let mut sink = SmtpSink::start(0).await;
    let app = demo_mailing_to("mem://", sink.port).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let r = review.as_str();
    assert_eq!(
        app.post(
            "/api/create_report",
            form(&[("review", r)]),
            Some(&facilitator)
        )
        .await
        .status(),
        200
    );
    let today = chrono::Utc::now();
    let due = (today + chrono::Duration::days(5)).date_naive().to_string();
    let set = app
        .post(
            "/api/set_report_due_dates",
            form(&[("review", r), ("peer_comments", &due)]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(set.status(), 200);
    let reports = &app.state.report;
    // The team still drafting: nobody is asked yet, however close the date.
    assert_eq!(
        reports
            .remind_due(today + chrono::Duration::days(3))
            .await
            .unwrap(),
        0
    );
    let asked = app
        .post(
            "/api/report_step",
            form(&[("review", r), ("step", "ask_peers")]),
            Some(&facilitator),
        )
        .await;
    assert_eq!(asked.status(), 200);
    // Five days before: not yet. Three days before: the peer team, once.
    assert_eq!(reports.remind_due(today).await.unwrap(), 0);
    assert_eq!(
        reports
            .remind_due(today + chrono::Duration::days(2))
            .await
            .unwrap(),
        1
    );
    let mut to = Vec::new();
    for _ in 0..5 {
        let mail = sink
            .next(Duration::from_secs(20))
            .await
            .expect("a reminder");
        assert!(
            mail.data
                .contains("Subject: Your comments on the draft report for the Eastbrook"),
            "{}",
            mail.data
        );
        to.extend(mail.to);
    }
    to.sort();
    assert_eq!(
        to,
        [
            "facilitator@demo.peerwall.test",
            "lead@demo.peerwall.test",
            "peer1@demo.peerwall.test",
            "peer2@demo.peerwall.test",
            "peer3@demo.peerwall.test"
        ],
        "the peer team, not the council or the observer"
    );
    assert_eq!(
        reports
            .remind_due(today + chrono::Duration::days(3))
            .await
            .unwrap(),
        0,
        "once per round and date"
    );
    assert!(sink.next(Duration::from_millis(1500)).await.is_none());
    app.stop().await;
    sink.stop().await;
}
