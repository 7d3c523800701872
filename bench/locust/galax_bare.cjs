// The Locust comparison's floor (bench/locust.bench.ts; LOCUST_BARE=0 leaves it out): the work of galax_locustfile.py in plain
// Node, line for line, with no framework: one net socket per bot, 'data' events, a string buffer cut at '\n', a
// setTimeout per think time (0.5-1.5 s after each YEAR), the same pairing (the first of a pair creates with JOIN 0,
// the second joins its id, player 1 starts once player 2 is listed), the same random strategy and one write per
// year. What a Node generator costs when it does this work and nothing else.
//
// node galax_bare.cjs <port> <bots> <seconds>: ramps to <bots> over 5 s, stops after <seconds>, and prints
// { latency: { move_rtt: { uncorrected: { count, p50, p90, p99 } } }, errors: { total } } (µs), as botswarm's --json.
'use strict';
const net = require('node:net');

const [port, bots, seconds] = process.argv.slice(2).map(Number);
const RAMP_MS = 5000;
const started = Date.now();
const latencies = [];
let errors = 0;
/** The game id of the first of an open pair: a number, or the joiners waiting for it. */
let open = null;

function bot() {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let buffer = '';
  let me = 0;
  let planets = [];
  const sent = [];
  /** 0 handshake, 1 creating, 2 waiting for player 2, 3 playing. */
  let state = 0;
  let mine = null;
  const send = (text) => socket.write(text);
  const think = (list) => {
    let out = '';
    if (Math.random() < 0.5) {
      const n = list.length;
      for (const [pid, owner, ships] of list) {
        if (owner !== me || ships < 1 || Math.random() < 0.5) continue;
        let to = Math.floor(Math.random() * (n - 1));
        if (to >= pid) to++;
        out += `MOVE ${pid} ${to} ${Math.max(1, Math.floor(ships * (0.1 + 0.9 * Math.random())))}\r\n`;
        sent.push(0);
      }
    }
    const now = performance.now();
    for (let i = 0; i < sent.length; i++) if (sent[i] === 0) sent[i] = now;
    send(`${out}DONE\r\n`);
  };
  const line = (text) => {
    const cmd = text.slice(0, 4);
    if (state === 0) {
      if (cmd === 'GSRV') send('GCLT 0.22 bare\r\n');
      else if (cmd === 'SLCT') {
        if (open === null) {
          mine = open = { id: null, joiners: [] };
          state = 1;
          send('JOIN 0\r\n');
        } else {
          const pair = open;
          open = null;
          state = 3;
          const join = (id) => send(`JOIN ${id}\r\n`);
          if (pair.id !== null) join(pair.id);
          else pair.joiners.push(join);
        }
      }
      return;
    }
    if (state === 1) {
      if (cmd === 'JNOK') {
        mine.id = Number(text.split(' ')[1]);
        for (const join of mine.joiners) join(mine.id);
        state = 2;
      }
      return;
    }
    if (state === 2 && text.startsWith('GPLR 2')) {
      send('PLAY\r\n');
      state = 3;
    }
    if (cmd === 'PLNT') {
      const f = text.split(' ');
      planets.push([Number(f[1]), Number(f[4]), Number(f[5])]);
    } else if (cmd === 'YEAR') {
      const list = planets;
      planets = [];
      setTimeout(think, 500 + 1000 * Math.random(), list);
    } else if (cmd === 'MVOK' || cmd === 'ERRM' || cmd === 'ERRP') {
      latencies.push(performance.now() - sent.shift());
      if (cmd !== 'MVOK') errors++;
    } else if (cmd === 'GFLD') me = Number(text.split(' ')[5]);
    else if (cmd === 'WINN') {
      socket.end();
      bot();
    } else if (cmd.startsWith('ERR')) errors++;
  };
  socket.on('data', (chunk) => {
    buffer += chunk.toString('latin1');
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      line(buffer.charCodeAt(nl - 1) === 13 ? buffer.slice(0, nl - 1) : buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  });
  socket.on('error', () => errors++);
}

let running = 0;
const ramp = setInterval(() => {
  const due = Math.min(bots, Math.ceil((bots * (Date.now() - started)) / RAMP_MS));
  while (running < due) {
    running++;
    bot();
  }
  if (running >= bots) clearInterval(ramp);
}, 50);
setTimeout(() => {
  latencies.sort((a, b) => a - b);
  const at = (p) =>
    latencies.length
      ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 1000)
      : 0;
  const uncorrected = { count: latencies.length, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
  process.stdout.write(`${JSON.stringify({ latency: { move_rtt: { uncorrected } }, errors: { total: errors } })}\n`);
  process.exit(0);
}, seconds * 1000);
