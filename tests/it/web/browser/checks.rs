//! What every page must be, checked in the browser: nothing blocked or thrown in the console,
//! no sideways scrolling at phone width, every field labelled, text readable.

use super::Browser;
use serde_json::json;

impl Browser {
    /// Fails on what the browser's console reported as an error since the last look: a
    /// style or script the content security policy blocked, a script error, a missing asset.
    pub async fn assert_console_clean(&self) {
        let url = format!("{}/session/{}/se/log", self.driver, self.session);
        let log: serde_json::Value = reqwest::Client::new()
            .post(&url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let errors: Vec<&str> = log["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .filter_map(|e| e["message"].as_str())
            // A page's own status (a 409 or 410 problem page) is the test's to check; a
            // missing asset is not (browsers ask for /favicon.ico by themselves).
            .filter(|m| {
                let url = m.split(' ').next().unwrap_or_default();
                let asset = url.contains("/assets/");
                asset || !m.contains("Failed to load resource")
            })
            .collect();
        assert!(errors.is_empty(), "the browser console: {errors:#?}");
    }

    /// At phone width nothing is wider than the screen (no sideways scrolling), and every
    /// field and button on the page says what it is (a label, or words on the button).
    pub async fn assert_usable(&self) {
        let unlabelled = self
            .js("return Array.from(document.querySelectorAll(\
                 'input:not([type=hidden]), textarea, select, button')).filter(e => {\
                   if (e.tagName === 'BUTTON') return !(e.textContent.trim() || e.getAttribute('aria-label'));\
                   if (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.closest('label')) return false;\
                   return !(e.id && document.querySelector('label[for=\"' + CSS.escape(e.id) + '\"]'));\
                 }).map(e => e.outerHTML.slice(0, 160))")
            .await;
        assert_eq!(
            unlabelled,
            json!([]),
            "fields without a label on {}",
            self.path().await
        );
        self.assert_readable().await;
        let widths = self
            .js("return [document.documentElement.scrollWidth, window.innerWidth]")
            .await;
        let (scroll, inner) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
        assert!(
            scroll <= inner,
            "{} scrolls sideways: {scroll} px of content in a {inner} px window",
            self.path().await
        );
    }

    /// Text that is hard to read: less contrast with its background than WCAG AA asks
    /// (4.5:1, or 3:1 for large text). Chart text (SVG) is left out.
    pub async fn assert_readable(&self) {
        let faint = self.js(CONTRAST).await;
        assert_eq!(faint, json!([]), "faint text on {}", self.path().await);
    }
}

/// Lists the page's text elements whose colour contrasts too little with their background.
const CONTRAST: &str = r#"
const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
const bg = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c; } return [255, 255, 255]; };
const out = [];
for (const e of document.querySelectorAll('body *')) {
  if (e.closest('svg')) continue;
  const text = Array.from(e.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
  if (!text) continue;
  const r = e.getBoundingClientRect();
  if (r.width <= 1 || r.height <= 1) continue;
  const st = getComputedStyle(e);
  if (st.visibility === 'hidden' || Number(st.opacity) === 0) continue;
  const fg = rgb(st.color), b = bg(e);
  const l1 = lum(fg), l2 = lum(b);
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
  const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  if (ratio < need) out.push(e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' "' + text.slice(0, 40) + '" ' + ratio.toFixed(2) + ' < ' + need + ' (' + st.color + ' on rgb(' + b.slice(0,3).join(',') + '))');
}
return out;
"#;
