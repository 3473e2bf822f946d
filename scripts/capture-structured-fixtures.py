#!/usr/bin/env python3
"""
Produces real structured training logs with the libraries installed here (Keras 3 on TensorFlow, PyTorch, Lightning,
transformers, pandas, scikit-learn's toy data sets) into test/fixtures/structured/, in the variants public repositories
hold: Keras CSVLogger files (a `;` separator, append=True over two fit() calls, ReduceLROnPlateau's learning_rate
column, validation_freq's NA cells, many metrics, a model with two outputs, a NaN loss), History saved as JSON (plain,
wrapped with params, through pandas' to_json), the transformers Trainer's trainer_state.json (several evaluation data
sets, compute_metrics, evaluation every few steps in a checkpoint folder, logging once per epoch), Lightning's CSVLogger
(on_step and on_epoch together, a test stage, validation every other epoch, two version folders, `val/loss` names,
validation twice an epoch), hand-written CSVs (headers with blanks and units, tab-separated with Windows line ends,
pandas' unnamed index column, the TensorFlow tutorial's `hist['epoch'] = history.epoch`), JSON lists of per-epoch
records written by a loop, and PyTorch's word_language_model log.

Each fixture trains a small model for a few seconds in a child process and writes, beside the log, the values the
library itself recorded (Keras' history.history and history.epoch, the Trainer's log_history, what the LightningModule
logged as the logger received it, the floats a loop wrote) as `<name>.truth.json`: the series runmedic must read, with
their key, split, direction, cadence, epochs and steps. test/ingest/structured-fixtures.test.ts checks the readers
against those, not against the text.

    python3 scripts/capture-structured-fixtures.py                 # all fixtures
    python3 scripts/capture-structured-fixtures.py keras_csv_semicolon lightning_versions

Re-running rewrites the fixtures and test/fixtures/structured/manifest.tsv (TensorFlow's CPU kernels are not
bit-for-bit deterministic across machines, so a re-capture elsewhere may differ in the last digits).
"""
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.environ.get('CAPTURE_OUT') or os.path.join(ROOT, 'test', 'fixtures', 'structured')
SEED = 7


# ---------------------------------------------------------------------------------------------------------------------
# Truth: what runmedic must read from a fixture.
# ---------------------------------------------------------------------------------------------------------------------

LOWER = ('loss', 'mse', 'mae', 'rmse', 'lr', 'grad_norm', 'ppl', 'perplexity')


def direction(key):
    return 'lower' if key in LOWER or key.endswith('loss') or key.endswith('_mae') or key.endswith('_mse') else 'higher'


def clean(v):
    """NaN and ±Infinity as the strings JSON cannot hold otherwise."""
    v = float(v)
    if math.isnan(v):
        return 'NaN'
    if math.isinf(v):
        return 'Infinity' if v > 0 else '-Infinity'
    return v


def series(name, key, split, cadence, values, epochs=None, steps=None, decimals=None):
    """One series: `values` as the library recorded them; `epochs`/`steps` each point's epoch and step (steps default
    to the epochs for per-epoch series); `decimals`: the file holds the values rounded to that many decimals."""
    values = [clean(v) for v in values]
    out = {'name': name, 'key': key, 'split': split, 'direction': direction(key), 'cadence': cadence, 'n': len(values),
           'first': values[0], 'last': values[-1], 'values': values}
    if epochs is not None:
        out['epochs'] = [clean(e) for e in epochs]
    if steps is not None:
        out['steps'] = [float(s) for s in steps]
    elif epochs is not None and cadence == 'epoch':
        out['steps'] = [clean(e) for e in epochs]
    if decimals is not None:
        out['decimals'] = decimals
    return out


def run(name, series_list, notes=()):
    return {'name': name, 'series': series_list, 'notes': list(notes)}


def quiet():
    import warnings
    warnings.filterwarnings('ignore')
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    os.environ.setdefault('KERAS_BACKEND', 'tensorflow')


# ---------------------------------------------------------------------------------------------------------------------
# Keras
# ---------------------------------------------------------------------------------------------------------------------

KERAS_KEYS = {'accuracy': 'accuracy', 'loss': 'loss', 'learning_rate': 'lr'}


def keras_key(raw):
    """runmedic's key and split of a Keras history name."""
    split = 'val' if raw.startswith('val_') else 'train'
    base = raw[4:] if split == 'val' else raw
    return KERAS_KEYS.get(base, base), split


def keras_series(history, epochs, only=None, cadence='epoch'):
    """history.history → truth series at the epochs Keras numbered them (history.epoch), None (NA) cells left out."""
    out = []
    for raw, values in history.items():
        if only is not None and raw not in only:
            continue
        key, split = keras_key(raw)
        pts = [(e, v) for e, v in zip(epochs, values) if v is not None]
        out.append(series(raw, key, split, cadence, [v for _, v in pts], epochs=[e for e, _ in pts]))
    return out


def iris(shuffle=True):
    import numpy as np
    from sklearn.datasets import load_iris
    x, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(SEED)
    idx = rng.permutation(len(y)) if shuffle else np.arange(len(y))
    x = x[idx].astype('float32')
    x = (x - x.mean(0)) / x.std(0)
    return x, y[idx]


def cancer():
    import numpy as np
    from sklearn.datasets import load_breast_cancer
    x, y = load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(SEED)
    idx = rng.permutation(len(y))
    x = x[idx].astype('float32')
    return (x - x.mean(0)) / x.std(0), y[idx].astype('float32')


def digits():
    import numpy as np
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(SEED)
    idx = rng.permutation(len(y))[:600]
    return (x[idx] / 16.0).astype('float32'), y[idx]


def keras_mlp(inputs, units, outputs, activation, loss, metrics, lr=0.01):
    import keras
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(units, activation='relu'), keras.layers.Dense(outputs, activation=activation)])
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss, metrics=metrics)
    return keras, model


def keras_version():
    import keras
    import tensorflow as tf
    return f'keras {keras.__version__} (tensorflow {tf.__version__})'


def fixture_keras_csv_semicolon(out):
    """CSVLogger(separator=';') on the iris classifier."""
    quiet()
    x, y = iris()
    keras, model = keras_mlp(4, 16, 3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'])
    path = os.path.join(out, 'keras_csv_semicolon.log')
    h = model.fit(x, y, epochs=8, batch_size=16, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path, separator=';')])
    return {'library': keras_version(), 'variant': "CSVLogger('training.log', separator=';')", 'path': 'keras_csv_semicolon.log', 'format': 'keras_csv',
            'runs': [run('keras_csv_semicolon', keras_series(h.history, h.epoch))]}


def fixture_keras_csv_append_restart(out):
    """CSVLogger(append=True) over two fit() calls of the same script run twice: the epoch restarts at 0."""
    quiet()
    x, y = iris()
    path = os.path.join(out, 'keras_csv_append_restart.csv')
    runs = []
    for attempt, lr in enumerate((0.01, 0.003)):
        keras, model = keras_mlp(4, 16, 3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'], lr=lr)
        h = model.fit(x, y, epochs=6 - attempt, batch_size=16, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path, append=True)])
        name = 'keras_csv_append_restart' if attempt == 0 else 'keras_csv_append_restart (run 2)'
        runs.append(run(name, keras_series(h.history, h.epoch)))
    runs[0]['notes'] = ['2 runs appended in one file']
    return {'library': keras_version(), 'variant': 'CSVLogger(append=True), the script run twice (6 then 5 epochs from 0)', 'path': 'keras_csv_append_restart.csv',
            'format': 'keras_csv', 'runs': runs}


def fixture_keras_csv_append_resume(out):
    """CSVLogger(append=True) over fit(epochs=4) then fit(initial_epoch=4, epochs=9): one run, epochs 0–8."""
    quiet()
    x, y = iris()
    keras, model = keras_mlp(4, 16, 3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'])
    path = os.path.join(out, 'keras_csv_append_resume.csv')
    h1 = model.fit(x, y, epochs=4, batch_size=16, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path, append=True)])
    h2 = model.fit(x, y, initial_epoch=4, epochs=9, batch_size=16, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path, append=True)])
    merged = {k: h1.history[k] + h2.history[k] for k in h1.history}
    return {'library': keras_version(), 'variant': 'CSVLogger(append=True), fit(epochs=4) then fit(initial_epoch=4, epochs=9): one table, epochs 0-8',
            'path': 'keras_csv_append_resume.csv', 'format': 'keras_csv', 'runs': [run('keras_csv_append_resume', keras_series(merged, h1.epoch + h2.epoch))]}


