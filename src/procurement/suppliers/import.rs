//! `bizdesk suppliers import FILE.csv --as HANDLE`: as the customer import, good rows are
//! added in one transaction; each bad row is reported with its line and reasons and nothing
//! of it is written; a header the importer cannot read refuses the whole file.

use super::service::{check, duplicate, Fields};
use super::store::{self as rows, Supplier};
use crate::access;
use crate::domain::directory::Employee;
use crate::domain::Msg;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit};

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// (line, supplier) for each row added.
    pub added: Vec<(usize, Supplier)>,
    /// (line, problems) for each row left out.
    pub refused: Vec<(usize, Vec<Msg>)>,
}

const COLUMNS: [(&str, &str); 6] = [
    ("name", "名称"),
    ("company", "公司"),
    ("email", "邮箱"),
    ("phone", "电话"),
    ("categories", "类别"),
    ("locale", "语言"),
];

/// Imports suppliers (candidates owned by `actor`) from a CSV file's bytes (UTF-8, with or
/// without a byte-order mark) with a header row `name,company,email,phone,categories,locale`
/// in any order, English or Chinese; `name` and `email` are required. Categories within a
/// field are separated by `;` or `、` (or a quoted `,`).
pub async fn import(
    desk: &Desk,
    actor: &Employee,
    csv: impl AsRef<[u8]>,
) -> DeskResult<ImportReport> {
    access::require(actor, "supplier.add")?;
    let text = crate::service_desk::customers::domain::csv_text(csv.as_ref())?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Msg::new("customer.csv_unreadable").arg("reason", e.to_string()))?
        .clone();
    let mut index = [None; 6];
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_lowercase();
        match COLUMNS.iter().position(|(en, zh)| h == *en || h == *zh) {
            Some(c) => index[c] = Some(i),
            None => {
                let names: Vec<&str> = COLUMNS.iter().map(|(en, _)| *en).collect();
                return Err(Msg::new("supplier.csv_unknown_column")
                    .arg("column", h)
                    .arg("columns", names.join(","))
                    .into());
            }
        }
    }
    if index[0].is_none() || index[2].is_none() {
        return Err(Msg::new("supplier.csv_columns").into());
    }
    let mut report = ImportReport::default();
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    let mut seen: Vec<String> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                report.refused.push((
                    line,
                    vec![Msg::new("customer.csv_bad_row").arg("reason", e.to_string())],
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if record.len() > headers.len() {
            report.refused.push((
                line,
                vec![Msg::new("customer.csv_extra_fields")
                    .arg("n", record.len())
                    .arg("expected", headers.len())],
            ));
            continue;
        }
        let field = |c: usize| index[c].and_then(|i| record.get(i));
        let fields = Fields {
            name: None,
            company: field(1),
            email: field(2),
            phone: field(3),
            categories: field(4),
            locale: field(5),
        };
        let input = match check(desk, field(0).unwrap_or(""), &fields) {
            Ok(i) => i,
            Err(problems) => {
                report.refused.push((line, problems));
                continue;
            }
        };
        if seen.contains(&input.email) {
            report.refused.push((
                line,
                vec![Msg::new("customer.csv_repeated_email").arg("email", &input.email)],
            ));
            continue;
        }
        match rows::insert(&mut tx, &input, actor.id, now).await? {
            Some(s) => {
                seen.push(input.email.clone());
                report.added.push((line, s));
            }
            None => report
                .refused
                .push((line, vec![duplicate(&mut tx, &input.email).await?])),
        }
    }
    if !report.added.is_empty() {
        let e = audit_event(
            desk.now(),
            &actor.handle,
            None,
            "supplier.import",
            "suppliers",
            format!(
                "{} added, {} rows refused",
                report.added.len(),
                report.refused.len()
            ),
        );
        audit::append(&mut tx, &desk.keys.audit, e).await?;
    }
    tx.commit().await?;
    Ok(report)
}
