//! Splitting a byte stream into records, chunk by chunk: Zeek TSV logs (with their `#` directives
//! and the IoT-23 three-space label quirk) and delimited text (via `csv-core`, so quotes and
//! embedded newlines work).

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

/// One record: its fields and the line it started on (1-based).
pub struct Record<'a> {
    pub line: u64,
    pub fields: &'a [&'a str],
    /// The text every field is a slice of, when there is one (a line of a Zeek log; a
    /// delimited record's unquoted fields, back to back): the table copies it in one piece.
    pub text: Option<&'a str>,
}

/// What a Zeek directive line said, passed on to the file parser.
#[derive(Debug, Clone, PartialEq)]
pub enum Directive {
    Fields(Vec<String>),
    Types(Vec<String>),
}

/// Receives records as they are found.
pub trait RecordSink {
    fn directive(&mut self, line: u64, d: Directive);
    fn record(&mut self, rec: Record<'_>);
}

/// Bytes cut into lines across chunk boundaries: the start of a line that a chunk ends in waits
/// for the next chunk. A line is handed out without its `\n` (a `\r` before it is the caller's).
/// Shared by the line-based splitters (Zeek TSV, Zeek JSON).
#[derive(Debug, Default, Clone)]
pub struct LineBuffer {
    pending: Vec<u8>,
}

impl LineBuffer {
    /// Hands every complete line in `data` (joined with what the last chunk left) to `line`.
    pub fn feed(&mut self, mut data: &[u8], mut line: impl FnMut(&[u8])) {
        while let Some(nl) = memchr::memchr(b'\n', data) {
            if self.pending.is_empty() {
                line(&data[..nl]);
            } else {
                self.pending.extend_from_slice(&data[..nl]);
                line(&self.pending);
                self.pending.clear();
            }
            data = &data[nl + 1..];
        }
        self.pending.extend_from_slice(data);
    }

    /// Hands out the last line when the input did not end with `\n`.
    pub fn finish(&mut self, mut line: impl FnMut(&[u8])) {
        if !self.pending.is_empty() {
            line(&self.pending);
            self.pending.clear();
        }
    }
}

/// Zeek TSV: `#separator`, `#fields`, `#types`, `#close`…; the IoT-23 quirk (last three fields
/// joined by three spaces) is split back into three fields.
pub struct ZeekSplitter {
    lines: LineBuffer,
    line: u64,
    separator: u8,
    quirk: bool,
    /// The fields of one line, reused from line to line (see [`recycle`]).
    fields: Vec<&'static str>,
}

impl Default for ZeekSplitter {
    fn default() -> Self {
        ZeekSplitter {
            lines: LineBuffer::default(),
            line: 0,
            separator: b'\t',
            quirk: false,
            fields: Vec::new(),
        }
    }
}

const QUIRK: &str = "   ";

impl ZeekSplitter {
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

    fn line_done(&mut self, raw: &[u8], sink: &mut dyn RecordSink) {
        self.line += 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.is_empty() {
            return;
        }
        if raw[0] == b'#' {
            self.directive_line(raw, sink);
            return;
        }
        // Valid UTF-8 (the usual case) is borrowed as it is; invalid bytes become U+FFFD.
        let text = match std::str::from_utf8(raw) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(raw),
        };
        let mut fields = recycle(std::mem::take(&mut self.fields));
        if self.separator.is_ascii() {
            split_ascii(&text, self.separator, &mut fields);
        } else {
            fields.extend(text.split(self.separator as char));
        }
        if self.quirk {
            if let Some(last) = fields.pop() {
                split_quirk(last, &mut fields);
            }
        }
        sink.record(Record {
            line: self.line,
            fields: &fields,
            text: Some(&*text),
        });
        self.fields = recycle(fields);
    }

