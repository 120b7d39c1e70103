//! The council's benchmarking data: the LGBF CSV import (every error named by line and column,
//! nothing kept of a file with one), the service behind the data page, and its import route.

use std::collections::{BTreeMap, HashMap};

use app::benchmark::{
    BenchmarkService, BenchmarkView, Indicator, MAX_IMPORT_BYTES, MAX_PICKED, MAX_ROWS, Value,
    chart,
};
use app::error::{AppError, ErrorCode};
use app::membership::Action;
use app::review::ReviewId;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::audit::AuditTrail;
use crate::db::{self, Database};
use crate::endpoint::{caller, from_a_page, read_upload, refuse, upload_answer};
use crate::membership::{ReviewCaller, ReviewDoor};

/// A parsed file: its values, each council's family group, and the indicators.
#[derive(Debug, Default)]
pub struct Dataset {
    pub values: Vec<Value>,
    pub families: Vec<(String, String)>,
    pub indicators: Vec<Indicator>,
}

const LONGEST: usize = 200;

/// Reads an LGBF-shaped CSV: a header naming `council`, `indicator`, `year` and `value` (and
/// optionally `family_group` and `indicator_name`), in any order and case; a row with an empty
/// value is a missing value and skipped. The first problem is returned as a sentence naming its
/// line and column.
pub fn parse(content: &[u8]) -> Result<Dataset, String> {
    let text = std::str::from_utf8(content)
        .map_err(|_| "The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”.")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|error| format!("Line 1: the header cannot be read ({error})."))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let required = |name: &str| {
        column(name).ok_or_else(|| {
            format!(
                "Line 1: the file needs a column named “{name}” (it has: {}).",
                headers.join(", ")
            )
        })
    };
    let (council_at, indicator_at, year_at, value_at) = (
        required("council")?,
        required("indicator")?,
        required("year")?,
        required("value")?,
    );
    let (family_at, name_at) = (column("family_group"), column("indicator_name"));

    let mut data = Dataset::default();
    let mut families: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut seen: HashMap<(String, String, String), u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|error| match error.position() {
            Some(at) => format!("Line {}: {}.", at.line(), describe(&error)),
            None => format!("The file cannot be read: {}.", describe(&error)),
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |at: usize, name: &str| -> Result<String, String> {
            let text = record.get(at).unwrap_or_default().trim().to_string();
            if text.chars().count() > LONGEST {
                return Err(format!(
                    "Line {line}, column {} ({name}): longer than {LONGEST} characters.",
                    at + 1
                ));
            }
            Ok(text)
        };
        let needed = |at: usize, name: &str| -> Result<String, String> {
            let text = cell(at, name)?;
            if text.is_empty() {
                Err(format!(
                    "Line {line}, column {} ({name}): it is empty.",
                    at + 1
                ))
            } else {
                Ok(text)
            }
        };
        let council = needed(council_at, "council")?;
        let indicator = needed(indicator_at, "indicator")?;
        let year = needed(year_at, "year")?;
        if let Some(at) = family_at {
            let group = needed(at, "family_group")?;
            match families.get(&council) {
                Some((known, first)) if *known != group => {
                    return Err(format!(
                        "Line {line}, column {} (family_group): {council} is in “{known}” on line {first} and “{group}” here.",
                        at + 1
                    ));
                }
                Some(_) => {}
                None => {
                    families.insert(council.clone(), (group, line));
                }
            }
        }
        if let Some(at) = name_at {
            let name = cell(at, "indicator_name")?;
            if !name.is_empty() {
                names.entry(indicator.clone()).or_insert(name);
            }
        }
        names.entry(indicator.clone()).or_default();
        let raw = cell(value_at, "value")?;
        if raw.is_empty() || raw == ".." || raw == "-" {
            continue; // a missing value, as the LGBF marks them
        }
        let value: f64 = raw
            .replace(',', "")
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                format!(
                    "Line {line}, column {} (value): “{raw}” is not a number.",
                    value_at + 1
                )
            })?;
        let key = (council.clone(), indicator.clone(), year.clone());
        if let Some(first) = seen.get(&key) {
            return Err(format!(
                "Line {line}: a second value for {council}, {indicator}, {year} (the first is on line {first})."
            ));
        }
        seen.insert(key, line);
        data.values.push(Value {
            council,
            indicator,
            year,
            value,
        });
        if data.values.len() > MAX_ROWS {
            return Err(format!("The file has more than {MAX_ROWS} values."));
        }
    }
    if data.values.is_empty() {
        return Err("The file has no values.".into());
    }
    data.families = families
        .into_iter()
        .map(|(council, (group, _))| (council, group))
        .collect();
    data.indicators = names
        .into_iter()
        .map(|(code, name)| Indicator {
            name: if name.is_empty() { code.clone() } else { name },
            code,
        })
        .collect();
    Ok(data)
}

