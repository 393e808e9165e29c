//! `PeerConnection`: a peer connection ([`crate::peer`]) for JS, for apps that do their own
//! signaling.

use std::rc::Rc;

use futures::stream::{self, LocalBoxStream};
use futures::StreamExt;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use super::convert::{self, object, to_plain};
use super::data_channel::DataChannel;
use super::error::{to_js, type_error};
use super::events::{Emitter, EventIterator};
use super::promise;
use crate::data_channel::DataChannelOptions;
use crate::peer::{self as rust, Configuration, OfferOptions};
use crate::types::ice::IceCandidate;
use crate::types::sdp::SessionDescription;

/// A connection to one remote peer, with the browsers' old forms handled.
///
/// ```js
/// const pc = new PeerConnection({ iceServers: [{ urls: "stun:stun.example.org" }] });
/// pc.on("icecandidate", ({ candidate }) => signal({ candidate }));
/// const channel = pc.createDataChannel("chat");
/// signal({ offer: await pc.setLocalDescription() });
/// ```
#[wasm_bindgen]
pub struct PeerConnection {
    inner: Rc<rust::PeerConnection>,
    events: Rc<Emitter>,
}

/// One kind of event as `(type, event)` pairs, `fields` building the rest of each event.
fn kind<T: 'static>(
    events: impl futures::Stream<Item = T> + 'static,
    name: &'static str,
    fields: impl Fn(T) -> Vec<(&'static str, JsValue)> + 'static,
) -> LocalBoxStream<'static, (&'static str, JsValue)> {
    events
        .map(move |item| {
            let mut all = vec![("type", JsValue::from(name))];
            all.extend(fields(item));
            (name, object(&all).into())
        })
        .boxed_local()
}

