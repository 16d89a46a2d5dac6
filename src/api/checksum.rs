//! Integrity checks S3 clients attach to uploads.
//!
//! Clients may send `Content-MD5` (base64 of the MD5) and/or one
//! `x-amz-checksum-<alg>` header (base64 of the big-endian digest). The body is
//! hashed once while it streams in: MD5 always, because the ETag is its hex,
//! plus the one additional algorithm the client asked for. Verification
//! distinguishes malformed values (the client's request is wrong) from
//! mismatches (the body was damaged), since S3 reports them with different
//! error codes.
//!
//! Trailing checksums (`aws-chunked` bodies with `x-amz-trailer`) arrive after
//! the body but are checked with the same [`verify_checksum`].

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use md5::{Digest as _, Md5};
use sha1::Sha1;
use sha2::Sha256;

/// The additional checksum algorithms S3 accepts for object data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC, as in zlib/Ethernet).
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// CRC-64/NVME, the default of current AWS SDKs.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
}

impl ChecksumAlgorithm {
    /// Every algorithm, for scanning request headers.
    pub(crate) const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// Header carrying this checksum on requests and responses.
    pub(crate) const fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// Element name in S3 XML bodies (CompleteMultipartUpload, ListParts, …);
    /// the XML types spell it in their field names, the tests check them.
    #[cfg(test)]
    pub(crate) const fn xml_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "ChecksumCRC32",
            ChecksumAlgorithm::Crc32c => "ChecksumCRC32C",
            ChecksumAlgorithm::Crc64Nvme => "ChecksumCRC64NVME",
            ChecksumAlgorithm::Sha1 => "ChecksumSHA1",
            ChecksumAlgorithm::Sha256 => "ChecksumSHA256",
        }
    }

    /// Name used in `x-amz-checksum-algorithm`, `x-amz-sdk-checksum-algorithm`
    /// and `<ChecksumAlgorithm>`.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// Digest length in bytes, i.e. what a well-formed header value decodes to.
    pub(crate) const fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// The algorithm whose checksum header is `name` (case-insensitive).
    pub(crate) fn from_header_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.header_name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChecksumAlgorithm {
    type Err = ChecksumError;

    /// Parses `CRC32`, `crc64nvme`, … (the `x-amz-checksum-algorithm` values),
    /// ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
            .ok_or(ChecksumError::UnknownAlgorithm)
    }
}

/// Why a client-supplied digest was rejected. It says only what went wrong;
/// the S3 error to answer with is chosen in `api::error` (`From<ChecksumError>
/// for S3Error`), so this module stays free of protocol codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ChecksumError {
    /// `Content-MD5` is not base64 of 16 bytes.
    #[error("the Content-MD5 you specified was invalid")]
    MalformedContentMd5,
    /// `Content-MD5` is well formed but does not match the body.
    #[error("the Content-MD5 you specified did not match what we received")]
    ContentMd5Mismatch,
    /// An `x-amz-checksum-*` header value is not base64 of the algorithm's
    /// digest length.
    #[error("value for {} header is invalid", .algorithm.header_name())]
    Malformed {
        /// The algorithm whose value was malformed.
        algorithm: ChecksumAlgorithm,
    },
    /// Like [`ChecksumError::Malformed`], but the value came in an
    /// aws-chunked trailer (S3 words the message differently); see
    /// [`ChecksumError::in_trailer`].
    #[error("value for {} trailer is invalid", .algorithm.header_name())]
    MalformedTrailer {
        /// The algorithm whose value was malformed.
        algorithm: ChecksumAlgorithm,
    },
    /// An `x-amz-checksum-*` value is well formed but does not match the body.
    #[error("the {algorithm} you specified did not match the calculated checksum")]
    Mismatch {
        /// The algorithm whose value did not match.
        algorithm: ChecksumAlgorithm,
    },
    /// The named checksum algorithm is not one S3 supports.
    #[error("unknown checksum algorithm")]
    UnknownAlgorithm,
}

