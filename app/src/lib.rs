#![recursion_limit = "256"]
//! Peerwall's Leptos application, compiled twice: with `ssr` into the server binary and with
//! `hydrate` into the browser's wasm. Shared types live in `<concept>/model.rs`, server functions
//! in `<concept>/api.rs`, and the rest of each folder is what the user sees.

pub mod browser;
pub mod error;
pub mod layout;
pub mod people;
pub mod review;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod services;
pub mod wall;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::layout::{NotFoundPage, SiteLayout};
use crate::people::{AccountPage, AdminPage, InvitationPage, ResetPasswordPage, SignInPage};
use crate::review::{HomePage, NewReviewPage, ReviewPage};
use crate::wall::{FollowPage, HandoutPage, PresentPage, PresenterPanelPage, WallPage};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application root: stylesheet, title and router.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    people::provide_session();
    #[cfg(feature = "ssr")]
    security::send_content_security_policy();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/peerwall.css"/>
        <Title formatter=|page: String| {
            if page.is_empty() { "Peerwall".to_string() } else { format!("{page} · Peerwall") }
        }/>
        <Router>
            <SiteLayout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/account") view=AccountPage/>
                    <Route path=path!("/admin") view=AdminPage/>
                    <Route path=path!("/reset-password/:token") view=ResetPasswordPage/>
                    <Route path=path!("/reviews/new") view=NewReviewPage/>
                    <Route path=path!("/reviews/:id") view=ReviewPage/>
                    <Route path=path!("/reviews/:id/wall") view=WallPage/>
                    <Route path=path!("/reviews/:id/present") view=PresentPage/>
                    <Route path=path!("/reviews/:id/present/panel") view=PresenterPanelPage/>
                    <Route path=path!("/reviews/:id/follow") view=FollowPage/>
                    <Route path=path!("/reviews/:id/handout") view=HandoutPage/>
                    <Route path=path!("/invitations/:token") view=InvitationPage/>
                </Routes>
            </SiteLayout>
        </Router>
    }
}

/// Marks the document once the browser has taken over from the server-rendered HTML, so tests
/// (and styles) can tell a live page from a static one.
fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}

/// The browser's entry point, called by the script that cargo-leptos generates.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
