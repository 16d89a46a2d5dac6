//! IAM changes (pure, then through the state machine), the records'
//! stored forms, and the credential read.

use super::change::{MAX_ATTACHED, MAX_KEYS_PER_USER, MAX_POLICY_VERSIONS};
use super::*;
use crate::storage::meta::error::MetaError;
use crate::storage::meta::ops::{MetaOp, MetaOpError, MetaOutcome};
use crate::storage::meta::read::{MetaRead, MetaReadResult};
use crate::storage::meta::state::MetaState;

fn user(name: &str, id: &str) -> IamChange {
    IamChange::CreateUser {
        name: name.into(),
        path: "/".into(),
        id: id.into(),
        tags: vec![],
    }
}

fn key(id: &str, principal: &str, session: Option<Session>) -> IamKey {
    IamKey {
        access_key_id: id.into(),
        secret: "secret".into(),
        account: "acct".into(),
        account_name: "Acct".into(),
        principal_id: principal.into(),
        active: true,
        created_ms: 7,
        session,
    }
}

fn kind(r: Result<(), IamError>) -> Option<IamErrorKind> {
    r.err().map(|e| e.kind)
}

fn inline(holder: Holder, name: &str) -> IamChange {
    IamChange::PutInline {
        holder,
        name: name.into(),
        document: "{}".into(),
    }
}

#[test]
fn names_are_unique_in_any_case_and_renames_keep_ids() {
    let mut doc = AccountIam::default();
    doc.apply(&user("Alice", "AIDA1"), 5).unwrap();
    assert_eq!(
        kind(doc.apply(&user("alice", "AIDA2"), 6)),
        Some(IamErrorKind::EntityAlreadyExists)
    );
    let rename = IamChange::UpdateUser {
        name: "ALICE".into(),
        new_name: Some("alicia".into()),
        new_path: Some("/team/".into()),
    };
    doc.apply(&rename, 7).unwrap();
    let u = &doc.users["alicia"];
    assert_eq!(
        (u.id.as_str(), u.path.as_str(), u.created_ms),
        ("AIDA1", "/team/", 5)
    );
    assert!(!doc.users.contains_key("Alice"));
    assert_eq!(
        kind(doc.apply(
            &IamChange::DeleteUser {
                name: "Alice".into()
            },
            8
        )),
        Some(IamErrorKind::NoSuchEntity)
    );
}

#[test]
fn deleting_what_still_holds_something_conflicts() {
    let mut doc = AccountIam::default();
    doc.apply(&user("u", "AIDA1"), 1).unwrap();
    doc.apply(
        &IamChange::CreateGroup {
            name: "g".into(),
            path: "/".into(),
            id: "AGPA1".into(),
        },
        1,
    )
    .unwrap();
    doc.apply(
        &IamChange::AddToGroup {
            group: "G".into(),
            user: "U".into(),
        },
        1,
    )
    .unwrap();
    // A group with a member cannot go; the member can (its membership
    // goes with it).
    assert_eq!(
        kind(doc.apply(&IamChange::DeleteGroup { name: "g".into() }, 2)),
        Some(IamErrorKind::DeleteConflict)
    );
    doc.apply(&inline(Holder::User("u".into()), "p"), 2)
        .unwrap();
    let delete_user = IamChange::DeleteUser { name: "u".into() };
    assert_eq!(
        kind(doc.apply(&delete_user, 3)),
        Some(IamErrorKind::DeleteConflict)
    );
    doc.apply(
        &IamChange::DeleteInline {
            holder: Holder::User("u".into()),
            name: "P".into(),
        },
        3,
    )
    .unwrap();
    doc.apply(&delete_user, 4).unwrap();
    doc.apply(&IamChange::DeleteGroup { name: "g".into() }, 5)
        .unwrap();
    assert!(doc.users.is_empty() && doc.groups.is_empty());
}

