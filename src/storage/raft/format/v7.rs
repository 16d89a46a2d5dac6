//! Log value version 7: entries whose ops held version-6 records (a
//! cluster layout without the nodes' volumes; buckets, objects and
//! uploads without encryption).

use super::old::OldRecords;
use crate::storage::meta::records::{self, format_v6, format_v7, Shape};

/// The record shapes of value version 7.
pub(super) enum Records6 {}

impl OldRecords for Records6 {
    type Bucket = format_v7::BucketRecord;
    type Object = format_v7::ObjectRecord;
    type Upload = format_v7::MultipartUpload;
    type Part = records::PartRecord;
    type Key = records::AccessKey;
    type Layout = format_v6::ClusterLayout;
    fn bucket(b: Self::Bucket) -> records::BucketRecord {
        records::BucketRecord::upgrade(b)
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
