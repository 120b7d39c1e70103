//! The sign-in page: with the organisation's account when the site offers it, or with a
//! password.

use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::accounts::{
    ORGANISATION_SIGN_IN_PATH, OrganisationSignInProblem, SessionActions, SignInChoices,
    sign_in_options,
};

/// Email and password form, and "Sign in with your organisation" when it is configured; on
/// success, goes to the reviews.
#[component]
pub fn SignInPage() -> impl IntoView {
    let actions = expect_context::<SessionActions>();
    let sign_in = actions.sign_in;
    let show_password = RwSignal::new(false);
    let query = use_query_map();
    // Why a sign-in with the organisation came back here: a sentence of ours, chosen by key.
    let problem = move || {
        query
            .read()
            .get("problem")
            .and_then(|key| OrganisationSignInProblem::from_key(&key))
    };
    let error = move || {
        sign_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.message)
            .or_else(|| problem().map(|problem| problem.message().to_string()))
    };
    let options = Resource::new(|| (), |_| sign_in_options());
    let choices = move || options.get().and_then(Result::ok).unwrap_or_default();

    // An organisation account waiting for this person's password: their address filled in.
    let email_box = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if let (Some(input), Some(address)) = (email_box.get(), choices().linking)
            && input.value().is_empty()
        {
            input.set_value(&address);
        }
    });

    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_in.value().get() {
            navigate("/", Default::default());
        }
    });

    view! {
        <Title text="Sign in"/>
        <section class="narrow" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">"Sign in"</h1>
            <p id="sign-in-error" class="status status-error" role="alert">{error}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let choices = options.await.unwrap_or_default();
                    view! { <OrganisationChoice choices/> }
                })}
            </Suspense>
            <ActionForm action=sign_in attr:class="form" attr:aria-describedby="sign-in-error">
                <div class="field">
                    <label for="email">"Email"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        maxlength="254"
                        node_ref=email_box
                    />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="current-password"
                        required
                        maxlength="256"
                    />
                    <button
                        type="button"
                        class="link-button"
                        aria-pressed=move || show_password.get().to_string()
                        on:click=move |_| show_password.update(|shown| *shown = !*shown)
                    >
                        {move || if show_password.get() { "Hide password" } else { "Show password" }}
                    </button>
                </div>
                <button type="submit" class="button" disabled=move || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="status">
                "Accounts are by invitation: your review's facilitator sends you a link."
            </p>
        </section>
    }
}

/// "Sign in with your organisation", and what it waits for when an organisation account is
/// to be linked to a password account.
#[component]
fn OrganisationChoice(choices: SignInChoices) -> impl IntoView {
    if !choices.organisation {
        return ().into_any();
    }
    let linking = choices.linking.map(|address| {
        view! {
            <div class="sign-in-link-notice" role="status">
                <p>
                    <strong>"Your organisation has confirmed " {address.clone()} "."</strong>
                    " There is already a Peerwall account with this address: sign in with its password below, once, "
                    "and your organisation's account is linked to it. After that, "
                    "“Sign in with your organisation” is all you need."
                </p>
            </div>
        }
    });
    view! {
        {linking}
        <div class="sign-in-choice">
            // A full page load: the server starts the sign-in and sends the browser on.
            <a class="button sign-in-organisation" href=ORGANISATION_SIGN_IN_PATH rel="external">
                "Sign in with your organisation"
            </a>
            <p class="status">
                "Your council's or the LGA's Microsoft 365 account, or your organisation's own."
            </p>
            <p class="sign-in-or" aria-hidden="true"><span>"or with a password"</span></p>
        </div>
    }
    .into_any()
}
