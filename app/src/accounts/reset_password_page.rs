//! `/reset-password/:token`: choose a new password with a one-time link.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::accounts::ResetPassword;

/// The new-password form.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let reset = ServerAction::<ResetPassword>::new();
    let outcome = move || {
        reset.value().get().map(|result| match result {
            Ok(()) => view! {
                <p class="status" role="status">
                    "Your password is set. " <A href="/sign-in">"Sign in"</A> " with it."
                </p>
            }
            .into_any(),
            Err(error) => {
                view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any()
            }
        })
    };
    view! {
        <Title text="Choose a new password"/>
        <section class="narrow" aria-labelledby="reset-title">
            <h1 id="reset-title">"Choose a new password"</h1>
            <ActionForm action=reset attr:class="form">
                <input type="hidden" name="token" value=token/>
                <div class="field">
                    <label for="new-password">"New password"</label>
                    <input id="new-password" name="new_password" type="password" autocomplete="new-password" required minlength="12" maxlength="256"/>
                </div>
                <button type="submit" class="button">"Set password"</button>
            </ActionForm>
            {outcome}
        </section>
    }
}
