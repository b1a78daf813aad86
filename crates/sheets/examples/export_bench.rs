//! Export benchmark: writes 100,000 rows × 12 columns with [`XlsxWriter`] and prints the time
//! and the peak resident memory (VmHWM from /proc/self/status), then reads the file back with
//! `read_rows` and prints that too.
//!
//! ```sh
//! cargo run --release -p chuangye-sheets --example export_bench [ROWS]
//! ```

use std::ops::ControlFlow;
use std::time::Instant;

use chuangye_sheets::{Column, SheetSpec, XlsxWriter, read_rows};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 100_000,
    };
    let spec = SheetSpec::new(
        "创业人员",
        vec![
            Column::new("name", "姓名"),
            Column::new("id_number", "身份证号"),
            Column::new("phone", "手机号码"),
            Column::new("gender", "性别"),
            Column::new("birth_date", "出生日期"),
            Column::new("region_code", "所属社区代码"),
            Column::new("address", "居住地址"),
            Column::new("category", "人员类别"),
            Column::new("business_name", "创业项目名称"),
            Column::new("uscc", "统一社会信用代码"),
            Column::new("amount", "贷款金额（元）"),
            Column::new("remark", "备注"),
        ],
    );
    let rss_before = vm_hwm_kib();
    let start = Instant::now();
    let mut writer = XlsxWriter::new(&spec)?;
    let mut row: Vec<String> = vec![String::new(); 12];
    for i in 0..rows {
        row[0] = format!("居民{i}");
        row[1] = format!("{:018}", 110_101_199_003_077_777u64 + i as u64);
        row[2] = format!("138{:08}", i % 100_000_000);
        row[3] = if i.is_multiple_of(2) { "男" } else { "女" }.to_string();
        row[4] = format!("19{:02}-{:02}-{:02}", 60 + i % 40, 1 + i % 12, 1 + i % 28);
        row[5] = format!("4110020{:05}", i % 100_000);
        row[6] = format!("河南省许昌市魏都区某某街道第{}号院{}号楼", i % 500, i % 30);
        row[7] = [
            "城镇登记失业人员",
            "返乡创业农民工",
            "高校毕业生",
            "退役军人",
        ][i % 4]
            .to_string();
        row[8] = format!("第{i}号便民超市");
        row[9] = format!("91411002MA{:08}X", i);
        row[10] = format!("{}", 50_000 + (i % 20) * 10_000);
        row[11] = if i.is_multiple_of(7) {
            "已回访".to_string()
        } else {
            String::new()
        };
        writer.push_row(&row)?;
    }
    let bytes = writer.finish()?;
    let write_secs = start.elapsed().as_secs_f64();
    let rss_after_write = vm_hwm_kib();
    println!(
        "export: {rows} rows x 12 columns in {write_secs:.2} s, {:.1} MiB file, peak RSS {} (before: {})",
        bytes.len() as f64 / 1_048_576.0,
        fmt_kib(rss_after_write),
        fmt_kib(rss_before),
    );

    let start = Instant::now();
    let mut count = 0usize;
    let summary = read_rows(&bytes, "export.xlsx", &spec, |_| {
        count += 1;
        ControlFlow::Continue(())
    })?;
    println!(
        "read back: {} rows in {:.2} s, peak RSS {} (includes the {:.1} MiB file held in memory)",
        summary.rows,
        start.elapsed().as_secs_f64(),
        fmt_kib(vm_hwm_kib()),
        bytes.len() as f64 / 1_048_576.0,
    );
    assert_eq!(count, rows);
    Ok(())
}

/// Peak resident set size in KiB (Linux), if known.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn fmt_kib(v: Option<u64>) -> String {
    v.map_or_else(
        || "unknown".into(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}
