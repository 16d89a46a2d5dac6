//! User metadata: the `x-amz-meta-*` headers.

use std::collections::HashMap;

use super::error::HeaderError;

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
mod tests;
