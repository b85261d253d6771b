//! Typed columns and the builder that fills them one value at a time.

use super::dict::Dict;
use super::error::{Tally, Warning};
use super::layouts::{Parse, Role};
use super::numbers::{parse_datetime, parse_number, parse_scaled, plain_decimal};

/// Code of a missing value in a [`TextColumn`].
pub use crate::data::MISSING;

/// Values read as "not set": Zeek's `-` and `(empty)`, and the usual CSV spellings
/// (`""`, `-`, `(empty)`, `?`, `NA`, `N/A`, `NaN`, `nan`, `null`, `NULL`, `None`, `---`).
/// Runs once per field: the length picks the few spellings worth comparing.
#[inline(always)]
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
#[inline]
pub(crate) fn trim(v: &str) -> &str {
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

    /// Adds the values of a block of rows, in order: `value(r)` is row `r`'s raw text and
    /// `at(r)` names where it came from (called only for a warning). The same as [`push`]ing
    /// them one by one; the column's parse rule is looked at once, not once per value.
    ///
    /// [`push`]: Self::push
    pub fn push_block<'a>(
        &mut self,
        rows: usize,
        value: impl Fn(usize) -> &'a str,
        at: impl Fn(usize) -> String,
    ) {
        if self.parse == Parse::Text {
            self.codes.reserve(rows);
            for r in 0..rows {
                self.push_text(value(r));
            }
            return;
        }
        self.numbers.reserve(rows);
        for r in 0..rows {
            let raw = value(r);
            // Zeek's unset `-` (three in four values of `duration` and the byte counts): what
            // `push` makes of it, a missing value.
            if raw == "-" {
                self.numbers.push(f64::NAN);
                continue;
            }
            // The common case first: a plain decimal such as `1525880595.019866`, `80` or `-3.5`.
            // Whatever `plain_decimal` accepts has no blank to trim, is none of the missing
            // spellings and is read the same by every numeric rule (`parse_number`,
            // `parse_scaled` and the date rule all try it first), so this is exactly `push`.
            match plain_decimal(raw.as_bytes()) {
                Some(x) => self.numbers.push(x),
                None => self.push(raw, &|| at(r)),
            }
        }
    }

    /// [`push`](Self::push) of a text column.
    #[inline]
    fn push_text(&mut self, raw: &str) {
        let v = trim(raw);
        let code = if is_missing(v) {
            MISSING
        } else {
            self.dict.code(v)
        };
        self.codes.push(code);
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

    /// `push_block` (the table's path, with its plain-decimal fast lane) gives exactly what
    /// pushing value by value gives, under every parse rule, on the spellings that could tell
    /// them apart: exponents, signs, `.5` and `5.`, mantissas past 2^53 and past 19 digits, the
    /// `inf`/`nan` words, blanks around a number, the missing spellings (Zeek's `-` unset).
    #[test]
    fn a_block_equals_value_by_value() {
        let values = [
            "1",
            "-",
            "+5",
            "-3.5",
            ".5",
            "5.",
            "-.5",
            "1e3",
            "1E-3",
            "+1e+3",
            "-0",
            "0.000",
            "9007199254740993",
            "12345678901234567890123",
            "0.12345678901234567890123",
            "1525880595.019866",
            "00000000000000000001",
            "inf",
            "-inf",
            "+inf",
            "infinity",
            "nan",
            "NaN",
            "-nan",
            " 7 ",
            "7 ",
            " 7",
            "(empty)",
            "",
            "?",
            "---",
            "1.2 M",
            "2017-03-15 00:01:16.632",
            "tcp",
            "0x10",
            "1_000",
            "12345678",
            "123456789.5",
        ];
        for parse in [
            Parse::Infer,
            Parse::Number,
            Parse::Text,
            Parse::Scaled,
            Parse::DateTime,
        ] {
            let mut one = ColumnBuilder::new("c", Role::Feature, parse);
            for (i, v) in values.iter().enumerate() {
                one.push(v, &|| format!("line {}:", i + 2));
            }
            let mut block = ColumnBuilder::new("c", Role::Feature, parse);
            block.push_block(values.len(), |r| values[r], |r| format!("line {}:", r + 2));
            let ((a, wa), (b, wb)) = (one.finish(), block.finish());
            // As text: `NaN != NaN`, and `-0.0` prints apart from `0.0`.
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{parse:?}");
            assert_eq!(wa, wb, "{parse:?}");
        }
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