def fixture_keras_csv_reduce_lr(out):
    """ReduceLROnPlateau (a learning_rate column) and EarlyStopping on the breast-cancer classifier."""
    quiet()
    x, y = cancer()
    keras, model = keras_mlp(30, 16, 1, 'sigmoid', 'binary_crossentropy', ['accuracy'], lr=0.05)
    path = os.path.join(out, 'keras_csv_reduce_lr.csv')
    cbs = [keras.callbacks.ReduceLROnPlateau(monitor='val_loss', factor=0.5, patience=1, min_lr=1e-5),
           keras.callbacks.EarlyStopping(monitor='val_loss', patience=4), keras.callbacks.CSVLogger(path)]
    h = model.fit(x, y, epochs=30, batch_size=32, validation_split=0.25, verbose=0, callbacks=cbs)
    return {'library': keras_version(), 'variant': 'CSVLogger with ReduceLROnPlateau(patience=1) and EarlyStopping(patience=4): learning_rate column, stopped early',
            'path': 'keras_csv_reduce_lr.csv', 'format': 'keras_csv', 'runs': [run('keras_csv_reduce_lr', keras_series(h.history, h.epoch))]}


def fixture_keras_csv_many_metrics(out):
    """Accuracy, AUC, Precision, Recall and top-3 accuracy on the digits classifier (one-hot labels)."""
    quiet()
    import numpy as np
    x, y = digits()
    import keras
    yo = keras.utils.to_categorical(y, 10)
    keras, model = keras_mlp(64, 32, 10, 'softmax', 'categorical_crossentropy',
                             ['accuracy', keras.metrics.AUC(name='auc'), keras.metrics.Precision(name='precision'), keras.metrics.Recall(name='recall'),
                              keras.metrics.TopKCategoricalAccuracy(k=3, name='top_k_categorical_accuracy')])
    path = os.path.join(out, 'keras_csv_many_metrics.csv')
    h = model.fit(x, yo, epochs=6, batch_size=32, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path)])
    return {'library': keras_version(), 'variant': 'CSVLogger with metrics accuracy, AUC, Precision, Recall, TopKCategoricalAccuracy(k=3)',
            'path': 'keras_csv_many_metrics.csv', 'format': 'keras_csv', 'runs': [run('keras_csv_many_metrics', keras_series(h.history, h.epoch))]}


def fixture_keras_csv_multi_output(out):
    """A functional model with two named outputs (species: softmax, petal: regression): Keras prefixes the names."""
    quiet()
    import keras
    x, y = iris()
    keras.utils.set_random_seed(SEED)
    inp = keras.Input((3,), name='features')
    hid = keras.layers.Dense(16, activation='relu')(inp)
    species = keras.layers.Dense(3, activation='softmax', name='species')(hid)
    petal = keras.layers.Dense(1, name='petal')(hid)
    model = keras.Model(inp, {'species': species, 'petal': petal})
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss={'species': 'sparse_categorical_crossentropy', 'petal': 'mse'},
                  metrics={'species': ['accuracy'], 'petal': ['mae']})
    path = os.path.join(out, 'keras_csv_multi_output.csv')
    h = model.fit(x[:, :3], {'species': y, 'petal': x[:, 3]}, epochs=6, batch_size=16, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path)])
    return {'library': keras_version(), 'variant': 'CSVLogger of a functional model with two named outputs (species_*, petal_* columns beside the total loss)',
            'path': 'keras_csv_multi_output.csv', 'format': 'keras_csv', 'runs': [run('keras_csv_multi_output', keras_series(h.history, h.epoch))]}


