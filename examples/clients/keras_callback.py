"""Stream Keras metrics to runmedic. Copy this file next to your script (stdlib only; Keras imported lazily).

    cb = runmedic_callback("resnet50", url="http://127.0.0.1:8787", token=os.environ["RUNMEDIC_TOKEN"])
    model.fit(x, y, validation_split=0.2, epochs=30, callbacks=[cb])
"""
import json, math, time, urllib.request


class Runmedic:
    """The HTTP part alone: create a run, push points, finish. Errors never stop training."""

    def __init__(self, name, url, token, config=None, classes=None, framework="keras"):
        self.url, self.token = url.rstrip("/"), token
        body = {"name": name, "framework": framework, "config": config or {}}
        if classes:
            body["classes"] = classes
        self.run_id = self._post("/api/v1/runs", body).get("id")  # None: the server refused or is down

    def _post(self, path, body, retries=3):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        for attempt in range(retries):
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return json.loads(r.read())
            except Exception as e:  # retrying is safe: the server drops points it already has
                if attempt == retries - 1 or getattr(e, "code", 500) < 500 and getattr(e, "code", 0) != 429:
                    print("runmedic:", e, getattr(e, "read", lambda: b"")().decode(errors="replace"))
                    return {}
                time.sleep(2 ** attempt)

    def log(self, step, metrics, epoch=None):
        if not self.run_id:
            return {}
        clean = {k: (float(v) if math.isfinite(float(v)) else None) for k, v in metrics.items()}
        point = {"step": step, "time": time.time(), "metrics": clean}
        if epoch is not None:
            point["epoch"] = epoch
        return self._post(f"/api/v1/runs/{self.run_id}/metrics", {"points": [point]})

    def finish(self, status="finished"):
        return self._post(f"/api/v1/runs/{self.run_id}/finish", {"status": status}) if self.run_id else {}


def runmedic_callback(name, url, token, **kw):
    import keras  # lazily: the HTTP helper above works without Keras

    class RunmedicCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):  # fit's own epoch count fills config.epochs unless you set it
            config = {"epochs": self.params.get("epochs"), **(kw.get("config") or {})}
            self.rm = Runmedic(name, url, token, **{**kw, "config": {k: v for k, v in config.items() if v}})

        def on_epoch_end(self, epoch, logs=None):
            self.rm.log(epoch, logs or {}, epoch=epoch)

        def on_train_end(self, logs=None):  # not called when fit() raises: runmedic then flags the run as stalled
            self.rm.finish()

    return RunmedicCallback()
