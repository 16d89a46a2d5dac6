//! User metadata: the `x-amz-meta-*` headers.

use std::collections::HashMap;

use super::HeaderError;

/// S3's limit on user metadata: the sum of the name and value lengths in
/// bytes, counted without the `x-amz-meta-` prefix.
pub(crate) const MAX_USER_METADATA_BYTES: usize = 2048;

const USER_META_PREFIX: &str = "x-amz-meta-";

/// Collects `x-amz-meta-*` headers into user metadata.
///
/// Names lose the prefix and are lowercased (header names are
/// case-insensitive, and S3 returns them lowercase); first-seen order is kept.
/// A name that appears more than once gets its values joined with `,`, as S3
/// documents for repeated metadata headers. An empty name (`x-amz-meta-`) is
/// [`HeaderError::EmptyMetadataName`] (`InvalidArgument`).
///
/// The size is the sum of name and value bytes without the prefix. Above
/// [`MAX_USER_METADATA_BYTES`] the result is [`HeaderError::MetadataTooLarge`]
/// (S3's `MetadataTooLarge`, 400).
pub(crate) fn user_metadata<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<(String, String)>, HeaderError> {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (name, value) in headers {
        let Some(prefix) = name.get(..USER_META_PREFIX.len()) else {
            continue;
        };
        if !prefix.eq_ignore_ascii_case(USER_META_PREFIX) {
            continue;
        }
        let suffix = name[USER_META_PREFIX.len()..].to_ascii_lowercase();
        if suffix.is_empty() {
            return Err(HeaderError::EmptyMetadataName);
        }
        match index.get(&suffix) {
            Some(&i) => {
                let existing = &mut entries[i].1;
                existing.push(',');
                existing.push_str(value);
            }
            None => {
                index.insert(suffix.clone(), entries.len());
                entries.push((suffix, value.to_owned()));
            }
        }
    }
    let size: usize = entries.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_USER_METADATA_BYTES {
        return Err(HeaderError::MetadataTooLarge {
            size,
            max: MAX_USER_METADATA_BYTES,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::api::error::{S3Error, S3ErrorCode};

    #[test]
    fn user_metadata_collects_in_order() {
        let headers = [
            ("content-type", "text/plain"),
            ("x-amz-meta-Zeta", "1"),
            ("X-Amz-Meta-alpha", "2"),
            ("x-amz-metadata-directive", "REPLACE"),
            ("x-amz-meta-mid", ""),
        ];
        assert_eq!(
            user_metadata(headers),
            Ok(vec![
                ("zeta".to_owned(), "1".to_owned()),
                ("alpha".to_owned(), "2".to_owned()),
                ("mid".to_owned(), String::new()),
            ])
        );
    }

    #[test]
    fn user_metadata_joins_repeated_names() {
        let headers = [
            ("x-amz-meta-a", "1"),
            ("x-amz-meta-b", "x"),
            ("X-AMZ-META-A", "2"),
        ];
        assert_eq!(
            user_metadata(headers),
            Ok(vec![
                ("a".to_owned(), "1,2".to_owned()),
                ("b".to_owned(), "x".to_owned()),
            ])
        );
    }

    #[test]
    fn user_metadata_empty_name_rejected() {
        assert_eq!(
            user_metadata([("x-amz-meta-", "v")]),
            Err(HeaderError::EmptyMetadataName)
        );
        assert_eq!(
            user_metadata([("x-amz-meta-", "v")]).map_err(|e| S3Error::from(e).code),
            Err(S3ErrorCode::InvalidArgument)
        );
    }

    #[test]
    fn user_metadata_size_limit() {
        // "k" + 2047 bytes = 2048: exactly at the limit.
        let at_limit = "v".repeat(2047);
        assert!(user_metadata([("x-amz-meta-k", at_limit.as_str())]).is_ok());
        let over = "v".repeat(2048);
        assert_eq!(
            user_metadata([("x-amz-meta-k", over.as_str())]),
            Err(HeaderError::MetadataTooLarge {
                size: 2049,
                max: 2048
            })
        );
        // Spread over several headers, the prefix is not counted.
        let chunk = "v".repeat(1000);
        assert!(user_metadata([
            ("x-amz-meta-a", chunk.as_str()),
            ("x-amz-meta-b", chunk.as_str())
        ])
        .is_ok());
        let err = user_metadata([
            ("x-amz-meta-a", chunk.as_str()),
            ("x-amz-meta-b", chunk.as_str()),
            ("x-amz-meta-c", chunk.as_str()),
        ])
        .expect_err("too large");
        let err = S3Error::from(err);
        assert_eq!(err.code, S3ErrorCode::MetadataTooLarge);
        assert_eq!(err.http_status(), 400);
    }

    #[test]
    fn user_metadata_handles_non_ascii_header_names() {
        // Slicing at the prefix length must not split a character.
        assert_eq!(user_metadata([("x-amz-metaé-a", "v")]), Ok(vec![]));
        assert_eq!(user_metadata([("é", "v")]), Ok(vec![]));
    }

    proptest! {
        #[test]
        fn user_metadata_never_panics(pairs in proptest::collection::vec((".*", ".*"), 0..8)) {
            let _ = user_metadata(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
    }
}
