//! All SQL of the attachments. Every read takes the actor's [`RegionScope`] and puts it in the
//! WHERE clause.

use serde::Serialize;

use crate::Result;
use crate::db::Tx;
use crate::org::RegionScope;

type Exec<'a> = &'a mut sqlx::AnyConnection;

/// One stored upload.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct FileMeta {
    pub id: String,
    /// SM3 hex of the content: its storage address.
    pub sha: String,
    pub size: i64,
    /// Sniffed from the content.
    pub content_type: String,
    /// Sanitised; safe to show and to offer as the download name.
    pub original_name: String,
    pub region_code: String,
    pub owner_entity: String,
    pub owner_id: String,
    pub created_by: Option<String>,
    pub created_at: i64,
}

pub(super) async fn region_in_scope(c: Exec<'_>, scope: &RegionScope, code: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM region WHERE code = $1 AND code BETWEEN $2 AND $3",
    )
    .bind(code.to_string())
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

pub(super) async fn insert(tx: &mut Tx, f: &FileMeta) -> Result<()> {
    sqlx::query(
        "INSERT INTO file (id, sha, size, content_type, original_name, region_code, \
         owner_entity, owner_id, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
    )
    .bind(f.id.clone())
    .bind(f.sha.clone())
    .bind(f.size)
    .bind(f.content_type.clone())
    .bind(f.original_name.clone())
    .bind(f.region_code.clone())
    .bind(f.owner_entity.clone())
    .bind(f.owner_id.clone())
    .bind(f.created_by.clone())
    .bind(f.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn get(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<FileMeta>> {
    let f = sqlx::query_as::<_, FileMeta>(
        "SELECT * FROM file WHERE id = $1 AND region_code BETWEEN $2 AND $3",
    )
    .bind(id.to_string())
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_optional(c)
    .await?;
    Ok(f)
}

pub(super) async fn list_for(
    c: Exec<'_>,
    scope: &RegionScope,
    owner_entity: &str,
    owner_id: &str,
) -> Result<Vec<FileMeta>> {
    let rows = sqlx::query_as::<_, FileMeta>(
        "SELECT * FROM file WHERE owner_entity = $1 AND owner_id = $2 \
         AND region_code BETWEEN $3 AND $4 ORDER BY created_at, id",
    )
    .bind(owner_entity.to_string())
    .bind(owner_id.to_string())
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_all(c)
    .await?;
    Ok(rows)
}
