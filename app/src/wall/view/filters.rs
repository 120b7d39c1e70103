//! What narrows the notes shown (kind, pair, where heard, stakeholder, tag, search, not yet
//! evidence): the filters' state and their bar.

use leptos::prelude::*;

use crate::wall::state::WallState;
use crate::wall::{Board, Note, NoteId, NoteKind};

/// What narrows the notes shown; the data never changes.
#[derive(Clone, Copy)]
pub(crate) struct Filters {
    pub(crate) kind: RwSignal<String>,
    pub(crate) pair: RwSignal<String>,
    pub(crate) source: RwSignal<String>,
    pub(crate) stakeholder: RwSignal<String>,
    pub(crate) tag: RwSignal<String>,
    pub(crate) search: RwSignal<String>,
    /// Only notes no key message uses as evidence yet.
    pub(crate) unused: RwSignal<bool>,
    /// The notes some key message uses, worked out once per change for every column.
    pub(crate) in_use: Memo<std::collections::BTreeSet<NoteId>>,
}

impl Filters {
    pub(crate) fn new(state: WallState) -> Self {
        let unused = RwSignal::new(false);
        let in_use = Memo::new(move |_| state.shown.with(Board::notes_in_use));
        Self {
            kind: RwSignal::new(String::new()),
            pair: RwSignal::new(String::new()),
            source: RwSignal::new(String::new()),
            stakeholder: RwSignal::new(String::new()),
            tag: RwSignal::new(String::new()),
            search: RwSignal::new(String::new()),
            unused,
            in_use,
        }
    }

    /// How many filters narrow the wall now, for the toggle that hides them on small screens.
    pub(crate) fn active(&self) -> usize {
        [
            self.kind,
            self.pair,
            self.source,
            self.stakeholder,
            self.tag,
            self.search,
        ]
        .iter()
        .filter(|value| value.with(|value| !value.is_empty()))
        .count()
            + usize::from(self.unused.get())
    }

    pub(crate) fn matches(&self, note: &Note) -> bool {
        let kind = self.kind.get();
        let pair = self.pair.get();
        let source = self.source.get();
        let stakeholder = self.stakeholder.get();
        let tag = self.tag.get();
        let search = self.search.get().to_lowercase();
        (!self.unused.get() || !self.in_use.with(|in_use| in_use.contains(&note.id)))
            && (kind.is_empty() || note.kind.as_str() == kind)
            && (pair.is_empty() || note.pair.map(|p| p.to_string()) == Some(pair))
            && (source.is_empty() || note.source == source)
            && (stakeholder.is_empty() || note.stakeholder == stakeholder)
            && (tag.is_empty() || note.tags.contains(&tag))
            && (search.is_empty()
                || note.text.to_lowercase().contains(&search)
                || note.source.to_lowercase().contains(&search)
                || note.stakeholder.to_lowercase().contains(&search)
                || note.tags.iter().any(|t| t.to_lowercase().contains(&search)))
    }
}

/// The distinct non-empty values the live notes have for a field, sorted: the choices offered
/// when writing a note and when filtering.
pub(crate) fn distinct(board: &Board, pick: fn(&Note) -> Vec<String>) -> Vec<String> {
    let mut all: Vec<String> = board
        .notes
        .values()
        .filter(|note| !note.deleted)
        .flat_map(pick)
        .filter(|value| !value.is_empty())
        .collect();
    all.sort();
    all.dedup();
    all
}

#[component]
pub(crate) fn FilterBar() -> impl IntoView {
    let state = expect_context::<WallState>();
    let filters = expect_context::<Filters>();
    let values =
        move |pick: fn(&Note) -> Vec<String>| state.shown.with(|board| distinct(board, pick));
    let select = move |id: &'static str,
                       label: &'static str,
                       signal: RwSignal<String>,
                       options: Signal<Vec<(String, String)>>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |event| signal.set(event_target_value(&event))>
                    <option value="">"All"</option>
                    {move || options.get().into_iter().map(|(value, text)| {
                        let selected = value == signal.get_untracked();
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let kinds = Signal::derive(|| {
        NoteKind::ALL
            .into_iter()
            .map(|k| (k.as_str().to_string(), k.label().to_string()))
            .collect()
    });
    let pairs = Signal::derive(move || {
        values(|note| note.pair.map(|p| p.to_string()).into_iter().collect())
            .into_iter()
            .map(|pair| (pair.clone(), format!("Pair {pair}")))
            .collect()
    });
    let listed = move |pick: fn(&Note) -> Vec<String>| {
        Signal::derive(move || values(pick).into_iter().map(|v| (v.clone(), v)).collect())
    };
    // On a tablet or phone the filters fold away behind a toggle (CSS shows it only there), so
    // the notes start on the first screen; the toggle says how many filters are on.
    let open = RwSignal::new(false);
    view! {
        <button type="button" class="button button-secondary button-small filters-toggle"
            aria-controls="wall-filters" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|open| *open = !*open)>
            {move || match filters.active() {
                0 => "Filters".to_string(),
                active => format!("Filters ({active} on)"),
            }}
        </button>
        <section id="wall-filters" class="filters" class:filters-open=move || open.get()
            aria-label="Filter the notes">
            {select("filter-kind", "Kind", filters.kind, kinds)}
            {select("filter-pair", "Pair", filters.pair, pairs)}
            {select("filter-source", "Heard at", filters.source, listed(|note| vec![note.source.clone()]))}
            {select("filter-stakeholder", "Stakeholder group", filters.stakeholder, listed(|note| vec![note.stakeholder.clone()]))}
            {select("filter-tag", "Tag", filters.tag, listed(|note| note.tags.clone()))}
            <div class="field">
                <label for="filter-search">"Search"</label>
                <input id="filter-search" type="search" prop:value=move || filters.search.get()
                    on:input=move |event| filters.search.set(event_target_value(&event))/>
            </div>
            <div class="field field-check">
                <input id="filter-unused" type="checkbox" prop:checked=move || filters.unused.get()
                    on:change=move |event| filters.unused.set(event_target_checked(&event))/>
                <label for="filter-unused">"Not yet used as evidence"</label>
            </div>
        </section>
    }
}
