use crate::support::{TestApp, json};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = TestApp::demo().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["status"], "ok");
    app.stop().await;
}

#[tokio::test]
async fn readyz_is_ready_when_the_database_answers_and_the_live_queries_are_open() {
    let app = TestApp::demo().await;
    // The live queries open in the background as the node starts.
    let mut answer = json(app.get("/readyz").await).await;
    for _ in 0..50 {
        if answer["status"] == "ready" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        answer = json(app.get("/readyz").await).await;
    }
    assert_eq!(answer["status"], "ready", "{answer}");
    assert_eq!(answer["database"], "answering");
    let queries = answer["live_queries"].as_array().unwrap();
    let names: Vec<&str> = queries
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["wall", "access", "report", "timetable", "plan"]);
    // On an embedded database no other node commits to the walls: their log is not followed.
    assert_eq!(queries[0]["state"], "not followed", "{answer}");
    assert_eq!(queries[0]["openings"], 0, "{answer}");
    assert!(
        queries[1..]
            .iter()
            .all(|q| q["state"] == "open" && q["openings"] == 1),
        "{answer}"
    );

    // A node whose live query is not open is not ready, and says which.
    app.state.access.stop_following().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let answer = json(response).await;
    assert_eq!(answer["database"], "answering");
    assert!(
        answer["reason"].as_str().unwrap().contains("access"),
        "{answer}"
    );
    app.stop().await;
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_security_headers() {
    let app = TestApp::demo().await;
    let response = app.get("/healthz").await;
    let request_id = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["x-frame-options"], "DENY");

    let second = app.get("/healthz").await;
    assert_ne!(second.headers()["x-request-id"], request_id);
    app.stop().await;
}

#[tokio::test]
async fn a_request_id_sent_by_a_proxy_is_kept() {
    let app = TestApp::demo().await;
    let response = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "edge-1234")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "edge-1234");
    app.stop().await;
}
