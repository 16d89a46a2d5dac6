use super::*;
use crate::api::checksum::Checksummer;

const FIVE_MIB: u64 = 5 << 20;

/// The checksum of `FIVE_MIB` bytes of `fill`, as a part upload stores it.
fn part(algorithm: ChecksumAlgorithm, fill: u8) -> String {
    let mut c = Checksummer::new(Some(algorithm));
    c.update(&vec![fill; FIVE_MIB as usize]);
    c.finish().checksum.map(|(_, v)| v).unwrap_or_default()
}

/// Three 5 MiB parts of `A`, `B` and `C`: each part's checksum, then the
/// object's (values published with a public S3 conformance suite).
fn three_parts(algorithm: ChecksumAlgorithm, full_object: bool, want: [&str; 4]) {
    let parts: Vec<String> = [b'A', b'B', b'C']
        .into_iter()
        .map(|fill| part(algorithm, fill))
        .collect();
    assert_eq!(parts, want[..3], "{algorithm} parts");
    let sized: Vec<(u64, &str)> = parts.iter().map(|p| (FIVE_MIB, p.as_str())).collect();
    assert_eq!(
        object_checksum(algorithm, full_object, &sized).as_deref(),
        Some(want[3]),
        "{algorithm} object"
    );
}

#[test]
fn composite_sha256_and_sha1() {
    three_parts(
        ChecksumAlgorithm::Sha256,
        false,
        [
            "275VF5loJr1YYawit0XSHREhkFXYkkPKGuoK0x9VKxI=",
            "mrHwOfjTL5Zwfj74F05HOQGLdUb7E5szdCbxgUSq6NM=",
            "Vw7oB/nKQ5xWb3hNgbyfkvDiivl+U+/Dft48nfJfDow=",
            "uWBwpe1dxI4Vw8Gf0X9ynOdw/SS6VBzfWm9giiv1sf4=-3",
        ],
    );
    three_parts(
        ChecksumAlgorithm::Sha1,
        false,
        [
            "iIaTCGbm+vdVjNqIMF2S0T7ibMk=",
            "LS/TJ32bAVKEwRu+sE3X7awh/lk=",
            "6DDwovUaHwrKNXDMzOGbuvj9kxI=",
            "sizjvY4eud3MrcHdZM3cQ/ol39o=-3",
        ],
    );
}

#[test]
fn full_object_crcs_combine_to_the_whole_objects() {
    three_parts(
        ChecksumAlgorithm::Crc64Nvme,
        true,
        [
            "L/E4WYn8v98=",
            "xW1l19VobYM=",
            "cK5MnNaWrW4=",
            "i+6LR0y3eFo=",
        ],
    );
    three_parts(
        ChecksumAlgorithm::Crc32,
        true,
        ["JRTCyQ==", "QoZTGg==", "YAgjqw==", "WgDhBQ=="],
    );
    three_parts(
        ChecksumAlgorithm::Crc32c,
        true,
        ["MDaLrw==", "TH4EZg==", "Z7mBIQ==", "xU+Krw=="],
    );
}

#[test]
fn a_combined_crc_equals_the_crc_of_the_whole_data() {
    let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (a, b) = data.split_at(37_123);
    for algorithm in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
    ] {
        let sum = |bytes: &[u8]| {
            let mut c = Checksummer::new(Some(algorithm));
            c.update(bytes);
            c.finish().checksum.map(|(_, v)| v).unwrap_or_default()
        };
        let (pa, pb) = (sum(a), sum(b));
        let parts = [(a.len() as u64, pa.as_str()), (b.len() as u64, pb.as_str())];
        assert_eq!(
            object_checksum(algorithm, true, &parts),
            Some(sum(&data)),
            "{algorithm}"
        );
    }
}

#[test]
fn a_value_of_the_wrong_shape_gives_no_checksum() {
    for value in ["", "bad", "AAAA", "JRTCyQ=="] {
        assert_eq!(
            object_checksum(ChecksumAlgorithm::Sha256, false, &[(1, value)]),
            None,
            "{value:?}"
        );
    }
    // SHAs cannot be combined into a whole-object checksum.
    let sha = "275VF5loJr1YYawit0XSHREhkFXYkkPKGuoK0x9VKxI=";
    assert_eq!(
        object_checksum(ChecksumAlgorithm::Sha256, true, &[(1, sha)]),
        None
    );
}

#[test]
fn checksum_type_follows_the_value() {
    assert_eq!(checksum_type("uWBw=-3"), COMPOSITE);
    assert_eq!(checksum_type("WgDhBQ=="), FULL_OBJECT);
}
