//! One text file, chunk by chunk: sniff its format from the first bytes, split it into records,
//! check each row's shape, read its label, and hand rows on.

use std::borrow::Cow;

use super::columns::{is_missing, trim};
use super::error::{IngestError, Tally, Warning};
use super::formats::encoding::{self, binary_offset, Decoder, Encoding};
use super::formats::fixes::Fixes;
use super::formats::sniff;
use super::formats::zeek_json::{self, JsonSplitter};
use super::formats::NotARow;
use super::labels::is_benign_or_background;
use super::layouts::{self, Format, LabelRule, Parse, Role};
use super::records::{
    sniff_delimiter, DelimitedSplitter, Directive, Record, RecordSink, ZeekSplitter,
};
use super::summary::FileReport;
use super::table::FileColumns;

/// How many bytes are looked at before the format is decided.
const SNIFF_BYTES: usize = 64 * 1024;

/// Where the rows of a file go.
pub(crate) trait RowOut {
    /// The file's columns are known; called once, before any row.
    fn columns(&mut self, cols: &FileColumns);
    /// One well-formed row; `record`, when given, is the text all its fields are slices of.
    fn row(&mut self, line: u64, fields: &[&str], record: Option<&str>, label: Option<&str>);
}

enum Splitter {
    Sniffing(Vec<u8>),
    Zeek(ZeekSplitter),
    Delimited(Box<DelimitedSplitter>),
    Json(Box<JsonSplitter>),
}

/// What was learnt about a file while reading it.
pub(crate) struct FileState {
    pub name: String,
    label_column: Option<String>,
    format: Format,
    /// Headerless formats get their names from the layout.
    header: Header,
    names: Vec<String>,
    zeek_types: Vec<String>,
    rule: LabelRule,
    started: bool,
    pub rows: u64,
    pub skipped: u64,
    pub bytes: u64,
    ragged: Tally,
    unlabelled: Tally,
    no_label_column: bool,
    error: Option<IngestError>,
    /// The head's records (delimited files), for the sniffers that need the columns first.
    head: Vec<(u64, Vec<String>)>,
    decimal_comma: bool,
    fixes: Option<Fixes>,
    /// What the user should know about the file as a whole (encoding, renamed columns).
    notes: Vec<Warning>,
    /// Header lines repeated inside the file, skipped.
    repeated_header: Tally,
    /// A closing block that is not flows began (nfdump's `Summary`): the rest is skipped.
    trailer: Option<u64>,
}

#[derive(PartialEq)]
enum Header {
    /// The first record names the columns.
    FirstRecord,
    /// Names known (headerless layout, or Zeek `#fields`).
    Known,
}

pub(crate) struct FileParser {
    splitter: Splitter,
    decoder: Option<Decoder>,
    pub state: FileState,
}

impl FileParser {
    pub fn new(name: &str, label_column: Option<String>) -> Self {
        FileParser {
            splitter: Splitter::Sniffing(Vec::new()),
            decoder: None,
            state: FileState {
                name: name.to_string(),
                label_column,
                format: Format::Csv,
                header: Header::FirstRecord,
                names: Vec::new(),
                zeek_types: Vec::new(),
                rule: LabelRule::None,
                started: false,
                rows: 0,
                skipped: 0,
                bytes: 0,
                ragged: Tally::default(),
                unlabelled: Tally::default(),
                no_label_column: false,
                error: None,
                head: Vec::new(),
                decimal_comma: false,
                fixes: None,
                notes: Vec::new(),
                repeated_header: Tally::default(),
                trailer: None,
            },
        }
    }

    pub fn format(&self) -> Format {
        self.state.format
    }

    /// What the file gave so far (none of its rows counted as kept yet).
    pub fn report(&self) -> FileReport {
        FileReport {
            path: self.state.name.clone(),
            format: self.format(),
            rows: self.state.rows,
            skipped: self.state.skipped,
            kept: 0,
            bytes: self.state.bytes,
            label_column: self.label_column(),
        }
    }

