//! The listing documents byte for byte: each expected document is what
//! quick-xml's serializer wrote for the same page before the listings were
//! written element by element (taken from a store of that release), so
//! clients read exactly what they read before.

use super::*;

const OWNER: &str = "<Owner><ID>benchkey</ID><DisplayName>benchkey</DisplayName></Owner>";

fn bench_owner() -> Owner {
    Owner {
        id: "benchkey".into(),
        display_name: Some("benchkey".into()),
    }
}

fn listed(key: &str, last_modified_ms: u64, etag: &str) -> ObjectInfo {
    ObjectInfo {
        key: key.into(),
        last_modified_ms,
        etag: etag.into(),
        checksum_algorithm: None,
        size: 5,
        storage_class: "STANDARD".into(),
        owner: Some(bench_owner()),
    }
}

fn contents(key: &str, time: &str) -> String {
    format!(
        "<Contents><Key>{key}</Key><LastModified>{time}</LastModified>\
         <ETag>&quot;fb0e22c79ac75679e9881e6ba183b354&quot;</ETag><Size>5</Size>\
         <StorageClass>STANDARD</StorageClass>{OWNER}</Contents>"
    )
}

#[test]
fn a_v2_page_with_owners_and_awkward_keys_reads_as_before() {
    let etag = "fb0e22c79ac75679e9881e6ba183b354";
    let quoted = format!("\"{etag}\"");
    let doc = ListBucketResult {
        name: "eqv".into(),
        prefix: String::new(),
        max_keys: 4,
        delimiter: None,
        is_truncated: true,
        encoding_type: None,
        contents: vec![
            listed("a&b<c>'\"", 1_795_964_263_178, etag),
            listed("cr\rkey", 1_795_964_263_485, &quoted),
            listed("ctl\u{1}key", 1_795_964_263_703, etag),
            listed("dir/sub/one", 1_795_964_263_911, &quoted),
        ],
        common_prefixes: Vec::new(),
        page: ListPaging::Token {
            continuation_token: None,
            next_continuation_token: Some("ZGlyL3N1Yi9vbmU".into()),
            start_after: None,
        },
    }
    .into_xml();
    let want = format!(
        "{XML_DECLARATION}<ListBucketResult{XMLNS_ATTR}><Name>eqv</Name><Prefix></Prefix>\
         <MaxKeys>4</MaxKeys><KeyCount>4</KeyCount><IsTruncated>true</IsTruncated>\
         <NextContinuationToken>ZGlyL3N1Yi9vbmU</NextContinuationToken>{}{}{}{}</ListBucketResult>",
        contents("a&amp;b&lt;c&gt;&apos;&quot;", "2026-11-29T14:57:43.178Z"),
        contents("cr&#13;key", "2026-11-29T14:57:43.485Z"),
        contents("ctl&#x1;key", "2026-11-29T14:57:43.703Z"),
        contents("dir/sub/one", "2026-11-29T14:57:43.911Z"),
    );
    assert_eq!(doc, want);
}

#[test]
fn a_v1_page_encoded_for_urls_reads_as_before() {
    let doc = ListBucketResult {
        name: "eqv".into(),
        prefix: String::new(),
        max_keys: 1000,
        delimiter: Some("/".into()),
        is_truncated: false,
        encoding_type: Some(EncodingType::Url),
        contents: vec![
            listed(
                "plus+key",
                1_795_964_263_860,
                "fb0e22c79ac75679e9881e6ba183b354",
            ),
            listed(
                "tab\tkey",
                1_795_964_263_350,
                "fb0e22c79ac75679e9881e6ba183b354",
            ),
        ],
        common_prefixes: vec![
            CommonPrefix {
                prefix: "sp ace/".into(),
            },
            CommonPrefix {
                prefix: "uni-ü€/".into(),
            },
        ],
        page: ListPaging::Marker {
            marker: "a".into(),
            next_marker: None,
        },
    }
    .into_xml();
    let want = format!(
        "{XML_DECLARATION}<ListBucketResult{XMLNS_ATTR}><Name>eqv</Name><Prefix></Prefix>\
         <Marker>a</Marker><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>\
         <IsTruncated>false</IsTruncated><EncodingType>url</EncodingType>{}{}\
         <CommonPrefixes><Prefix>sp%20ace/</Prefix></CommonPrefixes>\
         <CommonPrefixes><Prefix>uni-%C3%BC%E2%82%AC/</Prefix></CommonPrefixes></ListBucketResult>",
        contents("plus%2Bkey", "2026-11-29T14:57:43.860Z"),
        contents("tab%09key", "2026-11-29T14:57:43.350Z"),
    );
    assert_eq!(doc, want);
}

#[test]
fn a_versions_page_with_a_delete_marker_reads_as_before() {
    let doc = ListVersionsResult {
        name: "eqvv".into(),
        prefix: String::new(),
        key_marker: String::new(),
        version_id_marker: String::new(),
        next_key_marker: Some("ctl\u{1}key".into()),
        next_version_id_marker: Some("000000064d300000".into()),
        max_keys: 5,
        delimiter: Some("/".into()),
        is_truncated: true,
        encoding_type: None,
        entries: vec![
            VersionEntry::Version(VersionInfo {
                key: "a&b<c>'\"".into(),
                version_id: "000000064c400000".into(),
                is_latest: true,
                last_modified_ms: 1_795_964_263_237,
                etag: "2783fe87cecc57e454ec164ba4089e69".into(),
                checksum_algorithm: None,
                size: 3,
                storage_class: "STANDARD".into(),
                owner: bench_owner(),
            }),
            VersionEntry::DeleteMarker(DeleteMarkerInfo {
                key: "dir/three".into(),
                version_id: "000000064e600000".into(),
                is_latest: true,
                last_modified_ms: 1_795_964_263_994,
                owner: bench_owner(),
            }),
        ],
        common_prefixes: vec![CommonPrefix {
            prefix: "dir/".into(),
        }],
    }
    .into_xml();
    let want = format!(
        "{XML_DECLARATION}<ListVersionsResult{XMLNS_ATTR}><Name>eqvv</Name><Prefix></Prefix>\
         <KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker>\
         <NextKeyMarker>ctl&#x1;key</NextKeyMarker>\
         <NextVersionIdMarker>000000064d300000</NextVersionIdMarker><MaxKeys>5</MaxKeys>\
         <Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>\
         <Version><Key>a&amp;b&lt;c&gt;&apos;&quot;</Key><VersionId>000000064c400000</VersionId>\
         <IsLatest>true</IsLatest><LastModified>2026-11-29T14:57:43.237Z</LastModified>\
         <ETag>&quot;2783fe87cecc57e454ec164ba4089e69&quot;</ETag><Size>3</Size>\
         <StorageClass>STANDARD</StorageClass>{OWNER}</Version>\
         <DeleteMarker><Key>dir/three</Key><VersionId>000000064e600000</VersionId>\
         <IsLatest>true</IsLatest><LastModified>2026-11-29T14:57:43.994Z</LastModified>\
         {OWNER}</DeleteMarker><CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>\
         </ListVersionsResult>"
    );
    assert_eq!(doc, want);
}
