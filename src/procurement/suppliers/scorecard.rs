//! A supplier's scorecard per evaluation period: its ratings and what the desk measured
//! (on-time deliveries, accepted quantities, price variance), weighed into a score and a
//! standing.

use super::domain::{standing, Standing};
use crate::procurement::settings::Scorecard;
use crate::service::DeskResult;
use crate::store::Conn;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The evaluation period a day falls in: its quarter, e.g. `2026-Q4`.
pub fn period_of(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), (day.month() - 1) / 3 + 1)
}

/// The first and last day of a period written as [`period_of`] writes it.
pub fn bounds(period: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (year, q) = period.split_once("-Q")?;
    let year: i32 = year.parse().ok()?;
    let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
    let first = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
    let next = if q == 4 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, q * 3 + 1, 1)?
    };
    Some((first, next.pred_opt()?))
}

/// A scorecard's parts, each on 0–100 (`None`: no data in the period), and how much data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Parts {
    pub quality: Option<f64>,
    pub delivery: Option<f64>,
    pub price: Option<f64>,
    pub service: Option<f64>,
    /// Share of receipts on time, as a percentage.
    pub on_time: Option<f64>,
    /// Accepted share of the received quantity, as a percentage.
    pub acceptance: Option<f64>,
    pub ratings: i64,
    pub receipts: i64,
    /// Price variance of the period's orders against the previous order of the same item:
    /// (PO reference, item, percent).
    #[serde(default)]
    pub price_variance: Vec<(String, String, f64)>,
}

/// A 1–5 mark's mean on 0–100 (1 → 0, 5 → 100).
pub fn scaled(mean: f64) -> f64 {
    ((mean - 1.0) / 4.0 * 100.0).clamp(0.0, 100.0)
}

/// The weighted score (0–100, rounded) of the parts that have data; `None` when none has
/// data (or all that have carry no weight).
pub fn score(p: &Parts, card: &Scorecard) -> Option<u32> {
    let parts = [
        (p.quality, card.quality),
        (p.delivery, card.delivery),
        (p.price, card.price),
        (p.service, card.service),
        (p.on_time, card.on_time),
        (p.acceptance, card.acceptance),
    ];
    let (sum, weight) = parts
        .iter()
        .filter_map(|(v, w)| v.map(|v| (v.clamp(0.0, 100.0) * *w as f64, *w as f64)))
        .fold((0.0, 0.0), |(s, t), (v, w)| (s + v, t + w));
    (weight > 0.0).then(|| (sum / weight).round().clamp(0.0, 100.0) as u32)
}

/// The percentage by which `price` differs from `previous` (positive: dearer).
pub fn variance(previous: i64, price: i64) -> Option<f64> {
    (previous > 0).then(|| ((price - previous) as f64 / previous as f64 * 1000.0).round() / 10.0)
}

