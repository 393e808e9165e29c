//! DataChannel in real browsers: both directions, backpressure, options, splitting, errors.

use std::cell::RefCell;
use std::rc::Rc;

use crate::common::{connected_channel, sleep};
use futures::StreamExt;
use rtcweb::{
    data_channel::{DataChannelState, MessageListener, Oversized},
    DataChannel, DataChannelOptions, Error, Message,
};
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn text_and_binary_in_both_directions() {
    let (_a, _b, local, remote) = connected_channel(&DataChannelOptions::new("both")).await;
    let mut at_remote = remote.messages();
    let mut at_local = local.messages();

    local.send_text("ping ✓").await.unwrap();
    local.send_bytes(&[0, 1, 2, 255]).await.unwrap();
    remote.try_send_text("pong").unwrap();
    remote.try_send_bytes(&[]).unwrap();

    assert_eq!(at_remote.next().await, Some(Message::Text("ping ✓".into())));
    assert_eq!(
        at_remote.next().await,
        Some(Message::Binary(vec![0, 1, 2, 255]))
    );
    assert_eq!(at_local.next().await, Some(Message::Text("pong".into())));
    assert_eq!(at_local.next().await, Some(Message::Binary(vec![])));
    assert_eq!(local.ready_state(), DataChannelState::Open);
    assert_eq!(remote.label(), "both");
}

/// FNV-1a, to check each message's payload arrives intact.
fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x01000193)
    })
}

#[wasm_bindgen_test]
async fn ten_thousand_messages_arrive_in_order_under_backpressure() {
    const COUNT: u32 = 10_000;
    const SIZE: usize = 4096;
    let (_a, _b, local, remote) = connected_channel(&DataChannelOptions::new("bulk")).await;
    let mut messages = remote.messages();

    let send = async {
        let mut peak = 0;
        for i in 0..COUNT {
            // Index, payload, checksum of index and payload.
            let mut message: Vec<u8> = i.to_le_bytes().to_vec();
            message.extend((0..SIZE).map(|j| (i as usize * 31 + j) as u8));
            let sum = checksum(&message);
            message.extend(sum.to_le_bytes());
            local.send_bytes(&message).await.unwrap();
            peak = peak.max(local.buffered_amount());
        }
        peak
    };
    let receive = async {
        let mut next = 0u32;
        while next < COUNT {
            let Some(Message::Binary(m)) = messages.next().await else {
                panic!("stream ended at {next}");
            };
            let (body, sum) = m.split_at(m.len() - 4);
            assert_eq!(
                checksum(body).to_le_bytes(),
                sum,
                "message {next} is intact"
            );
            assert_eq!(body[..4], next.to_le_bytes(), "messages in order");
            next += 1;
        }
        next
    };
    let (peak, received) = futures::join!(send, receive);
    assert_eq!(received, COUNT);
    // 40 MB went through a queue that never held much more than the 1 MiB high-water mark.
    assert!(
        peak <= 1024 * 1024 + SIZE + 8,
        "queue peaked at {peak} bytes"
    );
}

#[wasm_bindgen_test]
async fn unordered_and_partially_reliable_options_reach_the_remote() {
    let options = DataChannelOptions::new("lossy")
        .unordered()
        .max_retransmits(2)
        .protocol("game");
    let (_a, _b, local, remote) = connected_channel(&options).await;
    assert!(!remote.ordered());
    assert_eq!(remote.max_retransmits(), Some(2));
    assert_eq!(remote.max_packet_life_time(), None);
    assert_eq!(remote.protocol(), "game");
    assert_eq!(local.id(), remote.id());

    let options = DataChannelOptions::new("timed").max_packet_life_time(150);
    let (_a, _b, _local, remote) = connected_channel(&options).await;
    assert!(remote.ordered());
    assert_eq!(remote.max_packet_life_time(), Some(150));
    assert_eq!(remote.max_retransmits(), None);
}

#[wasm_bindgen_test]
async fn negotiated_channels_pair_by_id() {
    let (a, b) = crate::common::pair();
    let options = DataChannelOptions::new("pre").negotiated(3);
    let left = a.create_data_channel(&options).unwrap();
    let right = b.create_data_channel(&options).unwrap();
    crate::common::negotiate(&a, &b).await.unwrap();
    left.opened().await.unwrap();
    right.opened().await.unwrap();
    assert!(left.negotiated() && right.negotiated());
    assert_eq!(right.id(), Some(3));
    left.send_text("agreed").await.unwrap();
    assert_eq!(
        right.messages().next().await,
        Some(Message::Text("agreed".into()))
    );
}

