//! All SQL of the ledger. Every read of scoped rows takes a [`RegionScope`] into its WHERE clause.

use serde::Serialize;

use crate::Result;
use crate::db::{Sql, Tx};
use crate::org::RegionScope;

type Exec<'a> = &'a mut sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    #[serde(skip)]
    pub id_cipher: String,
    pub id_masked: String,
    pub birth_date: String,
    pub sex: String,
    #[serde(skip)]
    pub phone_cipher: Option<String>,
    pub phone_masked: Option<String>,
    pub education: String,
    pub household: String,
    pub party_member: i64,
    pub region_code: String,
    pub region_name: String,
    pub address: String,
    pub responsible_user_id: Option<String>,
    pub responsible_name: Option<String>,
    pub next_visit_date: Option<String>,
    pub created_at: i64,
}

const PERSON_SELECT: &str = "SELECT p.id, p.name, p.id_cipher, p.id_masked, p.birth_date, p.sex, p.phone_cipher, \
     p.phone_masked, p.education, p.household, p.party_member, p.region_code, r.name AS region_name, p.address, \
     p.responsible_user_id, u.display_name AS responsible_name, p.next_visit_date, p.created_at \
     FROM person p JOIN region r ON r.code = p.region_code LEFT JOIN app_user u ON u.id = p.responsible_user_id";

pub async fn person_get(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<Person>> {
    let mut sql = Sql::new(PERSON_SELECT);
    sql.push(" WHERE p.id = ").bind(id.to_string());
    scope_clause(&mut sql, "p.region_code", scope);
    Ok(sql.query_as().fetch_optional(c).await?)
}

/// Where a person with this blind index is registered, whatever the scope (for de-duplication).
pub async fn person_by_index(
    c: Exec<'_>,
    id_index: &str,
) -> Result<Option<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.region_code, r.name FROM person p JOIN region r ON r.code = p.region_code WHERE p.id_index = $1",
    )
    .bind(id_index.to_string())
    .fetch_optional(c)
    .await?)
}

pub async fn person_categories(c: Exec<'_>, id: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT category FROM person_category WHERE person_id = $1 ORDER BY category",
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await?)
}

fn scope_clause(sql: &mut Sql, column: &str, scope: &RegionScope) {
    sql.push(&format!(" AND {column} BETWEEN "))
        .bind(scope.lo.clone())
        .push(" AND ")
        .bind(scope.hi.clone());
}

/// How a list reads its page (docs/PERFORMANCE.md, issue 3). The SQL says which index to use —
/// a column wrapped in an expression (`x || ''`, `x + 0`) cannot use its index, on either
/// engine — so the plan does not depend on statistics or on a cached generic plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// Read the rows of the scope through the (region_code, …) index and sort them: for
    /// narrow scopes (a community, a sub-district).
    Scope,
    /// Walk the index of the sort order (migration 0004), skipping rows outside the scope or
    /// the filters, until the page is full: for wide scopes (a county, the city).
    Order,
    /// Businesses by name within one county: walk that county's own name index (0004).
    County,
    /// Persons with an education filter: walk that education's own index in the sort order
    /// (0006) instead of the whole city's.
    Education,
    /// Persons with a category and an education: read exactly their rows through the pair's
    /// index (0007) and sort them, when they are few.
    Pair,
}

/// Above this many rows in scope, a category and an education may be read as a pair (below it,
/// reading the scope is cheap). None in unit tests, so that their small ledgers use the plan.
const WIDE_SCOPE: i64 = if cfg!(test) { 0 } else { EXACT_COUNT_SCOPE };
/// Up to this many persons of a category and education are read and sorted (Plan::Pair).
const PAIR_READ_MAX: i64 = 5_000;

/// The cheaper plan. A walk over an index of `walked` entries, `matching` of which belong on
/// the list, visits about `limit × walked / matching` entries before its page is full — if the
/// matching rows are spread evenly over the sort order; reading the scope visits `read` rows
/// and sorts them. `margin` is how much cheaper the walk must look: 1 where the sort key is
/// independent of region and filters (person names, registration times), more where it is not
/// (business names follow county and kind; closed businesses are older ones).
/// Below this many rows, reading and sorting takes a few milliseconds whatever the estimate.
/// (None in unit tests: their small ledgers then go through every plan, which must all read
/// the same rows.)
const READ_IS_CHEAP: i64 = if cfg!(test) { 0 } else { 2_000 };

fn choose_plan(walked: i64, matching: i64, read: i64, limit: i64, margin: i64) -> Plan {
    if read > READ_IS_CHEAP
        && matching > 0
        && (limit.saturating_mul(walked) / matching).saturating_mul(margin) < read
    {
        Plan::Order
    } else {
        Plan::Scope
    }
}

/// The scope narrowed to a region filter, as one range: with two BETWEENs on one column an
/// index range uses only one of them (SQLite took the wider, the scope, and read a whole city
/// for one community). An empty intersection gives lo > hi, which matches nothing.
fn narrowed(scope: &RegionScope, region: Option<&RegionScope>) -> RegionScope {
    match region {
        None => scope.clone(),
        Some(r) => RegionScope {
            root: r.root.clone(),
            lo: scope.lo.clone().max(r.lo.clone()),
            hi: scope.hi.clone().min(r.hi.clone()),
        },
    }
}

/// What the counts kept by migration 0004's triggers tell about a list.
struct Kept {
    /// Rows of the entity in the whole table.
    all: i64,
    /// Rows in the range.
    in_scope: i64,
    /// Rows in the range matching the facet, when one was asked (`("", "")`: all of them).
    matching: Option<i64>,
    /// Rows matching the facet in the whole table.
    facet_all: i64,
}

