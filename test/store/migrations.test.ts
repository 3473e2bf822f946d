import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS, type Migration } from '../../src/store/migrations.ts';
import { migrate, openDatabase } from '../../src/store/database.ts';
import { StoreOpenError } from '../../src/store/store-error.ts';

function tmp() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-mig-'));
  return { dir, file: path.join(dir, 'm.db'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('migrations', () => {
  it('are numbered 1..n in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('apply once: reopening is a no-op and the schema is intact', () => {
    const t = tmp();
    try {
      const a = openDatabase(t.file, { now: () => 5 });
      const tables = a.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(expect.arrayContaining(['chunks', 'runs', 'schema_migrations', 'series']));
      a.close();
      const b = openDatabase(t.file, { now: () => 6 });
      const rows = b.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all();
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, applied_at: 5 })));
      expect(migrate(b, MIGRATIONS)).toEqual([]);
      b.close();
    } finally {
      t.done();
    }
  });

  it('apply only the new ones to an older database', () => {
    const db = new BetterSqlite3(':memory:');
    const base: Migration[] = [{ version: 1, name: 'one', up: 'CREATE TABLE a (x)' }];
    expect(migrate(db, base)).toEqual([1]);
    const more: Migration[] = [...base, { version: 2, name: 'two', up: (d) => d.exec('CREATE TABLE b (y)') }];
    expect(migrate(db, more)).toEqual([2]);
    expect(migrate(db, more)).toEqual([]);
    db.close();
  });

  it('roll a failing migration back completely', () => {
    const db = new BetterSqlite3(':memory:');
    const bad: Migration[] = [
      { version: 1, name: 'ok', up: 'CREATE TABLE a (x)' },
      { version: 2, name: 'half', up: 'CREATE TABLE b (y); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(db, bad)).toThrow(/nowhere/);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toContain('a');
    expect(tables).not.toContain('b');
    expect(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(1);
    db.close();
  });

  it('refuse a list with a gap and a database newer than the code', () => {
    const db = new BetterSqlite3(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'x', up: '' }])).toThrow(/expected 1/);
    migrate(db, [
      { version: 1, name: 'a', up: '' },
      { version: 2, name: 'b', up: '' },
    ]);
    expect(() => migrate(db, [{ version: 1, name: 'a', up: '' }])).toThrow(StoreOpenError);
    db.close();
  });

  it('turn a file that is not a database into a StoreOpenError', () => {
    const t = tmp();
    try {
      writeFileSync(t.file, 'this is a text file, not SQLite '.repeat(200));
      expect(() => openDatabase(t.file)).toThrow(StoreOpenError);
      expect(() => openDatabase(t.dir)).toThrow(StoreOpenError);
    } finally {
      t.done();
    }
  });
});
