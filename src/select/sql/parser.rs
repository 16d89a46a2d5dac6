//! Builds a [`Query`] from tokens: a recursive descent over S3 Select's
//! grammar, operators by precedence (OR, AND, NOT, comparisons and
//! predicates, `+ - ||`, `* / %`, unary minus).

use super::lexer::{tokenize, Token};
use super::{
    Aggregate, BinaryOp, CastType, DatePart, Expr, Function, Literal, PathStep, Query, SelectItem,
    TrimSide,
};
use crate::select::error::{unexpected, SelectError, SelectErrorKind};

/// Parses `text` into a query.
pub(crate) fn parse(text: &str) -> Result<Query, SelectError> {
    let mut p = Parser {
        tokens: tokenize(text)?,
        pos: 0,
        aggregates: 0,
        alias: None,
        from_path: None,
        depth: 0,
        tree: 0,
    };
    p.query()
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    aggregates: usize,
    alias: Option<String>,
    from_path: Option<Vec<PathStep>>,
    /// How deep parentheses, calls, NOT and signs nest here.
    depth: usize,
    /// How deep the tree built to here is (nesting and chains' links).
    tree: usize,
}

/// The deepest parentheses, calls, NOT and signs may nest (the parser
/// recurses a few frames per level): far beyond any real query.
pub(crate) const MAX_DEPTH: usize = 64;

/// The deepest a parsed expression's tree may be (each link of an
/// operator chain is a level; AND and OR chains are built balanced):
/// the evaluator recurses once per level, well within a worker thread's
/// stack.
pub(crate) const MAX_TREE_DEPTH: usize = 256;

/// Words that end an expression or a select item (never an alias).
const RESERVED: &[&str] = &[
    "select", "from", "where", "limit", "as", "and", "or", "not", "like", "between", "in", "is",
    "escape", "case", "when", "then", "else", "end", "group", "order", "having", "join",
];

fn too_deep(limit: usize) -> SelectError {
    SelectError::new(
        SelectErrorKind::UnsupportedSyntax,
        format!("The expression nests deeper than {limit} levels"),
    )
}

fn unsupported(what: &str) -> SelectError {
    SelectError::new(
        SelectErrorKind::UnsupportedSyntax,
        format!("{what} is not supported by S3 Select"),
    )
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += usize::from(t.is_some());
        t
    }

    fn at_keyword(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(kw))
    }

    fn at_symbol(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Token::Symbol(x)) if *x == s)
    }

    /// Takes the keyword `kw` if it is next.
    fn eat_keyword(&mut self, kw: &str) -> bool {
        let at = self.at_keyword(kw);
        self.pos += usize::from(at);
        at
    }

    /// Takes the symbol `s` if it is next.
    fn eat_symbol(&mut self, s: &str) -> bool {
        let at = self.at_symbol(s);
        self.pos += usize::from(at);
        at
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), SelectError> {
        if self.eat_keyword(kw) {
            Ok(())
        } else {
            Err(self.unexpected_here(&format!("(expected {})", kw.to_uppercase())))
        }
    }

    fn expect_symbol(&mut self, s: &str) -> Result<(), SelectError> {
        if self.eat_symbol(s) {
            Ok(())
        } else {
            Err(self.unexpected_here(&format!("(expected '{s}')")))
        }
    }

    fn unexpected_here(&self, expected: &str) -> SelectError {
        match self.peek() {
            Some(t) => unexpected(format!("'{t}' {expected}")),
            None => unexpected(format!("end of expression {expected}")),
        }
    }

    fn query(&mut self) -> Result<Query, SelectError> {
        self.expect_keyword("select")?;
        // The alias is read after FROM; items are parsed first, so their
        // paths are resolved once it is known.
        let start = self.pos;
        self.skip_to_from()?;
        self.from()?;
        let after_from = self.pos;
        self.pos = start;
        let items = if self.eat_symbol("*") {
            Vec::new()
        } else {
            self.items()?
        };
        if !self.at_keyword("from") {
            return Err(self.unexpected_here("(expected FROM)"));
        }
        self.pos = after_from;
        let filter = if self.eat_keyword("where") {
            Some(self.expr()?)
        } else {
            None
        };
        let limit = if self.eat_keyword("limit") {
            match self.next() {
                Some(Token::Int(n)) if n >= 0 => Some(n.unsigned_abs()),
                _ => return Err(unexpected("in LIMIT (expected a whole number)")),
            }
        } else {
            None
        };
        for kw in ["group", "order", "having", "join", "union"] {
            if self.at_keyword(kw) {
                return Err(unsupported(&kw.to_uppercase()));
            }
        }
        if let Some(t) = self.peek() {
            return Err(unexpected(format!("'{t}' after the query")));
        }
        let aggregates = self.aggregates;
        if aggregates > 0 && filter.as_ref().is_some_and(has_aggregate) {
            return Err(unsupported("An aggregate in WHERE"));
        }
        if aggregates > 0
            && items
                .iter()
                .any(|i| super::reads_outside_aggregates(&i.expr))
        {
            return Err(unsupported(
                "A column beside an aggregate (without GROUP BY)",
            ));
        }
        // Counted while parsing, near enough to bound what was built;
        // exactly here, before anything evaluates it.
        let trees = items.iter().map(|i| &i.expr).chain(filter.as_ref());
        if trees.map(super::depth).max().unwrap_or(0) > MAX_TREE_DEPTH {
            return Err(too_deep(MAX_TREE_DEPTH));
        }
        Ok(Query {
            items,
            alias: self.alias.clone(),
            from_path: self.from_path.take().unwrap_or_default(),
            filter,
            limit,
            aggregates,
        })
    }

    /// Moves to the top-level `FROM` (outside parentheses).
    fn skip_to_from(&mut self) -> Result<(), SelectError> {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Token::Symbol("(") => depth += 1,
                Token::Symbol(")") => depth = depth.saturating_sub(1),
                t if depth == 0 && t.is_keyword("from") => return Ok(()),
                _ => {}
            }
            self.pos += 1;
        }
        Err(unexpected("end of expression (expected FROM)"))
    }
}

