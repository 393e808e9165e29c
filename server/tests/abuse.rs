//! No input crashes or freezes the server: deep rule expressions, large rules, huge PATCHes,
//! too many keys, deeply nested JSON. Each test stops by itself within a few seconds.

mod common;

use std::time::{Duration, Instant};

use common::start;
use rtcweb_signal::Config;
use serde_json::{json, Map, Value};

fn emulator() -> Config {
    Config {
        emulator: true,
        ..Default::default()
    }
}

async fn put_rules(db: &common::Running, text: &str) -> (u16, Value) {
    db.send("PUT", ".settings/rules.json?auth=owner", text)
        .await
}

#[tokio::test]
async fn deeply_nested_rule_expressions_are_refused_not_a_crash() {
    let db = start(emulator()).await;
    let deep = format!("{}true{}", "(".repeat(3000), ")".repeat(3000));
    let chain = vec!["true"; 5000].join(" || ");
    let nots = format!("{}true", "!".repeat(3000));
    let members = format!("auth{}", ".a".repeat(3000));
    for expr in [deep, chain, nots, members] {
        let rules = json!({"rules": {".read": expr, ".write": true}}).to_string();
        let (status, body) = put_rules(&db, &rules).await;
        assert_eq!(status, 400, "{body}");
        let message = body["error"].as_str().unwrap_or_default();
        assert!(
            message.contains("nested more than") || message.contains("more than 4096 tokens"),
            "{body}"
        );
        assert!(message.len() < 300, "{message}");
    }
    // Still serving, and a reasonably nested rule is fine.
    let fine = format!("{}true{}", "(".repeat(40), ")".repeat(40));
    let rules = json!({"rules": {".read": fine, ".write": true}}).to_string();
    assert_eq!(put_rules(&db, &rules).await.0, 200);
    assert_eq!(db.send("GET", "x.json", "").await.0, 200);
}

#[tokio::test]
async fn rules_files_are_checked_at_start_too() {
    let file = std::env::temp_dir().join(format!("rtcweb-abuse-rules-{}", std::process::id()));
    let deep = format!("{}true{}", "(".repeat(1000), ")".repeat(1000));
    std::fs::write(&file, json!({"rules": {".read": deep}}).to_string()).unwrap();
    let err = rtcweb_signal::Server::new(Config {
        rules: Some(file.clone()),
        ..Default::default()
    })
    .err()
    .unwrap();
    assert!(err.to_string().contains("nested more than"), "{err}");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn rules_over_256_kib_are_refused() {
    let db = start(emulator()).await;
    let mut children = Map::new();
    for i in 0..20_000 {
        children.insert(format!("child{i}"), json!({".read": true}));
    }
    let rules = json!({"rules": children}).to_string();
    assert!(rules.len() > 256 * 1024);
    let (status, body) = put_rules(&db, &rules).await;
    assert_eq!(status, 400);
    assert!(body["error"]
        .as_str()
        .unwrap_or_default()
        .contains("larger than"));
}

#[tokio::test]
async fn a_patch_of_40000_keys_takes_no_one_long() {
    let db = start(emulator()).await;
    let mut update = Map::new();
    for i in 0..40_000 {
        update.insert(format!("k{i:05}/v"), json!(i));
    }
    let body = Value::Object(update).to_string();
    let started = Instant::now();
    let (status, _) = db.send("PATCH", "big.json?print=silent", &body).await;
    assert_eq!(status, 204);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // The same with one overlap at the end: refused, as fast.
    let mut update: Map<String, Value> = (0..40_000)
        .map(|i| (format!("k{i:05}"), json!(i)))
        .collect();
    update.insert("k39999/deeper".into(), json!(1));
    let started = Instant::now();
    let (status, body) = db
        .send("PATCH", "big.json", &Value::Object(update).to_string())
        .await;
    assert_eq!(status, 400);
    assert!(body["error"]
        .as_str()
        .unwrap_or_default()
        .contains("overlap"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn overlapping_paths_are_only_looked_for_once_the_write_is_allowed() {
    let db = start(emulator()).await;
    let rules = r#"{"rules": {".read": true, "open": {".write": true}}}"#;
    assert_eq!(put_rules(&db, rules).await.0, 200);
    let body = r#"{"a": 1, "a/b": 2}"#;
    // Not allowed to write there: refused by the rules, before any overlap check.
    let (status, answer) = db.send("PATCH", "closed.json", body).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("Permission denied"))
    );
    // Allowed: the overlap is found and refused.
    let (status, answer) = db.send("PATCH", "open.json", body).await;
    assert_eq!(status, 400);
    assert!(answer["error"]
        .as_str()
        .unwrap_or_default()
        .contains("overlap"));
    assert_eq!(db.get("open.json").await, Value::Null);
}

#[tokio::test]
async fn writes_with_too_many_keys_get_400() {
    let db = start(Config {
        max_write_keys: 100,
        ..emulator()
    })
    .await;
    let many: Map<String, Value> = (0..101).map(|i| (format!("k{i}"), json!(1))).collect();
    let many = Value::Object(many).to_string();
    for method in ["PUT", "PATCH", "POST"] {
        let (status, body) = db.send(method, "a.json", &many).await;
        assert_eq!(status, 400, "{method}");
        assert_eq!(
            body["error"],
            "Invalid data; a single write may hold at most 100 keys."
        );
    }
    let nested = json!({"a": {"b": (0..100).collect::<Vec<_>>()}}).to_string();
    assert_eq!(db.send("PUT", "a.json", &nested).await.0, 400);
    let few = json!({"a": (0..90).collect::<Vec<_>>()}).to_string();
    assert_eq!(db.send("PUT", "a.json", &few).await.0, 200);
}

#[tokio::test]
async fn deeply_nested_json_bodies_get_400() {
    let db = start(emulator()).await;
    for body in [
        "[".repeat(100_000),
        format!("{}1{}", "[".repeat(200), "]".repeat(200)),
    ] {
        let (status, _) = db.send("PUT", "a.json", &body).await;
        assert_eq!(status, 400);
    }
    assert_eq!(db.send("GET", "a.json", "").await.0, 200);
}
