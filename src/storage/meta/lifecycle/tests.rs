//! The rules alone: filters, day counting and rounding, and what is due
//! among a key's versions.

use super::*;
use crate::storage::meta::tests::fixtures::object;
use crate::storage::meta::version::VersionSeq;

const DAY: u64 = 10_000;

fn rule(id: &str, prefix: &str) -> LifecycleRule {
    LifecycleRule {
        id: id.into(),
        enabled: true,
        filter: RuleFilter {
            prefix: prefix.into(),
            ..RuleFilter::default()
        },
        ..LifecycleRule::default()
    }
}

fn expire_after(id: &str, prefix: &str, days: u32) -> LifecycleRule {
    LifecycleRule {
        expiration: Some(Expiration {
            days: Some(days),
            ..Expiration::default()
        }),
        ..rule(id, prefix)
    }
}

/// A version of `key` written at `at_ms`, `size` bytes; `seq` orders it.
fn version(key: &str, at_ms: u64, seq: u64) -> ObjectRecord {
    ObjectRecord {
        last_modified_ms: at_ms,
        seq: VersionSeq(seq),
        versioned: true,
        ..object("b", key, u128::from(seq))
    }
}

fn marker(key: &str, at_ms: u64, seq: u64) -> ObjectRecord {
    ObjectRecord {
        delete_marker: true,
        size: 0,
        ..version(key, at_ms, seq)
    }
}

#[test]
fn days_round_up_to_the_next_midnight() {
    assert_eq!(round_up_to_day(0, DAY), 0);
    assert_eq!(round_up_to_day(1, DAY), DAY);
    assert_eq!(round_up_to_day(DAY, DAY), DAY);
    // Written at 10:00 on day 0: one day later is 10:00 on day 1, which
    // rounds to midnight starting day 2, as AWS counts.
    assert_eq!(days_after(DAY * 10 / 24, 1, DAY), 2 * DAY);
    assert_eq!(days_after(0, 3, DAY), 3 * DAY);
    // Real days.
    assert_eq!(days_after(1, 1, DAY_MS), 2 * DAY_MS);
}

#[test]
fn filters_need_every_condition() {
    let f = RuleFilter {
        prefix: "logs/".into(),
        tags: vec![("k".into(), "v".into())],
        size_greater_than: Some(10),
        size_less_than: Some(100),
        and: true,
        prefix_given: true,
    };
    let tags = vec![("k".into(), "v".into()), ("other".into(), "x".into())];
    assert!(f.matches("logs/a", &tags, 50));
    assert!(!f.matches("data/a", &tags, 50));
    assert!(!f.matches("logs/a", &vec![("k".into(), "w".into())], 50));
    assert!(!f.matches("logs/a", &tags, 10), "greater than is strict");
    assert!(!f.matches("logs/a", &tags, 100), "less than is strict");
    assert!(RuleFilter::default().matches("anything", &vec![], 0));
}

#[test]
fn the_earliest_matching_enabled_rule_names_the_expiry() {
    let mut late = expire_after("late", "", 5);
    let early = expire_after("early", "a/", 1);
    let mut disabled = expire_after("off", "", 1);
    disabled.enabled = false;
    late.filter.size_greater_than = Some(1);
    let config = LifecycleConfig {
        rules: vec![late, disabled, early],
    };
    let v = version("a/x", 1, 1);
    assert_eq!(config.current_expiry(&v, DAY), Some((2 * DAY, "early")));
    let other = version("b/x", 1, 1);
    assert_eq!(
        config.current_expiry(&other, DAY),
        Some((5 * DAY + DAY, "late"))
    );
    assert!(!config.current_expired(&other, 6 * DAY - 1, DAY));
    assert!(config.current_expired(&other, 6 * DAY, DAY));
}

#[test]
fn a_date_expires_from_that_midnight() {
    let config = LifecycleConfig {
        rules: vec![LifecycleRule {
            expiration: Some(Expiration {
                date_ms: Some(7 * DAY),
                ..Expiration::default()
            }),
            ..rule("d", "")
        }],
    };
    let v = version("k", 1, 1);
    assert!(!config.current_expired(&v, 7 * DAY - 1, DAY));
    assert!(config.current_expired(&v, 7 * DAY, DAY));
}

#[test]
fn noncurrent_versions_go_by_age_beyond_the_newest_kept() {
    let config = LifecycleConfig {
        rules: vec![LifecycleRule {
            noncurrent: Some(NoncurrentExpiration {
                days: 1,
                newer_versions: Some(1),
            }),
            ..rule("nc", "")
        }],
    };
    // Newest first: current (day 5), then versions that became
    // noncurrent on days 5, 3 and 2.
    let versions = [
        version("k", 5 * DAY, 4),
        version("k", 3 * DAY, 3),
        version("k", 2 * DAY, 2),
        version("k", DAY, 1),
    ];
    let due = config.due_for_key(&versions, 10 * DAY, DAY);
    let ids: Vec<_> = due.iter().map(|d| d.version).collect();
    // The newest noncurrent one is kept whatever its age.
    assert_eq!(
        ids,
        [VersionRef::Id(VersionSeq(2)), VersionRef::Id(VersionSeq(1))]
    );
    assert!(due
        .iter()
        .all(|d| d.action == LifecycleAction::ExpireNoncurrent));
    // Version 2 became noncurrent on day 3: due from day 4 only.
    let early = config.due_for_key(&versions, 4 * DAY - 1, DAY);
    assert_eq!(early.len(), 1, "{early:?}");
    assert_eq!(early[0].version, VersionRef::Id(VersionSeq(1)));
}

