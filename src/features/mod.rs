//! Columns → numeric matrix + schema.
//!
//! [`Pipeline::fit`] looks at the training rows of a [`Dataset`] and decides the model inputs:
//!
//! - numeric feature columns as they are; missing values (Zeek's `-` unset, empty CSV cells) stay
//!   missing as `NaN` — tree models send them down a missing-value branch, the MLP and linear
//!   models impute them inside their own pipeline;
//! - text columns one-hot encoded (`proto`, `conn_state`, `service`, …): the most frequent
//!   categories *of the training rows* (at most [`FeatureOptions::max_categories`]), a `missing`
//!   indicator when the training rows have missing values, and an `other` bucket for the rest and
//!   for categories first seen in new files;
//! - engineered flow features where the columns exist: bytes per packet both ways, originator
//!   share of bytes and packets, bytes and packets per second, `log1p` of byte, packet and
//!   duration counts, Zeek `history` letter counts and length, CIDDS flag letters, hour of day;
//! - identifiers (uid, IP addresses), raw timestamps and label columns are never inputs; port
//!   columns are inputs only with [`FeatureOptions::include_ports`], flagged "may leak" (a port
//!   often names the capture rather than the behaviour).
//!
//! The fitted pipeline is serde data: saved with a model, it applies exactly the same transform
//! to new files ([`Pipeline::transform`]).
//!
//! ```
//! use flowlab::features::{FeatureOptions, Pipeline};
//! use flowlab::ingest::{IngestOptions, Loader};
//! let csv = "proto,orig_bytes,orig_pkts,duration,label\ntcp,100,2,0.5,Benign\nudp,40,1,-,DDoS\n";
//! let mut loader = Loader::new(IngestOptions::default());
//! loader.start_file("f.csv");
//! loader.feed(csv.as_bytes()).unwrap();
//! loader.end_file().unwrap();
//! let data = loader.finish().unwrap();
//! let opts = FeatureOptions { min_category_rows: 1, ..Default::default() };
//! let pipe = Pipeline::fit(&data, &[0, 1], &opts);
//! let x = pipe.transform(&data).unwrap();
//! let bpp = pipe.index_of("orig_bytes_per_pkt").unwrap();
//! assert_eq!(x.get(0, bpp), 50.0);
//! assert_eq!(x.get(1, pipe.index_of("proto=udp").unwrap()), 1.0);
//! ```

pub mod attribution;
pub mod context;
mod spec;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ingest::{ColumnData, Dataset, Role, MISSING};

pub use attribution::Attribution;
pub use context::{SeqPart, CONTEXT, CONTEXT_NAMES};
pub use spec::FeatureSpec;

use crate::data::Matrix;

/// Why a pipeline cannot be applied to a data set.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FeatureError {
    #[error("the model needs column {0:?}, which the data does not have")]
    MissingColumn(String),
}

/// Choices made when fitting a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureOptions {
    /// Use port columns as inputs (flagged "may leak").
    pub include_ports: bool,
    /// Most categories one-hot encoded per text column (the rest share `other`).
    pub max_categories: usize,
    /// A category needs at least this many training rows to get its own column.
    pub min_category_rows: usize,
    /// Add engineered features (ratios, rates, per-packet sizes, history letters; hour of day
    /// only when not excluded, see [`TIME_OF_DAY`]).
    pub engineered: bool,
    /// Columns the user switched off (never inputs, whatever their role), and engineered
    /// inputs switched off by name: by default [`TIME_OF_DAY`] (see [`FeatureOptions::time_of_day`]).
    #[serde(default)]
    pub exclude_columns: Vec<String>,
}

/// The engineered time-of-day input. Off by default and flagged "may leak" when on: each capture
/// was recorded at its own hours, so the clock names the capture (the capture detector,
/// `eval::capture`, gives it a lift of 1.0 on captures recorded at different hours) and a model
/// that uses it scores well on a random split and worse on new traffic.
pub const TIME_OF_DAY: &str = "hour_of_day";

impl FeatureOptions {
    /// These options with the time of day switched on or off.
    pub fn time_of_day(mut self, on: bool) -> Self {
        self.exclude_columns.retain(|c| c != TIME_OF_DAY);
        if !on {
            self.exclude_columns.push(TIME_OF_DAY.to_string());
        }
        self
    }

