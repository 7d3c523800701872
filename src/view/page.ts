import type { ViewData } from './frames.ts';

/** One colour per seat (up to 8 players), readable on the light and the dark parts of every board. */
export const SEAT_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b'];

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON that is safe inside a <script> element (no `</script>`, no `<!--`, no U+2028/9 surprises). */
export const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** The viewer's styles, shared by the live spectator page. */
export const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{padding:8px 16px;background:#263238;color:#fff}
header h1{font-size:18px;margin:0}
header .bots span{display:inline-block;margin-right:12px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:middle}
#controls{display:flex;flex-wrap:wrap;gap:6px;align-items:center;padding:8px 16px;background:#eceff1;position:sticky;top:0}
#controls button{min-width:34px}
#scrub{flex:1;min-width:200px}
main{display:flex;flex-wrap:wrap;gap:16px;padding:12px 16px}
#board{flex:1 1 560px;min-width:320px}
#board svg{width:100%;height:auto;background:#fff;border:1px solid #cfd8dc}
aside{flex:0 1 380px;min-width:280px}
#lines{font:12px/1.35 ui-monospace,monospace;white-space:pre-wrap;background:#fff;border:1px solid #cfd8dc;padding:6px;
  max-height:320px;overflow:auto;margin:0}
#note{color:#555;font-style:italic}
#chart{width:100%;height:180px;background:#fff;border:1px solid #cfd8dc}
kbd{border:1px solid #aaa;border-radius:3px;padding:0 3px;background:#fff;font-size:11px}
`;

/** The page's own code: playback, the seat switch, the step's lines, the score chart. `render` is the game's. */
const APP = String.raw`
var __name = function (target) { return target; };
var DATA = JSON.parse(document.getElementById('view-data').textContent);
var COLORS = ${JSON.stringify(SEAT_COLORS)};
var frames = DATA.frames, at = 0, timer = null, seat = -1;
var $ = function (id) { return document.getElementById(id); };
var info = { players: DATA.bots.length, bots: DATA.bots, colors: COLORS, seat: -1 };
function show(i) {
  at = Math.max(0, Math.min(frames.length - 1, i));
  var f = frames[at];
  var view = seat >= 0 && f.seats ? f.seats[seat] : f.full;
  info.seat = seat;
  RENDER($('board'), view, info);
  $('scrub').value = String(at);
  $('pos').textContent = 'step ' + f.step + ' / ' + frames[frames.length - 1].step + ' \u2014 ' + f.label;
  var lines = seat >= 0 && f.seatLines ? f.seatLines[seat] : f.lines;
  $('lines').textContent = lines.length ? lines.join('\n') : (at === 0 ? 'start of the game' : '(nothing happened)');
  $('cursor').setAttribute('x1', String(xOf(at)));
  $('cursor').setAttribute('x2', String(xOf(at)));
  document.body.setAttribute('data-step', String(at));
  document.body.setAttribute('data-seat', String(seat));
}
function play() {
  if (timer) return;
  if (at >= frames.length - 1) show(0);
  $('play').textContent = 'II';
  timer = setInterval(function () {
    if (at >= frames.length - 1) return pause();
    show(at + 1);
  }, Number($('speed').value));
}
function pause() {
  if (timer) clearInterval(timer);
  timer = null;
  $('play').textContent = '\u25b6';
}
function setSeat(s) {
  seat = s;
  $('seat').value = String(s);
  $('note').textContent = s >= 0 && !frames[0].seats ? DATA.nothingHidden : '';
  show(at);
}
var W = 600, H = 170, PAD = 30, maxScore = 1;
frames.forEach(function (f) { f.scores.forEach(function (v) { if (v > maxScore) maxScore = v; }); });
function xOf(i) { return PAD + (W - PAD - 8) * (frames.length > 1 ? i / (frames.length - 1) : 0); }
function yOf(v) { return H - 18 - (H - 30) * (v / maxScore); }
function chart() {
  var svg = '<text x="2" y="12" font-size="11">' + DATA.scoreName + ' (max ' + maxScore + ')</text>';
  svg += '<line x1="' + PAD + '" y1="' + yOf(0) + '" x2="' + (W - 8) + '" y2="' + yOf(0) + '" stroke="#999"/>';
  for (var s = 0; s < DATA.bots.length; s++) {
    var pts = frames.map(function (f, i) { return xOf(i).toFixed(1) + ',' + yOf(f.scores[s] || 0).toFixed(1); });
    svg += '<polyline class="score" data-seat="' + s + '" fill="none" stroke-width="2" stroke="' + COLORS[s % COLORS.length] + '" points="' + pts.join(' ') + '"/>';
  }
  svg += '<line id="cursor" x1="0" x2="0" y1="4" y2="' + (H - 14) + '" stroke="#000" stroke-dasharray="3 3"/>';
  $('chart').innerHTML = svg;
  $('chart').setAttribute('viewBox', '0 0 ' + W + ' ' + H);
}
chart();
$('scrub').max = String(frames.length - 1);
$('scrub').addEventListener('input', function () { pause(); show(Number($('scrub').value)); });
$('first').onclick = function () { pause(); show(0); };
$('prev').onclick = function () { pause(); show(at - 1); };
$('next').onclick = function () { pause(); show(at + 1); };
$('last').onclick = function () { pause(); show(frames.length - 1); };
$('play').onclick = function () { timer ? pause() : play(); };
$('speed').onchange = function () { if (timer) { pause(); play(); } };
$('seat').onchange = function () { setSeat(Number($('seat').value)); };
document.addEventListener('keydown', function (e) {
  if (e.target && e.target.tagName === 'SELECT') return;
  var k = e.key;
  if (k === ' ') { e.preventDefault(); timer ? pause() : play(); }
  else if (k === 'ArrowRight') { pause(); show(at + 1); }
  else if (k === 'ArrowLeft') { pause(); show(at - 1); }
  else if (k === 'Home') { pause(); show(0); }
  else if (k === 'End') { pause(); show(frames.length - 1); }
  else if (k === 'PageDown') { pause(); show(at + 10); }
  else if (k === 'PageUp') { pause(); show(at - 10); }
  else if (k === 'f') setSeat(-1);
  else if (/^[1-8]$/.test(k) && Number(k) <= DATA.bots.length) setSeat(Number(k) - 1);
});
setSeat(-1);
`;

/**
 * The whole viewer as one HTML file: data, styles, the page's code and the game's renderer inline, nothing
 * fetched (no network, no external assets), so it opens from disk, from a mail or from a CI artefact.
 */
export function viewerPage(data: ViewData, renderer: string): string {
  const r = data.result;
  const outcome = r.winner === null ? 'draw' : `seat ${r.winner} (${data.bots[r.winner]}) wins`;
  const bots = data.bots
    .map(
      (b, i) =>
        `<span><i class="swatch" style="background:${SEAT_COLORS[i % SEAT_COLORS.length]}"></i>seat ${i}: ${escapeHtml(b)} — ${r.scores[i]}</span>`,
    )
    .join('');
  const seatOptions = data.bots.map((b, i) => `<option value="${i}">seat ${i}: ${escapeHtml(b)}</option>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(`${data.game} seed ${data.seed}: ${outcome}`)}</title>
