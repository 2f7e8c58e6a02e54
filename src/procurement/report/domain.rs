//! The procurement report's arithmetic, with no I/O: spend grouped by supplier, category and
//! department; cycle times (median, p90) between the steps of a purchase order; price variance
//! against the previous order of the same item; suppliers' on-time and acceptance rates; and
//! payables split into due and overdue.

use crate::domain::money::Currency;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Amounts per currency (minor units); several currencies are never added together.
pub type Sums = BTreeMap<Currency, i64>;

/// One amount that counts as spend: a purchase order sent in the period (ordered) or a supplier
/// payment recorded as paid in the period (paid), with what it is grouped by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendLine {
    pub supplier_id: i64,
    pub supplier: String,
    /// The purchase category code, if the requisition had one.
    pub category: Option<String>,
    pub department: String,
    pub currency: Currency,
    pub minor: i64,
    /// Paid (a supplier payment) rather than ordered (a purchase order).
    pub paid: bool,
}

/// One group's ordered and paid sums.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spend {
    pub ordered: Sums,
    pub paid: Sums,
    /// How many purchase orders it ordered.
    pub orders: usize,
}

impl Spend {
    fn add(&mut self, l: &SpendLine) {
        let side = if l.paid {
            &mut self.paid
        } else {
            self.orders += 1;
            &mut self.ordered
        };
        *side.entry(l.currency).or_default() += l.minor;
    }
}

/// Spend in total and by supplier (id, name), category (code; `None`: none given) and
/// department (code), each group list largest ordered first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpendReport {
    pub total: Spend,
    pub by_supplier: Vec<((i64, String), Spend)>,
    pub by_category: Vec<(Option<String>, Spend)>,
    pub by_department: Vec<(String, Spend)>,
}

fn ranked<K: Ord + Clone>(m: BTreeMap<K, Spend>) -> Vec<(K, Spend)> {
    let mut v: Vec<(K, Spend)> = m.into_iter().collect();
    let size = |s: &Spend| s.ordered.values().sum::<i64>() + s.paid.values().sum::<i64>();
    v.sort_by(|a, b| size(&b.1).cmp(&size(&a.1)).then(a.0.cmp(&b.0)));
    v
}

/// Groups `lines` by supplier, category and department.
pub fn spend(lines: &[SpendLine]) -> SpendReport {
    let mut total = Spend::default();
    let mut sup: BTreeMap<(i64, String), Spend> = BTreeMap::new();
    let mut cat: BTreeMap<Option<String>, Spend> = BTreeMap::new();
    let mut dept: BTreeMap<String, Spend> = BTreeMap::new();
    for l in lines {
        total.add(l);
        sup.entry((l.supplier_id, l.supplier.clone()))
            .or_default()
            .add(l);
        cat.entry(l.category.clone()).or_default().add(l);
        dept.entry(l.department.clone()).or_default().add(l);
    }
    SpendReport {
        total,
        by_supplier: ranked(sup),
        by_category: ranked(cat),
        by_department: ranked(dept),
    }
}

/// The value at percentile `p` (nearest rank) of `sorted`.
pub fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// How long a step took over the orders that made it: how many, median and p90 (ms).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepTime {
    pub count: usize,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

/// The median and p90 of `durations` (ms; negative ones, steps recorded out of order, count
/// as zero).
pub fn step_time(durations: &[i64]) -> StepTime {
    let mut v: Vec<i64> = durations.iter().map(|d| (*d).max(0)).collect();
    v.sort_unstable();
    StepTime {
        count: v.len(),
        median: percentile(&v, 50),
        p90: percentile(&v, 90),
    }
}

/// When a purchase order's steps happened (ms), as far as it got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Milestones {
    /// Its requisition's approval round closed as approved.
    pub approved: Option<i64>,
    pub sent: Option<i64>,
    /// The receipt that brought what was received (accepted and rejected) to the quantity.
    pub received: Option<i64>,
    /// The last payment recorded as paid, once no request is still open.
    pub paid: Option<i64>,
}

/// A receipt as the cycle times need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptStep {
    pub accepted: i64,
    pub rejected: i64,
    pub recorded_at: i64,
}

/// When everything ordered had been received: the receipt whose accepted and rejected
/// quantities, with the earlier ones, reach `quantity` (receipts in any order).
pub fn fully_received_at(quantity: i64, receipts: &[ReceiptStep]) -> Option<i64> {
    let mut r = receipts.to_vec();
    r.sort_by_key(|r| r.recorded_at);
    let mut got = 0i64;
    for x in r {
        got = got.saturating_add(x.accepted.saturating_add(x.rejected));
        if got >= quantity {
            return Some(x.recorded_at);
        }
    }
    None
}

