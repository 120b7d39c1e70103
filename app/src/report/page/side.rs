//! The side panels: the comment form, the threads, the versions and their diff, the additions
//! from the wall and the due dates.

use leptos::prelude::*;

use crate::membership::Action as Can;
use crate::report::anchor::locate;
use crate::report::diff::{BlockDiff, Change};
use crate::report::protocol::ReportClientMessage;
use crate::report::{BlockKind, Comment, CommentId, MAX_COMMENT_CHARS, Resolution, Round};

use super::blocks::{insert_after, save};
use super::context::Page;

/// The form for a new thread on the selected words.
#[component]
pub(super) fn CommentForm(page: Page) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let suggestion = RwSignal::new(String::new());
    let suggest = RwSignal::new(false);
    let factual = RwSignal::new(false);
    let council = move || !page.may(Can::ReadDraft);
    let submit = move || {
        let Some((block, anchor)) = page.selection.get_untracked() else {
            return;
        };
        let body = text.get_untracked();
        let proposed = suggest
            .get_untracked()
            .then(|| suggestion.get_untracked())
            .filter(|s| !s.trim().is_empty());
        if body.trim().is_empty() && proposed.is_none() {
            page.notice("Write a comment or suggest a change.");
            return;
        }
        page.state.change(ReportClientMessage::Comment {
            op: uuid::Uuid::new_v4(),
            id: CommentId::new(),
            block,
            anchor,
            text: body,
            suggestion: proposed,
            factual: factual.get_untracked(),
        });
        page.selection.set(None);
        text.set(String::new());
        suggestion.set(String::new());
        suggest.set(false);
        factual.set(false);
    };
    view! {
        {move || match page.selection.get() {
            None => page.comments_now().then(|| view! {
                <p class="report-hint">"Select words in the report to comment on them or suggest a change."</p>
            }.into_any()),
            Some((_, anchor)) => Some(view! {
                <section class="comment-form panel" aria-labelledby="comment-form-title">
                    <h2 id="comment-form-title">"Comment"</h2>
                    <p class="comment-quote">"On “"{anchor.exact.clone()}"”"</p>
                    <label class="field">"Your comment"
                        <textarea rows="3" maxlength=MAX_COMMENT_CHARS.to_string() prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    </label>
                    <label class="check"><input type="checkbox" prop:checked=move || suggest.get() on:change={
                        let exact = anchor.exact.clone();
                        move |ev| {
                            let on = event_target_checked(&ev);
                            suggest.set(on);
                            if on && suggestion.get_untracked().is_empty() { suggestion.set(exact.clone()); }
                        }
                    }/>" Suggest new words"</label>
                    {move || suggest.get().then(|| view! {
                        <label class="field">"Replace with"
                            <textarea rows="2" prop:value=move || suggestion.get() on:input=move |ev| suggestion.set(event_target_value(&ev))></textarea>
                        </label>
                    })}
                    {move || council().then(|| view! {
                        <label class="check"><input type="checkbox" prop:checked=move || factual.get() on:change=move |ev| factual.set(event_target_checked(&ev))/>" This is a point of factual accuracy"</label>
                    })}
                    <button type="button" class="button" on:click=move |_| submit()>"Add the comment"</button>
                    <button type="button" class="button button-quiet" on:click=move |_| page.selection.set(None)>"Cancel"</button>
                </section>
            }.into_any()),
        }}
    }
}

/// The threads this person may see, open first.
#[component]
pub(super) fn Threads(page: Page) -> impl IntoView {
    let state = page.state;
    let threads = Memo::new(move |_| {
        let mut list: Vec<Comment> = state.view().map(|v| v.comments).unwrap_or_default();
        list.sort_by_key(|c| (!c.is_open(), c.at.clone()));
        list
    });
    view! {
        <section class="report-threads" aria-labelledby="threads-title">
            <h2 id="threads-title">{move || format!("Comments ({} open)", threads.with(|t| t.iter().filter(|c| c.is_open()).count()))}</h2>
            {move || threads.with(Vec::is_empty).then(|| view! { <p class="status">"No comments yet."</p> })}
            <For each=move || threads.get() key=|c| (c.id, c.rev, c.replies.len()) let:comment>
                <Thread page comment/>
            </For>
        </section>
    }
}