<style>${STYLE}</style></head>
<body data-game="${escapeHtml(data.game)}">
<header><h1>${escapeHtml(`${data.game} ${data.engineVersion} · seed ${data.seed} · ${data.frames.at(-1)?.step ?? 0} steps · ${outcome}`)}</h1>
<div class="bots">${bots}</div></header>
<div id="controls">
<button id="first" title="first step (Home)">|◀</button><button id="prev" title="step back (←)">‹</button>
<button id="play" title="play / pause (space)">▶</button><button id="next" title="step forward (→)">›</button>
<button id="last" title="last step (End)">▶|</button>
<input id="scrub" type="range" min="0" value="0" step="1" aria-label="step">
<span id="pos"></span>
<select id="speed" aria-label="speed"><option value="800">slow</option><option value="300" selected>normal</option><option value="80">fast</option></select>
<select id="seat" aria-label="point of view"><option value="-1">full state</option>${seatOptions}</select>
</div>
<main><div id="board"></div>
<aside><h3>This step</h3><pre id="lines"></pre><p id="note"></p>
<h3>Scores over time</h3><svg id="chart" xmlns="http://www.w3.org/2000/svg"></svg>
<p><kbd>space</kbd> play/pause · <kbd>←</kbd> <kbd>→</kbd> step · <kbd>PgUp</kbd> <kbd>PgDn</kbd> 10 steps ·
<kbd>Home</kbd> <kbd>End</kbd> · <kbd>f</kbd> full state · <kbd>1</kbd>…<kbd>8</kbd> a seat's view</p></aside></main>
<script type="application/json" id="view-data">${scriptJson(data)}</script>
<script>
var RENDER = (${renderer});
${APP}
</script>
</body></html>
`;
}
