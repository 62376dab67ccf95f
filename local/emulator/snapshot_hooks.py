"""Saves and loads the emulator's whole state, so that `make local` can skip a `terraform apply` whose
inputs did not change (local/snapshot.ts decides when; the key covers infra/, dist/ and this code).

  POST /moto-api/snapshot/save?path=<file>  pickles every backend in use (all accounts and regions)
  POST /moto-api/snapshot/load?path=<file>  replaces them with the ones saved (call it on a fresh emulator)

Only what pickle cannot copy is rebuilt: locks (new, unlocked) and the cryptography keys moto keeps
for KMS, ACM and the like (through their PEM form). The file holds secrets as the emulator does:
it is written 0600 under .cache/.
"""
import collections
import copy
import functools
import importlib
import io
import json
import os
import pickle
import sys
import threading
import types
import weakref
from urllib.parse import parse_qs, urlparse

_LOCK = type(threading.Lock())
_RLOCK = type(threading.RLock())
# pickle refers to a function by module and name; this file is loaded with runpy, so the function
# that rebuilds a key is published under a module name of its own.
_MODULE = "emulator_snapshot_hooks"


def _private_key(pem):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, password=None)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):  # type: ignore[no-untyped-def]
        # Their entries are held strongly elsewhere in the state (or were already gone).
        if isinstance(obj, (weakref.WeakValueDictionary, weakref.WeakKeyDictionary)):
            return type(obj), (dict(obj.items()),)
        if isinstance(obj, weakref.WeakSet):
            return weakref.WeakSet, (list(obj),)
        # A defaultdict whose factory is a lambda: the factory becomes "a copy of what it returned".
        if isinstance(obj, collections.defaultdict) and "<" in getattr(obj.default_factory, "__qualname__", ""):
            return collections.defaultdict, (functools.partial(copy.deepcopy, obj.default_factory()),), None, None, iter(obj.items())
        if isinstance(obj, _RLOCK):
            return threading.RLock, ()
        if isinstance(obj, _LOCK):
            return threading.Lock, ()
        if (type(obj).__module__ or "").startswith("cryptography.") and hasattr(obj, "private_bytes"):
            from cryptography.hazmat.primitives import serialization as s

            return _private_key, (obj.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()),)
        return NotImplemented


def _key(backend_dict):  # type: ignore[no-untyped-def]
    return f"{backend_dict.backend.__module__}:{backend_dict.backend.__qualname__}:{backend_dict.service_name}"


def _path(full_url):  # type: ignore[no-untyped-def]
    return parse_qs(urlparse(full_url).query)["path"][0]


def _save(request, full_url, headers):  # type: ignore[no-untyped-def]
    from moto.core.base_backend import BackendDict, backend_lock

    buffer = io.BytesIO()
    with backend_lock:
        state = {_key(b): dict(b) for b in BackendDict._instances}
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    path = _path(full_url)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
        file.write(buffer.getvalue())
    return 200, {}, json.dumps({"bytes": buffer.tell(), "backends": sorted(state)})


def _load(request, full_url, headers):  # type: ignore[no-untyped-def]
    from moto.core.base_backend import BackendDict, backend_lock

    with open(_path(full_url), "rb") as file:
        state = pickle.load(file)
    with backend_lock:
        for key, accounts in state.items():
            module, qualname, service = key.split(":")
            backend_class = importlib.import_module(module)
            for part in qualname.split("."):
                backend_class = getattr(backend_class, part)
            # The BackendDict of that backend class: the one its module (or its package) exports.
            candidates = [
                value
                for name in (module, module.rsplit(".", 1)[0])
                for value in vars(importlib.import_module(name)).values()
                if isinstance(value, BackendDict) and value.backend is backend_class and value.service_name == service
            ]
            if not candidates:
                return 500, {}, json.dumps({"error": f"no backend {key} in this emulator"})
            target = candidates[0]
            target.clear()
            target.update(accounts)
            if target not in BackendDict._instances:
                BackendDict._instances.append(target)
    return 200, {}, json.dumps({"backends": sorted(state)})


def install():  # type: ignore[no-untyped-def]
    module = sys.modules.setdefault(_MODULE, types.ModuleType(_MODULE))
    _private_key.__module__ = _MODULE
    module._private_key = _private_key
    from moto.moto_api._internal import urls

    urls.url_paths["{0}/moto-api/snapshot/save"] = _save
    urls.url_paths["{0}/moto-api/snapshot/load"] = _load
