use crate::support::{TestApp, json};

#[tokio::test]
async fn the_home_page_is_rendered_on_the_server_with_the_demo_review() {
    let app = TestApp::demo().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Eastbrook Borough Council"), "{html}");
    assert!(html.contains("LGA Corporate Peer Challenge"));
    assert!(html.contains("Governance and culture"));
    // The hydration script is linked, so the browser can take over.
    assert!(html.contains("/pkg/peerwall.js"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn the_sign_in_page_has_labelled_fields() {
    let app = TestApp::demo().await;
    let html = app.get("/sign-in").await.text().await.unwrap();
    assert!(
        html.contains(r#"<label for="email">Email</label>"#),
        "{html}"
    );
    assert!(html.contains(r#"id="password""#));
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_address_is_a_404_page() {
    let app = TestApp::demo().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
    app.stop().await;
}

#[tokio::test]
async fn the_list_reviews_server_function_returns_the_demo_review() {
    let app = TestApp::demo().await;
    let response = app.call("/api/list_reviews").await;
    assert_eq!(response.status(), 200);
    let reviews = json(response).await;
    let reviews = reviews.as_array().expect("a list");
    assert_eq!(reviews.len(), 1);
    let review = &reviews[0];
    assert_eq!(review["host_authority"], "Eastbrook Borough Council");
    assert_eq!(review["review_type"], "lga_corporate_peer_challenge");
    assert_eq!(review["phase"], "on_site");
    let headings = review["headings"].as_array().unwrap();
    assert_eq!(headings.len(), 6);
    assert_eq!(headings[0], "Local priorities and outcomes");
    assert_eq!(headings[4], "Capacity for improvement");
    app.stop().await;
}

#[tokio::test]
async fn without_demo_there_are_no_reviews() {
    let app = TestApp::start(crate::support::config("mem://", &[])).await;
    let reviews = json(app.call("/api/list_reviews").await).await;
    assert_eq!(reviews.as_array().map(Vec::len), Some(0));
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains("No reviews yet"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_whose_nonce_matches_their_scripts() {
    let app = TestApp::demo().await;
    let response = app.get("/").await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "{policy}\n{html}"
    );
    assert!(policy.contains("object-src 'none'"));

    // A fresh nonce for every response.
    let again = app.get("/").await;
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(nonce)
    );
    app.stop().await;
}
