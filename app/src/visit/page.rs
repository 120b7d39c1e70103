//! `/reviews/:id/timetable`: the visit's sessions by day as parallel streams (one column per
//! pair), "my sessions" for a peer, the clash warnings, the sessions with no notes yet, calendar
//! exports, and (for the council's contact and the facilitator) the session editor.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::review::ReviewId;
use crate::visit::state::follow_timetable;
use crate::visit::{
    PairLabel, Session, SessionId, SessionInput, SessionKind, TimetableView, cancel_session,
    record_people_met, save_session,
};

/// `/reviews/:id/timetable`.
#[component]
pub fn TimetablePage() -> impl IntoView {
    crate::present::with_review("Timetable", |review, title, _role| {
        view! { <Timetable review title/> }
    })
}

#[component]
fn Timetable(review: ReviewId, title: String) -> impl IntoView {
    let state = follow_timetable(review);
    let editing = RwSignal::new(None::<SessionInput>);
    view! {
        <Title text=format!("Timetable · {title}")/>
        <section class="timetable">
            <p class="breadcrumb"><a href=format!("/reviews/{review}")>{title.clone()}</a></p>
            <h1>"Timetable"</h1>
            <p class="status status-error" role="alert">{move || state.error.get()}</p>
            // The editor stands outside the live part: a change arriving while someone types
            // re-draws the timetable, never their half-filled form.
            {move || state.view.with(|v| v.as_ref().filter(|v| v.can_edit).map(|v| v.visit.0)).map(|first_day| view! {
                <p><button type="button" class="button" on:click=move |_| editing.set(Some(blank(first_day)))>"Add a session"</button></p>
            })}
            {move || editing.get().map(|input| view! { <SessionEditor review input editing/> })}
            {move || match state.view.get() {
                None => view! { <p class="status">"Loading the timetable…"</p> }.into_any(),
                Some(view) => view! { <Loaded review view editing/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Loaded(
    review: ReviewId,
    view: TimetableView,
    editing: RwSignal<Option<SessionInput>>,
) -> impl IntoView {
    let days = view.days();
    let exports = calendar_links(review, &view);
    let mine = view.my_pair.map(|pair| {
        let sessions: Vec<Session> = view.for_pair(pair).cloned().collect();
        view! { <MySessions pair sessions/> }
    });
    let clashes = (!view.clashes.is_empty()).then(|| {
        view! {
            <section class="clashes" aria-labelledby="clashes-title">
                <h2 id="clashes-title">"To look at again"</h2>
                <ul>{view.clashes.iter().map(|c| view! { <li>{c.message.clone()}</li> }).collect_view()}</ul>
            </section>
        }
    });
    let uncovered = uncovered(&view);
    let shared = StoredValue::new(view.clone());
    view! {
        <p class="timetable-exports">{exports}</p>
        {clashes}
        {mine}
        {days.into_iter().map(|day| view! { <DayStreams review day view=shared editing/> }).collect_view()}
        {uncovered}
    }
}

/// A new session's form, on the visit's first day.
fn blank(day: NaiveDate) -> SessionInput {
    SessionInput {
        id: SessionId::new(),
        title: String::new(),
        day: day.to_string(),
        start: "09:00".into(),
        end: "10:00".into(),
        place: String::new(),
        online: false,
        kind: SessionKind::Interview.as_str().into(),
        groups: String::new(),
        identifying: String::new(),
        pairs: Vec::new(),
        version: 0,
        outside_confirmed: false,
    }
}

/// Calendar files: mine, and each pair's.
fn calendar_links(review: ReviewId, view: &TimetableView) -> impl IntoView + use<> {
    let base = format!("/api/reviews/{review}/timetable.ics");
    let mine = view.my_pair.map(|_| {
        view! { <a class="button button-secondary" href=format!("{base}?mine=true") download="">"My sessions (.ics)"</a> }
    });
    let pairs = view
        .pairs
        .iter()
        .map(|pair| {
            let href = format!("{base}?pair={}", pair.pair);
            view! { " " <a href=href download="">{format!("Pair {} (.ics)", pair.pair)}</a> }
        })
        .collect_view();
    view! { {mine} <span class="hint">" Calendar files update a moved session in place. "</span> {pairs} }
}

#[component]
fn MySessions(pair: i64, sessions: Vec<Session>) -> impl IntoView {
    view! {
        <section class="my-sessions" aria-labelledby="my-sessions-title">
            <h2 id="my-sessions-title">{format!("My sessions (pair {pair})")}</h2>
            {if sessions.is_empty() {
                view! { <p class="hint">"No sessions for your pair yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="my-sessions-list">
                        {sessions.into_iter().map(|s| view! {
                            <li data-session=s.id.to_string()>
                                <span class="session-when">{format!("{} {}", s.day.format("%a %-d %b"), s.times())}</span>
                                " " <strong>{s.title.clone()}</strong>
                                <span class="session-where">{format!(" · {}", place(&s))}</span>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

fn place(session: &Session) -> String {
    match (session.place.is_empty(), session.online) {
        (true, _) => "Online".into(),
        (false, true) => format!("{} and online", session.place),
        (false, false) => session.place.clone(),
    }
}

/// One day: the whole team's sessions, then a column per pair.
#[component]
fn DayStreams(
    review: ReviewId,
    day: NaiveDate,
    view: StoredValue<TimetableView>,
    editing: RwSignal<Option<SessionInput>>,
) -> impl IntoView {
    let (today, pairs, can_edit, can_record) = view.with_value(|v| {
        let today: Vec<Session> = v
            .sessions
            .iter()
            .filter(|s| s.day == day)
            .cloned()
            .collect();
        (today, v.pairs.clone(), v.can_edit, v.can_record)
    });
    let team: Vec<Session> = today
        .iter()
        .filter(|s| s.kind.whole_team())
        .cloned()
        .collect();
    let unpaired: Vec<Session> = today
        .iter()
        .filter(|s| !s.kind.whole_team() && s.pairs.is_empty())
        .cloned()
        .collect();
    let card = move |session: Session| {
        let notes = view.with_value(|v| v.notes_from(session.id));
        view! { <SessionCard review session notes can_edit can_record editing/> }
    };
    let mut columns: Vec<(String, Vec<Session>)> = pairs
        .iter()
        .map(|PairLabel { pair, members }| {
            let label = if members.is_empty() {
                format!("Pair {pair}")
            } else {
                format!("Pair {pair}: {}", members.join(" and "))
            };
            let sessions = today
                .iter()
                .filter(|s| !s.kind.whole_team() && s.pairs.contains(pair))
                .cloned()
                .collect();
            (label, sessions)
        })
        .collect();
    if !unpaired.is_empty() {
        columns.push(("No pair yet".into(), unpaired));
    }
    let heading = day.format("%A %-d %B %Y").to_string();
    let label = heading.clone();
    // The column count as a data attribute (the CSP allows no inline styles).
    let streams = columns.len().clamp(1, 6).to_string();
    view! {
        <section class="timetable-day" aria-label=label>
            <h2>{heading}</h2>
            {(!team.is_empty()).then(|| view! {
                <div class="stream stream-team"><h3>"Whole team"</h3>
                    {team.into_iter().map(card).collect_view()}</div>
            })}
            <div class="streams" data-streams=streams>
                {columns.into_iter().map(|(label, sessions)| view! {
                    <div class="stream"><h3>{label}</h3>
                        {if sessions.is_empty() { Some(view! { <p class="hint">"Nothing yet."</p> }) } else { None }}
                        {sessions.into_iter().map(card).collect_view()}
                    </div>
                }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn SessionCard(
    review: ReviewId,
    session: Session,
    notes: Option<u32>,
    can_edit: bool,
    can_record: bool,
    editing: RwSignal<Option<SessionInput>>,
) -> impl IntoView {
    let input = SessionInput::from_session(&session);
    let groups = session.groups.join(", ");
    let id = session.id;
    let version = session.version;
    let people = session.people;
    let error = RwSignal::new(None::<String>);
    let drop_it = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = cancel_session(review, id, version).await {
                error.set(Some(e.message));
            }
        });
    };
    let record = move |value: String| {
        let people = value.trim().parse::<u32>().ok();
        leptos::task::spawn_local(async move {
            if let Err(e) = record_people_met(review, id, people).await {
                error.set(Some(e.message));
            }
        });
    };
    view! {
        <article class="visit-session" data-session=id.to_string() data-kind=session.kind.as_str()>
            <p class="session-when">{session.times()} " · " {session.kind.label()}</p>
            <h4>{session.title.clone()}</h4>
            <p class="session-where">{place(&session)}</p>
            {(!groups.is_empty()).then(|| view! { <p class="session-groups">{groups}</p> })}
            {session.identifying.clone().map(|role| view! {
                <p class="badge badge-identifying" title="What is heard here could identify the person: never quote it with its session">
                    {format!("Identifying: {role}")}
                </p>
            })}
            {notes.map(|count| view! {
                <p class="session-notes">{match count { 0 => "No notes yet".to_string(), 1 => "1 note".into(), n => format!("{n} notes") }}</p>
            })}
            {(can_record && session.kind.meets_people()).then(|| view! {
                <label class="session-people">"People met "
                    <input type="number" min="0" max="1000" inputmode="numeric"
                        value=people.map(|p| p.to_string()).unwrap_or_default()
                        on:change=move |ev| record(event_target_value(&ev))/>
                </label>
            })}
            {can_edit.then(|| {
                let input = input.clone();
                view! {
                    <p class="session-actions">
                        <button type="button" class="link-button" on:click=move |_| editing.set(Some(input.clone()))>"Edit"</button>
                        " " <button type="button" class="link-button" on:click=drop_it>"Drop"</button>
                    </p>
                }
            })}
            <p class="field-error" role="alert">{move || error.get()}</p>
        </article>
    }
}

/// The sessions the wall has nothing from yet (the peer team only).
fn uncovered(view: &TimetableView) -> Option<impl IntoView + use<>> {
    // Only the peer team is told the notes per session (for everyone else the list is empty).
    if view.notes.is_empty() {
        return None;
    }
    let missing: Vec<(String, String)> = view
        .sessions
        .iter()
        .filter(|s| s.kind.meets_people() && view.notes_from(s.id).unwrap_or(0) == 0)
        .map(|s| {
            (
                format!("{} {}", s.day.format("%a %-d %b"), s.times()),
                s.title.clone(),
            )
        })
        .collect();
    Some(view! {
        <section class="uncovered" aria-labelledby="uncovered-title">
            <h2 id="uncovered-title">{format!("Sessions with no notes yet ({})", missing.len())}</h2>
            <ul>{missing.into_iter().map(|(when, title)| view! { <li>{when} " " <strong>{title}</strong></li> }).collect_view()}</ul>
        </section>
    })
}

/// Adding or changing a session.
#[component]
fn SessionEditor(
    review: ReviewId,
    input: SessionInput,
    editing: RwSignal<Option<SessionInput>>,
) -> impl IntoView {
    let form = RwSignal::new(input);
    let error = RwSignal::new(None::<crate::error::AppError>);
    let saving = RwSignal::new(false);
    let new = form.with_untracked(|f| f.version == 0);
    let field_error = move |field: &'static str| {
        move || error.with(|e| e.as_ref().and_then(|e| e.message_for(field)))
    };
    let save = move || {
        saving.set(true);
        let input = form.get_untracked();
        leptos::task::spawn_local(async move {
            match save_session(review, input).await {
                Ok(_) => {
                    error.set(None);
                    editing.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            saving.set(false);
        });
    };
    let text = move |field: &'static str,
                     label: &'static str,
                     get: fn(&SessionInput) -> String,
                     set: fn(&mut SessionInput, String)| {
        let id = format!("session-{field}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id maxlength="200" prop:value=move || form.with(get)
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))/>
                <p class="field-error">{field_error(field)}</p>
            </div>
        }
    };
    let outside = move || {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| e.field.as_deref() == Some("day") && e.message.contains("outside"))
        })
    };
    view! {
        <form class="session-editor" aria-label=if new { "New session" } else { "Change the session" }
            on:submit=move |ev| { ev.prevent_default(); save(); }>
            <h2>{if new { "New session" } else { "Change the session" }}</h2>
            {text("title", "Title", |f| f.title.clone(), |f, v| f.title = v)}
            <div class="field">
                <label for="session-kind">"Kind"</label>
                <select id="session-kind" on:change=move |ev| form.update(|f| f.kind = event_target_value(&ev))>
                    {SessionKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=move || form.with(|f| f.kind == k.as_str())>{k.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            {text("day", "Day (YYYY-MM-DD)", |f| f.day.clone(), |f, v| f.day = v)}
            {move || outside().then(|| view! {
                <label class="check"><input type="checkbox" on:change=move |ev| form.update(|f| f.outside_confirmed = event_target_checked(&ev))/>
                    " Keep it on a day outside the visit"</label>
            })}
            {text("start", "Starts (HH:MM)", |f| f.start.clone(), |f, v| f.start = v)}
            {text("end", "Ends (HH:MM)", |f| f.end.clone(), |f, v| f.end = v)}
            {text("place", "Place", |f| f.place.clone(), |f, v| f.place = v)}
            <label class="check"><input type="checkbox" prop:checked=move || form.with(|f| f.online)
                on:change=move |ev| form.update(|f| f.online = event_target_checked(&ev))/>" Online"</label>
            {text("groups", "Stakeholder groups met (commas between)", |f| f.groups.clone(), |f, v| f.groups = v)}
            {text("identifying", "One named role met, if any (such as Leader)", |f| f.identifying.clone(), |f, v| f.identifying = v)}
            {text("pairs", "Pairs attending (numbers, commas between)",
                |f| f.pairs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                |f, v| f.pairs = v.split(',').filter_map(|p| p.trim().parse().ok()).collect())}
            <p class="status status-error" role="alert">{move || error.with(|e| e.as_ref().filter(|e| e.field.is_none()).map(|e| e.message.clone()))}</p>
            <p>
                <button type="submit" class="button" disabled=move || saving.get()>{if new { "Add the session" } else { "Save the session" }}</button>
                " " <button type="button" class="link-button" on:click=move |_| editing.set(None)>"Cancel"</button>
            </p>
        </form>
    }
}
