//! Email by SMTP (`--smtp-url`), through an outbox: a mail is written to the `outbox` table in
//! the same transaction as what causes it, and a worker on every node claims what is due, sends
//! it with `lettre`, and marks it sent, or retries it with backoff (2 s doubling to 15 minutes)
//! so that a mail server that is down loses nothing. A claim holds a mail for a minute, so two
//! nodes never send one at once and a node killed mid-send lets it go. A mail is marked sent
//! once the server has accepted it; a node killed between the two sends it again, with the same
//! `Message-ID`, which mail systems use to drop the duplicate. Without `--smtp-url` there is no
//! mail, and links are shown to whoever created them, as before.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

use crate::db::outbox::{DueMail, NewMail};
use crate::db::{self, Database};

/// How long a claimed mail is held by the node sending it.
const CLAIM: Duration = Duration::from_secs(60);
/// How long one send may take before it counts as failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);
/// How many mails one pass of the worker claims.
const BATCH: usize = 20;

/// The site's mail: on (an SMTP server configured) or off.
#[derive(Clone, Default)]
pub struct Mail {
    on: Option<Arc<Sender>>,
}

struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The address links in mail start with (`--public-url`).
    site: String,
    /// The host part of every `Message-ID`.
    host: String,
    wake: Notify,
    /// The worker, until the server stops it.
    worker: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// Why mail could not be set up from the options.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error(
        "--smtp-url is not a usable SMTP address ({0}); use smtp://host:port, smtp://host:587?tls=required or smtps://host"
    )]
    Url(String),
    #[error(
        "--mail-from is not an email address with an optional name ({0}), such as \"Peerwall <peerwall@council.gov.uk>\""
    )]
    From(String),
}

impl Mail {
    /// No mail: links are shown, not sent.
    pub fn off() -> Self {
        Self::default()
    }

