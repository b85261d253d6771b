//! One definition per hyper-parameter: each model's parameter struct implements [`Params`] with a
//! table of [`Param`] rows — name, allowed range and one-line meaning — and everything else is
//! derived from that table: the range checks ([`Params::check`]), the page's hints and the CLI's
//! `--set` errors ([`Param::hint`], [`Param::expected`]) and the parameter reference that
//! `flowlab models` prints ([`markdown`]), and the search space of `flowlab tune`: each row's
//! [`Search`] says where a hyper-parameter search draws it from (a span, linear or log, or a list
//! of values) or that a search leaves it alone. The default is the struct's `Default`, read
//! through serde.
//!
//! Validation cannot be skipped (linfa's `ParamGuard`): a model's fitting code takes a
//! [`Checked`] parameter set, and the only way to make one is [`Params::check`].
//!
//! ```
//! use flowlab::models::forest::RandomForestParams;
//! use flowlab::models::params::Params;
//! let bad = RandomForestParams { n_trees: 0, ..Default::default() };
//! let err = bad.check().unwrap_err().to_string();
//! assert_eq!(err, "hyper-parameter n_trees = 0: expected an integer ≥ 1");
//! let row = RandomForestParams::TABLE.iter().find(|p| p.name == "n_trees").unwrap();
//! assert_eq!(row.hint(), "trees in the forest (an integer ≥ 1)");
//! ```

use std::ops::Deref;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::ModelError;
use crate::data::rng::FlowRng;

/// What values a hyper-parameter accepts.
#[derive(Debug, Clone, Copy)]
pub enum Range {
    /// A whole number in `min ..= max` (no upper bound when `max` is `None`).
    Int { min: u64, max: Option<u64> },
    /// Like [`Range::Int`], or `null` (off / unlimited).
    OptionalInt { min: u64, max: Option<u64> },
    /// A finite number between `min` and `max` (no upper bound when `None`); `open_min` /
    /// `open_max` exclude the bound itself.
    Float {
        min: f64,
        open_min: bool,
        max: Option<f64>,
        open_max: bool,
    },
    /// `true` or `false`.
    Bool,
    /// One of these names.
    Choice(&'static [&'static str]),
    /// Anything `accepts` takes, described in words by `expected` (values with structure, such
    /// as `max_features` or a list of layer widths).
    Custom {
        expected: &'static str,
        accepts: fn(&Value) -> bool,
    },
}

/// One row of a parameter table.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The field's name (as in the struct, on the command line and in model files).
    pub name: &'static str,
    pub range: Range,
    /// What it does, in one line.
    pub help: &'static str,
    /// Where a hyper-parameter search looks for it ([`Search::Fixed`]: it keeps its value).
    pub search: Search,
}

/// Where a hyper-parameter search (`job::tune`) draws a parameter's values from: the one place a
/// search range is written, next to the allowed range it must stay inside.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Search {
    /// Not searched: seeds, iteration caps, numerical tolerances and switches whose best value
    /// does not depend on the data keep the value the user set (or the default).
    Fixed,
    /// A number drawn from `low ..= high`, uniformly, or log-uniformly when `log` (for scales
    /// such as a learning rate or a penalty, where 0.001 → 0.01 matters as much as 0.1 → 1);
    /// rounded to the nearest integer on an integer row, to four significant digits otherwise.
    Span { low: f64, high: f64, log: bool },
    /// One of these values, each written as JSON (`"Sqrt"`, `null`, `[64, 32]`, `true`).
    OneOf(&'static [&'static str]),
}

/// A number drawn uniformly from `low ..= high`.
pub const fn linear(low: f64, high: f64) -> Search {
    Search::Span {
        low,
        high,
        log: false,
    }
}

/// A number drawn log-uniformly from `low ..= high` (both > 0).
pub const fn log(low: f64, high: f64) -> Search {
    Search::Span {
        low,
        high,
        log: true,
    }
}

