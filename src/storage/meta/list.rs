//! ListObjects (V1 and V2) over the `objects` keyspace.
//!
//! Keys are listed in byte order after `start_after`, limited to `prefix`.
//! With a delimiter, every key that contains it after the prefix is rolled
//! into one common prefix (the key up to and including that first
//! delimiter), which counts once toward `max_keys`.
//!
//! Cost grows with the page, not the bucket: once a common prefix is
//! emitted the scan seeks past every key under it instead of walking them,
//! so a page costs at most `max_keys + 1` entries read plus one seek per
//! common prefix.
//!
//! Continuation: the next page passes the previous `next_marker` as
//! `start_after`. Every entry returned (key or common prefix) is greater
//! than `start_after`; in particular a common prefix at or before
//! `start_after` is never returned again, which is what makes a common
//! prefix usable as a marker.

use std::ops::Bound;

use super::error::MetaError;
use super::keys;
use super::records::ListedObject;
use super::state::{end_bound, past_prefix, scan_range, MetaState, Space};

use fjall::Readable;

/// S3's default (and maximum) page size.
const DEFAULT_MAX_KEYS: usize = 1000;

/// What to list; see the module docs for the semantics.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListQuery {
    /// Only keys starting with this.
    pub prefix: String,
    /// Rolls keys up into common prefixes; `None` or empty lists every key.
    pub delimiter: Option<String>,
    /// Only entries after this (`start-after`, `marker` or the decoded
    /// continuation token).
    pub start_after: Option<String>,
    /// Most entries (keys plus common prefixes) on the page.
    pub max_keys: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            delimiter: None,
            start_after: None,
            max_keys: DEFAULT_MAX_KEYS,
        }
    }
}

/// One page of a listing.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListPage {
    /// Objects on the page, in key order.
    pub objects: Vec<ListedObject>,
    /// Common prefixes on the page, in order.
    pub common_prefixes: Vec<String>,
    /// More entries follow (with `max_keys == 0`: some entry matches).
    pub is_truncated: bool,
    /// When truncated, the last key or common prefix on the page: the
    /// `start_after` of the next page.
    pub next_marker: Option<String>,
}

/// The common prefix `key` rolls into, if it starts with `prefix` and
/// contains `delimiter` after it.
pub(super) fn common_prefix<'k>(key: &'k str, prefix: &str, delimiter: &str) -> Option<&'k str> {
    let rest = key.strip_prefix(prefix)?;
    let at = rest.find(delimiter)?;
    key.get(..prefix.len() + at + delimiter.len())
}

impl MetaState {
    /// Lists the objects of `bucket` (S3 ListObjects semantics, see the
    /// module docs). An unknown bucket lists empty: check it with
    /// [`MetaState::get_bucket`] first to answer `NoSuchBucket`.
    pub fn list_objects(&self, bucket: &str, q: &ListQuery) -> Result<ListPage, MetaError> {
        self.list_objects_counted(bucket, q).map(|(page, _)| page)
    }

    /// [`MetaState::list_objects`], also returning how many entries were
    /// read from the store (so tests can check the cost).
    pub(super) fn list_objects_counted(
        &self,
        bucket: &str,
        q: &ListQuery,
    ) -> Result<(ListPage, u64), MetaError> {
        let base = keys::object_prefix(bucket);
        let full = |name: &str| {
            let mut k = base.clone();
            k.extend_from_slice(name.as_bytes());
            k
        };
        let delimiter = q.delimiter.as_deref().filter(|d| !d.is_empty());
        let prefix = q.prefix.as_str();

        let upper = end_bound(&full(prefix));
        let mut lower = Bound::Included(full(prefix));
        if let Some(after) = q.start_after.as_deref() {
            // A start_after below the prefix is below every key listed.
            if after.as_bytes() >= prefix.as_bytes() {
                lower = match delimiter.and_then(|d| common_prefix(after, prefix, d)) {
                    // Every key under that common prefix rolls into it, and
                    // it is not after `after`: skip them all.
                    Some(cp) => match past_prefix(&full(cp)) {
                        Some(b) => b,
                        None => return Ok((ListPage::default(), 0)),
                    },
                    None => Bound::Excluded(full(after)),
                };
            }
        }

        let mut page = ListPage::default();
        let mut entries = 0usize;
        let mut steps = 0u64;
        let snap = self.snapshot();
        let objects = self.ks(Space::Objects);
        'seek: while let Some(range) = scan_range(lower, upper.clone()) {
            let mut next_lower = None;
            for guard in snap.range(objects, range) {
                steps += 1;
                let (k, v) = guard.into_inner()?;
                let name = k
                    .get(base.len()..)
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .ok_or(MetaError::Corrupt("object key"))?;
                if entries == q.max_keys {
                    page.is_truncated = true;
                    break 'seek;
                }
                entries += 1;
                match delimiter.and_then(|d| common_prefix(name, prefix, d)) {
                    Some(cp) => {
                        page.common_prefixes.push(cp.to_owned());
                        page.next_marker = Some(cp.to_owned());
                        // Seek past every key under it (`None`: no key
                        // can follow, the scan is over).
                        next_lower = past_prefix(&full(cp));
                        break;
                    }
                    None => {
                        page.objects.push(ListedObject::from_stored(&v)?);
                        // Set from the last object once the page is done.
                        page.next_marker = None;
                    }
                }
            }
            match next_lower {
                Some(l) => lower = l,
                None => break,
            }
        }
        if !page.is_truncated {
            page.next_marker = None;
        } else if page.next_marker.is_none() {
            // The page ended with an object.
            page.next_marker = page.objects.last().map(|o| o.key.clone());
        }
        Ok((page, steps))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::super::ops::MetaOp;
    use super::super::tests::fixtures::{create_bucket, put};
    use super::*;