    /// Mail through the SMTP server at `url`, from `from`, with links to `site`.
    pub fn smtp(url: &str, from: &str, site: &str) -> Result<Self, MailSetupError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| MailSetupError::Url(error.to_string()))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|error: lettre::address::AddressError| {
                MailSetupError::From(error.to_string())
            })?;
        let site = site.trim_end_matches('/').to_string();
        let host = url::Url::parse(&site)
            .ok()
            .and_then(|url| url.host_str().map(str::to_string))
            .unwrap_or_else(|| "peerwall.invalid".into());
        Ok(Self {
            on: Some(Arc::new(Sender {
                transport,
                from,
                site,
                host,
                wake: Notify::new(),
                worker: std::sync::Mutex::new(None),
            })),
        })
    }

    /// Whether mail is sent.
    pub fn is_on(&self) -> bool {
        self.on.is_some()
    }

    /// The full address of `path` on this site, for a link in a mail.
    pub fn link(&self, path: &str) -> String {
        match &self.on {
            Some(sender) => format!("{}{path}", sender.site),
            None => path.to_string(),
        }
    }

    /// An invitation's mail (none when mail is off): who invites, to what — a review by its
    /// (id, title, host) or, without one, a facilitator account — in which role, the link and
    /// until when it works.
    pub fn invitation(
        &self,
        to: &str,
        inviter: &str,
        review: Option<(app::review::ReviewId, &str, &str)>,
        role: app::membership::Role,
        path: &str,
        expires: &str,
    ) -> Option<NewMail> {
        self.on.as_ref()?;
        let (subject, opening) = match review {
            Some((_, title, host)) => (
                format!("You are invited to the {title}"),
                format!(
                    "{inviter} has invited you to join the {title} ({host}) on Peerwall as {}.",
                    role.label().to_lowercase()
                ),
            ),
            None => (
                "Your facilitator account on Peerwall".to_string(),
                format!(
                    "{inviter} has invited you to open a facilitator account on Peerwall, to set up peer challenges and invite their teams."
                ),
            ),
        };
        Some(compose(
            "invitation",
            review.map(|(id, ..)| id),
            to,
            subject,
            &[
                opening,
                format!(
                    "The link works once, for {to}, until {expires}. If you were not expecting this, you can ignore this email."
                ),
            ],
            ("Accept the invitation", self.link(path)),
        ))
    }

    /// A password reset's mail to the account's owner (none when mail is off).
    pub fn password_reset(
        &self,
        to: &str,
        administrator: &str,
        path: &str,
        expires: &str,
    ) -> Option<NewMail> {
        self.on.as_ref()?;
        Some(compose(
            "password_reset",
            None,
            to,
            "Choose a new Peerwall password".to_string(),
            &[
                format!(
                    "{administrator}, an administrator of Peerwall, has issued a link for you to choose a new password for your account ({to})."
                ),
                format!(
                    "The link works once, until {expires}. If you did not ask for this, tell your administrator; your password stays as it is unless the link is used."
                ),
            ],
            ("Choose a new password", self.link(path)),
        ))
    }

    /// The report's version `number` is with the council: to read and comment on, or (the
    /// final version) to sign off.
    pub fn report_ready(
        &self,
        to: &str,
        (review, title, host): (app::review::ReviewId, &str, &str),
        number: u32,
        final_version: bool,
        path: &str,
    ) -> Option<NewMail> {
        self.on.as_ref()?;
        let (subject, ask, label) = if final_version {
            (
                format!("The final report of the {title} is ready for sign-off"),
                format!(
                    "The peer team has sent the final version of its report (version {number}) of the {title} ({host}). Read it in Peerwall and, when the council is content, the host lead signs it off there."
                ),
                "Read the final report",
            )
        } else {
            (
                format!("The draft report of the {title} is ready for your comments"),
                format!(
                    "The peer team has sent version {number} of its report of the {title} ({host}) to the council. Read it in Peerwall and comment where you read it: select words to comment, suggest a change or flag a factual point."
                ),
                "Read and comment on the draft",
            )
        };
        Some(compose(
            "report_ready",
            Some(review),
            to,
            subject,
            &[
                ask,
                "You are receiving this because you are the council's host lead or a host reader on this peer challenge.".to_string(),
            ],
            (label, self.link(path)),
        ))
    }

    /// A reminder, three days before, that what the person does in the report's round
    /// (`task`: "Your comments on the draft report") is due on `when`.
    pub fn round_due(
        &self,
        to: &str,
        (review, title, host): (app::review::ReviewId, &str, &str),
        task: &str,
        when: &str,
        path: &str,
    ) -> Option<NewMail> {
        self.on.as_ref()?;
        Some(compose(
            "round_due",
            Some(review),
            to,
            format!("{task} for the {title}: due {when}"),
            &[
                format!("{task} for the {title} ({host}) are due on {when}."),
                "The report in Peerwall shows where it stands; you are receiving this because the current round is yours to take part in.".to_string(),
            ],
            ("Open the report", self.link(path)),
        ))
    }

    /// A week's warning that a review's notes will be destroyed on `when`.
    pub fn notes_warning(
        &self,
        to: &str,
        (review, title, host): (app::review::ReviewId, &str, &str),
        when: &str,
        path: &str,
    ) -> Option<NewMail> {
        self.on.as_ref()?;
        Some(compose(
            "notes_warning",
            Some(review),
            to,
            format!("The notes of the {title} will be destroyed on {when}"),
            &[
                format!(
                    "The council signed off the report of the {title} ({host}), so the team's notes, who wrote them and the pairs will be destroyed on {when}, as the review's retention policy says. The key messages and the report stay."
                ),
                "Nothing needs doing: it happens on schedule. The review page shows what goes and what stays, and the facilitator can destroy the notes sooner there.".to_string(),
            ],
            ("Open the review", self.link(path)),
        ))
    }

    /// Tells the worker that a mail was queued, so it goes now rather than at the next pass.
    pub fn queued(&self) {
        if let Some(sender) = &self.on {
            sender.wake.notify_one();
        }
    }

    /// Starts the worker on this node (nothing when mail is off).
    pub fn start(&self, db: Database) {
        let Some(sender) = self.on.clone() else {
            return;
        };
        let running = sender.clone();
        let task = tokio::spawn(async move {
            let sender = running;
            loop {
                match db::outbox::claim_due(&db, BATCH, Utc::now() + CLAIM).await {
                    Ok(due) => {
                        for mail in due {
                            sender.deliver(&db, mail).await;
                        }
                    }
                    Err(error) => tracing::warn!(%error, "could not read the mail outbox"),
                }
                tokio::select! {
                    () = sender.wake.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        });
        if let Ok(mut worker) = sender.worker.lock() {
            *worker = Some(task);
        }
    }

    /// Stops the worker at shutdown. A mail it was sending is held until its claim runs out,
    /// then sent by whichever node is running.
    pub async fn stop(&self) {
        let task = self.on.as_ref().and_then(|sender| {
            sender
                .worker
                .lock()
                .ok()
                .and_then(|mut worker| worker.take())
        });
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Sender {
    async fn deliver(&self, db: &Database, mail: DueMail) {
        let id = mail.id;
        let outcome = match self.message(&mail) {
            Ok(message) => self
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|error| error.to_string()),
            Err(error) => Err(error),
        };
        let recorded = match outcome {
            Ok(()) => {
                tracing::info!(kind = %mail.kind, %id, "mail sent");
                db::outbox::mark_sent(db, id).await
            }
            Err(error) => {
                let wait = retry_after(mail.attempts);
                tracing::warn!(kind = %mail.kind, %id, attempts = mail.attempts + 1, %error,
                    retry_in_secs = wait.as_secs(), "mail not sent; will retry");
                let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                db::outbox::mark_failed(db, id, error, next).await
            }
        };
        if let Err(error) = recorded {
            // The claim runs out and the mail is tried again: a resend, never a loss.
            tracing::warn!(%error, %id, "could not record a mail's outcome");
        }
    }

    fn message(&self, mail: &DueMail) -> Result<Message, String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|error| format!("the recipient's address: {error}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}@{}>", mail.id, self.host)))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone().unwrap_or_default(),
                mail.html.clone().unwrap_or_default(),
            ))
            .map_err(|error| error.to_string())
    }
}

