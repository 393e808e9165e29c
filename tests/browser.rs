//! Browser tests of the pipe itself: real WebRTC in headless Chromium and Firefox.
//!
//! Run with `scripts/test.sh chromium` or `scripts/test.sh firefox`, or
//! `wasm-pack test --headless --chrome --firefox`.
#![cfg(target_arch = "wasm32")]

use futures::channel::mpsc;
use futures::StreamExt;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    MediaStream, MediaStreamConstraints, MediaStreamTrack, MediaStreamTrackState, MessageEvent,
    RtcDataChannel, RtcDataChannelEvent, RtcDataChannelState, RtcIceCandidateInit,
    RtcPeerConnection, RtcPeerConnectionIceEvent, RtcSdpType, RtcSessionDescriptionInit,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Forwards each ICE candidate of `from` to `to`, for as long as the returned closure lives.
fn trickle(
    from: &RtcPeerConnection,
    to: &RtcPeerConnection,
) -> Closure<dyn FnMut(RtcPeerConnectionIceEvent)> {
    let to = to.clone();
    let on_candidate = Closure::<dyn FnMut(_)>::new(move |event: RtcPeerConnectionIceEvent| {
        if let Some(candidate) = event.candidate() {
            let init = RtcIceCandidateInit::new(&candidate.candidate());
            init.set_sdp_mid(candidate.sdp_mid().as_deref());
            init.set_sdp_m_line_index(candidate.sdp_m_line_index());
            // A failure shows up as the connection never opening, which the test asserts.
            let _ = to.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init));
        }
    });
    from.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
    on_candidate
}

fn sdp_of(description: &JsValue) -> String {
    Reflect::get(description, &"sdp".into())
        .ok()
        .and_then(|sdp| sdp.as_string())
        .unwrap_or_default()
}

async fn exchange(
    offerer: &RtcPeerConnection,
    answerer: &RtcPeerConnection,
) -> Result<(), JsValue> {
    let offer = sdp_of(&JsFuture::from(offerer.create_offer()).await?);
    let desc = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
    desc.set_sdp(&offer);
    JsFuture::from(offerer.set_local_description(&desc)).await?;
    JsFuture::from(answerer.set_remote_description(&desc)).await?;
    let answer = sdp_of(&JsFuture::from(answerer.create_answer()).await?);
    let desc = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
    desc.set_sdp(&answer);
    JsFuture::from(answerer.set_local_description(&desc)).await?;
    JsFuture::from(offerer.set_remote_description(&desc)).await?;
    Ok(())
}

#[wasm_bindgen_test]
async fn two_peer_connections_exchange_a_data_channel_message() {
    let a = RtcPeerConnection::new().expect("RTCPeerConnection");
    let b = RtcPeerConnection::new().expect("RTCPeerConnection");
    let _a_to_b = trickle(&a, &b);
    let _b_to_a = trickle(&b, &a);

    let (opened_tx, mut opened) = mpsc::unbounded::<()>();
    let sender = a.create_data_channel("chat");
    let on_open = Closure::<dyn FnMut()>::new(move || {
        let _ = opened_tx.unbounded_send(());
    });
    sender.set_onopen(Some(on_open.as_ref().unchecked_ref()));

    // The answerer's side of the channel arrives as an event; its messages go to `received`.
    let (received_tx, mut received) = mpsc::unbounded::<String>();
    let (channel_tx, mut remote_channels) = mpsc::unbounded::<RtcDataChannel>();
    let on_message = Closure::<dyn FnMut(_)>::new(move |event: MessageEvent| {
        let _ = received_tx.unbounded_send(event.data().as_string().unwrap_or_default());
    });
    let on_message_fn: js_sys::Function = on_message.as_ref().clone().unchecked_into();
    let on_channel = Closure::<dyn FnMut(_)>::new(move |event: RtcDataChannelEvent| {
        let channel = event.channel();
        channel.set_onmessage(Some(&on_message_fn));
        let _ = channel_tx.unbounded_send(channel);
    });
    b.set_ondatachannel(Some(on_channel.as_ref().unchecked_ref()));

    exchange(&a, &b).await.expect("offer/answer");
    opened.next().await.expect("the offerer's channel opens");
    assert_eq!(sender.ready_state(), RtcDataChannelState::Open);
    let remote = remote_channels
        .next()
        .await
        .expect("the answerer gets the channel");
    assert_eq!(remote.label(), "chat");

    sender.send_with_str("hello over WebRTC").expect("send");
    assert_eq!(received.next().await.as_deref(), Some("hello over WebRTC"));

    a.close();
    b.close();
}

#[wasm_bindgen_test]
async fn fake_camera_yields_a_live_video_track() {
    let devices = web_sys::window()
        .expect("window")
        .navigator()
        .media_devices()
        .expect("mediaDevices in a secure context");
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&JsValue::TRUE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .expect("getUserMedia");
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .expect("the fake camera is allowed")
        .unchecked_into();

    let tracks = stream.get_video_tracks();
    assert_eq!(tracks.length(), 1);
    let track: MediaStreamTrack = tracks.get(0).unchecked_into();
    assert_eq!(track.kind(), "video");
    assert_eq!(track.ready_state(), MediaStreamTrackState::Live);
    let settings: Object = track.get_settings().unchecked_into();
    let width = Reflect::get(&settings, &"width".into())
        .ok()
        .and_then(|w| w.as_f64());
    assert!(
        width.unwrap_or(0.0) > 0.0,
        "the fake camera has a frame size: {width:?}"
    );

    track.stop();
    assert_eq!(track.ready_state(), MediaStreamTrackState::Ended);
}
