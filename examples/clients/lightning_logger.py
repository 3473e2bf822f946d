"""A PyTorch Lightning logger that streams to runmedic. Stdlib + Lightning's own Logger base class.

    trainer = L.Trainer(logger=RunmedicLogger("vit-b16", "http://127.0.0.1:8787", os.environ["RUNMEDIC_TOKEN"]))
"""
import json, math, time, urllib.request

from lightning.pytorch.loggers.logger import Logger  # older installs: pytorch_lightning.loggers
from lightning.pytorch.utilities import rank_zero_only


class RunmedicLogger(Logger):
    def __init__(self, name, url, token, every=50):
        super().__init__()
        self._name, self.url, self.token, self.every = name, url.rstrip("/"), token, every
        self.points, self.run_id = [], None

    name = property(lambda self: self._name)
    version = property(lambda self: self.run_id or "0")

    def _post(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())
        except Exception as e:  # never break training over monitoring
            print("runmedic:", e)
            return {}

    @rank_zero_only
    def log_hyperparams(self, params):
        p = dict(params) if not isinstance(params, dict) else params
        config = {k: v for k, v in {"learningRate": p.get("lr") or p.get("learning_rate"), "batchSize": p.get("batch_size")}.items() if v}
        self.run_id = self._post("/api/v1/runs", {"name": self._name, "framework": "lightning", "config": config}).get("id")

    @rank_zero_only
    def log_metrics(self, metrics, step=None):
        if self.run_id is None:
            self.log_hyperparams({})
        clean = {k: (float(v) if math.isfinite(float(v)) else None) for k, v in metrics.items() if k != "epoch"}
        point = {"step": step or 0, "time": time.time(), "metrics": clean}
        if "epoch" in metrics:
            point["epoch"] = float(metrics["epoch"])
        self.points.append(point)
        if len(self.points) >= self.every or any(v is None for v in clean.values()) or any(k.startswith("val") for k in clean):
            self.save()

    @rank_zero_only
    def save(self):
        if self.points and self.run_id:
            self._post(f"/api/v1/runs/{self.run_id}/metrics", {"points": self.points})
        self.points = []

    @rank_zero_only
    def finalize(self, status):
        self.save()
        if self.run_id:
            self._post(f"/api/v1/runs/{self.run_id}/finish", {"status": {"success": "finished", "failed": "crashed"}.get(status, "killed")})