#[test]
fn lone_markers_go_when_asked_for_or_old_enough() {
    let flag = LifecycleConfig {
        rules: vec![LifecycleRule {
            expiration: Some(Expiration {
                expired_object_delete_marker: true,
                ..Expiration::default()
            }),
            ..rule("dm", "")
        }],
    };
    let lone = [marker("k", DAY, 3)];
    let due = flag.due_for_key(&lone, DAY, DAY);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].action, LifecycleAction::RemoveMarker);
    // A marker over an older version is not lone.
    let over = [marker("k", DAY, 3), version("k", 0, 1)];
    assert!(flag.due_for_key(&over, 100 * DAY, DAY).is_empty());
    // With Days: once the marker is that old.
    let days = LifecycleConfig {
        rules: vec![expire_after("d", "", 2)],
    };
    assert!(days.due_for_key(&lone, 2 * DAY, DAY).is_empty());
    assert_eq!(days.due_for_key(&lone, 3 * DAY, DAY).len(), 1);
    // A rule with a tag filter never takes markers.
    let mut tagged = flag.clone();
    tagged.rules[0].filter.tags = vec![("a".into(), "b".into())];
    assert!(tagged.due_for_key(&lone, 100 * DAY, DAY).is_empty());
}

#[test]
fn uploads_abort_by_prefix_after_their_days() {
    let config = LifecycleConfig {
        rules: vec![
            LifecycleRule {
                abort_after_days: Some(2),
                ..rule("abort", "tmp/")
            },
            expire_after("other", "", 1),
        ],
    };
    assert_eq!(
        config.upload_abort("tmp/x", 1, DAY),
        Some((3 * DAY, "abort"))
    );
    assert_eq!(config.upload_abort("keep/x", 1, DAY), None);
}

#[test]
fn a_current_version_is_due_once_and_markers_are_never_current_expiries() {
    let config = LifecycleConfig {
        rules: vec![expire_after("e", "", 1)],
    };
    let versions = [version("k", 0, 2), version("k", 0, 1)];
    let due = config.due_for_key(&versions, 5 * DAY, DAY);
    assert_eq!(
        due.iter()
            .filter(|d| d.action == LifecycleAction::ExpireCurrent)
            .count(),
        1
    );
    // Expiration rules do not touch noncurrent versions.
    assert_eq!(due.len(), 1, "{due:?}");
    let over = [marker("k", 0, 3), version("k", 0, 1)];
    assert!(config.due_for_key(&over, 5 * DAY, DAY).is_empty());
}

mod still_due {
    use super::*;
    use proptest::prelude::*;

    /// Rules of every kind the state machine re-checks, on one prefix.
    fn config(current_days: u32, noncurrent_days: u32, keep: Option<u32>) -> LifecycleConfig {
        LifecycleConfig {
            rules: vec![
                LifecycleRule {
                    noncurrent: Some(NoncurrentExpiration {
                        days: noncurrent_days,
                        newer_versions: keep,
                    }),
                    expiration: Some(Expiration {
                        days: Some(current_days),
                        expired_object_delete_marker: true,
                        ..Expiration::default()
                    }),
                    ..rule("all", "")
                },
                // A longer noncurrent rule for the small versions only.
                LifecycleRule {
                    noncurrent: Some(NoncurrentExpiration {
                        days: noncurrent_days + 3,
                        newer_versions: None,
                    }),
                    filter: RuleFilter {
                        size_less_than: Some(5),
                        ..RuleFilter::default()
                    },
                    ..rule("small", "")
                },
            ],
        }
    }

    proptest! {
        #[test]
        fn judges_one_action_as_the_whole_key_does(
            // (marker?, days before now it was written, size), newest first.
            history in proptest::collection::vec((any::<bool>(), 0u64..8, 0u64..10), 1..12),
            current_days in 1u32..4,
            noncurrent_days in 1u32..4,
            keep in proptest::option::of(0u32..4),
        ) {
            let config = config(current_days, noncurrent_days, keep);
            let now = 20 * DAY;
            let mut at = now;
            let n = history.len() as u64;
            let versions: Vec<ObjectRecord> = history
                .iter()
                .enumerate()
                .map(|(i, &(is_marker, back, size))| {
                    at = at.saturating_sub(back * DAY / 2);
                    let seq = n - i as u64;
                    let v = if is_marker { marker("k", at, seq) } else { version("k", at, seq) };
                    ObjectRecord { size: if is_marker { 0 } else { size }, ..v }
                })
                .collect();
            let due = config.due_for_key(&versions, now, DAY);
            for v in &versions {
                for action in [
                    LifecycleAction::ExpireCurrent,
                    LifecycleAction::ExpireNoncurrent,
                    LifecycleAction::RemoveMarker,
                ] {
                    let d = Due::of(v, action);
                    prop_assert_eq!(config.still_due(&versions, &d, now, DAY), due.contains(&d), "{:?}", d);
                }
            }
            let foreign = Due { key: "other".into(), ..Due::of(&versions[0], LifecycleAction::ExpireCurrent) };
            prop_assert!(!config.still_due(&versions, &foreign, now, DAY));
        }
    }
}
