//! Who may read and do what: one place per subject, used by every transport (chat, console,
//! Discord, web pages, email links, the operator's imports). No I/O: callers pass what the
//! rule needs to know about the record (its owner, department, requester).
//!
//! Two layers, as in lldap's access control:
//! * [`COMMANDS`]: for every action of the command catalog, whether anyone may run it, only
//!   holders of some roles, or whether it depends on the record (then the subject's module
//!   below decides, and a record one may not see reads exactly like one that does not exist,
//!   so references cannot be enumerated).
//! * one module per subject with capability functions (`customers::may_read`, ...).

use crate::domain::directory::{Employee, EmployeeId, Role};
use crate::domain::Msg;

/// Who may run an action at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Every employee (what they see may still be only their own).
    Anyone,
    /// Only holders of one of these roles.
    Roles(&'static [Role]),
    /// Decided per record by the subject's rules (an unrelated record reads as "not found").
    Record,
}

/// The central office, which supervises every process.
const BCMO: &[Role] = &[Role::Bcmo];
/// Who may read reports of every department.
const REPORT_READERS: &[Role] = &[Role::Bcmo, Role::Management, Role::Auditor, Role::DeptHead];
/// Report readers, plus sales and finance for the sales figures.
const SALES_REPORT_READERS: &[Role] = &[
    Role::Bcmo,
    Role::Management,
    Role::Auditor,
    Role::DeptHead,
    Role::Sales,
    Role::Finance,
];
/// Report readers, plus procurement and finance for the procurement figures (department heads
/// see every department's, as in the other reports).
const PROCUREMENT_REPORT_READERS: &[Role] = &[
    Role::Bcmo,
    Role::Management,
    Role::Auditor,
    Role::DeptHead,
    Role::Procurement,
    Role::Finance,
];

