//! Guesses made from the head of a delimited file before any row is kept: the decimal mark
//! (a spreadsheet in a European locale writes `;` between fields and `,` in numbers), the day
//! order of slash dates, whether header names look like values, and whether the sniffed layout
//! fits most rows — a file that does not fit is refused rather than loaded as garbage.

use super::super::error::IngestError;
use super::super::numbers::parse_number;

/// Whether numbers in the head use a decimal comma: only possible when `,` is not the
/// delimiter, and decided by the majority of the decimal-looking fields.
pub(crate) fn decimal_comma(text: &str, delimiter: u8) -> bool {
    if delimiter == b',' {
        return false;
    }
    let (mut comma, mut dot) = (0, 0);
    for line in text.lines().skip(1).take(200) {
        for f in line.split(delimiter as char) {
            let f = f.trim().trim_matches('"');
            match decimal_shape(f) {
                Some(b',') => comma += 1,
                Some(_) => dot += 1,
                None => {}
            }
        }
    }
    comma > 0 && comma >= dot
}

/// `Some(mark)` when `f` is digits, one `.` or `,`, digits (optionally signed).
fn decimal_shape(f: &str) -> Option<u8> {
    let f = f.strip_prefix('-').unwrap_or(f);
    let mark = f.bytes().position(|b| b == b',' || b == b'.')?;
    let (int, frac) = (&f[..mark], &f[mark + 1..]);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(int) && digits(frac)).then(|| f.as_bytes()[mark])
}

/// How a date written `a/b/yyyy` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// The day order of a column's dates: month first only when some second part is over 12 and no
/// first part is; day first otherwise (CIC-IDS and European spreadsheets write the day first).
pub(crate) fn date_order<'a>(values: impl Iterator<Item = &'a str>) -> DateOrder {
    let (mut first_over, mut second_over) = (false, false);
    for v in values {
        let date = v.trim().split([' ', 'T']).next().unwrap_or("");
        let mut parts = date.split(['/', '.']);
        let (Some(a), Some(b), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if a.len() > 2 {
            continue;
        }
        let (a, b) = (a.parse::<u32>().unwrap_or(0), b.parse::<u32>().unwrap_or(0));
        first_over |= a > 12;
        second_over |= b > 12;
    }
    if second_over && !first_over {
        DateOrder::MonthFirst
    } else {
        DateOrder::DayFirst
    }
}

/// A header name that is a value (a number, an IPv4 address, a date): the header row is then
/// data, and the file has no header. Returns the first such name.
pub(crate) fn value_in_header<'a>(names: &[&'a str]) -> Option<&'a str> {
    names.iter().copied().find(|n| {
        let n = n.trim().trim_matches('"');
        parse_number(n).is_some() || is_ipv4(n) || is_date(n)
    })
}

fn is_ipv4(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_date(v: &str) -> bool {
    let date = v.split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.iter().any(|p| p.len() == 4)
}

/// The first ragged record of the head and how many there were, when more than half of the
/// head's records do not have `expected` fields. `records` are (line, number of fields), the
/// header excluded.
pub(crate) fn mostly_ragged(
    records: &[(u64, usize)],
    expected: usize,
) -> Option<(u64, usize, usize)> {
    let ragged: Vec<&(u64, usize)> = records.iter().filter(|(_, n)| *n != expected).collect();
    if records.len() >= 2 && ragged.len() * 2 > records.len() {
        let (line, got) = *ragged[0];
        Some((line, got, ragged.len()))
    } else {
        None
    }
}

/// Refuses a file whose head is mostly `rows` of another width than the header's `expected`:
/// the sniffed layout does not fit, and loading it would give garbage.
pub(crate) fn check_shape(
    file: &str,
    expected: usize,
    rows: &[(u64, Vec<String>)],
    delimiter: u8,
) -> Result<(), IngestError> {
    // A trailing empty field is allowed, as the reader allows it.
    let width = |f: &[String]| match f.split_last() {
        Some((last, rest)) if f.len() == expected + 1 && last.trim().is_empty() => rest.len(),
        _ => f.len(),
    };
    let shapes: Vec<(u64, usize)> = rows.iter().map(|(l, f)| (*l, width(f))).collect();
    let Some((line, got, n)) = mostly_ragged(&shapes, expected) else {
        return Ok(());
    };
    Err(IngestError::Format {
        file: file.to_string(),
        line,
        message: format!(
            "{n} of {} rows in the first 64 KiB do not have the header's {expected} fields (this one has {got}): expected a table separated by {:?} with {expected} fields on every row; this file does not look like one",
            shapes.len(),
            delimiter as char
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_comma_needs_a_non_comma_delimiter_and_a_majority() {
        let eu = "ts;duration;label\n1525879831,015811;2,5;Benign\n1525879832,1;0,25;C&C\n";
        assert!(decimal_comma(eu, b';'));
        assert!(!decimal_comma("a;b\n1.5;2.5\n", b';'));
        assert!(!decimal_comma("a,b\n1,5\n", b','));
        assert!(decimal_comma("a\tb\n1,5\tx\n", b'\t'));
    }

    #[test]
    fn day_order_and_values_in_headers() {
        assert_eq!(
            date_order(["7/7/2017 3:30", "14/02/2018 08:31:01"].into_iter()),
            DateOrder::DayFirst
        );
        assert_eq!(
            date_order(["12/31/2019 1:00"].into_iter()),
            DateOrder::MonthFirst
        );
        assert_eq!(
            date_order(["2011/08/10 09:46:53"].into_iter()),
            DateOrder::DayFirst
        );
        assert_eq!(
            value_in_header(&["ts", "192.168.1.1", "x"]),
            Some("192.168.1.1")
        );
        assert_eq!(
            value_in_header(&["2019-01-02 10:00:00", "x"]),
            Some("2019-01-02 10:00:00")
        );
        assert_eq!(value_in_header(&["ts", "Flow Bytes/s", "id.orig_h"]), None);
    }

    #[test]
    fn ragged_only_when_most_records_are() {
        assert_eq!(mostly_ragged(&[(2, 3), (3, 2), (4, 4)], 3), Some((3, 2, 2)));
        assert_eq!(mostly_ragged(&[(2, 3), (3, 2), (4, 3)], 3), None);
        assert_eq!(mostly_ragged(&[(2, 4)], 3), None);
    }
}
