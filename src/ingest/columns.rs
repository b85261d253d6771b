//! Typed columns and the builder that fills them one value at a time.

use std::collections::HashMap;

use super::error::{Tally, Warning};
use super::layouts::{Parse, Role};

/// Code of a missing value in a [`TextColumn`].
pub use crate::data::MISSING;

/// Values read as "not set": Zeek's `-` and `(empty)`, and the usual CSV spellings.
pub fn is_missing(v: &str) -> bool {
    matches!(
        v,
        "" | "-"
            | "(empty)"
            | "?"
            | "NA"
            | "N/A"
            | "NaN"
            | "nan"
            | "null"
            | "NULL"
            | "None"
            | "---"
    )
}

/// Dictionary-encoded text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextColumn {
    /// One code per row, an index into `values`, or [`MISSING`].
    pub codes: Vec<u32>,
    pub values: Vec<String>,
}

impl TextColumn {
    pub fn get(&self, row: usize) -> Option<&str> {
        match self.codes[row] {
            MISSING => None,
            c => Some(&self.values[c as usize]),
        }
    }
}

/// A column's values: numbers (`NaN` = missing) or dictionary-encoded text.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    Numeric(Vec<f64>),
    Text(TextColumn),
}

/// One named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub role: Role,
    pub data: ColumnData,
}

impl Column {
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Text(t) => t.codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn missing(&self) -> u64 {
        match &self.data {
            ColumnData::Numeric(v) => v.iter().filter(|x| x.is_nan()).count() as u64,
            ColumnData::Text(t) => t.codes.iter().filter(|&&c| c == MISSING).count() as u64,
        }
    }

    pub fn as_numeric(&self) -> Option<&[f64]> {
        match &self.data {
            ColumnData::Numeric(v) => Some(v),
            ColumnData::Text(_) => None,
        }
    }

    pub fn as_text(&self) -> Option<&TextColumn> {
        match &self.data {
            ColumnData::Text(t) => Some(t),
            ColumnData::Numeric(_) => None,
        }
    }
}

/// Interns strings into codes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Dict {
    index: HashMap<String, u32>,
    pub values: Vec<String>,
}

impl Dict {
    pub fn code(&mut self, v: &str) -> u32 {
        if let Some(&c) = self.index.get(v) {
            return c;
        }
        let c = self.values.len() as u32;
        self.values.push(v.to_string());
        self.index.insert(v.to_string(), c);
        c
    }
}

/// Fills one column. Every value is stored as a number when it parses as one, and interned as
/// text otherwise; at the end the column's [`Parse`] rule decides which it is.
#[derive(Debug)]
pub(crate) struct ColumnBuilder {
    pub name: String,
    pub role: Role,
    pub parse: Parse,
    numbers: Vec<f64>,
    /// (row, code) of the values that are not numbers.
    texts: Vec<(u32, u32)>,
    dict: Dict,
    not_numbers: Tally,
}

