//! The review page's progress review panels: the facilitator schedules it (both readings of its
//! window shown, the original team to invite again), and a progress review's team reads where
//! the council says each recommendation stands.

use leptos::prelude::*;

use crate::error::AppError;
use crate::plan::{
    ProgressReviewInput, ProgressSetup, ProgressWindow, get_progress_statements,
    progress_review_setup, schedule_progress_review,
};
use crate::review::{ReviewId, format_date_range};

fn window_text(window: &ProgressWindow) -> String {
    let visit = format_date_range(window.from_visit.0, window.from_visit.1);
    match window.from_report {
        Some((from, to)) => format!(
            "10–12 months after the visit: {visit}. After the final report: {}.",
            format_date_range(from, to)
        ),
        None => format!("10–12 months after the visit: {visit}."),
    }
}

/// The facilitator schedules the progress review, once the report is signed off.
#[component]
pub fn ProgressReviewScheduler(review: ReviewId) -> impl IntoView {
    let setup = crate::browser::load_in_browser(move || progress_review_setup(review));
    move || match setup.get() {
        Some(Ok(setup)) if setup.signed_off && setup.scheduled.is_none() => {
            view! { <SchedulerForm review setup/> }.into_any()
        }
        _ => ().into_any(),
    }
}

#[component]
fn SchedulerForm(review: ReviewId, setup: ProgressSetup) -> impl IntoView {
    let start = RwSignal::new(setup.window.from_visit.0.to_string());
    let end = RwSignal::new(String::new());
    let chosen = RwSignal::new(setup.team.iter().map(|m| m.person).collect::<Vec<_>>());
    let confirmed = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<crate::plan::ScheduledProgressReview>);
    let saving = RwSignal::new(false);
    let field_error = move |field: &'static str| {
        move || error.with(|e| e.as_ref().and_then(|e| e.message_for(field)))
    };
    let outside = move || {
        error.with(|e| {
            e.as_ref().is_some_and(|e| {
                e.field.as_deref() == Some("start") && e.message.contains("outside")
            })
        })
    };
    let schedule = move || {
        saving.set(true);
        let input = ProgressReviewInput {
            start: start.get_untracked(),
            end: end.get_untracked(),
            team: chosen.get_untracked(),
            outside_confirmed: confirmed.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match schedule_progress_review(review, input).await {
                Ok(scheduled) => {
                    error.set(None);
                    done.set(Some(scheduled));
                }
                Err(e) => error.set(Some(e)),
            }
            saving.set(false);
        });
    };
    let window = window_text(&setup.window);
    let team = setup.team.clone();
    view! {
        <section class="panel progress-scheduler" aria-labelledby="progress-title">
            <h2 id="progress-title">"Progress review"</h2>
            {move || match done.get() {
                Some(scheduled) => view! {
                    <p class="status">"Scheduled. "
                        <a href=format!("/reviews/{}", scheduled.review)>"Open the progress review"</a>
                        {format!(" — {} of the team invited again.", scheduled.invitations.len())}
                    </p>
                    <ul class="invitation-links">
                        {scheduled.invitations.into_iter().filter(|i| !i.emailed).map(|i| view! {
                            <li>{format!("{}: ", i.email)}<code>{i.path}</code></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                None => ().into_any(),
            }}
            <p class="hint">{window.clone()}</p>
            <form class="progress-form" novalidate on:submit=move |ev| { ev.prevent_default(); schedule(); }>
                <div class="field-row">
                    <div class="field">
                        <label for="progress-start">"First day"</label>
                        <input id="progress-start" type="date" prop:value=move || start.get()
                            on:input=move |ev| start.set(event_target_value(&ev))/>
                        <p class="field-error">{field_error("start")}</p>
                    </div>
                    <div class="field">
                        <label for="progress-end">"Second day, if two"</label>
                        <input id="progress-end" type="date" prop:value=move || end.get()
                            on:input=move |ev| end.set(event_target_value(&ev))/>
                        <p class="field-error">{field_error("end")}</p>
                    </div>
                </div>
                {move || outside().then(|| view! {
                    <label class="check"><input type="checkbox" on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                        " Keep these days outside the window"</label>
                })}
                <fieldset class="progress-team">
                    <legend>"Invite again from the peer team"</legend>
                    {team.into_iter().map(|member| {
                        let person = member.person;
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&person))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| {
                                            c.retain(|p| *p != person);
                                            if on { c.push(person); }
                                        });
                                    }/>
                                {format!(" {} ({})", member.name, member.role.label().to_lowercase())}
                            </label>
                        }
                    }).collect_view()}
                    <p class="hint">"The council's people come along; invite anyone new from the progress review's page."</p>
                </fieldset>
                <p class="status status-error" role="alert">{move || error.with(|e| e.as_ref().filter(|e| e.field.as_deref().is_none_or(|f| f == "team")).map(|e| e.message.clone()))}</p>
                <button type="submit" class="button" disabled=move || saving.get() || done.with(Option::is_some)>"Schedule the progress review"</button>
            </form>
        </section>
    }
}

/// For a progress review: the council's progress statement and its actions' statuses on each
/// recommendation of the review it follows up.
#[component]
pub fn ProgressStatementsPanel(review: ReviewId) -> impl IntoView {
    let statements = crate::browser::load_in_browser(move || get_progress_statements(review));
    view! {
        <section class="panel progress-statements" aria-labelledby="statements-title">
            <h2 id="statements-title">"Where the council says each recommendation stands"</h2>
            {move || match statements.get() {
                None => view! { <p class="status">"Loading the council's progress…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="status status-error">{error.message}</p> }.into_any(),
                Some(Ok(statements)) => view! {
                    <p class="hint">"From the action plan of "
                        <a href=format!("/reviews/{}/plan", statements.parent)>{statements.parent_title.clone()}</a>"."</p>
                    <ol class="progress-list">
                        {statements.recommendations.into_iter().map(|r| view! {
                            <li value=r.number.to_string()>
                                <p><strong>{r.text}</strong></p>
                                <p class="rag-counts">
                                    {r.statuses.into_iter().map(|(status, n)| view! {
                                        <span class=format!("rag rag-{}", status.as_str())>{format!("{n} {}", status.short().to_lowercase())}</span>" "
                                    }).collect_view()}
                                    {(r.overdue > 0).then(|| view! { <span class="overdue-flag">{format!("{} overdue", r.overdue)}</span> })}
                                </p>
                                <p>{if r.progress.is_empty() { "No progress statement yet.".to_string() } else { r.progress }}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
        </section>
    }
}
