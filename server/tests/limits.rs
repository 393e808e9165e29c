//! Limits over real HTTP: body size, nesting, key length, database size, idle rooms, and the
//! data file keeping every acknowledged write.

mod common;

use std::time::Duration;

use common::{start, Events};
use rtcweb_signal::Config;
use serde_json::{json, Value};

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let db = start(Config {
        max_body_bytes: 1000,
        ..Default::default()
    })
    .await;
    let big = format!("\"{}\"", "x".repeat(2000));
    let (status, body) = db.send("PUT", "a.json", &big).await;
    assert_eq!(status, 413);
    assert_eq!(
        body["error"],
        "Data to write exceeds the maximum size that can be modified with a single request."
    );
    let (status, _) = db.send("PUT", "a.json", "\"small\"").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn nesting_deeper_than_32_levels_is_refused() {
    let db = start(Config::default()).await;
    let mut deep = json!(1);
    for _ in 0..32 {
        deep = json!({ "k": deep });
    }
    let (status, _) = db.send("PUT", ".json", &deep.to_string()).await;
    assert_eq!(status, 200);
    let (status, body) = db.send("PUT", "one/more.json", &deep.to_string()).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"],
        "Invalid data; data is nested more than 32 levels deep."
    );
}

#[tokio::test]
async fn keys_longer_than_768_bytes_are_refused() {
    let db = start(Config::default()).await;
    let long = "k".repeat(769);
    let (status, body) = db
        .send("PUT", "a.json", &json!({ long.clone(): 1 }).to_string())
        .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("768 bytes"));
    let (status, body) = db.send("GET", &format!("{long}.json"), "").await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("768 bytes"));
    let ok = "k".repeat(768);
    let (status, _) = db
        .send("PUT", "a.json", &json!({ ok: 1 }).to_string())
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_database_size_is_limited() {
    let db = start(Config {
        max_data_bytes: 200,
        ..Default::default()
    })
    .await;
    let (status, _) = db
        .send("PUT", "a.json", &json!("x".repeat(100)).to_string())
        .await;
    assert_eq!(status, 200);
    let (status, body) = db
        .send("PUT", "b.json", &json!("y".repeat(150)).to_string())
        .await;
    assert_eq!(status, 413);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("limit of 200 bytes"));
    // Shrinking or replacing within the limit still works.
    let (status, _) = db
        .send("PUT", "a.json", &json!("x".repeat(150)).to_string())
        .await;
    assert_eq!(status, 200);
    let (status, _) = db.send("DELETE", "a.json", "").await;
    assert_eq!(status, 200);
    let (status, _) = db
        .send("PUT", "b.json", &json!("y".repeat(150)).to_string())
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn idle_rooms_expire_and_streams_hear_it() {
    let db = start(Config {
        room_ttl: Duration::from_millis(400),
        ..Default::default()
    })
    .await;
    db.put("rooms/old.json", json!({"offer": 1})).await;
    db.put("rooms/busy.json", json!({"offer": 1})).await;
    db.put("other.json", json!(1)).await;
    let mut events = Events::open(&db.client, &db.url("rooms/old.json")).await;
    assert_eq!(events.next().await.0, "put");
    // Keep one room busy while the other goes idle.
    for i in 0..8 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        db.put("rooms/busy/n.json", json!(i)).await;
    }
    assert_eq!(
        events.next().await,
        ("put".into(), json!({"path": "/", "data": null}))
    );
    assert_eq!(db.get("rooms/old.json").await, Value::Null);
    assert_eq!(db.get("rooms/busy/n.json").await, json!(7));
    assert_eq!(db.get("other.json").await, json!(1));
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_restart() {
    let data =
        std::env::temp_dir().join(format!("rtcweb-signal-limits-{}.json", std::process::id()));
    let journal = data.with_extension("json.journal");
    let _ = std::fs::remove_file(&data);
    let _ = std::fs::remove_file(&journal);
    let config = Config {
        data: Some(data.clone()),
        ..Default::default()
    };
    let db = start(config.clone()).await;
    // Concurrent writes share syncs of the journal; each is on disk before its answer.
    let writes = (0..50).map(|i| {
        let db = &db;
        async move {
            db.send("PUT", &format!("many/{i}.json"), &i.to_string())
                .await
        }
    });
    for (status, _) in futures_util::future::join_all(writes).await {
        assert_eq!(status, 200);
    }
    let (_, pushed) = db.send("POST", "log.json", "\"a\"").await;
    db.send("PATCH", ".json", r#"{"p/q": true}"#).await;
    let journaled = std::fs::read(&journal).unwrap();
    assert!(String::from_utf8_lossy(&journaled).contains(r#"[["many","49"],49]"#));
    db.stop.send(()).unwrap();

    let db = start(config).await;
    let many = db.get("many.json").await;
    assert_eq!(many.as_array().unwrap().len(), 50);
    assert_eq!(
        db.get(&format!("log/{}.json", pushed["name"].as_str().unwrap()))
            .await,
        "a"
    );
    assert_eq!(db.get("p/q.json").await, true);
    let _ = std::fs::remove_file(data);
    std::fs::remove_file(journal).unwrap();
}

#[tokio::test]
async fn data_files_are_validated_at_load_and_a_tmp_name_is_safe() {
    let dir = std::env::temp_dir().join(format!("rtcweb-signal-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad_key = dir.join("bad-key.json");
    std::fs::write(&bad_key, r#"{"a": {"b.c": 1}}"#).unwrap();
    let mut deep = json!(1);
    for _ in 0..61 {
        deep = json!({ "k": deep });
    }
    let too_deep = dir.join("deep.json");
    std::fs::write(&too_deep, deep.to_string()).unwrap();
    for file in [&bad_key, &too_deep] {
        let err = rtcweb_signal::Server::new(Config {
            data: Some(file.clone()),
            ..Default::default()
        })
        .err()
        .expect("a bad data file was loaded");
        assert!(err.to_string().contains("not a database"), "{err}");
    }
    // A journal corrupt before its last record is refused, naming the file.
    let corrupt = dir.join("corrupt.json");
    let journal = dir.join("corrupt.json.journal");
    std::fs::write(
        &journal,
        b"rtcweb-signal journal 1\n\x05\0\0\0\0\0\0\0hello\x01\0\0\0\0\0\0\0x",
    )
    .unwrap();
    let err = rtcweb_signal::Server::new(Config {
        data: Some(corrupt),
        ..Default::default()
    })
    .err()
    .expect("a corrupt journal was loaded");
    assert!(err.to_string().contains("corrupt.json.journal"), "{err}");
    assert!(err.to_string().contains("is corrupt"), "{err}");
    // Names that are another data file's journal or temporary file are refused.
    for name in ["db.json.journal", "db.json.rtcweb-tmp"] {
        let err = rtcweb_signal::Server::new(Config {
            data: Some(dir.join(name)),
            ..Default::default()
        })
        .err()
        .expect("a companion file's name was taken as a data file");
        assert!(err.to_string().contains("may not end in"), "{err}");
    }
    // A data file named *.tmp keeps its writes (the temporary file is another file).
    let tmp = dir.join("db.tmp");
    let config = Config {
        data: Some(tmp.clone()),
        ..Default::default()
    };
    let db = start(config.clone()).await;
    db.put("a.json", json!(1)).await;
    db.put("b.json", json!(2)).await;
    db.stop.send(()).unwrap();
    let db = start(config).await;
    assert_eq!(db.get(".json").await, json!({"a": 1, "b": 2}));
    std::fs::remove_dir_all(dir).unwrap();
}
