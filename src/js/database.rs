//! `Database` and `Room`: the signaling client ([`crate::signaling`]) for JS.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::convert;
use super::error::to_js;
use super::promise;
use crate::signaling::{self, Reference};

/// A Firebase Realtime Database (or rtcweb-signal), reached over its REST protocol.
///
/// ```js
/// const db = new Database("http://127.0.0.1:8080");
/// await db.set("notes/1", { text: "hi" });
/// console.log(await db.get("notes"));
/// ```
#[wasm_bindgen]
pub struct Database {
    inner: signaling::Database,
}

impl Database {
    #[cfg(feature = "js")]
    pub(crate) fn rust(&self) -> &signaling::Database {
        &self.inner
    }

    fn reference(&self, path: &JsValue) -> Result<Reference, JsValue> {
        let path = convert::id(path, "path")?;
        self.inner.reference(&path).map_err(to_js)
    }

    /// The reference and the JSON value of a write, both checked.
    fn write(
        &self,
        path: &JsValue,
        value: &JsValue,
        what: &str,
    ) -> Result<(Reference, serde_json::Value), JsValue> {
        Ok((self.reference(path)?, convert::json(value, what)?))
    }
}

#[wasm_bindgen]
impl Database {
    /// The database at `url` (`https://NAME.firebaseio.com`, or rtcweb-signal's address),
    /// with `options.auth` sent as the `auth` parameter of every request (an ID token).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DatabaseOptions")] options: JsValue,
    ) -> Result<Database, JsValue> {
        #[derive(serde::Deserialize, Default)]
        struct Options {
            auth: Option<String>,
        }
        let url = convert::id(&url, "url")?;
        let options: Options = convert::options(&options, "options")?;
        let mut inner = signaling::Database::new(url);
        if let Some(auth) = options.auth {
            inner = inner.with_auth(auth);
        }
        Ok(Database { inner })
    }

    /// The database's base URL.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// The value at `path` (`null` when there is none).
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn get(&self, #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue) -> Promise {
        let reference = self.reference(&path);
        promise(async move {
            let value = reference?.get().await.map_err(to_js)?;
            Ok(crate::sys::to_js(&value))
        })
    }

    /// Replaces the value at `path` (`null` deletes it).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn set(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> Promise {
        let write = self.write(&path, &value, "value");
        promise(async move {
            let (reference, value) = write?;
            reference.set(&value).await.map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Writes the children of `values` under `path`, leaving the others.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn update(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] values: JsValue,
    ) -> Promise {
        let write = self.write(&path, &values, "values");
        promise(async move {
            let (reference, values) = write?;
            reference.update(&values).await.map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Adds `value` under `path` with a new chronological key, and returns the key.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn push(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> Promise {
        let write = self.write(&path, &value, "value");
        promise(async move {
            let (reference, value) = write?;
            let key = reference.push(&value).await.map_err(to_js)?;
            Ok(key.into())
        })
    }

    /// Deletes the value at `path`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn remove(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    ) -> Promise {
        let reference = self.reference(&path);
        promise(async move {
            reference?.remove().await.map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The low-level room `id` (the seed's offer/answer model under `rooms/{id}`).
    pub fn room(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<Room, JsValue> {
        let id = convert::id(&id, "room id")?;
        let inner = signaling::Room::new(&self.inner, &id).map_err(to_js)?;
        Ok(Room { inner })
    }
}

/// A low-level room: values by key (`offer`, `answer`, ...) that two peers exchange.
///
/// ```js
/// const room = db.room("abc");
/// await room.send("offer", pc.localDescription);
/// const answer = await room.recv("answer");
/// ```
#[wasm_bindgen]
pub struct Room {
    inner: signaling::Room,
}

#[wasm_bindgen]
impl Room {
    /// The room's id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// Stores `value` under `key`, and marks the room as used now.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> Promise {
        let room = self.inner.clone();
        let args = convert::id(&key, "key").and_then(|k| Ok((k, convert::json(&value, "value")?)));
        promise(async move {
            let (key, value) = args?;
            room.send(&key, &value).await.map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Waits until `key` holds a value, and returns it (at once when it is there).
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn recv(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Promise {
        let room = self.inner.clone();
        let key = convert::id(&key, "key");
        promise(async move {
            let value: serde_json::Value = room.recv(&key?).await.map_err(to_js)?;
            Ok(crate::sys::to_js(&value))
        })
    }

    /// The ids of the peers present in the room.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn peers(&self) -> Promise {
        let room = self.inner.clone();
        promise(async move {
            let peers = room.peers().await.map_err(to_js)?;
            Ok(peers
                .into_iter()
                .map(JsValue::from)
                .collect::<js_sys::Array>()
                .into())
        })
    }

    /// Deletes the whole room.
    #[wasm_bindgen(js_name = hangUp, unchecked_return_type = "Promise<void>")]
    pub fn hang_up(&self) -> Promise {
        let room = self.inner.clone();
        promise(async move {
            room.hang_up().await.map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }
}
