//! Log value version 4: entries whose ops held version-3 records (no part
//! checksums, e-mail addresses or CORS rules; no versions or locks).

use super::old::OldRecords;
use crate::storage::meta::records::{self, format_v2, format_v3, format_v6, Shape};

/// The record shapes of value version 4.
pub(super) enum Records3 {}

impl OldRecords for Records3 {
    type Bucket = format_v3::BucketRecord;
    type Object = format_v3::ObjectRecord;
    type Upload = format_v3::MultipartUpload;
    type Part = format_v2::PartRecord;
    type Key = format_v3::AccessKey;
    type Layout = format_v6::ClusterLayout;
    fn bucket(b: Self::Bucket) -> records::BucketRecord {
        records::BucketRecord::upgrade(Shape::upgrade(Shape::upgrade(Shape::upgrade(b))))
    }
    fn object(o: Self::Object) -> records::ObjectRecord {
        records::ObjectRecord::upgrade(Shape::upgrade(Shape::upgrade(o)))
    }
    fn upload(u: Self::Upload) -> records::MultipartUpload {
        records::MultipartUpload::upgrade(Shape::upgrade(Shape::upgrade(u)))
    }
    fn part(p: Self::Part) -> records::PartRecord {
        records::PartRecord::upgrade(p)
    }
    fn key(k: Self::Key) -> records::AccessKey {
        records::AccessKey::upgrade(k)
    }
    fn layout(l: Self::Layout) -> records::ClusterLayout {
        records::ClusterLayout::upgrade(l)
    }
}
