//! Zeek logs written as JSON lines (`LogAscii::use_json=T`): one object per line, unset fields
//! omitted, sets and vectors as arrays, booleans as `true`/`false`, `ts` as epoch seconds or an
//! ISO 8601 string. Each line becomes the record the TSV log would have given: the same column
//! names (a conn-like log gets every standard `conn.log` column in the standard order), the same
//! `#types`, unset fields as `-`, empty sets as `(empty)`, booleans as `T`/`F`, numbers as their
//! exact text — so a model trained on a TSV log predicts the JSON of the same capture with the
//! same probabilities. Nested objects (`"id": {"orig_h": …}`) are flattened to `id.orig_h`.
//!
//! Columns are fixed from the first 64 KiB: a key first seen later is ignored and reported.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::super::error::{IngestError, Tally, Warning};
use super::super::records::{Directive, LineBuffer, Record, RecordSink};

/// The columns of Zeek's `conn.log` (Conn::Info) in the order the TSV writer gives them, with
/// their `#types`; a conn-like JSON log gets all of them even when a field is never set.
pub const CONN_FIELDS: [(&str, &str); 21] = [
    ("ts", "time"),
    ("uid", "string"),
    ("id.orig_h", "addr"),
    ("id.orig_p", "port"),
    ("id.resp_h", "addr"),
    ("id.resp_p", "port"),
    ("proto", "enum"),
    ("service", "string"),
    ("duration", "interval"),
    ("orig_bytes", "count"),
    ("resp_bytes", "count"),
    ("conn_state", "string"),
    ("local_orig", "bool"),
    ("local_resp", "bool"),
    ("missed_bytes", "count"),
    ("history", "string"),
    ("orig_pkts", "count"),
    ("orig_ip_bytes", "count"),
    ("resp_pkts", "count"),
    ("resp_ip_bytes", "count"),
    ("tunnel_parents", "set[string]"),
];

/// Whether the head of a file looks like JSON lines: its first non-blank character opens an
/// object.
pub(crate) fn looks_like_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// A JSON object's members in file order, keys borrowed where they need no unescaping.
struct Object<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some((k, v)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    members.push((k.0, v));
                }
                Ok(Object(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// Calls `f(key, value)` for every member of `obj`, nested objects flattened to `a.b`.
fn flatten<'a>(prefix: &str, obj: Object<'a>, f: &mut dyn FnMut(Cow<'a, str>, &'a RawValue)) {
    for (k, v) in obj.0 {
        let key = if prefix.is_empty() {
            k
        } else {
            Cow::Owned(format!("{prefix}.{k}"))
        };
        if v.get().starts_with('{') {
            if let Ok(inner) = serde_json::from_str::<Object<'a>>(v.get()) {
                flatten(&key, inner, f);
                continue;
            }
        }
        f(key, v);
    }
}

/// The Zeek `#types` name a JSON value suggests, for a column not in [`CONN_FIELDS`].
fn type_of(v: &RawValue) -> &'static str {
    match v.get().as_bytes().first() {
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        Some(b'[') => "set[string]",
        Some(b'n') | None => "",
        _ => "double",
    }
}

/// The TSV text of a JSON value.
fn text_of<'a>(v: &'a RawValue, ty: &str) -> Cow<'a, str> {
    let raw = v.get();
    match raw.as_bytes().first() {
        Some(b'"') => {
            let s = match serde_json::from_str::<Cow<'a, str>>(raw) {
                Ok(s) => s,
                Err(_) => Cow::Borrowed(raw),
            };
            // An ISO 8601 `ts` (JSON::TS_ISO8601) becomes epoch seconds, as in the TSV log.
            if ty == "time" {
                if let Some(t) = crate::ingest::parse_datetime(s.trim_end_matches('Z')) {
                    return Cow::Owned(format!("{t}"));
                }
            }
            s
        }
        Some(b't') => Cow::Borrowed("T"),
        Some(b'f') => Cow::Borrowed("F"),
        Some(b'n') => Cow::Borrowed("-"),
        Some(b'[') => match serde_json::from_str::<Vec<&RawValue>>(raw) {
            Ok(items) if items.is_empty() => Cow::Borrowed("(empty)"),
            Ok(items) => Cow::Owned(
                items
                    .iter()
                    .map(|i| text_of(i, "").into_owned())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Err(_) => Cow::Borrowed(raw),
        },
        _ => Cow::Borrowed(raw),
    }
}

