import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  delimitedFramer,
  FrameError,
  type Framer,
  lengthFramer,
  lineFramer,
  textLineFramer,
} from '../../src/net/framing.ts';

function collect(framer: Framer, chunks: readonly Buffer[]) {
  const frames: string[] = [];
  const errors: string[] = [];
  for (const c of chunks) {
    framer.push(c, { frame: (f) => frames.push(f.toString('latin1')), error: (e) => errors.push(e.kind) });
  }
  return { frames, errors };
}

/** Splits a buffer at the given cut points (any split of a stream must decode the same). */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(buf.subarray(last, p));
    last = p;
  }
  out.push(buf.subarray(last));
  return out;
}

const lineText = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ''));

describe('lineFramer', () => {
  it('decodes LF and CRLF lines identically under any split of the stream', () => {
    fc.assert(
      fc.property(
        fc.array(lineText, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (lines, cuts, crlf) => {
          const wire = Buffer.from(lines.map((l) => l + (crlf ? '\r\n' : '\n')).join(''), 'latin1');
          const whole = collect(lineFramer({ maxLine: 100 }), [wire]);
          const parts = collect(lineFramer({ maxLine: 100 }), split(wire, cuts));
          expect(whole.frames).toEqual(lines);
          expect(parts.frames).toEqual(lines);
          expect(parts.errors).toEqual([]);
        },
      ),
    );
  });

  it('refuses an oversized line once, skips it without buffering it, and goes on', () => {
    const framer = lineFramer({ maxLine: 8 });
    const chunks = [Buffer.from('ok\nxxxxxx'), Buffer.from('xxxxxxxxxxxxxxxxxxxx'), Buffer.from('xxxx\nnext\n')];
    const seen = { frames: [] as string[], errors: [] as string[], maxBuffered: 0 };
    for (const c of chunks) {
      framer.push(c, { frame: (f) => seen.frames.push(f.toString()), error: (e) => seen.errors.push(e.kind) });
      seen.maxBuffered = Math.max(seen.maxBuffered, framer.buffered);
    }
    expect(seen.frames).toEqual(['ok', 'next']);
    expect(seen.errors).toEqual(['oversized']);
    expect(seen.maxBuffered).toBeLessThanOrEqual(9);
  });

  it('never buffers more than maxLine + 1 bytes, whatever arrives', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 30 }), (chunks) => {
        const framer = lineFramer({ maxLine: 16 });
        for (const c of chunks) {
          framer.push(Buffer.from(c), { frame: (f) => expect(f.length).toBeLessThanOrEqual(17), error: () => {} });
          expect(framer.buffered).toBeLessThanOrEqual(17);
        }
      }),
    );
  });

  it('encodes with the configured terminator', () => {
    expect(lineFramer({ maxLine: 10 }).encode('GSRV 0.22').toString()).toBe('GSRV 0.22\r\n');
    expect(lineFramer({ maxLine: 10, eol: '\n' }).encode('110 a b').toString()).toBe('110 a b\n');
  });
});

describe('textLineFramer', () => {
  const run = (framer: Framer<string> | Framer, chunks: readonly Uint8Array[]) => {
    const out: string[] = [];
    for (const c of chunks) {
      framer.push(Buffer.from(c), {
        frame: (f: string | Buffer) => out.push(`frame ${typeof f === 'string' ? f : f.toString('latin1')}`),
        error: (e) => out.push(`error ${e.kind}`),
      });
      out.push(`buffered ${framer.buffered}`);
    }
    return out;
  };

  it('yields the frames, errors and buffered bytes of lineFramer, as latin1 text, for any bytes in any chunks', () => {
    const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => a.map((b) => (b % 5 === 0 ? 10 : b % 7 === 0 ? 13 : b)));
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 12 }), fc.integer({ min: 1, max: 24 }), (chunks, maxLine) => {
        expect(run(textLineFramer({ maxLine }), chunks)).toEqual(run(lineFramer({ maxLine }), chunks));
      }),
      { numRuns: 500 },
    );
  });

  it('writes text frames with the terminator, as the byte framers do', () => {
    expect(textLineFramer({ maxLine: 10 }).encodeText?.('MOVE 1 2 3')).toBe('MOVE 1 2 3\r\n');
    expect(textLineFramer({ maxLine: 10, eol: '\n' }).encode('a').toString()).toBe('a\n');
    expect(lineFramer({ maxLine: 10 }).encodeText?.('a')).toBe('a\r\n');
    expect(delimitedFramer({ start: 2, end: 3, maxFrame: 10 }).encodeText?.('a')).toBe('\x02a\x03');
  });
});

