//! The saved templates: versions per region, the newest of the nearest region up the tree
//! applying to a report.

use crate::Result;
use crate::indicators::entry::levels;

type Exec<'a> = &'a mut sqlx::AnyConnection;

/// A saved template.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Saved {
    pub id: String,
    pub region_code: String,
    pub body: String,
    pub created_at: i64,
}

/// The template that applies to `region`: its own newest, else its parent's, up to the root.
pub async fn applying(c: Exec<'_>, region: &str) -> Result<Option<Saved>> {
    let chain = levels(region);
    let mut best: Option<Saved> = None;
    let rows: Vec<Saved> = sqlx::query_as(
        "SELECT id, region_code, body, CAST(created_at AS BIGINT) AS created_at FROM report_template \
         WHERE region_code IN ($1, $2, $3, $4, $5) ORDER BY created_at, id",
    )
    .bind(chain.first().cloned().unwrap_or_default())
    .bind(chain.get(1).cloned().unwrap_or_default())
    .bind(chain.get(2).cloned().unwrap_or_default())
    .bind(chain.get(3).cloned().unwrap_or_default())
    .bind(chain.get(4).cloned().unwrap_or_default())
    .fetch_all(c)
    .await?;
    let depth = |r: &Saved| chain.iter().position(|x| *x == r.region_code);
    for r in rows {
        if best.as_ref().is_none_or(|b| depth(&r) >= depth(b)) {
            best = Some(r);
        }
    }
    Ok(best)
}

pub async fn insert(tx: &mut crate::db::Tx, s: &Saved, by: Option<&str>) -> Result<()> {
    sqlx::query(
        "INSERT INTO report_template (id, region_code, body, created_by, created_at) VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(s.id.clone())
    .bind(s.region_code.clone())
    .bind(s.body.clone())
    .bind(by.map(str::to_string))
    .bind(s.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