    /// A listing entry: (name, is a common prefix).
    type Entry = (String, bool);

    struct Fixture {
        _dir: tempfile::TempDir,
        state: MetaState,
        /// Keys of bucket "bb" (the one listed).
        main: BTreeSet<String>,
        /// Keys of bucket "b", whose name is a prefix of "bb".
        neighbour: BTreeSet<String>,
    }

    /// A deterministic generator, so the shared fixture is the same every run.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[(self.next() % from.len() as u64) as usize]
        }
    }

    const SEGMENTS: &[&str] = &[
        "a", "a", "b", "", "..", "é", "日本", "z", "aa", "😀", "a b", "%2F", "ab", "~", "a.b",
        "x-1", "ba", "\u{7f}",
    ];
    const JOINERS: &[&str] = &["/", "/", "/", "//", "a", "-", ""];

    fn random_keys(rng: &mut XorShift, n: usize) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        while keys.len() < n {
            let segments = 1 + rng.next() % 5;
            let mut k = String::new();
            for i in 0..segments {
                if i > 0 {
                    k.push_str(rng.pick(JOINERS));
                }
                k.push_str(rng.pick(SEGMENTS));
            }
            if rng.next().is_multiple_of(8) {
                k.push('/');
            }
            if rng.next().is_multiple_of(16) {
                k.insert_str(0, "../");
            }
            if !k.is_empty() {
                keys.insert(k);
            }
        }
        keys
    }

    fn load(state: &MetaState, bucket: &str, keys: &BTreeSet<String>, index: &mut u64) {
        let ops: Vec<MetaOp> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| put(bucket, k, i as u128))
            .collect();
        for chunk in ops.chunks(2_000) {
            *index += 1;
            let r = state.apply_batch(*index, chunk).expect("apply");
            assert!(r.iter().all(Result::is_ok));
        }
    }

    static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = MetaState::open(dir.path()).expect("open");
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let main = random_keys(&mut rng, 10_000);
        let neighbour = random_keys(&mut rng, 500);
        let mut index = 1;
        state
            .apply_batch(
                index,
                &[
                    create_bucket("b"),
                    create_bucket("bb"),
                    create_bucket("bbb"),
                ],
            )
            .expect("buckets");
        load(&state, "bb", &main, &mut index);
        load(&state, "b", &neighbour, &mut index);
        let above: BTreeSet<String> = neighbour.iter().take(50).cloned().collect();
        load(&state, "bbb", &above, &mut index);
        Fixture {
            _dir: dir,
            state,
            main,
            neighbour,
        }
    });

    /// The full listing of `keys` under `prefix`, computed independently.
    fn reference(keys: &BTreeSet<String>, prefix: &str, delimiter: Option<&str>) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for k in keys.range(prefix.to_owned()..) {
            let Some(rest) = k.strip_prefix(prefix) else {
                break;
            };
            match delimiter.and_then(|d| rest.find(d).map(|at| at + d.len())) {
                Some(end) => {
                    let cp = &k[..prefix.len() + end];
                    if out.last().map(|(n, _)| n.as_str()) != Some(cp) {
                        out.push((cp.to_owned(), true));
                    }
                }
                None => out.push((k.clone(), false)),
            }
        }
        out
    }

    /// A page's entries, objects and prefixes merged in key order.
    fn entries(page: &ListPage) -> Vec<Entry> {
        let mut out: Vec<Entry> = page
            .objects
            .iter()
            .map(|o| (o.key.clone(), false))
            .chain(page.common_prefixes.iter().map(|p| (p.clone(), true)))
            .collect();
        out.sort();
        out
    }

    /// Lists to the end, checking every page; returns all entries.
    fn paginate(
        state: &MetaState,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        max_keys: usize,
    ) -> Result<Vec<Entry>, TestCaseError> {
        let mut all: Vec<Entry> = Vec::new();
        let mut start_after = None;
        loop {
            let q = ListQuery {
                prefix: prefix.to_owned(),
                delimiter: delimiter.map(str::to_owned),
                start_after: start_after.clone(),
                max_keys,
            };
            let page = state
                .list_objects(bucket, &q)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let got = entries(&page);
            prop_assert!(got.len() <= max_keys);
            if let (Some(last), Some(first)) = (all.last(), got.first()) {
                prop_assert!(last.0 < first.0, "page repeats or goes back");
            }
            all.extend(got.iter().cloned());
            if !page.is_truncated {
                prop_assert_eq!(page.next_marker, None);
                break;
            }
            prop_assert_eq!(got.len(), max_keys);
            prop_assert_eq!(page.next_marker.as_ref(), got.last().map(|e| &e.0));
            start_after = page.next_marker;
        }
        Ok(all)
    }

    fn prefix_choice() -> impl Strategy<Value = String> {
        let fixed = prop::sample::select(vec![
            "", "a", "a/", "a//", "..", "../", "é", "日", "a/b", "z", "aa", "b/", "zz", "a/a",
        ])
        .prop_map(str::to_owned);
        let from_key = (any::<prop::sample::Index>(), 0usize..12).prop_map(|(i, cut)| {
            let key = FIXTURE
                .main
                .iter()
                .nth(i.index(FIXTURE.main.len()))
                .cloned()
                .unwrap_or_default();
            key.chars().take(cut).collect()
        });
        prop_oneof![fixed, from_key]
    }

    fn delimiter_choice() -> impl Strategy<Value = Option<&'static str>> {
        prop::sample::select(vec![None, Some("/"), Some("a")])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn pages_concatenate_to_the_reference(
            prefix in prefix_choice(),
            delimiter in delimiter_choice(),
            max_keys in 1usize..1200,
        ) {
            let f = &*FIXTURE;
            let all = paginate(&f.state, "bb", &prefix, delimiter, max_keys)?;
            prop_assert_eq!(all, reference(&f.main, &prefix, delimiter));
        }
    }

    proptest! {
        // One page each, so cheap enough for more cases.
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn first_page_after_any_marker_matches_the_reference(
            prefix in prefix_choice(),
            delimiter in delimiter_choice(),
            max_keys in 0usize..50,
            after in prefix_choice(),
            suffix in prop::sample::select(vec!["", "/", "a", "/x", "\u{10ffff}"]),
        ) {
            let f = &*FIXTURE;
            let after = format!("{after}{suffix}");
            let q = ListQuery {
                prefix: prefix.clone(),
                delimiter: delimiter.map(str::to_owned),
                start_after: Some(after.clone()),
                max_keys,
            };
            let page = f.state.list_objects("bb", &q).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let rest: Vec<Entry> = reference(&f.main, &prefix, delimiter)
                .into_iter()
                .filter(|(n, _)| n.as_str() > after.as_str())
                .collect();
            prop_assert_eq!(page.is_truncated, rest.len() > max_keys);
            let want: Vec<Entry> = rest.into_iter().take(max_keys).collect();
            prop_assert_eq!(entries(&page), want);
        }
    }

    #[test]
    fn neighbouring_buckets_list_only_their_own_keys() -> Result<(), TestCaseError> {
        let f = &*FIXTURE;
        for delimiter in [None, Some("/")] {
            let all = paginate(&f.state, "b", "", delimiter, 333)?;
            assert_eq!(all, reference(&f.neighbour, "", delimiter));
        }
        let bbb: BTreeSet<String> = f.neighbour.iter().take(50).cloned().collect();
        assert_eq!(
            paginate(&f.state, "bbb", "", None, 7)?,
            reference(&bbb, "", None)
        );
        assert_eq!(paginate(&f.state, "nope", "", None, 7)?, Vec::new());
        Ok(())
    }

    #[test]
    fn oversized_query_strings_are_answered_not_panics() -> Result<(), MetaError> {
        let f = &*FIXTURE;
        let huge_a = "a".repeat(70_000);
        let huge_slash = format!("a/{}", "a".repeat(70_000));
        for after in [huge_a.as_str(), huge_slash.as_str()] {
            for delimiter in [None, Some("/")] {
                let q = ListQuery {
                    delimiter: delimiter.map(str::to_owned),
                    start_after: Some(after.to_owned()),
                    max_keys: 40,
                    ..ListQuery::default()
                };
                let page = f.state.list_objects("bb", &q)?;
                let want: Vec<Entry> = reference(&f.main, "", delimiter)
                    .into_iter()
                    .filter(|(n, _)| n.as_str() > after)
                    .take(40)
                    .collect();
                assert_eq!(entries(&page), want);
            }
        }
        let q = ListQuery {
            prefix: huge_a.clone(),
            ..ListQuery::default()
        };
        assert_eq!(f.state.list_objects("bb", &q)?, ListPage::default());
        let q = ListQuery {
            delimiter: Some(huge_a.clone()),
            max_keys: 5,
            ..ListQuery::default()
        };
        let page = f.state.list_objects("bb", &q)?;
        assert_eq!(entries(&page), reference(&f.main, "", None)[..5]);
        assert_eq!(
            f.state.list_objects(&huge_a, &ListQuery::default())?,
            ListPage::default()
        );
        Ok(())
    }

    #[test]
    fn max_keys_zero_returns_nothing() -> Result<(), MetaError> {
        let f = &*FIXTURE;
        let q = |prefix: &str| ListQuery {
            prefix: prefix.into(),
            max_keys: 0,
            ..ListQuery::default()
        };
        let page = f.state.list_objects("bb", &q(""))?;
        assert!(page.objects.is_empty() && page.common_prefixes.is_empty());
        assert!(page.is_truncated);
        assert_eq!(page.next_marker, None);
        let page = f.state.list_objects("bb", &q("no such prefix"))?;
        assert_eq!(page, ListPage::default());
        Ok(())
    }

    #[test]
    fn listing_cost_grows_with_the_page_not_the_bucket() -> Result<(), MetaError> {
        let dir = tempfile::tempdir()?;
        let state = MetaState::open(dir.path())?;
        state.apply_batch(1, &[create_bucket("b")])?;
        let mut index = 1;
        let big: Vec<MetaOp> = (0..100_000)
            .map(|i| put("b", &format!("big/{:03}/{i:06}", i % 1000), i))
            .collect();
        for chunk in big.chunks(10_000) {
            index += 1;
            state.apply_batch(index, chunk)?;
        }
        let top = ["a", "b", "bif", "big", "big.", "big0", "c", "d/", "e", "f"];
        let ops: Vec<MetaOp> = top.iter().map(|k| put("b", k, 1)).collect();
        state.apply_batch(index + 1, &ops)?;

        let q = ListQuery {
            delimiter: Some("/".into()),
            ..ListQuery::default()
        };
        let (page, steps) = state.list_objects_counted("b", &q)?;
        let keys: Vec<&str> = page.objects.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(
            keys,
            ["a", "b", "bif", "big", "big.", "big0", "c", "e", "f"]
        );
        assert_eq!(page.common_prefixes, ["big/", "d/"]);
        assert!(!page.is_truncated);
        assert!(steps <= 12, "read {steps} entries");

        // Continuing after the common prefix does not walk it either.
        let q = ListQuery {
            delimiter: Some("/".into()),
            start_after: Some("big/".into()),
            max_keys: 2,
            ..ListQuery::default()
        };
        let (page, steps) = state.list_objects_counted("b", &q)?;
        let keys: Vec<&str> = page.objects.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(keys, ["big0", "c"]);
        assert!(page.is_truncated);
        assert_eq!(page.next_marker.as_deref(), Some("c"));
        assert!(steps <= 3, "read {steps} entries");

        // One level down: 1000 common prefixes, one page of 10 reads ~10.
        let q = ListQuery {
            prefix: "big/".into(),
            delimiter: Some("/".into()),
            max_keys: 10,
            ..ListQuery::default()
        };
        let (page, steps) = state.list_objects_counted("b", &q)?;
        assert_eq!(page.common_prefixes.len(), 10);
        assert_eq!(page.next_marker.as_deref(), Some("big/009/"));
        assert!(steps <= 11, "read {steps} entries");

        // Without a delimiter a page reads one entry past its end.
        let q = ListQuery {
            prefix: "big/5".into(),
            max_keys: 100,
            ..ListQuery::default()
        };
        let (page, steps) = state.list_objects_counted("b", &q)?;
        assert_eq!(page.objects.len(), 100);
        assert_eq!(steps, 101);
        Ok(())
    }
}
