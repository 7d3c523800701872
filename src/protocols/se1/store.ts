import { timingSafeEqual } from 'node:crypto';
import Database from 'better-sqlite3';
import { hashPassword, verifyPassword } from '../chat/password.ts';

/** A registered (persistent) account. Temporary test players live in the server's memory only. */
export interface StoredUser {
  readonly nick: string;
  readonly email: string;
  readonly role: string;
  readonly team: string;
}

/** An uploaded map. */
export interface StoredMap {
  readonly name: string;
  /** 1 for the first upload, one more for each replacement by its creator. */
  readonly version: number;
  readonly creator: string;
  readonly content: string;
}

/**
 * Registered SE1 accounts and uploaded maps in SQLite (`--set users=<file>`, default `:memory:`: then both are
 * gone when the server stops). Passwords are scrypt hashes. Accounts are added with
 * `--set addUsers=nick:password[:email[:team]],...` when the server starts; maps with UPLOAD MAP.
 */
export class UserStore {
  readonly #db: Database.Database;
  readonly #byLogin: Database.Statement<
    [string, string],
    { nick: string; email: string; role: string; team: string; password: string }
  >;
  readonly #all: Database.Statement<[], StoredUser>;
  readonly #upsert: Database.Statement<[string, string, string, string, string]>;
  readonly #maps: Database.Statement<[], StoredMap>;
  readonly #map: Database.Statement<[string], StoredMap>;
  readonly #mapCount: Database.Statement<[], { n: number }>;
  readonly #putMap: Database.Statement<[string, number, string, string]>;

  constructor(path = ':memory:') {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS users (
         nick TEXT PRIMARY KEY, email TEXT NOT NULL, role TEXT NOT NULL, team TEXT NOT NULL, password TEXT NOT NULL)`,
    );
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS maps (
         name TEXT PRIMARY KEY, version INTEGER NOT NULL, creator TEXT NOT NULL, content TEXT NOT NULL)`,
    );
    this.#maps = this.#db.prepare('SELECT name, version, creator, content FROM maps ORDER BY name');
    this.#map = this.#db.prepare('SELECT name, version, creator, content FROM maps WHERE name = ?');
    this.#mapCount = this.#db.prepare('SELECT count(*) AS n FROM maps');
    this.#putMap = this.#db.prepare(
      'INSERT INTO maps (name, version, creator, content) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version, creator = excluded.creator, content = excluded.content',
    );
    this.#byLogin = this.#db.prepare('SELECT nick, email, role, team, password FROM users WHERE nick = ? OR email = ?');
    this.#all = this.#db.prepare('SELECT nick, email, role, team FROM users ORDER BY nick');
    this.#upsert = this.#db.prepare(
      'INSERT INTO users (nick, email, role, team, password) VALUES (?, ?, ?, ?, ?) ON CONFLICT(nick) DO UPDATE SET email = excluded.email, role = excluded.role, team = excluded.team, password = excluded.password',
    );
  }

  async add(nick: string, password: string, email = `${nick}@localhost`, team = 'SE', role = 'SE'): Promise<void> {
    this.#upsert.run(nick, email, role, team, await hashPassword(password));
  }

  /** The account for a nick or e-mail and password, or null. */
  async check(login: string, password: string): Promise<StoredUser | null> {
    const row = this.#byLogin.get(login, login);
    if (!row || !(await verifyPassword(password, row.password))) return null;
    return { nick: row.nick, email: row.email, role: row.role, team: row.team };
  }

  all(): StoredUser[] {
    return this.#all.all();
  }

  maps(): StoredMap[] {
    return this.#maps.all();
  }

  map(name: string): StoredMap | undefined {
    return this.#map.get(name);
  }

  mapCount(): number {
    return this.#mapCount.get()!.n;
  }

  /** Stores a map, or replaces it with the next version; the caller has checked the creator. */
  putMap(name: string, creator: string, content: string): StoredMap {
    const version = (this.map(name)?.version ?? 0) + 1;
    this.#putMap.run(name, version, creator, content);
    return { name, version, creator, content };
  }

  close(): void {
    this.#db.close();
  }
}

/** Constant-time comparison for the plain passwords of temporary players. */
export function samePassword(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