    pub fn label_column(&self) -> Option<String> {
        self.state
            .rule
            .column()
            .and_then(|c| self.state.names.get(c).cloned())
    }

    /// Feeds decompressed bytes. An error means the file cannot be read; no row of it was emitted.
    pub fn feed(&mut self, data: &[u8], out: &mut dyn RowOut) -> Result<(), IngestError> {
        self.state.bytes += data.len() as u64;
        if let Splitter::Sniffing(head) = &mut self.splitter {
            head.extend_from_slice(data);
            if head.len() < SNIFF_BYTES {
                return Ok(());
            }
            let head = std::mem::take(head);
            return self.start(&head, out);
        }
        match self.decoder.as_mut().map(|d| d.decode(data)) {
            Some(text) => self.split(&text, out),
            None => self.split(data, out),
        }
    }

    /// The file ended.
    pub fn finish(&mut self, out: &mut dyn RowOut) -> Result<(), IngestError> {
        if let Splitter::Sniffing(head) = &mut self.splitter {
            let head = std::mem::take(head);
            self.start(&head, out)?;
        }
        if let Some(rest) = self.decoder.as_mut().map(Decoder::finish) {
            self.split(&rest, out)?;
        }
        let mut sink = Sink {
            st: &mut self.state,
            out,
        };
        match &mut self.splitter {
            Splitter::Zeek(z) => z.finish(&mut sink),
            Splitter::Delimited(d) => d.finish(&mut sink),
            Splitter::Json(j) => j.finish(&mut sink),
            Splitter::Sniffing(_) => {}
        }
        if let Some(e) = self.state.error.take() {
            return Err(e);
        }
        if self.state.rows == 0 {
            let st = &self.state;
            let line = if st.names.is_empty() { 1 } else { 2 };
            let message = match st.ragged.examples.first() {
                Some(first) => format!(
                    "no readable rows: all {} rows have the wrong number of fields (expected {}; {first})",
                    st.skipped,
                    st.names.len()
                ),
                None => "no data rows (expected rows after the header)".into(),
            };
            return Err(IngestError::Format {
                file: st.name.clone(),
                line,
                message,
            });
        }
        Ok(())
    }

    /// Warnings about this file's rows.
    pub fn warnings(&self) -> Vec<Warning> {
        let st = &self.state;
        let mut w = st.notes.clone();
        w.extend(st.fixes.iter().flat_map(|f| f.warnings(&st.name)));
        if let Splitter::Json(j) = &self.splitter {
            w.extend(j.warnings(&st.name));
        }
        w.extend(super::formats::skipped_lines(
            st.name.as_str(),
            &st.repeated_header,
            st.trailer,
        ));
        let file = Some(st.name.clone());
        if st.ragged.count > 0 {
            w.push(Warning {
                file: file.clone(),
                column: None,
                count: st.ragged.count,
                examples: st.ragged.examples.clone(),
                message: format!(
                    "{} rows skipped: wrong number of fields (expected {})",
                    st.ragged.count,
                    st.names.len()
                ),
            });
        }
        if st.unlabelled.count > 0 {
            w.push(Warning {
                file: file.clone(),
                column: self.label_column(),
                count: st.unlabelled.count,
                examples: st.unlabelled.examples.clone(),
                message: format!(
                    "{} rows have no label; they are kept but not used to train or score",
                    st.unlabelled.count
                ),
            });
        }
        if st.no_label_column {
            w.push(Warning {
                file,
                column: None,
                count: st.rows,
                examples: vec![],
                message: format!(
                    "no label column found (expected one named label, class, attack_cat, attack…); columns: {}. Choose the label column, or use the file only to predict",
                    st.names.join(", ")
                ),
            });
        }
        w
    }

