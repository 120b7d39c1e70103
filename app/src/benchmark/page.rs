//! `/reviews/:id/data`: the council's benchmarking data. The indicators the team picked, each as
//! a chart of the host against its family group and every council, with its table; the picker;
//! and for the council's contact and the facilitator the import form (a plain multipart form, sent
//! back here with `?imported=` or `?refused=`).

use crate::layout::NotAvailable;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::benchmark::chart::IndicatorFigure;
use crate::benchmark::{BenchmarkView, MAX_IMPORT_BYTES, PickIndicator, get_benchmarks};
use crate::review::ReviewId;

/// `/reviews/:id/data`.
#[component]
pub fn BenchmarkPage() -> impl IntoView {
    let params = use_params_map();
    let pick = ServerAction::<PickIndicator>::new();
    let data = Resource::new(
        move || (params.read().get("id"), pick.version().get()),
        |(id, _)| async move {
            let review: ReviewId = id
                .and_then(|id| id.parse().ok())
                .map(ReviewId)
                .ok_or_else(crate::membership::not_a_member)?;
            get_benchmarks(review).await.map(|view| (review, view))
        },
    );
    let failed = move || pick.value().get().and_then(Result::err).map(|e| e.message);
    view! {
        <Title text="Data"/>
        <Suspense fallback=|| view! { <p class="status">"Loading the data…"</p> }>
            {move || data.get().map(|result| match result {
                Ok((review, view)) => view! { <Benchmarks review view pick/> }.into_any(),
                Err(error) => view! {
                    <NotAvailable title="Data" heading="The data is not available".to_string() message=error.message/>
                }.into_any(),
            })}
        </Suspense>
        <p class="status status-error" role="alert">{failed}</p>
    }
}

#[component]
fn Benchmarks(
    review: ReviewId,
    view: BenchmarkView,
    pick: ServerAction<PickIndicator>,
) -> impl IntoView {
    let query = use_query_map();
    let imported = move || query.read().get("imported");
    let refused = move || query.read().get("refused");
    let picked_codes: Vec<String> = view
        .picked
        .iter()
        .map(|c| c.indicator.code.clone())
        .collect();
    let unpicked: Vec<(String, String)> = view
        .indicators
        .iter()
        .filter(|i| !picked_codes.contains(&i.code))
        .map(|i| (i.code.clone(), format!("{} · {}", i.code, i.name)))
        .collect();
    let host = view.host.clone();
    view! {
        <Title text=format!("Data · {}", view.title)/>
        <section class="benchmarks">
            <p class="breadcrumb"><a href=format!("/reviews/{review}")>{view.title.clone()}</a></p>
            <h1>"Data"</h1>
            <p class="hint">
                "Benchmarking in the shape of the Local Government Benchmarking Framework: "
                {host.clone()} " against its family group and the average of every council in the data."
            </p>
            {move || imported().map(|rows| view! {
                <p class="status status-ok" role="status">{format!("Imported {rows} values.")}</p>
            })}
            {move || refused().map(|message| view! {
                <p class="status status-error" role="alert" id="import-refused">{message}</p>
            })}
            {view.imported.clone().map(|facts| view! {
                <p class="benchmark-facts">{format!(
                    "{} values for {} councils and {} indicators, from {} (imported by {}).",
                    facts.rows, facts.councils, facts.indicators, facts.file_name, facts.by
                )}</p>
            })}
            {view.imported.is_none().then(|| view! { <p class="status">"No data has been imported yet."</p> })}
            {(view.can_pick && !unpicked.is_empty()).then(|| view! {
                <ActionForm action=pick attr:class="form form-inline benchmark-pick">
                    <input type="hidden" name="review" value=review.to_string()/>
                    <input type="hidden" name="picked" value="true"/>
                    <label for="indicator-pick">"Add an indicator to the team's charts"</label>
                    <select id="indicator-pick" name="indicator">
                        {unpicked.into_iter().map(|(code, label)| view! { <option value=code>{label}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="button">"Add"</button>
                </ActionForm>
            })}
            <div class="benchmark-charts">
                {view.picked.into_iter().map(|chart| {
                    let code = chart.indicator.code.clone();
                    let name = chart.indicator.name.clone();
                    view! {
                        <section class="panel benchmark-panel">
                            <IndicatorFigure chart host=host.clone()/>
                            {view.can_pick.then(|| view! {
                                <ActionForm action=pick attr:class="inline-form">
                                    <input type="hidden" name="review" value=review.to_string()/>
                                    <input type="hidden" name="indicator" value=code.clone()/>
                                    <input type="hidden" name="picked" value="false"/>
                                    <button type="submit" class="link-button">
                                        "Take off the charts" <span class="visually-hidden">{format!(": {name}")}</span>
                                    </button>
                                </ActionForm>
                            })}
                        </section>
                    }
                }).collect_view()}
            </div>
            {view.can_import.then(|| view! { <ImportForm review host=view.host.clone()/> })}
        </section>
    }
}

#[component]
fn ImportForm(review: ReviewId, host: String) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="import-title">
            <h2 id="import-title">"Import LGBF data"</h2>
            <p class="hint">
                "A CSV file with the columns council, indicator, year and value, and optionally family_group and indicator_name. "
                "An import replaces the data as a whole: a file with an error is refused with its line and column, and nothing of it is kept."
            </p>
            <form class="form" method="post" enctype="multipart/form-data"
                action=format!("/api/reviews/{review}/benchmarks")>
                <div class="field">
                    <label for="import-file">{format!("CSV file ({} MB at most)", MAX_IMPORT_BYTES / (1024 * 1024))}</label>
                    <input id="import-file" name="file" type="file" required accept=".csv,text/csv"/>
                </div>
                <div class="field">
                    <label for="import-host">"The host council, as the file names it"</label>
                    <input id="import-host" name="host" type="text" required maxlength="200" value=host/>
                </div>
                <button type="submit" class="button">"Import"</button>
            </form>
        </section>
    }
}
