//! `/admin`: what administrators do here: issue password reset links.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::people::{IssuePasswordReset, SessionActions};

/// Administration; only useful to administrators (the server refuses everyone else).
#[component]
pub fn AdminPage() -> impl IntoView {
    let session = expect_context::<SessionActions>();
    view! {
        <Title text="Administration"/>
        <section class="narrow" aria-labelledby="admin-title">
            <h1 id="admin-title">"Administration"</h1>
            <Transition fallback=|| ()>
                {move || session.caller.get().map(|caller| match caller {
                    Some(caller) if caller.is_admin => view! { <ResetLinkForm/> }.into_any(),
                    _ => view! { <p class="status">"This page is for administrators."</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ResetLinkForm() -> impl IntoView {
    let issue = ServerAction::<IssuePasswordReset>::new();
    let outcome = move || {
        issue.value().get().map(|result| match result {
            Ok(path) => {
                #[cfg(feature = "hydrate")]
                let origin = window().location().origin().unwrap_or_default();
                #[cfg(not(feature = "hydrate"))]
                let origin = String::new();
                view! {
                    <div class="invitation-link" role="status">
                        <p>"Pass this link on. It works once, for 24 hours."</p>
                        <label for="reset-url">"Reset link"</label>
                        <input id="reset-url" readonly value=format!("{origin}{path}")/>
                    </div>
                }
                .into_any()
            }
            Err(error) => {
                view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any()
            }
        })
    };
    view! {
        <h2>"Password reset link"</h2>
        <ActionForm action=issue attr:class="form">
            <div class="field">
                <label for="reset-email">"Email of the account"</label>
                <input id="reset-email" name="email" type="email" required maxlength="254"/>
            </div>
            <button type="submit" class="button">"Create reset link"</button>
        </ActionForm>
        {outcome}
    }
}