/// Every action of the command catalog and who may run it. A test checks that each catalog
/// action has exactly one row here.
pub const COMMANDS: &[(&str, Gate)] = &[
    ("help", Gate::Anyone),
    ("whoami", Gate::Anyone),
    ("inbox", Gate::Anyone),
    ("settings.show", Gate::Anyone),
    ("settings.email", Gate::Anyone),
    ("delegate.set", Gate::Anyone),
    ("delegate.off", Gate::Anyone),
    ("delegate.show", Gate::Anyone),
    ("requisition.new", Gate::Anyone),
    ("requisition.list", Gate::Anyone),
    ("requisition.show", Gate::Record),
    ("requisition.resubmit", Gate::Record),
    ("requisition.withdraw", Gate::Record),
    ("approval.approve", Gate::Record),
    ("approval.reject", Gate::Record),
    ("approval.changes", Gate::Record),
    ("followup.add", Gate::Record),
    ("followup.list", Gate::Anyone),
    ("followup.done", Gate::Record),
    ("followup.cancel", Gate::Record),
    ("followup.snooze", Gate::Record),
    ("callback.schedule", Gate::Anyone),
    ("callback.list", Gate::Anyone),
    ("callback.done", Gate::Record),
    ("callback.cancel", Gate::Record),
    ("customer.add", Gate::Roles(customers::STAFF)),
    ("customer.find", Gate::Record),
    ("customer.show", Gate::Record),
    ("customer.update", Gate::Record),
    ("inquiry.log", Gate::Roles(inquiries::LOGGERS)),
    ("inquiry.list", Gate::Anyone),
    ("inquiry.show", Gate::Record),
    ("inquiry.take", Gate::Record),
    ("inquiry.assign", Gate::Record),
    ("inquiry.handoff", Gate::Record),
    ("inquiry.note", Gate::Record),
    ("inquiry.reply", Gate::Record),
    ("inquiry.resolve", Gate::Record),
    ("opportunity.new", Gate::Anyone),
    ("opportunity.show", Gate::Anyone),
    ("opportunity.list", Gate::Anyone),
    ("order.new", Gate::Anyone),
    ("order.status", Gate::Anyone),
    ("order.list", Gate::Anyone),
    ("order.update", Gate::Record),
    ("order.terms", Gate::Record),
    ("order.paid", Gate::Record),
    ("order.issue", Gate::Anyone),
    ("order.resolve", Gate::Record),
    ("contract.submit", Gate::Record),
    ("contract.show", Gate::Record),
    ("supplier.add", Gate::Roles(suppliers::STAFF)),
    ("supplier.show", Gate::Anyone),
    ("supplier.find", Gate::Anyone),
    ("supplier.list", Gate::Anyone),
    ("supplier.update", Gate::Roles(suppliers::STAFF)),
    ("supplier.qualify", Gate::Roles(suppliers::STAFF)),
    ("supplier.cert", Gate::Roles(suppliers::STAFF)),
    ("supplier.rate", Gate::Roles(suppliers::STAFF)),
    ("supplier.disqualify", Gate::Roles(suppliers::STAFF)),
    ("po.new", Gate::Roles(purchase_orders::BUYERS)),
    ("po.show", Gate::Record),
    ("po.list", Gate::Anyone),
    ("po.confirm", Gate::Roles(purchase_orders::BUYERS)),
    ("po.cancel", Gate::Roles(purchase_orders::BUYERS)),
    ("receipt.new", Gate::Record),
    ("receipt.show", Gate::Record),
    ("receipt.list", Gate::Anyone),
    ("receipt.resolve", Gate::Record),
    ("payment.request", Gate::Roles(payments::REQUESTERS)),
    ("payment.show", Gate::Roles(payments::READERS)),
    ("payment.list", Gate::Roles(payments::READERS)),
    ("payment.paid", Gate::Roles(payments::FINANCE)),
    ("payment.settle", Gate::Roles(payments::FINANCE)),
    ("payment.cancel", Gate::Roles(payments::REQUESTERS)),
    ("report.service", Gate::Roles(REPORT_READERS)),
    ("report.sales", Gate::Roles(SALES_REPORT_READERS)),
    (
        "report.procurement",
        Gate::Roles(PROCUREMENT_REPORT_READERS),
    ),
    ("report.budget", Gate::Record),
    ("budget.round", Gate::Roles(budgets::FINANCE)),
    ("budget.draft", Gate::Record),
    ("budget.show", Gate::Record),
    ("budget.submit", Gate::Record),
    ("budget.consolidate", Gate::Roles(budgets::FINANCE)),
    ("budget.return", Gate::Roles(budgets::FINANCE)),
    ("budget.revise", Gate::Record),
    ("budget.status", Gate::Record),
    ("expense.claim", Gate::Anyone),
    ("expense.show", Gate::Record),
    ("expense.list", Gate::Anyone),
    ("expense.withdraw", Gate::Record),
];

/// The gate of an action, if the catalog has it.
pub fn gate(action: &str) -> Option<Gate> {
    COMMANDS.iter().find(|(a, _)| *a == action).map(|(_, g)| *g)
}

/// Whether `actor` holds one of `roles`.
fn holds(actor: &Employee, roles: &[Role]) -> bool {
    roles.iter().any(|r| actor.has_role(*r))
}

/// The refusal for someone without the roles an action needs: the action's own words where
/// it has them, else one naming the roles (`roles` holds their codes, comma-separated, for the
/// renderer to put into the reader's language).
pub fn denied(action: &str, roles: &[Role]) -> Msg {
    match action {
        "report.service" => Msg::new("report.not_allowed"),
        "report.sales" => Msg::new("report.sales_not_allowed"),
        "report.procurement" => Msg::new("procurement_report.not_allowed"),
        _ => {
            let codes: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Msg::new("access.denied")
                .arg("action", format!("/{}", action.replace('.', " ")))
                .arg("roles", codes.join(","))
        }
    }
}

/// Refuses an action whose gate the actor does not pass. Record-gated actions pass here and
/// are decided by their subject; an action missing from [`COMMANDS`] is refused (a new action
/// is closed until someone says who may run it).
pub fn require(actor: &Employee, action: &str) -> Result<(), Msg> {
    match gate(action) {
        Some(Gate::Anyone | Gate::Record) => Ok(()),
        Some(Gate::Roles(roles)) if holds(actor, roles) => Ok(()),
        Some(Gate::Roles(roles)) => Err(denied(action, roles)),
        None => Err(denied(action, &[Role::Admin])),
    }
}