/// Reads [`Kept`]: SUMs over at most one row per community.
async fn kept_counts(
    c: Exec<'_>,
    entity: &str,
    range: &RegionScope,
    facet: Option<(&str, &str)>,
) -> Result<Kept> {
    let (all, in_scope): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN region_code BETWEEN $2 AND $3 THEN n ELSE 0 END), 0) AS BIGINT) \
         FROM ledger_count WHERE entity = $1 AND facet = '' AND value = ''",
    )
    .bind(entity.to_string())
    .bind(range.lo.clone())
    .bind(range.hi.clone())
    .fetch_one(&mut *c)
    .await?;
    let (matching, facet_all) = match facet {
        None => (None, all),
        Some(("", _)) => (Some(in_scope), all),
        Some((facet, value)) => {
            let (facet_all, matching): (i64, i64) = sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN region_code BETWEEN $4 AND $5 THEN n ELSE 0 END), 0) AS BIGINT) \
                 FROM ledger_count WHERE entity = $1 AND facet = $2 AND value = $3",
            )
            .bind(entity.to_string())
            .bind(facet.to_string())
            .bind(value.to_string())
            .bind(range.lo.clone())
            .bind(range.hi.clone())
            .fetch_one(&mut *c)
            .await?;
            (Some(matching), facet_all)
        }
    };
    Ok(Kept {
        all,
        in_scope,
        matching,
        facet_all,
    })
}

/// How many rows a list has, as told above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "n", rename_all = "snake_case")]
pub enum Total {
    Exact(i64),
    /// Estimated from the kept counts of each filter (two or more filters over a wide scope,
    /// where counting row by row would take longer than the page).
    About(i64),
    /// Counted up to a cap (text or date filters over a wide scope).
    AtLeast(i64),
}

impl Total {
    pub fn n(self) -> i64 {
        match self {
            Total::Exact(n) | Total::About(n) | Total::AtLeast(n) => n,
        }
    }
    pub fn is_about(self) -> bool {
        matches!(self, Total::About(_))
    }
    pub fn is_at_least(self) -> bool {
        matches!(self, Total::AtLeast(_))
    }
}

/// Up to this many rows in scope, a total the kept counts cannot give is counted row by row.
const EXACT_COUNT_SCOPE: i64 = 50_000;
/// Beyond that, text and date filters are counted up to this many rows.
const COUNT_CAP: i64 = 1_000;

/// The total of a list whose filters the kept counts do not cover: exact over a small scope;
/// else, with filters only, estimated from each filter's kept count (as if independent); else
/// counted up to [`COUNT_CAP`]. `count` is `SELECT COUNT(*) FROM (SELECT 1 FROM … WHERE …`,
/// open, for the rows of the list.
async fn uncounted_total(
    c: Exec<'_>,
    entity: &str,
    range: &RegionScope,
    k: &Kept,
    facets_only: Option<&[(&str, String)]>,
    count: Sql,
) -> Result<Total> {
    uncounted_total_over(c, entity, range, k, facets_only, count, EXACT_COUNT_SCOPE).await
}

async fn uncounted_total_over(
    c: Exec<'_>,
    entity: &str,
    range: &RegionScope,
    k: &Kept,
    facets_only: Option<&[(&str, String)]>,
    mut count: Sql,
    exact_scope: i64,
) -> Result<Total> {
    if k.in_scope <= exact_scope {
        count.push(") x");
        return Ok(Total::Exact(count.query_scalar().fetch_one(&mut *c).await?));
    }
    if let Some(facets) = facets_only.filter(|f| !f.is_empty()) {
        let mut share = 1.0f64;
        for (facet, value) in facets {
            let m = kept_counts(&mut *c, entity, range, Some((facet, value)))
                .await?
                .matching
                .unwrap_or(0);
            if m == 0 {
                return Ok(Total::Exact(0));
            }
            share *= m as f64 / k.in_scope as f64;
        }
        return Ok(Total::About(two_figures(
            (share * k.in_scope as f64).round() as i64,
        )));
    }
    count.push(" LIMIT ").bind(COUNT_CAP + 1).push(") x");
    let n: i64 = count.query_scalar().fetch_one(&mut *c).await?;
    Ok(if n > COUNT_CAP {
        Total::AtLeast(COUNT_CAP)
    } else {
        Total::Exact(n)
    })
}

/// Rounded to two significant figures (an estimate should not look exact); at least 1.
fn two_figures(n: i64) -> i64 {
    let mut unit = 1;
    while n / unit >= 100 {
        unit *= 10;
    }
    ((n + unit / 2) / unit * unit).max(1)
}

/// Filters of the person list.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PersonFilter {
    pub q: Option<String>,
    pub region: Option<String>,
    pub category: Option<String>,
    pub education: Option<String>,
    pub household: Option<String>,
    /// "1" = party members only (needs `party.view`).
    pub party: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// "name" (default) or "created".
    pub sort: Option<String>,
    /// Keyset cursor: the last row's sort key and id, as given in `next`.
    pub after: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub id_masked: String,
    pub sex: String,
    pub birth_date: String,
    pub phone_masked: Option<String>,
    pub region_code: String,
    pub region_name: String,
    pub created_at: i64,
}

