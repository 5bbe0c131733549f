//! Shared helpers for the end-to-end tests: run the real binary on temp indexes.
#![allow(dead_code)]

pub mod cluster;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// Waits until `done` holds, checking every `every`; fails naming `what` (and what
/// `detail` says then) after `limit`. The one way the tests wait for something that happens
/// in another process.
pub fn wait_until(
    what: &str,
    limit: Duration,
    every: Duration,
    mut done: impl FnMut() -> bool,
    detail: impl Fn() -> String,
) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < limit,
            "gave up waiting for {what} after {limit:?}{}",
            detail()
        );
        std::thread::sleep(every);
    }
}

/// The repository's sample corpus.
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Real third-party data, read in place (never copied into the repository).
pub fn shared_data() -> PathBuf {
    std::env::var_os("SITREP_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

pub fn sitrep(corpus: &Path, index: &Path) -> Command {
    let mut cmd = Command::cargo_bin("sitrep").expect("binary built");
    cmd.arg("--corpus").arg(corpus).arg("--index").arg(index);
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Builds an index of `corpus` in a new temp dir.
pub fn build_index(corpus: &Path) -> TempDir {
    let dir = TempDir::new().unwrap();
    let index = dir.path().join("index");
    sitrep(corpus, &index).arg("index").assert().success();
    dir
}

pub fn index_path(dir: &TempDir) -> PathBuf {
    dir.path().join("index")
}

/// Runs a command that must succeed and print one JSON value.
pub fn json_stdout(cmd: &mut Command) -> Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("stdout is one JSON value")
}

/// Runs a command that must succeed; its stdout as text.
pub fn text_stdout(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("stdout is UTF-8")
}

/// A corpus folder whose one article names a militia commander, a group and a spokesman that
/// no entry of its gazetteer (Baghdad alone) holds: what `index --unlisted` is for.
pub fn write_unlisted_corpus(corpus: &Path) {
    std::fs::create_dir_all(corpus).unwrap();
    std::fs::write(
        corpus.join("entities.toml"),
        "[[place]]\nname = \"Baghdad\"\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("zubaidi.txt"),
        "Militia commander killed\n\n\
         Militia commander Wissam Kadhim al-Zubaidi was killed in Baghdad on Tuesday.\n\n\
         Zubaidi had led the Saraya Awliya al-Dam group since 2019, said Karim Nouri, a spokesman.\n\n\
         The Saraya Awliya al-Dam (SAD) denied it. SAD fighters left the city.\n",
    )
    .unwrap();
}

pub fn search_json(corpus: &Path, dir: &TempDir, args: &[&str]) -> Value {
    json_stdout(
        sitrep(corpus, &index_path(dir))
            .arg("search")
            .args(args)
            .arg("--json"),
    )
}

/// (article_id, paragraph) of each hit, in rank order.
pub fn hit_ids(results: &Value) -> Vec<(String, u64)> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["article_id"].as_str().unwrap().to_string(),
                h["paragraph"].as_u64().unwrap(),
            )
        })
        .collect()
}

pub fn texts(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["text"].as_str().unwrap().to_string())
        .collect()
}

/// Copies a folder tree (the sample corpus into a temp dir a test may change).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// An article whose title and text carry markup that must render as text, never run.
pub const EVIL_ARTICLE: &str = "---\ntitle: \"<script>window.pwned = 'title'</script> Militia statement <img src=x onerror=\\\"window.pwned='img'\\\">\"\ndate: 2021-05-01\n---\n\nKataib Hezbollah issued a statement <script>window.pwned = 'text'</script> and <img src=x onerror=\"window.pwned='text img'\"> about the drone attack.\n";

/// A real `sitrep serve` on a free loopback port, stopped when dropped.
pub struct Server {
    child: std::process::Child,
    pub base: String,
    stderr: Arc<Mutex<Vec<String>>>,
    agent: ureq::Agent,
}

impl Server {
    pub fn start(corpus: &Path, index: &Path, extra: &[&str]) -> Server {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sitrep"));
        cmd.arg("--corpus")
            .arg(corpus)
            .arg("--index")
            .arg(index)
            .arg("serve");
        if !extra.contains(&"--bind") {
            cmd.args(["--bind", "127.0.0.1:0"]);
        }
        cmd.args(extra)
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null());
        let mut child = cmd.spawn().expect("sitrep serve starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let reader = std::io::BufReader::new(child.stderr.take().unwrap());
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        let address = loop {
            let banner = lines.lock().unwrap().iter().find_map(|l| {
                l.strip_prefix("sitrep serve: listening on http://")
                    .and_then(|rest| rest.split('/').next())
                    .map(str::to_string)
            });
            if let Some(address) = banner {
                break address;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "sitrep serve exited with {status}: {:?}",
                    lines.lock().unwrap()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no banner: {:?}",
                lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // A server bound to 0.0.0.0 answers on loopback too.
        let base = format!("http://{}", address.replace("0.0.0.0", "127.0.0.1"));
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Server {
            child,
            base,
            stderr: lines,
            agent,
        }
    }

    /// Status and JSON body of a GET.
    pub fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let mut response = self.raw(path);
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap();
        let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        (status, json)
    }

    pub fn raw(&self, path: &str) -> ureq::http::Response<ureq::Body> {
        self.agent
            .get(format!("{}{path}", self.base))
            .call()
            .unwrap()
    }

    /// The first `count` stderr lines from the banner on, once the server has printed them.
    pub fn stderr_after_banner(&self, count: usize) -> Vec<String> {
        let after_banner = || {
            let lines = self.stderr.lock().unwrap();
            let at = lines
                .iter()
                .position(|l| l.starts_with("sitrep serve:"))
                .unwrap();
            lines[at..].to_vec()
        };
        wait_until(
            "the server's lines after its banner",
            Duration::from_secs(20),
            Duration::from_millis(20),
            || after_banner().len() >= count,
            || format!(": {:?}", after_banner()),
        );
        after_banner()[..count].to_vec()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
