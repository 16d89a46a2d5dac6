//! Deterministic data, digests and ETags, and bodies streamed from files.

use super::store::MIB;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use base64::Engine as _;
use md5::Md5;
use rand::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

/// `len` bytes from a generator seeded with `seed`.
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut v = vec![0u8; len];
    rng.fill_bytes(&mut v);
    v
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Base64 MD5 (as `Content-MD5` and SSE-C key digests are sent).
pub fn md5_b64(data: &[u8]) -> String {
    b64(&Md5::digest(data))
}

/// Lowercase hex MD5.
pub fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

/// The ETag S3 gives a single-part upload: the quoted hex MD5.
pub fn etag_of(data: &[u8]) -> String {
    format!("\"{}\"", md5_hex(data))
}

/// The ETag S3 gives a completed multipart upload of these parts:
/// `"hex(MD5(MD5(part1) ‖ MD5(part2) ‖ …))-N"`.
pub fn multipart_etag<P: AsRef<[u8]>>(parts: &[P]) -> String {
    let digests: Vec<[u8; 16]> = parts
        .iter()
        .map(|p| Md5::digest(p.as_ref()).into())
        .collect();
    multipart_etag_from_digests(&digests)
}

/// [`multipart_etag`] from the parts' binary MD5 digests.
pub fn multipart_etag_from_digests(digests: &[[u8; 16]]) -> String {
    let concat: Vec<u8> = digests.iter().flatten().copied().collect();
    format!("\"{}-{}\"", md5_hex(&concat), digests.len())
}

/// Standard base64.
pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// CRC-32/ISO-HDLC (reflected polynomial 0xedb88320, init and xorout all
/// ones), as S3's CRC32 checksum. Written out here, like [`crc64_nvme`], so
/// the expected values do not come from the crate the server uses.
pub fn crc32(data: &[u8]) -> u32 {
    const POLY: u32 = 0xedb8_8320;
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
        }
        *slot = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout
/// all ones), as S3's CRC64NVME checksum.
pub fn crc64_nvme(data: &[u8]) -> u64 {
    const POLY: u64 = 0x9a6c_9329_ac4b_c9b5;
    let mut table = [0u64; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u64;
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
        }
        *slot = c;
    }
    let mut crc = !0u64;
    for &b in data {
        crc = table[((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// Writes `len` seeded random bytes to `path` in 1 MiB pieces, never
/// holding the whole file; returns (hex SHA-256, quoted MD5 ETag).
pub fn write_random_file(path: &Path, seed: u64, len: usize) -> (String, String) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut file = io::BufWriter::new(fs::File::create(path).expect("create data file"));
    let mut sha = Sha256::new();
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; MIB];
    let mut left = len;
    while left > 0 {
        let n = left.min(buf.len());
        rng.fill_bytes(&mut buf[..n]);
        file.write_all(&buf[..n]).expect("write data file");
        sha.update(&buf[..n]);
        md5.update(&buf[..n]);
        left -= n;
    }
    file.flush().expect("flush data file");
    (
        hex::encode(sha.finalize()),
        format!("\"{}\"", hex::encode(md5.finalize())),
    )
}

/// A streaming body read from `path` (the SDK sends it aws-chunked with
/// a checksum trailer, never holding it in memory).
pub async fn file_body(path: &Path) -> ByteStream {
    ByteStream::from_path(path).await.expect("open body file")
}

/// Reads a body to the end, hashing as it goes: (length, hex SHA-256).
pub async fn body_digest(mut body: ByteStream) -> Result<(u64, String), String> {
    let mut sha = Sha256::new();
    let mut len = 0u64;
    while let Some(chunk) = body.try_next().await.map_err(|e| format!("{e:?}"))? {
        len += chunk.len() as u64;
        sha.update(&chunk);
    }
    Ok((len, hex::encode(sha.finalize())))
}
