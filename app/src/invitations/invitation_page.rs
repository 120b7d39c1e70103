//! `/invitations/:token`: accept an invitation, creating an account if needed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::invitations::{AcceptInvitation, InvitationPreview, get_invitation};

/// Shows what the invitation offers and the form that accepts it.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, get_invitation);
    view! {
        <Title text="Invitation"/>
        <section class="narrow" aria-labelledby="invitation-title">
            <h1 id="invitation-title">"Your invitation"</h1>
            <Suspense fallback=|| view! { <p class="status">"Checking the invitation…"</p> }>
                {move || preview.get().map(|result| match result {
                    Ok(preview) => view! { <AcceptForm preview token=token()/> }.into_any(),
                    Err(error) => view! {
                        <p class="status status-error" role="alert">{error.message}</p>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AcceptForm(preview: InvitationPreview, token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let destination = match preview.review {
        Some(review) => format!("/reviews/{review}"),
        None => "/".to_string(),
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = accept.value().get() {
            // A full load, so the whole page (header included) starts from the new session.
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href(&destination);
            #[cfg(not(feature = "hydrate"))]
            let _ = &destination;
        }
    });
    let error = move || {
        accept
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message)
    };
    let has_account = preview.has_account;
    // A first account can come from the organisation instead of a password, when offered.
    let organisation = (!has_account).then(|| {
        let options = Resource::new(|| (), |_| crate::accounts::sign_in_options());
        let email = preview.email.clone();
        view! {
            <Suspense fallback=|| ()>
                {move || {
                    let email = email.clone();
                    Suspend::new(async move {
                        let offered = options.await.is_ok_and(|options| options.organisation);
                        offered.then(|| view! {
                            <div class="sign-in-choice">
                                <a
                                    class="button sign-in-organisation"
                                    href=crate::accounts::ORGANISATION_SIGN_IN_PATH
                                    rel="external"
                                >
                                    "Join with your organisation's account"
                                </a>
                                <p class="status">
                                    "If " {email} " is your council's or the LGA's Microsoft 365 account: no password to choose."
                                </p>
                                <p class="sign-in-or" aria-hidden="true"><span>"or choose a password"</span></p>
                            </div>
                        })
                    })
                }}
            </Suspense>
        }
    });
    view! {
        {match preview.review {
            Some(_) => view! {
                <p>
                    "You are invited to join " <strong>{preview.review_title}</strong> " ("
                    {preview.host_authority} ") as " <strong>{preview.role.label().to_lowercase()}</strong>
                    ", with the email address " <strong>{preview.email}</strong> "."
                </p>
            }.into_any(),
            None => view! {
                <p>
                    "You are invited to open a " <strong>"facilitator account"</strong>
                    " on Peerwall, with the email address " <strong>{preview.email}</strong>
                    ". With it you can set up peer challenges and invite their teams."
                </p>
            }.into_any(),
        }}
        {organisation}
        <ActionForm action=accept attr:class="form">
            <p class="status status-error" role="alert">{error}</p>
            <input type="hidden" name="token" value=token/>
            {if has_account {
                view! {
                    <input type="hidden" name="name" value=""/>
                    <p>"You already have an account: enter its password to accept."</p>
                }.into_any()
            } else {
                view! {
                    <div class="field">
                        <label for="name">"Your name"</label>
                        <input id="name" name="name" autocomplete="name" required maxlength="120"/>
                    </div>
                }.into_any()
            }}
            <div class="field">
                <label for="password">{if has_account { "Password" } else { "Choose a password" }}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete=if has_account { "current-password" } else { "new-password" }
                    required
                    minlength=if has_account { "1" } else { "12" }
                    maxlength="256"
                    aria-describedby="password-hint"
                />
                <p id="password-hint" class="hint">"At least 12 characters. A short sentence is easy to remember."</p>
            </div>
            <button type="submit" class="button">"Accept and sign in"</button>
        </ActionForm>
    }
}
