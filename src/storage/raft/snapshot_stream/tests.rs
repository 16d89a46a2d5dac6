use std::error::Error;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use super::*;
use crate::storage::meta::fixtures::{create_bucket, fill_bucket, object};
use crate::storage::meta::{MetaOp, MetaState, ObjectRecord, WriteCondition};

/// A view of a state with a bucket of `objects` objects, and its export.
fn view(dir: &std::path::Path, objects: u128) -> Result<(Arc<StateView>, Vec<u8>), Box<dyn Error>> {
    let state = Arc::new(MetaState::open(dir)?);
    fill_bucket(&state, objects)?;
    let view = Arc::new(state.view());
    let mut exported = Vec::new();
    view.export(&mut exported)?;
    Ok((view, exported))
}

#[tokio::test]
async fn a_stream_measured_short_of_its_export_fails_instead_of_ending(
) -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let (view, exported) = view(dir.path(), 300)?;
    let len = exported.len() as u64;

    // Measured one byte too long: the export ends first.
    let mut stream = SnapshotStream::start(view.clone(), len + 1);
    let mut out = Vec::new();
    assert!(stream.read_to_end(&mut out).await.is_err());

    // Measured right: the bytes are the export's, then the end.
    let mut stream = SnapshotStream::start(view, len);
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await?;
    assert!(out == exported, "the stream is the export");
    Ok(())
}

#[tokio::test]
async fn a_stream_seeks_only_where_openraft_does() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let (view, exported) = view(dir.path(), 300)?;
    let mut stream = SnapshotStream::start(view, exported.len() as u64);
    let mut chunk = vec![0u8; 1000];
    stream.read_exact(&mut chunk).await?;
    // The first chunk sent again: read from what was kept.
    assert_eq!(stream.seek(0)?, 0);
    stream.read_exact(&mut chunk).await?;
    assert!(chunk[..] == exported[..1000]);
    stream.seek(1000)?;
    stream.read_exact(&mut chunk).await?;
    // Back into the chunk read last: yes; further back: no.
    assert_eq!(stream.seek(1500)?, 1500);
    assert!(stream.seek(999).is_err(), "before the last chunk");
    assert!(stream.seek(5000).is_err(), "past the export's head");
    stream.read_exact(&mut chunk[..500]).await?;
    assert!(chunk[..500] == exported[1500..2000]);
    Ok(())
}

#[tokio::test]
async fn a_stream_dropped_midway_stops_its_export() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let state = Arc::new(MetaState::open(dir.path())?);
    state.apply_batch(1, &[create_bucket("b")])?;
    // 200 objects of 64 KiB kept inline: 12.5 MiB to export.
    let ops: Vec<_> = (0..200u128)
        .map(|i| MetaOp::PutObject {
            record: ObjectRecord {
                size: 64 << 10,
                shard_nodes: vec![],
                inline_data: Some(bytes::Bytes::from(vec![i as u8; 64 << 10])),
                ..object("b", &format!("key-{i:03}"), i + 1)
            },
            condition: WriteCondition::Always,
        })
        .collect();
    state.apply_batch(2, &ops)?;
    let view = Arc::new(state.view());
    let len = view.exported_len()?;
    assert!(
        len > ((BLOCKS_AHEAD + 2) * BLOCK_BYTES) as u64,
        "the export outruns its queue ({len} bytes)"
    );
    let mut stream = SnapshotStream::start(view.clone(), len);
    let mut first = vec![0u8; 4096];
    stream.read_exact(&mut first).await?;
    // The export waits for the reader, a few blocks ahead.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(Arc::strong_count(&view) > 1, "the export is under way");
    drop(stream);
    // The export thread lets go of the view once it notices.
    for _ in 0..200 {
        if Arc::strong_count(&view) == 1 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err("the export still holds the view".into())
}
