//! Newsroom accounts, login sessions and API tokens. Only hashes of secrets are stored:
//! the password as argon2id, session ids and tokens as SHA-256, all computed by the caller.

use crate::{to_time, Result, Store, StoreError};
use broadsheet_domain::{Id, NewUser, Role, User};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, u.author_id";

fn user_from(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("role: {e}")))?,
        author_id: row.try_get("author_id")?,
    })
}

/// A live login session and the token its forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

impl Store {
    pub async fn create_user(&self, new: &NewUser, password_hash: &str) -> Result<User> {
        new.validate()?;
        let new = new.normalized();
        let _turn = self.write_turn().await;
        let row = sqlx::query(
            "INSERT INTO users (email, name, role, password_hash, author_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&new.email)
        .bind(&new.name)
        .bind(new.role.as_str())
        .bind(password_hash)
        .bind(new.author_id)
        .bind(Utc::now().timestamp())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("there is already an account for {}", new.email))
            }
            other => other,
        })?;
        Ok(User {
            id: row.try_get("id")?,
            email: new.email,
            name: new.name,
            role: new.role,
            author_id: new.author_id,
        })
    }

    pub async fn user(&self, id: Id) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// The account with this email and its password hash, for logging in.
    pub async fn user_for_login(&self, email: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1");
        let row = sqlx::query(&sql)
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some((user_from(&row)?, row.try_get("password_hash")?))),
            None => Ok(None),
        }
    }

    pub async fn password_hash(&self, user_id: Id) -> Result<String> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("the user"))?;
        Ok(row.try_get("password_hash")?)
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name, u.id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(user_from).collect()
    }

    /// Links an account to the author page its bylines show, when it has none yet.
    /// Returns whether it was linked.
    pub async fn link_author_by_email(&self, email: &str, author_id: Id) -> Result<bool> {
        let _turn = self.write_turn().await;
        let done =
            sqlx::query("UPDATE users SET author_id = $1 WHERE email = $2 AND author_id IS NULL")
                .bind(author_id)
                .bind(email.trim().to_lowercase())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn set_user_role(&self, id: Id, role: Role) -> Result<User> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("the user"));
        }
        drop(_turn);
        self.user(id).await?.ok_or(StoreError::NotFound("the user"))
    }

    /// Replaces the password and ends every session of the account except `keep`.
    pub async fn set_password_hash(&self, id: Id, hash: &str, keep: Option<&str>) -> Result<()> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id)
            .bind(keep.unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: Id,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let _turn = self.write_turn().await;
        let now = Utc::now().timestamp();
        // Expired sessions are swept whenever someone logs in.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at.timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The unexpired session with this token hash.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at >= $2"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(Utc::now().timestamp())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(Session {
                user: user_from(&row)?,
                csrf_token: row.try_get("csrf_token")?,
                expires_at: to_time(row.try_get("expires_at")?),
            })),
            None => Ok(None),
        }
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let _turn = self.write_turn().await;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn add_api_token(&self, token_hash: &str, user_id: Id) -> Result<()> {
        let _turn = self.write_turn().await;
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(user_id)
            .bind(Utc::now().timestamp())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from).transpose()
    }
}
