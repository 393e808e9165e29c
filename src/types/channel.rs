//! What a data channel carries and how it is opened: [`Message`], [`DataChannelOptions`],
//! [`Oversized`] and [`DataChannelState`].

use crate::error::Error;

/// The data-channel protocol name that announces split mode to the other side.
pub const SPLIT_PROTOCOL: &str = "rtcweb-split";

/// A received message.
///
/// ```
/// use rtcweb::Message;
///
/// let m = Message::Text("hi".into());
/// assert_eq!(m.as_text(), Some("hi"));
/// assert_eq!(m.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Message {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
}

impl Message {
    /// The text, for a text message.
    ///
    /// ```
    /// assert_eq!(rtcweb::Message::Binary(vec![1]).as_text(), None);
    /// ```
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(text) => Some(text),
            Message::Binary(_) => None,
        }
    }

    /// The message's bytes: the UTF-8 of a text message.
    ///
    /// ```
    /// assert_eq!(rtcweb::Message::Text("A".into()).as_bytes(), b"A");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Message::Text(text) => text.as_bytes(),
            Message::Binary(bytes) => bytes,
        }
    }

    /// The size in bytes (UTF-8 for text), as the browser counts it.
    ///
    /// ```
    /// assert_eq!(rtcweb::Message::Text("é".into()).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the message is empty.
    ///
    /// ```
    /// assert!(rtcweb::Message::Binary(vec![]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What to do with a message larger than the remote accepts.
///
/// ```
/// let options = rtcweb::DataChannelOptions::new("files").oversized(rtcweb::data_channel::Oversized::Split);
/// assert_eq!(options.oversized, rtcweb::data_channel::Oversized::Split);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Oversized {
    /// Refuse it with [`Error::MessageTooLarge`].
    #[default]
    Refuse,
    /// Split it into parts that the receiving side of this crate puts back together. The
    /// channel's protocol becomes `"rtcweb-split"`, which tells the other side; the framing is
    /// described in the crate's README for JavaScript peers.
    Split,
}

/// How to create a data channel ([`RTCDataChannelInit`]).
///
/// ```
/// use rtcweb::DataChannelOptions;
///
/// // Unordered, at most 3 retransmissions: fresh game state beats old state.
/// let options = DataChannelOptions::new("state").unordered().max_retransmits(3);
/// assert!(!options.ordered);
/// ```
///
/// [`RTCDataChannelInit`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createDataChannel#options
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelOptions {
    /// The channel's name, seen by the other side.
    pub label: String,
    /// Deliver in order (the default).
    pub ordered: bool,
    /// Partial reliability: give up a message after this many retransmissions.
    pub max_retransmits: Option<u16>,
    /// Partial reliability: give up a message after this many milliseconds.
    pub max_packet_life_time: Option<u16>,
    /// A subprotocol name, seen by the other side.
    pub protocol: String,
    /// Negotiated out of band with this id: both sides create the channel with the same id and
    /// no `datachannel` event fires.
    pub negotiated_id: Option<u16>,
    /// What sending a message above the remote's maximum size does.
    pub oversized: Oversized,
    /// A limit of the channel's own below the remote's maximum message size.
    pub max_message_size: Option<usize>,
}

impl DataChannelOptions {
    /// Reliable, ordered options with this label.
    ///
    /// ```
    /// let options = rtcweb::DataChannelOptions::new("chat");
    /// assert!(options.ordered && options.max_retransmits.is_none());
    /// ```
    pub fn new(label: impl Into<String>) -> Self {
        DataChannelOptions {
            label: label.into(),
            ordered: true,
            max_retransmits: None,
            max_packet_life_time: None,
            protocol: String::new(),
            negotiated_id: None,
            oversized: Oversized::Refuse,
            max_message_size: None,
        }
    }

