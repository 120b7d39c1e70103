//! `/accessibility`: the accessibility statement, in the shape the Public Sector Bodies
//! (Websites and Mobile Applications) Accessibility Regulations 2018 and GOV.UK's model
//! statement give it, with the contact the site's operator set (`--accessibility-contact`).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where to report an accessibility problem on this site, as its operator configured it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementContact {
    /// An email address (shown as a `mailto:` link) or a web address; `None` when not set.
    pub contact: Option<String>,
}

/// When the statement was prepared and the site last tested (the browser tests run axe-core on
/// every build; this is the date of the last review of the statement's text).
pub const STATEMENT_PREPARED: &str = "2 December 2026";

/// The site's accessibility contact: public, like the statement.
#[server(prefix = "/api", endpoint = "accessibility_contact")]
pub async fn accessibility_contact() -> Result<StatementContact, AppError> {
    Ok(use_context::<StatementContact>().unwrap_or_default())
}

/// The statement, readable signed out.
#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let contact = Resource::new(|| (), |_| accessibility_contact());
    view! {
        <Title text="Accessibility statement"/>
        <article class="narrow statement" aria-labelledby="statement-title">
            <h1 id="statement-title">"Accessibility statement for Peerwall"</h1>
            <p>
                "This statement applies to Peerwall, the workspace for local government peer challenges: "
                "its sign-in, reviews, findings wall, presentation, report, timetable, pack and data pages."
            </p>
            <p>"We want as many people as possible to be able to use it. For example, you should be able to:"</p>
            <ul>
                <li>"zoom in up to 400% without text spilling off the screen (the wall becomes one column)"</li>
                <li>"use every part of it with a keyboard alone, including moving notes on the wall"</li>
                <li>"move notes with a single tap or click instead of dragging them"</li>
                <li>"use it with a screen reader: notes, headings and live changes are announced"</li>
                <li>"read every benchmarking chart's figures in a table beneath it"</li>
                <li>"change colours, contrast and fonts in your browser; it follows your setting for reduced motion"</li>
            </ul>

            <h2>"How accessible Peerwall is"</h2>
            <p>"We know some parts are not fully accessible:"</p>
            <ul>
                <li>
                    "documents in a review's pack are uploaded by the council as they are "
                    "(often PDF or Word); Peerwall does not change them, so how accessible they are "
                    "depends on how they were made"
                </li>
                <li>
                    "the DOCX exports of the wall and the report use headings and tables, but have "
                    "not been checked with a screen reader in Word"
                </li>
            </ul>

            <h2>"Feedback and contact information"</h2>
            <p>
                "If you find a problem with Peerwall's accessibility, or need something in it in a "
                "different format, tell us:"
            </p>
            <Suspense fallback=|| view! { <p class="status">"Loading the contact…"</p> }>
                {move || contact.get().map(|result| match result.ok().and_then(|c| c.contact) {
                    Some(contact) => {
                        let href = if contact.contains('@') && !contact.contains("://") {
                            format!("mailto:{contact}")
                        } else {
                            contact.clone()
                        };
                        view! {
                            <p class="statement-contact">
                                "Contact: " <a href=href>{contact}</a>
                            </p>
                        }.into_any()
                    }
                    None => view! {
                        <p class="statement-contact">
                            "Tell the peer challenge manager running your review, or the organisation "
                            "that gave you your account: this site's operator has not published a "
                            "separate contact."
                        </p>
                    }.into_any(),
                })}
            </Suspense>
            <p>"We will reply within 5 working days."</p>

            <h2>"Enforcement procedure"</h2>
            <p>
                "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
                "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
                "Regulations 2018 (the accessibility regulations). If you are not happy with how we "
                "respond to your complaint, contact the "
                <a href="https://www.equalityadvisoryservice.com/">"Equality Advisory and Support Service (EASS)"</a>
                ". In Northern Ireland, contact the "
                <a href="https://www.equalityni.org/Home">"Equality Commission for Northern Ireland"</a> "."
            </p>

            <h2>"Technical information about Peerwall's accessibility"</h2>
            <p>
                "Peerwall is committed to making its service accessible, in accordance with the "
                "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
                "Regulations 2018."
            </p>
            <h3>"Compliance status"</h3>
            <p>
                "Peerwall is partially compliant with the "
                <a href="https://www.w3.org/TR/WCAG22/">"Web Content Accessibility Guidelines version 2.2"</a>
                " AA standard, due to the exceptions listed below."
            </p>

            <h2>"Non-accessible content"</h2>
            <h3>"Non-compliance with the accessibility regulations"</h3>
            <ul>
                <li>
                    "Documents uploaded to a review's pack may not meet WCAG 2.2 (for example PDFs "
                    "without tags, success criteria 1.3.1 and 4.1.2). Councils are responsible for "
                    "their documents; Peerwall shows each one's type and size before it is opened."
                </li>
                <li>
                    "Peerwall has been tested with automated checks, keyboard walk-throughs and "
                    "Chromium's accessibility tree, but not yet by disabled users or with every "
                    "screen reader (NVDA, JAWS, VoiceOver); problems found that way may remain. "
                    "We plan to test with screen reader users before 31 March 2027."
                </li>
            </ul>
            <h3>"Content that is not within the scope of the accessibility regulations"</h3>
            <p>
                "PDFs and other documents published before 23 September 2018 that are not needed to "
                "use the service, if a council uploads them to a pack."
            </p>

            <h2>"What we are doing to improve accessibility"</h2>
            <p>
                "Every change to Peerwall runs its browser tests, and every page in every state "
                "they reach — signed out, in each role, the wall with notes, a note being dragged, "
                "dialogs open, the presentation, the report, the phone width — is checked with "
                "axe-core against WCAG 2.2 A and AA. A serious or critical failure stops the change "
                "from being released. The main tasks are also walked through with the keyboard "
                "alone in those tests."
            </p>

            <h2>"Preparation of this accessibility statement"</h2>
            <p>
                "This statement was prepared on " {STATEMENT_PREPARED} ". It was last reviewed on "
                {STATEMENT_PREPARED} "."
            </p>
            <p>
                "Peerwall was last tested on " {STATEMENT_PREPARED} ", by its developers, with "
                "axe-core 4.14 in Chromium on every page its browser tests reach, and by keyboard "
                "alone through signing in, writing and moving notes, triangulating, presenting and "
                "commenting on the report."
            </p>
        </article>
    }
}
