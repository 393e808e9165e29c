//! The framing that splits data-channel messages larger than the remote accepts.
//!
//! A channel in split mode (its protocol is [`SPLIT_PROTOCOL`](crate::types::channel::SPLIT_PROTOCOL)) frames every message: the first
//! byte of a binary message, or the first character of a text message, is `0` (U+0000) when it
//! ends a message and `1` (U+0001) when more parts follow. Parts of one message have the same
//! kind. A JavaScript peer reads it as: `data[0] === 1` (binary) or `data.charCodeAt(0) === 1`
//! (text) means "append the rest and wait for more".

use crate::error::Error;
use crate::types::channel::Message;

/// The largest message the receiving side reassembles; a peer sending more is cut off, so a
/// misbehaving peer cannot exhaust memory.
pub const MAX_REASSEMBLED: usize = 64 * 1024 * 1024;

const FINAL: u8 = 0;
const MORE: u8 = 1;

/// Splits a text message into frames (each one message on the wire) of at most `max` bytes each (UTF-8), cutting only at
/// character boundaries.
pub(crate) fn split_text(text: &str, max: usize) -> Vec<Message> {
    // One byte for the flag, and room for at least one character of up to four bytes.
    let room = max.saturating_sub(1).max(4);
    let mut frames = Vec::new();
    let mut rest = text;
    loop {
        let mut end = rest.len().min(room);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (part, tail) = rest.split_at(end);
        let flag = if tail.is_empty() { FINAL } else { MORE };
        let mut frame = String::with_capacity(part.len() + 1);
        frame.push(char::from(flag));
        frame.push_str(part);
        frames.push(Message::Text(frame));
        if tail.is_empty() {
            return frames;
        }
        rest = tail;
    }
}

/// Splits a binary message into frames of at most `max` bytes each.
pub(crate) fn split_binary(bytes: &[u8], max: usize) -> Vec<Message> {
    let room = max.saturating_sub(1).max(1);
    if bytes.is_empty() {
        return vec![Message::Binary(vec![FINAL])];
    }
    let count = bytes.len().div_ceil(room);
    bytes
        .chunks(room)
        .enumerate()
        .map(|(i, part)| {
            let mut frame = Vec::with_capacity(part.len() + 1);
            frame.push(if i + 1 == count { FINAL } else { MORE });
            frame.extend_from_slice(part);
            Message::Binary(frame)
        })
        .collect()
}

/// Puts split messages back together on the receiving side.
#[derive(Debug, Default)]
pub(crate) struct Reassembler {
    partial: Option<Message>,
}

impl Reassembler {
    /// Takes one received frame; gives the whole message when this frame ends one.
    ///
    /// # Errors
    /// [`Error::Data`] for a frame without a valid flag, a part of another kind than the
    /// message it continues, or a message above [`MAX_REASSEMBLED`]. The partial message is
    /// dropped.
    pub(crate) fn push(&mut self, frame: Message) -> Result<Option<Message>, Error> {
        let result = self.push_inner(frame);
        if result.is_err() {
            self.partial = None;
        }
        result
    }

    fn push_inner(&mut self, frame: Message) -> Result<Option<Message>, Error> {
        let (flag, frame) = match frame {
            Message::Text(mut text) => {
                let flag = text.chars().next().map(u32::from);
                if !text.is_empty() {
                    text.remove(0);
                }
                (flag, Message::Text(text))
            }
            Message::Binary(mut bytes) => {
                let flag = bytes.first().map(|&b| u32::from(b));
                if !bytes.is_empty() {
                    bytes.remove(0);
                }
                (flag, Message::Binary(bytes))
            }
        };
        let more = match flag {
            Some(f) if f == u32::from(FINAL) => false,
            Some(f) if f == u32::from(MORE) => true,
            _ => return Err(Error::Data("split-mode frame without a valid flag".into())),
        };
        let whole = match (self.partial.take(), frame) {
            (None, frame) => frame,
            (Some(Message::Text(mut head)), Message::Text(tail)) => {
                head.push_str(&tail);
                Message::Text(head)
            }
            (Some(Message::Binary(mut head)), Message::Binary(tail)) => {
                head.extend_from_slice(&tail);
                Message::Binary(head)
            }
            _ => {
                return Err(Error::Data(
                    "a split message changed between text and binary".into(),
                ))
            }
        };
        if whole.len() > MAX_REASSEMBLED {
            return Err(Error::Data(format!(
                "a split message exceeds {MAX_REASSEMBLED} bytes"
            )));
        }
        if more {
            self.partial = Some(whole);
            Ok(None)
        } else {
            Ok(Some(whole))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(frames: Vec<Message>) -> Vec<Message> {
        let mut reassembler = Reassembler::default();
        frames
            .into_iter()
            .filter_map(|frame| reassembler.push(frame).unwrap())
            .collect()
    }

    #[test]
    fn binary_splits_within_the_limit_and_reassembles() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let frames = split_binary(&data, 1000);
        assert_eq!(frames.len(), 11); // 999 bytes of payload each
        assert!(frames.iter().all(|f| f.len() <= 1000));
        assert_eq!(roundtrip(frames), [Message::Binary(data)]);
    }

    #[test]
    fn text_splits_at_char_boundaries() {
        let text = "héllo wörld ✓ 🎉".repeat(500);
        let frames = split_text(&text, 100);
        assert!(frames.len() > 1);
        assert!(frames.iter().all(|f| f.len() <= 100));
        assert_eq!(roundtrip(frames), [Message::Text(text)]);
    }

    #[test]
    fn small_and_empty_messages_are_one_frame() {
        assert_eq!(split_text("", 10), [Message::Text("\0".into())]);
        assert_eq!(split_binary(&[], 10), [Message::Binary(vec![0])]);
        assert_eq!(
            roundtrip(split_text("hi", 10)),
            [Message::Text("hi".into())]
        );
        assert_eq!(roundtrip(split_binary(&[], 10)), [Message::Binary(vec![])]);
    }

    #[test]
    fn consecutive_messages_stay_apart() {
        let mut frames = split_text(&"a".repeat(25), 10);
        frames.extend(split_binary(&[7; 25], 10));
        frames.extend(split_text("z", 10));
        assert_eq!(
            roundtrip(frames),
            [
                Message::Text("a".repeat(25)),
                Message::Binary(vec![7; 25]),
                Message::Text("z".into())
            ]
        );
    }

    #[test]
    fn bad_frames_are_data_errors_and_reset() {
        let mut r = Reassembler::default();
        assert!(matches!(
            r.push(Message::Binary(vec![])),
            Err(Error::Data(_))
        ));
        assert!(matches!(
            r.push(Message::Text("xabc".into())),
            Err(Error::Data(_))
        ));
        assert_eq!(r.push(Message::Text("\u{1}ab".into())), Ok(None));
        assert!(matches!(
            r.push(Message::Binary(vec![0, 1])),
            Err(Error::Data(_))
        ));
        // The partial text was dropped: a new message starts clean.
        assert_eq!(
            r.push(Message::Text("\0cd".into())),
            Ok(Some(Message::Text("cd".into())))
        );
    }

    #[test]
    fn oversized_reassembly_is_cut_off() {
        let mut r = Reassembler::default();
        let part = vec![1u8; 1024 * 1024 + 1];
        let mut result = Ok(None);
        for _ in 0..=MAX_REASSEMBLED / (1024 * 1024) {
            result = r.push(Message::Binary(part.clone()));
            if result.is_err() {
                break;
            }
        }
        assert!(matches!(result, Err(Error::Data(_))));
    }
}
