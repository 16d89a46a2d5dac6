//! Evaluating expressions over a record, with SQL's three-valued logic
//! (a comparison with null or missing is unknown, and only a true filter
//! keeps a record), and folding records into aggregates.

use std::cmp::Ordering;

use super::error::{SelectError, SelectErrorKind};
use super::sql::{Aggregate, BinaryOp, CastType, Expr, Function, Literal, TrimSide};
use super::timestamp;
use super::value::{compare, equals, Record, Value};

/// The value of `e` for `record`; `aggregates`: the folded values an
/// aggregate query's items read (`None` while records are read).
pub(crate) fn eval(
    e: &Expr,
    record: &Record,
    aggregates: Option<&[Value]>,
) -> Result<Value, SelectError> {
    let ev = |e: &Expr| eval(e, record, aggregates);
    Ok(match e {
        Expr::Literal(l) => literal(l),
        Expr::Path(p) => record.get(p),
        Expr::Not(a) => match truth(&ev(a)?) {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        Expr::Negate(a) => match ev(a)?.number() {
            Some(Value::Int(i)) => i
                .checked_neg()
                .map_or(Value::Float(-(i as f64)), Value::Int),
            Some(Value::Float(x)) => Value::Float(-x),
            _ => Value::Null,
        },
        Expr::Binary(op, a, b) => binary(*op, ev(a)?, ev(b)?)?,
        Expr::Like {
            value,
            pattern,
            escape,
            negated,
        } => {
            let (v, p) = (ev(value)?, ev(pattern)?);
            if v.is_absent() || p.is_absent() {
                return Ok(Value::Null);
            }
            let escape = match escape {
                Some(e) => {
                    let t = ev(e)?.text();
                    let mut chars = t.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => Some(c),
                        _ => {
                            return Err(SelectError::new(
                                SelectErrorKind::InvalidArguments,
                                "The ESCAPE of LIKE must be one character",
                            ))
                        }
                    }
                }
                None => None,
            };
            let pattern: Vec<char> = p.text().chars().collect();
            // Matching costs up to text × pattern: a pattern is kept short.
            if pattern.len() > MAX_LIKE_PATTERN {
                return Err(invalid(format!(
                    "A LIKE pattern is longer than {MAX_LIKE_PATTERN} characters"
                )));
            }
            let text: Vec<char> = v.text().chars().collect();
            Value::Bool(like(&text, &pattern, escape) != *negated)
        }
        Expr::Between {
            value,
            low,
            high,
            negated,
        } => {
            // `v >= low AND v <= high`, with AND's null logic.
            let v = ev(value)?;
            let above = compare(&v, &ev(low)?).map_or(Value::Null, |o| Value::Bool(o.is_ge()));
            let below = compare(&v, &ev(high)?).map_or(Value::Null, |o| Value::Bool(o.is_le()));
            match (binary(BinaryOp::And, above, below)?, *negated) {
                (Value::Bool(b), negated) => Value::Bool(b != negated),
                (other, _) => other,
            }
        }
        Expr::In {
            value,
            list,
            negated,
        } => {
            let v = ev(value)?;
            let mut unknown = false;
            let mut found = false;
            for item in list {
                match equals(&v, &ev(item)?) {
                    Some(true) => {
                        found = true;
                        break;
                    }
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            match (found, unknown) {
                (true, _) => Value::Bool(!negated),
                (false, true) => Value::Null,
                (false, false) => Value::Bool(*negated),
            }
        }
        Expr::IsNull {
            value,
            negated,
            missing,
        } => {
            let v = ev(value)?;
            let is = if *missing {
                v == Value::Missing
            } else {
                v.is_absent()
            };
            Value::Bool(is != *negated)
        }
        Expr::Cast(a, t) => cast(ev(a)?, *t)?,
        Expr::Call(f, args) => {
            let args = args.iter().map(ev).collect::<Result<Vec<_>, _>>()?;
            call(*f, args)?
        }
        Expr::Aggregate { slot, .. } => match aggregates.and_then(|a| a.get(*slot)) {
            Some(v) => v.clone(),
            None => {
                return Err(SelectError::new(
                    SelectErrorKind::UnsupportedSyntax,
                    "An aggregate is not allowed here",
                ))
            }
        },
        Expr::Case {
            operand,
            arms,
            otherwise,
        } => {
            let operand = operand.as_deref().map(ev).transpose()?;
            for (when, then) in arms {
                let w = ev(when)?;
                let hit = match &operand {
                    Some(o) => equals(o, &w) == Some(true),
                    None => truth(&w) == Some(true),
                };
                if hit {
                    return ev(then);
                }
            }
            match otherwise {
                Some(o) => ev(o)?,
                None => Value::Null,
            }
        }
    })
}

fn literal(l: &Literal) -> Value {
    match l {
        Literal::Null => Value::Null,
        Literal::Missing => Value::Missing,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(x) => Value::Float(*x),
        Literal::Str(s) => Value::Str(s.clone()),
    }
}

/// A value as a condition: `None` unknown (null, missing, not a boolean).
pub(crate) fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn invalid(message: impl Into<String>) -> SelectError {
    SelectError::new(SelectErrorKind::InvalidArguments, message)
}

fn binary(op: BinaryOp, a: Value, b: Value) -> Result<Value, SelectError> {
    let ordered = |want: fn(Ordering) -> bool| match compare(&a, &b) {
        Some(o) => Value::Bool(want(o)),
        None => Value::Null,
    };
    Ok(match op {
        BinaryOp::Eq => equals(&a, &b).map_or(Value::Null, Value::Bool),
        BinaryOp::Ne => equals(&a, &b).map_or(Value::Null, |e| Value::Bool(!e)),
        BinaryOp::Lt => ordered(Ordering::is_lt),
        BinaryOp::Le => ordered(Ordering::is_le),
        BinaryOp::Gt => ordered(Ordering::is_gt),
        BinaryOp::Ge => ordered(Ordering::is_ge),
        BinaryOp::Concat => {
            if a.is_absent() || b.is_absent() {
                Value::Null
            } else {
                Value::Str(a.text() + &b.text())
            }
        }
        BinaryOp::And => match (truth(&a), truth(&b)) {
            (Some(false), _) | (_, Some(false)) => Value::Bool(false),
            (Some(true), Some(true)) => Value::Bool(true),
            _ => Value::Null,
        },
        BinaryOp::Or => match (truth(&a), truth(&b)) {
            (Some(true), _) | (_, Some(true)) => Value::Bool(true),
            (Some(false), Some(false)) => Value::Bool(false),
            _ => Value::Null,
        },
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
            match (a.number(), b.number()) {
                (Some(x), Some(y)) => arithmetic(op, x, y)?,
                _ => Value::Null,
            }
        }
    })
}

fn arithmetic(op: BinaryOp, x: Value, y: Value) -> Result<Value, SelectError> {
    if let (Value::Int(a), Value::Int(b)) = (&x, &y) {
        let (a, b) = (*a, *b);
        if matches!(op, BinaryOp::Div | BinaryOp::Rem) && b == 0 {
            return Err(invalid("Division by zero"));
        }
        let exact = match op {
            BinaryOp::Add => a.checked_add(b),
            BinaryOp::Sub => a.checked_sub(b),
            BinaryOp::Mul => a.checked_mul(b),
            BinaryOp::Div => a.checked_div(b),
            _ => a.checked_rem(b),
        };
        if let Some(v) = exact {
            return Ok(Value::Int(v));
        }
    }
    let (Some(a), Some(b)) = (float(&x), float(&y)) else {
        return Ok(Value::Null);
    };
    if matches!(op, BinaryOp::Div | BinaryOp::Rem) && b == 0.0 {
        return Err(invalid("Division by zero"));
    }
    Ok(Value::Float(match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => a / b,
        _ => a % b,
    }))
}

