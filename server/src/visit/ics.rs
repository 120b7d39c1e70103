//! The timetable as an iCalendar file, per pair or for the caller's own pair:
//! `GET /api/reviews/{review}/timetable.ics?pair=N` or `?mine=true`. Each session is one event
//! whose UID is the session's id and whose SEQUENCE is its version, so importing the file again
//! moves a changed meeting in Outlook instead of adding a second; a dropped session is sent as
//! cancelled. Times are the council's (UK) local times, written in UTC.

use app::error::{AppError, ErrorCode};
use app::membership::Action;
use app::visit::Session;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use icalendar::{Calendar, Component, EventLike, EventStatus};

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or_default();
    let mut day = next - Duration::days(1);
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    day
}

/// UK local time (GMT, or BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
/// last Sunday of October) as UTC.
pub fn uk_to_utc(day: NaiveDate, minutes: u16) -> chrono::DateTime<Utc> {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes.into());
    let year = day.year();
    let bst_starts = last_sunday(year, 3)
        .and_hms_opt(1, 0, 0)
        .unwrap_or_default();
    let bst_ends = last_sunday(year, 10)
        .and_hms_opt(1, 0, 0)
        .unwrap_or_default();
    let as_gmt = Utc.from_utc_datetime(&local);
    let in_bst = |utc: NaiveDateTime| utc >= bst_starts && utc < bst_ends;
    let shifted = local - Duration::hours(1);
    if in_bst(shifted) {
        Utc.from_utc_datetime(&shifted)
    } else {
        as_gmt
    }
}

/// The calendar of `sessions` (cancelled ones included, as cancelled).
pub fn calendar(name: &str, sessions: &[&Session], stamp: chrono::DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for session in sessions {
        let mut event = icalendar::Event::new();
        event
            .uid(&format!("{}@peerwall", session.id))
            .sequence(session.version)
            .timestamp(stamp)
            .summary(&session.title)
            .starts(uk_to_utc(session.day, session.start))
            .ends(uk_to_utc(session.day, session.end))
            .status(if session.cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        let place = match (session.place.is_empty(), session.online) {
            (true, _) => "Online".to_string(),
            (false, true) => format!("{} (and online)", session.place),
            (false, false) => session.place.clone(),
        };
        event.location(&place);
        let mut description = vec![session.kind.label().to_string()];
        if !session.groups.is_empty() {
            description.push(format!("Meeting: {}", session.groups.join(", ")));
        }
        event.description(&description.join("\n"));
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

#[derive(Debug, serde::Deserialize)]
pub struct IcsQuery {
    #[serde(default)]
    pair: Option<i64>,
    #[serde(default)]
    mine: Option<bool>,
}

/// `GET /api/reviews/{review}/timetable.ics`.
pub async fn download_ics(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    axum::extract::Path(review): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<IcsQuery>,
    session: Option<axum::Extension<app::accounts::RequestSession>>,
) -> axum::response::Response {
    use crate::endpoint::{caller, refuse};

    let (review, session) = match caller(
        &state,
        &review,
        session,
        "Sign in to download the timetable.",
        None,
    ) {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let timetables = state.timetable.clone();
    let result = async {
        let who = timetables
            .door
            .caller_in(session.caller.clone(), review)
            .await?;
        who.must(Action::ViewTimetable)?;
        // The pairs only: the view's notes per session and clashes are not needed here.
        let (pairs, my_pair) = timetables.pairs(&who, review).await?;
        let pair = match (query.pair, query.mine.unwrap_or(false)) {
            (Some(pair), false) => pair,
            (None, true) => my_pair.ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, "You are not in a pair on this review.")
            })?,
            _ => {
                return Err(AppError::new(
                    ErrorCode::Invalid,
                    "Ask for one pair's sessions (pair=N) or your own (mine=true).",
                ));
            }
        };
        if !pairs.iter().any(|p| p.pair == pair) {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "There is no such pair on this review.",
            ));
        }
        let sessions = timetables.sessions(review).await?;
        let chosen: Vec<&Session> = sessions.iter().filter(|s| s.attended_by(pair)).collect();
        let name = format!("{} · pair {pair}", who.title);
        Ok::<_, AppError>((calendar(&name, &chosen, Utc::now()), who.title, pair))
    }
    .await;
    match result {
        Ok((body, title, pair)) => crate::endpoint::attachment(
            body,
            "text/calendar; charset=utf-8",
            &title,
            &format!("pair-{pair}.ics"),
        ),
        Err(error) => refuse(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_times_are_written_in_utc_across_the_clock_changes() {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        // Winter: GMT.
        assert_eq!(
            uk_to_utc(day("2027-01-12"), 9 * 60).to_rfc3339(),
            "2027-01-12T09:00:00+00:00"
        );
        // Summer: BST, an hour ahead.
        assert_eq!(
            uk_to_utc(day("2027-06-15"), 9 * 60).to_rfc3339(),
            "2027-06-15T08:00:00+00:00"
        );
        // The last Sunday of March 2027 is the 28th; of October the 31st.
        assert_eq!(
            uk_to_utc(day("2027-03-27"), 12 * 60).to_rfc3339(),
            "2027-03-27T12:00:00+00:00"
        );
        assert_eq!(
            uk_to_utc(day("2027-03-29"), 12 * 60).to_rfc3339(),
            "2027-03-29T11:00:00+00:00"
        );
        assert_eq!(
            uk_to_utc(day("2027-10-30"), 12 * 60).to_rfc3339(),
            "2027-10-30T11:00:00+00:00"
        );
        assert_eq!(
            uk_to_utc(day("2027-11-01"), 12 * 60).to_rfc3339(),
            "2027-11-01T12:00:00+00:00"
        );
    }
}
