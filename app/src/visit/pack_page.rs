//! `/reviews/:id/documents`: the pack. Everyone sees the documents meant for their role (new
//! ones marked, their own read marks); the council's contact and the facilitator upload and
//! withdraw them; the facilitator sees who has not opened the position statement.
//!
//! Uploading is a plain form posted to `/api/reviews/<id>/documents`, so it works before the
//! page's code has loaded; the server sends the browser back here with `?uploaded=` or
//! `?refused=` and this page says which.

use crate::layout::NotAvailable;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::error::AppError;
use crate::review::ReviewId;
use crate::visit::{
    Audience, DocumentKind, MAX_DOCUMENT_BYTES, MarkDocumentRead, PackEntry, PackView,
    WithdrawDocument, get_pack,
};

/// `/reviews/:id/documents`.
#[component]
pub fn PackPage() -> impl IntoView {
    let params = use_params_map();
    let mark = ServerAction::<MarkDocumentRead>::new();
    let withdraw = ServerAction::<WithdrawDocument>::new();
    let pack = Resource::new(
        move || {
            (
                params.read().get("id"),
                mark.version().get(),
                withdraw.version().get(),
            )
        },
        |(id, ..)| async move {
            let review: ReviewId = id
                .and_then(|id| id.parse().ok())
                .map(ReviewId)
                .ok_or_else(crate::membership::not_a_member)?;
            get_pack(review).await.map(|view| (review, view))
        },
    );
    let failed = move || {
        let failed = |value: Option<Result<(), AppError>>| value.and_then(Result::err);
        failed(mark.value().get())
            .or_else(|| failed(withdraw.value().get()))
            .map(|error| error.message)
    };
    view! {
        <Title text="Documents"/>
        <Suspense fallback=|| view! { <p class="status">"Loading the pack…"</p> }>
            {move || pack.get().map(|result| match result {
                Ok((review, view)) => view! { <Pack review view mark withdraw/> }.into_any(),
                Err(error) => view! {
                    <NotAvailable title="Documents" heading="The documents are not available".to_string() message=error.message/>
                }.into_any(),
            })}
        </Suspense>
        <p class="status status-error" role="alert">{failed}</p>
    }
}

#[component]
fn Pack(
    review: ReviewId,
    view: PackView,
    mark: ServerAction<MarkDocumentRead>,
    withdraw: ServerAction<WithdrawDocument>,
) -> impl IntoView {
    let query = use_query_map();
    let uploaded = move || query.read().get("uploaded");
    let refused = move || query.read().get("refused");
    let new_count = view.documents.iter().filter(|entry| entry.new).count();
    let can_manage = view.can_manage;
    let groups: Vec<(DocumentKind, Vec<PackEntry>)> = DocumentKind::ALL
        .into_iter()
        .map(|kind| {
            let entries: Vec<PackEntry> = view
                .documents
                .iter()
                .filter(|entry| entry.document.kind == kind)
                .cloned()
                .collect();
            (kind, entries)
        })
        .filter(|(_, entries)| !entries.is_empty())
        .collect();
    let empty = groups.is_empty();
    view! {
        <Title text=format!("Documents · {}", view.title)/>
        <section class="pack">
            <p class="breadcrumb"><a href=format!("/reviews/{review}")>{view.title.clone()}</a></p>
            <h1>"Documents"</h1>
            <p class="hint">
                "The pack for the visit: the council's position statement and self-assessment, its data and evidence, and the team's briefing note."
            </p>
            {move || uploaded().map(|title| view! {
                <p class="status status-ok" role="status">{format!("“{title}” is in the pack.")}</p>
            })}
            {move || refused().map(|message| view! {
                <p class="status status-error" role="alert" id="upload-refused">{message}</p>
            })}
            {(new_count > 0).then(|| view! {
                <p class="status pack-new-count">{match new_count {
                    1 => "1 document is new since your last visit.".to_string(),
                    n => format!("{n} documents are new since your last visit."),
                }}</p>
            })}
            <NotOpened view=view.clone()/>
            {empty.then(|| view! { <p class="status">"There are no documents for you yet."</p> })}
            {groups.into_iter().map(|(kind, entries)| view! {
                <section class="panel pack-group">
                    <h2>{kind.label()}</h2>
                    <ul class="pack-list">
                        {entries.into_iter().map(|entry| view! {
                            <DocumentRow review entry can_manage mark withdraw/>
                        }).collect_view()}
                    </ul>
                </section>
            }).collect_view()}
            {can_manage.then(|| view! { <UploadForm review view=view.clone()/> })}
        </section>
    }
}

