//! `Call`: a room call ([`crate::call`]) for JS.

use std::cell::RefCell;
use std::rc::Rc;

use futures::StreamExt;
use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;

use super::convert;
use super::database::Database;
use super::error::{closed, to_js, type_error};
use super::events::{Emitter, EventIterator};
use super::peer::ChannelInit;
use super::promise;
use crate::call::{self as rust, CallEvent, LeaveReason, PeerState};
use crate::data_channel::DataChannelOptions;
use crate::media::{LocalMedia, MediaStream, MediaTrack};
use crate::peer::Configuration;

/// A call: this page's peer in a room, connected to every other peer in it.
///
/// ```js
/// const call = await Call.join(new Database(location.origin), "abc");
/// call.on("message", ({ peer, data }) => console.log(peer, data));
/// call.on("peerstate", ({ peer, state }) => state === "connected" && call.send(peer, "hi"));
/// ```
#[wasm_bindgen]
pub struct Call {
    call: RefCell<Option<Rc<rust::Call>>>,
    events: Rc<Emitter>,
    id: String,
}

#[wasm_bindgen]
impl Call {
    /// Joins room `room` of `database`, and resolves once it is joined; the peers arrive as
    /// `peerjoined` events. The call owns `options.media`: its tracks stop when the call
    /// ends.
    #[wasm_bindgen(unchecked_return_type = "Promise<Call>")]
    pub fn join(
        database: &Database,
        #[wasm_bindgen(unchecked_param_type = "string")] room: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let db = database.rust().clone();
        let args = convert::id(&room, "room").and_then(|room| Ok((room, call_options(&options)?)));
        promise(async move {
            let (room, options) = args?;
            let call = rust::Call::join(&db, &room, options).await.map_err(to_js)?;
            let source = call.events().map(event_to_js).boxed_local();
            Ok(Call {
                id: call.id().to_owned(),
                call: RefCell::new(Some(Rc::new(call))),
                events: Emitter::new(source),
            }
            .into())
        })
    }

    /// This peer's id in the room.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// The ids of the peers in the call now (not those that left).
    #[wasm_bindgen(getter, unchecked_return_type = "string[]")]
    pub fn peers(&self) -> Array {
        let peers = self
            .call
            .borrow()
            .as_ref()
            .map(|c| c.peers())
            .unwrap_or_default();
        peers.into_iter().map(JsValue::from).collect()
    }

