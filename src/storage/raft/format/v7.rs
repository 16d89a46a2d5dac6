//! Log value version 7: entries whose ops held version-6 records (a
//! cluster layout without the nodes' volumes; every other record as
//! today).

use super::old::OldRecords;
use crate::storage::meta::records::{self, format_v6, Shape};

/// The record shapes of value version 7.
pub(super) enum Records6 {}

impl OldRecords for Records6 {
    type Bucket = records::BucketRecord;
    type Object = records::ObjectRecord;
    type Upload = records::MultipartUpload;
    type Part = records::PartRecord;
    type Key = records::AccessKey;
    type Layout = format_v6::ClusterLayout;
    fn bucket(b: Self::Bucket) -> records::BucketRecord {
        b
    }
    fn object(o: Self::Object) -> records::ObjectRecord {
        o
    }
    fn upload(u: Self::Upload) -> records::MultipartUpload {
        u
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
