//! A buffer aligned for direct I/O, without `unsafe`: it over-allocates and
//! works in the aligned window of its allocation.

use super::record::ALIGN;

/// Collects payload bytes until a block-aligned write can be issued.
pub(crate) struct AlignedBuf {
    raw: Vec<u8>,
    start: usize,
    len: usize,
    cap: usize,
}

impl AlignedBuf {
    /// A buffer of `cap` bytes, rounded up to a multiple of [`ALIGN`].
    pub(crate) fn new(cap: usize) -> Self {
        let align = ALIGN as usize;
        let cap = cap.max(1).next_multiple_of(align);
        let raw = vec![0u8; cap + align];
        let start = raw.as_ptr().align_offset(align).min(align);
        Self {
            raw,
            start,
            len: 0,
            cap,
        }
    }

    /// Copies as much of `data` as fits; returns how much.
    pub(crate) fn fill(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.cap - self.len);
        let at = self.start + self.len;
        self.raw[at..at + n].copy_from_slice(&data[..n]);
        self.len += n;
        n
    }

    /// Bytes held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether no more bytes fit.
    pub(crate) fn is_full(&self) -> bool {
        self.len == self.cap
    }

    /// The held bytes followed by zeroes up to the next [`ALIGN`] boundary:
    /// a slice whose address and length suit direct I/O.
    pub(crate) fn padded(&mut self) -> &[u8] {
        let end = self.len.next_multiple_of(ALIGN as usize);
        let (a, b) = (self.start + self.len, self.start + end);
        self.raw[a..b].fill(0);
        &self.raw[self.start..b]
    }

    /// Empties the buffer for reuse.
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_slices_are_aligned_and_zero_filled() {
        let mut b = AlignedBuf::new(10_000);
        assert_eq!(b.fill(&[7u8; 5000]), 5000);
        assert_eq!(b.fill(&[8u8; 10_000]), 12_288 - 5000);
        assert!(b.is_full());
        b.clear();
        b.fill(&[9u8; 100]);
        let s = b.padded();
        assert_eq!(s.as_ptr() as usize % ALIGN as usize, 0);
        assert_eq!(s.len(), ALIGN as usize);
        assert!(s[..100].iter().all(|&x| x == 9));
        assert!(
            s[100..].iter().all(|&x| x == 0),
            "stale bytes in the padding"
        );
    }
}
