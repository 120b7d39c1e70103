//! `/reviews/:id/plan`: the council's action plan, one section per recommendation of the
//! signed-off report with its actions (owner, due date, RAG status and a sentence, evidence),
//! what is overdue, the council's progress statements, the downloads (Word, CSV), when and where
//! the report and the plan were published, and which host readers may edit.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::membership::{Action, Role, allows};
use crate::plan::state::{PlanState, follow_plan};
use crate::plan::{
    ActionInput, ActionPlanView, ActionStatus, PlanAction, PlanActionId, PlanRecommendation,
    Publishing, allow_plan_editor, make_action_plan, record_publication, remove_plan_action,
    save_plan_action, save_progress_statement,
};
use crate::review::ReviewId;

/// `/reviews/:id/plan`.
#[component]
pub fn ActionPlanPage() -> impl IntoView {
    crate::present::with_review("Action plan", |review, title, role| {
        view! { <Plan review title role/> }
    })
}

/// Runs a server function that answers with the plan, showing it or the error.
fn run<F>(state: PlanState, error: RwSignal<Option<AppError>>, call: F)
where
    F: std::future::Future<Output = Result<ActionPlanView, AppError>> + 'static,
{
    leptos::task::spawn_local(async move {
        match call.await {
            Ok(plan) => {
                error.set(None);
                state.show(plan);
            }
            Err(e) => error.set(Some(e)),
        }
    });
}

