//! The action plan to download: `GET /api/reviews/{review}/plan.csv` (one row per action, for
//! a spreadsheet) and `GET /api/reviews/{review}/plan.docx` (built with `docx-rs`, in the shape
//! councils take to cabinet: a RAG summary, then a table per recommendation with its actions,
//! owners, due dates, status and evidence). Everyone who may read the plan may download it.

use app::accounts::RequestSession;
use app::error::{AppError, ErrorCode};
use app::plan::{ActionPlanView, ActionStatus, PlanAction};
use app::wall::export::cell;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;
use docx_rs::{
    Docx, Paragraph, Run, Shading, Style, StyleType, Table, TableCell, TableRow, WidthType,
};

use crate::AppState;
use crate::endpoint::{attachment, caller, refuse};

/// The plan as CSV: a row per action (a recommendation with none has one row of its own).
pub fn to_csv(plan: &ActionPlanView) -> String {
    let header = [
        "recommendation",
        "recommendation text",
        "action",
        "owner",
        "due",
        "status",
        "where it stands",
        "evidence",
        "overdue",
        "updated by",
        "updated at",
    ];
    let mut out = header.join(",");
    out.push_str("\r\n");
    let mut push = |row: Vec<String>| {
        out.push_str(&row.iter().map(|v| cell(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    };
    for recommendation in &plan.recommendations {
        let first = vec![
            recommendation.number.to_string(),
            recommendation.text.clone(),
        ];
        let mut any = false;
        for action in plan.actions_for(recommendation.number) {
            any = true;
            let mut row = first.clone();
            row.extend([
                action.text.clone(),
                action.owner.clone(),
                action.due.map(|d| d.to_string()).unwrap_or_default(),
                action.status.short().to_string(),
                action.status_note.clone(),
                action.evidence.join(" "),
                if action.overdue(plan.today) {
                    "yes"
                } else {
                    ""
                }
                .to_string(),
                action.updated_by.clone(),
                action.updated_at.get(..10).unwrap_or_default().to_string(),
            ]);
            push(row);
        }
        if !any {
            let mut row = first;
            row.extend(std::iter::repeat_n(String::new(), header.len() - 2));
            push(row);
        }
    }
    out
}

/// The fill of a status cell: the RAG colours councils use.
fn fill(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::NotStarted => "E7E9E4",
        ActionStatus::Green => "B7DDB9",
        ActionStatus::Amber => "FAD58E",
        ActionStatus::Red => "F2A7A7",
        ActionStatus::Complete => "BFD0EE",
    }
}

fn text_cell(text: &str, width: usize, bold: bool) -> TableCell {
    let mut run = Run::new().add_text(text);
    if bold {
        run = run.bold();
    }
    TableCell::new()
        .width(width, WidthType::Dxa)
        .add_paragraph(Paragraph::new().add_run(run))
}

const WIDTHS: [usize; 6] = [3000, 1500, 1100, 1100, 2300, 1000];

fn header_row() -> TableRow {
    let cells = [
        "Action",
        "Owner",
        "Due",
        "RAG",
        "Where it stands",
        "Evidence",
    ]
    .iter()
    .zip(WIDTHS)
    .map(|(name, width)| {
        TableCell::new()
            .width(width, WidthType::Dxa)
            .shading(Shading::new().fill("1F5F5B"))
            .add_paragraph(
                Paragraph::new().add_run(Run::new().add_text(*name).bold().color("FFFFFF")),
            )
    })
    .collect();
    TableRow::new(cells).cant_split()
}

fn action_row(action: &PlanAction, today: chrono::NaiveDate) -> TableRow {
    let due = action
        .due
        .map(|d| {
            let day = d.format("%-d %b %Y").to_string();
            if action.overdue(today) {
                format!("{day} (overdue)")
            } else {
                day
            }
        })
        .unwrap_or_default();
    let evidence = if action.evidence.is_empty() {
        String::new()
    } else {
        action.evidence.join("\n")
    };
    TableRow::new(vec![
        text_cell(&action.text, WIDTHS[0], false),
        text_cell(&action.owner, WIDTHS[1], false),
        text_cell(&due, WIDTHS[2], action.overdue(today)),
        text_cell(action.status.short(), WIDTHS[3], true)
            .shading(Shading::new().fill(fill(action.status))),
        text_cell(&action.status_note, WIDTHS[4], false),
        text_cell(&evidence, WIDTHS[5], false),
    ])
    .cant_split()
}

/// The plan as a Word document titled `title`.
pub fn to_docx(plan: &ActionPlanView, title: &str) -> Result<Vec<u8>, AppError> {
    let mut doc = Docx::new()
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(44)
                .bold(),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .size(30)
                .bold()
                .outline_lvl(0),
        )
        .add_paragraph(
            Paragraph::new()
                .style("Title")
                .add_run(Run::new().add_text("Action plan")),
        )
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(title)))
        .add_paragraph(Paragraph::new().add_run(
            Run::new().add_text(format!("Position at {}", plan.today.format("%-d %B %Y"))),
        ));
    // The summary cabinet reads first: how many actions stand at each status.
    doc = doc.add_paragraph(
        Paragraph::new()
            .style("Heading1")
            .add_run(Run::new().add_text("Summary")),
    );
    let mut summary = vec![TableRow::new(vec![
        text_cell("Status", 3000, true),
        text_cell("Actions", 1500, true),
    ])];
    for (status, count) in plan.counts() {
        summary.push(TableRow::new(vec![
            text_cell(status.label(), 3000, false).shading(Shading::new().fill(fill(status))),
            text_cell(&count.to_string(), 1500, false),
        ]));
    }
    summary.push(TableRow::new(vec![
        text_cell("Overdue", 3000, true),
        text_cell(&plan.overdue().len().to_string(), 1500, true),
    ]));
    doc = doc.add_table(Table::new(summary));
    for recommendation in &plan.recommendations {
        doc = doc
            .add_paragraph(
                Paragraph::new().style("Heading1").add_run(
                    Run::new().add_text(format!("Recommendation {}", recommendation.number)),
                ),
            )
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&recommendation.text)));
        let mut rows = vec![header_row()];
        rows.extend(
            plan.actions_for(recommendation.number)
                .map(|action| action_row(action, plan.today)),
        );
        if rows.len() == 1 {
            doc = doc.add_paragraph(
                Paragraph::new().add_run(Run::new().add_text("No actions yet.").italic()),
            );
        } else {
            doc = doc.add_table(Table::new(rows));
        }
        if !recommendation.progress.is_empty() {
            doc = doc
                .add_paragraph(
                    Paragraph::new().add_run(Run::new().add_text("Progress statement").bold()),
                )
                .add_paragraph(
                    Paragraph::new().add_run(Run::new().add_text(&recommendation.progress)),
                );
        }
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut bytes).map_err(|error| {
        tracing::error!(%error, "building the action plan document");
        AppError::internal("The document could not be made. Try again in a moment.")
    })?;
    Ok(bytes.into_inner())
}

