//! The Train tab's form as plain data: each model's hyper-parameters as typed ([`ModelForm`]) and
//! every other setting as typed or ticked ([`TrainForm`]), turned into the [`JobRequest`] they
//! describe — or the list of everything wrong with them, in the order the page shows it. The page
//! only binds inputs to these fields; the checks are the ones the CLI and the job share
//! ([`ModelSpec::with_values`], [`SplitKind::from_parts`]).

use std::collections::BTreeMap;

use super::JobRequest;
use crate::eval::split::{self, SplitKind};
use crate::features::FeatureOptions;
use crate::ingest::Taxonomy;
use crate::models::params::shown;
use crate::models::registry::{ModelKind, ModelSpec};

/// The editable fields of one model, in its parameter table's order, edited as text (JSON, or a
/// bare name such as `Sqrt`).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelForm {
    /// The model's short name (`rf`, `mlp`, …).
    pub kind: &'static str,
    /// Ticked: trained when the job starts.
    pub on: bool,
    /// Parameter name → text typed.
    pub fields: Vec<(&'static str, String)>,
}

impl ModelForm {
    /// The model's defaults, shown as the user would type them.
    pub fn new(kind: &'static ModelKind, on: bool) -> Self {
        let defaults = (kind.default)().values();
        let fields = kind
            .table
            .iter()
            .map(|p| (p.name, defaults.get(p.name).map(shown).unwrap_or_default()))
            .collect();
        ModelForm {
            kind: kind.name,
            on,
            fields,
        }
    }

    /// The spec the fields describe, or what is wrong with them (checked against the table).
    pub fn spec(&self) -> Result<ModelSpec, String> {
        ModelSpec::with_values(self.kind, &self.fields).map_err(|e| e.to_string())
    }

    /// Sets the text of parameter `name` (no-op for a name the model does not have).
    pub fn set(&mut self, name: &str, text: String) {
        if let Some(field) = self.fields.iter_mut().find(|(n, _)| *n == name) {
            field.1 = text;
        }
    }
}

/// Everything the Train tab's form holds, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainForm {
    pub models: Vec<ModelForm>,
    pub taxonomy: Taxonomy,
    /// `random`, `group` or `kfold`.
    pub split: String,
    /// Read for `random` only.
    pub test_size: String,
    /// Read for `group` and `kfold`.
    pub folds: String,
    /// Read for `kfold` only.
    pub repeats: String,
    pub seed: String,
    pub by_capture: bool,
    pub permutation: bool,
    pub learning_curve: bool,
    pub engineered: bool,
    /// The time of day as an input (off by default: it names the capture).
    pub time_of_day: bool,
    /// Feature or port column → switched on.
    pub columns: BTreeMap<String, bool>,
    /// The port columns of the data (a subset of `columns`' keys).
    pub ports: Vec<String>,
    /// Whether a data set is loaded.
    pub has_data: bool,
}

impl Default for TrainForm {
    /// What the page shows first: the models ticked by default, the split defaults the CLI
    /// shares ([`split`]), every option on, no data.
    fn default() -> Self {
        TrainForm {
            models: crate::models::registry::MODELS
                .iter()
                .map(|k| ModelForm::new(k, k.on_by_default))
                .collect(),
            taxonomy: Taxonomy::default(),
            split: "random".into(),
            test_size: split::DEFAULT_TEST_SIZE.to_string(),
            folds: split::DEFAULT_FOLDS.to_string(),
            repeats: split::DEFAULT_REPEATS.to_string(),
            seed: split::DEFAULT_SEED.to_string(),
            by_capture: true,
            permutation: true,
            learning_curve: true,
            engineered: true,
            time_of_day: false,
            columns: BTreeMap::new(),
            ports: Vec::new(),
            has_data: false,
        }
    }
}