describe('delimitedFramer (STX ... ETX)', () => {
  const make = (maxFrame = 50) => delimitedFramer({ start: 0x02, end: 0x03, maxFrame });
  const body = fc.string({ maxLength: 30 }).map((s) => s.replace(/[\x02\x03]/g, ''));

  it('decodes the same frames under any split of the stream', () => {
    fc.assert(
      fc.property(fc.array(body, { maxLength: 15 }), fc.array(fc.nat(), { maxLength: 10 }), (bodies, cuts) => {
        const wire = Buffer.concat(bodies.map((b) => make().encode(Buffer.from(b, 'latin1'))));
        expect(collect(make(), split(wire, cuts)).frames).toEqual(bodies);
      }),
    );
  });

  it('reports bytes between frames, a frame missing its end, and an oversized frame, and recovers', () => {
    const out = collect(make(5), [
      Buffer.from('junk\x02a\x03 \x02b'),
      Buffer.from('\x02c\x03\x02toolongframe\x03\x02d\x03'),
    ]);
    expect(out.frames).toEqual(['a', 'c', 'd']);
    expect(out.errors).toEqual(['garbage', 'garbage', 'malformed', 'oversized']);
  });

  it('hands a constant frame out as the constant itself, and the same bytes under any split', () => {
    const ok = Buffer.from('ok');
    const ping = Buffer.from('ping');
    const framer = () => delimitedFramer({ start: 0x02, end: 0x03, maxFrame: 50, constants: [ok, ping] });
    const frames: Buffer[] = [];
    framer().push(Buffer.from('\x02ok\x03\x02oka\x03\x02ping\x03\x02o\x03'), {
      frame: (f) => frames.push(f),
      error: () => {},
    });
    expect(frames.map((f) => f.toString())).toEqual(['ok', 'oka', 'ping', 'o']);
    expect(frames[0]).toBe(ok);
    expect(frames[2]).toBe(ping);
    expect(frames[1]).not.toBe(ok);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('ok', 'ping', 'okay', 'pin', ''), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (bodies, cuts) => {
          const wire = Buffer.from(bodies.map((b) => `\x02${b}\x03`).join(''), 'latin1');
          expect(collect(framer(), split(wire, cuts)).frames).toEqual(bodies);
        },
      ),
    );
  });

  it('with constants: the same frames and errors as without, for any bytes in any chunks', () => {
    // The constants' fast path (a constant told by its bytes and the end byte after them, no search) must not
    // change what comes out: a constant cut by a chunk, one inside a longer frame, garbage, a lost end byte, an
    // oversized frame. Constants with a delimiter in them are never matched (they could not arrive whole).
    const constants = [Buffer.from('ok'), Buffer.from('ping'), Buffer.from('o\x02k'), Buffer.from('x'.repeat(9))];
    const piece = fc.constantFrom('\x02', '\x03', 'ok', 'ping', 'pin', 'okay', 'o', 'x'.repeat(9), 'zz', '');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
        const wire = Buffer.from(pieces.join(''), 'latin1');
        const chunks = split(wire, cuts);
        const plain = collect(delimitedFramer({ start: 0x02, end: 0x03, maxFrame: 8 }), chunks);
        const framer = delimitedFramer({ start: 0x02, end: 0x03, maxFrame: 8, constants });
        expect(collect(framer, chunks)).toEqual(plain);
      }),
      { numRuns: 500 },
    );
  });
});

