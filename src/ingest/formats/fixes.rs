//! Per-file rewrites of field text before it reaches the typed columns, for files whose numbers
//! and times are not written the plain way: `Infinity`/`NaN` (CICFlowMeter) become missing and
//! are counted, decimal commas become points (thousands points only where a decimal comma makes
//! them unambiguous; `1.234` in a decimal-comma file is refused as ambiguous), slash and dot
//! dates (`7/7/2017 3:30`, `14/02/2018 08:31:01`, `2011/08/10 09:46:53.047`, `07.07.2017 15:30`)
//! become epoch seconds, and hexadecimal ports (`0x0303`, Argus) become decimal.
//!
//! A file with none of these gets no [`Fixes`] and pays nothing; one that has them copies only
//! the rows where a field changes.

use std::borrow::Cow;

use super::super::error::{Tally, Warning};
use super::super::layouts::{Parse, Role};
use super::sniff::{date_order, DateOrder};

#[derive(Debug, Clone, Copy, PartialEq)]
enum ColFix {
    /// Text: left alone.
    Keep,
    /// A number: non-finite words, and decimal commas when the file has them.
    Number,
    /// A time: as a number, or a slash/dot date read in this day order.
    Date(DateOrder),
    /// A port: as a number, or `0x…`.
    Port,
}

/// What to rewrite in one file's fields, and what was rewritten.
#[derive(Debug)]
pub(crate) struct Fixes {
    cols: Vec<ColFix>,
    names: Vec<String>,
    decimal_comma: bool,
    non_finite: Vec<Tally>,
    ambiguous: Vec<Tally>,
}

/// `Infinity`, `-Infinity`, `inf`, `NaN`… in any case.
fn is_non_finite(v: &str) -> bool {
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    v.len() <= 8
        && (v.eq_ignore_ascii_case("inf")
            || v.eq_ignore_ascii_case("infinity")
            || v.eq_ignore_ascii_case("nan"))
}

impl Fixes {
    /// The fixes a file needs, from its columns and its head (`head_rows`: the head's data
    /// records split on the delimiter), or `None` when it needs none.
    pub fn new(
        names: &[String],
        roles: &[Role],
        parses: &[Parse],
        head_rows: &[Vec<&str>],
        decimal_comma: bool,
        always_non_finite: bool,
    ) -> Option<Fixes> {
        let column = |c: usize| head_rows.iter().filter_map(move |r| r.get(c).copied());
        let mut needed = decimal_comma;
        let cols: Vec<ColFix> = (0..names.len())
            .map(|c| match (roles[c], parses[c]) {
                (_, Parse::Text) => ColFix::Keep,
                (Role::Timestamp, _) => {
                    needed |= column(c).any(|v| v.contains('/') || v.matches('.').count() > 1);
                    ColFix::Date(date_order(column(c)))
                }
                (Role::Port, _) => {
                    needed |= column(c).any(|v| v.trim().starts_with("0x"));
                    ColFix::Port
                }
                _ => {
                    needed |= always_non_finite || column(c).any(|v| is_non_finite(v.trim()));
                    ColFix::Number
                }
            })
            .collect();
        needed.then(|| Fixes {
            non_finite: vec![Tally::default(); cols.len()],
            ambiguous: vec![Tally::default(); cols.len()],
            cols,
            names: names.to_vec(),
            decimal_comma,
        })
    }

    /// The row's fields rewritten, or `None` when none changes.
    pub fn apply<'a>(&mut self, line: u64, fields: &[&'a str]) -> Option<Vec<Cow<'a, str>>> {
        let mut out: Option<Vec<Cow<'a, str>>> = None;
        for (c, raw) in fields.iter().enumerate() {
            let Some(&fix) = self.cols.get(c) else { break };
            if let Some(new) = self.fix(c, fix, line, raw.trim()) {
                out.get_or_insert_with(|| fields.iter().map(|f| Cow::Borrowed(*f)).collect())[c] =
                    new;
            }
        }
        out
    }

    fn fix<'a>(&mut self, c: usize, fix: ColFix, line: u64, v: &str) -> Option<Cow<'a, str>> {
        if fix == ColFix::Keep || v.is_empty() {
            return None;
        }
        if is_non_finite(v) {
            self.non_finite[c].add(|| format!("line {line}: {v:?}"));
            return Some(Cow::Borrowed(""));
        }
        match fix {
            ColFix::Port => {
                let hex = v.strip_prefix("0x")?;
                Some(
                    u64::from_str_radix(hex, 16)
                        .map_or(Cow::Borrowed(""), |p| Cow::Owned(p.to_string())),
                )
            }
            ColFix::Date(order) if v.contains('/') || v.matches('.').count() > 1 => {
                Some(slash_date(v, order).map_or(Cow::Borrowed(""), |t| Cow::Owned(format!("{t}"))))
            }
            _ if self.decimal_comma => self.decimal(c, line, v),
            _ => None,
        }
    }

    /// A decimal-comma number as the plain text the column reader expects.
    fn decimal<'a>(&mut self, c: usize, line: u64, v: &str) -> Option<Cow<'a, str>> {
        let (int, frac) = match v.split_once(',') {
            Some((i, f)) => (i, Some(f)),
            None => (v, None),
        };
        let unsigned = int.strip_prefix('-').unwrap_or(int);
        let groups: Vec<&str> = unsigned.split('.').collect();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let grouped = groups.len() > 1
            && groups[0].len() <= 3
            && groups.iter().all(|g| digits(g))
            && groups[1..].iter().all(|g| g.len() == 3);
        match frac {
            Some(f) if digits(f) && (digits(unsigned) || grouped) => {
                Some(Cow::Owned(format!("{}.{f}", int.replace('.', ""))))
            }
            None if grouped => {
                // `1.234`: a thousands point or a decimal point? Neither is safe to assume.
                self.ambiguous[c].add(|| format!("line {line}: {v:?}"));
                Some(Cow::Borrowed(""))
            }
            _ => None,
        }
    }

    /// Warnings about what was rewritten to missing.
    pub fn warnings(&self, file: &str) -> Vec<Warning> {
        let mut w = Vec::new();
        for (c, name) in self.names.iter().enumerate() {
            let t = &self.non_finite[c];
            if t.count > 0 {
                w.push(Warning {
                    file: Some(file.to_string()),
                    column: Some(name.clone()),
                    count: t.count,
                    examples: t.examples.clone(),
                    message: format!(
                        "{} values are not finite (Infinity, NaN); they count as missing",
                        t.count
                    ),
                });
            }
            let t = &self.ambiguous[c];
            if t.count > 0 {
                w.push(Warning {
                    file: Some(file.to_string()),
                    column: Some(name.clone()),
                    count: t.count,
                    examples: t.examples.clone(),
                    message: format!("{} values like 1.234 are ambiguous in a file with decimal commas (a thousands point, or a decimal point?); they count as missing", t.count),
                });
            }
        }
        w
    }
}

