//! Key encodings for the metadata keyspaces.
//!
//! Variable-length components that are followed by more key bytes are
//! *escaped*: each 0x00 byte becomes `00 FF` and the component ends with
//! `00 01`. The escape is injective for every byte string, and because the
//! terminator sorts below both an escaped 0x00 and any other byte, escaped
//! components sort exactly like the raw bytes. It also maps prefixes to
//! prefixes (escaping works byte by byte), which prefix listings rely on.
//!
//! - buckets: bucket name bytes;
//! - objects: `esc(bucket) | key bytes` — one bucket's objects are
//!   contiguous and in the byte order of their keys (S3 order);
//! - uploads: upload id bytes;
//! - upload_keys: `esc(bucket) | esc(key) | upload id` — the index
//!   ListMultipartUploads walks, in (key, upload id) order;
//! - parts: `esc(upload id) | part number (u32 big-endian)`;
//! - access_keys: access key id bytes;
//! - heal_queue: `esc(bucket) | key bytes`, like objects, so the queue
//!   is in (bucket, key) order;
//! - versions: `esc(bucket) | esc(key) | !seq (u64 big-endian)` — a
//!   key's noncurrent versions and delete markers, newest first, keys in
//!   S3 order;
//! - layout / meta: fixed keys.

use std::ops::Bound;

use super::version::VersionSeq;

/// fjall's longest key. fjall panics on longer keys (and on empty ones),
/// even in reads and range bounds, so nothing built from a request may
/// reach it unchecked: see [`storable`], [`clamp_lower`], [`clamp_upper`].
pub(crate) const MAX_KEY_BYTES: usize = u16::MAX as usize;

/// Key of the cluster layout in the `layout` keyspace.
pub(crate) const LAYOUT_KEY: &[u8] = b"layout";

/// Key of the repair report (in the layout keyspace).
pub(crate) const REPAIR_REPORT_KEY: &[u8] = b"repair";

/// Key of the last applied log index in the `meta` keyspace.
pub(crate) const LAST_APPLIED_KEY: &[u8] = b"last_applied";

/// Key of the consensus layer's record (last applied log id, membership).
pub(crate) const RAFT_STATE_KEY: &[u8] = b"raft_state";

const TERMINATOR: [u8; 2] = [0x00, 0x01];
const ESCAPED_ZERO: [u8; 2] = [0x00, 0xff];

/// Appends the escaped bytes of `s`, without a terminator.
fn push_escaped_open(out: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        if b == 0 {
            out.extend_from_slice(&ESCAPED_ZERO);
        } else {
            out.push(b);
        }
    }
}

/// Appends the escaped, terminated form of `s`.
fn push_escaped(out: &mut Vec<u8>, s: &[u8]) {
    push_escaped_open(out, s);
    out.extend_from_slice(&TERMINATOR);
}

