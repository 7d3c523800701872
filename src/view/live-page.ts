/**
 * The page of `serve --web`: the list of the server's games and the one being watched, drawn with the game's
 * renderer from `botswarm view` as frames arrive over the page's WebSocket (`/ws`, docs/spectator.md). Like the
 * viewer it is one self-contained file: nothing is fetched but the socket.
 */
import { SEAT_COLORS, STYLE, scriptJson } from './page.ts';

const LIVE_STYLE = `
#games{border-collapse:collapse;font-size:13px;margin:8px 16px}
#games td,#games th{border-bottom:1px solid #cfd8dc;padding:2px 8px;text-align:left}
#games tr.watching{background:#fff9c4}
#status{padding:4px 16px;color:#37474f}
#scores span{display:inline-block;margin-right:12px}
`;

const APP = String.raw`
var __name = function (target) { return target; };
var COLORS = ${JSON.stringify(SEAT_COLORS)};
var GAMES = JSON.parse(document.getElementById('games-data').textContent);
var $ = function (id) { return document.getElementById(id); };
var ws = null, watching = null, seat = -1, trail = [], lines = [];
function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
function connect() {
  var proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
  ws = new WebSocket(proto + location.host + '/ws');
  ws.onopen = function () { $('status').textContent = 'connected'; document.body.setAttribute('data-connected', '1'); if (watching) watch(watching, seat); };
  ws.onclose = function () { $('status').textContent = 'disconnected; retrying in 2 s'; document.body.setAttribute('data-connected', '0'); setTimeout(connect, 2000); };
  ws.onmessage = function (e) {
    var m = JSON.parse(e.data);
    if (m.type === 'games') list(m);
    else if (m.type === 'frame') frame(m);
    else if (m.type === 'error') $('status').textContent = 'server: ' + m.message;
  };
}
function list(m) {
  var rows = m.games.slice().reverse().map(function (g) {
    return '<tr data-id="' + esc(g.id) + '" class="' + (g.id === watching ? 'watching' : '') + '"><td>' + esc(g.id) + '</td><td>' + esc(g.game) +
      '</td><td>' + g.players + '</td><td>' + esc(g.seed) + '</td><td class="st">' + esc(g.status) + '</td><td>' + g.steps +
      '</td><td><button class="watch" data-id="' + esc(g.id) + '">' + (g.drawn ? 'watch' : 'follow') + '</button></td></tr>';
  }).join('');
  $('games').innerHTML = '<tr><th>game</th><th>kind</th><th>players</th><th>seed</th><th>status</th><th>steps</th><th></th></tr>' + rows;
  $('count').textContent = m.running + ' running' + (m.more ? ' (' + m.more + ' more not listed)' : '');
  Array.prototype.forEach.call(document.querySelectorAll('button.watch'), function (b) {
    b.onclick = function () { watch(b.getAttribute('data-id'), -1); };
  });
}
function watch(id, s) {
  if (id !== watching) { trail = []; lines = []; }
  watching = id; seat = s;
  ws.send(JSON.stringify({ type: 'watch', id: id, seat: s }));
  Array.prototype.forEach.call(document.querySelectorAll('#games tr'), function (tr) {
    tr.className = tr.getAttribute('data-id') === id ? 'watching' : '';
  });
}
function frame(m) {
  if (m.id !== watching) return;
  var g = GAMES[m.game];
  var players = m.scores.length || 0;
  var opts = '<option value="-1">full state</option>';
  for (var i = 0; i < players; i++) opts += '<option value="' + i + '"' + (i === m.seat ? ' selected' : '') + '>seat ' + i + '</option>';
  if ($('seat').options.length !== players + 1) $('seat').innerHTML = opts;
  $('seat').value = String(m.seat);
  if (g && m.view) {
    var bots = []; for (var j = 0; j < players; j++) bots.push('seat ' + j);
    RENDERERS[m.game]($('board'), m.view, { players: players, bots: bots, colors: COLORS, seat: m.seat });
  } else if (!g) $('board').textContent = 'no drawing for ' + m.game + ' yet; its steps are listed on the right';
  trail.push(m.scores);
  if (trail.length > 2000) trail.splice(0, trail.length - 2000);
  if (m.droppedLines) lines.push('(' + m.droppedLines + ' lines not shown)');
  lines = lines.concat(m.lines);
  if (lines.length > 300) lines.splice(0, lines.length - 300);
  $('lines').textContent = lines.join('\n');
  $('lines').scrollTop = $('lines').scrollHeight;
  var result = m.result ? ' \u2014 ' + (m.result.winner === null ? 'draw' : 'seat ' + m.result.winner + ' wins') + ' (' + m.result.scores.join(', ') + ')' : '';
  $('pos').textContent = m.id + ' \u00b7 ' + m.label + ' \u00b7 ' + m.steps + ' steps \u00b7 ' + m.status + result;
  $('scores').innerHTML = m.scores.map(function (v, k) {
    return '<span><i class="swatch" style="background:' + COLORS[k % COLORS.length] + '"></i>seat ' + k + ': ' + v + '</span>';
  }).join('');
  chart(g ? g.scoreName : 'score');
  document.body.setAttribute('data-steps', String(m.steps));
  document.body.setAttribute('data-status', m.status);
  document.body.setAttribute('data-seat', String(m.seat));
}
function chart(name) {
  var W = 600, H = 170, PAD = 30, max = 1;
  trail.forEach(function (s) { s.forEach(function (v) { if (v > max) max = v; }); });
  var x = function (i) { return PAD + (W - PAD - 8) * (trail.length > 1 ? i / (trail.length - 1) : 0); };
  var y = function (v) { return H - 18 - (H - 30) * (v / max); };
  var svg = '<text x="2" y="12" font-size="11">' + esc(name) + ' (max ' + max + ')</text>';
  var n = trail.length ? trail[trail.length - 1].length : 0;
  for (var s = 0; s < n; s++) {
    var pts = trail.map(function (h, i) { return x(i).toFixed(1) + ',' + y(h[s] || 0).toFixed(1); });
    svg += '<polyline fill="none" stroke-width="2" stroke="' + COLORS[s % COLORS.length] + '" points="' + pts.join(' ') + '"/>';
  }
  $('chart').innerHTML = svg;
  $('chart').setAttribute('viewBox', '0 0 ' + W + ' ' + H);
}
$('seat').onchange = function () { if (watching) watch(watching, Number($('seat').value)); };
connect();
`;

