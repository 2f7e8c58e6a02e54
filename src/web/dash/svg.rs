//! Bar and line charts as inline SVG, drawn by the server: axes with rounded ticks, category
//! labels, a legend, and a "no data yet" state. No script, font or style sheet from anywhere:
//! colours are presentation attributes (allowed by the page's CSP), text is escaped, and the
//! `viewBox` lets the chart scale to a phone's width.

use crate::web::page::escape;
use std::fmt::Write;

/// A chart with its words already in the reader's language.
#[derive(Debug, Clone)]
pub struct View<'a> {
    pub lines: bool,
    pub categories: &'a [String],
    pub series: &'a [(String, Vec<f64>)],
    /// The chart's accessible name (the panel's title).
    pub title: &'a str,
    /// What the empty state says.
    pub no_data: &'a str,
}

// Narrow enough that its text stays legible when a phone scales it to ~340 px.
const W: f64 = 400.0;
const H: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 36.0;
/// The height of one row of the legend.
const LEGEND_ROW: f64 = 20.0;
const BOTTOM: f64 = 48.0;
/// Text size in the viewBox: 400 units drawn about 310 px wide on a 375 px phone keep it
/// near 11 px there, and larger on wider screens.
const FONT: f64 = 14.0;
/// The room one Latin character of that text takes (a wide CJK character takes twice).
const CHAR_W: f64 = 7.8;
/// Colour-blind-safe colours (Okabe–Ito), one per series.
const COLOURS: [&str; 6] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
];

/// The chart as an `<svg class="chart">` element.
pub fn render(v: &View<'_>) -> String {
    let mut out = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {W} {H}\" \
         preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(v.title)
    );
    let finite = || {
        v.series
            .iter()
            .flat_map(|(_, s)| s.iter().copied())
            .filter(|x| x.is_finite())
    };
    // A point at zero is data on a line; a bar of zero height is not.
    let has_data = !v.categories.is_empty() && finite().any(|x| v.lines || x != 0.0);
    if !has_data {
        let _ = write!(
            out,
            "<path class=\"axis\" d=\"M{LEFT} {y} H{x}\" stroke=\"#888\" fill=\"none\"/>\
             <text class=\"empty\" x=\"{cx}\" y=\"{cy}\" text-anchor=\"middle\" fill=\"#555\" \
             font-size=\"16\">{}</text></svg>",
            escape(v.no_data),
            y = H - BOTTOM,
            x = W - RIGHT,
            cx = W / 2.0,
            cy = H / 2.0,
        );
        return out;
    }
    let max = finite().fold(0.0_f64, f64::max);
    let min = finite().fold(0.0_f64, f64::min);
    // Counts (every value whole) get whole ticks: no "0.4 requests".
    let whole = finite().all(|x| x.fract() == 0.0);
    let (lo, hi, step) = if whole {
        whole_ticks(min, max)
    } else {
        ticks(min, max)
    };
    // The legend wraps onto more rows when its names do not fit; the plot starts below it.
    let rows = legend(&mut out, v.series);
    let top = TOP + LEGEND_ROW * (rows - 1) as f64;
    let plot_h = H - top - BOTTOM;
    let plot_w = W - LEFT - RIGHT;
    let y_of = |x: f64| top + plot_h * (hi - x) / (hi - lo);
    // Grid lines and tick labels.
    let mut t = lo;
    while t <= hi + step / 2.0 {
        let y = y_of(t);
        let _ = write!(
            out,
            "<path class=\"grid\" d=\"M{LEFT} {y:.1} H{x}\" stroke=\"#ddd\" fill=\"none\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\" font-size=\"{FONT}\" fill=\"#444\">{}</text>",
            axis_number(t),
            x = W - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0,
        );
        t += step;
    }
    let _ = write!(
        out,
        "<path class=\"axis\" d=\"M{LEFT} {top} V{b:.1} H{r}\" stroke=\"#444\" fill=\"none\"/>",
        b = y_of(lo.max(0.0).min(hi)),
        r = W - RIGHT,
    );
    let n = v.categories.len();
    let band = plot_w / n as f64;
    // Category labels: as many as fit (at least 64 units apart), each shortened to its room.
    let every = (n as f64 / (plot_w / 64.0)).ceil().max(1.0) as usize;
    let room = band * every as f64 - 4.0;
    for (i, c) in v.categories.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{y}\" text-anchor=\"middle\" font-size=\"{FONT}\" fill=\"#444\">{}</text>",
                escape(&fit(c, room)),
                x = LEFT + band * (i as f64 + 0.5),
                y = H - BOTTOM + 16.0,
            );
        }
    }
    let zero = y_of(0.0_f64.clamp(lo, hi));
    for (k, (name, values)) in v.series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        if v.lines {
            line(
                &mut out,
                values,
                colour,
                name,
                |i| LEFT + band * (i as f64 + 0.5),
                &y_of,
            );
        } else {
            let width = band * 0.8 / v.series.len() as f64;
            for (i, x) in values.iter().enumerate().take(n) {
                if !x.is_finite() || *x == 0.0 {
                    continue;
                }
                let (y0, y1) = (zero, y_of(*x));
                let _ = write!(
                    out,
                    "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\" \
                     fill=\"{colour}\"><title>{}: {}</title></rect>",
                    LEFT + band * (i as f64 + 0.1) + width * k as f64,
                    y0.min(y1),
                    (y0 - y1).abs().max(0.5),
                    escape(name),
                    number(*x),
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// One series as a path (broken where a value is missing) with a dot per point.
fn line(
    out: &mut String,
    values: &[f64],
    colour: &str,
    name: &str,
    x_of: impl Fn(usize) -> f64,
    y_of: &impl Fn(f64) -> f64,
) {
    let mut d = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() {
            let _ = write!(
                d,
                "{}{:.1} {:.1} ",
                if pen_down { "L" } else { "M" },
                x_of(i),
                y_of(*v)
            );
            pen_down = true;
        } else {
            pen_down = false;
        }
    }
    if !d.is_empty() {
        let _ = write!(
            out,
            "<path class=\"line\" d=\"{}\" stroke=\"{colour}\" stroke-width=\"2\" fill=\"none\"/>",
            d.trim_end()
        );
    }
    for (i, v) in values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
        let _ = write!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>{}: {}</title></circle>",
            x_of(i),
            y_of(*v),
            escape(name),
            number(*v),
        );
    }
}

