//! A tag set, as buckets, objects and uploads carry it (since format 3).

/// A tag set: (key, value) pairs with unique keys, in the order given.
/// The API layer checks S3's limits (count, lengths) before a set is stored.
pub(crate) type Tags = Vec<(String, String)>;
