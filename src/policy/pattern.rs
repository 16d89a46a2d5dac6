//! Compiled string patterns of a policy: ARNs and condition values with
//! `*`/`?` wildcards and `${...}` policy variables.
//!
//! Compiled once at parse time into segments, with fast paths for the
//! shapes policies use most (an exact string, `prefix*`), so matching a
//! request allocates nothing.

use super::request::ConditionContext;

/// How a pattern's text is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards (Like operators, ARNs); else literal.
    pub(crate) wildcards: bool,
    /// `${key}` is a policy variable (policy version 2012-10-17 only).
    pub(crate) variables: bool,
    /// Compare ASCII case-insensitively (the pattern is stored lower-case).
    pub(crate) ignore_case: bool,
}

/// One piece of a compiled pattern.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    /// Text matched as is (lower-cased when ignoring case).
    Lit(Box<str>),
    /// `*`: any run of characters, empty included.
    Star,
    /// `?`: exactly one character.
    One,
    /// `${key}` (or `${key, 'default'}`): the request's first value of the
    /// key, matched literally; a missing key without default matches
    /// nothing.
    Var {
        key: Box<str>,
        default: Option<Box<str>>,
        /// Which variable of the pattern this is (index into the values).
        idx: usize,
    },
}

/// The shape a pattern was compiled to.
#[derive(Debug, Clone)]
enum Kind {
    /// No wildcard, no variable: string equality.
    Exact(Box<str>),
    /// `literal*`: a prefix test.
    Prefix(Box<str>),
    /// Anything else.
    Segments(Box<[Seg]>),
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    kind: Kind,
    ignore_case: bool,
    /// The pattern as written (for `is_public`'s "fixed value" test).
    source: Box<str>,
}

/// Variables resolved per match without allocating, up to this many per
/// pattern; more fall back to a vector.
const INLINE_VARS: usize = 8;

impl Pattern {
    /// Compiles `text` read with `syntax`.
    pub(crate) fn new(text: &str, syntax: Syntax) -> Pattern {
        let segs = parse_segments(text, syntax);
        let lit = |s: &str| -> Box<str> { s.into() };
        let kind = match segs.as_slice() {
            [] => Kind::Exact("".into()),
            [Seg::Lit(s)] => Kind::Exact(lit(s)),
            [Seg::Lit(s), Seg::Star] => Kind::Prefix(lit(s)),
            [Seg::Star] => Kind::Prefix("".into()),
            _ => Kind::Segments(segs.into_boxed_slice()),
        };
        Pattern {
            kind,
            ignore_case: syntax.ignore_case,
            source: text.into(),
        }
    }

    /// Whether the pattern is a fixed value: no wildcard, no variable (by
    /// its text: a `*` is not fixed even where it is matched literally).
    pub(crate) fn is_fixed(&self) -> bool {
        matches!(self.kind, Kind::Exact(_))
            && !self.source.contains(['*', '?'])
            && !self.source.contains("${")
    }

