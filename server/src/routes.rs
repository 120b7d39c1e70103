//! The router: probes, the Leptos app and its server functions, static files, and the layers
//! every request passes through (request id, tracing, security headers).

use app::{App, shell};
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::routing::get;
use axum::{Router, middleware};
use leptos::prelude::provide_context;
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
    let bench = if state.bench {
        Router::new().route("/bench/setup", axum::routing::post(crate::bench::setup))
    } else {
        Router::new()
    };
    Router::new()
        .merge(bench)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route(
            "/ws/reviews/{review}/wall",
            get(crate::wall::socket::wall_socket),
        )
        .route(
            "/api/reviews/{review}/wall/export",
            get(crate::wall::export::export_wall),
        )
        .route(
            "/ws/reviews/{review}/deck",
            get(crate::present::deck_socket),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(services.clone()),
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
                                path = %request.uri().path(),
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
                )),
        )
        .with_state(state)
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
