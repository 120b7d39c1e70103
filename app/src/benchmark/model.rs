//! The council's benchmarking data in the shape of the Local Government Benchmarking Framework
//! (LGBF): a value per council, indicator and year, each council in a family group. What the
//! team sees of an indicator: the host against its family group's average and the average of all
//! councils in the data (for the LGBF, Scotland's) over the years.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The most rows one import takes (the whole LGBF is about 32 councils × 100 indicators × 15
/// years).
pub const MAX_ROWS: usize = 60_000;
/// The largest file an import takes.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;
/// The most indicators the team may pick for its charts.
pub const MAX_PICKED: usize = 12;

/// One value of the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Value {
    pub council: String,
    pub indicator: String,
    pub year: String,
    pub value: f64,
}

/// An indicator: its code and what it measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
}

/// One indicator for the chart and its table: a value per year for the host, its family group's
/// average and the average of every council in the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorChart {
    pub indicator: Indicator,
    pub years: Vec<String>,
    pub host: Vec<Option<f64>>,
    pub family: Vec<Option<f64>>,
    pub all: Vec<Option<f64>>,
    /// The host's family group and how many councils are in it.
    pub family_group: Option<String>,
    pub family_size: usize,
    pub councils: usize,
}

/// What an import brought in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportFacts {
    pub file_name: String,
    pub by: String,
    /// RFC 3339.
    pub at: String,
    pub rows: u32,
    pub councils: u32,
    pub indicators: u32,
}

/// The data page as the caller sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkView {
    pub title: String,
    /// The host council as the data names it.
    pub host: String,
    pub imported: Option<ImportFacts>,
    pub indicators: Vec<Indicator>,
    pub picked: Vec<IndicatorChart>,
    pub can_import: bool,
    pub can_pick: bool,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0u32), |(s, c), v| (s + v, c + 1));
    (count > 0).then(|| sum / f64::from(count))
}

/// The chart of `indicator` for `host`: `values` are every council's for that indicator,
/// `families` each council's family group.
pub fn chart(
    indicator: Indicator,
    host: &str,
    families: &BTreeMap<String, String>,
    values: &[Value],
) -> IndicatorChart {
    let mut years: Vec<String> = values.iter().map(|v| v.year.clone()).collect();
    years.sort();
    years.dedup();
    let family_group = families.get(host).cloned();
    let in_family = |council: &str| {
        family_group
            .as_deref()
            .is_some_and(|group| families.get(council).map(String::as_str) == Some(group))
    };
    fn of_year<'a>(values: &'a [Value], year: &'a str) -> impl Iterator<Item = &'a Value> {
        values.iter().filter(move |v| v.year == year)
    }
    let host_series = years
        .iter()
        .map(|year| {
            of_year(values, year)
                .find(|v| v.council == host)
                .map(|v| v.value)
        })
        .collect();
    let family = years
        .iter()
        .map(|year| {
            family_group.as_ref()?;
            mean(
                of_year(values, year)
                    .filter(|v| in_family(&v.council))
                    .map(|v| v.value),
            )
        })
        .collect();
    let all = years
        .iter()
        .map(|year| mean(of_year(values, year).map(|v| v.value)))
        .collect();
    let mut councils: Vec<&str> = values.iter().map(|v| v.council.as_str()).collect();
    councils.sort_unstable();
    councils.dedup();
    let family_size = families.keys().filter(|c| in_family(c)).count();
    IndicatorChart {
        indicator,
        years,
        host: host_series,
        family,
        all,
        family_group,
        family_size,
        councils: councils.len(),
    }
}

/// Round numbers for an axis from `low` to `high`: (first tick, step, count).
pub fn ticks(low: f64, high: f64, most: usize) -> (f64, f64, usize) {
    let (low, high) = if (high - low).abs() < f64::EPSILON {
        (low - 1.0, high + 1.0)
    } else {
        (low, high)
    };
    let rough = (high - low) / most.max(1) as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| (high - low) / step <= most as f64)
        .unwrap_or(10.0 * magnitude);
    let first = (low / step).floor() * step;
    let count = ((high - first) / step).ceil() as usize + 1;
    (first, step, count)
}

/// A value as the table and the axis show it: up to two decimals, no trailing zeros.
pub fn format_value(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(council: &str, year: &str, value: f64) -> Value {
        Value {
            council: council.into(),
            indicator: "SW1".into(),
            year: year.into(),
            value,
        }
    }

    #[test]
    fn the_host_against_its_family_and_every_council() {
        let families: BTreeMap<String, String> = [
            ("Host", "Family 1"),
            ("Near", "Family 1"),
            ("Far", "Family 2"),
        ]
        .into_iter()
        .map(|(c, f)| (c.to_string(), f.to_string()))
        .collect();
        let values = vec![
            value("Host", "2022-23", 10.0),
            value("Near", "2022-23", 20.0),
            value("Far", "2022-23", 60.0),
            value("Near", "2021-22", 8.0),
            value("Far", "2021-22", 4.0),
        ];
        let indicator = Indicator {
            code: "SW1".into(),
            name: "Home care costs".into(),
        };
        let chart = chart(indicator, "Host", &families, &values);
        assert_eq!(chart.years, vec!["2021-22", "2022-23"]);
        assert_eq!(
            chart.host,
            vec![None, Some(10.0)],
            "a gap where the host has no value"
        );
        assert_eq!(chart.family, vec![Some(8.0), Some(15.0)]);
        assert_eq!(chart.all, vec![Some(6.0), Some(30.0)]);
        assert_eq!(
            (
                chart.family_group.as_deref(),
                chart.family_size,
                chart.councils
            ),
            (Some("Family 1"), 2, 3)
        );
    }

    #[test]
    fn axes_use_round_numbers_that_cover_the_data() {
        assert_eq!(ticks(0.0, 10.0, 5), (0.0, 2.0, 6));
        let (first, step, count) = ticks(27.3, 41.9, 5);
        assert_eq!((first, step), (25.0, 5.0));
        assert!(first + step * (count - 1) as f64 >= 41.9);
        let (first, step, count) = ticks(5.0, 5.0, 5);
        assert!(first <= 4.0 && first + step * (count - 1) as f64 >= 6.0);
        assert_eq!(format_value(4.50), "4.5");
        assert_eq!(format_value(12.0), "12");
        assert_eq!(format_value(-0.001), "0");
    }
}
