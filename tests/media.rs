//! Media in real browsers: the fake camera and microphone that webdriver.json turns on.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack, MediaStreamTrackState};

wasm_bindgen_test_configure!(run_in_browser);

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