/// A supplier payment's state as the cycle times need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentStep {
    /// Recorded as paid.
    pub paid: bool,
    /// Still on its way (pending, exception, held, queried, approved): the order is not paid.
    pub open: bool,
    /// When it was last changed (for a paid one: when it was recorded as paid).
    pub updated_at: i64,
}

/// When the order was paid: the last paid payment, if some payment was paid and none is open.
pub fn paid_at(payments: &[PaymentStep]) -> Option<i64> {
    if payments.iter().any(|p| p.open) {
        return None;
    }
    payments
        .iter()
        .filter(|p| p.paid)
        .map(|p| p.updated_at)
        .max()
}

/// Cycle times per step: requisition approved → sent, sent → received, received → paid, and
/// the whole way (approved → paid).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cycle {
    pub approve_to_send: StepTime,
    pub send_to_receive: StepTime,
    pub receive_to_pay: StepTime,
    pub approve_to_pay: StepTime,
}

/// The cycle times of `orders`.
pub fn cycle(orders: &[Milestones]) -> Cycle {
    let step = |f: fn(&Milestones) -> Option<(i64, i64)>| {
        let d: Vec<i64> = orders.iter().filter_map(f).map(|(a, b)| b - a).collect();
        step_time(&d)
    };
    Cycle {
        approve_to_send: step(|m| m.approved.zip(m.sent)),
        send_to_receive: step(|m| m.sent.zip(m.received)),
        receive_to_pay: step(|m| m.received.zip(m.paid)),
        approve_to_pay: step(|m| m.approved.zip(m.paid)),
    }
}

/// A purchase order's price, for the variance against the previous order of the same item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    pub po_id: i64,
    pub item: String,
    pub unit_price_minor: i64,
    pub currency: Currency,
    pub sent_at: i64,
}

/// One order's unit price against the previous order of the same item (any supplier, same
/// currency): the change in basis points (1/100 of a percent) of the previous price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variance {
    pub po_id: i64,
    pub previous_po_id: i64,
    pub item: String,
    pub currency: Currency,
    pub previous_minor: i64,
    pub unit_price_minor: i64,
    pub basis_points: i64,
}

/// Items compare case-insensitively, spaces trimmed.
fn same_item(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The variance of each of `orders` against the latest earlier order (by sending time, then
/// number) in `history` of the same item and currency; orders with none are left out, as are
/// previous prices of zero.
pub fn variances(orders: &[Price], history: &[Price]) -> Vec<Variance> {
    let key = |p: &Price| (p.sent_at, p.po_id);
    orders
        .iter()
        .filter_map(|o| {
            let prev = history
                .iter()
                .filter(|h| {
                    key(h) < key(o) && h.currency == o.currency && same_item(&h.item, &o.item)
                })
                .max_by_key(|h| key(h))?;
            (prev.unit_price_minor > 0).then(|| Variance {
                po_id: o.po_id,
                previous_po_id: prev.po_id,
                item: o.item.clone(),
                currency: o.currency,
                previous_minor: prev.unit_price_minor,
                unit_price_minor: o.unit_price_minor,
                basis_points: ((o.unit_price_minor as i128 - prev.unit_price_minor as i128)
                    * 10_000
                    / prev.unit_price_minor as i128) as i64,
            })
        })
        .collect()
}

/// The average variance (basis points) and the largest one (by size, either way).
pub fn variance_summary(v: &[Variance]) -> (Option<i64>, Option<&Variance>) {
    if v.is_empty() {
        return (None, None);
    }
    let avg = v.iter().map(|x| x.basis_points).sum::<i64>() / v.len() as i64;
    let largest = v
        .iter()
        .max_by_key(|x| (x.basis_points.unsigned_abs(), std::cmp::Reverse(x.po_id)));
    (Some(avg), largest)
}

/// A receipt as the supplier rates need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub supplier_id: i64,
    pub supplier: String,
    pub accepted: i64,
    pub rejected: i64,
    pub days_late: i64,
}

/// A supplier's deliveries in the period: receipts, how many on time, and quantities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplierRates {
    pub supplier_id: i64,
    pub supplier: String,
    pub receipts: usize,
    pub on_time: usize,
    pub accepted: i64,
    pub received: i64,
}

impl SupplierRates {
    /// Receipts on time out of all (0–1).
    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.on_time as i64, self.receipts as i64)
    }

    /// Accepted quantity out of what was received (0–1).
    pub fn acceptance_rate(&self) -> Option<f64> {
        rate(self.accepted, self.received)
    }
}

