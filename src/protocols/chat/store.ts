import Database from 'better-sqlite3';

/**
 * The chat server's persistent state in SQLite. Every query is a prepared statement; schema changes are an
 * append-only list of migrations applied in order and recorded in `PRAGMA user_version`, so an old database
 * file is brought up to date when a newer server opens it. Migrations run with foreign keys off (a table rebuild
 * drops and renames tables that others reference) and are checked with `PRAGMA foreign_key_check` afterwards.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the first schema.
  `CREATE TABLE users (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE COLLATE NOCASE,
     password TEXT NOT NULL,
     email TEXT NOT NULL,
     gender TEXT NOT NULL,
     created INTEGER NOT NULL
   );
   CREATE TABLE contact_requests (
     from_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     to_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     created INTEGER NOT NULL,
     PRIMARY KEY (from_id, to_id)
   ) WITHOUT ROWID;
   CREATE INDEX contact_requests_to ON contact_requests(to_id);
   -- One row per confirmed pair, smaller user id first.
   CREATE TABLE contacts (
     a_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     b_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     since INTEGER NOT NULL,
     PRIMARY KEY (a_id, b_id),
     CHECK (a_id < b_id)
   ) WITHOUT ROWID;
   CREATE INDEX contacts_b ON contacts(b_id);
   CREATE TABLE chats (
     id INTEGER PRIMARY KEY,
     creator_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     other_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     created INTEGER NOT NULL
   );
   CREATE INDEX chats_creator ON chats(creator_id);
   CREATE INDEX chats_other ON chats(other_id);
   CREATE TABLE media (
     id INTEGER PRIMARY KEY,
     chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
     data BLOB NOT NULL,
     created INTEGER NOT NULL
   );
   CREATE INDEX media_chat ON media(chat_id);
   CREATE TABLE messages (
     id INTEGER PRIMARY KEY,
     chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
     sender_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     ts INTEGER NOT NULL,
     text TEXT NOT NULL,
     media_id INTEGER REFERENCES media(id) ON DELETE SET NULL,
     delivered INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX messages_chat ON messages(chat_id, id);`,
  // 2: the recipient's undelivered messages are looked up at every login.
  `CREATE INDEX messages_undelivered ON messages(delivered, chat_id) WHERE delivered = 0;`,
  // 3: ids on the wire (ChatID, MessageID, MediaID) are never handed out again after a delete (protocol §5). A
  // plain INTEGER PRIMARY KEY takes max(id)+1, so deleting the newest chat freed its id; AUTOINCREMENT keeps the
  // highest id ever used in sqlite_sequence. SQLite cannot add AUTOINCREMENT to a table, so the three tables are
  // rebuilt; copying the rows seeds sqlite_sequence with the highest surviving id.
  `CREATE TABLE chats_v3 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     creator_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     other_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     created INTEGER NOT NULL
   );
   INSERT INTO chats_v3 (id, creator_id, other_id, created) SELECT id, creator_id, other_id, created FROM chats;
   DROP TABLE chats;
   ALTER TABLE chats_v3 RENAME TO chats;
   CREATE INDEX chats_creator ON chats(creator_id);
   CREATE INDEX chats_other ON chats(other_id);
   CREATE TABLE media_v3 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
     data BLOB NOT NULL,
     created INTEGER NOT NULL
   );
   INSERT INTO media_v3 (id, chat_id, data, created) SELECT id, chat_id, data, created FROM media;
   DROP TABLE media;
   ALTER TABLE media_v3 RENAME TO media;
   CREATE INDEX media_chat ON media(chat_id);
   CREATE TABLE messages_v3 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
     sender_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     ts INTEGER NOT NULL,
     text TEXT NOT NULL,
     media_id INTEGER REFERENCES media(id) ON DELETE SET NULL,
     delivered INTEGER NOT NULL DEFAULT 0
   );
   INSERT INTO messages_v3 (id, chat_id, sender_id, ts, text, media_id, delivered)
     SELECT id, chat_id, sender_id, ts, text, media_id, delivered FROM messages;
   DROP TABLE messages;
   ALTER TABLE messages_v3 RENAME TO messages;
   CREATE INDEX messages_chat ON messages(chat_id, id);
   CREATE INDEX messages_undelivered ON messages(delivered, chat_id) WHERE delivered = 0;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface User {
  readonly id: number;
  readonly name: string;
  readonly password: string;
}
export interface Chat {
  readonly id: number;
  readonly creatorId: number;
  readonly otherId: number;
  readonly creator: string;
  readonly other: string;
}
export interface StoredMessage {
  readonly id: number;
  readonly chatId: number;
  readonly senderId: number;
  readonly sender: string;
  readonly ts: number;
  readonly text: string;
  readonly mediaId: number | null;
}
export interface Media {
  readonly id: number;
  readonly chatId: number;
  readonly data: Buffer;
}

type Row = Record<string, unknown>;

function prepareStatements(db: Database.Database) {
  const chatCols = `c.id AS id, c.creator_id AS creatorId, c.other_id AS otherId, u1.name AS creator, u2.name AS other
      FROM chats c JOIN users u1 ON u1.id = c.creator_id JOIN users u2 ON u2.id = c.other_id`;
  return {
    userByName: db.prepare('SELECT id, name, password FROM users WHERE name = ?'),
    userById: db.prepare('SELECT id, name, password FROM users WHERE id = ?'),
    insertUser: db.prepare('INSERT INTO users (name, password, email, gender, created) VALUES (?, ?, ?, ?, ?)'),
    allUsersExcept: db.prepare('SELECT name FROM users WHERE id <> ? ORDER BY name COLLATE BINARY'),
    contact: db.prepare('SELECT since FROM contacts WHERE a_id = ? AND b_id = ?'),
    insertContact: db.prepare('INSERT OR IGNORE INTO contacts (a_id, b_id, since) VALUES (?, ?, ?)'),
    contactsOf: db.prepare(
      `SELECT u.name AS name, c.since AS since FROM contacts c
         JOIN users u ON u.id = CASE WHEN c.a_id = ? THEN c.b_id ELSE c.a_id END
         WHERE c.a_id = ? OR c.b_id = ? ORDER BY u.name COLLATE BINARY`,
    ),
    request: db.prepare('SELECT 1 FROM contact_requests WHERE from_id = ? AND to_id = ?'),
    insertRequest: db.prepare('INSERT OR IGNORE INTO contact_requests (from_id, to_id, created) VALUES (?, ?, ?)'),
    deleteRequests: db.prepare(
      'DELETE FROM contact_requests WHERE (from_id = ? AND to_id = ?) OR (from_id = ? AND to_id = ?)',
    ),
    requestsTo: db.prepare(
      `SELECT u.name AS name FROM contact_requests r JOIN users u ON u.id = r.from_id
         WHERE r.to_id = ? ORDER BY r.created, u.name COLLATE BINARY`,
    ),
    chatById: db.prepare(`SELECT ${chatCols} WHERE c.id = ?`),
    chatOfPair: db.prepare(
      `SELECT ${chatCols} WHERE (c.creator_id = ? AND c.other_id = ?) OR (c.creator_id = ? AND c.other_id = ?)`,
    ),
    chatsOf: db.prepare(`SELECT ${chatCols} WHERE c.creator_id = ? OR c.other_id = ? ORDER BY c.id`),
    insertChat: db.prepare('INSERT INTO chats (creator_id, other_id, created) VALUES (?, ?, ?)'),
    deleteChat: db.prepare('DELETE FROM chats WHERE id = ?'),
    insertMedia: db.prepare('INSERT INTO media (chat_id, data, created) VALUES (?, ?, ?)'),
    mediaById: db.prepare('SELECT id, chat_id AS chatId, data FROM media WHERE id = ?'),
    insertMessage: db.prepare(
      'INSERT INTO messages (chat_id, sender_id, ts, text, media_id, delivered) VALUES (?, ?, ?, ?, ?, 0)',
    ),
    markDelivered: db.prepare('UPDATE messages SET delivered = 1 WHERE id = ?'),
    undeliveredFor: db.prepare(
      `SELECT m.id AS id, m.chat_id AS chatId, m.sender_id AS senderId, u.name AS sender, m.ts AS ts,
                m.text AS text, m.media_id AS mediaId
         FROM messages m JOIN chats c ON c.id = m.chat_id JOIN users u ON u.id = m.sender_id
         WHERE m.delivered = 0 AND m.sender_id <> ? AND (c.creator_id = ? OR c.other_id = ?)
         ORDER BY m.id`,
    ),
    history: db.prepare(
      `SELECT * FROM (
           SELECT m.id AS id, m.chat_id AS chatId, m.sender_id AS senderId, u.name AS sender, m.ts AS ts,
                  m.text AS text, m.media_id AS mediaId
           FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.chat_id = ? ORDER BY m.id DESC LIMIT ?
         ) ORDER BY id`,
    ),
    counts: db.prepare(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM chats) AS chats,
                (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM contacts) AS contacts`,
    ),
  };
}
type Statements = ReturnType<typeof prepareStatements>;

/**
 * Group commit: every write of one event-loop turn goes into one transaction, committed with an fsync
 * (`synchronous = FULL`) in that turn's check phase. A line that tells a client about a write (the `219` of a
 * stored message, a pushed `220`, ...) is handed to `afterCommit` and goes out only once its batch is on disk, so
 * an acknowledged message survives a process crash, an OS crash and a power loss. One fsync per turn instead of
 * one per write keeps the cost at one disk flush however many clients wrote in that turn.
 */