fn describe(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("it has {len} columns where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".into(),
        _ => error.to_string(),
    }
}

/// The benchmarking service.
#[derive(Clone)]
pub struct Benchmarks {
    db: Database,
    audit: AuditTrail,
    door: ReviewDoor,
}

fn unavailable(error: db::DbError) -> AppError {
    tracing::error!(%error, "benchmark storage");
    AppError::unavailable("The data could not be reached. Try again in a moment.")
}

impl Benchmarks {
    pub fn new(db: Database, audit: AuditTrail, door: ReviewDoor) -> Self {
        Self { db, audit, door }
    }

    /// Checks and imports a file for `who`; the number of values imported.
    pub async fn import(
        &self,
        who: &ReviewCaller,
        review: ReviewId,
        file_name: &str,
        host: &str,
        content: &[u8],
    ) -> Result<usize, AppError> {
        who.must(Action::ImportBenchmarks)?;
        let data = parse(content).map_err(|message| AppError::invalid_field("file", message))?;
        let host = host.trim();
        if !data.values.iter().any(|v| v.council == host) {
            let mut councils: Vec<&str> = data.values.iter().map(|v| v.council.as_str()).collect();
            councils.sort_unstable();
            councils.dedup();
            let shown: Vec<&str> = councils.iter().take(8).copied().collect();
            return Err(AppError::invalid_field(
                "host",
                format!(
                    "The file has no values for “{host}”: give the host council's name as the file spells it (it has {}{}).",
                    shown.join(", "),
                    if councils.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            ));
        }
        let file_name: String = file_name.chars().take(LONGEST).collect();
        db::benchmark::replace(
            &self.db,
            review,
            db::benchmark::Import {
                values: &data.values,
                families: &data.families,
                indicators: &data.indicators,
                host,
                file_name: &file_name,
                by: &who.caller.name,
            },
        )
        .await
        .map_err(unavailable)?;
        let detail = format!(
            "{file_name}: {} values, {} indicators",
            data.values.len(),
            data.indicators.len()
        );
        self.audit
            .review_change(&who.caller, review, "benchmarks_imported", detail)
            .await?;
        Ok(data.values.len())
    }
}

#[async_trait::async_trait]
impl BenchmarkService for Benchmarks {
    async fn view(&self, review: ReviewId) -> Result<BenchmarkView, AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::ViewBenchmarks)?;
        let set = db::benchmark::set(&self.db, review)
            .await
            .map_err(unavailable)?;
        let (imported, host, picked) = match set {
            Some((facts, host, picked)) => (Some(facts), host, picked),
            None => (None, who.title.clone(), Vec::new()),
        };
        let indicators = db::benchmark::indicators(&self.db, review)
            .await
            .map_err(unavailable)?;
        let families: BTreeMap<String, String> = db::benchmark::families(&self.db, review)
            .await
            .map_err(unavailable)?
            .into_iter()
            .collect();
        let mut charts = Vec::new();
        for code in &picked {
            let Some(indicator) = indicators.iter().find(|i| &i.code == code) else {
                continue;
            };
            let values = db::benchmark::values(&self.db, review, code)
                .await
                .map_err(unavailable)?;
            charts.push(chart(indicator.clone(), &host, &families, &values));
        }
        Ok(BenchmarkView {
            title: who.title.clone(),
            host,
            imported,
            indicators,
            picked: charts,
            can_import: who.may(Action::ImportBenchmarks),
            can_pick: who.may(Action::PickIndicators),
        })
    }

    async fn pick(
        &self,
        review: ReviewId,
        indicator: String,
        picked: bool,
    ) -> Result<(), AppError> {
        let who = self.door.caller(review).await?;
        who.must(Action::PickIndicators)?;
        let Some((_, _, mut current)) = db::benchmark::set(&self.db, review)
            .await
            .map_err(unavailable)?
        else {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "This review has no data yet.",
            ));
        };
        let known = db::benchmark::indicators(&self.db, review)
            .await
            .map_err(unavailable)?
            .iter()
            .any(|i| i.code == indicator);
        if !known {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "There is no such indicator in this review's data.",
            ));
        }
        current.retain(|code| *code != indicator);
        if picked {
            if current.len() >= MAX_PICKED {
                return Err(AppError::new(
                    ErrorCode::Invalid,
                    format!(
                        "The team's charts show {MAX_PICKED} indicators at most: take one off first."
                    ),
                ));
            }
            current.push(indicator);
        }
        db::benchmark::set_picked(&self.db, review, &current)
            .await
            .map_err(unavailable)
    }
}

