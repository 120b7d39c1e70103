//! The audit trail as a table, for a review's facilitator and for administrators, with filters
//! by what happened and by who.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::audit::AuditEvent;
use crate::error::AppError;

/// The events `kind` (empty: any) and `who` (a part of the name, any case) pick.
fn picked(events: &[AuditEvent], kind: &str, who: &str) -> Vec<AuditEvent> {
    let who = who.trim().to_lowercase();
    events
        .iter()
        .filter(|event| kind.is_empty() || event.kind == kind)
        .filter(|event| {
            who.is_empty()
                || (event.actor.as_deref()).is_some_and(|name| name.to_lowercase().contains(&who))
        })
        .cloned()
        .collect()
}

/// The filters and the rows they pick.
#[component]
fn FilteredTrail(events: Vec<AuditEvent>, show_review: bool) -> impl IntoView {
    let kinds: BTreeSet<String> = events.iter().map(|event| event.kind.clone()).collect();
    let kind = RwSignal::new(String::new());
    let who = RwSignal::new(String::new());
    let events = StoredValue::new(events);
    let shown = move || events.with_value(|all| picked(all, &kind.get(), &who.get()));
    view! {
        <div class="audit-filters form-inline">
            <div class="field">
                <label for="audit-kind">"What"</label>
                <select id="audit-kind" on:change=move |event| kind.set(event_target_value(&event))>
                    <option value="">"Everything"</option>
                    {kinds.into_iter().map(|k| view! { <option value=k.clone()>{k.replace('_', " ")}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-who">"Who"</label>
                <input id="audit-who" type="search" placeholder="a name"
                    on:input=move |event| who.set(event_target_value(&event))/>
            </div>
        </div>
        <table class="members audit">
            <thead><tr>
                <th scope="col">"When"</th>
                {show_review.then(|| view! { <th scope="col">"Review"</th> })}
                <th scope="col">"Who"</th>
                <th scope="col">"What"</th>
                <th scope="col">"Detail"</th>
            </tr></thead>
            <tbody>
                {move || shown().into_iter().map(|event| view! {
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
}

/// Audit events, newest first; with a column for the review when they span several.
#[component]
pub fn AuditTable(result: Result<Vec<AuditEvent>, AppError>, show_review: bool) -> impl IntoView {
    match result {
        Ok(events) if events.is_empty() => {
            view! { <p class="status">"Nothing recorded yet."</p> }.into_any()
        }
        Ok(events) => view! { <FilteredTrail events show_review/> }.into_any(),
        Err(error) => {
            view! { <p class="status status-error" role="alert">{error.message}</p> }.into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, actor: Option<&str>) -> AuditEvent {
        AuditEvent {
            at: "now".into(),
            kind: kind.into(),
            actor: actor.map(Into::into),
            detail: String::new(),
            review: None,
        }
    }

    #[test]
    fn the_filters_pick_by_what_and_by_part_of_a_name() {
        let events = [
            event("wall_opened", Some("Helen Marsh")),
            event("wall_exported", Some("Helen Marsh")),
            event("wall_opened", Some("Tom Okafor")),
            event("notes_destroyed", None),
        ];
        assert_eq!(picked(&events, "", "").len(), 4);
        assert_eq!(picked(&events, "wall_opened", "").len(), 2);
        assert_eq!(picked(&events, "wall_opened", " marsh").len(), 1);
        assert_eq!(picked(&events, "", "okafor").len(), 1);
        assert_eq!(picked(&events, "notes_destroyed", "").len(), 1);
    }
}
