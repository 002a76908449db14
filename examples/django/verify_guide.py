"""
Runs the Django parts of docs/django.md: the request-id middleware, the filter and the LOGGING
dictConfig, taken from the guide's code blocks, under Django's test client.

    apt-get install python3-django   # Django 3.2 on Debian 12; or: pip install django
    /usr/bin/python3 examples/django/verify_guide.py

The OpenTelemetry Python packages are NOT used (they cannot be installed where this was written):
a minimal stand-in for `opentelemetry.context` / `opentelemetry.trace` is generated, and the
guide's OTel handler factory is swapped for a handler that records what the OTel handler would
read (the record, its `request.id` attribute, the current span's trace id). So this proves the
Django wiring, not the export.
"""
import logging
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GUIDE = os.path.join(HERE, "..", "..", "docs", "django.md")

STUB_CONTEXT = '''
import contextvars
_current = contextvars.ContextVar("otel_ctx", default={})
def attach(ctx): return _current.set(ctx)
def detach(token): _current.reset(token)
def get_current(): return _current.get()
'''
STUB_TRACE = '''
from opentelemetry import context as _context
class TraceFlags(int):
    SAMPLED = 1
class SpanContext:
    def __init__(self, trace_id, span_id, is_remote, trace_flags=0):
        self.trace_id, self.span_id, self.is_remote, self.trace_flags = trace_id, span_id, is_remote, trace_flags
    @property
    def is_valid(self): return bool(self.trace_id) and bool(self.span_id)
class NonRecordingSpan:
    def __init__(self, sc): self._sc = sc
    def get_span_context(self): return self._sc
def set_span_in_context(span, ctx=None):
    d = dict(ctx or _context.get_current()); d["span"] = span; return d
def get_current_span():
    return _context.get_current().get("span", NonRecordingSpan(SpanContext(0, 0, False)))
'''
CAPTURE = '''
import logging
from opentelemetry import trace
RECORDS = []
class CaptureHandler(logging.Handler):
    def emit(self, record):
        sc = trace.get_current_span().get_span_context()
        RECORDS.append({"msg": record.getMessage(), "level": record.levelname,
                        "request.id": getattr(record, "request.id", None),
                        "trace_id": format(sc.trace_id, "032x") if sc.is_valid else None})
def otel_handler(level=logging.NOTSET):
    return CaptureHandler(level=level)
'''
URLS = '''
import logging
from django.http import JsonResponse
from django.urls import path
log = logging.getLogger("myproject.orders")
def order(request, oid):
    log.info("loading order %s", oid)
    if oid == 0:
        raise RuntimeError("order 0 is broken")
    return JsonResponse({"id": oid})
urlpatterns = [path("orders/<int:oid>/", order)]
'''


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    blocks = re.findall(r"```python\n(.*?)```", open(GUIDE).read(), re.S)
    otel_logging, request_id, settings_block = blocks[0], blocks[1], blocks[2]
    compile(otel_logging, "otel_logging.py", "exec")  # syntax only: its imports are not installable here
    root = tempfile.mkdtemp(prefix="logq-django-")
    write(os.path.join(root, "opentelemetry", "__init__.py"), "")
    write(os.path.join(root, "opentelemetry", "context.py"), STUB_CONTEXT)
    write(os.path.join(root, "opentelemetry", "trace", "__init__.py"), STUB_TRACE)
    write(os.path.join(root, "myproject", "__init__.py"), "")
    write(os.path.join(root, "myproject", "request_id.py"), request_id)
    write(os.path.join(root, "myproject", "capture.py"), CAPTURE)
    write(os.path.join(root, "myproject", "urls.py"), URLS)
    sys.path[:0] = [root]

    import django
    from django.conf import settings

    ns = {}
    exec(settings_block, ns)
    cfg = ns["LOGGING"]
    cfg["handlers"]["logq"]["()"] = "myproject.capture.otel_handler"  # the one substitution
    settings.configure(DEBUG=False, ROOT_URLCONF="myproject.urls", MIDDLEWARE=ns["MIDDLEWARE"], LOGGING=cfg,
                       ALLOWED_HOSTS=["testserver"], SECRET_KEY="verify-guide")
    django.setup()
    from django.test import Client
    from myproject.capture import RECORDS

    c = Client(raise_request_exception=False)
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    r = c.get("/orders/42/", HTTP_X_REQUEST_ID="demo-1", HTTP_TRACEPARENT=f"00-{trace_id}-b7ad6b7169203331-01")
    assert r.status_code == 200 and r["X-Request-Id"] == "demo-1", r
    rec = next(x for x in RECORDS if x["msg"] == "loading order 42")
    assert rec["request.id"] == "demo-1" and rec["trace_id"] == trace_id, rec

    r = c.get("/orders/7/", HTTP_X_REQUEST_ID="not usable: spaces")
    generated = r["X-Request-Id"]
    assert generated != "not usable: spaces" and re.fullmatch(r"[0-9a-f]{32}", generated), generated
    rec = next(x for x in RECORDS if x["msg"] == "loading order 7")
    assert rec["request.id"] == generated and rec["trace_id"] not in (None, trace_id), rec

    r = c.get("/nope/")
    nf = [x for x in RECORDS if x["msg"] == "Not Found: /nope/"]
    assert r.status_code == 404 and len(nf) == 1, nf
    assert nf[0]["level"] == "WARNING" and nf[0]["request.id"] == r["X-Request-Id"] and nf[0]["trace_id"], nf

    r = c.get("/orders/0/")
    ise = [x for x in RECORDS if x["msg"] == "Internal Server Error: /orders/0/"]
    assert r.status_code == 500 and len(ise) == 1, ise
    assert ise[0]["level"] == "ERROR" and ise[0]["request.id"] == r["X-Request-Id"], ise

    logging.getLogger("outside").warning("after the requests")
    assert RECORDS[-1]["request.id"] is None and RECORDS[-1]["trace_id"] is None, RECORDS[-1]
    print(f"docs/django.md: Django {django.get_version()} parts OK ({len(RECORDS)} records checked)")


if __name__ == "__main__":
    main()
