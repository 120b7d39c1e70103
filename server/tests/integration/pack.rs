//! The pack through the real server: uploads checked and sniffed, stored in SurrealDB in chunks
//! and served back byte for byte as attachments; who sees which document; read marks, "new since
//! your last visit" and the facilitator's list of who has not opened the position statement.

use app::review::ReviewId;
use peerwall_server::db::{accounts, pack as pack_db, review as review_db};
use peerwall_server::demo::pack::{pdf, word};
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use serde_json::Value;

use crate::support::{TestApp, form, json};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const PEER: &str = DEMO_PEOPLE[2].1;
const GARETH: &str = DEMO_PEOPLE[3].1;
const HOST_LEAD: &str = DEMO_PEOPLE[5].1;
const HOST_READER: &str = DEMO_PEOPLE[6].1;

/// One upload's fields.
struct Upload<'a> {
    title: &'a str,
    kind: &'a str,
    audience: &'a str,
    send_on: String,
    file_name: &'a str,
    content: Vec<u8>,
}

impl<'a> Upload<'a> {
    fn new(title: &'a str, file_name: &'a str, content: Vec<u8>) -> Self {
        Upload {
            title,
            kind: "data",
            audience: "everyone",
            send_on: "2020-01-01".into(),
            file_name,
            content,
        }
    }
}

async fn upload(
    app: &TestApp,
    review: &str,
    cookie: Option<&str>,
    upload: &Upload<'_>,
    from_page: bool,
) -> reqwest::Response {
    let fields = [
        ("title", upload.title),
        ("kind", upload.kind),
        ("audience", upload.audience),
        ("send_on", upload.send_on.as_str()),
    ];
    app.post_multipart(
        &format!("/api/reviews/{review}/documents"),
        &fields,
        (upload.file_name, &upload.content),
        cookie,
        from_page,
    )
    .await
}

