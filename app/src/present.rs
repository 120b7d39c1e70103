//! The round-table presentation: the deck worked out from the wall (`model.rs`), its socket's
//! frames (`protocol.rs`) and browser side (`client.rs`), the slides (`slides.rs`), and the
//! pages — projector and follow (`projector_page.rs`), presenter panel (`panel_page.rs`) and
//! handout (`handout_page.rs`).
//!
//! The projector, follow and handout views get the deck over its own socket, which carries key
//! messages and their strength but never notes or authors; host and observer roles may open it.

mod handout_page;
mod model;
mod panel_page;
mod projector_page;
pub mod protocol;
mod slides;
mod state;

use crate::layout::NotAvailable;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::membership::Role;
use crate::review::{ReviewId, load_review};

pub use handout_page::HandoutPage;
pub use model::*;
pub use panel_page::PresenterPanelPage;
pub use projector_page::{FollowPage, PresentPage};

/// Loads the review and hands its id, title and the caller's role to `page`.
pub(crate) fn with_review<V: IntoView + 'static>(
    name: &'static str,
    page: impl Fn(ReviewId, String, Role) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let params = use_params_map();
    let overview = Resource::new(move || params.read().get("id"), load_review);
    // A title before the review has loaded: the server-rendered page has one from its first
    // byte, and a lazily loaded page has one while its code arrives (the page's own replaces it).
    view! {
        <Title text=name/>
        <Suspense fallback=|| view! { <p class="status">"Loading…"</p> }>
            {
                let page = page.clone();
                move || overview.get().map(|result| match result {
                    Ok(overview) => page(overview.summary.id, overview.summary.title.clone(), overview.my_role).into_any(),
                    Err(error) => view! {
                        <NotAvailable title=name heading=format!("The {} is not available", name.to_lowercase()) message=error.message/>
                    }.into_any(),
                })
            }
        </Suspense>
    }
}