    /// Messages may arrive out of order.
    ///
    /// ```
    /// assert!(!rtcweb::DataChannelOptions::new("x").unordered().ordered);
    /// ```
    pub fn unordered(mut self) -> Self {
        self.ordered = false;
        self
    }

    /// Gives up a message after `count` retransmissions.
    ///
    /// ```
    /// let o = rtcweb::DataChannelOptions::new("x").max_retransmits(0);
    /// assert_eq!(o.max_retransmits, Some(0));
    /// ```
    pub fn max_retransmits(mut self, count: u16) -> Self {
        self.max_retransmits = Some(count);
        self
    }

    /// Gives up a message after `millis` milliseconds.
    ///
    /// ```
    /// let o = rtcweb::DataChannelOptions::new("x").max_packet_life_time(500);
    /// assert_eq!(o.max_packet_life_time, Some(500));
    /// ```
    pub fn max_packet_life_time(mut self, millis: u16) -> Self {
        self.max_packet_life_time = Some(millis);
        self
    }

    /// Sets the subprotocol name.
    ///
    /// ```
    /// let o = rtcweb::DataChannelOptions::new("x").protocol("json");
    /// assert_eq!(o.protocol, "json");
    /// ```
    pub fn protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocol = protocol.into();
        self
    }

    /// Negotiates the channel out of band with this id (0 to 65534).
    ///
    /// ```
    /// let o = rtcweb::DataChannelOptions::new("x").negotiated(7);
    /// assert_eq!(o.negotiated_id, Some(7));
    /// ```
    pub fn negotiated(mut self, id: u16) -> Self {
        self.negotiated_id = Some(id);
        self
    }

    /// Chooses what sending an oversized message does.
    ///
    /// ```
    /// let o = rtcweb::DataChannelOptions::new("x").oversized(rtcweb::data_channel::Oversized::Split);
    /// assert_eq!(o.oversized, rtcweb::data_channel::Oversized::Split);
    /// ```
    pub fn oversized(mut self, oversized: Oversized) -> Self {
        self.oversized = oversized;
        self
    }

    /// Limits messages to `bytes`, below whatever the remote accepts.
    ///
    /// ```
    /// let o = rtcweb::DataChannelOptions::new("x").max_message_size(16 * 1024);
    /// assert_eq!(o.max_message_size, Some(16384));
    /// ```
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = Some(bytes);
        self
    }

    /// Checks the combination before the browser sees it; gives the protocol to announce.
    pub(crate) fn validate(&self) -> Result<&str, Error> {
        if self.max_retransmits.is_some() && self.max_packet_life_time.is_some() {
            return Err(Error::Type(
                "a data channel takes max_retransmits or max_packet_life_time, not both".into(),
            ));
        }
        if self.negotiated_id == Some(u16::MAX) {
            return Err(Error::Type(
                "a negotiated data channel id must be at most 65534".into(),
            ));
        }
        if self.max_message_size == Some(0) {
            return Err(Error::Type("max_message_size must be above zero".into()));
        }
        match self.oversized {
            Oversized::Refuse => Ok(&self.protocol),
            Oversized::Split if self.protocol.is_empty() || self.protocol == SPLIT_PROTOCOL => {
                Ok(SPLIT_PROTOCOL)
            }
            Oversized::Split => Err(Error::Type(format!(
                "a splitting channel announces itself with the protocol {SPLIT_PROTOCOL:?}, so it cannot also use {:?}",
                self.protocol
            ))),
        }
    }
}

string_enum! {
    /// The state of a data channel ([`RTCDataChannel.readyState`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::data_channel::DataChannelState::Open.as_str(), "open");
    /// ```
    ///
    /// [`RTCDataChannel.readyState`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/readyState
    pub enum DataChannelState("data channel state" in "data_channel") {
        /// Being set up.
        Connecting = "connecting",
        /// Ready to send and receive.
        Open = "open",
        /// Closing; nothing more can be sent.
        Closing = "closing",
        /// Closed.
        Closed = "closed",
    }
}