#[test]
fn quotas_are_kept() {
    let mut doc = AccountIam::default();
    doc.apply(&user("u", "AIDA1"), 1).unwrap();
    for i in 0..MAX_KEYS_PER_USER {
        let create = IamChange::CreateKey {
            user: "u".into(),
            key: key(&format!("K{i}"), "AIDA1", None),
        };
        doc.apply(&create, 1).unwrap();
    }
    let third = IamChange::CreateKey {
        user: "u".into(),
        key: key("K9", "AIDA1", None),
    };
    assert_eq!(
        kind(doc.apply(&third, 1)),
        Some(IamErrorKind::LimitExceeded)
    );
    // A key the user has already is that, whatever the quota.
    let again = IamChange::CreateKey {
        user: "u".into(),
        key: key("K0", "AIDA1", None),
    };
    assert_eq!(
        kind(doc.apply(&again, 1)),
        Some(IamErrorKind::EntityAlreadyExists)
    );
    // A key made for another principal is refused.
    doc.apply(
        &IamChange::DeleteKey {
            user: "u".into(),
            access_key_id: "K0".into(),
        },
        1,
    )
    .unwrap();
    let wrong = IamChange::CreateKey {
        user: "u".into(),
        key: key("K8", "AIDA2", None),
    };
    assert_eq!(kind(doc.apply(&wrong, 1)), Some(IamErrorKind::InvalidInput));
    // The root's own keys.
    doc.apply(
        &IamChange::CreateKey {
            user: String::new(),
            key: key("R1", "", None),
        },
        1,
    )
    .unwrap();
    assert!(doc.root_keys.contains("R1"));

    for i in 0..MAX_ATTACHED {
        let a = IamChange::Attach {
            holder: Holder::User("u".into()),
            arn: format!("arn:{i}"),
        };
        doc.apply(&a, 1).unwrap();
        // Attaching again changes nothing.
        doc.apply(&a, 1).unwrap();
    }
    let one_more = IamChange::Attach {
        holder: Holder::User("u".into()),
        arn: "arn:x".into(),
    };
    assert_eq!(
        kind(doc.apply(&one_more, 1)),
        Some(IamErrorKind::LimitExceeded)
    );
    let detach = IamChange::Detach {
        holder: Holder::User("u".into()),
        arn: "arn:x".into(),
    };
    assert_eq!(
        kind(doc.apply(&detach, 1)),
        Some(IamErrorKind::NoSuchEntity)
    );
}

#[test]
fn policy_versions_follow_iam() {
    let mut doc = AccountIam::default();
    let create = IamChange::CreatePolicy {
        name: "p".into(),
        path: "/".into(),
        id: "ANPA1".into(),
        description: String::new(),
        document: "v1".into(),
    };
    doc.apply(&create, 1).unwrap();
    for n in 2..=MAX_POLICY_VERSIONS {
        let v = IamChange::CreatePolicyVersion {
            name: "P".into(),
            document: format!("v{n}"),
            set_default: n == 3,
        };
        doc.apply(&v, n as u64).unwrap();
    }
    let p = &doc.policies["p"];
    assert_eq!((p.default_version, p.document()), (3, Some("v3")));
    let sixth = IamChange::CreatePolicyVersion {
        name: "p".into(),
        document: "v6".into(),
        set_default: false,
    };
    assert_eq!(
        kind(doc.apply(&sixth, 9)),
        Some(IamErrorKind::LimitExceeded)
    );
    let in_force = IamChange::DeletePolicyVersion {
        name: "p".into(),
        version: 3,
    };
    assert_eq!(
        kind(doc.apply(&in_force, 9)),
        Some(IamErrorKind::DeleteConflict)
    );
    doc.apply(
        &IamChange::DeletePolicyVersion {
            name: "p".into(),
            version: 1,
        },
        9,
    )
    .unwrap();
    doc.apply(&sixth, 10).unwrap();
    assert_eq!(
        doc.policies["p"]
            .versions
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 6]
    );
    // Attached policies cannot be deleted.
    doc.apply(&user("u", "AIDA1"), 1).unwrap();
    let arn = "arn:aws:iam::acct:policy/p".to_string();
    doc.apply(
        &IamChange::Attach {
            holder: Holder::User("u".into()),
            arn: arn.clone(),
        },
        1,
    )
    .unwrap();
    let delete = IamChange::DeletePolicy {
        name: "p".into(),
        arn: arn.clone(),
    };
    assert_eq!(
        kind(doc.apply(&delete, 11)),
        Some(IamErrorKind::DeleteConflict)
    );
    doc.apply(
        &IamChange::Detach {
            holder: Holder::User("u".into()),
            arn,
        },
        1,
    )
    .unwrap();
    doc.apply(&delete, 12).unwrap();
}

#[test]
fn a_refused_change_leaves_the_document_as_it_was() {
    let mut doc = AccountIam::default();
    doc.apply(&user("u", "AIDA1"), 1).unwrap();
    let before = doc.clone();
    let rename_onto = IamChange::UpdateUser {
        name: "missing".into(),
        new_name: Some("x".into()),
        new_path: None,
    };
    assert!(doc.apply(&rename_onto, 2).is_err());
    assert_eq!(doc, before);
}

