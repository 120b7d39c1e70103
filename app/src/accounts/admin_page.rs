//! `/admin`: what administrators do: invite facilitators, keep the list of organisations, issue
//! password reset links, set how long notes are kept after sign-off, export everything held
//! about one person, and read the audit trail across every review.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::accounts::{IssuePasswordReset, SessionActions};
use crate::audit::{AuditTable, list_all_audit};
use crate::invitations::InviteFacilitator;
use crate::layout::LinkToPass;
use crate::organisations::{CreateOrganisation, OrganisationKind, list_organisations};

/// Administration; only useful to administrators (the server refuses everyone else).
#[component]
pub fn AdminPage() -> impl IntoView {
    let session = expect_context::<SessionActions>();
    view! {
        <Title text="Administration"/>
        <section aria-labelledby="admin-title">
            <h1 id="admin-title">"Administration"</h1>
            <Transition fallback=|| ()>
                {move || session.caller.get().map(|caller| match caller {
                    Some(caller) if caller.is_admin => view! {
                        <div class="review-columns">
                            <InviteFacilitatorForm/>
                            <ResetLinkForm/>
                        </div>
                        <div class="review-columns">
                            <SiteRetention/>
                            <PersonDataForm/>
                        </div>
                        <Organisations/>
                        <AllAudit/>
                    }.into_any(),
                    _ => view! { <p class="status">"This page is for administrators."</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn InviteFacilitatorForm() -> impl IntoView {
    let invite = ServerAction::<InviteFacilitator>::new();
    let outcome = move || {
        invite.value().get().map(|result| match result {
            Ok(link) => view! {
                <LinkToPass
                    id="facilitator-url"
                    label="Facilitator invitation link"
                    path=link.path
                    to=link.email
                    lasts=format!("until {}", link.expires)
                    emailed=link.emailed
                />
            }
            .into_any(),
            Err(error) => {
                view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any()
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="invite-facilitator-title">
            <h2 id="invite-facilitator-title">"Invite a facilitator"</h2>
            <p class="hint">"A facilitator account can set up reviews and invite their teams."</p>
            <ActionForm action=invite attr:class="form">
                <div class="field">
                    <label for="facilitator-email">"Facilitator's email"</label>
                    <input id="facilitator-email" name="email" type="email" required maxlength="254"/>
                </div>
                <button type="submit" class="button">"Create facilitator invitation"</button>
            </ActionForm>
            {outcome}
        </section>
    }
}

#[component]
fn ResetLinkForm() -> impl IntoView {
    let issue = ServerAction::<IssuePasswordReset>::new();
    let outcome = move || {
        issue.value().get().map(|result| match result {
            Ok(link) => view! {
                <LinkToPass
                    id="reset-url"
                    label="Reset link"
                    path=link.path
                    to="the account's owner".to_string()
                    lasts="for 24 hours".to_string()
                    emailed=link.emailed
                />
            }
            .into_any(),
            Err(error) => {
                view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any()
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="reset-title">
            <h2 id="reset-title">"Password reset link"</h2>
            <ActionForm action=issue attr:class="form">
                <div class="field">
                    <label for="reset-email">"Email of the account"</label>
                    <input id="reset-email" name="email" type="email" required maxlength="254"/>
                </div>
                <button type="submit" class="button">"Create reset link"</button>
            </ActionForm>
            {outcome}
        </section>
    }
}

/// The councils and support bodies people belong to and reviews are hosted by.
#[component]
fn Organisations() -> impl IntoView {
    let create = ServerAction::<CreateOrganisation>::new();
    let organisations = crate::browser::load_in_browser(move || {
        create.version().track();
        list_organisations()
    });
    let error = move || create.value().get().and_then(Result::err);
    view! {
        <section class="panel manage" aria-labelledby="organisations-title">
            <h2 id="organisations-title">"Organisations"</h2>
            <ActionForm action=create attr:class="form form-inline">
                <div class="field">
                    <label for="organisation-name">"Name"</label>
                    <input id="organisation-name" name="name" required maxlength="200"
                        aria-describedby="organisation-name-error"
                        aria-invalid=move || error().is_some().to_string()/>
                </div>
                <div class="field">
                    <label for="organisation-kind">"Kind"</label>
                    <select id="organisation-kind" name="kind">
                        {OrganisationKind::ALL.into_iter().map(|kind| view! {
                            <option value=kind.as_str()>{kind.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Add organisation"</button>
            </ActionForm>
            <p id="organisation-name-error" class="field-error" role="alert">{move || error().map(|e| e.message)}</p>
            // A local resource read without Suspense: it loads once the page is live, and the
            // server-rendered page simply says so.
            {move || match organisations.get() {
                None => view! { <p class="status">"Loading organisations…"</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="members">
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Kind"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|organisation| view! {
                                <tr><td>{organisation.name}</td><td>{organisation.kind.label()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                Some(Err(error)) => view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any(),
            }}
        </section>
    }
}

/// Every review's audit trail together, with sign-ins and account events.
#[component]
fn AllAudit() -> impl IntoView {
    let events = crate::browser::load_in_browser(list_all_audit);
    view! {
        <section class="panel manage" aria-labelledby="all-audit-title">
            <h2 id="all-audit-title">"Audit trail, all reviews"</h2>
            {move || match events.get() {
                None => view! { <p class="status">"Loading the audit trail…"</p> }.into_any(),
                Some(result) => view! { <AuditTable result show_review=true/> }.into_any(),
            }}
        </section>
    }
}

/// The site's retention default: how long notes are kept after sign-off unless a review shortens it.
#[component]
fn SiteRetention() -> impl IntoView {
    let set = ServerAction::<crate::retention::SetSiteRetention>::new();
    let days = Resource::new(
        move || set.version().get(),
        |_| crate::retention::get_site_retention(),
    );
    let error = move || set.value().get().and_then(Result::err).map(|e| e.message);
    view! {
        <section class="panel" aria-labelledby="site-retention-title">
            <h2 id="site-retention-title">"Notes kept after sign-off"</h2>
            <Suspense fallback=|| ()>
                {move || days.get().map(|days| match days {
                    Ok(days) => view! {
                        <p>{format!("Every review keeps its notes {days} days after the council signs its report off, unless its facilitator shortens it.")}</p>
                        <ActionForm action=set attr:class="form form-inline">
                            <div class="field">
                                <label for="site-retention-days">"Days (1 to 365)"</label>
                                <input id="site-retention-days" name="days" type="number" min="1" max="365" value=days.to_string() required/>
                            </div>
                            <button type="submit" class="button button-secondary">"Set the site's default"</button>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <p class="status status-error">{error.message}</p> }.into_any(),
                })}
            </Suspense>
            <p class="status status-error" role="alert">{error}</p>
        </section>
    }
}

/// Everything held about one person, as a file (a subject access request).
#[component]
fn PersonDataForm() -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="person-data-title">
            <h2 id="person-data-title">"A person's data"</h2>
            <p>"Their account, sign-ins, memberships, the notes they wrote and what they did, as one file. The export is in the audit trail."</p>
            <form method="get" action="/api/admin/person-data" class="form">
                <div class="field">
                    <label for="person-data-email">"Email of the account"</label>
                    <input id="person-data-email" name="email" type="email" required maxlength="254"/>
                </div>
                <button type="submit" class="button">"Download their data"</button>
            </form>
            <EraseAccountForm/>
        </section>
    }
}

/// Erasing an account: the notes it wrote stay, by a former member.
#[component]
fn EraseAccountForm() -> impl IntoView {
    let erase = ServerAction::<crate::retention::EraseAccount>::new();
    let outcome = move || {
        erase.value().get().map(|result| match result {
            Ok(notes) => view! {
                <p class="status" role="status">{format!("The account is erased; {notes} notes now say \"a former member\".")}</p>
            }
            .into_any(),
            Err(error) => view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any(),
        })
    };
    view! {
        <h3>"Erase an account"</h3>
        <ActionForm action=erase attr:class="form destroy-form">
            <div class="field">
                <label for="erase-email">"Email of the account"</label>
                <input id="erase-email" name="email" type="email" required maxlength="254"/>
            </div>
            <label class="check">
                <input type="checkbox" name="confirm" required/>
                " Its sign-ins, memberships and name go; its notes stay, by \"a former member\""
            </label>
            <button type="submit" class="button button-danger">"Erase the account"</button>
        </ActionForm>
        {outcome}
    }
}
