//! A node of a three-node cluster killed (SIGKILL) while eight clients query: every query
//! answers, and answers in full, through the client's failover to the next node and its
//! bounded retry; the node rejoins and the cluster returns to green. Needs the folder the
//! cluster runs from (SITREP_TEST_CLUSTER_DIR, set by `.ci/run`) to find and restart nodes; a
//! test binary of its own, so no other test's queries run while a node is down.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use common::cluster::{answer, cluster, fresh, remote_stats, search_json, sync_to, try_search};
use common::sample_corpus;

const CLIENTS: usize = 8;

fn cluster_dir() -> PathBuf {
    std::env::var_os("SITREP_TEST_CLUSTER_DIR")
        .map(PathBuf::from)
        .expect("SITREP_TEST_CLUSTER_DIR names the folder the cluster runs from (.ci/run sets it)")
}

/// The HTTP port of each node the script started in `dir`, node 1 first.
fn node_ports(dir: &Path) -> Vec<String> {
    (1..)
        .map(|n| dir.join(format!("node{n}/http_port")))
        .take_while(|file| file.exists())
        .map(|file| std::fs::read_to_string(file).unwrap().trim().to_string())
        .collect()
}

fn health(port: &str) -> Value {
    let url = format!("http://127.0.0.1:{port}/_cluster/health?timeout=1s");
    match ureq::get(&url).call() {
        Ok(mut response) => response.body_mut().read_json().unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

fn wait_for(what: &str, limit: Duration, done: impl FnMut() -> bool) {
    common::wait_until(what, limit, Duration::from_millis(200), done, String::new);
}

#[derive(Default)]
struct Tally {
    answered: usize,
    answered_while_down: usize,
    failures: Vec<String>,
}

#[test]
#[ignore = "needs a 3-node OpenSearch cluster (SITREP_TEST_CLUSTER, SITREP_TEST_CLUSTER_DIR); .ci/run starts one and runs it"]
fn queries_survive_a_node_killed_under_load_and_the_node_rejoins() {
    let url = cluster();
    let dir = cluster_dir();
    let ports = node_ports(&dir);
    assert_eq!(ports.len(), 3, "a three-node cluster in {}", dir.display());
    let nodes: Vec<String> = ports
        .iter()
        .map(|port| format!("http://127.0.0.1:{port}"))
        .collect();
    // Clients name every node, the one to be killed first: each request meets the dead node.
    let target = format!("{}/failover", nodes.join(","));
    fresh(&format!("{url}/failover"));
    sync_to(
        &sample_corpus(),
        &target,
        &["--shards", "3", "--replicas", "1"],
    );
    wait_for("green before the kill", Duration::from_secs(60), || {
        health(&ports[0])["status"] == "green"
    });
    // The first sync builds without replicas and gives them back at the end.
    let settings: Value = ureq::get(&format!("{url}/failover/_settings?flat_settings=true"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let settings = &settings["failover"]["settings"];
    assert_eq!(settings["index.number_of_replicas"], "1");
    assert_eq!(settings["index.refresh_interval"], Value::Null);

    let queries: Vec<Vec<&str>> = vec![
        vec!["soleimani"],
        vec!["militias"],
        vec!["\"Kataib Hezbollah\""],
        vec!["drone", "--facets"],
        vec!["isis OR isil"],
        vec!["strike", "--place", "Iraq"],
    ];
    let store = ["--remote", target.as_str()];
    let expected: Vec<_> = queries
        .iter()
        .map(|query| answer(&search_json(&store, query)))
        .collect();
    assert!(expected.iter().all(|(total, ..)| total.as_u64() > Some(0)));

    let stop = Arc::new(AtomicBool::new(false));
    let node_down = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (stop, node_down, tally) = (stop.clone(), node_down.clone(), tally.clone());
            let (queries, expected, target) = (queries.clone(), expected.clone(), target.clone());
            std::thread::spawn(move || {
                let store = ["--remote", target.as_str()];
                for n in client.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let i = n % queries.len();
                    let down = node_down.load(Ordering::SeqCst);
                    let outcome = try_search(&store, &queries[i]).and_then(|result| {
                        (answer(&result) == expected[i])
                            .then_some(())
                            .ok_or_else(|| format!("a different answer: {result}"))
                    });
                    let mut tally = tally.lock().unwrap();
                    match outcome {
                        Ok(()) => {
                            tally.answered += 1;
                            tally.answered_while_down += usize::from(down);
                        }
                        Err(err) => tally.failures.push(format!("{:?}: {err}", queries[i])),
                    }
                }
            })
        })
        .collect();

    let answered = |tally: &Mutex<Tally>| {
        let tally = tally.lock().unwrap();
        (
            tally.answered + tally.failures.len(),
            tally.answered_while_down,
        )
    };
    // Every client under way before the kill.
    wait_for("queries before the kill", Duration::from_secs(60), || {
        answered(&tally).0 >= 2 * CLIENTS
    });
    let pid = std::fs::read_to_string(dir.join("node1/pid")).unwrap();
    node_down.store(true, Ordering::SeqCst);
    let killed = std::process::Command::new("kill")
        .args(["-9", pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success(), "kill -9 {pid}");
    wait_for(
        "the cluster sees two nodes",
        Duration::from_secs(60),
        || health(&ports[1])["number_of_nodes"] == 2,
    );
    // Queries go on while the replicas of the lost shards are promoted: a round of them
    // answered with the node gone, and the cluster serving every shard again.
    wait_for(
        "queries while the node is down",
        Duration::from_secs(120),
        || answered(&tally).1 >= 2 * CLIENTS && health(&ports[1])["status"] != "red",
    );
    let restarted = std::process::Command::new(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/opensearch-cluster"),
    )
    .args(["start", "--nodes", "3", "--http-port", &ports[0]])
    .arg("--dir")
    .arg(&dir)
    .output()
    .unwrap();
    assert!(
        restarted.status.success(),
        "restarting node 1: {}",
        String::from_utf8_lossy(&restarted.stderr)
    );
    node_down.store(false, Ordering::SeqCst);
    let before_rejoin = answered(&tally).0;
    wait_for("queries after the restart", Duration::from_secs(60), || {
        answered(&tally).0 >= before_rejoin + CLIENTS
    });
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.join().unwrap();
    }

    let tally = tally.lock().unwrap();
    assert!(
        tally.failures.is_empty(),
        "{} of {} queries failed: {:#?}",
        tally.failures.len(),
        tally.answered + tally.failures.len(),
        tally.failures
    );
    assert!(
        tally.answered_while_down >= CLIENTS,
        "only {} queries ran while the node was down",
        tally.answered_while_down
    );
    let health = health(&ports[0]);
    assert_eq!(
        (&health["status"], &health["number_of_nodes"]),
        (&Value::from("green"), &Value::from(3))
    );
    let stats = remote_stats(&target);
    assert_eq!(
        (stats["articles"].as_u64(), stats["paragraphs"].as_u64()),
        (Some(37), Some(190))
    );
}
