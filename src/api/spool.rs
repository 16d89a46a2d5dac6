//! A body whose length the request does not give (a plain
//! `Transfer-Encoding: chunked` upload, no `Content-Length`): the object
//! service places shards by size, so the body is read to its end first —
//! in memory up to [`MEMORY_BYTES`], past that into an unlinked temporary
//! file — and then streamed on with its length known. Every check of the
//! body ([`super::body`]) has run by the time its length is known.
//!
//! The file holds the body encrypted under a key of this request alone,
//! kept in memory: a body that is to be stored encrypted never touches the
//! gateway's disk in plain text.

use std::io::SeekFrom;

use bytes::Bytes;
use futures::StreamExt;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use super::body::CheckedBody;
use super::error::{S3Error, S3ErrorCode};
use crate::object::sse::chunks::{ChunkSealer, Decrypting};
use crate::object::sse::{ChunkCipher, DataKey};

/// Bytes of a spooled body kept in memory before it goes to disk.
const MEMORY_BYTES: usize = 8 << 20;

/// Bytes read from the spool file at a time.
const READ_CHUNK: usize = 1 << 20;

/// A body read to its end.
pub(crate) struct Spooled {
    /// How many bytes the body held (its length, found by reading it).
    pub len: u64,
    memory: Vec<Bytes>,
    file: Option<SpoolFile>,
}

/// The part of a body past [`MEMORY_BYTES`], encrypted in a file.
struct SpoolFile {
    file: tokio::fs::File,
    /// This request's key of the file.
    key: DataKey,
    /// Plain bytes in the file.
    plain: u64,
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
    let mut sealer = None;
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
        let spool = match &mut spooled.file {
            Some(f) => f,
            None => {
                let key = DataKey::random().map_err(|e| {
                    tracing::error!(error = %e, "no key for a spool file");
                    S3Error::new(S3ErrorCode::InternalError)
                })?;
                sealer = Some(ChunkSealer::new(ChunkCipher::new(&key, 0)));
                spooled.file.insert(SpoolFile {
                    file: temporary_file().await?,
                    key,
                    plain: 0,
                })
            }
        };
        spool.plain += chunk.len() as u64;
        for sealed in sealer.iter_mut().flat_map(|s| s.push(&chunk)) {
            spool
                .file
                .write_all(&sealed)
                .await
                .map_err(|e| internal("write", e))?;
        }
    }
    if let Some(spool) = &mut spooled.file {
        if let Some(last) = sealer.and_then(ChunkSealer::finish) {
            spool
                .file
                .write_all(&last)
                .await
                .map_err(|e| internal("write", e))?;
        }
        spool.file.flush().await.map_err(|e| internal("flush", e))?;
        spool
            .file
            .seek(SeekFrom::Start(0))
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
        let file = self.file.map(|spool| {
            let stored = tokio_util::io::ReaderStream::with_capacity(spool.file, READ_CHUNK)
                .map(|r| r.map_err(|e| internal("read", e)));
            let cipher = ChunkCipher::new(&spool.key, 0);
            Decrypting::new(stored, cipher, spool.plain, 0..spool.plain)
        });
        Box::pin(memory.chain(futures::stream::iter(file).flatten()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(data: &[u8], piece: usize) -> CheckedBody {
        let pieces: Vec<Result<Bytes, S3Error>> = data
            .chunks(piece)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        Box::pin(futures::stream::iter(pieces))
    }

    /// Past the memory part, the file holds the body encrypted: it reads
    /// back the same, whatever the pieces it came in.
    #[actix_rt::test]
    async fn a_body_past_memory_reads_back_through_its_encrypted_file() {
        let data: Vec<u8> = (0..MEMORY_BYTES + 3 * 65_536 + 17)
            .map(|i| (i * 7 % 253) as u8)
            .collect();
        for piece in [1 << 20, 65_536, 9_999] {
            let mut body = body_of(&data, piece);
            let spooled = spool(&mut body, u64::MAX).await;
            let spooled = spooled.unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(spooled.len, data.len() as u64);
            assert!(spooled.file.is_some(), "past memory, a file");
            let back: Vec<Bytes> = spooled
                .into_stream()
                .map(|c| c.unwrap_or_else(|e| panic!("{e:?}")))
                .collect()
                .await;
            assert!(back.concat() == data, "piece {piece}: bytes differ");
        }
        let mut too_big = body_of(&data, 1 << 20);
        assert!(spool(&mut too_big, 1 << 20).await.is_err());
    }
}
