use super::*;
use proptest::prelude::*;

use TaskStatus::{Approved as A, ChangesRequested as C, Open as O, Rejected as R, Void as V};

#[test]
fn any_mode_first_decision_decides() {
    assert_eq!(stage_outcome(Mode::Any, 1, &[O, O]), StageOutcome::Pending);
    assert_eq!(stage_outcome(Mode::Any, 1, &[A, V]), StageOutcome::Approved);
    assert_eq!(stage_outcome(Mode::Any, 1, &[V, R]), StageOutcome::Rejected);
    assert_eq!(
        stage_outcome(Mode::Any, 1, &[C, O]),
        StageOutcome::ChangesRequested
    );
}

#[test]
fn all_mode_needs_everyone_and_one_rejection_rejects() {
    assert_eq!(
        stage_outcome(Mode::All, 3, &[A, A, O]),
        StageOutcome::Pending
    );
    assert_eq!(
        stage_outcome(Mode::All, 3, &[A, A, A]),
        StageOutcome::Approved
    );
    assert_eq!(
        stage_outcome(Mode::All, 3, &[A, R, O]),
        StageOutcome::Rejected
    );
}

#[test]
fn quorum_approves_at_n_and_rejects_when_unreachable() {
    let q = Mode::Quorum(2);
    assert_eq!(stage_outcome(q, 2, &[A, O, O]), StageOutcome::Pending);
    assert_eq!(stage_outcome(q, 2, &[A, A, O]), StageOutcome::Approved);
    assert_eq!(stage_outcome(q, 2, &[R, O, O]), StageOutcome::Pending);
    assert_eq!(stage_outcome(q, 2, &[R, R, O]), StageOutcome::Rejected);
    assert_eq!(stage_outcome(q, 2, &[R, A, O]), StageOutcome::Pending);
}

#[test]
fn picking_a_task_prefers_own_then_delegated_and_refuses_others() {
    let open = [
        OpenTask {
            task_id: 1,
            assignee: 10,
        },
        OpenTask {
            task_id: 2,
            assignee: 11,
        },
    ];
    assert_eq!(
        pick_task(11, 99, &open, &[10], false, None)
            .unwrap()
            .task_id,
        2
    );
    let delegated = pick_task(12, 99, &open, &[10], false, None).unwrap();
    assert_eq!((delegated.task_id, delegated.on_behalf_of), (1, Some(10)));
    assert_eq!(
        pick_task(12, 99, &open, &[], false, None).unwrap_err().key,
        "approval.not_assigned"
    );
    assert_eq!(
        pick_task(99, 99, &open, &[10], false, None)
            .unwrap_err()
            .key,
        "approval.self"
    );
}

#[test]
fn one_vote_per_person_per_stage_and_buttons_decide_only_their_task() {
    let open = [
        OpenTask {
            task_id: 1,
            assignee: 10,
        },
        OpenTask {
            task_id: 2,
            assignee: 11,
        },
    ];
    // 11 decided their own task already; their delegated task for 10 is not a second vote.
    let err = pick_task(11, 99, &open, &[10], true, None).unwrap_err();
    assert_eq!(err.key, "approval.already_decided");
    // A button names its task: someone else's open task needs a delegation.
    let err = pick_task(11, 99, &open, &[], false, Some(1)).unwrap_err();
    assert_eq!(err.key, "approval.not_assigned");
    let acting = pick_task(11, 99, &open, &[10], false, Some(1)).unwrap();
    assert_eq!(acting.on_behalf_of, Some(10));
    // A button for a task no longer open (decided, void, or an earlier stage or round).
    let err = pick_task(11, 99, &open, &[], false, Some(7)).unwrap_err();
    assert_eq!(err.key, "approval.prompt_closed");
}

#[test]
fn reject_and_changes_need_a_comment() {
    assert!(check_comment(Decision::Approve, None).is_ok());
    assert!(check_comment(Decision::Reject, Some("  ")).is_err());
    assert!(check_comment(Decision::Changes, Some("fix the spec")).is_ok());
    assert!(check_comment(Decision::Reject, Some("two\nlines")).is_ok());
    let e = check_comment(Decision::Reject, Some("\u{1b}[2J\n  [1] Approve")).unwrap_err();
    assert_eq!(
        (e.key, e.get("option")),
        ("option.control_char", Some("comment"))
    );
}