impl ColumnBuilder {
    pub fn new(name: &str, role: Role, parse: Parse) -> Self {
        ColumnBuilder {
            name: name.to_string(),
            role,
            parse,
            numbers: Vec::new(),
            texts: Vec::new(),
            dict: Dict::default(),
            not_numbers: Tally::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn push_missing(&mut self) {
        self.numbers.push(f64::NAN);
    }

    /// Adds one raw value; `at` names where it came from (for warnings).
    pub fn push(&mut self, raw: &str, at: &dyn Fn() -> String) {
        let v = raw.trim();
        if is_missing(v) {
            self.numbers.push(f64::NAN);
            return;
        }
        if self.parse == Parse::Text {
            let c = self.dict.code(v);
            self.texts.push((self.numbers.len() as u32, c));
            self.numbers.push(f64::NAN);
            return;
        }
        let parsed = match self.parse {
            Parse::Scaled => parse_scaled(v),
            Parse::DateTime => v.parse::<f64>().ok().or_else(|| parse_datetime(v)),
            _ => parse_number(v),
        };
        match parsed {
            Some(x) => self.numbers.push(x),
            None => {
                self.not_numbers.add(|| format!("{} {v:?}", at()));
                let c = self.dict.code(v);
                self.texts.push((self.numbers.len() as u32, c));
                self.numbers.push(f64::NAN);
            }
        }
    }

    /// Pads to `rows` with missing values.
    pub fn pad_to(&mut self, rows: usize) {
        while self.numbers.len() < rows {
            self.numbers.push(f64::NAN);
        }
    }

    /// The finished column, and a warning when values had to be dropped.
    pub fn finish(self) -> (Column, Option<Warning>) {
        let n_text = self.texts.len();
        let n_num = self.numbers.iter().filter(|x| !x.is_nan()).count();
        let numeric = match self.parse {
            Parse::Text => false,
            Parse::Number | Parse::Scaled | Parse::DateTime => true,
            Parse::Infer => n_text == 0 || (n_num > 0 && n_text * 20 <= n_text + n_num),
        };
        if numeric {
            let warning = (n_text > 0).then(|| Warning {
                file: None,
                column: Some(self.name.clone()),
                count: n_text as u64,
                examples: self.not_numbers.examples.clone(),
                message: format!(
                    "{n_text} values are not numbers (expected a number); they count as missing"
                ),
            });
            let col = Column {
                name: self.name,
                role: self.role,
                data: ColumnData::Numeric(self.numbers),
            };
            return (col, warning);
        }
        let mut dict = self.dict;
        let mut codes = vec![MISSING; self.numbers.len()];
        for &(row, code) in &self.texts {
            codes[row as usize] = code;
        }
        for (row, x) in self.numbers.iter().enumerate() {
            if !x.is_nan() {
                codes[row] = dict.code(&format_number(*x));
            }
        }
        let data = ColumnData::Text(TextColumn {
            codes,
            values: dict.values,
        });
        (
            Column {
                name: self.name,
                role: self.role,
                data,
            },
            None,
        )
    }
}

fn format_number(x: f64) -> String {
    format!("{x}")
}

/// Parses a plain number (`12`, `-3.5`, `1e3`, `0x1f` is not a number). `inf`/`nan` words are
/// rejected so that they do not pass for measurements.
pub fn parse_number(v: &str) -> Option<f64> {
    let b = v.as_bytes().first()?;
    if !(b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.')) {
        return None;
    }
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `1.2 M`, `500 K`, `3 G` (CIDDS byte counts), or a plain number.
pub fn parse_scaled(v: &str) -> Option<f64> {
    if let Some(x) = parse_number(v) {
        return Some(x);
    }
    let (num, suffix) = v.split_at(v.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len());
    let scale = match suffix.trim() {
        "K" | "k" => 1e3,
        "M" | "m" => 1e6,
        "G" | "g" => 1e9,
        "T" | "t" => 1e12,
        _ => return None,
    };
    parse_number(num.trim()).map(|x| x * scale)
}

/// `YYYY-MM-DD hh:mm:ss[.fff]` (or `T` between) → seconds since 1970-01-01 UTC.
pub fn parse_datetime(v: &str) -> Option<f64> {
    let v = v.trim();
    let (date, time) = v.split_once([' ', 'T']).unwrap_or((v, "00:00:00"));
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut t = time.split(':');
    let h: f64 = t.next()?.parse().ok()?;
    let mi: f64 = t.next()?.parse().ok()?;
    let s: f64 = t.next().unwrap_or("0").parse().ok()?;
    Some(days_from_civil(y, m, day) as f64 * 86400.0 + h * 3600.0 + mi * 60.0 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(parse: Parse, values: &[&str]) -> (Column, Option<Warning>) {
        let mut b = ColumnBuilder::new("c", Role::Feature, parse);
        for (i, v) in values.iter().enumerate() {
            b.push(v, &|| format!("line {}:", i + 2));
        }
        b.finish()
    }

    #[test]
    fn numbers_and_missing_values() {
        let (c, w) = build(Parse::Infer, &["1", "-", "2.5", "(empty)", ""]);
        let v = c.as_numeric().unwrap();
        assert_eq!(v[0], 1.0);
        assert!(v[1].is_nan() && v[3].is_nan() && v[4].is_nan());
        assert_eq!(v[2], 2.5);
        assert!(w.is_none());
        assert_eq!(c.missing(), 3);
    }

    #[test]
    fn a_few_words_in_a_numeric_column_become_missing_with_a_warning() {
        let mut vals = vec!["1"; 40];
        vals[7] = "abc";
        let (c, w) = build(Parse::Infer, &vals);
        assert!(c.as_numeric().unwrap()[7].is_nan());
        let w = w.unwrap();
        assert_eq!(w.count, 1);
        assert_eq!(w.examples, vec!["line 9: \"abc\"".to_string()]);
        assert!(w.message.contains("expected a number"));
    }

    #[test]
    fn mostly_words_make_a_text_column() {
        let (c, w) = build(Parse::Infer, &["tcp", "udp", "tcp", "1", "-"]);
        let t = c.as_text().unwrap();
        assert_eq!(t.get(0), Some("tcp"));
        assert_eq!(t.get(3), Some("1"));
        assert_eq!(t.get(4), None);
        assert_eq!(t.values.len(), 3);
        assert!(w.is_none());
    }

    #[test]
    fn declared_numbers_stay_numbers() {
        let (c, w) = build(Parse::Number, &["x", "y", "3"]);
        assert_eq!(c.as_numeric().unwrap()[2], 3.0);
        assert_eq!(w.unwrap().count, 2);
    }

    #[test]
    fn scaled_and_dates() {
        assert_eq!(parse_scaled("1.2 M"), Some(1_200_000.0));
        assert_eq!(parse_scaled("500 K"), Some(500_000.0));
        assert_eq!(parse_scaled("46"), Some(46.0));
        assert_eq!(parse_scaled("lots"), None);
        assert_eq!(parse_datetime("1970-01-02 00:00:01"), Some(86401.0));
        let t = parse_datetime("2017-03-15 00:01:16.632").unwrap();
        assert!((t - 1_489_536_076.632).abs() < 1e-6);
        assert_eq!(parse_datetime("2017-13-15 00:00:00"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("0x10"), None);
    }
}