/// `d/m/yyyy h:mm[:ss[.f]][ AM|PM]` (or month first, or `yyyy/mm/dd …`, or with dots) →
/// seconds since 1970 (the time read as UTC).
pub(crate) fn slash_date(v: &str, order: DateOrder) -> Option<f64> {
    let mut words = v.split_whitespace();
    let date = words.next()?;
    let time = words.next().unwrap_or("0:00");
    let pm = match words.next().map(|w| w.to_ascii_uppercase()) {
        Some(w) if w == "PM" => Some(true),
        Some(w) if w == "AM" => Some(false),
        Some(_) => return None,
        None => None,
    };
    let parts: Vec<u32> = date
        .split(['/', '.', '-'])
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c] = parts[..] else { return None };
    let (y, m, d) = if date.split(['/', '.', '-']).next()?.len() == 4 {
        (a, b, c)
    } else {
        let y = if c < 100 { c + 2000 } else { c };
        match order {
            DateOrder::DayFirst => (y, b, a),
            DateOrder::MonthFirst => (y, a, b),
        }
    };
    let mut t = time.split(':');
    let mut h: u32 = t.next()?.parse().ok()?;
    let mi = t.next().unwrap_or("0");
    let s = t.next().unwrap_or("0");
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    crate::ingest::parse_datetime(&format!("{y:04}-{m:02}-{d:02} {h}:{mi}:{s}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_dates_in_both_orders_with_12_hour_clocks() {
        let day = 1_499_385_600.0; // 2017-07-07 00:00:00 UTC
        assert_eq!(
            slash_date("7/7/2017 3:30", DateOrder::DayFirst),
            Some(day + 3.0 * 3600.0 + 1800.0)
        );
        assert_eq!(
            slash_date("07.07.2017 15:30:05", DateOrder::DayFirst),
            Some(day + 15.0 * 3600.0 + 1805.0)
        );
        assert_eq!(
            slash_date("7/7/2017 3:30:00 PM", DateOrder::MonthFirst),
            Some(day + 15.0 * 3600.0 + 1800.0)
        );
        let feb14 = slash_date("14/02/2018 08:31:01", DateOrder::DayFirst).unwrap();
        assert_eq!(feb14, 1_518_597_061.0);
        assert_eq!(
            slash_date("02/14/2018 08:31:01", DateOrder::MonthFirst),
            Some(feb14)
        );
        let argus = slash_date("2011/08/10 09:46:53.047277", DateOrder::DayFirst).unwrap();
        assert!((argus - 1_312_969_613.047277).abs() < 1e-6);
        assert_eq!(slash_date("31/31/2017 1:00", DateOrder::DayFirst), None);
    }

    #[test]
    fn numbers_are_rewritten_only_where_needed() {
        let names: Vec<String> = ["ts", "Flow Bytes/s", "sport", "proto"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let roles = [Role::Timestamp, Role::Feature, Role::Port, Role::Feature];
        let parses = [Parse::DateTime, Parse::Infer, Parse::Number, Parse::Text];
        let rows = vec![vec!["1,5", "2,25", "0x0303", "tcp"]];
        let mut f = Fixes::new(&names, &roles, &parses, &rows, true, false).unwrap();
        let out = f
            .apply(2, &["1525879831,015811", "Infinity", "0x0303", "1,5"])
            .unwrap();
        assert_eq!(out, ["1525879831.015811", "", "771", "1,5"]);
        let out = f.apply(3, &["1.234,5", "1.234", "80", "x"]).unwrap();
        assert_eq!(out, ["1234.5", "", "80", "x"]);
        assert!(f.apply(4, &["7", "0.5", "80", "tcp"]).is_none());
        let w = f.warnings("eu.csv");
        assert_eq!(w.len(), 2);
        assert_eq!(
            (w[0].count, w[0].column.as_deref()),
            (1, Some("Flow Bytes/s"))
        );
        assert!(w[1].message.contains("ambiguous"));
        assert!(Fixes::new(
            &names,
            &roles,
            &parses,
            &[vec!["1", "2", "80", "tcp"]],
            false,
            false
        )
        .is_none());
    }
}
