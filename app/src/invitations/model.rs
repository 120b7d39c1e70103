//! Invitations to a review or to open a facilitator account, shared by browser and server.

use serde::{Deserialize, Serialize};

use crate::membership::Role;

/// A new invitation's link, for the inviter to pass on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLink {
    /// The path of the link, `/invitations/<token>`; the browser adds its own origin.
    pub path: String,
    pub email: String,
    pub role: Role,
    /// When the link stops working, as people read dates.
    pub expires: String,
    /// Whether it was also sent to `email` (the site has a mail server).
    #[serde(default)]
    pub emailed: bool,
}

/// What the person holding an invitation link sees before accepting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    /// The review it invites to; none for an administrator's invitation to open a facilitator
    /// account, which may then create reviews.
    pub review: Option<crate::review::ReviewId>,
    pub review_title: String,
    pub host_authority: String,
    pub role: Role,
    pub email: String,
    /// Whether the email already has an account (then its password is asked for, not a new one).
    pub has_account: bool,
}
