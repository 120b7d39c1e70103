//! Sign-in with the organisation's account, against a real OpenID provider on loopback (the
//! certified npm `oidc-provider`, `end2end/oidc-provider.mjs`, installed by `make tools-e2e`):
//! the whole authorization code flow with PKCE through HTTP, as a browser follows it; a first
//! sign-in that opens an account from an invitation; an existing password account linked only
//! after its password; and every way a sign-in must fail — a bad signature, a wrong audience,
//! an expired token, a wrong nonce or issuer, an unverified address, a replayed callback or
//! code, a mismatched `state`, a callback in a browser that did not start it, a domain not
//! allowed, no account, the provider down.

use std::collections::HashMap;
use std::time::Duration;

use clap::Parser;
use peerwall_server::Config;
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};
use tokio::process::Child;

use crate::support::{TestApp, cookie_set_by, form, free_port, json, node_script};

const FACILITATOR: &str = DEMO_PEOPLE[0].1;
const LEAD: &str = DEMO_PEOPLE[1].1;
const CLIENT_ID: &str = "peerwall";
const CLIENT_SECRET: &str = "a-client-secret-for-the-tests";

/// The OpenID provider, with one client registered for Peerwall at `peerwall_port`.
struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    async fn start(peerwall_port: u16) -> Self {
        let redirect = format!("http://127.0.0.1:{peerwall_port}/auth/oidc/callback");
        let (child, started, mut lines) = node_script(
            "oidc-provider.mjs",
            &["0", CLIENT_ID, CLIENT_SECRET, &redirect],
        )
        .await;
        let issuer = started["issuer"].as_str().expect("its issuer").to_string();
        // Read whatever else it prints, so that it never writes to a closed pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { child, issuer }
    }

    /// Spoils the ID tokens the provider gives from now on (`none`: stops).
    async fn spoil(&self, mode: &str) {
        let response = reqwest::Client::new()
            .post(format!("{}/_test/mode", self.issuer))
            .body(format!("mode={mode}"))
            .send()
            .await
            .expect("the provider answers");
        assert_eq!(response.status(), 204);
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The demo on `port`, offering sign-in with the organisation at `issuer`.
async fn demo_with(issuer: &str, port: u16, domains: &str) -> TestApp {
    let addr = format!("127.0.0.1:{port}");
    TestApp::start(Config::parse_from([
        "peerwall",
        "--addr",
        &addr,
        "--db",
        "mem://",
        "--demo",
        "--oidc-issuer",
        issuer,
        "--oidc-client-id",
        CLIENT_ID,
        "--oidc-client-secret",
        CLIENT_SECRET,
        "--oidc-allowed-domains",
        domains,
    ]))
    .await
}

/// A browser as far as this flow goes: it follows no redirect by itself and keeps cookies
/// per host and port (paths are ignored: every cookie goes back to its origin).
struct Browser {
    http: reqwest::Client,
    jar: HashMap<String, HashMap<String, String>>,
}

impl Browser {
    fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                // A connection per request, as the steps of a sign-in in a browser often are
                // (the provider's keep-alive need not be relied on).
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            jar: HashMap::new(),
        }
    }

    fn origin(url: &str) -> String {
        let url = reqwest::Url::parse(url).expect("a URL");
        format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(80))
    }

    fn cookie_header(&self, url: &str) -> String {
        self.jar
            .get(&Self::origin(url))
            .map(|cookies| {
                cookies
                    .iter()
                    .map(|(name, value)| format!("{name}={value}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }

    fn keep(&mut self, url: &str, response: &reqwest::Response) {
        let cookies = self.jar.entry(Self::origin(url)).or_default();
        for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty()
                || set.contains("Max-Age=0")
                || set.contains("expires=Thu, 01 Jan 1970")
            {
                cookies.remove(name);
            } else {
                cookies.insert(name.to_string(), value.to_string());
            }
        }
    }

    fn has_cookie(&self, url: &str, name: &str) -> bool {
        self.jar
            .get(&Self::origin(url))
            .is_some_and(|cookies| cookies.contains_key(name))
    }

    async fn get(&mut self, url: &str) -> reqwest::Response {
        let response = self
            .http
            .get(url)
            .header(reqwest::header::COOKIE, self.cookie_header(url))
            .send()
            .await
            .expect("GET");
        self.keep(url, &response);
        response
    }

    async fn post(&mut self, url: &str, body: String) -> reqwest::Response {
        let response = self
            .http
            .post(url)
            .header(reqwest::header::COOKIE, self.cookie_header(url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST");
        self.keep(url, &response);
        response
    }

    /// Where a redirect goes, made absolute against `base`.
    fn location(base: &str, response: &reqwest::Response) -> String {
        assert!(
            response.status().is_redirection(),
            "a redirect from {base}, got {}",
            response.status()
        );
        let location = response.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap();
        reqwest::Url::parse(base)
            .unwrap()
            .join(location)
            .unwrap()
            .to_string()
    }

    /// Clicks "Sign in with your organisation" on `app`, signs in at the provider as `email`
    /// and returns the callback address the provider sends the browser back to (not yet
    /// followed).
    async fn via_provider(&mut self, app: &TestApp, email: &str, name: &str) -> String {
        let start = app.url("/auth/oidc/start");
        let response = self.get(&start).await;
        let mut url = Self::location(&start, &response);
        assert!(
            self.has_cookie(&start, "peerwall_oidc"),
            "the attempt is bound to the browser"
        );
        let authorize = reqwest::Url::parse(&url).unwrap();
        let query: HashMap<_, _> = authorize.query_pairs().into_owned().collect();
        assert_eq!(query["code_challenge_method"], "S256", "PKCE");
        assert!(query.contains_key("state") && query.contains_key("nonce"));
        assert_eq!(query["scope"], "openid email profile");
        for _ in 0..10 {
            if url.starts_with(&app.url("/auth/oidc/callback")) {
                return url;
            }
            let response = self.get(&url).await;
            if response.status() == 200 {
                // The provider's sign-in page: post its form.
                let page = response.text().await.unwrap();
                let action = page
                    .split("action=\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .expect("the provider's sign-in form");
                let target = reqwest::Url::parse(&url)
                    .unwrap()
                    .join(action)
                    .unwrap()
                    .to_string();
                let posted = self
                    .post(&target, form(&[("email", email), ("name", name)]))
                    .await;
                url = Self::location(&target, &posted);
            } else {
                url = Self::location(&url, &response);
            }
        }
        panic!("the provider never sent the browser back");
    }

    /// Follows the callback: where Peerwall sends the browser (a path).
    async fn back_at(&mut self, app: &TestApp, callback: &str) -> String {
        let response = self.get(callback).await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["cache-control"], "no-store");
        Self::location(callback, &response)
            .strip_prefix(&app.url(""))
            .unwrap()
            .to_string()
    }

    /// The whole sign-in: where Peerwall sends the browser at the end.
    async fn sign_in_as(&mut self, app: &TestApp, email: &str, name: &str) -> String {
        let callback = self.via_provider(app, email, name).await;
        self.back_at(app, &callback).await
    }

    /// The session cookie for `app`, as a `Cookie` header.
    fn session(&self, app: &TestApp) -> Option<String> {
        let url = app.url("/");
        self.has_cookie(&url, "peerwall_session")
            .then(|| self.cookie_header(&url))
    }
}

async fn who_am_i(app: &TestApp, cookie: Option<&str>) -> serde_json::Value {
    json(app.post("/api/who_am_i", String::new(), cookie).await).await
}

/// The provider, and the demo offering sign-in with it to `domains`.
async fn started(domains: &str) -> (Provider, TestApp) {
    let port = free_port();
    let provider = Provider::start(port).await;
    let app = demo_with(&provider.issuer, port, domains).await;
    (provider, app)
}

/// `started`, with `invitee` invited to the demo review as a peer; and the review's id.
async fn inviting(invitee: &str, domains: &str) -> (Provider, TestApp, String) {
    let (provider, app) = started(domains).await;
    let facilitator = app.session_cookie(FACILITATOR, DEMO_PASSWORD).await;
    let review = app.first_review(&facilitator).await;
    let body = form(&[("review", &review), ("email", invitee), ("role", "peer")]);
    let response = app
        .post("/api/invite_member", body, Some(&facilitator))
        .await;
    assert_eq!(response.status(), 200);
    (provider, app, review)
}

#[tokio::test]
async fn a_first_sign_in_with_an_invitation_opens_the_account_and_joins_the_review() {
    let (provider, app, review) = inviting(
        "nia.evans@westshire.gov.uk",
        "demo.peerwall.test,westshire.gov.uk",
    )
    .await;

    let mut browser = Browser::new();
    let to = browser
        .sign_in_as(&app, "nia.evans@westshire.gov.uk", "Nia Evans")
        .await;
    assert_eq!(
        to,
        format!("/reviews/{review}"),
        "straight to the review joined"
    );
    let cookie = browser.session(&app).expect("signed in");
    let me = who_am_i(&app, Some(&cookie)).await;
    assert_eq!(me["name"], "Nia Evans", "the name the organisation gave");
    assert_eq!(me["email"], "nia.evans@westshire.gov.uk");
    // A peer on the review: its wall is theirs to read.
    let reviews = json(
        app.post("/api/list_my_reviews", String::new(), Some(&cookie))
            .await,
    )
    .await;
    assert_eq!(reviews[0]["summary"]["id"], review.as_str());
    assert_eq!(reviews[0]["role"], "peer", "{reviews}");
    // The account has no password: the password form refuses as for a wrong one.
    let password = app
        .sign_in("nia.evans@westshire.gov.uk", "any password at all")
        .await;
    assert_eq!(password.status(), 401);

    // Later sign-ins find the same person; a new invitation is accepted the same way.
    let mut later = Browser::new();
    assert_eq!(
        later
            .sign_in_as(&app, "nia.evans@westshire.gov.uk", "")
            .await,
        "/"
    );
    let again = who_am_i(&app, later.session(&app).as_deref()).await;
    assert_eq!(again["id"], me["id"]);
    assert!(
        app.audit_kinds()
            .await
            .contains(&"invitation_accepted".to_string()),
        "joining is in the audit trail"
    );

    // Erasing the account erases the organisation account linked to it.
    let id = peerwall_server::db::accounts::find_person_by_email(
        &app.state.db,
        "nia.evans@westshire.gov.uk",
    )
    .await
    .unwrap()
    .unwrap()
    .id;
    let person = app::accounts::PersonId(id);
    assert_eq!(
        peerwall_server::db::oidc::identities_of(&app.state.db, person)
            .await
            .unwrap()
            .len(),
        1
    );
    let held = peerwall_server::db::accounts::person_data(&app.state.db, person)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        held.organisation_accounts[0].email, "nia.evans@westshire.gov.uk",
        "the person's data export names the organisation account"
    );
    peerwall_server::db::accounts::erase(
        &app.state.db,
        person,
        "nia.evans@westshire.gov.uk",
        "Nia Evans",
    )
    .await
    .unwrap();
    assert!(
        peerwall_server::db::oidc::identities_of(&app.state.db, person)
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
    provider.stop().await;
}

#[tokio::test]
async fn an_existing_password_account_is_linked_only_after_its_password() {
    let (provider, app) = started("demo.peerwall.test").await;
    let mut browser = Browser::new();
    let to = browser.sign_in_as(&app, FACILITATOR, "Priya Shah").await;
    assert_eq!(to, "/sign-in?link=organisation");
    assert!(
        browser.session(&app).is_none(),
        "not signed in by the address alone"
    );
    let cookies = browser.cookie_header(&app.url("/"));
    let options = json(
        app.post("/api/sign_in_options", String::new(), Some(&cookies))
            .await,
    )
    .await;
    assert_eq!(options["organisation"], true);
    assert_eq!(options["linking"], FACILITATOR);

    // Someone else's password in this browser links nothing, and the offer goes.
    let lead = app
        .post(
            "/api/sign_in",
            form(&[("email", LEAD), ("password", DEMO_PASSWORD)]),
            Some(&cookies),
        )
        .await;
    assert_eq!(lead.status(), 200);
    let mut again = Browser::new();
    assert_eq!(
        again.sign_in_as(&app, FACILITATOR, "").await,
        "/sign-in?link=organisation",
        "still not linked"
    );

    // The facilitator's own password links it.
    let cookies = again.cookie_header(&app.url("/"));
    let own = app
        .post(
            "/api/sign_in",
            form(&[("email", FACILITATOR), ("password", DEMO_PASSWORD)]),
            Some(&cookies),
        )
        .await;
    assert_eq!(own.status(), 200);
    let cleared: Vec<_> = own
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_string())
        .collect();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("peerwall_oidc_link=;")),
        "{cleared:?}"
    );
    assert!(
        app.audit_kinds()
            .await
            .contains(&"organisation_account_linked".to_string())
    );

    // From now on the organisation alone signs the facilitator in.
    let mut next_day = Browser::new();
    assert_eq!(next_day.sign_in_as(&app, FACILITATOR, "").await, "/");
    let me = who_am_i(&app, next_day.session(&app).as_deref()).await;
    assert_eq!(me["email"], FACILITATOR);
    assert_eq!(me["name"], "Priya Shah", "the account keeps its own name");
    app.stop().await;
    provider.stop().await;
}

#[tokio::test]
async fn an_id_token_that_does_not_verify_signs_no_one_in() {
    let (provider, app) = started("demo.peerwall.test").await;
    // Linked first, so that any verified token would sign the facilitator straight in.
    let mut browser = Browser::new();
    browser.sign_in_as(&app, FACILITATOR, "").await;
    let cookies = browser.cookie_header(&app.url("/"));
    app.post(
        "/api/sign_in",
        form(&[("email", FACILITATOR), ("password", DEMO_PASSWORD)]),
        Some(&cookies),
    )
    .await;
    for (mode, problem) in [
        ("bad-signature", "refused"),
        ("wrong-audience", "refused"),
        ("expired", "refused"),
        ("wrong-nonce", "refused"),
        ("wrong-issuer", "refused"),
        ("unverified-email", "email-unverified"),
    ] {
        provider.spoil(mode).await;
        let mut browser = Browser::new();
        let to = browser.sign_in_as(&app, FACILITATOR, "").await;
        assert_eq!(to, format!("/sign-in?problem={problem}"), "{mode}");
        assert!(browser.session(&app).is_none(), "{mode}: no session");
    }
    provider.spoil("none").await;
    let mut browser = Browser::new();
    assert_eq!(
        browser.sign_in_as(&app, FACILITATOR, "").await,
        "/",
        "unspoilt, it works"
    );
    let refusals = app
        .audit_kinds()
        .await
        .into_iter()
        .filter(|kind| kind == "organisation_sign_in_refused")
        .count();
    assert_eq!(refusals, 6, "each refusal is in the audit trail");
    app.stop().await;
    provider.stop().await;
}

#[tokio::test]
async fn a_replayed_or_mismatched_callback_signs_no_one_in() {
    let (provider, app, review) = inviting(
        "owen.price@westshire.gov.uk",
        "demo.peerwall.test,westshire.gov.uk",
    )
    .await;
    let email = "owen.price@westshire.gov.uk";

    // A `state` this browser was not given.
    let mut browser = Browser::new();
    let callback = browser.via_provider(&app, email, "Owen Price").await;
    let mut url = reqwest::Url::parse(&callback).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let code = pairs.iter().find(|(k, _)| k == "code").unwrap().1.clone();
    url.query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", "a-state-never-issued");
    assert_eq!(
        browser.back_at(&app, url.as_str()).await,
        "/sign-in?problem=expired"
    );

    // The callback finished in a browser that did not start it (login CSRF): refused, and
    // the attempt is used up.
    let mut other = Browser::new();
    let callback = browser.via_provider(&app, email, "Owen Price").await;
    assert_eq!(
        other.back_at(&app, &callback).await,
        "/sign-in?problem=expired"
    );
    assert!(other.session(&app).is_none());
    assert_eq!(
        browser.back_at(&app, &callback).await,
        "/sign-in?problem=expired"
    );

    // The real thing, then the same callback again with the same cookies: refused.
    let mut browser = Browser::new();
    let callback = browser.via_provider(&app, email, "Owen Price").await;
    let binding = browser.cookie_header(&app.url("/"));
    assert_eq!(
        browser.back_at(&app, &callback).await,
        format!("/reviews/{review}")
    );
    assert!(browser.session(&app).is_some());
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&callback)
        .header(reqwest::header::COOKIE, binding)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.headers()["location"], "/sign-in?problem=expired");
    assert!(
        replay
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .is_none_or(|c| !c.to_str().unwrap().contains("peerwall_session="))
    );

    // The used code under a fresh attempt's `state`: the provider refuses the code.
    let used_code = reqwest::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let mut fresh = Browser::new();
    let fresh_callback = fresh.via_provider(&app, email, "Owen Price").await;
    let mut url = reqwest::Url::parse(&fresh_callback).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    url.query_pairs_mut()
        .clear()
        .append_pair("code", &used_code)
        .append_pair("state", &state);
    assert_eq!(
        fresh.back_at(&app, url.as_str()).await,
        "/sign-in?problem=refused"
    );
    assert!(fresh.session(&app).is_none());

    // Nothing at all, or the provider's refusal.
    assert_eq!(
        fresh.back_at(&app, &app.url("/auth/oidc/callback")).await,
        "/sign-in?problem=expired"
    );
    assert_eq!(
        fresh
            .back_at(
                &app,
                &app.url("/auth/oidc/callback?error=access_denied&state=x")
            )
            .await,
        "/sign-in?problem=cancelled"
    );
    app.stop().await;
    provider.stop().await;
}

