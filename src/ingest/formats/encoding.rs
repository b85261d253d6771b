//! Text encodings, told from the first bytes: UTF-8 with or without a byte-order mark, UTF-16 LE
//! or BE with one (a spreadsheet's "Unicode text" export), and Latin-1 when the head is not valid
//! UTF-8 (read with a warning). Everything is turned into UTF-8 chunk by chunk, so the splitters
//! below only ever see UTF-8.
//!
//! Hand-written rather than `encoding_rs`: the three decodings are a few lines each on top of
//! `char::decode_utf16` and `char::from(u8)`, while `encoding_rs` brings every WHATWG encoding's
//! tables into the page's WebAssembly for two that need none.

use std::borrow::Cow;

/// The encoding of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// ISO 8859-1: every byte is the character of that code point.
    Latin1,
}

/// Decides the encoding from the head of a file: its byte-order mark, else UTF-8 when the head
/// is valid UTF-8 (a character cut at the end of the head is fine), else Latin-1. Returns the
/// encoding and the length of the byte-order mark to skip.
pub(crate) fn sniff(head: &[u8]) -> (Encoding, usize) {
    if head.starts_with(&[0xef, 0xbb, 0xbf]) {
        return (Encoding::Utf8, 3);
    }
    if head.starts_with(&[0xff, 0xfe]) {
        return (Encoding::Utf16Le, 2);
    }
    if head.starts_with(&[0xfe, 0xff]) {
        return (Encoding::Utf16Be, 2);
    }
    if let Some(enc) = utf16_without_bom(head) {
        return (enc, 0);
    }
    match std::str::from_utf8(head) {
        Ok(_) => (Encoding::Utf8, 0),
        // `error_len() == None`: the head ends inside a character that the next bytes complete.
        Err(e) if e.error_len().is_none() => (Encoding::Utf8, 0),
        Err(_) => (Encoding::Latin1, 0),
    }
}