#[component]
pub(super) fn Thread(page: Page, comment: Comment) -> impl IntoView {
    let state = page.state;
    let id = comment.id;
    let block_text = move || {
        let view = state.view()?;
        if view.draft {
            state.blocks.with(|b| {
                b.iter()
                    .find(|b| b.id == comment.block)
                    .map(|b| b.text.clone())
            })
        } else {
            view.latest.and_then(|v| {
                v.blocks
                    .into_iter()
                    .find(|b| b.id == comment.block)
                    .map(|b| b.text)
            })
        }
    };
    let moved = {
        let anchor = comment.anchor.clone();
        move || block_text().is_none_or(|text| locate(&text, &anchor).is_none())
    };
    let reply = RwSignal::new(String::new());
    let writes = page.writes();
    let may_reply = writes
        || (comment.council && page.may(Can::CommentAsCouncil))
        || (!comment.council && page.may(Can::CommentOnDraft));
    let resolve = move |resolution: Option<Resolution>| {
        state.change(ReportClientMessage::Resolve {
            op: uuid::Uuid::new_v4(),
            comment: id,
            resolution,
        });
    };
    let open = comment.is_open();
    let council = comment.council;
    view! {
        <article class="thread" class:resolved=!open class:council=council data-comment=id.to_string()>
            <p class="comment-quote">"“"{comment.anchor.exact.clone()}"”"
                {move || moved().then(|| view! { <span class="badge badge-warning">"On text that has changed"</span> })}
            </p>
            <p class="thread-meta">
                <strong>{comment.author.clone()}</strong>
                {council.then(|| view! { <span class="badge">"Council"</span> })}
                {comment.factual.then(|| view! { <span class="badge badge-warning">"Factual accuracy"</span> })}
                {comment.version.map(|v| format!(" · on version {v}"))}
            </p>
            {(!comment.text.is_empty()).then(|| view! { <p class="thread-text">{comment.text.clone()}</p> })}
            {comment.suggestion.clone().map(|s| view! { <p class="thread-suggestion">"Suggests: “"<ins>{s}</ins>"”"</p> })}
            {comment.replies.iter().map(|r| view! {
                <p class="thread-reply"><strong>{r.author.clone()}": "</strong>{r.text.clone()}</p>
            }).collect_view()}
            {comment.resolution.map(|r| view! {
                <p class="thread-resolution">{format!("{} by {}", r.label(), comment.resolved_by.clone().unwrap_or_default())}</p>
            })}
            <div class="thread-actions">
                {(writes && open && comment.suggestion.is_some()).then(|| view! {
                    <button type="button" class="button button-small" on:click=move |_| {
                        state.change(ReportClientMessage::AcceptSuggestion { op: uuid::Uuid::new_v4(), comment: id });
                    }>"Accept the suggestion"</button>
                    <button type="button" class="button button-small button-quiet" on:click=move |_| resolve(Some(Resolution::Rejected))>"Reject"</button>
                })}
                {(writes && open && council).then(|| view! {
                    <button type="button" class="button button-small button-quiet" on:click=move |_| resolve(Some(Resolution::Changed))>"Changed"</button>
                    <button type="button" class="button button-small button-quiet" on:click=move |_| resolve(Some(Resolution::Answered))>"Answered"</button>
                })}
                {(writes && open && !council).then(|| view! {
                    <button type="button" class="button button-small button-quiet" on:click=move |_| resolve(Some(Resolution::Resolved))>"Resolve"</button>
                })}
                {(writes && !open).then(|| view! {
                    <button type="button" class="button button-small button-quiet" on:click=move |_| resolve(None)>"Reopen"</button>
                })}
            </div>
            {(may_reply && page.round().is_some_and(Round::editable)).then(|| view! {
                <div class="thread-reply-form">
                    <label class="visually-hidden" for=format!("reply-{id}")>"Reply"</label>
                    <input id=format!("reply-{id}") type="text" placeholder="Reply" maxlength=MAX_COMMENT_CHARS.to_string()
                        prop:value=move || reply.get() on:input=move |ev| reply.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Enter" && !reply.get_untracked().trim().is_empty() {
                                state.change(ReportClientMessage::Reply { op: uuid::Uuid::new_v4(), comment: id, text: reply.get_untracked() });
                                reply.set(String::new());
                            }
                        }/>
                </div>
            })}
        </article>
    }
}

