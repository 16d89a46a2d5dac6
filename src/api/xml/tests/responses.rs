//! Tests of the rendered documents: exact bytes where AWS's examples give
//! them, otherwise what a client parser reads back.

use super::*;

#[test]
fn initiate_document_is_exact() {
    let doc = InitiateMultipartUploadResult {
        bucket: "b".into(),
        key: "a&b".into(),
        upload_id: "VXBsb2FkSWQ".into(),
    }
    .to_xml();
    assert_eq!(
        doc,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult \
         xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>\
         <Key>a&amp;b</Key><UploadId>VXBsb2FkSWQ</UploadId></InitiateMultipartUploadResult>"
    );
}

#[test]
fn list_buckets() {
    let r = ListAllMyBucketsResult {
        owner: owner(),
        buckets: vec![
            BucketInfo {
                name: "quotes".into(),
                creation_date_ms: 1_172_262_720_000,
                region: "us-east-1".into(),
            },
            BucketInfo {
                name: "samples".into(),
                creation_date_ms: 1_172_262_720_001,
                region: "eu-west-1".into(),
            },
        ],
        continuation_token: Some("c2FtcGxlcw".into()),
        prefix: Some("".into()),
    };
    let doc = r.to_xml();
    assert_root(&doc, "ListAllMyBucketsResult");
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CBucket {
        name: String,
        creation_date: String,
        bucket_region: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CBuckets {
        #[serde(default)]
        bucket: Vec<CBucket>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct C {
        owner: COwner,
        buckets: CBuckets,
        continuation_token: Option<String>,
        prefix: Option<String>,
    }
    let c: C = parse(&doc);
    assert_eq!(c.buckets.bucket[1].bucket_region, "eu-west-1");
    assert_eq!(c.continuation_token.as_deref(), Some("c2FtcGxlcw"));
    assert_eq!(c.prefix.as_deref(), Some(""));
    assert_eq!(c.owner.id, owner().id);
    assert_eq!(c.owner.display_name.as_deref(), Some("webfile"));
    let names: Vec<_> = c.buckets.bucket.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["quotes", "samples"]);
    assert_eq!(
        c.buckets.bucket[0].creation_date,
        "2007-02-23T20:32:00.000Z"
    );
    assert_eq!(
        c.buckets.bucket[1].creation_date,
        "2007-02-23T20:32:00.001Z"
    );

    let empty = ListAllMyBucketsResult {
        owner: Owner {
            id: "x".into(),
            display_name: None,
        },
        buckets: vec![],
        continuation_token: None,
        prefix: None,
    }
    .to_xml();
    assert!(empty.contains("<Buckets></Buckets>"), "{empty}");
    assert!(!empty.contains("ContinuationToken"), "{empty}");
    assert!(!empty.contains("DisplayName"), "{empty}");
    let c: C = parse(&empty);
    assert!(c.buckets.bucket.is_empty());
}

#[test]
fn location_constraint() {
    let east = LocationConstraint {
        region: "us-east-1".into(),
    }
    .to_xml();
    assert_eq!(
        east,
        format!("{XML_DECLARATION}<LocationConstraint{XMLNS_ATTR}></LocationConstraint>")
    );
    let west = LocationConstraint {
        region: "eu-west-1".into(),
    }
    .to_xml();
    assert_eq!(
        west,
        format!("{XML_DECLARATION}<LocationConstraint{XMLNS_ATTR}>eu-west-1</LocationConstraint>")
    );
    #[derive(Deserialize)]
    struct C {
        #[serde(rename = "$text", default)]
        region: String,
    }
    assert_eq!(parse::<C>(&east).region, "");
    assert_eq!(parse::<C>(&west).region, "eu-west-1");
}

#[test]
fn list_objects_v1() {
    let r = v1();
    let doc = r.clone().into_xml();
    assert_root(&doc, "ListBucketResult");
    assert_well_formed(&doc);
    let c: CListV1 = parse(&doc);
    assert_eq!(c.name, "bucket");
    assert_eq!(c.prefix, r.prefix);
    let ListPaging::Marker {
        marker,
        next_marker,
    } = &r.page
    else {
        panic!("v1() pages by marker");
    };
    assert_eq!(&c.marker, marker);
    assert_eq!(&c.next_marker, next_marker);
    assert_eq!(c.max_keys, 1000);
    assert_eq!(c.delimiter.as_deref(), Some("/"));
    assert!(c.is_truncated);
    assert_eq!(c.encoding_type, None);
    assert_eq!(c.contents.len(), 2);
    for (got, want) in c.contents.iter().zip(&r.contents) {
        assert_eq!(got.key, want.key);
        assert_eq!(got.last_modified, "2009-10-12T17:50:30.000Z");
        assert_eq!(got.etag, "\"fba9dede5f27731c9771645a39863328\"");
        assert_eq!(got.size, 434_234);
        assert_eq!(got.storage_class, "STANDARD");
        assert_eq!(
            got.owner.as_ref().map(|o| o.id.as_str()),
            Some(owner().id.as_str())
        );
        assert_eq!(got.checksum_algorithm, want.checksum_algorithm);
    }
    assert_eq!(c.common_prefixes.len(), 1);
    assert_eq!(c.common_prefixes[0].prefix, "photos/ 2006/feb ruary/");
    // AWS shows ETags with escaped quotes.
    assert!(doc.contains("<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>"));
}

#[test]
fn an_etag_is_shown_quoted_once_however_it_is_stored() {
    let shown = |etag: &str| {
        let mut r = v1();
        r.contents.truncate(1);
        r.contents[0].etag = etag.into();
        let doc = r.into_xml();
        let from = doc.find("<ETag>").expect("an ETag") + "<ETag>".len();
        let to = doc[from..].find("</ETag>").expect("its end") + from;
        doc[from..to].to_owned()
    };
    let want = "&quot;d41d8cd98f00b204e9800998ecf8427e-2&quot;";
    for stored in [
        "d41d8cd98f00b204e9800998ecf8427e-2",
        "\"d41d8cd98f00b204e9800998ecf8427e-2\"",
        "\"\"d41d8cd98f00b204e9800998ecf8427e-2\"\"",
        "\"\"d41d8cd98f00b204e9800998ecf8427e-2",
    ] {
        assert_eq!(shown(stored), want, "stored as {stored}");
    }
}

#[test]
fn list_objects_v1_minimal_leaves_optional_elements_out() {
    let r = ListBucketResult {
        name: "b".into(),
        prefix: String::new(),
        page: ListPaging::Marker {
            marker: String::new(),
            next_marker: None,
        },
        max_keys: 1000,
        delimiter: None,
        is_truncated: false,
        encoding_type: None,
        contents: vec![],
        common_prefixes: vec![],
    };
    let doc = r.into_xml();
    assert_eq!(
        doc,
        format!(
            "{XML_DECLARATION}<ListBucketResult{XMLNS_ATTR}><Name>b</Name><Prefix></Prefix>\
             <Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>\
             </ListBucketResult>"
        )
    );
    let c: CListV1 = parse(&doc);
    assert!(c.contents.is_empty() && c.common_prefixes.is_empty());
    assert_eq!(c.next_marker, None);
    assert_eq!(c.delimiter, None);
}

#[test]
fn list_objects_v1_url_encoding() {
    let mut r = v1();
    r.encoding_type = Some(EncodingType::Url);
    let doc = r.into_xml();
    let c: CListV1 = parse(&doc);
    assert_eq!(c.encoding_type.as_deref(), Some("url"));
    assert_eq!(c.prefix, "photos/ 2006/");
    assert_eq!(c.marker, "photos/%202006/a%2Bb");
    assert_eq!(c.next_marker.as_deref(), Some("photos/%202006/z%20z"));
    assert_eq!(c.delimiter.as_deref(), Some("/"));
    assert_eq!(c.contents[0].key, "photos/%202006/my%20image.jpg");
    assert_eq!(c.contents[1].key, "photos/%202006/b%26c%22d%27e%3Cf%3E");
    assert_eq!(c.common_prefixes[0].prefix, "photos/%202006/feb%20ruary/");
    // What the client ends up with after decoding.
    for (got, want) in c.contents.iter().zip(&v1().contents) {
        assert_eq!(unquote_plus(&got.key), want.key);
    }
    let ListPaging::Marker { marker, .. } = v1().page else {
        panic!("v1() pages by marker");
    };
    assert_eq!(unquote_plus(&c.marker), marker);
}

#[test]
fn list_objects_v2() {
    let r = v2();
    let doc = r.into_xml();
    assert_root(&doc, "ListBucketResult");
    let c: CListV2 = parse(&doc);
    assert_eq!(c.name, "bucket");
    assert_eq!(c.prefix, "a b/");
    assert_eq!(c.max_keys, 2);
    assert_eq!(c.key_count, 3);
    assert_eq!(c.delimiter.as_deref(), Some("/"));
    assert!(c.is_truncated);
    assert_eq!(c.continuation_token.as_deref(), Some("MS0xLTI="));
    assert_eq!(c.next_continuation_token.as_deref(), Some("Mi0zLTQ="));
    assert_eq!(c.start_after.as_deref(), Some("a b/0"));
    assert_eq!(c.encoding_type, None);
    assert!(c.contents.iter().all(|o| o.owner.is_none()));
    assert!(!doc.contains("<Owner>"));
    let keys: Vec<_> = c.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["a b/1", "a b/2"]);
    assert_eq!(c.common_prefixes[0].prefix, "a b/c/");

    // fetch-owner=true
    let mut with_owner = v2();
    with_owner.contents[0].owner = Some(owner());
    let c: CListV2 = parse(&with_owner.into_xml());
    assert_eq!(
        c.contents[0].owner.as_ref().map(|o| o.id.clone()),
        Some(owner().id)
    );
}

