//! Systems measured side by side: each workload against each system in turn, round after
//! round, every result printed and written, then a table of each figure's median per system
//! with the ratios between them. The comparison with Hocuspocus (`compare`) and the load across
//! nodes (`cluster-load`) are both made this way.

use std::future::Future;
use std::path::Path;

use serde::Serialize;

use crate::run::{self, Plan, RunResult, Workload};

/// What a side-by-side run is called and how its table is laid out.
pub struct Table {
    /// The line above the table.
    pub title: &'static str,
    /// The JSON file every result goes to, in the output folder.
    pub file: &'static str,
    /// One column per system: its name in the results, and its heading.
    pub columns: &'static [(&'static str, &'static str)],
    /// The ratios printed after the columns: numerator and denominator (column indices), and
    /// the heading.
    pub ratios: &'static [(usize, usize, &'static str)],
}

#[derive(Debug, Serialize)]
struct Rounds<'a> {
    rounds: usize,
    time_scale: f64,
    results: &'a [RunResult],
}

/// Runs the triangulation day and the burst against every system of `table` in turn, `rounds`
/// times over (`run_one` runs one system on one plan), then prints the table and writes the
/// results.
pub async fn alternate<F, Fut>(
    out: &Path,
    table: &Table,
    rounds: usize,
    time_scale: f64,
    mut run_one: F,
) -> Result<(), String>
where
    F: FnMut(&'static str, Plan) -> Fut,
    Fut: Future<Output = Result<RunResult, String>>,
{
    let mut results = Vec::new();
    for round in 0..rounds {
        for workload in [Workload::Triangulation, Workload::Burst] {
            for &(system, _) in table.columns {
                let name = run::workload_name(workload);
                println!("== round {} of {rounds}: {system}, {name}", round + 1);
                let mut result = run_one(system, Plan::of(workload, time_scale)).await?;
                result.system = system.into();
                result.print();
                result.write(out, &format!("{system}-{name}"))?;
                results.push(result);
            }
        }
    }
    print_table(table, &results);
    let rounds = Rounds {
        rounds,
        time_scale,
        results: &results,
    };
    let json = serde_json::to_string_pretty(&rounds).map_err(|e| e.to_string())?;
    std::fs::write(out.join(table.file), json).map_err(|e| e.to_string())
}

/// The median of a figure over the rounds of one system and workload.
fn median(results: &[&RunResult], figure: fn(&RunResult) -> Option<f64>) -> Option<f64> {
    let mut values: Vec<f64> = results.iter().filter_map(|r| figure(r)).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values[values.len() / 2])
}

type Figure = (&'static str, fn(&RunResult) -> Option<f64>);

const FIGURES: [Figure; 9] = [
    ("fan-out p50 ms", |r| Some(r.fanout_ms.p50)),
    ("fan-out p99 ms", |r| Some(r.fanout_ms.p99)),
    ("ack p99 ms", |r| Some(r.ack_ms.p99)),
    ("achieved ops/s", |r| Some(r.achieved_ops_per_s)),
    ("sustainable ops/s", |r| r.sustainable_rate),
    ("server CPU s", |r| Some(r.server_cpu_s)),
    ("server peak RSS MiB", |r| Some(r.server_peak_rss_mb)),
    ("load generator CPU s", |r| Some(r.client_cpu_s)),
    ("diverged boards", |r| Some(r.diverged_boards as f64)),
];

fn print_table(table: &Table, results: &[RunResult]) {
    println!();
    println!("{}", table.title);
    for workload in ["triangulation", "burst"] {
        let runs: Vec<Vec<&RunResult>> = table
            .columns
            .iter()
            .map(|(system, _)| {
                results
                    .iter()
                    .filter(|r| r.system == *system && r.workload == workload)
                    .collect()
            })
            .collect();
        if runs.iter().all(Vec::is_empty) {
            continue;
        }
        println!();
        let mut header = format!("{workload:<22}");
        for (_, heading) in table.columns {
            header.push_str(&format!(" {heading:>12}"));
        }
        for (_, _, heading) in table.ratios {
            header.push_str(&format!(" {heading:>14}"));
        }
        println!("{header}");
        for (name, figure) in FIGURES {
            let values: Vec<Option<f64>> = runs.iter().map(|runs| median(runs, figure)).collect();
            if values.iter().all(Option::is_none) {
                continue;
            }
            let mut line = format!("{name:<22}");
            for value in &values {
                let cell = value.map_or("-".to_string(), |v| format!("{v:.2}"));
                line.push_str(&format!(" {cell:>12}"));
            }
            for &(over, under, _) in table.ratios {
                let ratio = match (values[over], values[under]) {
                    (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
                    _ => "-".to_string(),
                };
                line.push_str(&format!(" {ratio:>14}"));
            }
            println!("{line}");
        }
    }
}
