//! Loading data in the browser only, for panels that the server-rendered page need not wait for.

use std::future::Future;

use leptos::prelude::*;

/// Loads `fetch()` once the page is live in the browser, and again whenever a signal it reads
/// (before its first `.await`) changes. `None` until the first answer, and always on the server.
///
/// Unlike a `LocalResource`, reading the value registers nothing with an enclosing `<Suspense>`,
/// so a server-rendered page never waits for, or streams an empty chunk in place of, a panel
/// that only the browser loads.
pub fn load_in_browser<T, Fut>(fetch: impl Fn() -> Fut + 'static) -> ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
{
    let (value, set_value) = signal(None);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let future = fetch();
        let this = generation.get_value() + 1;
        generation.set_value(this);
        leptos::task::spawn_local(async move {
            let answer = future.await;
            // An older request that answers late does not overwrite a newer one.
            if generation.try_get_value() == Some(this) {
                set_value.try_set(Some(answer));
            }
        });
    });
    value
}

/// A websocket a page holds open to this site, with the callbacks that must live as long as it
/// does. Dropping it clears the callbacks (so a late close does not reconnect) and closes it.
/// On the server it is never made.
pub struct PageSocket {
    #[cfg(feature = "hydrate")]
    socket: web_sys::WebSocket,
    #[cfg(feature = "hydrate")]
    _callbacks: Vec<wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>>,
}

impl PageSocket {
    /// Opens `ws(s)://<this host><path>`: `on_open` when connected, `on_text` for each text
    /// frame, `on_close` with the close code (0 when there was none). None if the browser
    /// refuses to open it at all.
    #[cfg(feature = "hydrate")]
    pub fn open(
        path: &str,
        mut on_open: impl FnMut() + 'static,
        mut on_text: impl FnMut(String) + 'static,
        mut on_close: impl FnMut(u16) + 'static,
    ) -> Option<Self> {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;

        let location = window().location();
        let scheme = if location.protocol().as_deref() == Ok("https:") {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().unwrap_or_default();
        let socket = web_sys::WebSocket::new(&format!("{scheme}://{host}{path}")).ok()?;
        let opened = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| on_open());
        let message = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            if let Some(text) = event
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|event| event.data().as_string())
            {
                on_text(text);
            }
        });
        let closed = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            on_close(
                event
                    .dyn_ref::<web_sys::CloseEvent>()
                    .map(web_sys::CloseEvent::code)
                    .unwrap_or(0),
            );
        });
        socket.set_onopen(Some(opened.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(closed.as_ref().unchecked_ref()));
        Some(Self {
            socket,
            _callbacks: vec![opened, message, closed],
        })
    }

    /// Sends a text frame if the socket is open; whether it was sent.
    pub fn send(&self, text: &str) -> bool {
        #[cfg(feature = "hydrate")]
        {
            self.socket.ready_state() == web_sys::WebSocket::OPEN
                && self.socket.send_with_str(text).is_ok()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = text;
            false
        }
    }

    /// Whether it is open or still opening (not worth replacing).
    pub fn is_busy(&self) -> bool {
        #[cfg(feature = "hydrate")]
        {
            matches!(
                self.socket.ready_state(),
                web_sys::WebSocket::OPEN | web_sys::WebSocket::CONNECTING
            )
        }
        #[cfg(not(feature = "hydrate"))]
        false
    }
}

impl Drop for PageSocket {
    fn drop(&mut self) {
        #[cfg(feature = "hydrate")]
        {
            self.socket.set_onopen(None);
            self.socket.set_onmessage(None);
            self.socket.set_onclose(None);
            self.socket.set_onerror(None);
            let _ = self.socket.close();
        }
    }
}

/// How long to wait before reconnecting after `attempt` failures in a row: 0.5, 1, 2, 4 …
/// seconds, at most `cap_ms`.
pub fn backoff_ms(attempt: u32, cap_ms: u64) -> u64 {
    (500u64 << attempt.min(5)).min(cap_ms)
}

