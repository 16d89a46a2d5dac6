//! Shard inventory RPCs through the pool: what a peer holds under given
//! keys (for repair) and a listing of its keys (for orphan collection).
//!
//! Both are reads, so each request is retried once on a fresh connection.
//! Larger asks than one request may carry ([`MAX_INVENTORY_KEYS`]) are cut
//! into several requests here.

use crate::net::PeerAddr;

use super::client::PeerClient;
use crate::net::frame::MAX_INVENTORY_KEYS;
use crate::net::shard;
use crate::net::NetError;
use crate::storage::{NodeStats, ShardKey, ShardState, VolumeStatus};

impl PeerClient {
    /// What `addr` holds under each of `keys`, in their order; any number
    /// of keys (sent [`MAX_INVENTORY_KEYS`] at a time).
    pub async fn stat_shards(
        &self,
        addr: PeerAddr,
        keys: Vec<ShardKey>,
    ) -> Result<Vec<ShardState>, NetError> {
        let idle = self.idle();
        let mut states = Vec::with_capacity(keys.len());
        for batch in keys.chunks(MAX_INVENTORY_KEYS) {
            let got = self
                .run(addr, true, |mut conn| {
                    let batch = batch.to_vec();
                    async move { shard::stat_shards(&mut conn, batch, idle).await }
                })
                .await?;
            states.extend(got);
        }
        Ok(states)
    }

    /// `addr`'s shard keys in key order strictly after `after` (from the
    /// first if `None`), at most `limit`; fewer than `limit` means there
    /// are no more. A large `limit` is fetched in several requests.
    pub async fn list_shards(
        &self,
        addr: PeerAddr,
        after: Option<ShardKey>,
        limit: usize,
    ) -> Result<Vec<ShardKey>, NetError> {
        let idle = self.idle();
        let mut keys: Vec<ShardKey> = Vec::new();
        let mut after = after;
        while keys.len() < limit {
            let want = (limit - keys.len()).min(MAX_INVENTORY_KEYS);
            let want = u32::try_from(want).unwrap_or(u32::MAX);
            let page = self
                .run(addr, true, |mut conn| async move {
                    shard::list_shards(&mut conn, after, want, idle).await
                })
                .await?;
            let done = page.len() < want as usize;
            after = page.last().copied().or(after);
            keys.extend(page);
            if done {
                break;
            }
        }
        Ok(keys)
    }
}

impl PeerClient {
    /// How `addr`'s volumes stand (a read, retried once).
    pub async fn volumes(&self, addr: PeerAddr) -> Result<Vec<VolumeStatus>, NetError> {
        let idle = self.idle();
        self.run(addr, true, |mut conn| async move {
            shard::volumes(&mut conn, idle).await
        })
        .await
    }

    /// Has `addr` take a new disk in for failed volume `slot` (not
    /// retried: the node may have done it).
    pub async fn replace_volume(
        &self,
        addr: PeerAddr,
        slot: u16,
    ) -> Result<Vec<VolumeStatus>, NetError> {
        let idle = self.idle();
        self.run(addr, false, |mut conn| async move {
            shard::replace_volume(&mut conn, slot, idle).await
        })
        .await
    }

