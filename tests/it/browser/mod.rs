//! Tests driven through a real headless Chromium (WebDriver, by
//! `chromedriver`), for what only a browser decides or shows: CORS
//! enforced by the browser itself, and pages (the web console).
//!
//! [`Browser::start`] installs Debian's `chromium` and `chromium-driver`
//! with `scripts/install-chromium.sh` when they are missing (once per test
//! process; a failed install fails the test, it is never skipped), starts
//! `chromedriver` on a free loopback port and opens a WebDriver session in
//! a fresh profile. Only one browser runs at a time in this process (each
//! Chromium takes a few hundred MB): a [`Browser`] holds [`ONE_BROWSER`]
//! until it drops, so a test must not start a second one while it holds
//! the first. Dropping it kills chromedriver and Chromium.
//!
//! Screenshots go to `target/screenshots/<name>.png` (see
//! [`Browser::screenshot`]), to look at after a run.
// Helpers for the browser tests to come (the console) are unused yet.
#![allow(dead_code)]

mod console;
mod cors;
mod iam;
mod post_form;
mod settings;

use std::fs::File;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::sync::{Mutex, MutexGuard};

use crate::common::http::http_request;
use crate::common::node::free_port;

/// The Chromium binary Debian's `chromium` package installs.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The WebDriver binary Debian's `chromium-driver` package installs.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long [`Browser::text`] waits for its element.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(10);

/// Held by the one running [`Browser`] of this process.
static ONE_BROWSER: Mutex<()> = Mutex::const_new(());

/// The outcome of `scripts/install-chromium.sh`, run at most once.
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();

/// Makes sure Chromium and chromedriver are installed: runs
/// `scripts/install-chromium.sh` (once per process) when either is
/// missing; panics with the script's output when that fails.
pub fn ensure_chromium() {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return;
    }
    let outcome = INSTALLED.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-chromium.sh");
        let out = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed ({}):\n{}{}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(e) = outcome {
        panic!("Chromium is needed by the browser tests: {e}");
    }
}

/// Where screenshots go: `$CARGO_TARGET_DIR/screenshots`, or
/// `target/screenshots` of this package.
pub fn screenshot_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| manifest.join(dir))
        .unwrap_or_else(|| manifest.join("target"));
    target.join("screenshots")
}

/// A headless Chromium driven over WebDriver, with its own profile and
/// download directory (both temporary).
pub struct Browser {
    client: Client,
    driver: Child,
    /// Holds the profile, `downloads/` and `chromedriver.log`.
    dir: tempfile::TempDir,
    downloads: PathBuf,
    _turn: MutexGuard<'static, ()>,
}

