//! Label taxonomies: one table that folds raw labels into attack families and into benign vs
//! malicious.
//!
//! | raw label (case-insensitive) | `attack` | `binary` |
//! |---|---|---|
//! | `benign`, `normal` | `Benign` (`normal` stays `normal`) | `Benign` |
//! | `background`, `unknown`, `suspicious` (CIDDS) | `Background` | `Background` (not known benign or malicious) |
//! | `C&C`, `C&C-*`, `CC` | `C&C` | `Malicious` |
//! | `PartOfAHorizontalPortScan*`, `portscan`, `portScan` | `PortScan` | `Malicious` |
//! | `DDoS` | `DDoS` | `Malicious` |
//! | `Okiru*` | `Okiru` | `Malicious` |
//! | `Attack` | `Attack` | `Malicious` |
//! | `FileDownload` | `FileDownload` | `Malicious` |
//! | NSL-KDD `neptune back land pod smurf teardrop apache2 udpstorm processtable mailbomb worm` | `DoS` | `Malicious` |
//! | NSL-KDD `satan ipsweep nmap portsweep mscan saint` | `Probe` | `Malicious` |
//! | NSL-KDD `guess_passwd ftp_write imap phf multihop warezmaster warezclient spy xlock xsnoop snmpguess snmpgetattack httptunnel sendmail named` | `R2L` | `Malicious` |
//! | NSL-KDD `buffer_overflow loadmodule rootkit perl sqlattack xterm ps` | `U2R` | `Malicious` |
//! | CIDDS `dos`, `pingScan`, `bruteForce` | `DoS`, `PingScan`, `BruteForce` | `Malicious` |
//! | anything else | kept as it is | `Malicious` |
//!
//! `normal` (NSL-KDD, CIDDS, UNSW-NB15) stays `normal` in `attack` (the customary five NSL-KDD
//! classes); `benign` in any case becomes `Benign`. A trailing `.` (KDD'99 style `smurf.`) is ignored.

use serde::{Deserialize, Serialize};

/// How raw labels are grouped into classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Taxonomy {
    /// Labels as the file gives them (for Zeek: the detailed label of malicious rows).
    #[default]
    Raw,
    /// Attack families (see the module table).
    Attack,
    /// `Benign` vs `Malicious` (plus `Background` where the capture has unlabelled traffic).
    Binary,
}

impl Taxonomy {
    pub const ALL: [Taxonomy; 3] = [Taxonomy::Raw, Taxonomy::Attack, Taxonomy::Binary];

    /// The name used on the command line and in the page.
    pub fn name(self) -> &'static str {
        match self {
            Taxonomy::Raw => "raw",
            Taxonomy::Attack => "attack",
            Taxonomy::Binary => "binary",
        }
    }

    /// Parses `raw`, `attack` or `binary`.
    pub fn parse(s: &str) -> Option<Taxonomy> {
        Taxonomy::ALL.into_iter().find(|t| t.name() == s)
    }

    /// The class of `raw` under this taxonomy.
    pub fn map(self, raw: &str) -> String {
        match self {
            Taxonomy::Raw => raw.to_string(),
            Taxonomy::Attack => attack_family(raw),
            Taxonomy::Binary => match family_kind(raw) {
                Kind::Benign => "Benign".into(),
                Kind::Background => "Background".into(),
                Kind::Malicious => "Malicious".into(),
            },
        }
    }
}

enum Kind {
    Benign,
    Background,
    Malicious,
}

fn clean(raw: &str) -> &str {
    raw.trim().trim_end_matches('.')
}

/// Runs once per labelled row (IoT-23's rule looks at `label` first): compares without
/// allocating a lower-cased copy.
fn family_kind(raw: &str) -> Kind {
    let l = clean(raw);
    let is = |w: &str| l.eq_ignore_ascii_case(w);
    if is("benign") || is("normal") {
        Kind::Benign
    } else if l.is_empty() || is("background") || is("unknown") || is("suspicious") {
        Kind::Background
    } else {
        Kind::Malicious
    }
}

