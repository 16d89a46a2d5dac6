//! Volume identities: the format, and which volumes a start takes in.

use super::*;

fn dirs(root: &Path, n: usize) -> Vec<PathBuf> {
    (0..n).map(|i| root.join(format!("vol{i}"))).collect()
}

#[test]
fn an_identity_round_trips_and_damage_is_refused() {
    let id = Identity {
        store: 0x0123_4567_89ab_cdef_0011_2233_4455_6677,
        number: 3,
    };
    let bytes = id.encode();
    assert_eq!(Identity::decode(&bytes), Some(id));
    for i in 0..bytes.len() {
        let mut bad = bytes;
        bad[i] ^= 0x40;
        assert_eq!(Identity::decode(&bad), None, "byte {i} flipped");
    }
    assert_eq!(Identity::decode(&bytes[..bytes.len() - 1]), None);
    assert_eq!(Identity::decode(&[]), None);
}

#[test]
fn a_new_store_takes_every_volume_and_a_restart_finds_them() -> io::Result<()> {
    let root = tempfile::tempdir()?;
    let index = root.path().join("shard-index");
    fs::create_dir_all(&index)?;
    let vols = dirs(root.path(), 3);
    let first = admit_volumes(&index, &vols)?;
    assert!(first.refused.iter().all(Option::is_none));
    assert_eq!(first.store.number, 3);
    let again = admit_volumes(&index, &vols)?;
    assert!(again.refused.iter().all(Option::is_none));
    assert_eq!(again.store, first.store);
    holds(&vols[1], first.store.store, 1)?;
    assert!(holds(&vols[1], first.store.store, 2).is_err());
    Ok(())
}

#[test]
fn a_store_from_before_identities_is_upgraded_in_place() -> io::Result<()> {
    let root = tempfile::tempdir()?;
    let index = root.path().join("shard-index");
    fs::create_dir_all(&index)?;
    let vols = dirs(root.path(), 2);
    for v in &vols {
        fs::create_dir_all(v.join("wal"))?;
        fs::write(v.join("wal").join("0000000000000001.seg"), b"segment")?;
    }
    let admitted = admit_volumes(&index, &vols)?;
    assert!(admitted.refused.iter().all(Option::is_none));
    assert!(vols.iter().all(|v| v.join(VOLUME_ID_FILE).exists()));
    Ok(())
}

#[test]
fn a_missing_or_replaced_disk_is_refused_not_recreated() -> io::Result<()> {
    let root = tempfile::tempdir()?;
    let index = root.path().join("shard-index");
    fs::create_dir_all(&index)?;
    let vols = dirs(root.path(), 3);
    admit_volumes(&index, &vols)?;

    // Volume 1 unmounted: its directory is gone.
    fs::remove_dir_all(&vols[1])?;
    let admitted = admit_volumes(&index, &vols)?;
    assert!(matches!(admitted.refused[1], Some(Refusal::Missing)));
    assert!(admitted.refused[0].is_none() && admitted.refused[2].is_none());
    assert!(!vols[1].exists(), "a missing volume is not created again");

    // An empty mount point in its place: no identity.
    fs::create_dir_all(&vols[1])?;
    let admitted = admit_volumes(&index, &vols)?;
    assert!(matches!(admitted.refused[1], Some(Refusal::NoIdentity)));

    // Volumes 0 and 2 swapped: each is another slot's.
    let swap = root.path().join("swap");
    fs::rename(&vols[0], &swap)?;
    fs::rename(&vols[2], &vols[0])?;
    fs::rename(&swap, &vols[2])?;
    let admitted = admit_volumes(&index, &vols)?;
    assert!(matches!(admitted.refused[0], Some(Refusal::Foreign(_))));
    assert!(matches!(admitted.refused[2], Some(Refusal::Foreign(_))));
    Ok(())
}

#[test]
fn another_store_s_disk_is_refused_and_a_slot_added_later_is_taken() -> io::Result<()> {
    let root = tempfile::tempdir()?;
    let (index_a, index_b) = (root.path().join("a"), root.path().join("b"));
    fs::create_dir_all(&index_a)?;
    fs::create_dir_all(&index_b)?;
    let (a, b) = (
        dirs(&root.path().join("va"), 2),
        dirs(&root.path().join("vb"), 2),
    );
    admit_volumes(&index_a, &a)?;
    admit_volumes(&index_b, &b)?;
    let mixed = vec![a[0].clone(), b[1].clone()];
    let admitted = admit_volumes(&index_a, &mixed)?;
    assert!(matches!(admitted.refused[1], Some(Refusal::Foreign(_))));

    // A third volume for store A: a new slot, taken in.
    let more = vec![
        a[0].clone(),
        a[1].clone(),
        root.path().join("va").join("vol2"),
    ];
    let admitted = admit_volumes(&index_a, &more)?;
    assert!(admitted.refused.iter().all(Option::is_none));
    assert_eq!(admitted.store.number, 3);
    Ok(())
}

#[test]
fn a_lost_store_id_is_taken_from_the_volumes() -> io::Result<()> {
    let root = tempfile::tempdir()?;
    let index = root.path().join("shard-index");
    fs::create_dir_all(&index)?;
    let vols = dirs(root.path(), 3);
    let first = admit_volumes(&index, &vols)?;
    fs::remove_dir_all(&index)?;
    fs::create_dir_all(&index)?;
    let again = admit_volumes(&index, &vols)?;
    assert!(again.refused.iter().all(Option::is_none));
    assert_eq!(again.store, first.store);
    Ok(())
}

#[test]
fn only_an_empty_directory_is_claimed_for_a_failed_volume() -> io::Result<()> {
    let root = tempfile::tempdir()?;
    let disk = root.path().join("vol1");
    let store = 0xfeed_u128;
    assert!(matches!(
        claim_empty(&disk, store, 1),
        Err(Refusal::Missing)
    ));
    fs::create_dir_all(disk.join("lost+found"))?;
    fs::write(disk.join("photo.jpg"), b"data")?;
    assert!(matches!(
        claim_empty(&disk, store, 1),
        Err(Refusal::NotEmpty(name)) if name == "photo.jpg"
    ));
    fs::remove_file(disk.join("photo.jpg"))?;
    assert!(claim_empty(&disk, store, 1).is_ok());
    holds(&disk, store, 1)?;
    // A claim whose replacement did not finish may be made again; one
    // for another slot may not.
    assert!(claim_empty(&disk, store, 1).is_ok());
    assert!(claim_empty(&disk, store, 2).is_err());
    Ok(())
}