/// Customer records: names, companies, emails and phones of people outside the company.
pub mod customers {
    use super::*;

    /// Who works with customers: service, sales and the central office.
    pub const STAFF: &[Role] = &[Role::Service, Role::Sales, Role::Bcmo];

    /// Whether `actor` may search and read every customer (else only those they own).
    pub fn may_read_all(actor: &Employee) -> bool {
        holds(actor, STAFF)
    }

    /// Whether `actor` may read the customer looked after by `owner`.
    pub fn may_read(actor: &Employee, owner: Option<EmployeeId>) -> bool {
        may_read_all(actor) || owner == Some(actor.id)
    }

    /// Whether `actor` may change the customer's record (name, company, contact details,
    /// language, who looks after them): the same people who may read it.
    pub fn may_edit(actor: &Employee, owner: Option<EmployeeId>) -> bool {
        may_read(actor, owner)
    }
}

/// Inquiries, complaints and feedback: they belong to a department and, once taken, an owner.
pub mod inquiries {
    use super::*;

    /// Who logs what customers bring: service, sales and the central office.
    pub const LOGGERS: &[Role] = &[Role::Service, Role::Sales, Role::Bcmo];
    /// Who may read every inquiry without working on it.
    const READERS: &[Role] = &[Role::Bcmo, Role::Management, Role::Auditor];

    /// What the rules need to know about one inquiry.
    #[derive(Debug, Clone, Copy)]
    pub struct Facts<'a> {
        pub department: &'a str,
        pub owner: Option<EmployeeId>,
        pub logged_by: EmployeeId,
    }

    /// Who route and track every inquiry to an answer (policy, customer service step 2): the
    /// customer-service agents and the central office.
    const DESK: &[Role] = &[Role::Service, Role::Bcmo];

    /// Whether `actor` may work on it: take, assign, hand off, note, reply, resolve. Its
    /// department's members, its owner, customer-service agents and the central office.
    pub fn may_handle(actor: &Employee, i: Facts<'_>) -> bool {
        actor.department == i.department || i.owner == Some(actor.id) || holds(actor, DESK)
    }

    /// Whether `actor` may read it: whoever may handle it, whoever logged it, and management
    /// and auditors.
    pub fn may_read(actor: &Employee, i: Facts<'_>) -> bool {
        may_handle(actor, i) || i.logged_by == actor.id || holds(actor, READERS)
    }

    /// Whether `to` may be given it: a member of its department or of the central office (to
    /// give it to another department, hand it off).
    pub fn may_receive(to: &Employee, department: &str) -> bool {
        to.department == department || holds(to, BCMO)
    }

    /// Whether `actor` may list every open inquiry (others list theirs and their
    /// department's).
    pub fn may_list_all(actor: &Employee) -> bool {
        holds(actor, READERS)
    }
}

/// Purchase requisitions.
pub mod requisitions {
    use super::*;

    /// Who may read every requisition (procurement: to buy the approved ones).
    const READERS: &[Role] = &[
        Role::Bcmo,
        Role::Procurement,
        Role::Finance,
        Role::Management,
        Role::Admin,
        Role::Auditor,
    ];

    /// Whether `actor` may read a requisition of `requester`: its requester, anyone assigned
    /// to it (or their delegate), the requester's department head, and the central office,
    /// procurement, finance, management, admins and auditors.
    pub fn may_read(
        actor: &Employee,
        requester: EmployeeId,
        assigned: bool,
        head_of_dept: bool,
    ) -> bool {
        requester == actor.id || assigned || head_of_dept || holds(actor, READERS)
    }
}

/// Approval rounds, whatever their subject.
pub mod approvals {
    use super::*;

    /// Who oversee every approval: the central office, management and auditors.
    const OVERSIGHT: &[Role] = &[Role::Bcmo, Role::Management, Role::Auditor];

