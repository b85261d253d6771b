//! What each public data set's labels mean: one table, and one pure function per data set that
//! folds its raw labels into attack families. The [`attack`](super::Taxonomy::Attack) and
//! [`binary`](super::Taxonomy::Binary) taxonomies ask these functions first (see
//! [`dataset_family`]), so a file of any of these data sets gets the families below whatever
//! reader produced its raw label.
//!
//! | data set | label column(s) → raw label | raw labels (examples) | `attack` family | `binary` |
//! |---|---|---|---|---|
//! | CIC-IDS2017 | ` Label` | `BENIGN` | `Benign` | `Benign` |
//! | | | `DoS Hulk`, `DoS GoldenEye`, `DoS slowloris`, `DoS Slowhttptest` | `DoS` | `Malicious` |
//! | | | `DDoS` | `DDoS` | `Malicious` |
//! | | | `PortScan` | `PortScan` | `Malicious` |
//! | | | `Bot` | `Bot` | `Malicious` |
//! | | | `FTP-Patator`, `SSH-Patator` | `BruteForce` | `Malicious` |
//! | | | `Web Attack – Brute Force`, `Web Attack – XSS`, `Web Attack – Sql Injection` (en dash; in the real files also the mojibake `Web Attack � Brute Force`, `Web Attack â€“ XSS`, `Web Attack \u{96} …`) | `WebAttack` | `Malicious` |
//! | | | `Infiltration` | `Infiltration` | `Malicious` |
//! | | | `Heartbleed` | `Heartbleed` | `Malicious` |
//! | CSE-CIC-IDS2018 | `Label` | `Benign` | `Benign` | `Benign` |
//! | | | `DoS attacks-Hulk`, `DoS attacks-GoldenEye`, `DoS attacks-Slowloris`, `DoS attacks-SlowHTTPTest` | `DoS` | `Malicious` |
//! | | | `DDoS attacks-LOIC-HTTP`, `DDOS attack-LOIC-UDP`, `DDOS attack-HOIC` | `DDoS` | `Malicious` |
//! | | | `FTP-BruteForce`, `SSH-Bruteforce` | `BruteForce` | `Malicious` |
//! | | | `Brute Force -Web`, `Brute Force -XSS`, `SQL Injection` | `WebAttack` | `Malicious` |
//! | | | `Infilteration` (sic), `Bot` | `Infiltration`, `Bot` | `Malicious` |
//! | UNSW-NB15 | `attack_cat`, else `Normal` where `label` is 0 ([`unsw_nb15_label`]) | `Normal` | `normal` | `Benign` |
//! | | | `Fuzzers`, `Analysis`, `Backdoor`/`Backdoors`, `DoS`, `Exploits`, `Generic`, `Reconnaissance`, `Shellcode`, `Worms` (the raw files pad some with spaces) | the same, trimmed; `Backdoors` → `Backdoor` | `Malicious` |
//! | ToN-IoT (network) | `type` | `normal` | `normal` | `Benign` |
//! | | | `backdoor`, `ddos`, `dos`, `injection`, `mitm`, `password`, `ransomware`, `scanning`, `xss` | `Backdoor`, `DDoS`, `DoS`, `Injection`, `MITM`, `Password`, `Ransomware`, `Scanning`, `XSS` | `Malicious` |
//! | BoT-IoT | `category` + `subcategory` → `category/subcategory` ([`bot_iot_label`]) | `Normal` | `normal` | `Benign` |
//! | | | `DoS/TCP`, `DDoS/HTTP`, `Reconnaissance/Service_Scan`, `Theft/Keylogging`, `Theft/Data_Exfiltration` | the category: `DoS`, `DDoS`, `Reconnaissance`, `Theft` | `Malicious` |
//! | CTU-13 (Argus `binetflow`) | `Label` | `flow=From-Botnet-V42-TCP-CC6-Plain-HTTP-Encrypted-Data` (any label naming `Botnet`) | `Botnet` | `Malicious` |
//! | | | `flow=From-Normal-V42-Stribrka`, `flow=Normal-V42-…` (naming `Normal`) | `Normal` | `Benign` |
//! | | | `flow=Background-UDP-Established`, `flow=To-Background-CVUT-WebServer` (anything else) | `Background` | `Background` |
//! | IoT-23, NSL-KDD, CIDDS | see [`labels`](super::Taxonomy) | | | |
//!
//! The `family` taxonomy (malware family, IoT-23) is in [`super::family`].
//!
//! Sources: CIC-IDS2017 and CSE-CIC-IDS2018 label lists from the Canadian Institute for
//! Cybersecurity's data set pages (unb.ca/cic/datasets/ids-2017.html, ids-2018.html); UNSW-NB15
//! from `UNSW-NB15_features.csv` and the training/testing sets; ToN-IoT from the
//! `Train_Test_Network` data set's `type` column; BoT-IoT from its `category`/`subcategory`
//! columns; CTU-13 from stratosphereips.org/datasets-ctu13 (labels are `Botnet`, `Normal` or
//! `Background` flows).

