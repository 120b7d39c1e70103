//! The round bar: where the report stands and the steps this person may take, with the
//! non-attribution check before a version goes.

use leptos::prelude::*;

use crate::membership::Action as Can;
use crate::report::Round;

use super::context::Page;

/// The round, its due date, the open comments, and the steps this person may take.
#[component]
pub(super) fn RoundBar(page: Page) -> impl IntoView {
    let state = page.state;
    let step = Action::new(move |(name, version): &(String, Option<u32>)| {
        crate::report::report_step(state.review, name.clone(), *version)
    });
    let checking = RwSignal::new(false);
    let sign_off_number = RwSignal::new(String::new());
    let error = move || step.value().get().and_then(Result::err).map(|e| e.message);
    Effect::new(move |_| {
        if step.value().get().is_some_and(|r| r.is_ok()) {
            checking.set(false);
            page.refreshed.update(|n| *n += 1);
        }
    });
    let go = move |name: &'static str| {
        step.dispatch((name.to_string(), None));
    };
    view! {
        {move || state.view().map(|view| {
            let round = view.round;
            let open = view.open_comments();
            let due = match round {
                Round::TeamDraft | Round::PeerComments => view.due.peer_comments,
                Round::SentToCouncil | Round::CouncilComments => view.due.council_comments,
                Round::Final => view.due.final_version.or(view.due.sign_off),
                Round::SignedOff => None,
            };
            let latest = view.versions.last().cloned();
            let writes = page.may(Can::WriteReport);
            let signs = page.may(Can::SignOffReport);
            let next_number = latest.as_ref().map_or(1, |v| v.number + 1);
            view! {
                <div class="report-round" data-round=round.as_str()>
                    <p>
                        <strong>"Round: "{round.label()}</strong>
                        {due.map(|d| format!(" · due {}", d.format("%-d %B %Y")))}
                        {format!(" · {open} open comment{}", if open == 1 { "" } else { "s" })}
                        {latest.as_ref().map(|v| format!(" · version {} sent", v.number))}
                        {move || (!state.live.get()).then_some(" · reconnecting…")}
                        {move || {
                            let unsaved = state.pending.with(Vec::len);
                            (unsaved > 0).then(|| format!(" · {unsaved} change{} not yet saved", if unsaved == 1 { "" } else { "s" }))
                        }}
                    </p>
                    {view.signed_off.clone().map(|s| view! {
                        <p class="report-signed">{format!("Signed off: version {} by {} on {}.", s.version, s.by, s.at.get(..10).unwrap_or_default())}</p>
                    })}
                    <div class="report-steps">
                        {(writes && round == Round::TeamDraft).then(|| view! {
                            <button type="button" class="button" on:click=move |_| go("ask_peers")>"Ask the peers for comments"</button>
                        })}
                        {(writes && matches!(round, Round::PeerComments | Round::SentToCouncil | Round::CouncilComments)).then(|| view! {
                            <button type="button" class="button" on:click=move |_| checking.set(true)>
                                {format!("Check and send version {next_number} to the council")}
                            </button>
                        })}
                        {((writes || signs) && round.council_comments_open()).then(|| view! {
                            <button type="button" class="button button-quiet" on:click=move |_| go("close_council_comments")>"Close the council’s comments"</button>
                        })}
                        {(writes && round == Round::Final && !latest.as_ref().is_some_and(|v| v.final_version)).then(|| view! {
                            <button type="button" class="button" on:click=move |_| checking.set(true)>
                                {format!("Check and send the final version ({next_number})")}
                            </button>
                        })}
                        {(signs && round == Round::Final).then(|| latest.clone().filter(|v| v.final_version).map(|v| {
                            let number = v.number;
                            view! {
                                <div class="report-sign-off">
                                    <label for="sign-off-version">{format!("To sign off, type the version number ({number})")}</label>
                                    <input id="sign-off-version" inputmode="numeric" prop:value=move || sign_off_number.get()
                                        on:input=move |ev| sign_off_number.set(event_target_value(&ev))/>
                                    <button type="button" class="button"
                                        disabled=move || sign_off_number.get().trim() != number.to_string()
                                        on:click=move |_| { step.dispatch(("sign_off".into(), Some(number))); }>
                                        {format!("Sign off version {number}")}
                                    </button>
                                </div>
                            }
                        }))}
                        <a class="button button-quiet" href=format!("/api/reviews/{}/report.docx{}", state.review,
                            if view.draft { String::new() } else { latest.as_ref().map(|v| format!("?version={}", v.number)).unwrap_or_default() })
                            download>
                            {if view.draft { "Download the draft (Word)" } else { "Download (Word)" }}
                        </a>
                        <button type="button" class="button button-quiet" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            { let _ = window().print(); }
                        }>"Print or save as PDF"</button>
                    </div>
                    {move || checking.get().then(|| view! {
                        <Guard page final_version=round == Round::Final step next_number close=move || checking.set(false)/>
                    })}
                    <p class="status status-error" role="alert">{error}</p>
                </div>
            }
        })}
    }
}

/// The non-attribution check, then the send.
#[component]
pub(super) fn Guard(
    page: Page,
    final_version: bool,
    step: Action<(String, Option<u32>), Result<(), crate::error::AppError>>,
    next_number: u32,
    close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let review = page.state.review;
    let confirmed = RwSignal::new(0u32);
    let findings = crate::browser::load_in_browser(move || {
        confirmed.track();
        crate::report::check_report_attribution(review)
    });
    let confirm = Action::new(move |key: &String| {
        let key = key.clone();
        async move {
            let result = crate::report::confirm_report_finding(review, key).await;
            confirmed.update(|n| *n += 1);
            result
        }
    });
    view! {
        <section class="report-guard panel" aria-labelledby="guard-title">
            <h2 id="guard-title">"Non-attribution check"</h2>
            <p>"Before the council sees it, the draft is checked for people’s names, sessions that identify a person, and notes quoted word for word. Fix each in the draft, or confirm it may stay."</p>
            {move || match findings.get() {
                None => view! { <p class="status">"Checking…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="status status-error">{error.message}</p> }.into_any(),
                Some(Ok(list)) => {
                    let open = list.iter().filter(|f| !f.confirmed).count();
                    view! {
                        {list.is_empty().then(|| view! { <p class="status status-ok">"Nothing found."</p> })}
                        <ul class="guard-findings">
                            {list.into_iter().map(|f| {
                                let key = f.finding.key.clone();
                                view! {
                                    <li class:confirmed=f.confirmed>
                                        <strong>{f.finding.kind.label()}": "</strong>"“"{f.finding.text.clone()}"”"
                                        <span class="guard-context">{format!(" in “{}…”", f.context)}</span>
                                        {if f.confirmed {
                                            view! { <span class="badge">"Confirmed"</span> }.into_any()
                                        } else {
                                            view! { <button type="button" class="button button-small" on:click=move |_| { confirm.dispatch(key.clone()); }>"Confirm it may stay"</button> }.into_any()
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <button type="button" class="button" disabled={open > 0} on:click=move |_| {
                            step.dispatch((if final_version { "send_final" } else { "send" }.to_string(), None));
                        }>
                            {if final_version { format!("Send the final version ({next_number}) for sign-off") } else { format!("Send version {next_number} to the council") }}
                        </button>
                        <button type="button" class="button button-quiet" on:click=move |_| close()>"Not now"</button>
                    }.into_any()
                }
            }}
        </section>
    }
}