    fn directive_line(&mut self, raw: &[u8], sink: &mut dyn RecordSink) {
        let text = String::from_utf8_lossy(raw);
        let sep = self.separator as char;
        let Some(rest) = text.strip_prefix('#') else {
            return;
        };
        let (key, value) = rest.split_once([' ', sep]).unwrap_or((rest, ""));
        match key {
            "separator" => {
                if let Some(hex) = value.trim().strip_prefix("\\x") {
                    if let Ok(b) = u8::from_str_radix(hex, 16) {
                        self.separator = b;
                    }
                } else if let Some(&b) = value.as_bytes().first() {
                    self.separator = b;
                }
            }
            "fields" | "types" => {
                let mut parts: Vec<String> = value.split(sep).map(str::to_string).collect();
                if parts.last().is_some_and(|l| l.contains(QUIRK)) {
                    self.quirk = true;
                    let last = parts.pop().unwrap_or_default();
                    parts.extend(last.split(QUIRK).map(|s| s.trim().to_string()));
                }
                let d = if key == "fields" {
                    Directive::Fields(parts)
                } else {
                    Directive::Types(parts)
                };
                sink.directive(self.line, d);
            }
            _ => {}
        }
    }
}

/// `text.split(sep)` for an ASCII separator, into `out`.
///
/// The scan reads eight bytes at a time as one `u64` (SWAR: SIMD within a register, the same on
/// every target, wasm32 included). XOR with the separator repeated eight times turns each
/// separator byte into `0x00`; [`zero_bytes`] marks exactly those bytes with their high bit, and
/// each mark, lowest first, ends a field. A flow line is ~130 bytes with ~23 separators, so this
/// does ~17 word steps and one step per field instead of a compare and branch per byte. An ASCII
/// byte never falls inside a multi-byte character, so every cut is on a character boundary.
fn split_ascii<'a>(text: &'a str, sep: u8, out: &mut Vec<&'a str>) {
    let b = text.as_bytes();
    let pattern = u64::from_le_bytes([sep; 8]);
    let mut start = 0;
    let mut i = 0;
    while i + 8 <= b.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[i..i + 8]);
        let mut marks = zero_bytes(u64::from_le_bytes(word) ^ pattern);
        while marks != 0 {
            // Little-endian load: byte k of the slice is bits 8k..8k+8 of the word.
            let at = i + (marks.trailing_zeros() / 8) as usize;
            out.push(&text[start..at]);
            start = at + 1;
            marks &= marks - 1;
        }
        i += 8;
    }
    for (k, &c) in b[i..].iter().enumerate() {
        if c == sep {
            out.push(&text[start..i + k]);
            start = i + k + 1;
        }
    }
    out.push(&text[start..]);
}

/// The high bit of every byte of `x` that is zero, and nothing else. Each byte's low seven bits
/// plus `0x7f` carry into its high bit unless they are all zero, and never into the next byte
/// (at most `0x7f + 0x7f = 0xfe`); OR-ing `x` itself adds the bytes whose own high bit is set.
/// What is left clear is a zero byte: exact, unlike the shorter `(x - 0x01…) & !x` test, whose
/// borrow can mark a `0x01` byte above a zero.
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// `last.split(QUIRK)` (three spaces, matched left to right without overlap), into `out`.
fn split_quirk<'a>(last: &'a str, out: &mut Vec<&'a str>) {
    let b = last.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i + 3 <= b.len() {
        if b[i] == b' ' && b[i + 1] == b' ' && b[i + 2] == b' ' {
            out.push(&last[start..i]);
            i += 3;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&last[start..]);
}

/// An empty vector of field slices with the allocation of `v`, for any lifetime: a line's
/// fields borrow the line, so the buffer cannot be kept with them; emptied, it can. The
/// element type keeps its size and alignment, so `collect` reuses the allocation in place.
fn recycle<'b>(mut v: Vec<&str>) -> Vec<&'b str> {
    v.clear();
    v.into_iter().map(|_| "").collect()
}

/// Delimited text with a known delimiter, parsed incrementally.
pub struct DelimitedSplitter {
    reader: Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    out_len: usize,
    n_ends: usize,
    /// Newlines consumed so far, and the last byte consumed: together they give line numbers.
    newlines: u64,
    last_byte: u8,
    /// The fields of one record, reused (see [`recycle`]).
    fields: Vec<&'static str>,
}

impl DelimitedSplitter {
    pub fn new(delimiter: u8) -> Self {
        DelimitedSplitter {
            reader: ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            out_len: 0,
            n_ends: 0,
            newlines: 0,
            last_byte: 0,
            fields: Vec::new(),
        }
    }

    pub fn feed(&mut self, data: &[u8], sink: &mut dyn RecordSink) {
        self.run(data, sink);
    }

