"""Stream a PyTorch training loop's metrics to runmedic. Stdlib only; copy next to your script. Leaving the block finishes the run.

    with RunmedicRun("gpt-small", url="http://127.0.0.1:8787", token=os.environ["RUNMEDIC_TOKEN"],
                     config={"learningRate": 3e-4, "batchSize": 64, "epochs": epochs}) as rm:
        step = 0  # a global step: the server drops a step it already has, so never restart it at 0 each epoch
        for epoch in range(epochs):
            for i, batch in enumerate(loader):
                loss = ...; loss.backward(); opt.step(); step += 1
                rm.log(step, loss=loss.item(), lr=sched.get_last_lr()[0], epoch=epoch + i / len(loader))
            rm.log(step, epoch=epoch + 1, val_loss=evaluate(model))
"""
import json, math, time, urllib.request


class RunmedicRun:
    def __init__(self, name, url, token, config=None, classes=None, every=50, seconds=30):
        self.url, self.token, self.every, self.seconds, self.points = url.rstrip("/"), token, every, seconds, []
        body = {"name": name, "framework": "pytorch", "config": config or {}, **({"classes": classes} if classes else {})}
        self.run_id, self.sent = self._post("/api/v1/runs", body).get("id"), time.time()

    def _post(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        for attempt in range(3):  # a retried batch is safe: the server skips steps it already has
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return json.loads(r.read())
            except Exception as e:  # never break training over monitoring
                code = getattr(e, "code", 500)
                if attempt == 2 or code < 500 and code != 429:
                    print("runmedic: could not send", path, e)
                    return {}
                time.sleep(2 ** attempt)

    def log(self, step, epoch=None, **metrics):
        """Buffers one point; sends every `every` points or `seconds` (so a slow loop is not taken for a hung one)."""
        clean = {k: (float(v) if math.isfinite(float(v)) else None) for k, v in metrics.items()}
        point = {"step": step, "time": time.time(), "metrics": clean}
        if epoch is not None:
            point["epoch"] = epoch
        self.points.append(point)
        if len(self.points) >= self.every or time.time() - self.sent >= self.seconds or None in clean.values():
            self.flush()

    def flush(self):
        if self.points and self.run_id:
            self._post(f"/api/v1/runs/{self.run_id}/metrics", {"points": self.points})
        self.points, self.sent = [], time.time()

    def finish(self, status="finished"):
        self.flush()
        if self.run_id:
            self._post(f"/api/v1/runs/{self.run_id}/finish", {"status": status})

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):  # also reached on Ctrl-C (killed) or any other exception (crashed)
        self.finish("finished" if kind is None else "killed" if issubclass(kind, KeyboardInterrupt) else "crashed")