def fixture_keras_csv_validation_freq(out):
    """validation_freq=2: CSVLogger writes NA in the validation columns of the epochs without validation."""
    quiet()
    x, y = iris()
    keras, model = keras_mlp(4, 16, 3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'])
    path = os.path.join(out, 'keras_csv_validation_freq.csv')
    h = model.fit(x, y, epochs=8, batch_size=16, validation_split=0.2, validation_freq=2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path)])
    # Keras validates after epochs 1, 3, 5, 7 (0-based): its history holds only those values.
    hist = {k: (v if not k.startswith('val_') else [None if e % 2 == 0 else v[e // 2] for e in h.epoch]) for k, v in h.history.items()}
    return {'library': keras_version(), 'variant': 'CSVLogger with validation_freq=2: NA cells in the validation columns every other epoch',
            'path': 'keras_csv_validation_freq.csv', 'format': 'keras_csv', 'runs': [run('keras_csv_validation_freq', keras_series(hist, h.epoch))]}


def fixture_keras_csv_nan(out):
    """A regression with too high a learning rate (SGD 0.05): the loss blows up to inf, val_loss to NaN, TerminateOnNaN stops it."""
    quiet()
    import numpy as np
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(256, 4)).astype('float32')
    y = (x @ np.array([30.0, -20.0, 10.0, 5.0], dtype='float32')).astype('float32')
    import keras
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(32, activation='relu'), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss='mse', metrics=['mae'])
    path = os.path.join(out, 'keras_csv_nan.csv')
    h = model.fit(x, y, epochs=12, batch_size=32, validation_split=0.25, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN(), keras.callbacks.CSVLogger(path)])
    return {'library': keras_version(), 'variant': 'CSVLogger of a diverging regression (SGD lr 0.05, loss mse, metric mae), stopped by TerminateOnNaN: inf and nan cells',
            'path': 'keras_csv_nan.csv', 'format': 'keras_csv', 'runs': [run('keras_csv_nan', keras_series(h.history, h.epoch))]}


def fixture_keras_pandas_index_csv(out):
    """pd.DataFrame(history.history).to_csv('history.csv'): an unnamed index column instead of `epoch`."""
    quiet()
    import pandas as pd
    x, y = cancer()
    keras, model = keras_mlp(30, 16, 1, 'sigmoid', 'binary_crossentropy', ['accuracy', keras_auc()])
    h = model.fit(x, y, epochs=7, batch_size=32, validation_split=0.2, verbose=0)
    pd.DataFrame(h.history).to_csv(os.path.join(out, 'keras_pandas_index.csv'))
    return {'library': f'{keras_version()}, pandas {pd.__version__}', 'variant': "pd.DataFrame(history.history).to_csv('history.csv'): unnamed index column, 0-based",
            'path': 'keras_pandas_index.csv', 'format': 'keras_csv', 'runs': [run('keras_pandas_index', keras_series(h.history, h.epoch))]}


def keras_auc():
    import keras
    return keras.metrics.AUC(name='auc')


def fixture_keras_pandas_epoch_last_csv(out):
    """The TensorFlow tutorial's `hist = pd.DataFrame(history.history); hist['epoch'] = history.epoch`, saved without
    the index: the epoch column comes last."""
    quiet()
    import pandas as pd
    x, y = cancer()
    keras, model = keras_mlp(30, 8, 1, None, 'mse', ['mae', 'mse'], lr=0.01)
    h = model.fit(x, y, epochs=7, batch_size=32, validation_split=0.2, verbose=0)
    hist = pd.DataFrame(h.history)
    hist['epoch'] = h.epoch
    hist.to_csv(os.path.join(out, 'keras_pandas_epoch_last.csv'), index=False)
    return {'library': f'{keras_version()}, pandas {pd.__version__}', 'variant': "hist = pd.DataFrame(history.history); hist['epoch'] = history.epoch; hist.to_csv(index=False): epoch last",
            'path': 'keras_pandas_epoch_last.csv', 'format': 'keras_csv', 'runs': [run('keras_pandas_epoch_last', keras_series(h.history, h.epoch))]}


def fixture_keras_history_json(out):
    """json.dump(history.history, f, indent=4) with ReduceLROnPlateau's learning_rate."""
    quiet()
    x, y = iris()
    keras, model = keras_mlp(4, 16, 3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'], lr=0.05)
    h = model.fit(x, y, epochs=8, batch_size=16, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.ReduceLROnPlateau(monitor='val_loss', factor=0.2, patience=1)])
    with open(os.path.join(out, 'keras_history.json'), 'w') as f:
        json.dump(h.history, f, indent=4)
    return {'library': keras_version(), 'variant': 'json.dump(history.history, f, indent=4) with ReduceLROnPlateau (learning_rate)',
            'path': 'keras_history.json', 'format': 'keras_history', 'runs': [run('keras_history', keras_series(h.history, h.epoch))]}


def fixture_keras_history_wrapped_json(out):
    """json.dump({'history': history.history, 'params': history.params, 'epoch': history.epoch})."""
    quiet()
    x, y = iris()
    keras, model = keras_mlp(4, 16, 3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'])
    h = model.fit(x, y, epochs=6, batch_size=16, validation_split=0.2, verbose=0)
    with open(os.path.join(out, 'keras_history_wrapped.json'), 'w') as f:
        json.dump({'history': h.history, 'params': h.params, 'epoch': h.epoch}, f)
    return {'library': keras_version(), 'variant': "json.dump({'history': history.history, 'params': history.params, 'epoch': history.epoch})",
            'path': 'keras_history_wrapped.json', 'format': 'keras_history', 'runs': [run('keras_history_wrapped', keras_series(h.history, h.epoch))]}


def fixture_keras_history_numpy_str_json(out):
    """A History pickled with NumPy float32 values, later json.dump(…, default=str): every value a string."""
    quiet()
    import pickle
    import numpy as np
    x, y = iris()
    keras, model = keras_mlp(4, 16, 3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'])
    h = model.fit(x, y, epochs=6, batch_size=16, validation_split=0.2, verbose=0)
    hist = {k: [np.float32(v) for v in vs] for k, vs in h.history.items()}
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, 'history.pkl'), 'wb') as f:
            pickle.dump(hist, f)
        with open(os.path.join(tmp, 'history.pkl'), 'rb') as f:
            loaded = pickle.load(f)
    with open(os.path.join(out, 'keras_history_numpy_str.json'), 'w') as f:
        json.dump(loaded, f, default=str)
    truth_hist = {k: [float(str(v)) for v in vs] for k, vs in loaded.items()}
    return {'library': f'{keras_version()}, numpy {np.__version__}', 'variant': "history.history of np.float32 pickled, loaded and json.dump(h, f, default=str): values as strings",
            'path': 'keras_history_numpy_str.json', 'format': 'keras_history', 'runs': [run('keras_history_numpy_str', keras_series(truth_hist, h.epoch))]}


def fixture_keras_history_pandas_json(out):
    """pd.DataFrame(history.history).to_json('history.json'): pandas' default orient, {"loss": {"0": …, "1": …}}."""
    quiet()
    import pandas as pd
    x, y = cancer()
    keras, model = keras_mlp(30, 16, 1, 'sigmoid', 'binary_crossentropy', ['accuracy'])
    h = model.fit(x, y, epochs=6, batch_size=32, validation_split=0.2, verbose=0)
    pd.DataFrame(h.history).to_json(os.path.join(out, 'keras_history_pandas.json'))
    return {'library': f'{keras_version()}, pandas {pd.__version__}', 'variant': "pd.DataFrame(history.history).to_json(path): {column: {index: value}}",
            'path': 'keras_history_pandas.json', 'format': 'keras_history', 'runs': [run('keras_history_pandas', decimals_of(keras_series(h.history, h.epoch), 10))]}


def fixture_keras_history_records_json(out):
    """pd.DataFrame(history.history).to_json(orient='records'): a list of per-epoch dicts without an epoch field."""
    quiet()
    import pandas as pd
    x, y = cancer()
    keras, model = keras_mlp(30, 16, 1, 'sigmoid', 'binary_crossentropy', ['accuracy'])
    h = model.fit(x, y, epochs=6, batch_size=32, validation_split=0.2, verbose=0)
    pd.DataFrame(h.history).to_json(os.path.join(out, 'keras_history_records.json'), orient='records')
    return {'library': f'{keras_version()}, pandas {pd.__version__}', 'variant': "pd.DataFrame(history.history).to_json(path, orient='records'): records without an epoch",
            'path': 'keras_history_records.json', 'format': 'keras_history', 'runs': [run('keras_history_records', decimals_of(keras_series(h.history, h.epoch), 10))]}


def fixture_keras_history_validation_freq_json(out):
    """json.dump(history.history) with validation_freq=3: the validation lists are a third as long."""
    quiet()
    x, y = iris()
    keras, model = keras_mlp(4, 16, 3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'])
    h = model.fit(x, y, epochs=9, batch_size=16, validation_split=0.2, validation_freq=3, verbose=0)
    with open(os.path.join(out, 'keras_history_validation_freq.json'), 'w') as f:
        json.dump(h.history, f)
    hist = {k: (v if not k.startswith('val_') else [None if (e + 1) % 3 else v[e // 3] for e in h.epoch]) for k, v in h.history.items()}
    return {'library': keras_version(), 'variant': 'json.dump(history.history) with validation_freq=3: val_* lists of 3 values for 9 epochs',
            'path': 'keras_history_validation_freq.json', 'format': 'keras_history', 'runs': [run('keras_history_validation_freq', keras_series(hist, h.epoch))]}


def fixture_keras_csv_resume_overlap(out):
    """CSVLogger(append=True): fit(epochs=5), then a restart from the checkpoint of epoch 3 (initial_epoch=3, epochs=8):
    epochs 3 and 4 are written twice, the later rows are the run's."""
    quiet()
    x, y = iris()
    keras, model = keras_mlp(4, 16, 3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'])
    path = os.path.join(out, 'keras_csv_resume_overlap.csv')
    h1 = model.fit(x, y, epochs=5, batch_size=16, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path, append=True)])
    h2 = model.fit(x, y, initial_epoch=3, epochs=8, batch_size=16, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path, append=True)])
    merged = {k: h1.history[k][:3] + h2.history[k] for k in h1.history}
    return {'library': keras_version(), 'variant': 'CSVLogger(append=True): fit(epochs=5), then fit(initial_epoch=3, epochs=8) (a restart from an earlier checkpoint): epochs 3-4 twice',
            'path': 'keras_csv_resume_overlap.csv', 'format': 'keras_csv',
            'runs': [run('keras_csv_resume_overlap', keras_series(merged, h1.epoch[:3] + h2.epoch), notes=['resumed run'])]}


def fixture_keras_history_pandas_index_json(out):
    """pd.DataFrame(history.history).to_json(path, orient='index'): {"0": {"loss": …}, "1": {…}}."""
    quiet()
    import pandas as pd
    x, y = cancer()
    keras, model = keras_mlp(30, 16, 1, 'sigmoid', 'binary_crossentropy', ['accuracy'])
    h = model.fit(x, y, epochs=6, batch_size=32, validation_split=0.2, verbose=0)
    pd.DataFrame(h.history).to_json(os.path.join(out, 'keras_history_pandas_index.json'), orient='index')
    return {'library': f'{keras_version()}, pandas {pd.__version__}', 'variant': "pd.DataFrame(history.history).to_json(path, orient='index'): {index: {column: value}}",
            'path': 'keras_history_pandas_index.json', 'format': 'keras_history',
            'runs': [run('keras_history_pandas_index', decimals_of(keras_series(h.history, h.epoch), 10))]}


def fixture_keras_csv_per_class_f1(out):
    """F1Score(average=None) beside F1Score(average='macro'): CSVLogger writes the per-class vector as one quoted cell."""
    quiet()
    import keras
    x, y = iris()
    yo = keras.utils.to_categorical(y, 3)
    keras, model = keras_mlp(4, 16, 3, 'softmax', 'categorical_crossentropy',
                             ['accuracy', keras.metrics.F1Score(average=None, name='f1_per_class'), keras.metrics.F1Score(average='macro', name='f1_macro')])
    path = os.path.join(out, 'keras_csv_per_class_f1.csv')
    h = model.fit(x, yo, epochs=5, batch_size=16, validation_split=0.2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path)])
    scalars = {k: [float(v) for v in vs] for k, vs in h.history.items() if 'per_class' not in k}
    return {'library': keras_version(), 'variant': "CSVLogger with F1Score(average=None) (a quoted per-class vector per cell, not a curve) and F1Score(average='macro')",
            'path': 'keras_csv_per_class_f1.csv', 'format': 'keras_csv',
            'runs': [run('keras_csv_per_class_f1', keras_series(scalars, h.epoch), notes=["column 'f1_per_class' holds text, not numbers: skipped"])]}


def decimals_of(series_list, decimals):
    """pandas' to_json writes 10 significant decimals (double_precision=10)."""
    for s in series_list:
        s['decimals'] = decimals
    return series_list


# ---------------------------------------------------------------------------------------------------------------------
# PyTorch loops: hand-written CSVs, JSON records, text logs
# ---------------------------------------------------------------------------------------------------------------------

def loop_series(recs, ep):
    """The truth of a loop's per-epoch records (train_loss, train_acc, val_loss, val_acc, lr) at epochs `ep`."""
    col = lambda k: [r[k] for r in recs]
    return [series('train_loss', 'loss', 'train', 'epoch', col('train_loss'), ep), series('train_acc', 'accuracy', 'train', 'epoch', col('train_acc'), ep),
            series('val_loss', 'loss', 'val', 'epoch', col('val_loss'), ep), series('val_acc', 'accuracy', 'val', 'epoch', col('val_acc'), ep),
            series('lr', 'lr', 'train', 'epoch', col('lr'), ep)]


def torch_loop(epochs, lr=0.1, on_batch=None, data='iris'):
    """A plain loop on iris (or digits): per epoch (train_loss, train_acc, val_loss, val_acc, lr, seconds)."""
    import time
    import torch
    x, y = iris() if data == 'iris' else digits()
    x = torch.tensor(x)
    y = torch.tensor(y).long()
    n = int(len(y) * 0.8)
    torch.manual_seed(SEED)
    classes = int(y.max()) + 1
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 16), torch.nn.ReLU(), torch.nn.Linear(16, classes))
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    lossf = torch.nn.CrossEntropyLoss()
    rows = []
    batch = 16
    for e in range(epochs):
        t0 = time.time()
        model.train()
        total, correct = 0.0, 0
        nb = math.ceil(n / batch)
        for b in range(nb):
            xb, yb = x[b * batch:min(n, (b + 1) * batch)], y[b * batch:min(n, (b + 1) * batch)]
            opt.zero_grad()
            out = model(xb)
            loss = lossf(out, yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            if on_batch:
                on_batch(e, b, nb, loss.item())
        model.eval()
        with torch.no_grad():
            out = model(x[n:])
            vl = lossf(out, y[n:]).item()
            va = (out.argmax(1) == y[n:]).float().mean().item()
        rows.append({'train_loss': total / n, 'train_acc': correct / n, 'val_loss': vl, 'val_acc': va, 'lr': opt.param_groups[0]['lr'], 'time': time.time() - t0})
        sched.step()
    return rows


def torch_version():
    import torch
    return f'torch {torch.__version__}'


def fixture_plain_csv_headers_units(out):
    """A loop writing `Epoch,Train Loss,Val Loss,Train Acc (%),Val Acc (%)` with f-strings: 1-based, percent."""
    rows = torch_loop(8)
    with open(os.path.join(out, 'plain_csv_headers_units.csv'), 'w') as f:
        f.write('Epoch,Train Loss,Val Loss,Train Acc (%),Val Acc (%)\n')
        for e, r in enumerate(rows, 1):
            f.write(f"{e},{r['train_loss']:.4f},{r['val_loss']:.4f},{100 * r['train_acc']:.2f},{100 * r['val_acc']:.2f}\n")
    ep = list(range(1, 9))
    return {'library': torch_version(), 'variant': "f.write(f'{epoch},{train_loss:.4f},…') under 'Epoch,Train Loss,Val Loss,Train Acc (%),Val Acc (%)'",
            'path': 'plain_csv_headers_units.csv', 'format': 'plain_csv',
            'runs': [run('plain_csv_headers_units', [
                series('Train Loss', 'loss', 'train', 'epoch', [r['train_loss'] for r in rows], ep, decimals=4),
                series('Val Loss', 'loss', 'val', 'epoch', [r['val_loss'] for r in rows], ep, decimals=4),
                series('Train Acc (%)', 'accuracy', 'train', 'epoch', [round(100 * r['train_acc'], 2) / 100 for r in rows], ep, decimals=4),
                series('Val Acc (%)', 'accuracy', 'val', 'epoch', [round(100 * r['val_acc'], 2) / 100 for r in rows], ep, decimals=4),
            ])]}


def fixture_plain_tsv_crlf(out):
    """csv.writer(f, delimiter='\\t'): tab-separated, with the csv module's \\r\\n line ends, lr and time columns."""
    rows = torch_loop(7)
    with open(os.path.join(out, 'plain_tsv_crlf.tsv'), 'w', newline='') as f:
        w = csv.writer(f, delimiter='\t')
        w.writerow(['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'lr', 'time'])
        for e, r in enumerate(rows):
            w.writerow([e, r['train_loss'], r['train_acc'], r['val_loss'], r['val_acc'], r['lr'], r['time']])
    ep = list(range(7))
    return {'library': torch_version(), 'variant': "csv.writer(f, delimiter='\\t') (\\r\\n line ends), epochs from 0, lr and time columns",
            'path': 'plain_tsv_crlf.tsv', 'format': 'plain_csv',
            'runs': [run('plain_tsv_crlf', loop_series(rows, ep))]}


def fixture_plain_csv_pandas_records(out):
    """pd.DataFrame(list_of_dicts).to_csv('log.csv'): an unnamed index column beside the loop's own 1-based epoch."""
    import pandas as pd
    rows = torch_loop(6)
    recs = [{'epoch': e, 'train_loss': r['train_loss'], 'val_loss': r['val_loss'], 'val_acc': r['val_acc']} for e, r in enumerate(rows, 1)]
    pd.DataFrame(recs).to_csv(os.path.join(out, 'plain_csv_pandas_records.csv'))
    ep = list(range(1, 7))
    return {'library': f'{torch_version()}, pandas {pd.__version__}', 'variant': "pd.DataFrame(records).to_csv(path): unnamed index column, then the loop's epoch (1-based)",
            'path': 'plain_csv_pandas_records.csv', 'format': 'plain_csv',
            'runs': [run('plain_csv_pandas_records', [
                series('train_loss', 'loss', 'train', 'epoch', [r['train_loss'] for r in recs], ep),
                series('val_loss', 'loss', 'val', 'epoch', [r['val_loss'] for r in recs], ep),
                series('val_acc', 'accuracy', 'val', 'epoch', [r['val_acc'] for r in recs], ep),
            ])]}


def fixture_plain_csv_step_rows(out):
    """csv.DictWriter with a row every 4 batches (epoch, step, train_loss) and one at each epoch's end (val_loss,
    val_acc), the other cells empty."""
    step_rows = []
    gstep = [0]

    def on_batch(e, b, nb, loss):
        gstep[0] += 1
        if gstep[0] % 4 == 0:
            step_rows.append({'epoch': e, 'step': gstep[0], 'train_loss': loss})

    path = os.path.join(out, 'plain_csv_step_rows.csv')
    epochs_rows = torch_loop(4, on_batch=on_batch)
    # Written in the order the loop produced them: the step rows of an epoch, then its validation row.
    val_steps = []
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=['epoch', 'step', 'train_loss', 'val_loss', 'val_acc'])
        w.writeheader()
        per_epoch_steps = 8  # 120 training rows / 16 a batch
        for e, r in enumerate(epochs_rows):
            for s in step_rows:
                if s['epoch'] == e:
                    w.writerow(s)
            end = (e + 1) * per_epoch_steps
            val_steps.append(end)
            w.writerow({'epoch': e, 'step': end, 'val_loss': r['val_loss'], 'val_acc': r['val_acc']})
    # epoch, step and sparse rows are Lightning's CSVLogger layout exactly: its reader reads them, column by column.
    return {'library': torch_version(), 'variant': "csv.DictWriter(['epoch', 'step', 'train_loss', 'val_loss', 'val_acc']): a training row every 4 steps and a validation row at each epoch end, other cells empty (Lightning's layout)",
            'path': 'plain_csv_step_rows.csv', 'format': 'lightning_csv',
            'runs': [run('plain_csv_step_rows', [
                series('train_loss', 'loss', 'train', 'step', [s['train_loss'] for s in step_rows], [s['epoch'] for s in step_rows], [s['step'] for s in step_rows]),
                series('val_loss', 'loss', 'val', 'epoch', [r['val_loss'] for r in epochs_rows], list(range(4)), val_steps),
                series('val_acc', 'accuracy', 'val', 'epoch', [r['val_acc'] for r in epochs_rows], list(range(4)), val_steps),
            ])]}


def fixture_json_records_loop(out):
    """history.append({...}) each epoch, then json.dump(history, f, indent=2): 1-based epochs, lr and time fields."""
    rows = torch_loop(7, data='digits')
    recs = [{'epoch': e, 'train_loss': r['train_loss'], 'train_acc': r['train_acc'], 'val_loss': r['val_loss'], 'val_acc': r['val_acc'], 'lr': r['lr'], 'time': round(r['time'], 3)}
            for e, r in enumerate(rows, 1)]
    with open(os.path.join(out, 'json_records_loop.json'), 'w') as f:
        json.dump(recs, f, indent=2)
    ep = list(range(1, 8))
    return {'library': torch_version(), 'variant': "json.dump(list_of_epoch_dicts, f, indent=2): epoch (1-based), train_loss, train_acc, val_loss, val_acc, lr, time",
            'path': 'json_records_loop.json', 'format': 'keras_history',
            'runs': [run('json_records_loop', loop_series(recs, ep))]}


def fixture_json_records_nested(out):
    """json.dump of [{'epoch': e, 'train': {'loss', 'acc'}, 'val': {'loss', 'acc'}}, …] with a NaN from json.dump."""
    rows = torch_loop(6)
    recs = [{'epoch': e, 'train': {'loss': r['train_loss'], 'acc': r['train_acc']}, 'val': {'loss': r['val_loss'], 'acc': r['val_acc']}} for e, r in enumerate(rows)]
    recs[-1]['val']['loss'] = float('nan')  # what a blown-up evaluation writes: json.dump spells it NaN
    with open(os.path.join(out, 'json_records_nested.json'), 'w') as f:
        json.dump(recs, f)
    ep = list(range(6))
    return {'library': torch_version(), 'variant': "json.dump([{'epoch': e, 'train': {...}, 'val': {...}}]): nested per-split dicts, a bare NaN",
            'path': 'json_records_nested.json', 'format': 'keras_history',
            'runs': [run('json_records_nested', [
                series('train/loss', 'loss', 'train', 'epoch', [r['train']['loss'] for r in recs], ep),
                series('train/acc', 'accuracy', 'train', 'epoch', [r['train']['acc'] for r in recs], ep),
                series('val/loss', 'loss', 'val', 'epoch', [r['val']['loss'] for r in recs], ep),
                series('val/acc', 'accuracy', 'val', 'epoch', [r['val']['acc'] for r in recs], ep),
            ])]}


def fixture_json_records_wrapped(out):
    """json.dump({'config': vars(args), 'history': [per-epoch dicts]}): the records under a key beside the settings."""
    rows = torch_loop(5)
    recs = [{'epoch': e, 'loss': r['train_loss'], 'val_loss': r['val_loss'], 'val_accuracy': r['val_acc']} for e, r in enumerate(rows, 1)]
    with open(os.path.join(out, 'json_records_wrapped.json'), 'w') as f:
        json.dump({'config': {'lr': 0.1, 'batch_size': 16, 'epochs': 5, 'optimizer': 'sgd'}, 'history': recs}, f, indent=2)
    ep = list(range(1, 6))
    return {'library': torch_version(), 'variant': "json.dump({'config': vars(args), 'history': [per-epoch dicts]}, indent=2)",
            'path': 'json_records_wrapped.json', 'format': 'keras_history',
            'runs': [run('json_records_wrapped', [
                series('loss', 'loss', 'train', 'epoch', [r['loss'] for r in recs], ep),
                series('val_loss', 'loss', 'val', 'epoch', [r['val_loss'] for r in recs], ep),
                series('val_accuracy', 'accuracy', 'val', 'epoch', [r['val_accuracy'] for r in recs], ep),
            ])]}


def fixture_pytorch_word_lm(out):
    """PyTorch's word_language_model main.py prints (its format strings), its output redirected to a file; a tiny
    LSTM language model on a synthetic corpus."""
    import time
    import torch
    torch.manual_seed(SEED)
    vocab, bptt, bs = 50, 10, 8
    g = torch.Generator().manual_seed(SEED)
    # A corpus with structure: each token mostly follows from the previous one.
    seq = [0]
    for _ in range(6000):
        seq.append((seq[-1] * 7 + 3) % vocab if torch.rand(1, generator=g).item() < 0.7 else int(torch.randint(0, vocab, (1,), generator=g)))
    data = torch.tensor(seq)
    train, valid, test = data[:4800], data[4800:5400], data[5400:]

    def batchify(d):
        n = d.size(0) // bs
        return d[:n * bs].view(bs, -1).t().contiguous()

    train, valid, test = batchify(train), batchify(valid), batchify(test)

    class RNNModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = torch.nn.Embedding(vocab, 32)
            self.rnn = torch.nn.LSTM(32, 32)
            self.dec = torch.nn.Linear(32, vocab)

        def forward(self, x):
            o, _ = self.rnn(self.enc(x))
            return self.dec(o)

    model = RNNModel()
    crit = torch.nn.CrossEntropyLoss()
    lr = 20.0
    log_interval = 10
    lines = []
    p = lambda s: lines.append(s)
    truth_batch, truth_valid, truth_lr = [], [], []

    def evaluate(src):
        model.eval()
        total = 0.0
        with torch.no_grad():
            for i in range(0, src.size(0) - 1, bptt):
                n = min(bptt, src.size(0) - 1 - i)
                out = model(src[i:i + n])
                total += n * crit(out.view(-1, vocab), src[i + 1:i + 1 + n].reshape(-1)).item()
        return total / (src.size(0) - 1)

    best = None
    epochs = 4
    p(f"Namespace(batch_size={bs}, bptt={bptt}, clip=0.25, cuda=False, data='./data/synthetic', dropout=0.2, dry_run=False, emsize=32, epochs={epochs}, log_interval={log_interval}, lr=20, model='LSTM', nhead=2, nhid=32, nlayers=1, onnx_export='', save='model.pt', seed=1111, tied=False)")
    nbatches = len(range(0, train.size(0) - 1, bptt))
    for epoch in range(1, epochs + 1):
        t0 = time.time()
        model.train()
        total = 0.0
        start = time.time()
        for batch, i in enumerate(range(0, train.size(0) - 1, bptt)):
            n = min(bptt, train.size(0) - 1 - i)
            model.zero_grad()
            loss = crit(model(train[i:i + n]).view(-1, vocab), train[i + 1:i + 1 + n].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            for q in model.parameters():
                q.data.add_(q.grad, alpha=-lr)
            total += loss.item()
            if batch % log_interval == 0 and batch > 0:
                cur_loss = total / log_interval
                elapsed = time.time() - start
                p('| epoch {:3d} | {:5d}/{:5d} batches | lr {:02.2f} | ms/batch {:5.2f} | loss {:5.2f} | ppl {:8.2f}'.format(
                    epoch, batch, len(train) // bptt, lr, elapsed * 1000 / log_interval, cur_loss, math.exp(cur_loss)))
                truth_batch.append(((epoch - 1) * (len(train) // bptt) + batch, epoch - 1 + batch / (len(train) // bptt), cur_loss, math.exp(cur_loss), lr))
                total = 0
                start = time.time()
        val_loss = evaluate(valid)
        p('-' * 89)
        p('| end of epoch {:3d} | time: {:5.2f}s | valid loss {:5.2f} | valid ppl {:8.2f}'.format(epoch, (time.time() - t0), val_loss, math.exp(val_loss)))
        p('-' * 89)
        truth_valid.append((epoch, epoch * (len(train) // bptt), val_loss, math.exp(val_loss)))
        if best is None or val_loss < best:
            best = val_loss
        else:
            lr /= 4.0
    test_loss = evaluate(test)
    p('=' * 89)
    p('| End of training | test loss {:5.2f} | test ppl {:8.2f}'.format(test_loss, math.exp(test_loss)))
    p('=' * 89)
    with open(os.path.join(out, 'pytorch_word_lm_log.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    bsteps = [t[0] for t in truth_batch]
    bep = [t[1] for t in truth_batch]
    vsteps = [t[1] for t in truth_valid]
    vep = [t[0] for t in truth_valid]
    last_step, last_epoch = vsteps[-1], vep[-1]
    return {'library': torch_version(), 'variant': "word_language_model main.py's prints (| epoch | batches | lr | ms/batch | loss | ppl |, end of epoch, End of training) redirected to a file",
            'path': 'pytorch_word_lm_log.md', 'format': 'pytorch_text',
            'runs': [run('pytorch_word_lm_log', [
                series('lr', 'lr', 'train', 'step', [t[4] for t in truth_batch], bep, bsteps, decimals=2),
                series('loss', 'loss', 'train', 'step', [t[2] for t in truth_batch], bep, bsteps, decimals=2),
                series('ppl', 'ppl', 'train', 'step', [t[3] for t in truth_batch], bep, bsteps, decimals=2),
                series('valid_loss', 'loss', 'val', 'epoch', [t[2] for t in truth_valid], vep, vsteps, decimals=2),
                series('valid_ppl', 'ppl', 'val', 'epoch', [t[3] for t in truth_valid], vep, vsteps, decimals=2),
                series('test_loss', 'loss', 'test', 'epoch', [test_loss], [last_epoch], [last_step], decimals=2),
                series('test_ppl', 'ppl', 'test', 'epoch', [math.exp(test_loss)], [last_epoch], [last_step], decimals=2),
            ])]}


def fixture_plain_csv_sparse_steps(out):
    """csv.DictWriter(['step', 'train_loss', 'val_loss', 'val_acc']): a training row every 4 steps, a validation row at
    each epoch's last step (the same step as a training row), the other cells empty; no epoch column."""
    step_rows = []
    gstep = [0]

    def on_batch(e, b, nb, loss):
        gstep[0] += 1
        if gstep[0] % 4 == 0:
            step_rows.append({'step': gstep[0], 'train_loss': loss})

    epochs_rows = torch_loop(4, on_batch=on_batch)
    val_steps = []
    with open(os.path.join(out, 'plain_csv_sparse_steps.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=['step', 'train_loss', 'val_loss', 'val_acc'])
        w.writeheader()
        for e, r in enumerate(epochs_rows):
            end = (e + 1) * 8  # 120 training rows in batches of 16
            for srow in step_rows:
                if end - 8 < srow['step'] <= end:
                    w.writerow(srow)
            val_steps.append(end)
            w.writerow({'step': end, 'val_loss': r['val_loss'], 'val_acc': r['val_acc']})
    return {'library': torch_version(), 'variant': "csv.DictWriter(['step', 'train_loss', 'val_loss', 'val_acc']): sparse rows, a validation row at the step of a training row",
            'path': 'plain_csv_sparse_steps.csv', 'format': 'plain_csv',
            'runs': [run('plain_csv_sparse_steps', [
                series('train_loss', 'loss', 'train', 'step', [s['train_loss'] for s in step_rows], steps=[s['step'] for s in step_rows]),
                series('val_loss', 'loss', 'val', 'step', [r['val_loss'] for r in epochs_rows], steps=val_steps),
                series('val_acc', 'accuracy', 'val', 'step', [r['val_acc'] for r in epochs_rows], steps=val_steps),
            ])]}


def fixture_plain_csv_decimal_comma(out):
    """pd.DataFrame(records).to_csv(path, sep=';', decimal=',', index=False): a spreadsheet-style export."""
    import pandas as pd
    rows = torch_loop(6)
    recs = [{'epoch': e, 'loss': r['train_loss'], 'accuracy': r['train_acc'], 'val_loss': r['val_loss'], 'val_accuracy': r['val_acc']} for e, r in enumerate(rows, 1)]
    pd.DataFrame(recs).to_csv(os.path.join(out, 'plain_csv_decimal_comma.csv'), sep=';', decimal=',', index=False)
    ep = list(range(1, 7))
    col = lambda k: [r[k] for r in recs]
    return {'library': f'{torch_version()}, pandas {pd.__version__}', 'variant': "pd.DataFrame(records).to_csv(path, sep=';', decimal=',', index=False): decimal commas",
            'path': 'plain_csv_decimal_comma.csv', 'format': 'keras_csv',
            'runs': [run('plain_csv_decimal_comma', [
                series('loss', 'loss', 'train', 'epoch', col('loss'), ep), series('accuracy', 'accuracy', 'train', 'epoch', col('accuracy'), ep),
                series('val_loss', 'loss', 'val', 'epoch', col('val_loss'), ep), series('val_accuracy', 'accuracy', 'val', 'epoch', col('val_accuracy'), ep),
            ])]}


def fixture_text_log_appended(out):
    """A loop that opens train_log.txt in append mode each epoch and writes one f-string line (percent accuracy)."""
    path = os.path.join(out, 'text_log_appended.txt')
    if os.path.exists(path):
        os.remove(path)
    rows = torch_loop(6)
    for e, r in enumerate(rows, 1):
        with open(path, 'a') as f:
            f.write(f"Epoch {e}/6, Train Loss: {r['train_loss']:.4f}, Train Acc: {100 * r['train_acc']:.2f}%, Val Loss: {r['val_loss']:.4f}, Val Acc: {100 * r['val_acc']:.2f}%\n")
    ep = list(range(1, 7))
    return {'library': torch_version(), 'variant': "open('train_log.txt', 'a').write(f'Epoch {e}/6, Train Loss: …, Train Acc: …%, Val Loss: …, Val Acc: …%') each epoch",
            'path': 'text_log_appended.txt', 'format': 'console_text',
            'runs': [run('text_log_appended', [
                # The general console reader names a printed `Train Loss` train_loss.
                series('train_loss', 'loss', 'train', 'epoch', [r['train_loss'] for r in rows], ep, decimals=4),
                series('train_acc', 'accuracy', 'train', 'epoch', [round(100 * r['train_acc'], 2) / 100 for r in rows], ep, decimals=4),
                series('val_loss', 'loss', 'val', 'epoch', [r['val_loss'] for r in rows], ep, decimals=4),
                series('val_acc', 'accuracy', 'val', 'epoch', [round(100 * r['val_acc'], 2) / 100 for r in rows], ep, decimals=4),
            ])]}


def fixture_text_log_logging_tutorial(out):
    """logging.basicConfig(filename='train.log', format='%(asctime)s - %(levelname)s - %(message)s') around the
    tutorials' 'Epoch [e/N], Step [s/S], Loss: x' lines."""
    import logging
    path = os.path.join(out, 'text_log_logging_tutorial.log')
    if os.path.exists(path):
        os.remove(path)
    logging.basicConfig(filename=path, level=logging.INFO, format='%(asctime)s - %(levelname)s - %(message)s')
    log = logging.getLogger()
    seen = []

    def on_batch(e, b, nb, loss):
        if (b + 1) % 2 == 0:
            seen.append(((e * nb) + b + 1, e + (b + 1) / nb, loss))
            log.info('Epoch [%d/%d], Step [%d/%d], Loss: %.4f', e + 1, 4, b + 1, nb, loss)

    torch_loop(4, on_batch=on_batch)
    logging.shutdown()
    return {'library': f'{torch_version()}, logging', 'variant': "logging to a file with an asctime prefix: '2026-… - INFO - Epoch [1/4], Step [2/8], Loss: 0.9821'",
            # The logging prefix makes it console output the general reader reads (the exact reader wants the bare line).
            'path': 'text_log_logging_tutorial.log', 'format': 'console_text',
            'runs': [run('text_log_logging_tutorial', [
                series('loss', 'loss', 'train', 'step', [t[2] for t in seen], [t[1] for t in seen], [t[0] for t in seen], decimals=4),
            ])]}


def fixture_plain_csv_percent_cells(out):
    """f.write(f'{epoch},{train_loss:.4f},{100 * train_acc:.2f}%,…'): accuracy cells written with a % sign."""
    rows = torch_loop(6)
    with open(os.path.join(out, 'plain_csv_percent_cells.csv'), 'w') as f:
        f.write('epoch,train_loss,train_acc,val_loss,val_acc\n')
        for e, r in enumerate(rows, 1):
            f.write(f"{e},{r['train_loss']:.4f},{100 * r['train_acc']:.2f}%,{r['val_loss']:.4f},{100 * r['val_acc']:.2f}%\n")
    ep = list(range(1, 7))
    return {'library': torch_version(), 'variant': "f.write(f'{epoch},{train_loss:.4f},{100 * train_acc:.2f}%,…'): cells like 87.50%",
            'path': 'plain_csv_percent_cells.csv', 'format': 'plain_csv',
            'runs': [run('plain_csv_percent_cells', [
                series('train_loss', 'loss', 'train', 'epoch', [r['train_loss'] for r in rows], ep, decimals=4),
                series('train_acc', 'accuracy', 'train', 'epoch', [round(100 * r['train_acc'], 2) / 100 for r in rows], ep, decimals=4),
                series('val_loss', 'loss', 'val', 'epoch', [r['val_loss'] for r in rows], ep, decimals=4),
                series('val_acc', 'accuracy', 'val', 'epoch', [round(100 * r['val_acc'], 2) / 100 for r in rows], ep, decimals=4),
            ])]}


# ---------------------------------------------------------------------------------------------------------------------
# Lightning
# ---------------------------------------------------------------------------------------------------------------------

def lightning_module(log_names, lr=0.1, step_lr=False):
    """A LightningModule around a small MLP on iris; `log_names` maps 'train', 'val', 'val_acc', 'test' to the names
    self.log uses, and 'train_on_step' says whether the training loss is logged per step too."""
    import torch
    import lightning as L

    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            torch.manual_seed(SEED)
            self.net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))

        def training_step(self, batch, i):
            xb, yb = batch
            loss = torch.nn.functional.cross_entropy(self.net(xb), yb)
            self.log(log_names['train'], loss, on_step=log_names.get('train_on_step', False), on_epoch=True)
            return loss

        def validation_step(self, batch, i):
            xb, yb = batch
            out = self.net(xb)
            self.log(log_names['val'], torch.nn.functional.cross_entropy(out, yb))
            self.log(log_names['val_acc'], (out.argmax(1) == yb).float().mean())

        def test_step(self, batch, i):
            xb, yb = batch
            out = self.net(xb)
            self.log(log_names['test'], torch.nn.functional.cross_entropy(out, yb))
            self.log(log_names['test_acc'], (out.argmax(1) == yb).float().mean())

        def configure_optimizers(self):
            opt = torch.optim.SGD(self.parameters(), lr=lr)
            if step_lr:
                return {'optimizer': opt, 'lr_scheduler': torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)}
            return opt

    return Model


def lightning_data():
    import torch
    x, y = iris()
    x = torch.tensor(x)
    y = torch.tensor(y).long()
    tr = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[:120], y[:120]), batch_size=16)
    va = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[120:], y[120:]), batch_size=30)
    return tr, va


def recording_csv_logger(save_dir, version):
    """Lightning's CSVLogger that also records every log_metrics call (what it writes to metrics.csv)."""
    from lightning.pytorch.loggers import CSVLogger

    class Recording(CSVLogger):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.calls = []

        def log_metrics(self, metrics, step=None):
            self.calls.append((step, {k: float(v) for k, v in metrics.items()}))
            super().log_metrics(metrics, step)

    return Recording(save_dir, name='lightning_logs', version=version)


def lightning_truth(calls, cadences, keys):
    """The logger's calls → truth series: per metric name, its steps, epochs (the call's `epoch` field) and values."""
    by = {}
    for step, m in calls:
        for k, v in m.items():
            if k == 'epoch':
                continue
            by.setdefault(k, []).append((step, m.get('epoch'), v))
    out = []
    for name, pts in by.items():
        key, split = keys[name]
        out.append(series(name, key, split, cadences[name], [p[2] for p in pts], [p[1] if p[1] is not None else float('nan') for p in pts], [p[0] for p in pts]))
    return out


def lightning_fit(out_dir, version, names, trainer_args, lr=0.1, step_lr=False, test=False, callbacks=()):
    import lightning as L
    L.seed_everything(SEED, verbose=False)
    logger = recording_csv_logger(out_dir, version)
    trainer = L.Trainer(logger=logger, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, accelerator='cpu', devices=1,
                        num_sanity_val_steps=0, callbacks=list(callbacks), **trainer_args)
    model = lightning_module(names, lr=lr, step_lr=step_lr)()
    tr, va = lightning_data()
    trainer.fit(model, tr, va)
    if test:
        trainer.test(model, va, verbose=False)
    return logger, L.__version__


NAMES = {'train': 'train_loss', 'val': 'val_loss', 'val_acc': 'val_acc', 'test': 'test_loss', 'test_acc': 'test_acc'}
KEYS = {'train_loss': ('loss', 'train'), 'train_loss_step': ('loss', 'train'), 'train_loss_epoch': ('loss', 'train'), 'val_loss': ('loss', 'val'),
        'val_acc': ('accuracy', 'val'), 'test_loss': ('loss', 'test'), 'test_acc': ('accuracy', 'test'), 'lr-SGD': ('lr', 'train')}


def fixture_lightning_step_epoch_test(out):
    """self.log(on_step=True, on_epoch=True) (train_loss_step, train_loss_epoch), log_every_n_steps=3, and
    trainer.test() at the end (a test_loss row)."""
    with tempfile.TemporaryDirectory() as tmp:
        logger, version = lightning_fit(tmp, 0, {**NAMES, 'train_on_step': True}, {'max_epochs': 4, 'log_every_n_steps': 3}, test=True)
        shutil.copy(os.path.join(logger.log_dir, 'metrics.csv'), os.path.join(out, 'lightning_step_epoch_test.csv'))
    cad = {'train_loss_step': 'step', 'train_loss_epoch': 'epoch', 'val_loss': 'epoch', 'val_acc': 'epoch', 'test_loss': 'epoch', 'test_acc': 'epoch'}
    return {'library': f'lightning {version}', 'variant': 'CSVLogger: self.log(on_step=True, on_epoch=True), log_every_n_steps=3, trainer.test() after fit',
            'path': 'lightning_step_epoch_test.csv', 'format': 'lightning_csv',
            'runs': [run('lightning_step_epoch_test', lightning_truth(logger.calls, cad, KEYS))]}


def fixture_lightning_val_every_2(out):
    """check_val_every_n_epoch=2, LearningRateMonitor (lr-SGD rows without an epoch) under StepLR."""
    from lightning.pytorch.callbacks import LearningRateMonitor
    with tempfile.TemporaryDirectory() as tmp:
        logger, version = lightning_fit(tmp, 0, NAMES, {'max_epochs': 6, 'check_val_every_n_epoch': 2, 'log_every_n_steps': 4}, step_lr=True,
                                        callbacks=[LearningRateMonitor(logging_interval='epoch')])
        shutil.copy(os.path.join(logger.log_dir, 'metrics.csv'), os.path.join(out, 'lightning_val_every_2.csv'))
    cad = {'train_loss': 'epoch', 'val_loss': 'epoch', 'val_acc': 'epoch', 'lr-SGD': 'epoch'}
    return {'library': f'lightning {version}', 'variant': "CSVLogger with check_val_every_n_epoch=2 and LearningRateMonitor(logging_interval='epoch') under StepLR",
            'path': 'lightning_val_every_2.csv', 'format': 'lightning_csv',
            'runs': [run('lightning_val_every_2', lightning_truth(logger.calls, cad, KEYS))]}


def fixture_lightning_versions(out):
    """Two fits in one lightning_logs folder: version_0 and version_1, each with metrics.csv and hparams.yaml."""
    root = os.path.join(out, 'lightning_versions')
    shutil.rmtree(root, ignore_errors=True)
    runs = []
    version = None
    for v, lr in ((0, 0.1), (1, 0.02)):
        logger, version = lightning_fit(root, v, NAMES, {'max_epochs': 3, 'log_every_n_steps': 4}, lr=lr)
        cad = {'train_loss': 'epoch', 'val_loss': 'epoch', 'val_acc': 'epoch'}
        runs.append(run(f'lightning_logs/version_{v}/metrics', lightning_truth(logger.calls, cad, KEYS)))
    return {'library': f'lightning {version}', 'variant': 'two fits under one CSVLogger(save_dir): lightning_logs/version_0 and version_1 (metrics.csv and hparams.yaml each), read as a directory',
            'path': 'lightning_versions', 'format': 'lightning_csv', 'runs': runs}


def fixture_lightning_slash_val_interval(out):
    """self.log('train/loss'), self.log('val/loss'), self.log('val/acc'), validation twice an epoch
    (val_check_interval=0.5)."""
    names = {'train': 'train/loss', 'val': 'val/loss', 'val_acc': 'val/acc', 'test': 'test/loss', 'test_acc': 'test/acc', 'train_on_step': True}
    with tempfile.TemporaryDirectory() as tmp:
        logger, version = lightning_fit(tmp, 0, names, {'max_epochs': 3, 'val_check_interval': 0.5, 'log_every_n_steps': 2})
        shutil.copy(os.path.join(logger.log_dir, 'metrics.csv'), os.path.join(out, 'lightning_slash_val_interval.csv'))
    cad = {'train/loss_step': 'step', 'train/loss_epoch': 'epoch', 'val/loss': 'step', 'val/acc': 'step'}
    keys = {'train/loss_step': ('loss', 'train'), 'train/loss_epoch': ('loss', 'train'), 'val/loss': ('loss', 'val'), 'val/acc': ('accuracy', 'val')}
    return {'library': f'lightning {version}', 'variant': "CSVLogger with self.log('train/loss', on_step, on_epoch), 'val/loss', 'val/acc' and val_check_interval=0.5 (two validations an epoch)",
            'path': 'lightning_slash_val_interval.csv', 'format': 'lightning_csv',
            'runs': [run('lightning_slash_val_interval', lightning_truth(logger.calls, cad, keys))]}


def fixture_lightning_torchmetrics(out):
    """torchmetrics MetricCollection([MulticlassAccuracy, MulticlassF1Score], prefix='val_') through self.log_dict, the
    training loss per epoch: columns val_MulticlassAccuracy, val_MulticlassF1Score."""
    import torch
    import lightning as L
    from torchmetrics import MetricCollection
    from torchmetrics.classification import MulticlassAccuracy, MulticlassF1Score
    L.seed_everything(SEED, verbose=False)

    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            torch.manual_seed(SEED)
            self.net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
            self.val_metrics = MetricCollection([MulticlassAccuracy(num_classes=3), MulticlassF1Score(num_classes=3)], prefix='val_')

        def training_step(self, batch, i):
            xb, yb = batch
            loss = torch.nn.functional.cross_entropy(self.net(xb), yb)
            self.log('train_loss', loss, on_step=False, on_epoch=True)
            return loss

        def validation_step(self, batch, i):
            xb, yb = batch
            out = self.net(xb)
            self.log('val_loss', torch.nn.functional.cross_entropy(out, yb))
            self.val_metrics.update(out, yb)
            self.log_dict(self.val_metrics)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    with tempfile.TemporaryDirectory() as tmp:
        logger = recording_csv_logger(tmp, 0)
        trainer = L.Trainer(logger=logger, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, accelerator='cpu', devices=1,
                            num_sanity_val_steps=0, max_epochs=4, log_every_n_steps=4)
        tr, va = lightning_data()
        trainer.fit(Model(), tr, va)
        shutil.copy(os.path.join(logger.log_dir, 'metrics.csv'), os.path.join(out, 'lightning_torchmetrics.csv'))
    cad = {'train_loss': 'epoch', 'val_loss': 'epoch', 'val_MulticlassAccuracy': 'epoch', 'val_MulticlassF1Score': 'epoch'}
    # torchmetrics' class names (MulticlassAccuracy, MulticlassF1Score) are read as the accuracy and F1 they are.
    keys = {'train_loss': ('loss', 'train'), 'val_loss': ('loss', 'val'), 'val_MulticlassAccuracy': ('accuracy', 'val'),
            'val_MulticlassF1Score': ('f1', 'val')}
    return {'library': f'lightning {L.__version__}, torchmetrics {__import__("torchmetrics").__version__}',
            'variant': "CSVLogger with self.log_dict(MetricCollection([MulticlassAccuracy, MulticlassF1Score], prefix='val_'))",
            'path': 'lightning_torchmetrics.csv', 'format': 'lightning_csv',
            'runs': [run('lightning_torchmetrics', lightning_truth(logger.calls, cad, keys))]}


# ---------------------------------------------------------------------------------------------------------------------
# transformers Trainer
# ---------------------------------------------------------------------------------------------------------------------

def hf_tiny():
    """A one-layer BERT classifier of 16 units and a dataset of random token ids (label: is the first id above 20)."""
    quiet()
    from tiny_bert import tiny_bert
    return tiny_bert(SEED)


def accuracy_f1(pred):
    import numpy as np
    p = pred.predictions.argmax(-1)
    y = pred.label_ids
    tp = int(((p == 1) & (y == 1)).sum())
    prec = tp / max(1, int((p == 1).sum()))
    rec = tp / max(1, int((y == 1).sum()))
    return {'accuracy': float((p == y).mean()), 'f1': 2 * prec * rec / (prec + rec) if prec + rec else 0.0}


HF_SKIP = {'step', 'epoch', 'total_flos', 'train_runtime', 'train_samples_per_second', 'train_steps_per_second', 'train_loss'}


def hf_truth(log_history, eval_cadence, train_cadence='step'):
    """log_history → truth series: every metric of the training entries and of the evaluation entries (the first
    entry at a step wins, as a later trainer.evaluate() at the same step repeats it)."""
    by = {}
    seen_eval = set()
    for entry in log_history:
        if 'train_runtime' in entry:
            continue
        keys = tuple(sorted(k for k in entry if k.startswith('eval_')))
        if keys:
            if (entry['step'], keys) in seen_eval:
                continue
            seen_eval.add((entry['step'], keys))
        for k, v in entry.items():
            if k in HF_SKIP or k.endswith('_runtime') or k.endswith('_per_second') or not isinstance(v, (int, float)):
                continue
            by.setdefault(k, []).append((entry['step'], entry['epoch'], v))
    out = []
    for name, pts in by.items():
        if name.startswith('eval_'):
            base = name[5:]
            key = {'accuracy': 'accuracy'}.get(base, base)
            split, cadence = 'val', eval_cadence
        else:
            key = {'learning_rate': 'lr'}.get(name, name)
            split, cadence = 'train', train_cadence
        out.append(series(name, key, split, cadence, [p[2] for p in pts], [p[1] for p in pts], [p[0] for p in pts]))
    return out


def hf_args(out, **kw):
    from transformers import TrainingArguments
    base = {'output_dir': out, 'num_train_epochs': 3, 'per_device_train_batch_size': 16, 'per_device_eval_batch_size': 32, 'logging_steps': 4,
            'eval_strategy': 'epoch', 'save_strategy': 'no', 'report_to': [], 'learning_rate': 5e-3, 'seed': SEED, 'use_cpu': True, 'disable_tqdm': True}
    base.update(kw)
    return TrainingArguments(**base)


def fixture_hf_eval_datasets(out):
    """eval_dataset={'in_domain': …, 'shifted': …} with compute_metrics: eval_in_domain_loss, eval_shifted_accuracy …"""
    transformers, model, Data = hf_tiny()
    from transformers import Trainer
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(model=model, args=hf_args(tmp), train_dataset=Data(160), eval_dataset={'in_domain': Data(64), 'shifted': Data(64, shift=8)},
                          compute_metrics=accuracy_f1)
        trainer.train()
        trainer.save_state()
        shutil.copy(os.path.join(tmp, 'trainer_state.json'), os.path.join(out, 'hf_eval_datasets_trainer_state.json'))
    truth = hf_truth(trainer.state.log_history, 'epoch')
    for s in truth:
        # eval_<dataset>_<metric>: the metric's own name (loss, accuracy, f1) under the dataset's name.
        if s['name'].startswith('eval_'):
            rest = s['name'][5:]
            s['key'] = rest
            s['direction'] = direction(rest)
    return {'library': f'transformers {transformers.__version__}', 'variant': "Trainer with eval_dataset={'in_domain': …, 'shifted': …} and compute_metrics (accuracy, f1), eval per epoch; trainer.save_state()",
            'path': 'hf_eval_datasets_trainer_state.json', 'format': 'hf_trainer_state', 'runs': [run('hf_eval_datasets_trainer_state', truth)]}


def fixture_hf_checkpoint_eval_steps(out):
    """eval every 5 steps, logging every 10 (logging_steps > eval_steps; 12 steps an epoch), saved every 15: the last
    checkpoint folder's trainer_state.json (and config.json beside it), read as a directory."""
    transformers, model, Data = hf_tiny()
    from transformers import Trainer
    root = os.path.join(out, 'hf_checkpoint_eval_steps')
    shutil.rmtree(root, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(model=model, args=hf_args(tmp, eval_strategy='steps', eval_steps=5, logging_steps=10, save_strategy='steps', save_steps=15),
                          train_dataset=Data(192), eval_dataset=Data(64), compute_metrics=accuracy_f1)
        trainer.train()
        ckpts = sorted((d for d in os.listdir(tmp) if d.startswith('checkpoint-')), key=lambda d: int(d.split('-')[1]))
        last = ckpts[-1]
        os.makedirs(os.path.join(root, last))
        for f in ('trainer_state.json', 'config.json'):
            shutil.copy(os.path.join(tmp, last, f), os.path.join(root, last, f))
        with open(os.path.join(tmp, last, 'trainer_state.json')) as f:
            state = json.load(f)
    return {'library': f'transformers {transformers.__version__}', 'variant': f'Trainer with eval_steps=5, logging_steps=10, save_steps=15, compute_metrics: {last}/trainer_state.json (and config.json) as a folder',
            'path': 'hf_checkpoint_eval_steps', 'format': 'hf_trainer_state', 'runs': [run('trainer_state', hf_truth(state['log_history'], 'step'))]}


def fixture_hf_epoch_logging_best(out):
    """logging_strategy='epoch', eval per epoch, load_best_model_at_end with metric_for_best_model='f1', then
    trainer.evaluate() and save_state(): the final evaluation repeats the last step with the best model's numbers."""
    transformers, model, Data = hf_tiny()
    from transformers import Trainer
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(model=model, args=hf_args(tmp, num_train_epochs=4, logging_strategy='epoch', save_strategy='epoch', load_best_model_at_end=True,
                                                    metric_for_best_model='f1', save_total_limit=1),
                          train_dataset=Data(160), eval_dataset=Data(64), compute_metrics=accuracy_f1)
        trainer.train()
        trainer.evaluate()
        trainer.save_state()
        shutil.copy(os.path.join(tmp, 'trainer_state.json'), os.path.join(out, 'hf_epoch_logging_best_trainer_state.json'))
    return {'library': f'transformers {transformers.__version__}', 'variant': "Trainer with logging_strategy='epoch', eval per epoch, load_best_model_at_end (f1), trainer.evaluate() then save_state()",
            'path': 'hf_epoch_logging_best_trainer_state.json', 'format': 'hf_trainer_state',
            'runs': [run('hf_epoch_logging_best_trainer_state', hf_truth(trainer.state.log_history, 'epoch', train_cadence='epoch'), notes=['repeated evaluation entry'])]}


# ---------------------------------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------------------------------

FIXTURES = {name[len('fixture_'):]: fn for name, fn in globals().items() if name.startswith('fixture_')}


def child(name):
    os.makedirs(OUT, exist_ok=True)
    truth = FIXTURES[name](OUT)
    with open(os.path.join(OUT, f'{name}.truth.json'), 'w') as f:
        json.dump(truth, f, indent=1, allow_nan=False)
        f.write('\n')


def manifest():
    rows = []
    for name in sorted(FIXTURES):
        p = os.path.join(OUT, f'{name}.truth.json')
        if not os.path.exists(p):
            continue
        with open(p) as f:
            t = json.load(f)
        what = '; '.join(', '.join(f"{s['name']}×{s['n']}" for s in r['series']) for r in t['runs'])
        rows.append([t['path'], t['format'], t['library'], t['variant'], what])
    with open(os.path.join(OUT, 'manifest.tsv'), 'w') as f:
        f.write('path\texpected format\tlibrary and version\tvariant\tseries (name×points, per run)\n')
        for r in rows:
            f.write('\t'.join(r) + '\n')


def main(argv):
    if len(argv) >= 2 and argv[0] == '--child':
        child(argv[1])
        return
    names = argv or sorted(FIXTURES)
    failed = []
    for name in names:
        if name not in FIXTURES:
            sys.exit(f'unknown fixture {name!r}; known: {", ".join(sorted(FIXTURES))}')
        print(f'capturing {name} …', flush=True)
        env = {**os.environ, 'PYTHONHASHSEED': '0', 'TF_CPP_MIN_LOG_LEVEL': '3', 'CUDA_VISIBLE_DEVICES': ''}
        r = subprocess.run([sys.executable, os.path.abspath(__file__), '--child', name], env=env)
        if r.returncode != 0:
            failed.append(name)
    manifest()
    if failed:
        sys.exit(f'failed: {", ".join(failed)}')


if __name__ == '__main__':
    main(sys.argv[1:])