    /// These options with the columns or engineered features `names` switched off too.
    pub fn excluding(mut self, names: &[String]) -> Self {
        for n in names {
            if !self.exclude_columns.contains(n) {
                self.exclude_columns.push(n.clone());
            }
        }
        self
    }
}

impl Default for FeatureOptions {
    fn default() -> Self {
        FeatureOptions {
            include_ports: false,
            max_categories: 24,
            min_category_rows: 2,
            engineered: true,
            exclude_columns: vec![TIME_OF_DAY.to_string()],
        }
    }
}

/// What a feature is, for the page and for leakage warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureInfo {
    pub name: String,
    pub spec: FeatureSpec,
    /// `numeric`, `category`, `engineered` or `port`.
    pub kind: String,
    /// True for inputs that tend to identify the capture instead of the behaviour.
    pub may_leak: bool,
}

/// A column that is not an input, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excluded {
    pub column: String,
    pub reason: String,
}

/// A fitted transform: data set → matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    pub features: Vec<FeatureInfo>,
    pub excluded: Vec<Excluded>,
    pub options: FeatureOptions,
}

/// Names that mean the same flow quantity across formats (Zeek, IoT-23 reduced CSV, UNSW-NB15,
/// NSL-KDD, CIDDS).
const ORIG_BYTES: &[&str] = &["orig_bytes", "src_bytes", "sbytes", "bytes"];
const RESP_BYTES: &[&str] = &["resp_bytes", "dst_bytes", "dbytes"];
const ORIG_PKTS: &[&str] = &["orig_pkts", "src_pkts", "spkts", "packets"];
const RESP_PKTS: &[&str] = &["resp_pkts", "dst_pkts", "dpkts"];
const DURATION: &[&str] = &["duration", "dur"];
const HISTORY: &[&str] = &["history"];
const FLAGS: &[&str] = &["flags"];
const CIDDS_FLAGS: [char; 6] = ['U', 'A', 'P', 'R', 'S', 'F'];

impl Pipeline {
    /// Decides the inputs from the rows `train` of `data` (categories are learnt from them only).
    pub fn fit(data: &Dataset, train: &[usize], opts: &FeatureOptions) -> Pipeline {
        let mut features = Vec::new();
        let mut excluded = Vec::new();
        let mut add = |name: String, spec: FeatureSpec, kind: &str, may_leak: bool| {
            features.push(FeatureInfo {
                name,
                spec,
                kind: kind.to_string(),
                may_leak,
            });
        };
        for c in &data.columns {
            let name = c.name.clone();
            let reason = match (c.role, &c.data) {
                (Role::Identifier, _) => {
                    Some("identifier (names the flow or host, not its behaviour)")
                }
                (Role::Timestamp, _) => {
                    Some("absolute time (names the capture); hour of day is used instead")
                }
                (Role::Label, _) => Some("label column"),
                (Role::Meta, _) => Some("bookkeeping, not a flow property"),
                (Role::Port, _) if !opts.include_ports => {
                    Some("port: may leak (often names the capture); off unless asked for")
                }
                _ if opts.exclude_columns.contains(&c.name) => Some("switched off"),
                _ => None,
            };
            if let Some(reason) = reason {
                excluded.push(Excluded {
                    column: name,
                    reason: reason.into(),
                });
                continue;
            }
            match &c.data {
                ColumnData::Numeric(v) => {
                    if train.iter().all(|&r| v[r].is_nan()) {
                        excluded.push(Excluded {
                            column: name,
                            reason: "no value in the training rows".into(),
                        });
                        continue;
                    }
                    let kind = if c.role == Role::Port {
                        "port"
                    } else {
                        "numeric"
                    };
                    add(
                        name.clone(),
                        FeatureSpec::Number { column: name },
                        kind,
                        c.role == Role::Port,
                    );
                }
                ColumnData::Text(t) => {
                    let mut counts: HashMap<u32, usize> = HashMap::new();
                    for &r in train {
                        *counts.entry(t.codes[r]).or_default() += 1;
                    }
                    let distinct = counts.keys().filter(|&&k| k != MISSING).count();
                    if distinct > 1000.max(train.len() / 2) {
                        excluded.push(Excluded {
                            column: name,
                            reason: format!(
                                "{distinct} distinct values in {} training rows: identifier-like",
                                train.len()
                            ),
                        });
                        continue;
                    }
                    let mut ranked: Vec<(u32, usize)> = counts
                        .iter()
                        .filter(|(&k, &n)| k != MISSING && n >= opts.min_category_rows)
                        .map(|(&k, &n)| (k, n))
                        .collect();
                    ranked.sort_by(|a, b| {
                        b.1.cmp(&a.1)
                            .then_with(|| t.values[a.0 as usize].cmp(&t.values[b.0 as usize]))
                    });
                    ranked.truncate(opts.max_categories);
                    let known: Vec<String> = ranked
                        .iter()
                        .map(|&(k, _)| t.values[k as usize].clone())
                        .collect();
                    if known.is_empty() && !counts.contains_key(&MISSING) {
                        excluded.push(Excluded {
                            column: name,
                            reason: "no category frequent enough in the training rows".into(),
                        });
                        continue;
                    }
                    for k in &known {
                        add(
                            format!("{name}={k}"),
                            FeatureSpec::OneHot {
                                column: name.clone(),
                                category: Some(k.clone()),
                            },
                            "category",
                            false,
                        );
                    }
                    if counts.contains_key(&MISSING) {
                        add(
                            format!("{name}=missing"),
                            FeatureSpec::OneHot {
                                column: name.clone(),
                                category: None,
                            },
                            "category",
                            false,
                        );
                    }
                    add(
                        format!("{name}=other"),
                        FeatureSpec::Other {
                            column: name.clone(),
                            known,
                        },
                        "category",
                        false,
                    );
                }
            }
        }
        if opts.engineered {
            engineer(data, train, &mut add);
        }
        switch_off_engineered(&mut features, &mut excluded, opts);
        Pipeline {
            features,
            excluded,
            options: opts.clone(),
        }
    }

