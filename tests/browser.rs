//! The web page of `sitrep serve` in a real headless Chromium, driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`). A plain `cargo test` ignores these tests;
//! `.ci/run` installs the browser and runs them, and without it they fail, naming what is missing.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use tempfile::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C WebDriver key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

#[test]
#[ignore = "needs Chromium and ChromeDriver (apt-get install chromium chromium-driver); .ci/run installs them and runs it"]
fn search_facet_article_and_no_script_runs() {
    let driver = ChromeDriver::start();
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&sample_corpus(), &corpus);
    std::fs::write(corpus.join("evil.md"), EVIL_ARTICLE).unwrap();
    let server = Server::start(&corpus, &dir.path().join("index"), &[]);
    let browser = driver.session(dir.path());

    // `/` focuses the search box; type a query and press Enter.
    browser.open(&format!("{}/", server.base));
    browser.wait_for("document.querySelector('#stats') && document.querySelector('#stats').textContent.includes('38')");
    browser.script("document.activeElement.blur(); document.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true}));");
    assert_eq!(browser.script("return document.activeElement.id"), "q");
    let q = browser.find("#q");
    browser.type_into(&q, "sadr\u{E007}");
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0");
    let cli = search_json(&corpus, &dir, &["sadr"]);
    let summary = browser.text("#summary");
    assert!(
        summary.starts_with(&format!("{} paragraphs", cli["total_hits"])),
        "{summary}"
    );
    assert_eq!(browser.script("return location.search"), "?q=sadr");
    assert_eq!(browser.count("#results li.hit"), 10);
    assert!(browser.count("#results mark") >= 10);

    // A click on a facet narrows the results and puts the filter in the URL.
    let facet = browser.find("#facets button.facet[data-kind='place'][data-name='Basra']");
    browser.click(&facet);
    browser.wait_for("location.search.includes('place=Basra') && !document.querySelector('#summary').textContent.includes('searching')");
    let narrowed = search_json(&corpus, &dir, &["sadr", "--place", "Basra"]);
    assert_eq!(narrowed["total_hits"], 3);
    let summary = browser.text("#summary");
    assert!(summary.starts_with("3 paragraphs"), "{summary}");
    let shown = browser.script(
        "return [...document.querySelectorAll('#results li.hit')].map(h => h.querySelector('.hit-meta').textContent)",
    );
    for (meta, hit) in shown
        .as_array()
        .unwrap()
        .iter()
        .zip(narrowed["hits"].as_array().unwrap())
    {
        let expected = format!(
            "{} · ¶{}",
            hit["article_id"].as_str().unwrap(),
            hit["paragraph"]
        );
        assert!(
            meta.as_str().unwrap().starts_with(&expected),
            "{meta} vs {expected}"
        );
    }
    assert_eq!(
        browser.count("#filters .filter[data-kind='place'][data-name='Basra']"),
        1
    );

    // Opening an article shows every paragraph with its entities highlighted.
    let title = browser.find("#results li.hit a.hit-title");
    browser.click(&title);
    browser.wait_for("document.querySelectorAll('#article p.paragraph').length > 0");
    assert_eq!(
        browser.text("#article-title"),
        narrowed["hits"][0]["title"].as_str().unwrap()
    );
    assert!(browser.count("#article mark.entity") >= 5);
    assert!(browser
        .script("return location.search")
        .as_str()
        .unwrap()
        .contains("article="));

    // Markup in an article is text: the title shows the tags, and nothing ran.
    browser.open(&format!("{}/?q=drone%20statement", server.base));
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0");
    let title = browser.text("#results li.hit a.hit-title");
    assert!(
        title.starts_with("<script>window.pwned = 'title'</script> Militia"),
        "{title}"
    );
    assert!(browser
        .text("#results li.hit .snippet")
        .contains("<img src=x onerror="));
    browser.click(&browser.find("#results li.hit a.hit-title"));
    browser.wait_for("document.querySelectorAll('#article p.paragraph').length > 0");
    assert_eq!(browser.count("script"), 1, "only the page's own script");
    assert_eq!(browser.count("img"), 0);
    assert_eq!(browser.script("return typeof window.pwned"), "undefined");
}

