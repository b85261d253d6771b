//! A small builder for ONNX graphs: fresh value names, constants, nodes and attributes.

use super::proto::{
    attr_type, dtype, AttributeProto, DimValue, Dimension, GraphProto, NodeProto, TensorProto,
    TensorShapeProto, TensorTypeProto, TypeProto, ValueInfoProto,
};

/// The `ai.onnx.ml` domain (tree ensembles, label encoders).
pub const ML: &str = "ai.onnx.ml";

/// One attribute value.
pub enum Attr {
    Int(i64),
    Float(f32),
    Str(String),
    Ints(Vec<i64>),
    Floats(Vec<f32>),
    Strs(Vec<String>),
}

impl Attr {
    fn proto(self, name: &str) -> AttributeProto {
        let mut a = AttributeProto {
            name: name.to_string(),
            ..Default::default()
        };
        match self {
            Attr::Int(i) => (a.r#type, a.i) = (attr_type::INT, i),
            Attr::Float(f) => (a.r#type, a.f) = (attr_type::FLOAT, f),
            Attr::Str(s) => (a.r#type, a.s) = (attr_type::STRING, s.into_bytes()),
            Attr::Ints(v) => (a.r#type, a.ints) = (attr_type::INTS, v),
            Attr::Floats(v) => (a.r#type, a.floats) = (attr_type::FLOATS, v),
            Attr::Strs(v) => {
                a.r#type = attr_type::STRINGS;
                a.strings = v.into_iter().map(String::into_bytes).collect();
            }
        }
        a
    }
}

/// A graph under construction.
#[derive(Default)]
pub struct Builder {
    pub graph: GraphProto,
    next: usize,
}

/// A `[N, d...]` tensor type with a free batch dimension `N`.
pub fn tensor_info(name: &str, elem: i32, dims: &[i64]) -> ValueInfoProto {
    let mut dim = vec![Dimension {
        value: Some(DimValue::DimParam("N".into())),
    }];
    dim.extend(dims.iter().map(|&d| Dimension {
        value: Some(DimValue::DimValue(d)),
    }));
    ValueInfoProto {
        name: name.to_string(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type: elem,
                shape: Some(TensorShapeProto { dim }),
            }),
        }),
        doc_string: String::new(),
    }
}

impl Builder {
    /// A value name not used before.
    pub fn fresh(&mut self, hint: &str) -> String {
        self.next += 1;
        format!("{hint}_{}", self.next)
    }

    /// Adds a node with one output; returns the output's name.
    pub fn op(&mut self, op: &str, inputs: &[&str], attrs: Vec<(&str, Attr)>) -> String {
        self.op_in(op, "", inputs, attrs)
    }

    /// [`Builder::op`] in an operator domain (`""` for the default one, or [`ML`]).
    pub fn op_in(
        &mut self,
        op: &str,
        domain: &str,
        inputs: &[&str],
        attrs: Vec<(&str, Attr)>,
    ) -> String {
        let out = self.fresh(&op.to_ascii_lowercase());
        self.node(op, domain, inputs, &[&out], attrs);
        out
    }

    /// Adds a node with the given outputs.
    pub fn node(
        &mut self,
        op: &str,
        domain: &str,
        inputs: &[&str],
        outputs: &[&str],
        attrs: Vec<(&str, Attr)>,
    ) {
        let name = self.fresh(&format!("node_{op}"));
        self.graph.node.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.iter().map(|s| s.to_string()).collect(),
            name,
            op_type: op.to_string(),
            domain: domain.to_string(),
            attribute: attrs.into_iter().map(|(n, a)| a.proto(n)).collect(),
        });
    }

    fn constant(
        &mut self,
        data_type: i32,
        dims: &[i64],
        raw: Vec<u8>,
        strings: Vec<Vec<u8>>,
    ) -> String {
        let name = self.fresh("const");
        self.graph.initializer.push(TensorProto {
            dims: dims.to_vec(),
            data_type,
            string_data: strings,
            name: name.clone(),
            raw_data: raw,
        });
        name
    }

    /// A constant `f64` tensor of shape `dims` (row-major values).
    pub fn doubles(&mut self, dims: &[i64], v: &[f64]) -> String {
        let raw = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.constant(dtype::DOUBLE, dims, raw, Vec::new())
    }

    /// A constant `f32` tensor of shape `dims`.
    pub fn floats(&mut self, dims: &[i64], v: &[f32]) -> String {
        let raw = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.constant(dtype::FLOAT, dims, raw, Vec::new())
    }

    /// A constant `i64` tensor of shape `dims`.
    pub fn ints(&mut self, dims: &[i64], v: &[i64]) -> String {
        let raw = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.constant(dtype::INT64, dims, raw, Vec::new())
    }

    /// A constant string tensor of shape `dims`.
    pub fn strings(&mut self, dims: &[i64], v: &[String]) -> String {
        let s = v.iter().map(|x| x.clone().into_bytes()).collect();
        self.constant(dtype::STRING, dims, Vec::new(), s)
    }

    /// A scalar `f64` constant.
    pub fn double(&mut self, v: f64) -> String {
        self.doubles(&[], &[v])
    }

    /// `Cast` to element type `to` (a [`dtype`] value).
    pub fn cast(&mut self, x: &str, to: i32) -> String {
        self.op("Cast", &[x], vec![("to", Attr::Int(to as i64))])
    }

    /// `Where(cond, a, b)`.
    pub fn select(&mut self, cond: &str, a: &str, b: &str) -> String {
        self.op("Where", &[cond, a, b], vec![])
    }

    /// A binary operator.
    pub fn bin(&mut self, op: &str, a: &str, b: &str) -> String {
        self.op(op, &[a, b], vec![])
    }
}
