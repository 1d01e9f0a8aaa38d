/// The one stylesheet, inlined in every page (nothing is fetched from elsewhere).
enum Style {
    static let css = """
    :root { --fg: #1d2329; --muted: #5f6b76; --line: #d8dee4; --bg: #f6f8fa; --accent: #0b63c5;
            --resolved: #1a7f37; --unresolved: #cf222e; --ungraded: #8c959f; --error: #bc4c00; --unfinished: #8250df; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
    nav.top { background: #24292f; padding: 10px 20px; }
    nav.top a { color: #f0f3f6; margin-right: 18px; text-decoration: none; }
    nav.top a.brand { font-weight: 700; }
    main { padding: 16px 24px 48px; max-width: 1400px; }
    h1 { font-size: 22px; margin: 4px 0 12px; word-break: break-all; }
    h2 { font-size: 17px; margin: 24px 0 8px; }
    a { color: var(--accent); }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: var(--bg); font-weight: 600; white-space: nowrap; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .muted { color: var(--muted); }
    .badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; color: #fff; background: var(--ungraded); }
    .outcome-resolved { background: var(--resolved); }
    .outcome-unresolved { background: var(--unresolved); }
    .outcome-ungraded { background: var(--ungraded); }
    .outcome-error { background: var(--error); }
    .outcome-unfinished { background: var(--unfinished); }
    .facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0 16px; }
    .facts dt { color: var(--muted); }
    .facts dd { margin: 0; word-break: break-all; }
    form.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; background: var(--bg); padding: 10px; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 12px; }
    form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
    form.filters select, form.filters input { font: inherit; padding: 3px 5px; min-width: 140px; }
    .charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; margin-bottom: 18px; }
    figure.chart-box { margin: 0; }
    .chart-box { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: #fff; }
    .chart-box h3 { font-size: 13px; margin: 0 0 4px; color: var(--muted); font-weight: 600; }
    svg.chart text { font: 11px system-ui, sans-serif; fill: var(--muted); }
    pre { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 8px; margin: 4px 0; overflow-x: auto; white-space: pre-wrap; word-break: break-word; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; max-height: 560px; overflow-y: auto; }
    .line { display: block; }
    .diff-add { background: #dafbe1; color: #116329; }
    .diff-del { background: #ffebe9; color: #a40e26; }
    .diff-hunk { background: #ddf4ff; color: #0550ae; }
    .diff-file { font-weight: 700; color: #24292f; }
    .step { border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 6px; margin: 12px 0; padding: 8px 12px; }
    .step.tool-submit { border-left-color: var(--resolved); }
    .step.tool-edit, .step.tool-create { border-left-color: var(--accent); }
    .step.step-mismatch { border-left-color: var(--unresolved); background: #fff8f7; }
    .step header { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
    .step header .index { font-weight: 700; }
    .step .label { font-size: 12px; color: var(--muted); margin-top: 6px; }
    .replay-mark { font-size: 12px; padding: 0 7px; border-radius: 10px; }
    .replay-mismatch { background: var(--unresolved); color: #fff; }
    .replay-normalized { background: #fff1c2; color: #6b4d00; }
    .replay-exact { background: #dafbe1; color: #116329; }
    .notice { background: #fff8c5; border: 1px solid #eedc82; padding: 8px 12px; border-radius: 6px; }
    .step-overview { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0 8px; }
    .chip { font-size: 12px; padding: 1px 8px; border: 1px solid var(--line); border-radius: 10px; text-decoration: none; background: var(--bg); }
    .chip-mismatch { background: var(--unresolved); border-color: var(--unresolved); color: #fff; }
    details summary { cursor: pointer; color: var(--accent); }
    .bad { color: var(--unresolved); } .good { color: var(--resolved); }
    mark.current-line { background: #fff3b0; display: block; }
    table.locals tr.changed td { font-weight: 600; }
    ol.frames li.current { background: #fff3b0; }
    nav.steps { margin: 8px 0; }
    """
}
