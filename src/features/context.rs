//! Sequence context: the columns a sequence model (`models::seq`) needs to cut a matrix into
//! windows of consecutive flows per host, appended after a pipeline's features by
//! [`Pipeline::with_context`].
//!
//! Five columns, always in this order ([`CONTEXT`] of them, named [`CONTEXT_NAMES`]):
//!
//! | column | value |
//! |---|---|
//! | `seq:host` | a dense id of (source file, originating host) |
//! | `seq:pair` | a dense id of (source file, originating host, responding host) |
//! | `seq:responder` | a dense id of (source file, responding host) |
//! | `seq:order` | the row's rank in its file, sorted by time (then by line) |
//! | `seq:time` | seconds since the file's earliest flow (`NaN` when the flow has no time) |
//!
//! Ids are dense integers from 0 in order of first appearance, exact in `f32` below 2²⁴ rows.
//! They hold only within one transform: a model reads them to group and sort the rows it is
//! given, never as numbers to learn from. Every id includes the source file, so a window never
//! crosses captures; a model given only its training rows (or only test rows) never sees the
//! other side of a split.
//!
//! The host and time columns are found by name among the data set's identifier and timestamp
//! columns (the names `ingest` gives those roles for Zeek, CIC, CTU-13, ToN-IoT, NetFlow, CIDDS,
//! UNSW…); without a host column every flow of a file is one host, without a time column
//! lines give the order.
//!
//! ```
//! use flowlab::features::{FeatureOptions, Pipeline, CONTEXT};
//! use flowlab::ingest::{IngestOptions, Loader};
//! let csv = "ts,id.orig_h,id.resp_h,orig_bytes,label\n\
//!            10,a,x,1,Benign\n5,b,x,2,Benign\n7,a,y,3,Benign\n";
//! let mut loader = Loader::new(IngestOptions::default());
//! loader.start_file("f.csv");
//! loader.feed(csv.as_bytes()).unwrap();
//! loader.end_file().unwrap();
//! let data = loader.finish().unwrap();
//! let base = Pipeline::fit(&data, &[0, 1, 2], &FeatureOptions::default());
//! let seq = base.with_context(&data);
//! assert_eq!(seq.width(), base.width() + CONTEXT);
//! let x = seq.transform(&data).unwrap();
//! let c = base.width();
//! // Hosts a, b, a: ids 0, 1, 0; order by time 10, 5, 7: ranks 2, 0, 1; time since 5 s.
//! assert_eq!((0..3).map(|r| x.get(r, c)).collect::<Vec<_>>(), [0.0, 1.0, 0.0]);
//! assert_eq!((0..3).map(|r| x.get(r, c + 3)).collect::<Vec<_>>(), [2.0, 0.0, 1.0]);
//! assert_eq!((0..3).map(|r| x.get(r, c + 4)).collect::<Vec<_>>(), [5.0, 0.0, 2.0]);
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{FeatureError, FeatureInfo, FeatureSpec, Pipeline};
use crate::ingest::{Dataset, Role, MISSING};

/// Number of context columns [`Pipeline::with_context`] appends.
pub const CONTEXT: usize = 5;

/// Names of the context columns, in order.
pub const CONTEXT_NAMES: [&str; CONTEXT] = [
    "seq:host",
    "seq:pair",
    "seq:responder",
    "seq:order",
    "seq:time",
];

/// Which context value a [`FeatureSpec::Sequence`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeqPart {
    Host,
    Pair,
    Responder,
    Order,
    Time,
}

const PARTS: [SeqPart; CONTEXT] = [
    SeqPart::Host,
    SeqPart::Pair,
    SeqPart::Responder,
    SeqPart::Order,
    SeqPart::Time,
];

/// Originating-host column names (lower case), first match wins.
const ORIG: &[&str] = &[
    "id.orig_h",
    "src ip",
    "srcaddr",
    "src_ip",
    "srcip",
    "saddr",
    "source ip",
    "src ip addr",
    "sa",
    "ipv4_src_addr",
    "ipv6_src_addr",
];
/// Responding-host column names (lower case).
const RESP: &[&str] = &[
    "id.resp_h",
    "dst ip",
    "dstaddr",
    "dst_ip",
    "dstip",
    "daddr",
    "destination ip",
    "dst ip addr",
    "da",
    "ipv4_dst_addr",
    "ipv6_dst_addr",
];