    /// Number of inputs.
    pub fn width(&self) -> usize {
        self.features.len()
    }

    pub fn names(&self) -> Vec<&str> {
        self.features.iter().map(|f| f.name.as_str()).collect()
    }

    /// The data set's columns that [`transform`](Self::transform) reads, each once, in order of
    /// first use: what a load for this pipeline needs to type (`IngestOptions::only_columns`).
    pub fn input_columns(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for f in &self.features {
            for c in f.spec.columns() {
                if !names.iter().any(|n| n == c) {
                    names.push(c.to_string());
                }
            }
        }
        names
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.features.iter().position(|f| f.name == name)
    }

    /// The matrix of every row of `data`.
    ///
    /// Features are computed column by column, a group of columns at a time, and written into
    /// the row-major matrix a tile of rows at a time: writing a whole column at once would
    /// stride through the whole matrix (one cache line per value, for each column), and
    /// computing every column first would hold a second matrix.
    pub fn transform(&self, data: &Dataset) -> Result<Matrix, FeatureError> {
        const TILE: usize = 64;
        const GROUP: usize = 32;
        let rows = data.n_rows();
        let cols = self.width();
        let mut out = vec![0f32; rows * cols];
        for (g, group) in self.features.chunks(GROUP).enumerate() {
            let columns = group
                .iter()
                .map(|f| f.spec.compute(data))
                .collect::<Result<Vec<_>, _>>()?;
            for (t, tile) in out.chunks_mut(TILE * cols).enumerate() {
                let start = t * TILE;
                for (j, column) in columns.iter().enumerate() {
                    let values = &column[start..start + tile.len() / cols];
                    for (row, &v) in tile.chunks_exact_mut(cols).zip(values) {
                        row[g * GROUP + j] = v;
                    }
                }
            }
        }
        Ok(Matrix {
            rows,
            cols,
            data: out,
        })
    }
}

fn find_numeric<'a>(data: &'a Dataset, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| {
        data.columns
            .iter()
            .find(|c| {
                c.name.eq_ignore_ascii_case(n)
                    && c.role == Role::Feature
                    && c.as_numeric().is_some()
            })
            .map(|c| c.name.as_str())
    })
}

fn find_text<'a>(data: &'a Dataset, names: &[&str]) -> Option<&'a crate::ingest::TextColumn> {
    names.iter().find_map(|n| {
        data.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(n))
            .and_then(|c| c.as_text())
    })
}