impl Search {
    /// Draws a value for a row whose allowed range is `range` (`None` when not searched). The
    /// draw takes exactly one number from `rng` for every searched row, so a seed gives the same
    /// values whatever the rows hold.
    pub fn sample(&self, range: &Range, rng: &mut FlowRng) -> Option<Value> {
        match *self {
            Search::Fixed => None,
            Search::Span { low, high, log } => {
                let u = rng.unit();
                // Log scale: uniform in ln(low) ..= ln(high), then back (both bounds > 0, a
                // test checks it); linear: uniform in low ..= high.
                let x = if log {
                    (low.ln() + u * (high.ln() - low.ln())).exp()
                } else {
                    low + u * (high - low)
                }
                .clamp(low, high);
                Some(match range {
                    Range::Int { .. } | Range::OptionalInt { .. } => {
                        Value::from(x.round().max(0.0) as u64)
                    }
                    // Four significant digits: a setting a person can read and type again.
                    _ => Value::from(
                        format!("{x:.3e}")
                            .parse::<f64>()
                            .unwrap_or(x)
                            .clamp(low, high),
                    ),
                })
            }
            Search::OneOf(texts) => {
                let i = rng.below(texts.len().max(1) as u64) as usize;
                texts
                    .get(i)
                    .map(|t| serde_json::from_str(t).unwrap_or(Value::Null))
            }
        }
    }

    /// The search range in words, for the parameter reference ("—" when not searched).
    pub fn describe(&self) -> String {
        match *self {
            Search::Fixed => "—".into(),
            Search::Span { low, high, log } => {
                format!("{low} … {high}{}", if log { ", log" } else { "" })
            }
            Search::OneOf(texts) => texts
                .iter()
                .map(|t| serde_json::from_str(t).map_or_else(|_| t.to_string(), |v| shown(&v)))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// `a ≥ x`, `a in (x, y]` … for the bounds of a range.
fn bounds(min: f64, open_min: bool, max: Option<f64>, open_max: bool) -> String {
    match max {
        None => format!("{} {min}", if open_min { ">" } else { "≥" }),
        Some(max) => format!(
            "in {}{min}, {max}{}",
            if open_min { "(" } else { "[" },
            if open_max { ")" } else { "]" }
        ),
    }
}

fn int_expected(min: u64, max: Option<u64>) -> String {
    match max {
        None => format!("an integer ≥ {min}"),
        Some(max) => format!("an integer in {min} ..= {max}"),
    }
}

fn int_ok(v: &Value, min: u64, max: Option<u64>) -> bool {
    v.as_u64()
        .is_some_and(|n| n >= min && max.is_none_or(|m| n <= m))
}

impl Range {
    /// What is allowed, in words ("an integer ≥ 1", "a number in (0, 1]", …).
    pub fn expected(&self) -> String {
        match *self {
            Range::Int { min, max } => int_expected(min, max),
            Range::OptionalInt { min, max } => format!("null or {}", int_expected(min, max)),
            Range::Float {
                min,
                open_min,
                max,
                open_max,
            } => format!("a number {}", bounds(min, open_min, max, open_max)),
            Range::Bool => "true or false".into(),
            Range::Choice(names) => format!("one of {}", names.join(", ")),
            Range::Custom { expected, .. } => expected.into(),
        }
    }

    /// Whether `v` (the parameter as serde writes it) is allowed. Non-finite floats are written
    /// as `null` by serde_json, so they are refused here too.
    pub fn accepts(&self, v: &Value) -> bool {
        match *self {
            Range::Int { min, max } => int_ok(v, min, max),
            Range::OptionalInt { min, max } => v.is_null() || int_ok(v, min, max),
            Range::Float {
                min,
                open_min,
                max,
                open_max,
            } => v.as_f64().is_some_and(|x| {
                let above = if open_min { x > min } else { x >= min };
                let below = max.is_none_or(|m| if open_max { x < m } else { x <= m });
                x.is_finite() && above && below
            }),
            Range::Bool => v.is_boolean(),
            Range::Choice(names) => v.as_str().is_some_and(|s| names.contains(&s)),
            Range::Custom { accepts, .. } => accepts(v),
        }
    }
}

impl Param {
    /// What is allowed, in words.
    pub fn expected(&self) -> String {
        self.range.expected()
    }

    /// The line a form shows under the field: meaning, then range.
    pub fn hint(&self) -> String {
        format!("{} ({})", self.help, self.expected())
    }

    /// Checks one value against the row.
    pub fn check(&self, v: &Value) -> Result<(), ModelError> {
        if self.range.accepts(v) {
            return Ok(());
        }
        Err(ModelError::InvalidParam {
            name: self.name,
            value: shown(v),
            expected: self.expected(),
        })
    }
}

/// A value as the user typed it: strings bare, everything else as JSON.
pub fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A model's hyper-parameters: a serde struct with a `Default`, described by [`Params::TABLE`].
pub trait Params: Default + Clone + Serialize + DeserializeOwned {
    /// One row per field, in the struct's order (a test checks that rows and fields agree).
    const TABLE: &'static [Param];

    /// Rules that tie parameters together, checked after every value is in its range.
    fn check_together(&self) -> Result<(), ModelError> {
        Ok(())
    }

    /// Checks every value against its row, then [`Params::check_together`]; the error names the
    /// first parameter out of range. The only way to get a [`Checked`] set.
    fn check(&self) -> Result<Checked<Self>, ModelError> {
        let value = serde_json::to_value(self).map_err(|e| ModelError::InvalidParam {
            name: "parameters",
            value: e.to_string(),
            expected: "values serde can write".into(),
        })?;
        for row in Self::TABLE {
            row.check(value.get(row.name).unwrap_or(&Value::Null))?;
        }
        self.check_together()?;
        Ok(Checked(self.clone()))
    }

    /// Relative work of one fit per training value (rows × features): how the job plan weighs
    /// this model against the others for progress bars and the order of tasks.
    fn work(&self) -> f64 {
        1.0
    }

    /// [`Params::check`] without keeping the result.
    fn validate(&self) -> Result<(), ModelError> {
        self.check().map(|_| ())
    }

    /// The defaults as JSON, field by field.
    fn defaults() -> serde_json::Map<String, Value> {
        match serde_json::to_value(Self::default()) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        }
    }
}

/// A parameter set that passed [`Params::check`]; models fit only from one of these.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked<P>(P);

impl<P> Deref for Checked<P> {
    type Target = P;
    fn deref(&self) -> &P {
        &self.0
    }
}

/// The parameter reference of one model as a Markdown table (name, default, allowed, search
/// range, meaning).
pub fn markdown<P: Params>() -> String {
    let defaults = P::defaults();
    let mut out = String::from(
        "| parameter | default | allowed | searched (`flowlab tune`) | meaning |\n|---|---|---|---|---|\n",
    );
    for p in P::TABLE {
        let default = defaults.get(p.name).map(shown).unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} |\n",
            p.name,
            default,
            p.expected(),
            p.search.describe(),
            p.help
        ));
    }
    out
}