/// The CIC-IDS2017 / CSE-CIC-IDS2018 attack family of a raw label (`DoS Hulk` → `DoS`,
/// `Web Attack – XSS` → `WebAttack`, `BENIGN` → `Benign`), or `None` when the label is not one
/// of those data sets'. Case, surrounding spaces and the en dash's mojibake do not matter.
pub fn cic_ids_family(raw: &str) -> Option<&'static str> {
    let l = raw.trim().to_ascii_lowercase();
    let l = l.as_str();
    let family = match l {
        "benign" => "Benign",
        "ddos" => "DDoS",
        "portscan" => "PortScan",
        "bot" => "Bot",
        "infiltration" | "infilteration" => "Infiltration",
        "heartbleed" => "Heartbleed",
        "ftp-patator" | "ssh-patator" | "ftp-bruteforce" | "ssh-bruteforce" => "BruteForce",
        "sql injection" | "brute force -web" | "brute force -xss" => "WebAttack",
        _ if l.starts_with("web attack") => "WebAttack",
        _ if l.starts_with("dos attacks-") || cic_2017_dos(l) => "DoS",
        _ if l.starts_with("ddos attack") => "DDoS",
        _ => return None,
    };
    Some(family)
}

/// CIC-IDS2017's four DoS tools.
fn cic_2017_dos(l: &str) -> bool {
    matches!(
        l,
        "dos hulk" | "dos goldeneye" | "dos slowloris" | "dos slowhttptest"
    )
}

/// UNSW-NB15's raw label of a row from its two label columns: the trimmed `attack_cat`
/// (`Backdoors` spelt as the training set spells it, `Backdoor`), or `Normal` where
/// `attack_cat` is empty or `-` and `label` is `0`. `None` when neither says (an empty
/// `attack_cat` with `label` 1 or missing).
pub fn unsw_nb15_label(attack_cat: &str, label: &str) -> Option<String> {
    let cat = attack_cat.trim();
    if cat.is_empty() || cat == "-" {
        return (label.trim() == "0").then(|| "Normal".to_string());
    }
    Some(unsw_nb15_family(cat).map_or_else(|| cat.to_string(), str::to_string))
}

/// The UNSW-NB15 attack category of a raw label, or `None` if it is not one of the data set's
/// ten categories (`Normal` gives `normal`, as NSL-KDD's).
pub fn unsw_nb15_family(raw: &str) -> Option<&'static str> {
    let family = match raw.trim().to_ascii_lowercase().as_str() {
        "normal" => "normal",
        "fuzzers" => "Fuzzers",
        "analysis" => "Analysis",
        "backdoor" | "backdoors" => "Backdoor",
        "dos" => "DoS",
        "exploits" => "Exploits",
        "generic" => "Generic",
        "reconnaissance" => "Reconnaissance",
        "shellcode" => "Shellcode",
        "worms" => "Worms",
        _ => return None,
    };
    Some(family)
}

