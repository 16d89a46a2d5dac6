//! The store's resident memory, read from Linux `/proc/<pid>/status`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// `(VmRSS, VmHWM)` of process `pid`, in KiB.
pub(super) fn read_mem_kib(pid: u32) -> std::io::Result<(Option<u64>, Option<u64>)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status.lines().find_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix(':')?;
            rest.split_whitespace().next()?.parse::<u64>().ok()
        })
    };
    Ok((field("VmRSS"), field("VmHWM")))
}

/// Samples a process's VmRSS every 100 ms and keeps the largest.
pub(super) struct MemSampler {
    pid: u32,
    peak_kib: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl MemSampler {
    pub(super) fn start(pid: u32) -> MemSampler {
        let peak_kib = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (peak, halt) = (peak_kib.clone(), stop.clone());
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            while !halt.load(Ordering::Relaxed) {
                tick.tick().await;
                if let Ok((Some(rss), _)) = read_mem_kib(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
            }
        });
        MemSampler {
            pid,
            peak_kib,
            stop,
            task,
        }
    }

    /// Stops sampling; returns the largest VmRSS seen and the current VmHWM.
    pub(super) async fn stop(self) -> (Option<u64>, Option<u64>) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        let last = read_mem_kib(self.pid).ok();
        let mut peak = self.peak_kib.load(Ordering::Relaxed);
        if let Some((Some(rss), _)) = last {
            peak = peak.max(rss);
        }
        let hwm = last.and_then(|(_, hwm)| hwm);
        ((peak > 0).then_some(peak), hwm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_memory() {
        let (rss, hwm) = read_mem_kib(std::process::id()).expect("own /proc status");
        assert!(rss.is_some_and(|k| k > 0));
        assert!(hwm.is_some_and(|k| k > 0));
    }
}
