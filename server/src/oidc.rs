//! Sign-in with the organisation's account: OpenID Connect's authorization code flow with
//! PKCE, `state` and `nonce` (the `openidconnect` crate), for Microsoft Entra ID or any
//! compliant provider (`--oidc-issuer`, discovered from its `/.well-known/openid-configuration`).
//!
//! `GET /auth/oidc/start` stores the attempt (the state's hash, the nonce, the PKCE verifier),
//! binds it to this browser with a short cookie and sends the browser to the provider.
//! `GET /auth/oidc/callback` takes the attempt once, checks that this browser started it,
//! exchanges the code with the verifier, verifies the ID token (its signature against the
//! provider's published keys, issuer, audience, expiry, issue time and nonce) and the email
//! address (verified by the provider, at an allowed domain), and then:
//! - an organisation account already linked signs its person in;
//! - an address with invitations waiting opens an account (without a password) and joins each
//!   review; later sign-ins accept new invitations to the address the same way;
//! - an address that is an existing password account is linked only once that person signs in
//!   with the password, in the same browser (`db::oidc::offer_link`, `Accounts::link_pending`);
//! - anything else goes back to the sign-in page, which says why in a sentence.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::accounts::{
    Caller, MAX_NAME, OrganisationSignInProblem as Problem, PersonId, normalise_email,
};
use app::membership::Role;
use app::review::ReviewId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse,
};

use crate::accounts::{Accounts, LINK_COOKIE};
use crate::audit::{AuditEntry, AuditTrail};
use crate::auth::SessionPolicy;
use crate::auth::session::{hash_token, new_token};
use crate::db::{self, Database};
use crate::membership::Memberships;

pub mod handlers;
mod settings;
pub use settings::{AllowedDomains, OidcSettings, OidcSetupError};

/// The cookie that binds a sign-in under way to the browser that started it.
const ATTEMPT_COOKIE: &str = "peerwall_oidc";
/// How long a person has at their organisation's page.
const ATTEMPT_LASTS: Duration = Duration::from_secs(10 * 60);
/// How long an organisation account waits for the password that links it.
const LINK_LASTS: Duration = Duration::from_secs(15 * 60);
/// How long the provider's metadata and keys are used before they are fetched again.
const METADATA_LASTS: Duration = Duration::from_secs(60 * 60);
/// Keys are fetched again on a signature that does not verify, at most this often.
const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(60);
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Where the browser goes next, and the cookies it takes with it.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub location: String,
    pub set_cookies: Vec<String>,
}

/// What the provider sent the browser back with.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// Sign-in with the organisation's account, when it is configured.
#[derive(Clone, Default)]
pub struct Oidc {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    settings: OidcSettings,
    http: openidconnect::reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(Instant, CoreProviderMetadata)>>,
    db: Database,
    accounts: Arc<Accounts>,
    membership: Arc<Memberships>,
    audit: AuditTrail,
    sessions: SessionPolicy,
}

/// A sign-in that did not finish: what the person is told, and what the log and the audit
/// trail keep.
struct Refusal {
    problem: Problem,
    reason: String,
}

fn refusal(problem: Problem, reason: impl Into<String>) -> Refusal {
    Refusal {
        problem,
        reason: reason.into(),
    }
}

/// How a callback that went well ends.
enum Finished {
    SignedIn {
        set_cookie: String,
        to: String,
    },
    /// An existing password account: the organisation account waits for its password.
    Link {
        set_cookie: String,
    },
}

/// The services a sign-in uses.
pub struct OidcServices {
    pub db: Database,
    pub accounts: Arc<Accounts>,
    pub membership: Arc<Memberships>,
    pub audit: AuditTrail,
    pub sessions: SessionPolicy,
}