impl TrainForm {
    /// The request the form describes, or every problem with it: model errors, "no model",
    /// unparsable numbers, the split check (only when the numbers parsed), the seed, no data.
    pub fn request(&self) -> Result<JobRequest, Vec<String>> {
        let mut errors = Vec::new();
        let models = self.specs(&mut errors);
        let split = self.split_kind(&mut errors);
        let seed = self.seed.trim().parse::<u64>().unwrap_or_else(|_| {
            errors.push("seed: expected a whole number ≥ 0".into());
            0
        });
        if !self.has_data {
            errors.push("load data first (Data tab)".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut job = JobRequest::new(models);
        job.taxonomy = self.taxonomy;
        job.split = split;
        job.seed = seed;
        job.by_capture = self.by_capture;
        job.permutation = self.permutation;
        job.learning_curve = self.learning_curve;
        job.features = self.features();
        Ok(job)
    }

    /// The ticked models' specs; each bad one adds `kind: error`, none at all adds a note.
    fn specs(&self, errors: &mut Vec<String>) -> Vec<ModelSpec> {
        let mut models = Vec::new();
        let before = errors.len();
        for f in self.models.iter().filter(|f| f.on) {
            match f.spec() {
                Ok(s) => models.push(s),
                Err(e) => errors.push(format!("{}: {e}", f.kind)),
            }
        }
        if models.is_empty() && errors.len() == before {
            errors.push("choose at least one model".into());
        }
        models
    }

    /// The split the settings describe (the default when they are wrong, with errors added).
    fn split_kind(&self, errors: &mut Vec<String>) -> SplitKind {
        let number = |text: &str, name: &str, errors: &mut Vec<String>| -> f64 {
            text.trim().parse::<f64>().unwrap_or_else(|_| {
                errors.push(format!("{name}: expected a number"));
                f64::NAN
            })
        };
        let count = |text: &str, name: &str, errors: &mut Vec<String>| -> usize {
            text.trim().parse::<usize>().unwrap_or_else(|_| {
                errors.push(format!("{name}: expected a whole number"));
                0
            })
        };
        let kind = self.split.as_str();
        let share = if kind == "random" {
            number(&self.test_size, "test size", errors)
        } else {
            split::DEFAULT_TEST_SIZE
        };
        let (folds, repeats) = match kind {
            "random" => (split::DEFAULT_FOLDS, split::DEFAULT_REPEATS),
            "group" => (count(&self.folds, "folds", errors), split::DEFAULT_REPEATS),
            _ => (
                count(&self.folds, "folds", errors),
                count(&self.repeats, "repeats", errors),
            ),
        };
        // The one check the CLI and the job share; only reported when the numbers parsed.
        let checked = SplitKind::from_parts(kind, share, folds, repeats);
        if errors.is_empty() {
            if let Err(e) = &checked {
                errors.push(e.to_string());
            }
        }
        checked.unwrap_or_default()
    }

    /// The feature options: ports are used once any port is switched on, every column switched
    /// off (ports too, then) is excluded by name, and so is the time of day unless switched on.
    fn features(&self) -> FeatureOptions {
        let (mut include_ports, mut exclude) = (false, Vec::new());
        for (name, &on) in &self.columns {
            if self.ports.contains(name) && on {
                include_ports = true;
            } else if !on {
                exclude.push(name.clone());
            }
        }
        FeatureOptions {
            include_ports,
            engineered: self.engineered,
            exclude_columns: exclude,
            ..FeatureOptions::default()
        }
        .time_of_day(self.time_of_day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded() -> TrainForm {
        TrainForm {
            has_data: true,
            ..TrainForm::default()
        }
    }

    #[test]
    fn the_defaults_make_the_default_request() {
        let job = loaded().request().unwrap();
        assert_eq!(job.split, SplitKind::default());
        assert_eq!(job.seed, split::DEFAULT_SEED);
        assert!(job.by_capture && job.permutation && job.learning_curve);
        assert!(job.features.engineered && !job.features.include_ports);
        let ticked: Vec<_> = crate::models::registry::MODELS
            .iter()
            .filter(|k| k.on_by_default)
            .map(|k| k.name)
            .collect();
        assert_eq!(job.models.len(), ticked.len());
    }

    #[test]
    fn every_problem_is_listed_in_order() {
        let mut form = TrainForm::default();
        form.models.iter_mut().for_each(|m| m.on = false);
        form.test_size = "x".into();
        form.seed = "-1".into();
        assert_eq!(
            form.request().unwrap_err(),
            [
                "choose at least one model",
                "test size: expected a number",
                "seed: expected a whole number ≥ 0",
                "load data first (Data tab)",
            ]
        );
    }

    #[test]
    fn a_bad_parameter_names_its_model() {
        let mut form = loaded();
        let first = form.models.iter().position(|m| m.on).unwrap();
        let name = form.models[first].fields[0].0;
        form.models[first].set(name, "not a value".into());
        let errors = form.request().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with(&format!("{}: ", form.models[first].kind)));
    }

    #[test]
    fn the_split_check_runs_only_when_the_numbers_parse() {
        let mut form = loaded();
        form.split = "kfold".into();
        form.folds = "1".into();
        form.repeats = "2".into();
        assert_eq!(form.request().unwrap_err().len(), 1);
        form.repeats = "two".into();
        assert_eq!(
            form.request().unwrap_err(),
            ["repeats: expected a whole number"]
        );
        form.folds = "3".into();
        form.repeats = "2".into();
        let job = form.request().unwrap();
        assert_eq!(
            job.split,
            SplitKind::KFold {
                folds: 3,
                repeats: 2
            }
        );
        // Fields of other splits are not read.
        form.split = "group".into();
        form.repeats = "two".into();
        form.test_size = "x".into();
        assert_eq!(form.request().unwrap().split, SplitKind::Group { folds: 3 });
    }

    #[test]
    fn ports_switch_on_together_and_off_by_name() {
        let mut form = loaded();
        form.ports = vec!["src_port".into(), "dst_port".into()];
        form.columns = [
            ("duration", true),
            ("bytes", false),
            ("src_port", false),
            ("dst_port", false),
        ]
        .into_iter()
        .map(|(n, on)| (n.to_string(), on))
        .collect();
        let features = form.request().unwrap().features;
        assert!(!features.include_ports);
        assert_eq!(
            features.exclude_columns,
            ["bytes", "dst_port", "src_port", "hour_of_day"]
        );
        form.columns.insert("dst_port".into(), true);
        form.time_of_day = true;
        let features = form.request().unwrap().features;
        assert!(features.include_ports);
        assert_eq!(features.exclude_columns, ["bytes", "src_port"]);
    }
}