fn float(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// The longest LIKE pattern taken, in characters.
const MAX_LIKE_PATTERN: usize = 1024;

/// One element of a LIKE pattern.
#[derive(Clone, Copy, PartialEq)]
enum Wild {
    /// `%`: any run of characters.
    Any,
    /// `_`: one character.
    One,
    /// This character.
    Char(char),
}

/// Whether `text` matches the LIKE `pattern` (`%` any run, `_` one
/// character, `escape` making the next one literal). Iterative, going
/// back only to the last `%`: time at most text × pattern, no recursion
/// (a record may be a megabyte long).
fn like(text: &[char], pattern: &[char], escape: Option<char>) -> bool {
    let mut wilds = Vec::with_capacity(pattern.len());
    let mut chars = pattern.iter().copied();
    while let Some(c) = chars.next() {
        wilds.push(match c {
            c if Some(c) == escape => match chars.next() {
                Some(lit) => Wild::Char(lit),
                None => Wild::Char(c),
            },
            '%' => Wild::Any,
            '_' => Wild::One,
            c => Wild::Char(c),
        });
    }
    let (mut t, mut w) = (0, 0);
    // The last `%` seen, and where in the text it was tried up to.
    let mut back: Option<(usize, usize)> = None;
    while t < text.len() {
        match wilds.get(w) {
            Some(Wild::One) => {
                t += 1;
                w += 1;
            }
            Some(Wild::Char(c)) if *c == text[t] => {
                t += 1;
                w += 1;
            }
            Some(Wild::Any) => {
                back = Some((w, t));
                w += 1;
            }
            _ => match back {
                Some((bw, bt)) => {
                    back = Some((bw, bt + 1));
                    w = bw + 1;
                    t = bt + 1;
                }
                None => return false,
            },
        }
    }
    wilds
        .get(w..)
        .unwrap_or_default()
        .iter()
        .all(|x| *x == Wild::Any)
}

/// A timestamp, or text that reads as one (`CastFailed` otherwise).
fn timestamp_of(v: &Value) -> Result<Value, SelectError> {
    match v {
        Value::Timestamp(_) => Ok(v.clone()),
        Value::Str(s) => timestamp::parse(s)
            .map(Value::Timestamp)
            .ok_or_else(|| cast_failed(v, CastType::Timestamp)),
        _ => Err(cast_failed(v, CastType::Timestamp)),
    }
}

/// [`timestamp_of`], unwrapped.
fn stamp(v: &Value) -> Result<time::OffsetDateTime, SelectError> {
    match timestamp_of(v)? {
        Value::Timestamp(t) => Ok(t),
        _ => Err(cast_failed(v, CastType::Timestamp)),
    }
}

fn cast_failed(v: &Value, t: CastType) -> SelectError {
    SelectError::new(
        SelectErrorKind::CastFailed,
        format!("Cannot cast '{}' to {t:?}", v.text()),
    )
}

fn cast(v: Value, t: CastType) -> Result<Value, SelectError> {
    if v.is_absent() {
        return Ok(v);
    }
    Ok(match t {
        CastType::Str => Value::Str(v.text()),
        CastType::Int => match v.number() {
            Some(Value::Int(i)) => Value::Int(i),
            Some(Value::Float(x)) if x.abs() < 9.2e18 => Value::Int(x.trunc() as i64),
            _ => match v {
                Value::Bool(b) => Value::Int(i64::from(b)),
                _ => return Err(cast_failed(&v, t)),
            },
        },
        CastType::Float => match v.number() {
            Some(n) => Value::Float(float(&n).unwrap_or(f64::NAN)),
            None => return Err(cast_failed(&v, t)),
        },
        CastType::Timestamp => timestamp_of(&v)?,
        CastType::Bool => match (&v, truth(&v), v.number()) {
            (_, Some(b), _) => Value::Bool(b),
            (_, None, Some(n)) => Value::Bool(float(&n) != Some(0.0)),
            _ => return Err(cast_failed(&v, t)),
        },
    })
}

fn call(f: Function, mut args: Vec<Value>) -> Result<Value, SelectError> {
    let first = args.first().cloned().unwrap_or(Value::Missing);
    if !matches!(f, Function::Coalesce | Function::NullIf | Function::UtcNow) && first.is_absent() {
        return Ok(Value::Null);
    }
    Ok(match f {
        Function::Lower => Value::Str(first.text().to_lowercase()),
        Function::Upper => Value::Str(first.text().to_uppercase()),
        Function::CharLength => Value::Int(first.text().chars().count() as i64),
        Function::Abs => match first.number() {
            Some(Value::Int(i)) => i
                .checked_abs()
                .map_or(Value::Float((i as f64).abs()), Value::Int),
            Some(Value::Float(x)) => Value::Float(x.abs()),
            _ => return Err(invalid(format!("ABS of '{}'", first.text()))),
        },
        Function::ToTimestamp => timestamp_of(&first)?,
        Function::UtcNow => Value::Timestamp(time::OffsetDateTime::now_utc()),
        Function::Extract(part) => Value::Int(timestamp::extract(part, &stamp(&first)?)),
        Function::DateAdd(part) => {
            let n = match first.number() {
                Some(Value::Int(n)) => n,
                _ => return Err(invalid(format!("DATE_ADD of '{}'", first.text()))),
            };
            let t = stamp(args.get(1).unwrap_or(&Value::Missing))?;
            timestamp::add(part, n, t)
                .map(Value::Timestamp)
                .ok_or_else(|| invalid("DATE_ADD goes past the calendar"))?
        }
        Function::DateDiff(part) => {
            let b = args.get(1).unwrap_or(&Value::Missing);
            if b.is_absent() {
                return Ok(Value::Null);
            }
            timestamp::diff(part, stamp(&first)?, stamp(b)?)
                .map(Value::Int)
                .ok_or_else(|| invalid("DATE_DIFF takes no time-zone part"))?
        }
        Function::Coalesce => args
            .into_iter()
            .find(|a| !a.is_absent())
            .unwrap_or(Value::Null),
        Function::NullIf => {
            let second = args.pop().unwrap_or(Value::Missing);
            if equals(&first, &second) == Some(true) {
                Value::Null
            } else {
                first
            }
        }
        Function::Substring => {
            let int = |v: Option<&Value>| match v.and_then(Value::number) {
                Some(Value::Int(i)) => Ok(Some(i)),
                Some(Value::Float(x)) => Ok(Some(x as i64)),
                _ if v.is_none() => Ok(None),
                _ => Err(invalid("SUBSTRING takes whole numbers")),
            };
            // A null start or length makes a null.
            if args.iter().skip(1).any(Value::is_absent) {
                return Ok(Value::Null);
            }
            let start = int(args.get(1))?.unwrap_or(1);
            let len = int(args.get(2))?;
            let chars: Vec<char> = first.text().chars().collect();
            // SQL: positions before 1 count against the length.
            let end = match len {
                Some(l) if l < 0 => return Err(invalid("SUBSTRING's length is negative")),
                Some(l) => start.saturating_add(l),
                None => i64::MAX,
            };
            let from = usize::try_from(start.max(1) - 1).unwrap_or(usize::MAX);
            let to = usize::try_from(end.max(1) - 1).unwrap_or(usize::MAX);
            Value::Str(
                chars
                    .get(from.min(chars.len())..to.clamp(from.min(chars.len()), chars.len()))
                    .unwrap_or_default()
                    .iter()
                    .collect(),
            )
        }
        Function::Trim(side) => {
            let chars: Vec<char> = match args.get(1) {
                Some(c) => c.text().chars().collect(),
                None => vec![' '],
            };
            let text = first.text();
            let strip = |c: char| chars.contains(&c);
            Value::Str(
                match side {
                    TrimSide::Both => text.trim_matches(strip),
                    TrimSide::Leading => text.trim_start_matches(strip),
                    TrimSide::Trailing => text.trim_end_matches(strip),
                }
                .to_string(),
            )
        }
    })
}

/// One aggregate's running state.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fold {
    count: u64,
    sum: Option<Value>,
    best: Option<Value>,
}