    /// Whether `s` matches, variables read from `ctx`.
    pub(crate) fn matches<'a>(&'a self, s: &str, ctx: &'a ConditionContext) -> bool {
        match &self.kind {
            Kind::Exact(p) => eq(p.as_bytes(), s.as_bytes(), self.ignore_case),
            Kind::Prefix(p) => {
                s.len() >= p.len() && eq(p.as_bytes(), &s.as_bytes()[..p.len()], self.ignore_case)
            }
            Kind::Segments(segs) => {
                let nvars = segs.iter().filter(|s| matches!(s, Seg::Var { .. })).count();
                if nvars <= INLINE_VARS {
                    let mut vals = [""; INLINE_VARS];
                    if !resolve(segs, ctx, &mut vals[..nvars]) {
                        return false;
                    }
                    glob(segs, &vals[..nvars], s.as_bytes(), self.ignore_case)
                } else {
                    let mut vals = vec![""; nvars];
                    resolve(segs, ctx, &mut vals)
                        && glob(segs, &vals, s.as_bytes(), self.ignore_case)
                }
            }
        }
    }

    /// Whether some string that starts with `prefix` (`exact`: that is
    /// `prefix` itself) can match, whatever the variables' values: the
    /// parse-time test that a resource can name this bucket or its objects.
    pub(crate) fn can_match(&self, prefix: &str, exact: bool) -> bool {
        let toks: Vec<Tok> = match &self.kind {
            Kind::Exact(p) => p.bytes().map(Tok::Byte).collect(),
            Kind::Prefix(p) => p.bytes().map(Tok::Byte).chain([Tok::Star]).collect(),
            Kind::Segments(segs) => segs
                .iter()
                .flat_map(|s| -> Vec<Tok> {
                    match s {
                        Seg::Lit(l) => l.bytes().map(Tok::Byte).collect(),
                        Seg::Star | Seg::Var { .. } => vec![Tok::Star],
                        Seg::One => vec![Tok::One],
                    }
                })
                .collect(),
        };
        // States: positions in `toks` reachable after consuming a prefix of
        // the input (an NFA walk; `?` consumes one byte, close enough for
        // the ASCII of bucket names).
        let mut states = vec![false; toks.len() + 1];
        states[0] = true;
        close(&toks, &mut states);
        for &b in prefix.as_bytes() {
            let mut next = vec![false; toks.len() + 1];
            for (i, tok) in toks.iter().enumerate() {
                if !states[i] {
                    continue;
                }
                match tok {
                    Tok::Byte(c) if eq(&[*c], &[b], self.ignore_case) => next[i + 1] = true,
                    Tok::One => next[i + 1] = true,
                    Tok::Star => next[i] = true,
                    _ => {}
                }
            }
            close(&toks, &mut next);
            states = next;
        }
        if exact {
            states[toks.len()]
        } else {
            states.iter().any(|&s| s)
        }
    }
}

/// A pattern flattened for [`Pattern::can_match`].
#[derive(Debug, Clone, Copy)]
enum Tok {
    Byte(u8),
    Star,
    One,
}

/// Adds the positions reachable by letting a `*` match nothing.
fn close(toks: &[Tok], states: &mut [bool]) {
    for i in 0..toks.len() {
        if states[i] && matches!(toks[i], Tok::Star) {
            states[i + 1] = true;
        }
    }
}

fn eq(a: &[u8], b: &[u8], ignore_case: bool) -> bool {
    if ignore_case {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// Splits `text` into segments; merges adjacent literals.
fn parse_segments(text: &str, syntax: Syntax) -> Vec<Seg> {
    let mut segs: Vec<Seg> = Vec::new();
    let mut lit = String::new();
    let flush = |lit: &mut String, segs: &mut Vec<Seg>| {
        if !lit.is_empty() {
            let s = std::mem::take(lit);
            let s = if syntax.ignore_case {
                s.to_ascii_lowercase()
            } else {
                s
            };
            segs.push(Seg::Lit(s.into()));
        }
    };
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if syntax.variables && rest.starts_with("${") {
            if let Some(end) = rest.find('}') {
                let inner = &rest[2..end];
                rest = &rest[end + 1..];
                match inner {
                    "*" => lit.push('*'),
                    "?" => lit.push('?'),
                    "$" => lit.push('$'),
                    _ => {
                        flush(&mut lit, &mut segs);
                        let (key, default) = match inner.split_once(',') {
                            Some((k, d)) => {
                                let d = d.trim();
                                let d = d
                                    .strip_prefix('\'')
                                    .and_then(|d| d.strip_suffix('\''))
                                    .unwrap_or(d);
                                (k.trim(), Some(d.into()))
                            }
                            None => (inner.trim(), None),
                        };
                        let idx = segs.iter().filter(|s| matches!(s, Seg::Var { .. })).count();
                        segs.push(Seg::Var {
                            key: key.into(),
                            default,
                            idx,
                        });
                    }
                }
                continue;
            }
        }
        rest = &rest[c.len_utf8()..];
        match c {
            '*' if syntax.wildcards => {
                flush(&mut lit, &mut segs);
                if segs.last() != Some(&Seg::Star) {
                    segs.push(Seg::Star);
                }
            }
            '?' if syntax.wildcards => {
                flush(&mut lit, &mut segs);
                segs.push(Seg::One);
            }
            _ => lit.push(c),
        }
    }
    flush(&mut lit, &mut segs);
    segs
}

/// Fills `vals` with the variables' values in order (a missing key takes
/// its default); false when one is missing without default (AWS: the
/// pattern then matches nothing).
fn resolve<'a>(segs: &'a [Seg], ctx: &'a ConditionContext, vals: &mut [&'a str]) -> bool {
    for seg in segs {
        if let Seg::Var { key, default, idx } = seg {
            let v = match (ctx.first(key), default) {
                (Some(v), _) => v,
                (None, Some(d)) => d,
                (None, None) => return false,
            };
            if let Some(slot) = vals.get_mut(*idx) {
                *slot = v;
            }
        }
    }
    true
}