/// The facilitator's list of the team who have not opened the position statement.
#[component]
fn NotOpened(view: PackView) -> impl IntoView {
    let not_opened = view.not_opened.filter(|_| view.has_position_statement)?;
    let class = if view.visit_is_near && !not_opened.is_empty() {
        "panel pack-unread pack-unread-warning"
    } else {
        "panel pack-unread"
    };
    Some(view! {
        <section class=class aria-labelledby="unread-title">
            <h2 id="unread-title">"The position statement"</h2>
            {if not_opened.is_empty() {
                view! { <p>"Everyone on the team has opened it."</p> }.into_any()
            } else {
                let lead = if view.visit_is_near {
                    "The visit is a week away or less, and these people have not opened it yet:"
                } else {
                    "Not opened yet by:"
                };
                view! {
                    <p>{lead}</p>
                    <ul class="pack-unread-list">
                        {not_opened.into_iter().map(|person| view! {
                            <li>{person.name} <span class="hint">{format!(" ({})", person.role.label())}</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    })
}

#[component]
fn DocumentRow(
    review: ReviewId,
    entry: PackEntry,
    can_manage: bool,
    mark: ServerAction<MarkDocumentRead>,
    withdraw: ServerAction<WithdrawDocument>,
) -> impl IntoView {
    let document = entry.document;
    let id = document.id;
    let href = format!("/api/reviews/{review}/documents/{id}");
    let size = human_size(document.size);
    let confirming = RwSignal::new(false);
    let title = document.title.clone();
    view! {
        <li class="pack-document" data-document=id.to_string() data-read=entry.read.to_string()>
            <div class="pack-title">
                <a href=href download>{document.title.clone()}</a>
                {entry.new.then(|| view! { <span class="badge badge-new">"New"</span> })}
                {entry.scheduled.then(|| view! {
                    <span class="badge">{format!("Goes to the team on {}", document.send_on.format("%-d %B %Y"))}</span>
                })}
                {(document.audience == Audience::Team).then(|| view! {
                    <span class="badge">"Team only"</span>
                })}
            </div>
            <p class="pack-facts">
                {format!(
                    "{} · {} · {} · from {}",
                    document.file_type.label(), size, document.file_name, document.uploaded_by_name
                )}
                {entry.read_by.map(|(read, of)| format!(" · read by {read} of {of} on the team"))}
            </p>
            <div class="pack-actions">
                {if entry.read {
                    view! { <span class="pack-read">"Read"</span> }.into_any()
                } else {
                    view! {
                        <ActionForm action=mark attr:class="inline-form">
                            <input type="hidden" name="review" value=review.to_string()/>
                            <input type="hidden" name="document" value=id.to_string()/>
                            <button type="submit" class="button button-small button-secondary">
                                "Mark as read" <span class="visually-hidden">{format!(": {}", document.title)}</span>
                            </button>
                        </ActionForm>
                    }.into_any()
                }}
                {can_manage.then_some(move || {
                    let title = title.clone();
                    if confirming.get() {
                        view! {
                            <ActionForm action=withdraw attr:class="inline-form">
                                <input type="hidden" name="review" value=review.to_string()/>
                                <input type="hidden" name="document" value=id.to_string()/>
                                <button type="submit" class="button button-small button-danger">{format!("Withdraw “{title}”")}</button>
                                <button type="button" class="link-button" on:click=move |_| confirming.set(false)>"Keep"</button>
                            </ActionForm>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="link-button" on:click=move |_| confirming.set(true)>"Withdraw"</button>
                        }.into_any()
                    }
                })}
            </div>
        </li>
    }
}

/// The upload form: a plain multipart form to the upload route.
#[component]
fn UploadForm(review: ReviewId, view: PackView) -> impl IntoView {
    let limit = MAX_DOCUMENT_BYTES / (1024 * 1024);
    view! {
        <section class="panel" aria-labelledby="upload-title">
            <h2 id="upload-title">"Add a document"</h2>
            <form class="form" method="post" enctype="multipart/form-data"
                action=format!("/api/reviews/{review}/documents")>
                <div class="field">
                    <label for="document-file">{format!("File (PDF, Word, Excel, CSV, PNG or JPEG; {limit} MB at most)")}</label>
                    <input id="document-file" name="file" type="file" required
                        accept=".pdf,.docx,.xlsx,.csv,.png,.jpg,.jpeg"/>
                </div>
                <div class="field">
                    <label for="document-title">"Title"</label>
                    <input id="document-title" name="title" type="text" required maxlength="200"/>
                </div>
                <div class="field">
                    <label for="document-kind">"Kind"</label>
                    <select id="document-kind" name="kind">
                        {DocumentKind::ALL.into_iter().map(|kind| view! {
                            <option value=kind.as_str()>{kind.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="document-audience">"Who sees it"</label>
                    <select id="document-audience" name="audience">
                        {Audience::ALL.into_iter().map(|audience| view! {
                            <option value=audience.as_str()>{audience.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="document-send-on">"Send to the team on"</label>
                    <input id="document-send-on" name="send_on" type="date" required
                        value=view.suggested_send_on.to_string()/>
                    <p class="hint">{format!(
                        "The team usually has the pack two to three weeks before the visit, which starts on {}.",
                        view.on_site_start.format("%-d %B %Y")
                    )}</p>
                </div>
                <button type="submit" class="button">"Upload"</button>
            </form>
        </section>
    }
}

/// "2.4 MB", "312 KB", "900 bytes".
pub fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    if bytes >= KB * KB {
        format!("{:.1} MB", bytes as f64 / (KB * KB) as f64)
    } else if bytes >= KB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(super::human_size(900), "900 bytes");
        assert_eq!(super::human_size(312 * 1024 + 1), "313 KB");
        assert_eq!(super::human_size(2_516_582), "2.4 MB");
    }
}
