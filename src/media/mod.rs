//! Camera, microphone and screen: capture ([`get_user_media`], [`get_display_media`]),
//! devices, tracks and streams, and showing a stream in a `<video>` or `<audio>` element.
//!
//! Sending and receiving media over a [`crate::PeerConnection`] is in the `rtp` part:
//! [`crate::PeerConnection::add_track`], [`crate::PeerConnection::tracks`] and the
//! [`RtpSender`], [`RtpReceiver`] and [`Transceiver`] types.

mod capture;
mod rtp;
mod stream;
mod track;

pub use crate::types::constraints::{
    AudioConstraints, Constrain, MediaConstraints, Range, TrackConstraints, VideoConstraints,
};
pub use crate::types::media::{
    CodecCapability, DeviceInfo, DeviceKind, FacingMode, MediaKind, RtpCapabilities, TrackSettings,
    TrackState, TransceiverDirection,
};
pub use capture::{
    device_changes, enumerate_devices, get_display_media, get_display_media_with, get_user_media,
    get_user_media_with, LocalMedia,
};
pub use rtp::{RemoteTrack, RtpReceiver, RtpSender, Transceiver, TransceiverInit};
pub use stream::{detach, play, AttachOptions, MediaStream};
pub use track::MediaTrack;
