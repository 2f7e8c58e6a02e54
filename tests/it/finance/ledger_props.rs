//! A property of the ledger over random lives of documents: whatever sequence of submit,
//! approve, reject, withdraw, order, reject or cancel a PO, and pay (in part or in full)
//! happens, the ledger's columns equal what an independent model of the documents says, and
//! no requisition is ever in two columns at once.

use super::ledger::{budget_in_force, columns};
use crate::common::{spawn_desk_with, TestDesk};
use bizdesk::finance::settings::Control;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone)]
enum Op {
    Submit { qty: i64, price: i64 },
    Approve(Index),
    Reject(Index),
    Withdraw(Index),
    Order { req: Index, qty: i64, percent: i64 },
    Unorder(Index),
    Pay { po: Index, part: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1..=4i64, 1..=20i64).prop_map(|(qty, p)| Op::Submit { qty, price: p * 100 }),
        3 => any::<Index>().prop_map(Op::Approve),
        1 => any::<Index>().prop_map(Op::Reject),
        1 => any::<Index>().prop_map(Op::Withdraw),
        3 => (any::<Index>(), 1..=4i64, 80..=120i64)
            .prop_map(|(req, qty, percent)| Op::Order { req, qty, percent }),
        1 => any::<Index>().prop_map(Op::Unorder),
        3 => (any::<Index>(), any::<bool>()).prop_map(|(po, part)| Op::Pay { po, part }),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ReqState {
    Pending,
    Approved,
    Gone,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum PoState {
    InReview,
    Sent,
    Received,
    Gone,
}

struct Req {
    r: String,
    qty: i64,
    price: i64,
    state: ReqState,
}

struct Po {
    r: String,
    req: usize,
    qty: i64,
    total: i64,
    state: PoState,
    paid: i64,
    payment: Option<String>,
}

#[derive(Default)]
struct Model {
    reqs: Vec<Req>,
    pos: Vec<Po>,
}

impl Model {
    /// requested, committed, spent in minor units.
    fn columns(&self) -> (i64, i64, i64) {
        let mut requested = 0;
        let mut committed = 0;
        let mut spent = 0;
        for (i, r) in self.reqs.iter().enumerate() {
            match r.state {
                ReqState::Pending => requested += r.qty * r.price * 100,
                ReqState::Approved => {
                    let ordered: i64 = self
                        .pos
                        .iter()
                        .filter(|p| p.req == i && p.state != PoState::Gone)
                        .map(|p| p.qty)
                        .sum();
                    committed += (r.qty - ordered).max(0) * r.price * 100;
                }
                ReqState::Gone => {}
            }
        }
        for p in &self.pos {
            if p.state != PoState::Gone {
                committed += (p.total - p.paid).max(0);
            }
            spent += p.paid;
        }
        (requested, committed, spent)
    }
}

async fn must(d: &TestDesk, who: &str, line: &str) -> String {
    let r = d.run(who, line).await;
    assert!(r.ok, "{who}: {line}\n  refused: {}", r.text);
    r.reference.map(|r| r.to_string()).unwrap_or_default()
}

async fn step(d: &TestDesk, m: &mut Model, op: &Op, sup: &str) {
    let pick = |i: &Index, n: usize| (n > 0).then(|| i.index(n));
    match op {
        Op::Submit { qty, price } => {
            let line = format!(
                "/requisition new item:Part quantity:{qty} unit_price:{price} reason:x category:it"
            );
            let r = must(d, "tom.baker", &line).await;
            m.reqs.push(Req {
                r,
                qty: *qty,
                price: *price,
                state: ReqState::Pending,
            });
        }
        Op::Approve(i) | Op::Reject(i) | Op::Withdraw(i) => {
            let Some(k) = pick(i, m.reqs.len()) else {
                return;
            };
            if m.reqs[k].state != ReqState::Pending {
                return;
            }
            let r = m.reqs[k].r.clone();
            match op {
                Op::Approve(_) => {
                    must(d, "wang.fang", &format!("/approval approve ref:{r}")).await;
                    must(d, "chen.jie", &format!("/approval approve ref:{r}")).await;
                    m.reqs[k].state = ReqState::Approved;
                }
                Op::Reject(_) => {
                    must(
                        d,
                        "wang.fang",
                        &format!("/approval reject ref:{r} comment:no"),
                    )
                    .await;
                    m.reqs[k].state = ReqState::Gone;
                }
                _ => {
                    must(d, "tom.baker", &format!("/requisition withdraw ref:{r}")).await;
                    m.reqs[k].state = ReqState::Gone;
                }
            }
        }
        Op::Order { req, qty, percent } => {
            let Some(k) = pick(req, m.reqs.len()) else {
                return;
            };
            if m.reqs[k].state != ReqState::Approved {
                return;
            }
            let ordered: i64 = m
                .pos
                .iter()
                .filter(|p| p.req == k && p.state != PoState::Gone)
                .map(|p| p.qty)
                .sum();
            let qty = (*qty).min(m.reqs[k].qty - ordered);
            if qty < 1 {
                return;
            }
            let unit = m.reqs[k].price * percent; // minor units
            let line = format!(
                "/po new requisition:{} supplier:{sup} quantity:{qty} unit_price:{}.{:02}",
                m.reqs[k].r,
                unit / 100,
                unit % 100
            );
            let r = must(d, "huang.lei", &line).await;
            m.pos.push(Po {
                r,
                req: k,
                qty,
                total: qty * unit,
                state: PoState::InReview,
                paid: 0,
                payment: None,
            });
        }
        Op::Unorder(i) => {
            let Some(k) = pick(i, m.pos.len()) else {
                return;
            };
            let r = m.pos[k].r.clone();
            match m.pos[k].state {
                PoState::InReview => {
                    must(
                        d,
                        "chen.jie",
                        &format!("/approval reject ref:{r} comment:no"),
                    )
                    .await;
                }
                PoState::Sent => {
                    must(d, "huang.lei", &format!("/po cancel ref:{r} reason:no")).await;
                }
                _ => return,
            }
            m.pos[k].state = PoState::Gone;
        }
        Op::Pay { po, part } => {
            let Some(k) = pick(po, m.pos.len()) else {
                return;
            };
            let p = &m.pos[k];
            if p.state == PoState::Gone || p.paid >= p.total {
                return;
            }
            let r = p.r.clone();
            if p.state == PoState::InReview {
                must(d, "chen.jie", &format!("/approval approve ref:{r}")).await;
                m.pos[k].state = PoState::Sent;
            }
            if m.pos[k].state == PoState::Sent {
                let qty = m.pos[k].qty;
                must(
                    d,
                    "tom.baker",
                    &format!("/receipt new po:{r} accepted:{qty}"),
                )
                .await;
                m.pos[k].state = PoState::Received;
            }
            let total = m.pos[k].total;
            let pay = match m.pos[k].payment.clone() {
                Some(pay) => pay,
                None => {
                    let line = format!(
                        "/payment request po:{r} invoice:INV-{k} amount:{}.{:02}",
                        total / 100,
                        total % 100
                    );
                    let pay = must(d, "huang.lei", &line).await;
                    must(d, "zhao.min", &format!("/approval approve ref:{pay}")).await;
                    m.pos[k].payment = Some(pay.clone());
                    pay
                }
            };
            let rest = total - m.pos[k].paid;
            let amount = if *part && rest >= 2 { rest / 2 } else { rest };
            let line = format!(
                "/payment paid ref:{pay} amount:{}.{:02}",
                amount / 100,
                amount % 100
            );
            must(d, "zhao.min", &line).await;
            m.pos[k].paid += amount;
        }
    }
}

async fn one_life(ops: Vec<Op>) {
    let d = spawn_desk_with(|c| {
        c.budget.control.month.requisition = Control::Off;
        c.budget.control.month.purchase_order = Control::Off;
        c.budget.control.month.payment = Control::Off;
    })
    .await;
    budget_in_force(&d, &[("SAL", "it", "2026", 10_000_000)]).await;
    let sup =
        crate::procurement::orders::supplier(&d, "Parts Co", "p@example.test", "qualified", None)
            .await;
    let mut m = Model::default();
    for op in &ops {
        step(&d, &mut m, op, &sup).await;
        assert_eq!(columns(&d).await, m.columns(), "after {op:?} of {ops:?}");
        let split = d
            .count(
                "SELECT COUNT(*) FROM budget_positions WHERE doc LIKE 'REQ-%' AND \
                 ((requested_minor <> 0 AND committed_minor <> 0) OR spent_minor <> 0)",
            )
            .await;
        assert_eq!(split, 0, "a requisition in two columns after {op:?}");
    }
}

#[test]
fn the_ledger_always_equals_the_documents_amounts() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cases = std::env::var("BIZDESK_LEDGER_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 64,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(op(), 8..30), |ops| {
        rt.block_on(one_life(ops));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
