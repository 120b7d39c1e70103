//! The router: probes, the Leptos app and its server functions, static files, and the layers
//! every request passes through (request id, tracing, security headers).

use app::{App, shell};
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::routing::get;
use axum::{Router, middleware};
use leptos_axum::{LeptosRoutes, file_and_error_handler, generate_route_list};
use tower::ServiceBuilder;
use tower_http::LatencyUnit;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::health;
use crate::{AppState, auth};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let services = state.services.clone();
    let leptos = state.leptos.clone();
    let bench = if state.bench.is_some() {
        Router::new().route("/bench/setup", axum::routing::post(crate::bench::setup))
    } else {
        Router::new()
    };
    Router::new()
        .merge(bench)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/auth/oidc/start", get(crate::oidc::handlers::start))
        .route("/auth/oidc/callback", get(crate::oidc::handlers::callback))
        .route(
            "/ws/reviews/{review}/wall",
            get(crate::socket::upgrade::<crate::wall::channel::WallChannel>),
        )
        .route(
            "/api/reviews/{review}/wall/export",
            get(crate::wall::export::export_wall),
        )
        .route(
            "/api/reviews/{review}/audit.csv",
            get(crate::audit::download_csv),
        )
        .route(
            "/api/admin/person-data",
            get(crate::accounts::download_person_data),
        )
        .route(
            "/ws/reviews/{review}/deck",
            get(crate::socket::upgrade::<crate::present::channel::DeckChannel>),
        )
        .route(
            "/ws/reviews/{review}/report",
            get(crate::socket::upgrade::<crate::report::channel::ReportChannel>),
        )
        .route(
            "/api/reviews/{review}/report.docx",
            get(crate::report::download_docx),
        )
        .route(
            "/ws/reviews/{review}/timetable",
            get(crate::socket::upgrade::<crate::visit::channel::TimetableChannel>),
        )
        .route(
            "/ws/reviews/{review}/plan",
            get(crate::socket::upgrade::<crate::plan::channel::PlanChannel>),
        )
        .route(
            "/api/reviews/{review}/plan.csv",
            get(crate::plan::export::download_csv),
        )
        .route(
            "/api/reviews/{review}/plan.docx",
            get(crate::plan::export::download_docx),
        )
        .route(
            "/api/reviews/{review}/timetable.ics",
            get(crate::visit::download_ics),
        )
        .route(
            "/api/reviews/{review}/documents",
            axum::routing::post(crate::visit::pack::upload)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY_BYTES)),
        )
        .route(
            "/api/reviews/{review}/documents/{document}",
            get(crate::visit::pack::download),
        )
        .route(
            "/api/reviews/{review}/benchmarks",
            axum::routing::post(crate::benchmark::import)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY_BYTES)),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || services.provide(),
            move || shell(leptos.clone()),
        )
        .fallback(file_and_error_handler::<AppState, _>(shell))
        // Static files revalidate on every load (their names are not content-hashed), which
        // costs a 304 rather than a download when nothing changed.
        .layer(middleware::from_fn(cache_static_files))
        .layer(middleware::from_fn_with_state(
            state.leptos.clone(),
            crate::assets::drop_stale_copies,
        ))
        // Brotli or gzip for everything compressible: pages, JSON, JS, wasm, CSS, unless the
        // file was compressed in advance (`assets.rs`). Websocket upgrades carry no body and
        // pass untouched.
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session::attach_session,
        ))
        .layer(middleware::from_fn_with_state(
            state.site.clone(),
            auth::csrf::refuse_cross_site,
        ))
        .layer(middleware::from_fn(limit_body))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &Request<_>| {
                            let request_id = request
                                .headers()
                                .get(REQUEST_ID)
                                .and_then(|value| value.to_str().ok())
                                .unwrap_or("-");
                            tracing::info_span!(
                                "request",
                                method = %request.method(),
                                path = %loggable_path(request.uri().path()),
                                request_id,
                            )
                        })
                        .on_request(())
                        .on_response(
                            DefaultOnResponse::new()
                                .level(Level::INFO)
                                .latency_unit(LatencyUnit::Millis),
                        ),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                // Over https (an https --public-url), browsers are told to use nothing else.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::STRICT_TRANSPORT_SECURITY,
                    state
                        .sessions
                        .secure
                        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains")),
                )),
        )
        .with_state(state)
}