#[tokio::test]
async fn a_domain_not_allowed_or_an_address_without_an_invitation_is_refused() {
    // Invited, but at a domain this site does not accept.
    let (provider, app, _) = inviting("sam@elsewhere.example", "demo.peerwall.test").await;
    let mut browser = Browser::new();
    assert_eq!(
        browser
            .sign_in_as(&app, "sam@elsewhere.example", "Sam")
            .await,
        "/sign-in?problem=domain"
    );
    assert!(browser.session(&app).is_none());
    // An allowed domain, but no account and no invitation (a new browser: the provider
    // remembers who signed in to it).
    let mut browser = Browser::new();
    assert_eq!(
        browser
            .sign_in_as(&app, "stranger@demo.peerwall.test", "")
            .await,
        "/sign-in?problem=no-account"
    );
    assert!(
        peerwall_server::db::accounts::find_person_by_email(
            &app.state.db,
            "stranger@demo.peerwall.test"
        )
        .await
        .unwrap()
        .is_none(),
        "no account is opened"
    );
    app.stop().await;
    provider.stop().await;
}

#[tokio::test]
async fn without_a_provider_the_sign_in_page_offers_only_the_password() {
    // Not configured.
    let app = TestApp::demo().await;
    let options = json(app.post("/api/sign_in_options", String::new(), None).await).await;
    assert_eq!(options["organisation"], false);
    let mut browser = Browser::new();
    assert_eq!(
        browser.back_at(&app, &app.url("/auth/oidc/start")).await,
        "/sign-in?problem=not-configured"
    );
    app.stop().await;

    // Configured, but the provider is down: a sentence, not an error page.
    let port = free_port();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let app = demo_with(&dead, port, "demo.peerwall.test").await;
    let options = json(app.post("/api/sign_in_options", String::new(), None).await).await;
    assert_eq!(options["organisation"], true);
    let mut browser = Browser::new();
    assert_eq!(
        browser.back_at(&app, &app.url("/auth/oidc/start")).await,
        "/sign-in?problem=unavailable"
    );
    // The session cookie a password sign-in sets is unaffected.
    let signed_in = app.sign_in(FACILITATOR, DEMO_PASSWORD).await;
    assert!(cookie_set_by(&signed_in).starts_with("peerwall_session="));
    app.stop().await;
}
