//! The shard copies a scan found referenced, kept in bounded memory.
//!
//! Orphan collection asks one question of every shard a storage node
//! lists: does any record point to this copy? An exact set of every
//! referenced copy grows by ~40 bytes a copy: 120 MB at a million 2+1
//! objects, over a gigabyte at ten million. A Bloom filter answers the
//! same question in ~1.2 bytes a copy, and its one kind of mistake is the
//! safe one: it may call an orphan referenced (the orphan waits for a
//! later scan), never a referenced copy an orphan. Each scan seeds its
//! filter afresh, so an orphan is not kept by the same false positive
//! twice.
//!
//! The filter is sized from the previous scan's count; when a scan finds
//! more copies than that, another filter twice the size joins it, so the
//! false-positive rate stays near its target however the store grows.

use fastbloom::BloomFilter;

/// One referenced shard copy: (object id, part, shard index, node).
pub(super) type ShardCopy = (u128, u32, u16, u64);

/// Share of unreferenced copies a filter calls referenced.
const FALSE_POSITIVE: f64 = 0.01;
/// Copies the first filter of a store's first scan is sized for.
const FIRST_CAPACITY: usize = 1 << 16;

/// Referenced shard copies, approximately: no false negatives.
pub(super) struct LiveShards {
    /// Filters, oldest first, each with the number of copies it is sized
    /// for; only the last one takes new copies.
    filters: Vec<(BloomFilter, usize)>,
    /// Copies in the last filter.
    in_last: usize,
    /// Copies inserted in all.
    len: usize,
    seed: u128,
}

impl LiveShards {
    /// An empty set sized for about `expected` copies (the last scan's).
    pub(super) fn new(expected: usize) -> Self {
        let seed = rand::random();
        Self {
            filters: vec![(
                filter(seed, expected.max(FIRST_CAPACITY)),
                expected.max(FIRST_CAPACITY),
            )],
            in_last: 0,
            len: 0,
            seed,
        }
    }

    /// Notes `copy` as referenced.
    pub(super) fn insert(&mut self, copy: ShardCopy) {
        let full = self
            .filters
            .last()
            .is_none_or(|(_, cap)| self.in_last >= *cap);
        if full {
            let capacity = self
                .filters
                .last()
                .map_or(FIRST_CAPACITY, |(_, cap)| cap * 2);
            self.filters.push((filter(self.seed, capacity), capacity));
            self.in_last = 0;
        }
        if let Some((last, _)) = self.filters.last_mut() {
            last.insert(&copy);
            self.in_last += 1;
            self.len += 1;
        }
    }

    /// Whether `copy` may be referenced: always true if it was inserted.
    pub(super) fn contains(&self, copy: &ShardCopy) -> bool {
        self.filters.iter().any(|(f, _)| f.contains(copy))
    }

    /// Copies inserted (with repeats).
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Memory the filters take, in bytes.
    pub(super) fn bytes(&self) -> usize {
        self.filters.iter().map(|(f, _)| f.num_bits() / 8).sum()
    }
}

fn filter(seed: u128, capacity: usize) -> BloomFilter {
    BloomFilter::with_false_pos(FALSE_POSITIVE)
        .seed(&seed)
        .expected_items(capacity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(i: u64) -> ShardCopy {
        (
            u128::from(i) * 7919,
            (i % 5) as u32,
            (i % 3) as u16,
            i % 4 + 1,
        )
    }

    #[test]
    fn every_inserted_copy_is_found_as_the_set_grows_past_its_size() {
        // Sized for far fewer than it gets: filters are added.
        let mut live = LiveShards::new(1000);
        for i in 0..300_000 {
            live.insert(copy(i));
        }
        assert_eq!(live.len(), 300_000);
        assert!(live.filters.len() > 1);
        let missed = (0..300_000).filter(|&i| !live.contains(&copy(i))).count();
        assert_eq!(missed, 0, "a referenced copy would be collected");
    }

    #[test]
    fn few_unreferenced_copies_pass_for_referenced() {
        let mut live = LiveShards::new(0);
        for i in 0..200_000 {
            live.insert(copy(i));
        }
        let kept = (1_000_000..1_100_000)
            .filter(|&i| live.contains(&copy(i)))
            .count();
        // Target 1 % per filter, two or three filters here.
        assert!(kept < 5_000, "{kept} of 100000 orphans would be kept");
    }

    #[test]
    fn a_million_copies_take_under_two_megabytes() {
        let mut live = LiveShards::new(1_000_000);
        for i in 0..1_000_000 {
            live.insert(copy(i));
        }
        assert_eq!(live.filters.len(), 1);
        assert!(live.bytes() < 2 << 20, "{} bytes", live.bytes());
    }

    #[test]
    fn two_scans_seed_their_filters_apart() {
        let (a, b) = (LiveShards::new(10), LiveShards::new(10));
        assert_ne!(a.seed, b.seed);
    }
}
