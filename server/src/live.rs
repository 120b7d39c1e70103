//! A LIVE query a node keeps open for as long as it runs: opened again whenever it ends, and
//! KILLed on shutdown (dropping its stream does not end it on the server). The wall's event log
//! and the access changes are each followed by one.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::db::{self, Database, DbError, live::LiveRows};

/// One followed LIVE query: its task and the query's id, once known.
#[derive(Clone, Default)]
pub struct LiveFollower {
    task: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    query: Arc<Mutex<Option<uuid::Uuid>>>,
}

impl LiveFollower {
    /// Follows what `open` starts, handing each row to `handle`, until `stop`; `what` names it
    /// in the log.
    pub fn start<T, Open, OpenFut, Handle, HandleFut>(
        &self,
        what: &'static str,
        open: Open,
        handle: Handle,
    ) where
        T: Send + 'static,
        Open: Fn() -> OpenFut + Send + 'static,
        OpenFut: Future<Output = Result<LiveRows<T>, DbError>> + Send,
        Handle: Fn(T) -> HandleFut + Send + 'static,
        HandleFut: Future<Output = ()> + Send,
    {
        use futures_util::StreamExt;
        let query = self.query.clone();
        let task = tokio::spawn(async move {
            loop {
                match open().await {
                    Ok(mut rows) => {
                        while let Some(item) = rows.next().await {
                            match item {
                                Ok((id, row)) => {
                                    if let Ok(mut known) = query.lock() {
                                        *known = Some(id);
                                    }
                                    handle(row).await;
                                }
                                Err(error) => tracing::warn!(%error, what, "a live notification"),
                            }
                        }
                        tracing::warn!(what, "the live query ended; starting it again");
                    }
                    Err(error) => tracing::warn!(%error, what, "starting the live query"),
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        if let Ok(mut slot) = self.task.lock()
            && let Some(old) = slot.replace(task)
        {
            old.abort();
        }
    }

    /// Stops following and ends the query on the database.
    pub async fn stop(&self, db: &Database, what: &'static str) {
        let task = self.task.lock().ok().and_then(|mut task| task.take());
        if let Some(task) = task {
            task.abort();
        }
        let query = self.query.lock().ok().and_then(|mut id| id.take());
        if let Some(id) = query
            && let Err(error) = db::live::kill_live(db, id).await
        {
            tracing::warn!(%error, what, "ending the live query");
        }
    }
}