    fn start(&mut self, raw: &[u8], out: &mut dyn RowOut) -> Result<(), IngestError> {
        let file = self.state.name.clone();
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(IngestError::Empty { file });
        }
        let (enc, bom) = encoding::sniff(raw);
        if matches!(enc, Encoding::Utf8 | Encoding::Latin1) {
            if let Some(offset) = binary_offset(raw, enc) {
                return Err(IngestError::Binary { file, offset });
            }
        }
        let mut decoder = Decoder::new(enc, bom);
        let head = decoder.decode(raw).into_owned();
        if let Some(offset) = binary_offset(&head, Encoding::Utf8) {
            return Err(IngestError::Binary { file, offset });
        }
        if let Some(message) = encoding::note(enc, bom, raw) {
            let file = Some(file.clone());
            let (column, count, examples) = (None, 1, vec![]);
            self.state.notes.push(Warning {
                file,
                column,
                count,
                examples,
                message,
            });
        }
        self.decoder = (enc != Encoding::Utf8 || bom > 0).then_some(decoder);
        let complete = raw.len() < SNIFF_BYTES;
        let text = String::from_utf8_lossy(&head);
        if text.starts_with("#separator") || text.starts_with("#fields") {
            self.state.format = Format::Zeek;
            self.state.header = Header::Known;
            self.splitter = Splitter::Zeek(ZeekSplitter::default());
        } else if zeek_json::looks_like_json(&text) {
            self.state.format = Format::ZeekJson;
            self.state.header = Header::Known;
            let j = JsonSplitter::new(&file, &text, complete)?;
            self.splitter = Splitter::Json(Box::new(j));
        } else {
            let delimiter = sniff_delimiter(&text).ok_or_else(|| IngestError::Format {
                file: file.clone(),
                line: 1,
                message: "no delimiter found: expected comma-, tab-, semicolon- or pipe-separated columns, a Zeek log starting with #separator, or Zeek JSON lines".into(),
            })?;
            self.sniff_headerless(&text, delimiter)?;
            self.state.head = super::formats::head_records(&text, delimiter, complete);
            self.check_shape(delimiter)?;
            if self.state.header == Header::FirstRecord && !self.state.head.is_empty() {
                self.state.head.remove(0);
            }
            self.state.decimal_comma = sniff::decimal_comma(&text, delimiter);
            self.splitter = Splitter::Delimited(Box::new(DelimitedSplitter::new(delimiter)));
        }
        self.split(&head, out)
    }

    /// Refuses a file whose head is mostly rows of another width than its header.
    fn check_shape(&self, delimiter: u8) -> Result<(), IngestError> {
        let st = &self.state;
        let (expected, rows) = match st.header {
            Header::Known => (st.names.len(), &st.head[..]),
            Header::FirstRecord => match st.head.split_first() {
                Some((h, rest)) => (h.1.len(), rest),
                None => return Ok(()),
            },
        };
        sniff::check_shape(&st.name, expected, rows, delimiter)
    }

    /// Recognises NSL-KDD and headerless UNSW-NB15 by their shape, and rejects other files whose
    /// first row is data rather than names.
    fn sniff_headerless(&mut self, text: &str, delimiter: u8) -> Result<(), IngestError> {
        let first = text.lines().next().unwrap_or("");
        let fields: Vec<&str> = first.split(delimiter as char).map(str::trim).collect();
        let numeric = fields
            .iter()
            .filter(|f| super::numbers::parse_number(f).is_some())
            .count();
        if numeric == 0 {
            return match sniff::value_in_header(&fields) {
                Some(v) => Err(IngestError::Format {
                    file: self.state.name.clone(),
                    line: 1,
                    message: format!("the first row holds values ({v:?} is a value, not a column name): expected a header row naming the columns"),
                }),
                None => Ok(()),
            };
        }
        let proto = |i: usize| {
            fields
                .get(i)
                .is_some_and(|p| matches!(p.to_ascii_lowercase().as_str(), "tcp" | "udp" | "icmp"))
        };
        let names: Option<(Format, &[&str])> = match fields.len() {
            42 | 43 if proto(1) => Some((Format::NslKdd, &layouts::NSL_KDD[..fields.len()])),
            49 if fields.get(4).is_some_and(|p| !p.is_empty()) => {
                Some((Format::UnswNb15, &layouts::UNSW_NB15[..]))
            }
            _ => None,
        };
        let Some((format, names)) = names else {
            return Err(IngestError::Format {
                file: self.state.name.clone(),
                line: 1,
                message: format!(
                    "the first row holds values ({numeric} of {} fields are numbers), not column names: expected a header row naming the columns (headerless files are read only for NSL-KDD, 42–43 columns, and UNSW-NB15, 49 columns)",
                    fields.len()
                ),
            });
        };
        self.state.format = format;
        self.state.header = Header::Known;
        self.state.names = names.iter().map(|s| s.to_string()).collect();
        Ok(())
    }

    fn split(&mut self, data: &[u8], out: &mut dyn RowOut) -> Result<(), IngestError> {
        let mut sink = Sink {
            st: &mut self.state,
            out,
        };
        match &mut self.splitter {
            Splitter::Zeek(z) => z.feed(data, &mut sink),
            Splitter::Delimited(d) => d.feed(data, &mut sink),
            Splitter::Json(j) => j.feed(data, &mut sink),
            Splitter::Sniffing(_) => {}
        }
        match self.state.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

struct Sink<'a> {
    st: &'a mut FileState,
    out: &'a mut dyn RowOut,
}