#[test]
fn list_objects_v2_url_encoding_leaves_tokens_alone() {
    let mut r = v2();
    r.encoding_type = Some(EncodingType::Url);
    let c: CListV2 = parse(&r.into_xml());
    assert_eq!(c.encoding_type.as_deref(), Some("url"));
    assert_eq!(c.prefix, "a%20b/");
    assert_eq!(c.start_after.as_deref(), Some("a%20b/0"));
    assert_eq!(c.contents[0].key, "a%20b/1");
    assert_eq!(c.common_prefixes[0].prefix, "a%20b/c/");
    assert_eq!(c.continuation_token.as_deref(), Some("MS0xLTI="));
    assert_eq!(c.next_continuation_token.as_deref(), Some("Mi0zLTQ="));
    assert_eq!(c.key_count, 3);
}

#[derive(Debug, Default, Deserialize, PartialEq)]
struct CChecksums {
    #[serde(rename = "ChecksumCRC32")]
    crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C")]
    crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME")]
    crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA1")]
    sha1: Option<String>,
    #[serde(rename = "ChecksumSHA256")]
    sha256: Option<String>,
    #[serde(rename = "ChecksumType")]
    checksum_type: Option<String>,
}

fn all_checksums() -> Checksums {
    Checksums {
        crc32: Some("i9aeUg==".into()),
        crc32c: Some("yZRlqg==".into()),
        crc64nvme: Some("iFH2Cv9dfmA=".into()),
        sha1: Some("qZk+NkcGgWq6PiVxeFDCbJzQ2J0=".into()),
        sha256: Some("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into()),
        checksum_type: Some("FULL_OBJECT".into()),
    }
}

fn client_checksums(c: &Checksums) -> CChecksums {
    CChecksums {
        crc32: c.crc32.clone(),
        crc32c: c.crc32c.clone(),
        crc64nvme: c.crc64nvme.clone(),
        sha1: c.sha1.clone(),
        sha256: c.sha256.clone(),
        checksum_type: c.checksum_type.clone(),
    }
}

#[test]
fn complete_multipart_upload_result() {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct C {
        location: String,
        bucket: String,
        key: String,
        #[serde(rename = "ETag")]
        etag: String,
        // Spelled out: quick-xml's deserializer cannot flatten.
        #[serde(rename = "ChecksumCRC32")]
        crc32: Option<String>,
        #[serde(rename = "ChecksumCRC32C")]
        crc32c: Option<String>,
        #[serde(rename = "ChecksumCRC64NVME")]
        crc64nvme: Option<String>,
        #[serde(rename = "ChecksumSHA1")]
        sha1: Option<String>,
        #[serde(rename = "ChecksumSHA256")]
        sha256: Option<String>,
        #[serde(rename = "ChecksumType")]
        checksum_type: Option<String>,
    }
    impl C {
        fn checksums(&self) -> CChecksums {
            CChecksums {
                crc32: self.crc32.clone(),
                crc32c: self.crc32c.clone(),
                crc64nvme: self.crc64nvme.clone(),
                sha1: self.sha1.clone(),
                sha256: self.sha256.clone(),
                checksum_type: self.checksum_type.clone(),
            }
        }
    }
    let mut r = CompleteMultipartUploadResult {
        location: "http://localhost:9000/b/k%20x".into(),
        bucket: "b".into(),
        key: "k x".into(),
        etag: "3858f62230ac3c915f300c664312c11f-9".into(),
        checksums: Checksums::default(),
    };
    let doc = r.to_xml();
    assert_root(&doc, "CompleteMultipartUploadResult");
    assert!(!doc.contains("Checksum"), "{doc}");
    let c: C = parse(&doc);
    assert_eq!(c.location, r.location);
    assert_eq!(c.bucket, "b");
    assert_eq!(c.key, "k x");
    assert_eq!(c.etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
    assert_eq!(c.checksums(), CChecksums::default());

    r.checksums = all_checksums();
    let c: C = parse(&r.to_xml());
    assert_eq!(c.checksums(), client_checksums(&all_checksums()));
}

#[test]
fn copy_results_share_a_shape_under_their_roots() {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct C {
        #[serde(rename = "ETag")]
        etag: String,
        last_modified: String,
        #[serde(rename = "ChecksumCRC32")]
        crc32: Option<String>,
        #[serde(rename = "ChecksumCRC32C")]
        crc32c: Option<String>,
    }
    let object = CopyObjectResult {
        etag: "9b2cf535f27731c974343645a3985328".into(),
        last_modified_ms: 1_255_369_830_000,
        checksums: Checksums {
            crc32c: Some("yZRlqg==".into()),
            ..Checksums::default()
        },
    };
    let part = CopyPartResult {
        etag: object.etag.clone(),
        last_modified_ms: object.last_modified_ms,
        checksums: object.checksums.clone(),
    };
    for (doc, root) in [
        (object.to_xml(), "CopyObjectResult"),
        (part.to_xml(), "CopyPartResult"),
    ] {
        assert_root(&doc, root);
        let c: C = parse(&doc);
        assert_eq!(c.etag, "\"9b2cf535f27731c974343645a3985328\"");
        assert_eq!(c.last_modified, "2009-10-12T17:50:30.000Z");
        assert_eq!(c.crc32c.as_deref(), Some("yZRlqg=="));
        assert_eq!(c.crc32, None);
    }
}

#[test]
fn list_parts() {
    let r = ListPartsResult {
        bucket: "b".into(),
        key: "k".into(),
        upload_id: "u1".into(),
        part_number_marker: 1,
        next_part_number_marker: 3,
        max_parts: 2,
        is_truncated: true,
        parts: vec![
            PartInfo {
                part_number: 2,
                last_modified_ms: 1_291_039_026_000,
                etag: "7778aef83f66abc1fa1e8477f296d394".into(),
                size: 10_485_760,
                checksums: Checksums {
                    sha256: Some("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into()),
                    ..Checksums::default()
                },
            },
            PartInfo {
                part_number: 3,
                last_modified_ms: 1_291_039_026_001,
                etag: "aaaa18db4cc2f85cedef654fccc4a4x8".into(),
                size: 10_485_760,
                checksums: Checksums::default(),
            },
        ],
        initiator: owner(),
        owner: Owner {
            id: "o".into(),
            display_name: None,
        },
        storage_class: "STANDARD".into(),
    };
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CPart {
        part_number: u32,
        last_modified: String,
        #[serde(rename = "ETag")]
        etag: String,
        size: u64,
        #[serde(rename = "ChecksumSHA256")]
        sha256: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct C {
        bucket: String,
        key: String,
        upload_id: String,
        part_number_marker: u32,
        next_part_number_marker: u32,
        max_parts: u32,
        is_truncated: bool,
        #[serde(default)]
        part: Vec<CPart>,
        initiator: COwner,
        owner: COwner,
        storage_class: String,
    }
    let doc = r.to_xml();
    assert_root(&doc, "ListPartsResult");
    let c: C = parse(&doc);
    assert_eq!(
        (c.bucket.as_str(), c.key.as_str(), c.upload_id.as_str()),
        ("b", "k", "u1")
    );
    assert_eq!(
        (c.part_number_marker, c.next_part_number_marker, c.max_parts),
        (1, 3, 2)
    );
    assert!(c.is_truncated);
    assert_eq!(c.part.len(), 2);
    assert_eq!(c.part[0].part_number, 2);
    assert_eq!(c.part[0].last_modified, "2010-11-29T13:57:06.000Z");
    assert_eq!(c.part[0].etag, "\"7778aef83f66abc1fa1e8477f296d394\"");
    assert_eq!(c.part[0].size, 10_485_760);
    assert_eq!(c.part[0].sha256, r.parts[0].checksums.sha256);
    assert_eq!(c.part[1].sha256, None);
    assert_eq!(c.initiator.id, owner().id);
    assert_eq!(
        c.owner,
        COwner {
            id: "o".into(),
            display_name: None
        }
    );
    assert_eq!(c.storage_class, "STANDARD");
}

#[test]
fn list_multipart_uploads() {
    let upload = |key: &str, id: &str| UploadInfo {
        key: key.into(),
        upload_id: id.into(),
        initiator: owner(),
        owner: owner(),
        storage_class: "STANDARD".into(),
        initiated_ms: 1_291_039_026_000,
    };
    let r = ListMultipartUploadsResult {
        bucket: "b".into(),
        key_marker: String::new(),
        upload_id_marker: String::new(),
        next_key_marker: "my movie.m2ts".into(),
        next_upload_id_marker: "u3".into(),
        prefix: None,
        delimiter: Some("/".into()),
        max_uploads: 3,
        is_truncated: true,
        uploads: vec![upload("my divisor", "u1"), upload("my movie.m2ts", "u3")],
        common_prefixes: vec![CommonPrefix {
            prefix: "photos/".into(),
        }],
        encoding_type: None,
    };
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CUpload {
        key: String,
        upload_id: String,
        initiator: COwner,
        owner: COwner,
        storage_class: String,
        initiated: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct C {
        bucket: String,
        key_marker: String,
        upload_id_marker: String,
        next_key_marker: String,
        next_upload_id_marker: String,
        prefix: Option<String>,
        delimiter: Option<String>,
        max_uploads: u32,
        is_truncated: bool,
        #[serde(default)]
        upload: Vec<CUpload>,
        #[serde(default)]
        common_prefixes: Vec<CPrefix>,
        encoding_type: Option<String>,
    }
    let doc = r.clone().into_xml();
    assert_root(&doc, "ListMultipartUploadsResult");
    let c: C = parse(&doc);
    assert_eq!(c.bucket, "b");
    assert_eq!(
        (c.key_marker.as_str(), c.upload_id_marker.as_str()),
        ("", "")
    );
    assert_eq!(c.next_key_marker, "my movie.m2ts");
    assert_eq!(c.next_upload_id_marker, "u3");
    assert_eq!(c.prefix, None);
    assert_eq!(c.delimiter.as_deref(), Some("/"));
    assert_eq!(c.max_uploads, 3);
    assert!(c.is_truncated);
    assert_eq!(c.upload.len(), 2);
    assert_eq!(c.upload[1].key, "my movie.m2ts");
    assert_eq!(c.upload[1].upload_id, "u3");
    assert_eq!(c.upload[1].initiator.id, owner().id);
    assert_eq!(c.upload[1].owner.id, owner().id);
    assert_eq!(c.upload[1].storage_class, "STANDARD");
    assert_eq!(c.upload[1].initiated, "2010-11-29T13:57:06.000Z");
    assert_eq!(c.common_prefixes[0].prefix, "photos/");
    assert_eq!(c.encoding_type, None);

    let mut enc = r.clone();
    enc.encoding_type = Some(EncodingType::Url);
    let c: C = parse(&enc.into_xml());
    assert_eq!(c.encoding_type.as_deref(), Some("url"));
    assert_eq!(c.next_key_marker, "my%20movie.m2ts");
    assert_eq!(c.upload[0].key, "my%20divisor");
    assert_eq!(c.next_upload_id_marker, "u3");
}

#[test]
fn delete_result() {
    let r = DeleteResult {
        deleted: vec![
            DeletedObject {
                key: "sample1.txt".into(),
                ..DeletedObject::default()
            },
            DeletedObject {
                key: "a<b".into(),
                version_id: Some("null".into()),
                ..DeletedObject::default()
            },
            // A delete without version under versioning: a new marker.
            DeletedObject {
                key: "marked".into(),
                version_id: None,
                delete_marker: true,
                delete_marker_version_id: Some("NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s".into()),
            },
        ],
        errors: vec![
            DeleteError::from_error(
                "sample2.txt",
                None,
                &S3Error::new(S3ErrorCode::AccessDenied),
            ),
            DeleteError::from_error(
                "locked",
                Some("v1".into()),
                &S3Error::new(S3ErrorCode::AccessDenied),
            ),
        ],
    };
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CDeleted {
        key: String,
        version_id: Option<String>,
        delete_marker: Option<bool>,
        delete_marker_version_id: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CError {
        key: String,
        version_id: Option<String>,
        code: String,
        message: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct C {
        #[serde(default)]
        deleted: Vec<CDeleted>,
        #[serde(default)]
        error: Vec<CError>,
    }
    let doc = r.to_xml();
    assert_root(&doc, "DeleteResult");
    let c: C = parse(&doc);
    assert_eq!(c.deleted.len(), 3);
    assert_eq!(c.deleted[0].key, "sample1.txt");
    assert_eq!(c.deleted[0].version_id, None);
    assert_eq!(c.deleted[0].delete_marker, None);
    assert_eq!(c.deleted[0].delete_marker_version_id, None);
    assert_eq!(c.deleted[1].key, "a<b");
    assert_eq!(c.deleted[1].version_id.as_deref(), Some("null"));
    assert_eq!(c.deleted[2].delete_marker, Some(true));
    assert_eq!(
        c.deleted[2].delete_marker_version_id.as_deref(),
        Some("NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s")
    );
    assert!(
        doc.contains(
            "<Deleted><Key>marked</Key><DeleteMarker>true</DeleteMarker>\
             <DeleteMarkerVersionId>NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s</DeleteMarkerVersionId>\
             </Deleted>"
        ),
        "{doc}"
    );
    assert_eq!(c.error.len(), 2);
    assert_eq!(c.error[0].key, "sample2.txt");
    assert_eq!(c.error[0].version_id, None);
    assert_eq!(c.error[0].code, "AccessDenied");
    assert_eq!(c.error[0].message, "Access Denied");
    assert!(
        doc.contains("<Error><Key>locked</Key><VersionId>v1</VersionId><Code>AccessDenied</Code>"),
        "{doc}"
    );

    let quiet = DeleteResult::default().to_xml();
    assert_eq!(
        quiet,
        format!("{XML_DECLARATION}<DeleteResult{XMLNS_ATTR}></DeleteResult>")
    );
}
