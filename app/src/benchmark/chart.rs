//! One indicator drawn as an SVG line chart, in Rust (server-rendered, no script needed), with
//! the same numbers as a table for screen readers and anyone who prefers one. The three lines
//! differ by dash and marker as well as colour.

use leptos::prelude::*;

use crate::benchmark::{IndicatorChart, format_value, ticks};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// (series, CSS class, label).
fn series(chart: &IndicatorChart, host: &str) -> Vec<(Vec<Option<f64>>, &'static str, String)> {
    let family = match &chart.family_group {
        Some(group) => format!("{group} average ({} councils)", chart.family_size),
        None => "Family group average".into(),
    };
    vec![
        (chart.host.clone(), "series-host", host.to_string()),
        (chart.family.clone(), "series-family", family),
        (
            chart.all.clone(),
            "series-all",
            format!("Average of all {} councils", chart.councils),
        ),
    ]
}

/// The chart and its table.
#[component]
pub fn IndicatorFigure(chart: IndicatorChart, host: String) -> impl IntoView {
    let lines = series(&chart, &host);
    let values: Vec<f64> = lines
        .iter()
        .flat_map(|(points, ..)| points.iter().flatten().copied())
        .collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (low, high) = if values.is_empty() {
        (0.0, 1.0)
    } else {
        (low, high)
    };
    let (first, step, count) = ticks(low, high, 5);
    let top_value = first + step * (count.saturating_sub(1)) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let years = chart.years.len().max(1);
    let x = move |at: usize| {
        if years == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * at as f64 / (years - 1) as f64
        }
    };
    let span = (top_value - first).max(f64::EPSILON);
    let y = move |value: f64| TOP + plot_h * (1.0 - (value - first) / span);
    let code = chart.indicator.code.clone();
    let title_id = format!("chart-title-{code}");
    let desc_id = format!("chart-desc-{code}");
    let description = format!(
        "{} for {} from {} to {}, against the family group's average and every council's.",
        chart.indicator.name,
        host,
        chart.years.first().cloned().unwrap_or_default(),
        chart.years.last().cloned().unwrap_or_default()
    );
    let grid = (0..count)
        .map(|at| {
            let value = first + step * at as f64;
            let gy = y(value);
            view! {
                <line class="chart-grid" x1=LEFT x2=WIDTH - RIGHT y1=gy y2=gy/>
                <text class="chart-tick" x=LEFT - 8.0 y=gy + 4.0 text-anchor="end">{format_value(value)}</text>
            }
        })
        .collect_view();
    let year_labels = chart
        .years
        .iter()
        .enumerate()
        .map(|(at, year)| {
            view! { <text class="chart-tick" x=x(at) y=HEIGHT - BOTTOM + 20.0 text-anchor="middle">{year.clone()}</text> }
        })
        .collect_view();
    let paths = lines
        .iter()
        .map(|(points, class, _)| {
            // A gap in the data breaks the line rather than bridging it.
            let mut d = String::new();
            let mut pen_down = false;
            for (at, point) in points.iter().enumerate() {
                match point {
                    Some(value) => {
                        let command = if pen_down { 'L' } else { 'M' };
                        d.push_str(&format!("{command}{:.1},{:.1} ", x(at), y(*value)));
                        pen_down = true;
                    }
                    None => pen_down = false,
                }
            }
            let markers = points
                .iter()
                .enumerate()
                .filter_map(|(at, point)| point.map(|value| (x(at), y(value))))
                .map(|(cx, cy)| view! { <circle class=format!("chart-marker {class}") cx=cx cy=cy r="4"/> })
                .collect_view();
            view! {
                <path class=format!("chart-line {class}") d=d.trim().to_string() fill="none"/>
                {markers}
            }
        })
        .collect_view();
    let legend = lines
        .iter()
        .map(|(_, class, label)| {
            view! {
                <li><svg class="legend-swatch" width="28" height="10" aria-hidden="true"><line class=format!("chart-line {class}") x1="0" x2="28" y1="5" y2="5"/></svg>{label.clone()}</li>
            }
        })
        .collect_view();
    let headers = lines
        .iter()
        .map(|(_, _, label)| view! { <th scope="col">{label.clone()}</th> })
        .collect_view();
    let rows = chart
        .years
        .iter()
        .enumerate()
        .map(|(at, year)| {
            let cells = lines
                .iter()
                .map(|(points, ..)| {
                    let text = points
                        .get(at)
                        .copied()
                        .flatten()
                        .map_or_else(|| "no value".to_string(), format_value);
                    view! { <td>{text}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{year.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <figure class="indicator-figure" data-indicator=code.clone()>
            <figcaption id=title_id.clone()>
                <strong>{code.clone()}</strong> " · " {chart.indicator.name.clone()}
            </figcaption>
            <svg class="indicator-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
                aria-labelledby=format!("{title_id} {desc_id}")>
                <desc id=desc_id.clone()>{description}</desc>
                {grid}
                {year_labels}
                {paths}
            </svg>
            <ul class="chart-legend">{legend}</ul>
            <details class="chart-table">
                <summary>{format!("The numbers for {code} as a table")}</summary>
                <table>
                    <caption>{format!("{}: {}", code, chart.indicator.name)}</caption>
                    <thead><tr><th scope="col">"Year"</th>{headers}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}
