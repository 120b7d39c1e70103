//! The visit's timetable: sessions on the days on site, each with the pairs that attend, and the
//! checks a timetable is held to (`clashes`). Shared by the browser, the server and the ICS export.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

uuid_id! {
    /// Identifies a session of the timetable. Made by the browser that adds it; it is also the
    /// calendar event's UID, so a moved session moves in Outlook instead of appearing twice.
    pub struct SessionId;
}

named_enum! {
    /// What a session is.
    pub enum SessionKind {
        Interview = "interview" => "Interview",
        FocusGroup = "focus_group" => "Focus group",
        SiteVisit = "site_visit" => "Site visit",
        TeamMeeting = "team_meeting" => "Team meeting",
        Feedback = "feedback" => "Feedback",
    }
}

impl SessionKind {
    /// Team meetings and the feedback are the whole team's: no pair is named for them.
    pub fn whole_team(self) -> bool {
        matches!(self, SessionKind::TeamMeeting | SessionKind::Feedback)
    }

    /// Whether the team meets people from the council or its partners in it (counted as a
    /// meeting in the report's figures).
    pub fn meets_people(self) -> bool {
        !matches!(self, SessionKind::TeamMeeting)
    }
}

/// Longest title, place or named role, in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// Most stakeholder groups on one session, and most sessions on one timetable.
pub const MAX_GROUPS: usize = 12;
pub const MAX_SESSIONS: usize = 400;
/// The most people a session may be estimated to have met.
pub const MAX_PEOPLE: u32 = 1000;

/// A session of the visit. Times are minutes from midnight, local to the council.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub title: String,
    pub day: NaiveDate,
    pub start: u16,
    pub end: u16,
    /// A room or address; empty when online only.
    pub place: String,
    pub online: bool,
    pub kind: SessionKind,
    /// Who the team meets, as stakeholder groups ("Councillors", "Partners"); no names.
    pub groups: Vec<String>,
    /// The one named role met ("Leader"), which makes what is heard there identifying.
    pub identifying: Option<String>,
    /// The pairs attending (none for the whole team's sessions).
    pub pairs: Vec<i64>,
    /// The people met, as the team estimates it afterwards.
    pub people: Option<u32>,
    /// Goes up at every change: the calendar's SEQUENCE.
    pub version: u32,
    /// Dropped from the timetable: kept so calendars are told to cancel it.
    pub cancelled: bool,
}

impl Session {
    /// Whether `pair` attends (every pair attends a whole-team session).
    pub fn attended_by(&self, pair: i64) -> bool {
        self.kind.whole_team() || self.pairs.contains(&pair)
    }

    /// Its length in minutes.
    pub fn minutes(&self) -> u32 {
        u32::from(self.end.saturating_sub(self.start))
    }

    /// "09:30–10:30".
    pub fn times(&self) -> String {
        format!("{}–{}", clock(self.start), clock(self.end))
    }
}

/// "09:05" for 545 minutes.
pub fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Minutes from midnight for "09:05" (or "9:05").
pub fn parse_clock(text: &str) -> Option<u16> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

/// A session as the form sends it: checked by `SessionInput::check` on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInput {
    pub id: SessionId,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `HH:MM`.
    pub start: String,
    pub end: String,
    pub place: String,
    pub online: bool,
    pub kind: String,
    /// Comma-separated stakeholder groups.
    pub groups: String,
    /// The named role met, or empty.
    pub identifying: String,
    pub pairs: Vec<i64>,
    /// The version the editor saw (0 for a new session): a stale one is refused.
    pub version: u32,
    /// The editor confirmed a day outside the visit's dates.
    pub outside_confirmed: bool,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::invalid_field(field, message)
}

fn text(field: &str, label: &str, value: &str, required: bool) -> Result<String, AppError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(invalid(field, format!("Give the session {label}.")));
    }
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(invalid(
            field,
            format!("The {label} is longer than {MAX_TEXT_CHARS} characters."),
        ));
    }
    Ok(value.to_string())
}