#[wasm_bindgen]
impl PeerConnection {
    /// A new connection with `configuration` (`RTCConfiguration`'s `iceServers`,
    /// `iceTransportPolicy`, `bundlePolicy`, `iceCandidatePoolSize`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "RTCConfiguration")] configuration: JsValue,
    ) -> Result<PeerConnection, JsValue> {
        let configuration: Configuration = convert::options(&configuration, "configuration")?;
        let inner = Rc::new(rust::PeerConnection::new(&configuration).map_err(to_js)?);
        let state = |s: String| vec![("state", JsValue::from(s))];
        let source = stream::select_all([
            kind(inner.ice_candidates(), "icecandidate", |c: IceCandidate| {
                vec![("candidate", to_plain(&c))]
            }),
            kind(
                inner.connection_state_changes(),
                "connectionstatechange",
                move |s| state(s.to_string()),
            ),
            kind(
                inner.signaling_state_changes(),
                "signalingstatechange",
                move |s| state(s.to_string()),
            ),
            kind(
                inner.ice_connection_state_changes(),
                "iceconnectionstatechange",
                move |s| state(s.to_string()),
            ),
            kind(
                inner.ice_gathering_state_changes(),
                "icegatheringstatechange",
                move |s| state(s.to_string()),
            ),
            kind(inner.negotiation_needed(), "negotiationneeded", |()| vec![]),
            kind(inner.data_channels(), "datachannel", |c| {
                vec![("channel", DataChannel::new(c).into())]
            }),
            #[cfg(feature = "js")]
            kind(inner.tracks(), "track", |t| {
                let streams: js_sys::Array = t
                    .streams
                    .iter()
                    .map(|s| JsValue::from(s.as_raw()))
                    .collect();
                vec![
                    ("track", t.track.as_raw().into()),
                    ("streams", streams.into()),
                ]
            }),
        ])
        .boxed_local();
        Ok(PeerConnection {
            inner,
            events: Emitter::new(source),
        })
    }

    /// Opens a data channel (`RTCDataChannelInit`'s options, and `split: true` to split
    /// messages above the remote's maximum size).
    #[wasm_bindgen(js_name = createDataChannel)]
    pub fn create_data_channel(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] label: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DataChannelOptions")] options: JsValue,
    ) -> Result<DataChannel, JsValue> {
        let label = convert::id(&label, "label")?;
        let options = convert::options::<ChannelInit>(&options, "options")?.into_options(label)?;
        let channel = self.inner.create_data_channel(&options).map_err(to_js)?;
        Ok(DataChannel::new(channel))
    }

    /// Creates an offer (`{ iceRestart }` to restart ICE).
    #[wasm_bindgen(js_name = createOffer, unchecked_return_type = "Promise<RTCSessionDescriptionInit>")]
    pub fn create_offer(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RTCOfferOptions")] options: JsValue,
    ) -> Promise {
        #[derive(serde::Deserialize, Default)]
        #[serde(rename_all = "camelCase", default)]
        struct Options {
            ice_restart: bool,
            offer_to_receive_audio: Option<bool>,
            offer_to_receive_video: Option<bool>,
        }
        let inner = self.inner.clone();
        let options = convert::options::<Options>(&options, "options");
        promise(async move {
            let o = options?;
            let options = OfferOptions {
                ice_restart: o.ice_restart,
                offer_to_receive_audio: o.offer_to_receive_audio,
                offer_to_receive_video: o.offer_to_receive_video,
            };
            let offer = inner.create_offer(&options).await.map_err(to_js)?;
            Ok(to_plain(&offer))
        })
    }

    /// Creates an answer to the remote offer.
    #[wasm_bindgen(js_name = createAnswer, unchecked_return_type = "Promise<RTCSessionDescriptionInit>")]
    pub fn create_answer(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let answer = inner.create_answer().await.map_err(to_js)?;
            Ok(to_plain(&answer))
        })
    }

    /// Applies `description`, or without one creates and applies whichever the signaling
    /// state calls for; resolves to the description applied.
    #[wasm_bindgen(js_name = setLocalDescription, unchecked_return_type = "Promise<RTCSessionDescriptionInit>")]
    pub fn set_local_description(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RTCSessionDescriptionInit")]
        description: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        let given = match description.is_undefined() || description.is_null() {
            true => Ok(None),
            false => convert::value::<SessionDescription>(&description, "description").map(Some),
        };
        promise(async move {
            let applied = match given? {
                Some(description) => {
                    inner
                        .set_local_description(&description)
                        .await
                        .map_err(to_js)?;
                    description
                }
                None => inner
                    .set_local_description_implicit()
                    .await
                    .map_err(to_js)?,
            };
            Ok(to_plain(&applied))
        })
    }

    /// Applies the remote peer's description.
    #[wasm_bindgen(js_name = setRemoteDescription, unchecked_return_type = "Promise<void>")]
    pub fn set_remote_description(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RTCSessionDescriptionInit")] description: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        let description = convert::value::<SessionDescription>(&description, "description");
        promise(async move {
            inner
                .set_remote_description(&description?)
                .await
                .map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Adds the remote peer's candidate (an empty `candidate` marks the end of candidates).
    #[wasm_bindgen(js_name = addIceCandidate, unchecked_return_type = "Promise<void>")]
    pub fn add_ice_candidate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RTCIceCandidateInit")] candidate: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        let candidate = convert::value::<IceCandidate>(&candidate, "candidate");
        promise(async move {
            inner.add_ice_candidate(&candidate?).await.map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Restarts ICE at the next negotiation.
    #[wasm_bindgen(js_name = restartIce)]
    pub fn restart_ice(&self) -> Result<(), JsValue> {
        self.inner.restart_ice().map_err(to_js)
    }

    /// Sends `track` (of `stream`) to the peer.
    #[cfg(feature = "js")]
    #[wasm_bindgen(js_name = addTrack)]
    pub fn add_track(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MediaStreamTrack")] track: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MediaStream")] stream: JsValue,
    ) -> Result<(), JsValue> {
        let track = track
            .dyn_into::<web_sys::MediaStreamTrack>()
            .map_err(|_| type_error("track must be a MediaStreamTrack"))?;
        let stream = stream
            .dyn_into::<web_sys::MediaStream>()
            .map_err(|_| type_error("stream must be a MediaStream"))?;
        let stream = crate::media::MediaStream::from_raw(stream);
        self.inner
            .add_track(&crate::media::MediaTrack::from_raw(track), &[&stream])
            .map(drop)
            .map_err(to_js)
    }

    /// The description applied locally, or `null`.
    #[wasm_bindgen(getter = localDescription, unchecked_return_type = "RTCSessionDescriptionInit | null")]
    pub fn local_description(&self) -> JsValue {
        self.inner
            .local_description()
            .map_or(JsValue::NULL, |d| to_plain(&d))
    }

    /// The remote peer's description, or `null`.
    #[wasm_bindgen(getter = remoteDescription, unchecked_return_type = "RTCSessionDescriptionInit | null")]
    pub fn remote_description(&self) -> JsValue {
        self.inner
            .remote_description()
            .map_or(JsValue::NULL, |d| to_plain(&d))
    }

    /// `RTCPeerConnectionState`.
    #[wasm_bindgen(getter = connectionState, unchecked_return_type = "RTCPeerConnectionState")]
    pub fn connection_state(&self) -> String {
        self.inner.connection_state().to_string()
    }

    /// `RTCSignalingState`.
    #[wasm_bindgen(getter = signalingState, unchecked_return_type = "RTCSignalingState")]
    pub fn signaling_state(&self) -> String {
        self.inner.signaling_state().to_string()
    }

    /// `RTCIceConnectionState`.
    #[wasm_bindgen(getter = iceConnectionState, unchecked_return_type = "RTCIceConnectionState")]
    pub fn ice_connection_state(&self) -> String {
        self.inner.ice_connection_state().to_string()
    }

    /// `RTCIceGatheringState`.
    #[wasm_bindgen(getter = iceGatheringState, unchecked_return_type = "RTCIceGatheringState")]
    pub fn ice_gathering_state(&self) -> String {
        self.inner.ice_gathering_state().to_string()
    }

    /// The statistics (`getStats()`): the report's entries as plain objects, old browsers'
    /// forms included.
    #[wasm_bindgen(unchecked_return_type = "Promise<RTCStats[]>")]
    pub fn stats(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let entries = crate::sys::stats::peer_entries(inner.as_raw()).await;
            entries.map(JsValue::from).map_err(to_js)
        })
    }

    /// The browser's `RTCPeerConnection`.
    #[wasm_bindgen(getter)]
    pub fn raw(&self) -> web_sys::RtcPeerConnection {
        self.inner.as_raw().clone()
    }

    /// Calls `listener` with each event of `type`; returns its remover.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, kind: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        self.events.on(&kind, &listener)
    }

    /// Removes a listener added with `on`.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, kind: JsValue, listener: JsValue) {
        self.events.off(&kind, &listener);
    }

    /// The connection's events from now on, for `for await`; it ends when it closes.
    #[wasm_bindgen(unchecked_return_type = "EventIterator<PeerConnectionEvent>")]
    pub fn events(&self) -> EventIterator {
        self.events.iterate()
    }

    /// Closes the connection and its channels.
    pub fn close(&self) {
        self.inner.close();
    }
}

/// JS's `RTCDataChannelInit` (and `split`), as a call's channel list also gives it.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ChannelInit {
    pub(crate) label: Option<String>,
    ordered: Option<bool>,
    max_retransmits: Option<u16>,
    max_packet_life_time: Option<u16>,
    protocol: Option<String>,
    negotiated: bool,
    id: Option<u16>,
    split: bool,
}

impl ChannelInit {
    pub(crate) fn into_options(self, label: String) -> Result<DataChannelOptions, JsValue> {
        let mut options = DataChannelOptions::new(label);
        options.ordered = self.ordered.unwrap_or(true);
        options.max_retransmits = self.max_retransmits;
        options.max_packet_life_time = self.max_packet_life_time;
        options.protocol = self.protocol.unwrap_or_default();
        if self.negotiated {
            let id = self
                .id
                .ok_or_else(|| type_error("a negotiated channel needs an id"))?;
            options.negotiated_id = Some(id);
        }
        if self.split {
            options.oversized = crate::data_channel::Oversized::Split;
        }
        Ok(options)
    }
}