describe('delimitedFramer reading through one reused buffer (onread)', () => {
  const piece = fc.constantFrom('\x02', '\x03', 'ok', 'ping', 'okay', 'o', 'x'.repeat(9), 'zz', '');
  /**
   * Every chunk copied into one buffer that is overwritten after each push, as a connection reading through
   * `onread` does; frames as the sink saw them (`now`) and as they read once every chunk was pushed (`later`).
   */
  function throughOneBuffer(framer: Framer, chunks: readonly Buffer[]) {
    const shared = Buffer.alloc(64);
    const now: string[] = [];
    const kept: Buffer[] = [];
    const errors: string[] = [];
    for (const c of chunks) {
      c.copy(shared);
      framer.push(shared.subarray(0, c.length), {
        frame: (f) => {
          now.push(f.toString('latin1'));
          kept.push(f);
        },
        error: (e) => errors.push(e.kind),
      });
      shared.fill(0x03);
    }
    return { now, later: kept.map((f) => f.toString('latin1')), errors };
  }

  it('copies what it keeps (copiesInput): its frames stay intact after the buffer is reused', () => {
    const plain = () => delimitedFramer({ start: 0x02, end: 0x03, maxFrame: 8, constants: [Buffer.from('ok')] });
    expect(plain().copiesInput).toBe(true);
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
        const chunks = split(Buffer.from(pieces.join(''), 'latin1'), cuts).filter((c) => c.length <= 64);
        const out = throughOneBuffer(plain(), chunks);
        expect(out.later).toEqual(out.now);
        expect({ frames: out.now, errors: out.errors }).toEqual(collect(plain(), chunks));
      }),
      { numRuns: 300 },
    );
  });

  it('with lends: the same frames and errors as copying, while the sink reads them', () => {
    const options = { start: 0x02, end: 0x03, maxFrame: 8, constants: [Buffer.from('ok')] };
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
        const chunks = split(Buffer.from(pieces.join(''), 'latin1'), cuts).filter((c) => c.length <= 64);
        const lent = throughOneBuffer(delimitedFramer({ ...options, lends: true }), chunks);
        const copied = collect(delimitedFramer(options), chunks);
        expect({ frames: lent.now, errors: lent.errors }).toEqual(copied);
      }),
      { numRuns: 300 },
    );
    // A frame whole in its read is a view of it (no copy): it changes with the reused buffer.
    const out = throughOneBuffer(delimitedFramer({ ...options, lends: true }), [Buffer.from('\x02abc\x03')]);
    expect(out.now).toEqual(['abc']);
    expect(out.later).toEqual(['\x03\x03\x03']);
  });
});

describe('lengthFramer', () => {
  // A 4-byte header: 2 bytes magic 'LK', 2 bytes big-endian total length.
  const make = () =>
    lengthFramer({
      headerSize: 4,
      maxFrame: 64,
      frameLength: (h) =>
        h[0] === 0x4c && h[1] === 0x4b ? h.readUInt16BE(2) : new FrameError('malformed', 'bad magic', true),
    });
  const frame = (payload: Uint8Array) => {
    const out = Buffer.alloc(4 + payload.length);
    out.write('LK', 0, 'latin1');
    out.writeUInt16BE(out.length, 2);
    Buffer.from(payload).copy(out, 4);
    return out;
  };

  it('decodes the same frames under any split of the stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (payloads, cuts) => {
          const frames = payloads.map(frame);
          const wire = Buffer.concat(frames);
          const out = collect(make(), split(wire, cuts));
          expect(out.frames).toEqual(frames.map((f) => f.toString('latin1')));
        },
      ),
    );
  });

  it('gives up on a bad header or a lying length, fatally and without buffering', () => {
    const bad = collect(make(), [Buffer.from('XXXX1234')]);
    expect(bad.errors).toEqual(['malformed']);
    const framer = make();
    const lying = Buffer.from([0x4c, 0x4b, 0xff, 0xff]);
    const out = collect(framer, [lying, Buffer.alloc(1000)]);
    expect(out.errors).toEqual(['oversized']);
    expect(framer.buffered).toBe(0);
  });
});
