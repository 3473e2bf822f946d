"""Stream a PyTorch training loop's metrics to runmedic. Stdlib only; copy next to your script.

    rm = RunmedicRun("gpt-small", url="http://127.0.0.1:8787", token=os.environ["RUNMEDIC_TOKEN"],
                     config={"learningRate": 3e-4, "batchSize": 64})
    for step, batch in enumerate(loader):
        loss = ...; loss.backward(); opt.step()
        rm.log(step, loss=loss.item(), lr=sched.get_last_lr()[0], epoch=epoch + step / len(loader))
    rm.finish()          # or rm.finish("crashed") in an except block
"""
import json, math, time, urllib.request


class RunmedicRun:
    def __init__(self, name, url, token, config=None, classes=None, every=50):
        self.url, self.token, self.every, self.points = url.rstrip("/"), token, every, []
        body = {"name": name, "framework": "pytorch", "config": config or {}}
        if classes:
            body["classes"] = classes
        self.run_id = self._post("/api/v1/runs", body).get("id")

    def _post(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        for attempt in range(3):  # a retried batch is safe: the server skips steps it already has
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return json.loads(r.read())
            except Exception as e:
                if getattr(e, "code", 500) < 500 and getattr(e, "code", 0) != 429:
                    break
                time.sleep(2 ** attempt)
        print("runmedic: could not send", path)
        return {}

    def log(self, step, epoch=None, **metrics):
        """Buffers one point; sends every `every` steps (one request per batch of points)."""
        clean = {k: (float(v) if math.isfinite(float(v)) else None) for k, v in metrics.items()}
        point = {"step": step, "time": time.time(), "metrics": clean}
        if epoch is not None:
            point["epoch"] = epoch
        self.points.append(point)
        if len(self.points) >= self.every or any(v is None for v in clean.values()):
            self.flush()

    def flush(self):
        if self.points and self.run_id:
            self._post(f"/api/v1/runs/{self.run_id}/metrics", {"points": self.points})
        self.points = []

    def finish(self, status="finished"):
        self.flush()
        if self.run_id:
            self._post(f"/api/v1/runs/{self.run_id}/finish", {"status": status})
