//! The `family` taxonomy's pure parts: which malware family an IoT-23 row belongs to.
//!
//! A malicious row's family comes from its detailed label where that names one (`C&C-Torii` →
//! `Torii`, `Okiru-Attack` → `Okiru`), else from the capture its file is named after
//! (`CTU-IoT-Malware-Capture-34-1` → `Mirai`), else it is `Unknown`. Benign rows are `Benign`
//! and background rows `Background` (see [`Taxonomy::Family`](super::Taxonomy::Family)).
//!
//! The captures, per Table 1 of the IoT-23 documentation ("Aposemat IoT-23", Stratosphere
//! Laboratory, <https://www.stratosphereips.org/datasets-iot23>; S. Garcia, A. Parmisano,
//! M. J. Erquiaga, Zenodo doi:10.5281/zenodo.4743746), with the names the documentation gives
//! shortened as the IoT-23 Streamlit app does (`Linux.Mirai` → `Mirai`, `Linux.Hajime` →
//! `Hajime`, `Hide and Seek` → `Hide-and-Seek`):
//!
//! | capture `CTU-IoT-Malware-Capture-…` | family |
//! |---|---|
//! | `1-1` | Hide-and-Seek |
//! | `3-1` | Muhstik |
//! | `7-1`, `34-1`, `35-1`, `43-1`, `44-1`, `48-1`, `49-1`, `52-1` | Mirai |
//! | `8-1` | Hakai |
//! | `9-1` | Hajime |
//! | `17-1`, `33-1` | Kenjiro |
//! | `20-1`, `21-1` | Torii |
//! | `36-1` | Okiru |
//! | `39-1` | IRCBot |
//! | `42-1` | Trojan |
//! | `60-1` | Gagfyt |
//! | `CTU-Honeypot-Capture-4-1`, `-5-1`, `-7-1` | (benign devices: their rows are `Benign` by label) |
//!
//! The capture is found anywhere in the file's path (`IoTScenarios/CTU-IoT-Malware-Capture-34-1/
//! bro/conn.log.labeled`, `CTU-IoT-Malware-Capture-34-1.conn.log.labeled`), also without the
//! `IoT-` (`CTU-Malware-Capture-34-1`, as some copies name them); CTU-13's
//! `CTU-Malware-Capture-Botnet-42` is not an IoT-23 capture and is not matched.

/// The malware families [`family_in_label`] recognises in a label, as they are named.
pub const FAMILIES: [&str; 11] = [
    "Mirai",
    "Torii",
    "Kenjiro",
    "Trojan",
    "Gagfyt",
    "Hakai",
    "Hajime",
    "Muhstik",
    "Okiru",
    "IRCBot",
    "Hide-and-Seek",
];

/// IoT-23 captures (`number-run`) and their families (the module table).
const CAPTURES: [(&str, &str); 20] = [
    ("1-1", "Hide-and-Seek"),
    ("3-1", "Muhstik"),
    ("7-1", "Mirai"),
    ("8-1", "Hakai"),
    ("9-1", "Hajime"),
    ("17-1", "Kenjiro"),
    ("20-1", "Torii"),
    ("21-1", "Torii"),
    ("33-1", "Kenjiro"),
    ("34-1", "Mirai"),
    ("35-1", "Mirai"),
    ("36-1", "Okiru"),
    ("39-1", "IRCBot"),
    ("42-1", "Trojan"),
    ("43-1", "Mirai"),
    ("44-1", "Mirai"),
    ("48-1", "Mirai"),
    ("49-1", "Mirai"),
    ("52-1", "Mirai"),
    ("60-1", "Gagfyt"),
];