impl Oidc {
    pub fn new(
        settings: Option<OidcSettings>,
        services: OidcServices,
    ) -> Result<Self, OidcSetupError> {
        let Some(settings) = settings else {
            return Ok(Self::default());
        };
        // No redirects: a provider's answer is read as it is (the crate's advice against SSRF).
        let http = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|error| OidcSetupError::Client(error.to_string()))?;
        Ok(Self {
            inner: Some(Arc::new(Inner {
                settings,
                http,
                metadata: tokio::sync::Mutex::default(),
                db: services.db,
                accounts: services.accounts,
                membership: services.membership,
                audit: services.audit,
                sessions: services.sessions,
            })),
        })
    }

    pub fn is_on(&self) -> bool {
        self.inner.is_some()
    }

    /// Starts a sign-in: to the provider, with this browser bound to the attempt.
    pub async fn start(&self, next: Option<&str>) -> Redirect {
        let Some(inner) = &self.inner else {
            return to_sign_in(Problem::NotConfigured, Vec::new());
        };
        match inner.start(next).await {
            Ok(redirect) => redirect,
            Err(refused) => {
                inner.refused(&refused, None).await;
                to_sign_in(refused.problem, Vec::new())
            }
        }
    }

    /// Finishes a sign-in with what the provider sent back; `cookies` is the request's
    /// `Cookie` header.
    pub async fn finish(
        &self,
        callback: Callback,
        cookies: &str,
        address: Option<&str>,
    ) -> Redirect {
        let Some(inner) = &self.inner else {
            return to_sign_in(Problem::NotConfigured, Vec::new());
        };
        let clear = inner.sessions.clear_short_cookie(ATTEMPT_COOKIE);
        match inner.finish(callback, cookies, address).await {
            Ok(Finished::SignedIn { set_cookie, to }) => Redirect {
                location: to,
                set_cookies: vec![clear, set_cookie],
            },
            Ok(Finished::Link { set_cookie }) => Redirect {
                location: "/sign-in?link=organisation".into(),
                set_cookies: vec![clear, set_cookie],
            },
            Err(refused) => {
                inner.refused(&refused, address).await;
                to_sign_in(refused.problem, vec![clear])
            }
        }
    }
}

fn to_sign_in(problem: Problem, set_cookies: Vec<String>) -> Redirect {
    Redirect {
        location: format!("/sign-in?problem={}", problem.key()),
        set_cookies,
    }
}

/// `next` if it is a path on this site, else the home page: never another site.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && path.len() <= 512
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".into(),
    }
}

/// An ID token issued in the last hour (and not in the future, a few minutes of clock apart).
fn issued_recently(issued: DateTime<Utc>) -> Result<(), String> {
    let now = Utc::now();
    if issued > now + chrono::Duration::minutes(5) {
        Err(format!("issued in the future ({issued})"))
    } else if issued < now - chrono::Duration::hours(1) {
        Err(format!("issued over an hour ago ({issued})"))
    } else {
        Ok(())
    }
}

/// Microsoft Entra ID does not send `email_verified`; it says with the optional claim
/// `xms_edov` that the address's domain is verified by the tenant that owns it. Read from a
/// token whose signature is already verified.
fn entra_domain_verified(id_token: &CoreIdToken) -> bool {
    let compact = id_token.to_string();
    compact
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|claims| {
            matches!(claims.get("xms_edov"), Some(serde_json::Value::Bool(true)))
                || claims.get("xms_edov").and_then(|v| v.as_str()) == Some("1")
        })
}