/// The ToN-IoT attack family of a `type` value (`ddos` → `DDoS`, `normal` → `normal`), or
/// `None` if it is not one of the data set's ten types.
pub fn ton_iot_family(raw: &str) -> Option<&'static str> {
    let family = match raw.trim().to_ascii_lowercase().as_str() {
        "normal" => "normal",
        "backdoor" => "Backdoor",
        "ddos" => "DDoS",
        "dos" => "DoS",
        "injection" => "Injection",
        "mitm" => "MITM",
        "password" => "Password",
        "ransomware" => "Ransomware",
        "scanning" => "Scanning",
        "xss" => "XSS",
        _ => return None,
    };
    Some(family)
}

const BOT_IOT_CATEGORIES: [&str; 5] = ["Normal", "DoS", "DDoS", "Reconnaissance", "Theft"];

/// BoT-IoT's raw label of a row: `category/subcategory` (`DDoS/HTTP`,
/// `Theft/Data_Exfiltration`), or `Normal` for normal rows (whose subcategory is `Normal` too).
/// `None` when the category is empty.
pub fn bot_iot_label(category: &str, subcategory: &str) -> Option<String> {
    let (c, s) = (category.trim(), subcategory.trim());
    if c.is_empty() || c == "-" {
        return None;
    }
    Some(
        if c.eq_ignore_ascii_case("normal") || s.is_empty() || s.eq_ignore_ascii_case(c) {
            c.to_string()
        } else {
            format!("{c}/{s}")
        },
    )
}

/// The BoT-IoT category of a raw label made by [`bot_iot_label`] (`DoS/TCP` → `DoS`,
/// `Normal` → `normal`), or `None` if its category is not one of BoT-IoT's five.
pub fn bot_iot_family(raw: &str) -> Option<&'static str> {
    let category = raw.split('/').next().unwrap_or("").trim();
    let known = BOT_IOT_CATEGORIES
        .into_iter()
        .find(|c| c.eq_ignore_ascii_case(category))?;
    // A bare `DoS`/`DDoS` is every data set's; only `category/subcategory` is surely BoT-IoT's.
    if !raw.contains('/') && known != "Normal" && known != "Theft" {
        return None;
    }
    Some(if known == "Normal" { "normal" } else { known })
}

/// The CTU-13 class of an Argus `binetflow` label: `Botnet`, `Normal` or `Background`, or
/// `None` if the label is not a CTU-13 one (they start with `flow=`).
pub fn ctu13_class(raw: &str) -> Option<&'static str> {
    let l = raw.trim();
    if !l.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("flow=")) {
        return None;
    }
    let lower = l.to_ascii_lowercase();
    Some(if lower.contains("botnet") {
        "Botnet"
    } else if lower.contains("normal") {
        "Normal"
    } else {
        "Background"
    })
}