/// A list kept in the browser's storage under `key` (empty when there is none, on the server, or
/// when what is there no longer reads).
pub fn load_list<T: serde::de::DeserializeOwned>(key: &str) -> Vec<T> {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = window().local_storage().ok().flatten()
        && let Ok(Some(text)) = storage.get_item(key)
    {
        return serde_json::from_str(&text).unwrap_or_default();
    }
    let _ = key;
    Vec::new()
}

/// Keeps `list` in the browser's storage under `key`; an empty list removes the key.
pub fn save_list<T: serde::Serialize>(key: &str, list: &[T]) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = window().local_storage().ok().flatten() {
        if list.is_empty() {
            let _ = storage.remove_item(key);
        } else if let Ok(text) = serde_json::to_string(list) {
            let _ = storage.set_item(key, &text);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, list);
}

/// A page's socket that reconnects with backoff (0.5 s doubling to at most 10 s) until the page
/// is done with it or the server ends access. On the server it never opens.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Reconnecting {
    closed: StoredValue<bool>,
    attempts: StoredValue<u32>,
    socket: StoredValue<Option<PageSocket>, SocketStorage>,
}

/// A browser's socket lives on the page's one thread. The server never opens one, and cleans a
/// page up on whichever worker thread finishes its response: a thread-local slot there panics
/// when emptied or dropped from another thread, cutting the page's response short.
#[cfg(feature = "hydrate")]
pub(crate) type SocketStorage = LocalStorage;
#[cfg(not(feature = "hydrate"))]
pub(crate) type SocketStorage = leptos::prelude::SyncStorage;

impl Default for Reconnecting {
    fn default() -> Self {
        Self::new()
    }
}

impl Reconnecting {
    /// Closed when the calling component is cleaned up.
    pub fn new() -> Self {
        let this = Self {
            closed: StoredValue::new(false),
            attempts: StoredValue::new(0),
            socket: StoredValue::new_with_storage(None),
        };
        on_cleanup(move || {
            this.closed.set_value(true);
            this.socket.set_value(None);
        });
        this
    }

    /// Sends a text frame if the socket is open; whether it was sent.
    pub fn send(&self, text: &str) -> bool {
        self.socket
            .with_value(|socket| socket.as_ref().is_some_and(|socket| socket.send(text)))
    }

    /// The server answered: the next loss starts the backoff again from the start.
    pub fn answered(&self) {
        self.attempts.set_value(0);
    }

    /// Opens `path`; `on_close` says, from the close code, whether to try again.
    #[cfg(feature = "hydrate")]
    pub fn open(
        self,
        path: String,
        on_open: impl Fn() + Copy + 'static,
        on_text: impl Fn(String) + Copy + 'static,
        on_close: impl Fn(u16) -> bool + Copy + 'static,
    ) {
        if self.closed.get_value() {
            return;
        }
        let again = path.clone();
        let retry = move || {
            if self.closed.get_value() {
                return;
            }
            let attempt = self.attempts.get_value();
            self.attempts.set_value(attempt + 1);
            let path = again.clone();
            set_timeout(
                move || self.open(path, on_open, on_text, on_close),
                std::time::Duration::from_millis(backoff_ms(attempt, 10_000)),
            );
        };
        let retry_later = retry.clone();
        let socket = PageSocket::open(&path, on_open, on_text, move |code| {
            if on_close(code) {
                retry_later();
            } else {
                self.closed.set_value(true);
            }
        });
        match socket {
            Some(socket) => self.socket.set_value(Some(socket)),
            None => retry(),
        }
    }
}

/// Said when a frame from the server is not one this page knows (an older page after a deploy).
pub const NOT_UNDERSTOOD: &str =
    "The server sent something this page does not understand. Reload it.";

