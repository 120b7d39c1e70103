//! One simulated reviewer on a Peerwall board: a websocket speaking the wall's JSON protocol,
//! sending a mix of operations at a rate the run controls, timing acks and the arrival of
//! everyone else's operations, reconnecting and resending after a dropped connection.
//!
//! The client reads frames into its own small structs (`frames`) rather than through the `app`
//! crate's types: it is an outside observer, and it stays as light as the browsers it stands in
//! for.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::frames::{Change, Event, Incoming, Note};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// What the run tells every client: how fast to send, and when to stop.
pub struct Control {
    /// Operations per second per client, times 1000.
    rate_milli: AtomicU64,
    pub sending: AtomicBool,
    pub stop: AtomicBool,
    /// The step of a stepped run (burst), recorded with every operation sent.
    pub step: AtomicUsize,
    /// Operations sent and not yet acknowledged or refused, over all clients.
    pub outstanding: AtomicI64,
    /// Clients that have received their first welcome.
    pub ready: AtomicUsize,
    /// Welcomes received, reconnections included.
    pub welcomes: AtomicUsize,
    /// No client keeps going past this, whatever happens.
    pub deadline: Instant,
    /// Clients joining for the first time at once: thousands of sockets opened in the same
    /// instant would each wait out their connect timeout behind the others and start again.
    joining: tokio::sync::Semaphore,
    /// The mix keeps each board's live notes around a real wall's 300–500 (deletes as well as
    /// creates) instead of letting them grow.
    pub steady: bool,
}

impl Control {
    pub fn new(deadline: Instant) -> Self {
        Self {
            rate_milli: AtomicU64::new(0),
            sending: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            step: AtomicUsize::new(0),
            outstanding: AtomicI64::new(0),
            ready: AtomicUsize::new(0),
            welcomes: AtomicUsize::new(0),
            deadline,
            joining: tokio::sync::Semaphore::new(JOINING_AT_ONCE),
            steady: false,
        }
    }

    pub fn set_rate_per_client(&self, ops_per_second: f64) {
        self.rate_milli
            .store((ops_per_second * 1000.0) as u64, Ordering::Relaxed);
    }

    fn rate_per_client(&self) -> f64 {
        self.rate_milli.load(Ordering::Relaxed) as f64 / 1000.0
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || Instant::now() >= self.deadline
    }
}

/// Clients that may be joining for the first time at once (a reconnection does not wait).
const JOINING_AT_ONCE: usize = 64;

/// A board shared by its clients: which operations are on their way to whom.
pub struct BoardShared {
    pub review: String,
    pub headings: Vec<String>,
    pub clients: usize,
    inflight: Mutex<HashMap<String, Inflight>>,
}

struct Inflight {
    sent: Instant,
    sender: usize,
    step: usize,
    remaining: usize,
}

impl BoardShared {
    pub fn new(review: String, headings: Vec<String>, clients: usize) -> Self {
        Self {
            review,
            headings,
            clients,
            inflight: Mutex::new(HashMap::new()),
        }
    }

    /// Operations some client has not received yet.
    pub fn undelivered(&self) -> usize {
        self.inflight.lock().expect("inflight lock").len()
    }
}

/// Where and as whom a client connects.
#[derive(Clone)]
pub struct Target {
    pub addr: std::net::SocketAddr,
    pub cookie: String,
    /// Other nodes serving the same database, tried in turn when `addr` cannot be reached (as
    /// a load balancer would send a reconnecting browser elsewhere).
    pub fallback: Vec<std::net::SocketAddr>,
}

impl Target {
    /// One node, as every run but the cluster's has.
    pub fn at(addr: std::net::SocketAddr, cookie: String) -> Self {
        Self {
            addr,
            cookie,
            fallback: Vec::new(),
        }
    }

    /// The node for a client's `turn`th connection attempt.
    fn node(&self, turn: usize) -> std::net::SocketAddr {
        match turn % (1 + self.fallback.len()) {
            0 => self.addr,
            other => self.fallback[other - 1],
        }
    }
}

