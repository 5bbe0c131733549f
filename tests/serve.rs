//! `sitrep serve`: the JSON API over a temp index, through the real binary listening on a free
//! loopback port. Browser tests of the page are in `tests/browser.rs`.

mod common;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

/// The sample corpus plus one article whose title and text carry markup.
fn corpus_with_markup() -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&sample_corpus(), &corpus);
    std::fs::write(corpus.join("evil.md"), EVIL_ARTICLE).unwrap();
    (dir, corpus)
}

#[test]
fn search_answers_as_the_cli_does() {
    let (dir, corpus) = corpus_with_markup();
    let server = Server::start(&corpus, &dir.path().join("index"), &[]);
    for (query, filters) in [
        ("\"Qods Force\"", ""),
        ("sadr", "&person=Muqtada%20al-Sadr&facets=1"),
        ("militia*", "&place=Iraq&since=2014-01-01&until=2020-12-31"),
        ("Baghous", ""),
    ] {
        let url = format!("/api/search?q={}{filters}&n=5", encode(query));
        let (status, mut api) = server.get(&url);
        assert_eq!(status, 200, "{url}: {api}");
        let mut args = vec![query.to_string(), "-n".into(), "5".into()];
        for pair in filters.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap();
            if key == "facets" {
                args.push("--facets".into());
            } else {
                args.push(format!("--{key}"));
                args.push(value.replace("%20", " "));
            }
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut cli = search_json(&corpus, &dir, &args);
        api["elapsed_us"] = Value::Null;
        cli["elapsed_us"] = Value::Null;
        assert_eq!(api, cli, "{url}");
    }
}

#[test]
fn articles_entities_stats_and_timeline() {
    let (dir, corpus) = corpus_with_markup();
    let server = Server::start(&corpus, &dir.path().join("index"), &[]);
    let id = "lwj/2020/2020-01-03-soleimani-killed.txt";
    let (status, article) = server.get(&format!("/api/articles/{}", encode(id)));
    assert_eq!(status, 200);
    assert_eq!(article["article_id"], id);
    let first = &article["paragraphs"][0];
    assert_eq!(first["paragraph"], 1);
    // Mentions are byte ranges into the paragraph text, for the article view's highlights.
    let text = first["text"].as_str().unwrap();
    let mention = &first["mentions"][0];
    let [start, end] = [0, 1].map(|i| mention["range"][i].as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], mention["text"].as_str().unwrap());

    let (status, people) = server.get("/api/entities?kind=person&limit=2");
    assert_eq!(status, 200);
    assert_eq!(people.as_array().unwrap().len(), 2);
    assert_eq!(people[0]["name"], "Muqtada al-Sadr");

    let (status, stats) = server.get("/api/stats");
    assert_eq!(status, 200);
    assert_eq!(stats["articles"], 38);

    let (status, timeline) = server.get("/api/timeline?q=sadr&since=2008-01-01&until=2008-12-31");
    assert_eq!(status, 200);
    assert_eq!(
        timeline["months"],
        serde_json::json!([{"month": "2008-04", "hits": 2}, {"month": "2008-11", "hits": 5}])
    );
}

#[test]
fn bad_input_is_a_4xx_that_says_what_the_cli_says() {
    let (dir, corpus) = corpus_with_markup();
    let server = Server::start(&corpus, &dir.path().join("index"), &[]);
    let (status, body) = server.get("/api/search?q=sadr%20%22mahdi%20army");
    assert_eq!(status, 400);
    assert_eq!(body["column"], 6);
    assert!(body["error"].as_str().unwrap().contains("unclosed quote"));

    let (status, body) = server.get("/api/search?q=sadr&person=Soleimany");
    assert_eq!(status, 400);
    assert_eq!(body["suggestions"][0], "Qassem Soleimani");
    assert_eq!(
        (&body["kind"], &body["name"]),
        (&"person".into(), &"Soleimany".into())
    );

    let long = "a".repeat(5000);
    for (url, fragment) in [
        ("/api/search?q=sadr&n=5000".to_string(), "at most 1000"),
        // A repeated parameter's last value is the one checked.
        (
            "/api/search?q=sadr&n=1&n=1000000000".to_string(),
            "at most 1000",
        ),
        (
            "/api/search?q=sadr&offset=1&offset=900000".to_string(),
            "at most 100000",
        ),
        (
            "/api/search?q=sadr&n=ten".to_string(),
            "'ten' is not a number",
        ),
        (
            "/api/search?q=sadr&since=yesterday".to_string(),
            "neither YYYY-MM-DD",
        ),
        (format!("/api/search?q={long}"), "longer than 4096 bytes"),
        (
            format!("/api/search?q=x&q={long}"),
            "longer than 4096 bytes",
        ),
        ("/api/search".to_string(), "empty query"),
        (
            "/api/entities?kind=vehicle".to_string(),
            "unknown kind 'vehicle'",
        ),
        (
            "/api/timeline?q=-lebanon".to_string(),
            "only excluded terms",
        ),
    ] {
        let (status, body) = server.get(&url);
        assert_eq!(status, 400, "{url}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(fragment),
            "{url}: {body}"
        );
    }
    for url in [
        "/api/articles/no-such-article.txt",
        "/api/articles/..%2F..%2Fetc%2Fpasswd",
        "/api/articles/%2Fetc%2Fpasswd",
        "/api/articles/../../Cargo.toml",
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/src/serve/page.html",
        "/api/nothing",
    ] {
        let (status, body) = server.get(url);
        assert_eq!(status, 404, "{url}: {body}");
        assert!(body["error"].is_string(), "{url}: {body}");
    }
}

