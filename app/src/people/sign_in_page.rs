//! The sign-in page. Accounts and sessions arrive with the people-and-roles work; until then the
//! form is shown with its fields and says plainly that signing in is not yet switched on.

use leptos::prelude::*;
use leptos_meta::Title;

/// Email and password form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let show_password = RwSignal::new(false);
    let notice = RwSignal::new(None::<&'static str>);

    view! {
        <Title text="Sign in"/>
        <section class="narrow" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">"Sign in"</h1>
            <form
                class="form"
                on:submit=move |event| {
                    event.prevent_default();
                    notice.set(Some("Signing in is not switched on in this build yet: accounts come with invitations from your review's facilitator."));
                }
            >
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="current-password"
                        required
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
                <button type="submit" class="button">"Sign in"</button>
                <p class="status" role="status" aria-live="polite">{move || notice.get()}</p>
            </form>
        </section>
    }
}