impl Reconnecting {
    /// Opens `path` for a page that listens (the deck, the timetable): each frame, read as `M`,
    /// goes to `on_frame` and counts as the server answering (the next loss starts the backoff
    /// afresh); a frame that is not one says so in `error`; `live` goes false when the socket
    /// drops; an access refusal (1008, whose error frame said why) is not tried again.
    #[cfg(feature = "hydrate")]
    pub fn follow<M: serde::de::DeserializeOwned + 'static>(
        self,
        path: String,
        live: RwSignal<bool>,
        error: RwSignal<Option<String>>,
        on_frame: impl Fn(M) + Copy + 'static,
    ) {
        self.open(
            path,
            || {},
            move |text| match serde_json::from_str::<M>(&text) {
                Ok(frame) => {
                    self.answered();
                    live.set(true);
                    on_frame(frame);
                }
                Err(_) => error.set(Some(NOT_UNDERSTOOD.into())),
            },
            move |code| {
                live.set(false);
                code != 1008
            },
        );
    }
}

/// What every key this site keeps in browser storage starts with.
pub const STORAGE_PREFIX: &str = "peerwall.";

/// Removes everything this site keeps in browser storage — unsent notes, the presenter's
/// private notes — so that nothing a person wrote stays on a shared computer after they sign
/// out. On the server it does nothing.
pub fn forget_stored() {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = window().local_storage().ok().flatten() {
        let count = storage.length().unwrap_or(0);
        let ours: Vec<String> = (0..count)
            .filter_map(|index| storage.key(index).ok().flatten())
            .filter(|key| key.starts_with(STORAGE_PREFIX))
            .collect();
        for key in ours {
            let _ = storage.remove_item(&key);
        }
    }
}

/// A frame of a socket that sends a view of a review (the timetable, the action plan): the view,
/// or an error to show.
pub trait ViewFrame: serde::de::DeserializeOwned + 'static {
    type View: Send + Sync + 'static;
    fn into_view(self) -> Result<Self::View, crate::error::AppError>;
}

/// A view of a review the server keeps live over a socket: the view as this window has it, the
/// last error, and whether the socket is live; reconnecting with backoff for as long as the
/// component that made it lives.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct FollowedView<T: Send + Sync + 'static> {
    pub view: RwSignal<Option<T>>,
    pub error: RwSignal<Option<String>>,
    pub live: RwSignal<bool>,
    socket: Reconnecting,
}

impl<T: Send + Sync + 'static> Clone for FollowedView<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for FollowedView<T> {}

impl<T: Send + Sync + 'static> FollowedView<T> {
    /// Follows the socket at `path`, whose frames are `M`.
    pub fn new<M: ViewFrame<View = T>>(path: String) -> Self {
        let state = Self {
            view: RwSignal::new(None),
            error: RwSignal::new(None),
            live: RwSignal::new(false),
            socket: Reconnecting::new(),
        };
        Effect::new(move |_| {
            #[cfg(feature = "hydrate")]
            state.socket.follow(
                path.clone(),
                state.live,
                state.error,
                move |frame: M| match frame.into_view() {
                    Ok(view) => {
                        state.error.set(None);
                        state.view.set(Some(view));
                    }
                    Err(error) => state.error.set(Some(error.message)),
                },
            );
            #[cfg(not(feature = "hydrate"))]
            let _ = (&path, state.socket);
        });
        state
    }

    /// A view a server function answered with (as new as the socket's, or newer).
    pub fn show(&self, view: T) {
        self.view.set(Some(view));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let delays: Vec<u64> = (0..8).map(|n| super::backoff_ms(n, 15_000)).collect();
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]
        );
        assert_eq!(super::backoff_ms(9, 10_000), 10_000);
    }

    /// A page made on one thread is cleaned up on another when the server's response finishes
    /// on another worker. Defect: the cleanup emptied the socket's slot, which lives on the
    /// thread that made it, and panicked there, cutting the page's response short.
    #[test]
    fn a_page_made_on_one_thread_is_cleaned_up_on_another() {
        use leptos::prelude::Owner;
        let owner = Owner::new();
        let made = owner.clone();
        std::thread::spawn(move || {
            made.with(|| {
                let _socket = super::Reconnecting::new();
                // The wall's state holds its socket the same way.
                let _wall = crate::wall::state::WallState::new(
                    crate::review::ReviewId::new(),
                    crate::membership::Role::Peer,
                );
            });
        })
        .join()
        .expect("made");
        std::thread::spawn(move || owner.cleanup())
            .join()
            .expect("cleaned up on another thread without a panic");
    }
}
