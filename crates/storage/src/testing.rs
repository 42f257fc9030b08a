//! Support for tests that run the same story on SQLite and PostgreSQL.

/// A URL for a fresh, empty PostgreSQL database made for one test, from
/// `TEST_POSTGRES_URL`. Without that variable the PostgreSQL half is skipped with a
/// visible message, except under `CI=true`, where a missing server is a failure.
pub async fn fresh_postgres_url(test: &str) -> Option<String> {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but TEST_POSTGRES_URL is not set: the PostgreSQL tests cannot run");
        }
        eprintln!("SKIPPED {test} on PostgreSQL: set TEST_POSTGRES_URL to run it");
        return None;
    };
    sqlx::any::install_default_drivers();
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TEST_POSTGRES_URL={base}: {e}"));
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!("bs_test_{}_{}_{}", std::process::id(), n, nanos);
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    let (prefix, _) = base.rsplit_once('/').unwrap_or((base.as_str(), ""));
    Some(format!("{prefix}/{name}"))
}
