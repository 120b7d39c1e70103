//! The services the `app` crate's server functions call, one per concept, as the server provides
//! them to every page and server function (each through Leptos context, `app::services::service`).

use std::sync::Arc;

use app::accessibility::StatementContact;
use app::accounts::AccountService;
use app::audit::AuditService;
use app::benchmark::BenchmarkService;
use app::invitations::InvitationService;
use app::membership::MembershipService;
use app::organisations::OrganisationService;
use app::plan::PlanService;
use app::report::ReportService;
use app::retention::RetentionService;
use app::review::ReviewService;
use app::visit::{PackService, TimetableService};
use leptos::prelude::provide_context;

/// Every service a server function may need, cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub accounts: Arc<dyn AccountService>,
    pub invitations: Arc<dyn InvitationService>,
    pub organisations: Arc<dyn OrganisationService>,
    pub membership: Arc<dyn MembershipService>,
    pub audit: Arc<dyn AuditService>,
    pub reviews: Arc<dyn ReviewService>,
    pub report: Arc<dyn ReportService>,
    pub timetable: Arc<dyn TimetableService>,
    pub pack: Arc<dyn PackService>,
    pub benchmarks: Arc<dyn BenchmarkService>,
    pub retention: Arc<dyn RetentionService>,
    pub plan: Arc<dyn PlanService>,
    /// Not a service: the statement's contact, as configured.
    pub accessibility: StatementContact,
    /// Not a service: whether sign-in with the organisation's account is offered.
    pub organisation_sign_in: app::accounts::OrganisationSignIn,
}

impl Services {
    /// Puts every service in the current context.
    pub fn provide(&self) {
        provide_context(self.accounts.clone());
        provide_context(self.invitations.clone());
        provide_context(self.organisations.clone());
        provide_context(self.membership.clone());
        provide_context(self.audit.clone());
        provide_context(self.reviews.clone());
        provide_context(self.report.clone());
        provide_context(self.timetable.clone());
        provide_context(self.pack.clone());
        provide_context(self.benchmarks.clone());
        provide_context(self.retention.clone());
        provide_context(self.plan.clone());
        provide_context(self.accessibility.clone());
        provide_context(self.organisation_sign_in);
    }
}
