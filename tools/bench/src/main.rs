//! `predastore-bench`: a small S3 load tool for a running store.
//!
//! It talks to any S3 endpoint through `aws-sdk-s3` (path-style, region
//! `us-east-1`) and runs these phases, each skippable with `--skip`:
//!
//! - `large`: `--large-clients` clients PUT `--large-mib` MiB objects for
//!   `--seconds`, then GET them back (streamed and discarded) for as long.
//! - `medium`: the same with 1 MiB objects and `--medium-clients` clients.
//!   Both report the CPU seconds per GB this client spent, and with `--pid`
//!   the store's (`cpu.rs`; with `--also-pid`, every process of it added
//!   up): on a small machine the two share the cores.
//! - `small`: 4 KiB PUTs, then GETs, at `--small-clients` concurrency, with
//!   latency percentiles.
//! - `multipart`: a `--parts` × `--part-mib` MiB multipart upload (75 × 8
//!   by default, 8 parts in flight); only
//!   CompleteMultipartUpload is timed.
//! - `big`: one `--big-gib` GiB object PUT from a file on disk and GET to a
//!   sink; with `--pid`, the store's resident memory is sampled every 100 ms.
//! - `versions-put`, `versions-list`, `versions-get` (`versions` names the
//!   three): PUT rates on a versioned bucket against an unversioned one,
//!   and ListObjectVersions and GET of a key with 10,000 versions against
//!   keys with few; see `versions.rs`.
//! - `policy`: 4 KiB GETs on a bucket with a 20-statement policy against
//!   one with none; see `policy.rs`.
//! - `identity`: 4 KiB GETs as an IAM user with 10 attached policies
//!   against the account root (the bench's key); see `identity.rs`.
//! - `lifecycle`, only with `--lifecycle-objects N`: the rate at which the
//!   store's lifecycle walk expires N objects, and 4 KiB PUT/GET while it
//!   does against idle; see `lifecycle.rs`.
//! - `failover`, only with `--failover-seconds N`: 4 KiB PUTs while
//!   someone kills the metadata leader, and the longest stall per kill;
//!   see `failover.rs`.
//! - `scale`, only with `--scale-objects N`: N small objects PUT and left
//!   in a bucket of their own, PUT rate per window, HEAD/GET latency as
//!   the count grows, and a full listing; see `scale.rs`.
//!
//! While a phase runs, a progress line goes to stderr about once a second.
//! Figures go to stdout as `RESULT <name> <value> <unit>`; MB is 10^6 bytes.
//! Failed requests are counted (the client does not retry) and reported as
//! `RESULT <phase>_errors <n> count`; a phase that cannot produce its figures
//! prints why and makes the run end with an error after the other phases.
//! The bucket is created if missing; objects the run created are deleted
//! after each phase, and the bucket at the end if the run created it.

mod cleanup;
mod cpu;
mod failover;
mod iam;
mod identity;
mod lifecycle;
mod memory;
mod metrics_page;
mod policy;
mod report;
mod requests;
mod scale;
mod sse;
mod versions;

/// The same allocator as the store: the SDK allocates many small buffers
/// across threads, and the client shares the machine with the store, so a
/// slower client allocator would lower the figures measured.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cpu::{cpu_time, CpuMark};
use memory::{read_mem_kib, MemSampler};
use metrics_page::{default_metrics_url, scrape, MetricsUrl, RequestCosts};
use report::{
    describe, drain, random_bytes, report_costs, report_cpu, report_cpu_per_request, report_small,
    report_throughput, result, Progress, Ticker,
};
use requests::put_bytes;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
    StalledStreamProtectionConfig,
};
use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{
    ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier,
};
use aws_sdk_s3::Client;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use rand::{Rng, RngCore};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;
/// Size of a small object.
const SMALL_BYTES: usize = 4096;
/// Object size of the medium phase, in MiB.
const MEDIUM_MIB: u64 = 1;
/// Parts uploaded at once in the multipart phase.
const MP_CONCURRENCY: usize = 8;
/// Largest object a single PutObject may carry.
const MAX_PUT_BYTES: u64 = 5 * GIB;

