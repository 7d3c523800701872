import { randomBytes } from 'node:crypto';
import { ChatClient, ChatRequestError } from '../../protocols/chat/client.ts';
import { Status } from '../../protocols/chat/codec.ts';
import { numParam, sleep } from '../scenario-kit.ts';
import type { LoadScenario, SessionContext } from '../types.ts';

export interface ChatConverseShared {
  /** Names this run's accounts, so that runs against one persistent server never collide. */
  readonly runId: string;
}

/** Wall-clock microseconds, comparable between sessions of one machine (delivery is measured across two). */
const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

const userName = (runId: string, index: number) => `lt${runId}_${index}`;

class Aborted extends Error {}

/** `promise`, or a rejection when the run is aborted first. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Aborted());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Sessions pair up (0 with 1, 2 with 3, ...): each registers and logs in, the two confirm each other as
 * contacts (whichever asks second confirms), open their chat and send `messages` messages each at `rate` per
 * second. Every text carries the sender's index, a sequence number and the send time, so the recipient
 * measures delivery latency and counts duplicates and losses.
 */
export const chatConverseScenario: LoadScenario<ChatConverseShared> = {
  id: 'chat-converse',
  protocol: 'chat',
  description: 'pairs of users register, log in, confirm contacts, open a chat and exchange messages at a rate',
  params: { messages: 10, rate: 2, password: 'loadtest-pw', pairTimeoutMs: 30_000, drainTimeoutMs: 30_000 },
  async prepare() {
    return { runId: randomBytes(4).toString('hex') };
  },
  // Partners meet through the server by name (index ^ 1), so a pair may be split over threads; the run id is
  // plain data and crosses as it is.
  threads: {},
  async runSession(ctx: SessionContext<ChatConverseShared>): Promise<void> {
    const { metrics, signal, params } = ctx;
    const messages = Math.max(0, Math.floor(numParam(params.messages, 10)));
    const rate = Math.max(0.001, numParam(params.rate, 2));
    const password = String(params.password ?? 'loadtest-pw');
    const pairTimeoutMs = numParam(params.pairTimeoutMs, 30_000);
    const drainTimeoutMs = numParam(params.drainTimeoutMs, 30_000);
    const me = userName(ctx.shared.runId, ctx.index);
    const partnerIndex = ctx.index ^ 1;
    const partner = userName(ctx.shared.runId, partnerIndex);
    const checkStatus = (status: number): boolean => {
      if (status !== Status.OK) metrics.error(`status_${status}`);
      return status === Status.OK;
    };
    const timed = async <T>(metric: string, run: () => Promise<T>): Promise<T> => {
      const start = nowMicros();
      const result = await unlessAborted(run(), signal);
      metrics.latency(metric, nowMicros() - start);
      return result;
    };

    const connectStart = nowMicros();
    let client: ChatClient;
    try {
      client = await ChatClient.connect({ host: ctx.host, port: ctx.port, requestTimeoutMs: ctx.requestTimeoutMs });
    } catch {
      metrics.error('connect_failed');
      return;
    }
    metrics.latency('connect', nowMicros() - connectStart);
    metrics.track(client.connection, client);

    // Listeners first: pending contact requests and stored messages arrive right after the login reply.
    const seen = new Set<number>();
    let allReceived: () => void = () => {};
    const received = new Promise<void>((resolve) => {
      allReceived = resolve;
      if (messages === 0) resolve();
    });
    client.on('message', (m) => {
      const parts = m.text.split(' ');
      if (parts[0] !== 'm' || parts[1] !== ctx.shared.runId || Number(parts[2]) !== partnerIndex) {
        metrics.error('unexpected_message');
        return;
      }
      const seq = Number(parts[3]);
      if (seen.has(seq)) {
        metrics.error('duplicate');
        return;
      }
      seen.add(seq);
      metrics.count('messages_delivered');
      metrics.latency('delivery', Math.max(0, nowMicros() - Number(parts[4])));
      if (seen.size >= messages) allReceived();
    });
    let confirmed = false;
    client.on('contactRequest', (from) => {
      // The partner asked while this side could not yet reach it (410): answering confirms the contact.
      if (from === partner && !confirmed) client.requestContact(partner).catch(() => {});
    });
    const contactConfirmed = client.next('contactConfirmed', (u) => u === partner, pairTimeoutMs);
    contactConfirmed.catch(() => {});
    let stage = 'register';
    try {
      if (!checkStatus(await timed('register_rtt', () => client.register(me, password, `${me}@load.invalid`)))) return;
      stage = 'login';
      if (!checkStatus(await timed('login_rtt', () => client.login(me, password)))) return;
      stage = 'contact';
      const asked = await timed('contact_rtt', () => client.requestContact(partner));
      // 410: the partner has not registered yet; its own request (234) reaches this session later.
      if (asked !== Status.CONTACT_NOT_FOUND && !checkStatus(asked)) return;
      await unlessAborted(contactConfirmed, signal);
      confirmed = true;
      stage = 'chat';
      const chat = await timed('create_rtt', () => client.createChat(partner));
      if (!checkStatus(chat.status) || chat.chatId === undefined) return;
      const chatId = chat.chatId;

      stage = 'send';
      await sleep(ctx.rng.int(0, Math.round(1000 / rate)), signal);
      const start = nowMicros();
      const sends: Promise<void>[] = [];
      for (let seq = 0; seq < messages && !signal.aborted; seq++) {
        const scheduled = start + Math.round((seq * 1e6) / rate);
        await sleep((scheduled - nowMicros()) / 1000, signal);
        if (signal.aborted) break;
        const sentAt = nowMicros();
        const text = `m ${ctx.shared.runId} ${ctx.index} ${seq} ${sentAt}`;
        sends.push(
          client.send(chatId, text).then(({ status }) => {
            const end = nowMicros();
            // Corrected from the scheduled time, so a stalled server cannot hide its backlog.
            metrics.latency('send_rtt', end - scheduled, end - sentAt);
            if (checkStatus(status)) metrics.count('messages_sent');
          }),
        );
      }
      await unlessAborted(Promise.all(sends), signal);

      stage = 'receive';
      const drained = await unlessAborted(
        Promise.race([received.then(() => true), sleep(drainTimeoutMs, signal).then(() => false)]),
        signal,
      );
      if (!drained) {
        metrics.error('missing');
        metrics.count('messages_missing', messages - seen.size);
      }
      stage = 'logout';
      checkStatus(await timed('logout_rtt', () => client.logout()));
    } catch (error) {
      if (error instanceof Aborted) return;
      if (error instanceof ChatRequestError) {
        ctx.log.debug({ err: error, stage }, 'chat session request failed');
        metrics.error(client.closed && !/no reply within/.test(error.message) ? 'disconnect' : 'timeout');
      } else {
        metrics.error(`failed_${stage}`);
        ctx.log.warn({ err: error, stage }, 'chat session failed');
      }
    } finally {
      client.close();
    }
  },
};