#[test]
fn records_round_trip_and_damage_is_an_error() {
    let mut doc = AccountIam::default();
    doc.apply(&user("u", "AIDA1"), 1).unwrap();
    let bytes = doc.try_encode().unwrap();
    assert_eq!(AccountIam::decode(&bytes).unwrap(), doc);
    assert!(AccountIam::decode(&bytes[..bytes.len() - 1]).is_err());
    assert!(AccountIam::decode(&[]).is_err());
    let k = key(
        "K",
        "AIDA1",
        Some(Session {
            name: "s".into(),
            expires_ms: 9,
            token: "t".into(),
            policy: None,
        }),
    );
    let bytes = k.try_encode().unwrap();
    assert_eq!(IamKey::decode(&bytes).unwrap(), k);
    let mut bad = bytes.clone();
    bad[0] = 0xee;
    assert!(IamKey::decode(&bad).is_err());
    assert!(check_entry(b"gacct", &[1, 0, 0, 0, 0, 0, 0, 0, 3]).is_ok());
    assert!(check_entry(b"gacct", &[1, 0, 0]).is_err());
    assert!(check_entry(b"gacct", &[2, 0, 0, 0, 0, 0, 0, 0, 3]).is_err());
    assert!(check_entry(b"xacct", &[1]).is_err());
}

fn iam(account: &str, change: IamChange) -> MetaOp {
    MetaOp::Iam {
        account: account.into(),
        change,
    }
}

fn open() -> Result<(tempfile::TempDir, MetaState), MetaError> {
    let dir = tempfile::tempdir()?;
    let state = MetaState::open(dir.path())?;
    Ok((dir, state))
}

#[test]
fn changes_apply_through_the_state_machine_and_bump_the_generation() -> Result<(), MetaError> {
    let (_d, state) = open()?;
    assert_eq!(state.account_iam("acct")?, (0, AccountIam::default()));
    let results = state.apply_batch(
        1,
        &[
            iam("acct", user("u", "AIDA1")),
            iam("acct", user("U", "AIDA2")),
            iam(
                "acct",
                IamChange::CreateKey {
                    user: "u".into(),
                    key: key("K1", "AIDA1", None),
                },
            ),
        ],
    )?;
    assert_eq!(results[0], Ok(MetaOutcome::Done));
    assert_eq!(
        results[1],
        Err(MetaOpError::Iam(IamErrorKind::EntityAlreadyExists))
    );
    assert_eq!(results[2], Ok(MetaOutcome::Done));
    let (g, doc) = state.account_iam("acct")?;
    assert_eq!(g, 2);
    assert!(doc.users["u"].keys.contains("K1"));
    assert_eq!(
        state.get_credential("K1")?,
        Some(Credential::Iam {
            key: key("K1", "AIDA1", None),
            generation: 2
        })
    );
    // Another account is untouched.
    assert_eq!(state.account_iam("other")?.0, 0);

    // Deactivating changes the key record; a session does not change
    // the document (no generation bump).
    let session = Session {
        name: "s".into(),
        expires_ms: 99,
        token: "t".into(),
        policy: None,
    };
    state.apply_batch(
        2,
        &[
            iam(
                "acct",
                IamChange::SetKeyActive {
                    user: "u".into(),
                    access_key_id: "K1".into(),
                    active: false,
                },
            ),
            iam(
                "acct",
                IamChange::CreateSession {
                    key: key("T1", "AIDA1", Some(session.clone())),
                },
            ),
        ],
    )?;
    assert_eq!(state.iam_generation("acct")?, 3);
    assert!(
        matches!(state.get_credential("K1")?, Some(Credential::Iam { key, .. }) if !key.active)
    );
    assert!(
        matches!(state.get_credential("T1")?, Some(Credential::Iam { key, .. }) if key.session == Some(session.clone()))
    );
    // A session for a principal that does not exist, or a key id taken,
    // is refused.
    let results = state.apply_batch(
        3,
        &[
            iam(
                "acct",
                IamChange::CreateSession {
                    key: key("T2", "AROAGONE", Some(session.clone())),
                },
            ),
            iam(
                "acct",
                IamChange::CreateSession {
                    key: key("T1", "AIDA1", Some(session)),
                },
            ),
        ],
    )?;
    assert_eq!(
        results[0],
        Err(MetaOpError::Iam(IamErrorKind::NoSuchEntity))
    );
    assert_eq!(
        results[1],
        Err(MetaOpError::Iam(IamErrorKind::EntityAlreadyExists))
    );
    state.apply_batch(
        4,
        &[iam(
            "acct",
            IamChange::DeleteKey {
                user: "u".into(),
                access_key_id: "K1".into(),
            },
        )],
    )?;
    assert_eq!(state.get_credential("K1")?, None);
    match state.read(&MetaRead::IamKeys(vec!["T1".into(), "K1".into()]))? {
        MetaReadResult::IamKeys(keys) => assert_eq!(keys.len(), 1),
        other => panic!("{other:?}"),
    }
    Ok(())
}

