//! Hostile model files (issue 16, part 3): a damaged or crafted model file is refused with an
//! error that says what is wrong; it never panics, loops or allocates more than the file holds.
//! Files are made from the committed fixture model by editing its public parts, by splicing in a
//! hand-made tree (a mirror of the tree's serialised form, without its checks), or by hand.
#![cfg(not(target_arch = "wasm32"))]

use std::time::Instant;

use flowlab::job::TrainedModel;
use flowlab::model_file::{self, ModelFileError};
use flowlab::models::registry::Model;
use serde::{Deserialize, Serialize};

use crate::common::fixture;

/// The fixture model (a decision tree on IoT-23 flows).
fn dt_model() -> TrainedModel {
    let bytes = std::fs::read(fixture("models/iot23-dt.flowlab")).unwrap();
    model_file::read(&bytes).unwrap()
}

/// The message of a refused file (it must be refused as damaged, not as another file).
fn refused(bytes: &[u8]) -> String {
    let started = Instant::now();
    let r = model_file::read::<TrainedModel>(bytes);
    assert!(
        started.elapsed().as_secs() < 2,
        "refusing took {:?}",
        started.elapsed()
    );
    match r {
        Err(ModelFileError::Corrupt(m)) => m,
        other => panic!("expected a damaged-file error, got {other:?}"),
    }
}

/// A model file holding `payload`.
fn file_of(payload: &[u8]) -> Vec<u8> {
    let mut out = model_file::MAGIC.to_vec();
    out.extend_from_slice(&model_file::VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// A decision tree node as it is serialised (same fields, same order), without the checks.
#[derive(Serialize, Deserialize, Clone)]
struct RawNode {
    feature: u32,
    threshold: f32,
    bin: u8,
    missing_left: bool,
    left: u32,
    right: u32,
    leaf: u32,
    samples: u32,
    weight: f32,
    impurity: f32,
    gain: f32,
}

/// A decision tree as it is serialised.
#[derive(Serialize, Deserialize, Clone)]
struct RawTree {
    nodes: Vec<RawNode>,
    leaf_proba: Vec<f32>,
    n_classes: usize,
    n_features: usize,
}

/// The fixture tree's serialised bytes (a model file's payload) and its mirror.
fn tree_bytes() -> (Vec<u8>, RawTree) {
    let Model::Dt(tree) = dt_model().model else {
        panic!("the fixture is a decision tree")
    };
    let bytes = model_file::write(&tree).unwrap()[20..].to_vec();
    let raw: RawTree = serde_json::from_value(serde_json::to_value(&tree).unwrap()).unwrap();
    assert_eq!(
        model_file::write(&raw).unwrap()[20..],
        bytes[..],
        "mirror matches"
    );
    (bytes, raw)
}

/// The fixture model's file with its tree's bytes replaced by `new`: they are found in the
/// model's payload (bincode concatenates fields) and swapped.
fn splice_tree(new: &[u8]) -> Vec<u8> {
    let payload = model_file::write(&dt_model()).unwrap()[20..].to_vec();
    let (old, _) = tree_bytes();
    let at = payload
        .windows(old.len())
        .position(|w| w == old)
        .expect("the tree's bytes are in the model's");
    let mut out = payload[..at].to_vec();
    out.extend_from_slice(new);
    out.extend_from_slice(&payload[at + old.len()..]);
    file_of(&out)
}

/// The fixture model's file with its tree replaced by `edit` of it.
fn with_tree(edit: impl Fn(&mut RawTree)) -> Vec<u8> {
    let (_, mut raw) = tree_bytes();
    edit(&mut raw);
    splice_tree(&model_file::write(&raw).unwrap()[20..])
}

#[test]
fn the_fixture_and_an_unedited_splice_still_read() {
    let bytes = with_tree(|_| {});
    assert_eq!(
        model_file::read::<TrainedModel>(&bytes).unwrap(),
        dt_model()
    );
}

#[test]
fn a_child_index_out_of_range_is_refused() {
    let msg = refused(&with_tree(|t| {
        let split = t.nodes.iter().position(|n| n.left != 0).unwrap();
        t.nodes[split].left = 1_000_000;
        t.nodes[split].right = 1_000_001;
    }));
    assert!(msg.contains("decision tree: node 0 is malformed"), "{msg}");
}

#[test]
fn a_child_pointing_back_up_is_refused() {
    // A loop would make prediction walk forever.
    let msg = refused(&with_tree(|t| {
        let split = t.nodes.iter().rposition(|n| n.left != 0).unwrap();
        t.nodes[split].left = 0;
        t.nodes[split].right = 1;
        t.nodes[split].left = split as u32;
        t.nodes[split].right = split as u32 + 1;
    }));
    assert!(msg.contains("is malformed"), "{msg}");
}

#[test]
fn a_feature_index_past_the_tree_or_the_pipeline_is_refused() {
    let msg = refused(&with_tree(|t| {
        t.nodes[0].feature = t.n_features as u32;
    }));
    assert!(msg.contains("decision tree: node 0 is malformed"), "{msg}");
    // The tree reads more features than the pipeline makes.
    let mut m = dt_model();
    m.pipeline.features.pop();
    let msg = refused(&model_file::write(&m).unwrap());
    assert!(
        msg.contains("the feature pipeline does not give the inputs the model reads"),
        "{msg}"
    );
}

#[test]
fn a_leaf_past_the_leaf_table_or_a_wrong_class_count_is_refused() {
    let msg = refused(&with_tree(|t| {
        let leaf = t.nodes.iter().position(|n| n.left == 0).unwrap();
        t.nodes[leaf].leaf = u32::MAX;
    }));
    assert!(msg.contains("is malformed"), "{msg}");
    let msg = refused(&with_tree(|t| t.n_classes = 1 << 40));
    assert!(msg.contains("empty tree or bad leaf table"), "{msg}");
    let mut m = dt_model();
    m.classes.push("extra".into());
    let msg = refused(&model_file::write(&m).unwrap());
    assert!(msg.contains("class names do not match"), "{msg}");
}

#[test]
fn huge_length_fields_allocate_nothing() {
    // bincode's varint: 0xfd then a u64. The first field of a model file is the pipeline's list
    // of features: claim 2^60 of them, in a 9-byte payload.
    let huge = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0x10];
    let msg = refused(&file_of(&huge));
    assert!(!msg.is_empty());
    // The same claim inside a real model: its tree's node list (the tree's first field, a
    // varint: one byte below 251, else a marker byte 251/252/253 then 2/4/8 bytes).
    let (tree, _) = tree_bytes();
    let skip = match tree[0] {
        0..=250 => 1,
        251 => 3,
        252 => 5,
        _ => 9,
    };
    let mut forged = huge.to_vec();
    forged.extend_from_slice(&tree[skip..]);
    let msg = refused(&splice_tree(&forged));
    assert!(!msg.is_empty());
    let m = dt_model();
    // A whole file whose header claims more bytes than it has is truncated, not allocated.
    let mut file = model_file::write(&m).unwrap();
    file[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        model_file::read::<TrainedModel>(&file),
        Err(ModelFileError::Truncated { .. })
    ));
}