#[component]
fn Plan(review: ReviewId, title: String, role: Role) -> impl IntoView {
    let state = follow_plan(review);
    // Which form is open: an action (new or existing) or nothing. It stands outside the live
    // part, so a change arriving while someone types never redraws their half-filled form.
    let editing = RwSignal::new(None::<ActionInput>);
    view! {
        <Title text=format!("Action plan · {title}")/>
        <section class="action-plan">
            <p class="breadcrumb"><a href=format!("/reviews/{review}")>{title.clone()}</a></p>
            <h1>"Action plan"</h1>
            <p class="status status-error" role="alert">{move || state.error.get()}</p>
            {move || match state.view.get() {
                None => view! { <p class="status">"Loading the action plan…"</p> }.into_any(),
                Some(plan) => view! { <Loaded review role plan state editing/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Loaded(
    review: ReviewId,
    role: Role,
    plan: ActionPlanView,
    state: PlanState,
    editing: RwSignal<Option<ActionInput>>,
) -> impl IntoView {
    let publication = view! { <PublicationPanel review role plan=plan.clone()/> };
    let Some(made) = plan.made.clone() else {
        return view! { <NotMade review plan state/> {publication} }.into_any();
    };
    let summary = summary_line(&plan);
    let overdue: Vec<PlanAction> = plan.overdue().into_iter().cloned().collect();
    let overdue_panel = (!overdue.is_empty()).then(|| {
        view! {
            <section class="plan-overdue" aria-labelledby="overdue-title">
                <h2 id="overdue-title">{format!("Overdue ({})", overdue.len())}</h2>
                <ul>
                    {overdue.into_iter().map(|a| view! {
                        <li>
                            {format!("Recommendation {}: {} ", a.recommendation, a.text)}
                            <span class="hint">{format!("({}, due {})", owner(&a), a.due.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default())}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    });
    let editors = (!plan.editors.is_empty())
        .then(|| view! { <EditorsPanel review plan=plan.clone() state/> });
    let sections = plan
        .recommendations
        .iter()
        .map(|r| view! { <RecommendationSection review recommendation=r.clone() plan=plan.clone() state editing/> })
        .collect_view();
    view! {
        <p class="plan-summary">{summary}</p>
        <p class="hint">{format!("Made from version {} of the report, signed off, by {} on {}.", made.from_version, made.by, long_date(&made.at))}</p>
        <p class="plan-exports">
            <a class="button button-secondary" href=format!("/api/reviews/{review}/plan.docx") download="">"Download for cabinet (Word)"</a>
            <a class="button button-secondary" href=format!("/api/reviews/{review}/plan.csv") download="">"Download as a spreadsheet (CSV)"</a>
        </p>
        {overdue_panel}
        {sections}
        {editors}
        {publication}
    }
    .into_any()
}

/// "2 December 2026" from an RFC 3339 time.
fn long_date(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|at| at.format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| at.get(..10).unwrap_or_default().to_string())
}

fn owner(action: &PlanAction) -> String {
    if action.owner.is_empty() {
        "no owner yet".into()
    } else {
        action.owner.clone()
    }
}

/// "9 actions: 3 green, 2 amber, 1 red, 2 complete, 1 not started · 2 overdue".
fn summary_line(plan: &ActionPlanView) -> String {
    let parts: Vec<String> = plan
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(status, n)| format!("{n} {}", status.short().to_lowercase()))
        .collect();
    let total = plan.actions.len();
    let mut line = format!(
        "{} recommendation{}, {total} action{}",
        plan.recommendations.len(),
        if plan.recommendations.len() == 1 {
            ""
        } else {
            "s"
        },
        if total == 1 { "" } else { "s" }
    );
    if !parts.is_empty() {
        line.push_str(&format!(": {}", parts.join(", ")));
    }
    let overdue = plan.overdue().len();
    if overdue > 0 {
        line.push_str(&format!(" · {overdue} overdue"));
    }
    line
}

/// Before the plan is made: the button to make it, or why it cannot be made yet.
#[component]
fn NotMade(review: ReviewId, plan: ActionPlanView, state: PlanState) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let making = RwSignal::new(false);
    let text = if !plan.signed_off {
        "The action plan is made from the report's numbered recommendations once the council has signed the report off."
    } else if plan.can_make {
        "The report is signed off: make the action plan from its numbered recommendations, then add the council's actions to each."
    } else {
        "The report is signed off; the council's host lead or the facilitator makes the action plan from its recommendations."
    };
    view! {
        <p>{text}</p>
        {(plan.signed_off && plan.can_make).then(|| view! {
            <p>
                <button type="button" class="button" disabled=move || making.get()
                    on:click=move |_| { making.set(true); run(state, error, make_action_plan(review)); }>
                    "Make the action plan"
                </button>
            </p>
        })}
        <p class="status status-error" role="alert">{move || error.get().map(|e| e.message)}</p>
    }
}

#[component]
fn RecommendationSection(
    review: ReviewId,
    recommendation: PlanRecommendation,
    plan: ActionPlanView,
    state: PlanState,
    editing: RwSignal<Option<ActionInput>>,
) -> impl IntoView {
    let number = recommendation.number;
    let actions: Vec<PlanAction> = plan.actions_for(number).cloned().collect();
    let today = plan.today;
    let can_edit = plan.can_edit;
    let heading_id = format!("recommendation-{number}");
    let labelled_by = heading_id.clone();
    let rows = actions
        .iter()
        .map(|action| view! { <ActionRow review action=action.clone() today can_edit state editing/> })
        .collect_view();
    let table = (!actions.is_empty()).then(|| {
        view! {
            <table class="plan-actions">
                <thead>
                    <tr>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Due"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Evidence"</th>
                        {can_edit.then(|| view! { <th scope="col">"Change"</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    let adding = move || {
        editing.with(|e| {
            e.as_ref()
                .is_some_and(|e| e.recommendation == number && e.version == 0)
        })
    };
    view! {
        <section class="plan-recommendation" aria-labelledby=labelled_by data-recommendation=number>
            <h2 id=heading_id>{format!("Recommendation {number}")}</h2>
            <p class="plan-recommendation-text">{recommendation.text.clone()}</p>
            {(!recommendation.section.is_empty()).then(|| view! { <p class="hint">{format!("From: {}", recommendation.section)}</p> })}
            {table}
            {actions.is_empty().then(|| view! { <p class="hint">"No actions yet."</p> })}
            {move || adding().then(|| view! { <ActionEditor review editing state/> })}
            {(can_edit).then(|| view! {
                <p>
                    <button type="button" class="button button-secondary button-small"
                        on:click=move |_| editing.set(Some(ActionInput {
                            id: PlanActionId::new(),
                            recommendation: number,
                            status: ActionStatus::NotStarted.as_str().into(),
                            ..ActionInput::default()
                        }))>
                        "Add an action" <span class="visually-hidden">{format!(" to recommendation {number}")}</span>
                    </button>
                </p>
            })}
            <ProgressStatement review recommendation can_edit state/>
        </section>
    }
}

#[component]
fn ActionRow(
    review: ReviewId,
    action: PlanAction,
    today: chrono::NaiveDate,
    can_edit: bool,
    state: PlanState,
    editing: RwSignal<Option<ActionInput>>,
) -> impl IntoView {
    let overdue = action.overdue(today);
    let id = action.id;
    let open = move || editing.with(|e| e.as_ref().is_some_and(|e| e.id == id && e.version > 0));
    let error = RwSignal::new(None::<AppError>);
    let confirming = RwSignal::new(false);
    let version = action.version;
    let input = ActionInput::from_action(&action);
    let columns = if can_edit { 6 } else { 5 };
    let rag = format!("rag rag-{}", action.status.as_str());
    view! {
        <tr class:overdue=overdue data-action=id.to_string()>
            <td>{action.text.clone()}</td>
            <td>{action.owner.clone()}</td>
            <td>
                {action.due.map(|d| d.format("%-d %b %Y").to_string())}
                {overdue.then(|| view! { <span class="overdue-flag">" Overdue"</span> })}
            </td>
            <td>
                <span class=rag>{action.status.short()}</span>
                {(!action.status_note.is_empty()).then(|| view! { <span class="status-note">{action.status_note.clone()}</span> })}
            </td>
            <td>
                <ul class="evidence">
                    {action.evidence.iter().enumerate().map(|(i, link)| view! {
                        <li><a href=link.clone() rel="noopener noreferrer" target="_blank">{format!("Evidence {}", i + 1)}</a></li>
                    }).collect_view()}
                </ul>
            </td>
            {can_edit.then(|| view! {
                <td class="plan-row-tools">
                    <button type="button" class="link-button" on:click=move |_| editing.set(Some(input.clone()))>
                        "Edit" <span class="visually-hidden">{format!(" \"{}\"", action.text)}</span>
                    </button>
                    {move || if confirming.get() {
                        view! {
                            <button type="button" class="button button-small button-danger"
                                on:click=move |_| run(state, error, remove_plan_action(review, id, version))>"Remove it"</button>
                            <button type="button" class="link-button" on:click=move |_| confirming.set(false)>"Keep"</button>
                        }.into_any()
                    } else {
                        view! { <button type="button" class="link-button" on:click=move |_| confirming.set(true)>"Remove"</button> }.into_any()
                    }}
                    <p class="status status-error" role="alert">{move || error.get().map(|e| e.message)}</p>
                </td>
            })}
        </tr>
        {move || open().then(|| view! {
            <tr class="plan-editor-row"><td colspan=columns><ActionEditor review editing state/></td></tr>
        })}
    }
}

/// The form for one action, new or existing.
#[component]
fn ActionEditor(
    review: ReviewId,
    editing: RwSignal<Option<ActionInput>>,
    state: PlanState,
) -> impl IntoView {
    // The form's words live in `editing`, outside the live part of the page: a change arriving
    // from someone else redraws the plan, and the form comes back with what was typed.
    let form = editing;
    let read = move |get: fn(&ActionInput) -> String| {
        form.with(|f| f.as_ref().map(get).unwrap_or_default())
    };
    let write = move |set: fn(&mut ActionInput, String), value: String| {
        form.update(|f| {
            if let Some(f) = f {
                set(f, value);
            }
        });
    };
    let error = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    let new = form.with_untracked(|f| f.as_ref().is_none_or(|f| f.version == 0));
    let key = form.with_untracked(|f| f.as_ref().map(|f| f.id.to_string()).unwrap_or_default());
    let field_error = move |field: &'static str| {
        move || error.with(|e| e.as_ref().and_then(|e| e.message_for(field)))
    };
    let save = move || {
        saving.set(true);
        let Some(input) = form.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match save_plan_action(review, input).await {
                Ok(plan) => {
                    error.set(None);
                    editing.set(None);
                    state.show(plan);
                }
                Err(e) => error.set(Some(e)),
            }
            saving.set(false);
        });
    };
    let id = move |field: &str| format!("action-{field}-{key}");
    let (text_id, owner_id, due_id, status_id, note_id, evidence_id) = (
        id("text"),
        id("owner"),
        id("due"),
        id("status"),
        id("note"),
        id("evidence"),
    );
    view! {
        <form class="plan-action-editor" aria-label=if new { "New action" } else { "Change the action" }
            on:submit=move |ev| { ev.prevent_default(); save(); }>
            <div class="field">
                <label for=text_id.clone()>"Action"</label>
                <textarea id=text_id rows="2" maxlength=crate::plan::MAX_ACTION_CHARS.to_string()
                    prop:value=move || read(|f| f.text.clone())
                    on:input=move |ev| write(|f, v| f.text = v, event_target_value(&ev))></textarea>
                <p class="field-error">{field_error("text")}</p>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for=owner_id.clone()>"Owner (a role, such as Director of Finance)"</label>
                    <input id=owner_id maxlength=crate::plan::MAX_OWNER_CHARS.to_string()
                        prop:value=move || read(|f| f.owner.clone())
                        on:input=move |ev| write(|f, v| f.owner = v, event_target_value(&ev))/>
                    <p class="field-error">{field_error("owner")}</p>
                </div>
                <div class="field">
                    <label for=due_id.clone()>"Due"</label>
                    <input id=due_id type="date" prop:value=move || read(|f| f.due.clone())
                        on:input=move |ev| write(|f, v| f.due = v, event_target_value(&ev))/>
                    <p class="field-error">{field_error("due")}</p>
                </div>
                <div class="field">
                    <label for=status_id.clone()>"Status"</label>
                    <select id=status_id on:change=move |ev| write(|f, v| f.status = v, event_target_value(&ev))>
                        {ActionStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || read(|f| f.status.clone()) == s.as_str()>{s.label()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error">{field_error("status")}</p>
                </div>
            </div>
            <div class="field">
                <label for=note_id.clone()>"Where it stands, in a sentence"</label>
                <input id=note_id maxlength=crate::plan::MAX_STATUS_NOTE_CHARS.to_string()
                    prop:value=move || read(|f| f.status_note.clone())
                    on:input=move |ev| write(|f, v| f.status_note = v, event_target_value(&ev))/>
                <p class="field-error">{field_error("status_note")}</p>
            </div>
            <div class="field">
                <label for=evidence_id.clone()>"Evidence links (one per line, https://…)"</label>
                <textarea id=evidence_id rows="2" prop:value=move || read(|f| f.evidence.clone())
                    on:input=move |ev| write(|f, v| f.evidence = v, event_target_value(&ev))></textarea>
                <p class="field-error">{field_error("evidence")}</p>
            </div>
            <p class="status status-error" role="alert">{move || error.with(|e| e.as_ref().filter(|e| e.field.is_none()).map(|e| e.message.clone()))}</p>
            <p>
                <button type="submit" class="button" disabled=move || saving.get()>{if new { "Add the action" } else { "Save the action" }}</button>
                " " <button type="button" class="link-button" on:click=move |_| editing.set(None)>"Cancel"</button>
            </p>
        </form>
    }
}

/// The council's progress statement on a recommendation, which the progress review reads.
#[component]
fn ProgressStatement(
    review: ReviewId,
    recommendation: PlanRecommendation,
    can_edit: bool,
    state: PlanState,
) -> impl IntoView {
    let number = recommendation.number;
    let version = recommendation.version;
    let written = recommendation.progress.clone();
    if !can_edit {
        return (!written.is_empty())
            .then(|| {
                view! {
                    <div class="progress-statement">
                        <h3>"The council's progress statement"</h3>
                        <p>{written}</p>
                    </div>
                }
            })
            .into_any();
    }
    let text = RwSignal::new(written);
    let error = RwSignal::new(None::<AppError>);
    let id = format!("progress-{number}");
    view! {
        <form class="progress-statement" on:submit=move |ev| {
            ev.prevent_default();
            run(state, error, save_progress_statement(review, number, text.get_untracked(), version));
        }>
            <label for=id.clone()><strong>"The council's progress statement"</strong>
                <span class="hint">" (for the progress review)"</span></label>
            <textarea id=id rows="3" maxlength=crate::plan::MAX_PROGRESS_CHARS.to_string()
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <p class="status status-error" role="alert">{move || error.get().map(|e| e.message)}</p>
            <button type="submit" class="button button-small button-secondary">
                "Save the statement" <span class="visually-hidden">{format!(" on recommendation {number}")}</span>
            </button>
        </form>
    }
    .into_any()
}

/// The host lead allows host readers to edit the plan.
#[component]
fn EditorsPanel(review: ReviewId, plan: ActionPlanView, state: PlanState) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    view! {
        <section class="panel plan-editors" aria-labelledby="plan-editors-title">
            <h2 id="plan-editors-title">"Who may edit the plan"</h2>
            <p class="hint">"You edit the plan as the council's lead. Host readers you tick here may edit it too."</p>
            <ul>
                {plan.editors.into_iter().map(|editor| {
                    let person = editor.person;
                    view! {
                        <li>
                            <label class="check">
                                <input type="checkbox" prop:checked=editor.allowed
                                    on:change=move |ev| run(state, error, allow_plan_editor(review, person, event_target_checked(&ev)))/>
                                {format!(" {} may edit", editor.name)}
                            </label>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="status status-error" role="alert">{move || error.get().map(|e| e.message)}</p>
        </section>
    }
}

/// When and where the council published the report and the plan, counting down to the
/// three- and five-month deadlines; the host lead and the facilitator record them.
#[component]
fn PublicationPanel(review: ReviewId, role: Role, plan: ActionPlanView) -> impl IntoView {
    let publication = RwSignal::new(plan.publication.clone());
    let today = plan.today;
    let records = allows(role, Action::RecordPublication);
    view! {
        <section class="panel publication" aria-labelledby="publication-title">
            <h2 id="publication-title">"Publication"</h2>
            <p class="hint">"The council publishes the report within three months of the visit, and the action plan within five at the latest."</p>
            {Publishing::ALL.into_iter().map(|what| view! {
                <div class="publication-row">
                    <h3>{what.label()}</h3>
                    <p class="publication-state">{move || publication.with(|p| p.countdown(what, today))}</p>
                    {move || publication.with(|p| p.of(what).0.cloned()).map(|published| view! {
                        <p><a href=published.url.clone() rel="noopener noreferrer">{published.url.clone()}</a>
                            <span class="hint">{format!(" · recorded by {}", published.recorded_by)}</span></p>
                    })}
                    {records.then(|| view! { <PublicationForm review what today publication/> })}
                </div>
            }).collect_view()}
        </section>
    }
}

#[component]
fn PublicationForm(
    review: ReviewId,
    what: Publishing,
    today: chrono::NaiveDate,
    publication: RwSignal<crate::plan::Publication>,
) -> impl IntoView {
    let on = RwSignal::new(today.to_string());
    let url = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let (on_id, url_id) = (
        format!("published-on-{}", what.as_str()),
        format!("published-url-{}", what.as_str()),
    );
    let record = move || {
        let (on, url) = (on.get_untracked(), url.get_untracked());
        leptos::task::spawn_local(async move {
            match record_publication(review, what.as_str().into(), on, url).await {
                Ok(p) => {
                    error.set(None);
                    publication.set(p);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="publication-form" novalidate on:submit=move |ev| { ev.prevent_default(); record(); }>
            <div class="field-row">
                <div class="field">
                    <label for=on_id.clone()>"Published on"</label>
                    <input id=on_id type="date" prop:value=move || on.get() on:input=move |ev| on.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for=url_id.clone()>"Web address"</label>
                    <input id=url_id type="url" placeholder="https://" prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                </div>
            </div>
            <p class="status status-error" role="alert">{move || error.get().map(|e| e.message)}</p>
            <button type="submit" class="button button-small button-secondary">
                "Record" <span class="visually-hidden">{format!(" where {} was published", what.label().to_lowercase())}</span>
            </button>
        </form>
    }
}