/// Shorthands for tables.
pub const fn int(min: u64) -> Range {
    Range::Int { min, max: None }
}

/// An integer in `min ..= max`.
pub const fn int_in(min: u64, max: u64) -> Range {
    Range::Int {
        min,
        max: Some(max),
    }
}

/// `null` or an integer ≥ `min`.
pub const fn optional_int(min: u64) -> Range {
    Range::OptionalInt { min, max: None }
}

/// A finite number ≥ `min`.
pub const fn at_least(min: f64) -> Range {
    Range::Float {
        min,
        open_min: false,
        max: None,
        open_max: false,
    }
}

/// A finite number > `min`.
pub const fn above(min: f64) -> Range {
    Range::Float {
        min,
        open_min: true,
        max: None,
        open_max: false,
    }
}

/// A number in `(min, max]`.
pub const fn left_open(min: f64, max: f64) -> Range {
    Range::Float {
        min,
        open_min: true,
        max: Some(max),
        open_max: false,
    }
}

/// A number in `[min, max)`.
pub const fn right_open(min: f64, max: f64) -> Range {
    Range::Float {
        min,
        open_min: false,
        max: Some(max),
        open_max: true,
    }
}

/// A number in `(min, max)`.
pub const fn open(min: f64, max: f64) -> Range {
    Range::Float {
        min,
        open_min: true,
        max: Some(max),
        open_max: true,
    }
}

/// `true` or `false`.
pub const BOOL: Range = Range::Bool;