impl ChecksumError {
    /// The same error for a value that arrived as a trailer rather than a
    /// header: [`ChecksumError::Malformed`] becomes
    /// [`ChecksumError::MalformedTrailer`]; anything else is unchanged.
    pub(crate) fn in_trailer(self) -> Self {
        match self {
            ChecksumError::Malformed { algorithm } => ChecksumError::MalformedTrailer { algorithm },
            other => other,
        }
    }
}

/// Running state of the one optional checksum.
enum Hasher {
    /// CRC-32/ISO-HDLC; `finalize` returns it in the low 32 bits.
    Crc32(crc_fast::Digest),
    Crc32c(u32),
    Crc64Nvme(crc_fast::Digest),
    Sha1(Sha1),
    Sha256(Sha256),
}

/// Hashes a body as it streams so it never has to be buffered or read twice.
pub(crate) struct Checksummer {
    md5: Md5,
    extra: Option<Hasher>,
}

impl fmt::Debug for Checksummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checksummer")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl Checksummer {
    /// Starts hashing; `algorithm` is the extra checksum to compute, if any.
    pub(crate) fn new(algorithm: Option<ChecksumAlgorithm>) -> Self {
        let extra = algorithm.map(|a| match a {
            ChecksumAlgorithm::Crc32 => {
                Hasher::Crc32(crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc32IsoHdlc))
            }
            ChecksumAlgorithm::Crc32c => Hasher::Crc32c(0),
            ChecksumAlgorithm::Crc64Nvme => {
                Hasher::Crc64Nvme(crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Nvme))
            }
            ChecksumAlgorithm::Sha1 => Hasher::Sha1(Sha1::new()),
            ChecksumAlgorithm::Sha256 => Hasher::Sha256(Sha256::new()),
        });
        Checksummer {
            md5: Md5::new(),
            extra,
        }
    }

    /// The extra algorithm being computed, if any.
    pub(crate) fn algorithm(&self) -> Option<ChecksumAlgorithm> {
        self.extra.as_ref().map(|h| match h {
            Hasher::Crc32(_) => ChecksumAlgorithm::Crc32,
            Hasher::Crc32c(_) => ChecksumAlgorithm::Crc32c,
            Hasher::Crc64Nvme(_) => ChecksumAlgorithm::Crc64Nvme,
            Hasher::Sha1(_) => ChecksumAlgorithm::Sha1,
            Hasher::Sha256(_) => ChecksumAlgorithm::Sha256,
        })
    }

    /// Feeds the next piece of the body.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        match &mut self.extra {
            None => {}
            Some(Hasher::Crc32(h)) => h.update(data),
            Some(Hasher::Crc32c(crc)) => *crc = crc32c::crc32c_append(*crc, data),
            Some(Hasher::Crc64Nvme(h)) => h.update(data),
            Some(Hasher::Sha1(h)) => h.update(data),
            Some(Hasher::Sha256(h)) => h.update(data),
        }
    }

    /// Finishes the body and returns the digests.
    pub(crate) fn finish(self) -> Digests {
        let algorithm = self.algorithm();
        let md5: [u8; 16] = self.md5.finalize().into();
        let checksum = self.extra.and_then(|h| {
            let encoded = match h {
                // A 32-bit CRC always fits; truncation only drops zero bits.
                Hasher::Crc32(h) => STANDARD.encode((h.finalize() as u32).to_be_bytes()),
                Hasher::Crc32c(crc) => STANDARD.encode(crc.to_be_bytes()),
                Hasher::Crc64Nvme(h) => STANDARD.encode(h.finalize().to_be_bytes()),
                Hasher::Sha1(h) => STANDARD.encode(h.finalize()),
                Hasher::Sha256(h) => STANDARD.encode(h.finalize()),
            };
            algorithm.map(|a| (a, encoded))
        });
        Digests { md5, checksum }
    }
}

