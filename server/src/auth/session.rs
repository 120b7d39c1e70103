//! Server-side sessions carried by an HttpOnly, SameSite=Lax cookie. The cookie holds a random
//! token; the database holds only its SHA-256, with the times that decide idle and absolute expiry.

use std::net::SocketAddr;
use std::time::Duration;

use app::accounts::{Caller, ClientAddress, PersonId, RequestSession};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{self, Database};

/// How sessions live and how their cookie is written.
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub absolute: Duration,
    /// Whether the site is served over TLS: the cookie is then `Secure` and `__Host-` prefixed.
    pub secure: bool,
}

/// How often a busy session's `last_seen` is written, to spare the database a write per request.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

impl SessionPolicy {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-peerwall_session"
        } else {
            "peerwall_session"
        }
    }

    /// The `Set-Cookie` value that carries a new session's token.
    pub fn set_cookie(&self, token: &str) -> String {
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            self.cookie_name(),
            self.absolute.as_secs(),
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// The `Set-Cookie` value that removes the cookie.
    pub fn clear_cookie(&self) -> String {
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            self.cookie_name(),
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// Reads this policy's cookie from a `Cookie` header.
    pub fn token_from(&self, cookie_header: &str) -> Option<String> {
        cookie_value(cookie_header, self.cookie_name())
    }

    /// The name of one of sign-in's short-lived cookies (`base`), `__Host-` prefixed over TLS.
    pub fn short_cookie_name(&self, base: &str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_string()
        }
    }

    /// The `Set-Cookie` value for a short-lived cookie, HttpOnly and SameSite=Lax (so that it
    /// comes back with the organisation's redirect, a top-level navigation).
    pub fn set_short_cookie(&self, base: &str, value: &str, lasts: Duration) -> String {
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            self.short_cookie_name(base),
            lasts.as_secs(),
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// The `Set-Cookie` value that removes a short-lived cookie.
    pub fn clear_short_cookie(&self, base: &str) -> String {
        self.set_short_cookie(base, "", Duration::ZERO)
    }

    /// Reads a short-lived cookie from a `Cookie` header.
    pub fn short_cookie_from(&self, base: &str, cookie_header: &str) -> Option<String> {
        cookie_value(cookie_header, &self.short_cookie_name(base))
    }
}

/// The value of the cookie `wanted` in a `Cookie` header, if it has one.
fn cookie_value(cookie_header: &str, wanted: &str) -> Option<String> {
    cookie_header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == wanted && !value.is_empty()).then(|| value.to_string())
    })
}

/// A new random session token (256 bits) and the hash that is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// The stored key of a token.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Looks up a session by its token: `None` when unknown, revoked or expired.
pub async fn resolve(
    db: &Database,
    policy: &SessionPolicy,
    token: &str,
) -> Result<Option<RequestSession>, db::DbError> {
    Ok(resolve_key(db, policy, &hash_token(token))
        .await?
        .map(|active| active.session))
}

/// A session in force, and when it ends however busy it is.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub session: RequestSession,
    pub ends_at: chrono::DateTime<Utc>,
}

/// Looks up a session by its stored key (the token's hash): `None` when unknown, revoked or
/// expired. Using it counts as using the session (its idle time starts again).
pub async fn resolve_key(
    db: &Database,
    policy: &SessionPolicy,
    key: &str,
) -> Result<Option<ActiveSession>, db::DbError> {
    let Some(row) = db::accounts::find_session(db, key).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let idle = chrono::Duration::from_std(policy.idle).unwrap_or(chrono::Duration::MAX);
    let absolute = chrono::Duration::from_std(policy.absolute).unwrap_or(chrono::Duration::MAX);
    if row.revoked || now - row.last_seen > idle || now - row.created_at > absolute {
        return Ok(None);
    }
    if now - row.last_seen > TOUCH_EVERY {
        db::accounts::touch_session(db, key, now).await?;
    }
    Ok(Some(ActiveSession {
        session: RequestSession {
            caller: Caller {
                id: PersonId(row.person_id),
                name: row.name,
                email: row.email,
                is_admin: row.is_admin,
                may_create_reviews: row.may_create_reviews,
                organisation: row.organisation.map(app::organisations::OrganisationId),
            },
            key: key.to_string(),
        },
        ends_at: row
            .created_at
            .checked_add_signed(absolute)
            .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC),
    }))
}