/// A phase `--skip` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Phase {
    /// Large-object PUT and GET throughput.
    Large,
    /// 1 MiB PUT and GET throughput.
    Medium,
    /// 4 KiB PUT and GET rate and latency.
    Small,
    /// CompleteMultipartUpload of `--parts` parts of `--part-mib` MiB.
    Multipart,
    /// One big object PUT and GET, with the store's peak memory.
    Big,
    /// 4 KiB and 1 MiB PUTs on a versioned bucket against an unversioned one.
    VersionsPut,
    /// ListObjectVersions pages of a key with `--history-versions` versions
    /// against a key with 10.
    VersionsList,
    /// GET of the latest version of a key with `--history-versions`
    /// versions against a key with one.
    VersionsGet,
    /// The three versioning phases.
    Versions,
    /// 4 KiB GETs on a bucket with a 20-statement policy against none.
    Policy,
    /// 4 KiB GETs as an IAM user with 10 attached policies (and one with
    /// one) against the account root, on a bucket with a policy.
    Identity,
    /// Lifecycle expiration of `--lifecycle-objects` objects, and 4 KiB
    /// PUT/GET while it runs against idle (off without that option).
    Lifecycle,
}

impl Phase {
    /// Its name on the command line, in keys and in messages.
    fn name(self) -> &'static str {
        match self {
            Phase::Large => "large",
            Phase::Medium => "medium",
            Phase::Small => "small",
            Phase::Multipart => "multipart",
            Phase::Big => "big",
            Phase::VersionsPut => "versions-put",
            Phase::VersionsList => "versions-list",
            Phase::VersionsGet => "versions-get",
            Phase::Versions => "versions",
            Phase::Policy => "policy",
            Phase::Identity => "identity",
            Phase::Lifecycle => "lifecycle",
        }
    }

    /// Progress-line names of a throughput phase's PUT and GET loops.
    fn put_get_tickers(self) -> (&'static str, &'static str) {
        match self {
            Phase::Large => ("large put", "large get"),
            Phase::Medium => ("medium put", "medium get"),
            Phase::Small
            | Phase::Multipart
            | Phase::Big
            | Phase::VersionsPut
            | Phase::VersionsList
            | Phase::VersionsGet
            | Phase::Versions
            | Phase::Policy
            | Phase::Identity
            | Phase::Lifecycle => {
                unreachable!("{} is not a throughput phase", self.name())
            }
        }
    }
}

/// Options of `predastore-bench`.
#[derive(clap::Parser, Debug, Clone)]
#[command(
    name = "predastore-bench",
    version,
    about = "Load-test a running S3 store and print `RESULT` lines"
)]
pub struct BenchArgs {
    /// S3 endpoint of the store.
    #[arg(long, default_value = "http://127.0.0.1:9000")]
    pub endpoint: String,
    /// Access key.
    #[arg(long, env = "PREDASTORE_ACCESS_KEY", default_value = "predastore")]
    pub access_key: String,
    /// Secret key.
    #[arg(
        long,
        env = "PREDASTORE_SECRET_KEY",
        default_value = "predastore-secret",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub secret_key: String,
    /// Bucket to use; created if missing (and then removed at the end).
    #[arg(long, default_value = "bench")]
    pub bucket: String,
    /// Length of each timed phase, in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub seconds: u64,
    /// Object size of the large phase, in MiB.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=5120))]
    pub large_mib: u64,
    /// Concurrent clients of the large phase.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub large_clients: u64,
    /// Concurrent clients of the medium (1 MiB) phase.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub medium_clients: u64,
    /// Concurrent clients of the small phase.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub small_clients: u64,
    /// Parts of the multipart phase.
    #[arg(long, default_value_t = 75, value_parser = clap::value_parser!(i32).range(1..=10_000))]
    pub parts: i32,
    /// Size of one multipart part, in MiB (S3's minimum is 5).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(5..=5120))]
    pub part_mib: u64,
    /// Size of the big object, in GiB (fractions allowed, at most 5).
    #[arg(long, default_value_t = 1.0)]
    pub big_gib: f64,
    /// Process id of the store, to sample its memory and CPU time (Linux /proc).
    #[arg(long)]
    pub pid: Option<u32>,
    /// Another process of the store (a cluster's other nodes on this
    /// machine), whose CPU time counts in the store's CPU seconds per GB
    /// with `--pid`'s; may be given more than once.
    #[arg(long, requires = "pid")]
    pub also_pid: Vec<u32>,
    /// Versions of the deep key of the `versions-list` and `versions-get`
    /// phases.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(11..=1_000_000))]
    pub history_versions: u64,
    /// Page size (max-keys) of the `versions-list` phase.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub list_max_keys: u64,
    /// Objects the `lifecycle` phase expires; 0 (the default) leaves the
    /// phase off, as it needs a store with a short lifecycle day.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=10_000_000))]
    pub lifecycle_objects: u64,
    /// The store's lifecycle day in seconds (its
    /// `PREDASTORE_LIFECYCLE_DAY_SECS`), for the `lifecycle` phase.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub lifecycle_day_secs: u64,
    /// The store's Prometheus metrics, read by the `lifecycle` phase and,
    /// for the metadata reads and signature checks each request costs, by
    /// the `small` phase (plain HTTP; default: the endpoint's `/metrics`).
    #[arg(long)]
    pub metrics_url: Option<String>,
    /// Phases to skip, comma separated (`versions` skips the three
    /// versioning phases).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub skip: Vec<Phase>,
    /// Let the SDK send and check no checksums unless an operation needs them
    /// (by default PUTs carry a CRC32 and GETs ask for and check it).
    #[arg(long)]
    pub no_checksums: bool,
    /// Write (and read) the objects with server-side encryption.
    #[arg(long, value_enum, default_value = "none")]
    pub sse: sse::SseMode,
    /// Give up on one request after this many seconds.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_secs: u64,
    /// Directory for the big phase's source file (default: the system's
    /// temporary directory).
    #[arg(long)]
    pub tmp_dir: Option<PathBuf>,
    /// CA certificate (PEM) to trust for an `https://` endpoint, instead
    /// of the system's roots (e.g. the `ca.pem` of `predastore tls init`).
    #[arg(long)]
    pub ca_bundle: Option<PathBuf>,
    /// Options of the `failover` phase (off by default).
    #[command(flatten)]
    pub failover: failover::FailoverArgs,
    /// Options of the `scale` phase (off by default).
    #[command(flatten)]
    pub scale: scale::ScaleArgs,
}

