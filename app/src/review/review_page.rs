//! One review's overview: what, when, who.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::error::AppError;
use crate::membership::Role;
use crate::review::manage::{AuditPanel, InviteForm, MemberActions, PhaseForm};
use crate::review::{
    ChangePhase, Member, Milestone, ReviewId, ReviewOverview, format_date_range, load_review,
};

/// `/reviews/:id`.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let change_phase = ServerAction::<ChangePhase>::new();
    let member_actions = MemberActions {
        update: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let overview = Resource::new(
        move || {
            (
                params.read().get("id"),
                change_phase.version().get(),
                member_actions.update.version().get(),
                member_actions.remove.version().get(),
            )
        },
        |(id, ..)| load_review(id),
    );
    view! {
        <Title text="Review"/>
        <Suspense fallback=|| view! { <p class="status">"Loading the review…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(overview) => view! { <OverviewView overview change_phase member_actions/> }.into_any(),
                Err(error) => view! { <ReviewError error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ReviewError(error: AppError) -> impl IntoView {
    view! {
        <Title text="Review"/>
        <section class="narrow">
            <h1>"This review is not available"</h1>
            <p class="status status-error" role="alert">{error.message}</p>
        </section>
    }
}

#[component]
fn OverviewView(
    overview: ReviewOverview,
    change_phase: ServerAction<ChangePhase>,
    member_actions: MemberActions,
) -> impl IntoView {
    use crate::membership::{Action, allows_in};
    let summary = overview.summary;
    let review_id = summary.id;
    let programme = summary.review_type;
    let members_manage = (overview.my_role == Role::Facilitator).then_some((
        summary.id,
        member_actions,
        Role::in_programme(programme),
    ));
    let host_invites = (overview.my_role != Role::Facilitator
        && allows_in(programme, overview.my_role, Action::InviteHostColleagues))
    .then(|| {
        let roles: Vec<Role> = Role::in_programme(programme)
            .into_iter()
            .filter(|role| role.is_host_colleague())
            .collect();
        view! {
            <div class="review-columns manage">
                <InviteForm review=summary.id roles/>
            </div>
        }
    });
    let manage = (overview.my_role == Role::Facilitator).then(|| {
        let (id, phase) = (summary.id, summary.phase);
        view! {
            <div class="review-columns manage">
                <InviteForm review=id roles=Role::in_programme(programme)/>
                <PhaseForm review=id current=phase action=change_phase/>
            </div>
            <AuditPanel review=id phase_changes=change_phase member_changes=member_actions/>
        }
    });
    view! {
        <Title text=summary.title.clone()/>
        <header class="review-header">
            <p class="review-type">{summary.review_type.label()}</p>
            <h1>{summary.title}</h1>
            <p class="review-host">
                {summary.host_authority} " · " <span class="phase">{summary.phase.label()}</span>
                " · you are " {overview.my_role.label().to_lowercase()}
            </p>
            {summary.progress_of.map(|parent| view! {
                <p class="progress-of">"The progress review of "
                    <a href=format!("/reviews/{parent}")>"the peer challenge it follows up"</a>"."</p>
            })}
            {summary.progress_review.map(|child| view! {
                <p class="progress-of">
                    <a href=format!("/reviews/{child}")>"The progress review"</a>
                    " is scheduled: its own team, timetable, wall and report."
                </p>
            })}
            <p>{summary.scope}</p>
            <p class="wall-link">
                {crate::membership::allows(overview.my_role, crate::membership::Action::ViewNotes).then(|| view! {
                    <leptos_router::components::A href=format!("/reviews/{}/wall", summary.id) attr:class="button">
                        "Open the findings wall"
                    </leptos_router::components::A>
                    " "
                })}
                {crate::membership::allows(overview.my_role, crate::membership::Action::FollowPresentation).then(|| view! {
                    <leptos_router::components::A href=format!("/reviews/{}/follow", summary.id) attr:class="button button-secondary">
                        "Follow the presentation"
                    </leptos_router::components::A>
                    " "
                    <leptos_router::components::A href=format!("/reviews/{}/handout", summary.id)>
                        "Key messages handout"
                    </leptos_router::components::A>
                    " "
                })}
                {crate::membership::allows(overview.my_role, crate::membership::Action::ViewTimetable).then(|| view! {
                    <leptos_router::components::A href=format!("/reviews/{}/timetable", summary.id)>
                        "Timetable"
                    </leptos_router::components::A>
                    " "
                })}
                {crate::membership::allows(overview.my_role, crate::membership::Action::ViewDocuments).then(|| view! {
                    <leptos_router::components::A href=format!("/reviews/{}/documents", summary.id)>
                        "Documents"
                    </leptos_router::components::A>
                    " "
                })}
                {crate::membership::allows(overview.my_role, crate::membership::Action::ViewBenchmarks).then(|| view! {
                    <leptos_router::components::A href=format!("/reviews/{}/data", summary.id)>
                        "Data"
                    </leptos_router::components::A>
                    " "
                })}
                {(summary.phase >= crate::review::Phase::SignedOff && summary.progress_of.is_none() && allows_in(programme, overview.my_role, Action::ViewActionPlan)).then(|| view! {
                    <leptos_router::components::A href=format!("/reviews/{}/plan", summary.id)>
                        "Action plan"
                    </leptos_router::components::A>
                })}
            </p>
            <ReportStatusLine review=summary.id role=overview.my_role programme=summary.review_type/>
        </header>
        <div class="review-columns">
            <TimelineView steps=overview.timeline today=overview.today/>
            <MembersView members=overview.members shows_pairs=overview.shows_pairs manage=members_manage/>
        </div>
        {(summary.progress_of.is_some() && allows_in(programme, overview.my_role, Action::ViewActionPlan)).then(|| view! {
            <crate::plan::ProgressStatementsPanel review=review_id/>
        })}
        {(summary.progress_of.is_none() && summary.progress_review.is_none()
            && summary.phase >= crate::review::Phase::SignedOff
            && allows_in(programme, overview.my_role, Action::ScheduleProgressReview)).then(|| view! {
            <crate::plan::ProgressReviewScheduler review=review_id/>
        })}
        {allows_in(programme, overview.my_role, Action::ViewRetention).then(|| view! {
            <crate::retention::RetentionPanel review=review_id/>
        })}
        {host_invites}
        {manage}
    }
}

/// Where the feedback report stands and a link to it, for those it is for (read in the browser).
#[component]
fn ReportStatusLine(
    review: ReviewId,
    role: Role,
    programme: crate::review::ReviewType,
) -> impl IntoView {
    use crate::membership::{Action, allows_in};
    let reads = allows_in(programme, role, Action::ReadReport)
        || allows_in(programme, role, Action::ReadDraft);
    let status = crate::browser::load_in_browser(move || async move {
        if reads {
            crate::report::get_report_status(review)
                .await
                .ok()
                .flatten()
        } else {
            None
        }
    });
    reads.then(|| view! {
        <p class="report-status">
            <leptos_router::components::A href=format!("/reviews/{review}/report") attr:class="button button-secondary">
                "Feedback report"
            </leptos_router::components::A>
            " "
            {move || status.get().flatten().map(|s| format!(
                "{} · {} open comment{}{}",
                s.round.label(),
                s.open_comments,
                if s.open_comments == 1 { "" } else { "s" },
                s.due.map(|d| format!(" · due {}", d.format("%-d %B"))).unwrap_or_default(),
            ))}
        </p>
    })
}

/// The review's timeline: every step with when it is due, when it happened, and what is late.
#[component]
fn TimelineView(steps: Vec<Milestone>, today: chrono::NaiveDate) -> impl IntoView {
    let late = steps
        .iter()
        .filter(|s| s.late_by.is_some() && !(s.passed || s.done.is_some()))
        .count();
    let when = |(from, to): (chrono::NaiveDate, chrono::NaiveDate)| {
        if from == to {
            from.format("%-d %B %Y").to_string()
        } else {
            format_date_range(from, to)
        }
    };
    view! {
        <section aria-labelledby="timeline-title" class="panel">
            <h2 id="timeline-title">"Key dates and timeline"</h2>
            {(late > 0).then(|| view! {
                <p class="status status-warning">{format!("{late} step{} late", if late == 1 { " is" } else { "s are" })}</p>
            })}
            <ol class="timeline">
                {steps.into_iter().map(|step| {
                    let state = step.state(today);
                    let open_late = step.late_by.is_some() && !(step.passed || step.done.is_some());
                    let class = if open_late { "timeline-step late" } else if step.passed || step.done.is_some() { "timeline-step done" } else { "timeline-step" };
                    view! {
                        <li class=class>
                            <span class="timeline-what">{step.what.clone()}</span>
                            <span class="timeline-when">
                                {match step.due {
                                    Some(due) => format!("Due {}", when(due)),
                                    None if step.passed || step.done.is_some() => String::new(),
                                    None => "No date set".into(),
                                }}
                                {step.also.map(|also| view! { <span class="timeline-also">{format!(" · {also}")}</span> })}
                            </span>
                            <span class="timeline-done">
                                {step.done.map(|d| format!("{} · ", d.format("%-d %B %Y")))}
                                <span class="timeline-state">{state}</span>
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// Members and their roles; pairs only in the peer team's view. The facilitator also gets a
/// role and pair control and a remove button on each row.
#[component]
fn MembersView(
    members: Vec<Member>,
    shows_pairs: bool,
    manage: Option<(ReviewId, MemberActions, Vec<Role>)>,
) -> impl IntoView {
    let actions = manage.as_ref().map(|(_, actions, _)| *actions);
    let error = move || {
        let actions = actions?;
        let failed = |value: Option<Result<(), AppError>>| value.and_then(Result::err);
        failed(actions.update.value().get())
            .or_else(|| failed(actions.remove.value().get()))
            .map(|error| error.message)
    };
    view! {
        <section aria-labelledby="members-title" class="panel members-panel">
            <h2 id="members-title">"Team and contacts"</h2>
            {manage.is_some().then(|| view! {
                <p class="hint">"Peers who interview together share a pair number; the wall shows notes by pair."</p>
            })}
            <p class="status status-error" role="alert">{error}</p>
            <table class="members">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Role"</th>
                        {shows_pairs.then(|| view! { <th scope="col">"Pair"</th> })}
                        {manage.is_some().then(|| view! { <th scope="col">"Change"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {members.into_iter().map(|member| {
                        let controls = manage.clone().map(|(review, actions, roles)| view! {
                            <td><MemberControls review actions roles member=member.clone()/></td>
                        });
                        view! {
                            <tr>
                                <td>
                                    {member.name}
                                    {member.organisation.map(|organisation| view! {
                                        <span class="member-organisation">{organisation}</span>
                                    })}
                                </td>
                                <td>{member.role.label()}</td>
                                {shows_pairs.then(|| view! {
                                    <td>{member.pair.map(|pair| format!("Pair {pair}")).unwrap_or_default()}</td>
                                })}
                                {controls}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// One member's role and pair, and taking them off the review (after a second press).
#[component]
fn MemberControls(
    review: ReviewId,
    actions: MemberActions,
    roles: Vec<Role>,
    member: Member,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let (name, person) = (member.name.clone(), member.person.to_string());
    let remove_suffix = format!(" {name}");
    let confirm_text = format!("Remove {name} from the review");
    let remove_person = person.clone();
    let role_id = format!("role-{person}");
    let pair_id = format!("pair-{person}");
    view! {
        <div class="member-controls">
            <ActionForm action=actions.update attr:class="member-form">
                <input type="hidden" name="review" value=review.to_string()/>
                <input type="hidden" name="person" value=person.clone()/>
                <label class="visually-hidden" for=role_id.clone()>{format!("Role of {name}")}</label>
                <select id=role_id name="role">
                    {roles.into_iter().map(|role| view! {
                        <option value=role.as_str() selected=role == member.role>{role.label()}</option>
                    }).collect_view()}
                </select>
                <label class="visually-hidden" for=pair_id.clone()>{format!("Pair of {name}")}</label>
                <input id=pair_id name="pair" class="pair-input" inputmode="numeric" size="3"
                    placeholder="Pair" value=member.pair.map(|pair| pair.to_string()).unwrap_or_default()/>
                <button type="submit" class="button button-small">
                    "Save" <span class="visually-hidden">{format!(" changes to {name}")}</span>
                </button>
            </ActionForm>
            {move || if confirming.get() {
                let (person, text) = (remove_person.clone(), confirm_text.clone());
                view! {
                    <ActionForm action=actions.remove attr:class="inline-form">
                        <input type="hidden" name="review" value=review.to_string()/>
                        <input type="hidden" name="person" value=person/>
                        <button type="submit" class="button button-small button-danger">{text}</button>
                        <button type="button" class="link-button" on:click=move |_| confirming.set(false)>"Keep"</button>
                    </ActionForm>
                }.into_any()
            } else {
                let suffix = remove_suffix.clone();
                view! {
                    <button type="button" class="link-button" on:click=move |_| confirming.set(true)>
                        "Remove" <span class="visually-hidden">{suffix}</span>
                    </button>
                }.into_any()
            }}
        </div>
    }
}