    /// Whether `actor` may hear how a closed round ended (who decided, when): those who took
    /// part in it (its requester, its approvers) and those who oversee every approval.
    pub fn may_see_outcome(actor: &Employee, took_part: bool) -> bool {
        took_part || holds(actor, OVERSIGHT)
    }
}

/// Sales orders, their terms, payments, issues and contracts.
pub mod orders {
    use super::*;

    /// Whether `actor` may act on an order of `owner` (move it, submit its contract, resolve
    /// its issues): its owner or a holder of one of `order_roles` (`sales.order_roles`).
    pub fn may_handle(actor: &Employee, owner: EmployeeId, order_roles: &[Role]) -> bool {
        owner == actor.id || holds(actor, order_roles)
    }

    /// Whether `actor` may set terms and record payments: the order's handlers and finance.
    pub fn may_collect(actor: &Employee, owner: EmployeeId, order_roles: &[Role]) -> bool {
        may_handle(actor, owner, order_roles) || actor.has_role(Role::Finance)
    }

    /// Who may read every contract.
    const CONTRACT_READERS: &[Role] = &[
        Role::Legal,
        Role::Finance,
        Role::Bcmo,
        Role::Management,
        Role::Auditor,
    ];

    /// Whether `actor` may read a contract: its submitter, its reviewers, the order's
    /// handlers, legal, finance, the central office, management and auditors.
    pub fn may_read_contract(
        actor: &Employee,
        submitter: EmployeeId,
        reviewer: bool,
        owner: EmployeeId,
        order_roles: &[Role],
    ) -> bool {
        reviewer
            || submitter == actor.id
            || may_handle(actor, owner, order_roles)
            || holds(actor, CONTRACT_READERS)
    }
}

/// Suppliers (采购 2): everyone may read a supplier's name, status, categories and standing;
/// its contacts (email, phone) and prices are for those who buy from it and those who
/// oversee them.
pub mod suppliers {
    use super::*;

    /// Who keep the supplier list: procurement and the central office (add, update,
    /// qualify, file certificates, rate).
    pub const STAFF: &[Role] = &[Role::Procurement, Role::Bcmo];
    /// Who may read contacts and prices: the staff, management and auditors.
    const CONTACT_READERS: &[Role] = &[
        Role::Procurement,
        Role::Bcmo,
        Role::Management,
        Role::Auditor,
    ];

    /// Whether `actor` may change suppliers and their records.
    pub fn may_edit(actor: &Employee) -> bool {
        holds(actor, STAFF)
    }

    /// Whether `actor` may read suppliers' emails, phones and prices.
    pub fn may_read_contacts(actor: &Employee) -> bool {
        holds(actor, CONTACT_READERS)
    }
}

/// Purchase orders and their contracts.
pub mod purchase_orders {
    use super::*;

    /// Who raise, confirm and cancel POs and submit their contracts: procurement and the
    /// central office.
    pub const BUYERS: &[Role] = &[Role::Procurement, Role::Bcmo];
    /// Who may read every PO.
    const READERS: &[Role] = &[
        Role::Procurement,
        Role::Bcmo,
        Role::Finance,
        Role::Management,
        Role::Auditor,
    ];

    /// Whether `actor` may raise and change POs.
    pub fn may_handle(actor: &Employee) -> bool {
        holds(actor, BUYERS)
    }

    /// Whether `actor` may read every PO.
    pub fn may_read_all(actor: &Employee) -> bool {
        holds(actor, READERS)
    }

    /// Whether `actor` may read a PO for `department`: procurement, the central office,
    /// finance, management, auditors, its buyer, its requester, the members of the department
    /// it is for (its head among them; they receive and inspect the goods) and inspectors.
    pub fn may_read(
        actor: &Employee,
        requester: EmployeeId,
        buyer: EmployeeId,
        department: &str,
    ) -> bool {
        may_read_all(actor)
            || requester == actor.id
            || buyer == actor.id
            || actor.department == department
            || actor.has_role(Role::Inspector)
    }

    /// Whether `actor` may read every PO's contract: the PO's readers by role and legal.
    pub fn may_read_contract(actor: &Employee) -> bool {
        may_read_all(actor) || actor.has_role(Role::Legal)
    }
}

