//! A board's frames on their way to its sockets, and the events it keeps for sockets that
//! resume: both bounded in bytes as well as in number, so a board's memory here does not
//! depend on how large its notes or its list of who is here happen to be.
//!
//! The ring replaces tokio's broadcast channel, which holds every slot's frame until it is
//! overwritten and can only be bounded in number: 1,024 frames of a presence list for 50
//! people, or of notes at their longest, held several megabytes a board. Here each frame
//! counts the sockets that have still to read it and leaves the ring as soon as every socket
//! has (a board whose sockets keep up holds almost nothing), or when the ring is over either
//! bound (a socket still behind it is told it fell behind and resumes from its last event, as
//! before).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use app::wall::protocol::WallEvent;
use tokio::sync::Notify;

use crate::wall::frame::Frame;

/// The most frames a board keeps for sockets still sending the previous ones. 256 was tried:
/// it saved memory only under overload, where sockets then fell behind, resumed and sank the
/// throughput (the burst's 900 ops/s step acknowledged 0–2 operations a second instead of
/// 1–25).
pub(crate) const FRAMES_KEPT: usize = 1_024;

/// The most bytes of frames a board keeps: above a typical frame's 400 bytes times
/// `FRAMES_KEPT`, so on a usual wall the number binds first.
pub(crate) const FRAME_BYTES_KEPT: usize = 512 * 1024;

/// The most bytes of events a board keeps in memory for sockets that resume (beyond them, or
/// beyond `MAX_REPLAY` events, a resuming socket's events are read from the log).
pub(crate) const EVENT_BYTES_KEPT: usize = 256 * 1024;

/// What a socket joining a board gets: the welcome frame and the board's stream of frames.
pub struct Joined {
    pub welcome: app::wall::protocol::ServerMessage,
    pub frames: Frames,
}

/// The sending end: the board task's.
pub(crate) struct FrameRing {
    shared: Arc<Shared>,
}

/// One socket's receiving end, at its own position in the ring.
pub struct Frames {
    shared: Arc<Shared>,
    next: u64,
}

/// Why no frame came.
#[derive(Debug, PartialEq, Eq)]
pub enum Missed {
    /// Frames this socket had not read were let go: it must resume.
    FellBehind,
    /// The board task ended.
    Closed,
    /// Nothing new yet (only from `try_recv`).
    Empty,
}

struct Shared {
    state: Mutex<State>,
    sent: Notify,
}

struct State {
    /// Each frame with the number of sockets that have still to read it.
    frames: VecDeque<(Arc<Frame>, usize)>,
    /// The position of `frames[0]`.
    first: u64,
    bytes: usize,
    receivers: usize,
    closed: bool,
    max_frames: usize,
    max_bytes: usize,
}

impl State {
    fn end(&self) -> u64 {
        self.first + self.frames.len() as u64
    }

    /// Lets go of the oldest frame.
    fn pop(&mut self) {
        if let Some((old, _)) = self.frames.pop_front() {
            self.bytes -= cost(&old);
            self.first += 1;
        }
    }

    /// Lets go of the frames every socket has read.
    fn pop_read(&mut self) {
        while self.frames.front().is_some_and(|(_, unread)| *unread == 0) {
            self.pop();
        }
    }

    /// Counts the frame at `position` as read by one socket more.
    fn read(&mut self, position: u64) {
        if let Some((_, unread)) = (self.frames).get_mut((position - self.first) as usize) {
            *unread = unread.saturating_sub(1);
        }
    }
}

/// What a frame costs the ring: its text, the event kept for people's own votes (about the
/// size of the text again) and the frame itself.
fn cost(frame: &Frame) -> usize {
    let hidden = frame.hidden_votes.as_ref().map_or(0, |_| frame.text.len());
    frame.text.len() + hidden + std::mem::size_of::<Frame>()
}

impl FrameRing {
    pub(crate) fn new(max_frames: usize, max_bytes: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    frames: VecDeque::new(),
                    first: 0,
                    bytes: 0,
                    receivers: 0,
                    closed: false,
                    max_frames: max_frames.max(1),
                    max_bytes,
                }),
                sent: Notify::new(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.shared)
    }

    /// Sends `frame` to every socket; the oldest frames go while the ring is over a bound
    /// (the newest always stays, unless nobody is there to read it).
    pub(crate) fn send(&self, frame: Arc<Frame>) {
        {
            let mut state = self.state();
            state.bytes += cost(&frame);
            let receivers = state.receivers;
            state.frames.push_back((frame, receivers));
            state.pop_read();
            while state.frames.len() > 1
                && (state.frames.len() > state.max_frames || state.bytes > state.max_bytes)
            {
                state.pop();
            }
        }
        self.shared.sent.notify_waiters();
    }

    /// A receiving end that gets every frame sent from now on.
    pub(crate) fn subscribe(&self) -> Frames {
        let mut state = self.state();
        state.receivers += 1;
        Frames {
            shared: self.shared.clone(),
            next: state.end(),
        }
    }

    /// The frames and bytes the ring holds now.
    #[cfg(test)]
    fn held(&self) -> (usize, usize) {
        let state = self.state();
        (state.frames.len(), state.bytes)
    }
}

