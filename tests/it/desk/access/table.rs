//! The table of who may run each action on the fixture's records: the README's permission
//! table, written out by hand.

/// The sample company, in `config/org.toml` order.
pub(super) const EVERYONE: [&str; 15] = [
    "zhang.wei",
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "li.na",
    "tom.baker",
    "zhou.qiang",
    "huang.lei",
    "emily.chen",
    "xu.jing",
    "zhao.min",
    "grace.lin",
    "sun.li",
    "david.wu",
    "ops.admin",
];

/// Service, sales and the central office: who works with customers.
const CUSTOMER_STAFF: &[&str] = &[
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "li.na",
    "tom.baker",
    "emily.chen",
    "xu.jing",
];
/// Who may read REQ-000001 (Tom Baker's): he, his head (its approver), the central office,
/// procurement, finance, management, the admin and auditors.
const REQ_READERS: &[&str] = &[
    "zhang.wei",
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "tom.baker",
    "zhou.qiang",
    "huang.lei",
    "zhao.min",
    "grace.lin",
    "ops.admin",
];
/// Who may work on INQ-000001 (with Customer Service): its members and the central office.
const INQ_HANDLERS: &[&str] = &["chen.jie", "liu.yang", "emily.chen", "xu.jing"];
/// Who may read it: its handlers, management and auditors.
const INQ_READERS: &[&str] = &["zhang.wei", "chen.jie", "liu.yang", "emily.chen", "xu.jing"];
/// Who may act on SO-000001 (li.na's): its owner and `sales.order_roles` (sales, bcmo).
const ORDER_HANDLERS: &[&str] = &["chen.jie", "liu.yang", "wang.fang", "li.na", "tom.baker"];
/// Order handlers and finance: terms and payments.
const COLLECTORS: &[&str] = &[
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "li.na",
    "tom.baker",
    "zhao.min",
    "grace.lin",
];
/// Who may read CTR-000001: the order's handlers, legal, finance, the central office,
/// management and auditors.
const CONTRACT_READERS: &[&str] = &[
    "zhang.wei",
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "li.na",
    "tom.baker",
    "zhao.min",
    "grace.lin",
    "david.wu",
];
/// Procurement and the central office: who keep the supplier list.
const SUPPLIER_STAFF: &[&str] = &["chen.jie", "liu.yang", "zhou.qiang", "huang.lei"];
/// Procurement and the central office: who raise, confirm and cancel POs.
const BUYERS: &[&str] = &["chen.jie", "liu.yang", "zhou.qiang", "huang.lei"];
/// Who may read PO-000001 (for Tom Baker's REQ-000002): procurement, the central office,
/// finance, management, auditors, the requester and his department (Sales, its head too).
const PO_READERS: &[&str] = &[
    "zhang.wei",
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "li.na",
    "tom.baker",
    "zhou.qiang",
    "huang.lei",
    "zhao.min",
    "grace.lin",
];
/// Who may record receipts of PO-000001 (for Sales): Sales, inspectors, the central office.
const RECEIVERS: &[&str] = &["chen.jie", "liu.yang", "wang.fang", "li.na", "tom.baker"];
/// Who may read GR-000001: its receivers, procurement, finance, management and auditors.
const RECEIPT_READERS: &[&str] = &[
    "zhang.wei",
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "li.na",
    "tom.baker",
    "zhou.qiang",
    "huang.lei",
    "zhao.min",
    "grace.lin",
];
/// Procurement and finance: payment requests.
const PAYMENT_REQUESTERS: &[&str] = &["zhou.qiang", "huang.lei", "zhao.min", "grace.lin"];
/// Who may read payment requests: procurement, finance, the central office, management and
/// auditors.
const PAYMENT_READERS: &[&str] = &[
    "zhang.wei",
    "chen.jie",
    "liu.yang",
    "zhou.qiang",
    "huang.lei",
    "zhao.min",
    "grace.lin",
];
/// Who may cancel PAY-000001 (Huang Lei's): he and finance.
const PAYMENT_CANCELLERS: &[&str] = &["huang.lei", "zhao.min", "grace.lin"];
/// Finance.
const FINANCE: &[&str] = &["zhao.min", "grace.lin"];
/// Who may read the Sales department's budget: finance, management, the central office,
/// auditors and its head.
const SAL_BUDGET_READERS: &[&str] = &[
    "zhang.wei",
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "zhao.min",
    "grace.lin",
];
/// Who may read EXP-000001 (Tom Baker's taxi): he, his head (its approver), the central office,
/// auditors and finance.
const EXP_READERS: &[&str] = &[
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "tom.baker",
    "zhao.min",
    "grace.lin",
];
/// Department heads, the central office, management and auditors.
const REPORT_READERS: &[&str] = &[
    "zhang.wei",
    "chen.jie",
    "liu.yang",
    "wang.fang",
    "zhou.qiang",
    "emily.chen",
    "zhao.min",
    "sun.li",
    "david.wu",
];

