//! The web inbox and "my requests": the same tasks and rules as the chat, by URL and by form.

use super::{serve, Session, WebDesk};

/// `handle`'s open task on `reference`.
pub async fn task_of(w: &WebDesk, handle: &str, reference: &str) -> i64 {
    let e = w.d.employee(handle).await;
    bizdesk::approval::inbox::open_tasks(&w.d.chat.desk, &e)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.reference == reference)
        .unwrap_or_else(|| panic!("{handle} has no task on {reference}"))
        .task_id
}

/// POSTs a decision from the inbox.
async fn decide(
    w: &WebDesk,
    s: &Session,
    task: i64,
    decision: &str,
    comment: &str,
) -> reqwest::Response {
    let task = task.to_string();
    let form = [
        ("task", task.as_str()),
        ("decision", decision),
        ("comment", comment),
    ];
    w.post(Some(s), "/inbox/decide", &form).await
}

async fn audit_summaries(w: &WebDesk, reference: &str) -> Vec<String> {
    sqlx::query_as::<_, (String,)>(
        "SELECT summary FROM audit_events WHERE subject = $1 AND action LIKE 'approval.%' ORDER BY seq",
    )
    .bind(reference)
    .fetch_all(w.d.chat.desk.store.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(s,)| s)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_lists_a_request_for_its_approver_and_nobody_else() {
    let w = serve().await;
    let r = w.d.submit("li.na", "Monitor", 2, "1500").await;
    let task = task_of(&w, "wang.fang", &r).await;
    let s = w.session("wang.fang").await;
    let (status, page) = w.get(Some(&s), "/inbox").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!(
        "<article class=\"card task\" id=\"task-{task}\" data-ref=\"{r}\">"
    )));
    for id in ["approve", "reject", "changes", "comment"] {
        assert!(page.contains(&format!("id=\"{id}-{task}\"")), "{id}");
    }
    assert!(page.contains("Monitor") && page.contains("<dl class=\"facts\">"));
    assert!(
        page.contains("<html lang=\"zh-CN\">"),
        "wang.fang reads Chinese"
    );
    let tom = w.session("tom.baker").await;
    let (status, page) = w.get(Some(&tom), "/inbox").await;
    assert_eq!(status, 200);
    assert!(!page.contains(&r) && page.contains("Nothing is waiting for you."));
    // "My requests": the requester sees it with its timeline; the approver does not.
    let li = w.session("li.na").await;
    let (_, mine) = w.get(Some(&li), "/mine").await;
    assert!(mine.contains(&format!(
        "<article class=\"card request\" data-ref=\"{r}\">"
    )));
    assert!(
        mine.contains("王芳") || mine.contains("Wang Fang"),
        "{mine}"
    );
    let (_, theirs) = w.get(Some(&s), "/mine").await;
    assert!(!theirs.contains(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_from_the_inbox_moves_the_request_on() {
    let w = serve().await;
    let r = w.d.submit("li.na", "Monitor", 2, "1500").await;
    let task = task_of(&w, "wang.fang", &r).await;
    let s = w.session("wang.fang").await;
    let resp = decide(&w, &s, task, "approve", "ok").await;
    assert_eq!(resp.status(), 303);
    let to = resp.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/inbox?done={r}&d=approve"));
    let (_, page) = w.get(Some(&s), &to).await;
    assert!(
        page.contains(&format!(
            "<p class=\"notice\" id=\"flash\" role=\"status\">你已同意 {r}。"
        )),
        "{page}"
    );
    assert!(w.d.inbox("chen.jie").await.contains(&r));
    assert!(!w.d.inbox("wang.fang").await.contains(&r));
    let audit = audit_summaries(&w, &r).await;
    assert!(
        audit
            .iter()
            .any(|s| s.ends_with("approved (on the web) — ok")),
        "{audit:?}"
    );
    // A flash from a crafted query is escaped or dropped, never markup.
    let (_, page) = w.get(Some(&s), "/inbox?done=<b>x</b>&d=approve").await;
    assert!(!page.contains("id=\"flash\""));
    // Nor can a crafted link claim a decision the viewer did not make.
    let (_, page) = w.get(Some(&s), &format!("/inbox?done={r}&d=reject")).await;
    assert!(
        !page.contains("id=\"flash\""),
        "wang.fang approved, not rejected"
    );
    let other = w.session("zhou.qiang").await;
    let (_, page) = w.get(Some(&other), &to).await;
    assert!(!page.contains("id=\"flash\""), "zhou.qiang decided nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_forms_and_reasonless_rejections_change_nothing() {
    let w = serve().await;
    let r = w.d.submit("li.na", "Monitor", 2, "1500").await;
    let task = task_of(&w, "wang.fang", &r).await;
    let s = w.session("wang.fang").await;
    let resp = decide(&w, &s, task, "reject", "  ").await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("problem-page"));
    let resp = decide(&w, &s, task, "maybe", "").await;
    assert_eq!(resp.status(), 400);
    let long = "x".repeat(2001);
    assert_eq!(decide(&w, &s, task, "reject", &long).await.status(), 400);
    let form = [("task", "12abc"), ("decision", "approve")];
    let resp = w.post(Some(&s), "/inbox/decide", &form).await;
    assert_eq!(resp.status(), 400);
    let t = task.to_string();
    let twice = [
        ("task", t.as_str()),
        ("task", t.as_str()),
        ("decision", "approve"),
    ];
    let resp = w.post(Some(&s), "/inbox/decide", &twice).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("problem-page"));
    // Without the session's token nothing happens either.
    let forged = Session {
        csrf: "0".repeat(32),
        ..s.clone()
    };
    assert_eq!(decide(&w, &forged, task, "approve", "").await.status(), 403);
    assert_eq!(task_of(&w, "wang.fang", &r).await, task, "still open");
    assert!(audit_summaries(&w, &r)
        .await
        .iter()
        .all(|s| !s.contains("stage 1")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_decides_a_task_not_theirs_by_crafting_the_form() {
    let w = serve().await;
    let r = w.d.submit("li.na", "Monitor", 2, "1500").await;
    let task = task_of(&w, "wang.fang", &r).await;
    for handle in ["tom.baker", "li.na"] {
        let s = w.session(handle).await;
        let resp = decide(&w, &s, task, "approve", "").await;
        assert_eq!(resp.status(), 422, "{handle}");
    }
    let s = w.session("tom.baker").await;
    assert_eq!(decide(&w, &s, 999_999, "approve", "").await.status(), 422);
    assert_eq!(task_of(&w, "wang.fang", &r).await, task, "still open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_approvers_racing_on_one_stage_make_exactly_one_decision() {
    let w = serve().await;
    let r = w.d.submit("li.na", "Monitor", 2, "1500").await;
    w.d.ok("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    // The central office stage: chen.jie and liu.yang, the first decision decides.
    let (a, b) = (
        task_of(&w, "chen.jie", &r).await,
        task_of(&w, "liu.yang", &r).await,
    );
    let (sa, sb) = (w.session("chen.jie").await, w.session("liu.yang").await);
    let (ra, rb) = tokio::join!(
        decide(&w, &sa, a, "approve", ""),
        decide(&w, &sb, b, "reject", "no budget")
    );
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 422]);
    let decided =
        w.d.count(&format!(
            "SELECT COUNT(*) FROM approval_tasks t JOIN approvals a ON a.id = t.approval_id \
             WHERE a.subject_ref = '{r}' AND t.status IN ('approved', 'rejected')"
        ))
        .await;
    assert_eq!(
        decided, 2,
        "the department head's and one central office decision"
    );
    // The same one twice: the second hears it is already decided.
    let again = decide(&w, &sa, a, "approve", "").await;
    assert_eq!(again.status(), 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_inbox_is_read_page_by_page_oldest_first() {
    let w = serve().await;
    let mut refs = Vec::new();
    for n in 0..53 {
        refs.push(w.d.submit("li.na", &format!("Cable {n}"), 1, "10").await);
    }
    let s = w.session("wang.fang").await;
    let (_, first) = w.get(Some(&s), "/inbox").await;
    assert_eq!(first.matches("<article class=\"card task\"").count(), 50);
    assert!(
        first.contains(&format!("data-ref=\"{}\"", refs[0])),
        "oldest first"
    );
    assert!(!first.contains(&format!("data-ref=\"{}\"", refs[52])));
    assert!(first.contains("共 53 项") && first.contains("id=\"page-next\""));
    let (_, second) = w.get(Some(&s), "/inbox?page=2").await;
    assert_eq!(second.matches("<article class=\"card task\"").count(), 3);
    assert!(second.contains(&format!("data-ref=\"{}\"", refs[52])));
    assert!(second.contains("id=\"page-prev\"") && !second.contains("id=\"page-next\""));
    // A pager value out of range or not a number shows the nearest page, never an error.
    for bad in ["99", "0", "x", "-1"] {
        let (status, page) = w.get(Some(&s), &format!("/inbox?page={bad}")).await;
        assert_eq!(status, 200, "{bad}");
        assert!(page.contains("<article class=\"card task\""), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_id_typed_into_the_form_tells_nothing_about_others_requests() {
    let w = serve().await;
    let r = w.d.submit("li.na", "Desk", 1, "900").await;
    let task = task_of(&w, "wang.fang", &r).await;
    let head = w.session("wang.fang").await;
    decide(&w, &head, task, "approve", "ok").await;
    // xu.jing may not read the request: probing its decided task by id says what a made-up
    // id says, without the reference or who decided.
    let xu = w.session("xu.jing").await;
    let probe = decide(&w, &xu, task, "approve", "").await;
    assert_eq!(probe.status(), 422);
    let probe = probe.text().await.unwrap();
    let made_up = decide(&w, &xu, 999_999, "approve", "").await;
    let made_up = made_up.text().await.unwrap();
    assert!(!probe.contains(&r) && !probe.contains("王芳"), "{probe}");
    assert_eq!(probe, made_up);
}
