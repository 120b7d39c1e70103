//! The council's data through the real server: an LGBF CSV imported whole or not at all, errors
//! named by line and column, the team's picked indicators charted from the stored values, and
//! who may do which.

use peerwall_server::db::review as review_db;
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE, LGBF_CSV, PCI_HOSTS};
use serde_json::Value;

use crate::support::{TestApp, form, json};

const HOST_LEAD: &str = PCI_HOSTS[0].1;
const HOST_READER: &str = PCI_HOSTS[1].1;
const FIELDWORK: &str = PCI_HOSTS[2].1;
const PEER: &str = DEMO_PEOPLE[2].1;

async fn glenmoor(app: &TestApp) -> String {
    review_db::list_summaries(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|review| review.title.starts_with("Glenmoor"))
        .unwrap()
        .id
        .to_string()
}

async fn import(
    app: &TestApp,
    review: &str,
    cookie: &str,
    host: &str,
    csv: &str,
    from_page: bool,
) -> reqwest::Response {
    app.post_multipart(
        &format!("/api/reviews/{review}/benchmarks"),
        &[("host", host)],
        ("lgbf.csv", csv.as_bytes()),
        Some(cookie),
        from_page,
    )
    .await
}

async fn view(app: &TestApp, review: &str, cookie: &str) -> Value {
    let response = app
        .post(
            "/api/get_benchmarks",
            form(&[("review", review)]),
            Some(cookie),
        )
        .await;
    assert_eq!(response.status(), 200);
    json(response).await
}

#[tokio::test]
async fn the_demo_data_is_charted_for_the_picked_indicators() {
    let app = TestApp::demo().await;
    let review = glenmoor(&app).await;
    let cookie = app.session_cookie(FIELDWORK, DEMO_PASSWORD).await;
    let data = view(&app, &review, &cookie).await;
    assert_eq!(data["host"], "Glenmoor Council");
    assert_eq!(data["imported"]["rows"], 432);
    assert_eq!(data["indicators"].as_array().unwrap().len(), 6);
    let chart = &data["picked"][0];
    assert_eq!(chart["indicator"]["code"], "SW1");
    assert_eq!(chart["years"].as_array().unwrap().len(), 6);
    assert_eq!(chart["family_group"], "Family group 1");
    assert_eq!(
        (chart["family_size"].as_u64(), chart["councils"].as_u64()),
        (Some(6), Some(12))
    );
    // The first year's host value is the file's, and the averages are the file's averages.
    let first_year: Vec<(String, f64)> = LGBF_CSV
        .lines()
        .skip(1)
        .filter(|line| line.contains(",SW1,") && line.contains(",2018-19,"))
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[0].to_string(), cells.last().unwrap().parse().unwrap())
        })
        .collect();
    let host = first_year
        .iter()
        .find(|(c, _)| c == "Glenmoor Council")
        .unwrap()
        .1;
    assert_eq!(chart["host"][0].as_f64(), Some(host));
    let all = first_year.iter().map(|(_, v)| v).sum::<f64>() / first_year.len() as f64;
    assert!((chart["all"][0].as_f64().unwrap() - all).abs() < 1e-9);
    // Everyone on the review may look; the council's readers too.
    let reader = app.session_cookie(HOST_READER, DEMO_PASSWORD).await;
    let seen = view(&app, &review, &reader).await;
    assert_eq!(seen["can_import"], false);
    assert_eq!(seen["can_pick"], false);
    app.stop().await;
}

#[tokio::test]
async fn an_import_is_whole_or_refused_with_its_line_and_column() {
    let app = TestApp::demo().await;
    let review = glenmoor(&app).await;
    let host = app.session_cookie(HOST_LEAD, DEMO_PASSWORD).await;
    let before = view(&app, &review, &host).await;

    // A bad value on the last line: nothing of the file is kept.
    let mut broken = LGBF_CSV.to_string();
    broken.push_str("Glenmoor Council,Family group 1,SW1,Home care,2024-25,twelve\n");
    let response = import(&app, &review, &host, "Glenmoor Council", &broken, false).await;
    assert_eq!(response.status(), 422);
    let body = json(response).await;
    assert_eq!(body["field"], "file");
    assert_eq!(
        body["message"],
        "Line 434, column 6 (value): “twelve” is not a number."
    );
    assert_eq!(
        view(&app, &review, &host).await,
        before,
        "nothing half imported"
    );

    // The host must be in the file, as it spells it.
    let response = import(&app, &review, &host, "Glenmoor", LGBF_CSV, false).await;
    assert_eq!(json(response).await["field"], "host");

    // A page is sent back saying why.
    let response = import(
        &app,
        &review,
        &host,
        "Glenmoor Council",
        "council,year\nA,2020\n",
        true,
    )
    .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("/reviews/{review}/data?refused=Line+1")),
        "{location}"
    );

    // A smaller file replaces the data whole; picks it no longer has are dropped.
    let small = "council,family_group,indicator,indicator_name,year,value\n\
                 Glenmoor Council,F1,HSN1b,Rent arrears,2022-23,7.5\n\
                 Strathallan Council,F1,HSN1b,Rent arrears,2022-23,6.5\n\
                 Westlaw Council,F2,HSN1b,Rent arrears,2022-23,3.5\n";
    let response = import(&app, &review, &host, "Glenmoor Council", small, true).await;
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("?imported=3")
    );
    let after = view(&app, &review, &host).await;
    assert_eq!(after["imported"]["rows"], 3);
    let codes: Vec<&str> = after["picked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["indicator"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["HSN1b"], "SW1 went with its data");
    assert_eq!(after["picked"][0]["family"][0].as_f64(), Some(7.0));
    assert_eq!(after["picked"][0]["all"][0].as_f64(), Some(17.5 / 3.0));
    assert!(
        app.audit_kinds()
            .await
            .iter()
            .any(|k| k == "benchmarks_imported")
    );
    app.stop().await;
}

#[tokio::test]
async fn who_may_import_and_pick() {
    let app = TestApp::demo().await;
    let review = glenmoor(&app).await;
    let peer = app.session_cookie(PEER, DEMO_PASSWORD).await;
    let reader = app.session_cookie(HOST_READER, DEMO_PASSWORD).await;
    assert_eq!(
        import(&app, &review, &peer, "Glenmoor Council", LGBF_CSV, false)
            .await
            .status(),
        403
    );
    assert_eq!(
        import(&app, &review, &reader, "Glenmoor Council", LGBF_CSV, false)
            .await
            .status(),
        403
    );

    let pick = |cookie: String, indicator: &'static str, picked: &'static str| {
        let body = form(&[
            ("review", &review),
            ("indicator", indicator),
            ("picked", picked),
        ]);
        let app = &app;
        async move {
            app.post("/api/pick_indicator", body, Some(&cookie))
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(pick(peer.clone(), "ECON1", "true").await, 200);
    assert_eq!(pick(reader.clone(), "ECON1", "false").await, 403);
    assert_eq!(pick(peer.clone(), "NOPE1", "true").await, 404);
    let codes: Vec<String> = view(&app, &review, &peer).await["picked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["indicator"]["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains(&"ECON1".to_string()), "{codes:?}");
    assert_eq!(pick(peer.clone(), "ECON1", "false").await, 200);
    let after = view(&app, &review, &peer).await;
    assert!(
        !after["picked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["indicator"]["code"] == "ECON1")
    );
    app.stop().await;
}