/// The legend along the top: a swatch and a name per series.
fn legend(out: &mut String, series: &[(String, Vec<f64>)]) -> usize {
    let mut x = LEFT;
    let mut row = 0usize;
    for (k, (name, _)) in series.iter().enumerate() {
        let name = shorten(name, 24);
        // Wide characters (CJK) take about twice the room of Latin ones.
        let width: f64 = name.chars().map(char_width).sum();
        if x > LEFT && x + 16.0 + width > W - RIGHT {
            row += 1;
            x = LEFT;
        }
        let y = 10.0 + LEGEND_ROW * row as f64;
        let _ = write!(
            out,
            "<rect class=\"swatch\" x=\"{x:.1}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{tx:.1}\" y=\"{ty}\" font-size=\"{FONT}\" fill=\"#222\">{}</text>",
            COLOURS[k % COLOURS.len()],
            escape(&name),
            tx = x + 16.0,
            ty = y + 10.0,
        );
        x += 16.0 + width + 16.0;
    }
    row + 1
}

/// Axis bounds and step: round numbers covering `[min, max]` in at most six steps.
pub fn ticks(min: f64, max: f64) -> (f64, f64, f64) {
    // All values equal (all zero on a line): a unit-high axis instead of a flat one.
    let span = if max > min { max - min } else { 1.0 };
    let raw = span / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let lo = (min / step).floor() * step;
    let hi = ((max.max(min + span) / step).ceil() * step).max(lo + step);
    (lo, hi, step)
}