/// A position in a segment list: (segment, byte offset in a literal).
type Pos = (usize, usize);

/// What is at a position, variables resolved.
#[derive(Clone, Copy, PartialEq)]
enum At {
    Byte(u8),
    Star,
    One,
    End,
}

/// Wildcard match of `s` against `segs` (classic two-pointer algorithm
/// with one backtrack point; `?` and `*` step by whole UTF-8 characters).
fn glob(segs: &[Seg], vals: &[&str], s: &[u8], ignore_case: bool) -> bool {
    let text_of = |seg: usize| -> &[u8] {
        match &segs[seg] {
            Seg::Lit(l) => l.as_bytes(),
            Seg::Var { idx, .. } => vals.get(*idx).copied().unwrap_or("").as_bytes(),
            _ => &[],
        }
    };
    // Normalizes a position past exhausted literals/variables.
    let norm = |mut p: Pos| -> Pos {
        while p.0 < segs.len() {
            match &segs[p.0] {
                Seg::Star | Seg::One => return p,
                _ if p.1 < text_of(p.0).len() => return p,
                _ => p = (p.0 + 1, 0),
            }
        }
        p
    };
    let at = |p: Pos| -> At {
        match segs.get(p.0) {
            None => At::End,
            Some(Seg::Star) => At::Star,
            Some(Seg::One) => At::One,
            Some(_) => At::Byte(text_of(p.0)[p.1]),
        }
    };
    let adv = |p: Pos| -> Pos {
        match segs.get(p.0) {
            Some(Seg::Star | Seg::One) => norm((p.0 + 1, 0)),
            _ => norm((p.0, p.1 + 1)),
        }
    };
    let mut p = norm((0, 0));
    let mut i = 0;
    let mut back: Option<(Pos, usize)> = None;
    while i < s.len() {
        match at(p) {
            At::Byte(b) if eq(&[b], &[s[i]], ignore_case) => {
                p = adv(p);
                i += 1;
            }
            At::One => {
                p = adv(p);
                i += utf8_len(s[i]);
            }
            At::Star => {
                p = adv(p);
                back = Some((p, i));
            }
            _ => match back {
                Some((bp, bi)) if bi < s.len() => {
                    let ni = bi + utf8_len(s[bi]);
                    back = Some((bp, ni));
                    p = bp;
                    i = ni;
                }
                _ => return false,
            },
        }
    }
    while at(p) == At::Star {
        p = adv(p);
    }
    i == s.len() && at(p) == At::End
}

/// Length of the UTF-8 character starting with byte `b`.
fn utf8_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        _ => 1,
    }
}
