//! The signed-in person, as the whole page sees them.

use leptos::prelude::*;

use crate::accounts::{Caller, SignIn, SignOut, who_am_i};

/// The sign-in and sign-out actions, shared so the header refreshes after either.
#[derive(Clone, Copy)]
pub struct SessionActions {
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
    pub caller: Resource<Option<Caller>>,
}

/// Creates the session actions and the caller resource, and provides them to the page.
pub fn provide_session() -> SessionActions {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let caller = Resource::new(
        move || (sign_in.version().get(), sign_out.version().get()),
        |_| async { who_am_i().await.ok().flatten() },
    );
    // Signed out: nothing written on this computer stays in its storage.
    Effect::new(move |_| {
        if matches!(sign_out.value().get(), Some(Ok(()))) {
            crate::browser::forget_stored();
        }
    });
    let actions = SessionActions {
        sign_in,
        sign_out,
        caller,
    };
    provide_context(actions);
    actions
}

/// "Signed in as …" with a sign-out button, or a sign-in link.
#[component]
pub fn SessionMenu() -> impl IntoView {
    let actions = expect_context::<SessionActions>();
    view! {
        <Transition fallback=|| ()>
            {move || actions.caller.get().map(|caller| match caller {
                Some(caller) => view! {
                    {caller.is_admin.then(|| view! {
                        <li><leptos_router::components::A href="/admin">"Administration"</leptos_router::components::A></li>
                    })}
                    <li class="session">
                        <span>"Signed in as " <leptos_router::components::A href="/account"><strong>{caller.name}</strong></leptos_router::components::A></span>
                        <ActionForm action=actions.sign_out attr:class="inline-form">
                            <button type="submit" class="link-button header-button">"Sign out"</button>
                        </ActionForm>
                    </li>
                }.into_any(),
                None => view! {
                    <li><leptos_router::components::A href="/sign-in">"Sign in"</leptos_router::components::A></li>
                }.into_any(),
            })}
        </Transition>
    }
}
