//! The values a query computes with, and the records it reads them from.

use std::cmp::Ordering;
use std::sync::Arc;

use super::sql::PathStep;
use super::timestamp;

/// A value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A field the record does not have.
    Missing,
    /// `NULL`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (every CSV field is one).
    Str(String),
    /// A JSON object or array.
    Json(serde_json::Value),
    /// A timestamp.
    Timestamp(time::OffsetDateTime),
}

/// One input record.
#[derive(Clone, Debug)]
pub(crate) enum Record {
    /// A CSV row: its fields, and the header's names when the header is
    /// used (`FileHeaderInfo` `USE`).
    Csv {
        /// The fields.
        fields: Vec<String>,
        /// The column names.
        header: Option<Arc<Vec<String>>>,
    },
    /// A JSON value.
    Json(serde_json::Value),
}

impl Value {
    /// The value of a JSON value.
    pub(crate) fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Str(s.clone()),
            other => Value::Json(other.clone()),
        }
    }

    /// As JSON (`None` for a missing value: its field is left out).
    pub(crate) fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Missing => return None,
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(x) => serde_json::Number::from_f64(*x)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Json(j) => j.clone(),
            Value::Timestamp(t) => serde_json::Value::String(timestamp::format(t)),
        })
    }

    /// As text (CSV output, string functions); null and missing are empty.
    pub(crate) fn text(&self) -> String {
        match self {
            Value::Missing | Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(x) => x.to_string(),
            Value::Str(s) => s.clone(),
            Value::Json(j) => j.to_string(),
            Value::Timestamp(t) => timestamp::format(t),
        }
    }

    /// Null or missing.
    pub(crate) fn is_absent(&self) -> bool {
        matches!(self, Value::Missing | Value::Null)
    }

    /// As a number: numbers, and strings that read as one (CSV fields).
    pub(crate) fn number(&self) -> Option<Value> {
        match self {
            Value::Int(_) | Value::Float(_) => Some(self.clone()),
            Value::Str(s) => {
                let s = s.trim();
                s.parse().map(Value::Int).ok().or_else(|| {
                    s.parse()
                        .ok()
                        .filter(|x: &f64| x.is_finite())
                        .map(Value::Float)
                })
            }
            _ => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(x) => Some(*x),
            _ => None,
        }
    }
}

/// How `a` and `b` order: numbers by value (a string that reads as a
/// number compares as one), strings by bytes, booleans false first;
/// `None` for values that do not compare (null, missing, JSON, a number
/// and a word).
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Timestamp(x), Value::Timestamp(y)) => Some(x.cmp(y)),
        (Value::Str(s), Value::Timestamp(_)) => compare(&Value::Timestamp(timestamp::parse(s)?), b),
        (Value::Timestamp(_), Value::Str(s)) => compare(a, &Value::Timestamp(timestamp::parse(s)?)),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            a.as_f64()?.partial_cmp(&b.as_f64()?)
        }
        (Value::Str(_), Value::Int(_) | Value::Float(_))
        | (Value::Int(_) | Value::Float(_), Value::Str(_)) => compare(&a.number()?, &b.number()?),
        (Value::Str(s), Value::Bool(_)) => compare(&bool_of(s)?, b),
        (Value::Bool(_), Value::Str(s)) => compare(a, &bool_of(s)?),
        _ => None,
    }
}

/// Whether `a` equals `b` (`None`: unknown, a null or missing side).
pub(crate) fn equals(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (x, y) if x.is_absent() || y.is_absent() => None,
        (Value::Json(x), Value::Json(y)) => Some(x == y),
        (Value::Json(_), _) | (_, Value::Json(_)) => Some(false),
        _ => Some(compare(a, b) == Some(Ordering::Equal)),
    }
}

fn bool_of(s: &str) -> Option<Value> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        _ => None,
    }
}

impl Record {
    /// The value at `path` (empty: the record itself).
    pub(crate) fn get(&self, path: &[PathStep]) -> Value {
        match self {
            Record::Json(v) => match walk(v, path) {
                Some(v) => Value::from_json(v),
                None => Value::Missing,
            },
            Record::Csv { fields, header } => match path {
                [] => Value::Json(serde_json::Value::Array(
                    fields
                        .iter()
                        .map(|f| serde_json::Value::String(f.clone()))
                        .collect(),
                )),
                [PathStep::Field { name, exact }] => {
                    let at = position(name, *exact)
                        .or_else(|| header.as_ref().and_then(|h| named(h, name, *exact)));
                    at.and_then(|i| fields.get(i))
                        .map_or(Value::Missing, |f| Value::Str(f.clone()))
                }
                _ => Value::Missing,
            },
        }
    }

    /// Its columns as (name, value), for `SELECT *` into JSON, or into
    /// CSV from JSON.
    pub(crate) fn columns(&self) -> Vec<(String, Value)> {
        match self {
            Record::Csv { fields, header } => fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let name = header
                        .as_ref()
                        .and_then(|h| h.get(i).cloned())
                        .unwrap_or_else(|| format!("_{}", i + 1));
                    (name, Value::Str(f.clone()))
                })
                .collect(),
            Record::Json(serde_json::Value::Object(m)) => m
                .iter()
                .map(|(k, v)| (k.clone(), Value::from_json(v)))
                .collect(),
            Record::Json(v) => vec![("_1".to_string(), Value::from_json(v))],
        }
    }
}

/// `_N` (1-based) as an index.
fn position(name: &str, exact: bool) -> Option<usize> {
    let n: usize = name.strip_prefix('_')?.parse().ok()?;
    (!exact && n >= 1).then(|| n - 1)
}

/// The index of column `name` in `header`.
fn named(header: &[String], name: &str, exact: bool) -> Option<usize> {
    header
        .iter()
        .position(|h| h == name)
        .or_else(|| (!exact).then(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))?)
}

/// The value at `path` in `v`, if there is one (`[*]` is not a single
/// value: none).
fn walk<'a>(v: &'a serde_json::Value, path: &[PathStep]) -> Option<&'a serde_json::Value> {
    let Some((step, rest)) = path.split_first() else {
        return Some(v);
    };
    let next = match (step, v) {
        (PathStep::Field { name, exact }, serde_json::Value::Object(m)) => {
            m.get(name).or_else(|| {
                (!exact)
                    .then(|| {
                        m.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(name))
                            .map(|(_, v)| v)
                    })
                    .flatten()
            })
        }
        (PathStep::Index(i), serde_json::Value::Array(a)) => a.get(*i),
        _ => None,
    }?;
    walk(next, rest)
}

/// The records `FROM S3Object<path>` takes from one JSON value: `[*]`
/// steps into each element of an array (a value that is not one is taken
/// whole).
pub(crate) fn expand(v: serde_json::Value, path: &[PathStep], out: &mut Vec<serde_json::Value>) {
    let Some((step, rest)) = path.split_first() else {
        out.push(v);
        return;
    };
    match (step, v) {
        (PathStep::Wildcard, serde_json::Value::Array(items)) => {
            for item in items {
                expand(item, rest, out);
            }
        }
        (PathStep::Wildcard, v) => expand(v, rest, out),
        (step, v) => {
            if let Some(next) = walk(&v, std::slice::from_ref(step)) {
                expand(next.clone(), rest, out);
            }
        }
    }
}
