"""A Hugging Face TrainerCallback that streams to runmedic. Stdlib + transformers' own callback hooks.

    trainer = Trainer(..., callbacks=[RunmedicCallback("bert-sst2", "http://127.0.0.1:8787", os.environ["RUNMEDIC_TOKEN"])])
Trainer has no hook for a crash: a run that raises is flagged as stalled once it stops sending.
"""
import json, math, re, time, urllib.request

from transformers import TrainerCallback

# Trainer's speed/size figures (eval_runtime, train_samples_per_second, total_flos…) are not learning curves.
NOT_A_CURVE = re.compile(r"runtime|per_second|flos|_mem_|num_input_tokens|^(epoch|step)$")


class RunmedicCallback(TrainerCallback):
    def __init__(self, name, url, token):
        self.name, self.url, self.token, self.run_id = name, url.rstrip("/"), token, None

    def _post(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())
        except Exception as e:  # never break training over monitoring
            print("runmedic:", path, e)
            return {}

    def on_train_begin(self, args, state, control, **kw):
        if not state.is_world_process_zero:
            return
        batch = args.per_device_train_batch_size * args.gradient_accumulation_steps * max(1, args.world_size)
        # state.num_train_epochs is a whole number (args' may be 0.5, which is no epoch count)
        config = {"learningRate": args.learning_rate, "batchSize": batch, "epochs": state.num_train_epochs}
        body = {"name": self.name, "framework": "transformers", "config": {k: v for k, v in config.items() if v}}
        self.run_id = self._post("/api/v1/runs", body).get("id")

    def on_log(self, args, state, control, logs=None, **kw):
        if not self.run_id or not logs or "train_runtime" in logs:  # that last log is the run's summary, not a step
            return
        metrics = {k: (float(v) if math.isfinite(v) else None) for k, v in logs.items()
                   if isinstance(v, (int, float)) and not isinstance(v, bool) and not NOT_A_CURVE.search(k)}
        if metrics:  # HF names eval metrics eval_loss, eval_accuracy: runmedic reads eval_* as validation
            point = {"step": state.global_step, "epoch": state.epoch or 0, "time": time.time(), "metrics": metrics}
            self._post(f"/api/v1/runs/{self.run_id}/metrics", {"points": [point]})

    def on_train_end(self, args, state, control, **kw):
        if self.run_id:
            self._post(f"/api/v1/runs/{self.run_id}/finish", {"status": "finished"})
