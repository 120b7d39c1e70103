//! The sign-in page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use crate::accounts::SessionActions;

/// Email and password form; on success, goes to the reviews.
#[component]
pub fn SignInPage() -> impl IntoView {
    let actions = expect_context::<SessionActions>();
    let sign_in = actions.sign_in;
    let show_password = RwSignal::new(false);
    let error = move || sign_in.value().get().and_then(Result::err);

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
            <ActionForm action=sign_in attr:class="form" attr:aria-describedby="sign-in-error">
                <p id="sign-in-error" class="status status-error" role="alert">
                    {move || error().map(|error| error.message)}
                </p>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required maxlength="254"/>
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
