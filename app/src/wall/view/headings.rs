//! The headings' own tools (team lead and facilitator): rename, move, archive, add.

use leptos::prelude::*;

use crate::wall::HeadingId;
use crate::wall::protocol::Command;
use crate::wall::state::WallState;

/// Rename, move and archive a heading (team lead and facilitator).
#[component]
pub(crate) fn HeadingTools(
    heading: HeadingId,
    title: String,
    position: usize,
    /// How many columns there are, Unsorted included (it follows headings added meanwhile).
    count: Signal<usize>,
) -> impl IntoView {
    let state = expect_context::<WallState>();
    let renaming = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let name = RwSignal::new(title.clone());
    let (left, right, rename, archive) = (
        heading.clone(),
        heading.clone(),
        heading.clone(),
        heading.clone(),
    );
    view! {
        <div class="heading-tools">
            <button type="button" class="link-button" disabled={position == 0}
                aria-label=format!("Move {title} left")
                on:click=move |_| state.submit(Command::MoveHeading { heading: left.clone(), index: position.saturating_sub(1) })>"◀"</button>
            <button type="button" class="link-button" disabled={move || position + 2 >= count.get()}
                aria-label=format!("Move {title} right")
                on:click=move |_| state.submit(Command::MoveHeading { heading: right.clone(), index: position + 1 })>"▶"</button>
            <button type="button" class="link-button" on:click=move |_| renaming.set(true)
                aria-label=format!("Rename {title}")>"Rename"</button>
            <button type="button" class="link-button" on:click=move |_| confirming.set(true)
                aria-label=format!("Archive {title}")>"Archive"</button>
            <Show when=move || renaming.get()>
                <form class="inline-form" on:submit={
                    let rename = rename.clone();
                    move |event| {
                        event.prevent_default();
                        state.submit(Command::RenameHeading { heading: rename.clone(), title: name.get_untracked() });
                        renaming.set(false);
                    }
                }>
                    <label class="visually-hidden" for=format!("rename-{position}")>"New title"</label>
                    <input id=format!("rename-{position}") prop:value=move || name.get() maxlength="200"
                        on:input=move |event| name.set(event_target_value(&event))/>
                    <button type="submit" class="button button-small">"Save"</button>
                </form>
            </Show>
            <Show when=move || confirming.get()>
                <div class="confirm" role="alert">
                    "Archive this heading? Its notes move to Unsorted."
                    <button type="button" class="button button-small button-danger" on:click={
                        let archive = archive.clone();
                        move |_| {
                            state.submit(Command::ArchiveHeading { heading: archive.clone() });
                            confirming.set(false);
                        }
                    }>"Archive"</button>
                    <button type="button" class="link-button" on:click=move |_| confirming.set(false)>"Keep"</button>
                </div>
            </Show>
        </div>
    }
}

#[component]
pub(crate) fn AddHeading() -> impl IntoView {
    let state = expect_context::<WallState>();
    let title = RwSignal::new(String::new());
    view! {
        <form class="add-heading form-inline" on:submit=move |event| {
            event.prevent_default();
            let text = title.get_untracked();
            if !text.trim().is_empty() {
                state.submit(Command::AddHeading { heading: HeadingId::new(), title: text });
                title.set(String::new());
            }
        }>
            <div class="field">
                <label for="new-heading">"New heading"</label>
                <input id="new-heading" maxlength="200" prop:value=move || title.get()
                    on:input=move |event| title.set(event_target_value(&event))/>
            </div>
            <button type="submit" class="button">"Add heading"</button>
        </form>
    }
}
