//! A bucket's lifecycle rules one by one on its settings page: each rule
//! listed (what it applies to, what it does) with a button that deletes
//! it, and a form that adds one (prefix, tag and size filters; expiry of
//! current versions, of expired delete markers and of noncurrent ones;
//! aborting old uploads). Both read the bucket's configuration, change its
//! rules and put the whole back: one PutBucketLifecycleConfiguration as
//! the user, so the gateway's own checks and messages apply (the settings
//! page shows them beside the form, with the configuration refused).

use hyper::Method;
use serde::{Deserialize, Serialize};

use super::configuration::{read_call, with_document};
use super::context::{s3_path, Console};
use super::error::ConsoleError;
use super::gateway::S3Call;
use super::session::Session;
use crate::api::xml::lifecycle::{lifecycle_to_xml, parse_lifecycle};
use crate::storage::meta::lifecycle::{
    Expiration, LifecycleConfig, LifecycleRule, NoncurrentExpiration, RuleFilter,
};

/// A rule as the page lists it.
#[derive(Serialize, Debug, PartialEq)]
pub(super) struct RuleRow {
    id: String,
    enabled: bool,
    /// What it applies to, in words.
    applies_to: String,
    /// What it does, one phrase per action.
    actions: Vec<String>,
}

/// The rules of a configuration as the page lists them (none if the text
/// is not one the gateway would take: the XML editor still shows it).
pub(super) fn rule_rows(document: &str) -> Vec<RuleRow> {
    let Ok(config) = parse_lifecycle(document.as_bytes()) else {
        return Vec::new();
    };
    config.rules.iter().map(row_of).collect()
}

fn row_of(rule: &LifecycleRule) -> RuleRow {
    let f = &rule.filter;
    let mut applies: Vec<String> = Vec::new();
    if !f.prefix.is_empty() {
        applies.push(format!("keys starting with {}", f.prefix));
    }
    applies.extend(f.tags.iter().map(|(k, v)| format!("tag {k}={v}")));
    if let Some(n) = f.size_greater_than {
        applies.push(format!("larger than {n} bytes"));
    }
    if let Some(n) = f.size_less_than {
        applies.push(format!("smaller than {n} bytes"));
    }
    let mut actions = Vec::new();
    if let Some(e) = &rule.expiration {
        if let Some(days) = e.days {
            actions.push(format!("current versions expire after {days} days"));
        }
        if let Some(ms) = e.date_ms {
            actions.push(format!(
                "current versions expire from {}",
                crate::clock::format_timestamp(ms)
            ));
        }
        if e.expired_object_delete_marker {
            actions.push("expired delete markers are removed".into());
        }
    }
    if let Some(n) = &rule.noncurrent {
        actions.push(match n.newer_versions {
            Some(keep) => format!(
                "noncurrent versions go after {} days, the {keep} newest kept",
                n.days
            ),
            None => format!("noncurrent versions go after {} days", n.days),
        });
    }
    if let Some(days) = rule.abort_after_days {
        actions.push(format!("unfinished uploads are aborted after {days} days"));
    }
    RuleRow {
        id: rule.id.clone(),
        enabled: rule.enabled,
        applies_to: if applies.is_empty() {
            "every object".into()
        } else {
            applies.join(", ")
        },
        actions,
    }
}

/// The add form's fields (numbers as typed; empty: not set).
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub(super) struct RuleForm {
    /// The session's CSRF token.
    pub(super) csrf: String,
    id: String,
    prefix: String,
    /// `key=value`.
    tag: String,
    larger_than: String,
    smaller_than: String,
    expire_days: String,
    expired_markers: Option<String>,
    noncurrent_days: String,
    keep_newer: String,
    abort_days: String,
}

/// A number field: `None` when empty.
fn number<T: std::str::FromStr>(field: &str, value: &str) -> Result<Option<T>, ConsoleError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| ConsoleError::BadRequest(format!("{field}: {value:?} is not a whole number")))
}

/// The rule the form describes (the gateway checks the rest: an id in
/// use, a rule with no action, tags beside expired delete markers).
fn rule_of(form: &RuleForm) -> Result<LifecycleRule, ConsoleError> {
    let tags = match form.tag.trim() {
        "" => Vec::new(),
        tag => match tag.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                vec![(k.trim().to_string(), v.trim().to_string())]
            }
            _ => {
                return Err(ConsoleError::BadRequest(format!(
                    "tag: {tag:?} is not key=value"
                )))
            }
        },
    };
    let prefix = form.prefix.trim().to_string();
    let filter = RuleFilter {
        prefix_given: !prefix.is_empty(),
        size_greater_than: number("larger than", &form.larger_than)?,
        size_less_than: number("smaller than", &form.smaller_than)?,
        ..RuleFilter::default()
    };
    let conditions = usize::from(!prefix.is_empty())
        + tags.len()
        + usize::from(filter.size_greater_than.is_some())
        + usize::from(filter.size_less_than.is_some());
    let filter = RuleFilter {
        prefix,
        tags,
        and: conditions > 1,
        ..filter
    };
    let expire_days = number("expire after", &form.expire_days)?;
    let expired_markers = form.expired_markers.is_some();
    let noncurrent_days: Option<u32> = number("noncurrent after", &form.noncurrent_days)?;
    Ok(LifecycleRule {
        id: form.id.trim().to_string(),
        enabled: true,
        filter,
        legacy_prefix: false,
        expiration: (expire_days.is_some() || expired_markers).then_some(Expiration {
            days: expire_days,
            date_ms: None,
            expired_object_delete_marker: expired_markers,
        }),
        noncurrent: noncurrent_days.map(|days| NoncurrentExpiration {
            days,
            newer_versions: None,
        }),
        abort_after_days: number("abort uploads after", &form.abort_days)?,
    })
    .and_then(|mut rule| {
        let keep = number("keep newest", &form.keep_newer)?;
        match (&mut rule.noncurrent, keep) {
            (Some(n), keep) => n.newer_versions = keep,
            (None, Some(_)) => {
                return Err(ConsoleError::BadRequest(
                    "keep newest: give the noncurrent days too".into(),
                ))
            }
            (None, None) => {}
        }
        Ok(rule)
    })
}

