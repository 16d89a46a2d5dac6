//! Log value version 5: entries whose ops held version-4 records (no
//! versioning, object lock or access settings on buckets, no version ids
//! or locks on objects and uploads; parts and keys as today).

use super::old::OldRecords;
use crate::storage::meta::records::{self, format_v4, format_v6, Shape};

/// The record shapes of value version 5.
pub(super) enum Records4 {}

impl OldRecords for Records4 {
    type Bucket = format_v4::BucketRecord;
    type Object = format_v4::ObjectRecord;
    type Upload = format_v4::MultipartUpload;
    type Part = records::PartRecord;
    type Key = records::AccessKey;
    type Layout = format_v6::ClusterLayout;
    fn bucket(b: Self::Bucket) -> records::BucketRecord {
        records::BucketRecord::upgrade(Shape::upgrade(Shape::upgrade(b)))
    }
    fn object(o: Self::Object) -> records::ObjectRecord {
        records::ObjectRecord::upgrade(Shape::upgrade(o))
    }
    fn upload(u: Self::Upload) -> records::MultipartUpload {
        records::MultipartUpload::upgrade(Shape::upgrade(u))
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
