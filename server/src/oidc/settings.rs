//! The options that turn on sign-in with the organisation's account, checked at start-up.

/// `--oidc-issuer` and the options that go with it.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The provider's issuer, such as `https://login.microsoftonline.com/<tenant>/v2.0`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub allowed_domains: AllowedDomains,
    /// Where the provider sends the browser back: `<public URL>/auth/oidc/callback`.
    pub redirect: String,
}

/// The email domains whose people may sign in with their organisation's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedDomains {
    /// `*`: any (an invitation or an account is still needed).
    Any,
    /// These domains exactly (`eastbrook.gov.uk` does not allow `mail.eastbrook.gov.uk`).
    Only(Vec<String>),
}

#[derive(Debug, thiserror::Error)]
pub enum OidcSetupError {
    #[error(
        "--oidc-issuer is not an https:// address ({0}); http:// is accepted only on this machine (127.0.0.1 or localhost)"
    )]
    Issuer(String),
    #[error(
        "--oidc-allowed-domains must name the email domains whose people may sign in, such as eastbrook.gov.uk,local.gov.uk (or * for any): {0}"
    )]
    Domains(String),
    #[error("--oidc-client-id must not be empty")]
    ClientId,
    #[error("the HTTP client for --oidc-issuer could not be made: {0}")]
    Client(String),
}

impl OidcSettings {
    /// Checks the options; `site` is the address people use (`--public-url`).
    pub fn new(
        issuer: &str,
        client_id: &str,
        client_secret: Option<&str>,
        domains: &[String],
        site: &str,
    ) -> Result<Self, OidcSetupError> {
        let parsed =
            url::Url::parse(issuer).map_err(|error| OidcSetupError::Issuer(error.to_string()))?;
        let local = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if !(parsed.scheme() == "https" || parsed.scheme() == "http" && local) {
            return Err(OidcSetupError::Issuer(issuer.to_string()));
        }
        if client_id.trim().is_empty() {
            return Err(OidcSetupError::ClientId);
        }
        Ok(Self {
            issuer: issuer.to_string(),
            client_id: client_id.trim().to_string(),
            client_secret: client_secret
                .map(str::to_string)
                .filter(|secret| !secret.is_empty()),
            allowed_domains: AllowedDomains::parse(domains)?,
            redirect: format!("{}/auth/oidc/callback", site.trim_end_matches('/')),
        })
    }
}

impl AllowedDomains {
    pub fn parse(values: &[String]) -> Result<Self, OidcSetupError> {
        let domains: Vec<String> = values
            .iter()
            .map(|value| value.trim().trim_start_matches('@').to_lowercase())
            .filter(|value| !value.is_empty())
            .collect();
        if domains.iter().any(|domain| domain == "*") {
            return Ok(Self::Any);
        }
        if domains.is_empty() {
            return Err(OidcSetupError::Domains("none given".into()));
        }
        if let Some(bad) = domains.iter().find(|domain| {
            !domain.contains('.')
                || domain.starts_with('.')
                || domain.ends_with('.')
                || !domain
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        }) {
            return Err(OidcSetupError::Domains(bad.clone()));
        }
        Ok(Self::Only(domains))
    }

    /// Whether `email` (normalised, lower case) is at an allowed domain.
    pub fn allows(&self, email: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Only(domains) => email
                .rsplit_once('@')
                .is_some_and(|(_, domain)| domains.iter().any(|allowed| allowed == domain)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains(values: &[&str]) -> Result<AllowedDomains, OidcSetupError> {
        AllowedDomains::parse(&values.iter().map(ToString::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn allowed_domains_match_exactly() {
        let allowed = domains(&["Eastbrook.gov.uk", " @local.gov.uk"]).unwrap();
        assert!(allowed.allows("jo@eastbrook.gov.uk"));
        assert!(allowed.allows("jo@local.gov.uk"));
        assert!(!allowed.allows("jo@mail.eastbrook.gov.uk"));
        assert!(!allowed.allows("jo@eastbrook.gov.uk.evil.example"));
        assert!(!allowed.allows("eastbrook.gov.uk"));
        assert_eq!(domains(&["*"]).unwrap(), AllowedDomains::Any);
        assert!(domains(&[]).is_err());
        assert!(domains(&["gov"]).is_err());
        assert!(domains(&["a b.uk"]).is_err());
    }

    #[test]
    fn the_issuer_is_https_except_on_this_machine() {
        let ok = |issuer: &str| {
            OidcSettings::new(
                issuer,
                "peerwall",
                None,
                &["x.uk".into()],
                "https://pw.example/",
            )
        };
        let settings = ok("https://login.microsoftonline.com/t/v2.0").unwrap();
        assert_eq!(settings.redirect, "https://pw.example/auth/oidc/callback");
        assert!(ok("http://127.0.0.1:3001").is_ok());
        assert!(ok("http://idp.example").is_err());
        assert!(ok("not a url").is_err());
        assert!(OidcSettings::new("https://i.example", " ", None, &["x.uk".into()], "").is_err());
    }
}