/// A random seed (any 64-bit integer ≥ 0).
pub const SEED: Range = int(0);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges_say_what_they_accept() {
        assert_eq!(int(1).expected(), "an integer ≥ 1");
        assert_eq!(int_in(2, 255).expected(), "an integer in 2 ..= 255");
        assert_eq!(optional_int(1).expected(), "null or an integer ≥ 1");
        assert_eq!(left_open(0.0, 1.0).expected(), "a number in (0, 1]");
        assert_eq!(right_open(0.0, 1.0).expected(), "a number in [0, 1)");
        assert_eq!(at_least(0.0).expected(), "a number ≥ 0");
        assert_eq!(above(0.0).expected(), "a number > 0");
        assert_eq!(
            Range::Choice(&["Gini", "Entropy"]).expected(),
            "one of Gini, Entropy"
        );
    }

    #[test]
    fn ranges_refuse_what_they_should() {
        assert!(int(1).accepts(&json!(1)) && !int(1).accepts(&json!(0)));
        assert!(!int(1).accepts(&json!(1.5)) && !int(1).accepts(&json!("1")));
        assert!(int_in(2, 255).accepts(&json!(255)) && !int_in(2, 255).accepts(&json!(256)));
        assert!(optional_int(1).accepts(&Value::Null) && !optional_int(1).accepts(&json!(0)));
        assert!(left_open(0.0, 1.0).accepts(&json!(1.0)));
        assert!(!left_open(0.0, 1.0).accepts(&json!(0.0)));
        assert!(!right_open(0.0, 1.0).accepts(&json!(1.0)));
        assert!(right_open(0.0, 1.0).accepts(&json!(0.0)));
        assert!(!open(0.0, 1.0).accepts(&json!(0.0)) && open(0.0, 1.0).accepts(&json!(0.5)));
        // serde_json writes NaN and infinities as null: never a valid number.
        assert!(!at_least(0.0).accepts(&serde_json::to_value(f64::NAN).unwrap()));
        assert!(!above(0.0).accepts(&serde_json::to_value(f64::INFINITY).unwrap()));
        assert!(Range::Bool.accepts(&json!(true)) && !Range::Bool.accepts(&json!(1)));
        let c = Range::Choice(&["Gini", "Entropy"]);
        assert!(c.accepts(&json!("Gini")) && !c.accepts(&json!("gini")));
    }

    #[test]
    fn a_row_names_the_value_and_the_range() {
        let row = Param {
            name: "subsample",
            range: left_open(0.0, 1.0),
            help: "share of rows per round",
            search: Search::Fixed,
        };
        assert_eq!(
            row.check(&json!(1.5)).unwrap_err().to_string(),
            "hyper-parameter subsample = 1.5: expected a number in (0, 1]"
        );
        assert_eq!(row.hint(), "share of rows per round (a number in (0, 1])");
    }

    #[test]
    fn searches_draw_inside_their_span_on_the_right_scale() {
        let mut rng = FlowRng::new(3, 0);
        let draws: Vec<f64> = (0..2000)
            .map(|_| {
                log(1e-4, 1.0)
                    .sample(&above(0.0), &mut rng)
                    .unwrap()
                    .as_f64()
                    .unwrap()
            })
            .collect();
        assert!(draws.iter().all(|&x| (1e-4..=1.0).contains(&x)));
        // Log-uniform: about a quarter of the draws in each decade of four.
        let below = draws.iter().filter(|&&x| x < 1e-3).count() as f64 / 2000.0;
        assert!((below - 0.25).abs() < 0.04, "{below}");
        let ints: Vec<Value> = (0..200)
            .map(|_| linear(2.0, 4.0).sample(&int(2), &mut rng).unwrap())
            .collect();
        assert!(ints
            .iter()
            .all(|v| [2, 3, 4].contains(&v.as_u64().unwrap())));
        assert!(ints.contains(&json!(2)) && ints.contains(&json!(4)));
        let one = Search::OneOf(&["null", "\"Sqrt\"", "[64, 32]"]);
        let picks: Vec<Value> = (0..100)
            .map(|_| one.sample(&BOOL, &mut rng).unwrap())
            .collect();
        for v in [Value::Null, json!("Sqrt"), json!([64, 32])] {
            assert!(picks.contains(&v), "{v}");
        }
        assert_eq!(Search::Fixed.sample(&BOOL, &mut rng), None);
        assert_eq!(log(0.01, 0.5).describe(), "0.01 … 0.5, log");
        assert_eq!(one.describe(), "null, Sqrt, [64,32]");
    }
}