/// Goods receipts and the supplier claims they open.
pub mod receipts {
    use super::*;

    /// Who may receive goods for any department: inspectors and the central office.
    const RECEIVERS: &[Role] = &[Role::Inspector, Role::Bcmo];
    /// Who may read every receipt.
    const READERS: &[Role] = &[
        Role::Inspector,
        Role::Bcmo,
        Role::Procurement,
        Role::Finance,
        Role::Management,
        Role::Auditor,
    ];

    /// Whether `actor` may record a receipt against (or settle a claim on) a PO of
    /// `department`: its members, the `inspector` role and the central office.
    pub fn may_receive(actor: &Employee, department: &str) -> bool {
        actor.department == department || holds(actor, RECEIVERS)
    }

    /// Whether `actor` may read a receipt of a PO of `department`: those who may receive it,
    /// procurement, finance, management and auditors.
    pub fn may_read(actor: &Employee, department: &str) -> bool {
        may_receive(actor, department) || holds(actor, READERS)
    }

    /// Whether `actor` may read every department's receipts (others read their own
    /// department's).
    pub fn may_read_all(actor: &Employee) -> bool {
        holds(actor, RECEIVERS) || holds(actor, READERS)
    }
}

/// Supplier payments: requests, their three-way match, finance's settlement and payment.
pub mod payments {
    use super::*;

    /// Who may request a payment: procurement and finance.
    pub const REQUESTERS: &[Role] = &[Role::Procurement, Role::Finance];
    /// Who may pay and settle exceptions.
    pub const FINANCE: &[Role] = &[Role::Finance];
    /// Who may read payment requests.
    pub const READERS: &[Role] = &[
        Role::Procurement,
        Role::Finance,
        Role::Bcmo,
        Role::Management,
        Role::Auditor,
    ];

    /// Whether `actor` may cancel a request asked for by `requester_id`: its requester and
    /// finance.
    pub fn may_cancel(actor: &Employee, requester_id: i64) -> bool {
        actor.id == requester_id || holds(actor, FINANCE)
    }

    /// Whether `actor` may pay an invoice that fails the match as it is: finance holding one
    /// of `override_roles` (`procurement.override_roles`).
    pub fn may_override(actor: &Employee, override_roles: &[Role]) -> bool {
        holds(actor, FINANCE) && holds(actor, override_roles)
    }
}

mod finance;
pub use finance::{budgets, expenses};

/// The dashboards (`/dash`, its CSV and live updates): who may read them, and which
/// departments' figures.
pub mod dashboards {
    use super::*;

    /// Who reads every department's figures.
    pub const READERS: &[Role] = &[Role::Bcmo, Role::Management, Role::Finance, Role::Auditor];

    /// What a reader may see.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Scope {
        /// Every department (a filter may pick one).
        All,
        /// Only this department (a department head's own); any other filter is forced to it.
        Department(String),
    }

    /// What `actor` may see on the dashboards; `None`: nothing (the page is refused).
    pub fn scope(actor: &Employee) -> Option<Scope> {
        if holds(actor, READERS) {
            Some(Scope::All)
        } else if actor.has_role(Role::DeptHead) {
            Some(Scope::Department(actor.department.clone()))
        } else {
            None
        }
    }

    #[cfg(test)]
    mod tests {
        use super::super::tests::person;
        use super::*;

        #[test]
        fn the_central_office_and_finance_see_all_heads_their_own_others_nothing() {
            for role in [Role::Bcmo, Role::Finance, Role::Management, Role::Auditor] {
                assert_eq!(scope(&person(1, "MGT", &[role])), Some(Scope::All));
            }
            assert_eq!(
                scope(&person(5, "SAL", &[Role::DeptHead, Role::Sales])),
                Some(Scope::Department("SAL".into()))
            );
            assert_eq!(scope(&person(6, "SAL", &[Role::Sales])), None);
            assert_eq!(scope(&person(7, "PUR", &[])), None);
        }
    }
}

#[cfg(test)]
mod tests;