/// What [`Checksummer::finish`] computed for a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digests {
    /// Raw MD5, for the ETag and `Content-MD5`.
    pub md5: [u8; 16],
    /// The extra checksum, base64 of its big-endian digest as S3 returns it.
    pub checksum: Option<(ChecksumAlgorithm, String)>,
}

impl Digests {
    /// The single-part ETag (unquoted) for this body.
    #[cfg(test)]
    pub(crate) fn etag(&self) -> String {
        etag_hex(&self.md5)
    }
}

/// Decodes a `Content-MD5` header value, rejecting anything that is not the
/// base64 of exactly 16 bytes. Useful to refuse a bad header before reading
/// the body. Surrounding ASCII whitespace is ignored.
pub(crate) fn parse_content_md5(header_value: &str) -> Result<[u8; 16], ChecksumError> {
    let mut out = [0u8; 16];
    // base64 of 16 bytes is 24 characters; checking first keeps a hostile
    // value from being decoded at all.
    let value = header_value.trim_ascii();
    if value.len() != 24 {
        return Err(ChecksumError::MalformedContentMd5);
    }
    match STANDARD.decode_slice(value, &mut out) {
        Ok(16) => Ok(out),
        _ => Err(ChecksumError::MalformedContentMd5),
    }
}

/// Checks a `Content-MD5` header against the body's MD5:
/// [`ChecksumError::MalformedContentMd5`] if the header is malformed,
/// [`ChecksumError::ContentMd5Mismatch`] if it does not match.
pub(crate) fn verify_content_md5(header_value: &str, md5: &[u8; 16]) -> Result<(), ChecksumError> {
    if parse_content_md5(header_value)? == *md5 {
        Ok(())
    } else {
        Err(ChecksumError::ContentMd5Mismatch)
    }
}

/// Decodes an `x-amz-checksum-*` value, rejecting anything that is not the
/// base64 of `algorithm.digest_len()` bytes. Surrounding ASCII whitespace is
/// ignored.
pub(crate) fn parse_checksum(
    algorithm: ChecksumAlgorithm,
    value: &str,
) -> Result<Vec<u8>, ChecksumError> {
    let value = value.trim_ascii();
    let expected_chars = algorithm.digest_len().div_ceil(3) * 4;
    if value.len() != expected_chars {
        return Err(ChecksumError::Malformed { algorithm });
    }
    match STANDARD.decode(value) {
        Ok(bytes) if bytes.len() == algorithm.digest_len() => Ok(bytes),
        _ => Err(ChecksumError::Malformed { algorithm }),
    }
}

/// Checks a client-sent checksum against the one computed for the body
/// (`computed_base64` as in [`Digests::checksum`]): [`ChecksumError::Malformed`]
/// if the client's value is malformed, [`ChecksumError::Mismatch`] if it does
/// not match.
pub(crate) fn verify_checksum(
    algorithm: ChecksumAlgorithm,
    expected_base64: &str,
    computed_base64: &str,
) -> Result<(), ChecksumError> {
    let expected = parse_checksum(algorithm, expected_base64)?;
    // Compare canonical encodings so padding-bit variants the decoder might
    // accept cannot matter; `computed_base64` is always canonical.
    if STANDARD.encode(expected) == computed_base64 {
        Ok(())
    } else {
        Err(ChecksumError::Mismatch { algorithm })
    }
}

/// ETag of a single-part object: lowercase hex MD5, without the surrounding
/// quotes HTTP adds.
#[cfg(test)]
pub(crate) fn etag_hex(md5: &[u8; 16]) -> String {
    hex::encode(md5)
}

