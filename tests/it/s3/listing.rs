//! Listing: ListObjectsV2 and V1, ListObjectVersions.

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::types::EncodingType;
use aws_sdk_s3::Client;

use super::create_bucket;
use crate::common::s3::*;

/// 25 keys: nested, unicode, a space and a plus, URL-special characters.
fn listing_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "a",
        "a/b/c",
        "a/b/d",
        "a/x",
        "b",
        "b/",
        "c d+e",
        "docs/guide/intro.md",
        "docs/guide/setup.md",
        "docs/readme.md",
        "x/odd chars ?&=#%.txt",
        "z",
        "ünïcødé/ключ",
        "日本語/ファイル.txt",
        "😀-emoji",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    keys.extend((0..10).map(|i| format!("key-{i:02}")));
    keys.sort(); // byte order of UTF-8, S3's order
    assert_eq!(keys.len(), 25);
    keys
}

async fn put_listing_keys(s3: &Client, bucket: &str) -> Vec<String> {
    create_bucket(s3, bucket).await;
    let keys = listing_keys();
    for (i, key) in keys.iter().enumerate() {
        put(s3, bucket, key, format!("body {i}").as_bytes()).await;
    }
    keys
}

/// Walks ListObjectsV2 pages, checking each page; (keys, common prefixes).
async fn walk_v2(
    s3: &Client,
    bucket: &str,
    prefix: Option<&str>,
    delimiter: Option<&str>,
    max_keys: i32,
) -> (Vec<String>, Vec<String>) {
    let mut keys = Vec::new();
    let mut prefixes = Vec::new();
    let mut token: Option<String> = None;
    for _page in 0..100 {
        let page = s3
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix(prefix.map(str::to_string))
            .set_delimiter(delimiter.map(str::to_string))
            .max_keys(max_keys)
            .set_continuation_token(token.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListObjectsV2: {}", DisplayErrorContext(&e)));
        let entries = page.contents().len() + page.common_prefixes().len();
        assert!(
            entries <= max_keys as usize,
            "page of {entries} > max-keys {max_keys}"
        );
        assert_eq!(page.key_count(), Some(entries as i32), "KeyCount");
        assert_eq!(page.max_keys(), Some(max_keys), "MaxKeys");
        assert_eq!(
            page.continuation_token(),
            token.as_deref(),
            "ContinuationToken echoed"
        );
        keys.extend(
            page.contents()
                .iter()
                .map(|o| o.key().expect("key").to_string()),
        );
        prefixes.extend(
            page.common_prefixes()
                .iter()
                .map(|p| p.prefix().expect("prefix").to_string()),
        );
        if page.is_truncated() == Some(true) {
            assert!(entries > 0, "an empty truncated page");
            token = Some(
                page.next_continuation_token()
                    .expect("NextContinuationToken")
                    .to_string(),
            );
        } else {
            assert_eq!(
                page.next_continuation_token(),
                None,
                "token on the last page"
            );
            return (keys, prefixes);
        }
    }
    panic!("more than 100 pages");
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn list_objects_v2_prefix_delimiter_pagination_start_after_and_url_encoding() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    let keys = put_listing_keys(&s3, "list").await;

    // Everything, one page.
    let all = s3
        .list_objects_v2()
        .bucket("list")
        .send()
        .await
        .expect("list");
    assert_eq!(all.key_count(), Some(25));
    assert_eq!(all.is_truncated(), Some(false));
    let listed: Vec<String> = all
        .contents()
        .iter()
        .map(|o| o.key().unwrap().to_string())
        .collect();
    assert_eq!(listed, keys);
    let c_d_e = all
        .contents()
        .iter()
        .find(|o| o.key() == Some("c d+e"))
        .expect("c d+e");
    let body = format!("body {}", keys.iter().position(|k| k == "c d+e").unwrap());
    assert_eq!(c_d_e.size(), Some(body.len() as i64));
    assert_eq!(c_d_e.e_tag(), Some(etag_of(body.as_bytes()).as_str()));
    assert!(c_d_e.last_modified().is_some());

    // Walking pages of 4 yields exactly the sorted keys.
    for max_keys in [1, 4, 24, 25, 1000] {
        let (walked, prefixes) = walk_v2(&s3, "list", None, None, max_keys).await;
        assert_eq!(walked, keys, "pages of {max_keys}");
        assert!(prefixes.is_empty());
    }

    // Prefix.
    let (docs, _) = walk_v2(&s3, "list", Some("docs/"), None, 1000).await;
    assert_eq!(
        docs,
        strings(&[
            "docs/guide/intro.md",
            "docs/guide/setup.md",
            "docs/readme.md"
        ])
    );
    let (none, _) = walk_v2(&s3, "list", Some("nothing-here/"), None, 1000).await;
    assert!(none.is_empty());

    // Delimiter at the root, in one page and in pages of 3.
    let root_keys = strings(&[
        "a",
        "b",
        "c d+e",
        "key-00",
        "key-01",
        "key-02",
        "key-03",
        "key-04",
        "key-05",
        "key-06",
        "key-07",
        "key-08",
        "key-09",
        "z",
        "😀-emoji",
    ]);
    let root_prefixes = strings(&["a/", "b/", "docs/", "x/", "ünïcødé/", "日本語/"]);
    for max_keys in [1000, 3] {
        let (k, p) = walk_v2(&s3, "list", None, Some("/"), max_keys).await;
        assert_eq!(k, root_keys, "keys at the root, pages of {max_keys}");
        assert_eq!(
            p, root_prefixes,
            "prefixes at the root, pages of {max_keys}"
        );
    }
    let (k, p) = walk_v2(&s3, "list", Some("docs/"), Some("/"), 1000).await;
    assert_eq!(k, strings(&["docs/readme.md"]));
    assert_eq!(p, strings(&["docs/guide/"]));
    let (k, p) = walk_v2(&s3, "list", Some("a/"), Some("/"), 1000).await;
    assert_eq!(k, strings(&["a/x"]));
    assert_eq!(p, strings(&["a/b/"]));
    let (k, p) = walk_v2(&s3, "list", Some("a/b/"), Some("/"), 1000).await;
    assert_eq!(k, strings(&["a/b/c", "a/b/d"]));
    assert!(p.is_empty());

    // StartAfter.
    let after = s3
        .list_objects_v2()
        .bucket("list")
        .start_after("key-05")
        .send()
        .await
        .expect("list start-after");
    let listed: Vec<String> = after
        .contents()
        .iter()
        .map(|o| o.key().unwrap().to_string())
        .collect();
    let want: Vec<String> = keys
        .iter()
        .filter(|k| k.as_str() > "key-05")
        .cloned()
        .collect();
    assert_eq!(listed, want);
    assert_eq!(after.start_after(), Some("key-05"));

    // encoding-type=url: keys come back encoded (a '+' as %2B, a space as
    // %20, as AWS), and decode to the stored keys.
    let encoded = s3
        .list_objects_v2()
        .bucket("list")
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .expect("list encoding-type=url");
    assert_eq!(encoded.encoding_type(), Some(&EncodingType::Url));
    let raw: Vec<&str> = encoded
        .contents()
        .iter()
        .map(|o| o.key().unwrap())
        .collect();
    let decoded: Vec<String> = raw.iter().map(|k| url_decode_plus(k)).collect();
    assert_eq!(decoded, keys);
    let raw_c_d_e = raw[keys.iter().position(|k| k == "c d+e").unwrap()];
    assert_eq!(raw_c_d_e, "c%20d%2Be", "space and plus encoded");
    assert!(raw_c_d_e.contains("%2B"), "plus not encoded: {raw_c_d_e:?}");
    let raw_unicode = raw[keys.iter().position(|k| k == "ünïcødé/ключ").unwrap()];
    assert!(
        raw_unicode.is_ascii(),
        "unicode not encoded: {raw_unicode:?}"
    );
    let encoded_prefixes = s3
        .list_objects_v2()
        .bucket("list")
        .delimiter("/")
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .expect("list encoding-type=url with delimiter");
    let decoded: Vec<String> = encoded_prefixes
        .common_prefixes()
        .iter()
        .map(|p| url_decode_plus(p.prefix().unwrap()))
        .collect();
    assert_eq!(decoded, root_prefixes);
}

#[tokio::test]
async fn list_objects_v1_marker_pagination_and_list_object_versions() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    let keys = put_listing_keys(&s3, "listv1").await;

    // Without a delimiter: the next marker is NextMarker if given, else
    // the last key.
    let mut walked = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..100 {
        let page = s3
            .list_objects()
            .bucket("listv1")
            .max_keys(4)
            .set_marker(marker.clone())
            .send()
            .await
            .expect("ListObjects");
        assert!(page.contents().len() <= 4);
        assert_eq!(
            page.marker().unwrap_or(""),
            marker.as_deref().unwrap_or(""),
            "Marker echoed"
        );
        walked.extend(page.contents().iter().map(|o| o.key().unwrap().to_string()));
        if page.is_truncated() != Some(true) {
            break;
        }
        marker = Some(
            page.next_marker()
                .or(page.contents().last().and_then(|o| o.key()))
                .expect("a marker to go on from")
                .to_string(),
        );
    }
    assert_eq!(walked, keys);

    // With a delimiter, a truncated page must carry NextMarker.
    let mut walked_keys = Vec::new();
    let mut walked_prefixes = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..100 {
        let page = s3
            .list_objects()
            .bucket("listv1")
            .delimiter("/")
            .max_keys(3)
            .set_marker(marker.clone())
            .send()
            .await
            .expect("ListObjects with delimiter");
        assert!(page.contents().len() + page.common_prefixes().len() <= 3);
        walked_keys.extend(page.contents().iter().map(|o| o.key().unwrap().to_string()));
        walked_prefixes.extend(
            page.common_prefixes()
                .iter()
                .map(|p| p.prefix().unwrap().to_string()),
        );
        if page.is_truncated() != Some(true) {
            break;
        }
        marker = Some(
            page.next_marker()
                .expect("NextMarker on a truncated page")
                .to_string(),
        );
    }
    assert_eq!(
        walked_keys,
        strings(&[
            "a",
            "b",
            "c d+e",
            "key-00",
            "key-01",
            "key-02",
            "key-03",
            "key-04",
            "key-05",
            "key-06",
            "key-07",
            "key-08",
            "key-09",
            "z",
            "😀-emoji",
        ])
    );
    assert_eq!(
        walked_prefixes,
        strings(&["a/", "b/", "docs/", "x/", "ünïcødé/", "日本語/"])
    );

    // Versioning is off: one version per key, "null" and latest.
    let versions = s3
        .list_object_versions()
        .bucket("listv1")
        .send()
        .await
        .expect("ListObjectVersions");
    let listed: Vec<String> = versions
        .versions()
        .iter()
        .map(|v| v.key().unwrap().to_string())
        .collect();
    assert_eq!(listed, keys);
    for v in versions.versions() {
        assert_eq!(v.version_id(), Some("null"), "{:?}", v.key());
        assert_eq!(v.is_latest(), Some(true), "{:?}", v.key());
    }
    assert!(versions.delete_markers().is_empty());
}

