use std::error::Error;
use std::path::Path;

use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::*;
use crate::storage::meta::fixtures::{fill_bucket, put};
use crate::storage::meta::MetaState;

/// A store with a bucket of `objects` objects, and its snapshot dir.
fn store(root: &Path, objects: u128) -> Result<(Arc<SnapshotDir>, Arc<MetaState>), Box<dyn Error>> {
    std::fs::create_dir_all(root)?;
    let dir = Arc::new(SnapshotDir::open(root)?);
    let state = Arc::new(MetaState::open(&root.join("state-0"))?);
    fill_bucket(&state, objects)?;
    Ok((dir, state))
}

fn export(state: &MetaState) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut out = Vec::new();
    state.export(&mut out)?;
    Ok(out)
}

/// Reads up to `buf.len()` bytes, fewer only at the end.
async fn read_chunk(data: &mut SnapshotData, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match data.read(&mut buf[n..]).await? {
            0 => break,
            got => n += got,
        }
    }
    Ok(n)
}

#[tokio::test]
async fn a_view_sent_in_chunks_with_one_sent_twice_imports_as_the_state(
) -> Result<(), Box<dyn Error>> {
    let root = tempfile::tempdir()?;
    let (dir, state) = store(root.path(), 2_000)?;
    let mut expected = Vec::new();
    state.clone().view().export(&mut expected)?;
    let mut sent = SnapshotData::view(state.clone().view(), dir.clone());
    // Applied after the snapshot was taken: not sent.
    state.apply_batch(100, &[put("b", "later", 99_999)])?;
    let import = SnapshotImport::start(root.path().join("state-1"), 1);
    let mut received = SnapshotData::importing(import, dir);

    // As openraft sends and receives: the length first, a seek to the
    // chunk's offset on both sides, and the second chunk read and sent
    // again (its answer was lost).
    assert_eq!(sent.seek(SeekFrom::End(0)).await?, expected.len() as u64);
    let mut buf = vec![0u8; 64 << 10];
    let (mut offset, mut chunks) = (0u64, 0);
    loop {
        sent.seek(SeekFrom::Start(offset)).await?;
        let mut n = read_chunk(&mut sent, &mut buf).await?;
        if n == 0 {
            break;
        }
        if chunks == 1 {
            let first = buf[..n].to_vec();
            assert_eq!(sent.seek(SeekFrom::Start(offset)).await?, offset);
            n = read_chunk(&mut sent, &mut buf).await?;
            assert!(buf[..n] == first[..], "a chunk read again is the same");
        }
        for _ in 0..if chunks == 1 { 2 } else { 1 } {
            assert_eq!(received.seek(SeekFrom::Start(offset)).await?, offset);
            received.write_all(&buf[..n]).await?;
        }
        offset += n as u64;
        chunks += 1;
    }
    assert!(chunks > 2, "the snapshot spans several chunks ({chunks})");
    // A member that refused it has it sent from the start again.
    assert_eq!(sent.seek(SeekFrom::Start(0)).await?, 0);
    let mut again = Vec::new();
    sent.read_to_end(&mut again).await?;
    assert!(
        again == expected,
        "sent again from the start, it is the same"
    );
    let copy = installed(received, &expected).await?;
    assert!(copy.get_object("b", "key-01999")?.is_some());
    assert!(
        copy.get_object("b", "later")?.is_none(),
        "the snapshot is of its time"
    );
    assert_eq!(copy.last_applied()?, Some(21));
    Ok(())
}

#[tokio::test]
async fn a_cut_stream_is_refused_and_its_directory_removed() -> Result<(), Box<dyn Error>> {
    let root = tempfile::tempdir()?;
    let (_dir, state) = store(root.path(), 500)?;
    let stream = export(&state)?;
    let target = root.path().join("state-1");
    let mut import = SnapshotImport::start(target.clone(), 1);
    let half = &stream[..stream.len() / 2];
    std::future::poll_fn(|cx| import.poll_write(cx, half)).await?;
    assert!(
        import.finish().await.is_err(),
        "half a snapshot is not imported"
    );
    assert!(!target.exists(), "and nothing of it stays");
    Ok(())
}

