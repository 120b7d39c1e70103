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
            && (source.is_empty() || heard_at_key(note) == source)
            && (stakeholder.is_empty() || note.stakeholder == stakeholder)
            && (tag.is_empty() || note.tags.contains(&tag))
            && (search.is_empty()
                || note.text.to_lowercase().contains(&search)
                || note.source.to_lowercase().contains(&search)
                || note.stakeholder.to_lowercase().contains(&search)
                || note.tags.iter().any(|t| t.to_lowercase().contains(&search)))
    }
}

/// The "heard at" filter's value for a note: its session when the timetable ties it to one (two
/// sessions with one title stay two), else the words typed (a corridor conversation).
pub(crate) fn heard_at_key(note: &Note) -> String {
    match note.session {
        Some(session) => format!("session:{session}"),
        None => format!("text:{}", note.source),
    }
}

/// The "heard at" filter's choices: each session notes are tied to (its title, day and time when
/// the timetable has it), then each typed place, by label.
pub(crate) fn heard_at_choices(
    board: &Board,
    describe: impl Fn(crate::visit::SessionId) -> Option<String>,
) -> Vec<(String, String)> {
    let mut choices: Vec<(String, String)> = board
        .notes
        .values()
        .filter(|note| !note.deleted && (note.session.is_some() || !note.source.is_empty()))
        .map(|note| {
            let label = note
                .session
                .and_then(&describe)
                .unwrap_or_else(|| note.source.clone());
            (heard_at_key(note), label)
        })
        .collect();
    choices.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    choices.dedup_by(|a, b| a.0 == b.0);
    choices
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
    let sessions = use_context::<super::sessions::WallSessions>();
    let heard_at = Signal::derive(move || {
        let describe = |id| {
            let session = sessions?.find(id)?;
            Some(format!(
                "{} · {} {}",
                session.title,
                session.day.format("%a %-d %b"),
                crate::visit::clock(session.start)
            ))
        };
        state.shown.with(|board| heard_at_choices(board, describe))
    });
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
            {select("filter-source", "Heard at", filters.source, heard_at)}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit::SessionId;

    fn note(n: u128, source: &str, session: Option<SessionId>) -> Note {
        Note {
            id: NoteId(uuid::Uuid::from_u128(n)),
            heading: None,
            order: format!("a{n}"),
            text: format!("note {n}"),
            kind: NoteKind::Strength,
            source: source.into(),
            session,
            stakeholder: String::new(),
            pair: Some(1),
            author: "Helen Marsh".into(),
            tags: vec![],
            version: 1,
            deleted: false,
        }
    }

    #[test]
    fn heard_at_filters_by_session_not_by_the_words() {
        let monday = SessionId(uuid::Uuid::from_u128(7));
        let tuesday = SessionId(uuid::Uuid::from_u128(8));
        let mut board = Board::default();
        for note in [
            note(1, "Staff focus group", Some(monday)),
            note(2, "Staff focus group", Some(tuesday)),
            note(3, "Staff focus group", None),
            note(4, "Staff focus group", Some(monday)),
        ] {
            board.notes.insert(note.id, note);
        }
        let choices = heard_at_choices(&board, |id| {
            Some(
                if id == monday {
                    "Staff focus group · Mon"
                } else {
                    "Staff focus group · Tue"
                }
                .into(),
            )
        });
        let labels: Vec<&str> = choices.iter().map(|(_, label)| label.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                "Staff focus group",
                "Staff focus group · Mon",
                "Staff focus group · Tue"
            ],
            "one choice per session, and the typed words as their own"
        );
        let keys: Vec<String> = board.notes.values().map(heard_at_key).collect();
        assert_eq!(keys[0], keys[3], "the same session");
        assert_ne!(keys[0], keys[1], "one title, two sessions");
        assert_ne!(keys[0], keys[2], "typed words are not the session");
    }
}
