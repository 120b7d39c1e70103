//! `/reviews/:id/wall`: the findings wall. Columns for the headings and the Unsorted inbox, notes
//! that move by mouse drag, touch or keyboard (`wall::drag`), and everything live for everyone
//! on the wall.

use crate::layout::NotAvailable;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::membership::{Action, Role, allows};
use crate::review::{ReviewId, load_review};
use crate::wall::drag::{DragState, MessageDrag, columns};
use crate::wall::state::WallState;
use crate::wall::view::card::{CardMarks, MoveBar};
use crate::wall::view::column::Column;
use crate::wall::view::composer::Composer;
use crate::wall::view::filters::{FilterBar, Filters};
use crate::wall::view::headings::AddHeading;
use crate::wall::view::messages::TriangulationBar;
use crate::wall::view::presence::{ConflictList, NoticeBar, PresenceBar, StatusLine};

/// The route: checks the caller may see the wall, then shows it.
#[component]
pub fn WallPage() -> impl IntoView {
    let params = use_params_map();
    let overview = Resource::new(move || params.read().get("id"), load_review);
    view! {
        <Title text="Findings wall"/>
        <Suspense fallback=|| view! { <p class="status">"Loading the wall…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(overview) if allows(overview.my_role, Action::ViewNotes) => {
                    let title = overview.summary.title.clone();
                    view! { <WallMount review=overview.summary.id role=overview.my_role title/> }.into_any()
                }
                Ok(overview) => view! {
                    <Title text="Findings wall"/>
                    <section class="narrow">
                        <h1>"The findings wall is not available"</h1>
                        <p class="status" role="alert">
                            "The wall is the peer team's working space. What the team concludes reaches you in the feedback and the report."
                        </p>
                        <p><A href=format!("/reviews/{}", overview.summary.id)>"Back to the review"</A></p>
                    </section>
                }.into_any(),
                Err(error) => view! {
                    <NotAvailable title="Findings wall" heading="The findings wall is not available".to_string() message=error.message/>
                }.into_any(),
            })}
        </Suspense>
    }
}

/// Where the wall goes. The server sends only this placeholder, and the browser builds the wall
/// into it once the page is live, instead of hydrating a wall the server rendered: the notes
/// arrive over the websocket anyway, and a view that is never hydrated costs the browser's code
/// none of the hydration code the wall's views would otherwise compile to (about a tenth of the
/// first route; docs/benchmarks.md).
#[component]
fn WallMount(review: ReviewId, role: Role, title: String) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    let mounted = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        use leptos::tachys::view::{Mountable, Render};
        let parent = Owner::current();
        let built = StoredValue::new_local(None::<(Owner, Box<dyn Mountable>)>);
        Effect::new(move |_| {
            let (Some(element), Some(parent)) = (root.get(), parent.clone()) else {
                return;
            };
            if built.with_value(Option::is_some) {
                return;
            }
            let title = title.clone();
            // The wall's owner is the mount's, not this effect's, so it lives as long as the
            // page does; nothing it reads while it is built is tracked here.
            let wall = parent.with(|| {
                untrack(|| {
                    let owner = Owner::new();
                    let mut view =
                        owner.with(|| view! { <Wall review role title/> }.into_view().build());
                    view.mount(&element, None);
                    (owner, Box::new(view) as Box<dyn Mountable>)
                })
            });
            built.set_value(Some(wall));
            mounted.set(true);
        });
        on_cleanup(move || {
            if let Some((owner, mut view)) = built.try_update_value(Option::take).flatten() {
                view.unmount();
                owner.cleanup();
            }
        });
    }
    // The server never builds the wall (its board comes over the websocket).
    #[cfg(not(feature = "hydrate"))]
    let _ = (review, role, title, Wall);
    view! {
        <div class="wall-mount" node_ref=root>
            <p class="status" hidden=move || mounted.get()>"Opening the wall…"</p>
        </div>
    }
}

#[component]
fn Wall(review: ReviewId, role: Role, title: String) -> impl IntoView {
    let state = WallState::new(review, role);
    provide_context(state);
    provide_context(super::sessions::WallSessions::new(review));
    let filters = Filters::new(state);
    provide_context(filters);
    let drag = DragState {
        dragged: RwSignal::new(None),
        carry: RwSignal::new(None),
        announce: RwSignal::new(String::new()),
        editing: RwSignal::new(None),
        touch_target: RwSignal::new(None),
        draft: RwSignal::new(String::new()),
    };
    provide_context(drag);
    provide_context(CardMarks::new(state, filters, drag));
    provide_context(MessageDrag {
        note: drag.dragged,
        message: RwSignal::new(None),
    });
    Effect::new(move |_| state.connect());
    // The browser knows first when the network goes: stop sending, and come back at once.
    let offline = window_event_listener(leptos::ev::offline, move |_| state.went_offline());
    let online = window_event_listener(leptos::ev::online, move |_| state.came_online());
    on_cleanup(move || {
        offline.remove();
        online.remove();
        state.disconnect();
    });
    let manages = allows(role, Action::ManageHeadings);
    let column_list = Memo::new(move |_| state.shown.with(columns));
    let column_count = Signal::derive(move || column_list.with(Vec::len));
    view! {
        <Title text=format!("Wall · {title}")/>
        <div class="wall-page">
        <header class="wall-header">
            <div>
                <p class="review-type"><A href=format!("/reviews/{review}")>{title.clone()}</A></p>
                <h1>"Findings wall"</h1>
            </div>
            <nav class="wall-actions" aria-label="Wall actions">
                {allows(role, Action::LeadWall).then(|| view! {
                    <A href=format!("/reviews/{review}/present") attr:class="button button-small">"Present"</A>
                })}
                <a href=format!("/api/reviews/{review}/wall/export?format=md") download="">"Export Markdown"</a>
                <a href=format!("/api/reviews/{review}/wall/export?format=csv") download="">"Export CSV"</a>
                {allows(role, Action::ExportWall).then(|| view! {
                    <a href=format!("/api/reviews/{review}/wall/export?format=csv&authors=include") download="">"CSV with authors and pairs"</a>
                })}
            </nav>
            <StatusLine/>
        </header>
        <p id="drag-help" class="visually-hidden">
            "To move a note with the keyboard, press Space to pick it up, the arrow keys to move it, Space to drop it, or Escape to cancel. Or use its Move button and the move bar."
        </p>
        <div class="visually-hidden" role="status" aria-live="assertive">{move || drag.announce.get()}</div>
        <PresenceBar/>
        <crate::retention::DestructionBanner review/>
        <NoticeBar/>
        <ConflictList/>
        <Composer/>
        <FilterBar/>
        <TriangulationBar/>
        // Columns are keyed by heading, and notes by their state, so a change re-renders only
        // what it touched.
        {move || (!state.loaded.get()).then(|| view! { <p class="status">"Opening the wall…"</p> })}
        <div class="wall" role="list" aria-label="Headings" hidden=move || !state.loaded.get()>
            <For
                each={move || column_list.get().into_iter().enumerate().collect::<Vec<_>>()}
                key={|(index, (heading, title))| (*index, heading.clone(), title.clone())}
                children={move |(index, (heading, title))| view! {
                    <Column index count=column_count heading title manages/>
                }}
            />
        </div>
        {manages.then(|| view! { <AddHeading/> })}
        <MoveBar/>
        </div>
    }
}