/// The IoT-23 capture a file path names (`34-1` for `…/CTU-IoT-Malware-Capture-34-1/…`), if
/// any: the `number-run` after `Malware-Capture-`, case-insensitively.
pub fn iot23_capture(path: &str) -> Option<&str> {
    const MARK: &str = "malware-capture-";
    let lower = path.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(MARK) {
        let start = from + i + MARK.len();
        let rest = &path[start..];
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let a = digits(rest);
        if a > 0 && rest[a..].starts_with('-') {
            let b = digits(&rest[a + 1..]);
            if b > 0 {
                return Some(&rest[..a + 1 + b]);
            }
        }
        from = start;
    }
    None
}

/// The malware family of the IoT-23 capture a file path names (`Mirai` for
/// `CTU-IoT-Malware-Capture-34-1.conn.log.labeled`), or `None` when the path names no known
/// malware capture.
pub fn iot23_capture_family(path: &str) -> Option<&'static str> {
    let capture = iot23_capture(path)?;
    CAPTURES
        .iter()
        .find(|(c, _)| *c == capture)
        .map(|&(_, family)| family)
}

/// The malware family a (detailed) label names, if any: `C&C-Torii` → `Torii`,
/// `C&C-Mirai` → `Mirai`, `Okiru-Attack` → `Okiru`, `Linux.Hajime` → `Hajime`. Words are split
/// at `-`, `_`, `.`, `/` and spaces, and compared without regard to case.
pub fn family_in_label(raw: &str) -> Option<&'static str> {
    let l = raw.trim();
    if l.to_ascii_lowercase().contains("hide and seek")
        || l.to_ascii_lowercase().contains("hide-and-seek")
    {
        return Some("Hide-and-Seek");
    }
    l.split(['-', '_', '.', '/', ' '])
        .find_map(|w| FAMILIES.into_iter().find(|f| f.eq_ignore_ascii_case(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_names_give_the_documented_family() {
        let f = iot23_capture_family;
        assert_eq!(
            f("CTU-IoT-Malware-Capture-34-1.conn.log.labeled"),
            Some("Mirai")
        );
        assert_eq!(
            f("IoTScenarios/CTU-IoT-Malware-Capture-20-1/bro/conn.log.labeled"),
            Some("Torii")
        );
        assert_eq!(f("ctu-iot-malware-capture-60-1.csv"), Some("Gagfyt"));
        assert_eq!(f("CTU-Malware-Capture-8-1.csv"), Some("Hakai"));
        assert_eq!(f("CTU-IoT-Malware-Capture-1-1"), Some("Hide-and-Seek"));
        assert_eq!(f("CTU-IoT-Malware-Capture-39-1/x"), Some("IRCBot"));
        assert_eq!(f("CTU-IoT-Malware-Capture-99-1.csv"), None);
        assert_eq!(f("CTU-Malware-Capture-Botnet-42/capture.binetflow"), None);
        assert_eq!(f("CTU-Honeypot-Capture-4-1.csv"), None);
        assert_eq!(f("iot23_mix_shared.conn.log.labeled"), None);
        assert_eq!(
            iot23_capture("a/CTU-IoT-Malware-Capture-3-1/b"),
            Some("3-1")
        );
        assert_eq!(
            iot23_capture("Malware-Capture-x Malware-Capture-17-1"),
            Some("17-1")
        );
    }

    #[test]
    fn labels_that_name_a_family() {
        assert_eq!(family_in_label("C&C-Torii"), Some("Torii"));
        assert_eq!(family_in_label("C&C-Mirai"), Some("Mirai"));
        assert_eq!(family_in_label("Okiru-Attack"), Some("Okiru"));
        assert_eq!(family_in_label("Okiru"), Some("Okiru"));
        assert_eq!(family_in_label("Linux.Hajime"), Some("Hajime"));
        assert_eq!(family_in_label("Hide and Seek"), Some("Hide-and-Seek"));
        assert_eq!(family_in_label("C&C-HeartBeat"), None);
        assert_eq!(family_in_label("PartOfAHorizontalPortScan"), None);
        assert_eq!(family_in_label("DDoS"), None);
    }
}