#[test]
#[ignore = "needs Chromium and ChromeDriver (apt-get install chromium chromium-driver); .ci/run installs them and runs it"]
fn saved_searches_list_their_new_paragraphs_and_open_them() {
    let driver = ChromeDriver::start();
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "Strike\n\nKataib Hezbollah fired rockets at the base near Baghdad.\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    let run = |args: &[&str]| {
        sitrep(&corpus, &index).args(args).assert().success();
    };
    run(&["index", "-q"]);
    run(&[
        "saved",
        "add",
        "rockets",
        "rockets",
        "--org",
        "Kataib Hezbollah",
    ]);
    run(&["new"]);
    std::fs::write(
        corpus.join("b.txt"),
        "Again\n\nKataib Hezbollah fired rockets again near Baghdad airport.\n",
    )
    .unwrap();
    run(&["index", "-q"]);
    let server = Server::start(&corpus, &index, &[]);
    let browser = driver.session(dir.path());
    browser.open(&format!("{}/", server.base));
    browser.wait_for("document.querySelectorAll('#saved li').length == 1");
    assert_eq!(browser.text("#saved li"), "rockets 1 new");
    browser.click(&browser.find("#saved a.saved"));
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0");
    assert_eq!(browser.count("#results li.hit"), 1);
    assert!(browser
        .text("#results li.hit .snippet")
        .contains("again near Baghdad airport"));
    assert_eq!(browser.text("#new-only"), "new since sync 1 ×");
    // Without the "new" filter, the saved search finds both paragraphs.
    browser.click(&browser.find("#new-only"));
    browser.wait_for("document.querySelectorAll('#results li.hit').length == 2");
}

#[test]
#[ignore = "needs Chromium and ChromeDriver (apt-get install chromium chromium-driver); .ci/run installs them and runs it"]
fn a_result_from_a_saved_page_links_to_its_source() {
    let driver = ChromeDriver::start();
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("strike.html"),
        "<html><head><title>Convoy hit near Qaim</title>\
         <link rel=canonical href='https://example.org/2024/02/07/qaim-convoy'></head><body>\
         <article><p>A drone struck a convoy of Kataib Hezbollah near al-Qaim on the Syrian \
         border late on Wednesday, killing a senior commander and two guards.</p></article>\
         </body></html>",
    )
    .unwrap();
    std::fs::write(
        corpus.join("note.txt"),
        "Note\n\nKataib Hezbollah denied losing a commander near al-Qaim.\n",
    )
    .unwrap();
    let server = Server::start(&corpus, &dir.path().join("index"), &[]);
    let browser = driver.session(dir.path());
    browser.open(&format!("{}/?q=qaim", server.base));
    browser.wait_for("document.querySelectorAll('#results li.hit').length == 2");
    let links = browser.script(
        "return [...document.querySelectorAll('#results li.hit')].map(h => \
         [h.dataset.article, h.querySelector('a.source-link') && h.querySelector('a.source-link').href])",
    );
    let mut links: Vec<(String, Value)> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| (pair[0].as_str().unwrap().to_string(), pair[1].clone()))
        .collect();
    links.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        links,
        [
            ("note.txt".to_string(), Value::Null),
            (
                "strike.html".to_string(),
                Value::from("https://example.org/2024/02/07/qaim-convoy")
            ),
        ]
    );
}