const NSL_DOS: &[&str] = &[
    "neptune",
    "back",
    "land",
    "pod",
    "smurf",
    "teardrop",
    "apache2",
    "udpstorm",
    "processtable",
    "mailbomb",
    "worm",
];
const NSL_PROBE: &[&str] = &["satan", "ipsweep", "nmap", "portsweep", "mscan", "saint"];
const NSL_R2L: &[&str] = &[
    "guess_passwd",
    "ftp_write",
    "imap",
    "phf",
    "multihop",
    "warezmaster",
    "warezclient",
    "spy",
    "xlock",
    "xsnoop",
    "snmpguess",
    "snmpgetattack",
    "httptunnel",
    "sendmail",
    "named",
];
const NSL_U2R: &[&str] = &[
    "buffer_overflow",
    "loadmodule",
    "rootkit",
    "perl",
    "sqlattack",
    "xterm",
    "ps",
];

fn attack_family(raw: &str) -> String {
    let c = clean(raw);
    let l = c.to_ascii_lowercase();
    let family = match l.as_str() {
        "normal" => return "normal".into(),
        "benign" => "Benign",
        "background" | "unknown" | "suspicious" | "" => "Background",
        "ddos" => "DDoS",
        "attack" => "Attack",
        "filedownload" => "FileDownload",
        "cc" => "C&C",
        "dos" => "DoS",
        "pingscan" => "PingScan",
        "bruteforce" => "BruteForce",
        "portscan" => "PortScan",
        _ if l == "c&c" || l.starts_with("c&c-") => "C&C",
        _ if l.starts_with("partofahorizontalportscan") => "PortScan",
        _ if l.starts_with("okiru") => "Okiru",
        _ if NSL_DOS.contains(&l.as_str()) => "DoS",
        _ if NSL_PROBE.contains(&l.as_str()) => "Probe",
        _ if NSL_R2L.contains(&l.as_str()) => "R2L",
        _ if NSL_U2R.contains(&l.as_str()) => "U2R",
        _ => return c.to_string(),
    };
    family.to_string()
}

/// Is this Zeek `label` value a benign or background one (so the detailed label is not the class)?
pub(crate) fn is_benign_or_background(label: &str) -> bool {
    !matches!(family_kind(label), Kind::Malicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iot23_detailed_labels_fold_into_families() {
        let a = Taxonomy::Attack;
        assert_eq!(a.map("C&C-FileDownload"), "C&C");
        assert_eq!(a.map("C&C-Torii"), "C&C");
        assert_eq!(a.map("C&C"), "C&C");
        assert_eq!(a.map("PartOfAHorizontalPortScan-Attack"), "PortScan");
        assert_eq!(a.map("Okiru-Attack"), "Okiru");
        assert_eq!(a.map("benign"), "Benign");
        assert_eq!(a.map("DDoS"), "DDoS");
        assert_eq!(a.map("FileDownload"), "FileDownload");
        assert_eq!(a.map("Torii"), "Torii");
    }

    #[test]
    fn nsl_kdd_attacks_fold_into_five_classes() {
        let a = Taxonomy::Attack;
        assert_eq!(a.map("neptune"), "DoS");
        assert_eq!(a.map("smurf."), "DoS");
        assert_eq!(a.map("ipsweep"), "Probe");
        assert_eq!(a.map("warezclient"), "R2L");
        assert_eq!(a.map("rootkit"), "U2R");
        assert_eq!(a.map("normal"), "normal");
    }

    #[test]
    fn binary_separates_benign_background_and_the_rest() {
        let b = Taxonomy::Binary;
        assert_eq!(b.map("BENIGN"), "Benign");
        assert_eq!(b.map("normal."), "Benign");
        assert_eq!(b.map("Background"), "Background");
        assert_eq!(b.map("neptune"), "Malicious");
        assert_eq!(b.map("C&C"), "Malicious");
        assert_eq!(Taxonomy::Raw.map("C&C-Torii"), "C&C-Torii");
    }

    #[test]
    fn names_parse_back() {
        for t in Taxonomy::ALL {
            assert_eq!(Taxonomy::parse(t.name()), Some(t));
        }
        assert_eq!(Taxonomy::parse("family"), None);
    }
}
