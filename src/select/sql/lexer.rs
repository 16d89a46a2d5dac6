//! Splits an S3 Select expression into tokens.

use crate::select::error::{unexpected, SelectError};

/// A token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Token {
    /// A word: a keyword or a bare identifier (as written).
    Word(String),
    /// A `"quoted"` identifier (case kept, matched exactly).
    Quoted(String),
    /// A `'string'` literal.
    Str(String),
    /// An integer literal.
    Int(i64),
    /// A decimal or float literal.
    Float(f64),
    /// An operator or punctuation: `( ) [ ] , . * + - / % = != <> < <= > >= ||`.
    Symbol(&'static str),
}

impl Token {
    /// Whether it is the keyword `kw` (case-insensitive).
    pub(crate) fn is_keyword(&self, kw: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Word(w) => write!(f, "{w}"),
            Token::Quoted(q) => write!(f, "\"{q}\""),
            Token::Str(s) => write!(f, "'{s}'"),
            Token::Int(i) => write!(f, "{i}"),
            Token::Float(x) => write!(f, "{x}"),
            Token::Symbol(s) => write!(f, "{s}"),
        }
    }
}

/// Symbols, longest first so `<=` is not read as `<` then `=`.
const SYMBOLS: &[&str] = &[
    "!=", "<>", "<=", ">=", "||", "(", ")", "[", "]", ",", ".", "*", "+", "-", "/", "%", "=", "<",
    ">",
];

/// The tokens of `text`.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, SelectError> {
    let mut tokens = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else {
            return Ok(tokens);
        };
        let (token, len) = if c == '\'' || c == '"' {
            let (body, len) = quoted(rest, c)?;
            let t = if c == '\'' {
                Token::Str(body)
            } else {
                Token::Quoted(body)
            };
            (t, len)
        } else if c.is_ascii_digit() {
            number(rest)?
        } else if c.is_alphabetic() || c == '_' {
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (Token::Word(rest[..len].to_string()), len)
        } else if let Some(s) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            (Token::Symbol(s), s.len())
        } else {
            return Err(unexpected(format!("'{c}'")));
        };
        tokens.push(token);
        rest = &rest[len..];
    }
}

/// The body of a literal quoted with `q` at the start of `s` (a doubled
/// quote stands for one), and the length it took.
fn quoted(s: &str, q: char) -> Result<(String, usize), SelectError> {
    let mut body = String::new();
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == q {
            if chars.peek().is_some_and(|&(_, n)| n == q) {
                chars.next();
                body.push(q);
                continue;
            }
            return Ok((body, i + c.len_utf8()));
        }
        body.push(c);
    }
    Err(unexpected("an unterminated quote"))
}

/// The number at the start of `s`, and the length it took.
fn number(s: &str) -> Result<(Token, usize), SelectError> {
    let bytes = s.as_bytes();
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |p| from + p)
    };
    let mut end = digits(0);
    let mut float = false;
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
        float = true;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        if bytes.get(end + 1 + sign).is_some_and(u8::is_ascii_digit) {
            end = digits(end + 1 + sign);
            float = true;
        }
    }
    let text = &s[..end];
    let token = if float {
        text.parse().map(Token::Float).ok()
    } else {
        text.parse()
            .map(Token::Int)
            .ok()
            .or_else(|| text.parse().map(Token::Float).ok())
    };
    token
        .map(|t| (t, end))
        .ok_or_else(|| unexpected(format!("number {text}")))
}