/// The versions sent to the council: download, and compare any two.
#[component]
pub(super) fn Versions(page: Page) -> impl IntoView {
    let state = page.state;
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let diff = Action::new(move |(a, b): &(u32, u32)| {
        crate::report::diff_report_versions(state.review, *a, *b)
    });
    view! {
        {move || state.view().map(|view| view.versions).filter(|v| !v.is_empty()).map(|versions| {
            let options = versions.iter().map(|v| v.number).collect::<Vec<_>>();
            let last = options.last().copied().unwrap_or(1);
            if from.get_untracked().is_empty() {
                from.set(options.first().copied().unwrap_or(1).to_string());
                to.set(last.to_string());
            }
            view! {
                <section class="report-versions" aria-labelledby="versions-title">
                    <h2 id="versions-title">"Versions sent to the council"</h2>
                    <ul>
                        {versions.into_iter().map(|v| view! {
                            <li>
                                {format!("Version {}{} — {} on {} ", v.number, if v.final_version { " (final)" } else { "" }, v.sent_by, v.sent_at.get(..10).unwrap_or_default())}
                                <a href=format!("/api/reviews/{}/report.docx?version={}", state.review, v.number) download>"Word"</a>
                            </li>
                        }).collect_view()}
                    </ul>
                    {(options.len() > 1).then(|| {
                        let options2 = options.clone();
                        view! {
                            <div class="versions-compare">
                                <label>"Compare "<select on:change=move |ev| from.set(event_target_value(&ev))>
                                    {options.iter().copied().map(|n| view! { <option value=n.to_string() selected=move || from.get() == n.to_string()>{n.to_string()}</option> }).collect_view()}
                                </select></label>
                                <label>" with "<select on:change=move |ev| to.set(event_target_value(&ev))>
                                    {options2.iter().copied().map(|n| view! { <option value=n.to_string() selected=move || to.get() == n.to_string()>{n.to_string()}</option> }).collect_view()}
                                </select></label>
                                <button type="button" class="button button-small" on:click=move |_| {
                                    if let (Ok(a), Ok(b)) = (from.get_untracked().parse(), to.get_untracked().parse()) { diff.dispatch((a, b)); }
                                }>"Show what changed"</button>
                            </div>
                        }
                    })}
                    {move || diff.value().get().map(|result| match result {
                        Ok(blocks) => view! { <DiffView blocks/> }.into_any(),
                        Err(error) => view! { <p class="status status-error">{error.message}</p> }.into_any(),
                    })}
                </section>
            }
        })}
    }
}

#[component]
pub(super) fn DiffView(blocks: Vec<BlockDiff>) -> impl IntoView {
    let changed: Vec<BlockDiff> = blocks.into_iter().filter(|b| b.changed).collect();
    view! {
        <div class="report-diff" aria-label="What changed">
            {changed.is_empty().then(|| view! { <p>"Nothing changed."</p> })}
            {changed.into_iter().map(|b| view! {
                <p class="diff-block" data-change=format!("{:?}", b.change).to_lowercase()>
                    {b.words.into_iter().map(|w| match w.change {
                        Change::Kept => w.text.into_any(),
                        Change::Added => view! { <ins>{w.text}</ins> }.into_any(),
                        Change::Removed => view! { <del>{w.text}</del> }.into_any(),
                    }).collect_view()}
                </p>
            }).collect_view()}
        </div>
    }
}

