//! The Lifecycle actor: carries out buckets' lifecycle rules (expire
//! versions, remove lone delete markers, abort old uploads).
//!
//! Like repair, it runs in every process with the meta role and works
//! only while that process leads the metadata group: one walker per
//! cluster, next to the metadata it reads. Every period (a 24th of a
//! lifecycle day) it walks each bucket with rules in pages
//! ([`MetaRead::LifecycleDue`]: current versions, then keys with older
//! versions, then uploads), paced to a number of records per second, and
//! commits what a page found due as one [`MetaOp::ApplyLifecycle`]. The
//! state machine checks each action again against the rules when it
//! applies, so an object overwritten, re-tagged or locked since the page
//! was read is left alone. After each page the walk's position is
//! committed ([`MetaOp::LifecycleProgress`]): a new leader resumes there.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use crate::actors::upkeep::repair::LeaderCheck;
use crate::metrics;
use crate::object::ObjectService;
use crate::storage::meta::lifecycle::{LifecycleProgress, LifecycleTally, WalkPoint};
use crate::storage::meta::{MetaOp, MetaOutcome, MetaRead, MetaReadResult};

/// How often the actor looks whether a walk is due.
const TICK: Duration = Duration::from_secs(1);
/// Records one page of the walk looks at, about.
const PAGE: usize = 500;
/// Most actions one `ApplyLifecycle` op carries.
const ACTIONS_PER_OP: usize = 250;

/// The lifecycle walk's settings.
#[derive(Clone, Copy, Debug)]
pub struct LifecycleWalkConfig {
    /// Records looked at per second at most; 0: no limit.
    pub objects_per_sec: u64,
    /// The length of a lifecycle day in ms (shortened only by tests).
    pub day_ms: u64,
}

impl LifecycleWalkConfig {
    /// Time between the start of two walks: a 24th of a day, at least 1s.
    fn period_ms(&self) -> u64 {
        (self.day_ms / 24).max(1000)
    }
}

/// The lifecycle actor.
pub(crate) struct Lifecycle {
    objects: Arc<ObjectService>,
    is_leader: LeaderCheck,
    cfg: LifecycleWalkConfig,
    /// A walk (or the look whether one is due) is running.
    busy: bool,
}

impl Lifecycle {
    /// A lifecycle actor over `objects`, active while `is_leader` says so.
    pub(crate) fn new(
        objects: Arc<ObjectService>,
        is_leader: LeaderCheck,
        cfg: LifecycleWalkConfig,
    ) -> Self {
        Self {
            objects,
            is_leader,
            cfg,
            busy: false,
        }
    }

    fn tick(&mut self, ctx: &mut Context<Self>) {
        if self.busy || !(self.is_leader)() {
            return;
        }
        self.busy = true;
        let walk = Walk {
            objects: self.objects.clone(),
            is_leader: self.is_leader.clone(),
            cfg: self.cfg,
        };
        ctx.spawn(
            async move {
                if let Err(e) = walk.run_if_due().await {
                    tracing::warn!(error = %e, "lifecycle walk stopped; it resumes at the next period");
                }
            }
            .into_actor(self)
            .map(|(), act, _| act.busy = false),
        );
    }
}

impl Actor for Lifecycle {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(TICK, |act, ctx| act.tick(ctx));
    }
}

/// One walk (or its resumption) on the leader.
struct Walk {
    objects: Arc<ObjectService>,
    is_leader: LeaderCheck,
    cfg: LifecycleWalkConfig,
}

/// Why a walk stopped early.
#[derive(Debug, thiserror::Error)]
enum WalkError {
    #[error("metadata: {0}")]
    Metadata(#[from] crate::object::ObjectError),
    #[error("this node no longer leads the metadata group")]
    NotLeader,
    #[error("unexpected metadata read answer")]
    Unexpected,
}

impl Walk {
    /// Resumes the walk in progress, or starts one when the period since
    /// the last one has passed and some bucket has rules.
    async fn run_if_due(&self) -> Result<(), WalkError> {
        let mut progress = self.progress().await?;
        if let Some((_, finished)) = progress.last_run {
            metrics::LIFECYCLE_LAST_COMPLETED.set(i64::try_from(finished / 1000).unwrap_or(0));
        }
        let now = crate::clock::now_ms();
        if progress.walk.is_none() {
            let due = progress
                .last_run
                .is_none_or(|(started, _)| now >= started + self.cfg.period_ms());
            if !due {
                return Ok(());
            }
            let buckets = self.buckets().await?;
            metrics::LIFECYCLE_BUCKETS.set(buckets.len() as i64);
            let Some(first) = buckets.first() else {
                return Ok(());
            };
            progress.walk = Some((now, first.clone(), WalkPoint::Current(None)));
            progress.tally = LifecycleTally::default();
            progress.examined = 0;
        }
        self.walk(progress).await
    }

