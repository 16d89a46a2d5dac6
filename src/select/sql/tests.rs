//! The parser: what it builds, and where it stops.

use super::parser::parse;
use super::*;

fn field(name: &str) -> PathStep {
    PathStep::Field {
        name: name.into(),
        exact: false,
    }
}

#[test]
fn the_table_alias_is_dropped_from_paths_and_precedence_holds() {
    let q = parse(
        "SELECT s.a, \"B c\" AS x FROM S3Object AS s WHERE s.a = 1 OR s.b > 2 AND NOT s.c LIMIT 5",
    )
    .unwrap();
    assert_eq!(q.alias.as_deref(), Some("s"));
    assert_eq!(q.items[0].expr, Expr::Path(vec![field("a")]));
    assert_eq!(q.items[1].alias.as_deref(), Some("x"));
    assert_eq!(
        q.items[1].expr,
        Expr::Path(vec![PathStep::Field {
            name: "B c".into(),
            exact: true
        }])
    );
    assert_eq!(q.limit, Some(5));
    // OR binds loosest: a = 1 OR (b > 2 AND NOT c).
    let Some(Expr::Binary(BinaryOp::Or, _, right)) = q.filter else {
        panic!("not an OR at the top")
    };
    assert!(matches!(*right, Expr::Binary(BinaryOp::And, _, _)));
}

#[test]
fn paths_literals_and_calls_parse() {
    let q = parse("select s.a[0].b, -1.5e2, 'it''s' from s3object[*].rows[*] s").unwrap();
    assert_eq!(
        q.from_path,
        vec![PathStep::Wildcard, field("rows"), PathStep::Wildcard]
    );
    assert_eq!(
        q.items[0].expr,
        Expr::Path(vec![field("a"), PathStep::Index(0), field("b")])
    );
    assert_eq!(q.items[1].expr, Expr::Literal(Literal::Float(-150.0)));
    assert_eq!(q.items[2].expr, Expr::Literal(Literal::Str("it's".into())));
    let q = parse("select count(*), sum(x) from s3object").unwrap();
    assert_eq!(q.aggregates, 2);
    assert!(
        parse("select trim(leading 'x' from a), substring(a from 2 for 3) from s3object").is_ok()
    );
}

#[test]
fn damaged_expressions_are_errors_not_panics() {
    for bad in [
        "",
        "select",
        "select a from",
        "select a from s3object where a = ",
        "select 'open from s3object",
        "select a from s3object limit -1",
        "select (a from s3object",
        "select a[ from s3object",
        "select a from s3object s t",
        "select cast(a as blob) from s3object",
        "select case end from s3object",
        "select sum(count(*)) from s3object",
        "select a from s3object ;",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn nesting_is_bounded_so_a_hostile_expression_cannot_overflow_the_stack() {
    let deep = |open: &str, close: &str, n: usize| {
        format!(
            "select {}1{} from s3object",
            open.repeat(n),
            close.repeat(n)
        )
    };
    assert!(parse(&deep("(", ")", 50)).is_ok());
    assert!(parse(&deep("-", "", 50)).is_ok());
    for (open, close) in [("(", ")"), ("not ", ""), ("- ", ""), ("lower(", ")")] {
        let refused = parse(&deep(open, close, 100_000)).err().map(|e| e.kind);
        assert_eq!(
            refused,
            Some(crate::select::SelectErrorKind::UnsupportedSyntax),
            "{open}"
        );
    }
    // AND and OR chains are built balanced: long ones are fine.
    let ors = vec!["a = 1"; 50_000].join(" or ");
    assert!(parse(&format!("select a from s3object where {ors}")).is_ok());
    // An arithmetic chain nests a level per link.
    let sum = vec!["1"; 50_000].join(" + ");
    assert!(parse(&format!("select {sum} from s3object")).is_err());
    let short = vec!["1"; 50].join(" + ");
    assert!(parse(&format!("select {short} from s3object")).is_ok());
}

#[test]
fn a_column_beside_an_aggregate_is_refused_and_concatenations_may_be_long() {
    assert!(parse("select _1, count(*) from s3object").is_err());
    assert!(parse("select count(*), sum(_1) + 1, 'x' from s3object").is_ok());
    let columns = vec!["_1"; 100].join(" || ',' || ");
    assert!(parse(&format!("select {columns} from s3object")).is_ok());
}