#[test]
#[ignore = "needs Chromium and ChromeDriver (apt-get install chromium chromium-driver); .ci/run installs them and runs it"]
fn the_network_view_draws_who_appears_with_whom_and_opens_ties() {
    let driver = ChromeDriver::start();
    let dir = TempDir::new().unwrap();
    let corpus = sample_corpus();
    let index = dir.path().join("index");
    let server = Server::start(&corpus, &index, &[]);
    let browser = driver.session(dir.path());
    let cli =
        json_stdout(sitrep(&corpus, &index).args(["network", "militias", "-n", "30", "--json"]));
    let click = |css: &str| {
        let css = serde_json::to_string(css).unwrap();
        browser.script(&format!(
            "document.querySelector({css}).dispatchEvent(new MouseEvent('click', {{bubbles: true}}))"
        ));
    };

    // The search's network: the same entities and ties as `sitrep network`.
    browser.open(&format!("{}/?q=militias", server.base));
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0");
    browser.click(&browser.find("#view-network"));
    browser.wait_for("document.querySelectorAll('#network svg g.node').length > 0");
    assert_eq!(
        browser.script("return location.search"),
        "?q=militias&view=network"
    );
    let nodes = cli["nodes"].as_array().unwrap();
    let edges = cli["edges"].as_array().unwrap();
    assert_eq!(browser.count("#network svg g.node"), nodes.len() as u64);
    assert_eq!(browser.count("#network svg line.edge"), edges.len() as u64);
    assert!(
        browser.count("#results li.hit") == 0
            || browser.script("return document.querySelector('#results').hidden") == true
    );
    let summary = browser.text("#summary");
    assert!(
        summary.starts_with(&format!("{} entities, {} ties", nodes.len(), edges.len())),
        "{summary}"
    );
    // Sized by paragraphs: the most named entity has the largest circle.
    let largest = browser.script(
        "const gs = [...document.querySelectorAll('#network g.node')]; \
         return gs.reduce((a, b) => (+a.querySelector('circle').getAttribute('r') >= +b.querySelector('circle').getAttribute('r') ? a : b)).dataset.name",
    );
    assert_eq!(largest, nodes[0]["name"]);

    // A click on an entity filters the search by it, in the same view.
    click("#network g.node[data-kind='org'][data-name='Popular Mobilization Forces']");
    browser.wait_for("location.search.includes('org=Popular') && document.querySelectorAll('#network svg g.node').length > 0 && !document.body.classList.contains('busy')");
    assert_eq!(
        browser.count("#filters .filter[data-kind='org'][data-name='Popular Mobilization Forces']"),
        1
    );

    // A click on a tie lists the paragraphs naming both.
    let (source, target) = {
        let edge = browser.script(
            "const e = document.querySelector('#network line.edge'); return [e.dataset.source, e.dataset.target]",
        );
        (
            edge[0].as_str().unwrap().to_string(),
            edge[1].as_str().unwrap().to_string(),
        )
    };
    click("#network line.edge");
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0 && !document.body.classList.contains('busy')");
    assert!(!browser
        .script("return location.search")
        .as_str()
        .unwrap()
        .contains("view=network"));
    let named_both = browser.script(&format!(
        "return [...document.querySelectorAll('#results li.hit')].every(h => {{ \
           const names = [...h.querySelectorAll('.chip')].map(c => c.dataset.name); \
           return names.includes({}) && names.includes({}); }})",
        serde_json::to_string(&source).unwrap(),
        serde_json::to_string(&target).unwrap()
    ));
    assert_eq!(named_both, true, "{source} and {target}");

    // From an entity chip, who appears with it: its ties as a star and a table.
    click(&format!(
        "#results li.hit .ego[data-name={}]",
        serde_json::to_string(&source).unwrap()
    ));
    browser.wait_for("document.querySelectorAll('#ties tr').length > 1");
    let with = browser.script("return new URLSearchParams(location.search).get('with')");
    assert_eq!(with, source.as_str());
    let ties = browser.script(
        "return [...document.querySelectorAll('#ties tr[data-name]')].map(r => r.dataset.name)",
    );
    assert_eq!(browser.count("#network g.node.center"), 1);
    assert_eq!(
        browser.count("#network g.node"),
        ties.as_array().unwrap().len() as u64 + 1
    );
}

/// A chromedriver process on a free port.
struct ChromeDriver {
    child: std::process::Child,
    url: String,
    agent: ureq::Agent,
}

impl ChromeDriver {
    fn start() -> ChromeDriver {
        for tool in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(tool).is_file(),
                "{tool} is not installed (apt-get install chromium chromium-driver; .ci/run does)"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let url = format!("http://127.0.0.1:{port}");
        wait_until(
            "chromedriver to start",
            Duration::from_secs(20),
            Duration::from_millis(50),
            || agent.get(format!("{url}/status")).call().is_ok(),
            String::new,
        );
        ChromeDriver { child, url, agent }
    }

    fn session(&self, profile: &Path) -> Browser<'_> {
        let profile = profile.join("chromium-profile");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]}
        }}});
        let created = self.call("POST", "/session", Some(capabilities));
        let id = created["sessionId"]
            .as_str()
            .expect("a session")
            .to_string();
        Browser { driver: self, id }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url);
        let mut response = match (method, body) {
            ("POST", body) => self
                .agent
                .post(&url)
                .send_json(body.unwrap_or_else(|| json!({})))
                .unwrap(),
            ("DELETE", _) => self.agent.delete(&url).call().unwrap(),
            _ => self.agent.get(&url).call().unwrap(),
        };
        let value: Value = response.body_mut().read_json().unwrap();
        assert!(response.status().is_success(), "{method} {path}: {value}");
        value["value"].clone()
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Browser<'a> {
    driver: &'a ChromeDriver,
    id: String,
}

impl Browser<'_> {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Polls a JavaScript condition: the page works asynchronously.
    fn wait_for(&self, condition: &str) {
        wait_until(
            condition,
            Duration::from_secs(20),
            Duration::from_millis(50),
            || self.script(&format!("return !!({condition})")) == json!(true),
            || format!("; page: {}", self.script("return document.body.innerText")),
        );
    }

    fn find(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    fn click(&self, element: &str) {
        self.call("POST", &format!("/element/{element}/click"), None);
    }

    fn type_into(&self, element: &str, text: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn text(&self, css: &str) -> String {
        let element = self.find(css);
        self.call("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn count(&self, css: &str) -> u64 {
        self.script(&format!(
            "return document.querySelectorAll({}).length",
            json!(css)
        ))
        .as_u64()
        .unwrap()
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .agent
            .delete(format!("{}/session/{}", self.driver.url, self.id))
            .call();
    }
}