impl SessionInput {
    /// The session it describes, or the first thing wrong with it. `visit` is the first and last
    /// day on site; a day outside them needs `outside_confirmed`.
    pub fn check(&self, visit: (NaiveDate, NaiveDate)) -> Result<Session, AppError> {
        let title = text("title", "a title", &self.title, true)?;
        let day = NaiveDate::parse_from_str(self.day.trim(), "%Y-%m-%d")
            .map_err(|_| invalid("day", "Give the day as a date."))?;
        if (day < visit.0 || day > visit.1) && !self.outside_confirmed {
            return Err(invalid(
                "day",
                format!(
                    "{} is outside the visit ({} to {}): confirm to keep it.",
                    day.format("%-d %B"),
                    visit.0.format("%-d %B"),
                    visit.1.format("%-d %B %Y")
                ),
            ));
        }
        let start = parse_clock(&self.start)
            .ok_or_else(|| invalid("start", "Give the start as a time, such as 09:30."))?;
        let end = parse_clock(&self.end)
            .ok_or_else(|| invalid("end", "Give the end as a time, such as 10:30."))?;
        if end <= start {
            return Err(invalid("end", "The session ends before it starts."));
        }
        let place = text("place", "a place", &self.place, false)?;
        if place.is_empty() && !self.online {
            return Err(invalid(
                "place",
                "Say where the session is, or that it is online.",
            ));
        }
        let kind = SessionKind::parse(&self.kind)
            .ok_or_else(|| invalid("kind", "Choose what kind of session it is."))?;
        let mut groups = Vec::new();
        for group in self
            .groups
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
        {
            let group = text("groups", "a stakeholder group", group, false)?;
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
        if groups.len() > MAX_GROUPS {
            return Err(invalid(
                "groups",
                format!("A session meets at most {MAX_GROUPS} stakeholder groups."),
            ));
        }
        let identifying = text("identifying", "a named role", &self.identifying, false)?;
        let mut pairs = self.pairs.clone();
        pairs.sort_unstable();
        pairs.dedup();
        if pairs.iter().any(|pair| !(1..=50).contains(pair)) {
            return Err(invalid("pairs", "That pair is not on this review."));
        }
        Ok(Session {
            id: self.id,
            title,
            day,
            start,
            end,
            place,
            online: self.online,
            kind,
            groups,
            identifying: (!identifying.is_empty()).then_some(identifying),
            pairs: if kind.whole_team() { Vec::new() } else { pairs },
            people: None,
            version: self.version + 1,
            cancelled: false,
        })
    }

    /// The form's fields for an existing session.
    pub fn from_session(session: &Session) -> Self {
        SessionInput {
            id: session.id,
            title: session.title.clone(),
            day: session.day.to_string(),
            start: clock(session.start),
            end: clock(session.end),
            place: session.place.clone(),
            online: session.online,
            kind: session.kind.as_str().to_string(),
            groups: session.groups.join(", "),
            identifying: session.identifying.clone().unwrap_or_default(),
            pairs: session.pairs.clone(),
            version: session.version,
            outside_confirmed: false,
        }
    }
}

/// A pair as the timetable shows it: its number, and its members' names to those who may see
/// pairs (the peer team); host roles see the number only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairLabel {
    pub pair: i64,
    pub members: Vec<String>,
}

/// The timetable as one person may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimetableView {
    /// The days on site, first to last.
    pub visit: (NaiveDate, NaiveDate),
    /// Live sessions by day and start; cancelled ones are left out.
    pub sessions: Vec<Session>,
    pub pairs: Vec<PairLabel>,
    /// The caller's own pair, if they are in one.
    pub my_pair: Option<i64>,
    pub can_edit: bool,
    /// Whether the caller may record the people met (the peer team).
    pub can_record: bool,
    /// The notes on the wall from each session (the peer team only; empty for others).
    pub notes: Vec<(SessionId, u32)>,
    pub clashes: Vec<Clash>,
}

impl TimetableView {
    /// The notes the wall has from `session`, if the caller may know.
    pub fn notes_from(&self, session: SessionId) -> Option<u32> {
        self.notes
            .iter()
            .find(|(id, _)| *id == session)
            .map(|(_, count)| *count)
    }

    /// The sessions `pair` attends, in order.
    pub fn for_pair(&self, pair: i64) -> impl Iterator<Item = &Session> {
        self.sessions.iter().filter(move |s| s.attended_by(pair))
    }

    /// The days the sessions fall on, with the visit's days even when empty.
    pub fn days(&self) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = self
            .visit
            .0
            .iter_days()
            .take_while(|d| *d <= self.visit.1)
            .take(31)
            .collect();
        for session in &self.sessions {
            if !days.contains(&session.day) {
                days.push(session.day);
            }
        }
        days.sort();
        days
    }
}

/// The figures the report's "scale of the work" sentence takes from the timetable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Sessions where the team met people.
    pub meetings: u32,
    /// People met, as estimated per session (sessions without an estimate count none).
    pub people: u32,
    /// Hours of meetings, rounded down.
    pub hours: u32,
}

