//! The site's addresses and the serial of its signed mirror list. Every change to the
//! list raises the serial, in the same transaction.

use crate::{to_time, ChangeEvent, Result, Store, StoreError};
use broadsheet_domain::{Address, AddressKind, AddressState};
use chrono::Utc;
use sqlx::{Any, Row, Transaction};

impl Store {
    /// Makes the list follow the configuration, given as (host, kind): configured hosts
    /// missing from it are added as active, a changed kind is updated, and active hosts that
    /// came from the configuration and left it are retired. States set by an operator
    /// (blocked, retired) and addresses added in the newsroom are kept. Returns whether
    /// anything changed.
    pub async fn sync_addresses(&self, configured: &[(String, AddressKind)]) -> Result<bool> {
        let _turn = self.write_turn().await;
        let now = Utc::now().timestamp();
        let mut tx = self.pool.begin().await?;
        let mut changed = false;
        for (host, kind) in configured {
            let written = sqlx::query(
                "INSERT INTO site_addresses (host, kind, state, added, updated, from_config)
                 VALUES ($1, $2, 'active', $3, $3, 1)
                 ON CONFLICT (host) DO UPDATE SET kind = excluded.kind, updated = excluded.updated,
                 from_config = 1
                 WHERE site_addresses.kind <> excluded.kind OR site_addresses.from_config <> 1",
            )
            .bind(host)
            .bind(kind.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            changed |= written.rows_affected() > 0;
        }
        let rows = sqlx::query(
            "SELECT host FROM site_addresses WHERE state = 'active' AND from_config = 1",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            let host: String = row.try_get("host")?;
            if !configured.iter().any(|(h, _)| *h == host) {
                sqlx::query(
                    "UPDATE site_addresses SET state = 'retired', updated = $1 WHERE host = $2",
                )
                .bind(now)
                .bind(&host)
                .execute(&mut *tx)
                .await?;
                changed = true;
            }
        }
        if changed {
            bump_serial(&mut tx).await?;
        }
        tx.commit().await?;
        if changed {
            self.announce(ChangeEvent::Catalogue);
        }
        Ok(changed)
    }

    /// Adds an address while the site runs (an admin in the newsroom): listed at once in the
    /// signed list and served, and kept across restarts whatever the configuration says.
    /// A retired address comes back as active; any other known address is refused.
    pub async fn add_address(&self, host: &str, kind: AddressKind) -> Result<Address> {
        let _turn = self.write_turn().await;
        let now = Utc::now().timestamp();
        let mut tx = self.pool.begin().await?;
        let written = sqlx::query(
            "INSERT INTO site_addresses (host, kind, state, added, updated, from_config)
             VALUES ($1, $2, 'active', $3, $3, 0)
             ON CONFLICT (host) DO UPDATE SET kind = excluded.kind, state = 'active',
             updated = excluded.updated
             WHERE site_addresses.state = 'retired'",
        )
        .bind(host)
        .bind(kind.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if written.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "{host} is already one of the site's addresses"
            )));
        }
        bump_serial(&mut tx).await?;
        tx.commit().await?;
        self.announce(ChangeEvent::Catalogue);
        self.address(host).await
    }

    /// Marks an address active, blocked or retired.
    pub async fn set_address_state(&self, host: &str, state: AddressState) -> Result<Address> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE site_addresses SET state = $1, updated = $2 WHERE host = $3 AND state <> $1",
        )
        .bind(state.as_str())
        .bind(Utc::now().timestamp())
        .bind(host)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() > 0 {
            bump_serial(&mut tx).await?;
        }
        tx.commit().await?;
        self.announce(ChangeEvent::Catalogue);
        self.address(host).await
    }

    /// One address as the list holds it now.
    async fn address(&self, host: &str) -> Result<Address> {
        self.addresses()
            .await?
            .into_iter()
            .find(|a| a.host == host)
            .ok_or(StoreError::NotFound("that address"))
    }

    /// Every address the list has ever held, in the order they were added.
    pub async fn addresses(&self) -> Result<Vec<Address>> {
        let rows = sqlx::query(
            "SELECT host, kind, state, added, updated FROM site_addresses ORDER BY added, host",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let state: String = r.try_get("state")?;
                Ok(Address {
                    host: r.try_get("host")?,
                    kind: AddressKind::parse(&kind)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    state: AddressState::parse(&state)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    added: to_time(r.try_get("added")?),
                    updated: to_time(r.try_get("updated")?),
                })
            })
            .collect()
    }

    /// Keeps the result of a health check of one address, replacing the one before.
    pub async fn record_check(&self, host: &str, ok: bool, detail: &str) -> Result<()> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO mirror_checks (host, checked_at, ok, detail) VALUES ($1, $2, $3, $4)
             ON CONFLICT (host) DO UPDATE SET checked_at = excluded.checked_at, ok = excluded.ok, detail = excluded.detail",
        )
        .bind(host)
        .bind(Utc::now().timestamp())
        .bind(i64::from(ok))
        .bind(detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest check of each address: host -> (when, passed, what was found).
    pub async fn latest_checks(
        &self,
    ) -> Result<std::collections::HashMap<String, (chrono::DateTime<Utc>, bool, String)>> {
        let rows = sqlx::query("SELECT host, checked_at, ok, detail FROM mirror_checks")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let ok: i64 = r.try_get("ok")?;
                Ok((
                    r.try_get("host")?,
                    (
                        to_time(r.try_get("checked_at")?),
                        ok != 0,
                        r.try_get("detail")?,
                    ),
                ))
            })
            .collect()
    }

    pub async fn mirror_serial(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT serial FROM mirror_list WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get("serial")?)
    }
}

async fn bump_serial(tx: &mut Transaction<'_, Any>) -> Result<()> {
    sqlx::query("UPDATE mirror_list SET serial = serial + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