/** The live page for a server whose games draw with `games` (game id -> its viewer's renderer and score name). */
export function livePage(games: Readonly<Record<string, { renderer: string; scoreName: string }>>): string {
  const renderers = Object.entries(games)
    .map(([id, g]) => `${JSON.stringify(id)}: (${g.renderer})`)
    .join(',\n');
  const meta = Object.fromEntries(Object.entries(games).map(([id, g]) => [id, { scoreName: g.scoreName }]));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'">
<title>botswarm live</title>
<style>${STYLE}${LIVE_STYLE}</style></head>
<body data-connected="0">
<header><h1>botswarm live · <span id="count">no games yet</span></h1></header>
<div id="status">connecting…</div>
<table id="games"></table>
<div id="controls"><span id="pos">pick a game to watch</span>
<select id="seat" aria-label="point of view"><option value="-1">full state</option></select></div>
<main><div id="board"></div>
<aside><h3>Steps</h3><pre id="lines"></pre><div id="scores"></div>
<h3>Scores over time</h3><svg id="chart" xmlns="http://www.w3.org/2000/svg"></svg></aside></main>
<script type="application/json" id="games-data">${scriptJson(meta)}</script>
<script>
var RENDERERS = {
${renderers}
};
${APP}
</script>
</body></html>
`;
}