impl Parser {
    /// `FROM S3Object[path] [[AS] alias]`.
    fn from(&mut self) -> Result<(), SelectError> {
        self.expect_keyword("from")?;
        match self.next() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("s3object") => {}
            Some(t) => {
                return Err(SelectError::new(
                    SelectErrorKind::UnsupportedSyntax,
                    format!("The table is S3Object, not {t}"),
                ))
            }
            None => return Err(unexpected("end of expression (expected S3Object)")),
        }
        let mut path = Vec::new();
        self.steps(&mut path)?;
        self.from_path = Some(path);
        let named = self.eat_keyword("as");
        match self.peek() {
            Some(Token::Word(w)) if !RESERVED.contains(&w.to_ascii_lowercase().as_str()) => {
                self.alias = Some(w.to_ascii_lowercase());
                self.pos += 1;
            }
            _ if named => return Err(self.unexpected_here("(expected an alias)")),
            _ => {}
        }
        if self.at_symbol(",") || self.at_keyword("join") {
            return Err(unsupported("A join"));
        }
        Ok(())
    }

    /// The select list, up to `FROM`.
    fn items(&mut self) -> Result<Vec<SelectItem>, SelectError> {
        let mut items = Vec::new();
        loop {
            let expr = self.expr()?;
            let alias = if self.eat_keyword("as") {
                Some(self.name()?)
            } else {
                match self.peek() {
                    Some(Token::Word(w))
                        if !RESERVED.contains(&w.to_ascii_lowercase().as_str()) =>
                    {
                        Some(self.name()?)
                    }
                    Some(Token::Quoted(_)) => Some(self.name()?),
                    _ => None,
                }
            };
            items.push(SelectItem { expr, alias });
            if !self.eat_symbol(",") {
                return Ok(items);
            }
        }
    }

    /// An identifier (bare or quoted).
    fn name(&mut self) -> Result<String, SelectError> {
        match self.next() {
            Some(Token::Word(w) | Token::Quoted(w)) => Ok(w),
            _ => {
                self.pos -= 1;
                Err(self.unexpected_here("(expected a name)"))
            }
        }
    }

    /// Path steps after a name: `.field`, `[n]`, `[*]`, `['field']`.
    fn steps(&mut self, path: &mut Vec<PathStep>) -> Result<(), SelectError> {
        loop {
            if self.eat_symbol(".") {
                match self.next() {
                    Some(Token::Word(name)) => path.push(PathStep::Field { name, exact: false }),
                    Some(Token::Quoted(name)) => path.push(PathStep::Field { name, exact: true }),
                    Some(Token::Symbol("*")) => path.push(PathStep::Wildcard),
                    _ => return Err(unexpected("after '.' (expected a name)")),
                }
            } else if self.eat_symbol("[") {
                match self.next() {
                    Some(Token::Symbol("*")) => path.push(PathStep::Wildcard),
                    Some(Token::Int(n)) => path.push(PathStep::Index(
                        usize::try_from(n).map_err(|_| unexpected(format!("index {n}")))?,
                    )),
                    Some(Token::Str(name)) => path.push(PathStep::Field { name, exact: true }),
                    _ => return Err(unexpected("in '[ ]' (expected an index or *)")),
                }
                self.expect_symbol("]")?;
            } else {
                return Ok(());
            }
        }
    }

    /// One level deeper into nesting (the parser recurses): refused past
    /// [`MAX_DEPTH`]; it counts toward the tree's depth too. Each caller
    /// gives its levels back once its subtree is built; a refusal ends the
    /// parse, so nothing is given back then.
    fn deeper(&mut self) -> Result<(), SelectError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(too_deep(MAX_DEPTH));
        }
        self.link(1)
    }

    /// `n` more levels of the tree being built (a chain's links): refused
    /// past [`MAX_TREE_DEPTH`], before a deeper tree exists.
    fn link(&mut self, n: usize) -> Result<(), SelectError> {
        self.tree += n;
        if self.tree > MAX_TREE_DEPTH {
            return Err(too_deep(MAX_TREE_DEPTH));
        }
        Ok(())
    }

    /// Gives back one level of nesting and `links` of the tree.
    fn shallower(&mut self, links: usize) {
        self.depth -= 1;
        self.tree -= links + 1;
    }

    fn expr(&mut self) -> Result<Expr, SelectError> {
        self.deeper()?;
        let (terms, links) = self.chain("or", Self::and)?;
        self.shallower(links);
        Ok(balanced(BinaryOp::Or, terms))
    }

    fn and(&mut self) -> Result<Expr, SelectError> {
        let (terms, links) = self.chain("and", Self::not)?;
        self.tree -= links;
        Ok(balanced(BinaryOp::And, terms))
    }

    /// Terms joined by the keyword `kw`, and the tree levels their
    /// balanced tree takes (counted as it grows: log2 of the terms).
    fn chain(
        &mut self,
        kw: &str,
        term: fn(&mut Self) -> Result<Expr, SelectError>,
    ) -> Result<(Vec<Expr>, usize), SelectError> {
        let mut terms = vec![term(self)?];
        let mut links = 0;
        while self.eat_keyword(kw) {
            if terms.len().is_power_of_two() {
                self.link(1)?;
                links += 1;
            }
            terms.push(term(self)?);
        }
        Ok((terms, links))
    }

    fn not(&mut self) -> Result<Expr, SelectError> {
        if self.eat_keyword("not") {
            self.deeper()?;
            let e = self.not()?;
            self.shallower(0);
            return Ok(Expr::Not(Box::new(e)));
        }
        self.predicate()
    }

    /// A comparison, LIKE, BETWEEN, IN or IS.
    fn predicate(&mut self) -> Result<Expr, SelectError> {
        let value = self.additive()?;
        let op = match self.peek() {
            Some(Token::Symbol("=")) => Some(BinaryOp::Eq),
            Some(Token::Symbol("!=" | "<>")) => Some(BinaryOp::Ne),
            Some(Token::Symbol("<")) => Some(BinaryOp::Lt),
            Some(Token::Symbol("<=")) => Some(BinaryOp::Le),
            Some(Token::Symbol(">")) => Some(BinaryOp::Gt),
            Some(Token::Symbol(">=")) => Some(BinaryOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.pos += 1;
            return Ok(binary(op, value, self.additive()?));
        }
        if self.eat_keyword("is") {
            let negated = self.eat_keyword("not");
            let missing = if self.eat_keyword("null") {
                false
            } else if self.eat_keyword("missing") {
                true
            } else {
                return Err(self.unexpected_here("(expected NULL or MISSING)"));
            };
            return Ok(Expr::IsNull {
                value: Box::new(value),
                negated,
                missing,
            });
        }
        let negated = self.eat_keyword("not");
        let value = Box::new(value);
        if self.eat_keyword("like") {
            let pattern = Box::new(self.additive()?);
            let escape = if self.eat_keyword("escape") {
                Some(Box::new(self.additive()?))
            } else {
                None
            };
            Ok(Expr::Like {
                value,
                pattern,
                escape,
                negated,
            })
        } else if self.eat_keyword("between") {
            let low = Box::new(self.additive()?);
            self.expect_keyword("and")?;
            let high = Box::new(self.additive()?);
            Ok(Expr::Between {
                value,
                low,
                high,
                negated,
            })
        } else if self.eat_keyword("in") {
            self.expect_symbol("(")?;
            let list = self.arguments()?;
            Ok(Expr::In {
                value,
                list,
                negated,
            })
        } else if negated {
            Err(self.unexpected_here("(expected LIKE, BETWEEN or IN after NOT)"))
        } else {
            Ok(*value)
        }
    }

    fn additive(&mut self) -> Result<Expr, SelectError> {
        self.operator_chain(Self::multiplicative, |t| match t {
            Token::Symbol("+") => Some(BinaryOp::Add),
            Token::Symbol("-") => Some(BinaryOp::Sub),
            Token::Symbol("||") => Some(BinaryOp::Concat),
            _ => None,
        })
    }

    fn multiplicative(&mut self) -> Result<Expr, SelectError> {
        self.operator_chain(Self::unary, |t| match t {
            Token::Symbol("*") => Some(BinaryOp::Mul),
            Token::Symbol("/") => Some(BinaryOp::Div),
            Token::Symbol("%") => Some(BinaryOp::Rem),
            _ => None,
        })
    }

    /// Operands joined by the operators `op_of` reads, left to right
    /// (each link a tree level).
    fn operator_chain(
        &mut self,
        operand: fn(&mut Self) -> Result<Expr, SelectError>,
        op_of: fn(&Token) -> Option<BinaryOp>,
    ) -> Result<Expr, SelectError> {
        let mut left = operand(self)?;
        let mut links = 0;
        while let Some(op) = self.peek().and_then(op_of) {
            self.pos += 1;
            self.link(1)?;
            links += 1;
            left = binary(op, left, operand(self)?);
        }
        self.tree -= links;
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, SelectError> {
        let sign = if self.eat_symbol("-") {
            -1
        } else if self.eat_symbol("+") {
            1
        } else {
            return self.primary();
        };
        self.deeper()?;
        let e = self.unary()?;
        self.shallower(0);
        Ok(match (sign, e) {
            (1, e) => e,
            (_, Expr::Literal(Literal::Int(i))) => Expr::Literal(Literal::Int(-i)),
            (_, Expr::Literal(Literal::Float(x))) => Expr::Literal(Literal::Float(-x)),
            (_, e) => Expr::Negate(Box::new(e)),
        })
    }

    fn primary(&mut self) -> Result<Expr, SelectError> {
        let Some(token) = self.next() else {
            return Err(unexpected("end of expression (expected a value)"));
        };
        let word = match token {
            Token::Int(i) => return Ok(Expr::Literal(Literal::Int(i))),
            Token::Float(x) => return Ok(Expr::Literal(Literal::Float(x))),
            Token::Str(s) => return Ok(Expr::Literal(Literal::Str(s))),
            Token::Symbol("(") => {
                let e = self.expr()?;
                self.expect_symbol(")")?;
                return Ok(e);
            }
            Token::Quoted(name) => return self.path(PathStep::Field { name, exact: true }),
            Token::Symbol(s) => return Err(unexpected(format!("'{s}'"))),
            Token::Word(w) => w,
        };
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "null" => return Ok(Expr::Literal(Literal::Null)),
            "missing" => return Ok(Expr::Literal(Literal::Missing)),
            "true" => return Ok(Expr::Literal(Literal::Bool(true))),
            "false" => return Ok(Expr::Literal(Literal::Bool(false))),
            "case" => return self.case(),
            _ => {}
        }
        if RESERVED.contains(&lower.as_str()) {
            return Err(unexpected(format!("keyword {}", word.to_uppercase())));
        }
        if self.eat_symbol("(") {
            return self.call(&lower);
        }
        self.path(PathStep::Field {
            name: word,
            exact: false,
        })
    }

    /// A reference starting with `first`; a leading table alias (or
    /// `S3Object`) is dropped when the alias is known.
    fn path(&mut self, first: PathStep) -> Result<Expr, SelectError> {
        let mut path = vec![first];
        self.steps(&mut path)?;
        let names_table = |step: &PathStep| match step {
            PathStep::Field { name, exact: false } => {
                let name = name.to_ascii_lowercase();
                name == "s3object" || self.alias.as_deref() == Some(name.as_str())
            }
            _ => false,
        };
        if names_table(&path[0]) {
            path.remove(0);
        }
        Ok(Expr::Path(path))
    }

    /// Arguments up to the closing parenthesis (the opening one taken).
    fn arguments(&mut self) -> Result<Vec<Expr>, SelectError> {
        let mut args = Vec::new();
        if self.eat_symbol(")") {
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            if self.eat_symbol(")") {
                return Ok(args);
            }
            self.expect_symbol(",")?;
        }
    }

    /// A function call, its name lower-cased and `(` taken.
    fn call(&mut self, name: &str) -> Result<Expr, SelectError> {
        let aggregate = match name {
            "count" => Some(Aggregate::Count),
            "sum" => Some(Aggregate::Sum),
            "avg" => Some(Aggregate::Avg),
            "min" => Some(Aggregate::Min),
            "max" => Some(Aggregate::Max),
            _ => None,
        };
        if let Some(function) = aggregate {
            let (function, arg) = if function == Aggregate::Count && self.eat_symbol("*") {
                self.expect_symbol(")")?;
                (Aggregate::CountAll, None)
            } else {
                let e = self.expr()?;
                self.expect_symbol(")")?;
                if has_aggregate(&e) {
                    return Err(unsupported("An aggregate within an aggregate"));
                }
                (function, Some(Box::new(e)))
            };
            let slot = self.aggregates;
            self.aggregates += 1;
            return Ok(Expr::Aggregate {
                function,
                arg,
                slot,
            });
        }
        match name {
            "cast" => {
                let e = self.expr()?;
                self.expect_keyword("as")?;
                let t = self.cast_type()?;
                self.expect_symbol(")")?;
                Ok(Expr::Cast(Box::new(e), t))
            }
            "substring" => {
                let s = self.expr()?;
                let mut args = vec![s];
                if self.eat_keyword("from") {
                    args.push(self.expr()?);
                    if self.eat_keyword("for") {
                        args.push(self.expr()?);
                    }
                    self.expect_symbol(")")?;
                } else {
                    self.expect_symbol(",")?;
                    args.extend(self.arguments()?);
                }
                checked(Function::Substring, args, 2..=3)
            }
            "trim" => self.trim(),
            "extract" => {
                let part = self.date_part()?;
                self.expect_keyword("from")?;
                let t = self.expr()?;
                self.expect_symbol(")")?;
                Ok(Expr::Call(Function::Extract(part), vec![t]))
            }
            "date_add" | "date_diff" => {
                let part = self.date_part()?;
                if matches!(part, DatePart::TimezoneHour | DatePart::TimezoneMinute) {
                    return Err(SelectError::new(
                        SelectErrorKind::InvalidArguments,
                        format!("{} takes no time-zone part", name.to_uppercase()),
                    ));
                }
                self.expect_symbol(",")?;
                let args = self.arguments()?;
                let function = if name == "date_add" {
                    Function::DateAdd(part)
                } else {
                    Function::DateDiff(part)
                };
                checked(function, args, 2..=2)
            }
            _ => {
                let (function, arity) = match name {
                    "lower" => (Function::Lower, 1..=1),
                    "upper" => (Function::Upper, 1..=1),
                    "char_length" | "character_length" => (Function::CharLength, 1..=1),
                    "coalesce" => (Function::Coalesce, 1..=usize::MAX),
                    "nullif" => (Function::NullIf, 2..=2),
                    "abs" => (Function::Abs, 1..=1),
                    "to_timestamp" => (Function::ToTimestamp, 1..=1),
                    "utcnow" => (Function::UtcNow, 0..=0),
                    _ => {
                        return Err(SelectError::new(
                            SelectErrorKind::UnsupportedFunction,
                            format!("Function {} is not supported", name.to_uppercase()),
                        ))
                    }
                };
                let args = self.arguments()?;
                checked(function, args, arity)
            }
        }
    }

    /// `TRIM([BOTH|LEADING|TRAILING] [chars] [FROM] s)`, `(` taken.
    fn trim(&mut self) -> Result<Expr, SelectError> {
        let side = if self.eat_keyword("leading") {
            Some(TrimSide::Leading)
        } else if self.eat_keyword("trailing") {
            Some(TrimSide::Trailing)
        } else if self.eat_keyword("both") {
            Some(TrimSide::Both)
        } else {
            None
        };
        let mut args = Vec::new();
        if !self.eat_keyword("from") {
            let first = self.expr()?;
            if self.eat_keyword("from") {
                args.push(self.expr()?);
                args.push(first);
            } else {
                args.push(first);
            }
        } else {
            args.push(self.expr()?);
        }
        self.expect_symbol(")")?;
        Ok(Expr::Call(
            Function::Trim(side.unwrap_or(TrimSide::Both)),
            args,
        ))
    }

    fn cast_type(&mut self) -> Result<CastType, SelectError> {
        let Some(Token::Word(w)) = self.next() else {
            return Err(unexpected("in CAST (expected a type)"));
        };
        Ok(match w.to_ascii_lowercase().as_str() {
            "int" | "integer" | "bigint" | "smallint" => CastType::Int,
            "float" | "decimal" | "numeric" | "double" | "real" => CastType::Float,
            "string" | "varchar" | "char" | "text" => CastType::Str,
            "bool" | "boolean" => CastType::Bool,
            "timestamp" => CastType::Timestamp,
            other => {
                return Err(SelectError::new(
                    SelectErrorKind::UnsupportedSyntax,
                    format!("CAST to {} is not supported", other.to_uppercase()),
                ))
            }
        })
    }

    /// A date part's keyword (`YEAR`, `MONTH`, …).
    fn date_part(&mut self) -> Result<DatePart, SelectError> {
        match self.next() {
            Some(Token::Word(w)) => DatePart::named(&w)
                .ok_or_else(|| unexpected(format!("'{w}' (expected a date part)"))),
            _ => Err(unexpected("(expected a date part)")),
        }
    }

    /// `CASE …` with `CASE` taken.
    fn case(&mut self) -> Result<Expr, SelectError> {
        let operand = if self.at_keyword("when") {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        let mut arms = Vec::new();
        while self.eat_keyword("when") {
            let when = self.expr()?;
            self.expect_keyword("then")?;
            arms.push((when, self.expr()?));
        }
        if arms.is_empty() {
            return Err(self.unexpected_here("(expected WHEN)"));
        }
        let otherwise = if self.eat_keyword("else") {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        self.expect_keyword("end")?;
        Ok(Expr::Case {
            operand,
            arms,
            otherwise,
        })
    }
}

fn binary(op: BinaryOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

/// `terms` joined by `op` (AND or OR, which group either way) as a
/// balanced tree: a chain of n terms nests log2(n) deep, not n.
fn balanced(op: BinaryOp, mut terms: Vec<Expr>) -> Expr {
    if terms.len() <= 1 {
        return terms.pop().unwrap_or(Expr::Literal(Literal::Null));
    }
    let right = terms.split_off(terms.len() / 2);
    binary(op, balanced(op, terms), balanced(op, right))
}

/// A call of `function` with `args`, if their count is in `arity`.
fn checked(
    function: Function,
    args: Vec<Expr>,
    arity: std::ops::RangeInclusive<usize>,
) -> Result<Expr, SelectError> {
    if !arity.contains(&args.len()) {
        return Err(SelectError::new(
            SelectErrorKind::InvalidArguments,
            format!("{function:?} takes {arity:?} arguments, not {}", args.len()),
        ));
    }
    Ok(Expr::Call(function, args))
}

/// Whether `e` holds an aggregate call.
pub(crate) fn has_aggregate(e: &Expr) -> bool {
    let mut found = false;
    super::visit(e, &mut |e| found |= matches!(e, Expr::Aggregate { .. }));
    found
}
