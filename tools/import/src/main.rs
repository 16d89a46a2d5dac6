//! `predastore-import`: buckets moved in from another S3 endpoint
//! (MinIO, AWS, another predastore) over S3 itself: each bucket with its
//! versioning state, every version and delete marker of every key in the
//! order they were made, with metadata, tags, retention and legal hold,
//! then the bucket's settings (object lock default, policy, Block Public
//! Access, lifecycle, CORS, tags, default encryption, ownership).
//!
//! Keys go in parallel, a key's versions one after another. Each version
//! is checked as it lands (size, and the ETag when it is its bytes' MD5).
//! The position is kept in a state file ([`state`]), so a killed import
//! run again goes on where it was, writing no version twice. What cannot
//! be carried is listed with why, never dropped silently.

mod copy;
mod error;
mod report;
mod settings;
mod state;
mod versions;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::Client;
use clap::Parser;
use futures::StreamExt;

use copy::{carry_key, Carrier, Limiter};
use error::{s3_error, ImportError, Side};
use report::{BucketReport, Problem, Summary};
use settings::BucketSettings;
use state::ImportState;
use versions::VersionLister;

/// `predastore-import`'s options.
#[derive(Parser, Debug)]
#[command(
    version,
    about = "Buckets moved into predastore from another S3 endpoint (MinIO, AWS, another store): versions in order, settings, resumable"
)]
struct ImportArgs {
    /// This store's S3 endpoint (a gateway's HTTP address).
    #[arg(
        long,
        env = "PREDASTORE_ADMIN_URL",
        default_value = "http://127.0.0.1:9000"
    )]
    url: String,
    /// Print the summary as JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// The source's S3 endpoint, e.g. http://minio:9000.
    #[arg(long, env = "PREDASTORE_IMPORT_SOURCE_URL")]
    source_url: String,
    /// The source's access key.
    #[arg(long, env = "PREDASTORE_IMPORT_SOURCE_ACCESS_KEY")]
    source_access_key: String,
    /// The source's secret key.
    #[arg(
        long,
        env = "PREDASTORE_IMPORT_SOURCE_SECRET_KEY",
        hide_env_values = true
    )]
    source_secret_key: String,
    /// The region the source's requests are signed for.
    #[arg(long, default_value = "us-east-1")]
    source_region: String,
    /// The access key buckets are made and written with here (their owner).
    #[arg(long, env = "PREDASTORE_ACCESS_KEY")]
    access_key: String,
    /// Its secret key.
    #[arg(long, env = "PREDASTORE_SECRET_KEY", hide_env_values = true)]
    secret_key: String,
    /// This store's region (PREDASTORE_REGION).
    #[arg(long, env = "PREDASTORE_REGION", default_value = "us-east-1")]
    region: String,
    /// A bucket to carry (repeatable; default: every bucket the source key lists).
    #[arg(long = "bucket")]
    buckets: Vec<String>,
    /// Where the position is kept between runs.
    #[arg(long, default_value = "predastore-import.json")]
    state: PathBuf,
    /// Keys carried at once.
    #[arg(long, default_value_t = 8)]
    parallel: usize,
    /// Bytes per second at most, with K, M or G (binary) after the number
    /// (0: no limit).
    #[arg(long, default_value = "0", value_parser = parse_rate)]
    bwlimit: u64,
}

/// Runs the import; the exit code is 1 if something could not be
/// carried (listed in the summary), 2 on a usage error or if the import
/// stopped.
fn main() -> std::process::ExitCode {
    let args = ImportArgs::parse();
    match run(&args) {
        Ok(summary) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&summary).unwrap_or_default()
                );
            } else {
                print!("{}", report::render(&summary));
            }
            match summary["failed"].as_array() {
                Some(failed) if !failed.is_empty() => std::process::ExitCode::from(1),
                _ => std::process::ExitCode::SUCCESS,
            }
        }
        Err(message) => {
            eprintln!("predastore-import: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

/// `10M` as bytes per second.
fn parse_rate(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_uppercase()),
        _ => (text, 'B'),
    };
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        other => return Err(format!("unknown unit {other} (K, M or G)")),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("not a rate: {text}"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("not a rate: {text}"));
    }
    Ok((value * (1u64 << shift) as f64) as u64)
}

/// A client of `url` with the SDK's defaults (retries included), path-style.
fn client(url: &str, region: &str, access_key: &str, secret_key: &str) -> Client {
    let credentials = Credentials::new(access_key, secret_key, None, None, "predastore-import");
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(url)
        .credentials_provider(credentials)
        .force_path_style(true)
        .retry_config(RetryConfig::standard())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .build(),
        )
        .build();
    Client::from_conf(config)
}

