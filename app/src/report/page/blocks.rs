//! The report's blocks: the team draft the authors edit, and the version the council reads.

use leptos::prelude::*;

use crate::membership::Action as Can;
use crate::report::anchor::anchor_first;
use crate::report::format::{self, Span};
use crate::report::protocol::ReportClientMessage;
use crate::report::state::Notice;
use crate::report::{
    Anchor, Block, BlockId, BlockKind, MAX_BLOCK_CHARS, Practice, recommendation_numbers,
};
use crate::wall::order::key_between;

use super::context::Page;

/// Formatted text: paragraphs, bulleted lists, bold, italic, links.
pub(super) fn rich(text: &str) -> impl IntoView + use<> {
    let mut out: Vec<AnyView> = Vec::new();
    let mut items: Vec<AnyView> = Vec::new();
    let spans = |spans: Vec<Span>| {
        spans
            .into_iter()
            .map(|span| match span {
                Span::Text {
                    text,
                    bold: true,
                    italic: true,
                } => view! { <strong><em>{text}</em></strong> }.into_any(),
                Span::Text {
                    text, bold: true, ..
                } => view! { <strong>{text}</strong> }.into_any(),
                Span::Text {
                    text, italic: true, ..
                } => view! { <em>{text}</em> }.into_any(),
                Span::Text { text, .. } => text.into_any(),
                Span::Link { text, url } => {
                    view! { <a href=url rel="noopener noreferrer" target="_blank">{text}</a> }
                        .into_any()
                }
            })
            .collect_view()
    };
    for line in format::parse(text) {
        if line.bullet {
            items.push(view! { <li>{spans(line.spans)}</li> }.into_any());
        } else {
            if !items.is_empty() {
                let list = std::mem::take(&mut items);
                out.push(view! { <ul>{list}</ul> }.into_any());
            }
            out.push(view! { <p>{spans(line.spans)}</p> }.into_any());
        }
    }
    if !items.is_empty() {
        out.push(view! { <ul>{items}</ul> }.into_any());
    }
    out
}

/// A block as read.
pub(super) fn block_body(block: &Block, number: Option<usize>) -> AnyView {
    match block.kind {
        BlockKind::Heading => view! { <h2 class="report-heading">{format::plain(&block.text)}</h2> }.into_any(),
        BlockKind::Paragraph => view! { <div class="report-text">{rich(&block.text)}</div> }.into_any(),
        BlockKind::Recommendation => view! {
            <div class="report-rec"><span class="rec-number">{format!("{}.", number.unwrap_or(0))}</span><div>{rich(&block.text)}</div></div>
        }.into_any(),
        BlockKind::Practice => {
            let practice = block.practice.clone().unwrap_or_default();
            view! {
                <div class="report-practice">
                    <strong>"Practice example"</strong>
                    {rich(&block.text)}
                    {(!practice.place.is_empty()).then(|| view! { <p>"Where: "{practice.place.clone()}</p> })}
                    {(!practice.contact.is_empty()).then(|| view! { <p>"Contact: "{practice.contact.clone()}</p> })}
                    {(!practice.link.is_empty()).then(|| view! { <p><a href=practice.link.clone() rel="noopener noreferrer" target="_blank">{practice.link.clone()}</a></p> })}
                </div>
            }.into_any()
        }
        BlockKind::Quote => view! { <blockquote class="report-quote">{rich(&block.text)}</blockquote> }.into_any(),
    }
}

/// The selected words, if the selection sits within one element: read on mouse-up.
pub(super) fn selected_words() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let text: String = window().get_selection().ok().flatten()?.to_string().into();
        let text = text.trim().to_string();
        (!text.is_empty()).then_some(text)
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Remembers the words just selected in `block` for a comment.
pub(super) fn select_in(page: Page, block: &Block) {
    if !page.comments_now() {
        return;
    }
    let Some(words) = selected_words() else {
        return;
    };
    let anchor = anchor_first(&block.text, &words).unwrap_or(Anchor {
        exact: words,
        ..Anchor::default()
    });
    page.selection.set(Some((block.id, anchor)));
}