fn opt(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Unix seconds of the start of a China-time day.
fn day_start(s: &str) -> Option<i64> {
    super::model::parse_date(s).map(|d| d.midnight().assume_utc().unix_timestamp() - 8 * 3600)
}

/// With a category and an education over a wide scope: how many persons (city-wide) have both,
/// when reading them through the pair's index (migration 0007) is cheaper than walking the
/// education's own index until a page is found — a row read by key costs about as much as
/// three entries of a walk (measured on PostgreSQL, docs/PERFORMANCE.md).
async fn pair_rows(
    c: Exec<'_>,
    range: &RegionScope,
    f: &PersonFilter,
    k: &Kept,
    limit: i64,
) -> Result<Option<i64>> {
    let (Some(cat), Some(e)) = (opt(&f.category), opt(&f.education)) else {
        return Ok(None);
    };
    if k.in_scope <= WIDE_SCOPE {
        return Ok(None);
    }
    let mut sql = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM person_category WHERE category = ");
    sql.bind(cat)
        .push(" AND education = ")
        .bind(e.clone())
        .push(" LIMIT ")
        .bind(PAIR_READ_MAX + 1)
        .push(") x");
    let n: i64 = sql.query_scalar().fetch_one(&mut *c).await?;
    if n > PAIR_READ_MAX {
        return Ok(None);
    }
    let in_education = kept_counts(&mut *c, "person", range, Some(("education", &e)))
        .await?
        .facet_all;
    let walk = limit.saturating_mul(in_education) / n.max(1);
    Ok((n.saturating_mul(3) <= walk).then_some(n))
}

pub async fn person_list(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &PersonFilter,
    may_see_party: bool,
    phone_or_id_index: Option<(&'static str, String)>,
    limit: i64,
) -> Result<(Vec<PersonRow>, Total, Option<String>)> {
    let (rows, total, next) =
        person_query(c, scope, f, may_see_party, phone_or_id_index, limit, true).await?;
    Ok((rows, total.unwrap_or(Total::Exact(0)), next))
}

/// One page without the total count (for exports that walk every page).
pub async fn person_page(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &PersonFilter,
    may_see_party: bool,
    limit: i64,
) -> Result<(Vec<PersonRow>, Option<String>)> {
    let (rows, _, next) = person_query(c, scope, f, may_see_party, None, limit, false).await?;
    Ok((rows, next))
}

async fn person_query(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &PersonFilter,
    may_see_party: bool,
    phone_or_id_index: Option<(&'static str, String)>,
    limit: i64,
    count: bool,
) -> Result<(Vec<PersonRow>, Option<Total>, Option<String>)> {
    let by_created = f.sort.as_deref() == Some("created");
    let by_region = f.sort.as_deref() == Some("region");
    let region = opt(&f.region).map(|r| RegionScope::of(&r));
    let range = narrowed(scope, region.as_ref());
    let build = |select: &str, page: bool, plan: Plan| {
        let mut sql = Sql::new(select);
        sql.push(" WHERE 1 = 1");
        // Walking the sort order's index, neither the scope nor a filter may pick another index.
        let col = |c: &str| match plan {
            Plan::Order | Plan::County | Plan::Education | Plan::Pair => format!("({c} || '')"),
            Plan::Scope => c.to_string(),
        };
        scope_clause(&mut sql, &col("p.region_code"), &range);
        if let Some((column, ix)) = &phone_or_id_index {
            sql.push(&format!(" AND p.{column} = ")).bind(ix.clone());
        } else if let Some(q) = opt(&f.q) {
            sql.push(" AND instr(p.name, ").bind(q).push(") > 0");
        }
        if let (Plan::Pair, Some(cat), Some(e)) = (plan, opt(&f.category), opt(&f.education)) {
            sql.push(
                " AND p.id IN (SELECT pc.person_id FROM person_category pc WHERE pc.category = ",
            )
            .bind(cat)
            .push(" AND pc.education = ")
            .bind(e)
            .push(")");
        } else if let Some(cat) = opt(&f.category) {
            sql.push(" AND EXISTS (SELECT 1 FROM person_category pc WHERE pc.person_id = p.id AND pc.category = ")
                .bind(cat)
                .push(")");
        }
        if let Some(e) = opt(&f.education) {
            // Only the education walk may use an education index: reading a scope, its
            // (region_code, …) index is the one to use.
            let column = match plan {
                Plan::Education => "p.education".to_string(),
                _ => "(p.education || '')".to_string(),
            };
            sql.push(&format!(" AND {column} = ")).bind(e);
        }
        if let Some(h) = opt(&f.household) {
            sql.push(&format!(" AND {} = ", col("p.household"))).bind(h);
        }
        if may_see_party && opt(&f.party).as_deref() == Some("1") {
            sql.push(match plan {
                Plan::Order | Plan::County | Plan::Education | Plan::Pair => {
                    " AND (p.party_member + 0) = 1"
                }
                Plan::Scope => " AND p.party_member = 1",
            });
        }
        if let Some(t) = opt(&f.created_from).and_then(|s| day_start(&s)) {
            sql.push(" AND p.created_at >= ").bind(t);
        }
        if let Some(t) = opt(&f.created_to).and_then(|s| day_start(&s)) {
            sql.push(" AND p.created_at < ").bind(t + 86400);
        }
        if page {
            // The sort keys: plain columns to walk their index; expressions when reading the
            // scope, so that its (region_code, …) index is the one used.
            let (name, created) = match plan {
                Plan::Order | Plan::County | Plan::Education => ("p.name", "p.created_at"),
                Plan::Scope | Plan::Pair => ("(p.name || '')", "(p.created_at + 0)"),
            };
            let cursor = opt(&f.after);
            if by_region {
                // Export order: community, name, id — the (region_code, name, id) index, no sort.
                if let Some(cur) = cursor.as_deref() {
                    // "<12-digit region>|<name>|<id>"; a name may itself hold '|'.
                    let parsed = cur
                        .split_once('|')
                        .and_then(|(r, rest)| rest.rsplit_once('|').map(|(n, i)| (r, n, i)));
                    if let Some((r, n, i)) = parsed {
                        sql.push(" AND (p.region_code, p.name, p.id) > (")
                            .bind(r.to_string())
                            .push(", ")
                            .bind(n.to_string())
                            .push(", ")
                            .bind(i.to_string())
                            .push(")");
                    }
                }
            } else if let Some((k, id)) = cursor.and_then(|a| {
                a.split_once('|')
                    .map(|(k, i)| (k.to_string(), i.to_string()))
            }) {
                // Row values, so the walk starts at the cursor in the index.
                if by_created {
                    let k: i64 = k.parse().unwrap_or(i64::MAX);
                    sql.push(&format!(" AND ({created}, p.id) < ("))
                        .bind(k)
                        .push(", ")
                        .bind(id)
                        .push(")");
                } else {
                    sql.push(&format!(" AND ({name}, p.id) > ("))
                        .bind(k)
                        .push(", ")
                        .bind(id)
                        .push(")");
                }
            }
            if by_region {
                sql.push(" ORDER BY p.region_code, p.name, p.id");
            } else if by_created {
                sql.push(&format!(" ORDER BY {created} DESC, p.id DESC"));
            } else {
                sql.push(&format!(" ORDER BY {name}, p.id"));
            }
            sql.push(" LIMIT ").bind(limit);
        }
        sql
    };
    // The total from the maintained counts when the filters are within them (migration 0004),
    // else counted row by row; then the cheaper way to read the page.
    let (total, plan) = if by_region {
        // Export order: the (region_code, name, id) index gives range and order at once.
        let total = if count {
            Some(Total::Exact(
                build("SELECT COUNT(*) FROM person p", false, Plan::Scope)
                    .query_scalar()
                    .fetch_one(&mut *c)
                    .await?,
            ))
        } else {
            None
        };
        (total, Plan::Scope)
    } else {
        let party = may_see_party && opt(&f.party).as_deref() == Some("1");
        let mut facets: Vec<(&str, String)> = Vec::new();
        for (facet, v) in [
            ("category", opt(&f.category)),
            ("education", opt(&f.education)),
            ("household", opt(&f.household)),
            ("party", party.then(|| "1".to_string())),
        ] {
            if let Some(v) = v {
                facets.push((facet, v));
            }
        }
        let countable = phone_or_id_index.is_none()
            && opt(&f.q).is_none()
            && opt(&f.created_from).and_then(|s| day_start(&s)).is_none()
            && opt(&f.created_to).and_then(|s| day_start(&s)).is_none()
            && facets.len() <= 1;
        let facet = countable.then(|| {
            facets
                .first()
                .map(|(k, v)| (*k, v.as_str()))
                .unwrap_or(("", ""))
        });
        let k = kept_counts(&mut *c, "person", &range, facet).await?;
        if let Some(n) = pair_rows(&mut *c, &range, f, &k, limit).await? {
            let total = if count && n > 0 {
                Some(Total::Exact(
                    build("SELECT COUNT(*) FROM person p", false, Plan::Pair)
                        .query_scalar()
                        .fetch_one(&mut *c)
                        .await?,
                ))
            } else {
                count.then_some(Total::Exact(0))
            };
            if n == 0 || total == Some(Total::Exact(0)) {
                return Ok((Vec::new(), total, None));
            }
            (total, Plan::Pair)
        } else {
            let facets_only = (phone_or_id_index.is_none()
                && opt(&f.q).is_none()
                && opt(&f.created_from).and_then(|s| day_start(&s)).is_none()
                && opt(&f.created_to).and_then(|s| day_start(&s)).is_none())
            .then_some(facets.as_slice());
            let total = match (count, k.matching) {
                (false, _) => None,
                (true, Some(n)) => Some(Total::Exact(n)),
                (true, None) => Some(
                    uncounted_total(
                        &mut *c,
                        "person",
                        &range,
                        &k,
                        facets_only,
                        build(
                            "SELECT COUNT(*) FROM (SELECT 1 FROM person p",
                            false,
                            Plan::Scope,
                        ),
                    )
                    .await?,
                ),
            };
            if total == Some(Total::Exact(0)) {
                return Ok((Vec::new(), total, None));
            }
            let matching = match total {
                Some(t) => t.n(),
                None => k.matching.unwrap_or(k.in_scope),
            };
            // With an education filter the walk is over that education's own index (0006);
            // otherwise over all persons.
            let walked = match opt(&f.education) {
                Some(_) if facets.len() == 1 => k.facet_all,
                Some(e) => {
                    kept_counts(&mut *c, "person", &range, Some(("education", &e)))
                        .await?
                        .facet_all
                }
                None => k.all,
            };
            let plan = match choose_plan(walked, matching, k.in_scope, limit, 1) {
                Plan::Order if opt(&f.education).is_some() => Plan::Education,
                p => p,
            };
            (total, plan)
        }
    };
    // The page's ids first, then their rows: the ids alone are read from the walked index
    // (PostgreSQL reads a table row for every entry it walks unless the query needs nothing
    // else; SQLite filters on the index either way). The region's name by subquery, not a
    // join: with the join SQLite 3.51 bounded the (region_code, …) index range below only.
    let mut page = build(
        "SELECT p.id, p.name, p.id_masked, p.sex, p.birth_date, p.phone_masked, p.region_code, \
         (SELECT r.name FROM region r WHERE r.code = p.region_code) AS region_name, p.created_at FROM person p \
         WHERE p.id IN (SELECT p.id FROM person p",
        true,
        plan,
    );
    page.push(if by_region {
        ") ORDER BY p.region_code, p.name, p.id"
    } else if by_created {
        ") ORDER BY p.created_at DESC, p.id DESC"
    } else {
        ") ORDER BY p.name, p.id"
    });
    let rows: Vec<PersonRow> = page.query_as().fetch_all(&mut *c).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last())
        .flatten()
        .map(|r| {
            if by_region {
                format!("{}|{}|{}", r.region_code, r.name, r.id)
            } else if by_created {
                format!("{}|{}", r.created_at, r.id)
            } else {
                format!("{}|{}", r.name, r.id)
            }
        });
    Ok((rows, total, next))
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Business {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub uscc: Option<String>,
    pub uscc_override_reason: Option<String>,
    pub industry: String,
    pub registered_on: String,
    pub region_code: String,
    pub region_name: String,
    pub address: String,
    pub capital_fen: i64,
    pub status: String,
    pub status_since: String,
    pub jobs: i64,
    pub created_at: i64,
}

const BUSINESS_SELECT: &str = "SELECT b.id, b.name, b.kind, b.uscc, b.uscc_override_reason, b.industry, b.registered_on, \
     b.region_code, r.name AS region_name, b.address, b.capital_fen, b.status, b.status_since, b.jobs, b.created_at \
     FROM business b JOIN region r ON r.code = b.region_code";

/// How much cheaper a walk over a business index must look than reading the scope (see
/// [`choose_plan`]); from the generated city (docs/PERFORMANCE.md).
const BUSINESS_MARGIN: i64 = 50;

/// As [`BUSINESS_SELECT`], with the region's name by subquery (see `person_query`).
const BUSINESS_LIST_SELECT: &str = "SELECT b.id, b.name, b.kind, b.uscc, b.uscc_override_reason, b.industry, b.registered_on, \
     b.region_code, (SELECT r.name FROM region r WHERE r.code = b.region_code) AS region_name, b.address, b.capital_fen, \
     b.status, b.status_since, b.jobs, b.created_at FROM business b";

pub async fn business_get(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<Business>> {
    let mut sql = Sql::new(BUSINESS_SELECT);
    sql.push(" WHERE b.id = ").bind(id.to_string());
    scope_clause(&mut sql, "b.region_code", scope);
    Ok(sql.query_as().fetch_optional(c).await?)
}

pub async fn business_by_uscc(c: Exec<'_>, uscc: &str) -> Result<Option<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT b.id, b.region_code, r.name FROM business b JOIN region r ON r.code = b.region_code WHERE b.uscc = $1",
    )
    .bind(uscc.to_string())
    .fetch_optional(c)
    .await?)
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct BusinessFilter {
    pub q: Option<String>,
    pub region: Option<String>,
    pub kind: Option<String>,
    pub industry: Option<String>,
    pub status: Option<String>,
    pub registered_from: Option<String>,
    pub registered_to: Option<String>,
    /// "name" (default) or "registered".
    pub sort: Option<String>,
    pub after: Option<String>,
}

pub async fn business_list(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &BusinessFilter,
    limit: i64,
) -> Result<(Vec<Business>, Total, Option<String>)> {
    business_query(c, scope, f, limit, true).await
}

/// One page without counting what the kept counts cannot tell (for exports that walk every
/// page): the total returned is then only the estimate the plan was chosen by.
pub async fn business_page(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &BusinessFilter,
    limit: i64,
) -> Result<(Vec<Business>, Option<String>)> {
    let (rows, _, next) = business_query(c, scope, f, limit, false).await?;
    Ok((rows, next))
}

async fn business_query(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &BusinessFilter,
    limit: i64,
    count: bool,
) -> Result<(Vec<Business>, Total, Option<String>)> {
    let by_date = f.sort.as_deref() == Some("registered");
    let region = opt(&f.region).map(|r| RegionScope::of(&r));
    let range = narrowed(scope, region.as_ref());
    let build = |select: &str, page: bool, plan: Plan| {
        let mut sql = Sql::new(select);
        sql.push(" WHERE 1 = 1");
        // As in person_query, but a filter on kind, industry or status keeps its indexes
        // (0003, 0004): walking in order, its (column, sort key) index is the one walked; reading
        // the scope, its (column, region_code) index reads only the matching rows. Only the walk
        // of a county's names reads it from the row.
        let col = |c: &str| match plan {
            Plan::Order | Plan::County => format!("({c} || '')"),
            // Scope (the person plans are never chosen for businesses).
            _ => c.to_string(),
        };
        let facet_col = |c: &str| match plan {
            Plan::County => format!("({c} || '')"),
            _ => c.to_string(),
        };
        scope_clause(&mut sql, &col("b.region_code"), &range);
        if plan == Plan::County {
            sql.push(" AND substr(b.region_code, 1, 6) = ")
                .bind(range.lo.get(..6).unwrap_or_default().to_string());
        }
        if let Some(q) = opt(&f.q) {
            sql.push(" AND (instr(b.name, ")
                .bind(q.clone())
                .push(") > 0 OR b.uscc = ")
                .bind(q.to_uppercase())
                .push(")");
        }
        if let Some(k) = opt(&f.kind) {
            sql.push(&format!(" AND {} = ", facet_col("b.kind")))
                .bind(k);
        }
        if let Some(i) = opt(&f.industry) {
            sql.push(&format!(" AND {} = ", facet_col("b.industry")))
                .bind(i);
        }
        if let Some(s) = opt(&f.status) {
            sql.push(&format!(" AND {} = ", facet_col("b.status")))
                .bind(s);
        }
        if let Some(d) = opt(&f.registered_from) {
            sql.push(" AND b.registered_on >= ").bind(d);
        }
        if let Some(d) = opt(&f.registered_to) {
            sql.push(" AND b.registered_on <= ").bind(d);
        }
        if page {
            let key = match (plan, by_date) {
                (Plan::Order | Plan::County, true) => "b.registered_on",
                (Plan::Order | Plan::County, false) => "b.name",
                (_, true) => "(b.registered_on || '')",
                (_, false) => "(b.name || '')",
            };
            if let Some((k, id)) = opt(&f.after).and_then(|a| {
                a.split_once('|')
                    .map(|(k, i)| (k.to_string(), i.to_string()))
            }) {
                let op = if by_date { "<" } else { ">" };
                sql.push(&format!(" AND ({key}, b.id) {op} ("))
                    .bind(k)
                    .push(", ")
                    .bind(id)
                    .push(")");
            }
            sql.push(&if by_date {
                format!(" ORDER BY {key} DESC, b.id DESC")
            } else {
                format!(" ORDER BY {key}, b.id")
            });
            sql.push(" LIMIT ").bind(limit);
        }
        sql
    };
    let mut facets: Vec<(&str, String)> = Vec::new();
    for (facet, v) in [
        ("kind", opt(&f.kind)),
        ("industry", opt(&f.industry)),
        ("status", opt(&f.status)),
    ] {
        if let Some(v) = v {
            facets.push((facet, v));
        }
    }
    let countable = opt(&f.q).is_none()
        && opt(&f.registered_from).is_none()
        && opt(&f.registered_to).is_none()
        && facets.len() <= 1;
    let facet = countable.then(|| {
        facets
            .first()
            .map(|(k, v)| (*k, v.as_str()))
            .unwrap_or(("", ""))
    });
    let k = kept_counts(&mut *c, "business", &range, facet).await?;
    let facets_only = (opt(&f.q).is_none()
        && opt(&f.registered_from).is_none()
        && opt(&f.registered_to).is_none())
    .then_some(facets.as_slice());
    let counted = match k.matching {
        Some(n) => Total::Exact(n),
        None if !count => Total::About(k.in_scope),
        None => {
            uncounted_total(
                &mut *c,
                "business",
                &range,
                &k,
                facets_only,
                build(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM business b",
                    false,
                    Plan::Scope,
                ),
            )
            .await?
        }
    };
    if counted == Total::Exact(0) {
        return Ok((Vec::new(), counted, None));
    }
    let total = counted.n();
    // With one filter, the walk is over that filter's own (column, sort key) index, and reading
    // the scope reads only the matching rows through (column, region_code) (0004).
    let (walked, read) = if facets.len() == 1 {
        (k.facet_all, total)
    } else {
        (k.all, k.in_scope)
    };
    let within_county = !by_date
        && range.lo.len() == 12
        && range.hi.len() == 12
        && range.lo.get(..6) == range.hi.get(..6);
    let plan = if within_county {
        // By name within one county: its own name index, not the city's, which would be walked
        // through the counties whose names sort first.
        let county = RegionScope::of(&format!("{}000000", &range.lo[..6]));
        let in_county = kept_counts(&mut *c, "business", &county, None)
            .await?
            .in_scope;
        match choose_plan(in_county, total, read, limit, BUSINESS_MARGIN) {
            Plan::Order => Plan::County,
            p => p,
        }
    } else {
        choose_plan(walked, total, read, limit, BUSINESS_MARGIN)
    };
    // The page's ids first, then their rows (see `person_query`).
    let mut page = build(
        &format!("{BUSINESS_LIST_SELECT} WHERE b.id IN (SELECT b.id FROM business b"),
        true,
        plan,
    );
    page.push(if by_date {
        ") ORDER BY b.registered_on DESC, b.id DESC"
    } else {
        ") ORDER BY b.name, b.id"
    });
    let rows: Vec<Business> = page.query_as().fetch_all(&mut *c).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last())
        .flatten()
        .map(|r| {
            if by_date {
                format!("{}|{}", r.registered_on, r.id)
            } else {
                format!("{}|{}", r.name, r.id)
            }
        });
    Ok((rows, counted, next))
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct StatusEntry {
    pub status: String,
    pub valid_from: String,
    pub note: String,
    pub recorded_at: i64,
}

pub async fn status_history(c: Exec<'_>, business_id: &str) -> Result<Vec<StatusEntry>> {
    Ok(sqlx::query_as(
        "SELECT status, valid_from, note, recorded_at FROM business_status WHERE business_id = $1 ORDER BY valid_from, recorded_at",
    )
    .bind(business_id.to_string())
    .fetch_all(c)
    .await?)
}

/// The status in force on `date`: the latest entry from on or before it.
pub async fn status_on(c: Exec<'_>, business_id: &str, date: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT status FROM business_status WHERE business_id = $1 AND valid_from <= $2 \
         ORDER BY valid_from DESC, recorded_at DESC LIMIT 1",
    )
    .bind(business_id.to_string())
    .bind(date.to_string())
    .fetch_optional(c)
    .await?)
}

pub async fn status_insert(
    tx: &mut Tx,
    business_id: &str,
    status: &str,
    valid_from: &str,
    note: &str,
    by: Option<String>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO business_status (id, business_id, status, valid_from, note, recorded_at, recorded_by) VALUES ($1,$2,$3,$4,$5,$6,$7)",
    )
    .bind(crate::db::new_id())
    .bind(business_id.to_string())
    .bind(status.to_string())
    .bind(valid_from.to_string())
    .bind(note.to_string())
    .bind(crate::db::now())
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Link {
    pub person_id: String,
    pub person_name: String,
    pub business_id: String,
    pub business_name: String,
    pub role: String,
    pub since: String,
}

const LINK_SELECT: &str = "SELECT l.person_id, p.name AS person_name, l.business_id, b.name AS business_name, l.role, l.since \
     FROM person_business l JOIN person p ON p.id = l.person_id JOIN business b ON b.id = l.business_id";

pub async fn links_of_person(c: Exec<'_>, person_id: &str) -> Result<Vec<Link>> {
    let sql = format!("{LINK_SELECT} WHERE l.person_id = $1 ORDER BY l.since");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(person_id.to_string())
        .fetch_all(c)
        .await?)
}

