//! The review page's retention panel (everyone on the review reads the policy; the facilitator
//! shortens it and, after sign-off, destroys the notes with a preview first) and the wall's
//! banner in the week before the notes go.

use leptos::prelude::*;

use crate::retention::{
    DESTROYED, DestroyNotesNow, DestructionRecord, KEPT, RetentionView, SetRetention, WHY,
    get_retention,
};
use crate::review::ReviewId;

fn date(day: chrono::NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// The policy in words: how long, from when, until which day.
fn policy_line(view: &RetentionView) -> String {
    let period = format!("{} day{}", view.days, if view.days == 1 { "" } else { "s" });
    match (view.signed_off, view.destroy_on) {
        (Some(signed), Some(on)) => format!(
            "The council signed the report off on {}: the notes are kept for {period}, until {}.",
            date(signed),
            date(on)
        ),
        _ => {
            format!("The notes are kept until the council signs the report off, then for {period}.")
        }
    }
}

/// The record of a destruction, as it can be shown to the council.
#[component]
fn RecordView(record: DestructionRecord) -> impl IntoView {
    view! {
        <div class="destruction-record" role="status">
            <p>
                <strong>"The notes were destroyed"</strong>
                {format!(" on {} by {}, {} days after sign-off on {}.", record.at, record.by, record.days, date(record.signed_off))}
            </p>
            <p>{format!("Destroyed: {}.", record.counts.summary())}</p>
            <p class="digest">"SHA-256 of what was destroyed: " <code>{record.digest}</code></p>
        </div>
    }
}

/// The facilitator's controls: the period, and destroying now after sign-off.
#[component]
fn RetentionControls(
    review: ReviewId,
    view: RetentionView,
    set: ServerAction<SetRetention>,
    destroy: ServerAction<DestroyNotesNow>,
) -> impl IntoView {
    let preview = view
        .preview
        .filter(|_| view.may_destroy && view.signed_off.is_some());
    view! {
        {view.may_set.then(|| view! {
            <ActionForm action=set attr:class="form form-inline">
                <input type="hidden" name="review" value=review.to_string()/>
                <div class="field">
                    <label for="retention-days">"Keep the notes for (days after sign-off)"</label>
                    <input id="retention-days" name="days" type="number" min="1"
                        max=view.site_days.to_string() value=view.days.to_string() required/>
                </div>
                <button type="submit" class="button button-secondary">"Set"</button>
            </ActionForm>
            <p class="hint">{format!("At most the site's {} days.", view.site_days)}</p>
        })}
        {preview.map(|counts| view! {
            <ActionForm action=destroy attr:class="form destroy-form">
                <input type="hidden" name="review" value=review.to_string()/>
                <p>{format!("Destroying now removes {}.", counts.summary())}</p>
                <label class="check">
                    <input type="checkbox" name="confirm" required/>
                    " I understand the notes cannot be brought back"
                </label>
                <button type="submit" class="button button-danger">"Destroy the notes now"</button>
            </ActionForm>
        })}
    }
}

/// The review's retention policy, with the destruction record once there is one.
#[component]
pub fn RetentionPanel(review: ReviewId) -> impl IntoView {
    let set = ServerAction::<SetRetention>::new();
    let destroy = ServerAction::<DestroyNotesNow>::new();
    let policy = crate::browser::load_in_browser(move || {
        set.version().track();
        destroy.version().track();
        get_retention(review)
    });
    let failed = move || {
        (set.value().get().and_then(Result::err))
            .or_else(|| destroy.value().get().and_then(Result::err))
            .map(|error| error.message)
    };
    let list = |items: &'static [&'static str]| {
        items
            .iter()
            .map(|item| view! { <li>{*item}</li> })
            .collect_view()
    };
    view! {
        <section aria-labelledby="retention-title" class="panel retention">
            <h2 id="retention-title">"Notes and retention"</h2>
            {move || match policy.get() {
                None => view! { <p class="status">"Loading the retention policy…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="status status-error">{error.message}</p> }.into_any(),
                Some(Ok(view)) => view! {
                    <p class="policy">{policy_line(&view)}</p>
                    {(view.warning && view.record.is_none()).then(|| view! {
                        <p class="status status-warning" role="alert">
                            {format!("The notes will be destroyed on {}. Anything the team still needs from them belongs in the report before then.",
                                view.destroy_on.map(date).unwrap_or_default())}
                        </p>
                    })}
                    {view.record.clone().map(|record| view! { <RecordView record/> })}
                    <details>
                        <summary>"What goes, what stays, and why"</summary>
                        <h3>"Destroyed"</h3>
                        <ul>{list(DESTROYED)}</ul>
                        <h3>"Kept"</h3>
                        <ul>{list(KEPT)}</ul>
                        <p>{WHY}</p>
                    </details>
                    {view.record.is_none().then(|| view! { <RetentionControls review view set destroy/> })}
                }.into_any(),
            }}
            <p class="status status-error" role="alert">{failed}</p>
        </section>
    }
}

/// The wall's line about the notes' end: a warning in the week before, or when they went.
#[component]
pub fn DestructionBanner(review: ReviewId) -> impl IntoView {
    let policy = crate::browser::load_in_browser(move || get_retention(review));
    move || {
        let view = policy.get()?.ok()?;
        let text = match (&view.record, view.destroy_on) {
            (Some(record), _) => format!(
                "The notes were destroyed on {} under the retention policy. The key messages stay, with their strength as it stood.",
                record.at
            ),
            (None, Some(on)) if view.warning => format!(
                "The notes on this wall will be destroyed on {} under the retention policy: the key messages and the report stay.",
                date(on)
            ),
            _ => return None,
        };
        Some(view! { <p class="wall-banner retention-banner" role="status">{text}</p> })
    }
}
