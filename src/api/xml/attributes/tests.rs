//! Unit tests of `api/xml/attributes.rs`.

use super::*;

#[test]
fn renders_what_was_asked_in_aws_order() {
    let a = ObjectAttributes {
        etag: Some("abc-2".into()),
        checksum: None,
        object_parts: Some(ObjectParts {
            parts_count: 2,
            part_number_marker: 0,
            next_part_number_marker: 1,
            max_parts: 1,
            is_truncated: true,
            parts: vec![AttributesPart {
                part_number: 1,
                size: 5,
                checksums: Checksums {
                    sha256: Some("s1".into()),
                    ..Checksums::default()
                },
            }],
        }),
        storage_class: Some("STANDARD"),
        object_size: Some(9),
    };
    let xml = a.to_xml();
    assert!(xml.contains("<ETag>abc-2</ETag>"), "{xml}");
    assert!(
        xml.contains("<Size>5</Size><ChecksumSHA256>s1</ChecksumSHA256>"),
        "{xml}"
    );
    assert!(xml.contains("<PartsCount>2</PartsCount>"), "{xml}");
    assert!(xml.contains("<IsTruncated>true</IsTruncated>"), "{xml}");
    // No object checksum was asked for.
    assert!(!xml.contains("<Checksum>"), "{xml}");
    let only_size = ObjectAttributes {
        object_size: Some(1),
        ..Default::default()
    }
    .to_xml();
    assert!(
        only_size.ends_with("<ObjectSize>1</ObjectSize></GetObjectAttributesResponse>"),
        "{only_size}"
    );
}
