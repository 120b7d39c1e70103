//! The wall page, room by room: the page and its header (`page.rs`), a column (`column.rs`), a
//! note's card (`card.rs`), the composer, the filters, who is here and how the connection stands
//! (`presence.rs`), the headings' tools, and the key messages with the triangulation bar
//! (`messages.rs`). Moving things is `wall::drag`; the page's state is `wall::state`.

mod card;
mod column;
mod composer;
pub(crate) mod filters;
mod headings;
mod messages;
mod page;
mod presence;
mod sessions;

pub use page::WallPage;
