//! One review's overview: what, when, who.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::error::AppError;
use crate::people::{Role, not_a_member};
use crate::review::manage::{AuditPanel, InviteForm, PhaseForm};
use crate::review::{
    ChangePhase, KeyDates, Member, ReviewId, ReviewOverview, format_date_range, get_review,
};

/// `/reviews/:id`.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let change_phase = ServerAction::<ChangePhase>::new();
    let overview = Resource::new(
        move || (params.read().get("id"), change_phase.version().get()),
        |(id, _)| async move {
            let id = id
                .and_then(|id| uuid::Uuid::parse_str(&id).ok())
                .map(ReviewId)
                .ok_or_else(not_a_member)?;
            get_review(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="status">"Loading the review…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(overview) => view! { <OverviewView overview change_phase/> }.into_any(),
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
) -> impl IntoView {
    let summary = overview.summary;
    let manage = (overview.my_role == Role::Facilitator).then(|| {
        let (id, phase) = (summary.id, summary.phase);
        view! {
            <div class="review-columns manage">
                <InviteForm review=id/>
                <PhaseForm review=id current=phase action=change_phase/>
            </div>
            <AuditPanel review=id phase_changes=change_phase/>
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
            <p>{summary.scope}</p>
        </header>
        <div class="review-columns">
            <KeyDatesView dates=overview.key_dates/>
            <MembersView members=overview.members shows_pairs=overview.shows_pairs/>
        </div>
        {manage}
    }
}

/// The review's timeline.
#[component]
fn KeyDatesView(dates: KeyDates) -> impl IntoView {
    let rows = [
        (
            "Documents to the team",
            format_date_range(dates.documents_out.0, dates.documents_out.1),
        ),
        (
            "Pre-site video call",
            format_date_range(dates.pre_site_call.0, dates.pre_site_call.1),
        ),
        (
            "On site",
            format_date_range(dates.on_site.0, dates.on_site.1),
        ),
        (
            "Report published by",
            dates.publish_by.format("%-d %B %Y").to_string(),
        ),
        (
            "Progress review, about",
            dates.progress_review.format("%B %Y").to_string(),
        ),
    ];
    view! {
        <section aria-labelledby="timeline-title" class="panel">
            <h2 id="timeline-title">"Key dates"</h2>
            <ol class="timeline">
                {rows.into_iter().map(|(what, when)| view! {
                    <li><span class="timeline-what">{what}</span><span class="timeline-when">{when}</span></li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// Members and their roles; pairs only in the peer team's view.
#[component]
fn MembersView(members: Vec<Member>, shows_pairs: bool) -> impl IntoView {
    view! {
        <section aria-labelledby="members-title" class="panel">
            <h2 id="members-title">"Team and contacts"</h2>
            <table class="members">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Role"</th>
                        {shows_pairs.then(|| view! { <th scope="col">"Pair"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {members.into_iter().map(|member| view! {
                        <tr>
                            <td>{member.name}</td>
                            <td>{member.role.label()}</td>
                            {shows_pairs.then(|| view! {
                                <td>{member.pair.map(|pair| format!("Pair {pair}")).unwrap_or_default()}</td>
                            })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