/// How long to wait before the next try, after `attempts` failed ones: 2 s doubling, at most
/// 15 minutes.
pub fn retry_after(attempts: i64) -> Duration {
    let doublings = attempts.clamp(0, 20) as u32;
    Duration::from_secs(2u64.saturating_mul(1 << doublings).min(15 * 60))
}

/// Text made safe to put in HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A mail of paragraphs and one button-like link, as plain text and as HTML, with a fresh id
/// (its `Message-ID`).
fn compose(
    kind: &'static str,
    review: Option<app::review::ReviewId>,
    recipient: &str,
    subject: String,
    paragraphs: &[String],
    link: (&str, String),
) -> NewMail {
    let (label, href) = link;
    let mut text = paragraphs.join("\n\n");
    text.push_str(&format!("\n\n{label}: {href}\n\n-- \nPeerwall\n"));
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en-GB\"><body style=\"font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1b1f24;\">",
    );
    for paragraph in paragraphs {
        html.push_str(&format!("<p>{}</p>", escape(paragraph)));
    }
    html.push_str(&format!(
        "<p><a href=\"{href}\" style=\"display: inline-block; background: #1f5f5b; color: #ffffff; padding: 10px 20px; border-radius: 6px; text-decoration: none; font-weight: bold;\">{label}</a></p>\
         <p style=\"font-size: 14px; color: #4a5360;\">Or copy this address into your browser: {href}</p>\
         <p style=\"font-size: 14px; color: #4a5360;\">Peerwall</p></body></html>",
        href = escape(&href),
        label = escape(label),
    ));
    NewMail {
        id: uuid::Uuid::new_v4(),
        kind,
        review,
        recipient: recipient.to_string(),
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_two_seconds_to_fifteen_minutes() {
        let waits: Vec<u64> = (0..12).map(|n| retry_after(n).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
        assert_eq!(retry_after(-3).as_secs(), 2);
        assert_eq!(retry_after(i64::MAX).as_secs(), 900);
    }

    #[test]
    fn a_mail_has_the_same_words_in_both_parts_and_its_html_is_escaped() {
        let mail = compose(
            "invitation",
            None,
            "a@b.example",
            "Subject".into(),
            &["Hello <script>alert(1)</script> & welcome.".into()],
            (
                "Accept the invitation",
                "https://p.example/invitations/x?a=1&b=2".into(),
            ),
        );
        assert!(
            mail.text
                .contains("Hello <script>alert(1)</script> & welcome.")
        );
        assert!(
            mail.text
                .contains("Accept the invitation: https://p.example/invitations/x?a=1&b=2")
        );
        assert!(
            mail.html
                .contains("Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; welcome.")
        );
        assert!(
            mail.html
                .contains("href=\"https://p.example/invitations/x?a=1&amp;b=2\"")
        );
        assert!(!mail.html.contains("<script>"));
    }

    /// (A runtime: the connection pool starts a task.)
    #[tokio::test]
    async fn bad_settings_are_refused_with_what_to_write() {
        let url = Mail::smtp(
            "ftp://nowhere",
            "Peerwall <p@example.gov.uk>",
            "https://p.example",
        )
        .err()
        .expect("a bad url");
        assert!(url.to_string().contains("smtp://host:port"), "{url}");
        let from = Mail::smtp(
            "smtp://127.0.0.1:2525",
            "not an address",
            "https://p.example",
        )
        .err()
        .expect("a bad from");
        assert!(from.to_string().contains("--mail-from"), "{from}");
        let on = Mail::smtp(
            "smtp://127.0.0.1:2525",
            "Peerwall <p@example.gov.uk>",
            "https://p.example/",
        )
        .expect("good settings");
        assert!(on.is_on());
        assert_eq!(on.link("/invitations/x"), "https://p.example/invitations/x");
        assert!(!Mail::off().is_on());
    }
}
