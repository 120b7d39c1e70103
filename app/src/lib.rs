#![recursion_limit = "512"]
//! Peerwall's Leptos application, compiled twice: with `ssr` into the server binary and with
//! `hydrate` into the browser's wasm. Shared types live in `<concept>/model.rs`, server functions
//! in `<concept>/api.rs`, and the rest of each folder is what the user sees.

#[macro_use]
mod names;

pub mod accessibility;
pub mod accounts;
pub mod audit;
pub mod benchmark;
pub mod browser;
pub mod error;
pub mod invitations;
pub mod layout;
pub mod membership;
pub mod organisations;
pub mod plan;
pub mod present;
pub mod report;
pub mod retention;
pub mod review;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod services;
pub mod visit;
pub mod wall;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute,
    components::{Route, Router, Routes},
    lazy_route, path,
};

use crate::accessibility::AccessibilityPage;
use crate::accounts::{AccountPage, AdminPage, ResetPasswordPage, SignInPage};
use crate::benchmark::BenchmarkPage;
use crate::invitations::InvitationPage;
use crate::layout::{NotFoundPage, SiteLayout};
use crate::plan::ActionPlanPage;
use crate::present::{FollowPage, HandoutPage, PresentPage, PresenterPanelPage};
use crate::report::ReportPage;
use crate::review::{HomePage, NewReviewPage, ReviewPage};
use crate::visit::{PackPage, TimetablePage};
use crate::wall::WallPage;

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
                {split_loader_preload(&options)}
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The front end built with `--split` has a loader for its lazily loaded chunks that the main
/// script imports; naming it in the page lets the browser fetch it alongside the main script
/// instead of after it (one round trip less before the page is live).
fn split_loader_preload(options: &LeptosOptions) -> Option<impl IntoView + use<>> {
    const LOADER: &str = "__wasm_split.______________________.js";
    #[cfg(feature = "ssr")]
    let built = std::path::Path::new(options.site_root.as_ref())
        .join(options.site_pkg_dir.as_ref())
        .join(LOADER)
        .is_file();
    #[cfg(not(feature = "ssr"))]
    let built = false;
    let href = format!("/{}/{LOADER}", options.site_pkg_dir);
    built.then(|| view! { <link rel="modulepreload" href=href/> })
}

/// The application root: stylesheet, title and router.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    accounts::provide_session();
    #[cfg(feature = "ssr")]
    security::send_content_security_policy();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/peerwall.css"/>
        // "Peerwall" until a page names itself: a lazily loaded page's title arrives with its
        // code, and the document is never without one meanwhile.
        <Title text="Peerwall" formatter=|page: String| {
            if page.is_empty() || page == "Peerwall" { "Peerwall".to_string() } else { format!("{page} · Peerwall") }
        }/>
        <Router>
            <SiteLayout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()}/>
                    <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()}/>
                    <Route path=path!("/reset-password/:token") view={Lazy::<ResetPasswordRoute>::new()}/>
                    <Route path=path!("/reviews/new") view={Lazy::<NewReviewRoute>::new()}/>
                    <Route path=path!("/reviews/:id") view=ReviewPage/>
                    <Route path=path!("/reviews/:id/wall") view=WallPage/>
                    <Route path=path!("/reviews/:id/present") view={Lazy::<PresentRoute>::new()}/>
                    <Route path=path!("/reviews/:id/present/panel") view={Lazy::<PresenterPanelRoute>::new()}/>
                    <Route path=path!("/reviews/:id/follow") view={Lazy::<FollowRoute>::new()}/>
                    <Route path=path!("/reviews/:id/handout") view={Lazy::<HandoutRoute>::new()}/>
                    <Route path=path!("/reviews/:id/report") view={Lazy::<ReportRoute>::new()}/>
                    <Route path=path!("/reviews/:id/timetable") view={Lazy::<TimetableRoute>::new()}/>
                    <Route path=path!("/reviews/:id/documents") view={Lazy::<PackRoute>::new()}/>
                    <Route path=path!("/reviews/:id/data") view={Lazy::<BenchmarkRoute>::new()}/>
                    <Route path=path!("/reviews/:id/plan") view={Lazy::<ActionPlanRoute>::new()}/>
                    <Route path=path!("/invitations/:token") view={Lazy::<InvitationRoute>::new()}/>
                    <Route path=path!("/accessibility") view={Lazy::<AccessibilityRoute>::new()}/>
                </Routes>
            </SiteLayout>
        </Router>
    }
}

// The pages people open rarely (or only at the round-table) are split out of the main wasm
// bundle (`cargo leptos build --split`) and fetched when their route is first visited; the
// home, sign-in, review and wall pages stay in it.

/// A route whose page is split out: `lazy_page!(Route, Page)`.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;
        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(AccountRoute, AccountPage);
lazy_page!(AdminRoute, AdminPage);
lazy_page!(ResetPasswordRoute, ResetPasswordPage);
lazy_page!(NewReviewRoute, NewReviewPage);
lazy_page!(InvitationRoute, InvitationPage);
lazy_page!(PresentRoute, PresentPage);
lazy_page!(PresenterPanelRoute, PresenterPanelPage);
lazy_page!(FollowRoute, FollowPage);
lazy_page!(HandoutRoute, HandoutPage);
lazy_page!(ReportRoute, ReportPage);
lazy_page!(TimetableRoute, TimetablePage);
lazy_page!(PackRoute, PackPage);
lazy_page!(BenchmarkRoute, BenchmarkPage);
lazy_page!(ActionPlanRoute, ActionPlanPage);
lazy_page!(AccessibilityRoute, AccessibilityPage);

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
    // Lazy (split) routes hydrate asynchronously, once their chunk has loaded.
    leptos::mount::hydrate_lazy(App);
}