impl Inner {
    /// The provider's metadata and keys: cached for an hour; `refresh` fetches them again
    /// unless they were fetched in the last minute. Also says whether they were just fetched.
    async fn metadata(&self, refresh: bool) -> Result<(CoreProviderMetadata, bool), Refusal> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, metadata)) = cached.as_ref() {
            let age = at.elapsed();
            if age < METADATA_LASTS && (!refresh || age < REFETCH_AT_MOST_EVERY) {
                return Ok((metadata.clone(), false));
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|error| refusal(Problem::Unavailable, format!("issuer: {error}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|error| {
                refusal(
                    Problem::Unavailable,
                    format!("the provider's discovery failed: {error}"),
                )
            })?;
        *cached = Some((Instant::now(), metadata.clone()));
        Ok((metadata, true))
    }

    fn client(&self, metadata: CoreProviderMetadata) -> Result<Client, Refusal> {
        let redirect = RedirectUrl::new(self.settings.redirect.clone())
            .map_err(|error| refusal(Problem::Unavailable, format!("redirect: {error}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    async fn start(&self, next: Option<&str>) -> Result<Redirect, Refusal> {
        let (metadata, _) = self.metadata(false).await?;
        let client = self.client(metadata)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let (binding, binding_hash) = new_token();
        let expires_at = Utc::now() + chrono::Duration::from_std(ATTEMPT_LASTS).unwrap_or_default();
        db::oidc::begin(
            &self.db,
            hash_token(state.secret()),
            db::oidc::Attempt {
                binding_hash,
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                next: local_path(next),
                expires_at,
            },
        )
        .await
        .map_err(|error| refusal(Problem::Unavailable, format!("database: {error}")))?;
        Ok(Redirect {
            location: url.to_string(),
            set_cookies: vec![self.sessions.set_short_cookie(
                ATTEMPT_COOKIE,
                &binding,
                ATTEMPT_LASTS,
            )],
        })
    }

    async fn finish(
        &self,
        callback: Callback,
        cookies: &str,
        address: Option<&str>,
    ) -> Result<Finished, Refusal> {
        if let Some(error) = callback.error.as_deref() {
            let problem = if error == "access_denied" {
                Problem::Cancelled
            } else {
                Problem::Refused
            };
            return Err(refusal(
                problem,
                format!(
                    "the provider answered {}",
                    error.chars().take(64).collect::<String>()
                ),
            ));
        }
        let (Some(code), Some(state)) = (callback.code, callback.state) else {
            return Err(refusal(
                Problem::Expired,
                "no code or state in the callback",
            ));
        };
        if code.len() > 4096 || state.len() > 512 {
            return Err(refusal(Problem::Expired, "an oversized code or state"));
        }
        // One use: a replayed callback finds nothing.
        let attempt = db::oidc::take(&self.db, &hash_token(&state))
            .await
            .map_err(|error| refusal(Problem::Unavailable, format!("database: {error}")))?
            .ok_or_else(|| {
                refusal(
                    Problem::Expired,
                    "a state that names no sign-in under way (used already, or never issued)",
                )
            })?;
        let bound = self
            .sessions
            .short_cookie_from(ATTEMPT_COOKIE, cookies)
            .is_some_and(|binding| hash_token(&binding) == attempt.binding_hash);
        if !bound {
            return Err(refusal(
                Problem::Expired,
                "the callback came to a browser that did not start the sign-in",
            ));
        }
        if attempt.expires_at <= Utc::now() {
            return Err(refusal(Problem::Expired, "the sign-in took too long"));
        }
        let (metadata, fresh) = self.metadata(false).await?;
        let client = self.client(metadata)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|error| refusal(Problem::Unavailable, format!("token endpoint: {error}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|error| match error {
                RequestTokenError::ServerResponse(response) => refusal(
                    Problem::Refused,
                    format!("the provider refused the code: {}", response.error()),
                ),
                RequestTokenError::Request(error) => refusal(
                    Problem::Unavailable,
                    format!("the token endpoint could not be reached: {error}"),
                ),
                other => refusal(
                    Problem::Refused,
                    format!("the token endpoint's answer was unreadable: {other}"),
                ),
            })?;
        let id_token = token
            .id_token()
            .ok_or_else(|| refusal(Problem::Refused, "the token response had no ID token"))?;
        let nonce = Nonce::new(attempt.nonce);
        let claims = match verify(&client, id_token, &nonce) {
            // Keys rotate: a signature that does not verify with the keys held fetches them
            // again (at most once a minute) before it is refused.
            Err(ClaimsVerificationError::SignatureVerification(_)) if !fresh => {
                let (metadata, _) = self.metadata(true).await?;
                verify(&self.client(metadata)?, id_token, &nonce)
            }
            other => other,
        }
        .map_err(|error| {
            refusal(
                Problem::Refused,
                format!("the ID token did not verify: {error}"),
            )
        })?;
        let email = verified_email(&claims, id_token)?;
        if !self.settings.allowed_domains.allows(&email) {
            let domain = email.rsplit('@').next().unwrap_or_default();
            return Err(refusal(
                Problem::DomainNotAllowed,
                format!("an address at {domain}, not an allowed domain"),
            ));
        }
        let identity = db::oidc::Identity {
            issuer: claims.issuer().as_str().to_string(),
            subject: claims.subject().as_str().to_string(),
            email,
        };
        let name = claims
            .name()
            .and_then(|name| name.get(None))
            .map(|name| name.as_str().to_string());
        self.sign_in(identity, name, attempt.next, address).await
    }

    /// Signs in the person the verified organisation account is, opening their account from
    /// their invitations the first time, or offers to link it to their password account.
    async fn sign_in(
        &self,
        identity: db::oidc::Identity,
        name: Option<String>,
        next: String,
        address: Option<&str>,
    ) -> Result<Finished, Refusal> {
        let database =
            |error: db::DbError| refusal(Problem::Unavailable, format!("database: {error}"));
        let linked = db::oidc::person_of(
            &self.db,
            &identity.issuer,
            &identity.subject,
            &identity.email,
        )
        .await
        .map_err(database)?;
        let person = if let Some(person) = linked {
            db::accounts::find_person(&self.db, person)
                .await
                .map_err(database)?
                .ok_or_else(|| refusal(Problem::Expired, "a linked account that is gone"))?
        } else {
            if let Some(existing) = db::accounts::find_person_by_email(&self.db, &identity.email)
                .await
                .map_err(database)?
            {
                return self.offer_link(PersonId(existing.id), identity).await;
            }
            if !db::oidc::invited(&self.db, &identity.email)
                .await
                .map_err(database)?
            {
                let domain = identity.email.rsplit('@').next().unwrap_or_default();
                return Err(refusal(
                    Problem::NoAccount,
                    format!("no account or invitation for an address at {domain}"),
                ));
            }
            self.open_account(&identity, name).await?
        };
        let mut caller = person.caller();
        let joined = self.accept_invitations(&mut caller, address).await?;
        let to = match joined {
            Some(review) => format!("/reviews/{}", review.0),
            None => next,
        };
        let signed_in = self
            .accounts
            .open_session_noting(
                caller,
                address,
                format!("with an organisation account at {}", identity.issuer),
            )
            .await
            .map_err(|error| refusal(Problem::Unavailable, error.message))?;
        Ok(Finished::SignedIn {
            set_cookie: signed_in.set_cookie,
            to,
        })
    }

    /// An account without a password for a verified address with invitations waiting, linked
    /// to the organisation account.
    async fn open_account(
        &self,
        identity: &db::oidc::Identity,
        name: Option<String>,
    ) -> Result<db::accounts::PersonRow, Refusal> {
        let database =
            |error: db::DbError| refusal(Problem::Unavailable, format!("database: {error}"));
        let name = person_name(name.as_deref(), &identity.email);
        let id = db::accounts::create_person(
            &self.db,
            db::accounts::NewPerson {
                email: identity.email.clone(),
                name,
                password_hash: String::new(),
                is_admin: false,
                may_create_reviews: false,
            },
        )
        .await
        .map_err(database)?
        // Opened meanwhile by another request: starting again finds it.
        .ok_or_else(|| refusal(Problem::Expired, "the account was opened meanwhile"))?;
        db::oidc::link(&self.db, id, identity.clone())
            .await
            .map_err(database)?;
        db::accounts::find_person(&self.db, id)
            .await
            .map_err(database)?
            .ok_or_else(|| refusal(Problem::Unavailable, "the new account is missing"))
    }

    /// Accepts every invitation waiting for the caller's (verified) address; the first review
    /// joined, if any.
    async fn accept_invitations(
        &self,
        caller: &mut Caller,
        address: Option<&str>,
    ) -> Result<Option<ReviewId>, Refusal> {
        let unavailable = |error: String| refusal(Problem::Unavailable, error);
        let invitations = db::oidc::claim_invitations(&self.db, &caller.email)
            .await
            .map_err(|error| unavailable(format!("database: {error}")))?;
        let mut first = None;
        for invitation in invitations {
            let Some(role) = Role::parse(&invitation.role) else {
                continue;
            };
            let review = invitation.review.map(ReviewId);
            let detail = if let Some(review) = review {
                self.membership
                    .join(review, caller.id, role)
                    .await
                    .map_err(|error| unavailable(error.message))?;
                first = first.or(Some(review));
                format!("as {}, with their organisation account", role.as_str())
            } else {
                db::accounts::allow_creating_reviews(&self.db, caller.id)
                    .await
                    .map_err(|error| unavailable(format!("database: {error}")))?;
                caller.may_create_reviews = true;
                "facilitator account, with their organisation account".to_string()
            };
            self.audit
                .note(AuditEntry {
                    kind: "invitation_accepted",
                    actor: Some(caller.id),
                    review,
                    detail,
                    address: address.map(str::to_string),
                })
                .await;
        }
        Ok(first)
    }

    /// The organisation account waits, in this browser, for `person`'s password.
    async fn offer_link(
        &self,
        person: PersonId,
        identity: db::oidc::Identity,
    ) -> Result<Finished, Refusal> {
        let (token, hash) = new_token();
        let expires_at = Utc::now() + chrono::Duration::from_std(LINK_LASTS).unwrap_or_default();
        db::oidc::offer_link(&self.db, hash, person, identity, expires_at)
            .await
            .map_err(|error| refusal(Problem::Unavailable, format!("database: {error}")))?;
        Ok(Finished::Link {
            set_cookie: self
                .sessions
                .set_short_cookie(LINK_COOKIE, &token, LINK_LASTS),
        })
    }

    /// Logs a sign-in that did not finish and notes it in the audit trail.
    async fn refused(&self, refused: &Refusal, address: Option<&str>) {
        tracing::warn!(
            problem = refused.problem.key(),
            reason = %refused.reason,
            "organisation sign-in refused"
        );
        self.audit
            .note(AuditEntry {
                kind: "organisation_sign_in_refused",
                actor: None,
                review: None,
                detail: refused.reason.clone(),
                address: address.map(str::to_string),
            })
            .await;
    }
}

fn verify(
    client: &Client,
    id_token: &CoreIdToken,
    nonce: &Nonce,
) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
    let verifier = client
        .id_token_verifier()
        .set_issue_time_verifier_fn(issued_recently);
    id_token.claims(&verifier, nonce).cloned()
}

/// The address the provider verified, normalised.
fn verified_email(claims: &CoreIdTokenClaims, id_token: &CoreIdToken) -> Result<String, Refusal> {
    let email = claims.email().ok_or_else(|| {
        refusal(
            Problem::EmailUnverified,
            "the ID token had no email address",
        )
    })?;
    if claims.email_verified() != Some(true) && !entra_domain_verified(id_token) {
        return Err(refusal(
            Problem::EmailUnverified,
            "the provider did not say the email address is verified",
        ));
    }
    normalise_email(email.as_str())
        .map_err(|_| refusal(Problem::EmailUnverified, "an unusable email address"))
}

/// The name the organisation gave, or one made from the address ("jo.bloggs@…" is "Jo Bloggs").
fn person_name(given: Option<&str>, email: &str) -> String {
    let given = given.map(str::trim).filter(|name| !name.is_empty());
    let name = match given {
        Some(name) => name.to_string(),
        None => email
            .split('@')
            .next()
            .unwrap_or(email)
            .split(['.', '_', '-'])
            .filter(|part| !part.is_empty())
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" "),
    };
    let name: String = name.chars().take(MAX_NAME).collect();
    if name.is_empty() {
        email.chars().take(MAX_NAME).collect()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        assert_eq!(local_path(Some("/reviews/1/wall")), "/reviews/1/wall");
        for elsewhere in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "reviews",
            "/a\nb",
        ] {
            assert_eq!(local_path(Some(elsewhere)), "/", "{elsewhere:?}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn a_token_issued_long_ago_or_in_the_future_is_refused() {
        let now = Utc::now();
        assert!(issued_recently(now).is_ok());
        assert!(issued_recently(now - chrono::Duration::minutes(30)).is_ok());
        assert!(issued_recently(now - chrono::Duration::hours(2)).is_err());
        assert!(issued_recently(now + chrono::Duration::minutes(30)).is_err());
    }

    #[test]
    fn a_name_is_taken_from_the_provider_or_made_from_the_address() {
        assert_eq!(person_name(Some(" Jo Bloggs "), "x@y.uk"), "Jo Bloggs");
        assert_eq!(
            person_name(None, "amara.okafor-smith@eastbrook.gov.uk"),
            "Amara Okafor Smith"
        );
        assert_eq!(person_name(Some(""), "jo@y.uk"), "Jo");
        assert_eq!(
            person_name(Some(&"x".repeat(500)), "jo@y.uk").len(),
            MAX_NAME
        );
    }
}