/// Splits JSON lines into the records of the equivalent Zeek TSV log.
pub(crate) struct JsonSplitter {
    lines: LineBuffer,
    line: u64,
    names: Vec<String>,
    types: Vec<String>,
    index: FxHashMap<String, usize>,
    announced: bool,
    /// Lines that are not JSON objects.
    pub bad: Tally,
    /// Keys first seen after the head, so not among the columns.
    pub unknown: Tally,
    unknown_keys: Vec<String>,
}

impl JsonSplitter {
    /// Decides the columns from the head of the file; refuses a head whose lines are mostly not
    /// JSON objects.
    pub fn new(file: &str, head: &str, complete: bool) -> Result<Self, IngestError> {
        let mut keys: Vec<(String, &'static str)> = Vec::new();
        let (mut good, mut bad, mut first_bad) = (0, 0, None);
        let lines: Vec<&str> = head.lines().collect();
        let n = if complete {
            lines.len()
        } else {
            lines.len().saturating_sub(1)
        };
        for (i, line) in lines[..n].iter().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str::<Object>(line) {
                Ok(obj) => {
                    good += 1;
                    flatten("", obj, &mut |k, v| {
                        if !keys.iter().any(|(name, _)| *name == k) {
                            keys.push((k.into_owned(), type_of(v)));
                        }
                    });
                }
                Err(e) => {
                    bad += 1;
                    first_bad.get_or_insert((i as u64 + 1, e.to_string()));
                }
            }
        }
        if let Some((line, why)) = first_bad.filter(|_| bad * 2 >= good + bad) {
            return Err(IngestError::Format {
                file: file.to_string(),
                line,
                message: format!("{bad} of {} lines are not JSON objects ({why}); expected one JSON object per line, as Zeek writes with LogAscii::use_json=T", good + bad),
            });
        }
        let has = |k: &str| keys.iter().any(|(n, _)| n == k);
        let conn_like = has("id.orig_h") && (has("proto") || has("conn_state"));
        let mut cols: Vec<(String, String)> = Vec::new();
        if conn_like {
            cols.extend(
                CONN_FIELDS
                    .iter()
                    .map(|(n, t)| (n.to_string(), t.to_string())),
            );
        }
        for (k, t) in keys {
            if !cols.iter().any(|(n, _)| *n == k) {
                let t = if matches!(k.as_str(), "label" | "detailed-label" | "detailedlabel") {
                    "string"
                } else {
                    t
                };
                cols.push((k, t.to_string()));
            }
        }
        let index = cols
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.clone(), i))
            .collect();
        let (names, types) = cols.into_iter().unzip();
        Ok(JsonSplitter {
            lines: LineBuffer::default(),
            line: 0,
            names,
            types,
            index,
            announced: false,
            bad: Tally::default(),
            unknown: Tally::default(),
            unknown_keys: Vec::new(),
        })
    }

    pub fn feed(&mut self, data: &[u8], sink: &mut dyn RecordSink) {
        let mut lines = std::mem::take(&mut self.lines);
        lines.feed(data, |line| self.line_done(line, sink));
        self.lines = lines;
    }

    pub fn finish(&mut self, sink: &mut dyn RecordSink) {
        let mut lines = std::mem::take(&mut self.lines);
        lines.finish(|line| self.line_done(line, sink));
        self.lines = lines;
    }

    /// Rows skipped, and the warnings about them.
    pub fn warnings(&self, file: &str) -> Vec<Warning> {
        let mut w = Vec::new();
        if self.bad.count > 0 {
            w.push(Warning {
                file: Some(file.to_string()),
                column: None,
                count: self.bad.count,
                examples: self.bad.examples.clone(),
                message: format!(
                    "{} lines skipped: not a JSON object (expected one object per line)",
                    self.bad.count
                ),
            });
        }
        if self.unknown.count > 0 {
            w.push(Warning {
                file: Some(file.to_string()),
                column: None,
                count: self.unknown.count,
                examples: self.unknown.examples.clone(),
                message: format!(
                    "{} rows have fields that the first 64 KiB did not have ({}); those fields are ignored",
                    self.unknown.count,
                    self.unknown_keys.join(", ")
                ),
            });
        }
        w
    }

    fn line_done(&mut self, raw: &[u8], sink: &mut dyn RecordSink) {
        self.line += 1;
        let line = self.line;
        if !self.announced {
            self.announced = true;
            sink.directive(line, Directive::Fields(self.names.clone()));
            sink.directive(line, Directive::Types(self.types.clone()));
        }
        let text = String::from_utf8_lossy(raw);
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let obj = match serde_json::from_str::<Object>(text) {
            Ok(o) => o,
            Err(e) => {
                self.bad.add(|| format!("line {line}: {e}"));
                return;
            }
        };
        let mut values: Vec<Cow<str>> = vec![Cow::Borrowed("-"); self.names.len()];
        let mut unknown: Option<String> = None;
        let (index, types) = (&self.index, &self.types);
        flatten("", obj, &mut |k, v| match index.get(k.as_ref()) {
            Some(&c) => values[c] = text_of(v, &types[c]),
            None => {
                unknown.get_or_insert_with(|| k.into_owned());
            }
        });
        if let Some(k) = unknown {
            self.unknown.add(|| format!("line {line}: {k:?}"));
            if self.unknown_keys.len() < 5 && !self.unknown_keys.contains(&k) {
                self.unknown_keys.push(k);
            }
        }
        let fields: Vec<&str> = values.iter().map(|v| v.as_ref()).collect();
        sink.record(Record {
            line,
            fields: &fields,
            text: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        rows: Vec<Vec<String>>,
        fields: Vec<String>,
        types: Vec<String>,
    }

    impl RecordSink for Collect {
        fn directive(&mut self, _line: u64, d: Directive) {
            match d {
                Directive::Fields(f) => self.fields = f,
                Directive::Types(t) => self.types = t,
            }
        }
        fn record(&mut self, rec: Record<'_>) {
            self.rows
                .push(rec.fields.iter().map(|s| s.to_string()).collect());
        }
    }

    const LOG: &str = concat!(
        r#"{"ts":1525879831.015811,"uid":"CUmrqr4svHuSXJy5z7","id.orig_h":"192.168.100.103","id.orig_p":51524,"id.resp_h":"65.127.233.163","id.resp_p":23,"proto":"tcp","conn_state":"S0","local_orig":false,"missed_bytes":0,"history":"S","orig_pkts":1,"orig_ip_bytes":40,"resp_pkts":0,"resp_ip_bytes":0,"tunnel_parents":[],"label":"Malicious","detailed-label":"PartOfAHorizontalPortScan"}"#,
        "\r\n",
        r#"{"ts":"2018-05-09T15:30:32.000000Z","uid":"C\u0041b","id":{"orig_h":"10.0.0.1","orig_p":1},"proto":"udp","service":"dns","duration":2.0e-6,"tunnel_parents":["Cx","Cy"],"label":"Benign"}"#,
        "\n"
    );

    #[test]
    fn json_lines_become_the_tsv_records_in_any_chunking() {
        for chunk in [1, 7, 10_000] {
            let mut s = JsonSplitter::new("conn.json", LOG, true).unwrap();
            let mut c = Collect::default();
            for part in LOG.as_bytes().chunks(chunk) {
                s.feed(part, &mut c);
            }
            s.finish(&mut c);
            assert_eq!(c.fields.len(), 23);
            assert_eq!(&c.fields[21..], ["label", "detailed-label"]);
            assert_eq!(c.types[8], "interval");
            assert_eq!(c.rows.len(), 2);
            let r = &c.rows[0];
            assert_eq!(
                (r[0].as_str(), r[3].as_str(), r[7].as_str()),
                ("1525879831.015811", "51524", "-")
            );
            assert_eq!(
                (r[12].as_str(), r[13].as_str(), r[20].as_str()),
                ("F", "-", "(empty)")
            );
            let r = &c.rows[1];
            assert_eq!(
                (r[0].as_str(), r[1].as_str(), r[2].as_str()),
                ("1525879832", "CAb", "10.0.0.1")
            );
            assert_eq!(
                (r[8].as_str(), r[20].as_str(), r[22].as_str()),
                ("2.0e-6", "Cx,Cy", "-")
            );
        }
    }

    #[test]
    fn a_head_of_non_json_is_refused_and_late_keys_are_reported() {
        let e = JsonSplitter::new("x.json", "{not json\n{\"a\":1}\n{oops\n", true)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("x.json, line 1: 2 of 3 lines are not JSON objects"),
            "{e}"
        );
        let mut s = JsonSplitter::new("y.json", "{\"a\":1}\n", true).unwrap();
        let mut c = Collect::default();
        s.feed(b"{\"a\":1}\n{\"a\":2,\"b\":3}\nnope\n", &mut c);
        s.finish(&mut c);
        assert_eq!(c.rows, vec![vec!["1".to_string()], vec!["2".to_string()]]);
        let w = s.warnings("y.json");
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].examples[0].split(':').next(), Some("line 3"));
        assert!(w[1].message.contains("(b)"), "{}", w[1].message);
    }
}
