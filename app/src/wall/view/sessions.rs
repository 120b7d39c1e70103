//! The timetable as the wall uses it: "heard at" picks a session (the pair's current or last one
//! first), and a note from a session with one named role is flagged as identifying.

use leptos::prelude::*;

use crate::review::ReviewId;
use crate::visit::{Session, SessionId};

/// The review's live sessions, loaded when the wall opens and again when "heard at" is opened.
#[derive(Clone, Copy)]
pub(crate) struct WallSessions {
    pub sessions: RwSignal<Vec<Session>>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    review: ReviewId,
}

impl WallSessions {
    pub fn new(review: ReviewId) -> Self {
        let this = Self {
            sessions: RwSignal::new(Vec::new()),
            review,
        };
        Effect::new(move |_| this.reload());
        this
    }

    /// Reads the timetable again (in the browser; the wall works without it).
    pub fn reload(&self) {
        #[cfg(feature = "hydrate")]
        {
            let this = *self;
            leptos::task::spawn_local(async move {
                if let Ok(view) = crate::visit::get_timetable(this.review).await {
                    this.sessions.set(view.sessions);
                }
            });
        }
    }

    pub fn find(&self, id: SessionId) -> Option<Session> {
        self.sessions
            .with(|sessions| sessions.iter().find(|s| s.id == id).cloned())
    }

    /// The named role that makes `id` identifying, if it does.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn identifying(&self, id: Option<SessionId>) -> Option<String> {
        id.and_then(|id| self.find(id)).and_then(|s| s.identifying)
    }

    /// Sessions in the order "heard at" offers them: `pair`'s sessions that have started, the
    /// latest first (the one under way, then the last), then every other session in time order.
    pub fn offered(
        &self,
        pair: Option<i64>,
        now: Option<(chrono::NaiveDate, u16)>,
    ) -> Vec<Session> {
        let mut sessions = self.sessions.get();
        let started = |s: &Session| now.is_some_and(|(day, at)| (s.day, s.start) <= (day, at));
        let mine = |s: &Session| pair.is_some_and(|pair| s.attended_by(pair));
        sessions.sort_by(|a, b| {
            let rank = |s: &Session| !(mine(s) && started(s));
            rank(a).cmp(&rank(b)).then_with(|| {
                if rank(a) {
                    (a.day, a.start).cmp(&(b.day, b.start))
                } else {
                    (b.day, b.start).cmp(&(a.day, a.start))
                }
            })
        });
        sessions
    }
}

/// The browser's local date and minute of the day.
pub(crate) fn now() -> Option<(chrono::NaiveDate, u16)> {
    #[cfg(feature = "hydrate")]
    {
        let date = web_sys::js_sys::Date::new_0();
        let day = chrono::NaiveDate::from_ymd_opt(
            date.get_full_year() as i32,
            date.get_month() + 1,
            date.get_date(),
        )?;
        Some((day, (date.get_hours() * 60 + date.get_minutes()) as u16))
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit::SessionKind;

    fn session(n: u128, day: u32, start: u16, pairs: Vec<i64>) -> Session {
        Session {
            id: SessionId(uuid::Uuid::from_u128(n)),
            title: format!("S{n}"),
            day: chrono::NaiveDate::from_ymd_opt(2027, 3, day).unwrap(),
            start,
            end: start + 60,
            place: "Room".into(),
            online: false,
            kind: SessionKind::Interview,
            groups: vec![],
            identifying: None,
            pairs,
            people: None,
            version: 1,
            cancelled: false,
        }
    }

    #[test]
    fn heard_at_offers_the_pairs_current_session_first() {
        let owner = Owner::new();
        owner.with(|| {
            let sessions = WallSessions {
                sessions: RwSignal::new(vec![
                    session(1, 10, 540, vec![1]),
                    session(2, 10, 600, vec![1]),
                    session(3, 10, 600, vec![2]),
                    session(4, 10, 720, vec![1]),
                ]),
                review: ReviewId::new(),
            };
            let now = Some((chrono::NaiveDate::from_ymd_opt(2027, 3, 10).unwrap(), 630));
            let titles: Vec<String> = sessions
                .offered(Some(1), now)
                .into_iter()
                .map(|s| s.title)
                .collect();
            assert_eq!(titles, ["S2", "S1", "S3", "S4"]);
            let anyone: Vec<String> = sessions
                .offered(None, None)
                .into_iter()
                .map(|s| s.title)
                .collect();
            assert_eq!(anyone, ["S1", "S2", "S3", "S4"]);
        });
    }
}
