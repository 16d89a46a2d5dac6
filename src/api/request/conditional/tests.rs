//! Unit tests of `api/request/conditional.rs`.

use proptest::prelude::*;

use super::*;
use crate::api::request::http_date;

const ETAG: &str = "\"abc123\"";
// 2024-01-02T03:04:05.678Z
const MODIFIED_MS: u64 = 1_704_164_645_678;
const AT_MODIFIED: &str = "Tue, 02 Jan 2024 03:04:05 GMT";
const BEFORE_MODIFIED: &str = "Tue, 02 Jan 2024 03:04:04 GMT";
const AFTER_MODIFIED: &str = "Tue, 02 Jan 2024 03:04:06 GMT";

fn eval(cond: &Conditions) -> Result<(), HeaderError> {
    evaluate_conditions(cond, ETAG, MODIFIED_MS, ConditionTarget::Object)
}

fn eval_copy(cond: &Conditions) -> Result<(), HeaderError> {
    evaluate_conditions(cond, ETAG, MODIFIED_MS, ConditionTarget::CopySource)
}

fn if_match(v: &str) -> Conditions {
    Conditions {
        if_match: Some(v.into()),
        ..Default::default()
    }
}

fn if_none_match(v: &str) -> Conditions {
    Conditions {
        if_none_match: Some(v.into()),
        ..Default::default()
    }
}

fn if_modified_since(v: &str) -> Conditions {
    Conditions {
        if_modified_since: Some(v.into()),
        ..Default::default()
    }
}

fn if_unmodified_since(v: &str) -> Conditions {
    Conditions {
        if_unmodified_since: Some(v.into()),
        ..Default::default()
    }
}

fn failed(condition: &'static str) -> Result<(), HeaderError> {
    Err(HeaderError::PreconditionFailed { condition })
}

#[test]
fn conditions_absent_pass() {
    assert_eq!(eval(&Conditions::default()), Ok(()));
    assert_eq!(eval_copy(&Conditions::default()), Ok(()));
}

#[test]
fn if_match_forms() {
    for v in [
        "\"abc123\"",
        "abc123",
        "*",
        " * ",
        "\"x\", \"abc123\"",
        "\"x\",abc123",
        "x, abc123 ,y",
    ] {
        assert_eq!(eval(&if_match(v)), Ok(()), "{v:?}");
    }
    for v in [
        "\"other\"",
        "other",
        "\"x\", \"y\"",
        "",
        "\"\"",
        "\"ABC123\"",
    ] {
        assert_eq!(eval(&if_match(v)), failed("If-Match"), "{v:?}");
    }
}

#[test]
fn if_match_uses_strong_comparison() {
    assert_eq!(eval(&if_match("W/\"abc123\"")), failed("If-Match"));
    assert_eq!(eval(&if_match("W/\"abc123\", \"abc123\"")), Ok(()));
}

#[test]
fn stored_etag_may_be_bare() {
    let cond = if_match("\"abc123\"");
    assert_eq!(
        evaluate_conditions(&cond, "abc123", MODIFIED_MS, ConditionTarget::Object),
        Ok(())
    );
}

#[test]
fn etag_list_keeps_commas_inside_quotes() {
    let cond = if_match("\"a,b\", \"c\"");
    assert_eq!(
        evaluate_conditions(&cond, "\"a,b\"", 0, ConditionTarget::Object),
        Ok(())
    );
    assert_eq!(
        evaluate_conditions(&cond, "\"a\"", 0, ConditionTarget::Object),
        failed("If-Match")
    );
}

#[test]
fn etag_list_tolerates_unterminated_quote() {
    assert_eq!(eval(&if_match("\"abc123")), Ok(()));
    assert_eq!(eval(&if_match("\"x\", \"abc12")), failed("If-Match"));
}

#[test]
fn multipart_style_etag_matches() {
    let etag = "\"d41d8cd98f00b204e9800998ecf8427e-3\"";
    let cond = if_none_match("d41d8cd98f00b204e9800998ecf8427e-3");
    assert_eq!(
        evaluate_conditions(&cond, etag, 0, ConditionTarget::Object),
        Err(HeaderError::NotModified)
    );
}

#[test]
fn if_none_match_forms() {
    for v in [
        "\"abc123\"",
        "abc123",
        "*",
        "W/\"abc123\"",
        "\"x\", W/\"abc123\"",
    ] {
        assert_eq!(
            eval(&if_none_match(v)),
            Err(HeaderError::NotModified),
            "{v:?}"
        );
    }
    for v in ["\"other\"", "W/\"other\"", ""] {
        assert_eq!(eval(&if_none_match(v)), Ok(()), "{v:?}");
    }
}

#[test]
fn if_none_match_on_copy_source_is_412() {
    assert_eq!(
        eval_copy(&if_none_match("\"abc123\"")),
        failed("x-amz-copy-source-if-none-match")
    );
}