/// Runs the bench on its own Tokio runtime; exits 1 on failure.
fn main() {
    let args = <BenchArgs as clap::Parser>::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("predastore-bench: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(args)) {
        eprintln!("predastore-bench: {e}");
        std::process::exit(1);
    }
}

/// Runs the phases `args` asks for against a running store.
pub async fn run(args: BenchArgs) -> Result<(), Box<dyn std::error::Error>> {
    let big_bytes = big_object_bytes(args.big_gib)?;
    if let Some(pid) = args.pid {
        read_mem_kib(pid)
            .map_err(|e| format!("--pid {pid}: cannot read /proc/{pid}/status: {e}"))?;
    }
    for pid in &args.also_pid {
        cpu_time(&pid.to_string())
            .map_err(|e| format!("--also-pid {pid}: cannot read /proc/{pid}/stat: {e}"))?;
    }
    let client = make_client(&args).map_err(|e| e.to_string())?;
    let bucket = args.bucket.clone();
    let created_bucket = ensure_bucket(&client, &bucket)
        .await
        .map_err(|e| format!("bucket {bucket}: {e}"))?;
    let bench = Bench {
        client,
        bucket,
        run_id: format!("bench-{:08x}", rand::rng().next_u32()),
        seconds: Duration::from_secs(args.seconds),
        checksums: !args.no_checksums,
        parts: args.parts,
        part_bytes: usize::try_from(args.part_mib * MIB)?,
        store_pids: args
            .pid
            .into_iter()
            .chain(args.also_pid.iter().copied())
            .collect(),
        metrics: MetricsUrl::parse(
            &args
                .metrics_url
                .clone()
                .unwrap_or_else(|| default_metrics_url(&args.endpoint)),
        )
        .ok(),
    };
    eprintln!(
        "bench: endpoint {}, bucket {}, keys under {}/, {} s per timed phase",
        args.endpoint, bench.bucket, bench.run_id, args.seconds
    );

    let mut failed = Vec::new();
    let skip = |p: Phase| args.skip.contains(&p);
    for (phase, clients, mib) in [
        (Phase::Large, args.large_clients, args.large_mib),
        (Phase::Medium, args.medium_clients, MEDIUM_MIB),
    ] {
        if skip(phase) {
            continue;
        }
        if let Err(e) = bench
            .throughput(phase, usize::try_from(clients)?, mib)
            .await
        {
            eprintln!("{} phase failed: {e}", phase.name());
            failed.push(phase.name());
        }
    }
    if !skip(Phase::Small) {
        let clients = usize::try_from(args.small_clients)?;
        if let Err(e) = bench.small(clients).await {
            eprintln!("small phase failed: {e}");
            failed.push("small");
        }
    }
    versions::run(&bench, &args, &mut failed).await;
    policy::run(&bench, &args, &mut failed).await;
    identity::run(&bench, &args, &mut failed).await;
    if !skip(Phase::Multipart) {
        if let Err(e) = bench.multipart().await {
            eprintln!("multipart phase failed: {e}");
            failed.push("multipart");
        }
    }
    if !skip(Phase::Big) {
        let dir = args.tmp_dir.clone().unwrap_or_else(std::env::temp_dir);
        if let Err(e) = bench.big(big_bytes, &dir, args.pid).await {
            eprintln!("big phase failed: {e}");
            failed.push("big");
        }
    }
    lifecycle::run(&bench, &args, &mut failed).await;
    failover::run(&bench, &args, &mut failed).await;
    scale::run(&bench, &args, &mut failed).await;

    if created_bucket {
        if let Err(e) = bench
            .client
            .delete_bucket()
            .bucket(&bench.bucket)
            .send()
            .await
        {
            eprintln!(
                "warning: could not delete bucket {}: {}",
                bench.bucket,
                describe(&e)
            );
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("phases failed: {}", failed.join(", ")).into())
    }
}

