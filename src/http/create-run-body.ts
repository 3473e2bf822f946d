/**
 * The keys POST /api/v1/runs accepts, with the spellings scripts already use (`lr`, `batch_size`, `num_epochs`, a
 * `classes` inside config …) mapped to the API's names before validation. Anything else is refused with its name and
 * the accepted ones: a silently dropped `lr` would leave the learning-rate checks blind while the client thinks it
 * sent it.
 */

/** Canonical config key → other spellings accepted for it (compared lower-case, without `_`, `-` or spaces). */
const CONFIG_ALIASES: Record<string, string[]> = {
  learningRate: ['lr', 'learning_rate', 'initial_lr', 'base_lr'],
  batchSize: ['batch_size', 'bs', 'train_batch_size', 'per_device_train_batch_size'],
  epochs: ['num_epochs', 'max_epochs', 'n_epochs', 'num_train_epochs'],
  optimizer: ['optim', 'optimiser'],
  shuffle: [],
  earlyStopping: ['early_stopping'],
  validationSplit: ['validation_split', 'val_split'],
};

/** Top-level fields that people also put inside config: lifted out. */
const LIFTED_FROM_CONFIG: Record<string, string[]> = {
  classes: ['num_classes', 'n_classes', 'num_labels'],
  framework: [],
};

const TOP_LEVEL = ['name', 'clientRunId', 'config', 'classes', 'framework', 'discord'];
const TOP_LEVEL_ALIASES: Record<string, string[]> = {
  clientRunId: ['client_run_id'],
  classes: LIFTED_FROM_CONFIG.classes!,
};

const squash = (k: string) => k.toLowerCase().replace(/[\s_-]+/g, '');

function canonical(key: string, table: Record<string, string[]>): string | null {
  const k = squash(key);
  for (const [name, spellings] of Object.entries(table)) if (squash(name) === k || spellings.some((s) => squash(s) === k)) return name;
  return null;
}

const accepted = (table: Record<string, string[]>) =>
  Object.entries(table)
    .map(([k, spellings]) => (spellings.length ? `${k} (or ${spellings.slice(0, 3).join(', ')})` : k))
    .join(', ');

export const ACCEPTED_CONFIG_KEYS = `${accepted(CONFIG_ALIASES)}; classes and framework may also sit in config`;

/**
 * Maps aliases to the API's names; returns the problems (unknown keys, one key given twice) instead of the body when
 * there are any. A body that is not an object is passed through for the schema to reject.
 */
export function normaliseCreateRunBody(raw: unknown): { body: unknown; problems: string[] } {
  if (!isPlainObject(raw)) return { body: raw, problems: [] };
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const put = (target: Record<string, unknown>, key: string, value: unknown, from: string, where: string) => {
    if (key in target) problems.push(`${where}${from}: ${where}${key} is already given`);
    else target[key] = value;
  };
  for (const [key, value] of Object.entries(raw)) {
    const name = TOP_LEVEL.includes(key) ? key : canonical(key, TOP_LEVEL_ALIASES);
    if (!name) problems.push(`${key}: unknown field; accepted: ${TOP_LEVEL.join(', ')}`);
    else if (name !== 'config') put(out, name, value, key, '');
  }
  const config = raw.config;
  if (config !== undefined) {
    if (!isPlainObject(config)) out.config = config;
    else {
      const mapped: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(config)) {
        const name = canonical(key, CONFIG_ALIASES);
        const lifted = name ? null : canonical(key, LIFTED_FROM_CONFIG);
        if (name) put(mapped, name, value, key, 'config.');
        else if (lifted) put(out, lifted, value, `config.${key}`, '');
        else problems.push(`config.${key}: unknown setting; accepted: ${ACCEPTED_CONFIG_KEYS}`);
      }
      out.config = mapped;
    }
  }
  return problems.length > 0 ? { body: null, problems } : { body: out, problems };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
