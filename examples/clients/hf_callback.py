"""A Hugging Face TrainerCallback that streams to runmedic. Stdlib + transformers' own callback hooks.

    trainer = Trainer(..., callbacks=[RunmedicCallback("bert-sst2", "http://127.0.0.1:8787", os.environ["RUNMEDIC_TOKEN"])])
"""
import json, math, time, urllib.request

from transformers import TrainerCallback


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
            print("runmedic:", e)
            return {}

    def on_train_begin(self, args, state, control, **kw):
        if not state.is_world_process_zero:
            return
        config = {"learningRate": args.learning_rate, "batchSize": args.per_device_train_batch_size,
                  "epochs": int(args.num_train_epochs)}
        self.run_id = self._post("/api/v1/runs", {"name": self.name, "framework": "transformers", "config": config}).get("id")

    def on_log(self, args, state, control, logs=None, **kw):
        if not self.run_id or not logs:
            return
        metrics = {k: (float(v) if math.isfinite(float(v)) else None) for k, v in logs.items()
                   if isinstance(v, (int, float)) and k not in ("epoch", "step", "total_flos")}
        if metrics:  # HF names eval metrics eval_loss, eval_accuracy: runmedic reads eval_* as validation
            point = {"step": state.global_step, "epoch": state.epoch or 0, "time": time.time(), "metrics": metrics}
            self._post(f"/api/v1/runs/{self.run_id}/metrics", {"points": [point]})

    def on_train_end(self, args, state, control, **kw):
        if self.run_id:
            self._post(f"/api/v1/runs/{self.run_id}/finish", {"status": "finished"})
