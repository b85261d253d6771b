//! The leakage detector on real IoT-23 rows: addresses and ports predict the label alone.
#![cfg(not(target_arch = "wasm32"))]

use crate::common::*;
use flowlab::eval::{leakage, split};
use flowlab::ingest::Taxonomy;

#[test]
fn identifiers_and_ports_are_flagged_with_numbers() {
    let d = load_one("iot23-mix.csv");
    let (y, classes) = d.labels_as(Taxonomy::Attack);
    let s = split::stratified_holdout(&y, 0.3, 1);
    let found = leakage::detect(&d, &y, classes.len(), &s);
    let get = |c: &str| {
        found
            .iter()
            .find(|f| f.column == c)
            .unwrap_or_else(|| panic!("{c}"))
    };
    let orig_h = get("id.orig_h");
    assert!(orig_h.warn && orig_h.alone_macro_f1 > 0.55, "{orig_h:?}"); // measured 0.586
    let uid = get("uid");
    assert!(
        uid.warn && uid.message.contains("identifier-like"),
        "{uid:?}"
    );
    let port = get("id.resp_p");
    assert!(port.warn && port.alone_macro_f1 > 0.9, "{port:?}"); // measured 0.929: the destination port alone
    assert_eq!(
        found[0].column, "id.resp_p",
        "the strongest single column is the destination port"
    );
    let ts = get("ts");
    assert!(ts.warn && ts.alone_macro_f1 > 0.6, "{ts:?}"); // measured 0.682
    assert!((port.baseline_macro_f1 - 0.0797).abs() < 1e-3);
    assert!(found
        .iter()
        .all(|f| f.column != "label" && f.column != "detailed-label"));
    assert!(found
        .windows(2)
        .all(|w| w[0].alone_macro_f1 >= w[1].alone_macro_f1));
}
