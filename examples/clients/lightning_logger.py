"""A PyTorch Lightning logger that streams to runmedic. Stdlib + Lightning's own Logger base class.

    trainer = L.Trainer(logger=RunmedicLogger("vit-b16", "http://127.0.0.1:8787", os.environ["RUNMEDIC_TOKEN"]))
Each fit/validate/test call becomes one run; `self.save_hyperparameters()` in your module fills its lr/batch size/epochs."""
import json, math, time, urllib.request

from lightning.pytorch.loggers.logger import Logger  # older installs: pytorch_lightning.loggers.logger
from lightning.pytorch.utilities import rank_zero_only


class RunmedicLogger(Logger):
    def __init__(self, name, url, token, every=50, seconds=30):
        super().__init__()
        self._name, self.url, self.token, self.every, self.seconds = name, url.rstrip("/"), token, every, seconds
        self.points, self.run_id, self.sent, self.urgent, self.started = [], None, time.time(), False, False

    name, version = property(lambda self: self._name), property(lambda self: self.run_id or "0")

    def _post(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())
        except Exception as e:  # never break training over monitoring
            print("runmedic:", path, e)
            return {}

    @rank_zero_only
    def log_hyperparams(self, params, *args, **kwargs):
        p = params if isinstance(params, dict) else vars(params)  # a dict, or an argparse Namespace
        config = {"learningRate": p.get("lr") or p.get("learning_rate"), "batchSize": p.get("batch_size"),
                  "epochs": p.get("max_epochs") or p.get("epochs")}
        config = {k: v for k, v in config.items() if isinstance(v, (int, float)) and v > 0}  # "32" from a CLI: left out
        body = {"name": self._name, "framework": "lightning", "config": config}
        self.run_id, self.started = self._post("/api/v1/runs", body).get("id"), True

    @rank_zero_only
    def log_metrics(self, metrics, step=None):
        if not self.started:  # once per stage: a server that is down must not cost a request per step
            self.log_hyperparams({})
        clean = {k: (float(v) if math.isfinite(float(v)) else None) for k, v in metrics.items() if k != "epoch"}
        epoch = {"epoch": float(metrics["epoch"])} if "epoch" in metrics else {}
        self.points.append({"step": step or 0, "time": time.time(), "metrics": clean, **epoch})
        self.urgent = self.urgent or None in clean.values() or any(k.startswith("val") for k in clean)

    @rank_zero_only
    def save(self, force=False):  # Lightning calls this after every log_metrics: send when a batch is due
        if force or self.urgent or len(self.points) >= self.every or time.time() - self.sent >= self.seconds:
            if self.points and self.run_id:  # without a run (refused, server down) the buffer is dropped, never grown
                self._post(f"/api/v1/runs/{self.run_id}/metrics", {"points": self.points})
            self.points, self.sent, self.urgent = [], time.time(), False

    @rank_zero_only
    def finalize(self, status):  # "success", "failed" (an exception, Ctrl-C included), "finished" (SLURM requeue)
        self.save(force=True)
        if self.run_id:
            self._post(f"/api/v1/runs/{self.run_id}/finish", {"status": {"success": "finished", "failed": "crashed"}.get(status, "killed")})
        self.points, self.run_id, self.started = [], None, False