impl Fold {
    /// Folds in one record's value `v` of `function`'s argument (`COUNT(*)`:
    /// any value).
    pub(crate) fn add(&mut self, function: Aggregate, v: Value) -> Result<(), SelectError> {
        if function == Aggregate::CountAll {
            self.count += 1;
            return Ok(());
        }
        if v.is_absent() {
            return Ok(());
        }
        self.count += 1;
        match function {
            Aggregate::Sum | Aggregate::Avg => {
                let Some(n) = v.number() else {
                    return Err(invalid(format!(
                        "{function:?} of '{}', which is not a number",
                        v.text()
                    )));
                };
                self.sum = Some(match self.sum.take() {
                    Some(s) => arithmetic(BinaryOp::Add, s, n)?,
                    None => n,
                });
            }
            Aggregate::Min | Aggregate::Max => {
                let v = v.number().unwrap_or(v);
                let want = if function == Aggregate::Min {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                let better = match &self.best {
                    None => true,
                    Some(b) => compare(&v, b) == Some(want),
                };
                if better {
                    self.best = Some(v);
                }
            }
            Aggregate::Count | Aggregate::CountAll => {}
        }
        Ok(())
    }

    /// The folded value of `function`.
    pub(crate) fn result(&self, function: Aggregate) -> Value {
        match function {
            Aggregate::Count | Aggregate::CountAll => {
                Value::Int(i64::try_from(self.count).unwrap_or(i64::MAX))
            }
            Aggregate::Sum => self.sum.clone().unwrap_or(Value::Null),
            Aggregate::Avg => match self.sum.as_ref().and_then(float) {
                Some(s) if self.count > 0 => Value::Float(s / self.count as f64),
                _ => Value::Null,
            },
            Aggregate::Min | Aggregate::Max => self.best.clone().unwrap_or(Value::Null),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::like;

    fn matches(text: &str, pattern: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        let p: Vec<char> = pattern.chars().collect();
        like(&t, &p, Some('\\'))
    }

    #[test]
    fn like_matches_as_sql_does_without_recursion_or_blowup() {
        assert!(matches("alice", "a%"));
        assert!(matches("alice", "%ic%"));
        assert!(matches("alice", "_lic_"));
        assert!(!matches("alice", "_lic"));
        assert!(matches("", "%"));
        assert!(!matches("", "_"));
        assert!(matches("50%", "50\\%"));
        assert!(!matches("500", "50\\%"));
        assert!(matches("a_b", "a\\_b"));
        assert!(matches("abcabd", "%ab_"));
        assert!(matches("mississippi", "m%iss%pi"));
        assert!(!matches("mississippi", "m%iss%pix"));
        // A megabyte of text and a pattern that backtracks a lot.
        let long = "a".repeat(1 << 20);
        assert!(!matches(&long, "%a%a%a%a%a%b"));
        assert!(matches(&(long + "b"), "%a%a%b"));
    }
}