impl Sink<'_> {
    fn fail(&mut self, line: u64, message: String) {
        if self.st.error.is_none() && !self.st.started {
            self.st.error = Some(IngestError::Format {
                file: self.st.name.clone(),
                line,
                message,
            });
        }
    }

    /// The header is known: decide the format's label rule and announce the columns.
    fn begin(&mut self, line: u64) -> bool {
        let st = &mut *self.st;
        if let Some(msg) = super::formats::too_wide(st.names.len()) {
            self.fail(line, msg);
            return false;
        }
        if st.format == Format::Csv {
            st.format = layouts::format_of_header(&st.names);
        }
        match super::formats::unique_names(&st.names) {
            Ok((names, renamed)) => {
                if !renamed.is_empty() {
                    st.notes.push(Warning {
                        file: Some(st.name.clone()),
                        column: None,
                        count: renamed.len() as u64,
                        examples: renamed,
                        message: "repeated column names numbered as pandas does (name.1, name.2)"
                            .into(),
                    });
                }
                st.names = names;
            }
            Err(dup) => {
                let msg = format!(
                    "column {dup:?} appears twice in the header; expected unique column names"
                );
                self.fail(line, msg);
                return false;
            }
        }
        match layouts::label_rule(st.format, &st.names, st.label_column.as_deref()) {
            Ok(rule) => st.rule = rule,
            Err(name) => {
                st.error = Some(IngestError::LabelColumnMissing {
                    file: st.name.clone(),
                    name,
                    columns: st.names.join(", "),
                });
                return false;
            }
        }
        st.no_label_column = st.rule == LabelRule::None;
        let roles: Vec<Role> = st
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| layouts::role_in(st.format, n, i, &st.rule))
            .collect();
        let parses = st
            .names
            .iter()
            .zip(&roles)
            .enumerate()
            .map(|(i, (n, &r))| match st.format {
                Format::Zeek | Format::ZeekJson => {
                    layouts::parse_of_zeek_type(st.zeek_types.get(i).map_or("", |s| s.as_str()), r)
                }
                f => layouts::parse_of(f, n, r),
            })
            .collect::<Vec<Parse>>();
        if !st.head.is_empty() {
            let rows: Vec<Vec<&str>> = st
                .head
                .iter()
                .map(|(_, f)| f.iter().map(|s| s.as_str()).collect())
                .collect();
            let cic = st.format == Format::Cic;
            st.fixes = Fixes::new(&st.names, &roles, &parses, &rows, st.decimal_comma, cic);
            st.head = Vec::new();
        }
        let cols = FileColumns {
            names: st.names.iter().map(|n| n.trim().to_string()).collect(),
            roles,
            parses,
        };
        self.out.columns(&cols);
        st.started = true;
        true
    }

    /// The row's label, borrowed from its fields (no allocation per row).
    fn label<'f>(&mut self, line: u64, f: &[&'f str]) -> Option<&'f str> {
        let get = |i: usize| f.get(i).map(|s| trim(s)).filter(|s| !is_missing(s));
        let label = match self.st.rule {
            LabelRule::None => return None,
            LabelRule::Column(c) => get(c),
            LabelRule::Detailed { label, detailed } => match (get(label), get(detailed)) {
                (Some(l), Some(d)) if !is_benign_or_background(l) => Some(d),
                (Some(l), _) => Some(l),
                (None, d) => d,
            },
            LabelRule::Cidds { class, attack_type } => get(attack_type).or(get(class)),
            LabelRule::Unsw { attack_cat, label } => match (get(attack_cat), get(label)) {
                (Some(c), _) => Some(c),
                (None, Some("0")) => Some("Normal"),
                (None, _) => None,
            },
        };
        if label.is_none() {
            self.st.unlabelled.add(|| format!("line {line}"));
        }
        label
    }
}