pub async fn links_of_business(c: Exec<'_>, business_id: &str) -> Result<Vec<Link>> {
    let sql = format!("{LINK_SELECT} WHERE l.business_id = $1 ORDER BY l.since");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(business_id.to_string())
        .fetch_all(c)
        .await?)
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Visit {
    pub id: String,
    pub person_id: String,
    pub business_id: Option<String>,
    pub visit_date: String,
    pub method: String,
    pub staff_name: Option<String>,
    pub notes: String,
    pub next_visit_date: Option<String>,
}

pub async fn visits_of_person(c: Exec<'_>, person_id: &str) -> Result<Vec<Visit>> {
    Ok(sqlx::query_as(
        "SELECT v.id, v.person_id, v.business_id, v.visit_date, v.method, u.display_name AS staff_name, v.notes, v.next_visit_date \
         FROM visit v LEFT JOIN app_user u ON u.id = v.staff_user_id WHERE v.person_id = $1 ORDER BY v.visit_date DESC, v.id DESC",
    )
    .bind(person_id.to_string())
    .fetch_all(c)
    .await?)
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Need {
    pub id: String,
    pub visit_id: String,
    pub person_id: String,
    pub person_name: String,
    pub region_code: String,
    pub region_name: String,
    pub kind: String,
    pub description: String,
    pub unit_id: String,
    pub unit_name: String,
    pub deadline: String,
    pub state: String,
    pub reason: Option<String>,
    pub escalated_at: Option<i64>,
    pub created_at: i64,
}

const NEED_SELECT: &str = "SELECT n.id, n.visit_id, n.person_id, p.name AS person_name, n.region_code, r.name AS region_name, \
     n.kind, n.description, n.unit_id, un.name AS unit_name, n.deadline, n.state, n.reason, n.escalated_at, n.created_at \
     FROM need n JOIN person p ON p.id = n.person_id JOIN region r ON r.code = n.region_code JOIN unit un ON un.id = n.unit_id";

pub async fn needs_of_person(c: Exec<'_>, person_id: &str) -> Result<Vec<Need>> {
    let sql = format!("{NEED_SELECT} WHERE n.person_id = $1 ORDER BY n.created_at DESC");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(person_id.to_string())
        .fetch_all(c)
        .await?)
}