/// Who is on the other end: the connection's own address, unless it is one of the `trusted`
/// proxies, in which case the nearest address in `X-Forwarded-For` (its values in order) that is
/// not a trusted proxy. Only what the trusted proxies appended is believed: anything a client
/// put in the header itself lies further left and is never reached.
pub fn client_address(
    peer: std::net::IpAddr,
    forwarded: &[&str],
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops = forwarded.iter().flat_map(|value| value.split(','));
    let mut client = peer;
    for hop in hops.collect::<Vec<_>>().into_iter().rev() {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(address) if trusted.contains(&address) => client = address,
            Ok(address) => return address,
            // Unreadable: stop at the last address vouched for.
            Err(_) => return client,
        }
    }
    client
}

/// Middleware: puts the request's session (if valid) and client address into its extensions,
/// where pages and server functions find them.
pub async fn attach_session(
    State(state): State<crate::AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(address)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        let client = client_address(address.ip(), &forwarded, &state.trusted_proxies);
        request
            .extensions_mut()
            .insert(ClientAddress(client.to_string()));
    }
    let token = request
        .headers()
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|header| state.sessions.token_from(header));
    if let Some(token) = token {
        match state.accounts.session(&token).await {
            Ok(Some(session)) => {
                request.extensions_mut().insert(session);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "could not check a session; treating it as signed out");
            }
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(secure: bool) -> SessionPolicy {
        SessionPolicy {
            idle: Duration::from_secs(1800),
            absolute: Duration::from_secs(43_200),
            secure,
        }
    }

    #[test]
    fn the_forwarded_client_is_believed_only_from_a_trusted_proxy() {
        let ip = |text: &str| text.parse::<std::net::IpAddr>().unwrap();
        let proxy = [ip("10.0.0.2")];
        // Not a trusted proxy: the header is ignored.
        assert_eq!(
            client_address(ip("198.51.100.7"), &["203.0.113.5"], &proxy),
            ip("198.51.100.7")
        );
        // The trusted proxy appended the client; what the client wrote itself is further left.
        assert_eq!(
            client_address(ip("10.0.0.2"), &["1.2.3.4, 203.0.113.5"], &proxy),
            ip("203.0.113.5")
        );
        // Two trusted hops; several header lines read in order.
        let proxies = [ip("10.0.0.2"), ip("10.0.0.3")];
        assert_eq!(
            client_address(ip("10.0.0.2"), &["203.0.113.9", "10.0.0.3"], &proxies),
            ip("203.0.113.9")
        );
        // Nothing readable: the proxy itself.
        assert_eq!(
            client_address(ip("10.0.0.2"), &["junk"], &proxy),
            ip("10.0.0.2")
        );
        assert_eq!(client_address(ip("10.0.0.2"), &[], &proxy), ip("10.0.0.2"));
    }

    #[test]
    fn cookies_are_http_only_and_same_site_lax() {
        let cookie = policy(false).set_cookie("abc");
        assert_eq!(
            cookie,
            "peerwall_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200"
        );
        let secure = policy(true).set_cookie("abc");
        assert!(secure.starts_with("__Host-peerwall_session=abc; Path=/;"));
        assert!(secure.ends_with("; Secure"));
        assert!(policy(false).clear_cookie().contains("Max-Age=0"));
        let short =
            policy(true).set_short_cookie("peerwall_oidc", "b1nd", Duration::from_secs(600));
        assert_eq!(
            short,
            "__Host-peerwall_oidc=b1nd; Path=/; HttpOnly; SameSite=Lax; Max-Age=600; Secure"
        );
        assert_eq!(
            policy(true).short_cookie_from("peerwall_oidc", "__Host-peerwall_oidc=b1nd; x=1"),
            Some("b1nd".into())
        );
        assert_eq!(
            policy(true).short_cookie_from("peerwall_oidc", "peerwall_oidc=b1nd"),
            None,
            "over TLS only the __Host- cookie counts"
        );
        assert!(
            policy(false)
                .clear_short_cookie("peerwall_oidc")
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let policy = policy(false);
        assert_eq!(
            policy.token_from("theme=dark; peerwall_session=t0k3n; other=1"),
            Some("t0k3n".into())
        );
        assert_eq!(policy.token_from("peerwall_session="), None);
        assert_eq!(policy.token_from("xpeerwall_session=abc"), None);
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (token, hash) = new_token();
        let (other, _) = new_token();
        assert_ne!(token, other);
        assert_eq!(token.len(), 43);
        assert_eq!(hash, hash_token(&token));
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&token));
    }
}
