//! Sign-in with the organisation's account (OpenID Connect): what the sign-in page offers, and
//! why a sign-in that went to the organisation did not finish.

use leptos::prelude::*;

use crate::error::AppError;

/// Whether the site offers sign-in with the organisation's account (`--oidc-issuer`), as the
/// server was configured: put in every request's context.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrganisationSignIn {
    pub enabled: bool,
}

/// Where the sign-in page's button goes: the server starts the sign-in there.
pub const ORGANISATION_SIGN_IN_PATH: &str = "/auth/oidc/start";

/// What the sign-in page offers this browser.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInChoices {
    /// "Sign in with your organisation" is offered.
    pub organisation: bool,
    /// The address of an existing account that an organisation account waits (in this
    /// browser) to be linked to, once its password is given.
    pub linking: Option<String>,
}

/// Why a sign-in with the organisation's account did not finish; the server sends the browser
/// to `/sign-in?problem=<key>`, and the page says it in words (nothing from the address is
/// shown as it was written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganisationSignInProblem {
    /// The person stopped at their organisation's page.
    Cancelled,
    /// The sign-in was started too long ago, in another browser, or its answer was used already.
    Expired,
    /// The answer could not be verified (signature, audience, time, nonce, code).
    Refused,
    /// The organisation did not confirm the email address.
    EmailUnverified,
    /// The email address is at a domain this site does not accept.
    DomainNotAllowed,
    /// No account and no invitation for the address.
    NoAccount,
    /// The organisation's sign-in service could not be reached.
    Unavailable,
    /// The site does not offer it.
    NotConfigured,
}

impl OrganisationSignInProblem {
    pub const ALL: [Self; 8] = [
        Self::Cancelled,
        Self::Expired,
        Self::Refused,
        Self::EmailUnverified,
        Self::DomainNotAllowed,
        Self::NoAccount,
        Self::Unavailable,
        Self::NotConfigured,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Refused => "refused",
            Self::EmailUnverified => "email-unverified",
            Self::DomainNotAllowed => "domain",
            Self::NoAccount => "no-account",
            Self::Unavailable => "unavailable",
            Self::NotConfigured => "not-configured",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|problem| problem.key() == key)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Cancelled => {
                "You did not finish signing in with your organisation. Try again, or sign in with a password."
            }
            Self::Expired => {
                "That sign-in has expired or was already used. Start again with “Sign in with your organisation”."
            }
            Self::Refused => {
                "Your organisation's answer could not be verified, so you are not signed in. Try again; if it happens again, tell your facilitator."
            }
            Self::EmailUnverified => {
                "Your organisation did not confirm your email address, so it cannot sign you in here. Ask your IT team, or sign in with a password."
            }
            Self::DomainNotAllowed => {
                "Accounts at your email address's organisation cannot sign in here. Use your council's or the LGA's account, or a password."
            }
            Self::NoAccount => {
                "There is no Peerwall account or invitation for your organisation's email address. Accounts are by invitation: ask your review's facilitator to invite that address."
            }
            Self::Unavailable => {
                "Your organisation's sign-in service could not be reached. Try again in a minute, or sign in with a password."
            }
            Self::NotConfigured => {
                "This site does not offer sign-in with an organisation's account."
            }
        }
    }
}

/// What the sign-in page offers: public, like the page.
#[server(prefix = "/api", endpoint = "sign_in_options")]
pub async fn sign_in_options() -> Result<SignInChoices, AppError> {
    crate::error::respond(async {
        let organisation = use_context::<OrganisationSignIn>()
            .unwrap_or_default()
            .enabled;
        let linking = match crate::accounts::cookie_header() {
            Some(cookies) if organisation => {
                let service = crate::services::service::<dyn crate::accounts::AccountService>()?;
                service.pending_link(&cookies).await?
            }
            _ => None,
        };
        Ok(SignInChoices {
            organisation,
            linking,
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_has_a_key_that_reads_back_and_a_sentence() {
        for problem in OrganisationSignInProblem::ALL {
            assert_eq!(
                OrganisationSignInProblem::from_key(problem.key()),
                Some(problem)
            );
            assert!(problem.message().ends_with('.'));
        }
        assert_eq!(OrganisationSignInProblem::from_key("<script>"), None);
    }
}
