use std::error::Error;
use std::fs;
use std::io::Read;
use std::sync::Arc;

use super::*;
use crate::storage::meta::fixtures::create_bucket;
use crate::storage::meta::MetaState;

fn names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

#[test]
fn opening_removes_what_earlier_versions_and_interrupted_work_left() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    for name in [
        "snapshot.meta",
        "snapshot.meta.tmp",
        "snapshot.bin",
        "snapshot-00ab.data",
        "snapshot-00ab.building",
        "snapshot.receiving",
        "snapshot-00cd.sending",
        "CURRENT",
    ] {
        fs::write(dir.path().join(name), b"x")?;
    }
    fs::create_dir(dir.path().join("state-0"))?;
    SnapshotDir::open(dir.path())?;
    assert_eq!(names(dir.path())?, ["CURRENT", "state-0"]);
    Ok(())
}

#[test]
fn an_export_is_the_state_as_viewed_and_leaves_no_file_behind() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let snapshots = SnapshotDir::open(dir.path())?;
    let state = Arc::new(MetaState::open(&dir.path().join("state"))?);
    state.apply_batch(1, &[create_bucket("before")])?;
    let view = state.clone().view();
    // Applied after the view: not in what it exports.
    state.apply_batch(2, &[create_bucket("after")])?;

    let mut file = snapshots.export(&view)?;
    assert_eq!(
        names(dir.path())?,
        ["state"],
        "the export has no name on disk"
    );
    let mut exported = Vec::new();
    file.read_to_end(&mut exported)?;
    let mut expected = Vec::new();
    view.export(&mut expected)?;
    assert_eq!(exported, expected, "the file holds the view's stream");

    let copy = MetaState::import(&dir.path().join("copy"), &mut exported.as_slice())?;
    assert!(copy.get_bucket("before")?.is_some());
    assert!(
        copy.get_bucket("after")?.is_none(),
        "the view is of its time"
    );
    assert!(state.get_bucket("after")?.is_some());
    Ok(())
}

#[test]
fn a_cut_export_is_refused_on_import() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let snapshots = SnapshotDir::open(dir.path())?;
    let state = Arc::new(MetaState::open(&dir.path().join("state"))?);
    state.apply_batch(1, &[create_bucket("a"), create_bucket("b")])?;
    let mut exported = Vec::new();
    snapshots
        .export(&state.clone().view())?
        .read_to_end(&mut exported)?;
    exported.truncate(exported.len() - 3);
    assert!(MetaState::import(&dir.path().join("copy"), &mut exported.as_slice()).is_err());
    Ok(())
}

#[test]
fn a_syncing_writer_writes_every_byte() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("f");
    let mut w = SyncingWriter::new(fs::File::create(&path)?);
    let chunk = vec![5u8; 3 << 20];
    for _ in 0..4 {
        w.write_all(&chunk)?;
    }
    drop(w.finish()?);
    assert_eq!(fs::metadata(&path)?.len(), 12 << 20);
    Ok(())
}