#[test]
fn iam_survives_a_snapshot() -> Result<(), MetaError> {
    let (_d, a) = open()?;
    a.apply_batch(
        1,
        &[
            iam("acct", user("u", "AIDA1")),
            iam(
                "acct",
                IamChange::CreateKey {
                    user: "u".into(),
                    key: key("K1", "AIDA1", None),
                },
            ),
        ],
    )?;
    let mut bytes = Vec::new();
    a.export(&mut bytes)?;
    let dir = tempfile::tempdir()?;
    let b = MetaState::import(dir.path(), &mut bytes.as_slice())?;
    assert_eq!(b.account_iam("acct")?, a.account_iam("acct")?);
    assert_eq!(b.get_credential("K1")?, a.get_credential("K1")?);
    Ok(())
}

#[test]
fn expired_sessions_are_dropped_as_new_ones_are_made() -> Result<(), MetaError> {
    use crate::storage::meta::ops::OpBatch;
    let (_d, state) = open()?;
    state.apply_batch(1, &[iam("acct", user("u", "AIDA1"))])?;
    let session = |id: &str, expires_ms| {
        iam(
            "acct",
            IamChange::CreateSession {
                key: key(
                    id,
                    "AIDA1",
                    Some(Session {
                        name: "s".into(),
                        expires_ms,
                        token: "t".into(),
                        policy: None,
                    }),
                ),
            },
        )
    };
    let at = |ms, index, op: MetaOp| {
        state.apply_entry(
            index,
            OpBatch {
                ops: &[op],
                ids: &[],
                at_ms: ms,
            },
            None,
        )
    };
    at(1_000, 2, session("T1", 5_000))?;
    at(1_000, 3, session("T2", 9_000))?;
    // At 6 s, T1 is past its end: the next session drops it, not T2.
    at(6_000, 4, session("T3", 20_000))?;
    assert_eq!(state.get_credential("T1")?, None);
    assert!(state.get_credential("T2")?.is_some());
    assert!(state.get_credential("T3")?.is_some());
    // The snapshot stays importable with the index in it.
    let mut bytes = Vec::new();
    state.export(&mut bytes)?;
    let dir = tempfile::tempdir()?;
    let copy = MetaState::import(dir.path(), &mut bytes.as_slice())?;
    assert!(copy.get_credential("T2")?.is_some());
    Ok(())
}

fn used(at_ms: u64, service: &str) -> KeyUse {
    KeyUse {
        at_ms,
        service: service.into(),
        region: "r1".into(),
    }
}

#[test]
fn a_key_use_round_trips_and_damage_is_an_error() {
    let u = used(42, "s3");
    let bytes = u.try_encode().unwrap();
    assert_eq!(KeyUse::decode(&bytes).unwrap(), u);
    assert!(check_entry(b"uK1", &bytes).is_ok());
    assert!(KeyUse::decode(&bytes[..bytes.len() - 1]).is_err());
    let mut bad = bytes.clone();
    bad[0] = 0xee;
    assert!(KeyUse::decode(&bad).is_err());
    assert!(check_entry(b"uK1", &bad).is_err());
}

#[test]
fn a_keys_last_use_is_the_latest_of_existing_keys_and_goes_with_the_key() -> Result<(), MetaError> {
    let (_d, state) = open()?;
    let create = IamChange::CreateKey {
        user: "u".into(),
        key: key("K1", "AIDA1", None),
    };
    state.apply_batch(1, &[iam("acct", user("u", "AIDA1")), iam("acct", create)])?;
    let generation = state.account_iam("acct")?.0;
    let uses = |uses: Vec<(&str, KeyUse)>| MetaOp::KeysUsed {
        uses: uses.into_iter().map(|(k, u)| (k.to_string(), u)).collect(),
    };
    let results = state.apply_batch(
        2,
        &[
            uses(vec![("K1", used(10, "s3")), ("NOPE", used(10, "s3"))]),
            // A batch that crossed a later one does not go back in time.
            uses(vec![("K1", used(20, "iam"))]),
            uses(vec![("K1", used(15, "sts"))]),
        ],
    )?;
    assert!(results.iter().all(|r| *r == Ok(MetaOutcome::Done)));
    assert_eq!(state.get_key_use("K1")?, Some(used(20, "iam")));
    assert_eq!(state.get_key_use("NOPE")?, None);
    assert_eq!(
        state.read(&MetaRead::KeyUse("K1".into()))?,
        MetaReadResult::KeyUse(Some(used(20, "iam")))
    );
    // Uses change neither the document nor its generation.
    assert_eq!(state.account_iam("acct")?.0, generation);
    let too_many = MetaOp::KeysUsed {
        uses: vec![("K1".into(), used(30, "s3")); state::MAX_KEY_USES + 1],
    };
    assert_eq!(
        state.apply_batch(3, &[too_many])?[0],
        Err(MetaOpError::InvalidArgument)
    );
    let delete = IamChange::DeleteKey {
        user: "u".into(),
        access_key_id: "K1".into(),
    };
    state.apply_batch(4, &[iam("acct", delete)])?;
    assert_eq!(state.get_key_use("K1")?, None);
    Ok(())
}
