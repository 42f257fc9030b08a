use broadsheet_domain::ValidationError;

/// Why a storage call failed. `Invalid`, `NotFound` and `Conflict` are the caller's
/// doing and become 4xx answers; the rest are the server's.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// Another article already has this address (same section, day and slug).
    #[error("another article already has the address {0}")]
    PathTaken(String),
    #[error("the database URL is not usable: {0}")]
    BadUrl(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            if db.is_unique_violation() {
                return StoreError::Conflict(format!("that already exists ({})", db.message()));
            }
            if db.is_foreign_key_violation() {
                return StoreError::Conflict(format!(
                    "it refers to something that does not exist ({})",
                    db.message()
                ));
            }
        }
        StoreError::Database(error)
    }
}

impl StoreError {
    /// True when the caller sent something wrong, as opposed to a server fault.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::Invalid(_)
                | StoreError::NotFound(_)
                | StoreError::Conflict(_)
                | StoreError::PathTaken(_)
        )
    }
}