impl Browser {
    /// Waits for this process's browser turn, installs Chromium if needed,
    /// starts chromedriver and opens a session (headless, no sandbox,
    /// 1280×900, downloads saved to [`Browser::download_dir`] without a
    /// prompt).
    pub async fn start() -> Self {
        let turn = ONE_BROWSER.lock().await;
        ensure_chromium();
        let dir = tempfile::Builder::new()
            .prefix("predastore-browser-")
            .tempdir()
            .expect("create the browser's temporary directory");
        let downloads = dir.path().join("downloads");
        std::fs::create_dir(&downloads)
            .unwrap_or_else(|e| panic!("create {}: {e}", downloads.display()));
        // The WebDriver client's TLS (unused: chromedriver speaks plain
        // HTTP) needs a process-wide crypto provider, aws-lc-rs as the
        // store's (Err: one is installed already), and loads the system's
        // root certificates.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mut builder = ClientBuilder::rustls().expect(
            "WebDriver client: no system CA certificates? (apt-get install ca-certificates)",
        );
        let log = dir.path().join("chromedriver.log");
        // A session that fails to start (Chromium slow to come up on a
        // loaded machine) is tried once more, in a fresh profile.
        let mut failures = Vec::new();
        for attempt in 1..=2 {
            let profile = dir.path().join(format!("profile-{attempt}"));
            std::fs::create_dir(&profile)
                .unwrap_or_else(|e| panic!("create {}: {e}", profile.display()));
            let (mut driver, addr) = start_chromedriver(&log);
            builder.capabilities(capabilities(&profile, &downloads));
            match builder.connect(&format!("http://{addr}")).await {
                Ok(client) => {
                    return Self {
                        client,
                        driver,
                        dir,
                        downloads,
                        _turn: turn,
                    }
                }
                Err(e) => {
                    kill_group(&mut driver);
                    failures.push(format!("attempt {attempt}: {e}\n{}", tail(&log)));
                }
            }
        }
        panic!(
            "cannot open a Chromium session through chromedriver:\n{}",
            failures.join("\n")
        );
    }

    /// The WebDriver client, for anything the helpers here do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Navigates to `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("navigate to {url}: {e}"));
    }

    /// Saves a PNG of the viewport as `target/screenshots/<name>.png` (see
    /// [`screenshot_dir`]) and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// The first element matching the CSS selector `css`, waiting up to
    /// `timeout` for it to appear; panics (with the page's URL) if it
    /// does not.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        // Every error is retried until the deadline, not only a missing
        // element: a lookup that lands while a form's submission loads the
        // next page is "aborted by navigation".
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let e = match self.client.find(Locator::Css(css)).await {
                Ok(element) => return element,
                Err(e) => e,
            };
            if std::time::Instant::now() >= deadline {
                let url = self.client.current_url().await.map(|u| u.to_string());
                panic!("no element `{css}` within {timeout:?} on {url:?}: {e}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The rendered text of the first element matching `css` (waiting up to
    /// [`DEFAULT_WAIT`] for it).
    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css, DEFAULT_WAIT)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of `{css}`: {e}"))
    }

    /// Runs `js` as the body of a function in the page (`arguments` holds
    /// `args`) and returns what it `return`s, as JSON; panics if it throws.
    pub async fn eval(&self, js: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(js, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{js}"))
    }

    /// Runs `js` as an asynchronous script: its last argument (after
    /// `args`) is a callback, and the value passed to it is returned.
    /// Panics if the script throws or does not call back within the
    /// session's script timeout (30 s). For promises:
    /// `const done = arguments[arguments.length - 1]; f().then(done, e => done(String(e)));`
    pub async fn eval_async(&self, js: &str, args: Vec<Value>) -> Value {
        self.client
            .execute_async(js, args)
            .await
            .unwrap_or_else(|e| panic!("async script failed: {e}\n{js}"))
    }

    /// Where the browser saves downloads (empty at start).
    pub fn download_dir(&self) -> &Path {
        &self.downloads
    }

    /// Waits up to `timeout` until `file_name` is in the download directory
    /// and no download is in progress (no `*.crdownload` left); returns its
    /// path.
    pub async fn wait_download(&self, file_name: &str, timeout: Duration) -> PathBuf {
        let path = self.downloads.join(file_name);
        let deadline = Instant::now() + timeout;
        loop {
            let names: Vec<String> = std::fs::read_dir(&self.downloads)
                .unwrap_or_else(|e| panic!("read {}: {e}", self.downloads.display()))
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect();
            let partial = names.iter().any(|n| n.ends_with(".crdownload"));
            if path.is_file() && !partial {
                return path;
            }
            if Instant::now() >= deadline {
                panic!(
                    "download {file_name} not complete within {timeout:?}; {} holds {names:?}",
                    self.downloads.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The chromedriver log so far (its last lines), for failure messages.
    pub fn driver_log(&self) -> String {
        tail(&self.dir.path().join("chromedriver.log"))
    }
}

impl Drop for Browser {
    /// Kills chromedriver and everything it started (Chromium and its
    /// helpers share chromedriver's process group).
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

/// The session's capabilities: Chromium headless in `profile`, saving
/// downloads to `downloads` without asking, 30 s for page loads and
/// asynchronous scripts.
fn capabilities(profile: &Path, downloads: &Path) -> serde_json::Map<String, Value> {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
            },
        },
        "timeouts": { "script": 30_000, "pageLoad": 30_000, "implicit": 0 },
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!("capabilities are a JSON object"),
    }
}

/// Starts `chromedriver` on a free 127.0.0.1 port, in a process group of
/// its own, logging to `log`; returns once it answers `/status` as ready.
/// Tries another port if the chosen one was taken meanwhile.
fn start_chromedriver(log: &Path) -> (Child, SocketAddr) {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut failures = Vec::new();
    for _ in 0..3 {
        let addr = SocketAddr::new(ip, free_port(ip));
        let out = File::create(log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        let err = out
            .try_clone()
            .unwrap_or_else(|e| panic!("reopen {}: {e}", log.display()));
        let mut child = {
            use std::os::unix::process::CommandExt as _;
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={}", addr.port()))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("start {CHROMEDRIVER}: {e}"))
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                failures.push(format!("on {addr}: exited {status}\n{}", tail(log)));
                break;
            }
            let ready = http_request(addr, "GET", "/status", &[], b"").is_ok_and(|r| {
                r.status == 200 && String::from_utf8_lossy(&r.body).contains("\"ready\":true")
            });
            if ready {
                return (child, addr);
            }
            if Instant::now() >= deadline {
                kill_group(&mut child);
                failures.push(format!("on {addr}: not ready within 20 s\n{}", tail(log)));
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("chromedriver did not start:\n{}", failures.join("\n"));
}

/// SIGKILL to the process group led by `child` (chromedriver, Chromium
/// and its helpers), then waits (5 s at most) until none of the group is
/// left running, so its files can be removed.
fn kill_group(child: &mut Child) {
    let group = child.id();
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{group}")])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(5);
    while group_running(group) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether a process of process group `group` is still running (not a
/// zombie), from `/proc/<pid>/stat`.
fn group_running(group: u32) -> bool {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return false;
    };
    let group = group.to_string();
    procs.filter_map(Result::ok).any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // After the command name: state, parent pid, process group.
        let mut fields = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace();
        let (state, _, pgrp) = (fields.next(), fields.next(), fields.next());
        state != Some("Z") && pgrp == Some(group.as_str())
    })
}

/// The last 40 lines of the file at `path` (empty if unreadable).
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