export class ChatStore {
  readonly db: Database.Database;
  #s: Statements;
  /** True while this turn's batch transaction is open. */
  #batchOpen = false;
  #afterCommit: ((error: Error | null) => void)[] = [];

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // FULL syncs the WAL at every commit: with NORMAL an OS crash or power loss may undo the last commits, which
    // would break the promise of an acknowledgement. Batching (above) pays for it.
    this.db.pragma('synchronous = FULL');
    this.migrate();
    this.db.pragma('foreign_keys = ON');
    this.#s = prepareStatements(this.db);
  }

  /**
   * Applies every migration past the file's `user_version`, each in its own transaction, with foreign keys off
   * (the pragma is a no-op inside a transaction, and a table rebuild must not cascade); a migration that leaves a
   * dangling reference is rolled back.
   */
  migrate(): number {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`chat database schema ${current} is newer than this server (${MIGRATIONS.length})`);
    }
    const foreignKeys = this.db.pragma('foreign_keys', { simple: true }) as number;
    this.db.pragma('foreign_keys = OFF');
    try {
      for (let v = current; v < MIGRATIONS.length; v++) {
        this.db.transaction(() => {
          this.db.exec(MIGRATIONS[v]!);
          const dangling = this.db.pragma('foreign_key_check') as unknown[];
          if (dangling.length > 0) throw new Error(`chat database migration ${v + 1} left dangling references`);
          this.db.pragma(`user_version = ${v + 1}`);
        })();
      }
    } finally {
      this.db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    }
    return MIGRATIONS.length - current;
  }

  /** Opens this turn's batch if none is open; every write method calls it first. */
  #write(): void {
    if (this.#batchOpen) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.#batchOpen = true;
    setImmediate(() => this.commit());
  }

  /** Whether writes are waiting for their commit (lines about them must wait too). */
  get batchOpen(): boolean {
    return this.#batchOpen;
  }

  /**
   * Runs `then(null)` once everything written so far is committed: at once when nothing is pending, else after
   * the batch's commit, in the order registered. If the commit fails, the batch is rolled back and every waiting
   * `then` gets the error (its client must not be told that something was stored).
   */
  afterCommit(then: (error: Error | null) => void): void {
    if (this.#batchOpen) this.#afterCommit.push(then);
    else then(null);
  }

  /** Commits the open batch (normally called in the check phase of the turn that opened it). */
  commit(): void {
    if (!this.#batchOpen) return;
    let failure: Error | null = null;
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      failure = error as Error;
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    }
    this.#batchOpen = false;
    const waiting = this.#afterCommit;
    this.#afterCommit = [];
    for (const then of waiting) then(failure);
  }

  userByName(name: string): User | undefined {
    return this.#s.userByName.get(name) as User | undefined;
  }
  userById(id: number): User | undefined {
    return this.#s.userById.get(id) as User | undefined;
  }
  /** false when the name is taken (case-insensitively). */
  createUser(name: string, passwordHash: string, email: string, gender: string): boolean {
    this.#write();
    try {
      this.#s.insertUser.run(name, passwordHash, email, gender, Date.now());
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw error;
    }
  }
  usersExcept(id: number): string[] {
    return (this.#s.allUsersExcept.all(id) as Row[]).map((r) => r.name as string);
  }

  contactSince(x: number, y: number): number | undefined {
    const row = this.#s.contact.get(Math.min(x, y), Math.max(x, y)) as Row | undefined;
    return row?.since as number | undefined;
  }
  contactsOf(id: number): { name: string; since: number }[] {
    return this.#s.contactsOf.all(id, id, id) as { name: string; since: number }[];
  }
  hasRequest(from: number, to: number): boolean {
    return this.#s.request.get(from, to) !== undefined;
  }
  /** Records `from` asking `to`; false when that request already existed. */
  addRequest(from: number, to: number): boolean {
    this.#write();
    return this.#s.insertRequest.run(from, to, Date.now()).changes > 0;
  }
  /** Confirms the pair and drops its requests both ways; returns the contact's start time. */
  confirmContact(x: number, y: number): number {
    this.#write();
    return this.db.transaction(() => {
      const since = Date.now();
      this.#s.insertContact.run(Math.min(x, y), Math.max(x, y), since);
      this.#s.deleteRequests.run(x, y, y, x);
      return this.contactSince(x, y) ?? since;
    })();
  }
  requestsTo(id: number): string[] {
    return (this.#s.requestsTo.all(id) as Row[]).map((r) => r.name as string);
  }

  chatById(id: number): Chat | undefined {
    return this.#s.chatById.get(id) as Chat | undefined;
  }
  chatOfPair(x: number, y: number): Chat | undefined {
    return this.#s.chatOfPair.get(x, y, y, x) as Chat | undefined;
  }
  chatsOf(id: number): Chat[] {
    return this.#s.chatsOf.all(id, id) as Chat[];
  }
  /** The pair's chat, created if there is none yet; one chat per pair. */
  openChat(creator: number, other: number): { chatId: number; created: boolean } {
    this.#write();
    return this.db.transaction(() => {
      const existing = this.chatOfPair(creator, other);
      if (existing) return { chatId: existing.id, created: false };
      const info = this.#s.insertChat.run(creator, other, Date.now());
      return { chatId: Number(info.lastInsertRowid), created: true };
    })();
  }
  /** Deletes the chat with its messages and media (foreign-key cascade). */
  deleteChat(id: number): void {
    this.#write();
    this.#s.deleteChat.run(id);
  }

  addMessage(chatId: number, senderId: number, text: string, media?: Buffer): StoredMessage {
    this.#write();
    return this.db.transaction(() => {
      const ts = Date.now();
      let mediaId: number | null = null;
      if (media) mediaId = Number(this.#s.insertMedia.run(chatId, media, ts).lastInsertRowid);
      const info = this.#s.insertMessage.run(chatId, senderId, ts, text, mediaId);
      return { id: Number(info.lastInsertRowid), chatId, senderId, sender: '', ts, text, mediaId };
    })();
  }
  markDelivered(messageId: number): void {
    this.#write();
    this.#s.markDelivered.run(messageId);
  }
  undeliveredFor(userId: number): StoredMessage[] {
    return this.#s.undeliveredFor.all(userId, userId, userId) as StoredMessage[];
  }
  /** The chat's last `limit` messages, oldest first. */
  history(chatId: number, limit: number): StoredMessage[] {
    return this.#s.history.all(chatId, limit) as StoredMessage[];
  }
  mediaById(id: number): Media | undefined {
    return this.#s.mediaById.get(id) as Media | undefined;
  }

  counts(): { users: number; chats: number; messages: number; contacts: number } {
    return this.#s.counts.get() as { users: number; chats: number; messages: number; contacts: number };
  }

  close(): void {
    if (!this.db.open) return;
    this.commit();
    this.db.close();
  }
}
