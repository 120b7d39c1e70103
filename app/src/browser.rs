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