    pub fn finish(&mut self, sink: &mut dyn RecordSink) {
        self.run(&[], sink);
    }

    fn run(&mut self, mut data: &[u8], sink: &mut dyn RecordSink) {
        loop {
            let (res, nin, nout, nend) = self.reader.read_record(
                data,
                &mut self.out[self.out_len..],
                &mut self.ends[self.n_ends..],
            );
            let used = &data[..nin];
            self.newlines += used.iter().filter(|&&b| b == b'\n').count() as u64;
            if let Some(&b) = used.last() {
                self.last_byte = b;
            }
            data = &data[nin..];
            self.out_len += nout;
            self.n_ends += nend;
            match res {
                ReadRecordResult::InputEmpty => {
                    if data.is_empty() {
                        return;
                    }
                }
                ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                ReadRecordResult::Record => {
                    self.emit(sink);
                }
                ReadRecordResult::End => return,
            }
        }
    }

    fn emit(&mut self, sink: &mut dyn RecordSink) {
        let bytes = &self.out[..self.out_len];
        // The record ends on the line of the last newline consumed if that newline ended it,
        // else on the line after; quoted newlines inside it move its start back.
        let last_line = if self.last_byte == b'\n' {
            self.newlines
        } else {
            self.newlines + 1
        };
        let inside = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let line = last_line.saturating_sub(inside).max(1);
        let ends = &self.ends[..self.n_ends];
        let blank = ends.len() == 1 && ends[0] == 0;
        if !blank {
            let text = match std::str::from_utf8(bytes) {
                Ok(t) => std::borrow::Cow::Borrowed(t),
                Err(_) => String::from_utf8_lossy(bytes),
            };
            let mut fields = recycle(std::mem::take(&mut self.fields));
            let mut start = 0;
            // When the bytes were valid UTF-8 the offsets are the same; lossy replacement only
            // happens for invalid bytes, and then fields are cut on char boundaries.
            for &end in ends {
                let s = clamp_to_char(&text, start);
                let e = clamp_to_char(&text, end.min(text.len()));
                fields.push(&text[s..e.max(s)]);
                start = end;
            }
            sink.record(Record {
                line,
                fields: &fields,
                text: Some(&*text),
            });
            self.fields = recycle(fields);
        }
        self.out_len = 0;
        self.n_ends = 0;
    }
}