/// [`ticks`] for whole numbers: steps of 1, 2 or 5 times a power of ten, never below 1.
pub fn whole_ticks(min: f64, max: f64) -> (f64, f64, f64) {
    let span = if max > min { max - min } else { 1.0 };
    let raw = (span / 6.0).max(1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let lo = (min / step).floor() * step;
    let hi = ((max.max(min + span) / step).ceil() * step).max(lo + step);
    (lo, hi, step)
}

/// A number as tables and CSV show it: whole numbers without decimals, others with up to two.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// At most `max` characters, with an ellipsis when cut.
/// A tick label short enough for the axis: 2,500,000 → 2.5M, 40,000 → 40k (the table has
/// the exact figures).
fn axis_number(x: f64) -> String {
    let a = x.abs();
    if a >= 1e6 {
        format!("{}M", number(x / 1e6))
    } else if a >= 1e4 {
        format!("{}k", number(x / 1e3))
    } else {
        number(x)
    }
}

/// The room a character takes at [`FONT`]: wide (CJK) ones about twice a Latin one.
fn char_width(c: char) -> f64 {
    if c.is_ascii() {
        CHAR_W
    } else {
        2.0 * CHAR_W
    }
}

/// `s` shortened with `…` to fit `room` units of the viewBox.
fn fit(s: &str, room: f64) -> String {
    let total: f64 = s.chars().map(char_width).sum();
    if total <= room {
        return s.to_string();
    }
    let mut used = CHAR_W; // the ellipsis
    let mut t = String::new();
    for c in s.chars() {
        used += char_width(c);
        if used > room {
            break;
        }
        t.push(c);
    }
    t.push('…');
    t
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view<'a>(cats: &'a [String], series: &'a [(String, Vec<f64>)], lines: bool) -> View<'a> {
        View {
            lines,
            categories: cats,
            series,
            title: "T <&>",
            no_data: "No data yet",
        }
    }

    #[test]
    fn text_is_escaped() {
        let cats = vec!["<script>alert(1)</script>".to_string()];
        let series = vec![("a\"b&c".to_string(), vec![3.0])];
        let svg = render(&view(&cats, &series, false));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("aria-label=\"T &lt;&amp;&gt;\""));
        assert!(svg.contains("a&quot;b&amp;c"));
        assert!(svg.contains("<rect class=\"bar\""));
    }

    #[test]
    fn a_long_legend_wraps_and_stays_inside() {
        let cats = vec!["a".to_string(), "b".to_string()];
        let names = ["不足 1 天", "1–3 天", "3–7 天", "超过 7 天", "超过 30 天"];
        let series: Vec<(String, Vec<f64>)> = names
            .iter()
            .map(|n| (n.to_string(), vec![1.0, 2.0]))
            .collect();
        let svg = render(&view(&cats, &series, false));
        for n in names {
            assert!(
                svg.contains(&format!(">{n}</text>")),
                "{n} shown whole: {svg}"
            );
        }
        // Every legend text starts inside the chart, on a second row when the first is full.
        assert!(
            svg.contains("y=\"30\"") || svg.contains("y=\"50\""),
            "{svg}"
        );
        for x in svg.split("<text x=\"").skip(1) {
            let x: f64 = x.split('"').next().unwrap().parse().unwrap();
            assert!(x < W - RIGHT, "text starts at {x}");
        }
    }

    #[test]
    fn empty_data_says_so_without_bars() {
        let svg = render(&view(&[], &[], false));
        assert!(svg.contains("No data yet"));
        assert!(!svg.contains("class=\"bar\""));
        let cats = vec!["2026-01".to_string()];
        let zeros = vec![("n".to_string(), vec![0.0])];
        assert!(render(&view(&cats, &zeros, false)).contains("No data yet"));
        assert!(render(&view(&cats, &zeros, true)).contains("<circle"));
        let missing = vec![("n".to_string(), vec![f64::NAN])];
        assert!(render(&view(&cats, &missing, true)).contains("No data yet"));
    }

    #[test]
    fn large_numbers_get_round_ticks_and_marks_stay_inside() {
        let cats: Vec<String> = (0..53).map(|i| format!("2026-W{i:02}")).collect();
        let values: Vec<f64> = (0..53).map(|i| 1_000_000.0 + i as f64 * 37_123.5).collect();
        let series = vec![("value".to_string(), values)];
        let (lo, hi, step) = ticks(0.0, 2_968_000.0);
        assert_eq!((lo, hi, step), (0.0, 3_000_000.0, 500_000.0));
        // Counts: whole steps only.
        assert_eq!(whole_ticks(0.0, 2.0), (0.0, 2.0, 1.0));
        assert_eq!(whole_ticks(0.0, 3.0), (0.0, 3.0, 1.0));
        assert_eq!(whole_ticks(0.0, 13.0), (0.0, 15.0, 5.0));
        assert_eq!(whole_ticks(0.0, 0.0), (0.0, 1.0, 1.0));
        for lines in [false, true] {
            let svg = render(&view(&cats, &series, lines));
            assert!(svg.contains(">3M<"), "{svg}");
            assert!(!svg.contains("NaN") && !svg.contains("inf"));
        }
        let svg = render(&view(&cats, &series, true));
        assert_eq!(svg.matches("<circle").count(), 53);
        assert!(svg.contains("<path class=\"line\""));
        assert_eq!(ticks(0.0, 0.0), (0.0, 1.0, 0.2));
        assert_eq!(number(1234.5), "1234.5");
        assert_eq!(number(7.0), "7");
        assert_eq!(number(0.126), "0.13");
    }

    #[test]
    fn a_gap_breaks_the_line() {
        let cats: Vec<String> = (0..3).map(|i| i.to_string()).collect();
        let series = vec![("x".to_string(), vec![1.0, f64::NAN, 2.0])];
        let svg = render(&view(&cats, &series, true));
        let start = svg.find("class=\"line\" d=\"").unwrap();
        let d = &svg[start..start + svg[start..].find("\" stroke").unwrap()];
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