/// Splits one escaped, terminated component off the front of `b`,
/// returning it unescaped and the rest; `None` if `b` is malformed.
fn split_escaped(b: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0 {
            match b.get(i + 1)? {
                0x01 => return Some((out, &b[i + 2..])),
                0xff => out.push(0),
                _ => return None,
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    None
}

/// The smallest byte string greater than every string starting with `p`,
/// or `None` if there is none (`p` is empty or all 0xFF).
pub(crate) fn prefix_end(p: &[u8]) -> Option<Vec<u8>> {
    let mut end = p.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Whether fjall can hold `k`; a key it cannot hold is never stored, so a
/// lookup of it can answer "absent" without asking fjall.
pub(crate) fn storable(k: &[u8]) -> bool {
    !k.is_empty() && k.len() <= MAX_KEY_BYTES
}

/// A lower bound fjall accepts that selects the same stored keys.
///
/// Every stored key has at most [`MAX_KEY_BYTES`] bytes, and such a key
/// is above a longer bound `b` exactly when it is above `b`'s first
/// [`MAX_KEY_BYTES`] bytes (it cannot equal either).
pub(crate) fn clamp_lower(b: Bound<Vec<u8>>) -> Bound<Vec<u8>> {
    match b {
        Bound::Included(mut k) | Bound::Excluded(mut k) if k.len() > MAX_KEY_BYTES => {
            k.truncate(MAX_KEY_BYTES);
            Bound::Excluded(k)
        }
        b => b,
    }
}

/// An upper bound fjall accepts that selects the same stored keys (the
/// mirror of [`clamp_lower`]).
pub(crate) fn clamp_upper(b: Bound<Vec<u8>>) -> Bound<Vec<u8>> {
    match b {
        Bound::Included(mut k) | Bound::Excluded(mut k) if k.len() > MAX_KEY_BYTES => {
            k.truncate(MAX_KEY_BYTES);
            Bound::Included(k)
        }
        b => b,
    }
}

/// Key of a bucket record.
pub(crate) fn bucket_key(name: &str) -> Vec<u8> {
    name.as_bytes().to_vec()
}

/// Prefix shared by every object key of `bucket`, and by nothing else.
pub(crate) fn object_prefix(bucket: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(bucket.len() + 2);
    push_escaped(&mut k, bucket.as_bytes());
    k
}

/// Key of an object record.
pub(crate) fn object_key(bucket: &str, key: &str) -> Vec<u8> {
    let mut k = object_prefix(bucket);
    k.extend_from_slice(key.as_bytes());
    k
}

/// Bucket and key of an object key (or heal queue key); `None` if `k`
/// is malformed.
pub(crate) fn split_object_key(k: &[u8]) -> Option<(String, String)> {
    let (bucket, key) = split_escaped(k)?;
    let bucket = String::from_utf8(bucket).ok()?;
    let key = String::from_utf8(key.to_vec()).ok()?;
    Some((bucket, key))
}

/// Key of a heal queue entry.
pub(crate) fn heal_key(bucket: &str, key: &str) -> Vec<u8> {
    object_key(bucket, key)
}

/// Key of a multipart upload record.
pub(crate) fn upload_key(upload_id: &str) -> Vec<u8> {
    upload_id.as_bytes().to_vec()
}

/// Prefix of the upload-index entries of `bucket`.
pub(crate) fn upload_index_bucket_prefix(bucket: &str) -> Vec<u8> {
    object_prefix(bucket)
}

/// Prefix of the upload-index entries of `bucket` whose key starts with
/// `key_prefix`.
pub(crate) fn upload_index_key_prefix(bucket: &str, key_prefix: &str) -> Vec<u8> {
    let mut k = upload_index_bucket_prefix(bucket);
    push_escaped_open(&mut k, key_prefix.as_bytes());
    k
}

/// Prefix of the upload-index entries of exactly (`bucket`, `key`).
pub(crate) fn upload_index_exact_key(bucket: &str, key: &str) -> Vec<u8> {
    let mut k = upload_index_bucket_prefix(bucket);
    push_escaped(&mut k, key.as_bytes());
    k
}

/// Key of an upload-index entry.
pub(crate) fn upload_index_key(bucket: &str, key: &str, upload_id: &str) -> Vec<u8> {
    let mut k = upload_index_exact_key(bucket, key);
    k.extend_from_slice(upload_id.as_bytes());
    k
}

/// Object key and upload id of an upload-index entry of `bucket`;
/// `None` if the entry is malformed.
pub(crate) fn split_upload_index_key(bucket: &str, k: &[u8]) -> Option<(String, String)> {
    let rest = k.strip_prefix(upload_index_bucket_prefix(bucket).as_slice())?;
    let (key, upload_id) = split_escaped(rest)?;
    let key = String::from_utf8(key).ok()?;
    let upload_id = String::from_utf8(upload_id.to_vec()).ok()?;
    Some((key, upload_id))
}

/// Prefix of every part key of `upload_id`.
pub(crate) fn part_prefix(upload_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(upload_id.len() + 6);
    push_escaped(&mut k, upload_id.as_bytes());
    k
}

/// Key of a part record; parts of one upload sort by part number.
pub(crate) fn part_key(upload_id: &str, part_number: u32) -> Vec<u8> {
    let mut k = part_prefix(upload_id);
    k.extend_from_slice(&part_number.to_be_bytes());
    k
}

/// Prefix of the versions entries of exactly (`bucket`, `key`).
pub(crate) fn version_key_prefix(bucket: &str, key: &str) -> Vec<u8> {
    upload_index_exact_key(bucket, key)
}

/// Prefix of the versions entries of `bucket` whose key starts with
/// `key_prefix`.
pub(crate) fn version_prefix(bucket: &str, key_prefix: &str) -> Vec<u8> {
    upload_index_key_prefix(bucket, key_prefix)
}

/// Key of a versions entry: the version at `seq` of (`bucket`, `key`);
/// a key's versions sort newest first.
pub(crate) fn version_key(bucket: &str, key: &str, seq: VersionSeq) -> Vec<u8> {
    let mut k = version_key_prefix(bucket, key);
    k.extend_from_slice(&(!seq.0).to_be_bytes());
    k
}

/// Bucket, object key and place of a versions entry; `None` if the entry
/// is malformed.
pub(crate) fn split_version_key(k: &[u8]) -> Option<(String, String, VersionSeq)> {
    let (bucket, rest) = split_escaped(k)?;
    let bucket = String::from_utf8(bucket).ok()?;
    let (key, seq) = split_escaped(rest)?;
    let key = String::from_utf8(key).ok()?;
    let seq: [u8; 8] = seq.try_into().ok()?;
    Some((bucket, key, VersionSeq(!u64::from_be_bytes(seq))))
}

/// Key of an access key record.
pub(crate) fn access_key_key(access_key_id: &str) -> Vec<u8> {
    access_key_id.as_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![Just(0u8), Just(1), Just(0xff), any::<u8>()],
            0..6,
        )
    }

    fn escaped(s: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        push_escaped(&mut v, s);
        v
    }

    proptest! {
        #[test]
        fn escape_keeps_order_and_is_injective(a in bytes(), b in bytes()) {
            prop_assert_eq!(a.cmp(&b), escaped(&a).cmp(&escaped(&b)));
            let e = escaped(&a);
            let (back, rest) = split_escaped(&e).ok_or_else(|| TestCaseError::fail("split"))?;
            prop_assert_eq!(back, a.clone());
            prop_assert!(rest.is_empty());
        }

        #[test]
        fn escaped_pairs_are_injective(a in bytes(), b in bytes(), c in bytes(), d in bytes()) {
            let mut x = escaped(&a);
            x.extend_from_slice(&b);
            let mut y = escaped(&c);
            y.extend_from_slice(&d);
            prop_assert_eq!(x == y, a == c && b == d);
        }

        #[test]
        fn object_keys_sort_by_key_within_a_bucket(
            bucket in "[a-z]{1,3}", other in "[a-z]{1,3}", k1 in "\\PC{0,6}", k2 in "\\PC{0,6}",
        ) {
            prop_assert_eq!(
                object_key(&bucket, &k1).cmp(&object_key(&bucket, &k2)),
                k1.as_bytes().cmp(k2.as_bytes())
            );
            let p = object_prefix(&bucket);
            prop_assert!(object_key(&bucket, &k1).starts_with(&p));
            prop_assert_eq!(object_key(&other, &k2).starts_with(&p), other == bucket);
        }

        #[test]
        fn prefix_end_bounds_the_prefix(p in bytes(), s in bytes()) {
            let mut with = p.clone();
            with.extend_from_slice(&s);
            if let Some(end) = prefix_end(&p) {
                prop_assert!(with < end);
                prop_assert!(p < end);
            } else {
                prop_assert!(p.iter().all(|&b| b == 0xff));
            }
        }

        #[test]
        fn object_key_splits(bucket in "\\PC{0,4}", key in "\\PC{0,8}") {
            let k = heal_key(&bucket, &key);
            prop_assert_eq!(split_object_key(&k), Some((bucket, key)));
        }

        #[test]
        fn upload_index_key_splits(bucket in "[a-z]{1,4}", key in "\\PC{0,8}", id in "[a-zA-Z0-9]{0,8}") {
            let k = upload_index_key(&bucket, &key, &id);
            prop_assert_eq!(split_upload_index_key(&bucket, &k), Some((key.clone(), id)));
            prop_assert!(k.starts_with(&upload_index_key_prefix(&bucket, &key)));
            prop_assert!(k.starts_with(&upload_index_exact_key(&bucket, &key)));
        }
    }

    /// Whether `k` lies within (lower, upper).
    fn within(k: &[u8], lower: &Bound<Vec<u8>>, upper: &Bound<Vec<u8>>) -> bool {
        let above = match lower {
            Bound::Included(l) => k >= l.as_slice(),
            Bound::Excluded(l) => k > l.as_slice(),
            Bound::Unbounded => true,
        };
        let below = match upper {
            Bound::Included(u) => k <= u.as_slice(),
            Bound::Excluded(u) => k < u.as_slice(),
            Bound::Unbounded => true,
        };
        above && below
    }

    proptest! {
        #[test]
        fn clamped_bounds_select_the_same_storable_keys(
            head in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 0..3),
            tail in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 0..3),
            long_tail in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 1..3),
            pad_key in any::<bool>(),
            inclusive in any::<bool>(),
        ) {
            // Keys and bounds around the length limit, sharing a long run.
            let run = vec![b'a'; MAX_KEY_BYTES - 2];
            let mut bound = head.clone();
            bound.extend_from_slice(&run);
            bound.extend_from_slice(&long_tail);
            bound.extend_from_slice(&[b'a'; 3]);
            let mut key = head;
            if pad_key {
                key.extend_from_slice(&run);
            }
            key.extend_from_slice(&tail);
            key.truncate(MAX_KEY_BYTES);
            prop_assert!(bound.len() > MAX_KEY_BYTES);
            let b = if inclusive { Bound::Included(bound) } else { Bound::Excluded(bound) };
            let lower = clamp_lower(b.clone());
            let upper = clamp_upper(b.clone());
            for clamped in [&lower, &upper] {
                if let Bound::Included(k) | Bound::Excluded(k) = clamped {
                    prop_assert!(k.len() <= MAX_KEY_BYTES);
                }
            }
            prop_assert_eq!(
                within(&key, &b, &Bound::Unbounded),
                within(&key, &lower, &Bound::Unbounded)
            );
            prop_assert_eq!(
                within(&key, &Bound::Unbounded, &b),
                within(&key, &Bound::Unbounded, &upper)
            );
        }
    }

    proptest! {
        #[test]
        fn version_keys_sort_by_key_then_newest_first(
            k1 in "\\PC{0,6}", k2 in "\\PC{0,6}", s1 in any::<u64>(), s2 in any::<u64>(),
        ) {
            let a = version_key("b", &k1, VersionSeq(s1));
            let b = version_key("b", &k2, VersionSeq(s2));
            let expected = k1.as_bytes().cmp(k2.as_bytes()).then(s2.cmp(&s1));
            prop_assert_eq!(a.cmp(&b), expected);
            prop_assert_eq!(split_version_key(&a), Some(("b".to_owned(), k1.clone(), VersionSeq(s1))));
            prop_assert!(a.starts_with(&version_key_prefix("b", &k1)));
            prop_assert!(a.starts_with(&version_prefix("b", "")));
            prop_assert!(!a.starts_with(&version_prefix("bb", "")));
        }
    }

    #[test]
    fn neighbouring_buckets_do_not_mix() {
        assert!(!object_key("bb", "x").starts_with(&object_prefix("b")));
        assert!(!object_key("b", "bx").starts_with(&object_prefix("bb")));
        assert!(part_key("up", 2) < part_key("up", 10));
        assert!(!part_key("upx", 1).starts_with(&part_prefix("up")));
        assert_eq!(prefix_end(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b""), None);
        assert_eq!(split_escaped(b"ab\x00\x02"), None);
        assert_eq!(split_escaped(b"ab"), None);
    }
}
