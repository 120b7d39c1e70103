//! `/reviews/new`: a facilitator sets up a peer challenge.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::accounts::SessionActions;
use crate::error::AppError;
use crate::organisations::list_organisations;
use crate::review::{CreateReview, LGA_CORE_COMPONENTS, ReviewType};

/// The form that creates a review; facilitator accounts and administrators only.
#[component]
pub fn NewReviewPage() -> impl IntoView {
    let session = expect_context::<SessionActions>();
    view! {
        <Title text="New review"/>
        <section class="narrow wide-form" aria-labelledby="new-review-title">
            <h1 id="new-review-title">"Set up a peer challenge"</h1>
            <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
                {move || session.caller.get().map(|caller| match caller {
                    Some(caller) if caller.can_create_reviews() => view! { <NewReviewForm/> }.into_any(),
                    Some(_) => view! {
                        <p class="status">
                            "Only a facilitator account can set up a review. An administrator can invite you to open one."
                        </p>
                    }.into_any(),
                    None => view! {
                        <p class="status"><A href="/sign-in">"Sign in"</A>" to set up a review."</p>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// The message for `field` from the last failed attempt, if it was about that field.
fn field_error(action: ServerAction<CreateReview>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|error: AppError| error.message_for(field))
    })
}

#[component]
fn NewReviewForm() -> impl IntoView {
    let create = ServerAction::<CreateReview>::new();
    let organisations = crate::browser::load_in_browser(list_organisations);
    let review_type = RwSignal::new(ReviewType::LgaCorporatePeerChallenge);
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/reviews/{id}"), Default::default());
        }
    });
    let general_error = move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .filter(|error| error.field.is_none())
            .map(|error| error.message)
    };
    let focus_label = move || match review_type.get() {
        ReviewType::LgaCorporatePeerChallenge => {
            "Additional areas of focus (optional, one per line)"
        }
        ReviewType::PeerCollaborativeImprovement => "Agreed areas of focus (one per line)",
        ReviewType::Custom => "Headings (one per line)",
    };
    view! {
        <ActionForm action=create attr:class="form" attr:novalidate="">
            <p class="status status-error" role="alert">{general_error}</p>
            <fieldset class="field">
                <legend>"Type of review"</legend>
                {ReviewType::ALL.into_iter().map(|kind| {
                    let id = format!("type-{}", kind.as_str());
                    view! {
                        <div class="choice">
                            <input
                                type="radio"
                                id=id.clone()
                                name="review_type"
                                value=kind.as_str()
                                checked=kind == ReviewType::LgaCorporatePeerChallenge
                                on:change=move |_| review_type.set(kind)
                            />
                            <label for=id>{kind.label()}</label>
                        </div>
                    }
                }).collect_view()}
                <FieldError action=create field="review_type"/>
            </fieldset>
            <TextField action=create field="host_authority" label="Host council" required=true
                hint="The council that invited the peer team." list="organisation-names"/>
            <datalist id="organisation-names">
                {move || organisations.get().and_then(Result::ok).map(|list| {
                    list.into_iter()
                        .map(|organisation| view! { <option value=organisation.name/> })
                        .collect_view()
                })}
            </datalist>
            <TextField action=create field="title" label="Title (optional)"
                hint="Left empty, it is the council's name and the type of review."/>
            <div class="field">
                <label for="scope">"Scope"</label>
                <textarea id="scope" name="scope" rows="4" maxlength="4000"
                    aria-describedby="scope-hint scope-error"
                    aria-invalid=move || field_error(create, "scope").get().is_some().to_string()></textarea>
                <p id="scope-hint" class="hint">"What the council asked the team to look at."</p>
                <FieldError action=create field="scope"/>
            </div>
            <div class="field">
                <label for="focus">{focus_label}</label>
                <textarea id="focus" name="focus" rows="4"
                    aria-describedby="focus-hint focus-error"
                    aria-invalid=move || field_error(create, "focus").get().is_some().to_string()></textarea>
                <p id="focus-hint" class="hint">
                    {move || match review_type.get() {
                        ReviewType::LgaCorporatePeerChallenge => format!(
                            "The wall starts with the five core components: {}.",
                            LGA_CORE_COMPONENTS.join("; ").to_lowercase()
                        ),
                        _ => "Each line becomes a heading on the findings wall.".to_string(),
                    }}
                </p>
                <FieldError action=create field="focus"/>
            </div>
            <div class="field-row">
                <TextField action=create field="on_site_start" label="First day on site" kind="date" required=true/>
                <TextField action=create field="on_site_end" label="Last day on site" kind="date" required=true/>
            </div>
            <button type="submit" class="button">"Create the review"</button>
        </ActionForm>
    }
}

/// A labelled text input whose error, when the server names it, is tied to it.
#[component]
fn TextField(
    action: ServerAction<CreateReview>,
    field: &'static str,
    label: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] list: &'static str,
) -> impl IntoView {
    let error = field_error(action, field);
    let described = if hint.is_empty() {
        format!("{field}-error")
    } else {
        format!("{field}-hint {field}-error")
    };
    view! {
        <div class="field">
            <label for=field>{label}</label>
            <input
                id=field
                name=field
                type=kind
                required=required
                maxlength="200"
                list=(!list.is_empty()).then_some(list)
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
            />
            {(!hint.is_empty()).then(|| view! { <p id=format!("{field}-hint") class="hint">{hint}</p> })}
            <FieldError action field/>
        </div>
    }
}

/// Where a field's error appears; empty (but present, for `aria-describedby`) when there is none.
#[component]
fn FieldError(action: ServerAction<CreateReview>, field: &'static str) -> impl IntoView {
    let error = field_error(action, field);
    view! { <p id=format!("{field}-error") class="field-error">{move || error.get()}</p> }
}