impl Figures {
    pub fn of(sessions: &[Session]) -> Self {
        let meetings: Vec<&Session> = sessions
            .iter()
            .filter(|s| !s.cancelled && s.kind.meets_people())
            .collect();
        Figures {
            meetings: meetings.len() as u32,
            people: meetings.iter().filter_map(|s| s.people).sum(),
            hours: meetings.iter().map(|s| s.minutes()).sum::<u32>() / 60,
        }
    }
}

/// Something about the timetable to look at again: warned, never refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clash {
    /// The sessions concerned.
    pub sessions: Vec<SessionId>,
    pub message: String,
}

/// Lunch: a pair needs 30 minutes free between 12:00 and 14:00 on a day it has sessions.
const LUNCH: (u16, u16) = (12 * 60, 14 * 60);
const LUNCH_BREAK: u16 = 30;

/// The timetable's clashes: a pair in two places at once, a session no pair attends, and a pair
/// without a lunch break.
pub fn clashes(sessions: &[Session], pairs: &[i64]) -> Vec<Clash> {
    let live: Vec<&Session> = sessions.iter().filter(|s| !s.cancelled).collect();
    let mut found = Vec::new();
    for session in &live {
        if !session.kind.whole_team() && session.pairs.is_empty() {
            found.push(Clash {
                sessions: vec![session.id],
                message: format!(
                    "No pair is attending \"{}\" ({} {}).",
                    session.title,
                    session.day.format("%a %-d %b"),
                    session.times()
                ),
            });
        }
    }
    for &pair in pairs {
        let mine: Vec<&&Session> = live.iter().filter(|s| s.attended_by(pair)).collect();
        for (at, first) in mine.iter().enumerate() {
            for second in &mine[at + 1..] {
                if first.day == second.day && first.start < second.end && second.start < first.end {
                    found.push(Clash {
                        sessions: vec![first.id, second.id],
                        message: format!(
                            "Pair {pair} is in two places at once: \"{}\" and \"{}\" ({} {}).",
                            first.title,
                            second.title,
                            first.day.format("%a %-d %b"),
                            first.times()
                        ),
                    });
                }
            }
        }
        let mut days: Vec<NaiveDate> = mine.iter().map(|s| s.day).collect();
        days.dedup();
        for day in days {
            let mut busy: Vec<(u16, u16)> = mine
                .iter()
                .filter(|s| s.day == day && s.kind != SessionKind::TeamMeeting)
                .map(|s| (s.start.max(LUNCH.0), s.end.min(LUNCH.1)))
                .filter(|(start, end)| start < end)
                .collect();
            busy.sort_unstable();
            let mut free = 0;
            let mut at = LUNCH.0;
            for (start, end) in busy {
                free = free.max(start.saturating_sub(at));
                at = at.max(end);
            }
            free = free.max(LUNCH.1.saturating_sub(at));
            if free < LUNCH_BREAK {
                found.push(Clash {
                    sessions: mine.iter().filter(|s| s.day == day).map(|s| s.id).collect(),
                    message: format!(
                        "Pair {pair} has no lunch break on {}: leave 30 minutes free between 12:00 and 14:00.",
                        day.format("%A %-d %B")
                    ),
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    fn input() -> SessionInput {
        SessionInput {
            id: SessionId(uuid::Uuid::from_u128(1)),
            title: " Leader interview ".into(),
            day: "2027-03-10".into(),
            start: "09:30".into(),
            end: "10:30".into(),
            place: "Leader's office".into(),
            online: false,
            kind: "interview".into(),
            groups: "Councillors, councillors, Councillors".into(),
            identifying: "Leader".into(),
            pairs: vec![2, 1, 2],
            version: 0,
            outside_confirmed: false,
        }
    }

    fn session(
        n: u128,
        d: u32,
        start: &str,
        end: &str,
        kind: SessionKind,
        pairs: &[i64],
    ) -> Session {
        Session {
            id: SessionId(uuid::Uuid::from_u128(n)),
            title: format!("S{n}"),
            day: day(d),
            start: parse_clock(start).unwrap(),
            end: parse_clock(end).unwrap(),
            place: "Room".into(),
            online: false,
            kind,
            groups: vec![],
            identifying: None,
            pairs: pairs.to_vec(),
            people: None,
            version: 1,
            cancelled: false,
        }
    }

    const VISIT: (NaiveDate, NaiveDate) = (
        NaiveDate::from_ymd_opt(2027, 3, 9).unwrap(),
        NaiveDate::from_ymd_opt(2027, 3, 11).unwrap(),
    );

    #[test]
    fn a_session_is_checked_and_tidied() {
        let session = input().check(VISIT).unwrap();
        assert_eq!(session.title, "Leader interview");
        assert_eq!((session.start, session.end), (570, 630));
        assert_eq!(session.groups, ["Councillors", "councillors"]);
        assert_eq!(session.pairs, [1, 2]);
        assert_eq!(session.identifying.as_deref(), Some("Leader"));
        assert_eq!(session.version, 1);
        assert_eq!(session.times(), "09:30–10:30");
    }

    #[test]
    fn bad_sessions_are_refused_with_the_field_at_fault() {
        let field = |change: fn(&mut SessionInput)| {
            let mut bad = input();
            change(&mut bad);
            bad.check(VISIT).unwrap_err().field.unwrap()
        };
        assert_eq!(field(|i| i.end = "09:00".into()), "end");
        assert_eq!(field(|i| i.end = "09:30".into()), "end");
        assert_eq!(field(|i| i.start = "25:00".into()), "start");
        assert_eq!(field(|i| i.title = "  ".into()), "title");
        assert_eq!(field(|i| i.title = "x".repeat(MAX_TEXT_CHARS + 1)), "title");
        assert_eq!(field(|i| i.kind = "party".into()), "kind");
        assert_eq!(field(|i| i.day = "tomorrow".into()), "day");
        assert_eq!(field(|i| i.pairs = vec![0]), "pairs");
        assert_eq!(
            field(|i| {
                i.place.clear();
            }),
            "place"
        );
        // Outside the visit: refused until confirmed.
        assert_eq!(field(|i| i.day = "2027-03-20".into()), "day");
        let mut outside = input();
        outside.day = "2027-03-20".into();
        outside.outside_confirmed = true;
        assert_eq!(outside.check(VISIT).unwrap().day, day(20));
        // Online needs no place; a whole-team session names no pair.
        let mut online = input();
        online.place.clear();
        online.online = true;
        online.kind = "team_meeting".into();
        let online = online.check(VISIT).unwrap();
        assert!(online.pairs.is_empty());
    }

    #[test]
    fn clashes_find_double_booked_pairs_empty_sessions_and_no_lunch() {
        let sessions = vec![
            session(1, 10, "09:00", "10:00", SessionKind::Interview, &[1]),
            session(2, 10, "09:30", "10:30", SessionKind::FocusGroup, &[1, 2]),
            session(3, 10, "11:00", "12:00", SessionKind::Interview, &[]),
            session(4, 10, "12:00", "13:00", SessionKind::Interview, &[2]),
            session(5, 10, "13:00", "14:00", SessionKind::Interview, &[2]),
            session(6, 10, "08:00", "08:30", SessionKind::TeamMeeting, &[]),
        ];
        let found = clashes(&sessions, &[1, 2]);
        let messages: Vec<&str> = found.iter().map(|c| c.message.as_str()).collect();
        assert_eq!(found.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("No pair is attending \"S3\""));
        assert!(messages[1].starts_with("Pair 1 is in two places at once: \"S1\" and \"S2\""));
        assert!(messages[2].starts_with("Pair 2 has no lunch break on Wednesday 10 March"));
        // Back to back is not a clash; a cancelled session is not there.
        let mut fine = vec![
            session(1, 10, "09:00", "10:00", SessionKind::Interview, &[1]),
            session(2, 10, "10:00", "11:00", SessionKind::Interview, &[1]),
            session(3, 10, "10:00", "11:00", SessionKind::Interview, &[1]),
        ];
        fine[2].cancelled = true;
        assert!(clashes(&fine, &[1]).is_empty());
    }

    #[test]
    fn the_figures_count_meetings_people_and_hours() {
        let mut sessions = vec![
            session(1, 10, "09:00", "10:30", SessionKind::Interview, &[1]),
            session(2, 10, "11:00", "12:00", SessionKind::FocusGroup, &[2]),
            session(3, 10, "12:00", "13:00", SessionKind::TeamMeeting, &[]),
            session(4, 10, "14:00", "15:00", SessionKind::SiteVisit, &[2]),
        ];
        sessions[0].people = Some(1);
        sessions[1].people = Some(8);
        sessions[3].cancelled = true;
        assert_eq!(
            Figures::of(&sessions),
            Figures {
                meetings: 2,
                people: 9,
                hours: 2
            }
        );
    }

    #[test]
    fn clock_times_read_and_write() {
        assert_eq!(parse_clock("9:05"), Some(545));
        assert_eq!(clock(545), "09:05");
        assert_eq!(parse_clock("24:00"), None);
        assert_eq!(parse_clock("noon"), None);
    }
}
