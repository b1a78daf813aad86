// Temporary: EXPLAIN QUERY PLAN through the bundled SQLite. Not part of the project.
use std::io::Read;
#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let url = std::env::args().nth(1).unwrap();
    let mut sql = String::new();
    std::io::stdin().read_to_string(&mut sql).unwrap();
    let params: Vec<String> = std::env::args().skip(2).collect();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")));
    for p in &params {
        q = if let Ok(n) = p.parse::<i64>() {
            q.bind(n)
        } else {
            q.bind(p.clone())
        };
    }
    use sqlx::Row;
    for r in q.fetch_all(&pool).await.unwrap() {
        let d: String = r.try_get(3).unwrap_or_default();
        println!("{d}");
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
    for p in &params {
        q = if let Ok(n) = p.parse::<i64>() {
            q.bind(n)
        } else {
            q.bind(p.clone())
        };
    }
    let t = std::time::Instant::now();
    let n = q.fetch_all(&pool).await.unwrap().len();
    println!("{n} rows in {:?}", t.elapsed());
}
