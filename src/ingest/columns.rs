//! Typed columns and the builder that fills them one value at a time.

use super::dict::Dict;
use super::error::{Tally, Warning};
use super::layouts::{Parse, Role};

/// Code of a missing value in a [`TextColumn`].
pub use crate::data::MISSING;

/// Values read as "not set": Zeek's `-` and `(empty)`, and the usual CSV spellings
/// (`""`, `-`, `(empty)`, `?`, `NA`, `N/A`, `NaN`, `nan`, `null`, `NULL`, `None`, `---`).
/// Runs once per field: the length picks the few spellings worth comparing.
pub fn is_missing(v: &str) -> bool {
    match v.len() {
        0 => true,
        1 => matches!(v, "-" | "?"),
        2 => v == "NA",
        3 => matches!(v, "N/A" | "NaN" | "nan" | "---"),
        4 => matches!(v, "null" | "NULL" | "None"),
        7 => v == "(empty)",
        _ => false,
    }
}

/// `v.trim()`, skipping the scan when both ends are plainly not whitespace (ASCII above space).
fn trim(v: &str) -> &str {
    let b = v.as_bytes();
    let solid = |c: u8| c > b' ' && c < 0x80;
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if solid(f) && solid(l) => v,
        _ => v.trim(),
    }
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

