//! Server-rendered SVG charts (bar and line) for dashboards: small, self-contained, accessible
//! (`role="img"` with a title and a description listing every value), no script and no font
//! measuring — labels sit at fixed positions with `text-anchor`, so CJK names need no metrics.

use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round upper bound for an axis: 1, 2 or 5 × a power of ten, at least `max`.
fn nice_max(max: i64) -> i64 {
    let mut unit = 1;
    loop {
        for m in [1, 2, 5] {
            if m * unit >= max.max(1) {
                return m * unit;
            }
        }
        unit *= 10;
    }
}

/// Horizontal bars, one per label, largest first as given.
pub fn bars(title: &str, rows: &[(&str, i64)]) -> String {
    let (label_w, bar_w, row_h) = (140.0, 420.0, 26.0);
    let height = 24.0 + row_h * rows.len().max(1) as f64;
    let max = nice_max(rows.iter().map(|r| r.1).max().unwrap_or(0)) as f64;
    let mut desc = String::new();
    let mut body = String::new();
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 12.0 + i as f64 * row_h;
        let w = if max > 0.0 {
            bar_w * (*v as f64) / max
        } else {
            0.0
        };
        let _ = write!(desc, "{}：{}；", esc(label), v);
        let _ = write!(
            body,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="chart-label">{l}</text><rect x="{x}" y="{y}" width="{w:.1}" height="18" class="chart-bar"/><text x="{vx:.1}" y="{ty}" class="chart-value">{v}</text>"#,
            lx = label_w - 6.0,
            ty = y + 13.0,
            l = esc(label),
            x = label_w,
            y = y,
            w = w,
            vx = label_w + w + 4.0,
        );
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {vw} {height}" role="img" aria-labelledby="t d" class="chart chart-bars"><title id="t">{t}</title><desc id="d">{desc}</desc>{body}</svg>"#,
        vw = label_w + bar_w + 60.0,
        t = esc(title),
    )
}

/// Lines over twelve months: each series is (name, css class, values).
pub fn months(title: &str, month_labels: &[String], series: &[(&str, &str, &[i64])]) -> String {
    let (left, top, w, h) = (44.0, 12.0, 540.0, 180.0);
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.2.iter().copied())
            .max()
            .unwrap_or(0),
    ) as f64;
    let x = |i: usize| left + w * i as f64 / 11.0;
    let y = |v: i64| top + h - h * (v as f64) / max;
    let mut body = String::new();
    for g in 0..=4 {
        let v = (max as i64) * g / 4;
        let _ = write!(
            body,
            r#"<line x1="{left}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}" class="chart-grid"/><text x="{tx}" y="{ty:.1}" text-anchor="end" class="chart-label">{v}</text>"#,
            x2 = left + w,
            yy = y(v),
            tx = left - 4.0,
            ty = y(v) + 4.0,
        );
    }
    for (i, m) in month_labels.iter().enumerate().take(12) {
        let _ = write!(
            body,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" class="chart-label">{}</text>"#,
            x(i),
            top + h + 16.0,
            esc(m)
        );
    }
    let mut desc = String::new();
    for (k, (name, class, values)) in series.iter().enumerate() {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let _ = write!(
            body,
            r#"<polyline points="{}" class="chart-line {}"/><text x="{}" y="{}" class="chart-legend {}">{}</text>"#,
            points.join(" "),
            esc(class),
            left + 8.0 + 140.0 * k as f64,
            top + h + 34.0,
            esc(class),
            esc(name)
        );
        let _ = write!(
            desc,
            "{}：{}。",
            esc(name),
            values
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join("、")
        );
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {vw} {vh}" role="img" aria-labelledby="tm dm" class="chart chart-months"><title id="tm">{t}</title><desc id="dm">{desc}</desc>{body}</svg>"#,
        vw = left + w + 20.0,
        vh = top + h + 44.0,
        t = esc(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_every_value_is_described() {
        let svg = bars("排名<script>", &[("甲<b>", 5), ("乙", 2)]);
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("甲&lt;b&gt;：5；乙：2；"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(120), 200);
        assert_eq!(nice_max(3506), 5000);
    }

    #[test]
    fn a_month_chart_has_a_line_per_series() {
        let labels: Vec<String> = (1..=12).map(|m| format!("{m}月")).collect();
        let a = [1i64; 12];
        let b = [2i64; 12];
        let svg = months(
            "走势",
            &labels,
            &[("今年", "this", &a), ("去年", "last", &b)],
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("12月"));
    }
}