#[tokio::test]
async fn a_stream_whose_import_stopped_is_imported_when_sent_again() -> Result<(), Box<dyn Error>> {
    let root = tempfile::tempdir()?;
    let (dir, state) = store(root.path(), 500)?;
    let stream = export(&state)?;
    let target = root.path().join("state-1");
    let import = SnapshotImport::start(target.clone(), 1);
    let mut received = SnapshotData::importing(import, dir);
    // Damaged bytes: the import stops, and the member refuses the rest.
    let mut damaged = stream.clone();
    damaged[..6].copy_from_slice(b"NOTPSM");
    let mut refused = false;
    for _ in 0..200 {
        if received.write_all(&damaged[..1024]).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "a stream the import stopped on is refused");
    // The leader sends the same snapshot again from its start (its id,
    // and so its bytes, unchanged: no entry was applied meanwhile).
    let copy = sent_again_from_the_start(received, &stream).await?;
    assert!(copy.get_object("b", "key-00499")?.is_some());
    Ok(())
}

/// The whole `stream` sent again from its start into `received`, which
/// is then installed: the state it holds, checked to be the stream's.
async fn sent_again_from_the_start(
    mut received: SnapshotData,
    stream: &[u8],
) -> Result<MetaState, Box<dyn Error>> {
    assert_eq!(received.seek(SeekFrom::Start(0)).await?, 0);
    received.write_all(stream).await?;
    installed(received, stream).await
}

/// The last chunk of `received` is in: the state its import built,
/// checked to be `stream`'s.
async fn installed(mut received: SnapshotData, stream: &[u8]) -> Result<MetaState, Box<dyn Error>> {
    received.shutdown().await?;
    let copy = received
        .into_import()
        .map_err(|_| "a received snapshot is an import")?
        .finish()
        .await?;
    assert!(export(&copy)? == stream, "the member holds what was sent");
    Ok(copy)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_no_chunk_comes_on_is_abandoned_and_its_directory_removed(
) -> Result<(), Box<dyn Error>> {
    let root = tempfile::tempdir()?;
    let (dir, state) = store(root.path(), 500)?;
    let stream = export(&state)?;
    let target = root.path().join("state-1");
    // The same wait as the default's (five minutes), shortened; long
    // enough that a busy machine's pause between two chunks of the
    // stream sent again is not taken for an abandoned stream (300 ms was
    // not, in a CI run).
    let idle = std::time::Duration::from_secs(3);
    let import = SnapshotImport::start_waiting(target.clone(), 1, idle);
    let mut received = SnapshotData::importing(import, dir);
    received.write_all(&stream[..stream.len() / 2]).await?;
    for _ in 0..200 {
        if target.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(target.exists(), "the import began");
    // The leader sends nothing more, and openraft keeps the stream.
    for _ in 0..600 {
        if !target.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!target.exists(), "the abandoned import's directory goes");
    // Sent again from its start, it is imported anew.
    sent_again_from_the_start(received, &stream).await?;
    Ok(())
}

#[tokio::test]
async fn a_snapshot_being_received_is_not_read_and_not_skipped_ahead() -> Result<(), Box<dyn Error>>
{
    let root = tempfile::tempdir()?;
    let (dir, _state) = store(root.path(), 1)?;
    let import = SnapshotImport::start(root.path().join("state-1"), 1);
    let mut received = SnapshotData::importing(import, dir.clone());
    received.write_all(b"PSMETA").await?;
    assert!(received.seek(SeekFrom::Start(7)).await.is_err(), "no gap");
    let mut buf = [0u8; 4];
    assert!(received.read(&mut buf).await.is_err(), "not readable");

    let (_, state) = store(&root.path().join("other"), 1)?;
    let mut sent = SnapshotData::view(state.view(), dir);
    assert!(sent.write_all(b"x").await.is_err(), "a view is not written");
    Ok(())
}

#[tokio::test]
async fn a_received_snapshot_openraft_does_not_install_leaves_nothing() -> Result<(), Box<dyn Error>>
{
    let root = tempfile::tempdir()?;
    let (_dir, state) = store(root.path(), 50)?;
    let stream = export(&state)?;
    let target = root.path().join("state-1");
    let mut import = SnapshotImport::start(target.clone(), 1);
    std::future::poll_fn(|cx| import.poll_write(cx, &stream)).await?;
    for _ in 0..200 {
        if target.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(target.exists(), "the import began");
    import.close();
    // Every chunk came, but the install does not (a newer snapshot, a
    // leader change): the finished import's directory goes in the
    // background.
    drop(import);
    for _ in 0..200 {
        if !target.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!target.exists(), "the import's directory was removed");
    Ok(())
}