#[wasm_bindgen_test]
async fn oversized_messages_are_split_or_refused() {
    // A limit of the channel's own makes both browsers split (Firefox's remote limit is 1 GiB).
    let split = DataChannelOptions::new("big")
        .oversized(Oversized::Split)
        .max_message_size(16 * 1024);
    let (_a, _b, local, remote) = connected_channel(&split).await;
    assert_eq!(remote.protocol(), rtcweb::data_channel::SPLIT_PROTOCOL);
    let mut messages = remote.messages();
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    let text = "ünïcödé ✓ ".repeat(20_000);
    local.send_bytes(&big).await.unwrap();
    local.send_text(&text).await.unwrap();
    local.send_text("small").await.unwrap();
    assert_eq!(messages.next().await, Some(Message::Binary(big)));
    assert_eq!(messages.next().await, Some(Message::Text(text)));
    assert_eq!(messages.next().await, Some(Message::Text("small".into())));

    let refuse = DataChannelOptions::new("strict").max_message_size(1000);
    let (_a, _b, local, remote) = connected_channel(&refuse).await;
    let err = local.send_bytes(&[0; 1001]).await.unwrap_err();
    assert_eq!(
        err,
        Error::MessageTooLarge {
            size: 1001,
            max: 1000
        }
    );
    assert!(matches!(
        local.try_send_text(&"x".repeat(1001)),
        Err(Error::MessageTooLarge { .. })
    ));
    // The refusal lost nothing: the channel still works.
    local.send_bytes(&[7; 1000]).await.unwrap();
    assert_eq!(
        remote.messages().next().await,
        Some(Message::Binary(vec![7; 1000]))
    );

    let both = DataChannelOptions::new("x")
        .oversized(Oversized::Split)
        .protocol("mine");
    assert!(matches!(_a.create_data_channel(&both), Err(Error::Type(_))));
}

#[wasm_bindgen_test]
async fn sending_on_a_closed_channel_is_invalid_state() {
    let (_a, _b, local, remote) = connected_channel(&DataChannelOptions::new("bye")).await;
    local.close();
    local.closed().await.unwrap();
    remote.closed().await.unwrap();
    assert_eq!(remote.ready_state(), DataChannelState::Closed);
    assert!(matches!(
        local.try_send_text("x"),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        local.send_bytes(&[1]).await,
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(remote.opened().await, Err(Error::InvalidState(_))));
}

/// An `on_message` listener on `channel` that keeps what it is called with.
fn recorded(channel: &DataChannel) -> (Rc<RefCell<Vec<Message>>>, MessageListener) {
    let got = Rc::new(RefCell::new(Vec::new()));
    let listener = {
        let got = got.clone();
        channel.on_message(move |message| got.borrow_mut().push(message))
    };
    (got, listener)
}

/// Waits up to 5 s for `list` to hold `count` items.
async fn until_len<T>(list: &RefCell<Vec<T>>, count: usize) {
    for _ in 0..500 {
        if list.borrow().len() >= count {
            return;
        }
        sleep(10).await;
    }
}

#[wasm_bindgen_test]
async fn on_message_takes_the_queued_messages_then_the_later_ones_until_dropped() {
    let (_a, _b, local, remote) = connected_channel(&DataChannelOptions::new("calls")).await;
    local.send_text("queued").await.unwrap();
    local.send_bytes(&[1, 2]).await.unwrap();
    // They wait in the channel for a reader (if they were not there yet, they would come as
    // later ones, in the same order).
    sleep(200).await;
    let (got, listener) = recorded(&remote);
    // The listener took the messages: the stream has ended.
    assert_eq!(remote.messages().next().await, None);
    local.send_text("later").await.unwrap();
    until_len(&got, 3).await;
    assert_eq!(
        *got.borrow(),
        [
            Message::Text("queued".into()),
            Message::Binary(vec![1, 2]),
            Message::Text("later".into()),
        ]
    );

    drop(listener);
    local.send_text("unheard").await.unwrap();
    local.send_text("and this").await.unwrap();
    sleep(300).await;
    assert_eq!(got.borrow().len(), 3, "a dropped listener was called");

    // On a splitting channel, the listener gets each message whole.
    let split = DataChannelOptions::new("whole")
        .oversized(Oversized::Split)
        .max_message_size(16 * 1024);
    let (_a, _b, local, remote) = connected_channel(&split).await;
    let (got, _listener) = recorded(&remote);
    let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    local.send_bytes(&big).await.unwrap();
    local.send_text("after").await.unwrap();
    until_len(&got, 2).await;
    assert_eq!(
        *got.borrow(),
        [Message::Binary(big), Message::Text("after".into())]
    );
}
