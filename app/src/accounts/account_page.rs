//! `/account`: who you are signed in as, and changing your password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::accounts::{ChangePassword, SessionActions};
use crate::organisations::{OrganisationId, SetMyOrganisation, list_organisations};

/// Account settings.
#[component]
pub fn AccountPage() -> impl IntoView {
    let session = expect_context::<SessionActions>();
    view! {
        <Title text="Your account"/>
        <section class="narrow" aria-labelledby="account-title">
            <h1 id="account-title">"Your account"</h1>
            <Transition fallback=|| ()>
                {move || session.caller.get().map(|caller| match caller {
                    Some(caller) => view! {
                        <p>"Signed in as " <strong>{caller.name}</strong> " (" {caller.email} ")."</p>
                        <OrganisationForm current=caller.organisation/>
                        <ChangePasswordForm/>
                    }.into_any(),
                    None => view! {
                        <p class="status"><A href="/sign-in">"Sign in"</A>" to manage your account."</p>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Which organisation the person works for; the review's members table shows it.
#[component]
fn OrganisationForm(current: Option<OrganisationId>) -> impl IntoView {
    let set = ServerAction::<SetMyOrganisation>::new();
    let organisations = crate::browser::load_in_browser(list_organisations);
    let outcome = move || {
        set.value().get().map(|result| match result {
            Ok(()) => view! { <p class="status" role="status">"Saved."</p> }.into_any(),
            Err(error) => {
                view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any()
            }
        })
    };
    view! {
        <h2>"Your organisation"</h2>
        <ActionForm action=set attr:class="form">
            <div class="field">
                <label for="organisation">"You work for"</label>
                <select id="organisation" name="organisation">
                    <option value="" selected=current.is_none()>"Not given"</option>
                    {move || organisations.get().and_then(Result::ok).map(|list| {
                        list.into_iter().map(|organisation| view! {
                            <option value=organisation.id.0.clone() selected=Some(&organisation.id) == current.as_ref()>
                                {organisation.name}
                            </option>
                        }).collect_view()
                    })}
                </select>
                <p class="hint">"Missing from the list? Your facilitator or an administrator can add it."</p>
            </div>
            <button type="submit" class="button">"Save organisation"</button>
        </ActionForm>
        {outcome}
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let outcome = move || {
        change.value().get().map(|result| match result {
            Ok(()) => view! {
                <p class="status" role="status">"Your password is changed. Your other sessions have ended."</p>
            }
            .into_any(),
            Err(error) => view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any(),
        })
    };
    view! {
        <h2>"Change your password"</h2>
        <ActionForm action=change attr:class="form">
            <div class="field">
                <label for="current-password">"Current password"</label>
                <input id="current-password" name="current_password" type="password" autocomplete="current-password" required maxlength="256"/>
            </div>
            <div class="field">
                <label for="new-password">"New password"</label>
                <input id="new-password" name="new_password" type="password" autocomplete="new-password" required minlength="12" maxlength="256" aria-describedby="new-password-hint"/>
                <p id="new-password-hint" class="hint">"At least 12 characters."</p>
            </div>
            <button type="submit" class="button">"Change password"</button>
        </ActionForm>
        {outcome}
    }
}