/// A unit's queue: its needs within scope, open ones first by deadline.
pub async fn unit_queue(
    c: Exec<'_>,
    scope: &RegionScope,
    unit_id: &str,
    include_closed: bool,
) -> Result<Vec<Need>> {
    let mut sql = Sql::new(NEED_SELECT);
    sql.push(" WHERE n.unit_id = ").bind(unit_id.to_string());
    scope_clause(&mut sql, "n.region_code", scope);
    if !include_closed {
        sql.push(" AND n.state IN ('open', 'accepted')");
    }
    sql.push(" ORDER BY n.deadline, n.created_at LIMIT 500");
    Ok(sql.query_as().fetch_all(c).await?)
}

pub async fn need_get(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<Need>> {
    let mut sql = Sql::new(NEED_SELECT);
    sql.push(" WHERE n.id = ").bind(id.to_string());
    scope_clause(&mut sql, "n.region_code", scope);
    Ok(sql.query_as().fetch_optional(c).await?)
}

/// Needs past their deadline, still open, within scope.
pub async fn overdue(c: Exec<'_>, scope: &RegionScope) -> Result<Vec<Need>> {
    let mut sql = Sql::new(NEED_SELECT);
    sql.push(" WHERE n.escalated_at IS NOT NULL AND n.state IN ('open', 'accepted')");
    scope_clause(&mut sql, "n.region_code", scope);
    sql.push(" ORDER BY n.deadline LIMIT 500");
    Ok(sql.query_as().fetch_all(c).await?)
}

#[cfg(test)]
mod total_tests {
    use super::*;
    use crate::testing::TestDb;

    #[test]
    fn estimates_keep_two_significant_figures() {
        assert_eq!(two_figures(0), 1);
        assert_eq!(two_figures(7), 7);
        assert_eq!(two_figures(99), 99);
        assert_eq!(two_figures(12_345), 12_000);
        assert_eq!(two_figures(12_550), 13_000);
    }

    /// Over a scope wider than the exact-count limit (0 here), two filters are estimated from
    /// their kept counts, a text filter is counted up to the cap, and a filter nobody matches
    /// is exactly 0.
    #[tokio::test]
    async fn wide_lists_are_estimated_or_capped_not_counted_row_by_row() {
        let t = TestDb::with_weidu().await;
        crate::ledger::generate::generate(
            &t.core,
            "411002",
            crate::ledger::generate::Scale::DEMO,
            1,
            |_, _, _| {},
        )
        .await
        .unwrap();
        let mut c = t.core.db.pool().acquire().await.unwrap();
        let range = RegionScope::of("411002000000");
        let k = kept_counts(&mut c, "person", &range, None).await.unwrap();
        let count = || Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM person p WHERE 1 = 1");
        let facets = [
            ("household", "urban".to_string()),
            ("education", "bachelor".to_string()),
        ];
        let about = uncounted_total_over(&mut c, "person", &range, &k, Some(&facets), count(), 0)
            .await
            .unwrap();
        let mut exact = count();
        exact.push(" AND household = 'urban' AND education = 'bachelor'");
        let real = uncounted_total_over(&mut c, "person", &range, &k, None, exact, i64::MAX)
            .await
            .unwrap()
            .n();
        assert!(about.is_about(), "{about:?}");
        assert!(
            (about.n() - real).abs() * 3 < real,
            "estimate {about:?} vs {real}"
        );
        let capped = uncounted_total_over(&mut c, "person", &range, &k, None, count(), 0)
            .await
            .unwrap();
        assert_eq!(capped, Total::AtLeast(COUNT_CAP));
        let none = [("education", "nonexistent".to_string())];
        let zero = uncounted_total_over(&mut c, "person", &range, &k, Some(&none), count(), 0)
            .await
            .unwrap();
        assert_eq!(zero, Total::Exact(0));
    }
}

/// A visit in a list: whom, where, when, how, by whom.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct VisitRow {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub region_name: String,
    pub visit_date: String,
    pub method: String,
    pub staff_name: Option<String>,
    pub notes: String,
}