    /// Calls `listener` with each event of `type` (`"*"`: every event); returns a function
    /// that removes it.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, kind: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        self.events.on(&kind, &listener)
    }

    /// Removes a listener added with `on`.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, kind: JsValue, listener: JsValue) {
        self.events.off(&kind, &listener);
    }

    /// The call's events from now on, for `for await`.
    #[wasm_bindgen(unchecked_return_type = "EventIterator<CallEvent>")]
    pub fn events(&self) -> EventIterator {
        self.events.iterate()
    }

    /// Sends `data` to `peer` on the first data channel (or `options.channel`); resolves once
    /// the channel has taken it (waiting while its buffer is full).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] peer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Data")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SendOptions")] options: JsValue,
    ) -> Promise {
        #[derive(serde::Deserialize, Default)]
        struct Options {
            channel: Option<String>,
        }
        let args = self.live().and_then(|call| {
            let peer = convert::id(&peer, "peer")?;
            let options: Options = convert::options(&options, "options")?;
            Ok((call, peer, convert::message(&data)?, options.channel))
        });
        promise(async move {
            let (call, peer, message, channel) = args?;
            call.send_on(channel.as_deref(), &peer, &message)
                .await
                .map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Sends `data` to every peer; resolves to the ids of the peers it could not reach.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn broadcast(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Data")] data: JsValue,
    ) -> Promise {
        let args = self
            .live()
            .and_then(|call| Ok((call, convert::message(&data)?)));
        promise(async move {
            let (call, message) = args?;
            let missed = call.broadcast(&message).await;
            Ok(missed
                .into_iter()
                .map(|(peer, _)| JsValue::from(peer))
                .collect::<Array>()
                .into())
        })
    }

    /// Sends `track` (of `stream`) to every peer, now and to those who join later.
    #[wasm_bindgen(js_name = addTrack)]
    pub fn add_track(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MediaStreamTrack")] track: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MediaStream")] stream: JsValue,
    ) -> Result<(), JsValue> {
        let call = self.live()?;
        let track = track
            .dyn_into::<web_sys::MediaStreamTrack>()
            .map_err(|_| type_error("track must be a MediaStreamTrack"))?;
        let stream = stream
            .dyn_into::<web_sys::MediaStream>()
            .map_err(|_| type_error("stream must be a MediaStream"))?;
        call.add_track(&MediaTrack::from_raw(track), &MediaStream::from_raw(stream))
            .map_err(to_js)
    }

    /// The browser's `RTCPeerConnection` to `peer`, for what this API does not cover.
    #[wasm_bindgen(js_name = peerConnection)]
    pub fn peer_connection(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] peer: JsValue,
    ) -> Option<web_sys::RtcPeerConnection> {
        let peer = peer.as_string()?;
        let call = self.call.borrow().clone()?;
        let pc = call.peer_connection(&peer)?;
        Some(pc.as_raw().clone())
    }

    /// Says bye to every peer and leaves the room; rejects when the room could not be
    /// cleaned up. Later calls resolve at once.
    #[wasm_bindgen(js_name = hangUp, unchecked_return_type = "Promise<void>")]
    pub fn hang_up(&self) -> Promise {
        let call = self.call.borrow_mut().take();
        promise(async move {
            // A send still in flight holds the call: it hangs up when that send ends.
            if let Some(call) = call.and_then(|c| Rc::try_unwrap(c).ok()) {
                call.hang_up().await.map_err(to_js)?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Hangs up without waiting (best effort); also what `using` and garbage collection do.
    pub fn close(&self) {
        self.call.borrow_mut().take();
    }

    fn live(&self) -> Result<Rc<rust::Call>, JsValue> {
        self.call.borrow().clone().ok_or_else(|| closed("call"))
    }
}

fn call_options(value: &JsValue) -> Result<rust::CallOptions, JsValue> {
    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "camelCase", default)]
    struct Options {
        peer_id: Option<String>,
        /// Each a label or a `ChannelInit` with one; read one by one below, not as an
        /// `untagged` enum, which buffers the value in serde's `Content` (kilobytes of wasm).
        channels: Option<Vec<serde_json::Value>>,
        configuration: Configuration,
        reconnect: Option<Reconnect>,
        heartbeat_ms: Option<u32>,
        stale_after_ms: Option<u32>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Reconnect {
        delays_ms: Option<Vec<u32>>,
        attempt_timeout_ms: Option<u32>,
        disconnected_grace_ms: Option<u32>,
        connect_timeout_ms: Option<u32>,
        jitter_percent: Option<u32>,
    }

    let options: Options = convert::options(value, "options")?;
    let mut call = rust::CallOptions {
        peer_id: options.peer_id,
        configuration: options.configuration,
        ..Default::default()
    };
    if let Some(channels) = options.channels {
        call.channels = channels
            .into_iter()
            .map(|channel| match channel {
                serde_json::Value::String(label) => Ok(DataChannelOptions::new(label)),
                init => {
                    let init: ChannelInit = convert::typed(init, "channel")?;
                    match init.label.clone() {
                        Some(label) => init.into_options(label),
                        None => Err(type_error("a channel needs a label")),
                    }
                }
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(r) = options.reconnect {
        let policy = &mut call.reconnect;
        policy.delays_ms = r.delays_ms.unwrap_or(policy.delays_ms.clone());
        policy.attempt_timeout_ms = r.attempt_timeout_ms.unwrap_or(policy.attempt_timeout_ms);
        policy.disconnected_grace_ms = r
            .disconnected_grace_ms
            .unwrap_or(policy.disconnected_grace_ms);
        policy.connect_timeout_ms = r.connect_timeout_ms.unwrap_or(policy.connect_timeout_ms);
        policy.jitter_percent = r.jitter_percent.unwrap_or(policy.jitter_percent);
    }
    if let Some(ms) = options.heartbeat_ms {
        call.heartbeat_ms = ms;
    }
    if let Some(ms) = options.stale_after_ms {
        call.stale_after_ms = ms;
    }
    let media = js_sys::Reflect::get(value, &"media".into()).unwrap_or(JsValue::UNDEFINED);
    if !media.is_undefined() && !media.is_null() {
        let stream = media
            .dyn_into::<web_sys::MediaStream>()
            .map_err(|_| type_error("options.media must be a MediaStream"))?;
        call.media = Some(LocalMedia::from_raw(stream));
    }
    Ok(call)
}

/// A call event as the plain object JS receives, with its type.
fn event_to_js(event: CallEvent) -> (&'static str, JsValue) {
    let object = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&object, &key.into(), &value);
    };
    set("peer", event.peer().into());
    let kind = match event {
        CallEvent::PeerJoined { .. } => "peerjoined",
        CallEvent::PeerState { state, .. } => {
            let (name, attempt, reason) = match state {
                PeerState::Connecting => ("connecting", None, None),
                PeerState::Connected => ("connected", None, None),
                PeerState::Reconnecting { attempt } => ("reconnecting", Some(attempt), None),
                PeerState::Left(reason) => ("left", None, Some(leave_reason(reason))),
            };
            set("state", name.into());
            if let Some(attempt) = attempt {
                set("attempt", attempt.into());
            }
            if let Some(reason) = reason {
                set("reason", reason.into());
            }
            "peerstate"
        }
        CallEvent::Message {
            channel, message, ..
        } => {
            set("channel", channel.into());
            set("data", convert::message_to_js(&message));
            "message"
        }
        CallEvent::Track { track, .. } => {
            set("track", track.track.as_raw().into());
            let streams: Array = track
                .streams
                .iter()
                .map(|s| JsValue::from(s.as_raw()))
                .collect();
            set("streams", streams.into());
            "track"
        }
        CallEvent::Error { error, .. } => {
            set("error", to_js(error));
            "error"
        }
    };
    set("type", kind.into());
    (kind, object.into())
}

fn leave_reason(reason: LeaveReason) -> &'static str {
    match reason {
        LeaveReason::HungUp => "hungup",
        LeaveReason::TimedOut => "timedout",
        LeaveReason::Failed => "failed",
        LeaveReason::Rejoined => "rejoined",
    }
}