fn clamp_to_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Guesses the delimiter of the first lines: the candidate that appears the same non-zero number
/// of times on most lines, preferring the most frequent.
pub fn sniff_delimiter(head: &str) -> Option<u8> {
    let lines: Vec<&str> = head
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    // The last line may be cut in the middle.
    let lines = if lines.len() > 2 {
        &lines[..lines.len() - 1]
    } else {
        &lines[..]
    };
    let mut best: Option<(u8, usize, usize)> = None;
    for d in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let first = match counts.first() {
            Some(&c) if c > 0 => c,
            _ => continue,
        };
        let agree = counts.iter().filter(|&&c| c == first).count();
        let better = match best {
            None => true,
            Some((_, a, f)) => agree > a || (agree == a && first > f),
        };
        if better {
            best = Some((d, agree, first));
        }
    }
    best.map(|(d, ..)| d)
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut quoted = false;
    line.bytes()
        .filter(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            !quoted && b == d
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        rows: Vec<(u64, Vec<String>)>,
        directives: Vec<Directive>,
    }

    impl RecordSink for Collect {
        fn directive(&mut self, _line: u64, d: Directive) {
            self.directives.push(d);
        }
        fn record(&mut self, rec: Record<'_>) {
            self.rows
                .push((rec.line, rec.fields.iter().map(|s| s.to_string()).collect()));
        }
    }

    #[test]
    fn zeek_quirk_splits_into_three_label_fields_across_chunks() {
        let text =
            "#separator \\x09\n#fields\tts\tproto\ttunnel_parents   label   detailed-label\n\
                    #types\ttime\tenum\tset[string]   string   string\n\
                    1.5\ttcp\t-   Malicious   C&C\n2.5\tudp\t(empty)   Benign   -\n#close\t2019\n";
        for chunk in [1, 3, 7, 1000] {
            let mut s = ZeekSplitter::default();
            let mut c = Collect::default();
            for part in text.as_bytes().chunks(chunk) {
                s.feed(part, &mut c);
            }
            s.finish(&mut c);
            assert_eq!(c.rows.len(), 2);
            assert_eq!(
                c.rows[0],
                (
                    4,
                    vec![
                        "1.5".into(),
                        "tcp".into(),
                        "-".into(),
                        "Malicious".into(),
                        "C&C".into()
                    ]
                )
            );
            assert_eq!(c.rows[1].1[3], "Benign");
            assert_eq!(
                c.directives[0],
                Directive::Fields(vec![
                    "ts".into(),
                    "proto".into(),
                    "tunnel_parents".into(),
                    "label".into(),
                    "detailed-label".into()
                ])
            );
        }
    }

    #[test]
    fn delimited_handles_quotes_newlines_and_chunking() {
        let text = "a,b,c\n1,\"x,y\",3\n\n4,\"multi\nline\",6\r\n7,8,9";
        for chunk in [1, 2, 5, 100] {
            let mut s = DelimitedSplitter::new(b',');
            let mut c = Collect::default();
            for part in text.as_bytes().chunks(chunk) {
                s.feed(part, &mut c);
            }
            s.finish(&mut c);
            let lines: Vec<u64> = c.rows.iter().map(|r| r.0).collect();
            assert_eq!(lines, vec![1, 2, 4, 6]);
            assert_eq!(c.rows[1].1, vec!["1", "x,y", "3"]);
            assert_eq!(c.rows[2].1, vec!["4", "multi\nline", "6"]);
            assert_eq!(c.rows[3].1, vec!["7", "8", "9"]);
        }
    }

    /// The word-at-a-time scan cuts exactly where `str::split` does, on random lines of every
    /// length around the 8-byte word edges, with separators side by side, at both ends, next to
    /// bytes `0x01` and `0x80`+ (the traps of the short zero-byte test) and in multi-byte text.
    #[test]
    fn word_scan_matches_str_split_on_random_lines() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pieces = [
            "\t", "\t", "a", "\u{1}", "\u{8}", "é", "€", "\u{7f}", ",", "9",
        ];
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            for sep in [b'\t', b','] {
                let mut out = Vec::new();
                split_ascii(&text, sep, &mut out);
                assert_eq!(out, text.split(sep as char).collect::<Vec<_>>(), "{text:?}");
            }
        }
        for byte in 0..=255u8 {
            let x = u64::from_le_bytes([byte, 0, 1, 0x80, byte, 0xff, 0, byte]);
            let marks = zero_bytes(x);
            for (k, b) in x.to_le_bytes().iter().enumerate() {
                assert_eq!(
                    marks >> (8 * k + 7) & 1 == 1,
                    *b == 0,
                    "byte {byte:#x} at {k}"
                );
            }
            assert_eq!(marks & !0x8080_8080_8080_8080, 0);
        }
    }

    #[test]
    fn byte_splitters_agree_with_str_split() {
        for text in [
            "",
            "a",
            "\t",
            "a\tb",
            "\ta\t\tb\t",
            "é\tü\t",
            "x\t(empty)\t-",
        ] {
            let mut out = Vec::new();
            split_ascii(text, b'\t', &mut out);
            assert_eq!(out, text.split('\t').collect::<Vec<_>>(), "{text:?}");
        }
        for text in [
            "",
            "-",
            "-   Benign   -",
            "a    b",
            "a      b",
            "   ",
            "  ",
            "x   ",
            "   x",
        ] {
            let mut out = Vec::new();
            split_quirk(text, &mut out);
            assert_eq!(out, text.split(QUIRK).collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn sniffs_each_delimiter() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n4,5,6\n"), Some(b','));
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n"), Some(b'\t'));
        assert_eq!(sniff_delimiter("a;b;c\n1;2,5;3\n4;5;6\n"), Some(b';'));
        assert_eq!(sniff_delimiter("a|b\n1|2\n3|4\n"), Some(b'|'));
        assert_eq!(
            sniff_delimiter("\"x,y\";b\n\"1,2\";3\n\"1,2\";3\n"),
            Some(b';')
        );
        assert_eq!(sniff_delimiter("just one column\nno delimiters\n"), None);
    }
}