/// `POST /api/reviews/{review}/benchmarks`: a multipart form with `file` (the CSV) and `host`
/// (the host council as the file names it). A page is sent back with `?imported=` or
/// `?refused=`; another client gets 201 with the count, or the refusal as JSON.
pub async fn import(
    State(state): State<crate::AppState>,
    Path(review): Path<String>,
    session: Option<axum::Extension<app::accounts::RequestSession>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let (review_id, session) = match caller(&state, &review, session, "Sign in to import.", None) {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let benchmarks = state.benchmarks.clone();
    let ok = |error| (StatusCode::OK, error);
    let result = async {
        let who = benchmarks
            .door
            .caller_in(session.caller.clone(), review_id)
            .await
            .map_err(ok)?;
        // Refused before the body is read (the service checks again for its other callers).
        who.must(Action::ImportBenchmarks).map_err(ok)?;
        let form = read_upload(multipart, MAX_IMPORT_BYTES).await?;
        let (name, content) = form
            .file
            .clone()
            .filter(|(_, content)| !content.is_empty())
            .ok_or_else(|| {
                ok(AppError::invalid_field(
                    "file",
                    "Choose a CSV file to import.",
                ))
            })?;
        let host: String = form.field("host").chars().take(LONGEST).collect();
        benchmarks
            .import(&who, review_id, &name, &host, &content)
            .await
            .map_err(ok)
    }
    .await;
    let page = format!("/reviews/{review}/data");
    upload_answer(
        result,
        from_a_page(&headers).then_some(page.as_str()),
        "imported",
        usize::to_string,
        |rows| (StatusCode::CREATED, axum::Json(rows)).into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_data_reads_whole() {
        let data = parse(crate::demo::LGBF_CSV.as_bytes()).unwrap();
        assert_eq!(data.values.len(), 432);
        assert_eq!(data.indicators.len(), 6);
        assert_eq!(data.families.len(), 12);
        assert!(
            data.indicators
                .iter()
                .any(|i| i.code == "SW1" && i.name.starts_with("Home care"))
        );
    }

    #[test]
    fn every_problem_names_its_line_and_column() {
        let cases: [(&str, &str); 8] = [
            (
                "council,indicator,year\nA,SW1,2020\n",
                "Line 1: the file needs a column named “value”",
            ),
            (
                "council,indicator,year,value\nA,SW1,2020,abc\n",
                "Line 2, column 4 (value): “abc” is not a number.",
            ),
            (
                "council,indicator,year,value\nA,SW1,2020,1\n,SW1,2020,2\n",
                "Line 3, column 1 (council): it is empty.",
            ),
            (
                "council,indicator,year,value\nA,SW1,2020,1\nA,SW1,2020,2\n",
                "Line 3: a second value for A, SW1, 2020 (the first is on line 2).",
            ),
            (
                "council,indicator,year,value\nA,SW1,2020\n",
                "Line 2: it has 3 columns where the header has 4.",
            ),
            (
                "Council,Family Group,Indicator,Year,Value\nA,F1,SW1,2020,1\nA,F2,SW1,2021,1\n",
                "Line 3, column 2 (family_group): A is in “F1” on line 2 and “F2” here.",
            ),
            ("council,indicator,year,value\n", "The file has no values."),
            (
                "council,indicator,year,value\nA,SW1,2020,inf\n",
                "Line 2, column 4 (value): “inf” is not a number.",
            ),
        ];
        for (file, expected) in cases {
            let error = parse(file.as_bytes()).unwrap_err();
            assert!(error.starts_with(expected), "{file:?}: {error}");
        }
        assert!(parse(&[0xff, 0xfe, 0x00]).unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn headers_in_any_order_and_case_and_missing_values_skipped() {
        let data = parse(
            "\u{feff}Year,VALUE,Indicator,Council\n2020,1.5,SW1,A\n2021,..,SW1,A\n2022,\"1,200\",SW1,A\n".as_bytes(),
        )
        .unwrap();
        let values: Vec<(&str, f64)> = data
            .values
            .iter()
            .map(|v| (v.year.as_str(), v.value))
            .collect();
        assert_eq!(values, vec![("2020", 1.5), ("2022", 1200.0)]);
        assert_eq!(
            data.indicators[0].name, "SW1",
            "the code stands in for a missing name"
        );
    }
}
