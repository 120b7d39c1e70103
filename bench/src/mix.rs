//! What a simulated reviewer does next: the load generator's mix of operations.

use std::collections::BTreeMap;

use rand::Rng;
use serde_json::json;

use crate::frames::Note;

const KINDS: [&str; 5] = [
    "strength",
    "area_for_improvement",
    "suggestion",
    "question",
    "notable_practice",
];

/// The workload's mix: create 50%, move or reorder 35%, edit 15%. Steady, a board's live notes
/// stay around a real wall's: below 300 it is as before; between 300 and 500 half the creates
/// become deletes; above 500 every create does.
pub fn next_operation(
    headings: &[String],
    notes: &BTreeMap<String, Note>,
    steady: bool,
    rng: &mut impl Rng,
) -> (String, String) {
    let op = uuid::Uuid::new_v4().to_string();
    let live: Vec<&Note> = notes.values().filter(|note| !note.deleted).collect();
    let roll = rng.random_range(0..100);
    let heading = |rng: &mut dyn rand::RngCore| -> Option<&String> {
        let choice = rng.random_range(0..=headings.len());
        headings.get(choice)
    };
    let deletes = match live.len() {
        _ if !steady => 0,
        0..300 => 0,
        300..=500 => 25,
        _ => 50,
    };
    let command = if roll < deletes && !live.is_empty() {
        let note = live[rng.random_range(0..live.len())];
        json!({"type": "delete_note", "note": note.id})
    } else if roll < 50 || live.is_empty() {
        let n = rng.random_range(0..10_000);
        let stakeholder = ["Officers", "Councillors", "Partners", "Staff"][n % 4];
        json!({
            "type": "create_note",
            "note": uuid::Uuid::new_v4().to_string(),
            "heading": heading(rng),
            "fields": {
                "text": format!("Bench note {n}: partners value the council's visible leadership but want earlier involvement."),
                "kind": KINDS[n % KINDS.len()],
                "source": format!("Interview {}", n % 40),
                "stakeholder": stakeholder,
                "tags": [],
            },
        })
    } else if roll < 85 {
        let note = live[rng.random_range(0..live.len())];
        let target = heading(rng);
        let neighbours: Vec<&&Note> = live
            .iter()
            .filter(|other| other.heading.as_ref() == target && other.id != note.id)
            .collect();
        let before = if !neighbours.is_empty() && rng.random_bool(0.5) {
            Some(&neighbours[rng.random_range(0..neighbours.len())].id)
        } else {
            None
        };
        json!({"type": "move_note", "note": note.id, "heading": target, "before": before})
    } else {
        let note = live[rng.random_range(0..live.len())];
        json!({
            "type": "edit_note",
            "note": note.id,
            "base_version": note.version,
            "edit": {"text": format!("Edited: {}", rng.random_range(0..10_000))},
        })
    };
    let frame = json!({"type": "command", "op": op, "command": command}).to_string();
    (op, frame)
}
