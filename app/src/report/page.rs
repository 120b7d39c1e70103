//! `/reviews/:id/report`: the feedback report. The authors edit its blocks live; the peer team
//! comments in the peer round; the council reads the versions sent to it, selects words to
//! comment or suggest a change, and the host lead signs off the final version.

mod blocks;
mod context;
mod round;
mod side;

use crate::layout::NotAvailable;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::membership::{Action as Can, Role, allows_in};
use crate::report::protocol::ReportClientMessage;
use crate::report::state::{Notice, ReportState};
use crate::report::{BlockKind, Practice};
use crate::review::{ReviewId, ReviewType, load_review};

use blocks::{CouncilVersion, TeamDraft};
use context::Page;
use round::RoundBar;
use side::{Additions, CommentForm, DueDatesForm, Threads, Versions};

/// `/reviews/:id/report`.
#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let overview = Resource::new(move || params.read().get("id"), load_review);
    view! {
        <Title text="Report"/>
        <Suspense fallback=|| view! { <p class="status">"Loading…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(overview) => view! {
                    <Report
                        review=overview.summary.id
                        title=overview.summary.title.clone()
                        role=overview.my_role
                        programme=overview.summary.review_type
                    />
                }.into_any(),
                Err(error) => view! {
                    <NotAvailable title="Report" heading="The report is not available".to_string() message=error.message/>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Report(review: ReviewId, title: String, role: Role, programme: ReviewType) -> impl IntoView {
    let allowed =
        allows_in(programme, role, Can::ReadReport) || allows_in(programme, role, Can::ReadDraft);
    if !allowed {
        return view! {
            <Title text="Report"/>
            <section class="narrow">
                <h1>"Feedback report"</h1>
                <p class="status status-error" role="alert">"The report is for the peer team and the host council."</p>
            </section>
        }
        .into_any();
    }
    let state = ReportState::new(review);
    let page = Page {
        state,
        role,
        programme,
        selection: RwSignal::new(None),
        editing: RwSignal::new(None),
        draft: RwSignal::new(String::new()),
        draft_kind: RwSignal::new(BlockKind::Paragraph),
        practice: RwSignal::new(Practice::default()),
        refreshed: RwSignal::new(0),
    };
    let heading = format!("Feedback report: {title}");
    view! {
        <Title text=format!("Report · {title}")/>
        <section class="report-page" aria-labelledby="report-title">
            <p class="breadcrumb"><a href=format!("/reviews/{review}")>"← The review"</a></p>
            <h1 id="report-title">{heading}</h1>
            <Notices page/>
            {move || match state.confirmed.get() {
                None => view! { <p class="status">"Opening the report…"</p> }.into_any(),
                Some(None) => view! { <NotDrafted page/> }.into_any(),
                Some(Some(_)) => view! { <Drafted page/> }.into_any(),
            }}
        </section>
    }
    .into_any()
}

#[component]
fn Notices(page: Page) -> impl IntoView {
    let state = page.state;
    view! {
        {move || state.notice.get().map(|notice| match notice {
            Notice::Error(message) => view! {
                <p class="status status-error" role="alert">{message}
                    <button type="button" class="button button-small button-quiet" on:click=move |_| state.notice.set(None)>"Dismiss"</button>
                </p>
            }.into_any(),
            Notice::Deleted(block) => view! {
                <p class="report-toast" role="status">"Block deleted. "
                    <button type="button" class="button button-small" on:click=move |_| {
                        state.change(ReportClientMessage::Restore { op: uuid::Uuid::new_v4(), block });
                        state.notice.set(None);
                    }>"Undo"</button>
                </p>
            }.into_any(),
            Notice::Moved(block, from) => view! {
                <p class="report-toast" role="status">"Block moved. "
                    <button type="button" class="button button-small" on:click=move |_| {
                        state.change(ReportClientMessage::Move { op: uuid::Uuid::new_v4(), block, order: from.clone() });
                        state.notice.set(None);
                    }>"Undo"</button>
                </p>
            }.into_any(),
        })}
        <For each=move || state.conflicts.get() key=|c| (c.block, c.theirs.rev) let:conflict>
            {
                let block = conflict.block;
                let mine = conflict.mine.clone();
                let theirs = conflict.theirs.clone();
                view! {
                    <div class="report-conflict" role="alert">
                        <p><strong>"Someone else changed this block while you were writing."</strong>" Choose which text to keep."</p>
                        <div class="conflict-texts">
                            <div><h3>"Theirs"</h3><p>{theirs.text.clone()}</p></div>
                            <div><h3>"Yours"</h3><p>{mine.clone()}</p></div>
                        </div>
                        <button type="button" class="button button-small" on:click=move |_| {
                            state.conflicts.update(|c| c.retain(|c| c.block != block));
                        }>"Keep theirs"</button>
                        <button type="button" class="button button-small" on:click={
                            let theirs = theirs.clone();
                            let mine = mine.clone();
                            move |_| {
                                state.change(ReportClientMessage::Edit {
                                    op: uuid::Uuid::new_v4(),
                                    block,
                                    base: theirs.rev,
                                    kind: theirs.kind,
                                    text: mine.clone(),
                                    practice: theirs.practice.clone(),
                                });
                                state.conflicts.update(|c| c.retain(|c| c.block != block));
                            }
                        }>"Use mine"</button>
                    </div>
                }
            }
        </For>
    }
}

#[component]
fn NotDrafted(page: Page) -> impl IntoView {
    let create = Action::new(move |_: &()| crate::report::create_report(page.state.review));
    let error = move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message)
    };
    view! {
        <div class="panel">
            {if page.may(Can::WriteReport) {
                view! {
                    <p>"The report has not been drafted yet. Drafting takes the key messages from the wall: a section per heading in presentation order, a paragraph per key message, the recommendations numbered under “Key recommendations”, and an executive summary and next steps to write."</p>
                    <button type="button" class="button" on:click=move |_| { create.dispatch(()); }>"Draft the report from the wall"</button>
                }.into_any()
            } else {
                view! { <p>"The report has not been drafted yet."</p> }.into_any()
            }}
            <p class="status status-error" role="alert">{error}</p>
        </div>
    }
}

#[component]
fn Drafted(page: Page) -> impl IntoView {
    let state = page.state;
    let team = move || {
        state
            .confirmed
            .with(|v| v.as_ref().and_then(|v| v.as_ref()).is_some_and(|v| v.draft))
    };
    view! {
        <RoundBar page/>
        <div class="report-layout">
            <article class="report-doc" aria-label="The report">
                {move || {
                    let signed = state.confirmed.with(|v| v.as_ref().and_then(|v| v.as_ref()).is_some_and(|v| v.signed_off.is_some()));
                    (!signed).then(|| view! { <p class="report-draft-mark">"Draft — not for publication"</p> })
                }}
                {move || if team() {
                    view! { <TeamDraft page/> }.into_any()
                } else {
                    view! { <CouncilVersion page/> }.into_any()
                }}
            </article>
            <aside class="report-side" aria-label="Comments and versions">
                <CommentForm page/>
                <Threads page/>
                <Versions page/>
                {move || (team() && page.may(Can::WriteReport)).then(|| view! { <Additions page/> })}
                {move || page.may(Can::SetReportDueDates).then(|| view! { <DueDatesForm page/> })}
            </aside>
        </div>
    }
}