/// What to download.
#[derive(Debug, Clone, Copy)]
enum Format {
    Csv,
    Docx,
}

async fn download(
    state: AppState,
    review: String,
    session: Option<Extension<RequestSession>>,
    format: Format,
) -> Response {
    let (review, session) = match caller(
        &state,
        &review,
        session,
        "Sign in to download the action plan.",
        None,
    ) {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let plans = state.plan.clone();
    let result = async {
        let who = plans.door.caller_in(session.caller.clone(), review).await?;
        let plan = plans.view_for(&who, review).await?;
        if plan.made.is_none() {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "There is no action plan to download yet.",
            ));
        }
        Ok::<_, AppError>((plan, who.title))
    }
    .await;
    match result {
        Ok((plan, title)) => match format {
            Format::Csv => attachment(
                to_csv(&plan),
                "text/csv; charset=utf-8",
                &title,
                "action-plan.csv",
            ),
            Format::Docx => match to_docx(&plan, &title) {
                Ok(bytes) => attachment(
                    bytes,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    &title,
                    "action-plan.docx",
                ),
                Err(error) => refuse(error),
            },
        },
        Err(error) => refuse(error),
    }
}

/// `GET /api/reviews/{review}/plan.csv`.
pub async fn download_csv(
    State(state): State<AppState>,
    Path(review): Path<String>,
    session: Option<Extension<RequestSession>>,
) -> Response {
    download(state, review, session, Format::Csv).await
}

/// `GET /api/reviews/{review}/plan.docx`.
pub async fn download_docx(
    State(state): State<AppState>,
    Path(review): Path<String>,
    session: Option<Extension<RequestSession>>,
) -> Response {
    download(state, review, session, Format::Docx).await
}