fn mode_strategy() -> impl Strategy<Value = (Mode, u32, usize)> {
    (1usize..6).prop_flat_map(|n| {
        prop_oneof![
            Just((Mode::Any, 1u32, n)),
            Just((Mode::All, n as u32, n)),
            (1..=n as u32).prop_map(move |q| (Mode::Quorum(q), q, n)),
        ]
    })
}

fn decision_strategy() -> impl Strategy<Value = Decision> {
    prop_oneof![
        6 => Just(Decision::Approve),
        2 => Just(Decision::Reject),
        1 => Just(Decision::Changes),
    ]
}

/// Replays decisions the way the service does: each decision closes one open task, and the
/// stage is re-evaluated; once decided, remaining tasks are voided and nothing changes it.
fn replay(
    mode: Mode,
    required: u32,
    n: usize,
    decisions: &[(usize, Decision)],
) -> Vec<StageOutcome> {
    let mut tasks = vec![O; n];
    let mut outcome = StageOutcome::Pending;
    let mut history = vec![];
    for (who, d) in decisions {
        if outcome != StageOutcome::Pending {
            break;
        }
        let i = who % n;
        if tasks[i] != O {
            continue; // already decided: CAS fails, nothing changes
        }
        tasks[i] = d.task_status();
        outcome = stage_outcome(mode, required, &tasks);
        history.push(outcome);
        if outcome != StageOutcome::Pending {
            for t in tasks.iter_mut().filter(|t| **t == O) {
                *t = V;
            }
        }
    }
    history
}

proptest! {
    /// Once a stage leaves Pending it is decided exactly once, and a stage where every task
    /// was decided is never left Pending.
    #[test]
    fn stage_reaches_at_most_one_outcome(
        (mode, required, n) in mode_strategy(),
        decisions in prop::collection::vec((0usize..6, decision_strategy()), 0..12),
    ) {
        let history = replay(mode, required, n, &decisions);
        let decided: Vec<_> = history.iter().filter(|o| **o != StageOutcome::Pending).collect();
        prop_assert!(decided.len() <= 1);
        if let Some(last) = history.last() {
            if *last == StageOutcome::Pending {
                prop_assert!(decided.is_empty());
            }
        }
    }

    /// Quorum: approved exactly when N approvals are in; rejected exactly when N is out of reach.
    #[test]
    fn quorum_matches_its_definition(
        q in 1u32..5,
        statuses in prop::collection::vec(prop_oneof![Just(O), Just(A), Just(R)], 1..7),
    ) {
        let q = q.min(statuses.len() as u32);
        let approved = statuses.iter().filter(|s| **s == A).count() as u32;
        let open = statuses.iter().filter(|s| **s == O).count() as u32;
        let outcome = stage_outcome(Mode::Quorum(q), q, &statuses);
        prop_assert_eq!(outcome == StageOutcome::Approved, approved >= q);
        prop_assert_eq!(outcome == StageOutcome::Rejected, approved < q && approved + open < q);
    }

    /// `all`: approved iff every task approved; any rejection rejects.
    #[test]
    fn all_mode_matches_its_definition(
        statuses in prop::collection::vec(prop_oneof![Just(O), Just(A), Just(R)], 1..7),
    ) {
        let n = statuses.len() as u32;
        let outcome = stage_outcome(Mode::All, n, &statuses);
        prop_assert_eq!(outcome == StageOutcome::Approved, statuses.iter().all(|s| *s == A));
        prop_assert_eq!(outcome == StageOutcome::Rejected, statuses.contains(&R));
    }

    /// Nobody can act on a task unless it is theirs or delegated to them, and never the requester.
    #[test]
    fn only_assignees_and_delegates_act(
        actor in 0i64..8, requester in 0i64..8,
        assignees in prop::collection::vec(0i64..8, 1..4),
        delegators in prop::collection::vec(0i64..8, 0..3),
    ) {
        let open: Vec<OpenTask> = assignees.iter().enumerate()
            .map(|(i, a)| OpenTask { task_id: i as i64, assignee: *a }).collect();
        match pick_task(actor, requester, &open, &delegators, false, None) {
            Ok(acting) => {
                prop_assert_ne!(actor, requester);
                match acting.on_behalf_of {
                    None => prop_assert_eq!(acting.assignee, actor),
                    Some(p) => {
                        prop_assert!(delegators.contains(&p));
                        prop_assert!(!assignees.contains(&actor));
                    }
                }
            }
            Err(_) => prop_assert!(
                actor == requester
                    || !(assignees.contains(&actor) || assignees.iter().any(|a| delegators.contains(a)))
            ),
        }
    }
}