/// Runs the import against this store; its summary as JSON (with a
/// `failed` list).
fn run(args: &ImportArgs) -> Result<serde_json::Value, String> {
    if args.parallel == 0 {
        return Err("--parallel must be at least 1".into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let summary = runtime.block_on(import(args)).map_err(|e| e.to_string())?;
    serde_json::to_value(&summary).map_err(|e| e.to_string())
}

/// The import itself.
async fn import(args: &ImportArgs) -> Result<Summary, ImportError> {
    let start = Instant::now();
    let mut state = ImportState::load(&args.state, &args.source_url)?;
    let source = client(
        &args.source_url,
        &args.source_region,
        &args.source_access_key,
        &args.source_secret_key,
    );
    let cx = Carrier {
        source: source.clone(),
        here: client(&args.url, &args.region, &args.access_key, &args.secret_key),
        limit: Limiter::new(args.bwlimit),
        progress: report::Progress::default(),
    };
    let buckets = if args.buckets.is_empty() {
        let listed = source
            .list_buckets()
            .send()
            .await
            .map_err(|e| s3_error(Side::Source, "list buckets", e))?;
        listed
            .buckets()
            .iter()
            .filter_map(|b| b.name().map(str::to_string))
            .collect()
    } else {
        args.buckets.clone()
    };
    let line = std::io::stderr().is_terminal().then(|| cx.progress.show());
    let mut summary = Summary::default();
    for bucket in &buckets {
        if state.position(bucket).done {
            summary.add(BucketReport {
                name: bucket.clone(),
                already_done: true,
                ..BucketReport::default()
            });
            continue;
        }
        let report =
            carry_bucket(&cx, &mut state, bucket, args, &mut summary, line.is_some()).await?;
        summary.add(report);
    }
    summary.seconds = start.elapsed().as_secs_f64();
    Ok(summary)
}

/// Adds a bucket's versions after `after` and their bytes to the work the
/// progress line shows.
async fn count(cx: &Carrier, bucket: &str, after: Option<String>) -> Result<(), ImportError> {
    let mut lister = VersionLister::after(cx.source.clone(), bucket, after);
    while let Some(keys) = lister.next_keys().await? {
        for key in keys {
            let bytes = key.versions.iter().map(|v| v.size).sum();
            cx.progress.to_do(key.versions.len() as u64, bytes);
        }
    }
    Ok(())
}

/// Carries one bucket: made here, its keys page by page (the frontier
/// written before a page starts, the watermark after), then its settings.
/// With `counting`, its versions are counted first for the progress line.
async fn carry_bucket(
    cx: &Carrier,
    state: &mut ImportState,
    bucket: &str,
    args: &ImportArgs,
    summary: &mut Summary,
    counting: bool,
) -> Result<BucketReport, ImportError> {
    let mut report = BucketReport {
        name: bucket.to_string(),
        ..BucketReport::default()
    };
    let settings = match BucketSettings::read(&cx.source, bucket).await {
        Ok(settings) => settings,
        Err(e) => {
            summary
                .failed
                .push(Problem::of_bucket(bucket, e.to_string()));
            return Ok(report);
        }
    };
    if let Err(e) = settings.create(&cx.here, bucket, &args.region).await {
        summary
            .failed
            .push(Problem::of_bucket(bucket, e.to_string()));
        return Ok(report);
    }
    let mut position = state.position(bucket);
    if counting {
        count(cx, bucket, position.watermark.clone()).await?;
    }
    let checked_until = position.frontier.clone();
    let mut lister = VersionLister::after(cx.source.clone(), bucket, position.watermark.clone());
    // Every key so far carried whole: the watermark may follow.
    let mut whole = true;
    let mut failed = false;
    loop {
        let keys = match lister.next_keys().await {
            Ok(Some(keys)) => keys,
            Ok(None) => break,
            Err(e) => {
                summary
                    .failed
                    .push(Problem::of_bucket(bucket, e.to_string()));
                failed = true;
                break;
            }
        };
        let last = keys.last().map(|k| k.key.clone());
        if last > position.frontier {
            position.frontier = last;
            state.save(bucket, position.clone())?;
        }
        let mut done = futures::stream::iter(keys)
            .map(|key| {
                let check = checked_until
                    .as_deref()
                    .is_some_and(|until| key.key.as_str() <= until);
                carry_key(cx, bucket, key, check)
            })
            .buffered(args.parallel);
        while let Some(key) = done.next().await {
            report.add(&key);
            whole &= key.failed.is_empty();
            if whole {
                position.watermark = Some(key.key.clone());
            }
            failed |= !key.failed.is_empty();
            summary.not_carried.extend(key.not_carried);
            summary.failed.extend(key.failed);
        }
        state.save(bucket, position.clone())?;
    }
    if failed {
        // The settings wait for the objects: a rerun puts them.
        return Ok(report);
    }
    let outcome = settings.apply(&cx.here, bucket).await;
    report.settings = outcome.carried;
    summary.not_carried.extend(outcome.not_carried);
    if outcome.failed.is_empty() {
        position.done = true;
        state.save(bucket, position)?;
    }
    summary.failed.extend(outcome.failed);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_takes_binary_units() {
        assert_eq!(parse_rate("0"), Ok(0));
        assert_eq!(parse_rate("512"), Ok(512));
        assert_eq!(parse_rate("10K"), Ok(10 << 10));
        assert_eq!(parse_rate("1.5m"), Ok(3 << 19));
        assert_eq!(parse_rate("2G"), Ok(2 << 30));
        assert!(parse_rate("3T").is_err());
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("-1M").is_err());
    }
}
