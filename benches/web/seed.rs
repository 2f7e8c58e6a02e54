//! Seeding the web benchmark's desk: rounds the engine made, cloned in bulk.

use crate::common::{self, TestDesk};
use std::collections::HashMap;

/// The benchmarked approver and their inbox size.
pub(crate) const APPROVER: &str = "wang.fang";
pub(crate) const APPROVER_INBOX: usize = 150;
/// Who opens the dashboard.
pub(crate) const DASH_VIEWER: &str = "chen.jie";

/// Requesters (not heads) and their department heads, who decide the first stage.
pub(crate) const TEAMS: [(&str, &str); 5] = [
    ("li.na", "wang.fang"),
    ("tom.baker", "wang.fang"),
    ("huang.lei", "zhou.qiang"),
    ("xu.jing", "emily.chen"),
    ("grace.lin", "zhao.min"),
];

pub(crate) const HOUR: i64 = 3_600_000;
pub(crate) const DAY: i64 = 24 * HOUR;

/// A round the engine made, read back to be cloned.
pub(crate) struct Template {
    approval: Vec<Option<String>>,
    stages: Vec<Vec<Option<String>>>,
    tasks: Vec<Vec<Option<String>>>,
    requisition: Vec<Option<String>>,
    /// Employee ids of li.na and wang.fang, substituted in clones.
    requester: i64,
    head: i64,
}

pub(crate) const APPROVAL_COLS: &str =
    "subject_kind, policy, snapshot, status, current_stage, version";
pub(crate) const STAGE_COLS: &str = "idx, name, name_zh, mode, required, approvers, status, \
    remind_after_s, escalate_after_s, escalate_to, started_at, closed_at";
pub(crate) const TASK_COLS: &str = "stage_id, assignee_id, status, decided_by, comment, decided_at";
pub(crate) const REQ_COLS: &str =
    "department_code, item, spec, quantity, unit_price_minor, total_minor, \
    currency, needed_by, reason, category, status, round";

/// Reads `cols` of the rows `filter` selects as text (NULL as None), in id order.
pub(crate) async fn rows(
    d: &TestDesk,
    table: &str,
    cols: &str,
    filter: &str,
) -> Vec<Vec<Option<String>>> {
    use sqlx::Row;
    let n = cols.split(',').count();
    let casts: Vec<String> = cols
        .split(',')
        .map(|c| format!("CAST({} AS TEXT)", c.trim()))
        .collect();
    let sql = format!(
        "SELECT {} FROM {table} WHERE {filter} ORDER BY id",
        casts.join(", ")
    );
    let found = sqlx::query(&sql)
        .fetch_all(d.chat.desk.store.pool())
        .await
        .unwrap();
    found
        .iter()
        .map(|r| (0..n).map(|i| r.get::<Option<String>, _>(i)).collect())
        .collect()
}

pub(crate) async fn template(d: &TestDesk, reference: &str) -> Template {
    let (id, subject_id): (i64, i64) =
        sqlx::query_as("SELECT id, subject_id FROM approvals WHERE subject_ref = $1")
            .bind(reference)
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    Template {
        approval: rows(d, "approvals", APPROVAL_COLS, &format!("id = {id}"))
            .await
            .remove(0),
        stages: rows(
            d,
            "approval_stages",
            STAGE_COLS,
            &format!("approval_id = {id}"),
        )
        .await,
        tasks: rows(
            d,
            "approval_tasks",
            TASK_COLS,
            &format!("approval_id = {id}"),
        )
        .await,
        requisition: rows(d, "requisitions", REQ_COLS, &format!("id = {subject_id}"))
            .await
            .remove(0),
        requester: d.employee("li.na").await.id,
        head: d.employee("wang.fang").await.id,
    }
}

pub(crate) fn lit(v: &Option<String>) -> String {
    match v {
        None => "NULL".into(),
        Some(s) => format!("'{}'", s.replace('\'', "''")),
    }
}

/// Ids the next clone takes, and the statements under construction.
pub(crate) struct Seeder {
    next_approval: i64,
    next_stage: i64,
    next_task: i64,
    next_req: i64,
    approvals: Vec<String>,
    stages: Vec<String>,
    tasks: Vec<String>,
    reqs: Vec<String>,
}

