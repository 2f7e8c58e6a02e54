use super::*;
use crate::finance::settings::{ControlTable, Settings, StageControls};

fn settings(year: Control, quarter: Control, month: Control) -> Settings {
    let row = |c| StageControls {
        requisition: c,
        purchase_order: c,
        payment: c,
        expense: c,
    };
    Settings {
        default_category: "other".into(),
        alert_percents: vec![80, 100],
        remind_days_before: 3,
        control: ControlTable {
            year: row(year),
            quarter: row(quarter),
            month: row(month),
        },
    }
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, d).unwrap()
}

#[test]
fn periods_and_the_months_they_cover() {
    assert_eq!(period_of(Level::Year, day(5, 3)), "2027");
    assert_eq!(period_of(Level::Quarter, day(5, 3)), "2027-Q2");
    assert_eq!(period_of(Level::Month, day(5, 3)), "2027-05");
    assert_eq!(months_of("2027").len(), 12);
    assert_eq!(months_of("2027-Q2"), [4, 5, 6]);
    assert_eq!(months_of("2027-05"), [5]);
    assert!(months_of("2027-Q5").is_empty());
    assert!(months_of("2027-13").is_empty());
}

#[test]
fn a_coarse_line_is_spread_evenly_a_cent_more_in_its_first_months() {
    let year = [("2027".to_string(), 100_000)];
    let all: Vec<u32> = (1..=12).collect();
    assert_eq!(allocated_in(&year, &all), 100_000);
    // 100,000 = 12 × 8,333 + 4: January to April get one more.
    assert_eq!(allocated_in(&year, &[1]), 8_334);
    assert_eq!(allocated_in(&year, &[4]), 8_334);
    assert_eq!(allocated_in(&year, &[5]), 8_333);
    assert_eq!(allocated_in(&year, &[12]), 8_333);
    let quarters = [
        ("2027-Q1".to_string(), 30_000),
        ("2027-Q2".to_string(), 9_000),
    ];
    assert_eq!(allocated_in(&quarters, &[4, 5, 6]), 9_000);
    assert_eq!(allocated_in(&quarters, &[2]), 10_000);
    assert_eq!(allocated_in(&quarters, &all), 39_000);
}

#[test]
fn a_stop_wins_over_warnings_and_a_warning_names_each_period_over() {
    let s = settings(Control::Stop, Control::Off, Control::Warn);
    let lines = [("2027".to_string(), 12_000)];
    let mut used = [0i64; 12];
    used[4] = 900;
    // 200 more in May: within the year (12,000), over May's 1,000.
    let c = compare(&s, Stage::Requisition, day(5, 3), &lines, &used, 200);
    assert_eq!(c.len(), 2, "quarter is off");
    match verdict(&c) {
        Verdict::Warn(w) => {
            assert_eq!(w.len(), 1);
            assert_eq!(w[0].period, "2027-05");
            assert_eq!(w[0].available(), 100);
            assert_eq!(w[0].after(), -100);
        }
        v => panic!("{v:?}"),
    }
    // 11,200 more: over the year as well; the year's stop decides.
    let c = compare(&s, Stage::Requisition, day(5, 3), &lines, &used, 11_200);
    assert!(matches!(verdict(&c), Verdict::Stop(y) if y.level == Level::Year));
    // Exactly what is left passes.
    let c = compare(&s, Stage::Requisition, day(5, 3), &lines, &used, 100);
    assert_eq!(verdict(&c), Verdict::Pass);
    // Nothing added (a PO cheaper than its requisition) never overruns.
    let c = compare(&s, Stage::Requisition, day(5, 3), &lines, &[99_999; 12], 0);
    assert_eq!(verdict(&c), Verdict::Pass);
    // Off everywhere: nothing compared.
    let off = settings(Control::Off, Control::Off, Control::Off);
    assert!(compare(&off, Stage::Payment, day(5, 3), &lines, &used, 100_0000).is_empty());
}

#[test]
fn a_document_is_in_one_column_by_its_state() {
    use crate::approval::domain::ApprovalStatus as A;
    use crate::finance::expenses::domain::ExpenseStatus as E;
    assert_eq!(requisition(A::Pending, 500, 500).requested, 500);
    assert_eq!(
        requisition(A::Approved, 500, 200),
        Split {
            committed: 200,
            ..Split::default()
        }
    );
    for gone in [A::Rejected, A::Withdrawn, A::ChangesRequested] {
        assert!(requisition(gone, 500, 500).is_zero(), "{gone:?}");
    }
    assert_eq!(purchase_order(true, 700, 300).committed, 400);
    assert!(purchase_order(false, 700, 0).is_zero());
    assert_eq!(
        purchase_order(true, 700, 900).committed,
        0,
        "overpaid: nothing committed"
    );
    assert_eq!(payment(250).spent, 250);
    assert_eq!(expense(E::Pending, 80, 0).requested, 80);
    let part = expense(E::Approved, 80, 30);
    assert_eq!((part.committed, part.spent, part.total()), (50, 30, 80));
    assert!(expense(E::Rejected, 80, 0).is_zero());
}

#[test]
fn notices_are_due_at_each_level_reached() {
    assert_eq!(reached(&[80, 100], 1_000, 799), Vec::<u32>::new());
    assert_eq!(reached(&[80, 100], 1_000, 800), [80]);
    assert_eq!(reached(&[80, 100], 1_000, 1_200), [80, 100]);
    assert!(
        reached(&[80, 100], 0, 1_200).is_empty(),
        "no allocation: no notice"
    );
}

#[test]
fn figures_add_up() {
    let f = Figures {
        allocated: 1_000,
        requested: 100,
        committed: 200,
        spent: 300,
    };
    assert_eq!(f.used(), 600);
    assert_eq!(f.available(), 400);
    assert_eq!(f.variance(), -700);
    assert_eq!(f.percent_used(), Some(60));
}