/// Fills one column. Every value is stored as a number when it parses as one, and interned as
/// text otherwise; at the end the column's [`Parse`] rule decides which it is. A column declared
/// text (a Zeek `string`/`addr`/`enum`, an identifier, a label) skips the number attempt and
/// stores its codes directly.
#[derive(Debug)]
pub(crate) struct ColumnBuilder {
    pub name: String,
    pub role: Role,
    pub parse: Parse,
    /// One code per row when `parse` is [`Parse::Text`] (then `numbers` stays empty).
    codes: Vec<u32>,
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
            codes: Vec::new(),
            numbers: Vec::new(),
            texts: Vec::new(),
            dict: Dict::default(),
            not_numbers: Tally::default(),
        }
    }

    /// An empty builder of the same column, with room for as many rows and distinct values as
    /// this one holds: the next batch of a streamed load, without regrowing every vector and
    /// rehashing the dictionary from nothing (a per-row identifier such as Zeek's `uid` has a
    /// new value on every row).
    pub fn fresh(&self) -> Self {
        let mut b = ColumnBuilder::new(&self.name, self.role, self.parse);
        b.codes.reserve(self.codes.len());
        b.numbers.reserve(self.numbers.len());
        b.dict = Dict::with_capacity(self.dict.values.len());
        b
    }

    pub fn len(&self) -> usize {
        match self.parse {
            Parse::Text => self.codes.len(),
            _ => self.numbers.len(),
        }
    }

    pub fn push_missing(&mut self) {
        match self.parse {
            Parse::Text => self.codes.push(MISSING),
            _ => self.numbers.push(f64::NAN),
        }
    }

    /// Adds one raw value; `at` names where it came from (called only for a warning).
    pub fn push(&mut self, raw: &str, at: &dyn Fn() -> String) {
        let v = trim(raw);
        if is_missing(v) {
            self.push_missing();
            return;
        }
        if self.parse == Parse::Text {
            let c = self.dict.code(v);
            self.codes.push(c);
            return;
        }
        let parsed = match self.parse {
            Parse::Scaled => parse_scaled(v),
            Parse::DateTime => plain_decimal(v.as_bytes())
                .or_else(|| v.parse::<f64>().ok())
                .or_else(|| parse_datetime(v)),
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
        while self.len() < rows {
            self.push_missing();
        }
    }

    /// The finished column, and a warning when values had to be dropped.
    pub fn finish(self) -> (Column, Option<Warning>) {
        if self.parse == Parse::Text {
            let data = ColumnData::Text(TextColumn {
                codes: self.codes,
                values: self.dict.values,
            });
            let col = Column {
                name: self.name,
                role: self.role,
                data,
            };
            return (col, None);
        }
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
    plain_decimal(v.as_bytes()).or_else(|| v.parse::<f64>().ok().filter(|x| x.is_finite()))
}

/// Exact powers of ten: every one up to 10^22 is a whole number below 2^53·2^22, so `f64` holds it
/// exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The fast path for what flow logs are made of: `[+-]digits[.digits]`, at most 19 digits whose
/// value (dot removed) is at most 2^53, and at most 22 after the dot. Anything else is `None` and
/// goes to the standard parser.
///
/// Why the result is bit-identical to `str::parse::<f64>` (Clinger's fast path, which the standard
/// parser also takes for these inputs): the digits without the dot form an integer `m ≤ 2^53`,
/// exactly representable, and `10^k` for `k ≤ 22` is exact too (see [`POW10`]); IEEE division
/// rounds the exact quotient `m / 10^k` once, to nearest, which is precisely the correctly
/// rounded value of the decimal text that the standard parser returns. The sign is applied
/// last, so `-0` stays `-0.0` as it does there.
fn plain_decimal(b: &[u8]) -> Option<f64> {
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let (m, whole) = accumulate(0, digits);
    let (m, frac) = match digits.get(whole) {
        None => (m, 0),
        Some(b'.') => {
            let (m, frac) = accumulate(m, &digits[whole + 1..]);
            if frac == 0 || whole + 1 + frac != digits.len() {
                return None;
            }
            (m, frac)
        }
        Some(_) => return None,
    };
    // 19 digits cannot overflow a u64, so `m` is the true value when the count passes.
    if whole == 0 || whole + frac > 19 || m > 1 << 53 || frac > 22 {
        return None;
    }
    let x = m as f64 / POW10[frac];
    Some(if neg { -x } else { x })
}

/// Appends the leading decimal digits of `b` to `m` (`m·10 + d` each, wrapping: the caller
/// rejects more than 19 digits, so a wrapped value is never used); returns it and how many
/// digits there were.
fn accumulate(mut m: u64, b: &[u8]) -> (u64, usize) {
    for (i, &c) in b.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return (m, i);
        }
        m = m.wrapping_mul(10).wrapping_add(u64::from(d));
    }
    (m, b.len())
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

    /// The fast path agrees bit for bit with the standard parser wherever it answers, on digits
    /// that reach the 2^53 and 10^22 edges, and declines what it does not know.
    #[test]
    fn plain_decimals_match_the_standard_parser_bit_for_bit() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"0123456789012345678901234567890123456789.-+e";
        let mut answered = 0;
        for _ in 0..200_000 {
            let len = 1 + (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize] as char)
                .collect();
            if let Some(x) = plain_decimal(text.as_bytes()) {
                answered += 1;
                let std = text
                    .parse::<f64>()
                    .expect("std parses what the fast path does");
                assert_eq!(x.to_bits(), std.to_bits(), "{text}");
            }
        }
        assert!(answered > 10_000, "the fast path answered only {answered}");
        for text in [
            "9007199254740992",
            "9007199254740993",
            "0.1",
            "-0",
            "-0.000",
            "123456.789012",
            "0.0000000000000000000001",
            "1.7976931348623157",
            "3.14159265358979",
            "2.5",
        ] {
            let std = text.parse::<f64>().unwrap();
            assert_eq!(
                parse_number(text).unwrap().to_bits(),
                std.to_bits(),
                "{text}"
            );
        }
        assert_eq!(plain_decimal(b"9007199254740993"), None);
        assert_eq!(plain_decimal(b"1e3"), None);
        assert_eq!(plain_decimal(b"5."), None);
        assert_eq!(plain_decimal(b".5"), None);
        assert_eq!(plain_decimal(b"-"), None);
        assert_eq!(parse_number("5."), Some(5.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert!(parse_number("-0").unwrap().is_sign_negative());
    }

    #[test]
    fn missing_spellings_by_length() {
        for v in [
            "", "-", "?", "NA", "N/A", "NaN", "nan", "---", "null", "NULL", "None",
        ] {
            assert!(is_missing(v), "{v:?}");
        }
        assert!(is_missing("(empty)"));
        for v in [
            "0", "na", "--", "N/", "nul", "none", "(empty", "tcp", "Benign",
        ] {
            assert!(!is_missing(v), "{v:?}");
        }
        assert_eq!(trim(" a\t"), "a");
        assert_eq!(trim("a b"), "a b");
        assert_eq!(trim("\u{a0}x"), "x");
    }
}