/// Key messages added or changed on the wall since the draft, and the scale of the work.
#[component]
pub(super) fn Additions(page: Page) -> impl IntoView {
    let review = page.state.review;
    let taken = RwSignal::new(0u32);
    let additions = crate::browser::load_in_browser(move || {
        taken.track();
        page.refreshed.track();
        crate::report::report_additions(review)
    });
    let take = Action::new(move |(message, accept): &(crate::wall::MessageId, bool)| {
        let (message, accept) = (*message, *accept);
        async move {
            let result = crate::report::take_report_addition(review, message, accept).await;
            taken.update(|n| *n += 1);
            result
        }
    });
    let scale = Action::new(move |_: &()| crate::report::report_scale(review));
    Effect::new(move |_| {
        if let Some(Ok(sentence)) = scale.value().get() {
            let blocks = page.state.blocks.get_untracked();
            let after = blocks
                .iter()
                .position(|b| {
                    b.kind == BlockKind::Heading
                        && b.text == crate::report::generate::EXECUTIVE_SUMMARY
                })
                .map(|i| blocks[i].id);
            insert_after(page, after);
            page.draft.set(sentence);
            save(page);
        }
    });
    view! {
        <section class="report-additions" aria-labelledby="additions-title">
            <h2 id="additions-title">"From the wall"</h2>
            <button type="button" class="button button-small button-quiet" on:click=move |_| { scale.dispatch(()); }>"Insert the scale of the work"</button>
            {move || additions.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p class="status">"Every key message on the wall is in the report."</p> }.into_any(),
                Ok(list) => view! {
                    <ul>
                        {list.into_iter().map(|a| {
                            let message = a.message;
                            view! {
                                <li>
                                    <span class="badge">{a.kind.label()}</span>" "{a.text.clone()}
                                    <span class="addition-where">{format!(" — {}{}", a.heading, if a.changed.is_some() { ", reworded on the wall" } else { "" })}</span>
                                    <button type="button" class="button button-small" on:click=move |_| { take.dispatch((message, true)); }>"Add to the report"</button>
                                    <button type="button" class="button button-small button-quiet" on:click=move |_| { take.dispatch((message, false)); }>"Set aside"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => view! { <p class="status status-error">{error.message}</p> }.into_any(),
            })}
        </section>
    }
}

/// The facilitator sets when each round is due.
#[component]
pub(super) fn DueDatesForm(page: Page) -> impl IntoView {
    let state = page.state;
    let set = ServerAction::<crate::report::SetReportDueDates>::new();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    view! {
        {move || state.view().map(|view| view! {
            <section class="report-due" aria-labelledby="due-title">
                <h2 id="due-title">"Due dates"</h2>
                <ActionForm action=set attr:class="form">
                    <input type="hidden" name="review" value=state.review.to_string()/>
                    <label class="field">"Peer comments"<input type="date" name="peer_comments" value=date(view.due.peer_comments)/></label>
                    <label class="field">"Council comments"<input type="date" name="council_comments" value=date(view.due.council_comments)/></label>
                    <label class="field">"Final version"<input type="date" name="final_version" value=date(view.due.final_version)/></label>
                    <label class="field">"Sign-off"<input type="date" name="sign_off" value=date(view.due.sign_off)/></label>
                    <button type="submit" class="button button-small">"Save the dates"</button>
                </ActionForm>
                <p class="status status-error" role="alert">{move || set.value().get().and_then(Result::err).map(|e| e.message)}</p>
            </section>
        })}
    }
}