/// How long a client waits before sending again an operation refused for now (the wall busy,
/// the database away) after `refusals` such refusals of it: as the browser does, 250 ms
/// doubling to 8 s, spread over up to half as long again.
fn retry_after(refusals: u32) -> Duration {
    let base = (250u64 << refusals.min(5)).min(8_000);
    Duration::from_millis(base + (base as f64 * 0.5 * rand::random::<f64>()) as u64)
}

/// What a client measured and ended with.
#[derive(Debug, Default)]
pub struct ClientReport {
    /// Per step: microseconds from send to ack, and from send to arrival here of others' ops.
    pub ack: Vec<Vec<u32>>,
    pub fanout: Vec<Vec<u32>>,
    pub sent: Vec<u64>,
    /// Per step: operations answered at their first sending with a refusal by the rules.
    pub refused: Vec<u64>,
    pub acked: u64,
    pub rejected: u64,
    pub conflicts: u64,
    pub errors: u64,
    pub reconnects: u64,
    /// The board as this client sees it at the end: sequence number and note digest.
    pub seq: u64,
    pub digest: u64,
    /// Every operation acknowledged to this client: (op, frame, seq).
    pub acknowledged: Vec<(String, String, u64)>,
    /// Operations still waiting for an answer when the client stopped.
    pub unanswered: usize,
    /// Refusals as unavailable, each sent again later.
    pub retried: u64,
    /// Refusals as busy (a full queue, or the rate limit), each sent again later.
    pub busy: u64,
    /// Connections made to a node other than the client's own.
    pub moved: u64,
    /// The notes on its board at the end, deleted ones not counted.
    pub live_notes: usize,
}

impl ClientReport {
    fn record(series: &mut Vec<Vec<u32>>, step: usize, micros: u32) {
        if series.len() <= step {
            series.resize_with(step + 1, Vec::new);
        }
        series[step].push(micros);
    }
}

/// The client's own copy of the board, enough to choose operations and compare at the end.
#[derive(Default)]
struct View {
    seq: u64,
    notes: BTreeMap<String, Note>,
    welcomed: bool,
}

impl View {
    fn apply_change(&mut self, change: Change) {
        if let Some(note) = change.note {
            self.put(note);
        }
        for note in change.moved {
            self.put(note);
        }
    }

    fn put(&mut self, note: Note) {
        self.notes.insert(note.id.clone(), note);
    }

    /// The notes on the wall (a board holds only its latest deleted ones, so those are not
    /// compared).
    fn digest(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        for note in self.notes.values().filter(|note| !note.deleted) {
            note.hash(&mut hasher);
        }
        hasher.finish()
    }
}

/// One operation waiting for its ack.
struct Unacked {
    op: String,
    frame: String,
    sent: Instant,
    step: usize,
    /// Whether its ack latency counts (not when it was first sent before a disconnection).
    timed: bool,
    /// When to send it again, after a refusal as unavailable or busy.
    retry_at: Option<Instant>,
    /// How many times it was refused for now.
    refusals: u32,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn connect(target: &Target, review: &str) -> Result<Socket, String> {
    connect_to(target, 0, review).await
}

async fn connect_to(target: &Target, turn: usize, review: &str) -> Result<Socket, String> {
    let mut request = format!("ws://{}/ws/reviews/{review}/wall", target.node(turn))
        .into_client_request()
        .map_err(|error| error.to_string())?;
    request.headers_mut().insert(
        "cookie",
        target
            .cookie
            .parse()
            .map_err(|_| "bad cookie".to_string())?,
    );
    // Browsers send without Nagle's delay too.
    let connecting = tokio_tungstenite::connect_async_with_config(request, None, true);
    match tokio::time::timeout(Duration::from_secs(5), connecting).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("connecting timed out".into()),
    }
}