impl Seeder {
    /// Clones `t` as a new round of `requester` whose first stage goes to `head`, created at
    /// `created`, each closed stage taking `gap`; open tasks are reassigned to `open_to` when set.
    fn clone_round(
        &mut self,
        t: &Template,
        (requester, department): (i64, &str),
        head: i64,
        open_to: Option<i64>,
        created: i64,
        gap: i64,
    ) {
        let (aid, rid) = (self.next_approval, self.next_req);
        self.next_approval += 1;
        self.next_req += 1;
        let reference = format!("REQ-{rid:06}");
        let who = |id: &str| -> String {
            match id.parse::<i64>() {
                Ok(x) if x == t.head => head.to_string(),
                Ok(x) if x == t.requester => requester.to_string(),
                _ => id.to_string(),
            }
        };
        let a = &t.approval;
        let closed = (a[3].as_deref() != Some("pending"))
            .then(|| (created + gap * t.stages.len() as i64).to_string());
        let snapshot = a[2]
            .as_ref()
            .map(|s| s.replace("Bench item", &format!("Bench item {rid}")));
        self.approvals.push(format!(
            "({aid}, {}, {rid}, '{reference}', 1, {requester}, {}, {}, {}, {}, {}, {created}, {})",
            lit(&a[0]),
            lit(&a[1]),
            lit(&snapshot),
            lit(&a[3]),
            a[4].as_deref().unwrap_or("NULL"),
            a[5].as_deref().unwrap_or("0"),
            closed.as_deref().unwrap_or("NULL"),
        ));
        let mut stage_ids = HashMap::new();
        let mut open_at = created;
        for (j, s) in t.stages.iter().enumerate() {
            let sid = self.next_stage;
            self.next_stage += 1;
            let j = j as i64;
            let started = s[10].as_ref().map(|_| (created + j * gap).to_string());
            let closed = s[11]
                .as_ref()
                .map(|_| (created + (j + 1) * gap).to_string());
            if s[6].as_deref() == Some("active") {
                open_at = created + j * gap;
            }
            let approvers: Vec<String> =
                s[5].as_deref().unwrap_or("").split(',').map(who).collect();
            let approvers = match open_to {
                Some(o) if s[6].as_deref() == Some("active") => o.to_string(),
                _ => approvers.join(","),
            };
            self.stages.push(format!(
                "({sid}, {aid}, {}, {}, {}, {}, {}, '{approvers}', {}, {}, {}, {}, {}, {})",
                s[0].as_deref().unwrap_or("0"),
                lit(&s[1]),
                lit(&s[2]),
                lit(&s[3]),
                s[4].as_deref().unwrap_or("1"),
                lit(&s[6]),
                s[7].as_deref().unwrap_or("NULL"),
                s[8].as_deref().unwrap_or("NULL"),
                lit(&s[9]),
                started.as_deref().unwrap_or("NULL"),
                closed.as_deref().unwrap_or("NULL"),
            ));
            stage_ids.insert(s[0].clone().unwrap_or_default(), (sid, j));
        }
        let stage_of = |template_stage: &str| -> (i64, i64) {
            // Task rows name their stage by id; map it through the template's stage order.
            let idx = t
                .stages
                .iter()
                .position(|s| s[12].as_deref() == Some(template_stage))
                .unwrap_or(0);
            stage_ids[t.stages[idx][0].as_deref().unwrap_or("0")]
        };
        let mut reassigned = false;
        for k in &t.tasks {
            let (sid, j) = stage_of(k[0].as_deref().unwrap_or(""));
            let open = k[2].as_deref() == Some("open");
            if open && open_to.is_some() && reassigned {
                continue; // one open task for the chosen approver
            }
            let assignee = match (open, open_to) {
                (true, Some(o)) => {
                    reassigned = true;
                    o.to_string()
                }
                _ => who(k[1].as_deref().unwrap_or("0")),
            };
            let created_at = if open { open_at } else { created + j * gap };
            let decided = k[5].as_ref().map(|_| (created + (j + 1) * gap).to_string());
            self.tasks.push(format!(
                "({}, {aid}, {sid}, {assignee}, {}, {}, {}, {created_at}, {})",
                self.next_task,
                lit(&k[2]),
                k[3].as_deref().map(who).unwrap_or("NULL".into()),
                lit(&k[4]),
                decided.as_deref().unwrap_or("NULL"),
            ));
            self.next_task += 1;
        }
        let r = &t.requisition;
        self.reqs.push(format!(
            "({rid}, {requester}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {created}, {created})",
            lit(&Some(department.to_string())), lit(&r[1]), lit(&r[2]),
            r[3].as_deref().unwrap_or("1"), r[4].as_deref().unwrap_or("0"),
            r[5].as_deref().unwrap_or("0"), lit(&r[6]), lit(&r[7]), lit(&r[8]), lit(&r[9]),
            lit(&r[10]), r[11].as_deref().unwrap_or("1"),
        ));
    }

    /// Writes what is buffered, in one transaction, 500 rows a statement.
    async fn flush(&mut self, d: &TestDesk) {
        let pool = d.chat.desk.store.pool();
        let mut tx = pool.begin().await.unwrap();
        let tables = [
            ("requisitions", "id, requester_id, department_code, item, spec, quantity, unit_price_minor, total_minor, currency, needed_by, reason, category, status, round, created_at, updated_at", std::mem::take(&mut self.reqs)),
            ("approvals", "id, subject_kind, subject_id, subject_ref, round, requester_id, policy, snapshot, status, current_stage, version, created_at, closed_at", std::mem::take(&mut self.approvals)),
            ("approval_stages", "id, approval_id, idx, name, name_zh, mode, required, approvers, status, remind_after_s, escalate_after_s, escalate_to, started_at, closed_at", std::mem::take(&mut self.stages)),
            ("approval_tasks", "id, approval_id, stage_id, assignee_id, status, decided_by, comment, created_at, decided_at", std::mem::take(&mut self.tasks)),
        ];
        for (table, cols, values) in tables {
            for chunk in values.chunks(500) {
                let sql = format!("INSERT INTO {table} ({cols}) VALUES {}", chunk.join(", "));
                sqlx::query(&sql).execute(&mut *tx).await.unwrap();
            }
        }
        tx.commit().await.unwrap();
    }
}