/// UTF-16 without a byte-order mark, told from where its zero bytes are. A flow log's header,
/// numbers and addresses are ASCII, and an ASCII character in UTF-16 has a zero high byte: in LE
/// the second byte of each 2-byte unit is zero and the first is not, in BE the reverse. UTF-8 and
/// Latin-1 text has no zero bytes at all. At least 32 units and 90 % of them must agree, so a
/// binary file with scattered zeros is not taken for text (and if one were, its decoded head would
/// still fail the binary check).
fn utf16_without_bom(head: &[u8]) -> Option<Encoding> {
    let units = head.len().min(4096) / 2;
    if units < 32 {
        return None;
    }
    let (mut le, mut be) = (0, 0);
    for unit in head[..units * 2].chunks_exact(2) {
        match (unit[0] == 0, unit[1] == 0) {
            (false, true) => le += 1,
            (true, false) => be += 1,
            _ => {}
        }
    }
    if le * 10 >= units * 9 {
        Some(Encoding::Utf16Le)
    } else if be * 10 >= units * 9 {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// What to tell the user about a file read as `enc` (with a byte-order mark of `bom` bytes), if
/// anything: a UTF-16 file without a byte-order mark, or a Latin-1 one, was guessed.
pub(crate) fn note(enc: Encoding, bom: usize, head: &[u8]) -> Option<String> {
    match enc {
        Encoding::Utf16Le | Encoding::Utf16Be if bom == 0 => {
            let order = if enc == Encoding::Utf16Le { "LE" } else { "BE" };
            Some(format!("UTF-16 {order} without a byte-order mark (told from its zero bytes); read as UTF-16 {order}"))
        }
        Encoding::Latin1 => {
            let at = first_invalid_utf8(head).unwrap_or(0);
            Some(format!("not valid UTF-8 (byte {at} is not); read as Latin-1 (ISO 8859-1): check accented text"))
        }
        _ => None,
    }
}

/// The offset of the first byte that is not valid UTF-8, for the Latin-1 warning.
pub(crate) fn first_invalid_utf8(head: &[u8]) -> Option<usize> {
    match std::str::from_utf8(head) {
        Err(e) if e.error_len().is_some() => Some(e.valid_up_to()),
        _ => None,
    }
}

/// Offset of the first byte that says "not text": a NUL, or (when they are over 2 % of the head)
/// control characters other than tab, CR, LF, FF.
pub(crate) fn binary_offset(head: &[u8], enc: Encoding) -> Option<u64> {
    let head = &head[..head.len().min(8192)];
    if let Some(p) = head.iter().position(|&b| b == 0) {
        return Some(p as u64);
    }
    let is_ctrl = |b: &u8| *b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n' | 0x0c | 0x1b);
    let ctrl = head.iter().filter(|b| is_ctrl(b)).count();
    if ctrl * 50 > head.len() {
        return head.iter().position(is_ctrl).map(|p| p as u64);
    }
    if enc == Encoding::Latin1 {
        return None;
    }
    let text = String::from_utf8_lossy(head);
    let bad = text
        .chars()
        .filter(|&c| c == char::REPLACEMENT_CHARACTER)
        .count();
    if bad * 20 > head.len() {
        return text.find(char::REPLACEMENT_CHARACTER).map(|p| p as u64);
    }
    None
}

/// Turns a file's bytes into UTF-8, chunk by chunk.
#[derive(Debug)]
pub(crate) struct Decoder {
    pub encoding: Encoding,
    /// Bytes of the byte-order mark still to skip.
    skip: usize,
    /// An odd byte, or a high surrogate's two bytes, waiting for the next chunk (UTF-16).
    carry: Vec<u8>,
}

impl Decoder {
    pub fn new(encoding: Encoding, bom: usize) -> Self {
        Decoder {
            encoding,
            skip: bom,
            carry: Vec::new(),
        }
    }

    /// The UTF-8 text of the next chunk (borrowed when the file is UTF-8 already).
    pub fn decode<'a>(&mut self, mut data: &'a [u8]) -> Cow<'a, [u8]> {
        let skip = self.skip.min(data.len());
        data = &data[skip..];
        self.skip -= skip;
        match self.encoding {
            Encoding::Utf8 => Cow::Borrowed(data),
            Encoding::Latin1 => {
                if data.is_ascii() {
                    return Cow::Borrowed(data);
                }
                let text: String = data.iter().map(|&b| char::from(b)).collect();
                Cow::Owned(text.into_bytes())
            }
            Encoding::Utf16Le | Encoding::Utf16Be => Cow::Owned(self.utf16(data)),
        }
    }

    /// What is left at the end of the file: an odd byte or a lone surrogate becomes U+FFFD.
    pub fn finish(&mut self) -> Vec<u8> {
        if self.carry.is_empty() {
            Vec::new()
        } else {
            self.carry.clear();
            char::REPLACEMENT_CHARACTER.to_string().into_bytes()
        }
    }

    fn utf16(&mut self, data: &[u8]) -> Vec<u8> {
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.extend_from_slice(data);
        let le = self.encoding == Encoding::Utf16Le;
        let mut units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|p| {
                if le {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            })
            .collect();
        let mut keep = bytes.len() % 2;
        // A high surrogate at the very end pairs with the next chunk's first unit.
        if units.last().is_some_and(|u| (0xd800..0xdc00).contains(u)) {
            units.pop();
            keep += 2;
        }
        self.carry = bytes[bytes.len() - keep..].to_vec();
        let text: String = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        let mut out = if le {
            vec![0xff, 0xfe]
        } else {
            vec![0xfe, 0xff]
        };
        for u in text.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    fn decode_in_chunks(bytes: &[u8], chunk: usize) -> String {
        let (enc, bom) = sniff(bytes);
        let mut d = Decoder::new(enc, bom);
        let mut out = Vec::new();
        for part in bytes.chunks(chunk) {
            out.extend_from_slice(&d.decode(part));
        }
        out.extend(d.finish());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn utf16_both_orders_any_chunking_with_surrogate_pairs() {
        let text = "ts\tlabel\r\n1,5\tBénin 🐛\r\n";
        for le in [true, false] {
            let bytes = utf16(text, le);
            for chunk in [1, 2, 3, 5, 1000] {
                assert_eq!(
                    decode_in_chunks(&bytes, chunk),
                    text,
                    "le={le} chunk={chunk}"
                );
            }
        }
        assert_eq!(sniff(&utf16("a", true)), (Encoding::Utf16Le, 2));
        assert_eq!(sniff(&utf16("a", false)), (Encoding::Utf16Be, 2));
    }

    #[test]
    fn utf16_without_a_bom_is_told_from_its_zero_bytes() {
        let text = "ts,proto,label\n1.5,tcp,Benign\n2.25,udp,DDoS\n3,icmp,Benign\n";
        for le in [true, false] {
            let bytes = utf16(text, le)[2..].to_vec(); // without the BOM
            let want = if le {
                Encoding::Utf16Le
            } else {
                Encoding::Utf16Be
            };
            assert_eq!(sniff(&bytes), (want, 0));
            assert_eq!(decode_in_chunks(&bytes, 7), text);
        }
        // Too short to tell, and binary with zeros in no pattern: not UTF-16.
        assert_eq!(sniff(&utf16("a,b\n", true)[2..]).0, Encoding::Utf8);
        let noise: Vec<u8> = (0..200u32)
            .map(|i| {
                if i % 3 == 0 {
                    0
                } else {
                    (i * 37 % 251) as u8 | 1
                }
            })
            .collect();
        assert_ne!(sniff(&noise).0, Encoding::Utf16Le);
        assert_ne!(sniff(&noise).0, Encoding::Utf16Be);
    }

    #[test]
    fn utf8_bom_is_skipped_and_latin1_is_read_byte_for_byte() {
        let bytes = b"\xef\xbb\xbfa;b\r\n";
        assert_eq!(sniff(bytes), (Encoding::Utf8, 3));
        assert_eq!(decode_in_chunks(bytes, 2), "a;b\r\n");
        let latin = b"host,label\ncaf\xe9,B\xe9nin\n";
        assert_eq!(sniff(latin), (Encoding::Latin1, 0));
        assert_eq!(first_invalid_utf8(latin), Some(14));
        assert_eq!(decode_in_chunks(latin, 4), "host,label\ncafé,Bénin\n");
        // A character cut by the end of the head is still UTF-8.
        assert_eq!(
            sniff("ab é".as_bytes().split_last().unwrap().1).0,
            Encoding::Utf8
        );
    }
}