#[test]
fn a_network_whose_layers_do_not_fit_is_refused() {
    use flowlab::models::mlp::{Mlp, MlpParams};
    let m = dt_model();
    let d = m.pipeline.width();
    let k = m.classes.len();
    // A network fitted on a few rows of the fixture's width: then damaged three ways.
    let x = flowlab::data::Matrix {
        rows: 2 * k,
        cols: d,
        data: (0..2 * k * d).map(|i| (i % 7) as f32).collect(),
    };
    let y: Vec<u32> = (0..2 * k as u32).map(|i| i % k as u32).collect();
    let params = MlpParams {
        max_epochs: 1,
        ..MlpParams::default()
    };
    let net = Mlp::fit(&params, &x, &y, k, &mut |_| true).unwrap();
    let good = TrainedModel {
        model: Model::Mlp(net),
        ..m
    };
    assert!(model_file::read::<TrainedModel>(&model_file::write(&good).unwrap()).is_ok());
    let mut bad = good.clone();
    let Model::Mlp(net) = &mut bad.model else {
        panic!()
    };
    net.layers[0].weights.pop();
    let msg = refused(&model_file::write(&bad).unwrap());
    assert!(msg.contains("MLP: a layer's weights do not match"), "{msg}");
    let mut bad = good.clone();
    let Model::Mlp(net) = &mut bad.model else {
        panic!()
    };
    net.layers.clear();
    let msg = refused(&model_file::write(&bad).unwrap());
    assert!(
        msg.contains("MLP: a layer's weights do not match") || msg.contains("no layers"),
        "{msg}"
    );
    let mut bad = good;
    let Model::Mlp(net) = &mut bad.model else {
        panic!()
    };
    net.standardizer.std.pop();
    let msg = refused(&model_file::write(&bad).unwrap());
    assert!(msg.contains("MLP: the input scaling"), "{msg}");
}

/// Found by the `model_file` fuzz target (a timeout under the sanitizer): a 38-byte file whose
/// 10-byte payload claims a 32 MiB string. bincode allocated the claimed bytes before finding
/// the input too short; the decoder's limit now fits the payload, so the claim is refused
/// before any allocation, and so is a claim of 2 GiB.
#[test]
fn a_small_file_claiming_a_huge_string_is_refused_before_allocating() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz-regressions/model_file/timeout-huge-string-claim");
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes.len(), 38);
    let e = flowlab::model_file::read::<flowlab::job::TrainedModel>(&bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the model file is damaged: a length in it claims more memory than its 10 bytes can hold"
    );
    // The same with the length prefix raised to 0x7f00_0000 (2,130,706,432 bytes).
    let mut big = bytes.clone();
    big[29..33].copy_from_slice(&0x7f00_0000u32.to_le_bytes());
    let e = flowlab::model_file::read::<flowlab::job::TrainedModel>(&big).unwrap_err();
    assert!(e.to_string().contains("claims more memory"), "{e}");
}