/// The big object's size in bytes from `--big-gib`.
fn big_object_bytes(gib: f64) -> Result<u64, String> {
    if !gib.is_finite() || gib <= 0.0 {
        return Err(format!("--big-gib {gib}: must be a positive number"));
    }
    let bytes = (gib * GIB as f64).round();
    if bytes < 1.0 || bytes > MAX_PUT_BYTES as f64 {
        return Err(format!(
            "--big-gib {gib}: must be at most 5 (the largest single PUT)"
        ));
    }
    Ok(bytes as u64)
}

/// An S3 client for the bench: path-style, us-east-1, no retries (errors are
/// counted), timeouts long enough for a multi-GiB request.
fn make_client(args: &BenchArgs) -> Result<Client, BoxError> {
    make_client_as(args, &args.access_key, &args.secret_key)
}

/// [`make_client`] signing with other keys.
fn make_client_as(
    args: &BenchArgs,
    access_key: &str,
    secret_key: &str,
) -> Result<Client, BoxError> {
    let timeout = Duration::from_secs(args.timeout_secs);
    let (request_checksums, response_checksums) = if args.no_checksums {
        (
            RequestChecksumCalculation::WhenRequired,
            ResponseChecksumValidation::WhenRequired,
        )
    } else {
        (
            RequestChecksumCalculation::WhenSupported,
            ResponseChecksumValidation::WhenSupported,
        )
    };
    let credentials = Credentials::new(
        access_key.to_string(),
        secret_key.to_string(),
        None,
        None,
        "predastore-bench",
    );
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials)
        .endpoint_url(args.endpoint.clone())
        .force_path_style(true)
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .read_timeout(timeout)
                .operation_attempt_timeout(timeout)
                .operation_timeout(timeout)
                .build(),
        )
        .stalled_stream_protection(
            StalledStreamProtectionConfig::enabled()
                .grace_period(Duration::from_secs(60))
                .build(),
        )
        .request_checksum_calculation(request_checksums)
        .response_checksum_validation(response_checksums);
    let config = match &args.ca_bundle {
        Some(path) => config.http_client(trusting(path)?),
        None => config,
    };
    let config = match sse::SseHeaders::new(args.sse) {
        Some(headers) => config.interceptor(headers),
        None => config,
    };
    Ok(Client::from_conf(config.build()))
}

/// An HTTP client that trusts only the CA certificate in `path`.
fn trusting(path: &std::path::Path) -> Result<aws_sdk_s3::config::SharedHttpClient, BoxError> {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
    let ca = std::fs::read(path).map_err(|e| format!("--ca-bundle {}: {e}", path.display()))?;
    let context = TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(ca))
        .build()?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https())
}

/// Makes sure `bucket` exists; true if this call created it.
async fn ensure_bucket(client: &Client, bucket: &str) -> Result<bool, BoxError> {
    if client.head_bucket().bucket(bucket).send().await.is_ok() {
        return Ok(false);
    }
    match client.create_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(true),
        Err(e) => {
            let owned = e
                .as_service_error()
                .is_some_and(|s| s.is_bucket_already_owned_by_you());
            if owned {
                Ok(false)
            } else {
                Err(describe(&e).to_string().into())
            }
        }
    }
}

/// What one timed loop of requests did.
struct Timed {
    progress: Arc<Progress>,
    elapsed: Duration,
    /// Latency of each request that succeeded.
    latencies: Vec<Duration>,
    /// Keys stored (PUT loops).
    keys: Vec<String>,
}

/// What the phases share.
struct Bench {
    client: Client,
    bucket: String,
    run_id: String,
    seconds: Duration,
    checksums: bool,
    /// Parts of the multipart phase.
    parts: i32,
    /// Bytes per multipart part.
    part_bytes: usize,
    /// The store's processes, whose CPU time throughput phases report.
    store_pids: Vec<u32>,
    /// The store's `/metrics` page, if its URL can be read.
    metrics: Option<MetricsUrl>,
}

