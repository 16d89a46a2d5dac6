//! Tests of the ListObjectVersions answer: versions and delete markers
//! interleaved in the order given, each read back as an SDK reads it.

use super::*;

#[test]
fn list_object_versions() {
    let version = |key: &str, id: &str, is_latest| {
        VersionEntry::Version(VersionInfo {
            key: key.into(),
            version_id: id.into(),
            is_latest,
            last_modified_ms: 1_255_369_830_000,
            etag: "\"fba9dede5f27731c9771645a39863328\"".into(),
            checksum_algorithm: None,
            size: 434_234,
            storage_class: "STANDARD".into(),
            owner: owner(),
        })
    };
    let r = ListVersionsResult {
        name: "bucket".into(),
        prefix: "my".into(),
        key_marker: String::new(),
        version_id_marker: String::new(),
        next_key_marker: Some("my second image.jpg".into()),
        next_version_id_marker: Some("null".into()),
        max_keys: 4,
        delimiter: None,
        is_truncated: true,
        encoding_type: None,
        // A key's versions and markers newest first, mixed.
        entries: vec![
            version("my image.jpg", "null", true),
            VersionEntry::DeleteMarker(DeleteMarkerInfo {
                key: "my second image.jpg".into(),
                version_id: "03jpff543dhffds434rfdsFDN943fdsFkdmqnh892".into(),
                is_latest: true,
                last_modified_ms: 1_258_048_230_000,
                owner: owner(),
            }),
            version(
                "my second image.jpg",
                "QUpfdndhfd8438MNFDN93jdnJFkdmqnh893",
                false,
            ),
        ],
        common_prefixes: vec![],
    };
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CVersion {
        key: String,
        version_id: String,
        is_latest: bool,
        last_modified: String,
        #[serde(rename = "ETag")]
        etag: String,
        checksum_algorithm: Option<String>,
        size: u64,
        storage_class: String,
        owner: COwner,
    }
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CMarker {
        key: String,
        version_id: String,
        is_latest: bool,
        last_modified: String,
        owner: COwner,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct C {
        name: String,
        prefix: String,
        key_marker: String,
        version_id_marker: String,
        next_key_marker: Option<String>,
        next_version_id_marker: Option<String>,
        max_keys: u32,
        is_truncated: bool,
        encoding_type: Option<String>,
        // What an SDK collects: every Version, every DeleteMarker.
        #[serde(default)]
        version: Vec<CVersion>,
        #[serde(default)]
        delete_marker: Vec<CMarker>,
    }
    /// The entries in document order.
    #[derive(Deserialize)]
    struct COrder {
        #[serde(rename = "$value")]
        entries: Vec<CEntryOrOther>,
    }
    #[derive(Deserialize)]
    enum CEntryOrOther {
        Version(CVersion),
        DeleteMarker(CMarker),
        #[serde(other)]
        Other,
    }
    let doc = r.clone().into_xml();
    assert_root(&doc, "ListVersionsResult");
    assert_well_formed(&doc);
    let c: C = parse(&doc);
    assert_eq!(c.name, "bucket");
    assert_eq!(c.prefix, "my");
    assert_eq!(c.key_marker, "");
    assert_eq!(c.version_id_marker, "");
    assert_eq!(c.next_key_marker.as_deref(), Some("my second image.jpg"));
    assert_eq!(c.next_version_id_marker.as_deref(), Some("null"));
    assert_eq!(c.max_keys, 4);
    assert!(c.is_truncated);
    assert_eq!(c.encoding_type, None);
    assert_eq!(c.version.len(), 2);
    let v = &c.version[0];
    assert_eq!(v.key, "my image.jpg");
    assert_eq!(v.version_id, "null");
    assert!(v.is_latest);
    assert_eq!(v.last_modified, "2009-10-12T17:50:30.000Z");
    // An ETag given with its quotes is not quoted twice.
    assert_eq!(v.etag, "\"fba9dede5f27731c9771645a39863328\"");
    assert_eq!(v.checksum_algorithm, None);
    assert_eq!(v.size, 434_234);
    assert_eq!(v.storage_class, "STANDARD");
    assert_eq!(v.owner.id, owner().id);
    assert!(!c.version[1].is_latest);
    assert_eq!(c.delete_marker.len(), 1);
    let m = &c.delete_marker[0];
    assert_eq!(m.key, "my second image.jpg");
    assert_eq!(m.version_id, "03jpff543dhffds434rfdsFDN943fdsFkdmqnh892");
    assert!(m.is_latest);
    assert_eq!(m.last_modified, "2009-11-12T17:50:30.000Z");
    assert_eq!(m.owner.id, owner().id);
    assert_eq!(m.owner.display_name, owner().display_name);
    // A marker has no data: no ETag, Size or StorageClass.
    let marker_xml =
        &doc[doc.find("<DeleteMarker>").unwrap()..doc.find("</DeleteMarker>").unwrap()];
    assert!(
        !marker_xml.contains("<ETag>") && !marker_xml.contains("<Size>"),
        "{doc}"
    );
    // Interleaved in the order given.
    let order: COrder = parse(&doc);
    let kinds: Vec<(&str, &str)> = order
        .entries
        .iter()
        .filter_map(|e| match e {
            CEntryOrOther::Version(v) => Some(("Version", v.version_id.as_str())),
            CEntryOrOther::DeleteMarker(m) => Some(("DeleteMarker", m.version_id.as_str())),
            CEntryOrOther::Other => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("Version", "null"),
            ("DeleteMarker", "03jpff543dhffds434rfdsFDN943fdsFkdmqnh892"),
            ("Version", "QUpfdndhfd8438MNFDN93jdnJFkdmqnh893"),
        ]
    );

    let mut enc = r.clone();
    enc.encoding_type = Some(EncodingType::Url);
    if let VersionEntry::Version(v) = &mut enc.entries[0] {
        v.checksum_algorithm = Some("CRC32".into());
    }
    let c: C = parse(&enc.into_xml());
    assert_eq!(c.encoding_type.as_deref(), Some("url"));
    assert_eq!(c.version[0].key, "my%20image.jpg");
    assert_eq!(c.version[0].checksum_algorithm.as_deref(), Some("CRC32"));
    assert_eq!(c.version[1].key, "my%20second%20image.jpg");
    assert_eq!(c.delete_marker[0].key, "my%20second%20image.jpg");
    assert_eq!(
        c.next_key_marker.as_deref(),
        Some("my%20second%20image.jpg")
    );
    assert_eq!(c.next_version_id_marker.as_deref(), Some("null"));

    let mut empty = r.clone();
    empty.entries.clear();
    let c: C = parse(&empty.into_xml());
    assert!(c.version.is_empty() && c.delete_marker.is_empty());
}