/// Who may run each action on the fixture's records (`None`: everyone), with the line run.
pub(super) fn table() -> Vec<(&'static str, &'static str, Option<Vec<&'static str>>)> {
    let only = |v: &[&'static str]| Some(v.to_vec());
    let mut sales_report = REPORT_READERS.to_vec();
    sales_report.extend(["li.na", "tom.baker", "grace.lin"]);
    // Procurement's own figures: report readers, plus procurement and finance.
    let mut procurement_report = REPORT_READERS.to_vec();
    procurement_report.extend(["huang.lei", "grace.lin"]);
    vec![
        ("help", "/help", None),
        ("whoami", "/whoami", None),
        ("inbox", "/inbox", None),
        ("settings.show", "/settings show", None),
        ("settings.email", "/settings email prompts:on", None),
        (
            "delegate.set",
            "/delegate set to:li.na until:2026-12-10",
            None,
        ),
        ("delegate.off", "/delegate off", None),
        ("delegate.show", "/delegate show", None),
        (
            "requisition.new",
            "/requisition new item:Chair quantity:1 unit_price:100 reason:x",
            None,
        ),
        ("requisition.list", "/requisition list", None),
        (
            "requisition.show",
            "/requisition show ref:REQ-000001",
            only(REQ_READERS),
        ),
        (
            "requisition.resubmit",
            "/requisition resubmit ref:REQ-000001 quantity:2",
            only(&["tom.baker"]),
        ),
        (
            "requisition.withdraw",
            "/requisition withdraw ref:REQ-000001",
            only(&["tom.baker"]),
        ),
        (
            "approval.approve",
            "/approval approve ref:REQ-000001",
            only(&["wang.fang"]),
        ),
        (
            "approval.reject",
            "/approval reject ref:REQ-000001 comment:no",
            only(&["wang.fang"]),
        ),
        (
            "approval.changes",
            "/approval changes ref:REQ-000001 comment:less",
            only(&["wang.fang"]),
        ),
        (
            "followup.add",
            "/followup add ref:REQ-000001 when:tomorrow",
            only(REQ_READERS),
        ),
        ("followup.list", "/followup list", None),
        ("followup.done", "/followup done id:1", only(&["tom.baker"])),
        (
            "followup.cancel",
            "/followup cancel id:1",
            only(&["tom.baker"]),
        ),
        (
            "followup.snooze",
            "/followup snooze id:1 for:1h",
            only(&["tom.baker"]),
        ),
        (
            "callback.schedule",
            "/callback schedule customer:#1 when:tomorrow",
            only(CUSTOMER_STAFF),
        ),
        ("callback.list", "/callback list", None),
        ("callback.done", "/callback done id:1", only(&["xu.jing"])),
        (
            "callback.cancel",
            "/callback cancel id:1",
            only(&["xu.jing"]),
        ),
        (
            "customer.add",
            "/customer add name:Wang email:w@example.com",
            only(CUSTOMER_STAFF),
        ),
        ("customer.find", "/customer find text:huadong", None),
        (
            "customer.show",
            "/customer show customer:#1",
            only(CUSTOMER_STAFF),
        ),
        (
            "customer.update",
            "/customer update customer:#1 phone:13900001111",
            only(CUSTOMER_STAFF),
        ),
        (
            "inquiry.log",
            "/inquiry log customer:#1 channel:phone kind:inquiry subject:Late details:Where",
            only(CUSTOMER_STAFF),
        ),
        ("inquiry.list", "/inquiry list", None),
        (
            "inquiry.show",
            "/inquiry show ref:INQ-000001",
            only(INQ_READERS),
        ),
        (
            "inquiry.take",
            "/inquiry take ref:INQ-000001",
            only(INQ_HANDLERS),
        ),
        (
            "inquiry.assign",
            "/inquiry assign ref:INQ-000001 to:xu.jing",
            only(INQ_HANDLERS),
        ),
        (
            "inquiry.handoff",
            "/inquiry handoff ref:INQ-000001 department:SVC",
            only(INQ_HANDLERS),
        ),
        (
            "inquiry.note",
            "/inquiry note ref:INQ-000001 text:checked",
            only(INQ_HANDLERS),
        ),
        (
            "inquiry.reply",
            "/inquiry reply ref:INQ-000001 text:Tomorrow",
            only(INQ_HANDLERS),
        ),
        (
            "inquiry.resolve",
            "/inquiry resolve ref:INQ-000001 resolution:Delivered",
            only(INQ_HANDLERS),
        ),
        (
            "opportunity.new",
            "/opportunity new customer:#1 title:\"More monitors\"",
            only(CUSTOMER_STAFF),
        ),
        ("opportunity.show", "/opportunity show ref:OPP-000001", None),
        ("opportunity.list", "/opportunity list", None),
        (
            "order.new",
            "/order new customer:#1 items:chairs amount:100",
            only(CUSTOMER_STAFF),
        ),
        ("order.status", "/order status ref:SO-000001", None),
        ("order.list", "/order list", None),
        (
            "order.update",
            "/order update ref:SO-000001 stage:confirmed",
            only(ORDER_HANDLERS),
        ),
        (
            "order.terms",
            "/order terms ref:SO-000001 due:2026-12-20",
            only(COLLECTORS),
        ),
        (
            "order.paid",
            "/order paid ref:SO-000001 amount:100",
            only(COLLECTORS),
        ),
        (
            "order.issue",
            "/order issue ref:SO-000001 kind:quality text:Scratched",
            None,
        ),
        (
            "supplier.add",
            "/supplier add name:Acme email:acme@example.com",
            only(SUPPLIER_STAFF),
        ),
        ("supplier.show", "/supplier show ref:SUP-000001", None),
        ("supplier.find", "/supplier find text:华东", None),
        ("supplier.list", "/supplier list", None),
        (
            "supplier.update",
            "/supplier update ref:SUP-000001 phone:13900001111",
            only(SUPPLIER_STAFF),
        ),
        (
            "supplier.qualify",
            "/supplier qualify ref:SUP-000001",
            only(SUPPLIER_STAFF),
        ),
        (
            "supplier.cert",
            "/supplier cert ref:SUP-000001 kind:iso_9001 expires:2027-06-30",
            only(SUPPLIER_STAFF),
        ),
        (
            "supplier.rate",
            "/supplier rate ref:SUP-000001 quality:4 delivery:4 price:4 service:4",
            only(SUPPLIER_STAFF),
        ),
        (
            "supplier.disqualify",
            "/supplier disqualify ref:SUP-000001 reason:\"failed audit\"",
            only(SUPPLIER_STAFF),
        ),
        (
            "order.resolve",
            "/order resolve issue:1 resolution:Replaced",
            only(ORDER_HANDLERS),
        ),
        (
            "contract.submit",
            "/contract submit order:SO-000001",
            only(ORDER_HANDLERS),
        ),
        (
            "contract.show",
            "/contract show ref:CTR-000001",
            only(CONTRACT_READERS),
        ),
        (
            "contract.submit",
            "/contract submit po:PO-000001",
            only(BUYERS),
        ),
        (
            "po.new",
            "/po new requisition:REQ-000002 supplier:SUP-000001 quantity:1",
            only(BUYERS),
        ),
        ("po.show", "/po show ref:PO-000001", only(PO_READERS)),
        ("po.list", "/po list scope:all", None),
        ("po.confirm", "/po confirm ref:PO-000001", only(BUYERS)),
        (
            "po.cancel",
            "/po cancel ref:PO-000001 reason:\"not needed\"",
            only(BUYERS),
        ),
        (
            "receipt.new",
            "/receipt new po:PO-000001 accepted:1",
            only(RECEIVERS),
        ),
        (
            "receipt.show",
            "/receipt show ref:GR-000001",
            only(RECEIPT_READERS),
        ),
        ("receipt.list", "/receipt list", None),
        (
            "receipt.resolve",
            "/receipt resolve ref:GR-000001 resolution:credit",
            only(RECEIVERS),
        ),
        (
            "payment.request",
            "/payment request po:PO-000001 invoice:T-1 amount:100",
            only(PAYMENT_REQUESTERS),
        ),
        (
            "payment.show",
            "/payment show ref:PAY-000001",
            only(PAYMENT_READERS),
        ),
        ("payment.list", "/payment list", only(PAYMENT_READERS)),
        (
            "payment.paid",
            "/payment paid ref:PAY-000001",
            only(FINANCE),
        ),
        (
            "payment.settle",
            "/payment settle ref:PAY-000001 action:hold",
            only(FINANCE),
        ),
        (
            "payment.cancel",
            "/payment cancel ref:PAY-000001 reason:duplicate",
            only(PAYMENT_CANCELLERS),
        ),
        ("report.service", "/report service", only(REPORT_READERS)),
        ("report.sales", "/report sales", Some(sales_report)),
        (
            "report.procurement",
            "/report procurement",
            Some(procurement_report),
        ),
        (
            "report.budget",
            "/report budget department:SAL",
            only(SAL_BUDGET_READERS),
        ),
        (
            "budget.round",
            "/budget round open year:2027 due:2026-12-20",
            only(FINANCE),
        ),
        (
            "budget.draft",
            "/budget draft department:SAL category:it amount:1000",
            only(&["wang.fang"]),
        ),
        (
            "budget.show",
            "/budget show department:SAL year:2027",
            only(SAL_BUDGET_READERS),
        ),
        (
            "budget.status",
            "/budget status department:SAL",
            only(SAL_BUDGET_READERS),
        ),
        (
            "budget.submit",
            "/budget submit department:SAL",
            only(&["wang.fang"]),
        ),
        (
            "budget.return",
            "/budget return department:SAL comment:\"more detail\"",
            only(FINANCE),
        ),
        (
            "budget.consolidate",
            "/budget consolidate year:2027",
            only(FINANCE),
        ),
        (
            "budget.revise",
            "/budget revise department:SAL category:it amount:5 reason:\"fairs\"",
            only(&["wang.fang", "zhao.min", "grace.lin"]),
        ),
        (
            "expense.claim",
            "/expense claim category:travel amount:20 description:bus",
            None,
        ),
        ("expense.list", "/expense list", None),
        (
            "expense.show",
            "/expense show ref:EXP-000001",
            only(EXP_READERS),
        ),
        (
            "expense.withdraw",
            "/expense withdraw ref:EXP-000001",
            only(&["tom.baker"]),
        ),
    ]
}