#[test]
fn page_headers_and_cors() {
    let (dir, corpus) = corpus_with_markup();
    let index = dir.path().join("index");
    let server = Server::start(&corpus, &index, &[]);
    let response = server.raw("/");
    assert_eq!(response.status(), 200);
    let csp = header(&response, "content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(header(&response, "access-control-allow-origin"), "");
    drop(server);

    let server = Server::start(&corpus, &index, &["--cors", "https://analyst.example"]);
    let response = server.raw("/api/stats");
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        "https://analyst.example"
    );
}

#[test]
fn a_running_server_sees_new_articles_after_a_sync() {
    let (dir, corpus) = corpus_with_markup();
    let index = dir.path().join("index");
    let server = Server::start(&corpus, &index, &[]);
    let (_, before) = server.get("/api/search?q=zarqawist");
    assert_eq!(before["total_hits"], 0);
    std::fs::write(
        corpus.join("new.txt"),
        "Late report\n\nA zarqawist cell was broken up near Fallujah.\n",
    )
    .unwrap();
    sitrep(&corpus, &index).arg("index").assert().success();
    // The reader follows commits through tantivy's meta.json watcher: poll, do not sleep.
    wait_until(
        "the server to see the new article",
        std::time::Duration::from_secs(20),
        std::time::Duration::from_millis(100),
        || server.get("/api/search?q=zarqawist").1["total_hits"] == 1,
        String::new,
    );
    let (_, after) = server.get("/api/search?q=zarqawist");
    assert_eq!(after["hits"][0]["article_id"], "new.txt");
}

#[test]
fn binding_beyond_loopback_warns() {
    let (dir, corpus) = corpus_with_markup();
    let server = Server::start(&corpus, &dir.path().join("index"), &["--bind", "0.0.0.0:0"]);
    let stderr = server.stderr_after_banner(2);
    assert!(
        stderr[0].starts_with("sitrep serve: listening on http://0.0.0.0:"),
        "{stderr:?}"
    );
    assert!(stderr[1].starts_with("warning: 0.0.0.0:"), "{stderr:?}");
    assert!(
        stderr[1].contains("reachable from other machines"),
        "{stderr:?}"
    );
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn the_network_and_an_entitys_ties_answer_as_the_cli_does() {
    let (dir, corpus) = corpus_with_markup();
    let index = dir.path().join("index");
    let server = Server::start(&corpus, &index, &[]);
    let cli = |args: &[&str]| json_stdout(sitrep(&corpus, &index).args(args).arg("--json"));
    let (status, network) = server.get("/api/network?q=militias&since=2014-01-01&n=12&by=year");
    assert_eq!(status, 200, "{network}");
    assert_eq!(
        network,
        cli(&[
            "network",
            "militias",
            "--since",
            "2014-01-01",
            "-n",
            "12",
            "--by",
            "year"
        ])
    );
    assert!(network["edges"].as_array().unwrap().len() > 5);
    let (status, whole) = server.get("/api/network");
    assert_eq!((status, whole), (200, cli(&["network"])));
    let (status, ties) =
        server.get("/api/entities/with?name=Qassem%20Soleimani&place=Iraq&sort=together&limit=5");
    assert_eq!(status, 200, "{ties}");
    assert_eq!(
        ties,
        cli(&[
            "entities",
            "--with",
            "Qassem Soleimani",
            "--place",
            "Iraq",
            "--sort",
            "together",
            "-n",
            "5"
        ])
    );
    assert_eq!(ties.as_array().unwrap().len(), 5);
    for (url, error) in [
        ("/api/network?by=week", "not a period"),
        ("/api/network?n=100000", "at most 500"),
        ("/api/entities/with", "the entity to ask about is missing"),
        (
            "/api/entities/with?name=Soliemani",
            "did you mean 'Qassem Soleimani'",
        ),
        (
            "/api/entities/with?name=Iran&sort=loud",
            "not strength or together",
        ),
    ] {
        let (status, body) = server.get(url);
        assert_eq!(status, 400, "{url}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(error),
            "{url}: {body}"
        );
    }
}