impl Bench {
    /// A throughput phase (`large` or `medium`): PUT objects of `mib` MiB
    /// from `clients` clients for the phase length, then GET them for as
    /// long; reports `put_<mib>mib_mb_s` and `get_<mib>mib_mb_s`.
    async fn throughput(&self, phase: Phase, clients: usize, mib: u64) -> Result<(), BoxError> {
        let size = usize::try_from(mib * MIB)?;
        let (put_ticker, get_ticker) = phase.put_get_tickers();
        let cpu = CpuMark::now(&self.store_pids);
        let put = self
            .put_loop(
                &self.bucket,
                put_ticker,
                phase.name(),
                clients,
                random_bytes(size),
            )
            .await?;
        report_throughput(&format!("put_{mib}mib"), &put.progress, put.elapsed);
        report_cpu(&format!("put_{mib}mib"), &cpu, put.progress.bytes());
        let cpu = CpuMark::now(&self.store_pids);
        let outcome = match self
            .get_loop(&self.bucket, get_ticker, clients, &put.keys, size as u64)
            .await
        {
            Ok(get) => {
                report_throughput(&format!("get_{mib}mib"), &get.progress, get.elapsed);
                report_cpu(&format!("get_{mib}mib"), &cpu, get.progress.bytes());
                Ok(())
            }
            Err(e) => Err(e),
        };
        self.delete_keys(phase.name(), put.keys).await;
        outcome
    }

    /// 4 KiB PUTs, then GETs of what was put, at `clients` concurrency.
    async fn small(&self, clients: usize) -> Result<(), BoxError> {
        let before = self.request_costs().await;
        let cpu = CpuMark::now(&self.store_pids);
        let mut put = self
            .put_loop(
                &self.bucket,
                "small put",
                "small",
                clients,
                random_bytes(SMALL_BYTES),
            )
            .await?;
        report_cpu_per_request("put_4k", &cpu, put.latencies.len());
        report_small("put_4k", &put.progress, put.elapsed, &mut put.latencies);
        let after_put = self.request_costs().await;
        let cpu = CpuMark::now(&self.store_pids);
        report_costs("put_4k", before.as_ref(), after_put.as_ref(), &put.progress);
        let outcome = match self
            .get_loop(
                &self.bucket,
                "small get",
                clients,
                &put.keys,
                SMALL_BYTES as u64,
            )
            .await
        {
            Ok(mut get) => {
                report_cpu_per_request("get_4k", &cpu, get.latencies.len());
                report_small("get_4k", &get.progress, get.elapsed, &mut get.latencies);
                let after_get = self.request_costs().await;
                report_costs(
                    "get_4k",
                    after_put.as_ref(),
                    after_get.as_ref(),
                    &get.progress,
                );
                Ok(())
            }
            Err(e) => Err(e),
        };
        self.delete_keys("small", put.keys).await;
        outcome
    }

    /// The store's metadata reads and signature checks so far; `None` if
    /// its metrics cannot be read or do not count them.
    async fn request_costs(&self) -> Option<RequestCosts> {
        let text = scrape(self.metrics.as_ref()?).await.ok()?;
        RequestCosts::of(&text)
    }

    /// `clients` clients PUT `body` under new keys until the phase ends.
    async fn put_loop(
        &self,
        bucket: &str,
        ticker: &'static str,
        phase: &str,
        clients: usize,
        body: Bytes,
    ) -> Result<Timed, BoxError> {
        let progress = Arc::new(Progress::default());
        let ticker = Ticker::start(ticker, progress.clone());
        let started = Instant::now();
        let deadline = started + self.seconds;
        let mut tasks = Vec::with_capacity(clients);
        for c in 0..clients {
            let client = self.client.clone();
            let bucket = bucket.to_owned();
            let prefix = format!("{}/{phase}/{c}", self.run_id);
            let body = body.clone();
            let p = progress.clone();
            tasks.push(tokio::spawn(async move {
                let mut keys = Vec::new();
                let mut latencies = Vec::new();
                let mut i = 0u64;
                while Instant::now() < deadline {
                    let key = format!("{prefix}/{i}");
                    i += 1;
                    let t0 = Instant::now();
                    let put = put_bytes(&client, &bucket, &key, &body).await;
                    match put {
                        Ok(_) => {
                            latencies.push(t0.elapsed());
                            p.done(body.len() as u64);
                            keys.push(key);
                        }
                        Err(e) => p.error("PutObject", describe(&e)),
                    }
                }
                (keys, latencies)
            }));
        }
        let mut keys = Vec::new();
        let mut latencies = Vec::new();
        for t in tasks {
            let (k, l) = t.await?;
            keys.extend(k);
            latencies.extend(l);
        }
        let elapsed = started.elapsed();
        drop(ticker);
        Ok(Timed {
            progress,
            elapsed,
            latencies,
            keys,
        })
    }