#[tokio::test]
async fn max_keys_zero_is_an_empty_page_and_an_empty_token_is_none() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "zero").await;
    for k in ["a", "b", "c"] {
        put(&s3, "zero", k, b"x").await;
    }
    let page = s3
        .list_objects_v2()
        .bucket("zero")
        .max_keys(0)
        .send()
        .await
        .expect("max-keys=0");
    assert_eq!(page.key_count(), Some(0));
    assert!(page.contents().is_empty());
    assert_eq!(page.is_truncated(), Some(false));
    assert_eq!(page.next_continuation_token(), None);
    let v1 = s3
        .list_objects()
        .bucket("zero")
        .max_keys(0)
        .send()
        .await
        .expect("V1 max-keys=0");
    assert!(v1.contents().is_empty());
    assert_eq!(v1.is_truncated(), Some(false));
    // `continuation-token=` (empty) lists from the start.
    let url = presign(store.addr(), "GET", "/zero?list-type=2&continuation-token=");
    let r = http_request(store.addr(), "GET", &path_and_query(&url), &[], b"").expect("answer");
    let body = String::from_utf8_lossy(&r.body);
    assert_eq!(r.status, 200, "{body}");
    assert_eq!(xml_text(&body, "KeyCount").as_deref(), Some("3"), "{body}");
}