/// The team draft: every block, editable by the authors.
#[component]
pub(super) fn TeamDraft(page: Page) -> impl IntoView {
    let state = page.state;
    let numbers = Memo::new(move |_| state.blocks.with(|b| recommendation_numbers(b)));
    view! {
        {move || (page.writes() && state.blocks.with(Vec::is_empty)).then(|| view! {
            <button type="button" class="button" on:click=move |_| insert_after(page, None)>"Add a paragraph"</button>
        })}
        <For each=move || state.blocks.get() key=|b| b.id let:block>
            <DraftBlock page id=block.id numbers/>
        </For>
        {move || state.blocks.with(|b| practice_list(b))}
    }
}

pub(super) fn insert_after(page: Page, after: Option<BlockId>) {
    let blocks = page.state.blocks.get_untracked();
    let at = after.and_then(|id| blocks.iter().position(|b| b.id == id));
    let (before, next) = match at {
        Some(i) => (
            Some(blocks[i].order.clone()),
            blocks.get(i + 1).map(|b| b.order.clone()),
        ),
        None => (blocks.last().map(|b| b.order.clone()), None),
    };
    let block = Block {
        id: BlockId::new(),
        kind: BlockKind::Paragraph,
        text: String::new(),
        order: key_between(before.as_deref(), next.as_deref()),
        practice: None,
        source: None,
        rev: 1,
    };
    page.state.change(ReportClientMessage::Insert {
        op: uuid::Uuid::new_v4(),
        block: block.clone(),
    });
    start_editing(page, &block);
}

pub(super) fn start_editing(page: Page, block: &Block) {
    page.editing.set(Some((block.id, block.rev)));
    page.draft.set(block.text.clone());
    page.draft_kind.set(block.kind);
    page.practice
        .set(block.practice.clone().unwrap_or_default());
    page.state.editing(Some(block.id));
}

/// Saves the open editor's text if it changed; the next save builds on this one.
pub(super) fn save(page: Page) {
    let Some((id, base)) = page.editing.get_untracked() else {
        return;
    };
    let Some(block) = page
        .state
        .blocks
        .with_untracked(|b| b.iter().find(|b| b.id == id).cloned())
    else {
        return;
    };
    let text = page.draft.get_untracked();
    let kind = page.draft_kind.get_untracked();
    let practice = (kind == BlockKind::Practice).then(|| page.practice.get_untracked());
    if text == block.text && kind == block.kind && practice == block.practice {
        return;
    }
    if text.chars().count() > MAX_BLOCK_CHARS {
        page.notice(format!(
            "A block holds at most {MAX_BLOCK_CHARS} characters; this one has {}.",
            text.chars().count()
        ));
        return;
    }
    page.state.change(ReportClientMessage::Edit {
        op: uuid::Uuid::new_v4(),
        block: id,
        base,
        kind,
        text,
        practice,
    });
    page.editing.set(Some((id, base + 1)));
}

pub(super) fn finish(page: Page) {
    save(page);
    page.editing.set(None);
    page.state.editing(None);
}

pub(super) fn move_block(page: Page, id: BlockId, by: isize) {
    let blocks = page.state.blocks.get_untracked();
    let Some(i) = blocks.iter().position(|b| b.id == id) else {
        return;
    };
    let from = blocks[i].order.clone();
    let order = if by < 0 {
        if i == 0 {
            return;
        }
        key_between(
            i.checked_sub(2).map(|j| blocks[j].order.as_str()),
            Some(blocks[i - 1].order.as_str()),
        )
    } else {
        if i + 1 >= blocks.len() {
            return;
        }
        key_between(
            Some(blocks[i + 1].order.as_str()),
            blocks.get(i + 2).map(|b| b.order.as_str()),
        )
    };
    page.state.change(ReportClientMessage::Move {
        op: uuid::Uuid::new_v4(),
        block: id,
        order,
    });
    page.state.notice.set(Some(Notice::Moved(id, from)));
}

/// The practice examples of `blocks`, listed together as the report ends.
pub(super) fn practice_list(blocks: &[Block]) -> Option<impl IntoView + use<>> {
    let practice: Vec<(String, String)> = blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Practice)
        .map(|b| {
            let place = b
                .practice
                .as_ref()
                .map(|p| p.place.clone())
                .unwrap_or_default();
            (format::plain(&b.text), place)
        })
        .collect();
    (!practice.is_empty()).then(|| view! {
        <section class="report-practice-list" aria-labelledby="practice-list-title">
            <h2 id="practice-list-title" class="report-heading">"Practice examples and signposting"</h2>
            <ul>
                {practice.into_iter().map(|(what, place)| view! {
                    <li>{what}{(!place.is_empty()).then(|| format!(" ({place})"))}</li>
                }).collect_view()}
            </ul>
        </section>
    })
}