/// The largest request body any route takes (a server function's form: the longest is a review's
/// scope of 4,000 characters, or a note of 2,000, percent-encoded).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The largest body of an upload (a pack's document, a data import): the file and the form
/// around it.
pub const UPLOAD_BODY_BYTES: usize = app::visit::MAX_DOCUMENT_BYTES + 64 * 1024;

/// The body limit of a request: uploads to a pack take a file, everything else is small.
fn body_limit(method: &axum::http::Method, path: &str) -> usize {
    let upload = method == axum::http::Method::POST
        && path.starts_with("/api/reviews/")
        && (path.ends_with("/documents") || path.ends_with("/benchmarks"))
        && path.matches('/').count() == 4;
    if upload {
        UPLOAD_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// Refuses a request body larger than `MAX_BODY_BYTES` with a clear 413 before any handler reads
/// it: at once when its length is declared, and as soon as it passes the limit when it is not.
async fn limit_body(
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let limit = body_limit(request.method(), request.uri().path());
    let too_large = || {
        crate::endpoint::refuse(app::error::AppError::new(
            app::error::ErrorCode::Invalid,
            format!("That request is too large: {} KiB at most.", limit / 1024),
        ))
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        if limit == UPLOAD_BODY_BYTES && crate::endpoint::from_a_page(request.headers()) {
            // A page's upload form: back to the pack, saying why.
            // Back to the page the form is on: the pack, or the data page for an import.
            let path = request.uri().path().trim_start_matches("/api");
            let path = match path.strip_suffix("/benchmarks") {
                Some(review) => format!("{review}/data"),
                None => path.to_string(),
            };
            let message = format!(
                "The file is larger than {} MB, the most an upload may be.",
                app::visit::MAX_DOCUMENT_BYTES / (1024 * 1024)
            );
            return crate::endpoint::back_to(&path, "refused", &message);
        }
        return with_status(too_large(), axum::http::StatusCode::PAYLOAD_TOO_LARGE);
    }
    if declared.is_some() || request.method() == axum::http::Method::GET {
        // A declared length is enforced by the connection (hyper reads no more than it).
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
            next.run(request).await
        }
        Err(_) => with_status(too_large(), axum::http::StatusCode::PAYLOAD_TOO_LARGE),
    }
}

fn with_status(
    mut response: axum::response::Response,
    status: axum::http::StatusCode,
) -> axum::response::Response {
    *response.status_mut() = status;
    response
}

/// A request's path as the log shows it: the secret in an invitation or password-reset link
/// replaced, so that reading the log never gives anyone a way in.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/invitations/", "/reset-password/"] {
        if let Some(rest) = path.strip_prefix(prefix)
            && !rest.is_empty()
        {
            let tail = rest.find('/').map_or("", |at| &rest[at..]);
            return format!("{prefix}[redacted]{tail}").into();
        }
    }
    path.into()
}

/// `Cache-Control` for the built front end and public files.
async fn cache_static_files(
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let is_static = path.starts_with("/pkg/") || path == "/favicon.svg";
    if is_static && response.status().is_success() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, no-cache"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn tokens_in_paths_never_reach_the_log() {
        assert_eq!(
            loggable_path("/invitations/abcDEF123_-"),
            "/invitations/[redacted]"
        );
        assert_eq!(
            loggable_path("/reset-password/s3cret/extra"),
            "/reset-password/[redacted]/extra"
        );
        assert_eq!(loggable_path("/reviews/1234"), "/reviews/1234");
        assert_eq!(loggable_path("/invitations/"), "/invitations/");
    }
}
