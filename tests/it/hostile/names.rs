//! Names: invalid bucket names, keys that look like paths or hold odd
//! bytes (stored and listed exactly, never normalised), the 1024-byte key
//! limit counted in bytes, paths that are not UTF-8.

use super::{create_bucket, encode_key, list_keys, object_path, Hostile};

#[test]
fn invalid_names_are_refused_and_odd_keys_round_trip_exactly() {
    let h = Hostile::start("names", &[]);

    // Bucket names AWS refuses with 400 InvalidBucketName.
    let long = "b".repeat(64);
    let invalid = [
        "UpperCase",
        "ab",
        long.as_str(),
        "192.168.5.4",
        "a..b",
        "-leading-hyphen",
        "trailing-hyphen-",
        "under_score",
        "xn--punycode",
        "sthree-reserved",
        "bucket-s3alias",
        "bucket--ol-s3",
        "...",
    ];
    for name in invalid {
        let r = h.signed("PUT", &format!("/{name}"), &[], b"");
        h.expect(
            &format!("CreateBucket {name:.20}"),
            &r,
            &[(400, Some("InvalidBucketName"))],
        );
    }
    let r = h.signed("GET", "/", &[], b"");
    let listing = r
        .as_ref()
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .unwrap_or_default();
    let created: Vec<&str> = invalid
        .iter()
        .copied()
        .filter(|n| listing.contains(&format!("<Name>{n}</Name>")))
        .collect();
    h.check(
        "no bucket with an invalid name was created",
        r.is_ok() && created.is_empty(),
        || format!("created: {created:?} ({})", super::describe(&r)),
    );

    // Keys that look like paths, or hold bytes that need care: stored
    // under exactly those bytes, listed exactly, never normalised.
    create_bucket(&h, "names");
    let euro_1024 = format!("{}x", "€".repeat(341));
    let clef_1024 = "𝄞".repeat(256);
    assert_eq!(euro_1024.len(), 1024);
    assert_eq!(clef_1024.len(), 1024);
    let keys: Vec<Vec<u8>> = [
        "a/../b",
        "../../etc/passwd",
        "./dot",
        "x//y",
        "//lead",
        "trail/",
        "nul\0byte",
        "sp ace+plus%pct&amp=?#",
        "<Key>&lt;",
        "ünï/€/𝄞",
        euro_1024.as_str(),
        clef_1024.as_str(),
    ]
    .iter()
    .map(|k| k.as_bytes().to_vec())
    .collect();
    for (i, key) in keys.iter().enumerate() {
        let data = format!("object {i}").into_bytes();
        let path = format!("/names/{}", encode_key(key));
        let shown = String::from_utf8_lossy(key);
        let shown: String = shown.chars().take(24).collect();
        let r = h.signed("PUT", &path, &[], &data);
        if h.expect(&format!("PUT key {shown:?}"), &r, &[(200, None)]) {
            let g = h.signed("GET", &path, &[], b"");
            h.check(
                &format!("GET key {shown:?} reads back the same object"),
                g.as_ref().is_ok_and(|g| g.status == 200 && g.body == data),
                || super::describe(&g),
            );
        }
    }
    match list_keys(&h, "names") {
        Ok(mut listed) => {
            listed.sort();
            let mut want = keys.clone();
            want.sort();
            h.check(
                "ListObjectsV2 lists exactly the keys stored, byte for byte",
                listed == want,
                || {
                    let show = |v: &[Vec<u8>]| {
                        v.iter()
                            .map(|k| {
                                String::from_utf8_lossy(k)
                                    .chars()
                                    .take(24)
                                    .collect::<String>()
                            })
                            .collect::<Vec<_>>()
                    };
                    format!("listed {:?}, stored {:?}", show(&listed), show(&want))
                },
            );
        }
        Err(e) => {
            h.check("ListObjectsV2 answers", false, || e);
        }
    }
    // `a/../b` is its own key: the path was not resolved to `b`.
    h.expect_absent("a/../b is not b", "names", "b");
    h.expect_absent(
        "../../etc/passwd stays in the bucket",
        "names",
        "etc/passwd",
    );

    // One byte over the limit, in ASCII and in multi-byte UTF-8.
    for (case, key) in [
        ("a 1025-byte ASCII key", "k".repeat(1025)),
        (
            "a 1025-byte UTF-8 key of 342 characters",
            format!("{}xy", "€".repeat(341)),
        ),
    ] {
        assert_eq!(key.len(), 1025);
        let r = h.signed("PUT", &object_path("names", &key), &[], b"too long");
        h.expect(case, &r, &[(400, Some("KeyTooLongError"))]);
        let r = h.signed(
            "POST",
            &format!("{}?uploads", object_path("names", &key)),
            &[],
            b"",
        );
        h.expect(
            &format!("CreateMultipartUpload with {case}"),
            &r,
            &[(400, Some("KeyTooLongError"))],
        );
    }

    // A path that is not UTF-8.
    let r = h.signed("PUT", "/names/%FF%FE", &[], b"not utf-8");
    h.expect(
        "PUT to a path that is not UTF-8",
        &r,
        &[(400, Some("InvalidURI"))],
    );
    let r = h.signed("GET", "/names/ok%C3", &[], b"");
    h.expect(
        "GET of a path with a cut UTF-8 sequence",
        &r,
        &[(400, Some("InvalidURI"))],
    );

    match list_keys(&h, "names") {
        Ok(listed) => {
            h.check(
                "nothing refused was stored",
                listed.len() == keys.len(),
                || format!("{} keys listed, {} stored", listed.len(), keys.len()),
            );
        }
        Err(e) => {
            h.check("ListObjectsV2 answers", false, || e);
        }
    }
    h.finish();
}