/// Removes the engineered inputs `opts` switches off by name (the time of day by default), and
/// flags the time of day "may leak" when it stays.
fn switch_off_engineered(
    features: &mut Vec<FeatureInfo>,
    excluded: &mut Vec<Excluded>,
    opts: &FeatureOptions,
) {
    features.retain_mut(|f| {
        if f.kind == "engineered" && opts.exclude_columns.contains(&f.name) {
            let reason = if f.name == TIME_OF_DAY {
                "time of day: may leak (the clock names the capture); off unless asked for"
            } else {
                "switched off"
            };
            excluded.push(Excluded {
                column: f.name.clone(),
                reason: reason.into(),
            });
            return false;
        }
        f.may_leak |= f.name == TIME_OF_DAY;
        true
    });
}

fn engineer(data: &Dataset, train: &[usize], add: &mut dyn FnMut(String, FeatureSpec, &str, bool)) {
    let s = |x: &str| x.to_string();
    let ob = find_numeric(data, ORIG_BYTES);
    let rb = find_numeric(data, RESP_BYTES);
    let op = find_numeric(data, ORIG_PKTS);
    let rp = find_numeric(data, RESP_PKTS);
    let dur = find_numeric(data, DURATION);
    for (label, c) in [
        ("orig_bytes", ob),
        ("resp_bytes", rb),
        ("orig_pkts", op),
        ("resp_pkts", rp),
        ("duration", dur),
    ] {
        if let Some(c) = c {
            add(
                format!("log1p_{label}"),
                FeatureSpec::Log1p { column: s(c) },
                "engineered",
                false,
            );
        }
    }
    for (label, b, p) in [("orig", ob, op), ("resp", rb, rp)] {
        if let (Some(b), Some(p)) = (b, p) {
            let spec = FeatureSpec::Divide {
                num: vec![s(b)],
                den: vec![s(p)],
            };
            add(format!("{label}_bytes_per_pkt"), spec, "engineered", false);
        }
    }
    if let (Some(a), Some(b)) = (ob, rb) {
        add(
            s("orig_share_bytes"),
            FeatureSpec::Share { a: s(a), b: s(b) },
            "engineered",
            false,
        );
    }
    if let (Some(a), Some(b)) = (op, rp) {
        add(
            s("orig_share_pkts"),
            FeatureSpec::Share { a: s(a), b: s(b) },
            "engineered",
            false,
        );
    }
    if let Some(d) = dur {
        let bytes: Vec<String> = [ob, rb].into_iter().flatten().map(s).collect();
        let pkts: Vec<String> = [op, rp].into_iter().flatten().map(s).collect();
        if !bytes.is_empty() {
            add(
                s("log1p_bytes_per_s"),
                FeatureSpec::LogDivide {
                    num: bytes,
                    den: vec![s(d)],
                },
                "engineered",
                false,
            );
        }
        if !pkts.is_empty() {
            add(
                s("log1p_pkts_per_s"),
                FeatureSpec::LogDivide {
                    num: pkts,
                    den: vec![s(d)],
                },
                "engineered",
                false,
            );
        }
    }
    if let Some((name, t)) = HISTORY
        .iter()
        .find_map(|n| find_text(data, &[n]).map(|t| (*n, t)))
    {
        let col = data
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .map_or(s(name), |c| c.name.clone());
        let mut letters: Vec<char> = train
            .iter()
            .filter_map(|&r| t.get(r))
            .flat_map(|v| v.chars())
            .filter(|c| c.is_ascii_alphabetic() || *c == '^')
            .collect();
        letters.sort_unstable();
        letters.dedup();
        for letter in letters {
            add(
                format!("history_{letter}"),
                FeatureSpec::LetterCount {
                    column: col.clone(),
                    letter,
                },
                "engineered",
                false,
            );
        }
        add(
            s("history_len"),
            FeatureSpec::TextLength { column: col },
            "engineered",
            false,
        );
    }
    if let Some(c) = data
        .columns
        .iter()
        .find(|c| FLAGS.iter().any(|f| c.name.eq_ignore_ascii_case(f)) && c.as_text().is_some())
    {
        for letter in CIDDS_FLAGS {
            add(
                format!("flag_{letter}"),
                FeatureSpec::FlagSet {
                    column: c.name.clone(),
                    letter,
                },
                "engineered",
                false,
            );
        }
    }
    if let Some(c) = data
        .columns
        .iter()
        .find(|c| c.role == Role::Timestamp && c.as_numeric().is_some())
    {
        add(
            s(TIME_OF_DAY),
            FeatureSpec::HourOfDay {
                column: c.name.clone(),
            },
            "engineered",
            false,
        );
    }
}