    /// `clients` clients GET random ones of `keys` (each `size` bytes)
    /// until the phase ends.
    async fn get_loop(
        &self,
        bucket: &str,
        ticker: &'static str,
        clients: usize,
        keys: &[String],
        size: u64,
    ) -> Result<Timed, BoxError> {
        self.get_loop_as(&self.client, bucket, ticker, clients, keys, size)
            .await
    }

    /// [`Bench::get_loop`] signing with `client`'s keys.
    async fn get_loop_as(
        &self,
        client: &Client,
        bucket: &str,
        ticker: &'static str,
        clients: usize,
        keys: &[String],
        size: u64,
    ) -> Result<Timed, BoxError> {
        if keys.is_empty() {
            return Err(format!("{ticker}: no object was stored, nothing to GET").into());
        }
        let keys: Arc<[String]> = keys.into();
        let progress = Arc::new(Progress::default());
        let ticker = Ticker::start(ticker, progress.clone());
        let started = Instant::now();
        let deadline = started + self.seconds;
        let mut tasks = Vec::with_capacity(clients);
        for _ in 0..clients {
            let client = client.clone();
            let bucket = bucket.to_owned();
            let keys = keys.clone();
            let p = progress.clone();
            let checksums = self.checksums;
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let key = &keys[rand::rng().random_range(0..keys.len())];
                    let t0 = Instant::now();
                    match get_object(&client, &bucket, key, checksums).await {
                        Ok(n) if n == size => {
                            latencies.push(t0.elapsed());
                            p.done(n);
                        }
                        Ok(n) => {
                            p.add_bytes(n);
                            p.error("GetObject", format!("{key}: {n} bytes, want {size}"));
                        }
                        Err(e) => p.error("GetObject", e),
                    }
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for t in tasks {
            latencies.extend(t.await?);
        }
        let elapsed = started.elapsed();
        drop(ticker);
        Ok(Timed {
            progress,
            elapsed,
            latencies,
            keys: Vec::new(),
        })
    }

    /// Uploads the multipart phase's parts, 8 at a time, and times only the
    /// CompleteMultipartUpload.
    async fn multipart(&self) -> Result<(), BoxError> {
        let key = format!("{}/multipart", self.run_id);
        let mut create = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(&key);
        if self.checksums {
            create = create.checksum_algorithm(ChecksumAlgorithm::Crc32);
        }
        let created = create
            .send()
            .await
            .map_err(|e| format!("CreateMultipartUpload: {}", describe(&e)))?;
        let upload_id = created
            .upload_id()
            .ok_or("CreateMultipartUpload answered no UploadId")?
            .to_string();

        let outcome = self.multipart_inner(&key, &upload_id).await;
        if outcome.is_err() {
            let abort = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(&key)
                .upload_id(&upload_id)
                .send()
                .await;
            if let Err(e) = abort {
                eprintln!(
                    "warning: could not abort the multipart upload: {}",
                    describe(&e)
                );
            }
        }
        self.delete_keys("multipart", vec![key]).await;
        outcome
    }

    async fn multipart_inner(&self, key: &str, upload_id: &str) -> Result<(), BoxError> {
        let body = random_bytes(self.part_bytes);
        let progress = Arc::new(Progress::default());
        let ticker = Ticker::start("multipart parts", progress.clone());
        let mut parts: Vec<CompletedPart> = futures::stream::iter(1..=self.parts)
            .map(|n| {
                let body = body.clone();
                let p = progress.clone();
                async move {
                    let mut req = self
                        .client
                        .upload_part()
                        .bucket(&self.bucket)
                        .key(key)
                        .upload_id(upload_id)
                        .part_number(n)
                        .content_length(body.len() as i64)
                        .body(ByteStream::from(body.clone()));
                    if self.checksums {
                        req = req.checksum_algorithm(ChecksumAlgorithm::Crc32);
                    }
                    let out = req.send().await.map_err(|e| {
                        p.error("UploadPart", describe(&e));
                        format!("UploadPart {n}: {}", describe(&e))
                    })?;
                    p.done(body.len() as u64);
                    let etag = out
                        .e_tag()
                        .ok_or_else(|| format!("UploadPart {n} answered no ETag"))?;
                    Ok::<_, String>(
                        CompletedPart::builder()
                            .part_number(n)
                            .e_tag(etag)
                            .set_checksum_crc32(out.checksum_crc32().map(str::to_string))
                            .build(),
                    )
                }
            })
            .buffer_unordered(MP_CONCURRENCY)
            .try_collect()
            .await?;
        drop(ticker);
        parts.sort_by_key(|p| p.part_number());

        let started = Instant::now();
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| format!("CompleteMultipartUpload: {}", describe(&e)))?;
        let complete = started.elapsed();
        eprintln!(
            "[multipart] CompleteMultipartUpload of {} parts took {:.3} s",
            self.parts,
            complete.as_secs_f64()
        );
        let name = format!(
            "complete_{}x{}mib_s",
            self.parts,
            self.part_bytes as u64 / MIB
        );
        result(&name, complete.as_secs_f64(), "s");

        let head = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| format!("HeadObject after completion: {}", describe(&e)))?;
        let want = i64::from(self.parts) * self.part_bytes as i64;
        if head.content_length() != Some(want) {
            return Err(format!(
                "completed object has length {:?}, want {want}",
                head.content_length()
            )
            .into());
        }
        Ok(())
    }

    /// One `size`-byte object PUT from a file and GET to a sink, sampling
    /// the store's memory if `pid` is given.
    async fn big(&self, size: u64, dir: &Path, pid: Option<u32>) -> Result<(), BoxError> {
        let tmp = TempDir::new(dir.join(format!("predastore-{}", self.run_id)))?;
        let path = tmp.0.join("big.bin");
        eprintln!(
            "[big] writing a {:.2} GiB source file to {}",
            size as f64 / GIB as f64,
            path.display()
        );
        {
            let path = path.clone();
            tokio::task::spawn_blocking(move || write_random_file(&path, size)).await??;
        }

        let sampler = pid.map(MemSampler::start);
        let key = format!("{}/big", self.run_id);
        let outcome = self.big_inner(&key, &path, size).await;
        if let Some(sampler) = sampler {
            let (peak_kib, hwm_kib) = sampler.stop().await;
            match peak_kib {
                Some(kib) => result("peak_rss_mib", kib as f64 / 1024.0, "MiB"),
                None => eprintln!("[big] the store's memory could not be sampled"),
            }
            if let Some(kib) = hwm_kib {
                eprintln!(
                    "[big] the store's VmHWM (peak over its whole life) is {:.1} MiB",
                    kib as f64 / 1024.0
                );
            }
        } else {
            eprintln!("[big] no --pid: the store's memory is not sampled");
        }
        self.delete_keys("big", vec![key]).await;
        outcome
    }

    async fn big_inner(&self, key: &str, path: &Path, size: u64) -> Result<(), BoxError> {
        let progress = Arc::new(Progress::default());
        let ticker = Ticker::with_note(
            "big put",
            " (the bytes count once the PUT completes)",
            progress.clone(),
        );
        let body = ByteStream::read_from()
            .path(path)
            .buffer_size(MIB as usize)
            .length(Length::Exact(size))
            .build()
            .await?;
        let started = Instant::now();
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(i64::try_from(size)?)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("PutObject: {}", describe(&e)))?;
        let put = started.elapsed();
        progress.done(size);
        drop(ticker);
        result(
            "big_put_mb_s",
            size as f64 / put.as_secs_f64() / 1e6,
            "MB/s",
        );

        let progress = Arc::new(Progress::default());
        let ticker = Ticker::start("big get", progress.clone());
        let started = Instant::now();
        let mut req = self.client.get_object().bucket(&self.bucket).key(key);
        if self.checksums {
            req = req.checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled);
        }
        let out = req
            .send()
            .await
            .map_err(|e| format!("GetObject: {}", describe(&e)))?;
        let mut body = out.body;
        let mut n = 0u64;
        while let Some(chunk) = body.try_next().await? {
            n += chunk.len() as u64;
            progress.add_bytes(chunk.len() as u64);
        }
        let get = started.elapsed();
        progress.done(0);
        drop(ticker);
        if n != size {
            return Err(format!("GetObject returned {n} bytes, want {size}").into());
        }
        result(
            "big_get_mb_s",
            size as f64 / get.as_secs_f64() / 1e6,
            "MB/s",
        );
        Ok(())
    }

    /// Deletes `keys` (best effort): DeleteObjects in batches of 1000, or one
    /// DeleteObject each where that fails.
    async fn delete_keys(&self, phase: &str, keys: Vec<String>) {
        let mut failed = 0usize;
        for batch in keys.chunks(1000) {
            let objects: Result<Vec<_>, _> = batch
                .iter()
                .map(|k| ObjectIdentifier::builder().key(k).build())
                .collect();
            let bulk = match objects {
                Ok(objects) => match Delete::builder()
                    .set_objects(Some(objects))
                    .quiet(true)
                    .build()
                {
                    Ok(delete) => self
                        .client
                        .delete_objects()
                        .bucket(&self.bucket)
                        .delete(delete)
                        .send()
                        .await
                        .ok()
                        .filter(|out| out.errors().is_empty()),
                    Err(_) => None,
                },
                Err(_) => None,
            };
            if bulk.is_some() {
                continue;
            }
            failed += futures::stream::iter(batch)
                .map(|k| async move {
                    self.client
                        .delete_object()
                        .bucket(&self.bucket)
                        .key(k)
                        .send()
                        .await
                        .is_err()
                })
                .buffer_unordered(16)
                .filter(|&err| async move { err })
                .count()
                .await;
        }
        if failed > 0 {
            eprintln!(
                "warning: {phase}: could not delete {failed} of {} objects",
                keys.len()
            );
        }
    }
}