/// ETag of a multipart object as S3 computes it: hex MD5 of the concatenated
/// raw part MD5s, then `-` and the part count. Returned without quotes. Parts
/// must be given in part-number order; an empty list (which
/// CompleteMultipartUpload never allows) yields the MD5 of nothing and `-0`.
pub(crate) fn multipart_etag(part_md5s: &[[u8; 16]]) -> String {
    let mut h = Md5::new();
    for part in part_md5s {
        h.update(part);
    }
    let md5: [u8; 16] = h.finalize().into();
    format!("{}-{}", hex::encode(md5), part_md5s.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn digest_of(alg: Option<ChecksumAlgorithm>, data: &[u8]) -> Digests {
        let mut c = Checksummer::new(alg);
        c.update(data);
        c.finish()
    }

    fn checksum_of(alg: ChecksumAlgorithm, data: &[u8]) -> String {
        let d = digest_of(Some(alg), data);
        let (a, v) = d.checksum.unwrap();
        assert_eq!(a, alg);
        v
    }

    /// Bit-at-a-time reflected CRC, independent of the crates under test.
    fn reference_crc(data: &[u8], poly_reflected: u64, width: u32) -> u64 {
        let mask = if width == 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        let mut crc = mask;
        for &b in data {
            crc ^= u64::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ poly_reflected
                } else {
                    crc >> 1
                };
            }
        }
        crc ^ mask
    }

    const CRC32_POLY: u64 = 0xEDB8_8320;
    const CRC32C_POLY: u64 = 0x82F6_3B78;
    const CRC64_NVME_POLY: u64 = 0x9A6C_9329_AC4B_C9B5;

    #[test]
    fn reference_crc_matches_catalogue_check_values() {
        assert_eq!(reference_crc(b"123456789", CRC32_POLY, 32), 0xCBF4_3926);
        assert_eq!(reference_crc(b"123456789", CRC32C_POLY, 32), 0xE306_9283);
        assert_eq!(
            reference_crc(b"123456789", CRC64_NVME_POLY, 64),
            0xAE8B_1486_0A79_9888
        );
    }

    #[test]
    fn check_values_as_s3_base64() {
        let d = b"123456789";
        assert_eq!(
            checksum_of(ChecksumAlgorithm::Crc32, d),
            STANDARD.encode(0xCBF4_3926u32.to_be_bytes())
        );
        assert_eq!(checksum_of(ChecksumAlgorithm::Crc32, d), "y/Q5Jg==");
        assert_eq!(checksum_of(ChecksumAlgorithm::Crc32c, d), "4waSgw==");
        assert_eq!(checksum_of(ChecksumAlgorithm::Crc64Nvme, d), "rosUhgp5mIg=");
        assert_eq!(
            checksum_of(ChecksumAlgorithm::Sha1, d),
            "98O8HYCOBHMq32eZZczDTKeuNEE="
        );
        assert_eq!(
            checksum_of(ChecksumAlgorithm::Sha256, d),
            "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="
        );
    }

    #[test]
    fn hello_world_vectors() {
        let d = b"hello world";
        assert_eq!(checksum_of(ChecksumAlgorithm::Crc32, d), "DUoRhQ==");
        assert_eq!(checksum_of(ChecksumAlgorithm::Crc32c, d), "yZRlqg==");
        assert_eq!(checksum_of(ChecksumAlgorithm::Crc64Nvme, d), "jSnVw/bqjr4=");
        assert_eq!(
            checksum_of(ChecksumAlgorithm::Sha1, d),
            "Kq5sNclPz7QV2+lfQIuc6R7oRu0="
        );
        assert_eq!(
            checksum_of(ChecksumAlgorithm::Sha256, d),
            "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="
        );
        let digests = digest_of(None, d);
        assert_eq!(digests.checksum, None);
        assert_eq!(digests.etag(), "5eb63bbbe01eeed093cb22bb8f5acdc3");
        assert_eq!(
            verify_content_md5("XrY7u+Ae7tCTyyK7j1rNww==", &digests.md5),
            Ok(())
        );
    }

    #[test]
    fn empty_body() {
        let d = digest_of(Some(ChecksumAlgorithm::Crc64Nvme), b"");
        assert_eq!(d.etag(), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            d.checksum,
            Some((ChecksumAlgorithm::Crc64Nvme, "AAAAAAAAAAA=".to_string()))
        );
        assert_eq!(checksum_of(ChecksumAlgorithm::Crc32, b""), "AAAAAA==");
    }

    #[test]
    fn names_round_trip() {
        for a in ChecksumAlgorithm::ALL {
            assert_eq!(a.as_str().parse::<ChecksumAlgorithm>(), Ok(a));
            assert_eq!(
                a.as_str().to_lowercase().parse::<ChecksumAlgorithm>(),
                Ok(a)
            );
            assert_eq!(
                ChecksumAlgorithm::from_header_name(a.header_name()),
                Some(a)
            );
            assert_eq!(
                ChecksumAlgorithm::from_header_name(&a.header_name().to_uppercase()),
                Some(a)
            );
            assert_eq!(a.xml_name(), format!("Checksum{}", a.as_str()));
            assert_eq!(
                a.header_name(),
                format!("x-amz-checksum-{}", a.as_str().to_lowercase())
            );
            assert_eq!(a.to_string(), a.as_str());
        }
        assert_eq!(
            "crc16".parse::<ChecksumAlgorithm>(),
            Err(ChecksumError::UnknownAlgorithm)
        );
        assert_eq!(
            "".parse::<ChecksumAlgorithm>(),
            Err(ChecksumError::UnknownAlgorithm)
        );
        assert_eq!(
            ChecksumAlgorithm::from_header_name("x-amz-checksum-md5"),
            None
        );
        assert_eq!(
            ChecksumAlgorithm::Crc64Nvme.header_name(),
            "x-amz-checksum-crc64nvme"
        );
        assert_eq!(ChecksumAlgorithm::Crc32c.xml_name(), "ChecksumCRC32C");
    }

    #[test]
    fn content_md5_errors_are_distinguished() {
        let md5 = digest_of(None, b"hello world").md5;
        for bad in [
            "",
            "not base64 at all!!!!!!!",
            "XrY7u+Ae7tCTyyK7j1rNww",       // unpadded
            "XrY7u+Ae7tCTyyK7j1rNwwAA",     // 18 bytes, no padding
            "XrY7u+Ae7tCTyyK7j1rN",         // too short
            "Kq5sNclPz7QV2+lfQIuc6R7oRu0=", // a SHA-1
            "XrY7u+Ae7tCTyyK7j1rNww=\u{e9}",
            "5eb63bbbe01eeed093cb22bb8f5acdc3", // hex, not base64
        ] {
            assert_eq!(
                verify_content_md5(bad, &md5),
                Err(ChecksumError::MalformedContentMd5),
                "{bad:?}"
            );
        }
        assert_eq!(
            verify_content_md5("1B2M2Y8AsgTpgAmY7PhCfg==", &md5),
            Err(ChecksumError::ContentMd5Mismatch)
        );
        assert_eq!(
            verify_content_md5(" XrY7u+Ae7tCTyyK7j1rNww== ", &md5),
            Ok(())
        );
    }

    #[test]
    fn checksum_errors_are_distinguished() {
        let alg = ChecksumAlgorithm::Crc32;
        let computed = checksum_of(alg, b"hello world");
        assert_eq!(verify_checksum(alg, "DUoRhQ==", &computed), Ok(()));
        assert_eq!(
            verify_checksum(alg, "y/Q5Jg==", &computed),
            Err(ChecksumError::Mismatch { algorithm: alg })
        );
        for bad in [
            "",
            "DUoRhQ",
            "DUoRhQ=",
            "DUoRhQAA",
            "jSnVw/bqjr4=",
            "!!!!!!==",
            "DUoRh\u{e9}==",
        ] {
            assert_eq!(
                verify_checksum(alg, bad, &computed),
                Err(ChecksumError::Malformed { algorithm: alg }),
                "{bad:?}"
            );
        }
        let e = ChecksumError::Malformed {
            algorithm: ChecksumAlgorithm::Sha256,
        };
        assert_eq!(
            e.to_string(),
            "value for x-amz-checksum-sha256 header is invalid"
        );
        assert_eq!(
            e.clone().in_trailer(),
            ChecksumError::MalformedTrailer {
                algorithm: ChecksumAlgorithm::Sha256
            }
        );
        assert_eq!(
            ChecksumError::Mismatch { algorithm: alg }.in_trailer(),
            ChecksumError::Mismatch { algorithm: alg }
        );
    }

    #[test]
    fn multipart_etag_matches_s3_rule() {
        let a = digest_of(None, &[b'a'; 10]).md5;
        let b = digest_of(None, b"b").md5;
        assert_eq!(
            multipart_etag(&[a, b]),
            "3192ca8a7eba2efb8c52f8e48729e5f1-2"
        );
        let hw = digest_of(None, b"hello world").md5;
        assert_eq!(multipart_etag(&[hw]), "241d8a27c836427bd7f04461b60e7359-1");
        assert_eq!(multipart_etag(&[]), "d41d8cd98f00b204e9800998ecf8427e-0");
    }

    proptest! {
        #[test]
        fn streaming_equals_one_shot(
            data in prop::collection::vec(any::<u8>(), 0..5000),
            cuts in prop::collection::vec(any::<usize>(), 0..12),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (data.len() + 1)).collect();
            cuts.push(0);
            cuts.push(data.len());
            cuts.sort_unstable();
            let md5_once = digest_of(None, &data).md5;
            for alg in ChecksumAlgorithm::ALL {
                let mut c = Checksummer::new(Some(alg));
                prop_assert_eq!(c.algorithm(), Some(alg));
                for w in cuts.windows(2) {
                    c.update(&data[w[0]..w[1]]);
                }
                let streamed = c.finish();
                prop_assert_eq!(&streamed, &digest_of(Some(alg), &data));
                prop_assert_eq!(streamed.md5, md5_once);
            }
        }

        #[test]
        fn crcs_match_reference(data in prop::collection::vec(any::<u8>(), 0..3000)) {
            let be32 = |v: u64| STANDARD.encode((v as u32).to_be_bytes());
            prop_assert_eq!(
                checksum_of(ChecksumAlgorithm::Crc32, &data),
                be32(reference_crc(&data, CRC32_POLY, 32))
            );
            prop_assert_eq!(
                checksum_of(ChecksumAlgorithm::Crc32c, &data),
                be32(reference_crc(&data, CRC32C_POLY, 32))
            );
            prop_assert_eq!(
                checksum_of(ChecksumAlgorithm::Crc64Nvme, &data),
                STANDARD.encode(reference_crc(&data, CRC64_NVME_POLY, 64).to_be_bytes())
            );
        }

        #[test]
        fn arbitrary_header_values_never_panic(value in ".{0,64}", alg_idx in 0usize..5) {
            let alg = ChecksumAlgorithm::ALL[alg_idx];
            let md5 = [0u8; 16];
            let r = verify_content_md5(&value, &md5);
            let md5_ok = matches!(r, Ok(()) | Err(ChecksumError::MalformedContentMd5 | ChecksumError::ContentMd5Mismatch));
            prop_assert!(md5_ok);
            let r = verify_checksum(alg, &value, "AAAAAA==");
            let ok = matches!(r, Ok(()) | Err(ChecksumError::Malformed { .. } | ChecksumError::Mismatch { .. }));
            prop_assert!(ok);
            let _ = value.parse::<ChecksumAlgorithm>();
            let _ = ChecksumAlgorithm::from_header_name(&value);
        }

        #[test]
        fn well_formed_values_round_trip(bytes in prop::collection::vec(any::<u8>(), 32), alg_idx in 0usize..5) {
            let alg = ChecksumAlgorithm::ALL[alg_idx];
            let value = STANDARD.encode(&bytes[..alg.digest_len()]);
            prop_assert_eq!(parse_checksum(alg, &value), Ok(bytes[..alg.digest_len()].to_vec()));
            prop_assert_eq!(verify_checksum(alg, &value, &value), Ok(()));
            let md5: [u8; 16] = bytes[..16].try_into().unwrap();
            prop_assert_eq!(parse_content_md5(&STANDARD.encode(md5)), Ok(md5));
        }
    }
}
