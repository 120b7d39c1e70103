//! The frame around every page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::accounts::SessionMenu;

/// Skip link, header with navigation, the page, and a footer.
#[component]
pub fn SiteLayout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "Peerwall"
            </A>
            <nav aria-label="Main">
                <ul>
                    <li><A href="/">"Reviews"</A></li>
                    <SessionMenu/>
                </ul>
            </nav>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <p>"Peerwall keeps peer challenge notes confidential and non-attributed."</p>
            <p><A href="/accessibility">"Accessibility statement"</A></p>
        </footer>
    }
}

/// Shown for any address the router does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Title text="Page not found"/>
        <section class="narrow">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <A href="/">"Go to the reviews"</A> "."</p>
        </section>
    }
}

/// The browser's own origin, so that a path the server returns becomes a link to copy (empty
/// while rendering on the server, where the link is never shown).
/// What a review's page shows in place of itself when it cannot be had: the page's title, a
/// heading that names what is missing, and why.
#[component]
pub fn NotAvailable(title: &'static str, heading: String, message: String) -> impl IntoView {
    view! {
        <Title text=title/>
        <section class="narrow">
            <h1>{heading}</h1>
            <p class="status status-error" role="alert">{message}</p>
        </section>
    }
}

pub fn site_origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        window().location().origin().unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// A single-use link to pass on (invitation, password reset), in a read-only field that is easy
/// to copy, with a sentence saying whom it is for (`to`), how long it works (`lasts`, such as
/// "until 9 December 2026 at 10:00 UTC") and whether the site has already emailed it.
#[component]
pub fn LinkToPass(
    id: &'static str,
    label: &'static str,
    path: String,
    to: String,
    lasts: String,
    emailed: bool,
) -> impl IntoView {
    let note = if emailed {
        format!(
            "Emailed to {to}. The link works once, {lasts}; it is here too, in case the email does not arrive."
        )
    } else {
        format!("Send this link to {to}. It works once, {lasts}.")
    };
    view! {
        <div class="invitation-link" role="status">
            <p>{note}</p>
            <label for=id>{label}</label>
            <input id=id readonly value=format!("{}{path}", site_origin())/>
        </div>
    }
}