#[component]
pub(super) fn DraftBlock(
    page: Page,
    id: BlockId,
    numbers: Memo<std::collections::HashMap<BlockId, usize>>,
) -> impl IntoView {
    let state = page.state;
    let block = Memo::new(move |_| {
        state
            .blocks
            .with(|b| b.iter().find(|b| b.id == id).cloned())
    });
    let editing = move || page.editing.get().is_some_and(|(e, _)| e == id);
    let editor = move || {
        state.editors.with(|e| {
            e.iter()
                .find(|e| e.block == id && e.name != state.me.get())
                .map(|e| e.name.clone())
        })
    };
    let comments = move || {
        state.confirmed.with(|v| {
            v.as_ref().and_then(|v| v.as_ref()).map_or(0, |v| {
                v.comments
                    .iter()
                    .filter(|c| c.block == id && c.is_open())
                    .count()
            })
        })
    };
    let unsaved = move || {
        state.pending.with(|p| p.iter().any(|c| matches!(&c.message,
        ReportClientMessage::Edit { block, .. } | ReportClientMessage::Move { block, .. } if *block == id)
        || matches!(&c.message, ReportClientMessage::Insert { block, .. } if block.id == id)))
    };
    let evidence_open = RwSignal::new(false);
    let evidence = crate::browser::load_in_browser(move || {
        let open = evidence_open.get();
        async move {
            if open {
                Some(crate::report::report_evidence(state.review, id).await)
            } else {
                None
            }
        }
    });
    view! {
        {move || block.get().map(|b| {
            let number = numbers.with(|n| n.get(&b.id).copied());
            let kind = b.kind;
            let from_wall = b.message().is_some();
            let drafted_as = match &b.source {
                Some(crate::report::Source::Message { kind, .. }) => Some(kind.label()),
                _ => None,
            };
            let block_id = b.id.to_string();
            view! {
                <div class="report-block" data-kind=kind.as_str() data-block=block_id class:unsaved=unsaved>
                    {move || editor().map(|name| view! { <p class="block-editor">{format!("{name} is editing")}</p> })}
                    {drafted_as.map(|kind| view! { <span class="badge block-kind" title="Drafted from a key message of this kind">{kind}</span> })}
                    {move || if editing() {
                        view! { <BlockEditor page/> }.into_any()
                    } else {
                        let b = block.get_untracked().unwrap_or_else(|| b.clone());
                        let text_block = b.clone();
                        view! {
                            <div class="block-body" on:mouseup=move |_| select_in(page, &text_block)>
                                {block_body(&b, number)}
                                {(b.text.trim().is_empty() && kind != BlockKind::Heading).then(|| view! { <p class="block-empty">"(empty — write it)"</p> })}
                            </div>
                        }.into_any()
                    }}
                    <div class="block-tools">
                        {move || (comments() > 0).then(|| view! { <span class="badge">{format!("{} comment{}", comments(), if comments() == 1 { "" } else { "s" })}</span> })}
                        {(from_wall && page.may(Can::ViewReportEvidence)).then(|| view! {
                            <button type="button" class="button button-small button-quiet" aria-expanded=move || evidence_open.get().to_string()
                                on:click=move |_| evidence_open.update(|o| *o = !*o)>"Evidence"</button>
                        })}
                        {move || (page.writes() && !editing()).then(|| view! {
                            <button type="button" class="button button-small" on:click=move |_| {
                                if let Some(b) = block.get_untracked() { start_editing(page, &b); }
                            }>"Edit"</button>
                            <button type="button" class="button button-small button-quiet" on:click=move |_| insert_after(page, Some(id))>"Add below"</button>
                            <button type="button" class="button button-small button-quiet" aria-label="Move up" on:click=move |_| move_block(page, id, -1)>"↑"</button>
                            <button type="button" class="button button-small button-quiet" aria-label="Move down" on:click=move |_| move_block(page, id, 1)>"↓"</button>
                            <button type="button" class="button button-small button-quiet" on:click=move |_| {
                                state.change(ReportClientMessage::Delete { op: uuid::Uuid::new_v4(), block: id });
                                state.notice.set(Some(Notice::Deleted(id)));
                            }>"Delete"</button>
                        })}
                    </div>
                    {move || evidence.get().flatten().map(|result| match result {
                        Ok(notes) => view! {
                            <ul class="report-evidence" aria-label="The notes behind it">
                                {notes.is_empty().then(|| view! { <li>"No notes are linked to it on the wall."</li> })}
                                {notes.into_iter().map(|n| view! {
                                    <li><span class="badge">{n.kind.label()}</span>" "{n.text}<span class="evidence-source">{format!(" — {}, {}", n.source, n.stakeholder)}</span></li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p class="status status-error">{error.message}</p> }.into_any(),
                    })}
                </div>
            }
        })}
    }
}

#[component]
pub(super) fn BlockEditor(page: Page) -> impl IntoView {
    // Saved after a pause in typing, and when done.
    let typed = StoredValue::new(0u64);
    let on_input = move |ev| {
        page.draft.set(event_target_value(&ev));
        let this = typed.get_value() + 1;
        typed.set_value(this);
        #[cfg(feature = "hydrate")]
        set_timeout(
            move || {
                if typed.try_get_value() == Some(this) {
                    save(page);
                }
            },
            std::time::Duration::from_millis(1_500),
        );
    };
    let practice = page.practice;
    let field =
        move |label: &'static str, get: fn(&Practice) -> String, set: fn(&mut Practice, String)| {
            view! {
                <label class="field">{label}
                    <input type="text" maxlength="300" prop:value=move || practice.with(get)
                        on:input=move |ev| practice.update(|p| set(p, event_target_value(&ev)))/>
                </label>
            }
        };
    view! {
        <div class="block-edit">
            <label class="field">"Kind"
                <select on:change=move |ev| {
                    if let Some(kind) = BlockKind::parse(&event_target_value(&ev)) { page.draft_kind.set(kind); }
                }>
                    {BlockKind::ALL.into_iter().map(|kind| view! {
                        <option value=kind.as_str() selected=move || page.draft_kind.get() == kind>{kind.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">"Text (**bold**, *italic*, - list, [words](https://…))"
                <textarea class="block-text" rows="5" maxlength=MAX_BLOCK_CHARS.to_string() prop:value=move || page.draft.get() on:input=on_input
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" || (ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key())) {
                            ev.prevent_default();
                            finish(page);
                        }
                    }></textarea>
            </label>
            {move || (page.draft_kind.get() == BlockKind::Practice).then(|| view! {
                <div class="practice-fields">
                    {field("Council or body", |p| p.place.clone(), |p, v| p.place = v)}
                    {field("Contact (a role, not a name)", |p| p.contact.clone(), |p, v| p.contact = v)}
                    {field("Link (https://…)", |p| p.link.clone(), |p, v| p.link = v)}
                </div>
            })}
            <p class="block-count">{move || format!("{} / {MAX_BLOCK_CHARS}", page.draft.with(|d| d.chars().count()))}</p>
            <button type="button" class="button button-small" on:click=move |_| finish(page)>"Done"</button>
        </div>
    }
}

/// The newest version sent to the council, for the council.
#[component]
pub(super) fn CouncilVersion(page: Page) -> impl IntoView {
    let state = page.state;
    view! {
        {move || state.view().map(|view| match view.latest {
            None => view! { <p class="status">"The peer team has not sent the report to the council yet. It appears here when it does."</p> }.into_any(),
            Some(version) => {
                let numbers = recommendation_numbers(&version.blocks);
                let practice = practice_list(&version.blocks);
                view! {
                    <p class="report-version-label">{format!("Version {}, sent by {} on {}{}", version.number, version.sent_by, version.sent_at.get(..10).unwrap_or_default(),
                        if version.final_version { " — the final version, for sign-off" } else { "" })}</p>
                    {version.blocks.into_iter().map(|b| {
                        let number = numbers.get(&b.id).copied();
                        let open = view.comments.iter().filter(|c| c.block == b.id && c.is_open()).count();
                        let text_block = b.clone();
                        view! {
                            <div class="report-block" data-kind=b.kind.as_str() data-block=b.id.to_string()>
                                <div class="block-body" on:mouseup=move |_| select_in(page, &text_block)>{block_body(&b, number)}</div>
                                {(open > 0).then(|| view! { <div class="block-tools"><span class="badge">{format!("{open} comment{}", if open == 1 { "" } else { "s" })}</span></div> })}
                            </div>
                        }
                    }).collect_view()}
                    {practice}
                }.into_any()
            }
        })}
    }
}