/// Recomputes supplier `supplier_id`'s scorecard for `period` from the period's ratings,
/// receipts and orders, and its current score and standing, in the caller's transaction.
/// A period without ratings or receipts has no scorecard (and does not count).
pub async fn refresh(
    conn: &mut Conn,
    card: &Scorecard,
    supplier_id: i64,
    period: &str,
    now_ms: i64,
) -> DeskResult<()> {
    let Some((first, last)) = bounds(period) else {
        return Err(anyhow::anyhow!("not a period: {period}").into());
    };
    // The supplier's row lock first, as `/supplier rate` takes it before its score: one
    // order everywhere, so a rating and a receipt at once never deadlock.
    if !super::store::lock(&mut *conn, supplier_id, now_ms).await? {
        return Ok(());
    }
    let mut parts = Parts::default();
    let (n, q, d, p, s): (i64, Option<f64>, Option<f64>, Option<f64>, Option<f64>) =
        sqlx::query_as(
            "SELECT COUNT(*), AVG(CAST(quality AS DOUBLE PRECISION)), \
             AVG(CAST(delivery AS DOUBLE PRECISION)), AVG(CAST(price AS DOUBLE PRECISION)), \
             AVG(CAST(service AS DOUBLE PRECISION)) \
             FROM supplier_ratings WHERE supplier_id = $1 AND period = $2",
        )
        .bind(supplier_id)
        .bind(period)
        .fetch_one(&mut *conn)
        .await?;
    parts.ratings = n;
    if n > 0 {
        parts.quality = q.map(scaled);
        parts.delivery = d.map(scaled);
        parts.price = p.map(scaled);
        parts.service = s.map(scaled);
    }
    let (receipts, on_time, accepted, rejected): (i64, Option<i64>, Option<i64>, Option<i64>) =
        sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(CASE WHEN r.days_late <= 0 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(r.accepted) AS BIGINT), CAST(SUM(r.rejected) AS BIGINT) FROM receipts r \
             JOIN purchase_orders o ON o.id = r.po_id \
             WHERE o.supplier_id = $1 AND r.received_on >= $2 AND r.received_on <= $3",
        )
        .bind(supplier_id)
        .bind(first.to_string())
        .bind(last.to_string())
        .fetch_one(&mut *conn)
        .await?;
    parts.receipts = receipts;
    if receipts > 0 {
        parts.on_time = Some(on_time.unwrap_or(0) as f64 / receipts as f64 * 100.0);
        let (a, r) = (accepted.unwrap_or(0), rejected.unwrap_or(0));
        if a + r > 0 {
            parts.acceptance = Some(a as f64 / (a + r) as f64 * 100.0);
        }
    }
    parts.price_variance = price_variance(conn, supplier_id, first, last).await?;
    if let Some(score) = score(&parts, card) {
        let standing = standing(score, card);
        let components = serde_json::to_string(&parts).map_err(anyhow::Error::from)?;
        sqlx::query(
            "INSERT INTO supplier_scores (supplier_id, period, score, standing, components, computed_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (supplier_id, period) DO UPDATE SET \
             score = excluded.score, standing = excluded.standing, \
             components = excluded.components, computed_at = excluded.computed_at",
        )
        .bind(supplier_id)
        .bind(period)
        .bind(i64::from(score))
        .bind(standing.as_str())
        .bind(components)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }
    let latest: Option<(i64, String)> = sqlx::query_as(
        "SELECT score, standing FROM supplier_scores WHERE supplier_id = $1 \
         ORDER BY period DESC LIMIT 1",
    )
    .bind(supplier_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (score, standing) = latest.map_or((None, None), |(s, st)| (Some(s), Some(st)));
    sqlx::query("UPDATE suppliers SET score = $2, standing = $3 WHERE id = $1")
        .bind(supplier_id)
        .bind(score)
        .bind(standing)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Each order of the supplier raised in the period against the previous order (of any
/// supplier) of the same item: (PO reference, item, percent).
async fn price_variance(
    conn: &mut Conn,
    supplier_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> DeskResult<Vec<(String, String, f64)>> {
    let tz_free = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
    };
    let (Some(from), Some(to)) = (tz_free(first), tz_free(last + chrono::Days::new(1))) else {
        return Ok(vec![]);
    };
    let orders: Vec<(i64, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT o.id, o.item, o.unit_price_minor, (SELECT p.unit_price_minor FROM purchase_orders p \
         WHERE p.item = o.item AND p.id < o.id AND p.status <> 'cancelled' ORDER BY p.id DESC LIMIT 1) \
         FROM purchase_orders o WHERE o.supplier_id = $1 AND o.created_at >= $2 AND o.created_at < $3 \
         AND o.status <> 'cancelled' ORDER BY o.id",
    )
    .bind(supplier_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(orders
        .into_iter()
        .filter_map(|(id, item, price, prev)| {
            let v = variance(prev?, price)?;
            let r = crate::domain::reference::Reference {
                kind: crate::domain::reference::RefKind::PurchaseOrder,
                number: id,
            };
            Some((r.to_string(), item, v))
        })
        .collect())
}

/// The standing a stored scorecard row names (strictly decoded).
pub fn stored_standing(id: i64, text: &str) -> sqlx::Result<Standing> {
    crate::store::decode::column("supplier_scores", id, "standing", text).map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn card() -> Scorecard {
        let c: crate::config::Config = toml::from_str(crate::config::DEFAULTS).unwrap();
        c.procurement.scorecard
    }

    #[test]
    fn periods_are_quarters() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(period_of(d(1, 1)), "2026-Q1");
        assert_eq!(period_of(d(3, 31)), "2026-Q1");
        assert_eq!(period_of(d(4, 1)), "2026-Q2");
        assert_eq!(period_of(d(12, 31)), "2026-Q4");
        assert_eq!(bounds("2026-Q4"), Some((d(10, 1), d(12, 31))));
        assert_eq!(bounds("2026-Q1"), Some((d(1, 1), d(3, 31))));
        assert_eq!(bounds("2026-Q5"), None);
        assert_eq!(bounds("x"), None);
    }

    #[test]
    fn parts_without_data_are_left_out() {
        let all_ones = Parts {
            quality: Some(scaled(1.0)),
            delivery: Some(scaled(1.0)),
            price: Some(scaled(1.0)),
            service: Some(scaled(1.0)),
            ..Parts::default()
        };
        assert_eq!(score(&all_ones, &card()), Some(0));
        assert_eq!(score(&Parts::default(), &card()), None);
        // Only measured parts: 100% on time (15) and 50% accepted (15) → 75.
        let measured = Parts {
            on_time: Some(100.0),
            acceptance: Some(50.0),
            ..Parts::default()
        };
        assert_eq!(score(&measured, &card()), Some(75));
        assert_eq!(scaled(5.0), 100.0);
        assert_eq!(scaled(3.0), 50.0);
        assert_eq!(variance(100, 110), Some(10.0));
        assert_eq!(variance(0, 110), None);
    }

    proptest! {
        #[test]
        fn a_score_is_within_its_parts(q in 1.0f64..=5.0, d in 1.0f64..=5.0, o in proptest::option::of(0.0f64..=100.0)) {
            let p = Parts { quality: Some(scaled(q)), delivery: Some(scaled(d)), on_time: o, ..Parts::default() };
            let s = score(&p, &card()).unwrap() as f64;
            let vals: Vec<f64> = [p.quality, p.delivery, p.on_time].into_iter().flatten().collect();
            let lo = vals.iter().cloned().fold(f64::MAX, f64::min).floor();
            let hi = vals.iter().cloned().fold(f64::MIN, f64::max).ceil();
            prop_assert!(s >= lo && s <= hi);
        }
    }
}