/// Runs one client until the control says stop; returns what it measured.
pub async fn run(
    index: usize,
    board: Arc<BoardShared>,
    target: Target,
    control: Arc<Control>,
) -> ClientReport {
    let mut report = ClientReport::default();
    let mut view = View::default();
    let mut unacked: VecDeque<Unacked> = VecDeque::new();
    let mut backoff = Duration::from_millis(50);
    let mut rng = rand::rngs::StdRng::from_os_rng();
    let mut next_op = Instant::now();
    let mut armed = false;
    let mut scheduled_rate = 0.0;
    let mut turn = 0;
    let mut joining = control.joining.acquire().await.ok();
    while !control.stopping() {
        let Ok(socket) = connect_to(&target, turn, &board.review).await else {
            report.reconnects += 1;
            turn += 1;
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_millis(500));
            continue;
        };
        let (mut sink, mut stream) = socket.split();
        let after = if view.welcomed {
            json!(view.seq)
        } else {
            Value::Null
        };
        let hello = json!({"type": "hello", "protocol": 1, "after": after}).to_string();
        if sink.send(Message::text(hello)).await.is_err() {
            continue;
        }
        // The welcome, then everything not yet acknowledged, in order.
        let welcome = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Text(text) = message
                    && let Ok(frame) = serde_json::from_str::<Value>(&text)
                    && frame["type"] == "welcome"
                {
                    return Some(frame);
                }
            }
            None
        })
        .await;
        let Ok(Some(welcome)) = welcome else {
            report.reconnects += 1;
            turn += 1;
            continue;
        };
        if target.node(turn) != target.addr {
            report.moved += 1;
        }
        if let Some(snapshot) = welcome.get("board").filter(|b| !b.is_null()) {
            view.notes.clear();
            if let Some(notes) = snapshot.get("notes").and_then(Value::as_object) {
                for note in notes.values() {
                    if let Ok(note) = serde_json::from_value::<Note>(note.clone()) {
                        view.put(note);
                    } else {
                        report.errors += 1;
                    }
                }
            }
            view.seq = snapshot["seq"].as_u64().unwrap_or(0);
        }
        for event in welcome["events"].as_array().into_iter().flatten() {
            match serde_json::from_value::<Event>(event.clone()) {
                Ok(event) => apply_event(index, &board, &mut view, &mut report, event),
                Err(_) => report.errors += 1,
            }
        }
        if !view.welcomed {
            control.ready.fetch_add(1, Ordering::Relaxed);
            drop(joining.take());
        }
        view.welcomed = true;
        control.welcomes.fetch_add(1, Ordering::Relaxed);
        backoff = Duration::from_millis(50);
        let mut resend_failed = false;
        for pending in &mut unacked {
            pending.timed = false;
            pending.retry_at = None;
            if sink
                .send(Message::text(pending.frame.clone()))
                .await
                .is_err()
            {
                resend_failed = true;
                break;
            }
        }
        if resend_failed {
            continue;
        }
        // The connection's life: frames in, operations out at the run's rate.
        // Woken for the next resend that is due, and twice a second to see whether to stop
        // (ten thousand clients on a fixed quick tick cost the machine the server shares).
        let mut check = Instant::now() + Duration::from_millis(500);
        loop {
            // A new step's rate: the next operation drawn again at it (arrivals are memoryless),
            // rather than the first of the step still at the last step's pace.
            let rate = control.rate_per_client();
            if armed && rate != scheduled_rate && rate > 0.0 {
                scheduled_rate = rate;
                next_op = Instant::now() + poisson_gap(rate, &mut rng);
            }
            let wake = unacked
                .iter()
                .filter_map(|pending| pending.retry_at)
                .min()
                .map_or(check, |due| due.min(check));
            tokio::select! {
                message = stream.next() => {
                    let text = match message {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                        Some(Ok(_)) => continue,
                    };
                    let Ok(frame) = serde_json::from_str::<Incoming>(&text) else {
                        report.errors += 1;
                        continue;
                    };
                    handle(index, &board, &control, &mut view, &mut report, &mut unacked, frame);
                }
                () = tokio::time::sleep_until(next_op.into()) => {
                    let rate = control.rate_per_client();
                    let sending = control.sending.load(Ordering::Relaxed) && rate > 0.0;
                    if sending && !armed {
                        // Sending starts: wait a random gap first, so clients do not all fire at once.
                        armed = true;
                        scheduled_rate = rate;
                        next_op = Instant::now() + poisson_gap(rate, &mut rng);
                    } else if sending {
                        let (op, frame) = crate::mix::next_operation(&board.headings, &view.notes, control.steady, &mut rng);
                        let step = control.step.load(Ordering::Relaxed);
                        let now = Instant::now();
                        board.inflight.lock().expect("inflight lock").insert(
                            op.clone(),
                            Inflight { sent: now, sender: index, step, remaining: board.clients - 1 },
                        );
                        control.outstanding.fetch_add(1, Ordering::Relaxed);
                        if report.sent.len() <= step {
                            report.sent.resize(step + 1, 0);
                        }
                        report.sent[step] += 1;
                        unacked.push_back(Unacked { op, frame: frame.clone(), sent: now, step, timed: true, retry_at: None, refusals: 0 });
                        next_op = next_due(next_op, now, poisson_gap(rate, &mut rng));
                        if sink.send(Message::text(frame)).await.is_err() {
                            break;
                        }
                    } else {
                        armed = false;
                        next_op = Instant::now() + Duration::from_millis(200);
                    }
                }
                () = tokio::time::sleep_until(wake.into()) => {
                    if Instant::now() >= check {
                        check = Instant::now() + Duration::from_millis(500);
                    }
                    if control.stopping() {
                        let _ = sink.send(Message::Close(None)).await;
                        break;
                    }
                    if resend_due(&mut sink, &board, &mut unacked).await.is_err() {
                        break;
                    }
                }
            }
        }
    }
    report.seq = view.seq;
    report.live_notes = view.notes.values().filter(|note| !note.deleted).count();
    report.digest = view.digest();
    report.unanswered = unacked.len();
    report
}

