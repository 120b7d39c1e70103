//! The check after a fault run: every operation the server acknowledged, sent again on a fresh
//! connection, must be answered with the same acknowledgement (the same sequence number).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::client::{Target, connect};

/// Resends acknowledged operations on a fresh connection and counts those the server does not
/// answer with the same sequence number: an acknowledged operation the database lost would be
/// applied again (a new number) or refused. Returns (checked, lost).
pub async fn acknowledged(
    target: &Target,
    review: &str,
    acknowledged: &[(String, String, u64)],
    deadline: Instant,
) -> Result<(usize, usize), String> {
    let socket = connect(target, review).await?;
    let (mut sink, mut stream) = socket.split();
    let hello = json!({"type": "hello", "protocol": 1, "after": null}).to_string();
    sink.send(Message::text(hello))
        .await
        .map_err(|e| e.to_string())?;
    let expected: HashMap<&str, u64> = acknowledged
        .iter()
        .map(|(op, _, seq)| (op.as_str(), *seq))
        .collect();
    let frames: HashMap<&str, &str> = acknowledged
        .iter()
        .map(|(op, frame, _)| (op.as_str(), frame.as_str()))
        .collect();
    let mut answered = 0usize;
    let mut lost = 0usize;
    // Within the connection's rate limit: 60 at once, then 20 a second.
    for (sent, (_, frame, _)) in acknowledged.iter().enumerate() {
        if sent >= 50 {
            tokio::time::sleep(Duration::from_millis(52)).await;
        }
        sink.send(Message::text(frame.clone()))
            .await
            .map_err(|e| e.to_string())?;
    }
    // Answered busy (the board was still catching up): sent again after a pause, as the
    // browser does; busy says nothing of whether the operation was kept.
    let mut again: VecDeque<(Instant, &str)> = Default::default();
    let mut idle_since = Instant::now();
    while answered < acknowledged.len() && Instant::now() < deadline {
        if let Some(&(due, op)) = again.front()
            && due <= Instant::now()
        {
            again.pop_front();
            sink.send(Message::text(frames[op].to_string()))
                .await
                .map_err(|e| e.to_string())?;
            continue;
        }
        let wait = match again.front() {
            Some(&(due, _)) => due.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(10).saturating_sub(idle_since.elapsed()),
        };
        let next = match tokio::time::timeout(wait, stream.next()).await {
            Err(_) if !again.is_empty() => continue,
            Err(_) => break,
            Ok(next) => next,
        };
        let Some(Ok(message)) = next else {
            break;
        };
        idle_since = Instant::now();
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(frame) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Some(op) = frame["op"].as_str() else {
            continue;
        };
        let Some((&op, seq)) = expected.get_key_value(op) else {
            continue;
        };
        let kept = match frame["type"].as_str() {
            Some("ack") => frame["seq"].as_u64() == Some(*seq),
            Some("rejected") if frame["error"]["code"] == "rate_limited" => {
                // Spaced within the connection's rate limit.
                let after = again
                    .back()
                    .map(|&(due, _)| due + Duration::from_millis(52));
                let due = (Instant::now() + Duration::from_millis(250))
                    .max(after.unwrap_or(Instant::now()));
                again.push_back((due, op));
                continue;
            }
            Some("rejected") => false,
            _ => continue,
        };
        answered += 1;
        if !kept {
            lost += 1;
            // The first few, so a failing run says what it found.
            if lost <= 5 {
                eprintln!("lost: {op}, acknowledged as {seq}, answered now {text}");
            }
        }
    }
    // An operation never answered counts as lost: the check proves nothing about it.
    Ok((acknowledged.len(), lost + (acknowledged.len() - answered)))
}
