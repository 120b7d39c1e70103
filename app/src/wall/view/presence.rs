//! How the wall stands: the connection and unsaved changes, who is on it, notices (an error,
//! a deletion to undo) and edits that lost a race.

use leptos::prelude::*;

use crate::wall::protocol::{Command, NoteEdit};
use crate::wall::state::{Notice, Status, WallState};

#[component]
pub(crate) fn StatusLine() -> impl IntoView {
    let state = expect_context::<WallState>();
    let unsaved = move || {
        state
            .pending
            .with(|pending| pending.iter().filter(|p| p.acked.is_none()).count())
    };
    view! {
        <p class="wall-status" role="status" data-status=move || match state.status.get() {
            Status::Live => "live",
            Status::Connecting => "connecting",
            Status::Offline(_) => "offline",
            Status::Closed(_) => "closed",
        }>
            {move || match state.status.get() {
                Status::Live => "Live".to_string(),
                Status::Connecting => "Connecting…".to_string(),
                Status::Offline(seconds) => format!("Offline: trying again in {seconds} s"),
                Status::Closed(reason) => reason,
            }}
            {move || match unsaved() {
                0 => String::new(),
                1 => " · 1 change not yet saved".to_string(),
                n => format!(" · {n} changes not yet saved"),
            }}
        </p>
    }
}

#[component]
pub(crate) fn PresenceBar() -> impl IntoView {
    let state = expect_context::<WallState>();
    view! {
        <section class="presence" aria-label="On the wall now">
            <span class="presence-title">"On the wall now:"</span>
            <ul>
                {move || state.presence.get().into_iter().map(|person| view! {
                    <li class="presence-person">
                        {person.name}
                        {person.pair.map(|pair| view! { <span class="pair-badge">{format!("Pair {pair}")}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub(crate) fn NoticeBar() -> impl IntoView {
    let state = expect_context::<WallState>();
    move || {
        state.notice.get().map(|notice| match notice {
            Notice::Error(message) => view! {
                <div class="notice notice-error" role="alert">
                    <span>{message}</span>
                    <button type="button" class="link-button" on:click=move |_| state.notice.set(None)>"Dismiss"</button>
                </div>
            }
            .into_any(),
            Notice::Deleted(note) => view! {
                <div class="notice" role="status">
                    <span>"Note deleted."</span>
                    <button type="button" class="button button-small" on:click=move |_| {
                        state.submit(Command::RestoreNote { note });
                        state.notice.set(None);
                    }>"Undo"</button>
                    <button type="button" class="link-button" on:click=move |_| state.notice.set(None)>"Dismiss"</button>
                </div>
            }
            .into_any(),
        })
    }
}

/// Edits that lost a race: both versions, and a choice.
#[component]
pub(crate) fn ConflictList() -> impl IntoView {
    let state = expect_context::<WallState>();
    move || {
        state.conflicts.get().into_iter().map(|conflict| {
            let note = conflict.note;
            let mine = conflict.mine.clone();
            let theirs = conflict.theirs.clone();
            let resolve = move || state.conflicts.update(|all| all.retain(|c| c.note != note));
            view! {
                <section class="notice notice-conflict" role="alert" aria-label="Edit conflict">
                    <p><strong>"Someone else changed this note while you were editing it."</strong></p>
                    <div class="conflict-versions">
                        <div><h3>"Your version"</h3><p class="conflict-mine">{mine.clone()}</p></div>
                        <div><h3>"Current version"</h3><p class="conflict-theirs">{theirs.text.clone()}</p></div>
                    </div>
                    <button type="button" class="button button-small" on:click={
                        let mine = mine.clone();
                        let version = theirs.version;
                        move |_| {
                            state.submit(Command::EditNote {
                                note,
                                base_version: version,
                                edit: NoteEdit { text: Some(mine.clone()), ..NoteEdit::default() },
                            });
                            resolve();
                        }
                    }>"Keep mine"</button>
                    <button type="button" class="link-button" on:click=move |_| resolve()>"Keep the current version"</button>
                </section>
            }
        }).collect_view()
    }
}