/// The family of a raw label as the data set it comes from names it (the table above), or
/// `None` when no data set of the table claims it. Tried in the order CTU-13, CIC-IDS, BoT-IoT,
/// ToN-IoT, UNSW-NB15: the first two are unambiguous, and the last three's bare names (`dos`,
/// `normal`) fold to the same family whichever claims them.
pub fn dataset_family(raw: &str) -> Option<&'static str> {
    ctu13_class(raw)
        .or_else(|| cic_ids_family(raw))
        .or_else(|| bot_iot_family(raw))
        .or_else(|| ton_iot_family(raw))
        .or_else(|| unsw_nb15_family(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cic_ids_labels_fold_into_eight_families() {
        let cases = [
            ("BENIGN", "Benign"),
            ("DoS Hulk", "DoS"),
            ("DoS slowloris", "DoS"),
            ("DoS attacks-SlowHTTPTest", "DoS"),
            ("DDoS", "DDoS"),
            ("DDoS attacks-LOIC-HTTP", "DDoS"),
            ("DDOS attack-HOIC", "DDoS"),
            ("PortScan", "PortScan"),
            ("Bot", "Bot"),
            ("FTP-Patator", "BruteForce"),
            ("SSH-Bruteforce", "BruteForce"),
            ("Web Attack – Brute Force", "WebAttack"),
            ("Web Attack \u{fffd} Brute Force", "WebAttack"),
            ("Web Attack â€“ XSS", "WebAttack"),
            ("Web Attack \u{96} Sql Injection", "WebAttack"),
            ("Brute Force -XSS", "WebAttack"),
            ("SQL Injection", "WebAttack"),
            ("Infiltration", "Infiltration"),
            ("Infilteration", "Infiltration"),
            ("Heartbleed", "Heartbleed"),
        ];
        for (raw, family) in cases {
            assert_eq!(cic_ids_family(raw), Some(family), "{raw}");
        }
        assert_eq!(cic_ids_family("neptune"), None);
        assert_eq!(cic_ids_family("C&C"), None);
    }

    #[test]
    fn unsw_nb15_label_reads_both_columns() {
        assert_eq!(unsw_nb15_label("", "0").as_deref(), Some("Normal"));
        assert_eq!(unsw_nb15_label("-", "0").as_deref(), Some("Normal"));
        assert_eq!(
            unsw_nb15_label(" Fuzzers ", "1").as_deref(),
            Some("Fuzzers")
        );
        assert_eq!(
            unsw_nb15_label("Backdoors", "1").as_deref(),
            Some("Backdoor")
        );
        assert_eq!(unsw_nb15_label("", "1"), None);
        assert_eq!(unsw_nb15_family(" Reconnaissance "), Some("Reconnaissance"));
        assert_eq!(unsw_nb15_family("Normal"), Some("normal"));
        assert_eq!(unsw_nb15_family("PortScan"), None);
    }

    #[test]
    fn ton_iot_types_are_named() {
        assert_eq!(ton_iot_family("mitm"), Some("MITM"));
        assert_eq!(ton_iot_family("xss"), Some("XSS"));
        assert_eq!(ton_iot_family("normal"), Some("normal"));
        assert_eq!(ton_iot_family("ransomware"), Some("Ransomware"));
        assert_eq!(ton_iot_family("Okiru"), None);
    }

    #[test]
    fn bot_iot_joins_category_and_subcategory() {
        assert_eq!(bot_iot_label("DDoS", "HTTP").as_deref(), Some("DDoS/HTTP"));
        assert_eq!(bot_iot_label("Normal", "Normal").as_deref(), Some("Normal"));
        assert_eq!(bot_iot_label("", "TCP"), None);
        assert_eq!(bot_iot_family("DDoS/HTTP"), Some("DDoS"));
        assert_eq!(bot_iot_family("Theft/Keylogging"), Some("Theft"));
        assert_eq!(
            bot_iot_family("Reconnaissance/OS_Fingerprint"),
            Some("Reconnaissance")
        );
        assert_eq!(bot_iot_family("Normal"), Some("normal"));
        assert_eq!(bot_iot_family("DoS"), None);
    }

    #[test]
    fn ctu13_labels_are_botnet_normal_or_background() {
        let b = "flow=From-Botnet-V42-TCP-CC6-Plain-HTTP-Encrypted-Data";
        assert_eq!(ctu13_class(b), Some("Botnet"));
        assert_eq!(ctu13_class("flow=From-Normal-V42-Stribrka"), Some("Normal"));
        assert_eq!(
            ctu13_class("flow=Background-UDP-Established"),
            Some("Background")
        );
        assert_eq!(
            ctu13_class("flow=To-Background-CVUT-WebServer"),
            Some("Background")
        );
        assert_eq!(ctu13_class("Botnet"), None);
        assert_eq!(dataset_family(b), Some("Botnet"));
        assert_eq!(dataset_family("DoS Hulk"), Some("DoS"));
        assert_eq!(dataset_family("C&C-Torii"), None);
    }
}
