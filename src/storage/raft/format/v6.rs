//! Log value version 6: entries whose ops held version-5 records (no
//! access settings on buckets; objects, uploads, parts and keys as today).

use super::old::OldRecords;
use crate::storage::meta::records::{self, format_v5, format_v6, format_v7, Shape};

/// The record shapes of value version 6.
pub(super) enum Records5 {}

impl OldRecords for Records5 {
    type Bucket = format_v5::BucketRecord;
    type Object = format_v7::ObjectRecord;
    type Upload = format_v7::MultipartUpload;
    type Part = records::PartRecord;
    type Key = records::AccessKey;
    type Layout = format_v6::ClusterLayout;
    fn bucket(b: Self::Bucket) -> records::BucketRecord {
        records::BucketRecord::upgrade(Shape::upgrade(b))
    }
    fn object(o: Self::Object) -> records::ObjectRecord {
        records::ObjectRecord::upgrade(o)
    }
    fn upload(u: Self::Upload) -> records::MultipartUpload {
        records::MultipartUpload::upgrade(u)
    }
    fn part(p: Self::Part) -> records::PartRecord {
        p
    }
    fn key(k: Self::Key) -> records::AccessKey {
        k
    }
    fn layout(l: Self::Layout) -> records::ClusterLayout {
        records::ClusterLayout::upgrade(l)
    }
}
