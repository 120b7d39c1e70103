//! The benchmark set-up route: absent without `--bench`, and with it, boards whose sessions
//! open the wall with their pre-seeded notes.

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::{TestApp, config, json};

const SECRET: &str = "a-bench-secret-for-tests";

async fn post_setup(app: &TestApp, body: &str) -> reqwest::Response {
    app.http
        .post(app.url("/bench/setup"))
        .header("content-type", "application/json")
        .header("x-bench-secret", SECRET)
        .body(body.to_string())
        .send()
        .await
        .expect("POST")
}

#[tokio::test]
async fn the_setup_route_exists_only_with_the_bench_flag() {
    let app = TestApp::start(config("mem://", &[])).await;
    let response = post_setup(&app, r#"{"boards":1,"clients":2}"#).await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        peerwall_server::db::review::count(&app.state.db)
            .await
            .unwrap(),
        0,
        "nothing was created"
    );
    app.stop().await;
}

#[tokio::test]
async fn bench_boards_come_with_signed_in_people_and_their_notes() {
    let app = TestApp::start(config("mem://", &["--bench", "--bench-secret", SECRET])).await;
    for bad in [
        "{not json",
        r#"{"boards":0,"clients":2}"#,
        r#"{"boards":1,"clients":65}"#,
        r#"{"boards":1,"clients":2,"notes":2001}"#,
    ] {
        let response = post_setup(&app, bad).await;
        assert_eq!(response.status(), 400, "{bad}");
        let error = json(response).await;
        assert_eq!(error["code"], "invalid", "{error}");
    }
    let response = post_setup(&app, r#"{"boards":2,"clients":3,"notes":7}"#).await;
    assert_eq!(response.status(), 200);
    let setup = json(response).await;
    let boards = setup["boards"].as_array().unwrap();
    assert_eq!(boards.len(), 2);
    let cookie = setup["cookie"].as_str().unwrap();
    for board in boards {
        assert_eq!(board["tokens"].as_array().unwrap().len(), 3);
        assert_eq!(board["headings"].as_array().unwrap().len(), 4);
        let review = board["review"].as_str().unwrap();
        let token = board["tokens"][2].as_str().unwrap();
        let mut request = format!("ws://{}/ws/reviews/{review}/wall", app.addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("cookie", format!("{cookie}={token}").parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("a bench session opens the wall");
        socket
            .send(Message::text(r#"{"type":"hello","protocol":1}"#))
            .await
            .unwrap();
        let welcome = loop {
            let Some(Ok(Message::Text(text))) = socket.next().await else {
                panic!("no welcome");
            };
            let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
            if frame["type"] == "welcome" {
                break frame;
            }
        };
        assert_eq!(welcome["board"]["notes"].as_object().unwrap().len(), 7);
        assert_eq!(welcome["pair"], 2, "the third person is in the second pair");
    }
    app.stop().await;
}