impl Drop for FrameRing {
    fn drop(&mut self) {
        self.state().closed = true;
        self.shared.sent.notify_waiters();
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // Nothing panics while holding it; if something did, the ring's state is still whole.
    shared
        .state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Frames {
    /// The next frame, if it is there already.
    pub fn try_recv(&mut self) -> Result<Arc<Frame>, Missed> {
        let mut state = lock(&self.shared);
        if self.next < state.first {
            return Err(Missed::FellBehind);
        }
        let Some((frame, _)) = state.frames.get((self.next - state.first) as usize) else {
            return Err(if state.closed {
                Missed::Closed
            } else {
                Missed::Empty
            });
        };
        let frame = frame.clone();
        state.read(self.next);
        state.pop_read();
        self.next += 1;
        Ok(frame)
    }

    /// The next frame, waiting for it. Safe to drop while waiting (in a `select!`): nothing is
    /// taken until a frame is returned.
    pub async fn recv(&mut self) -> Result<Arc<Frame>, Missed> {
        let shared = self.shared.clone();
        loop {
            let sent = shared.sent.notified();
            tokio::pin!(sent);
            // Registered before looking, so a frame sent in between still wakes it.
            sent.as_mut().enable();
            match self.try_recv() {
                Err(Missed::Empty) => sent.await,
                other => return other,
            }
        }
    }
}

impl Drop for Frames {
    /// The frames this socket had still to read are read as far as the ring is concerned.
    fn drop(&mut self) {
        let mut state = lock(&self.shared);
        state.receivers -= 1;
        for position in self.next.max(state.first)..state.end() {
            state.read(position);
        }
        state.pop_read();
    }
}

/// The latest events, for sockets that resume: at most `MAX_REPLAY` of them and at most
/// `EVENT_BYTES_KEPT` bytes (as their frames measured them).
pub(crate) struct KeptEvents {
    events: VecDeque<(WallEvent, usize)>,
    bytes: usize,
    max_events: usize,
    max_bytes: usize,
}

impl KeptEvents {
    pub(crate) fn new(max_events: usize, max_bytes: usize) -> Self {
        Self {
            events: VecDeque::new(),
            bytes: 0,
            max_events,
            max_bytes,
        }
    }

    /// Keeps `event`, whose frame is `bytes` long; the oldest go while over a bound.
    pub(crate) fn push(&mut self, event: WallEvent, bytes: usize) {
        self.bytes += bytes;
        self.events.push_back((event, bytes));
        while self.events.len() > self.max_events
            || (self.bytes > self.max_bytes && self.events.len() > 1)
        {
            if let Some((_, old)) = self.events.pop_front() {
                self.bytes -= old;
            }
        }
    }

    /// Whether every event after `after` is here.
    pub(crate) fn has_after(&self, after: u64) -> bool {
        (self.events.front()).is_some_and(|(first, _)| first.seq <= after + 1)
    }

    /// The events after `after`.
    pub(crate) fn after(&self, after: u64) -> Vec<WallEvent> {
        (self.events.iter())
            .filter(|(event, _)| event.seq > after)
            .map(|(event, _)| event.clone())
            .collect()
    }

    /// The kept events, to be rewritten (a redaction or an erasure).
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut WallEvent> {
        self.events.iter_mut().map(|(event, _)| event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::wall::Change;
    use app::wall::protocol::OpId;

    fn text(bytes: usize) -> Arc<Frame> {
        Frame::shared("x".repeat(bytes).into())
    }

    fn len(frame: &Frame) -> usize {
        frame.text.len()
    }

    #[tokio::test]
    async fn every_socket_gets_every_frame_in_order_and_a_waiting_one_is_woken() {
        let ring = FrameRing::new(16, 1 << 20);
        let mut one = ring.subscribe();
        let mut two = ring.subscribe();
        let waiting = tokio::spawn(async move {
            let first = one.recv().await.map(|f| len(&f));
            let second = one.recv().await.map(|f| len(&f));
            (first, second)
        });
        tokio::task::yield_now().await;
        ring.send(text(1));
        ring.send(text(2));
        assert_eq!(waiting.await.unwrap(), (Ok(1), Ok(2)));
        assert_eq!(two.try_recv().map(|f| len(&f)), Ok(1));
        assert_eq!(two.try_recv().map(|f| len(&f)), Ok(2));
        assert_eq!(two.try_recv().err(), Some(Missed::Empty));
        // A socket joining now starts from now.
        let mut three = ring.subscribe();
        ring.send(text(3));
        assert_eq!(three.try_recv().map(|f| len(&f)), Ok(3));
        drop(ring);
        assert_eq!(two.try_recv().map(|f| len(&f)), Ok(3));
        assert_eq!(two.recv().await.err(), Some(Missed::Closed));
    }

    #[test]
    fn the_ring_holds_no_more_bytes_than_its_bound_and_a_socket_behind_them_must_resume() {
        let ring = FrameRing::new(1_024, 64 * 1024);
        let mut slow = ring.subscribe();
        let mut quick = ring.subscribe();
        for _ in 0..100 {
            ring.send(text(4_000));
            assert_eq!(quick.try_recv().map(|f| len(&f)), Ok(4_000));
        }
        let (frames, bytes) = ring.held();
        assert!(bytes <= 64 * 1024, "{bytes} bytes held");
        assert!((14..=16).contains(&frames), "{frames} frames held");
        assert_eq!(slow.try_recv().err(), Some(Missed::FellBehind));
        // Once the socket that fell behind is gone, what the others read goes at once.
        drop(slow);
        assert_eq!(ring.held(), (0, 0));
        // Small frames: the number binds.
        let ring = FrameRing::new(8, 64 * 1024);
        let _unread = ring.subscribe();
        for _ in 0..20 {
            ring.send(text(10));
        }
        assert_eq!(ring.held().0, 8);
        // One frame larger than the bound is still sent.
        ring.send(text(100_000));
        assert_eq!(ring.held().0, 1);
    }

    #[test]
    fn a_frame_every_socket_has_read_is_let_go() {
        let ring = FrameRing::new(1_024, 1 << 20);
        let mut one = ring.subscribe();
        let mut two = ring.subscribe();
        ring.send(text(100));
        ring.send(text(200));
        assert_eq!(ring.held().0, 2);
        one.try_recv().unwrap();
        assert_eq!(ring.held().0, 2, "two has still to read it");
        two.try_recv().unwrap();
        assert_eq!(ring.held().0, 1);
        two.try_recv().unwrap();
        assert_eq!(ring.held().0, 1, "one has still to read the second");
        // A socket that leaves unread frames behind counts as having read them.
        drop(one);
        assert_eq!(ring.held(), (0, 0));
        let mut three = ring.subscribe();
        ring.send(text(300));
        assert_eq!(two.try_recv().map(|f| len(&f)), Ok(300));
        assert_eq!(three.try_recv().map(|f| len(&f)), Ok(300));
        assert_eq!(ring.held(), (0, 0));
    }

    #[test]
    fn a_ring_nobody_reads_holds_nothing() {
        let ring = FrameRing::new(1_024, 1 << 20);
        ring.send(text(1_000));
        assert_eq!(ring.held(), (0, 0));
        let unread = ring.subscribe();
        ring.send(text(1_000));
        assert_eq!(ring.held().0, 1);
        drop(unread);
        assert_eq!(ring.held(), (0, 0));
        let mut late = ring.subscribe();
        assert_eq!(late.try_recv().err(), Some(Missed::Empty));
        ring.send(text(5));
        assert_eq!(late.try_recv().map(|f| len(&f)), Ok(5));
    }

    fn event(seq: u64) -> WallEvent {
        WallEvent {
            seq,
            op: OpId(uuid::Uuid::from_u128(seq as u128)),
            change: Change::AuthorErased { notes: Vec::new() },
        }
    }

    #[test]
    fn kept_events_are_bounded_in_number_and_in_bytes() {
        let mut kept = KeptEvents::new(5, 1_000);
        for seq in 1..=10 {
            kept.push(event(seq), 10);
        }
        assert!(!kept.has_after(4));
        assert!(kept.has_after(5));
        let seqs: Vec<u64> = kept.after(7).iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![8, 9, 10]);
        for seq in 11..=13 {
            kept.push(event(seq), 400);
        }
        // 1,200 bytes of the last three is over the bound: the oldest of them went too.
        assert!(!kept.has_after(10));
        assert!(kept.has_after(11));
        assert_eq!(kept.iter_mut().last().map(|e| e.seq), Some(13));
    }
}