/// Visits in the scope between two dates (inclusive), newest first, after `after` (the last
/// row of the previous page: date and id). The date range walks `visit_date_region` from the
/// newest day; a narrow scope walks `visit_region_date`.
pub async fn visit_page(
    c: Exec<'_>,
    scope: &RegionScope,
    from: &str,
    to: &str,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<VisitRow>> {
    let mut sql = Sql::new(
        "SELECT v.id, v.person_id, p.name AS person_name, r.name AS region_name, v.visit_date, v.method, \
         u.display_name AS staff_name, v.notes FROM visit v JOIN person p ON p.id = v.person_id \
         JOIN region r ON r.code = v.region_code LEFT JOIN app_user u ON u.id = v.staff_user_id \
         WHERE v.visit_date BETWEEN ",
    );
    sql.bind(from.to_string())
        .push(" AND ")
        .bind(to.to_string());
    scope_clause(&mut sql, "v.region_code", scope);
    if let Some((date, id)) = after {
        sql.push(" AND (v.visit_date < ")
            .bind(date.to_string())
            .push(" OR (v.visit_date = ")
            .bind(date.to_string())
            .push(" AND v.id < ")
            .bind(id.to_string())
            .push("))");
    }
    sql.push(" ORDER BY v.visit_date DESC, v.id DESC LIMIT ")
        .bind(limit);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// A need closed within a period: the rows behind "needs closed" and its on-time rate.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ClosedNeed {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub region_name: String,
    pub kind: String,
    pub unit_name: String,
    pub deadline: String,
    pub state: String,
    pub closed_at: i64,
}

impl ClosedNeed {
    /// The day it was closed, China time.
    pub fn closed_on(&self) -> String {
        let d = time::OffsetDateTime::from_unix_timestamp(self.closed_at + 8 * 3600)
            .map_or(time::Date::MIN, |t| t.date());
        super::model::fmt_date(d)
    }

    /// Closed on or before its deadline (as the kept count `needs_closed_on_time` has it).
    pub fn on_time(&self) -> bool {
        self.closed_on() <= self.deadline
    }
}

/// Needs closed in the scope between two instants (`from` inclusive, `to` exclusive), newest
/// first, after `after` (the last row of the previous page: closing time and id). Walks
/// `need_closed` (migration 0012).
pub async fn closed_need_page(
    c: Exec<'_>,
    scope: &RegionScope,
    (from, to): (i64, i64),
    after: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<ClosedNeed>> {
    let mut sql = Sql::new(
        "SELECT n.id, n.person_id, p.name AS person_name, r.name AS region_name, n.kind, un.name AS unit_name, \
         n.deadline, n.state, CAST(n.closed_at AS BIGINT) AS closed_at FROM need n \
         JOIN person p ON p.id = n.person_id JOIN region r ON r.code = n.region_code JOIN unit un ON un.id = n.unit_id \
         WHERE n.state IN ('resolved', 'unresolvable') AND n.closed_at >= ",
    );
    sql.bind(from).push(" AND n.closed_at < ").bind(to);
    scope_clause(&mut sql, "n.region_code", scope);
    if let Some((at, id)) = after {
        sql.push(" AND (n.closed_at < ")
            .bind(at)
            .push(" OR (n.closed_at = ")
            .bind(at)
            .push(" AND n.id < ")
            .bind(id.to_string())
            .push("))");
    }
    sql.push(" ORDER BY n.closed_at DESC, n.id DESC LIMIT ")
        .bind(limit);
    Ok(sql.query_as().fetch_all(c).await?)
}