impl RecordSink for Sink<'_> {
    fn directive(&mut self, line: u64, d: Directive) {
        match d {
            Directive::Fields(names) => {
                if self.st.started && names != self.st.names {
                    self.st
                        .ragged
                        .add(|| format!("line {line}: a second #fields header with other columns"));
                    return;
                }
                self.st.names = names;
            }
            Directive::Types(types) => self.st.zeek_types = types,
        }
    }

    fn record(&mut self, rec: Record<'_>) {
        if self.st.error.is_some() {
            return;
        }
        if !self.st.started {
            if self.st.header == Header::FirstRecord {
                self.st.names = rec.fields.iter().map(|s| s.trim().to_string()).collect();
                if self.st.names.iter().any(|n| n.is_empty()) && self.st.names.len() > 1 {
                    let pos = self.st.names.iter().position(|n| n.is_empty()).unwrap_or(0) + 1;
                    self.fail(
                        rec.line,
                        format!("header field {pos} is empty; expected a name for every column"),
                    );
                    return;
                }
                self.st.header = Header::Known;
                self.begin(rec.line);
                return;
            }
            if self.st.names.is_empty() {
                self.fail(
                    rec.line,
                    "data before the #fields header line; expected #fields naming the columns"
                        .into(),
                );
                return;
            }
            if !self.begin(rec.line) {
                return;
            }
        }
        if self.st.trailer.is_some() {
            return;
        }
        let expected = self.st.names.len();
        let mut fields = rec.fields;
        if self.st.header == Header::Known && !self.st.zeek_types.is_empty() {
            // Zeek logs (TSV or JSON) have no header line to repeat.
        } else if let Some(skip) = super::formats::not_a_row(self.st.format, &self.st.names, fields)
        {
            match skip {
                NotARow::RepeatedHeader => {
                    self.st.repeated_header.add(|| format!("line {}", rec.line))
                }
                NotARow::Trailer => self.st.trailer = Some(rec.line),
            }
            return;
        }
        if fields.len() == expected + 1 && fields[expected].trim().is_empty() {
            fields = &fields[..expected];
        }
        if fields.len() != expected {
            self.st.skipped += 1;
            let got = fields.len();
            self.st
                .ragged
                .add(|| format!("line {}: {got} fields", rec.line));
            return;
        }
        self.st.rows += 1;
        let fixed = self
            .st
            .fixes
            .as_mut()
            .and_then(|f| f.apply(rec.line, fields));
        let refs: Vec<&str>;
        let mut record = rec.text;
        if let Some(fixed) = &fixed {
            refs = fixed.iter().map(Cow::as_ref).collect();
            fields = &refs;
            record = None;
        }
        let label = self.label(rec.line, fields);
        self.out.row(rec.line, fields, record, label);
    }
}
