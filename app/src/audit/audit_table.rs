//! The audit trail as a table, for a review's facilitator and for administrators.

use leptos::prelude::*;

use crate::audit::AuditEvent;
use crate::error::AppError;

/// Audit events, newest first; with a column for the review when they span several.
#[component]
pub fn AuditTable(result: Result<Vec<AuditEvent>, AppError>, show_review: bool) -> impl IntoView {
    match result {
        Ok(events) if events.is_empty() => {
            view! { <p class="status">"Nothing recorded yet."</p> }.into_any()
        }
        Ok(events) => view! {
            <table class="members audit">
                <thead><tr>
                    <th scope="col">"When"</th>
                    {show_review.then(|| view! { <th scope="col">"Review"</th> })}
                    <th scope="col">"Who"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Detail"</th>
                </tr></thead>
                <tbody>
                    {events.into_iter().map(|event| view! {
                        <tr>
                            <td>{event.at}</td>
                            {show_review.then(|| view! { <td>{event.review.unwrap_or_default()}</td> })}
                            <td>{event.actor.unwrap_or_default()}</td>
                            <td>{event.kind.replace('_', " ")}</td>
                            <td>{event.detail}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
        Err(error) => {
            view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any()
        }
    }
}