/// `part / whole`, kept within 0–1; `None` when there is nothing to divide.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part.max(0) as f64 / whole as f64).clamp(0.0, 1.0))
}

/// A rate as a whole percentage, rounded.
pub fn percent(rate: Option<f64>) -> Option<i64> {
    rate.map(|r| (r * 100.0).round() as i64)
}

/// Each supplier's rates (by supplier id), and everyone's together.
pub fn supplier_rates(deliveries: &[Delivery]) -> (Vec<SupplierRates>, SupplierRates) {
    let mut m: BTreeMap<i64, SupplierRates> = BTreeMap::new();
    let mut all = SupplierRates::default();
    for d in deliveries {
        let s = m.entry(d.supplier_id).or_insert_with(|| SupplierRates {
            supplier_id: d.supplier_id,
            supplier: d.supplier.clone(),
            ..SupplierRates::default()
        });
        for s in [s, &mut all] {
            s.receipts += 1;
            s.on_time += usize::from(d.days_late <= 0);
            s.accepted += d.accepted.max(0);
            s.received += d.accepted.max(0) + d.rejected.max(0);
        }
    }
    (m.into_values().collect(), all)
}

/// A supplier payment approved and not yet paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payable {
    pub payment_id: i64,
    pub po_id: i64,
    pub supplier: String,
    pub currency: Currency,
    pub minor: i64,
    pub due_on: Option<NaiveDate>,
}

