/**
 * Galax wire codec throughput on one core: the lines of real games (planet lists, years, battles, forts, moves),
 * parsed and formatted in a loop. The corpus comes from seeded offline games of heuristic bots, so the mix of
 * commands is the one a server and its clients actually exchange.
 */

import { matchStreams, runMatch } from '../src/core/match.ts';
import { type GalaxEvent, galaxEngine } from '../src/games/galax/index.ts';
import {
  type ClientMessage,
  formatClientMessage,
  formatServerMessage,
  isParseError,
  parseClientLine,
  parseServerLine,
  type ServerMessage,
} from '../src/protocols/galax/index.ts';
import { createHeuristicStrategy } from '../strategies/galax/index.ts';
import { type Bench, opsPerSecond } from './harness.ts';

const GROUP = 'Galax codec';

async function corpus(): Promise<{ server: ServerMessage[]; client: ClientMessage[] }> {
  const server: ServerMessage[] = [];
  const client: ClientMessage[] = [];
  const config = galaxEngine.parseConfig({ maxYear: 100 });
  for (let seed = 1; seed <= 4; seed++) {
    const out = await runMatch({
      engine: galaxEngine,
      config,
      players: [0, 1, 2, 3].map(() => createHeuristicStrategy({ params: {} })),
      seed,
      record: { actions: true, events: true },
    });
    for (const step of out.actions!) {
      if (step.kind !== 'players') continue;
      for (const [, moves] of step.actions) {
        for (const m of moves) {
          client.push({ cmd: 'MOVE', from: m.from, to: m.to, ships: m.ships });
          server.push({ cmd: 'MVOK', from: m.from, to: m.to, ships: m.ships, arrival: 123 });
        }
        client.push({ cmd: 'DONE' });
      }
    }
    for (const e of out.events as GalaxEvent[]) {
      if (e.kind === 'battle') {
        server.push({ cmd: 'BATT', ...e });
        for (const v of e.volleys) server.push({ cmd: 'ATTK', ...v });
        server.push({ cmd: 'BWIN', planet: e.planet, winner: e.winner, ships: e.ships });
      } else if (e.kind === 'fort') server.push({ cmd: 'FORT', ...e });
      else if (e.kind === 'kill') server.push({ cmd: 'KILL', player: e.player });
      else server.push({ cmd: 'WINN', player: e.player });
    }
    // One planet list and YEAR per year, as the server sends them.
    const state = galaxEngine.setup(config, 4, matchStreams(seed).map);
    for (let year = 0; year < out.steps; year++) {
      for (const p of state.planets) {
        const { x, y, owner, production } = p;
        server.push({ cmd: 'PLNT', planet: p.id, x, y, owner, ships: p.ships + year, production });
      }
      server.push({ cmd: 'YEAR', time: year * 10 });
    }
  }
  return { server, client };
}

export const run: Bench = async () => {
  const { server, client } = await corpus();
  const serverLines = server.map(formatServerMessage);
  const clientLines = client.map(formatClientMessage);
  const serverBuffers = serverLines.map((l) => Buffer.from(l, 'latin1'));
  const clientBuffers = clientLines.map((l) => Buffer.from(l, 'latin1'));
  let sink = 0;
  const parseServer = opsPerSecond(() => {
    for (const b of serverBuffers) {
      const m = parseServerLine(b.toString('latin1'));
      if (isParseError(m)) throw new Error(m.message);
      sink += m.cmd.length;
    }
    return serverBuffers.length;
  });
  const formatServer = opsPerSecond(() => {
    // charCodeAt flattens the concatenated string, as writing it to a socket would.
    for (const m of server) {
      const line = formatServerMessage(m);
      sink += line.charCodeAt(line.length - 1);
    }
    return server.length;
  });
  const parseClient = opsPerSecond(() => {
    for (const b of clientBuffers) {
      const m = parseClientLine(b.toString('latin1'));
      if (isParseError(m)) throw new Error(m.message);
      sink += m.cmd.length;
    }
    return clientBuffers.length;
  });
  const formatClient = opsPerSecond(() => {
    for (const m of client) {
      const line = formatClientMessage(m);
      sink += line.charCodeAt(line.length - 1);
    }
    return client.length;
  });
  if (sink === 0) throw new Error('nothing measured');
  const mix = `${serverLines.length} server lines (PLNT/YEAR/MVOK/BATT/ATTK/BWIN/FORT/KILL/WINN) and ${clientLines.length} client lines (MOVE/DONE) from 4 seeded 4-player heuristic games`;
  return [
    {
      group: GROUP,
      name: 'server lines parsed (Buffer -> message), 1 core',
      value: parseServer,
      unit: 'lines/s',
      note: mix,
    },
    { group: GROUP, name: 'server lines formatted (message -> string), 1 core', value: formatServer, unit: 'lines/s' },
    { group: GROUP, name: 'client lines parsed (Buffer -> message), 1 core', value: parseClient, unit: 'lines/s' },
    { group: GROUP, name: 'client lines formatted (message -> string), 1 core', value: formatClient, unit: 'lines/s' },
  ];
};