/// GETs `key` and drains it; returns its length.
async fn get_object(
    client: &Client,
    bucket: &str,
    key: &str,
    checksums: bool,
) -> Result<u64, String> {
    let mut req = client.get_object().bucket(bucket).key(key);
    if checksums {
        req = req.checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled);
    }
    let out = req.send().await.map_err(|e| describe(&e).to_string())?;
    drain(out.body)
        .await
        .map_err(|e| format!("{key}: body: {e}"))
}

/// Writes `size` random bytes to a new file at `path`.
fn write_random_file(path: &Path, size: u64) -> std::io::Result<()> {
    let mut file = std::fs::File::create_new(path)?;
    let mut buf = vec![0u8; 8 * MIB as usize];
    let mut rng = rand::rng();
    let mut left = size;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        rng.fill_bytes(&mut buf[..n]);
        file.write_all(&buf[..n])?;
        left -= n as u64;
    }
    file.sync_all()
}

/// A directory removed with its contents when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(path: PathBuf) -> std::io::Result<TempDir> {
        std::fs::create_dir(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            eprintln!("warning: could not remove {}: {e}", self.0.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_size_is_checked() {
        assert_eq!(big_object_bytes(1.0), Ok(GIB));
        assert_eq!(big_object_bytes(0.5), Ok(GIB / 2));
        assert!(big_object_bytes(0.0).is_err());
        assert!(big_object_bytes(-1.0).is_err());
        assert!(big_object_bytes(f64::NAN).is_err());
        assert!(big_object_bytes(6.0).is_err());
    }

    fn parse(args: &[&str]) -> Result<BenchArgs, clap::Error> {
        <BenchArgs as clap::Parser>::try_parse_from(
            std::iter::once("predastore-bench").chain(args.iter().copied()),
        )
    }

    #[test]
    fn skip_parses_every_phase() {
        assert!(parse(&[]).unwrap().skip.is_empty());
        let args = parse(&["--skip", "large,medium,small,multipart,big"]).unwrap();
        assert_eq!(
            args.skip,
            [
                Phase::Large,
                Phase::Medium,
                Phase::Small,
                Phase::Multipart,
                Phase::Big
            ]
        );
        let args = parse(&["--skip", "versions,versions-put,versions-list,versions-get"]).unwrap();
        assert_eq!(
            args.skip,
            [
                Phase::Versions,
                Phase::VersionsPut,
                Phase::VersionsList,
                Phase::VersionsGet
            ]
        );
        let args = parse(&["--skip", "medium"]).unwrap();
        assert_eq!(args.skip, [Phase::Medium]);
        assert!(parse(&["--skip", "huge"]).is_err());
        // A phase's name on the command line is the one it reports under.
        for p in <Phase as clap::ValueEnum>::value_variants() {
            assert_eq!(
                <Phase as clap::ValueEnum>::from_str(p.name(), false),
                Ok(*p)
            );
        }
    }

    #[test]
    fn versions_options_default_and_range() {
        let args = parse(&[]).unwrap();
        assert_eq!((args.history_versions, args.list_max_keys), (10_000, 100));
        assert!(parse(&["--history-versions", "10"]).is_err());
        assert!(parse(&["--list-max-keys", "0"]).is_err());
        assert!(parse(&["--list-max-keys", "1001"]).is_err());
        assert_eq!(
            parse(&["--list-max-keys", "1000"]).unwrap().list_max_keys,
            1000
        );
    }

    #[test]
    fn medium_clients_default_and_range() {
        assert_eq!(parse(&[]).unwrap().medium_clients, 8);
        assert_eq!(
            parse(&["--medium-clients", "32"]).unwrap().medium_clients,
            32
        );
        assert!(parse(&["--medium-clients", "0"]).is_err());
    }
}
