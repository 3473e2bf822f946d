import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS, type Migration } from '../../src/store/migrations.ts';
import { migrate, openDatabase } from '../../src/store/database.ts';
import { StoreOpenError } from '../../src/store/store-error.ts';
import { encodeColumn } from '../../src/store/column-codec.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { countEpochs } from '../../src/domain/epochs.ts';
import { series } from '../support/run-log-fixtures.ts';

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

  it('6 backfills the running epoch state of runs stored before it, so later appends count epochs as a full recount would', async () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, MIGRATIONS.slice(0, 5));
    const run = db.prepare(
      `INSERT INTO runs (id, name, format, file_name, content_hash, created_at, updated_at, status, points, epochs)
       VALUES (?, ?, 'push', 'x', ?, 0, 0, 'running', ?, ?)`,
    );
    const ser = db.prepare('INSERT INTO series (run_id, idx, key, split, name, direction, cadence, points) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const chunk = db.prepare('INSERT INTO chunks (run_id, series_idx, seq, n, steps, epochs, wall_times, vals) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)');
    const f = (xs: number[]) => Float64Array.from(xs);
    // r_a: epochs 0..2 in an epoch column over two chunks (0-based: 3 epochs); r_b: epoch-cadence steps 1..4 without
    // epochs (1-based: 4); r_c: step-cadence only (no epochs); r_d: no series at all.
    run.run('r_a', 'a', 'ha', 6, 3);
    ser.run('r_a', 0, 'loss', 'train', 'loss', 'lower', 'step', 6);
    chunk.run('r_a', 0, 0, 4, encodeColumn(f([0, 1, 2, 3]), false), encodeColumn(f([0, 0, 1, 1])), encodeColumn(f([4, 3, 2, 1]), false));
    chunk.run('r_a', 0, 1, 2, encodeColumn(f([4, 5]), false), encodeColumn(f([2, 2])), encodeColumn(f([1, 0.5]), false));
    run.run('r_b', 'b', 'hb', 4, 4);
    ser.run('r_b', 0, 'loss', 'train', 'loss', 'lower', 'epoch', 4);
    chunk.run('r_b', 0, 0, 4, encodeColumn(f([1, 2, 3, 4]), false), null, encodeColumn(f([4, 3, 2, 1]), false));
    run.run('r_c', 'c', 'hc', 3, null);
    ser.run('r_c', 0, 'loss', 'train', 'loss', 'lower', 'step', 3);
    chunk.run('r_c', 0, 0, 3, encodeColumn(f([0, 1, 2]), false), null, encodeColumn(f([4, 3, 2]), false));
    run.run('r_d', 'd', 'hd', 0, null);
    // r_e: a log numbered from epoch 24 (a resumed run), stored with the count from 0 that runmedic once gave it.
    run.run('r_e', 'e', 'he', 3, 26);
    ser.run('r_e', 0, 'loss', 'val', 'val_loss', 'lower', 'epoch', 3);
    chunk.run('r_e', 0, 0, 3, encodeColumn(f([1249, 1299, 1349]), false), encodeColumn(f([24, 25, 26])), encodeColumn(f([3, 2, 1]), false));

    expect(migrate(db, MIGRATIONS.slice(0, 6))).toEqual([6]);
    const state = db.prepare('SELECT id, epoch_max, epoch_zero FROM runs ORDER BY id').all();
    expect(state).toEqual([
      { id: 'r_a', epoch_max: 2, epoch_zero: 1 },
      { id: 'r_b', epoch_max: 4, epoch_zero: 0 },
      { id: 'r_c', epoch_max: null, epoch_zero: 0 },
      { id: 'r_d', epoch_max: null, epoch_zero: 0 },
      { id: 'r_e', epoch_max: 26, epoch_zero: 0 },
    ]);

    // 13 adds the smallest epoch and recounts: r_e holds 3 epochs from 24, not 26.
    expect(migrate(db, MIGRATIONS)).toContain(13);
    expect(db.prepare('SELECT id, epochs, epoch_min, epoch_max, epoch_frac FROM runs ORDER BY id').all()).toEqual([
      { id: 'r_a', epochs: 3, epoch_min: 0, epoch_max: 2, epoch_frac: 0 },
      { id: 'r_b', epochs: 4, epoch_min: 1, epoch_max: 4, epoch_frac: 0 },
      { id: 'r_c', epochs: null, epoch_min: null, epoch_max: null, epoch_frac: 0 },
      { id: 'r_d', epochs: null, epoch_min: null, epoch_max: null, epoch_frac: 0 },
      { id: 'r_e', epochs: 3, epoch_min: 24, epoch_max: 26, epoch_frac: 0 },
    ]);

    const store = new SqliteRunStore(db, { chunkPoints: 4 });
    expect((await store.appendPoints('r_a', [series('loss', [0.4], { steps: [6], epochs: [3], cadence: 'step' })])).epochs).toBe(4);
    expect((await store.appendPoints('r_b', [series('loss', [0.9], { steps: [5] })])).epochs).toBe(5);
    expect((await store.appendPoints('r_c', [series('loss', [1], { steps: [3], cadence: 'step' })])).epochs).toBeNull();
    expect((await store.appendPoints('r_d', [series('acc', [0.1, 0.2], { steps: [0, 1] })])).epochs).toBe(2);
    expect(await store.appendPoints('r_e', [series('val_loss', [0.9], { steps: [1399], epochs: [27] })])).toMatchObject({ epochs: 4, firstEpoch: 24 });
    for (const id of ['r_a', 'r_b', 'r_c', 'r_d', 'r_e']) {
      const r = (await store.getRun(id))!;
      expect(r.epochs).toBe(countEpochs(r.series));
    }
    db.close();
  });
});