async fn download(app: &TestApp, review: &str, document: &str, cookie: &str) -> reqwest::Response {
    app.http
        .get(app.url(&format!("/api/reviews/{review}/documents/{document}")))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

async fn pack(app: &TestApp, review: &str, cookie: &str) -> Value {
    let response = app
        .post("/api/get_pack", form(&[("review", review)]), Some(cookie))
        .await;
    assert_eq!(response.status(), 200);
    json(response).await
}

fn titles(pack: &Value) -> Vec<String> {
    pack["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["document"]["title"].as_str().unwrap().to_string())
        .collect()
}

fn entry<'a>(pack: &'a Value, title: &str) -> &'a Value {
    pack["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["document"]["title"] == title)
        .unwrap_or_else(|| panic!("{title} is not in {pack}"))
}

async fn eastbrook(app: &TestApp) -> String {
    review_db::list_summaries(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|review| review.title.starts_with("Eastbrook"))
        .unwrap()
        .id
        .to_string()
}

async fn stored_count(app: &TestApp, review: &str) -> usize {
    pack_db::documents(&app.state.db, ReviewId(review.parse().unwrap()))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn the_council_uploads_the_pack_and_each_role_gets_what_it_may() {
    let app = TestApp::demo().await;
    let review = eastbrook(&app).await;
    let host = app.session_cookie(HOST_LEAD, DEMO_PASSWORD).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let reader = app.session_cookie(HOST_READER, DEMO_PASSWORD).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;

    // A 3 MB PDF: stored in several chunks, served back byte for byte as an attachment.
    let mut big = pdf(&["Housing strategy evidence base"]);
    big.extend(std::iter::repeat_n(b'%', 3 * 1024 * 1024));
    let response = upload(
        &app,
        &review,
        Some(&host),
        &Upload::new("Housing evidence", "evidence (final).pdf", big.clone()),
        false,
    )
    .await;
    assert_eq!(response.status(), 201);
    let document = json(response).await;
    assert_eq!(document["file_type"], "application/pdf");
    assert_eq!(document["file_name"], "evidence-final.pdf");
    let id = document["id"].as_str().unwrap().to_string();
    let response = download(&app, &review, &id, &peer).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"evidence-final.pdf\""
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        response.bytes().await.unwrap().to_vec(),
        big,
        "the same bytes"
    );
    assert_eq!(
        entry(&pack(&app, &review, &peer).await, "Housing evidence")["read"],
        true
    );

    // A Word file named .pdf is a Word file; the name is corrected.
    let response = upload(
        &app,
        &review,
        Some(&host),
        &Upload::new("Misnamed", "plan.pdf", word("Plan", &["x"])),
        false,
    )
    .await;
    let document = json(response).await;
    assert_eq!(
        document["file_type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert_eq!(document["file_name"], "plan.docx");

    // A team-only briefing note from the facilitator: the host never sees it.
    let mut briefing = Upload::new(
        "Briefing for the peers",
        "briefing.docx",
        word("Briefing", &["Pairs"]),
    );
    briefing.audience = "team";
    briefing.kind = "briefing_note";
    let response = upload(&app, &review, Some(&facilitator), &briefing, false).await;
    let briefing_id = json(response).await["id"].as_str().unwrap().to_string();
    assert_eq!(
        download(&app, &review, &briefing_id, &host).await.status(),
        404
    );
    assert_eq!(
        download(&app, &review, &briefing_id, &reader)
            .await
            .status(),
        404
    );
    assert!(
        !titles(&pack(&app, &review, &reader).await)
            .contains(&"Briefing for the peers".to_string())
    );
    assert_eq!(
        download(&app, &review, &briefing_id, &peer).await.status(),
        200
    );

    // Not yet sent: the peers do not see it; the council's contact does.
    let mut later = Upload::new(
        "Draft budget",
        "budget.csv",
        b"line,amount\nstaff,100\n".to_vec(),
    );
    // Tomorrow: within the demo visit, which is under way.
    later.send_on = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();
    let response = upload(&app, &review, Some(&host), &later, false).await;
    assert_eq!(response.status(), 201);
    let later_id = json(response).await["id"].as_str().unwrap().to_string();
    assert_eq!(
        download(&app, &review, &later_id, &peer).await.status(),
        404
    );
    let mut after_the_visit = Upload::new("Late", "late.csv", b"a\n1\n".to_vec());
    after_the_visit.send_on = "2099-01-01".into();
    let response = upload(&app, &review, Some(&host), &after_the_visit, false).await;
    assert_eq!(json(response).await["field"], "send_on");
    let host_view = pack(&app, &review, &host).await;
    assert_eq!(entry(&host_view, "Draft budget")["scheduled"], true);

    // Who may upload, and unknown or foreign ids.
    let small = Upload::new("Small", "small.pdf", pdf(&["small"]));
    assert_eq!(
        upload(&app, &review, Some(&peer), &small, false)
            .await
            .status(),
        403
    );
    assert_eq!(
        upload(&app, &review, Some(&reader), &small, false)
            .await
            .status(),
        403
    );
    assert_eq!(
        upload(&app, &review, None, &small, false).await.status(),
        401
    );
    let unknown = "00000000-0000-0000-0000-000000000000";
    assert_eq!(
        upload(&app, unknown, Some(&host), &small, false)
            .await
            .status(),
        404
    );
    assert_eq!(download(&app, &review, unknown, &peer).await.status(), 404);
    assert_eq!(
        download(&app, &review, "not-an-id", &peer).await.status(),
        404
    );
    let glenmoor = review_db::list_summaries(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|review| review.title.starts_with("Glenmoor"))
        .unwrap()
        .id
        .to_string();
    assert_eq!(
        download(&app, &glenmoor, &id, &facilitator).await.status(),
        404,
        "another review's id"
    );

    // Refused with a sentence, and nothing stored.
    let before = stored_count(&app, &review).await;
    let mut program = b"MZ\x90\0\x03\0\0\0".to_vec();
    program.resize(4096, 0);
    let zeros = vec![0u8; 101 * 1024 * 1024];
    let bomb = {
        use std::io::Write;
        let mut buffer = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in [
            ("[Content_Types].xml", &b"<Types/>"[..]),
            ("word/document.xml", b"<w/>"),
            ("word/media/a.bin", &zeros),
        ] {
            zip.start_file(name, options).unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap();
        buffer.into_inner()
    };
    for (name, file_name, content, says) in [
        ("a program", "minutes.pdf", program, "program"),
        ("a zip bomb", "report.docx", bomb, "zip bomb"),
        (
            "a formula",
            "data.csv",
            b"council,value\nEastbrook,=1+2\n".to_vec(),
            "Line 2, column 2",
        ),
        ("an empty file", "empty.pdf", Vec::new(), "empty"),
    ] {
        let response = upload(
            &app,
            &review,
            Some(&host),
            &Upload::new(name, file_name, content),
            false,
        )
        .await;
        assert_eq!(response.status(), 422, "{name}");
        let body = json(response).await;
        assert_eq!(body["field"], "file", "{name}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{name}: {body}"
        );
    }
    let mut no_title = Upload::new(" ", "x.pdf", pdf(&["x"]));
    no_title.title = " ";
    assert_eq!(
        json(upload(&app, &review, Some(&host), &no_title, false).await).await["field"],
        "title"
    );
    let mut bad_date = Upload::new("Dated", "x.pdf", pdf(&["x"]));
    bad_date.send_on = "next week".into();
    assert_eq!(
        json(upload(&app, &review, Some(&host), &bad_date, false).await).await["field"],
        "send_on"
    );
    let mut too_big = pdf(&["big"]);
    too_big.resize(app::visit::MAX_DOCUMENT_BYTES + 1, b'%');
    let response = upload(
        &app,
        &review,
        Some(&host),
        &Upload::new("Too big", "big.pdf", too_big.clone()),
        false,
    )
    .await;
    assert_eq!(response.status(), 413);
    assert!(
        json(response).await["message"]
            .as_str()
            .unwrap()
            .contains("MB")
    );
    assert_eq!(
        stored_count(&app, &review).await,
        before,
        "nothing half stored"
    );

    // A page's form is sent back to the pack, saying what happened.
    let response = upload(
        &app,
        &review,
        Some(&host),
        &Upload::new("From the page", "p.pdf", pdf(&["p"])),
        true,
    )
    .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        format!("/reviews/{review}/documents?uploaded=From+the+page")
    );
    let response = upload(
        &app,
        &review,
        Some(&host),
        &Upload::new("Formula", "f.csv", b"a\n=1\n".to_vec()),
        true,
    )
    .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.contains("?refused=Line+2%2C+column+1"),
        "{location}"
    );
    let response = upload(
        &app,
        &review,
        Some(&host),
        &Upload::new("Too big", "big.pdf", too_big),
        true,
    )
    .await;
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .contains("refused=The+file+is+larger+than+10+MB")
    );

    // Withdrawn: gone for everyone; each step is in the audit trail.
    let response = app
        .post(
            "/api/withdraw_document",
            form(&[("review", &review), ("document", &id)]),
            Some(&peer),
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = app
        .post(
            "/api/withdraw_document",
            form(&[("review", &review), ("document", &id)]),
            Some(&host),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(download(&app, &review, &id, &peer).await.status(), 404);
    let kinds = app.audit_kinds().await;
    for kind in [
        "document_uploaded",
        "document_downloaded",
        "document_withdrawn",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn new_since_the_last_visit_and_who_has_not_opened_the_position_statement() {
    let app = TestApp::demo().await;
    let review = eastbrook(&app).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let gareth = app.session_cookie(GARETH, DEMO_PASSWORD).await;
    let host = app.session_cookie(HOST_LEAD, DEMO_PASSWORD).await;

    // The demo visit is under way and Gareth has not opened the position statement.
    let view = pack(&app, &review, &facilitator).await;
    let not_opened: Vec<&str> = view["not_opened"]
        .as_array()
        .unwrap()
        .iter()
        .map(|person| person["name"].as_str().unwrap())
        .collect();
    assert_eq!(not_opened, vec!["Gareth Lloyd"]);
    assert_eq!(view["visit_is_near"], true);
    assert_eq!(
        entry(&view, "Position statement")["read_by"],
        serde_json::json!([3, 4])
    );
    assert!(
        pack(&app, &review, &host).await["not_opened"].is_null(),
        "the host lead of a CPC does not follow reads"
    );

    // His first visit: everything meant for him is new.
    let first = pack(&app, &review, &gareth).await;
    assert_eq!(
        titles(&first).len(),
        4,
        "the council's three and the briefing note"
    );
    assert!(
        first["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["new"] == true)
    );

    // Later: only what arrived since is new.
    let person = accounts::find_person_by_email(&app.state.db, GARETH)
        .await
        .unwrap()
        .unwrap();
    let review_id = ReviewId(review.parse().unwrap());
    let person_id = app::accounts::PersonId(person.id);
    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    pack_db::visit(
        &app.state.db,
        review_id,
        person_id,
        later,
        chrono::Duration::minutes(30),
    )
    .await
    .unwrap();
    upload(
        &app,
        &review,
        Some(&host),
        &Upload::new(
            "Scrutiny work programme",
            "scrutiny.pdf",
            pdf(&["Scrutiny"]),
        ),
        false,
    )
    .await;
    let next = pack(&app, &review, &gareth).await;
    let new: Vec<&str> = next["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["new"] == true)
        .map(|e| e["document"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(new, vec!["Scrutiny work programme"]);

    // He marks the position statement read; the facilitator's list empties.
    let statement = entry(&next, "Position statement")["document"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let response = app
        .post(
            "/api/mark_document_read",
            form(&[("review", &review), ("document", &statement)]),
            Some(&gareth),
        )
        .await;
    assert_eq!(response.status(), 200);
    let view = pack(&app, &review, &facilitator).await;
    assert_eq!(view["not_opened"], serde_json::json!([]));
    // Marking a document meant for others is refused as unknown.
    let unknown = "00000000-0000-0000-0000-000000000000";
    let response = app
        .post(
            "/api/mark_document_read",
            form(&[("review", &review), ("document", unknown)]),
            Some(&gareth),
        )
        .await;
    assert_eq!(response.status(), 404);
    app.stop().await;
}