    async fn progress(&self) -> Result<LifecycleProgress, WalkError> {
        match self.objects.read(MetaRead::LifecycleProgress).await? {
            MetaReadResult::LifecycleProgress(p) => Ok(p.unwrap_or_default()),
            _ => Err(WalkError::Unexpected),
        }
    }

    async fn buckets(&self) -> Result<Vec<String>, WalkError> {
        match self.objects.read(MetaRead::LifecycleBuckets).await? {
            MetaReadResult::LifecycleBuckets(b) => Ok(b),
            _ => Err(WalkError::Unexpected),
        }
    }

    /// Walks from where `progress` says, to the end.
    async fn walk(&self, mut progress: LifecycleProgress) -> Result<(), WalkError> {
        let buckets = self.buckets().await?;
        metrics::LIFECYCLE_BUCKETS.set(buckets.len() as i64);
        while let Some((started, bucket, point)) = progress.walk.clone() {
            if !(self.is_leader)() {
                return Err(WalkError::NotLeader);
            }
            let next = self.page(&bucket, point, &mut progress).await?;
            progress.walk = match next {
                Some(point) => Some((started, bucket, point)),
                None => {
                    let done = buckets.iter().filter(|b| **b <= bucket).count();
                    metrics::LIFECYCLE_WALK_BUCKETS_DONE.set(done as i64);
                    buckets
                        .iter()
                        .find(|b| **b > bucket)
                        .map(|b| (started, b.clone(), WalkPoint::Current(None)))
                }
            };
            if progress.walk.is_none() {
                let now = crate::clock::now_ms();
                progress.last_run = Some((started, now));
                progress.last_tally = progress.tally;
                metrics::LIFECYCLE_LAST_COMPLETED.set(i64::try_from(now / 1000).unwrap_or(0));
                metrics::LIFECYCLE_WALK_EXAMINED.set(0);
                metrics::LIFECYCLE_WALK_BUCKETS_DONE.set(0);
                tracing::info!(
                    buckets = buckets.len(),
                    examined = progress.examined,
                    expired = progress.tally.objects,
                    markers = progress.tally.markers,
                    aborted = progress.tally.uploads,
                    "lifecycle walk finished"
                );
            }
            self.objects
                .submit(MetaOp::LifecycleProgress {
                    progress: progress.clone(),
                })
                .await?;
        }
        Ok(())
    }

    /// One page of `bucket` from `point`: reads what is due, commits it,
    /// paces; where the next page starts (`None`: the bucket is done).
    async fn page(
        &self,
        bucket: &str,
        point: WalkPoint,
        progress: &mut LifecycleProgress,
    ) -> Result<Option<WalkPoint>, WalkError> {
        let read = MetaRead::LifecycleDue {
            bucket: bucket.to_owned(),
            from: point,
            limit: PAGE,
            now_ms: crate::clock::now_ms(),
            day_ms: self.cfg.day_ms,
        };
        let page = match self.objects.read(read).await? {
            MetaReadResult::LifecycleDue(page) => page,
            _ => return Err(WalkError::Unexpected),
        };
        for chunk in page.due.chunks(ACTIONS_PER_OP) {
            let op = MetaOp::ApplyLifecycle {
                bucket: bucket.to_owned(),
                day_ms: self.cfg.day_ms,
                due: chunk.to_vec(),
            };
            if let MetaOutcome::LifecycleApplied(done) = self.objects.submit(op).await? {
                count(&done);
                progress.tally.add(&done);
            }
        }
        progress.examined += page.examined;
        metrics::LIFECYCLE_WALK_EXAMINED.set(i64::try_from(progress.examined).unwrap_or(i64::MAX));
        if self.cfg.objects_per_sec > 0 && page.examined > 0 {
            let secs = page.examined as f64 / self.cfg.objects_per_sec as f64;
            tokio::time::sleep(Duration::from_secs_f64(secs)).await;
        }
        Ok(page.next)
    }
}

/// Adds what one op did to the metrics.
fn count(done: &LifecycleTally) {
    metrics::LIFECYCLE_EXPIRED_OBJECTS.inc_by(done.objects);
    metrics::LIFECYCLE_EXPIRED_BYTES.inc_by(done.bytes);
    metrics::LIFECYCLE_MARKERS_REMOVED.inc_by(done.markers);
    metrics::LIFECYCLE_UPLOADS_ABORTED.inc_by(done.uploads);
}
