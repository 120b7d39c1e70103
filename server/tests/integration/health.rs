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
async fn readyz_is_ready_when_the_database_answers() {
    let app = TestApp::demo().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["status"], "ready");
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
