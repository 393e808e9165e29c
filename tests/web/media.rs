//! Media in real browsers, with the fake camera and microphone that webdriver.json turns on:
//! capture, tracks, a loopback call that really plays, replace_track, typed stats, errors.

use std::rc::Rc;

use crate::common::{negotiate, pair};
use futures::{FutureExt, StreamExt};
use rtcweb::{
    get_user_media,
    media::{
        device_changes, enumerate_devices, get_display_media, AttachOptions, Constrain, DeviceKind,
        MediaKind, Range, RemoteTrack, RtpReceiver, RtpSender, TrackState, TransceiverDirection,
        TransceiverInit, VideoConstraints,
    },
    peer::SignalingState,
    stats::StatsReport,
    Error, LocalMedia, MediaConstraints, PeerConnection,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::HtmlMediaElement;

#[wasm_bindgen(module = "/tests/js/media.js")]
extern "C" {
    fn make_element(tag: &str) -> HtmlMediaElement;
    fn remove_element(element: &HtmlMediaElement);
    fn pretend_no_src_object(element: &HtmlMediaElement, log: &js_sys::Object) -> js_sys::Function;
    fn video_width(element: &HtmlMediaElement) -> f64;
    fn current_time(element: &HtmlMediaElement) -> f64;
    fn shown_frames(element: &HtmlMediaElement) -> f64;
    fn is_firefox() -> bool;
    fn ready_state(track: &web_sys::MediaStreamTrack) -> String;
    fn reject_get_user_media(name: &str, message: &str, constraint: &str) -> js_sys::Function;
    fn record_get_user_media() -> Recorder;
    fn pretend_insecure() -> js_sys::Function;
    fn pretend_legacy(legacy_error: Option<String>) -> js_sys::Function;
    fn fire_device_change();

    type Recorder;
    #[wasm_bindgen(method)]
    fn count(this: &Recorder) -> u32;
    #[wasm_bindgen(method)]
    fn live_tracks(this: &Recorder) -> u32;
    #[wasm_bindgen(method)]
    fn all_tracks(this: &Recorder) -> u32;
    #[wasm_bindgen(method)]
    fn restore(this: &Recorder);
}

fn restore(undo: js_sys::Function) {
    let _ = undo.call0(&JsValue::NULL);
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Polls `check` every 100 ms for at most `ms`; whether it became true.
async fn eventually<F: std::future::Future<Output = bool>>(
    ms: i32,
    mut check: impl FnMut() -> F,
) -> bool {
    for _ in 0..(ms / 100).max(1) {
        if check().await {
            return true;
        }
        sleep(100).await;
    }
    check().await
}

async fn stats(pc: &PeerConnection) -> StatsReport {
    pc.stats().await.expect("getStats")
}

/// A loopback call: `a` sends what `constraints` capture, `b` receives it.
struct Call {
    a: Rc<PeerConnection>,
    b: Rc<PeerConnection>,
    media: LocalMedia,
    senders: Vec<RtpSender>,
    remote: Vec<RemoteTrack>,
}

async fn call(constraints: &MediaConstraints) -> Call {
    let (a, b) = pair();
    let mut incoming = b.tracks();
    let media = get_user_media(constraints).await.expect("fake devices");
    let senders = a.add_stream(media.stream()).expect("add stream");
    negotiate(&a, &b).await.expect("negotiate");
    let mut remote = Vec::new();
    for _ in 0..senders.len() {
        remote.push(incoming.next().await.expect("a remote track"));
    }
    Call {
        a,
        b,
        media,
        senders,
        remote,
    }
}

impl Call {
    /// Waits until `b` has decoded video frames.
    async fn video_flowing(&self) {
        let b = Rc::clone(&self.b);
        let flowing = eventually(10_000, move || {
            let b = Rc::clone(&b);
            async move {
                stats(&b)
                    .await
                    .inbound(MediaKind::Video)
                    .and_then(|v| v.frames_decoded)
                    .unwrap_or(0)
                    > 0
            }
        })
        .await;
        assert!(flowing, "no decoded video frames within 10 s");
    }
}

// ---------------------------------------------------------------------------------------------
// The call.

#[wasm_bindgen_test]
async fn loopback_call_plays_remote_video_and_receives_audio() {
    let call = call(&MediaConstraints::audio_video()).await;
    assert_eq!(call.remote.len(), 2);
    let kinds: Vec<MediaKind> = call.remote.iter().map(|r| r.track.kind()).collect();
    assert!(kinds.contains(&MediaKind::Audio) && kinds.contains(&MediaKind::Video));
    let stream = call.remote[0]
        .streams
        .first()
        .expect("a remote stream")
        .clone();
    // The stream's id travels in the SDP (msid).
    assert_eq!(stream.id(), call.media.stream().id());
    assert_eq!(stream.tracks().len(), 2);
    assert!(call.remote.iter().all(|r| r.receiver.is_some()));

    let video = make_element("video");
    stream
        .attach(&video, &AttachOptions::muted())
        .expect("attach");
    assert!(video.muted() && video.autoplay());
    rtcweb::media::play(&video)
        .await
        .expect("muted video may autoplay");
    let decoded = eventually(10_000, || async { video_width(&video) > 0.0 }).await;
    assert!(decoded, "the remote <video> never got a frame");
    let (t0, f0) = (current_time(&video), shown_frames(&video));
    sleep(1000).await;
    let (t1, f1) = (current_time(&video), shown_frames(&video));
    console_log!(
        "remote <video>: videoWidth {}, currentTime {t0:.2} -> {t1:.2}, frames {f0} -> {f1}",
        video_width(&video)
    );
    assert!(t1 > t0, "currentTime advances: {t0} -> {t1}");
    assert!(f1 > f0 || f1 < 0.0, "frames advance: {f0} -> {f1}");

    let first = stats(&call.b)
        .await
        .inbound(MediaKind::Audio)
        .expect("audio in");
    sleep(600).await;
    let second = stats(&call.b)
        .await
        .inbound(MediaKind::Audio)
        .expect("audio in");
    console_log!(
        "inbound audio: {} -> {} bytes, {} -> {} packets",
        first.bytes_received,
        second.bytes_received,
        first.packets_received,
        second.packets_received
    );
    assert!(second.bytes_received > first.bytes_received);
    assert!(second.packets_received > first.packets_received);

    rtcweb::media::detach(&video);
    remove_element(&video);
}

#[wasm_bindgen_test]
async fn replace_track_swaps_the_sent_track_without_renegotiation() {
    let call = call(&MediaConstraints::video_only()).await;
    call.video_flowing().await;
    let sender = call.senders[0].clone();
    let mut renegotiations = call.a.negotiation_needed();
    sleep(100).await;
    while renegotiations.next().now_or_never().flatten().is_some() {}

    let second = get_user_media(
        &MediaConstraints::video_only().with_video(VideoConstraints::ideal_size(320, 240)),
    )
    .await
    .expect("a second capture");
    let new_track = second.video_tracks().remove(0);
    sender
        .replace_track(Some(&new_track))
        .await
        .expect("replace_track");
    assert_eq!(sender.track().map(|t| t.id()), Some(new_track.id()));

    // The first camera goes off: whatever arrives now comes from the new track.
    // `Clone::clone`, not `.clone()`: web-sys's inherent `clone()` is the JavaScript
    // `MediaStreamTrack.clone()`, a new track.
    let old_raw = Clone::clone(call.media.video_tracks()[0].as_raw());
    drop(call.media);
    assert_eq!(ready_state(&old_raw), "ended");
    let before = stats(&call.b)
        .await
        .inbound(MediaKind::Video)
        .and_then(|v| v.frames_decoded)
        .unwrap_or(0);
    sleep(1500).await;
    let after = stats(&call.b)
        .await
        .inbound(MediaKind::Video)
        .expect("video in");
    console_log!(
        "after replace_track: frames {before} -> {:?}, size {:?}x{:?}",
        after.frames_decoded,
        after.frame_width,
        after.frame_height
    );
    assert!(after.frames_decoded.unwrap_or(0) > before + 5);
    assert_eq!(call.a.signaling_state(), SignalingState::Stable);
    assert_eq!(call.b.signaling_state(), SignalingState::Stable);
    assert!(
        renegotiations.next().now_or_never().is_none(),
        "replace_track fired negotiationneeded"
    );
    // Replacing with nothing stops sending, still without renegotiation.
    sender.replace_track(None).await.expect("replace with none");
    assert!(sender.track().is_none());
    drop(second);
    drop(call.remote);
}

#[wasm_bindgen_test]
async fn a_disabled_track_shows_in_the_remote_stats() {
    let call = call(&MediaConstraints::audio_video()).await;
    // Played out, so that Chromium decodes the audio and measures its energy.
    let audio = make_element("audio");
    let stream = call.remote[0].streams.first().expect("stream").clone();
    stream
        .attach(&audio, &AttachOptions::default())
        .expect("attach");
    let played = rtcweb::media::play(&audio).await;
    console_log!("unmuted <audio>.play(): {played:?}");
    // Firefox's autoplay policy refuses unmuted media without a user gesture.
    assert!(
        matches!(played, Ok(()) | Err(Error::NotAllowed(_))),
        "{played:?}"
    );
    call.video_flowing().await;
    sleep(1000).await;

    // Bytes per second of inbound video, and the growth of the received audio energy.
    async fn window(b: &PeerConnection) -> (f64, Option<f64>) {
        let first = stats(b).await;
        sleep(1000).await;
        let second = stats(b).await;
        let video = |r: &StatsReport| r.inbound(MediaKind::Video).expect("video in");
        let audio = |r: &StatsReport| r.inbound(MediaKind::Audio).expect("audio in");
        let (v1, v2) = (video(&first), video(&second));
        let rate = (v2.bytes_received - v1.bytes_received) as f64 * 1000.0
            / (v2.timestamp - v1.timestamp).max(1.0);
        let energy = audio(&second)
            .total_audio_energy
            .zip(audio(&first).total_audio_energy)
            .map(|(e2, e1)| e2 - e1);
        (rate, energy)
    }

    let (live_rate, live_energy) = window(&call.b).await;
    for track in call.media.tracks() {
        track.set_enabled(false);
        assert!(!track.enabled());
    }
    sleep(1000).await;
    let (off_rate, off_energy) = window(&call.b).await;
    console_log!(
        "inbound video {live_rate:.0} B/s enabled, {off_rate:.0} B/s disabled; \
         audio energy growth {live_energy:?} enabled, {off_energy:?} disabled"
    );
    // Disabled video is sent as black frames: Chromium keeps the frame rate, Firefox drops
    // to about one frame a second; either way the bitrate collapses.
    assert!(
        off_rate * 5.0 < live_rate,
        "video bitrate did not drop: {live_rate} -> {off_rate} B/s"
    );
    // Disabled audio is silence: the received energy stops growing. (Chromium measures it only
    // for audio that is played out, hence the <audio> element; Firefox always does, even
    // when its autoplay policy refuses the unmuted element.)
    let live_energy = live_energy.expect("inbound totalAudioEnergy");
    let off_energy = off_energy.expect("inbound totalAudioEnergy");
    assert!(live_energy > 0.0, "no audio energy while enabled");
    assert!(
        off_energy < live_energy / 100.0,
        "audio energy kept growing: {live_energy} -> {off_energy}"
    );
    for track in call.media.tracks() {
        track.set_enabled(true);
    }
    assert!(call.media.tracks().iter().all(|t| t.enabled()));
    rtcweb::media::detach(&audio);
    remove_element(&audio);
}

#[wasm_bindgen_test]
async fn typed_stats_hold_sane_values() {
    let call = call(&MediaConstraints::audio_video()).await;
    call.video_flowing().await;
    sleep(1000).await;

    let sent = stats(&call.a).await;
    let pair = sent.selected_candidate_pair().expect("a selected pair");
    console_log!("a's candidate pair: {pair:?}");
    assert_eq!(
        pair.state,
        Some(rtcweb::stats::CandidatePairState::Succeeded)
    );
    assert!(pair.bytes_sent > 10_000 && pair.bytes_received > 0);
    let rtt = pair
        .current_round_trip_time
        .or(pair.total_round_trip_time)
        .expect("a round-trip time");
    assert!((0.0..1.0).contains(&rtt), "loopback RTT {rtt}");

    let video_out = sent.outbound(MediaKind::Video).expect("video out");
    console_log!("outbound video: {video_out:?}");
    assert!(video_out.packets_sent > 0 && video_out.bytes_sent > 0);
    assert!(video_out.frames_encoded.unwrap_or(0) > 0);
    assert!(video_out.frame_width.unwrap_or(0) > 0 && video_out.frame_height.unwrap_or(0) > 0);
    let codec = sent
        .codec(video_out.codec_id.as_deref().expect("codec id"))
        .expect("codec entry");
    assert!(codec.mime_type.starts_with("video/"), "{codec:?}");
    let audio_out = sent.outbound(MediaKind::Audio).expect("audio out");
    assert!(audio_out.packets_sent > 0 && audio_out.bytes_sent > 0);
    assert!(sent
        .media_sources()
        .iter()
        .any(|s| s.kind == Some(MediaKind::Video) && s.width.unwrap_or(0) > 0));

    let received = stats(&call.b).await;
    let video_in = received.inbound(MediaKind::Video).expect("video in");
    console_log!("inbound video: {video_in:?}");
    assert!(video_in.packets_received > 0 && video_in.bytes_received > 0);
    assert!(video_in.packets_lost >= 0);
    assert!(video_in.frames_decoded.unwrap_or(0) > 10);
    assert!(video_in.frame_width.unwrap_or(0) > 0 && video_in.frame_height.unwrap_or(0) > 0);
    assert!(video_in.frames_per_second.unwrap_or(0.0) > 0.0);
    assert!(video_in.jitter.is_some_and(|j| (0.0..1.0).contains(&j)));
    let audio_in = received.inbound(MediaKind::Audio).expect("audio in");
    console_log!("inbound audio: {audio_in:?}");
    assert!(audio_in.packets_received > 0 && audio_in.bytes_received > 0);
    assert!(audio_in
        .audio_level
        .is_some_and(|l| (0.0..=1.0).contains(&l)));
    assert!(received.selected_candidate_pair().is_some());
    // Every entry stays reachable raw, typed or not.
    assert!(received.entries().iter().any(|e| e.kind == "codec"));
    assert!(received.get(&video_in.id).is_some());

    // Per sender and receiver: only their own streams.
    let sender_report = call.senders[0].stats().await.expect("sender stats");
    assert!(!sender_report.outbound_rtp().is_empty());
    assert!(sender_report.inbound_rtp().is_empty());
    let receiver = call.remote[0].receiver.clone().expect("receiver");
    let receiver_report = receiver.stats().await.expect("receiver stats");
    let kinds: Vec<_> = receiver_report
        .inbound_rtp()
        .iter()
        .map(|s| s.kind)
        .collect();
    assert_eq!(kinds, [Some(call.remote[0].track.kind())]);
    let by_track = call
        .b
        .stats_for(&call.remote[0].track)
        .await
        .expect("stats for a track");
    assert_eq!(by_track.inbound_rtp().len(), 1);
}

#[wasm_bindgen_test]
async fn transceivers_directions_and_codec_preferences() {
    let (a, b) = pair();
    let mut incoming = b.tracks();
    let media = get_user_media(&MediaConstraints::video_only())
        .await
        .expect("camera");
    let camera = media.video_tracks().remove(0);
    let send = a
        .add_transceiver_with_track(
            &camera,
            &TransceiverInit {
                direction: TransceiverDirection::SendOnly,
                streams: vec![media.stream().clone()],
            },
        )
        .expect("send transceiver");
    let listen = a
        .add_transceiver(
            MediaKind::Audio,
            &TransceiverInit {
                direction: TransceiverDirection::RecvOnly,
                ..Default::default()
            },
        )
        .expect("recv transceiver");
    let capabilities = RtpReceiver::capabilities(MediaKind::Video).expect("capabilities");
    assert!(RtpSender::capabilities(MediaKind::Audio).is_some());
    console_log!(
        "video codecs: {:?}",
        capabilities
            .codecs
            .iter()
            .map(|c| c.mime_type.as_str())
            .collect::<Vec<_>>()
    );
    send.prefer_codecs(MediaKind::Video, &["video/VP9"])
        .expect("prefer VP9");
    assert_eq!(a.transceivers().len(), 2);
    assert_eq!(send.direction(), TransceiverDirection::SendOnly);
    assert_eq!(send.current_direction(), None);

    negotiate(&a, &b).await.expect("negotiate");
    let remote = incoming.next().await.expect("remote video");
    assert_eq!(remote.track.kind(), MediaKind::Video);
    assert_eq!(remote.streams.len(), 1);
    assert_eq!(
        send.current_direction(),
        Some(TransceiverDirection::SendOnly)
    );
    assert!(send.mid().is_some());
    assert_eq!(send.sender().track(), Some(camera.clone()));
    // b has nothing to send back on the audio section.
    assert_eq!(
        listen.current_direction(),
        Some(TransceiverDirection::Inactive)
    );
    let b_video = remote.transceiver.expect("remote transceiver");
    assert_eq!(
        b_video.current_direction(),
        Some(TransceiverDirection::RecvOnly)
    );

    let flowing = eventually(10_000, || {
        let b = Rc::clone(&b);
        async move {
            stats(&b)
                .await
                .inbound(MediaKind::Video)
                .and_then(|v| v.frames_decoded)
                .unwrap_or(0)
                > 0
        }
    })
    .await;
    assert!(flowing, "no VP9 frames decoded");
    let report = stats(&a).await;
    let out = report.outbound(MediaKind::Video).expect("video out");
    let codec = report
        .codec(out.codec_id.as_deref().expect("codec id"))
        .expect("codec");
    assert_eq!(codec.mime_type.to_ascii_uppercase(), "VIDEO/VP9");

    // remove_track leaves the transceiver receiving only (here: inactive).
    a.remove_track(&send.sender()).expect("remove track");
    assert!(send.sender().track().is_none());
    assert_eq!(send.direction(), TransceiverDirection::Inactive);
    negotiate(&a, &b).await.expect("renegotiate");
    assert_eq!(
        send.current_direction(),
        Some(TransceiverDirection::Inactive)
    );
    listen
        .set_direction(TransceiverDirection::Inactive)
        .expect("set direction");
    assert_eq!(listen.direction(), TransceiverDirection::Inactive);
    listen.stop().expect("stop transceiver");
    assert!(listen
        .set_direction(TransceiverDirection::SendRecv)
        .is_err());
}

#[wasm_bindgen_test]
async fn add_and_remove_a_whole_stream() {
    let (a, b) = pair();
    let media = get_user_media(&MediaConstraints::audio_video())
        .await
        .expect("media");
    let senders = a.add_stream(media.stream()).expect("add stream");
    assert_eq!(senders.len(), 2);
    assert_eq!(a.senders().len(), 2);
    negotiate(&a, &b).await.expect("negotiate");
    assert_eq!(b.receivers().len(), 2);
    a.remove_stream(media.stream()).expect("remove stream");
    assert!(a.senders().iter().all(|s| s.track().is_none()));
    // Adding a track twice is refused.
    let track = media.tracks().remove(0);
    a.add_track(&track, &[]).expect("again after removal");
    assert!(matches!(
        a.add_track(&track, &[]),
        Err(Error::InvalidAccess(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Capture, tracks, devices.

#[wasm_bindgen_test]
async fn dropping_local_media_stops_every_track() {
    let media = get_user_media(&MediaConstraints::audio_video())
        .await
        .expect("media");
    let raw: Vec<web_sys::MediaStreamTrack> =
        media.tracks().into_iter().map(|t| t.into_raw()).collect();
    assert_eq!(raw.len(), 2);
    let ended = media.tracks()[0].ended();
    assert!(raw.iter().all(|t| ready_state(t) == "live"));
    drop(media);
    for track in &raw {
        assert_eq!(ready_state(track), "ended");
    }
    assert!(ended.now_or_never().is_some(), "ended() resolves on drop");

    // into_raw gives the tracks away instead.
    let kept = get_user_media(&MediaConstraints::audio_only())
        .await
        .expect("mic")
        .into_raw();
    let track: web_sys::MediaStreamTrack = kept.get_tracks().get(0).unchecked_into();
    assert_eq!(ready_state(&track), "live");
    track.stop();
}

#[wasm_bindgen_test]
async fn a_dropped_get_user_media_future_stops_the_late_tracks() {
    let recorder = record_get_user_media();
    {
        let mut pending = Box::pin(get_user_media(&MediaConstraints::audio_video()));
        assert!(
            futures::poll!(&mut pending).is_pending(),
            "the browser answers asynchronously"
        );
    }
    // The request starts at the call: a future never polled is guarded too.
    drop(get_user_media(&MediaConstraints::video_only()));
    let settled = eventually(5000, || async { recorder.count() == 2 }).await;
    sleep(50).await;
    let (all, live) = (recorder.all_tracks(), recorder.live_tracks());
    recorder.restore();
    assert!(settled, "getUserMedia never resolved");
    assert_eq!(all, 3);
    assert_eq!(live, 0, "a track of the abandoned capture is still live");
}

#[wasm_bindgen_test]
async fn tracks_report_their_properties_and_take_constraints() {
    let media = get_user_media(&MediaConstraints::audio_video())
        .await
        .expect("media");
    let camera = media.video_tracks().remove(0);
    let mic = media.audio_tracks().remove(0);
    assert_eq!(camera.kind(), MediaKind::Video);
    assert_eq!(mic.kind(), MediaKind::Audio);
    assert!(!camera.id().is_empty() && camera.id() != mic.id());
    assert!(!camera.label().is_empty() && !mic.label().is_empty());
    assert!(camera.enabled() && !camera.muted());
    assert_eq!(camera.ready_state(), TrackState::Live);
    let settings = camera.settings();
    console_log!("camera: {settings:?}; mic: {:?}", mic.settings());
    assert!(settings.width.unwrap_or(0) > 0 && settings.height.unwrap_or(0) > 0);
    assert!(settings.frame_rate.unwrap_or(0.0) > 0.0);
    assert!(settings.device_id.is_some());
    assert!(mic.settings().echo_cancellation.is_some());

    camera.set_enabled(false);
    assert!(!camera.enabled());
    camera.set_enabled(true);

    camera
        .apply_constraints(VideoConstraints::ideal_size(320, 240))
        .await
        .expect("a smaller size is fine");
    let smaller = camera.settings();
    assert!(smaller.width.unwrap_or(0) > 0);
    let impossible = camera
        .apply_constraints(VideoConstraints {
            width: Some(Range::exact(99999)),
            ..Default::default()
        })
        .await;
    console_log!("applyConstraints(width exact 99999): {impossible:?}");
    match impossible {
        Err(Error::Overconstrained { constraint, .. }) => assert_eq!(constraint, "width"),
        // Firefox's fake camera accepts any applyConstraints and keeps its size.
        Ok(()) if is_firefox() => assert!(camera.settings().width.unwrap_or(0) < 99999),
        other => panic!("expected Overconstrained, got {other:?}"),
    }
    assert_eq!(camera.ready_state(), TrackState::Live);

    let copy = camera.duplicate().expect("clone");
    assert_ne!(copy.id(), camera.id());
    let ended = copy.ended();
    copy.stop();
    assert_eq!(copy.ready_state(), TrackState::Ended);
    ended.await;
    assert_eq!(camera.ready_state(), TrackState::Live);
    // An already-ended track resolves at once.
    assert!(copy.ended().now_or_never().is_some());
}

#[wasm_bindgen_test]
async fn devices_are_listed_and_chosen_by_id() {
    let devices = enumerate_devices().await.expect("devices");
    console_log!("devices: {devices:?}");
    let camera = devices
        .iter()
        .find(|d| d.kind == DeviceKind::VideoInput)
        .expect("a fake camera");
    assert!(devices.iter().any(|d| d.kind == DeviceKind::AudioInput));
    let media = get_user_media(
        &MediaConstraints::video_only().with_video(VideoConstraints::device(&camera.device_id)),
    )
    .await
    .expect("the camera by id");
    assert_eq!(
        media.video_tracks()[0].settings().device_id.as_deref(),
        Some(camera.device_id.as_str())
    );
    let mut changes = device_changes().expect("devicechange");
    assert!(changes.next().now_or_never().is_none());
    fire_device_change();
    assert_eq!(changes.next().await, Some(()));
}

#[wasm_bindgen_test]
async fn screen_capture_works_where_the_browser_allows_it_without_a_gesture() {
    let result = get_display_media(&MediaConstraints::video_only()).await;
    console_log!("getDisplayMedia: {result:?}");
    if is_firefox() {
        // Firefox insists on a user gesture, which a test cannot give.
        assert!(
            matches!(result, Err(Error::InvalidState(_) | Error::NotAllowed(_))),
            "{result:?}"
        );
    } else {
        // Chromium with --use-fake-ui-for-media-stream picks a screen by itself.
        let screen = result.expect("a screen");
        let track = screen.video_tracks().remove(0);
        assert_eq!(track.ready_state(), TrackState::Live);
        assert!(track.settings().width.unwrap_or(0) > 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Errors.

#[wasm_bindgen_test]
async fn impossible_constraints_are_overconstrained_with_the_name() {
    let result = get_user_media(
        &MediaConstraints::video_only().with_video(VideoConstraints {
            width: Some(Range::exact(99999)),
            ..Default::default()
        }),
    )
    .await;
    let err = result.expect_err("no camera is 99999 pixels wide");
    console_log!("{err}");
    match &err {
        Error::Overconstrained {
            constraint,
            message,
        } => {
            assert_eq!(constraint, "width");
            assert!(!message.is_empty());
        }
        other => panic!("expected Overconstrained, got {other:?}"),
    }
    let unknown = get_user_media(
        &MediaConstraints::video_only().with_video(VideoConstraints {
            device_id: Some(Constrain::Exact("no-such-camera".into())),
            ..Default::default()
        }),
    )
    .await;
    assert!(
        matches!(&unknown, Err(Error::Overconstrained { constraint, .. }) if constraint == "deviceId"),
        "{unknown:?}"
    );
    let nothing = get_user_media(&MediaConstraints::default()).await;
    assert!(matches!(nothing, Err(Error::Type(_))), "{nothing:?}");
}

#[wasm_bindgen_test]
async fn rejections_map_to_their_variants() {
    type IsVariant = fn(&Error) -> bool;
    let cases: &[(&str, &str, IsVariant)] = &[
        ("NotAllowedError", "", |e| matches!(e, Error::NotAllowed(_))),
        ("NotFoundError", "", |e| matches!(e, Error::NotFound(_))),
        ("NotReadableError", "", |e| {
            matches!(e, Error::NotReadable(_))
        }),
        (
            "OverconstrainedError",
            "facingMode",
            |e| matches!(e, Error::Overconstrained { constraint, .. } if constraint == "facingMode"),
        ),
    ];
    for (name, constraint, is_variant) in cases {
        let undo = reject_get_user_media(name, "injected", constraint);
        let result = get_user_media(&MediaConstraints::audio_video()).await;
        restore(undo);
        let err = result.expect_err(name);
        console_log!("{name}: {err}");
        assert!(is_variant(&err), "{name} gave {err:?}");
        assert!(err.to_string().contains("injected"), "{err}");
    }
    // An empty browser message gets a clear one.
    let undo = reject_get_user_media("NotReadableError", "", "");
    let result = get_user_media(&MediaConstraints::audio_video()).await;
    restore(undo);
    let message = result.expect_err("rejected").to_string();
    assert!(message.contains("another application"), "{message}");
    // The real one is back.
    assert!(get_user_media(&MediaConstraints::audio_only())
        .await
        .is_ok());
}

#[wasm_bindgen_test]
async fn an_insecure_context_is_a_security_error() {
    let undo = pretend_insecure();
    let result = get_user_media(&MediaConstraints::audio_video()).await;
    let devices = enumerate_devices().await;
    let changes = device_changes().map(drop);
    restore(undo);
    console_log!("{result:?}");
    assert!(matches!(&result, Err(Error::Security(m)) if m.contains("secure context")));
    assert!(matches!(devices, Err(Error::Security(_))));
    assert!(matches!(changes, Err(Error::Security(_))));
    assert!(get_user_media(&MediaConstraints::audio_only())
        .await
        .is_ok());
}

#[wasm_bindgen_test]
async fn the_legacy_callback_get_user_media_is_used_where_media_devices_is_missing() {
    let undo = pretend_legacy(None);
    let result = get_user_media(&MediaConstraints::audio_video()).await;
    restore(undo);
    let media = result.expect("legacy capture");
    assert_eq!(media.tracks().len(), 2);
    drop(media);

    let undo = pretend_legacy(Some("PermissionDeniedError".into()));
    let result = get_user_media(&MediaConstraints::audio_video()).await;
    restore(undo);
    assert!(matches!(result, Err(Error::NotAllowed(_))), "{result:?}");
}

#[wasm_bindgen_test]
async fn the_remote_track_stream_ends_when_the_connection_closes() {
    let pc = rtcweb::PeerConnection::new(&Default::default()).unwrap();
    let mut tracks = pc.tracks();
    pc.close();
    assert!(tracks.next().await.is_none());
}

#[wasm_bindgen_test]
async fn attach_falls_back_to_a_blob_url_without_src_object() {
    let media = get_user_media(&MediaConstraints::video_only())
        .await
        .unwrap();
    let element = make_element("video");
    let log = js_sys::Object::new();
    let restore = pretend_no_src_object(&element, &log);
    let attached = media.stream().attach(&element, &AttachOptions::default());
    let created = js_sys::Reflect::get(&log, &"created".into()).unwrap();
    let src = element.src();
    rtcweb::media::detach(&element);
    let revoked = js_sys::Reflect::get(&log, &"revoked".into()).unwrap();
    let _ = restore.call0(&JsValue::NULL);
    remove_element(&element);

    attached.unwrap();
    assert!(
        created.is_instance_of::<web_sys::MediaStream>(),
        "createObjectURL got {created:?}"
    );
    assert!(src.ends_with("/fake-stream"), "src is {src}");
    assert_eq!(
        revoked.as_string(),
        Some(src),
        "detach revokes the blob URL"
    );
}