#[test]
fn if_modified_since_rules() {
    assert_eq!(eval(&if_modified_since(BEFORE_MODIFIED)), Ok(()));
    // Equal at second precision: the 678 ms are not a modification.
    assert_eq!(
        eval(&if_modified_since(AT_MODIFIED)),
        Err(HeaderError::NotModified)
    );
    assert_eq!(
        eval(&if_modified_since(AFTER_MODIFIED)),
        Err(HeaderError::NotModified)
    );
    // A date in the future is ignored.
    assert_eq!(
        eval(&if_modified_since("Fri, 31 Dec 9999 23:59:59 GMT")),
        Ok(())
    );
}

#[test]
fn if_modified_since_on_copy_source_is_412() {
    assert_eq!(
        eval_copy(&if_modified_since(AT_MODIFIED)),
        failed("x-amz-copy-source-if-modified-since")
    );
    assert_eq!(eval_copy(&if_modified_since(BEFORE_MODIFIED)), Ok(()));
}

#[test]
fn if_unmodified_since_rules() {
    assert_eq!(
        eval(&if_unmodified_since(BEFORE_MODIFIED)),
        failed("If-Unmodified-Since")
    );
    assert_eq!(eval(&if_unmodified_since(AT_MODIFIED)), Ok(()));
    assert_eq!(eval(&if_unmodified_since(AFTER_MODIFIED)), Ok(()));
    assert_eq!(
        eval_copy(&if_unmodified_since(BEFORE_MODIFIED)),
        failed("x-amz-copy-source-if-unmodified-since")
    );
}

#[test]
fn all_three_http_date_forms_are_accepted() {
    for date in [
        "Tue, 02 Jan 2024 03:04:05 GMT",
        "Tuesday, 02-Jan-24 03:04:05 GMT",
        "Tue Jan  2 03:04:05 2024",
    ] {
        assert_eq!(
            eval(&if_modified_since(date)),
            Err(HeaderError::NotModified),
            "{date:?}"
        );
    }
}

#[test]
fn unparsable_dates_are_ignored() {
    for date in ["", "yesterday", "2024-01-02T03:04:05Z", "1704164645"] {
        assert_eq!(eval(&if_modified_since(date)), Ok(()), "{date:?}");
        assert_eq!(eval(&if_unmodified_since(date)), Ok(()), "{date:?}");
    }
}

#[test]
fn if_match_true_overrides_failed_if_unmodified_since() {
    let cond = Conditions {
        if_match: Some(ETAG.into()),
        if_unmodified_since: Some(BEFORE_MODIFIED.into()),
        ..Default::default()
    };
    assert_eq!(eval(&cond), Ok(()));
    assert_eq!(eval_copy(&cond), Ok(()));
}

#[test]
fn if_match_false_wins_over_everything() {
    let cond = Conditions {
        if_match: Some("\"nope\"".into()),
        if_none_match: Some(ETAG.into()),
        if_modified_since: Some(AFTER_MODIFIED.into()),
        if_unmodified_since: Some(AFTER_MODIFIED.into()),
    };
    assert_eq!(eval(&cond), failed("If-Match"));
}

#[test]
fn failed_if_unmodified_since_precedes_if_none_match() {
    let cond = Conditions {
        if_none_match: Some(ETAG.into()),
        if_unmodified_since: Some(BEFORE_MODIFIED.into()),
        ..Default::default()
    };
    assert_eq!(eval(&cond), failed("If-Unmodified-Since"));
}

#[test]
fn if_none_match_false_with_if_modified_since_true_is_304() {
    // S3's documented case: If-None-Match matches (evaluates false) and
    // If-Modified-Since says modified (true) → 304.
    let cond = Conditions {
        if_none_match: Some(ETAG.into()),
        if_modified_since: Some(BEFORE_MODIFIED.into()),
        ..Default::default()
    };
    assert_eq!(eval(&cond), Err(HeaderError::NotModified));
    assert_eq!(eval_copy(&cond), failed("x-amz-copy-source-if-none-match"));
}

#[test]
fn if_none_match_true_ignores_if_modified_since() {
    let cond = Conditions {
        if_none_match: Some("\"other\"".into()),
        if_modified_since: Some(AFTER_MODIFIED.into()),
        ..Default::default()
    };
    assert_eq!(eval(&cond), Ok(()));
}

#[test]
fn if_match_true_then_if_none_match_still_applies() {
    let cond = Conditions {
        if_match: Some("*".into()),
        if_none_match: Some("*".into()),
        ..Default::default()
    };
    assert_eq!(eval(&cond), Err(HeaderError::NotModified));
}

#[test]
fn http_date_round_trips_through_conditions() {
    let cond = if_modified_since(&http_date(MODIFIED_MS));
    assert_eq!(eval(&cond), Err(HeaderError::NotModified));
}

proptest! {
    #[test]
    fn conditions_never_panic(
        if_match in proptest::option::of(".*"),
        if_none_match in proptest::option::of(".*"),
        if_modified_since in proptest::option::of(".*"),
        if_unmodified_since in proptest::option::of(".*"),
        etag in ".*",
        ms in any::<u64>(),
        copy in any::<bool>(),
    ) {
        let cond = Conditions { if_match, if_none_match, if_modified_since, if_unmodified_since };
        let target = if copy { ConditionTarget::CopySource } else { ConditionTarget::Object };
        let _ = evaluate_conditions(&cond, &etag, ms, target);
    }
}
