//! A LIVE query a node keeps open for as long as it runs: opened again whenever it ends (the
//! database restarted, the connection dropped, the query was killed on the database), and
//! KILLed on shutdown (dropping its stream does not reliably end it on the server). The wall's
//! event log, the access changes, the report's and the timetable's changes are each followed
//! by one; whether each is open now is part of the node's readiness (`/readyz`).

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::db::{self, Database, DbError, live::Live};

/// How long a follower waits before opening its query again.
const REOPEN_AFTER: Duration = Duration::from_secs(1);

/// How often a follower asks the database whether its query is still registered.
const VERIFY_EVERY: Duration = Duration::from_secs(5);

/// What a follower follows: its name in the log and the table its query watches.
#[derive(Clone, Copy)]
pub struct Followed {
    pub what: &'static str,
    pub table: &'static str,
}

/// One followed LIVE query: its task, the query's id on the database and whether it is open.
#[derive(Clone, Default)]
pub struct LiveFollower {
    task: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    query: Arc<Mutex<Option<uuid::Uuid>>>,
    open: Arc<AtomicBool>,
    openings: Arc<AtomicU64>,
    /// Whether `start` was ever called (a stopped follower is still one this node needs).
    wanted: Arc<AtomicBool>,
}

impl LiveFollower {
    /// Follows what `open` starts on `db`, handing each row to `handle`, until `stop`.
    pub fn start<T, Open, OpenFut, Handle, HandleFut>(
        &self,
        db: Database,
        followed: Followed,
        open: Open,
        handle: Handle,
    ) where
        T: Send + 'static,
        Open: Fn() -> OpenFut + Send + 'static,
        OpenFut: Future<Output = Result<Live<T>, DbError>> + Send,
        Handle: Fn(T) -> HandleFut + Send + 'static,
        HandleFut: Future<Output = ()> + Send,
    {
        self.wanted.store(true, Ordering::SeqCst);
        let follower = self.clone();
        let task = tokio::spawn(async move {
            let mut handle = handle;
            loop {
                match open().await {
                    Ok(live) => follower.follow(&db, followed, live, &mut handle).await,
                    Err(error) => {
                        tracing::warn!(%error, what = followed.what, "starting the live query");
                    }
                }
                tokio::time::sleep(REOPEN_AFTER).await;
            }
        });
        if let Ok(mut slot) = self.task.lock()
            && let Some(old) = slot.replace(task)
        {
            old.abort();
        }
    }

    /// Reads one opened query until it ends, or until the database no longer has it.
    async fn follow<T, Handle, HandleFut>(
        &self,
        db: &Database,
        followed: Followed,
        live: Live<T>,
        handle: &mut Handle,
    ) where
        Handle: Fn(T) -> HandleFut,
        HandleFut: Future<Output = ()>,
    {
        use futures_util::StreamExt;
        let what = followed.what;
        self.remember(live.id);
        self.open.store(true, Ordering::SeqCst);
        let openings = self.openings.fetch_add(1, Ordering::SeqCst) + 1;
        if openings > 1 {
            tracing::info!(what, "the live query is open again");
        }
        let mut rows = live.rows;
        let mut verify =
            tokio::time::interval_at(tokio::time::Instant::now() + VERIFY_EVERY, VERIFY_EVERY);
        verify.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                item = rows.next() => match item {
                    Some(Ok((id, row))) => {
                        if live.id.is_none() {
                            self.remember(Some(id));
                        }
                        handle(row).await;
                    }
                    Some(Err(error)) => tracing::warn!(%error, what, "a live notification"),
                    None => break,
                },
                // Only a database server can end the query behind this node's back.
                _ = verify.tick(), if db.is_server() => {
                    let id = self.query.lock().ok().and_then(|id| *id);
                    if let Some(id) = id
                        && let Ok(false) = db::live::is_registered(db, followed.table, id).await
                    {
                        tracing::warn!(what, "the database no longer has the live query");
                        break;
                    }
                }
            }
        }
        self.open.store(false, Ordering::SeqCst);
        self.remember(None);
        tracing::warn!(what, "the live query ended; starting it again");
    }

    fn remember(&self, id: Option<uuid::Uuid>) {
        if let Ok(mut known) = self.query.lock() {
            *known = id;
        }
    }

    /// Whether this node follows the query at all (the wall's is followed only on a database
    /// server).
    pub fn started(&self) -> bool {
        self.wanted.load(Ordering::SeqCst)
    }

    /// Whether the query is open now: started and not ended since.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    /// How many times the query has been opened since the node started.
    pub fn openings(&self) -> u64 {
        self.openings.load(Ordering::SeqCst)
    }

    /// Stops following and ends the query on the database, on this connection's own session.
    pub async fn stop(&self, db: &Database, what: &'static str) {
        let task = self.task.lock().ok().and_then(|mut task| task.take());
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
        self.open.store(false, Ordering::SeqCst);
        let query = self.query.lock().ok().and_then(|mut id| id.take());
        if let Some(id) = query
            && let Err(error) = db::live::kill_live(db, id).await
        {
            tracing::warn!(%error, what, "ending the live query");
        }
    }
}

/// Per review with a live view open on this node (the timetable, the action plan): a counter
/// that goes up at every change, which the view's sockets wait on.
#[derive(Clone, Default)]
pub struct ReviewChanges {
    senders: Arc<
        Mutex<std::collections::HashMap<app::review::ReviewId, tokio::sync::watch::Sender<u64>>>,
    >,
}

impl ReviewChanges {
    /// Tells this node's open views of `review` to read it again.
    pub fn changed(&self, review: app::review::ReviewId) {
        if let Ok(senders) = self.senders.lock()
            && let Some(sender) = senders.get(&review)
        {
            sender.send_modify(|n| *n += 1);
        }
    }

    /// A receiver that changes whenever `review`'s view does.
    pub fn watch(&self, review: app::review::ReviewId) -> tokio::sync::watch::Receiver<u64> {
        let mut senders = self
            .senders
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        senders.retain(|_, sender| sender.receiver_count() > 0);
        senders
            .entry(review)
            .or_insert_with(|| tokio::sync::watch::channel(0).0)
            .subscribe()
    }
}