/// Payables split into overdue (due before `today`, oldest first) and due (the rest, soonest
/// first, undated last), with the sums of each.
pub fn payables(rows: &[Payable], today: NaiveDate) -> (Vec<Payable>, Sums, Vec<Payable>, Sums) {
    let (mut overdue, mut due): (Vec<Payable>, Vec<Payable>) = rows
        .iter()
        .cloned()
        .partition(|p| p.due_on.is_some_and(|d| d < today));
    let order = |p: &Payable| (p.due_on.is_none(), p.due_on, p.payment_id);
    overdue.sort_by_key(order);
    due.sort_by_key(order);
    let sum = |v: &[Payable]| {
        let mut s = Sums::new();
        for p in v {
            *s.entry(p.currency).or_default() += p.minor;
        }
        s
    };
    let (so, sd) = (sum(&overdue), sum(&due));
    (overdue, so, due, sd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cny() -> Currency {
        Currency::new("CNY").unwrap()
    }

    fn line(sup: i64, cat: Option<&str>, dept: &str, minor: i64, paid: bool) -> SpendLine {
        SpendLine {
            supplier_id: sup,
            supplier: format!("S{sup}"),
            category: cat.map(str::to_string),
            department: dept.into(),
            currency: cny(),
            minor,
            paid,
        }
    }

    #[test]
    fn spend_is_grouped_three_ways() {
        let r = spend(&[
            line(1, Some("it"), "SAL", 100, false),
            line(2, Some("it"), "PUR", 300, false),
            line(1, None, "SAL", 50, true),
        ]);
        assert_eq!(r.total.ordered[&cny()], 400);
        assert_eq!(r.total.paid[&cny()], 50);
        assert_eq!(r.total.orders, 2);
        assert_eq!(r.by_supplier[0].0 .0, 2, "largest first");
        assert_eq!(r.by_category.len(), 2);
        assert_eq!(r.by_department[1].1.paid[&cny()], 50);
    }

    #[test]
    fn cycle_steps_and_percentiles() {
        let ms = |h: i64| h * 3_600_000;
        let orders: Vec<Milestones> = (1..=10)
            .map(|h| Milestones {
                approved: Some(0),
                sent: Some(ms(h)),
                received: (h <= 5).then(|| ms(h + 24)),
                paid: None,
            })
            .collect();
        let c = cycle(&orders);
        assert_eq!(c.approve_to_send.count, 10);
        assert_eq!(c.approve_to_send.median, Some(ms(5)));
        assert_eq!(c.approve_to_send.p90, Some(ms(9)));
        assert_eq!(c.send_to_receive.count, 5);
        assert_eq!(c.send_to_receive.median, Some(ms(24)));
        assert_eq!(c.receive_to_pay, StepTime::default());
    }

    #[test]
    fn received_in_full_and_paid() {
        let r = |a, rj, at| ReceiptStep {
            accepted: a,
            rejected: rj,
            recorded_at: at,
        };
        assert_eq!(fully_received_at(10, &[r(5, 0, 2), r(3, 2, 9)]), Some(9));
        assert_eq!(fully_received_at(10, &[r(5, 0, 2)]), None);
        let p = |paid, open, at| PaymentStep {
            paid,
            open,
            updated_at: at,
        };
        assert_eq!(paid_at(&[p(true, false, 3), p(true, false, 7)]), Some(7));
        assert_eq!(paid_at(&[p(true, false, 3), p(false, true, 7)]), None);
        assert_eq!(paid_at(&[p(false, false, 3)]), None, "rejected only");
    }

    #[test]
    fn variance_against_the_previous_order_of_the_item() {
        let p = |id, item: &str, price, at| Price {
            po_id: id,
            item: item.into(),
            unit_price_minor: price,
            currency: cny(),
            sent_at: at,
        };
        let history = vec![
            p(1, "Chair", 1000, 1),
            p(2, "chair ", 1200, 2),
            p(3, "Desk", 500, 3),
        ];
        let orders = vec![
            p(4, "Chair", 900, 10),
            p(5, "Desk", 600, 11),
            p(6, "Lamp", 9, 12),
        ];
        let mut all = history.clone();
        all.extend(orders.clone());
        let v = variances(&orders, &all);
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].previous_po_id, v[0].basis_points), (2, -2500));
        assert_eq!((v[1].previous_po_id, v[1].basis_points), (3, 2000));
        let (avg, largest) = variance_summary(&v);
        assert_eq!(avg, Some(-250));
        assert_eq!(largest.unwrap().po_id, 4);
    }

    #[test]
    fn payables_due_and_overdue() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let p = |id, minor, due| Payable {
            payment_id: id,
            po_id: id,
            supplier: "S".into(),
            currency: cny(),
            minor,
            due_on: due,
        };
        let (late, ls, due, ds) = payables(
            &[
                p(1, 10, Some(day(5))),
                p(2, 20, None),
                p(3, 30, Some(day(6))),
            ],
            day(6),
        );
        assert_eq!(late.iter().map(|p| p.payment_id).collect::<Vec<_>>(), [1]);
        assert_eq!(due.iter().map(|p| p.payment_id).collect::<Vec<_>>(), [3, 2]);
        assert_eq!((ls[&cny()], ds[&cny()]), (10, 50));
    }

    proptest! {
        #[test]
        fn groups_add_up_and_rates_stay_in_range(
            lines in prop::collection::vec((1i64..4, 0usize..3, 0usize..3, 0i64..1_000_000, any::<bool>()), 0..30),
            durations in prop::collection::vec(-1_000i64..10_000_000, 0..30),
            deliveries in prop::collection::vec((1i64..4, 0i64..100, 0i64..100, 0i64..5), 0..30),
        ) {
            let cats = [None, Some("it"), Some("office")];
            let depts = ["SAL", "PUR", "FIN"];
            let lines: Vec<SpendLine> = lines
                .iter()
                .map(|(s, c, d, m, paid)| line(*s, cats[*c], depts[*d], *m, *paid))
                .collect();
            let r = spend(&lines);
            for side in [|s: &Spend| s.ordered.clone(), |s: &Spend| s.paid.clone()] {
                let total = side(&r.total).get(&cny()).copied().unwrap_or(0);
                let sum = |v: Vec<Sums>| v.iter().map(|m| m.get(&cny()).copied().unwrap_or(0)).sum::<i64>();
                prop_assert_eq!(sum(r.by_supplier.iter().map(|g| side(&g.1)).collect()), total);
                prop_assert_eq!(sum(r.by_category.iter().map(|g| side(&g.1)).collect()), total);
                prop_assert_eq!(sum(r.by_department.iter().map(|g| side(&g.1)).collect()), total);
            }
            let t = step_time(&durations);
            prop_assert_eq!(t.count, durations.len());
            if let (Some(m), Some(p)) = (t.median, t.p90) {
                prop_assert!(0 <= m && m <= p);
            }
            let d: Vec<Delivery> = deliveries
                .iter()
                .map(|(s, a, r, late)| Delivery { supplier_id: *s, supplier: String::new(), accepted: *a, rejected: *r, days_late: *late })
                .collect();
            let (each, all) = supplier_rates(&d);
            prop_assert_eq!(each.iter().map(|s| s.receipts).sum::<usize>(), d.len());
            for s in each.iter().chain([&all]) {
                for r in [s.on_time_rate(), s.acceptance_rate()].into_iter().flatten() {
                    prop_assert!((0.0..=1.0).contains(&r));
                }
            }
        }
    }
}
