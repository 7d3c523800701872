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

/**
 * Registered SE1 accounts in SQLite (`--set users=<file>`, default `:memory:`). Passwords are scrypt hashes.
 * Accounts are added with `--set addUsers=nick:password[:email[:team]],...` when the server starts.
 */
export class UserStore {
  readonly #db: Database.Database;
  readonly #byLogin: Database.Statement<
    [string, string],
    { nick: string; email: string; role: string; team: string; password: string }
  >;
  readonly #all: Database.Statement<[], StoredUser>;
  readonly #upsert: Database.Statement<[string, string, string, string, string]>;

  constructor(path = ':memory:') {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS users (
         nick TEXT PRIMARY KEY, email TEXT NOT NULL, role TEXT NOT NULL, team TEXT NOT NULL, password TEXT NOT NULL)`,
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
