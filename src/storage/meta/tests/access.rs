//! Bucket access settings: each change replaces one setting and leaves
//! the others, and they travel with the bucket through snapshots.

use super::fixtures::*;
use super::*;
use crate::storage::meta::bucket_access::{
    AccessChange, BucketAccess, ObjectOwnership, PublicAccessBlock,
};
use crate::storage::meta::{BucketRecord, MetaOpError, MetaOutcome};

fn put(bucket: &str, change: AccessChange) -> MetaOp {
    MetaOp::PutBucketAccess {
        bucket: bucket.into(),
        change,
    }
}

#[test]
fn each_access_change_replaces_one_setting() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let policy = r#"{"Version":"2012-10-17","Statement":[]}"#.to_string();
    let r = state.apply_batch(
        1,
        &[
            create_bucket("b"),
            put("b", AccessChange::Policy(Some(policy.clone()))),
            put(
                "b",
                AccessChange::Ownership(Some(ObjectOwnership::BucketOwnerEnforced)),
            ),
            put(
                "b",
                AccessChange::PublicAccessBlock(Some(PublicAccessBlock::ALL)),
            ),
        ],
    )?;
    assert!(r.iter().all(|r| r.is_ok()), "{r:?}");
    let b = state
        .get_bucket("b")?
        .ok_or(MetaError::Corrupt("no bucket"))?;
    assert_eq!(
        b.access,
        BucketAccess {
            policy: Some(policy.clone()),
            ownership: Some(ObjectOwnership::BucketOwnerEnforced),
            public_access_block: Some(PublicAccessBlock::ALL),
        }
    );
    assert!(b.access.acls_disabled());

    // Deleting the ownership setting leaves the policy and the switches,
    // and the bucket behaves as it did before the setting existed.
    let r = state.apply_batch(2, &[put("b", AccessChange::Ownership(None))])?;
    assert_eq!(r, vec![Ok(MetaOutcome::Done)]);
    let b = state
        .get_bucket("b")?
        .ok_or(MetaError::Corrupt("no bucket"))?;
    assert_eq!(b.access.ownership, None);
    assert_eq!(b.access.ownership_in_force(), ObjectOwnership::ObjectWriter);
    assert_eq!(b.access.policy.as_deref(), Some(policy.as_str()));
    assert_eq!(b.access.public_access_block, Some(PublicAccessBlock::ALL));
    // Nothing else of the bucket changed.
    assert_eq!(
        BucketRecord {
            access: BucketAccess::default(),
            ..b.clone()
        },
        bucket("b", "AKOWNER")
    );

    // The settings travel with the bucket through a snapshot.
    let dir = tempfile::tempdir()?;
    let imported = MetaState::import(dir.path(), &mut export(&state)?.as_slice())?;
    assert_eq!(imported.get_bucket("b")?, Some(b));
    Ok(())
}

#[test]
fn access_change_on_a_missing_bucket_is_refused() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let r = state.apply_batch(2, &[put("nope", AccessChange::Policy(None))])?;
    assert_eq!(r, vec![Err(MetaOpError::NoSuchBucket)]);
    assert_eq!(state.get_bucket("nope")?, None);
    Ok(())
}