/// The bucket's configuration (empty when it has none).
async fn current(
    console: &Console,
    session: &Session,
    bucket: &str,
) -> Result<LifecycleConfig, ConsoleError> {
    let call = S3Call::new(Method::GET, s3_path(bucket, None)).query("lifecycle", "");
    match read_call(console, session, call).await? {
        None => Ok(LifecycleConfig::default()),
        Some(text) => parse_lifecycle(text.as_bytes()).map_err(|e| {
            ConsoleError::Internal(format!("the bucket's lifecycle configuration: {e}"))
        }),
    }
}

/// Puts `config` (deletes the configuration when it has no rule left);
/// the document sent, for the page to show if it is refused.
async fn put(
    console: &Console,
    session: &Session,
    bucket: &str,
    config: &LifecycleConfig,
) -> Result<(), (ConsoleError, String)> {
    if config.rules.is_empty() {
        let call = S3Call::new(Method::DELETE, s3_path(bucket, None)).query("lifecycle", "");
        return console
            .gateway
            .done(session, call)
            .await
            .map_err(|e| (e, String::new()));
    }
    let document = lifecycle_to_xml(config);
    let call = S3Call::new(Method::PUT, s3_path(bucket, None)).query("lifecycle", "");
    console
        .gateway
        .done(session, with_document(call, document.clone()))
        .await
        .map_err(|e| (e, document))
}

/// Adds the rule `form` describes; on a refusal, the reason and the
/// configuration that was refused.
pub(super) async fn add_rule(
    console: &Console,
    session: &Session,
    bucket: &str,
    form: &RuleForm,
) -> Result<(), (ConsoleError, String)> {
    let rule = rule_of(form).map_err(|e| (e, String::new()))?;
    let mut config = current(console, session, bucket)
        .await
        .map_err(|e| (e, String::new()))?;
    config.rules.push(rule);
    put(console, session, bucket, &config).await
}

/// The delete button's fields.
#[derive(Deserialize)]
pub(super) struct DeleteForm {
    /// The session's CSRF token.
    pub(super) csrf: String,
    /// The rule's id.
    pub(super) id: String,
}

/// Deletes rule `id`.
pub(super) async fn delete_rule(
    console: &Console,
    session: &Session,
    bucket: &str,
    id: &str,
) -> Result<(), (ConsoleError, String)> {
    let mut config = current(console, session, bucket)
        .await
        .map_err(|e| (e, String::new()))?;
    let before = config.rules.len();
    config.rules.retain(|r| r.id != id);
    if config.rules.len() == before {
        return Err((
            ConsoleError::BadRequest(format!("no rule {id:?}")),
            String::new(),
        ));
    }
    put(console, session, bucket, &config).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_makes_the_rule_it_says_and_the_page_lists_it_back() {
        let filtered = RuleForm {
            id: "logs".into(),
            prefix: "logs/".into(),
            tag: "tier = cold".into(),
            larger_than: "1024".into(),
            expire_days: "30".into(),
            noncurrent_days: "7".into(),
            keep_newer: "3".into(),
            ..RuleForm::default()
        };
        let uploads = RuleForm {
            id: "uploads".into(),
            abort_days: "2".into(),
            expired_markers: Some("on".into()),
            ..RuleForm::default()
        };
        let rules = vec![
            rule_of(&filtered).expect("a rule"),
            rule_of(&uploads).expect("a rule"),
        ];
        assert!(rules[0].filter.and, "three conditions go in an And");
        let document = lifecycle_to_xml(&LifecycleConfig { rules });
        assert_eq!(
            rule_rows(&document),
            [
                RuleRow {
                    id: "logs".into(),
                    enabled: true,
                    applies_to: "keys starting with logs/, tag tier=cold, larger than 1024 bytes"
                        .into(),
                    actions: vec![
                        "current versions expire after 30 days".into(),
                        "noncurrent versions go after 7 days, the 3 newest kept".into(),
                    ],
                },
                RuleRow {
                    id: "uploads".into(),
                    enabled: true,
                    applies_to: "every object".into(),
                    actions: vec![
                        "expired delete markers are removed".into(),
                        "unfinished uploads are aborted after 2 days".into(),
                    ],
                },
            ]
        );
    }

    #[test]
    fn bad_fields_are_refused_with_what_is_wrong() {
        let bad = |form: RuleForm| rule_of(&form).expect_err("refused").to_string();
        assert!(bad(RuleForm {
            expire_days: "ten".into(),
            ..RuleForm::default()
        })
        .contains("expire after"));
        assert!(bad(RuleForm {
            tag: "no-equals".into(),
            ..RuleForm::default()
        })
        .contains("key=value"));
        assert!(bad(RuleForm {
            keep_newer: "2".into(),
            ..RuleForm::default()
        })
        .contains("noncurrent days"));
        assert!(rule_rows("<LifecycleConfiguration><Rule>").is_empty());
    }
}
