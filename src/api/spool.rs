//! A body whose length the request does not give (a plain
//! `Transfer-Encoding: chunked` upload, no `Content-Length`): the object
//! service places shards by size, so the body is read to its end first —
//! in memory up to [`MEMORY_BYTES`], past that into an unlinked temporary
//! file — and then streamed on with its length known. Every check of the
//! body ([`super::body`]) has run by the time its length is known.

use std::io::SeekFrom;

use bytes::Bytes;
use futures::StreamExt;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use super::body::CheckedBody;
use super::error::{S3Error, S3ErrorCode};

/// Bytes of a spooled body kept in memory before it goes to disk.
const MEMORY_BYTES: usize = 8 << 20;

/// Bytes read from the spool file at a time.
const READ_CHUNK: usize = 1 << 20;

/// A body read to its end.
pub(crate) struct Spooled {
    /// How many bytes the body held (its length, found by reading it).
    pub len: u64,
    memory: Vec<Bytes>,
    file: Option<tokio::fs::File>,
}

fn internal(what: &str, e: std::io::Error) -> S3Error {
    tracing::warn!(error = %e, "spooling a chunked body: {what}");
    S3Error::new(S3ErrorCode::InternalError)
}

/// Reads `body` to its end; more than `limit` bytes is `EntityTooLarge`.
pub(crate) async fn spool(body: &mut CheckedBody, limit: u64) -> Result<Spooled, S3Error> {
    let mut spooled = Spooled {
        len: 0,
        memory: Vec::new(),
        file: None,
    };
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        spooled.len += chunk.len() as u64;
        if spooled.len > limit {
            return Err(S3Error::new(S3ErrorCode::EntityTooLarge));
        }
        if spooled.file.is_none() && spooled.len <= MEMORY_BYTES as u64 {
            spooled.memory.push(chunk);
            continue;
        }
        let file = match &mut spooled.file {
            Some(f) => f,
            None => spooled.file.insert(temporary_file().await?),
        };
        file.write_all(&chunk)
            .await
            .map_err(|e| internal("write", e))?;
    }
    if let Some(file) = &mut spooled.file {
        file.flush().await.map_err(|e| internal("flush", e))?;
        file.seek(SeekFrom::Start(0))
            .await
            .map_err(|e| internal("seek", e))?;
    }
    Ok(spooled)
}

/// A new file in the temporary directory, unlinked at once: it lives as
/// long as the handle, whatever becomes of the request.
async fn temporary_file() -> Result<tokio::fs::File, S3Error> {
    let path =
        std::env::temp_dir().join(format!("predastore-spool-{:032x}", rand::random::<u128>()));
    let file = tokio::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .await
        .map_err(|e| internal("create", e))?;
    tokio::fs::remove_file(&path)
        .await
        .map_err(|e| internal("unlink", e))?;
    Ok(file)
}

impl Spooled {
    /// The bytes again, from the start.
    pub(crate) fn into_stream(self) -> CheckedBody {
        let memory = futures::stream::iter(self.memory.into_iter().map(Ok));
        let file = self.file.map(|f| {
            tokio_util::io::ReaderStream::with_capacity(f, READ_CHUNK)
                .map(|r| r.map_err(|e| internal("read", e)))
        });
        Box::pin(memory.chain(futures::stream::iter(file).flatten()))
    }
}