/// Sends again the operations refused for now whose pause is over. Their fan-out is timed from
/// this send, the one the server accepts.
async fn resend_due(
    sink: &mut futures_util::stream::SplitSink<Socket, Message>,
    board: &BoardShared,
    unacked: &mut VecDeque<Unacked>,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let now = Instant::now();
    for pending in unacked.iter_mut() {
        if pending.retry_at.is_some_and(|at| at <= now) {
            pending.retry_at = None;
            if let Some(inflight) = board
                .inflight
                .lock()
                .expect("inflight lock")
                .get_mut(&pending.op)
            {
                inflight.sent = now;
            }
            sink.send(Message::text(pending.frame.clone())).await?;
        }
    }
    Ok(())
}

/// When the operation after one due at `due` is: `gap` after it, not after `now`, so that a
/// client woken late (the machine busy) sends late but not fewer, and the rate offered is the
/// step's; more than a second behind, the schedule starts again from now.
fn next_due(due: Instant, now: Instant, gap: Duration) -> Instant {
    if now.saturating_duration_since(due) > Duration::from_secs(1) {
        now + gap
    } else {
        due + gap
    }
}

/// Poisson arrivals: an exponential gap with the given mean rate (per second).
fn poisson_gap(rate: f64, rng: &mut impl Rng) -> Duration {
    let gap = -(1.0 - rng.random::<f64>()).ln() / rate;
    Duration::from_secs_f64(gap.min(60.0))
}

