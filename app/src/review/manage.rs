//! The facilitator's controls on a review: invite people, move the phase.

use leptos::prelude::*;

use crate::audit::{AuditTable, list_audit};
use crate::invitations::InviteMember;
use crate::layout::LinkToPass;
use crate::membership::Role;
use crate::membership::{RemoveMember, UpdateMember};
use crate::review::{ChangePhase, Phase, ReviewId};

/// Invite someone by email in one of `roles`; shows the single-use link to pass on.
#[component]
pub fn InviteForm(review: ReviewId, roles: Vec<Role>) -> impl IntoView {
    let default = if roles.contains(&Role::Peer) {
        Role::Peer
    } else {
        roles.first().copied().unwrap_or(Role::HostReader)
    };
    let invite = ServerAction::<InviteMember>::new();
    let result = move || invite.value().get();
    view! {
        <section aria-labelledby="invite-title" class="panel">
            <h2 id="invite-title">"Invite someone"</h2>
            <ActionForm action=invite attr:class="form">
                <input type="hidden" name="review" value=review.to_string()/>
                <div class="field">
                    <label for="invite-email">"Email"</label>
                    <input id="invite-email" name="email" type="email" required maxlength="254"/>
                </div>
                <div class="field">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" name="role">
                        {roles.into_iter().map(|role| view! {
                            <option value=role.as_str() selected=role == default>{role.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Create invitation link"</button>
            </ActionForm>
            {move || result().map(|result| match result {
                Ok(link) => view! {
                    <LinkToPass
                        id="invitation-url"
                        label="Invitation link"
                        to=format!("{} ({})", link.email, link.role.label())
                        lasts=format!("until {}", link.expires)
                        emailed=link.emailed
                        path=link.path
                    />
                }.into_any(),
                Err(error) => view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any(),
            })}
        </section>
    }
}

/// Move the review to another phase.
#[component]
pub fn PhaseForm(
    review: ReviewId,
    current: Phase,
    action: ServerAction<ChangePhase>,
) -> impl IntoView {
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <section aria-labelledby="phase-title" class="panel">
            <h2 id="phase-title">"Phase"</h2>
            <ActionForm action attr:class="form">
                <input type="hidden" name="review" value=review.to_string()/>
                <div class="field">
                    <label for="phase">"Move the review to"</label>
                    <select id="phase" name="phase">
                        {Phase::ALL.into_iter().map(|phase| view! {
                            <option value=phase.as_str() selected=phase == current>{phase.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="phase-reason">"Reason (needed to move the review back)"</label>
                    <input id="phase-reason" name="reason" type="text" maxlength="500"/>
                </div>
                <button type="submit" class="button">"Change phase"</button>
            </ActionForm>
            <p class="status status-error" role="alert">{move || error().map(|e| e.message)}</p>
        </section>
    }
}

/// The review's audit trail: who signed in, invited, accepted, changed the phase, and when.
/// Loaded in the browser only (a local resource), so rendering the page never waits on it.
#[component]
pub fn AuditPanel(
    review: ReviewId,
    phase_changes: ServerAction<ChangePhase>,
    member_changes: MemberActions,
) -> impl IntoView {
    let events = crate::browser::load_in_browser(move || {
        phase_changes.version().track();
        member_changes.update.version().track();
        member_changes.remove.version().track();
        list_audit(review)
    });
    view! {
        <section aria-labelledby="audit-title" class="panel manage">
            <h2 id="audit-title">"Audit trail"</h2>
            <p><a href=format!("/api/reviews/{review}/audit.csv") download="">"Download the whole trail (CSV)"</a></p>
            {move || match events.get() {
                None => view! { <p class="status">"Loading the audit trail…"</p> }.into_any(),
                Some(result) => view! { <AuditTable result show_review=false/> }.into_any(),
            }}
        </section>
    }
}

/// The facilitator's actions on members, shared by every row.
#[derive(Clone, Copy)]
pub struct MemberActions {
    pub update: ServerAction<UpdateMember>,
    pub remove: ServerAction<RemoveMember>,
}