fn find(data: &Dataset, role: Role, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| {
        data.columns
            .iter()
            .find(|c| c.role == role && c.name.trim().eq_ignore_ascii_case(n))
            .map(|c| c.name.clone())
    })
}

impl Pipeline {
    /// This pipeline with the [`CONTEXT`] sequence columns appended (kind `context`), their
    /// host and time columns found in `data` (see the module docs).
    pub fn with_context(&self, data: &Dataset) -> Pipeline {
        let orig = find(data, Role::Identifier, ORIG);
        let resp = find(data, Role::Identifier, RESP);
        let time = data
            .columns
            .iter()
            .find(|c| c.role == Role::Timestamp && c.as_numeric().is_some())
            .map(|c| c.name.clone());
        let mut out = self.clone();
        for (part, name) in PARTS.iter().zip(CONTEXT_NAMES) {
            out.features.push(FeatureInfo {
                name: name.to_string(),
                spec: FeatureSpec::Sequence {
                    part: *part,
                    orig: orig.clone(),
                    resp: resp.clone(),
                    time: time.clone(),
                },
                kind: "context".into(),
                may_leak: false,
            });
        }
        out
    }

    /// Whether the last [`CONTEXT`] features are the sequence context.
    pub fn has_context(&self) -> bool {
        self.features.len() >= CONTEXT
            && self.features[self.features.len() - CONTEXT..]
                .iter()
                .all(|f| matches!(f.spec, FeatureSpec::Sequence { .. }))
    }
}

/// The values of one context column for every row of `data`.
pub(super) fn compute(
    data: &Dataset,
    part: SeqPart,
    orig: Option<&str>,
    resp: Option<&str>,
    time: Option<&str>,
) -> Result<Vec<f32>, FeatureError> {
    let n = data.n_rows();
    let codes = |name: Option<&str>| -> Result<Vec<u32>, FeatureError> {
        Ok(match name {
            Some(c) => super::spec::text(data, c)?.codes.clone(),
            None => vec![MISSING; n],
        })
    };
    let times = match time {
        Some(c) => super::spec::numeric(data, c)?.into_owned(),
        None => vec![f64::NAN; n],
    };
    Ok(match part {
        SeqPart::Host | SeqPart::Pair | SeqPart::Responder => {
            let (a, b) = match part {
                SeqPart::Host => (codes(orig)?, vec![MISSING; n]),
                SeqPart::Pair => (codes(orig)?, codes(resp)?),
                _ => (vec![MISSING; n], codes(resp)?),
            };
            // Dense ids in order of first appearance of (file, host code(s)).
            let mut ids: HashMap<(u32, u32, u32), u32> = HashMap::new();
            (0..n)
                .map(|r| {
                    let next = ids.len() as u32;
                    *ids.entry((data.sources[r], a[r], b[r])).or_insert(next) as f32
                })
                .collect()
        }
        SeqPart::Order => {
            // Rows sorted by (file, time with missing last, row); each row's rank in its file.
            let mut rows: Vec<usize> = (0..n).collect();
            rows.sort_by(|&x, &y| {
                data.sources[x]
                    .cmp(&data.sources[y])
                    .then(times[x].total_cmp(&times[y]).then(x.cmp(&y)))
            });
            let mut out = vec![0f32; n];
            let mut rank = 0u32;
            for (i, &r) in rows.iter().enumerate() {
                if i > 0 && data.sources[rows[i - 1]] != data.sources[r] {
                    rank = 0;
                }
                out[r] = rank as f32;
                rank += 1;
            }
            out
        }
        SeqPart::Time => {
            let mut first: HashMap<u32, f64> = HashMap::new();
            for (r, &t) in times.iter().enumerate() {
                if t.is_finite() {
                    let e = first.entry(data.sources[r]).or_insert(t);
                    *e = e.min(t);
                }
            }
            (0..n)
                .map(|r| match first.get(&data.sources[r]) {
                    Some(&t0) if times[r].is_finite() => (times[r] - t0) as f32,
                    _ => f32::NAN,
                })
                .collect()
        }
    })
}