    /// `addr`'s totals: shards held and space (a read, retried once).
    pub async fn node_stats(&self, addr: PeerAddr) -> Result<NodeStats, NetError> {
        let idle = self.idle();
        self.run(addr, true, |mut conn| async move {
            shard::node_stats(&mut conn, idle).await
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use actix::Actor;

    use super::*;
    use crate::actors::core::pool::{Pool, PoolConfig};
    use crate::actors::core::scrub::tests::{data, flip_payload_byte, key, put, start_node};
    use crate::actors::core::wal::server::StorageService;
    use crate::net::endpoint::{self, QuicSettings};
    use crate::net::rpc::Idle;
    use crate::net::server::Services;
    use crate::net::shard::ShardService;
    use crate::net::tls::TlsMaterial;
    use crate::net::ErrorKind;
    use crate::storage::FsyncMode;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A storage node served over QUIC, and a pooled client of it.
    #[actix_rt::test]
    async fn stat_and_list_a_peer_over_quic() -> TestResult {
        let dir = tempfile::tempdir()?;
        let node = start_node(dir.path(), FsyncMode::Off)?;
        // More keys than one request carries.
        let n = MAX_INVENTORY_KEYS + 234;
        let mut keys: Vec<ShardKey> = (0..n as u128).map(|i| key(i * 7919 + 1, 0)).collect();
        for chunk in keys.chunks(100) {
            let puts = chunk.iter().map(|k| put(&node, *k, b"shard"));
            for r in futures::future::join_all(puts).await {
                r?;
            }
        }
        keys.sort();
        let damaged = keys[10];
        put(&node, damaged, &data(3, 10_000)).await?;
        flip_payload_byte(&node, dir.path(), damaged, 100).await?;
        assert_eq!(node.scrub_now().await?.corrupt_keys, vec![damaged]);

        let rt = endpoint::runtime(1)?;
        let tls = TlsMaterial::dev(&dir.path().join("tls"))?;
        let settings = QuicSettings::default();
        let local = ([127, 0, 0, 1], 0).into();
        let server = endpoint::start_server(rt.handle(), local, &tls, &settings, [7; 32])?;
        let addr = server.local_addr()?;
        let client = endpoint::start_client(rt.handle(), local, &tls, &settings)?;
        let cfg = PoolConfig {
            dial_timeout: Duration::from_secs(5),
            rpc_timeout: Duration::from_secs(10),
            keep_alive: true,
        };
        let peers = PeerClient::new(Pool::new(client, cfg).start(), cfg.rpc_timeout);
        let service = StorageService::new(node.clone(), peers.clone());
        let services = Services {
            shards: Some(Arc::new(service) as Arc<dyn ShardService>),
            ..Services::default()
        };
        let idle = Idle(Duration::from_secs(10));
        crate::net::server::serve(server, services, rt.handle(), idle);

        // Stat: every key, in the order asked, across several requests.
        let mut asked: Vec<ShardKey> = keys.iter().rev().copied().collect();
        asked.push(key(5, 5));
        let addr = PeerAddr::from(addr);
        let states = peers.stat_shards(addr, asked.clone()).await?;
        assert_eq!(states.len(), asked.len());
        for (k, s) in asked.iter().zip(&states) {
            let want = if *k == damaged {
                ShardState::Corrupt
            } else if *k == key(5, 5) {
                ShardState::Missing
            } else {
                ShardState::Present { len: 5 }
            };
            assert_eq!(*s, want, "{k}");
        }
        assert_eq!(peers.stat_shards(addr, vec![]).await?, vec![]);

        // List: one page, pages, and everything in one call.
        assert_eq!(peers.list_shards(addr, None, 3).await?, keys[..3]);
        assert_eq!(peers.list_shards(addr, Some(keys[3]), 2).await?, keys[4..6]);
        assert_eq!(peers.list_shards(addr, None, usize::MAX).await?, keys);
        assert_eq!(
            peers.list_shards(addr, Some(keys[n - 2]), 10).await?,
            keys[n - 1..]
        );
        assert_eq!(peers.list_shards(addr, None, 0).await?, vec![]);

        // Oversized requests are refused by the node, not served.
        let raw = endpoint::start_client(rt.handle(), local, &tls, &settings)?;
        let mut conn = endpoint::connect(&raw, addr, Duration::from_secs(5), false).await?;
        let bad_request = |r: &Result<_, NetError>| {
            matches!(
                r,
                Err(NetError::Remote {
                    kind: ErrorKind::BadRequest,
                    ..
                })
            )
        };
        let too_many = vec![key(1, 1); MAX_INVENTORY_KEYS + 1];
        let refused = shard::stat_shards(&mut conn, too_many, idle)
            .await
            .map(|_| ());
        assert!(bad_request(&refused), "{refused:?}");
        let limit = MAX_INVENTORY_KEYS as u32 + 1;
        let refused = shard::list_shards(&mut conn, None, limit, idle)
            .await
            .map(|_| ());
        assert!(bad_request(&refused), "{refused:?}");
        // The connection is still good afterwards.
        let page = shard::list_shards(&mut conn, None, 1, idle).await?;
        assert_eq!(page, keys[..1]);
        drop(conn);
        drop(rt);
        node.shutdown().await?;
        Ok(())
    }
}