/// Makes the four template rounds through the engine, then clones them into `decided` and
/// `pending` rounds.
pub(crate) async fn seed(d: &TestDesk, decided: usize, pending: usize) {
    let submit = || d.submit("li.na", "Bench item", 2, "150");
    let approved = submit().await;
    d.ok("wang.fang", &format!("/approval approve ref:{approved}"))
        .await;
    d.ok("chen.jie", &format!("/approval approve ref:{approved}"))
        .await;
    let rejected = submit().await;
    d.ok(
        "wang.fang",
        &format!("/approval reject ref:{rejected} comment:\"not now\""),
    )
    .await;
    let at_head = submit().await;
    let at_office = submit().await;
    d.ok("wang.fang", &format!("/approval approve ref:{at_office}"))
        .await;
    let mut ts = Vec::new();
    for r in [&approved, &rejected, &at_head, &at_office] {
        let mut t = template(d, r).await;
        // Stage ids, to map each task to its stage (column 12).
        let ids: Vec<(String,)> = sqlx::query_as(
            "SELECT CAST(s.id AS TEXT) FROM approval_stages s JOIN approvals a ON a.id = s.approval_id \
             WHERE a.subject_ref = $1 ORDER BY s.id",
        )
        .bind(r.as_str())
        .fetch_all(d.chat.desk.store.pool())
        .await
        .unwrap();
        for (s, (id,)) in t.stages.iter_mut().zip(ids) {
            s.push(Some(id));
        }
        ts.push(t);
    }
    let pool = d.chat.desk.store.pool();
    let max = |table: &'static str| async move {
        let (m,): (i64,) = sqlx::query_as(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
            .fetch_one(pool)
            .await
            .unwrap();
        m + 1
    };
    let mut s = Seeder {
        next_approval: max("approvals").await,
        next_stage: max("approval_stages").await,
        next_task: max("approval_tasks").await,
        next_req: max("requisitions").await,
        approvals: vec![],
        stages: vec![],
        tasks: vec![],
        reqs: vec![],
    };
    let mut ids = HashMap::new();
    let mut people = HashMap::new();
    for (who, head) in TEAMS {
        let e = d.employee(who).await;
        people.insert(who, (e.id, e.department));
        ids.insert(head, d.employee(head).await.id);
    }
    let person = |who: &str| (people[who].0, people[who].1.as_str());
    let office = d.employee("chen.jie").await.id;
    let now = bizdesk::store::to_ms(d.chat.desk.now());
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut rand = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n.max(1)
    };
    // Decided: a year of history, 85 % approved, each stage taking 1 hour to 3 days.
    for i in 0..decided {
        let (who, head) = TEAMS[i % TEAMS.len()];
        let t = if rand(100) < 85 { &ts[0] } else { &ts[1] };
        let created = now - 365 * DAY + (i as i64) * (360 * DAY / decided.max(1) as i64);
        let gap = HOUR + rand(3 * DAY as u64) as i64;
        s.clone_round(t, person(who), ids[head], None, created, gap);
        if s.approvals.len() >= 10_000 {
            s.flush(d).await;
        }
    }
    // Pending over the last two weeks: APPROVER_INBOX at wang.fang, the other heads' rounds
    // at their stage one, and the rest at the central office (chen.jie and colleagues).
    for i in 0..pending {
        let created = now - rand(14 * DAY as u64) as i64;
        let gap = HOUR + rand(DAY as u64) as i64;
        if i < APPROVER_INBOX {
            let who = if i % 2 == 0 { "li.na" } else { "tom.baker" };
            s.clone_round(&ts[2], person(who), ids[APPROVER], None, created, gap);
        } else if i % 2 == 0 {
            let (who, head) = TEAMS[2 + i % 3];
            s.clone_round(&ts[2], person(who), ids[head], None, created, gap);
        } else {
            let (who, head) = TEAMS[2 + i % 3];
            let to = if i % 4 == 1 { Some(office) } else { None };
            s.clone_round(
                &ts[3],
                person(who),
                ids[head],
                to,
                created.min(now - gap),
                gap,
            );
        }
    }
    s.flush(d).await;
    if common::postgres().is_some() {
        for t in [
            "requisitions",
            "approvals",
            "approval_stages",
            "approval_tasks",
        ] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
            );
            sqlx::query(&sql).execute(pool).await.unwrap();
        }
    }
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
}
