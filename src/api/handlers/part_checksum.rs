//! Checksums of multipart uploads, as AWS computes them: the algorithm and
//! type chosen at CreateMultipartUpload, every part hashed with it, and
//! the object's checksum made at Complete from the parts' — a checksum of
//! their checksums (`COMPOSITE`, written `<base64>-<part count>`) or, for
//! the CRCs, their CRCs combined into the whole object's (`FULL_OBJECT`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use md5::Digest as _;
use sha1::Sha1;
use sha2::Sha256;

use crate::api::checksum::ChecksumAlgorithm;
use crate::api::context::S3Request;
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::xml::Checksums;
use crate::storage::meta::UploadChecksum;

/// `x-amz-checksum-type` of a composite checksum.
const COMPOSITE: &str = "COMPOSITE";
/// `x-amz-checksum-type` of a whole-object checksum.
const FULL_OBJECT: &str = "FULL_OBJECT";

fn invalid(message: impl Into<String>) -> S3Error {
    S3Error::new(S3ErrorCode::InvalidRequest).with_message(message)
}

/// The checksum a CreateMultipartUpload asks for (`x-amz-checksum-algorithm`,
/// `x-amz-checksum-type`), with AWS's default type: `FULL_OBJECT` for
/// CRC-64/NVME, `COMPOSITE` for the others; the SHAs cannot be combined
/// into a whole-object checksum, nor CRC-64/NVME be composite.
pub(crate) fn upload_checksum(r: &S3Request) -> Result<Option<UploadChecksum>, S3Error> {
    let kind = r.header("x-amz-checksum-type").map(str::trim);
    let Some(name) = r.header("x-amz-checksum-algorithm") else {
        return match kind {
            None => Ok(None),
            Some(_) => Err(invalid(
                "x-amz-checksum-type needs x-amz-checksum-algorithm",
            )),
        };
    };
    let algorithm: ChecksumAlgorithm = name
        .trim()
        .parse()
        .map_err(|_| invalid(format!("Checksum algorithm {name} is not supported")))?;
    let full_object = match kind.map(str::to_ascii_uppercase).as_deref() {
        None => algorithm == ChecksumAlgorithm::Crc64Nvme,
        Some(FULL_OBJECT) => true,
        Some(COMPOSITE) => false,
        Some(other) => return Err(invalid(format!("Checksum type {other} is not valid"))),
    };
    let combinable = crc(algorithm).is_some();
    if full_object && !combinable {
        return Err(invalid(format!(
            "The FULL_OBJECT checksum type is not supported with {algorithm}"
        )));
    }
    if !full_object && algorithm == ChecksumAlgorithm::Crc64Nvme {
        return Err(invalid(
            "The COMPOSITE checksum type is not supported with CRC64NVME",
        ));
    }
    Ok(Some(UploadChecksum {
        algorithm: algorithm.as_str().to_ascii_lowercase(),
        full_object,
    }))
}

/// The algorithm of an upload's checksum (`None` for a name this build
/// does not know, which no build writes).
pub(crate) fn algorithm_of(c: &UploadChecksum) -> Option<ChecksumAlgorithm> {
    c.algorithm.parse().ok()
}

/// `x-amz-checksum-type` of a stored checksum value.
pub(crate) fn checksum_type(value: &str) -> &'static str {
    // Base64 has no '-': only a composite value carries one.
    if value.contains('-') {
        COMPOSITE
    } else {
        FULL_OBJECT
    }
}

/// The response headers of an upload's checksum.
pub(crate) fn upload_headers(c: &UploadChecksum) -> [(&'static str, String); 2] {
    let kind = if c.full_object {
        FULL_OBJECT
    } else {
        COMPOSITE
    };
    [
        ("x-amz-checksum-algorithm", c.algorithm.to_ascii_uppercase()),
        ("x-amz-checksum-type", kind.to_string()),
    ]
}

/// The value a Complete request lists for a part in `algorithm`.
pub(crate) fn listed(c: &Checksums, algorithm: ChecksumAlgorithm) -> Option<&str> {
    match algorithm {
        ChecksumAlgorithm::Crc32 => c.crc32.as_deref(),
        ChecksumAlgorithm::Crc32c => c.crc32c.as_deref(),
        ChecksumAlgorithm::Crc64Nvme => c.crc64nvme.as_deref(),
        ChecksumAlgorithm::Sha1 => c.sha1.as_deref(),
        ChecksumAlgorithm::Sha256 => c.sha256.as_deref(),
    }
}

/// The crc-fast algorithm of a CRC checksum; `None` for the SHAs.
fn crc(algorithm: ChecksumAlgorithm) -> Option<crc_fast::CrcAlgorithm> {
    match algorithm {
        ChecksumAlgorithm::Crc32 => Some(crc_fast::CrcAlgorithm::Crc32IsoHdlc),
        ChecksumAlgorithm::Crc32c => Some(crc_fast::CrcAlgorithm::Crc32Iscsi),
        ChecksumAlgorithm::Crc64Nvme => Some(crc_fast::CrcAlgorithm::Crc64Nvme),
        ChecksumAlgorithm::Sha1 | ChecksumAlgorithm::Sha256 => None,
    }
}

/// The object's checksum from its parts' (size, base64 checksum), in
/// order; `None` if a part's value is not a checksum of the algorithm.
pub(crate) fn object_checksum(
    algorithm: ChecksumAlgorithm,
    full_object: bool,
    parts: &[(u64, &str)],
) -> Option<String> {
    let mut digests = Vec::with_capacity(parts.len());
    for (_, value) in parts {
        let raw = STANDARD.decode(value).ok()?;
        if raw.len() != algorithm.digest_len() {
            return None;
        }
        digests.push(raw);
    }
    if full_object {
        let crc_algorithm = crc(algorithm)?;
        let mut sum: Option<u64> = None;
        for ((size, _), raw) in parts.iter().zip(&digests) {
            let part = raw.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b));
            sum = Some(match sum {
                None => part,
                Some(s) => crc_fast::checksum_combine(crc_algorithm, s, part, *size),
            });
        }
        let bytes = sum?.to_be_bytes();
        return Some(STANDARD.encode(&bytes[8 - algorithm.digest_len()..]));
    }
    let joined = digests.concat();
    let digest: Vec<u8> = match algorithm {
        ChecksumAlgorithm::Sha1 => Sha1::digest(&joined).to_vec(),
        ChecksumAlgorithm::Sha256 => Sha256::digest(&joined).to_vec(),
        crc_kind => {
            let width = crc_kind.digest_len();
            let value = crc_fast::checksum(crc(crc_kind)?, &joined).to_be_bytes();
            value[8 - width..].to_vec()
        }
    };
    Some(format!("{}-{}", STANDARD.encode(digest), parts.len()))
}

/// Checks the object checksum a Complete request sends
/// (`x-amz-checksum-<algorithm>`, with or without the part count) against
/// the one computed: `BadDigest` if it differs.
pub(crate) fn check_expected(
    r: &S3Request,
    algorithm: ChecksumAlgorithm,
    computed: &str,
) -> Result<(), S3Error> {
    let Some(expected) = r.header(algorithm.header_name()).map(str::trim) else {
        return Ok(());
    };
    let bare = computed.split('-').next().unwrap_or(computed);
    if expected == computed || expected == bare {
        Ok(())
    } else {
        Err(S3Error::new(S3ErrorCode::BadDigest).with_message(format!(
            "The {} you specified did not match the calculated checksum.",
            algorithm.header_name()
        )))
    }
}

#[cfg(test)]
mod tests;
