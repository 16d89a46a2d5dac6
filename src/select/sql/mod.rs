//! S3 Select's SQL: one `SELECT … FROM S3Object … [WHERE …] [LIMIT n]`
//! over the object's records. [`lexer`] splits the text into tokens,
//! [`parser`] builds the [`Query`] the evaluator runs.

pub(crate) use super::timestamp::DatePart;

pub(crate) mod lexer;
pub(crate) mod parser;
#[cfg(test)]
mod tests;

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Query {
    /// What each output record holds; empty: `SELECT *`.
    pub items: Vec<SelectItem>,
    /// The table's alias (`FROM S3Object s`), lower-cased; references may
    /// start with it.
    pub alias: Option<String>,
    /// The path into each JSON value the records are taken from
    /// (`FROM S3Object[*].items[*]`).
    pub from_path: Vec<PathStep>,
    /// The filter.
    pub filter: Option<Expr>,
    /// At most this many output records.
    pub limit: Option<u64>,
    /// How many aggregate calls the items hold (each has its slot).
    pub aggregates: usize,
}

impl Query {
    /// Whether it folds every record into one output record.
    pub(crate) fn is_aggregate(&self) -> bool {
        self.aggregates > 0
    }
}

/// One output column.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SelectItem {
    /// The value.
    pub expr: Expr,
    /// Its name in JSON output (`AS name`, else the column's own).
    pub alias: Option<String>,
}

/// A step of a path into a record.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PathStep {
    /// A field by name; `exact`: it was quoted (case kept).
    Field {
        /// The name.
        name: String,
        /// Quoted: matched exactly, else case-insensitively.
        exact: bool,
    },
    /// An array element (0-based).
    Index(usize),
    /// Every element of an array (`[*]`).
    Wildcard,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Literal {
    /// `NULL`.
    Null,
    /// `MISSING`.
    Missing,
    /// `TRUE`/`FALSE`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A decimal or float.
    Float(f64),
    /// A string (`'…'`).
    Str(String),
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    /// `AND`.
    And,
    /// `OR`.
    Or,
    /// `=`.
    Eq,
    /// `!=`, `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Rem,
    /// `||`.
    Concat,
}

/// A type CAST names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CastType {
    /// `INT`, `INTEGER`.
    Int,
    /// `FLOAT`, `DECIMAL`, `NUMERIC`, `DOUBLE`, `REAL`.
    Float,
    /// `STRING`, `VARCHAR`, `CHAR`.
    Str,
    /// `BOOL`, `BOOLEAN`.
    Bool,
    /// `TIMESTAMP`.
    Timestamp,
}

/// An aggregate function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aggregate {
    /// `COUNT(*)`: records.
    CountAll,
    /// `COUNT(x)`: records where `x` is neither null nor missing.
    Count,
    /// `SUM(x)`.
    Sum,
    /// `AVG(x)`.
    Avg,
    /// `MIN(x)`.
    Min,
    /// `MAX(x)`.
    Max,
}

/// A scalar function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Function {
    /// `LOWER(s)`.
    Lower,
    /// `UPPER(s)`.
    Upper,
    /// `CHAR_LENGTH(s)`, `CHARACTER_LENGTH(s)`.
    CharLength,
    /// `SUBSTRING(s, start[, length])` (1-based).
    Substring,
    /// `TRIM([BOTH|LEADING|TRAILING] [chars FROM] s)`: the side, chars, s.
    Trim(TrimSide),
    /// `COALESCE(a, b, …)`.
    Coalesce,
    /// `NULLIF(a, b)`.
    NullIf,
    /// `ABS(n)`.
    Abs,
    /// `TO_TIMESTAMP(s)`.
    ToTimestamp,
    /// `UTCNOW()`.
    UtcNow,
    /// `EXTRACT(part FROM t)`.
    Extract(DatePart),
    /// `DATE_ADD(part, n, t)`.
    DateAdd(DatePart),
    /// `DATE_DIFF(part, a, b)`.
    DateDiff(DatePart),
}