fn handle(
    index: usize,
    board: &BoardShared,
    control: &Control,
    view: &mut View,
    report: &mut ClientReport,
    unacked: &mut VecDeque<Unacked>,
    frame: Incoming,
) {
    match frame.kind.as_ref() {
        "event" => match frame.event {
            Some(event) => apply_event(index, board, view, report, event),
            None => report.errors += 1,
        },
        kind @ ("ack" | "rejected") => {
            let op = frame.op.as_deref().unwrap_or_default();
            let Some(position) = unacked.iter().position(|pending| pending.op == op) else {
                return;
            };
            let code = frame.error.as_ref().map(|error| error.code.as_ref());
            if kind == "rejected" && matches!(code, Some("unavailable" | "rate_limited")) {
                // Not refused for good: kept, and sent again after a pause, as the browser does.
                let count = if code == Some("unavailable") {
                    &mut report.retried
                } else {
                    &mut report.busy
                };
                *count += 1;
                let pending = &mut unacked[position];
                pending.timed = false;
                pending.retry_at = Some(Instant::now() + retry_after(pending.refusals));
                pending.refusals += 1;
                return;
            }
            let Some(pending) = unacked.remove(position) else {
                return;
            };
            control.outstanding.fetch_sub(1, Ordering::Relaxed);
            if kind == "ack" {
                report.acked += 1;
                if pending.timed {
                    let micros = pending.sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
                    ClientReport::record(&mut report.ack, pending.step, micros);
                }
                let seq = frame.seq.unwrap_or(0);
                report.acknowledged.push((pending.op, pending.frame, seq));
            } else {
                // Nobody else will see a refused operation.
                board.inflight.lock().expect("inflight lock").remove(op);
                if pending.timed {
                    // Answered, by the rules: the server handled it (a delete of a note another
                    // client deleted first, an edit that conflicts).
                    if report.refused.len() <= pending.step {
                        report.refused.resize(pending.step + 1, 0);
                    }
                    report.refused[pending.step] += 1;
                }
                if code == Some("conflict") {
                    report.conflicts += 1;
                } else {
                    report.rejected += 1;
                }
            }
        }
        "error" => report.errors += 1,
        _ => {}
    }
}

fn apply_event(
    index: usize,
    board: &BoardShared,
    view: &mut View,
    report: &mut ClientReport,
    event: Event,
) {
    let seq = event.seq;
    if seq <= view.seq {
        return;
    }
    if seq != view.seq + 1 {
        // A gap would be a server bug: count it; the next welcome repairs the view.
        report.errors += 1;
    }
    view.seq = seq;
    view.apply_change(event.change);
    let Some(op) = event.op.as_deref() else {
        return;
    };
    let mut inflight = board.inflight.lock().expect("inflight lock");
    if let Some(entry) = inflight.get_mut(op)
        && entry.sender != index
    {
        let micros = entry.sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
        ClientReport::record(&mut report.fanout, entry.step, micros);
        entry.remaining = entry.remaining.saturating_sub(1);
        if entry.remaining == 0 {
            inflight.remove(op);
        }
    }
}

/// The board as a fresh client sees it: (seq, digest).
pub async fn snapshot(target: &Target, review: &str) -> Result<(u64, u64), String> {
    let mut socket = connect(target, review).await?;
    let hello = json!({"type": "hello", "protocol": 1, "after": null}).to_string();
    socket
        .send(Message::text(hello))
        .await
        .map_err(|e| e.to_string())?;
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_secs(10), socket.next()).await
    {
        let Message::Text(text) = message else {
            continue;
        };
        let frame: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        if frame["type"] == "welcome" {
            let mut view = View::default();
            let snapshot = &frame["board"];
            for (_, note) in snapshot["notes"].as_object().into_iter().flatten() {
                let note = serde_json::from_value::<Note>(note.clone())
                    .map_err(|error| format!("a note in the welcome: {error}"))?;
                view.put(note);
            }
            let _ = socket.close(None).await;
            return Ok((snapshot["seq"].as_u64().unwrap_or(0), view.digest()));
        }
    }
    Err("no welcome".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_client_keeps_the_schedule_and_one_far_behind_starts_again() {
        let due = Instant::now();
        let gap = Duration::from_millis(20);
        // Woken 300 ms late: the next is due 20 ms after the one it missed (sent at once).
        assert_eq!(
            next_due(due, due + Duration::from_millis(300), gap),
            due + gap
        );
        // Two seconds behind: from now.
        let now = due + Duration::from_secs(2);
        assert_eq!(next_due(due, now, gap), now + gap);
    }
}
