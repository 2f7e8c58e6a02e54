//! A page per reference and the search box: the chat's story, for those allowed to read it.

use super::inbox::task_of;
use super::serve;
use bizdesk::domain::reference::{RefKind, Reference};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_page_tells_its_story_to_those_who_may_read_it() {
    let w = serve().await;
    let r = w.d.submit("huang.lei", "Drill", 1, "800").await;
    let huang = w.session("huang.lei").await;
    let (status, page) = w.get(Some(&huang), &format!("/r/{r}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<section id=\"ref-story\" class=\"card chat\">"));
    assert!(page.contains("Drill") && page.contains("id=\"ref-timeline\""));
    // Any case, with or without the zero padding.
    let short = format!("/r/{}", r.to_lowercase().replace("-00000", "-"));
    assert_eq!(w.get(Some(&huang), &short).await.0, 200, "{short}");
    // Its approver sees the story and the decision form.
    let task = task_of(&w, "zhou.qiang", &r).await;
    let zhou = w.session("zhou.qiang").await;
    let (_, page) = w.get(Some(&zhou), &format!("/r/{r}")).await;
    assert!(page.contains(&format!("id=\"approve-{task}\"")), "{page}");
    // A salesman of another department may not read it: no story.
    let tom = w.session("tom.baker").await;
    let (status, page) = w.get(Some(&tom), &format!("/r/{r}")).await;
    assert_eq!(status, 404, "{page}");
    assert!(!page.contains("ref-story") && !page.contains("Drill"));
    // Not a reference: a clear page in the reader's language.
    let (status, page) = w.get(Some(&tom), "/r/XYZ-1").await;
    assert_eq!(status, 400);
    assert!(page.contains("Not a reference"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_takes_a_reference_or_words() {
    let w = serve().await;
    let r = w.d.submit("tom.baker", "Ergonomic chair", 1, "900").await;
    let tom = w.session("tom.baker").await;
    let number: Reference = r.parse().unwrap();
    let q = format!("/search?q=req-{}", number.number);
    let resp = w
        .http
        .get(format!("{}{q}", w.base))
        .header("cookie", &tom.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], format!("/r/{r}"));
    let (status, page) = w.get(Some(&tom), "/search?q=ergonomic").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("href=\"/r/{r}\"")), "{page}");
    // Someone else does not find it.
    let grace = w.session("grace.lin").await;
    let (_, page) = w.get(Some(&grace), "/search?q=ergonomic").await;
    assert!(!page.contains(&r) && page.contains("id=\"search-none\""));
    let (status, page) = w.get(Some(&tom), "/search?q=+").await;
    assert_eq!(status, 400);
    assert!(page.contains("Nothing to search for"));
    let long = "a".repeat(201);
    assert_eq!(w.get(Some(&tom), &format!("/search?q={long}")).await.0, 400);
}

#[tokio::test]
async fn every_kind_of_reference_has_a_show_command() {
    let d = crate::common::spawn_desk().await;
    for kind in RefKind::ALL {
        let line = format!("{} ref:{}", kind.show_command(), kind.example());
        let inv = bizdesk::commands::parse_line(&d.chat.catalog, &line, &d.chat.parse_context());
        let inv = inv.unwrap_or_else(|e| panic!("{line}: {e:?}"));
        assert!(
            inv.action.ends_with(".show") || inv.action.ends_with(".status"),
            "{line}: {}",
            inv.action
        );
    }
}
