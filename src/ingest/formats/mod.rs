//! The file formats as users have them, beyond the plain layouts: text encodings
//! ([`encoding`]), Zeek JSON lines ([`zeek_json`]), the flow data sets told from their header
//! ([`families`]), the head checks that refuse a file rather than load it as garbage
//! ([`sniff`]), and per-file rewrites of numbers and times ([`fixes`]). Every format is
//! recognised from the content, never from the file name.

pub(crate) mod encoding;
pub(crate) mod families;
pub(crate) mod fixes;
pub(crate) mod sniff;
pub(crate) mod zeek_json;

use super::error::{Tally, Warning};
use super::layouts::Format;
use super::records::{DelimitedSplitter, Directive, Record, RecordSink};

/// How many records of the head are kept for the sniffers.
const HEAD_RECORDS: usize = 400;

/// The head's records as (line, fields), split as the reader will split them; when the head is
/// cut, the record it cuts is not among them (the reader gives a record only at its line end).
pub(crate) fn head_records(text: &str, delimiter: u8, complete: bool) -> Vec<(u64, Vec<String>)> {
    struct Keep(Vec<(u64, Vec<String>)>);
    impl RecordSink for Keep {
        fn directive(&mut self, _: u64, _: Directive) {}
        fn record(&mut self, rec: Record<'_>) {
            if self.0.len() <= HEAD_RECORDS {
                self.0
                    .push((rec.line, rec.fields.iter().map(|f| f.to_string()).collect()));
            }
        }
    }
    let mut keep = Keep(Vec::new());
    let mut s = DelimitedSplitter::new(delimiter);
    s.feed(text.as_bytes(), &mut keep);
    if complete {
        s.finish(&mut keep);
    }
    keep.0
}

/// Header names made unique the way pandas does (`name`, `name.1`, `name.2`, skipping names
/// already taken), with what was renamed. A repeated label-like name is not renamed (which of
/// the two holds the label cannot be told): its name is returned as the error.
pub(crate) fn unique_names(names: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
    use std::collections::{HashMap, HashSet};
    // Sets, not scans of `out`: a header of thousands of fields, most of them the same (a 5 MB
    // line of junk read as a header), took minutes when every duplicate rescanned the names.
    let originals: HashSet<&str> = names.iter().map(String::as_str).collect();
    let mut taken: HashSet<String> = HashSet::with_capacity(names.len());
    // The next suffix to try per name; every smaller one is taken already and stays taken.
    let mut next: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    let mut renamed = Vec::new();
    for n in names {
        if taken.insert(n.clone()) {
            out.push(n.clone());
            continue;
        }
        if super::layouts::LABEL_NAMES.contains(&n.to_ascii_lowercase().as_str()) {
            return Err(n.clone());
        }
        let i = next.entry(n.as_str()).or_insert(1);
        let new = loop {
            let candidate = format!("{n}.{i}");
            *i += 1;
            if !taken.contains(&candidate) && !originals.contains(candidate.as_str()) {
                break candidate;
            }
        };
        taken.insert(new.clone());
        renamed.push(format!("{n:?} → {new:?}"));
        out.push(new);
    }
    Ok((out, renamed))
}

/// The most columns a flow table may have. The widest flow format read here, CIC-IDS2017, has 85;
/// anything past a few thousand is not a flow table but a long line of something else (a 5 MB
/// line with no line break split at every comma), and each column costs a builder.
pub(crate) const MAX_COLUMNS: usize = 4096;

/// Why a header of `fields` names cannot be a flow table's, if it cannot.
pub(crate) fn too_wide(fields: usize) -> Option<String> {
    (fields > MAX_COLUMNS).then(|| {
        format!("the header has {fields} fields: expected a flow table of at most {MAX_COLUMNS} columns (is this one long line of something else?)")
    })
}

/// What a record that is not a data row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotARow {
    /// The header line again (CSE-CIC-IDS2018's files repeat theirs mid-file).
    RepeatedHeader,
    /// The start of a closing block that is not flows (nfdump's `Summary`).
    Trailer,
}

/// Whether `fields` is not a data row of a file with header `names` in `format`.
pub(crate) fn not_a_row(format: Format, names: &[String], fields: &[&str]) -> Option<NotARow> {
    let first = fields.first()?.trim();
    if format == Format::Nfdump && first == "Summary" && fields.len() == 1 {
        return Some(NotARow::Trailer);
    }
    let same = |i: usize| fields.get(i).map(|f| f.trim()) == names.get(i).map(|n| n.as_str());
    (names.len() > 1 && same(0) && same(names.len() - 1)).then_some(NotARow::RepeatedHeader)
}

/// Warnings about the lines that [`not_a_row`] set aside.
pub(crate) fn skipped_lines(file: &str, repeated: &Tally, trailer: Option<u64>) -> Vec<Warning> {
    let mut w = Vec::new();
    if repeated.count > 0 {
        w.push(Warning {
            file: Some(file.to_string()),
            column: None,
            count: repeated.count,
            examples: repeated.examples.clone(),
            message: format!("{} repeated header lines skipped", repeated.count),
        });
    }
    if let Some(line) = trailer {
        w.push(Warning {
            file: Some(file.to_string()),
            column: None,
            count: 1,
            examples: vec![format!("line {line}")],
            message: "the flows end at nfdump's Summary block; the lines after it are not flows and were skipped".into(),
        });
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn duplicates_are_numbered_like_pandas() {
        let (names, renamed) = unique_names(&v(&[
            "a",
            "Fwd Header Length",
            "b",
            "Fwd Header Length",
            "a",
            "a.1",
        ]))
        .unwrap();
        assert_eq!(
            names,
            v(&[
                "a",
                "Fwd Header Length",
                "b",
                "Fwd Header Length.1",
                "a.2",
                "a.1"
            ])
        );
        assert_eq!(renamed.len(), 2);
        assert_eq!(
            unique_names(&v(&["Label", "x", "Label"])),
            Err("Label".to_string())
        );
    }

    #[test]
    fn head_records_drop_a_cut_last_record() {
        let r = head_records("a,b\n1,2\n3,", b',', false);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1], (2, v(&["1", "2"])));
        assert_eq!(head_records("a,b\n1,2\n3,4", b',', true).len(), 3);
    }
}