/// Which end TRIM trims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TrimSide {
    /// Both.
    Both,
    /// The start.
    Leading,
    /// The end.
    Trailing,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    /// A literal.
    Literal(Literal),
    /// A column or a path into the record (the alias stripped); empty:
    /// the record itself.
    Path(Vec<PathStep>),
    /// `NOT e`.
    Not(Box<Expr>),
    /// `-e`.
    Negate(Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `e [NOT] LIKE pattern [ESCAPE c]`.
    Like {
        /// The value.
        value: Box<Expr>,
        /// The pattern.
        pattern: Box<Expr>,
        /// The escape character.
        escape: Option<Box<Expr>>,
        /// `NOT LIKE`.
        negated: bool,
    },
    /// `e [NOT] BETWEEN low AND high`.
    Between {
        /// The value.
        value: Box<Expr>,
        /// The lower bound.
        low: Box<Expr>,
        /// The upper bound.
        high: Box<Expr>,
        /// `NOT BETWEEN`.
        negated: bool,
    },
    /// `e [NOT] IN (a, b, …)`.
    In {
        /// The value.
        value: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `e IS [NOT] NULL` (`MISSING` counts as null too).
    IsNull {
        /// The value.
        value: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
        /// `IS MISSING` rather than `IS NULL`.
        missing: bool,
    },
    /// `CAST(e AS type)`.
    Cast(Box<Expr>, CastType),
    /// A scalar function call.
    Call(Function, Vec<Expr>),
    /// An aggregate call, with its slot.
    Aggregate {
        /// Which.
        function: Aggregate,
        /// Its argument (`None` for `COUNT(*)`).
        arg: Option<Box<Expr>>,
        /// Its slot among the query's aggregates.
        slot: usize,
    },
    /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
    Case {
        /// The operand compared with each `WHEN` (none: each is a condition).
        operand: Option<Box<Expr>>,
        /// (when, then) pairs.
        arms: Vec<(Expr, Expr)>,
        /// The `ELSE`.
        otherwise: Option<Box<Expr>>,
    },
}

/// The expressions directly within `e`.
fn children(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Literal(_) | Expr::Path(_) => Vec::new(),
        Expr::Not(a) | Expr::Negate(a) | Expr::Cast(a, _) => vec![a],
        Expr::IsNull { value, .. } => vec![value],
        Expr::Binary(_, a, b) => vec![a, b],
        Expr::Like {
            value,
            pattern,
            escape,
            ..
        } => [Some(&**value), Some(&**pattern), escape.as_deref()]
            .into_iter()
            .flatten()
            .collect(),
        Expr::Between {
            value, low, high, ..
        } => vec![value, low, high],
        Expr::In { value, list, .. } => std::iter::once(&**value).chain(list).collect(),
        Expr::Call(_, args) => args.iter().collect(),
        Expr::Aggregate { arg, .. } => arg.as_deref().into_iter().collect(),
        Expr::Case {
            operand,
            arms,
            otherwise,
        } => operand
            .as_deref()
            .into_iter()
            .chain(arms.iter().flat_map(|(w, t)| [w, t]))
            .chain(otherwise.as_deref())
            .collect(),
    }
}

/// Calls `f` on `e` and every expression within it (without recursion:
/// a tree's depth is checked with it).
pub(crate) fn visit(e: &Expr, f: &mut impl FnMut(&Expr)) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        f(e);
        stack.extend(children(e));
    }
}

/// How many levels `e` nests (a literal: 1).
pub(crate) fn depth(e: &Expr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(e, 1)];
    while let Some((e, level)) = stack.pop() {
        deepest = deepest.max(level);
        stack.extend(children(e).into_iter().map(|c| (c, level + 1)));
    }
    deepest
}

/// Whether `e` reads the record outside any aggregate call.
pub(crate) fn reads_outside_aggregates(e: &Expr) -> bool {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Path(_) => return true,
            Expr::Aggregate { .. } => {}
            e => stack.extend(children(e)),
        }
    }
    false
}
